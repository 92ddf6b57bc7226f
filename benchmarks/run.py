"""``make bench``: run the request and scale benchmarks, then the summary at the top of benchmarks/RESULTS.md.

    .venv/bin/python benchmarks/run.py [module_requests window_requests bms_scale versus_baseline ...]

Each benchmark runs as its own process (each writes its benchmarks/results/*.json and its section of
RESULTS.md); a failing one does not keep the others from running; the exit status is 1 when any failed. The
summary is written from the results files whatever ran. ``poll_latency`` (about 11 minutes of real time: its
600 s operations run at the simulator's speed 1) runs only when named: ``make bench BENCH_ARGS='poll_latency'``.
The older benchmarks (simulator_throughput.py, bms_power.py) keep their own commands, given in their sections.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import harness

BENCHMARKS = ("module_requests", "window_requests", "bms_scale", "versus_baseline")
ON_REQUEST = ("poll_latency",)  # run when named, not by a bare ``make bench``


def load(name):
    path = harness.RESULTS / "{0}.json".format(name)
    return json.loads(path.read_text()) if path.exists() else None


def summary() -> str:
    lines = ["## Summary", ""]
    modules = load("module_requests")
    if modules:
        results = modules["results"]
        worst = max(results, key=lambda r: r["ratio"])
        over = [r for r in results if r["problems"]]
        lines.append(
            "- **Modules against the lower bound**: {n} cases (4 modules; stop, no-op, check mode, start, restart; "
            "BMS at 1, 30, 1,000 and 2,500 servers); worst ratio {worst} ({module}, {case}); {over}. No no-op or "
            "check-mode case sent an action.".format(
                n=len(results), worst=worst["ratio"], module=worst["module"], case=worst["case"],
                over="every case within {0}".format(modules["meta"]["limit"]) if not over else
                "{0} above {1}: {2} (why: in its section)".format(len(over), modules["meta"]["limit"], ", ".join(
                    "{module} {case} ({ratio})".format(**r) for r in over))))
    window = load("window_requests")
    if window:
        parts = []
        for result in window["results"]:
            staged = [p for p in result["parts"] if p.get("bound")]
            bound = sum(p["bound_requests"] for p in staged)
            calls = sum(p["module_calls_requests"] for p in staged)
            measured = sum(p["requests"] for p in staged)
            logins = max(v for p in result["parts"] for v in list(p["logins"].values()) or [1])
            parts.append("{estate} estate: {requests} requests in all; its stages {measured} against a bound of "
                         "{bound} ({ratio}) and {calls} for one module call per target; at most {logins} login per "
                         "endpoint and part; {extra} reads beyond the bound, all from the gates ({repeated} of them "
                         "read again what was just read)".format(
                             estate=result["estate"], requests=result["requests"], measured=measured, bound=bound,
                             ratio=harness.ratio(measured, bound), calls=calls, logins=logins,
                             extra=sum(p["extra_reads"] for p in staged),
                             repeated=sum(p["repeated_reads"] for p in staged)))
        lines.append("- **The window's requests**: " + "; ".join(parts) + ".")
    scale = load("bms_scale")
    if scale:
        lines.append("- **Scale** (`bms_power`, speed 0): " + "; ".join(
            "{servers:,} servers {state}: {action_calls} action calls, {requests} requests, {wall_seconds} s, "
            "{peak_rss_mib} MiB peak".format(**r) for r in scale["results"]) + ".")
    versus = load("versus_baseline")
    if versus:
        ratios, path = versus["meta"]["ratios"], versus["collection"]["critical_path"]
        lines.append(
            "- **Against the uri playbook users write** (one estate, speed {speed:g}): the baseline takes {wall}x the "
            "wall time ({b_wall}s against {c_wall}s) and {lines}x the lines of YAML ({b_lines} against {c_lines}), "
            "and sends {req}x the requests ({b_req} against {c_req}: the window polls every second where the "
            "baseline waits 5 s, and reads every target in preflight and its gates). The window's wall time is "
            "{ratio}x its critical path ({w}s against {c}s).".format(
                speed=versus["meta"]["speed"], req=ratios["requests"], wall=ratios["wall"], lines=ratios["lines"],
                b_wall=versus["baseline"]["wall_seconds"], c_wall=versus["collection"]["wall_seconds"],
                b_req=versus["baseline"]["requests"], c_req=versus["collection"]["requests"],
                b_lines=versus["baseline"]["lines"], c_lines=versus["collection"]["lines"], ratio=path["ratio"],
                w=path["window_seconds"], c=path["critical_path_seconds"]))
    lines += ["", "Every figure below is from one run on a 2-CPU machine shared with other engineers' work; request "
              "counts do not depend on the load, wall times do. Reproduce all with `make bench`."]
    return "\n".join(lines)


def main(names) -> int:
    failed = []
    for name in names or BENCHMARKS:
        started = time.monotonic()
        print("== {0}".format(name), flush=True)
        code = subprocess.call([sys.executable, str(harness.REPO / "benchmarks" / (name + ".py"))])
        print("== {0}: {1} in {2:.0f}s".format(name, "ok" if code == 0 else "FAILED ({0})".format(code),
                                               time.monotonic() - started), flush=True)
        if code:
            failed.append(name)
    harness.update_section("summary", summary(), top=True)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    PARSER = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    PARSER.add_argument("benchmarks", nargs="*", choices=BENCHMARKS + ON_REQUEST,
                        help="default: {0}".format(", ".join(BENCHMARKS)))
    sys.exit(main(PARSER.parse_args().benchmarks))
