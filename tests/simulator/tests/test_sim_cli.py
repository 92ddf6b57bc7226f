"""The real CLI as a subprocess: ready file, TLS with the generated CA, base ports, clean SIGTERM."""

import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from sim_helpers import OCP_AUTH
from quiesce_sim import API_NAMES
from quiesce_sim.testing import PACKAGE_PARENT, running_simulator


def test_ready_file_tls_and_clean_shutdown():
    with running_simulator(tls=True) as handle:
        ready = Path(handle.extra["ready_file"])
        info = json.loads(ready.read_text())
        assert set(info) == {*API_NAMES, "admin", "ca_file", "pid"}
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
