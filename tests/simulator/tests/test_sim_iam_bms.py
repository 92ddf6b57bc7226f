"""IAM tokens and projects; BMS auth (token, AK/SK), power actions, jobs, server queries."""

import re
from datetime import datetime, timezone

import requests

from sim_helpers import IAM_DOMAIN, IAM_PASSWORD, IAM_USER, PROJECT_ID, bms, iam_token, server_ids
from quiesce_sim.clock import ManualClock
from quiesce_sim.signing import sign_sdk_request
from quiesce_sim.testing import in_process_simulator

ACTION = "/baremetalservers/action"


def token_body(password=IAM_PASSWORD, scope=None):
    return {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": IAM_USER, "password": password, "domain": {"name": IAM_DOMAIN}}}},
        "scope": scope if scope is not None else {"project": {"name": "cn-north-4"}}}}


def stop_body(ids, kind="HARD"):
    return {"os-stop": {"type": kind, "servers": [{"id": i} for i in ids]}}


def job(sim, token, job_id):
    return bms(sim.urls, token, "GET", f"/jobs/{job_id}").json()


# ---------------------------------------------------------------- IAM


def test_token_issue_shape(sim):
    response = requests.post(sim.urls["iam"] + "/v3/auth/tokens", json=token_body())
    assert response.status_code == 201
    assert response.headers["X-Subject-Token"].startswith("MII")
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])
    token = response.json()["token"]
    assert token["project"]["id"] == PROJECT_ID and token["project"]["name"] == "cn-north-4"
    assert token["user"]["name"] == IAM_USER and token["methods"] == ["password"]
    issued = datetime.strptime(token["issued_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    expires = datetime.strptime(token["expires_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc)
    assert (expires - issued).total_seconds() == 86400
    assert any(entry["type"] == "bms" for entry in token["catalog"])
    nocatalog = requests.post(sim.urls["iam"] + "/v3/auth/tokens?nocatalog=true", json=token_body()).json()
    assert "catalog" not in nocatalog["token"]
    by_id = requests.post(sim.urls["iam"] + "/v3/auth/tokens", json=token_body(scope={"project": {"id": PROJECT_ID}}))
    assert by_id.status_code == 201


def test_token_errors(sim):
    wrong = requests.post(sim.urls["iam"] + "/v3/auth/tokens", json=token_body("nope"))
    assert wrong.status_code == 401
    assert wrong.json() == {"error": {"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}}
    bad = requests.post(sim.urls["iam"] + "/v3/auth/tokens", data="{", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 400


def test_projects_by_name(sim):
    token = iam_token(sim.urls)
    response = requests.get(sim.urls["iam"] + "/v3/projects", params={"name": "cn-north-4"}, headers={"X-Auth-Token": token})
    projects = response.json()["projects"]
    assert [(p["id"], p["name"]) for p in projects] == [(PROJECT_ID, "cn-north-4")]
    empty = requests.get(sim.urls["iam"] + "/v3/projects", params={"name": "xx"}, headers={"X-Auth-Token": token})
    assert empty.json()["projects"] == []
    assert requests.get(sim.urls["iam"] + "/v3/projects").status_code == 401


# ---------------------------------------------------------------- BMS auth


def test_missing_invalid_expired_and_domain_tokens(sim):
    missing = requests.get(f"{sim.urls['bms']}/v1/{PROJECT_ID}/baremetalservers/detail")
    assert missing.status_code == 401
    body = missing.json()
    assert set(body) == {"error_code", "error_msg", "request_id"} and body["error_code"] == "APIGW.0301"
    assert body["request_id"] == missing.headers["X-Request-Id"]
    assert bms(sim.urls, "not-a-token", "GET", "/baremetalservers/detail").json()["error_code"] == "APIGW.0301"
    token = iam_token(sim.urls)
    assert sim.admin.expire("iam") == {"iam": 1}
    expired = bms(sim.urls, token, "GET", "/baremetalservers/detail")
    assert expired.status_code == 401 and expired.json()["error_code"] == "APIGW.0307"
    assert expired.json()["error_msg"] == "The token must be updated."
    domain = requests.post(sim.urls["iam"] + "/v3/auth/tokens",
                           json=token_body(scope={"domain": {"name": IAM_DOMAIN}})).headers["X-Subject-Token"]
    assert bms(sim.urls, domain, "GET", "/baremetalservers/detail").json()["error_code"] == "APIGW.0301"
    other = requests.get(f"{sim.urls['bms']}/v1/{'f' * 32}/baremetalservers/detail", headers={"X-Auth-Token": iam_token(sim.urls)})
    assert other.status_code == 400 and other.json()["error"]["code"] == "Common.0018"


def test_token_lifetime_from_clock(clocked):
    token = iam_token(clocked.urls)
    clocked.sim.clock.advance(86399)
    assert bms(clocked.urls, token, "GET", "/baremetalservers/detail").status_code == 200
    clocked.sim.clock.advance(2)
    assert bms(clocked.urls, token, "GET", "/baremetalservers/detail").json()["error_code"] == "APIGW.0307"


def test_documented_aksk_vector_verifies_on_the_wire():
    """The api doc's vector, byte for byte, accepted by a server whose clock reads the vector's date."""
    clock = ManualClock(datetime(2025, 1, 1, tzinfo=timezone.utc).timestamp() + 60)
    body = b'{"os-stop":{"type":"HARD","servers":[{"id":"11111111-2222-3333-4444-555555555555"}]}}'
    headers = {
        "Content-Type": "application/json", "Host": "bms.cn-north-4.myhuaweicloud.com",
        "X-Project-Id": PROJECT_ID, "X-Sdk-Date": "20250101T000000Z",
        "Authorization": "SDK-HMAC-SHA256 Access=EXAMPLEAK, SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
                         "Signature=4531be46bb1ba897faaa30a96ce111382624cce4c2da40f98d787eb1eed2a554",
    }
    with in_process_simulator(speed=0, clock=clock) as handle:
        url = f"{handle.urls['bms']}/v1/{PROJECT_ID}/baremetalservers/action"
        accepted = requests.post(url, data=body, headers=headers)
        assert accepted.status_code == 200, accepted.text
        job_id = accepted.json()["job_id"]
        # the unknown server fails in the job, not on the request (async wrong-state mode)
        polled = requests.get(f"{handle.urls['bms']}/v1/{PROJECT_ID}/jobs/{job_id}",
                              headers=sign_sdk_request("EXAMPLEAK", "EXAMPLESECRETKEY0000", "GET",
                                                       f"/v1/{PROJECT_ID}/jobs/{job_id}", "",
                                                       {"X-Sdk-Date": "20250101T000100Z"}, b""))
        assert polled.json()["entities"]["sub_jobs"][0]["error_code"] == "BMS.0040"
        tampered = requests.post(url, data=body.replace(b"HARD", b"SOFT"), headers=headers)
        assert tampered.status_code == 401 and tampered.json()["error_code"] == "APIGW.0301"
        clock.advance(16 * 60)
        assert requests.post(url, data=body, headers=headers).json()["error_code"] == "APIGW.0301"


def test_aksk_wrong_secret_and_unknown_key(sim):
    path = f"/v1/{PROJECT_ID}/baremetalservers/detail"
    host = sim.urls["bms"].split("://")[1]
    good = sign_sdk_request("QUIESCEDEMOAK0000001", "QuiesceDemoSecretKey000000000000000001", "GET", path,
                            "limit=5", {"Host": host}, b"")
    assert requests.get(sim.urls["bms"] + path + "?limit=5", headers=good).status_code == 200
    wrong = sign_sdk_request("QUIESCEDEMOAK0000001", "not-the-secret", "GET", path, "limit=5", {"Host": host}, b"")
    response = requests.get(sim.urls["bms"] + path + "?limit=5", headers=wrong)
    assert response.status_code == 401 and response.json()["error_code"] == "APIGW.0301"
    unknown = sign_sdk_request("NOSUCHAK", "x", "GET", path, "", {"Host": host}, b"")
    assert requests.get(sim.urls["bms"] + path, headers=unknown).status_code == 401
    assert sim.admin.log(api="bms")[0]["identity"] == "QUIESCEDEMOAK0000001"


def test_aksk_query_canonicalised_from_the_raw_query(sim):
    """The signer encodes each value once (quote, safe "~") and sends exactly that on the wire; the verifier
    must decode it once. Values holding "%", "+" or "&" used to be decoded twice and refused."""
    path = f"/v1/{PROJECT_ID}/baremetalservers/detail"
    host = sim.urls["bms"].split("://")[1]
    for query in ("name=%2541", "name=a%2Bb", "name=a%26b&limit=3", "name=100%25", "tags=rack%3Drack01"):
        headers = sign_sdk_request("QUIESCEDEMOAK0000001", "QuiesceDemoSecretKey000000000000000001", "GET", path,
                                   query, {"Host": host}, b"")
        response = requests.get(f"{sim.urls['bms']}{path}?{query}", headers=headers)
        assert response.status_code == 200, (query, response.text)


# ---------------------------------------------------------------- actions and jobs


def test_action_validation(sim):
    token = iam_token(sim.urls)
    ids = server_ids(sim, "ACTIVE")
    too_many = bms(sim.urls, token, "POST", ACTION, json=stop_body([f"id-{n}" for n in range(1001)]))
    assert too_many.status_code == 400 and too_many.json()["error"]["code"] == "BMS.0018"
    assert bms(sim.urls, token, "POST", ACTION, json=stop_body([])).json()["error"]["code"] == "BMS.0018"
    assert bms(sim.urls, token, "POST", ACTION, json=stop_body(ids[:1], "GENTLE")).json()["error"]["code"] == "BMS.0018"
    assert bms(sim.urls, token, "POST", ACTION, json={"reboot": {"servers": [{"id": ids[0]}]}}).json()["error"]["code"] == "BMS.0018"
    assert bms(sim.urls, token, "POST", ACTION, data="{nope").json()["error"]["code"] == "BMS.0001"
    two = {"os-stop": {"servers": [{"id": ids[0]}]}, "os-start": {"servers": [{"id": ids[1]}]}}
    assert bms(sim.urls, token, "POST", ACTION, json=two).json()["error"]["code"] == "BMS.0001"
    assert bms(sim.urls, token, "POST", ACTION, json={"os-pause": {"servers": []}}).json()["error"]["code"] == "BMS.0001"
    assert sim.admin.state()["bms"]["busy"] == 0  # nothing was accepted


def test_thousand_servers_accepted_and_duplicates_collapsed(sim):
    from quiesce_sim.scenario import load_scenario

    scenario = load_scenario(None)
    scenario["bms"]["generate"]["count"] = 1200
    with in_process_simulator(scenario, speed=0) as handle:
        token = iam_token(handle.urls)
        ids = server_ids(handle, "ACTIVE", 1000)
        response = bms(handle.urls, token, "POST", ACTION, json=stop_body(ids))
        assert response.status_code == 200 and re.fullmatch(r"[0-9a-f]{32}", response.json()["job_id"])
        body = job(handle, token, response.json()["job_id"])
        assert body["status"] == "SUCCESS" and body["entities"]["sub_jobs_total"] == 1000
        dup = bms(handle.urls, token, "POST", ACTION, json={"os-start": {"servers": [{"id": ids[0]}] * 3}})
        assert job(handle, token, dup.json()["job_id"])["entities"]["sub_jobs_total"] == 1


def test_job_lifecycle_over_time(clocked):
    token = iam_token(clocked.urls)
    ids = server_ids(clocked, "ACTIVE", 4)
    job_id = bms(clocked.urls, token, "POST", ACTION, json=stop_body(ids)).json()["job_id"]
    body = job(clocked, token, job_id)
    assert body["status"] == "INIT" and body["end_time"] is None and body["job_type"] == "baremetalBatchOperate"
    server = bms(clocked.urls, token, "GET", f"/baremetalservers/{ids[0]}").json()["server"]
    assert (server["status"], server["OS-EXT-STS:task_state"]) == ("ACTIVE", "powering-off")
    clocked.sim.clock.advance(1.5)
    body = job(clocked, token, job_id)
    assert body["status"] == "RUNNING" and {s["status"] for s in body["entities"]["sub_jobs"]} == {"RUNNING"}
    clocked.sim.clock.advance(10)
    body = job(clocked, token, job_id)
    assert body["status"] == "SUCCESS" and body["error_code"] is None
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", body["end_time"])
    sub = body["entities"]["sub_jobs"][0]
    assert sub["job_type"] == "baremetalSingleOperate" and sub["entities"] == {"server_id": ids[0]}
    server = bms(clocked.urls, token, "GET", f"/baremetalservers/{ids[0]}").json()["server"]
    assert (server["status"], server["OS-EXT-STS:task_state"], server["OS-EXT-STS:vm_state"],
            server["OS-EXT-STS:power_state"]) == ("SHUTOFF", None, "stopped", 4)


def test_reboot_transient_state(clocked):
    token = iam_token(clocked.urls)
    ids = server_ids(clocked, "ACTIVE", 1)
    bms(clocked.urls, token, "POST", ACTION, json={"reboot": {"type": "SOFT", "servers": [{"id": ids[0]}]}})
    server = bms(clocked.urls, token, "GET", f"/baremetalservers/{ids[0]}").json()["server"]
    assert (server["status"], server["OS-EXT-STS:task_state"]) == ("REBOOT", "reboot_started")
    clocked.sim.clock.advance(20)
    server = bms(clocked.urls, token, "GET", f"/baremetalservers/{ids[0]}").json()["server"]
    assert (server["status"], server["OS-EXT-STS:task_state"]) == ("ACTIVE", None)


def test_wrong_state_async_and_sync(sim):
    token = iam_token(sim.urls)
    active, stopped = server_ids(sim, "ACTIVE", 1)[0], server_ids(sim, "SHUTOFF", 1)[0]
    job_id = bms(sim.urls, token, "POST", ACTION, json=stop_body([active, stopped, "no-such-server"])).json()["job_id"]
    body = job(sim, token, job_id)
    codes = {s["entities"]["server_id"]: (s["status"], s["error_code"]) for s in body["entities"]["sub_jobs"]}
    assert codes == {active: ("SUCCESS", None), stopped: ("FAIL", "BMS.0039"), "no-such-server": ("FAIL", "BMS.0040")}
    assert body["status"] == "FAIL" and body["error_code"] == "BMS.0039"
    assert body["fail_reason"] == "Server is stopped, not allow to stop."
    start = bms(sim.urls, token, "POST", ACTION, json={"os-start": {"servers": [{"id": server_ids(sim, "ACTIVE", 1)[0]}]}})
    assert job(sim, token, start.json()["job_id"])["entities"]["sub_jobs"][0]["error_code"] == "BMS.0038"

    sim.admin.config(bms_wrong_state_mode="sync")
    other = server_ids(sim, "ACTIVE", 1)[0]
    response = bms(sim.urls, token, "POST", ACTION, json=stop_body([other, stopped]))
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "BMS.0039", "message": "Server is stopped, not allow to stop."}}
    assert sim.admin.state()["bms"]["servers"][other]["status"] == "ACTIVE"  # nothing changed


def test_in_transition_codes(clocked):
    token = iam_token(clocked.urls)
    target = server_ids(clocked, "ACTIVE", 1)[0]
    bms(clocked.urls, token, "POST", ACTION, json=stop_body([target]))
    again = bms(clocked.urls, token, "POST", ACTION, json=stop_body([target])).json()["job_id"]
    clocked.sim.clock.advance(2)
    assert job(clocked, token, again)["entities"]["sub_jobs"][0]["error_code"] == "BMS.0036"


def test_fail_task_fault_for_selected_servers(sim):
    token = iam_token(sim.urls)
    ids = server_ids(sim, "SHUTOFF", 3)
    sim.admin.add_fault(api="bms", kind="fail_task", servers=[ids[1]])
    body = job(sim, token, bms(sim.urls, token, "POST", ACTION,
                               json={"os-start": {"servers": [{"id": i} for i in ids]}}).json()["job_id"])
    results = {s["entities"]["server_id"]: s["error_code"] for s in body["entities"]["sub_jobs"]}
    assert results == {ids[0]: None, ids[1]: "BMS.3037", ids[2]: None}
    state = sim.admin.state()["bms"]["servers"]
    assert [state[i]["status"] for i in ids] == ["ACTIVE", "SHUTOFF", "ACTIVE"]
    sim.admin.add_fault(api="bms", kind="fail_task", error_code="BMS.1006", fail_reason="IPMI timeout")
    body = job(sim, token, bms(sim.urls, token, "POST", ACTION, json=stop_body(ids[:1])).json()["job_id"])
    assert (body["status"], body["error_code"], body["fail_reason"]) == ("FAIL", "BMS.1006", "IPMI timeout")
    # The request log names the fault on the requests whose job it made fail.
    assert [e["fault"] for e in sim.admin.log(api="bms", mutating=True)] == ["fail_task", "fail_task"]
    bms(sim.urls, token, "POST", ACTION, json=stop_body(ids[1:2]))
    assert sim.admin.log(api="bms", mutating=True)[-1]["fault"] is None


def test_unknown_job_and_server(sim):
    token = iam_token(sim.urls)
    missing_job = bms(sim.urls, token, "GET", "/jobs/" + "0" * 32)
    assert missing_job.status_code == 404 and missing_job.json()["error"]["code"] == "BMS.JOB_NOT_FOUND"
    missing_server = bms(sim.urls, token, "GET", "/baremetalservers/nope")
    assert missing_server.status_code == 404 and missing_server.json()["error"]["code"] == "BMS.0040"
    unknown_path = bms(sim.urls, token, "GET", "/nothing")
    assert unknown_path.status_code == 404 and unknown_path.json()["error_code"] == "APIGW.0101"
    # a known path with the wrong method is "API does not exist" at the gateway too (404, not 405)
    wrong_method = bms(sim.urls, token, "DELETE", "/jobs/" + "0" * 32)
    assert wrong_method.status_code == 404 and wrong_method.json()["error_code"] == "APIGW.0101"
    assert wrong_method.json()["request_id"] == wrong_method.headers["X-Request-Id"]


def test_server_list_filters_and_paging(sim):
    token = iam_token(sim.urls)
    first = bms(sim.urls, token, "GET", "/baremetalservers/detail").json()
    assert first["count"] == 300 and len(first["servers"]) == 25
    assert first["servers"][0]["name"] == "rack01-node001"
    page = bms(sim.urls, token, "GET", "/baremetalservers/detail", params={"limit": 100, "offset": 3}).json()
    assert page["servers"][0]["name"] == "rack07-node021" and len(page["servers"]) == 100
    rack = bms(sim.urls, token, "GET", "/baremetalservers/detail", params={"name": "rack03-", "limit": 1000}).json()
    assert rack["count"] == 30
    stopped = bms(sim.urls, token, "GET", "/baremetalservers/detail", params={"status": "SHUTOFF"}).json()
    assert stopped["count"] == 5 and all(s["status"] == "SHUTOFF" for s in stopped["servers"])
    tagged = bms(sim.urls, token, "GET", "/baremetalservers/detail", params={"tags": "rack=rack02"}).json()
    assert tagged["count"] == 30
    assert bms(sim.urls, token, "GET", "/baremetalservers/detail", params={"limit": 1001}).status_code == 400
    server = first["servers"][0]
    for key in ("id", "name", "status", "OS-EXT-STS:task_state", "OS-EXT-STS:vm_state", "OS-EXT-STS:power_state",
                "locked", "host_status", "created", "updated", "flavor", "tags", "OS-EXT-AZ:availability_zone"):
        assert key in server


def test_rate_limit_switch(sim):
    token = iam_token(sim.urls)
    sim.admin.config(bms_rate_limit=True, bms_rate_limit_reads_per_second=2)
    codes = [bms(sim.urls, token, "GET", "/baremetalservers/detail").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    throttled = bms(sim.urls, token, "GET", "/baremetalservers/detail")
    assert throttled.json()["error_code"] == "APIGW.0308" and "Retry-After" not in throttled.headers


def test_deterministic_fleet_across_resets(sim):
    before = server_ids(sim)
    sim.admin.reset()
    assert server_ids(sim) == before and len(set(before)) == 300


def test_the_log_names_the_servers_of_an_accepted_action(sim):
    token = iam_token(sim.urls)
    active, stopped = server_ids(sim, "ACTIVE", 2), server_ids(sim, "SHUTOFF", 1)
    sim.admin.add_fault(api="bms", method="POST", path=ACTION, kind="drop_after")
    try:
        bms(sim.urls, token, "POST", ACTION, json=stop_body(active[:1] + stopped))
    except requests.ConnectionError:
        pass
    bms(sim.urls, token, "POST", ACTION, json={"os-start": {"servers": [{"id": active[1]}]}})  # already ACTIVE
    sim.admin.add_fault(api="bms", method="POST", path=ACTION, kind="status", status=500)
    bms(sim.urls, token, "POST", ACTION, json=stop_body(active[1:]))
    entries = sim.admin.log(api="bms", mutating=True)
    # A lost answer still means the action was accepted; the stopped server's sub-job fails at once;
    # an action refused with a 500 names nothing.
    assert [(e["fault"], e["targets"]) for e in entries] == [
        ("drop_after", {"operation": "os-stop", "servers": active[:1] + stopped, "refused": stopped}),
        (None, {"operation": "os-start", "servers": active[1:], "refused": active[1:]}),
        ("status", None)]
    assert all(e["targets"] is None for e in sim.admin.log(api="bms", mutating=False))
