"""Scenario files: `extends`, per-name overrides, and the shipped variants."""

import pytest

from quiesce_sim.core import Simulator
from quiesce_sim.scenario import deep_merge, load_scenario
from sim_helpers import iam_token, mrs_session, operate_and_wait


def test_deep_merge_rules():
    assert deep_merge({"a": {"b": 1, "c": [1]}, "d": 1}, {"a": {"c": [2]}, "e": 3}) == {
        "a": {"b": 1, "c": [2]}, "d": 1, "e": 3}


def test_extends_relative_and_cycles(tmp_path):
    (tmp_path / "base.yml").write_text("extends: default.yml\nmrs: {cluster: {name: other}}\n")
    (tmp_path / "child.yml").write_text("extends: base.yml\nbms: {generate: {count: 10}}\n")
    scenario = load_scenario(tmp_path / "child.yml")
    assert scenario["mrs"]["cluster"]["name"] == "other" and scenario["mrs"]["cluster"]["id"] == 1
    assert scenario["bms"]["generate"]["count"] == 10 and scenario["bms"]["generate"]["per_rack"] == 30
    (tmp_path / "loop.yml").write_text("extends: loop.yml\n")
    with pytest.raises(ValueError, match="extends itself"):
        load_scenario(tmp_path / "loop.yml")
    with pytest.raises(FileNotFoundError):
        load_scenario(tmp_path / "missing.yml")


def test_shipped_variants():
    nosec = Simulator("nosec.yml", speed=0)
    assert nosec.mrs.security is False
    troubled = Simulator("troubled.yml", speed=0).state()
    assert troubled["ocp"]["clusters"][1000003]["status"] == "STOPPED"
    assert troubled["mrs"]["services"]["Loader"]["running_status"] == "STOPPED"
    assert troubled["bms"]["counts"]["ERROR"] == 1
    fleet = Simulator("fleet-10k.yml", speed=0).state()
    assert fleet["bms"]["counts"] == {"ACTIVE": 10000}


def test_troubled_scenario_failures():
    from quiesce_sim.testing import in_process_simulator
    from sim_helpers import bms

    with in_process_simulator("troubled.yml", speed=0) as handle:
        session = mrs_session(handle.urls)
        stop = operate_and_wait(session, handle.urls, "HBase", "stop")
        assert stop["state"] == "FAILED" and stop["error_description"] == "RegionServer on node-core-3 did not stop"
        token = iam_token(handle.urls)
        node2 = next(s.id for s in handle.sim.bms.servers.values() if s.name == "rack01-node002")
        job_id = bms(handle.urls, token, "POST", "/baremetalservers/action",
                     json={"os-stop": {"servers": [{"id": node2}]}}).json()["job_id"]
        assert bms(handle.urls, token, "GET", f"/jobs/{job_id}").json()["error_code"] == "BMS.0006"
        job_id = bms(handle.urls, token, "POST", "/baremetalservers/action",
                     json={"os-stop": {"servers": [{"id": node2}]}}).json()["job_id"]
        assert bms(handle.urls, token, "GET", f"/jobs/{job_id}").json()["status"] == "SUCCESS"  # one-shot
        # bms.md §4.6: `fault` {code:int, message, details, created} is present when the server is faulty
        node3 = next(s.id for s in handle.sim.bms.servers.values() if s.name == "rack01-node003")
        faulty = bms(handle.urls, token, "GET", f"/baremetalservers/{node3}").json()["server"]
        assert faulty["status"] == "ERROR" and set(faulty["fault"]) == {"code", "message", "details", "created"}
        assert isinstance(faulty["fault"]["code"], int)
        assert "fault" not in bms(handle.urls, token, "GET", f"/baremetalservers/{node2}").json()["server"]


def test_fleet_50k_extends_fleet_10k():
    scenario = load_scenario("fleet-50k.yml")
    assert scenario["bms"]["generate"] == {"count": 50000, "per_rack": 40, "seed": 7, "shutoff_every": 0}
