"""Benchmark: the collection's window against the same window written the way users write it today.

One estate (10 MRS services, 2 OCP clusters, 4 OCP Agent processes, 2,500 servers: ``bms_2500.yml``), one
simulator speed, two runs each on a fresh simulator: ``ansible-playbook quiesce.lifecycle.window -e
@benchmarks/estates/estate-2500.yml`` and ``ansible-playbook benchmarks/baseline/window.yml`` (uri calls, one task
per target, until/retries with a fixed delay). Both must leave the estate as they found it. Compared: requests
(from the request log), wall time (the whole ``ansible-playbook``), and the lines of YAML the user writes (not
blank, not only a comment: the baseline's playbook and its included file; the estate file plus the one-line
play ``- ansible.builtin.import_playbook: quiesce.lifecycle.window``). Also the window's wall time against its
critical path, from the ledger's times as tests/e2e/test_window.py takes them: per stage, the slowest work
unit's stop (``stop_issued`` to ``down``) plus its start (``start_issued`` to ``up``), summed over the stages.

    .venv/bin/python benchmarks/versus_baseline.py [--speed 1]

Writes benchmarks/results/versus_baseline.json and its section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import glob
import json
import sys
import tempfile
from pathlib import Path

import harness

SCENARIO = "bms_2500"
ESTATE = harness.REPO / "benchmarks" / "estates" / "estate-2500.yml"
BASELINE = harness.REPO / "benchmarks" / "baseline"
ONE_LINE_PLAY = 1  # - ansible.builtin.import_playbook: quiesce.lifecycle.window


def yaml_lines(*paths: Path) -> int:
    """Lines a user writes: neither blank nor only a comment."""
    return sum(1 for path in paths for line in path.read_text().splitlines()
               if line.strip() and not line.strip().startswith("#"))


def estate_state(sim) -> dict:
    state = sim.admin.state()
    return {"mrs": dict((n, s["running_status"]) for n, s in state["mrs"]["services"].items()),
            "ocp": dict((i, c["status"]) for i, c in state["ocp"]["clusters"].items()),
            "agents": dict((h, a["processes"]) for h, a in state["ocp"]["agents"].items()),
            "bms": state["bms"]["counts"]}


def critical_path(ledger: dict) -> dict:
    by_stage = {}
    for entry in ledger["entries"]:
        times = dict((k, harness.timestamp(v)) for k, v in entry["times"].items())
        by_stage.setdefault(entry["stage"], []).append(times)
    stages = dict((name, round(max(t["down"] - t["stop_issued"] for t in group)
                               + max(t["up"] - t["start_issued"] for t in group), 2))
                  for name, group in by_stage.items())
    everything = [t for group in by_stage.values() for t in group]
    wall = max(t["up"] for t in everything) - min(t["stop_issued"] for t in everything)
    critical = sum(stages.values())
    return {"stages": stages, "critical_path_seconds": round(critical, 2), "window_seconds": round(wall, 2),
            "ratio": harness.ratio(wall, critical) if critical else None}


def run(kind: str, speed: float) -> dict:
    with harness.simulator(SCENARIO, speed) as sim, tempfile.TemporaryDirectory() as work:
        work = Path(work)
        before = estate_state(sim)
        env = harness.ansible_env(sim, work)
        sim.admin.clear_log()
        if kind == "collection":
            done = harness.run_playbook("quiesce.lifecycle.window", env, work, extra_vars=[ESTATE])
        else:
            done = harness.run_playbook(BASELINE / "window.yml", env, work)
        done.check(kind)
        entries = sim.log()
        errors = [e for e in entries if (e["status"] or 599) >= 400]
        result = {"kind": kind, "wall_seconds": round(done.wall, 1), "requests": len(entries),
                  "by_kind": harness.by_kind(entries), "errors": len(errors), "restored": estate_state(sim) == before}
        if kind == "collection":
            result["lines"] = yaml_lines(ESTATE) + ONE_LINE_PLAY
            ledger = json.loads(Path(glob.glob(str(work / "state" / "*" / "ledger.json"))[0]).read_text())
            result["critical_path"] = critical_path(ledger)
        else:
            result["lines"] = yaml_lines(*sorted(BASELINE.glob("*.yml")))
    print(json.dumps(result), flush=True)
    return result


def section(window, baseline, meta) -> str:
    ratios = meta["ratios"]
    path = window["critical_path"]
    rows = [[name, r["requests"], "{auth} / {read} / {action} / {poll}".format(**r["by_kind"]), r["wall_seconds"],
             r["lines"]] for name, r in (("collection (`quiesce.lifecycle.window` + estate)", window),
                                         ("baseline (`benchmarks/baseline/`, uri)", baseline))]
    rows.append(["baseline / collection", ratios["requests"], "", ratios["wall"], ratios["lines"]])
    return "\n".join([
        "## Against the way users do it today (`benchmarks/versus_baseline.py`)",
        "",
        "One estate (10 MRS services, 2 OCP clusters, 4 agent processes, 2,500 servers; `bms_2500.yml`) at speed "
        "{speed:g}, each run on a fresh simulator and both leaving the estate as they found it. Collection: "
        "`ansible-playbook quiesce.lifecycle.window -e @benchmarks/estates/estate-2500.yml`. Baseline: "
        "`benchmarks/baseline/window.yml` (+ `mrs_command.yml`), written as users write it with "
        "`ansible.builtin.uri`: the vendor's CAS login steps and an IAM token, one task per target (per 1,000 "
        "servers, the API's limit), each operation polled with `until`/`retries` and a fixed {delay} s delay "
        "(a common `delay: 10` would slow it further). Lines: YAML lines the user writes, neither blank nor only a "
        "comment (the estate plus the one-line play for the collection). {note}. Raw data: "
        "`benchmarks/results/versus_baseline.json`.".format(
            speed=meta["speed"], delay=meta["baseline_delay"], note=harness.machine_note(meta)),
        "",
        "    make bench BENCH_ARGS='versus_baseline'    # or: .venv/bin/python benchmarks/versus_baseline.py",
        "",
        harness.table(["run", "requests", "a / r / x / p", "wall s", "lines of YAML"], rows),
        "",
        "The collection sends more requests, for two reasons. It polls on the modules' schedule (1 s, growing "
        "with the time waited, at most 8 % of it) so that it sees an operation end within max(1 s, 10 %) of its "
        "length (the poll latency section), where the baseline waits a fixed {delay} s: {c_polls} polls against "
        "{b_polls}; the simulator's operations last seconds (5-60 s), where that costs most. And it reads every "
        "target in preflight, in its pre-stop and post-start gates and before each action: {c_reads} reads "
        "against {b_reads}.".format(delay=meta["baseline_delay"], c_polls=window["by_kind"]["poll"],
                                    b_polls=baseline["by_kind"]["poll"], c_reads=window["by_kind"]["read"],
                                    b_reads=baseline["by_kind"]["read"]),
        "",
        "What the baseline does not do, and the collection does (the requests that buys): no state read before "
        "acting (it stops what the list shows and starts again everything it stopped, so a service stopped before "
        "the window is started by it), no preflight, no gates, no ledger (a crash leaves no record of what was "
        "stopped), no deadline, no progress line while it waits; OCP clusters and agent hosts one after the other.",
        "",
        "The window's own wall time (first stop sent to last target up, from the ledger) is {wall}s against a "
        "critical path of {critical}s (per stage, the slowest work unit's stop plus start; an MRS Manager's "
        "services are one unit, since the Manager serializes them): ratio {ratio}. Per stage: {stages}.".format(
            wall=path["window_seconds"], critical=path["critical_path_seconds"], ratio=path["ratio"],
            stages=", ".join("{0} {1}s".format(k, v) for k, v in path["stages"].items())),
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=1.0)
    args = parser.parse_args()
    meta = dict(harness.machine(), speed=args.speed, scenario=SCENARIO + ".yml",
                baseline_delay=_baseline_delay())
    window = run("collection", args.speed)
    baseline = run("baseline", args.speed)
    meta["ratios"] = {"requests": harness.ratio(baseline["requests"], window["requests"]),
                      "wall": harness.ratio(baseline["wall_seconds"], window["wall_seconds"]),
                      "lines": harness.ratio(baseline["lines"], window["lines"])}
    harness.write_json("versus_baseline", {"meta": meta, "collection": window, "baseline": baseline})
    harness.update_section("versus_baseline", section(window, baseline, meta))
    print(json.dumps(meta["ratios"]))
    bad = [r["kind"] for r in (window, baseline) if not r["restored"] or r["errors"]
           or r["by_kind"]["action"] != window["by_kind"]["action"]]
    if bad:
        print("FAILED: {0} did not leave the estate as it found it, got error answers or sent another number of "
              "actions".format(", ".join(bad)), file=sys.stderr)
    return 1 if bad else 0


def _baseline_delay():
    import yaml  # pylint: disable=import-outside-toplevel
    return yaml.safe_load((BASELINE / "window.yml").read_text())[0]["vars"]["poll_delay"]


if __name__ == "__main__":
    sys.exit(main())
