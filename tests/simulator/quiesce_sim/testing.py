"""Helpers to run the simulator from tests: as a subprocess (`running_simulator`, the real CLI)
or in a background thread of the test process (`in_process_simulator`, fast, injectable clock)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .admin import AdminClient

PACKAGE_PARENT = Path(__file__).resolve().parent.parent


@dataclass
class SimulatorHandle:
    urls: dict[str, str]
    ca_file: str | None
    admin: AdminClient
    process: subprocess.Popen | None = None
    sim: object | None = None  # the Simulator object when running in-process
    extra: dict = field(default_factory=dict)
    instances: dict = field(default_factory=dict)  # every instance's URLs by family and name (ready file)


def _admin_client(urls: dict, ca_file: str | None) -> AdminClient:
    context = ssl.create_default_context(cafile=ca_file) if ca_file else None
    return AdminClient(urls["admin"], context)


@contextlib.contextmanager
def running_simulator(scenario=None, speed: float = 0.0, tls: bool = False, extra_args=(),
                      timeout: float = 30.0) -> Iterator[SimulatorHandle]:
    """Start `python -m quiesce_sim` as a subprocess, wait for its ready file, stop it on exit."""
    with tempfile.TemporaryDirectory(prefix="quiesce-sim-") as workdir:
        ready = Path(workdir) / "ready.json"
        command = [sys.executable, "-m", "quiesce_sim", "--speed", str(speed), "--ready-file", str(ready),
                   "--state-dir", workdir, *extra_args]
        if scenario:
            command += ["--scenario", str(scenario)]
        if tls:
            command.append("--tls")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PACKAGE_PARENT), os.environ.get("PYTHONPATH")]))}
        # files, not pipes: a chatty server must never block on a full pipe
        stdout_path, stderr_path = Path(workdir) / "stdout.txt", Path(workdir) / "stderr.txt"
        with open(stdout_path, "w") as stdout, open(stderr_path, "w") as stderr:
            process = subprocess.Popen(command, env=env, stdout=stdout, stderr=stderr, text=True)
        try:
            deadline = time.monotonic() + timeout
            while not ready.exists():
                if process.poll() is not None:
                    raise RuntimeError(f"simulator exited early ({process.returncode}): {stderr_path.read_text()}")
                if time.monotonic() > deadline:
                    raise TimeoutError("simulator did not become ready")
                time.sleep(0.05)
            info = json.loads(ready.read_text())
            urls = {k: v for k, v in info.items() if k not in ("ca_file", "pid", "instances")}
            yield SimulatorHandle(urls, info["ca_file"], _admin_client(urls, info["ca_file"]), process=process,
                                  extra={"ready_file": str(ready), "pid": info["pid"],
                                         "stdout": stdout_path, "stderr": stderr_path},
                                  instances=info["instances"])
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@contextlib.contextmanager
def in_process_simulator(scenario=None, speed: float = 0.0, clock=None, tls_dir: str | None = None,
                         log_file: str | None = None) -> Iterator[SimulatorHandle]:
    """Run the listeners on an event loop in a daemon thread; `.sim` exposes state and the clock."""
    from .core import Simulator, start_listeners, stop_listeners

    sim = Simulator(scenario, speed=speed, clock=clock, log_file=log_file)
    loop = asyncio.new_event_loop()
    started = threading.Event()
    result: dict = {}

    async def boot() -> None:
        ssl_context, ca_file = None, None
        if tls_dir:
            from .tls import make_server_context

            ssl_context, ca_file = make_server_context(Path(tls_dir))
        result["runners"], result["urls"] = await start_listeners(sim, ssl_context=ssl_context)
        result["ca_file"] = str(ca_file) if ca_file else None

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(boot())
        except Exception as exc:  # surfaced to the test thread below
            result["error"] = exc
        finally:
            started.set()
        if "error" not in result:
            loop.run_forever()

    thread = threading.Thread(target=run, name="quiesce-sim", daemon=True)
    thread.start()
    started.wait(30)
    if "error" in result:
        raise result["error"]
    try:
        yield SimulatorHandle(result["urls"], result["ca_file"], _admin_client(result["urls"], result["ca_file"]), sim=sim,
                              instances=sim.instance_urls())
    finally:
        async def shutdown() -> None:
            await stop_listeners(result["runners"], sim)

        asyncio.run_coroutine_threadsafe(shutdown(), loop).result(15)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(15)
        loop.close()
        sim.log.close()
