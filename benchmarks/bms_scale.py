"""Benchmark: ``bms_power`` at 10,000 and 50,000 servers: action calls, requests, wall time, peak memory.

The module's own code runs as Ansible runs it on the controller: ``python -m
ansible_collections.quiesce.lifecycle.plugins.modules.bms_power ARGS.json`` (the file holds
``ANSIBLE_MODULE_ARGS``), in a subprocess of its own, so that its peak resident memory is the module
process's alone (``os.wait4``'s ``ru_maxrss``). The environment is the one ``ansible-playbook`` would give
it (the modules' variables for the simulator). It powers off every server selected by name
(``name=rack``: all of them), then powers them on again, against ``fleet-10k.yml`` and ``fleet-50k.yml`` at
speed 0 (a job ends at the next request: the figures are the client's and the simulator's own costs; real
jobs take minutes, and then only the polls grow). Requests come from the simulator's request log.

    .venv/bin/python benchmarks/bms_scale.py [--sizes 10000 50000] [--speed 0]

Writes benchmarks/results/bms_scale.json and its section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import harness
from bounds import bms_pages

SCENARIOS = {10000: "fleet-10k", 50000: "fleet-50k"}


def run_module(sim, work: Path, args: dict) -> dict:
    """Run bms_power once in its own process; its result, wall time and peak RSS."""
    args_file = work / "args.json"
    args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    out = work / "result.json"
    env = harness.ansible_env(sim, work, {"PYTHONPATH": str(harness.COLLECTIONS)})
    command = [sys.executable, "-m", "ansible_collections.quiesce.lifecycle.plugins.modules.bms_power",
               str(args_file)]
    started = time.monotonic()
    with open(out, "w", encoding="utf-8") as stdout:
        process = subprocess.Popen(command, env=env, stdout=stdout, stderr=subprocess.PIPE, cwd=str(work))
        _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    stderr = process.stderr.read().decode()
    process.stderr.close()
    text = out.read_text()
    result = json.loads(text) if text.strip() else {"failed": True, "msg": stderr[-2000:]}
    if os.waitstatus_to_exitcode(status) != 0 or result.get("failed"):
        raise RuntimeError("bms_power failed: {0}".format(result.get("msg") or stderr[-2000:]))
    return {"result": result, "wall_seconds": round(wall, 2), "peak_rss_mib": round(usage.ru_maxrss / 1024.0, 1),
            "result_mib": round(len(text) / 1048576.0, 1)}


def measure(size: int, speed: float) -> list[dict]:
    rows = []
    with harness.simulator(SCENARIOS[size], speed) as sim, tempfile.TemporaryDirectory() as work:
        for state, wanted in (("stopped", "SHUTOFF"), ("started", "ACTIVE")):
            sim.admin.clear_log()
            run = run_module(sim, Path(work), {"name": "rack", "state": state, "wait_timeout": 3600})
            entries = sim.log()
            counts = harness.by_kind(entries)
            now = sim.admin.state()["bms"]["counts"]
            summary = run["result"]["summary"]
            rows.append({
                "servers": size, "state": state, "changed": summary["changed"], "failed": summary["failed"],
                "all_in_state": now == {wanted: size}, "action_calls": counts["action"],
                "requests": len(entries), "by_kind": counts,
                # At speed 0 a job has ended by its first poll: the project lookup, the pages before and after,
                # one action and one poll per 1,000 servers.
                "bound": 1 + 2 * bms_pages(size) + 2 * -(-size // 1000) if speed == 0 else None,
                "wall_seconds": run["wall_seconds"], "peak_rss_mib": run["peak_rss_mib"],
                "result_mib": run["result_mib"], "api_calls": run["result"].get("api_calls")})
            print(json.dumps(rows[-1]), flush=True)
    return rows


def section(rows, meta) -> str:
    table = harness.table(
        ["servers", "state", "changed", "action calls", "requests a/r/x/p", "total", "bound", "wall s",
         "peak RSS MiB", "result MiB"],
        [[r["servers"], r["state"], r["changed"], r["action_calls"],
          "{auth} / {read} / {action} / {poll}".format(**r["by_kind"]), r["requests"], r["bound"] or "-",
          r["wall_seconds"],
          r["peak_rss_mib"], r["result_mib"]] for r in rows])
    return "\n".join([
        "## Scale: `bms_power` at 10,000 and 50,000 servers (`benchmarks/bms_scale.py`)",
        "",
        "The module's own code in a process of its own (`python -m ...plugins.modules.bms_power ARGS.json`, as "
        "Ansible runs it), selecting every server by name (`name=rack`), against `fleet-10k.yml` and "
        "`fleet-50k.yml` at speed {speed:g} (jobs end at the next request, so this is the client's and the "
        "simulator's own cost). Peak RSS: the module process's `ru_maxrss`. Result: the size of the JSON the "
        "module returns (one entry per server). Requests a/r/x/p: auth / read / action / poll from the request "
        "log; reads are the project lookup and the list's pages before and after (1,000 a page, one more after "
        "a full last page). Bound (at speed 0): the project lookup, the pages before and after, one action and "
        "one poll per 1,000 servers. {note}. Raw data: `benchmarks/results/bms_scale.json`.".format(
            speed=meta["speed"], note=harness.machine_note(meta)),
        "",
        "    make bench BENCH_ARGS='bms_scale'    # or: .venv/bin/python benchmarks/bms_scale.py",
        "",
        table,
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=sorted(SCENARIOS), choices=sorted(SCENARIOS))
    parser.add_argument("--speed", type=float, default=0.0)
    args = parser.parse_args()
    meta = dict(harness.machine(), speed=args.speed)
    rows = [row for size in args.sizes for row in measure(size, args.speed)]
    harness.write_json("bms_scale", {"meta": meta, "results": rows})
    if set(args.sizes) == set(SCENARIOS):
        harness.update_section("bms_scale", section(rows, meta))
    bad = [r for r in rows if not r["all_in_state"] or r["failed"] or r["action_calls"] != -(-r["servers"] // 1000)
           or (r["bound"] is not None and r["requests"] > r["bound"])]
    for row in bad:
        print("FAILED: {servers} {state}: {changed} changed, {failed} failed, {action_calls} action calls".format(
            **row), file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
