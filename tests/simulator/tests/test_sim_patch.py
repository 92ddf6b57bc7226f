"""`POST /_admin/patch` (an object's state changed mid-run) and the scenario knobs behind the window's health
gates: MRS health, a running OCP task, a locked or busy server, and objects that are not well after a start."""

import pytest
import requests

from quiesce_sim.scenario import load_scenario
from quiesce_sim.testing import in_process_simulator
from sim_helpers import OCP_AUTH, bms, iam_token, mrs_session, operate_and_wait, server_ids, service_status

TASKS = "/api/v2/tasks/instances"


def ocp_get(sim, path, **params):
    return requests.get(sim.urls["ocp"] + path, auth=OCP_AUTH, params=params).json()["data"]


def cluster_health(session, sim) -> str:
    return session.get(sim.urls["mrs_web"] + "/web/v1/cluster/1/status").json()["res_obj"]["state"]


# ---------------------------------------------------------------- MRS


def test_mrs_service_and_cluster_health(sim):
    session = mrs_session(sim.urls)
    assert cluster_health(session, sim) == "GOOD"
    patched = sim.admin.patch("mrs_service", "Hive", {"health_status": "BAD"})
    assert patched == {"name": "Hive", "running_status": "STARTED", "health_status": "BAD",
                       "config_status": "SYNCHRONIZED"}
    assert service_status(session, sim.urls, "Hive")["health_status"] == "BAD"
    assert cluster_health(session, sim) == "BAD"  # derived: a service is not GOOD
    sim.admin.patch("mrs_service", "Hive", {"health_status": None})  # back to the derived health
    assert service_status(session, sim.urls, "Hive")["health_status"] == "GOOD"
    assert sim.admin.patch("mrs_cluster", "mrs-prod", {"state": "BAD"}) == {"id": 1, "name": "mrs-prod", "state": "BAD"}
    assert cluster_health(session, sim) == "BAD"
    sim.admin.patch("mrs_cluster", 1, {"state": None})
    assert cluster_health(session, sim) == "GOOD"
    sim.admin.patch("mrs_service", "Kafka", {"running_status": "STOPPED", "config_status": "EXPIRED"})
    assert service_status(session, sim.urls, "Kafka") == {"running_status": "STOPPED", "health_status": "UNKNOWN",
                                                          "config_status": "EXPIRED", "version": "2.11-1.1.0"}


def test_mrs_health_after_start(sim):
    session = mrs_session(sim.urls)
    sim.admin.patch("mrs_service", "Hue", {"health_after_start": "BAD"})
    assert service_status(session, sim.urls, "Hue")["health_status"] == "GOOD"  # not until it starts
    assert operate_and_wait(session, sim.urls, "Hue", "stop")["state"] == "COMPLETE"
    assert operate_and_wait(session, sim.urls, "Hue", "start")["state"] == "COMPLETE"
    assert service_status(session, sim.urls, "Hue") == {"running_status": "STARTED", "health_status": "BAD",
                                                        "config_status": "SYNCHRONIZED", "version": "3.11.0"}


def test_mrs_health_after_start_scenario_knob_and_fail_start():
    scenario = load_scenario(None)
    scenario["mrs"]["service_overrides"] = {"Loader": {"health_after_start": "CONCERNING"}}
    with in_process_simulator(scenario, speed=0) as handle:
        session = mrs_session(handle.urls)
        operate_and_wait(session, handle.urls, "Loader", "stop")
        operate_and_wait(session, handle.urls, "Loader", "start")
        assert service_status(session, handle.urls, "Loader")["health_status"] == "CONCERNING"
        handle.admin.patch("mrs_service", "Loader", {"fail_stop": True})
        assert operate_and_wait(session, handle.urls, "Loader", "stop")["error_code"] == 1002


# ---------------------------------------------------------------- OCP


def test_ocp_running_task_held_until_patched_off(sim):
    patched = sim.admin.patch("ocp_cluster", "ob-prod", {"running_task": {"name": "Backup OB cluster"}})
    assert patched["status"] == "RUNNING" and len(patched["running_tasks"]) == 1
    running = ocp_get(sim, TASKS, clusterId=1000002, status="RUNNING")["contents"]
    assert [(t["name"], t["cluster"]["id"]) for t in running] == [("Backup OB cluster", 1000002)]
    assert ocp_get(sim, TASKS, clusterId=1000003, status="RUNNING")["contents"] == []
    assert ocp_get(sim, "/api/v2/ob/clusters/1000002")["status"] == "RUNNING"  # the cluster's status is left alone
    sim.admin.patch("ocp_cluster", 1000002, {"running_task": None})
    task = ocp_get(sim, f"{TASKS}/{running[0]['id']}")
    assert task["status"] == "SUCCESSFUL" and task["finishTime"] is not None
    assert ocp_get(sim, TASKS, clusterId=1000002, status="RUNNING")["contents"] == []


def test_ocp_running_task_with_a_duration_and_as_a_scenario_knob():
    from quiesce_sim.clock import ManualClock

    scenario = load_scenario(None)
    scenario["ocp"]["clusters"][1]["running_task"] = {"name": "Upgrade OB cluster", "seconds": 30}
    with in_process_simulator(scenario, speed=1, clock=ManualClock()) as handle:
        running = ocp_get(handle, TASKS, clusterId=1000003, status="RUNNING")["contents"]
        assert [t["name"] for t in running] == ["Upgrade OB cluster"]
        handle.sim.clock.advance(31)
        assert ocp_get(handle, f"{TASKS}/{running[0]['id']}")["status"] == "SUCCESSFUL"


def test_ocp_cluster_status_and_status_after_start(sim):
    assert sim.admin.patch("ocp_cluster", "ob-report", {"status": "OPERATING"})["status"] == "OPERATING"
    refused = requests.post(sim.urls["ocp"] + "/api/v2/ob/clusters/1000003/stop", auth=OCP_AUTH)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == 50002
    sim.admin.patch("ocp_cluster", "ob-report", {"status": "RUNNING", "status_after_start": "OPERATING"})
    for action, after in (("stop", "STOPPED"), ("start", "OPERATING")):
        task = requests.post(f"{sim.urls['ocp']}/api/v2/ob/clusters/1000003/{action}", auth=OCP_AUTH).json()["data"]
        assert ocp_get(sim, f"{TASKS}/{task['id']}")["status"] == "SUCCESSFUL"
        assert ocp_get(sim, "/api/v2/ob/clusters/1000003")["status"] == after


def test_ocp_host_agent_and_processes(sim):
    patched = sim.admin.patch("ocp_host", "ob-prod-2", {"hostAgentStatus": "OFFLINE", "processes": {"obstat2": "STOPPED"}})
    assert patched["hostAgentStatus"] == "OFFLINE" and patched["processes"]["obstat2"] == "STOPPED"
    host = ocp_get(sim, "/api/v2/compute/hosts/1002")
    assert (host["status"], host["hostAgentStatus"]) == ("ONLINE", "OFFLINE")
    processes = {p["alias"]: (p["status"], p["pid"]) for p in ocp_get(sim, "/api/v2/compute/hosts/1002/agent/processes")["contents"]}
    assert processes["obstat2"] == ("STOPPED", 0)
    sim.admin.patch("ocp_host", 1002, {"status": "OFFLINE"})
    assert ocp_get(sim, "/api/v2/compute/hosts/1002")["status"] == "OFFLINE"


# ---------------------------------------------------------------- BMS


def test_bms_locked_and_mid_transition(sim):
    token = iam_token(sim.urls)
    target, other = server_ids(sim, "ACTIVE", 2)
    assert sim.admin.patch("bms_server", target, {"locked": True})["locked"] is True
    assert bms(sim.urls, token, "GET", f"/baremetalservers/{target}").json()["server"]["locked"] is True
    name = sim.sim.bms.servers[other].name
    sim.admin.patch("bms_server", name, {"OS-EXT-STS:task_state": "powering-off"})
    server = bms(sim.urls, token, "GET", f"/baremetalservers/{other}").json()["server"]
    assert (server["status"], server["OS-EXT-STS:task_state"]) == ("ACTIVE", "powering-off")
    job = bms(sim.urls, token, "POST", "/baremetalservers/action", json={"os-stop": {"servers": [{"id": other}]}})
    sub = bms(sim.urls, token, "GET", f"/jobs/{job.json()['job_id']}").json()["entities"]["sub_jobs"][0]
    assert (sub["status"], sub["error_code"]) == ("FAIL", "BMS.0036")  # busy: it is powering off already
    sim.admin.patch("bms_server", other, {"OS-EXT-STS:task_state": None})
    assert sim.admin.state()["bms"]["servers"][other] == {"name": name, "status": "ACTIVE", "task_state": None,
                                                          "locked": False}


def test_bms_status_after_start_and_scenario_lock():
    scenario = load_scenario(None)
    scenario["bms"]["server_overrides"] = {"rack01-node001": {"locked": True},
                                           "rack02-node030": {"status_after_start": "ERROR"}}
    with in_process_simulator(scenario, speed=0) as handle:
        token = iam_token(handle.urls)
        by_name = {s.name: s.id for s in handle.sim.bms.servers.values()}
        assert bms(handle.urls, token, "GET", f"/baremetalservers/{by_name['rack01-node001']}").json()["server"]["locked"]
        stopped = by_name["rack02-node030"]  # the default fleet's 60th server, SHUTOFF
        job = bms(handle.urls, token, "POST", "/baremetalservers/action",
                  json={"os-start": {"servers": [{"id": stopped}]}}).json()["job_id"]
        assert bms(handle.urls, token, "GET", f"/jobs/{job}").json()["status"] == "SUCCESS"
        assert bms(handle.urls, token, "GET", f"/baremetalservers/{stopped}").json()["server"]["status"] == "ERROR"


# ---------------------------------------------------------------- instances and validation


def test_patch_an_extra_instance():
    with in_process_simulator("estate.yml", speed=0) as handle:
        handle.admin.patch("mrs_service", "HBase", {"health_status": "BAD"}, instance="mrs-dr")
        state = handle.admin.state()["instances"]["mrs"]
        assert state["mrs-dr"]["services"]["HBase"]["health_status"] == "BAD"
        assert state["mrs-prod"]["services"]["HBase"]["health_status"] == "GOOD"
        handle.admin.patch("bms_server", "gz-rack01-node002", {"locked": True}, instance="cn-south-1")
        south = handle.admin.state()["instances"]["bms"]["cn-south-1"]["servers"]
        assert [s["name"] for s in south.values() if s["locked"]] == ["gz-rack01-node002"]
        with pytest.raises(RuntimeError, match="404.*gz-rack01-node002"):
            handle.admin.patch("bms_server", "gz-rack01-node002", {"locked": True})  # not in cn-north-4


@pytest.mark.parametrize("spec, status, message", [
    ({"kind": "ocp_tenant", "id_or_name": 1, "fields": {"status": "RUNNING"}}, 400, "kind must be one of"),
    ({"kind": "mrs_service", "id_or_name": "Hive", "fields": {}}, 400, "non-empty mapping"),
    ({"kind": "mrs_service", "id_or_name": "Hive", "fields": {"colour": "red"}}, 400, "unknown: colour"),
    ({"kind": "mrs_service", "id_or_name": "Hive", "fields": {"health_status": "FINE"}}, 400, "health_status must be"),
    ({"kind": "mrs_service", "id_or_name": "Nope", "fields": {"health_status": "BAD"}}, 404, "no service 'Nope'"),
    ({"kind": "ocp_cluster", "id_or_name": "ob-prod", "fields": {"status": "ABANDONED"}}, 400, "status must be"),
    ({"kind": "ocp_cluster", "id_or_name": "ob-prod", "fields": {"running_task": {"sec": 1}}}, 400, "running_task"),
    ({"kind": "ocp_host", "id_or_name": 1001, "fields": {"processes": {"nope": "STOPPED"}}}, 400, "no agent process"),
    ({"kind": "bms_server", "id_or_name": "rack01-node001", "fields": {"locked": "yes"}}, 400, "true or false"),
    ({"kind": "bms_server", "id_or_name": "rack01-node001", "fields": {"OS-EXT-STS:task_state": "x"}}, 400, "task_state"),
    ({"kind": "bms_server", "api": "ocp", "id_or_name": "rack01-node001", "fields": {"locked": True}}, 400, "belongs to api"),
    ({"kind": "ocp_cluster", "instance": "ocp-sh", "id_or_name": 1, "fields": {"status": "RUNNING"}}, 404, "no instance"),
])
def test_patch_validation(sim, spec, status, message):
    response = requests.post(sim.urls["admin"] + "/_admin/patch", json=spec)
    assert response.status_code == status and message in response.json()["error"], response.text
    assert sim.admin.state()["bms"]["counts"] == {"ACTIVE": 295, "SHUTOFF": 5}


def test_patch_changes_nothing_when_one_field_is_bad(sim):
    with pytest.raises(RuntimeError, match="400"):
        sim.admin.patch("mrs_service", "Hive", {"health_status": "BAD", "running_status": "ASLEEP"})
    with pytest.raises(RuntimeError, match="400"):
        sim.admin.patch("bms_server", "rack01-node001", {"locked": True, "status": "ASLEEP"})
    with pytest.raises(RuntimeError, match="400"):
        sim.admin.patch("ocp_host", 1001, {"hostAgentStatus": "OFFLINE", "processes": {"obstat2": "ASLEEP"}})
    with pytest.raises(RuntimeError, match="400"):
        sim.admin.patch("ocp_cluster", "ob-prod", {"status": "STOPPED", "running_task": {"seconds": -1}})
    state = sim.admin.state()
    assert state["ocp"]["clusters"]["1000002"]["status"] == "RUNNING" and state["ocp"]["tasks"] == {}
    assert state["mrs"]["services"]["Hive"]["health_status"] == "GOOD"
    assert not any(s["locked"] for s in state["bms"]["servers"].values())
    assert state["ocp"]["agents"]["1001"]["status"] == "AVAILABLE"
