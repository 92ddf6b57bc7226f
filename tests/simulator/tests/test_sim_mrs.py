"""MRS Manager contract: CAS flow, sessions, service status, start/stop commands, dependencies."""

import re
from urllib.parse import parse_qs, urlsplit

import requests

from sim_helpers import MRS_PASSWORD, MRS_USER, cas_login, mrs_session, service_status

BAD = "The credentials you provided cannot be determined to be authentic"


def web(sim, path):
    return sim.urls["mrs_web"] + path


def operate(session, sim, service, action, **body):
    response = session.post(web(sim, f"/web/v1/maintain/cluster/1/service/{service}/{action}"), json=body)
    return response


def progress(session, sim, command_id):
    return session.get(web(sim, f"/web/v1/common/command/{command_id}/progress")).json()


# ---------------------------------------------------------------- CAS and sessions


def test_cas_flow_step_by_step(sim):
    s = requests.Session()
    page = s.get(sim.urls["mrs_cas"] + "/cas/login")
    assert page.status_code == 200 and "casSessionId" in page.cookies
    lt = [line for line in page.text.splitlines() if 'name="lt" value=' in line][0].split('"')[5]
    assert lt.startswith("LT-")
    service = web(sim, "/web/cas_security_check.htm")
    posted = s.post(sim.urls["mrs_cas"] + "/cas/login", params={"service": service}, allow_redirects=False,
                    data={"username": MRS_USER, "password": MRS_PASSWORD, "lt": lt, "_eventId": "submit",
                          "submit": "Login"})
    assert posted.status_code == 302 and "CASTGC" in posted.cookies
    assert posted.headers["Location"].startswith(service + "?ticket=ST-")
    # the web app without a session sends the browser to CAS, which knows the TGC and redirects back
    check = s.get(web(sim, "/web/v1/access/login_check"), allow_redirects=False)
    assert check.status_code == 302
    location = urlsplit(check.headers["Location"])
    assert location.path == "/cas/login"
    assert parse_qs(location.query)["service"] == [service]
    back = s.get(check.headers["Location"], allow_redirects=False)
    assert back.status_code == 302 and "ticket=ST-" in back.headers["Location"]
    landed = s.get(back.headers["Location"], allow_redirects=False)
    assert landed.status_code == 302 and "JSESSIONID" in landed.cookies
    body = s.get(web(sim, "/web/v1/access/login_check")).json()
    assert set(body) == {"id", "state", "error_code", "error_description", "total_progress", "modify_pwd",
                         "exist_cluster", "remind_pwd", "ref_URL", "token"}
    assert body["error_code"] == 0 and body["modify_pwd"] is False


def test_login_ticket_is_single_use(sim):
    s = requests.Session()
    lt = re.search(r'name="lt" value="([^"]+)"', s.get(sim.urls["mrs_cas"] + "/cas/login").text).group(1)
    form = {"username": MRS_USER, "password": MRS_PASSWORD, "lt": lt, "_eventId": "submit", "submit": "Login"}
    assert "CASTGC" in s.post(sim.urls["mrs_cas"] + "/cas/login", data=form).cookies
    replay = requests.post(sim.urls["mrs_cas"] + "/cas/login", data=form)
    assert "CASTGC" not in replay.cookies and 'name="lt"' in replay.text


def test_wrong_password_and_must_change(sim):
    _, posted = cas_login(sim.urls, password="nope")
    assert posted.status_code == 200 and BAD in posted.text and "CASTGC" not in posted.cookies
    _, posted = cas_login(sim.urls, user="newhire", password="Welcome#2024")
    assert "modify_password.html" in posted.text and "CASTGC" not in posted.cookies


def test_lockout_after_five_failures(clocked):
    for _ in range(5):
        _, posted = cas_login(clocked.urls, password="nope")
        assert BAD in posted.text
    _, posted = cas_login(clocked.urls)
    assert "locked" in posted.text and "CASTGC" not in posted.cookies
    clocked.sim.clock.advance(301)
    session, posted = cas_login(clocked.urls)
    assert session.get(web(clocked, "/web/v1/access/login_check")).json()["state"] == "COMPLETE"


def test_failure_counter_resets_on_success(sim):
    for _ in range(4):
        cas_login(sim.urls, password="nope")
    mrs_session(sim.urls)
    for _ in range(4):
        cas_login(sim.urls, password="nope")
    mrs_session(sim.urls)  # would be locked if the counter had not reset


def test_no_session_redirects_or_401(sim):
    response = requests.get(web(sim, "/web/v1/clusters"), allow_redirects=False)
    assert response.status_code == 302 and "/cas/login?service=" in response.headers["Location"]
    sim.admin.config(mrs_session_expiry="strict401")
    response = requests.get(web(sim, "/web/v1/clusters"))
    assert response.status_code == 401
    assert response.json() == {"id": -1, "state": "FAILED", "error_code": 401,
                               "error_description": "session invalid or expired", "total_progress": 0}


def test_session_idle_expiry_and_relogin(clocked):
    session = mrs_session(clocked.urls)
    clocked.sim.clock.advance(1199)
    assert session.get(web(clocked, "/web/v1/clusters")).status_code == 200
    clocked.sim.clock.advance(1201)
    expired = session.get(web(clocked, "/web/v1/clusters"), allow_redirects=False)
    assert expired.status_code == 302


def test_admin_expire_then_tgt_relogin(sim):
    session = mrs_session(sim.urls)
    assert sim.admin.expire("mrs_web") == {"mrs_web": 1}
    response = session.get(web(sim, "/web/v1/clusters"), allow_redirects=False)
    assert response.status_code == 302
    # the CAS TGT is still alive, so following the redirects silently logs in again
    assert session.get(web(sim, "/web/v1/access/login_check")).json()["state"] == "COMPLETE"
    sim.admin.expire("all")
    final = session.get(web(sim, "/web/v1/access/login_check"))
    assert 'name="lt"' in final.text  # back at the CAS login form


def test_logout(sim):
    session = mrs_session(sim.urls)
    assert session.get(web(sim, "/web/v1/logout_action"), params={"is_timeout_logout": "false"}).status_code == 200
    assert session.get(web(sim, "/web/v1/clusters"), allow_redirects=False).status_code == 302
    assert session.post(sim.urls["mrs_cas"] + "/cas/logout").status_code == 200
    assert 'name="lt"' in session.get(web(sim, "/web/v1/access/login_check")).text


def test_non_security_cluster_basic_on_login_check():
    from quiesce_sim.scenario import load_scenario
    from quiesce_sim.testing import in_process_simulator

    scenario = load_scenario(None)
    scenario["mrs"]["security"] = False
    with in_process_simulator(scenario, speed=0) as handle:
        s = requests.Session()
        assert s.get(handle.urls["mrs_web"] + "/web/v1/access/login_check").status_code == 401
        bad = s.get(handle.urls["mrs_web"] + "/web/v1/access/login_check", auth=(MRS_USER, "nope"))
        assert bad.status_code == 401 and BAD in bad.json()["error_description"]
        ok = s.get(handle.urls["mrs_web"] + "/web/v1/access/login_check", auth=(MRS_USER, MRS_PASSWORD))
        assert ok.status_code == 200 and "FISessionId" in ok.cookies
        clusters = s.get(handle.urls["mrs_web"] + "/web/v1/clusters").json()
        assert clusters["res_obj"]["clusters"][0]["stack_model"] == "NoSec"


# ---------------------------------------------------------------- contract shapes


def test_clusters_status_and_summary_shapes(sim):
    session = mrs_session(sim.urls)
    cluster = session.get(web(sim, "/web/v1/clusters")).json()["res_obj"]["clusters"][0]
    assert set(cluster) == {"stack", "id", "name", "description", "version", "cluster_state", "stack_model", "lic_state"}
    assert (cluster["id"], cluster["name"], cluster["stack_model"]) == (1, "mrs-prod", "Sec")
    status = session.get(web(sim, "/web/v1/cluster/1/status")).json()
    assert status["res_obj"] == {"state": "GOOD"} and status["id"] == -1
    summary = session.get(web(sim, "/web/v1/cluster/1/services/HDFS")).json()
    assert [(p["name"], p["type"]) for p in summary["res_obj"]["key_property"]] == [
        ("running_status", "STATUS"), ("health_status", "STATUS"), ("config_status", "STATUS"), ("version", "TEXT")]
    assert service_status(session, sim.urls, "HDFS") == {
        "running_status": "STARTED", "health_status": "GOOD", "config_status": "SYNCHRONIZED", "version": "3.1.1"}
    listing = session.get(web(sim, "/web/v1/cluster/1/services")).json()["res_obj"]["services"]
    assert len(listing) == 11 and listing[0]["name"] == "ZooKeeper"


def test_not_found_cases(sim):
    session = mrs_session(sim.urls)
    missing = session.get(web(sim, "/web/v1/cluster/1/services/Nope"))
    assert missing.status_code == 404 and missing.json()["error_description"] == "service Nope not found"
    assert session.get(web(sim, "/web/v1/cluster/1/services/hdfs")).status_code == 404  # exact match
    assert session.get(web(sim, "/web/v1/cluster/9/status")).status_code == 404
    assert operate(session, sim, "Nope", "stop").status_code == 404
    gone = session.get(web(sim, "/web/v1/common/command/999999/progress"))
    assert gone.status_code == 404 and gone.json() == {"id": 999999, "state": "FAILED", "error_code": 404,
                                                      "error_description": "command not found", "total_progress": 0}


def test_bad_body(sim):
    session = mrs_session(sim.urls)
    response = session.post(web(sim, "/web/v1/maintain/cluster/1/service/Hue/stop"), data="{nope",
                            headers={"Content-Type": "application/json"})
    assert response.status_code == 400 and response.json()["error_code"] == 400
    assert operate(session, sim, "Hue", "stop", only_self="yes").status_code == 400
    assert operate(session, sim, "Hue", "stop", only_self=True, user_password=None).status_code == 200


# ---------------------------------------------------------------- commands


def test_stop_cascade_stops_dependents_first(sim):
    session = mrs_session(sim.urls)
    command = operate(session, sim, "HDFS", "stop", only_self=False).json()
    assert command["state"] == "IN_PROGRESS"
    body = progress(session, sim, command["id"])
    assert body["state"] == "COMPLETE"
    steps = [s["name"] for s in body["res_obj"]["step_list"]]
    assert steps[-1] == "Stop HDFS"
    for upper, lower in [("Loader", "HBase"), ("Hue", "Hive"), ("Spark2x", "Hive"), ("Hive", "Yarn"),
                         ("Mapreduce", "Yarn"), ("Yarn", "HDFS"), ("HBase", "HDFS")]:
        assert steps.index(f"Stop {upper}") < steps.index(f"Stop {lower}")
    assert "Stop ZooKeeper" not in steps and "Stop Kafka" not in steps and "Stop DBService" not in steps
    state = sim.admin.state()["mrs"]["services"]
    assert {n for n, v in state.items() if v["running_status"] == "STOPPED"} == {
        "HDFS", "Yarn", "Mapreduce", "Hive", "HBase", "Spark2x", "Hue", "Loader"}


def test_stop_only_self_leaves_dependents_started_but_unhealthy(sim):
    session = mrs_session(sim.urls)
    progress(session, sim, operate(session, sim, "ZooKeeper", "stop", only_self=True).json()["id"])
    assert service_status(session, sim.urls, "ZooKeeper")["running_status"] == "STOPPED"
    kafka = service_status(session, sim.urls, "Kafka")
    assert kafka["running_status"] == "STARTED" and kafka["health_status"] == "BAD"
    assert service_status(session, sim.urls, "Hive")["health_status"] == "PARTIALLY_HEALTHY"
    assert session.get(web(sim, "/web/v1/cluster/1/status")).json()["res_obj"]["state"] == "BAD"


def test_start_only_self_fails_on_stopped_dependency(sim):
    session = mrs_session(sim.urls)
    progress(session, sim, operate(session, sim, "HDFS", "stop", only_self=False).json()["id"])
    command = operate(session, sim, "Yarn", "start", only_self=True).json()
    assert command["state"] == "IN_PROGRESS"
    body = progress(session, sim, command["id"])
    assert body["state"] == "FAILED" and body["error_code"] != 0
    assert body["res_obj"]["fail_entity_list"] == [{"fail_entity": "HDFS", "operation_type": "START"}]
    assert service_status(session, sim.urls, "Yarn")["running_status"] == "STOPPED"


def test_start_cascade_starts_dependencies_first(sim):
    session = mrs_session(sim.urls)
    progress(session, sim, operate(session, sim, "ZooKeeper", "stop", only_self=False).json()["id"])
    body = progress(session, sim, operate(session, sim, "Loader", "start", only_self=False).json()["id"])
    steps = [s["name"] for s in body["res_obj"]["step_list"]]
    assert steps[0] == "Start ZooKeeper" and steps[-1] == "Start Loader"
    assert steps.index("Start HDFS") < steps.index("Start HBase") < steps.index("Start Loader")
    assert "Start Kafka" not in steps  # not a dependency of Loader
    assert service_status(session, sim.urls, "Kafka")["running_status"] == "STOPPED"
    assert service_status(session, sim.urls, "Loader") == {
        "running_status": "STARTED", "health_status": "GOOD", "config_status": "SYNCHRONIZED", "version": "2.0.0"}


def test_already_in_state_completes_at_once(sim):
    session = mrs_session(sim.urls)
    command = operate(session, sim, "HDFS", "start", only_self=True).json()
    assert command["state"] == "COMPLETE" and command["total_progress"] == 100 and command["id"] > 0
    assert progress(session, sim, command["id"])["res_obj"]["step_list"] == []


def test_progress_over_time_and_busy_409(clocked):
    session = mrs_session(clocked.urls)
    command = operate(session, clocked, "HBase", "stop", only_self=True).json()  # 9 s at speed 1
    assert service_status(session, clocked.urls, "HBase")["running_status"] == "STOPPING"
    conflict = operate(session, clocked, "HBase", "start", only_self=True)
    assert conflict.status_code == 409 and conflict.json()["error_description"] == "another operation is in progress"
    clocked.sim.clock.advance(4.5)
    middle = progress(session, clocked, command["id"])
    assert middle["state"] == "IN_PROGRESS" and 40 <= middle["total_progress"] <= 60
    clocked.sim.clock.advance(5)
    done = progress(session, clocked, command["id"])
    assert done["state"] == "COMPLETE" and done["total_progress"] == 100
    assert service_status(session, clocked.urls, "HBase")["running_status"] == "STOPPED"


def test_cascade_marks_all_involved_services_transitional(clocked):
    session = mrs_session(clocked.urls)
    operate(session, clocked, "HBase", "stop", only_self=False)
    services = clocked.admin.state()["mrs"]["services"]
    assert services["Loader"]["running_status"] == "STOPPING"
    assert services["HBase"]["running_status"] == "STOPPING"
    clocked.sim.clock.advance(5)  # Loader (5 s) is done, HBase still running
    services = clocked.admin.state()["mrs"]["services"]
    assert services["Loader"]["running_status"] == "STOPPED"
    assert services["HBase"]["running_status"] == "STOPPING"


def test_scenario_fail_stop_and_fail_task_fault(sim):
    from quiesce_sim.scenario import load_scenario
    from quiesce_sim.testing import in_process_simulator

    scenario = load_scenario(None)
    scenario["mrs"]["services"][6]["fail_stop"] = {"error_code": 42, "description": "RegionServer did not stop",
                                                    "entity": "RegionServer(node-core-3)"}
    with in_process_simulator(scenario, speed=0) as handle:
        session = mrs_session(handle.urls)
        body = progress(session, handle, operate(session, handle, "HBase", "stop", only_self=True).json()["id"])
        assert (body["state"], body["error_code"], body["error_description"]) == ("FAILED", 42, "RegionServer did not stop")
        assert body["res_obj"]["fail_entity_list"] == [{"fail_entity": "RegionServer(node-core-3)", "operation_type": "STOP"}]
        assert service_status(session, handle.urls, "HBase")["running_status"] == "STOP_FAILED"
        # STOP_FAILED may be stopped again; the scenario flag is sticky, so it fails again
        retry = operate(session, handle, "HBase", "stop", only_self=True)
        assert retry.status_code == 200 and progress(session, handle, retry.json()["id"])["state"] == "FAILED"

    session = mrs_session(sim.urls)
    sim.admin.add_fault(api="mrs_web", path="/service/Kafka/start$", kind="fail_task")
    progress(session, sim, operate(session, sim, "Kafka", "stop").json()["id"])
    failed = progress(session, sim, operate(session, sim, "Kafka", "start").json()["id"])
    assert failed["state"] == "FAILED" and failed["res_obj"]["fail_entity_list"][0]["operation_type"] == "START"
    assert service_status(session, sim.urls, "Kafka")["running_status"] == "START_FAILED"
    again = progress(session, sim, operate(session, sim, "Kafka", "start").json()["id"])
    assert again["state"] == "COMPLETE"  # the fault was spent


def test_restart_extra_goes_stopping_then_starting(clocked):
    session = mrs_session(clocked.urls)
    command = operate(session, clocked, "Kafka", "restart").json()  # stop 6 s, start 7 s
    assert service_status(session, clocked.urls, "Kafka")["running_status"] == "STOPPING"
    clocked.sim.clock.advance(6.5)
    assert service_status(session, clocked.urls, "Kafka")["running_status"] == "STARTING"
    clocked.sim.clock.advance(7)
    assert progress(session, clocked, command["id"])["state"] == "COMPLETE"
    assert service_status(session, clocked.urls, "Kafka")["running_status"] == "STARTED"


def test_restart_extra(sim):
    session = mrs_session(sim.urls)
    body = progress(session, sim, operate(session, sim, "Kafka", "restart").json()["id"])
    assert [s["name"] for s in body["res_obj"]["step_list"]] == ["Stop Kafka", "Start Kafka"]
    assert body["state"] == "COMPLETE"


def test_speed_switch_scales_new_commands(clocked):
    clocked.admin.config(speed=0.5)
    session = mrs_session(clocked.urls)
    command = operate(session, clocked, "HBase", "stop", only_self=True).json()  # 9 s scenario time
    clocked.sim.clock.advance(4.4)
    assert progress(session, clocked, command["id"])["state"] == "IN_PROGRESS"
    clocked.sim.clock.advance(0.2)
    assert progress(session, clocked, command["id"])["state"] == "COMPLETE"
