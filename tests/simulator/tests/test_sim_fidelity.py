"""Every response field the simulator serves is one the documents (shared/api/*.md) show, or one the guide's
"Gaps and our choices" table lists. Each set below names its section; `CHOICES` marks what the table adds."""

import requests

from sim_helpers import OCP_AUTH, bms, iam_token, mrs_session, server_ids

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
