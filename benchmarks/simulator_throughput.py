"""Simulator benchmark (reports, never asserts on timing).

1. Requests/second on loopback for an authenticated GET (OCP cluster read, BMS server read),
   from a concurrent aiohttp client against the simulator running as its own process.
2. Wall time and request count to power off 10,000 BMS servers at speed factor 0
   (10 batches of 1000, then one job poll each until terminal).

Writes benchmarks/results/simulator.json and prints a summary.
Run: /path/to/python benchmarks/simulator_throughput.py [--seconds 5] [--concurrency 32]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "simulator"))

from quiesce_sim.scenario import SCENARIO_DIR  # noqa: E402
from quiesce_sim.testing import running_simulator  # noqa: E402

PROJECT_ID = "0123456789abcdef0123456789abcdef"
FLEET_SCENARIO = SCENARIO_DIR / "fleet-10k.yml"
OCP_BASIC = {"Authorization": "Basic " + base64.b64encode(b"admin:OcpDemo#2024").decode()}


async def hammer(url: str, seconds: float, concurrency: int, **request_kwargs) -> dict:
    """Keep `concurrency` keep-alive requests in flight for `seconds`; count completed 200s."""
    done = errors = 0
    deadline = time.perf_counter() + seconds
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def worker() -> None:
            nonlocal done, errors
            while time.perf_counter() < deadline:
                async with session.get(url, **request_kwargs) as response:
                    await response.read()
                    if response.status == 200:
                        done += 1
                    else:
                        errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return {"requests": done, "errors": errors, "seconds": round(elapsed, 3),
            "requests_per_second": round(done / elapsed, 1)}


async def iam_token(session: aiohttp.ClientSession, iam_url: str) -> str:
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": "ops-bot", "password": "IamDemo#2024", "domain": {"name": "quiesce-demo"}}}},
        "scope": {"project": {"name": "cn-north-4"}}}}
    async with session.post(iam_url + "/v3/auth/tokens", json=body) as response:
        return response.headers["X-Subject-Token"]


async def power_off_fleet(urls: dict, server_ids: list[str]) -> dict:
    requests_sent = 0
    async with aiohttp.ClientSession() as session:
        token = await iam_token(session, urls["iam"])
        headers = {"X-Auth-Token": token}
        base = f"{urls['bms']}/v1/{PROJECT_ID}"
        started = time.perf_counter()
        job_ids = []
        for index in range(0, len(server_ids), 1000):
            chunk = server_ids[index:index + 1000]
            body = {"os-stop": {"type": "HARD", "servers": [{"id": i} for i in chunk]}}
            async with session.post(base + "/baremetalservers/action", json=body, headers=headers) as response:
                job_ids.append((await response.json())["job_id"])
            requests_sent += 1
        statuses = {}
        pending = list(job_ids)
        while pending:
            still = []
            for job_id in pending:
                async with session.get(f"{base}/jobs/{job_id}", headers=headers) as response:
                    status = (await response.json())["status"]
                requests_sent += 1
                if status in ("SUCCESS", "FAIL"):
                    statuses[job_id] = status
                else:
                    still.append(job_id)
            pending = still
        elapsed = time.perf_counter() - started
        async with session.get(base + "/baremetalservers/detail", params={"status": "SHUTOFF", "limit": 1},
                               headers=headers) as response:
            shutoff = (await response.json())["count"]
        requests_sent += 1
    return {"servers": len(server_ids), "batches": len(job_ids), "wall_seconds": round(elapsed, 3),
            "requests": requests_sent, "jobs_success": sum(s == "SUCCESS" for s in statuses.values()),
            "servers_shutoff_after": shutoff}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--fleet", type=int, default=10_000)
    args = parser.parse_args()

    results: dict = {"python": platform.python_version(), "cpus": os.cpu_count(), "concurrency": args.concurrency}
    with running_simulator(speed=0.0) as handle:
        results["get_ocp_cluster"] = asyncio.run(hammer(
            handle.urls["ocp"] + "/api/v2/ob/clusters/1000002", args.seconds, args.concurrency, headers=OCP_BASIC))
        token = asyncio.run(_token(handle.urls["iam"]))
        server_id = next(iter(handle.admin.state()["bms"]["servers"]))
        results["get_bms_server"] = asyncio.run(hammer(
            f"{handle.urls['bms']}/v1/{PROJECT_ID}/baremetalservers/{server_id}", args.seconds, args.concurrency,
            headers={"X-Auth-Token": token}))

    with tempfile.TemporaryDirectory() as workdir:
        path = Path(workdir) / "fleet.yml"
        path.write_text(yaml.safe_dump({"extends": str(FLEET_SCENARIO), "bms": {"generate": {"count": args.fleet}}}))
        with running_simulator(scenario=path, speed=0.0) as handle:
            ids = [i for i, s in handle.admin.state()["bms"]["servers"].items() if s["status"] == "ACTIVE"]
            results["power_off_fleet"] = asyncio.run(power_off_fleet(handle.urls, ids))

    out = ROOT / "benchmarks" / "results" / "simulator.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    return 0


async def _token(iam_url: str) -> str:
    async with aiohttp.ClientSession() as session:
        return await iam_token(session, iam_url)


if __name__ == "__main__":
    raise SystemExit(main())
