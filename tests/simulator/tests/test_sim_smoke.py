"""End-to-end walk through each API family at speed 0."""

import requests

from sim_helpers import OCP_AUTH, bms, iam_token, mrs_session, server_ids, service_status


def test_mrs_stop_and_poll(sim):
    session = mrs_session(sim.urls)
    stop = session.post(sim.urls["mrs_web"] + "/web/v1/maintain/cluster/1/service/Kafka/stop", json={"only_self": True})
    assert stop.status_code == 200
    assert stop.json()["state"] == "IN_PROGRESS"
    progress = session.get(f"{sim.urls['mrs_web']}/web/v1/common/command/{stop.json()['id']}/progress").json()
    assert progress["state"] == "COMPLETE" and progress["total_progress"] == 100
    assert service_status(session, sim.urls, "Kafka")["running_status"] == "STOPPED"


def test_ocp_stop_and_poll(sim):
    task = requests.post(sim.urls["ocp"] + "/api/v2/ob/clusters/1000002/stop", auth=OCP_AUTH).json()["data"]
    assert task["status"] == "RUNNING"
    polled = requests.get(f"{sim.urls['ocp']}/api/v2/tasks/instances/{task['id']}", auth=OCP_AUTH).json()["data"]
    assert polled["status"] == "SUCCESSFUL"
    cluster = requests.get(sim.urls["ocp"] + "/api/v2/ob/clusters/1000002", auth=OCP_AUTH).json()["data"]
    assert cluster["status"] == "STOPPED"


def test_bms_stop_and_job(sim):
    token = iam_token(sim.urls)
    ids = server_ids(sim, "ACTIVE", 3)
    job = bms(sim.urls, token, "POST", "/baremetalservers/action",
              json={"os-stop": {"type": "HARD", "servers": [{"id": i} for i in ids]}})
    assert job.status_code == 200, job.text
    body = bms(sim.urls, token, "GET", f"/jobs/{job.json()['job_id']}").json()
    assert body["status"] == "SUCCESS", body
    assert bms(sim.urls, token, "GET", f"/baremetalservers/{ids[0]}").json()["server"]["status"] == "SHUTOFF"
