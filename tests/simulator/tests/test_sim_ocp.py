"""OCP contract: envelope, paging, auth (Basic, AK/SK), clusters, tasks, hosts and agents."""

import hashlib
import re
from email.utils import formatdate

import pytest
import requests

from sim_helpers import OCP_AUTH
from quiesce_sim.signing import ocp_signature, ocp_string_to_sign

ENVELOPE_KEYS = {"data", "successful", "timestamp", "duration", "status", "traceId", "server"}
AK, SK = "QuiesceOcpAk0001", "7c1f0e6a2b3d4c5e6f708192a3b4c5d6"


def get(sim, path, **kwargs):
    kwargs.setdefault("auth", OCP_AUTH)
    return requests.get(sim.urls["ocp"] + path, **kwargs)


def post(sim, path, **kwargs):
    kwargs.setdefault("auth", OCP_AUTH)
    return requests.post(sim.urls["ocp"] + path, **kwargs)


def signed_headers(sim, method, path, query="", body=b"", date=None):
    host = sim.urls["ocp"].split("://")[1]
    headers = {"Content-Type": "application/json", "Date": date or formatdate(usegmt=True), "Host": host,
               "x-ocp-request": "quiesce"}
    pairs = [tuple(p.split("=", 1)) for p in query.split("&") if p]
    signature = ocp_signature(SK, ocp_string_to_sign(method, path, pairs, headers, body))
    headers["Authorization"] = f"OCP-ACCESS-KEY-HMACSHA1 {AK}:{signature}"
    return headers


# ---------------------------------------------------------------- auth


def test_documented_signature_vectors():
    sk = "2fc0c299cc94c6be266f2ceece765d4d"
    first = ocp_string_to_sign("GET", "/api/v2/compute/idcs", [("size", "100")], {
        "Content-Type": "application/json;charset=utf-8", "Date": "Tue, 17 Jan 2023 04:14:02 GMT",
        "Host": "ocp.alibaba.net:8080"}, b"")
    assert ocp_signature(sk, first) == "TsQD6HDOuZuJ409m0wdnZPmijlc="
    body = b'{"name":"test01","description":"test","regionId":1}'
    assert hashlib.md5(body).hexdigest().upper() == "186974DB33A090A16D3E2CA35F547B56"
    second = ocp_string_to_sign("POST", "/api/v2/compute/idcs", [], {
        "Content-Type": "application/json", "Date": "Tue, 17 Jan 2023 09:13:57 GMT",
        "Host": "ocp.alibaba.net:8080", "x-ocp-data": "A,1"}, body)
    assert ocp_signature(sk, second) == "XN8P+O+v3vUabB16ZCooq5wMJoY="


def test_documented_requests_verify_on_the_wire():
    """Both ocp.md examples, byte for byte, against a server whose clock reads the examples' dates."""
    from datetime import datetime, timezone

    from quiesce_sim.clock import ManualClock
    from quiesce_sim.testing import in_process_simulator

    clock = ManualClock(datetime(2023, 1, 17, 4, 14, 2, tzinfo=timezone.utc).timestamp())
    with in_process_simulator(speed=0, clock=clock) as handle:
        listing = requests.get(handle.urls["ocp"] + "/api/v2/compute/idcs?size=100", headers={
            "Content-Type": "application/json;charset=utf-8", "Date": "Tue, 17 Jan 2023 04:14:02 GMT",
            "Host": "ocp.alibaba.net:8080",
            "Authorization": "OCP-ACCESS-KEY-HMACSHA1 cqammmxBpfGjFlto:TsQD6HDOuZuJ409m0wdnZPmijlc="})
        assert listing.status_code == 200, listing.text
        assert [i["name"] for i in listing.json()["data"]["contents"]] == ["hz1", "hz2"]
        clock.advance(5 * 3600 - 5)  # 09:13:57
        headers = {"Content-Type": "application/json", "Date": "Tue, 17 Jan 2023 09:13:57 GMT",
                   "Host": "ocp.alibaba.net:8080", "x-ocp-data": "A,1",
                   "Authorization": "OCP-ACCESS-KEY-HMACSHA1 cqammmxBpfGjFlto:XN8P+O+v3vUabB16ZCooq5wMJoY="}
        body = b'{"name":"test01","description":"test","regionId":1}'
        created = requests.post(handle.urls["ocp"] + "/api/v2/compute/idcs", data=body, headers=headers)
        assert created.status_code == 200, created.text
        assert created.json()["data"]["name"] == "test01"
        replay = requests.post(handle.urls["ocp"] + "/api/v2/compute/idcs", data=body.replace(b"01", b"02"),
                               headers=headers)
        assert replay.status_code == 401  # body changed, signature no longer matches


def test_aksk_verified_on_the_wire(sim):
    path = "/api/v2/ob/clusters"
    ok = requests.get(sim.urls["ocp"] + path + "?name=ob&size=5",
                      headers=signed_headers(sim, "GET", path, "name=ob&size=5"))
    assert ok.status_code == 200 and ok.json()["data"]["page"]["size"] == 5
    headers = signed_headers(sim, "GET", path, "name=ob&size=5")
    tampered = requests.get(sim.urls["ocp"] + path + "?name=ob&size=6", headers=headers)
    assert tampered.status_code == 401
    stale = signed_headers(sim, "GET", path, date="Tue, 17 Jan 2023 04:14:02 GMT")
    assert requests.get(sim.urls["ocp"] + path, headers=stale).status_code == 401
    body = b""
    action = "/api/v2/ob/clusters/1000003/stop"
    stopped = requests.post(sim.urls["ocp"] + action, data=body, headers=signed_headers(sim, "POST", action))
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["data"]["creator"] == {"id": 100, "name": "admin"}
    assert sim.admin.log(mutating=True)[-1]["identity"] == AK


def test_unauthenticated_and_forbidden_shapes(sim):
    for auth in (None, ("admin", "wrong"), ("ghost", "x")):
        response = requests.get(sim.urls["ocp"] + "/api/v2/ob/clusters", auth=auth)
        assert response.status_code == 401
        body = response.json()
        assert set(body) == {"successful", "timestamp", "duration", "status", "traceId", "server", "error"}
        assert body["error"]["code"] == 0 and body["successful"] is False and body["status"] == 401
        assert "WWW-Authenticate" not in response.headers
    assert get(sim, "/api/v2/ob/clusters", auth=("viewer", "OcpView#2024")).status_code == 200
    forbidden = post(sim, "/api/v2/ob/clusters/1000002/stop", auth=("viewer", "OcpView#2024"))
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == 30014


def test_session_cookie_and_admin_expire(sim):
    s = requests.Session()
    assert s.get(sim.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH).status_code == 200
    assert "SESSION" in s.cookies
    assert s.get(sim.urls["ocp"] + "/api/v2/ob/clusters").status_code == 200  # cookie alone
    assert sim.admin.expire("ocp") == {"ocp": 1}
    assert s.get(sim.urls["ocp"] + "/api/v2/ob/clusters").status_code == 401


# ---------------------------------------------------------------- clusters


def test_envelope_and_cluster_list(sim):
    response = get(sim, "/api/v2/ob/clusters")
    body = response.json()
    assert set(body) == ENVELOPE_KEYS and body["successful"] is True and body["status"] == 200
    assert re.fullmatch(r"[0-9a-f]{16}", body["traceId"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00", body["timestamp"])
    data = body["data"]
    assert data["page"] == {"number": 1, "size": 10, "totalElements": 2, "totalPages": 1}
    cluster = data["contents"][0]
    for key in ("id", "name", "obClusterId", "obVersion", "status", "type", "regionCount", "tenantCount",
                "partitionCount", "serverCount", "rootServers", "zones", "standbyClusters", "createTime", "creator"):
        assert key in cluster
    assert (cluster["id"], cluster["name"], cluster["serverCount"]) == (1000002, "ob-prod", 4)
    assert cluster["rootServers"][0] == {"address": "10.10.1.11:2882", "role": "LEADER", "sql_port": 2881}


def test_cluster_filters_and_paging(sim):
    names = lambda r: [c["name"] for c in r.json()["data"]["contents"]]  # noqa: E731
    assert names(get(sim, "/api/v2/ob/clusters", params={"name": "REPORT"})) == ["ob-report"]
    assert names(get(sim, "/api/v2/ob/clusters", params={"status": "STOPPED"})) == []
    assert names(get(sim, "/api/v2/ob/clusters", params={"status": "CREATING,RUNNING"})) == ["ob-prod", "ob-report"]
    second = get(sim, "/api/v2/ob/clusters", params={"page": 2, "size": 1}).json()["data"]
    assert [c["name"] for c in second["contents"]] == ["ob-report"]
    assert second["page"] == {"number": 2, "size": 1, "totalElements": 2, "totalPages": 2}
    assert get(sim, "/api/v2/ob/clusters", params={"size": 5000}).json()["data"]["page"]["size"] == 2000
    assert get(sim, "/api/v2/ob/clusters", params={"sort": "name,desc"}).json()["data"]["contents"][0]["name"] == "ob-report"
    assert get(sim, "/api/v2/ob/clusters", params={"page": 0}).json()["error"]["code"] == 10001


def test_get_cluster_and_not_found(sim):
    assert get(sim, "/api/v2/ob/clusters/1000003").json()["data"]["name"] == "ob-report"
    missing = get(sim, "/api/v2/ob/clusters/42")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == 10002
    task = get(sim, "/api/v2/tasks/instances/42")
    assert task.status_code == 404 and task.json()["error"]["code"] == 20000
    unknown = get(sim, "/api/v2/nothing/here")
    assert unknown.status_code == 404 and unknown.json()["successful"] is False


def test_stop_task_follows_the_seed_shape(sim):
    body = post(sim, "/api/v2/ob/clusters/1000002/stop").json()
    task = body["data"]
    assert task["name"] == "Stop OB cluster" and task["status"] == "RUNNING"
    assert task["creator"] == {"id": 100, "name": "admin"}
    assert task["cluster"] == {"id": 1000002, "name": "ob-prod", "obClusterId": 1, "type": "PRIMARY"}
    assert isinstance(task["context"], str) and "former_cluster_status=RUNNING" in task["context"]
    assert task["tasks"] == task["subtasks"] and len(task["subtasks"]) == 11
    by_id = {s["id"]: s for s in task["subtasks"]}
    chain = [next(s for s in task["subtasks"] if not s["upstreams"])]
    while chain[-1]["downstreams"]:
        chain.append(by_id[chain[-1]["downstreams"][0]])
    assert [s["name"] for s in chain] == [
        "Prepare stop cluster", "Prepare stop OB zone", "Wait node", "Prepare stop observer", "Wait node",
        "Stop observer process", "Wait node", "Update observer status", "Wait node", "Update zone status",
        "Update OB cluster status"]
    assert [s["status"] for s in chain] == ["RUNNING"] + ["PENDING"] * 10
    assert all(s["operation"] == "EXECUTE" and "parallelIdx" in s and "seriesId" in s for s in chain)
    assert get(sim, "/api/v2/ob/clusters/1000002").json()["data"]["status"] == "STOPPED"  # speed 0: next read
    again = post(sim, "/api/v2/ob/clusters/1000002/stop")
    assert again.status_code == 400 and again.json()["error"]["code"] == 50002


def test_subtasks_advance_over_time(clocked):
    task = post(clocked, "/api/v2/ob/clusters/1000002/stop").json()["data"]
    assert get(clocked, "/api/v2/ob/clusters/1000002").json()["data"]["status"] == "STOPPING"
    assert post(clocked, "/api/v2/ob/clusters/1000002/start").json()["error"]["code"] == 50002
    clocked.sim.clock.advance(2.5)  # subtasks take 1 s, "Stop observer process" 2 s
    data = get(clocked, f"/api/v2/tasks/instances/{task['id']}").json()["data"]
    statuses = sorted((s["seriesId"], s["status"]) for s in data["subtasks"])
    assert [s for _, s in statuses[:3]] == ["SUCCESSFUL", "SUCCESSFUL", "RUNNING"]
    assert data["status"] == "RUNNING"
    clocked.sim.clock.advance(20)
    data = get(clocked, f"/api/v2/tasks/instances/{task['id']}").json()["data"]
    assert data["status"] == "SUCCESSFUL" and data["finishTime"]
    assert {s["status"] for s in data["subtasks"]} == {"SUCCESSFUL"}
    assert get(clocked, "/api/v2/ob/clusters/1000002").json()["data"]["status"] == "STOPPED"
    servers = get(clocked, "/api/v2/ob/clusters/1000002/servers").json()["data"]
    assert servers["page"]["totalElements"] == 4 and {s["status"] for s in servers["contents"]} == {"STOPPED"}


def test_start_and_restart_dags(sim):
    post(sim, "/api/v2/ob/clusters/1000002/stop")
    start = post(sim, "/api/v2/ob/clusters/1000002/start").json()["data"]
    assert start["name"] == "Start OB cluster"
    fan_out = [s for s in start["subtasks"] if s["name"] == "Start observer process"]
    assert sorted(s["parallelIdx"] for s in fan_out) == [0, 1, 2, 3]
    assert get(sim, f"/api/v2/tasks/instances/{start['id']}").json()["data"]["status"] == "SUCCESSFUL"
    assert get(sim, "/api/v2/ob/clusters/1000002").json()["data"]["status"] == "RUNNING"
    restart = post(sim, "/api/v2/ob/clusters/1000002/restart").json()["data"]
    assert restart["name"] == "Restart OB cluster" and "former_cluster_status=RUNNING" in restart["context"]
    assert get(sim, "/api/v2/ob/clusters/1000002").json()["data"]["status"] == "RUNNING"
    wrong = post(sim, "/api/v2/ob/clusters/1000002/start")
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == 50002


def test_failed_task_restores_status_then_retry_and_log(sim):
    sim.admin.add_fault(api="ocp", path="/stop$", kind="fail_task", subtask="Update zone status")
    task = post(sim, "/api/v2/ob/clusters/1000002/stop").json()["data"]
    data = get(sim, f"/api/v2/tasks/instances/{task['id']}").json()["data"]
    assert data["status"] == "FAILED"
    failed = [s for s in data["subtasks"] if s["status"] == "FAILED"]
    assert [s["name"] for s in failed] == ["Update zone status"]
    assert get(sim, "/api/v2/ob/clusters/1000002").json()["data"]["status"] == "RUNNING"
    log = get(sim, f"/api/v2/tasks/instances/{task['id']}/subtasks/{failed[0]['id']}/log").json()["data"]["log"]
    assert "failed" in log
    retried = post(sim, f"/api/v2/tasks/instances/{task['id']}/retry").json()["data"]
    assert retried["status"] == "RUNNING" and retried["operation"] == "RETRY"
    assert get(sim, f"/api/v2/tasks/instances/{task['id']}").json()["data"]["status"] == "SUCCESSFUL"
    assert get(sim, "/api/v2/ob/clusters/1000002").json()["data"]["status"] == "STOPPED"
    bad = post(sim, f"/api/v2/tasks/instances/{task['id']}/retry")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 20003


def test_rollback_skip_and_cancel(clocked):
    clocked.admin.add_fault(api="ocp", kind="fail_task")
    task = post(clocked, "/api/v2/ob/clusters/1000003/stop").json()["data"]
    clocked.sim.clock.advance(60)
    assert get(clocked, f"/api/v2/tasks/instances/{task['id']}").json()["data"]["status"] == "FAILED"
    rolled = post(clocked, f"/api/v2/tasks/instances/{task['id']}/rollback").json()["data"]
    assert rolled["operation"] == "ROLLBACK" and rolled["status"] == "RUNNING"
    clocked.sim.clock.advance(60)
    final = get(clocked, f"/api/v2/tasks/instances/{task['id']}").json()["data"]
    assert final["status"] == "SUCCESSFUL" and {s["status"] for s in final["subtasks"]} == {"PENDING"}
    assert get(clocked, "/api/v2/ob/clusters/1000003").json()["data"]["status"] == "RUNNING"

    clocked.admin.add_fault(api="ocp", kind="fail_task", subtask="Prepare stop OB zone")
    task = post(clocked, "/api/v2/ob/clusters/1000003/stop").json()["data"]
    clocked.sim.clock.advance(5)
    data = get(clocked, f"/api/v2/tasks/instances/{task['id']}").json()["data"]
    failed = next(s for s in data["subtasks"] if s["status"] == "FAILED")
    assert post(clocked, f"/api/v2/tasks/instances/{task['id']}/subtasks/{failed['id']}/skip").json()["successful"]
    clocked.sim.clock.advance(30)
    assert get(clocked, f"/api/v2/tasks/instances/{task['id']}").json()["data"]["status"] == "SUCCESSFUL"

    task = post(clocked, "/api/v2/ob/clusters/1000003/start").json()["data"]
    running = next(s for s in task["subtasks"] if s["status"] == "RUNNING")
    cancel = post(clocked, f"/api/v2/tasks/instances/{task['id']}/subtasks/{running['id']}/cancel")
    assert cancel.json()["successful"] and "data" not in cancel.json()
    data = get(clocked, f"/api/v2/tasks/instances/{task['id']}").json()["data"]
    assert data["status"] == "FAILED"
    assert get(clocked, "/api/v2/ob/clusters/1000003").json()["data"]["status"] == "STOPPED"


def test_task_list_filters(sim):
    post(sim, "/api/v2/ob/clusters/1000002/stop")
    post(sim, "/api/v2/ob/clusters/1000003/restart")
    listing = get(sim, "/api/v2/tasks/instances", params={"clusterId": 1000003}).json()["data"]
    assert [t["name"] for t in listing["contents"]] == ["Restart OB cluster"]
    assert set(listing["contents"][0]) >= {"id", "name", "cluster", "tenant", "creator", "status", "startTime",
                                           "finishTime", "subtasks"}
    named = get(sim, "/api/v2/tasks/instances", params={"cluterName": "PROD", "status": "SUCCESSFUL"}).json()["data"]
    assert [t["name"] for t in named["contents"]] == ["Stop OB cluster"]


# ---------------------------------------------------------------- hosts and agents


def test_hosts_and_agent(sim):
    hosts = get(sim, "/api/v2/compute/hosts").json()["data"]
    assert hosts["page"]["totalElements"] == 8
    host = get(sim, "/api/v2/compute/hosts/1001").json()["data"]
    assert host["innerIpAddress"] == "10.10.1.11" and host["hostAgentStatus"] == "AVAILABLE"
    agent = get(sim, "/api/v2/compute/hosts/1001/agent").json()["data"]
    assert agent["status"] == "AVAILABLE" and agent["hostId"] == 1001
    assert [p["alias"] for p in agent["processes"]] == [
        "ocp_agentd", "pos_proxy", "node_exporter", "ocp_exporter", "obstat2", "ob_logtailer", "ob_cleaner"]
    assert [p["alias"] for p in agent["processes"] if not p["operable"]] == ["ocp_agentd", "pos_proxy"]
    processes = get(sim, "/api/v2/compute/hosts/1001/agent/processes", params={"size": 3}).json()["data"]
    assert len(processes["contents"]) == 3 and processes["page"]["totalPages"] == 3


def test_single_process_stop_and_restart(sim):
    processes = get(sim, "/api/v2/compute/hosts/1002/agent/processes").json()["data"]["contents"]
    obstat = next(p for p in processes if p["alias"] == "obstat2")
    stop = post(sim, f"/api/v2/compute/hosts/1002/agent/processes/{obstat['id']}/stop").json()
    assert stop["data"]["status"] == "STOPPED" and stop["data"]["pid"] == 0 and stop["data"]["ports"] is None
    assert stop["data"]["user"] is None and stop["data"]["startCommand"] is None
    again = post(sim, f"/compute/hosts/1002/agent/processes/{obstat['id']}/stop")  # bare alias, idempotent
    assert again.status_code == 200 and again.json()["data"]["status"] == "STOPPED"
    restart = post(sim, f"/api/v2/compute/hosts/1002/agent/processes/{obstat['id']}/restart").json()["data"]
    assert restart["status"] == "STARTED" and restart["pid"] not in (0, obstat["pid"])
    agentd = next(p for p in processes if p["alias"] == "ocp_agentd")
    refused = post(sim, f"/api/v2/compute/hosts/1002/agent/processes/{agentd['id']}/stop")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == 10001
    missing = post(sim, "/api/v2/compute/hosts/1002/agent/processes/1/stop")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == 10002


def test_single_process_call_is_synchronous_with_duration(clocked):
    clocked.sim.config["speed"] = 0.02  # 3.5 s scaled to 70 ms of real waiting
    processes = get(clocked, "/api/v2/compute/hosts/1003/agent/processes").json()["data"]["contents"]
    body = post(clocked, f"/api/v2/compute/hosts/1003/agent/processes/{processes[4]['id']}/stop").json()
    assert body["duration"] == 70 and body["data"]["status"] == "STOPPED"


def test_host_agent_stop_and_batch_restart(sim):
    task = post(sim, "/api/v2/compute/hosts/1004/agent/stop").json()["data"]
    assert task["name"] == "Stop OCP agent" and task["hostId"] == 1004 and task["subtasks"] == task["tasks"]
    assert get(sim, f"/api/v2/tasks/instances/{task['id']}").json()["data"]["status"] == "SUCCESSFUL"
    agent = get(sim, "/api/v2/compute/hosts/1004/agent").json()["data"]
    assert agent["status"] == "OFFLINE" and {p["status"] for p in agent["processes"]} == {"STOPPED"}
    refused = post(sim, f"/api/v2/compute/hosts/1004/agent/processes/{agent['processes'][3]['id']}/restart")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == 40000
    batch = post(sim, "/api/v2/compute/hosts/batchRestartAgents", json={"hostids": [1004, 1005]}).json()["data"]
    assert batch["name"] == "Batch restart OCP agent"
    assert get(sim, f"/api/v2/tasks/instances/{batch['id']}").json()["data"]["status"] == "SUCCESSFUL"
    agent = get(sim, "/api/v2/compute/hosts/1004/agent").json()["data"]
    assert agent["status"] == "AVAILABLE" and {p["status"] for p in agent["processes"]} == {"STARTED"}
    stop_batch = post(sim, "/api/v2/compute/hosts/batchStopAgents", json={"hostIds": [1006]})
    assert stop_batch.json()["data"]["name"] == "Batch stop OCP agent"
    assert post(sim, "/api/v2/compute/hosts/batchStopAgents", json={"hostIds": []}).json()["error"]["code"] == 10001
    assert post(sim, "/api/v2/compute/hosts/batchStopAgents", json={"hostIds": [9]}).status_code == 404


def test_agent_path_switch(sim):
    assert get(sim, "/compute/hosts/1001/agent").status_code == 200
    sim.admin.config(ocp_agent_paths="prefixed")
    assert get(sim, "/compute/hosts/1001/agent").status_code == 404
    assert get(sim, "/api/v2/compute/hosts/1001/agent").status_code == 200
    sim.admin.config(ocp_agent_paths="bare")
    assert get(sim, "/api/v2/compute/hosts/1001/agent").status_code == 404
    assert get(sim, "/compute/hosts/1001/agent").status_code == 200
    with pytest.raises(RuntimeError, match="400"):
        sim.admin.config(ocp_agent_paths="sideways")


def test_rate_limit_switch(sim):
    sim.admin.config(ocp_rate_limit=2)
    first = get(sim, "/api/v2/ob/clusters")
    assert first.headers["RateLimit-Limit"] == "2" and first.headers["RateLimit-Remaining"] == "1"
    assert get(sim, "/api/v2/ob/clusters").headers["RateLimit-Remaining"] == "0"
    third = get(sim, "/api/v2/ob/clusters")
    assert third.status_code == 429 and int(third.headers["RateLimit-Reset"]) >= 1
    assert third.json()["traceId"] == "" and third.json()["duration"] == 0
