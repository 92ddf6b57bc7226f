"""Benchmark: powering off 1,000 / 2,500 / 10,000 bare-metal servers against the simulator (speed 0).

Compares the collection's procedure (``PowerRun``: paged list reads, one action per 1000 servers sent
concurrently, jobs polled together, a final paged re-read) with a naive baseline that reads every server
with its own GET and then sends the chunks and polls each job one after the other. Both run through the
collection's own transport and AK/SK signer, so the difference is the procedure, not the HTTP stack.
Request counts come from the simulator's request log.

    PYTHONPATH=build/collections:tests/simulator python benchmarks/bms_power.py [--sizes 1000 2500 10000]

Writes benchmarks/results/bms_power.json and benchmarks/results/bms_power.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
for extra in (REPO / "build" / "collections", REPO / "tests" / "simulator"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_client import BmsClient  # noqa: E402
from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_power import PowerRun  # noqa: E402
from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_state import chunks  # noqa: E402
from ansible_collections.quiesce.lifecycle.plugins.module_utils._huaweicloud_auth import (  # noqa: E402
    HuaweiCloudConnection,
)
from quiesce_sim.scenario import load_scenario  # noqa: E402
from quiesce_sim.testing import running_simulator  # noqa: E402

RESULTS = REPO / "benchmarks" / "results"
AK, SK = "QUIESCEDEMOAK0000001", "QuiesceDemoSecretKey000000000000000001"


def scenario(count: int) -> dict:
    base = load_scenario(REPO / "tests" / "simulator" / "scenarios" / "bms_2500.yml")
    base["bms"]["generate"] = {"count": count, "per_rack": 30, "seed": count, "shutoff_every": 0}
    return base


def connection(urls: dict) -> HuaweiCloudConnection:
    params = dict(region="cn-north-4", project_id=None, auth_method="aksk", access_key=AK, secret_key=SK,
                  username=None, password=None, domain_name=None, iam_endpoint=urls["iam"], bms_endpoint=urls["bms"],
                  allow_insecure_http=True)
    return HuaweiCloudConnection(params, dict(validate_certs=True, ca_path=None, timeout=60.0))


def all_ids(urls: dict) -> list[str]:
    conn = connection(urls)
    try:
        return [s["id"] for s in BmsClient(conn).list_servers()]
    finally:
        conn.close()


def run_collection(urls: dict, ids: list[str]) -> dict:
    conn = connection(urls)
    try:
        report = PowerRun(BmsClient(conn, concurrency=4), "stopped", poll_interval=0.05).run(ids)
    finally:
        conn.close()
    return {"changed": report["summary"]["changed"], "failed": report["summary"]["failed"]}


def run_naive(urls: dict, ids: list[str]) -> dict:
    """One GET per server, then each chunk's action and its job polled to the end, one after the other."""
    conn = connection(urls)
    client = BmsClient(conn, concurrency=1)
    try:
        running = [sid for sid in ids if (client.get_server(sid) or {}).get("status") == "ACTIVE"]
        changed = 0
        for chunk in chunks(running):
            job_id = client.submit("os-stop", chunk, "HARD")
            while True:
                job = client.get_job(job_id)
                if job["terminal"]:
                    break
                time.sleep(0.05)
            changed += sum(1 for sub in job["sub_jobs"].values() if sub["status"] == "SUCCESS")
    finally:
        conn.close()
    return {"changed": changed, "failed": len(running) - changed}


def measure(count: int, name: str, runner) -> dict:
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "scenario.yml"
        path.write_text(yaml.safe_dump(scenario(count)))
        with running_simulator(path, speed=0) as sim:
            ids = all_ids(sim.urls)
            sim.admin.clear_log()
            started = time.perf_counter()
            outcome = runner(sim.urls, ids)
            wall = time.perf_counter() - started
            log = sim.admin.log()
    kinds = Counter(entry["kind"] for entry in log)
    return {"servers": count, "procedure": name, "wall_seconds": round(wall, 3), "requests": len(log),
            "action_calls": sum(1 for e in log if e["mutating"]), "by_kind": dict(sorted(kinds.items())), **outcome}


def naive_requests(count: int) -> int:
    """The baseline's request count without running it: N reads, one action per chunk, at least one poll each."""
    batches = -(-count // 1000)
    return 1 + count + 2 * batches  # + the project lookup


def write(results: list[dict]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "machine": platform.machine(), "simulator_speed": 0,
            "concurrency": 4, "note": "wall time at speed 0 measures the client and simulator overhead only; "
                                      "real jobs take minutes, where the request count and concurrency matter"}
    (RESULTS / "bms_power.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    lines = ["# bms_power benchmark: power off N running servers (simulator, speed 0)", "",
             "Collection: paged list reads (1000 a page), one `os-stop` per 1000 servers sent concurrently (4),",
             "jobs polled together, final paged re-read. Naive: one GET per server, then each chunk's action and",
             "its job polled to the end, sequentially. Same transport and AK/SK signer for both.", "",
             "| servers | procedure | requests | action calls | reads (list/server) | job polls | wall s |",
             "|---:|---|---:|---:|---:|---:|---:|"]
    for r in results:
        kinds = r["by_kind"]
        lines.append("| {servers} | {procedure} | {requests} | {action_calls} | {reads} | {polls} | {wall} |".format(
            reads=kinds.get("read", 0), polls=kinds.get("poll", 0), wall=r["wall_seconds"], **r))
    lines += ["", "Requests include the IAM project lookup. " + meta["note"] + ".", ""]
    (RESULTS / "bms_power.md").write_text("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2500, 10000])
    args = parser.parse_args()
    results = []
    for count in args.sizes:
        for name, runner in (("collection", run_collection), ("naive", run_naive)):
            result = measure(count, name, runner)
            if name == "naive":
                result["expected_requests"] = naive_requests(count)
            print(json.dumps(result), flush=True)
            results.append(result)
    write(results)


if __name__ == "__main__":
    main()
