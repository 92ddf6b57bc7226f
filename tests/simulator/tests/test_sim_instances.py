"""Several instances per family in one process: MRS Managers, OCP instances and BMS regions, each on its
own listeners, with its own state and credentials; the `instance` field of the log and fault filter."""

import pytest
import requests

from quiesce_sim.core import Simulator
from quiesce_sim.scenario import env_name, load_scenario, resolve_instances
from quiesce_sim.signing import sign_sdk_request
from quiesce_sim.testing import in_process_simulator
from sim_helpers import (MRS_PASSWORD, OCP_AUTH, PROJECT_ID, bms, cas_login, iam_token, mrs_session, service_status,
                         urls_of)

SOUTH = "2f6b0c1d8e3a4b5c9d7e6f1a0b2c3d4e"  # estate.yml's cn-south-1 project
DR_PASSWORD, SH_AUTH = "MrsDr#2024", ("admin", "OcpSh#2024")
AK, SK = "QUIESCEDEMOAK0000001", "QuiesceDemoSecretKey000000000000000001"


@pytest.fixture(scope="module")
def estate_sim():
    with in_process_simulator("estate.yml", speed=0.0) as handle:
        yield handle


@pytest.fixture
def estate(estate_sim):
    estate_sim.admin.reset()
    return estate_sim


# ---------------------------------------------------------------- scenario format


def test_default_scenario_has_one_instance_per_family_named_as_before():
    layout = resolve_instances(load_scenario(None))
    assert {family: list(found) for family, found in layout.items() if family != "iam"} == {
        "mrs": ["mrs-prod"], "ocp": ["ocp-hz"], "bms": ["cn-north-4"]}
    assert layout["bms"]["cn-north-4"]["project"] == {"name": "cn-north-4", "id": PROJECT_ID}


def test_a_short_entry_inherits_settings_but_not_objects():
    scenario = load_scenario(None)
    scenario.update(mrs_managers={"mrs-b": None}, ocp_instances={"ocp-b": {}}, bms_regions={"ap-southeast-1": {}})
    layout = resolve_instances(scenario)
    mrs_b, ocp_b, region = layout["mrs"]["mrs-b"], layout["ocp"]["ocp-b"], layout["bms"]["ap-southeast-1"]
    assert mrs_b["users"] == scenario["mrs"]["users"] and mrs_b["cluster"]["name"] == "mrs-b"
    assert mrs_b["cluster"]["id"] == 1 and "services" not in mrs_b
    assert ocp_b["users"] == scenario["ocp"]["users"] and "clusters" not in ocp_b and "name" not in ocp_b
    assert region["job_run_seconds"] == [4, 9] and "generate" not in region
    assert region["project"]["name"] == "ap-southeast-1" and len(region["project"]["id"]) == 32
    assert [p["name"] for p in layout["iam"]["projects"]] == ["cn-north-4", "ap-southeast-1"]
    sim = Simulator(scenario, speed=0)  # such a short estate starts: empty Managers, OCPs and regions
    assert sim.state()["instances"]["mrs"]["mrs-b"]["services"] == {}
    assert sim.state()["instances"]["bms"]["ap-southeast-1"]["counts"] == {}


@pytest.mark.parametrize("extra, message", [
    ({"mrs_managers": {"mrs-prod": {}}}, "defined twice"),
    ({"ocp_instances": {"ocp_sh": {}, "ocp-sh": {}}}, "same variable name"),
    ({"ocp_instances": ["ocp-sh"]}, "must map instance names"),
    ({"bms_regions": {"cn-south-1": {"project": {"id": PROJECT_ID}}}}, "already another project's"),
    ({"bms_regions": {"cn-north-4b": {"project": {"name": "cn-north-4", "id": "f" * 32}}}}, "in iam.projects"),
])
def test_bad_instance_definitions_are_refused(extra, message):
    scenario = {**load_scenario(None), **extra}
    with pytest.raises(ValueError, match=message):
        resolve_instances(scenario)


def test_env_names():
    assert [env_name(n) for n in ("mrs-dr", "cn-south-1", "ocp.sh 2")] == ["MRS_DR", "CN_SOUTH_1", "OCP_SH_2"]


# ---------------------------------------------------------------- each instance on its own URL


def test_every_instance_has_its_own_listeners(estate):
    instances = estate.instances
    assert list(instances["mrs"]) == ["mrs-prod", "mrs-dr"] and list(instances["ocp"]) == ["ocp-hz", "ocp-sh"]
    assert list(instances["bms"]) == ["cn-north-4", "cn-south-1"]
    assert instances["mrs"]["mrs-prod"] == {"web": estate.urls["mrs_web"], "cas": estate.urls["mrs_cas"]}
    every = [u for family in instances.values() for found in family.values() for k, u in found.items() if k != "project_id"]
    assert len(set(every)) == len(every) == 8
    assert estate.admin.urls()["instances"] == instances
    assert instances["bms"]["cn-south-1"]["project_id"] == SOUTH


def test_mrs_managers_have_their_own_credentials_and_state(estate):
    dr = urls_of(estate, "mrs", "mrs-dr")
    _, refused = cas_login(dr, password=MRS_PASSWORD)  # mrs-prod's password
    assert "cannot be determined to be authentic" in refused.text
    session = mrs_session(dr, password=DR_PASSWORD)
    clusters = session.get(dr["mrs_web"] + "/web/v1/clusters").json()["res_obj"]["clusters"]
    assert [(c["id"], c["name"]) for c in clusters] == [(1, "mrs-dr")]
    assert session.get(dr["mrs_web"] + "/web/v1/cluster/1/services/Kafka").status_code == 404  # not on mrs-dr
    session.post(dr["mrs_web"] + "/web/v1/maintain/cluster/1/service/HBase/stop", json={"only_self": True})
    assert service_status(session, dr, "HBase")["running_status"] == "STOPPED"
    prod = mrs_session(estate.urls)
    assert service_status(prod, estate.urls, "HBase")["running_status"] == "STARTED"  # another Manager's HBase
    # mrs-dr's web app sends an unauthenticated client to mrs-dr's CAS, not to mrs-prod's
    redirect = requests.get(dr["mrs_web"] + "/web/v1/clusters", allow_redirects=False)
    assert redirect.headers["Location"].startswith(dr["mrs_cas"] + "/cas/login")
    # a web session of one Manager means nothing to the other
    assert prod.get(dr["mrs_web"] + "/web/v1/clusters", allow_redirects=False).status_code == 302
    state = estate.admin.state()
    assert state["instances"]["mrs"]["mrs-dr"]["services"]["HBase"]["running_status"] == "STOPPED"
    assert state["mrs"] == state["instances"]["mrs"]["mrs-prod"]  # top-level keys stay the default instance


def test_ocp_instances_have_their_own_credentials_and_clusters(estate):
    sh = estate.instances["ocp"]["ocp-sh"]["url"]
    assert requests.get(sh + "/api/v2/ob/clusters", auth=OCP_AUTH).status_code == 401  # ocp-hz's password
    clusters = requests.get(sh + "/api/v2/ob/clusters", auth=SH_AUTH).json()["data"]["contents"]
    assert [(c["id"], c["name"]) for c in clusters] == [(2000002, "ob-sh"), (2000003, "ob-sh-archive")]
    hosts = requests.get(sh + "/api/v2/compute/hosts", auth=SH_AUTH).json()["data"]["contents"]
    assert [h["id"] for h in hosts] == [2001, 2002, 2003]
    task = requests.post(sh + "/api/v2/ob/clusters/2000002/stop", auth=SH_AUTH).json()["data"]
    assert requests.get(f"{sh}/api/v2/tasks/instances/{task['id']}", auth=SH_AUTH).json()["data"]["status"] == "SUCCESSFUL"
    state = estate.admin.state()["instances"]["ocp"]
    assert state["ocp-sh"]["clusters"]["2000002"]["status"] == "STOPPED"
    assert set(state["ocp-hz"]["clusters"]) == {"1000002", "1000003"}
    assert requests.get(estate.urls["ocp"] + "/api/v2/ob/clusters/2000002", auth=OCP_AUTH).status_code == 404


def test_bms_regions_share_iam_but_refuse_each_others_credentials(estate):
    south = urls_of(estate, "bms", "cn-south-1")
    south_token = iam_token(estate.urls, project={"name": "cn-south-1"})
    listed = bms(south, south_token, "GET", "/baremetalservers/detail?limit=1000", project_id=SOUTH).json()
    assert listed["count"] == 40 and listed["servers"][0]["name"] == "gz-rack01-node001"
    assert {s["tenant_id"] for s in listed["servers"]} == {SOUTH}
    assert {s["OS-EXT-AZ:availability_zone"] for s in listed["servers"]} == {"cn-south-1a"}
    # a token scoped to another region's project: "token from another region" (bms.md §6.3)
    north_token = iam_token(estate.urls)
    for urls, token, project in ((south, north_token, SOUTH), (estate.urls, south_token, PROJECT_ID)):
        refused = bms(urls, token, "GET", "/baremetalservers/detail", project_id=project)
        assert refused.status_code == 401 and refused.json()["error_code"] == "APIGW.0307"
    # the URL naming the other region's project: the tenant check
    assert bms(south, south_token, "GET", "/baremetalservers/detail").json()["error"]["code"] == "Common.0018"
    # AK/SK: X-Project-Id names the project; another region's is refused, the region's own accepted
    for project, status in ((PROJECT_ID, 401), (SOUTH, 200)):
        path = f"/v1/{SOUTH}/baremetalservers/detail"
        host = south["bms"].split("://")[1]
        headers = sign_sdk_request(AK, SK, "GET", path, "", {"Host": host, "X-Project-Id": project}, b"")
        response = requests.get(south["bms"] + path, headers=headers)
        assert response.status_code == status, response.text
    # the token's catalog names its own region's BMS endpoint
    body = requests.post(estate.urls["iam"] + "/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {"name": "ops-bot", "password": "IamDemo#2024",
                                                        "domain": {"name": "quiesce-demo"}}}},
        "scope": {"project": {"name": "cn-south-1"}}}}).json()["token"]
    endpoint = next(e for e in body["catalog"] if e["type"] == "bms")["endpoints"][0]
    assert (endpoint["region"], endpoint["url"]) == ("cn-south-1", south["bms"] + "/v1")
    projects = requests.get(estate.urls["iam"] + "/v3/projects", headers={"X-Auth-Token": south_token}).json()
    assert [(p["name"], p["id"]) for p in projects["projects"]] == [("cn-north-4", PROJECT_ID), ("cn-south-1", SOUTH)]


def test_region_states_are_separate(estate):
    south = urls_of(estate, "bms", "cn-south-1")
    token = iam_token(estate.urls, project={"name": "cn-south-1"})
    ids = list(estate.sim.bms_regions["cn-south-1"].servers)[:3]
    job = bms(south, token, "POST", "/baremetalservers/action", project_id=SOUTH,
              json={"os-stop": {"servers": [{"id": i} for i in ids]}}).json()["job_id"]
    assert bms(south, token, "GET", f"/jobs/{job}", project_id=SOUTH).json()["status"] == "SUCCESS"
    # jobs are per region too
    assert bms(estate.urls, iam_token(estate.urls), "GET", f"/jobs/{job}").status_code == 404
    state = estate.admin.state()["instances"]["bms"]
    assert state["cn-south-1"]["counts"] == {"ACTIVE": 37, "SHUTOFF": 3}
    assert state["cn-north-4"]["counts"] == {"ACTIVE": 295, "SHUTOFF": 5}
    assert state["cn-south-1"]["project_id"] == SOUTH


# ---------------------------------------------------------------- log and faults per instance


def test_log_entries_name_their_instance(estate):
    requests.get(estate.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH)
    requests.get(estate.instances["ocp"]["ocp-sh"]["url"] + "/api/v2/ob/clusters", auth=SH_AUTH)
    iam_token(estate.urls)
    assert [e["instance"] for e in estate.admin.log(api="ocp")] == ["ocp-hz", "ocp-sh"]
    assert [e["path"] for e in estate.admin.log(instance="ocp-sh")] == ["/api/v2/ob/clusters"]
    assert estate.admin.log(api="iam")[0]["instance"] is None  # one IAM for every region


def test_fault_instance_filter(estate):
    sh = estate.instances["ocp"]["ocp-sh"]["url"]
    estate.admin.add_fault(api="ocp", instance="ocp-sh", kind="status", status=503, count=-1)
    assert requests.get(estate.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH).status_code == 200
    assert requests.get(sh + "/api/v2/ob/clusters", auth=SH_AUTH).status_code == 503
    assert [(e["instance"], e["fault"]) for e in estate.admin.log(api="ocp")] == [("ocp-hz", None), ("ocp-sh", "status")]
    # an instance without an api matches every listener of that instance (mrs-dr's web and CAS)
    estate.admin.add_fault(instance="mrs-dr", kind="status", status=500, count=2)
    dr = urls_of(estate, "mrs", "mrs-dr")
    assert requests.get(dr["mrs_cas"] + "/cas/login").status_code == 500
    assert requests.get(dr["mrs_web"] + "/web/v1/clusters", allow_redirects=False).status_code == 500
    assert requests.get(estate.urls["mrs_cas"] + "/cas/login").status_code == 200


@pytest.mark.parametrize("spec, message", [
    ({"api": "ocp", "instance": "mrs-dr"}, "not an instance of ocp"),
    ({"api": "iam", "instance": "cn-south-1"}, "iam has a single listener"),
    ({"instance": "nowhere"}, "not an instance of any API"),
])
def test_fault_instance_must_exist(estate, spec, message):
    with pytest.raises(RuntimeError, match=message):
        estate.admin.add_fault(kind="status", **spec)


def test_expire_one_instance(estate):
    dr = urls_of(estate, "mrs", "mrs-dr")
    prod, other = mrs_session(estate.urls), mrs_session(dr, password=DR_PASSWORD)
    assert estate.admin.expire("mrs_web", instance="mrs-dr") == {"mrs_web": 1}
    assert prod.get(estate.urls["mrs_web"] + "/web/v1/clusters", allow_redirects=False).status_code == 200
    assert other.get(dr["mrs_web"] + "/web/v1/clusters", allow_redirects=False).status_code == 302
    with pytest.raises(RuntimeError, match="404"):
        estate.admin.expire("ocp", instance="ocp-nowhere")


def test_every_fault_kind_applies_to_the_named_instance_only(estate):
    """Each request-fault kind, aimed at ocp-sh: ocp-sh shows its effect, ocp-hz (same path) does not."""
    sh, hz = estate.instances["ocp"]["ocp-sh"]["url"], estate.urls["ocp"]
    for kind, extra in (("status", {}), ("throttle", {"retry_after": 3}), ("drop_before", {}), ("drop_after", {}),
                        ("malformed", {}), ("expire_auth", {}), ("slow", {"delay": 0.2})):
        estate.admin.clear_log()
        estate.admin.add_fault(api="ocp", instance="ocp-sh", kind=kind, path="/clusters$", count=-1, **extra)
        assert requests.get(hz + "/api/v2/ob/clusters", auth=OCP_AUTH).json()["successful"] is True, kind
        try:
            requests.get(sh + "/api/v2/ob/clusters", auth=SH_AUTH, timeout=5)
        except requests.ConnectionError:
            pass
        assert [(e["instance"], e["fault"]) for e in estate.admin.log(api="ocp")] == [
            ("ocp-hz", None), ("ocp-sh", kind)], kind
        estate.admin.clear_faults()
    estate.admin.add_fault(api="ocp", instance="ocp-sh", kind="fail_task", count=-1)
    for url, auth, cluster, status in ((hz, OCP_AUTH, 1000002, "SUCCESSFUL"), (sh, SH_AUTH, 2000002, "FAILED")):
        task = requests.post(f"{url}/api/v2/ob/clusters/{cluster}/stop", auth=auth).json()["data"]
        assert requests.get(f"{url}/api/v2/tasks/instances/{task['id']}", auth=auth).json()["data"]["status"] == status


def test_fail_task_per_instance_on_mrs_and_bms(estate):
    """fail_task aimed at mrs-dr and cn-south-1: their next command / job fails, the default instances' do not."""
    estate.admin.add_fault(api="mrs_web", instance="mrs-dr", kind="fail_task")
    estate.admin.add_fault(api="bms", instance="cn-south-1", kind="fail_task")
    dr = urls_of(estate, "mrs", "mrs-dr")
    for urls, password, state in ((estate.urls, MRS_PASSWORD, "COMPLETE"), (dr, DR_PASSWORD, "FAILED")):
        session = mrs_session(urls, password=password)
        command = session.post(urls["mrs_web"] + "/web/v1/maintain/cluster/1/service/HBase/stop", json={}).json()
        progress = session.get(f"{urls['mrs_web']}/web/v1/common/command/{command['id']}/progress").json()
        assert progress["state"] == state, urls
    south = urls_of(estate, "bms", "cn-south-1")
    for urls, project, name, status in ((estate.urls, PROJECT_ID, "cn-north-4", "SUCCESS"),
                                        (south, SOUTH, "cn-south-1", "FAIL")):
        token = iam_token(estate.urls, project={"name": name})
        server = next(iter(estate.sim.bms_regions[name].servers))
        job = bms(urls, token, "POST", "/baremetalservers/action", project_id=project,
                  json={"os-stop": {"servers": [{"id": server}]}}).json()["job_id"]
        assert bms(urls, token, "GET", f"/jobs/{job}", project_id=project).json()["status"] == status, name
