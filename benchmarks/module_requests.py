"""Benchmark: the requests each action module sends per case, against the lower bound (benchmarks/bounds.py).

Every case runs the module for real: a one-task play through ``ansible-playbook`` against one simulator
(``bms_2500.yml``: the default MRS Manager and OCP, and 2,500 running servers) at ``--speed`` (every
scenario duration times it). The cases run in order, each from the state the previous one left: stop,
stop again (no-op), check mode of the start, start, restart. Requests are counted from the simulator's
request log by its kind (auth, read, action, poll); the bound's polls come from each operation's length
(MRS: the scenario's seconds times the speed; OCP tasks and BMS jobs: their start and end as the simulator
recorded them) and the module's poll schedule. A ratio (requests / bound) above 1.1, an action in a no-op or
check-mode case, more actions than targets, or a target not in the asked state fails the run (exit 1).

    .venv/bin/python benchmarks/module_requests.py [--speed 0.35] [--modules mrs_service ocp_cluster ...]

Writes benchmarks/results/module_requests.json and its section of benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import harness
from bounds import MRS_LOGIN_REQUESTS, MRS_SECURITY_LOGIN, bms_read, bound, polls, total

LIMIT = 1.1
SERVICE, CLUSTER, HOST, PROCESSES = "Hue", "ob-report", "ob-report-1", ["obstat2", "ob_logtailer"]
ONE_SERVER, RACK = "rack01-node001", "rack02-"
STEPS = (("stop", "stopped", False), ("no-op", "stopped", False), ("check mode", "started", True),
         ("start", "started", False), ("restart", "restarted", False))


class Case:
    """One module run: its arguments, the bound without polls, and how to find its operations' lengths."""

    def __init__(self, module, family, name, args, check, expected, lengths, targets_state):
        self.module, self.family, self.name, self.args, self.check = module, family, name, args, check
        self.expected = expected  # bound() without polls
        self.lengths = lengths  # (sim, entries) -> [seconds of each operation waited for]
        self.targets_state = targets_state  # sim -> the targets' states now (to check the outcome)


def mrs_cases(sim):
    service = next(s for s in sim.scenario["mrs"]["services"] if s["name"] == SERVICE)
    defaults = sim.scenario["mrs"].get("defaults") or {}
    stop = float(service.get("stop_seconds", defaults.get("stop_seconds", 6))) * sim.speed
    start = float(service.get("start_seconds", defaults.get("start_seconds", 8))) * sim.speed

    def state(sim_):
        return [sim_.admin.state()["mrs"]["services"][SERVICE]["running_status"]]

    # mrs-manager.md s9: login, read the summary (s5.3), act, poll the command (s5.4), read the summary again to
    # confirm (s9 step 6), log out. A restart is stop then start (G3), each confirmed.
    plans = {"stop": (2, 1, [stop]), "no-op": (1, 0, []), "check mode": (1, 0, []), "start": (2, 1, [start]),
             "restart": (3, 2, [stop, start])}
    for name, state_, check in STEPS:
        reads, actions, lengths = plans[name]
        yield Case("mrs_service", "mrs", name, {"name": SERVICE, "state": state_}, check,
                   bound(auth=MRS_LOGIN_REQUESTS, read=reads, action=actions),
                   lambda sim_, entries, lengths=lengths: lengths, state)


def ocp_task_lengths(sim, entries):
    return [harness.task_seconds(harness.ocp_task(sim, task_id))
            for task_id in harness.ids_in(entries, r"/tasks/instances/(\d+)$")]


def ocp_cluster_cases(sim):
    def state(sim_):
        return [c["status"] for c in sim_.admin.state()["ocp"]["clusters"].values() if c["name"] == CLUSTER]

    # ocp.md: HTTP Basic on every call (s3.1, no login request). Reads: the cluster by name (s5.1 list), the
    # cluster's task list before an action (s5.7: what proves after a lost answer that OCP started no task, so
    # the action is never sent twice), the cluster read back after its task (the status is the outcome).
    plans = {"stop": (3, 1), "no-op": (1, 0), "check mode": (1, 0), "start": (3, 1), "restart": (3, 1)}
    for name, state_, check in STEPS:
        reads, actions = plans[name]
        yield Case("ocp_cluster", "ocp", name, {"name": CLUSTER, "state": state_}, check,
                   bound(read=reads, action=actions), ocp_task_lengths, state)


def ocp_agent_cases(sim):
    def state(sim_):
        host = next(h for h in sim_.scenario["ocp"]["hosts"] if h["name"] == HOST)["id"]
        agents = sim_.admin.state()["ocp"]["agents"]
        processes = (agents.get(host) or agents.get(str(host)))["processes"]
        return [processes[p] for p in PROCESSES]

    # ocp.md s5.8 (the host list, to resolve its name) and s5.9 (its processes); one synchronous call per
    # process to change (stop, or restart, which starts a stopped process: G6); nothing to poll.
    plans = {"stop": (2, 2), "no-op": (2, 0), "check mode": (2, 0), "start": (2, 2), "restart": (2, 2)}
    for name, state_, check in STEPS:
        reads, actions = plans[name]
        yield Case("ocp_agent_process", "ocp", name, {"host": HOST, "processes": PROCESSES, "state": state_},
                   check, bound(read=reads, action=actions), lambda sim_, entries: [], state)


def bms_job_lengths(sim, entries):
    client = harness.bms_client(sim)
    try:
        return [harness.job_seconds(client.get_job(job_id))
                for job_id in harness.ids_in(entries, r"/jobs/([0-9a-f]+)$")]
    finally:
        client.connection.close()


def bms_cases(sim):
    servers = sim.admin.state()["bms"]["servers"]
    everyone = list(servers)
    selections = (
        ("1 server", {"name": ONE_SERVER, "name_match": "exact"}, [i for i, s in servers.items()
                                                                   if s["name"] == ONE_SERVER], 1),
        ("1,000 servers", {"server_ids": everyone[:1000]}, everyone[:1000], len(everyone)),
        # One rack by name: what operators (and the demo estate) select; a filter's pages re-read it after.
        ("30 servers, one rack", {"name": RACK}, [i for i, s in servers.items() if s["name"].startswith(RACK)], 30),
        ("2,500 servers", {"name": "rack"}, everyone, len(everyone)),
    )
    for label, selection, ids, listed in selections:
        targets = len(ids)
        # bms.md: AK/SK signs every request (s3.3); the project id is looked up once by region (s3.2). The
        # states are read first (s7.2 step 1) and re-read after the jobs (s5: the status is the ground truth);
        # one action per 1,000 servers (s8), each job polled (s4.5).
        before = 1 + (bms_read(targets, listed) if "server_ids" in selection else bms_read(listed, listed))
        after = bms_read(targets, listed)
        batches = -(-targets // 1000)
        plans = {"stop": (before + after, batches), "no-op": (before, 0), "check mode": (before, 0),
                 "start": (before + after, batches), "restart": (before + after, batches)}

        def state(sim_, ids=ids):
            now = sim_.admin.state()["bms"]["servers"]
            return sorted(set(now[i]["status"] for i in ids))

        for name, state_, check in STEPS:
            reads, actions = plans[name]
            yield Case("bms_power", "bms", "{0} ({1})".format(name, label), dict(selection, state=state_), check,
                       bound(read=reads, action=actions), bms_job_lengths, state)


FAMILIES = {"mrs_service": mrs_cases, "ocp_cluster": ocp_cluster_cases, "ocp_agent_process": ocp_agent_cases,
            "bms_power": bms_cases}
END_STATE = {"stopped": {"STOPPED", "SHUTOFF"}, "started": {"STARTED", "RUNNING", "ACTIVE"}}


def run_case(sim, case, work: Path) -> dict:
    before = case.targets_state(sim)
    playbook = harness.task_playbook(work / "case.yml", case.module, case.args)
    env = harness.ansible_env(sim, work)
    sim.admin.clear_log()
    run = harness.run_playbook(playbook, env, work, check=case.check)
    entries = sim.log()
    measured = harness.by_kind(entries)
    lengths = case.lengths(sim, entries) if measured["action"] else []
    expected = dict(case.expected, poll=polls(case.family, lengths))
    after = case.targets_state(sim)
    wanted = case.args["state"] if case.args["state"] != "restarted" else "started"
    problems = []
    if run.returncode != 0:
        problems.append("the play failed: " + run.output[-1500:])
    if case.check or case.name.startswith("no-op"):
        if after != before:
            problems.append("the targets changed: {0} -> {1}".format(before, after))
        if measured["action"]:
            problems.append("{0} action(s) in a {1} case".format(measured["action"], case.name.split(" (")[0]))
    elif not set(after) <= END_STATE[wanted]:
        problems.append("the targets are {0}, not {1}".format(after, wanted))
    if measured["action"] > expected["action"]:
        problems.append("{0} actions for {1} needed".format(measured["action"], expected["action"]))
    result = {"module": case.module, "case": case.name, "check_mode": case.check, "args": _shown(case.args),
              "measured": measured, "requests": total(measured), "bound": expected, "bound_requests": total(expected),
              "operation_seconds": [round(x, 3) for x in lengths], "wall_seconds": round(run.wall, 2),
              "ratio": harness.ratio(total(measured), total(expected)), "problems": problems}
    if result["ratio"] > LIMIT:
        problems.append("ratio {0} above {1}".format(result["ratio"], LIMIT))
    return result


def _shown(args):
    shown = dict(args)
    if "server_ids" in shown:
        shown["server_ids"] = "<{0} ids>".format(len(shown["server_ids"]))
    return shown


def cells(counts):
    return "{auth} / {read} / {action} / {poll}".format(**counts)


def section(results, meta) -> str:
    rows = [[r["module"], r["case"], cells(r["measured"]), r["requests"], cells(r["bound"]), r["bound_requests"],
             "**{0}**".format(r["ratio"]) if r["problems"] else r["ratio"],
             ", ".join("{0:g}".format(x) for x in r["operation_seconds"]) or "-"] for r in results]
    worst = max(results, key=lambda r: r["ratio"])
    login = "\n".join("{0}. `{1}`: {2}".format(i, step, why) for i, (step, why) in enumerate(MRS_SECURITY_LOGIN, 1))
    return "\n".join([
        "## Requests per module case against the lower bound (`benchmarks/module_requests.py`)",
        "",
        "Each case is a one-task play (`ansible-playbook`) of the module against the simulator (`bms_2500.yml`: "
        "the default MRS Manager and OCP, 2,500 running servers) at speed {speed:g}, from the state the case "
        "before left. Requests by the simulator log's kind: auth / read / action / poll. The bound: the "
        "documented login, the state reads (before; after, where the end state is read back), one action per "
        "target (per 1,000 servers), and the polls the module's schedule (1 s, x1.5, at most 8 % of the time "
        "waited) needs for each operation's length, measured by the simulator (last column, seconds). "
        "{note}. Every ratio <= {limit} is required; the worst is {worst} ({module}, {case}). Raw data: "
        "`benchmarks/results/module_requests.json`.".format(
            speed=meta["speed"], note=harness.machine_note(meta), limit=LIMIT, worst=worst["ratio"],
            module=worst["module"], case=worst["case"]),
        "",
        "    make bench BENCH_ARGS='module_requests'    # or: .venv/bin/python benchmarks/module_requests.py",
        "",
        harness.table(["module", "case", "requests a/r/x/p", "total", "bound a/r/x/p", "bound", "ratio",
                       "operations (s)"], rows, ["---", "---", "---", "---:", "---", "---:", "---:", "---"]),
        "",
        "The bound's parts, per module:",
        "",
        "- `mrs_service` (mrs-manager.md s9): the login of a security cluster, {n} requests:".format(
            n=MRS_LOGIN_REQUESTS),
        "",
        "\n".join("  " + line for line in login.splitlines()),
        "",
        "  then the service summary (s5.3), the start or stop (s5.1/s5.2), the command's progress (s5.4) and the "
        "summary again to confirm (s9 step 6). A restart is a stop and a start (G3), each confirmed. Told the "
        "cluster's kind, a module could skip request 1; one that followed the CAS POST's own redirect "
        "(undocumented) could skip 4 and 5.",
        "- `ocp_cluster`: no login (HTTP Basic on each call, s3.1); the cluster by name (s5.1), the cluster's task "
        "list before the action (s5.7: it proves after a lost answer that OCP started no task, so the action is "
        "never sent twice; without it the bound of a stop would be one lower), the action, the task's polls "
        "(s7.5), the cluster read back.",
        "- `ocp_agent_process`: the host list (s5.8, to resolve the host's name), its processes (s5.9), one "
        "synchronous call per process that needs one; nothing to poll.",
        "- `bms_power`: AK/SK, no token; the project id looked up by region (s3.2, one read); the states read "
        "(one GET per server or the list's pages, whichever is fewer; a full last page is followed by one more, "
        "s4.7) before and after the jobs (s5), one action per 1,000 servers (s8), each job's polls (s4.5).",
    ] + ([
        "",
        "Above the bound: the one-rack cases. After the jobs, `bms_power` re-reads its 30 servers from every page of "
        "the project (3 pages of 2,500: `PowerRun._final_check` reads them with `BmsClient.read_servers`, which "
        "lists the whole project for more than 10 ids) where the selection's filter would list them in one page: 2 "
        "reads more than the bound.",
    ] if any(r["problems"] and "one rack" in r["case"] for r in results) else []))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=0.35)
    parser.add_argument("--modules", nargs="+", default=list(FAMILIES), choices=list(FAMILIES))
    args = parser.parse_args()
    meta = dict(harness.machine(), speed=args.speed, scenario="bms_2500.yml", limit=LIMIT)
    results = []
    started = time.monotonic()
    with harness.simulator("bms_2500", args.speed) as sim, tempfile.TemporaryDirectory() as work:
        for module in args.modules:
            for case in FAMILIES[module](sim):
                result = run_case(sim, case, Path(work))
                results.append(result)
                flag = "  " + "; ".join(result["problems"]) if result["problems"] else ""
                print("{module:18} {case:28} {0} = {requests:5}  bound {1} = {bound_requests:5}  ratio {ratio:.3f}"
                      "{2}".format(cells(result["measured"]), cells(result["bound"]), flag, **result), flush=True)
    meta["wall_seconds"] = round(time.monotonic() - started, 1)
    harness.write_json("module_requests", {"meta": meta, "results": results})
    if set(args.modules) == set(FAMILIES):
        harness.update_section("module_requests", section(results, meta))
    failed = [r for r in results if r["problems"]]
    for result in failed:
        print("FAILED: {module} {case}: {0}".format("; ".join(result["problems"]), **result), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
