"""Fault injection kinds, the request log and its filters, identity redaction."""

import json
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests

from sim_helpers import (IAM_PASSWORD, MRS_PASSWORD, OCP_AUTH, PROJECT_ID, bms, cas_login, iam_token, mrs_session,
                         server_ids, service_status)

STOP_OB = "/api/v2/ob/clusters/1000002/stop"


def ocp_status(sim) -> str:
    return requests.get(sim.urls["ocp"] + "/api/v2/ob/clusters/1000002", auth=OCP_AUTH).json()["data"]["status"]


def test_status_fault_uses_each_family_envelope(sim):
    sim.admin.add_fault(api="ocp", method="POST", path="/stop$", kind="status", status=503)
    response = requests.post(sim.urls["ocp"] + STOP_OB, auth=OCP_AUTH)
    assert response.status_code == 503
    body = response.json()
    assert body["successful"] is False and body["status"] == 503 and "code" in body["error"]
    assert len(body["traceId"]) == 16
    assert ocp_status(sim) == "RUNNING"  # the action never happened

    sim.admin.add_fault(api="mrs_web", path="/services/HDFS$", kind="status", status=500)
    session = mrs_session(sim.urls)
    response = session.get(sim.urls["mrs_web"] + "/web/v1/cluster/1/services/HDFS")
    assert response.status_code == 500
    assert response.json()["state"] == "FAILED" and response.json()["error_code"] == 500

    token = iam_token(sim.urls)
    sim.admin.add_fault(api="bms", kind="status", status=502)
    response = bms(sim.urls, token, "GET", "/baremetalservers/detail")
    assert response.status_code == 502
    assert response.json()["error_code"] == "APIGW.0201"
    assert response.json()["request_id"] == response.headers["X-Request-Id"]


def test_status_fault_401_403_429_use_the_documented_codes(sim):
    """bms.md §6.3: on BMS, 401/403/429 are API-gateway answers (APIGW.0301/0302/0308), never a BMS.0018 body;
    ocp.md §3.3: an OCP 403 carries error.code 30014, a 401 code 0."""
    token = iam_token(sim.urls)
    for status, code in ((401, "APIGW.0301"), (403, "APIGW.0302"), (429, "APIGW.0308")):
        sim.admin.add_fault(api="bms", kind="status", status=status)
        response = bms(sim.urls, token, "GET", "/baremetalservers/detail")
        assert response.status_code == status
        assert set(response.json()) == {"error_code", "error_msg", "request_id"}
        assert response.json()["error_code"] == code
    sim.admin.add_fault(api="bms", kind="status", status=403, error_code="BMS.0288")
    forbidden = bms(sim.urls, token, "GET", "/baremetalservers/detail")
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "BMS.0288"
    for status, code in ((401, 0), (403, 30014)):
        sim.admin.add_fault(api="ocp", kind="status", status=status)
        response = requests.get(sim.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH)
        assert response.status_code == status and response.json()["error"]["code"] == code


def test_throttle_fault_headers(sim):
    sim.admin.add_fault(api="ocp", kind="throttle", retry_after=7)
    response = requests.get(sim.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.headers["RateLimit-Reset"] == "7"
    assert {"RateLimit-Limit", "RateLimit-Remaining"} <= set(response.headers)
    body = response.json()
    assert body["status"] == 429 and body["error"]["code"] == 0 and body["successful"] is False

    http_date = "Wed, 21 Oct 2015 07:28:00 GMT"
    sim.admin.add_fault(api="bms", kind="throttle", retry_after=http_date)
    response = bms(sim.urls, iam_token(sim.urls), "GET", "/baremetalservers/detail")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == http_date
    assert response.json()["error_code"] == "APIGW.0308"


def test_drop_before_does_not_apply_the_action(sim):
    sim.admin.add_fault(api="ocp", method="POST", path="/stop$", kind="drop_before")
    with pytest.raises(requests.ConnectionError):
        requests.post(sim.urls["ocp"] + STOP_OB, auth=OCP_AUTH)
    assert ocp_status(sim) == "RUNNING"
    entry = sim.admin.log(api="ocp", mutating=True)[-1]
    assert entry["fault"] == "drop_before" and entry["status"] is None


def test_drop_after_applies_the_action_exactly_once(sim):
    sim.admin.add_fault(api="ocp", method="POST", path="/stop$", kind="drop_after")
    with pytest.raises(requests.ConnectionError):
        requests.post(sim.urls["ocp"] + STOP_OB, auth=OCP_AUTH)
    assert ocp_status(sim) == "STOPPED"  # applied although the client never saw a reply
    tasks = requests.get(sim.urls["ocp"] + "/api/v2/tasks/instances", auth=OCP_AUTH).json()["data"]["contents"]
    assert [t["name"] for t in tasks] == ["Stop OB cluster"]
    # a naive retry is refused because the state already moved on
    retry = requests.post(sim.urls["ocp"] + STOP_OB, auth=OCP_AUTH)
    assert retry.status_code == 400 and retry.json()["error"]["code"] == 50002
    mutating = sim.admin.log(api="ocp", mutating=True)
    assert [e["fault"] for e in mutating] == ["drop_after", None]


def test_drop_after_on_bms_action(sim):
    token = iam_token(sim.urls)
    ids = server_ids(sim, "ACTIVE", 2)
    sim.admin.add_fault(api="bms", method="POST", kind="drop_after")
    with pytest.raises(requests.ConnectionError):
        bms(sim.urls, token, "POST", "/baremetalservers/action", json={"os-stop": {"servers": [{"id": i} for i in ids]}})
    state = sim.admin.state()["bms"]["servers"]
    assert [state[i]["status"] for i in ids] == ["SHUTOFF", "SHUTOFF"]


def test_slow_fault_delays_reply(sim):
    sim.admin.add_fault(api="ocp", kind="slow", delay=0.3)
    started = time.monotonic()
    response = requests.get(sim.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH)
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3
    with pytest.raises(requests.Timeout):
        sim.admin.add_fault(api="ocp", kind="slow", delay=1.0)
        requests.get(sim.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH, timeout=0.2)


def test_slow_fault_handles_the_request_against_the_state_after_the_delay():
    """A delayed request is handled at the end of its delay, so events that fell due meanwhile apply first."""
    from quiesce_sim.scenario import load_scenario
    from quiesce_sim.testing import in_process_simulator

    scenario = load_scenario(None)
    scenario["bms"].update(job_init_seconds=0, job_run_seconds=[0.2, 0.2])
    scenario.setdefault("switches", {})["bms_wrong_state_mode"] = "sync"
    with in_process_simulator(scenario, speed=1.0) as handle:
        token = iam_token(handle.urls)
        target = server_ids(handle, "ACTIVE", 1)
        stop = bms(handle.urls, token, "POST", "/baremetalservers/action",
                   json={"os-stop": {"servers": [{"id": i} for i in target]}})
        assert stop.status_code == 200
        handle.admin.add_fault(api="bms", method="POST", kind="slow", delay=0.6)
        start = bms(handle.urls, token, "POST", "/baremetalservers/action",
                    json={"os-start": {"servers": [{"id": i} for i in target]}})
        assert start.status_code == 200, start.text  # not 400 BMS.0036: the stop had finished by then


def test_malformed_fault_returns_invalid_json(sim):
    sim.admin.add_fault(api="ocp", path="/clusters$", kind="malformed")
    response = requests.get(sim.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        json.loads(response.text)


def test_expire_auth_fault_expires_the_presented_token(sim):
    token = iam_token(sim.urls)
    sim.admin.add_fault(api="bms", kind="expire_auth")
    response = bms(sim.urls, token, "GET", "/baremetalservers/detail")
    assert response.status_code == 401 and response.json()["error_code"] == "APIGW.0307"
    assert bms(sim.urls, token, "GET", "/baremetalservers/detail").status_code == 401  # stays expired
    assert bms(sim.urls, iam_token(sim.urls), "GET", "/baremetalservers/detail").status_code == 200


def test_expire_auth_fault_on_mrs_session(sim):
    session = mrs_session(sim.urls)
    sim.admin.add_fault(api="mrs_web", path="/services/", kind="expire_auth")
    response = session.get(sim.urls["mrs_web"] + "/web/v1/cluster/1/services/HDFS", allow_redirects=False)
    assert response.status_code == 302 and "/cas/login?service=" in response.headers["Location"]


def test_count_and_unlimited_and_order(sim):
    sim.admin.add_fault(api="ocp", path="/clusters$", kind="status", status=500, count=2)
    sim.admin.add_fault(api="ocp", path="/clusters$", kind="status", status=503, count=1)
    codes = [requests.get(sim.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH).status_code for _ in range(4)]
    assert codes == [500, 500, 503, 200]
    fault_id = sim.admin.add_fault(api="ocp", kind="status", status=502, count=-1)
    codes = [requests.get(sim.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH).status_code for _ in range(3)]
    assert codes == [502, 502, 502]
    assert [f for f in sim.admin.faults() if f["id"] == fault_id][0]["applied"] == 3
    sim.admin.remove_fault(fault_id)
    assert requests.get(sim.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH).status_code == 200


def test_fault_spec_validation(sim):
    with pytest.raises(RuntimeError, match="400"):
        sim.admin.add_fault(kind="explode")
    with pytest.raises(RuntimeError, match="400"):
        sim.admin.add_fault(kind="status", api="nope")
    with pytest.raises(RuntimeError, match="400"):
        sim.admin.add_fault(kind="status", colour="red")


def test_log_filters_kinds_and_redaction(sim):
    token = iam_token(sim.urls)
    session = mrs_session(sim.urls)
    session.post(sim.urls["mrs_web"] + "/web/v1/maintain/cluster/1/service/Hue/stop", json={"only_self": True})
    bms(sim.urls, token, "GET", "/baremetalservers/detail")
    entries = sim.admin.log()
    text = json.dumps(entries)
    for secret in (MRS_PASSWORD, IAM_PASSWORD, token, "CASTGC", "ST-"):
        assert secret not in text
    login_posts = sim.admin.log(api="mrs_cas", method="POST")
    assert [(e["kind"], e["mutating"], e["identity"]) for e in login_posts] == [("auth", False, "admin")]
    iam_entries = sim.admin.log(api="iam")
    assert iam_entries[0]["kind"] == "auth" and iam_entries[0]["mutating"] is False
    assert iam_entries[0]["identity"] == "ops-bot"
    actions = sim.admin.log(mutating=True)
    assert [(e["api"], e["path"], e["kind"], e["identity"]) for e in actions] == [
        ("mrs_web", "/web/v1/maintain/cluster/1/service/Hue/stop", "action", "admin")]
    assert sim.admin.log(path="Hue/st")[0]["method"] == "POST"
    bms_entry = sim.admin.log(api="bms")[-1]
    assert bms_entry["identity"] == "ops-bot" and bms_entry["kind"] == "read" and bms_entry["status"] == 200
    last = entries[-1]["seq"]
    requests.get(sim.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH)
    newer = sim.admin.log(since=last)
    assert [e["api"] for e in newer] == ["ocp"] and newer[0]["query"] == {}
    assert set(newer[0]) >= {"seq", "time", "api", "method", "path", "query", "mutating", "kind", "status",
                             "identity", "fault", "duration_ms"}
    sim.admin.clear_log()
    assert sim.admin.log() == []


def test_cas_login_identity_on_failure_and_poll_kind(sim):
    cas_login(sim.urls, password="wrong")
    entry = sim.admin.log(api="mrs_cas", method="POST")[-1]
    assert entry["identity"] == "admin" and entry["kind"] == "auth"
    session = mrs_session(sim.urls)
    command = session.post(sim.urls["mrs_web"] + "/web/v1/maintain/cluster/1/service/Hue/stop", json={}).json()
    session.get(f"{sim.urls['mrs_web']}/web/v1/common/command/{command['id']}/progress")
    assert sim.admin.log(path="progress$")[-1]["kind"] == "poll"
    assert service_status(session, sim.urls, "Hue")["running_status"] == "STOPPED"


def test_log_file_gets_json_lines(tmp_path):
    from quiesce_sim.testing import in_process_simulator

    log_file = tmp_path / "requests.jsonl"
    with in_process_simulator(speed=0, log_file=str(log_file)) as handle:
        requests.get(handle.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH)
        requests.get(handle.urls["ocp"] + "/api/v2/ob/clusters")
    lines = [json.loads(line) for line in log_file.read_text().splitlines()]
    assert [(e["status"], e["identity"]) for e in lines] == [(200, "admin"), (401, None)]


def test_faults_on_unknown_paths_and_redirects(sim):
    sim.admin.add_fault(api="ocp", path="^/nowhere", kind="status", status=503)
    response = requests.get(sim.urls["ocp"] + "/nowhere", auth=OCP_AUTH)
    assert response.status_code == 503 and response.json()["status"] == 503
    assert requests.get(sim.urls["ocp"] + "/nowhere", auth=OCP_AUTH).json()["status"] == 404
    sim.admin.add_fault(api="mrs_web", path="login_check$", kind="drop_after")
    with pytest.raises(requests.ConnectionError):
        requests.get(sim.urls["mrs_web"] + "/web/v1/access/login_check", allow_redirects=False)
    assert sim.admin.log(api="mrs_web")[-1]["status"] is None


def test_slow_action_still_happens_after_client_timeout(sim):
    sim.admin.add_fault(api="ocp", method="POST", kind="slow", delay=0.5)
    with pytest.raises(requests.Timeout):
        requests.post(sim.urls["ocp"] + STOP_OB, auth=OCP_AUTH, timeout=0.1)
    time.sleep(0.8)
    assert ocp_status(sim) == "STOPPED"


def _raw_http(url: str, method: str, path: str, headers: dict, body: bytes = b"") -> tuple[socket.socket, bytes]:
    """Open a TCP connection to the listener and send one HTTP/1.1 request on it (no client library)."""
    parts = urlsplit(url)
    conn = socket.create_connection((parts.hostname, parts.port), timeout=5)
    head = [f"{method} {path} HTTP/1.1", f"Host: {parts.netloc}", f"Content-Length: {len(body)}",
            *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    conn.sendall("\r\n".join(head).encode() + body)
    return conn, body


def test_slow_says_nothing_for_the_delay_then_applies_the_action_although_the_client_left(sim):
    """A reply delayed past the client's read timeout: nothing at all reaches the client meanwhile, and the
    action (here one with a body, which must be read before the client goes away) still takes effect."""
    token = iam_token(sim.urls)
    ids = server_ids(sim, "ACTIVE", 2)
    sim.admin.add_fault(api="bms", method="POST", kind="slow", delay=0.6)
    body = json.dumps({"os-stop": {"servers": [{"id": i} for i in ids]}}).encode()
    conn, _ = _raw_http(sim.urls["bms"], "POST", f"/v1/{PROJECT_ID}/baremetalservers/action",
                        {"X-Auth-Token": token, "Content-Type": "application/json"}, body)
    conn.settimeout(0.3)
    with pytest.raises(socket.timeout):
        conn.recv(1)  # the client's read timeout: not a byte of an answer
    conn.close()  # ... and the client gives up before the server has answered
    assert sim.admin.state()["bms"]["busy"] == 0  # not applied yet
    time.sleep(0.6)
    state = sim.admin.state()["bms"]["servers"]
    assert [state[i]["status"] for i in ids] == ["SHUTOFF", "SHUTOFF"]
    entry = sim.admin.log(api="bms", mutating=True)[-1]
    assert (entry["fault"], entry["status"]) == ("slow", 200) and entry["duration_ms"] >= 600


def test_slow_mrs_stop_with_a_body_is_applied_after_a_client_timeout(sim):
    session = mrs_session(sim.urls)
    sim.admin.add_fault(api="mrs_web", method="POST", kind="slow", delay=0.4)
    with pytest.raises(requests.Timeout):
        session.post(sim.urls["mrs_web"] + "/web/v1/maintain/cluster/1/service/Hue/stop", json={"only_self": True},
                     timeout=0.1)
    time.sleep(0.5)
    assert service_status(session, sim.urls, "Hue")["running_status"] == "STOPPED"


def test_drop_before_and_refuse_are_distinct(sim):
    """drop_before: the connection is accepted and the request read, then closed unanswered (the client cannot
    know whether it was applied). refuse: nothing listens, connecting fails (provably never sent)."""
    parts = urlsplit(sim.urls["ocp"])
    sim.admin.add_fault(api="ocp", kind="drop_before")
    conn, _ = _raw_http(sim.urls["ocp"], "GET", "/api/v2/ob/clusters", {})
    assert conn.recv(1024) == b""  # connected, sent, then EOF without a status line
    conn.close()
    assert sim.admin.log(api="ocp")[-1]["fault"] == "drop_before"

    keep_alive = requests.Session()
    assert keep_alive.get(sim.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH).status_code == 200
    created = requests.post(sim.urls["admin"] + "/_admin/faults", json={"api": "ocp", "kind": "refuse", "duration": 0.6})
    assert created.status_code == 201 and created.json()["closed"] == ["ocp"]
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((parts.hostname, parts.port), timeout=2)
    with pytest.raises(requests.ConnectionError) as refused:
        keep_alive.get(sim.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH)  # its open connection was closed too
    assert "NewConnectionError" in repr(refused.value)  # urllib3: failed to connect, nothing was sent
    assert requests.get(sim.urls["bms"] + "/v1/x/jobs/y").status_code == 401  # only the ocp listener is down
    entries = len(sim.admin.log(api="ocp"))
    time.sleep(0.8)
    assert keep_alive.get(sim.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH).status_code == 200  # same port
    assert len(sim.admin.log(api="ocp")) == entries + 1  # refused attempts never reach the log
    assert [(f["kind"], f["applied"], f["count"]) for f in sim.admin.faults()][-1] == ("refuse", 1, 0)


def test_refuse_one_instance_and_reset_ends_it():
    from quiesce_sim.testing import in_process_simulator

    with in_process_simulator("estate.yml", speed=0) as handle:
        sh = handle.instances["ocp"]["ocp-sh"]["url"]
        handle.admin.add_fault(api="ocp", instance="ocp-sh", kind="refuse", duration=30)
        with pytest.raises(requests.ConnectionError):
            requests.get(sh + "/api/v2/ob/clusters", auth=("admin", "OcpSh#2024"))
        assert requests.get(handle.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH).status_code == 200
        handle.admin.reset()  # a reset ends every refusal at once
        assert requests.get(sh + "/api/v2/ob/clusters", auth=("admin", "OcpSh#2024")).status_code == 200
        with pytest.raises(RuntimeError, match="refuse fault closes whole listeners once"):
            handle.admin.add_fault(api="ocp", kind="refuse", count=2)


def test_refuse_set_off_by_a_request(sim):
    """A refuse with method/path waits for a matching request: that one is answered (on a connection that then
    closes) and the listener refuses from then on, so the client's next request is refused wherever it goes."""
    session = requests.Session()
    created = requests.post(sim.urls["admin"] + "/_admin/faults",
                            json={"api": "ocp", "method": "GET", "path": "/clusters$", "kind": "refuse", "duration": 0.6})
    assert created.status_code == 201 and "closed" not in created.json()  # armed, nothing refused yet
    assert session.get(sim.urls["ocp"] + "/api/v2/ob/clusters/1000002", auth=OCP_AUTH).status_code == 200
    answered = session.get(sim.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH)
    assert answered.status_code == 200 and answered.headers["Connection"] == "close"
    with pytest.raises(requests.ConnectionError) as refused:
        session.post(sim.urls["ocp"] + STOP_OB, auth=OCP_AUTH)
    assert "NewConnectionError" in repr(refused.value)
    assert [e["fault"] for e in sim.admin.log(api="ocp")][-2:] == [None, "refuse"]
    time.sleep(0.8)
    assert session.post(sim.urls["ocp"] + STOP_OB, auth=OCP_AUTH).status_code == 200
    assert [(f["applied"], f["count"]) for f in sim.admin.faults() if f["kind"] == "refuse"] == [(1, 0)]
    assert session.get(sim.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH).status_code == 200  # spent
