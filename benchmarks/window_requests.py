"""Benchmark: the requests a whole maintenance window sends, per stage and phase, against the modules' bounds.

The window (``ansible-playbook quiesce.lifecycle.window``, phase full) runs over two estates against the
simulator at ``--speed``: the demo estate (``demo/estate.yml`` over ``scenarios/estate.yml``: two MRS Managers,
two OCP instances, servers in two regions) and one with 2,500 servers (``benchmarks/estates/estate-2500.yml``
over ``bms_2500.yml``: 10 MRS services, 2 OCP clusters, 4 agent processes, 2,500 servers). The request log is
split by the window's own record (``window.json``: each stage's start): preflight, then each stage's
quiesce and resume. For each part: the logins per endpoint (MRS CAS logins, IAM project lookups; OCP signs
every call), the reads, actions and polls against the bound of the modules (benchmarks/bounds.py: a login per
endpoint, the modules' state reads, one action per target, the schedule's polls); the reads beyond it, of
which those that read again, unchanged, what the same part had just read; and the sum of the modules' bounds
if each target were one module call (one login each). The run fails (exit 1) if the window fails, a part logs
in more than once per endpoint, sends more actions than the bound, or a part without gates reads beyond it.

    .venv/bin/python benchmarks/window_requests.py [--speed 0.35] [--estates demo 2500]

Writes benchmarks/results/window_requests.json and its section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import glob
import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import harness
from bounds import MRS_LOGIN_REQUESTS, bms_pages, bms_read, polls

from quiesce_sim.scenario import resolve_instances

ESTATES = {
    "demo": ("estate", harness.REPO / "demo" / "estate.yml"),
    "2500": ("bms_2500", harness.REPO / "benchmarks" / "estates" / "estate-2500.yml"),
}
FAMILY_OF_KIND = {"mrs_service": "mrs", "ocp_cluster": "ocp", "ocp_agent_process": "ocp", "bms_power": "bms"}
DONE = {"quiesce": "stopped", "resume": "started"}
OBJECT = re.compile(r"/(?:services?|clusters|hosts)/([^/]+)")


def run_window(sim, estate: Path, work: Path):
    env = harness.ansible_env(sim, work)
    sim.admin.clear_log()
    run = harness.run_playbook("quiesce.lifecycle.window", env, work, extra_vars=[estate]).check("the window")
    window = json.loads(Path(glob.glob(str(work / "state" / "*" / "window.json"))[0]).read_text())
    return run, window, sim.log()


def parts(window, entries):
    """``[(label, phase, stage result or None, [entries])]``: each request goes to the part that had begun last."""
    starts = [("preflight", "preflight", None, 0.0)] + [
        ("{0} {1}".format(s["phase"], s["name"]), s["phase"], s, harness.timestamp(s["started_at"]))
        for s in window["stages"] if s.get("started_at")]
    found = [(label, phase, stage, []) for label, phase, stage, _start in starts]
    for entry in entries:
        at = harness.timestamp(entry["time"])
        index = max(i for i, start in enumerate(starts) if start[3] <= at)
        found[index][3].append(entry)
    return found


def logins(entries) -> dict:
    """Logins per endpoint: an MRS CAS login (its credential POST), an IAM token or project lookup by region."""
    counts = Counter()
    for entry in entries:
        if entry["api"] == "mrs_cas" and entry["method"] == "POST" and entry["path"].endswith("/login"):
            counts["mrs " + entry["instance"]] += 1
        elif entry["api"] == "iam":
            counts["iam " + ((entry.get("query") or {}).get("name") or "token")] += 1
    return dict(sorted(counts.items()))


def repeats(entries) -> int:
    """Reads of an object (service, cluster, host, a region's list) asked again unchanged in the same part:
    the same request, with no action on that object (or, for lists, in that region) in between."""
    seen, count = set(), 0
    for entry in entries:
        match = OBJECT.search(entry["path"])
        query = entry.get("query") or {}
        thing = match.group(1) if match else query.get("clusterId") or query.get("hostId")
        if entry["kind"] == "action":
            seen = set(key for key in seen if key[0] != entry["instance"] or (thing and key[1] != thing))
            continue
        if entry["kind"] != "read" or entry["api"] == "iam":
            continue
        key = (entry["instance"], thing, entry["path"], json.dumps(query, sort_keys=True))
        count += key in seen
        seen.add(key)
    return count


class Bounds:
    """The modules' bound of one part, from the targets it stopped or started and the simulator's records."""

    def __init__(self, sim):
        self.sim = sim
        self.instances = resolve_instances(sim.scenario)
        self.project_size = dict((name, len(part["servers"])) for name, part in
                                 sim.admin.state()["instances"]["bms"].items())

    def instance(self, family, endpoint):
        names = list(self.sim.instances[family])
        return endpoint if endpoint in names else names[0]

    def service_seconds(self, instance, service, verb):
        manager = self.instances["mrs"][instance]
        defaults = manager.get("defaults") or {}
        spec = next(s for s in manager["services"] if s["name"] == service)
        key = "{0}_seconds".format(verb)
        return float(spec.get(key, defaults.get(key, 8 if verb == "start" else 6))) * self.sim.speed

    def of(self, stage, entries):
        """``(window bound, sum of one module call per target)``, each ``{auth, read, action, poll}``."""
        kind, phase = stage["kind"], stage["phase"]
        family = FAMILY_OF_KIND[kind]
        acted = [t for t in stage["targets"] if t["outcome"] == DONE[phase]]
        window, modules = Counter(), Counter()
        endpoints = sorted(set(self.instance(family, t["endpoint"]) for t in acted))
        if kind == "mrs_service":
            verb = "stop" if phase == "quiesce" else "start"
            window["auth"] += MRS_LOGIN_REQUESTS * len(endpoints)
            modules["auth"] += MRS_LOGIN_REQUESTS * len(acted)
            for target in acted:
                seconds = self.service_seconds(self.instance(family, target["endpoint"]),
                                               target["target"]["service"], verb)
                for bound in (window, modules):
                    bound.update(read=2, action=1, poll=polls("mrs", [seconds]))
        elif kind == "ocp_cluster":
            lengths = dict((instance, self.task_lengths(entries, instance)) for instance in endpoints)
            for bound in (window, modules):
                bound.update(read=3 * len(acted), action=len(acted),
                             poll=sum(polls("ocp", found) for found in lengths.values()))
        elif kind == "ocp_agent_process":
            hosts = set((t["endpoint"], t["target"]["host_id"]) for t in acted)
            for bound in (window, modules):
                bound.update(read=2 * len(hosts), action=len(acted))
        else:
            for region in endpoints:
                mine = [t for t in acted if self.instance(family, t["endpoint"]) == region]
                selected = len([t for t in stage["targets"] if self.instance(family, t["endpoint"]) == region])
                if phase == "quiesce":  # the selection's filter lists them, and lists them again after
                    reads = bms_pages(selected) + bms_read(len(mine), selected)
                else:  # the ledger's ids: one GET each or the project's pages
                    reads = 2 * bms_read(len(mine), self.project_size[region])
                for bound in (window, modules):
                    bound.update(read=1 + reads, action=-(-len(mine) // 1000),
                                 poll=polls("bms", self.job_lengths(entries, region)))
        return dict(harness.by_kind([]), **window), dict(harness.by_kind([]), **modules)

    def task_lengths(self, entries, instance):
        mine = [e for e in entries if e["instance"] == instance]
        return [harness.task_seconds(harness.ocp_task(self.sim, task_id, instance))
                for task_id in harness.ids_in(mine, r"/tasks/instances/(\d+)$")]

    def job_lengths(self, entries, region):
        client = harness.bms_client(self.sim, region)
        try:
            return [harness.job_seconds(client.get_job(job_id))
                    for job_id in harness.ids_in([e for e in entries if e["instance"] == region],
                                                 r"/jobs/([0-9a-f]+)$")]
        finally:
            client.connection.close()


def analyse(sim, label, phase, stage, entries, bounds):
    measured = harness.by_kind(entries)
    row = {"part": label, "phase": phase, "kind": stage["kind"] if stage else None, "measured": measured,
           "requests": sum(measured.values()), "logins": logins(entries), "repeated_reads": repeats(entries),
           "problems": []}
    if stage is None:
        return row
    window, modules = bounds.of(stage, entries)
    gates = [g["name"] for g in stage.get("gates") or [] if g["verdict"] != "skipped"]
    row.update(stage_status=stage["status"], targets=len([t for t in stage["targets"]
                                                          if t["outcome"] == DONE[phase]]),
               bound=window, bound_requests=sum(window.values()), module_calls=modules,
               module_calls_requests=sum(modules.values()), extra_reads=measured["read"] - window["read"],
               gates=gates, ratio=harness.ratio(row["requests"], sum(window.values())))
    if any(count > 1 for count in row["logins"].values()):
        row["problems"].append("more than one login per endpoint: {0}".format(row["logins"]))
    if measured["action"] > window["action"]:
        row["problems"].append("{0} actions for {1} targets".format(measured["action"], window["action"]))
    if row["extra_reads"] > 0 and not gates:
        row["problems"].append("{0} reads beyond the bound without a gate".format(row["extra_reads"]))
    return row


def measure(name, speed, work: Path) -> dict:
    scenario, estate = ESTATES[name]
    with harness.simulator(scenario, speed) as sim:
        run, window, entries = run_window(sim, estate, work)
        bounds = Bounds(sim)
        rows = [analyse(sim, label, phase, stage, mine, bounds) for label, phase, stage, mine in
                parts(window, entries)]
    totals = harness.by_kind(entries)
    return {"estate": name, "scenario": scenario + ".yml", "estate_file": str(estate.relative_to(harness.REPO)),
            "speed": speed, "wall_seconds": round(run.wall, 1), "requests": sum(totals.values()), "by_kind": totals,
            "logins": logins(entries), "parts": rows}


def cells(counts):
    return "{auth} / {read} / {action} / {poll}".format(**counts)


def section(results, meta) -> str:
    blocks = [
        "## The window's requests per stage and phase (`benchmarks/window_requests.py`)",
        "",
        "`ansible-playbook quiesce.lifecycle.window` (phase full) over each estate at speed {speed:g}; the request "
        "log split by the window's record (each stage's start in `window.json`). Requests a/r/x/p: auth / read / "
        "action / poll. Bound: the modules' (one login per endpoint, the modules' state reads, one action per "
        "target, the polls of their schedule for each operation's measured length). Extra reads: beyond the bound "
        "(the pre-stop gates read before each stop, the post-start gates after each start), of which "
        "*repeated*: a read of what the same part had just read, with no action on it since. One module call per "
        "target: the sum of the module bounds (each call logs in). {note}. Raw data: "
        "`benchmarks/results/window_requests.json`.".format(speed=meta["speed"], note=harness.machine_note(meta)),
        "",
        "    make bench BENCH_ARGS='window_requests'    # or: .venv/bin/python benchmarks/window_requests.py",
    ]
    for result in results:
        rows = []
        for row in result["parts"]:
            logged = ", ".join("{0} x{1}".format(k, v) for k, v in row["logins"].items()) or "-"
            if row.get("bound") is None:
                rows.append([row["part"], "-", cells(row["measured"]), row["requests"], "-", "-", "-", "-",
                             row["repeated_reads"], "-", logged])
                continue
            rows.append([row["part"], row["targets"], cells(row["measured"]), row["requests"], cells(row["bound"]),
                         row["bound_requests"], "**{0}**".format(row["ratio"]) if row["problems"] else row["ratio"],
                         row["extra_reads"], row["repeated_reads"], row["module_calls_requests"], logged])
        blocks += ["", "### {estate} estate (`{estate_file}` over `{scenario}`): {requests} requests, {wall}s".format(
            wall=result["wall_seconds"], **result), "",
            harness.table(["part", "targets", "requests a/r/x/p", "total", "bound a/r/x/p", "bound", "ratio",
                           "extra reads", "repeated", "one call per target", "logins"], rows,
                          ["---", "---:", "---", "---:", "---", "---:", "---:", "---:", "---:", "---:", "---"])]
    blocks += ["", "Where the extra reads come from: an MRS stage's pre-stop gates read each service and the cluster's "
               "health; the first service of each Manager is stopped on the gates' reading (handed to `ServiceRun`), "
               "and each later one is read again by `ServiceRun` right before its own stop (the repeated reads of a "
               "quiesce): the stops before it on that Manager may have changed it (`only_self: false` stops the "
               "dependents), so that read is the only one taken since and guards the stop. An agent stage's gates "
               "read each host, its processes and its running tasks, and the host and processes they read are handed "
               "to `ensure_processes`; an OCP cluster stage's gate reads the cluster's running tasks (the cluster it "
               "read is handed to `ensure_cluster`); a machines stage's refresh is handed to `PowerRun`. Each "
               "post-start gate reads its targets once every start of its stage has ended, right after the module's "
               "confirming read (repeated when nothing happened to that target in between): a gate's verdict is on "
               "its own reading, not on one taken before the stage's later starts. Every repeated read left in a "
               "stage is one of these two, a guard before a stop or a post-start gate's own reading, so none is "
               "dropped. Preflight reads every target once per selection (the host list once per host: the "
               "repeated read)."]
    return "\n".join(blocks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=0.35)
    parser.add_argument("--estates", nargs="+", default=list(ESTATES), choices=list(ESTATES))
    args = parser.parse_args()
    meta = dict(harness.machine(), speed=args.speed)
    results = []
    for name in args.estates:
        with tempfile.TemporaryDirectory() as work:
            result = measure(name, args.speed, Path(work))
        results.append(result)
        for row in result["parts"]:
            print("{0:8} {1:22} {2:18} = {3:5}  bound {4:18} = {5:5}  extra reads {6:>3}  repeated {7:>3}  "
                  "logins {8}{9}".format(
                      name, row["part"], cells(row["measured"]), row["requests"],
                      cells(row["bound"]) if row.get("bound") else "-", row.get("bound_requests", "-"),
                      row.get("extra_reads", "-"), row["repeated_reads"], row["logins"],
                      "  " + "; ".join(row["problems"]) if row["problems"] else ""), flush=True)
    harness.write_json("window_requests", {"meta": meta, "results": results})
    if set(args.estates) == set(ESTATES):
        harness.update_section("window_requests", section(results, meta))
    failed = [(r["estate"], row) for r in results for row in r["parts"] if row["problems"]]
    for estate, row in failed:
        print("FAILED: {0} {1}: {2}".format(estate, row["part"], "; ".join(row["problems"])), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
