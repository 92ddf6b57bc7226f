"""Every response field the simulator serves is one the documents (shared/api/*.md) show, or one the guide's
"Gaps and our choices" table lists. Each set below names its section; `CHOICES` marks what the table adds."""

import re

import requests

from sim_helpers import MRS_PASSWORD, MRS_USER, OCP_AUTH, bms, iam_token, mrs_session, server_ids

# ocp.md §4.1, §4.2
OCP_ENVELOPE = {"data", "successful", "timestamp", "duration", "status", "traceId", "server"}
OCP_PAGE = {"number", "size", "totalElements", "totalPages"}
# ocp.md §5.1 (list item; the get-one page serves the same object, choice G2)
OCP_CLUSTER = {"id", "name", "obClusterId", "obVersion", "status", "type", "regionCount", "tenantCount",
               "partitionCount", "serverCount", "rootServers", "zones", "primaryCluster", "standbyClusters", "delayTime",
               "syncStatus", "createTime", "updateTime", "creator", "failToQueryFromObReason", "alarmSummaries"}
OCP_ROOT_SERVER = {"address", "role", "sql_port"}
OCP_ZONE = {"name", "idcName", "regionName", "servers", "clusterId", "obClusterId", "serverCount", "hostCount", "idcId",
            "status", "innerStatus", "operateStatus"}
OCP_SERVER_CHOICE = {"id", "ip", "port", "sqlPort", "hostId", "status", "zoneName"}  # CHOICES: OCP server items
# ocp.md §7.1 TaskInstance plus the detail's taskDefinitionId and cluster object; `tasks` is choice G9
OCP_TASK = {"id", "name", "clusterId", "tenantId", "hostId", "type", "status", "creator", "operation", "executor",
            "context", "createTime", "startTime", "finishTime", "prohibitRollback", "subtasks", "taskDefinitionId",
            "cluster", "tasks"}
OCP_SUBTASK = {"id", "name", "description", "seriesId", "className", "timeout", "status", "operation", "executor",
               "runTime", "context", "createTime", "startTime", "finishTime", "nodeType", "parallelIdx", "upstreams",
               "downstreams", "prohibitRollback"}  # ocp.md §7.2
# ocp.md §5.7: BasicTaskInstance, the task-list item
OCP_BASIC_TASK = {"id", "name", "cluster", "tenant", "creator", "status", "startTime", "finishTime", "subtasks"}
OCP_BASIC_SUBTASK = {"id", "name", "description", "status", "operation"}
# ocp.md §5.8 (fields of interest) plus `name` (CHOICES: OCP host name)
OCP_HOST = {"id", "innerIpAddress", "status", "hostAgentId", "hostAgentVersion", "hostAgentStatus", "services", "name"}
OCP_AGENT = {"id", "version", "installHome", "logHome", "lastAvailableTime", "hostId", "hostInnerIpAddress", "status",
             "processes", "createTime", "updateTime"}  # ocp.md §5.9 HostAgent
OCP_PROCESS = {"id", "hostId", "alias", "pid", "user", "startCommand", "ports", "elapsedTime", "lastActiveTime",
               "status", "operable", "logFilePattern", "createTime", "updateTime"}  # ocp.md §5.9 HostAgentProcess
OCP_IDC_CHOICE = {"id", "name", "description", "regionId", "regionName", "createTime", "updateTime"}  # CHOICES: idcs

# bms.md §4.6 (one server; list items are the same objects, §4.7)
BMS_SERVER = {"id", "name", "status", "OS-EXT-STS:task_state", "OS-EXT-STS:vm_state", "OS-EXT-STS:power_state",
              "locked", "host_status", "updated", "created", "OS-SRV-USG:launched_at", "fault", "metadata", "tags",
              "flavor", "addresses", "OS-EXT-AZ:availability_zone", "tenant_id", "user_id", "enterprise_project_id",
              "sys_tags"}
BMS_FLAVOR = {"id", "name", "vcpus", "ram", "disk"}
BMS_JOB = {"status", "entities", "job_id", "job_type", "begin_time", "end_time", "error_code", "fail_reason"}  # §4.5
# bms.md §3.1 (token body), §3.2 (projects)
IAM_TOKEN = {"expires_at", "issued_at", "methods", "project", "user", "roles", "catalog"}
IAM_USER = {"id", "name", "domain", "password_expires_at"}
IAM_PROJECT = {"id", "name", "domain_id", "parent_id", "is_domain", "enabled", "description", "links"}

# mrs-manager.md §4 (envelope), §5.4 (progress), §5.6 (clusters)
MRS_ENVELOPE = {"id", "state", "error_code", "error_description", "total_progress"}
MRS_PROGRESS = {"cluster_id", "step_list", "fail_entity_list", "total_step_size"}
MRS_CLUSTER = {"stack", "id", "name", "description", "version", "cluster_state", "stack_model", "lic_state"}
# mrs-manager.md §5.3: the service summary's res_obj is key_property[] of {name, value, type}, type STATUS or TEXT;
# the names and their order are choice 13 (§8.2's proposal)
MRS_KEY_PROPERTY = {"name", "value", "type"}
MRS_KEY_NAMES_CHOICE = ["running_status", "health_status", "config_status", "version"]
# mrs-manager.md §3.2: the login_check body (the envelope plus five fields), the CAS login form's fields (step 2)
MRS_LOGIN_CHECK = MRS_ENVELOPE | {"modify_pwd", "exist_cluster", "remind_pwd", "ref_URL", "token"}
CAS_FORM_FIELDS = {"username", "password", "lt", "_eventId", "submit"}
# ocp.md §6.1 (the documented 429 sample, §3.3's 401/403 proposals): the error envelope has no `data`
OCP_ERROR_ENVELOPE = {"successful", "status", "error", "timestamp", "duration", "traceId", "server"}
OCP_ERROR = {"code", "message"}
# bms.md §6.1: BMS action APIs, the API gateway, IAM
BMS_ERROR = {"code", "message"}  # inside {"error": ...}
GATEWAY_ERROR = {"error_code", "error_msg", "request_id"}
IAM_ERROR = {"code", "message", "title"}  # inside {"error": ...}; code an integer


def ocp(sim, method, path, **kwargs):
    response = requests.request(method, sim.urls["ocp"] + path, auth=OCP_AUTH, **kwargs)
    body = response.json()
    assert set(body) == OCP_ENVELOPE, path
    return body["data"]


def test_ocp_objects_carry_only_documented_fields(sim):
    page = ocp(sim, "GET", "/api/v2/ob/clusters")
    assert set(page) == {"contents", "page"} and set(page["page"]) == OCP_PAGE
    cluster = page["contents"][0]
    assert set(cluster) == OCP_CLUSTER and set(ocp(sim, "GET", "/api/v2/ob/clusters/1000002")) == OCP_CLUSTER
    assert {k for r in cluster["rootServers"] for k in r} == OCP_ROOT_SERVER
    assert {k for z in cluster["zones"] for k in z} == OCP_ZONE
    assert {k for z in cluster["zones"] for s in z["servers"] for k in s} == OCP_SERVER_CHOICE
    assert {k for s in ocp(sim, "GET", "/api/v2/ob/clusters/1000002/servers")["contents"] for k in s} == OCP_SERVER_CHOICE
    task = ocp(sim, "POST", "/api/v2/ob/clusters/1000002/stop")
    assert set(task) == OCP_TASK and {k for s in task["subtasks"] for k in s} == OCP_SUBTASK
    assert set(ocp(sim, "GET", f"/api/v2/tasks/instances/{task['id']}")) == OCP_TASK
    host = ocp(sim, "GET", "/api/v2/compute/hosts/1001")
    assert set(host) == OCP_HOST and {k for s in host["services"] for k in s} == {"type"}
    assert {k for h in ocp(sim, "GET", "/api/v2/compute/hosts")["contents"] for k in h} == OCP_HOST
    agent = ocp(sim, "GET", "/api/v2/compute/hosts/1001/agent")
    assert set(agent) == OCP_AGENT and {k for p in agent["processes"] for k in p} == OCP_PROCESS
    assert set(ocp(sim, "POST", "/api/v2/compute/hosts/1001/agent/processes/187/stop")) == OCP_PROCESS
    assert {k for i in ocp(sim, "GET", "/api/v2/compute/idcs")["contents"] for k in i} == OCP_IDC_CHOICE


def test_ocp_task_list_items_are_basic_task_instances_and_the_host_filter_still_works(sim):
    """ocp.md §5.7: list items carry no hostId (only the task detail does); `?hostId=` filters server-side."""
    agent_task = ocp(sim, "POST", "/api/v2/compute/hosts/1004/agent/stop")
    assert agent_task["hostId"] == 1004  # the detail (TaskInstance, §7.1) has it
    ocp(sim, "POST", "/api/v2/ob/clusters/1000003/stop")
    items = ocp(sim, "GET", "/api/v2/tasks/instances")["contents"]
    assert len(items) == 2
    assert {k for t in items for k in t} == OCP_BASIC_TASK
    assert {k for t in items for s in t["subtasks"] for k in s} == OCP_BASIC_SUBTASK
    assert [t["id"] for t in ocp(sim, "GET", "/api/v2/tasks/instances", params={"hostId": 1004})["contents"]] == [
        agent_task["id"]]
    assert ocp(sim, "GET", "/api/v2/tasks/instances", params={"hostId": 1001})["contents"] == []


def test_bms_and_iam_objects_carry_only_documented_fields(sim):
    token = iam_token(sim.urls)
    faulty, stopped = server_ids(sim, "ACTIVE", 1)[0], server_ids(sim, "SHUTOFF", 1)[0]
    sim.admin.patch("bms_server", faulty, {"status": "ERROR"})
    for server_id in (faulty, stopped):
        server = bms(sim.urls, token, "GET", f"/baremetalservers/{server_id}").json()["server"]
        assert set(server) <= BMS_SERVER and set(server["flavor"]) == BMS_FLAVOR
    listed = bms(sim.urls, token, "GET", "/baremetalservers/detail?limit=1000").json()
    assert set(listed) == {"count", "servers"} and {k for s in listed["servers"] for k in s} <= BMS_SERVER
    job_id = bms(sim.urls, token, "POST", "/baremetalservers/action",
                 json={"os-start": {"servers": [{"id": stopped}]}}).json()["job_id"]
    job = bms(sim.urls, token, "GET", f"/jobs/{job_id}").json()
    assert set(job) == BMS_JOB and set(job["entities"]) == {"sub_jobs_total", "sub_jobs"}
    assert {k for s in job["entities"]["sub_jobs"] for k in s} == BMS_JOB

    issued = requests.post(sim.urls["iam"] + "/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {"name": "ops-bot", "password": "IamDemo#2024",
                                                        "domain": {"name": "quiesce-demo"}}}},
        "scope": {"domain": {"name": "quiesce-demo"}}}}).json()["token"]
    assert set(issued) == IAM_TOKEN - {"project"}  # a domain-scoped token: no project, and no `domain` either
    assert set(issued["user"]) == IAM_USER
    projects = requests.get(sim.urls["iam"] + "/v3/projects", headers={"X-Auth-Token": token}).json()
    assert set(projects) == {"projects", "links"} and {k for p in projects["projects"] for k in p} == IAM_PROJECT


def test_mrs_objects_carry_only_documented_fields(sim):
    session = mrs_session(sim.urls)
    clusters = session.get(sim.urls["mrs_web"] + "/web/v1/clusters").json()
    assert set(clusters) == MRS_ENVELOPE | {"res_obj"} and {k for c in clusters["res_obj"]["clusters"] for k in c} == MRS_CLUSTER
    status = session.get(sim.urls["mrs_web"] + "/web/v1/cluster/1/status").json()
    assert set(status) == MRS_ENVELOPE | {"res_obj"} and set(status["res_obj"]) == {"state"}
    command = session.post(sim.urls["mrs_web"] + "/web/v1/maintain/cluster/1/service/Hue/stop", json={}).json()
    assert set(command) == MRS_ENVELOPE
    progress = session.get(f"{sim.urls['mrs_web']}/web/v1/common/command/{command['id']}/progress").json()
    assert set(progress["res_obj"]) == MRS_PROGRESS
    assert {k for s in progress["res_obj"]["step_list"] for k in s} == {"name", "description"}


def test_mrs_service_summary_carries_only_documented_fields(sim):
    """mrs-manager.md §5.3: envelope + res_obj.key_property[{name, value, type}]; choice 13 names the entries."""
    session = mrs_session(sim.urls)
    for name in ("HDFS", "Hue"):
        body = session.get(f"{sim.urls['mrs_web']}/web/v1/cluster/1/services/{name}").json()
        assert set(body) == MRS_ENVELOPE | {"res_obj"} and set(body["res_obj"]) == {"key_property"}
        properties = body["res_obj"]["key_property"]
        assert {k for p in properties for k in p} == MRS_KEY_PROPERTY
        assert {p["type"] for p in properties} <= {"STATUS", "TEXT"}
        assert [p["name"] for p in properties] == MRS_KEY_NAMES_CHOICE


def test_mrs_login_flow_bodies_are_the_documented_ones(sim):
    """mrs-manager.md §3.2: the login page (casSessionId, the hidden lt), the form post (CASTGC on success, the
    "cannot be determined to be authentic" marker on bad credentials), the login_check body."""
    session = requests.Session()
    page = session.get(sim.urls["mrs_cas"] + "/cas/login")
    assert page.status_code == 200 and "casSessionId" in page.cookies
    assert set(re.findall(r'<input[^>]* name="([^"]+)"', page.text)) == CAS_FORM_FIELDS  # step 2's form fields
    lt = re.search(r'name="lt" value="([^"]+)"', page.text).group(1)
    form = {"username": MRS_USER, "password": "wrong", "lt": lt, "_eventId": "submit", "submit": "Login"}
    service = {"service": sim.urls["mrs_web"] + "/web/cas_security_check.htm"}
    refused = session.post(sim.urls["mrs_cas"] + "/cas/login", params=service, data=form, allow_redirects=False)
    assert "The credentials you provided cannot be determined to be authentic" in refused.text
    assert "CASTGC" not in refused.cookies

    lt = re.search(r'name="lt" value="([^"]+)"', session.get(sim.urls["mrs_cas"] + "/cas/login").text).group(1)
    accepted = session.post(sim.urls["mrs_cas"] + "/cas/login", params=service,
                            data=dict(form, password=MRS_PASSWORD, lt=lt), allow_redirects=False)
    assert "CASTGC" in accepted.cookies  # choice 7: a 302 to the service with the ticket
    check = session.get(sim.urls["mrs_web"] + "/web/v1/access/login_check")
    body = check.json()
    assert set(body) == MRS_LOGIN_CHECK and isinstance(body["token"], str)  # choice 11: the token is random hex
    assert "JSESSIONID" in session.cookies


def test_error_bodies_have_each_familys_documented_shape(sim):
    """mrs-manager.md §7 (the envelope, state FAILED, an integer error_code; §3.5's strict-mode 401); ocp.md §6.1 (no
    data; error {code, message}); bms.md §6.1 (the BMS shape, the gateway's, IAM's)."""
    session = mrs_session(sim.urls)
    web = sim.urls["mrs_web"] + "/web/v1"
    sim.admin.add_fault(api="mrs_web", path="/services/Hue$", kind="status", status=409)
    sim.admin.add_fault(api="mrs_web", path="/services/Kafka$", kind="status", status=500)
    for response in (session.get(web + "/cluster/1/services/Nope"), session.get(web + "/cluster/1/services/Hue"),
                     session.get(web + "/cluster/1/services/Kafka")):
        body = response.json()
        assert set(body) == MRS_ENVELOPE and body["state"] == "FAILED", body
        assert body["error_code"] == response.status_code and isinstance(body["error_code"], int)
    sim.admin.config(mrs_session_expiry="strict401")
    expired = requests.get(web + "/clusters", allow_redirects=False)
    assert expired.status_code == 401 and expired.json() == {  # the proposal of §3.5, word for word
        "id": -1, "state": "FAILED", "error_code": 401, "error_description": "session invalid or expired",
        "total_progress": 0}

    api = sim.urls["ocp"] + "/api/v2"
    sim.admin.add_fault(api="ocp", path="/compute/hosts$", kind="status", status=500)
    sim.admin.add_fault(api="ocp", path="/compute/idcs$", kind="throttle")
    answers = [requests.get(api + "/ob/clusters/999", auth=OCP_AUTH), requests.get(api + "/tasks/instances/999", auth=OCP_AUTH),
               requests.get(api + "/nope", auth=OCP_AUTH), requests.get(api + "/ob/clusters", auth=("admin", "wrong")),
               requests.post(api + "/ob/clusters/1000002/stop", auth=("viewer", "OcpView#2024")),
               requests.get(api + "/compute/hosts", auth=OCP_AUTH), requests.get(api + "/compute/idcs", auth=OCP_AUTH)]
    assert [r.status_code for r in answers] == [404, 404, 404, 401, 403, 500, 429]
    for response in answers:
        body = response.json()
        assert set(body) == OCP_ERROR_ENVELOPE and set(body["error"]) == OCP_ERROR, body
        assert body["successful"] is False and body["status"] == response.status_code
        assert isinstance(body["error"]["code"], int)
    assert (answers[-1].json()["traceId"], answers[-1].json()["duration"]) == ("", 0)  # §3.4's 429 sample

    token = iam_token(sim.urls)
    own = [bms(sim.urls, token, "GET", "/baremetalservers/00000000-0000-0000-0000-000000000000"),
           bms(sim.urls, token, "POST", "/baremetalservers/action", data=b"not json")]
    for response in own:
        assert set(response.json()) == {"error"} and set(response.json()["error"]) == BMS_ERROR
        assert response.json()["error"]["code"].startswith("BMS.")
    gateway = [requests.get(f"{sim.urls['bms']}/v1/{'0123456789abcdef' * 2}/baremetalservers/detail"),  # no token
               bms(sim.urls, token, "GET", "/nope")]
    sim.admin.add_fault(api="bms", path="/detail$", kind="status", status=500)
    sim.admin.add_fault(api="bms", path="/jobs/", kind="throttle")
    gateway += [bms(sim.urls, token, "GET", "/jobs/x"), bms(sim.urls, token, "GET", "/baremetalservers/detail")]
    assert [r.status_code for r in gateway] == [401, 404, 429, 500]
    for response in gateway:
        body = response.json()
        assert set(body) == GATEWAY_ERROR and body["request_id"] == response.headers["X-Request-Id"], body
        assert body["error_code"].startswith("APIGW.")
    iam = requests.post(sim.urls["iam"] + "/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {"name": "ops-bot", "password": "wrong",
                                                        "domain": {"name": "quiesce-demo"}}}}}})
    assert iam.status_code == 401 and set(iam.json()) == {"error"} and set(iam.json()["error"]) == IAM_ERROR
    assert iam.json()["error"]["code"] == 401


def test_bms_5xx_faults_use_the_gateways_documented_codes(sim):
    """bms.md §6.3/§6.4 document no BMS code with a 5xx status (BMS.0212 is a 400): every 5xx is the gateway's,
    503 APIGW.0613, any other APIGW.0201 (choice 59); a fault naming a BMS code gets the BMS shape."""
    token = iam_token(sim.urls)
    for status, code in ((500, "APIGW.0201"), (502, "APIGW.0201"), (503, "APIGW.0613"), (504, "APIGW.0201")):
        sim.admin.add_fault(api="bms", kind="status", status=status)
        response = bms(sim.urls, token, "GET", "/baremetalservers/detail")
        assert response.status_code == status and set(response.json()) == GATEWAY_ERROR
        assert response.json()["error_code"] == code
    sim.admin.add_fault(api="bms", kind="status", status=500, error_code="BMS.0006")
    response = bms(sim.urls, token, "GET", "/baremetalservers/detail")
    assert response.status_code == 500 and response.json()["error"]["code"] == "BMS.0006"


def test_ocp_agent_task_detail_carries_only_documented_fields(sim):
    """ocp.md §7.1/§7.2 TaskInstance and SubtaskInstance, for the host-agent tasks of §5.9 too (one host and a batch):
    the action's answer and the detail carry the same fields as a cluster task's (choice 35)."""
    single = ocp(sim, "POST", "/api/v2/compute/hosts/1004/agent/stop")
    batch = ocp(sim, "POST", "/api/v2/compute/hosts/batchRestartAgents", json={"hostIds": [1001, 1002]})
    for task in (single, batch):
        detail = ocp(sim, "GET", f"/api/v2/tasks/instances/{task['id']}")
        for body in (task, detail):
            assert set(body) == OCP_TASK and {k for s in body["subtasks"] for k in s} == OCP_SUBTASK
            assert body["cluster"] is None and body["clusterId"] is None
    assert ocp(sim, "GET", f"/api/v2/tasks/instances/{single['id']}")["hostId"] == 1004
