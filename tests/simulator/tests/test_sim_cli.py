"""The real CLI as a subprocess: ready file, TLS with the generated CA, base ports, clean SIGTERM."""

import json
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from sim_helpers import OCP_AUTH, cas_login, iam_token, mrs_session
from quiesce_sim import API_NAMES
from quiesce_sim.mrs import BAD_CREDENTIALS
from quiesce_sim.scenario import SCENARIO_DIR as SCENARIOS, env_name
from quiesce_sim.testing import PACKAGE_PARENT, running_simulator

SIM_ENV = PACKAGE_PARENT.parent / "integration" / "sim_env.py"


def test_ready_file_tls_and_clean_shutdown():
    with running_simulator(tls=True) as handle:
        ready = Path(handle.extra["ready_file"])
        info = json.loads(ready.read_text())
        assert set(info) == {*API_NAMES, "admin", "ca_file", "pid", "instances"}
        assert info["instances"]["ocp"] == {"ocp-hz": {"url": info["ocp"]}}
        assert all(info[name].startswith("https://127.0.0.1:") for name in (*API_NAMES, "admin"))
        assert Path(info["ca_file"]).is_file() and info["pid"] == handle.process.pid
        ok = requests.get(handle.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH, verify=handle.ca_file)
        assert ok.status_code == 200
        localhost = handle.urls["ocp"].replace("127.0.0.1", "localhost")
        assert requests.get(localhost + "/api/v2/ob/clusters", auth=OCP_AUTH, verify=handle.ca_file).status_code == 200
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(handle.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH)  # system CAs only
        assert handle.admin.state()["ocp"]["clusters"]["1000002"]["status"] == "RUNNING"
        handle.process.send_signal(signal.SIGTERM)
        assert handle.process.wait(timeout=10) == 0
        assert not ready.exists()
        lines = handle.extra["stdout"].read_text().splitlines()
        assert handle.extra["stderr"].read_text() == ""
        assert lines[-1] == "READY" and len(lines) == len(API_NAMES) + 2


def free_port_block(size: int) -> int:
    for base in range(41000, 60000, 50):
        sockets = []
        try:
            for offset in range(size):
                sock = socket.socket()
                sock.bind(("127.0.0.1", base + offset))
                sockets.append(sock)
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no free port block")


def test_base_port_and_speed_and_log_file(tmp_path):
    base = free_port_block(6)
    log_file = tmp_path / "log.jsonl"
    with running_simulator(extra_args=["--base-port", str(base), "--log-file", str(log_file)], speed=0.5) as handle:
        assert handle.urls["mrs_web"] == f"http://127.0.0.1:{base}"
        assert handle.urls["admin"] == f"http://127.0.0.1:{base + 5}"
        assert handle.admin.config()["speed"] == 0.5
        requests.get(handle.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH)
    assert json.loads(log_file.read_text().splitlines()[0])["api"] == "ocp"


def test_admin_cli(sim):
    env_path = str(PACKAGE_PARENT)
    requests.get(sim.urls["ocp"] + "/api/v2/ob/clusters", auth=OCP_AUTH)
    result = subprocess.run([sys.executable, "-m", "quiesce_sim.admin", "--admin", sim.urls["admin"], "log", "api=ocp"],
                            capture_output=True, text=True, check=True, cwd=env_path)
    assert json.loads(result.stdout)[0]["path"] == "/api/v2/ob/clusters"


def test_bad_arguments_are_rejected(tmp_path):
    result = subprocess.run([sys.executable, "-m", "quiesce_sim", "--speed", "-1"], capture_output=True, text=True,
                            cwd=str(PACKAGE_PARENT))
    assert result.returncode == 2 and "--speed" in result.stderr
    missing = subprocess.run([sys.executable, "-m", "quiesce_sim", "--scenario", str(tmp_path / "nope.yml")],
                             capture_output=True, text=True, cwd=str(PACKAGE_PARENT))
    assert missing.returncode == 2 and "nope.yml" in missing.stderr and "Traceback" not in missing.stderr


def exported_variables(ready_file: str, scenario: Path) -> dict:
    """What tests/integration/sim_env.py exports for the integration targets and the demo."""
    result = subprocess.run([sys.executable, str(SIM_ENV), ready_file, str(scenario)], capture_output=True, text=True,
                            check=True)
    return dict(shlex.split(line.removeprefix("export "))[0].split("=", 1) for line in result.stdout.splitlines())


def test_estate_scenario_on_the_real_cli():
    """`python -m quiesce_sim --scenario estate.yml`: every instance answers on its own URLs with its own
    credentials, both as exported by sim_env.py; the request log's `instance` and the fault `instance` filter."""
    with running_simulator(scenario="estate.yml") as handle:
        env = exported_variables(handle.extra["ready_file"], SCENARIOS / "estate.yml")
        as_json = subprocess.run([sys.executable, str(SIM_ENV), "--json", handle.extra["ready_file"],
                                  str(SCENARIOS / "estate.yml")], capture_output=True, text=True, check=True)
        assert json.loads(as_json.stdout) == env  # the molecule scenarios' form of the same environment
        lines = handle.extra["stdout"].read_text().splitlines()
        assert lines[-1] == "READY" and len(lines) == 9 + 2  # 9 API listeners, admin, READY

        managers = env["QUIESCE_SIM_MRS_INSTANCES"].split()
        assert managers == ["mrs-prod", "mrs-dr"]
        assert env["MRS_MANAGER_URL"] == env["QUIESCE_SIM_MRS_MRS_PROD_URL"]
        assert env["QUIESCE_SIM_MRS_MRS_PROD_PASSWORD"] != env["QUIESCE_SIM_MRS_MRS_DR_PASSWORD"]
        for name in managers:
            own, other = (f"QUIESCE_SIM_MRS_{env_name(n)}_" for n in (name, *(m for m in managers if m != name)))
            urls = {"mrs_web": env[own + "URL"].removesuffix("/web"), "mrs_cas": env[own + "CAS_URL"].removesuffix("/cas")}
            _, refused = cas_login(urls, user=env[other + "USERNAME"], password=env[other + "PASSWORD"])
            assert BAD_CREDENTIALS in refused.text, name
            session = mrs_session(urls, user=env[own + "USERNAME"], password=env[own + "PASSWORD"])
            clusters = session.get(urls["mrs_web"] + "/web/v1/clusters").json()["res_obj"]["clusters"]
            assert [c["name"] for c in clusters] == [name]

        instances = env["QUIESCE_SIM_OCP_INSTANCES"].split()
        assert instances == ["ocp-hz", "ocp-sh"] and env["OCP_URL"] == env["QUIESCE_SIM_OCP_OCP_HZ_URL"]
        expected = {"ocp-hz": ["ob-prod", "ob-report"], "ocp-sh": ["ob-sh", "ob-sh-archive"]}
        for name in instances:
            own, other = (f"QUIESCE_SIM_OCP_{env_name(n)}_" for n in (name, *(i for i in instances if i != name)))
            url = env[own + "URL"] + "/api/v2/ob/clusters"
            assert requests.get(url, auth=(env[other + "USERNAME"], env[other + "PASSWORD"])).status_code == 401
            body = requests.get(url, auth=(env[own + "USERNAME"], env[own + "PASSWORD"])).json()
            assert [c["name"] for c in body["data"]["contents"]] == expected[name]

        regions = env["QUIESCE_SIM_BMS_INSTANCES"].split()
        assert regions == ["cn-north-4", "cn-south-1"] and env["HUAWEICLOUD_BMS_ENDPOINT"] == env[
            "QUIESCE_SIM_BMS_CN_NORTH_4_ENDPOINT"]
        for name, count in zip(regions, (300, 40)):
            prefix = f"QUIESCE_SIM_BMS_{env_name(name)}_"
            assert env[prefix + "REGION"] == name
            token = iam_token({"iam": env["HUAWEICLOUD_IAM_ENDPOINT"]}, project={"name": env[prefix + "REGION"]})
            listed = requests.get(f"{env[prefix + 'ENDPOINT']}/v1/{env[prefix + 'PROJECT_ID']}/baremetalservers/detail",
                                  headers={"X-Auth-Token": token})
            assert listed.status_code == 200 and listed.json()["count"] == count, name

        logged = handle.admin.log(api="ocp", method="GET", status=200)
        assert [e["instance"] for e in logged] == ["ocp-hz", "ocp-sh"]
        assert {e["instance"] for e in handle.admin.log(api="bms")} == {"cn-north-4", "cn-south-1"}
        handle.admin.add_fault(api="bms", instance="cn-south-1", kind="status", status=503)
        south = f"{env['QUIESCE_SIM_BMS_CN_SOUTH_1_ENDPOINT']}/v1/{env['QUIESCE_SIM_BMS_CN_SOUTH_1_PROJECT_ID']}"
        north = f"{env['HUAWEICLOUD_BMS_ENDPOINT']}/v1/{env['QUIESCE_SIM_BMS_CN_NORTH_4_PROJECT_ID']}"
        north_token = iam_token({"iam": env["HUAWEICLOUD_IAM_ENDPOINT"]})
        assert requests.get(north + "/baremetalservers/detail", headers={"X-Auth-Token": north_token}).status_code == 200
        south_token = iam_token({"iam": env["HUAWEICLOUD_IAM_ENDPOINT"]}, project={"name": "cn-south-1"})
        assert requests.get(south + "/baremetalservers/detail", headers={"X-Auth-Token": south_token}).status_code == 503
        assert handle.admin.log(fault="status")[0]["instance"] == "cn-south-1"


def test_base_port_places_extra_instances_after_admin():
    base = free_port_block(10)
    with running_simulator(scenario="estate.yml", extra_args=["--base-port", str(base)]) as handle:
        assert handle.urls["admin"] == f"http://127.0.0.1:{base + 5}"
        assert handle.instances["mrs"]["mrs-dr"] == {"web": f"http://127.0.0.1:{base + 6}",
                                                     "cas": f"http://127.0.0.1:{base + 7}"}
        assert handle.instances["ocp"]["ocp-sh"]["url"] == f"http://127.0.0.1:{base + 8}"
        assert handle.instances["bms"]["cn-south-1"]["url"] == f"http://127.0.0.1:{base + 9}"
