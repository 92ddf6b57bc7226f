"""Benchmark: how soon after a BMS power job ends does ``bms_power`` return (the waiter's poll schedule)?

Each run powers off a few servers of a small simulated estate whose jobs last about L seconds (the
simulator's ``job_init_seconds`` 0 and ``job_run_seconds`` [0.93 L, L]: each server's share is spread by its
id, so a job's end does not fall on the polls' whole seconds; times ``--speed``: the simulator
multiplies every duration by it, so 0.1 makes a 600 s job last 60 s of wall time). The collection's
``PowerRun`` runs as ``bms_power`` does (poll_interval 1 s, the module's default) through its own
transport and AK/SK signer. Latency is the wall time from the job's end (its ``end_time``, read from
the simulator afterwards) to the return of the run, which includes the final re-read of the servers.
The goal (issue 15 item 10) is at most max(1 s, 10 % of the job's length). For comparison, the
schedule before that change (first interval 2 s, x1.5, at most 30 s) is measured too.

    PYTHONPATH=build/collections:tests/simulator python benchmarks/poll_latency.py [--lengths 2 10 42 600]
        [--speed 1] [--schedules new old] [--output NAME]

Writes benchmarks/results/NAME.json (default poll_latency) and prints a Markdown table for RESULTS.md
(``--render`` prints it again from the saved results). "Worst case" is the poll interval in effect when the
operation ended, from the schedule itself: the most it could have been seen late whatever the phase.
"""

from __future__ import annotations

import argparse
import datetime
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import yaml

# The other BMS benchmark sets up the import paths, the results folder and the AK/SK connection.
from bms_power import REPO, RESULTS, connection  # pylint: disable=wrong-import-order

from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_client import BmsClient
from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_power import PowerRun
from ansible_collections.quiesce.lifecycle.plugins.module_utils._waiter import PollSchedule
from quiesce_sim.scenario import load_scenario
from quiesce_sim.testing import running_simulator

SERVERS = 3
# The schedule every module used before issue 15 item 10: 2 s, then x1.5 each poll, at most 30 s.
SCHEDULES = {
    "new": lambda: None,  # PowerRun's own, from poll_interval 1 s (the module default)
    "old": lambda: PollSchedule(initial=2.0, factor=1.5, maximum=30.0, share=1e9),
}
# What each schedule is, for the worst case: PowerRun's (1 s, x1.5, at most 8 % of the time waited and 10 s).
SCHEDULE_OF = {"new": lambda: PollSchedule(initial=1.0, factor=1.5, maximum=10.0), "old": SCHEDULES["old"]}


def worst_case(schedule_name: str, length: float) -> float:
    """The poll interval in effect when an operation of ``length`` seconds ends: the most it can be seen late."""
    schedule, elapsed, poll = SCHEDULE_OF[schedule_name](), 0.0, 0
    while True:
        poll += 1
        interval = schedule.interval(poll, elapsed)
        if elapsed + interval >= length:
            return round(interval, 2)
        elapsed += interval


def scenario(length: float) -> dict:
    base = load_scenario(REPO / "tests" / "simulator" / "scenarios" / "bms_2500.yml")
    base["bms"]["generate"] = {"count": 30, "per_rack": 30, "seed": 7, "shutoff_every": 0}
    base["bms"]["job_init_seconds"] = 0
    base["bms"]["job_run_seconds"] = [round(0.93 * length, 1), length]
    return base


def epoch(iso: str) -> float:
    return datetime.datetime.strptime(iso.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def measure(length: float, speed: float, schedule_name: str) -> dict:
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "scenario.yml"
        path.write_text(yaml.safe_dump(scenario(length)))
        with running_simulator(path, speed=speed) as sim:
            conn = connection(sim.urls)
            try:
                client = BmsClient(conn)
                ids = [s["id"] for s in client.list_servers()][:SERVERS]
                sim.admin.clear_log()
                run = PowerRun(client, "stopped", poll_interval=1.0, timeout=int(length * speed * 3 + 120))
                override = SCHEDULES[schedule_name]()
                if override is not None:
                    run.schedule = override
                started = time.time()
                report = run.run(ids)
                returned = time.time()
                job = client.get_job(report["jobs"][0]["job_id"])
            finally:
                conn.close()
            log = sim.admin.log()
    ended = epoch(job["end_time"])
    operation = ended - epoch(job["begin_time"])
    latency = returned - ended
    goal = max(1.0, 0.1 * operation)
    return {"schedule": schedule_name, "job_seconds": length, "speed": speed, "operation_wall_seconds": round(operation, 3),
            "latency_seconds": round(latency, 3), "goal_seconds": round(goal, 3), "within_goal": latency <= goal,
            "job_polls": sum(1 for e in log if "/jobs/" in e["path"]), "requests": len(log),
            "run_wall_seconds": round(returned - started, 3), "changed": report["summary"]["changed"]}


def table(results: list[dict]) -> str:
    lines = ["| job length | schedule | operation (wall s) | returned after (s) | worst case (s) | goal (s) | within | "
             "job polls | requests |",
             "|---:|---|---:|---:|---:|---:|---|---:|---:|"]
    for r in results:
        worst = worst_case(r["schedule"], r["operation_wall_seconds"])
        lines.append("| {job_seconds:g} s{scaled} | {schedule} | {operation_wall_seconds} | {latency_seconds} | "
                     "{worst} | {goal_seconds} | {ok} | {job_polls} | {requests} |".format(
                         scaled="" if r["speed"] == 1 else " (x{0:g})".format(r["speed"]), worst=worst,
                         ok="yes" if r["within_goal"] and worst <= r["goal_seconds"] else "**no**", **r))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=float, nargs="+", default=[2, 10, 42, 600])
    parser.add_argument("--speed", type=float, default=1.0, help="the simulator's duration multiplier")
    parser.add_argument("--schedules", nargs="+", default=["new", "old"], choices=sorted(SCHEDULES))
    parser.add_argument("--output", default="poll_latency")
    parser.add_argument("--render", action="store_true", help="print the table of the saved results, run nothing")
    args = parser.parse_args()
    if args.render:
        print(table(json.loads((RESULTS / (args.output + ".json")).read_text())["results"]))
        return
    results = [measure(length, args.speed, name) for name in args.schedules for length in args.lengths
               if name == "new" or length < 600]  # the old schedule's 600 s run would only add 10 minutes
    meta = {"python": platform.python_version(), "machine": platform.machine(), "servers": SERVERS,
            "poll_interval": 1.0, "date": datetime.date.today().isoformat()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / (args.output + ".json")).write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    print(table(results))
    if not all(r["within_goal"] for r in results if r["schedule"] == "new"):
        sys.exit("the new schedule missed the goal")


if __name__ == "__main__":
    main()
