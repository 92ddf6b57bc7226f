"""What the request benchmarks share: a simulator with the environment that points Ansible at it, playbook
runs, request-log counts, the poll schedules' arithmetic and the results files.

Every benchmark runs the collection for real (``ansible-playbook`` with the collection from
``build/collections``, ``make collection``) against the simulator (the real CLI, loopback only), and
counts requests from the simulator's request log, never from the code under test.
"""

from __future__ import annotations

import base64
import datetime
import importlib.util
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results"
RESULTS_MD = REPO / "benchmarks" / "RESULTS.md"
COLLECTIONS = REPO / "build" / "collections"
SCENARIOS = REPO / "tests" / "simulator" / "scenarios"
PYTHON_BIN = Path(sys.executable).parent
if str(COLLECTIONS) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS))

# tests/e2e's helpers (they also put the simulator on sys.path), under a name of their own: pytest owns the
# module name ``conftest``.
_SPEC = importlib.util.spec_from_file_location("quiesce_e2e_helpers", REPO / "tests" / "e2e" / "conftest.py")
E2E = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(E2E)

# pylint: disable=wrong-import-position
from quiesce_sim.scenario import env_name, load_scenario  # noqa: E402
from quiesce_sim.testing import running_simulator  # noqa: E402
from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_client import BmsClient  # noqa: E402
from ansible_collections.quiesce.lifecycle.plugins.module_utils._huaweicloud_auth import (  # noqa: E402
    HuaweiCloudConnection,
)

KINDS = ("auth", "read", "action", "poll")


# ------------------------------------------------------------------------------------------- simulator


class Simulator(E2E.Simulator):
    """tests/e2e's running simulator (admin client, the modules' environment), with its URLs, instances,
    scenario and speed."""

    def __init__(self, handle, scenario_path: Path, speed: float):
        super().__init__(handle, scenario_path)
        self.urls = handle.urls
        self.instances = handle.instances
        self.speed = speed
        self.scenario = load_scenario(str(scenario_path))


@contextmanager
def simulator(scenario, speed: float):
    """``scenario``: a name in tests/simulator/scenarios, a path, or a dict (written to a temporary file)."""
    with tempfile.TemporaryDirectory(prefix="quiesce-bench-") as work:
        if isinstance(scenario, dict):
            path = Path(work) / "scenario.yml"
            path.write_text(yaml.safe_dump(scenario, sort_keys=False))
        else:
            path = Path(scenario) if str(scenario).endswith(".yml") else SCENARIOS / "{0}.yml".format(scenario)
        with running_simulator(str(path), speed=speed) as handle:
            yield Simulator(handle, path, speed)


# ------------------------------------------------------------------------------------------- ansible


def ansible_env(sim: Simulator, work: Path, extra=None) -> dict:
    """The environment of an ``ansible-playbook`` run against ``sim``: the one tests/e2e give theirs."""
    return E2E.Playbooks(work).env(sim, extra)


class PlaybookRun:
    def __init__(self, returncode: int, output: str, wall: float):
        self.returncode = returncode
        self.output = output
        self.wall = wall

    def check(self, what: str) -> "PlaybookRun":
        if self.returncode != 0:
            raise RuntimeError("{0} failed (rc {1}):\n{2}".format(what, self.returncode, self.output[-4000:]))
        return self


def run_playbook(playbook, env: dict, cwd: Path, extra_vars=(), check=False, timeout=3600) -> PlaybookRun:
    """``ansible-playbook -i localhost, -c local PLAYBOOK`` (a path or an FQCN); ``extra_vars``: files or dicts."""
    command = [str(PYTHON_BIN / "ansible-playbook"), "-i", "localhost,", "-c", "local", str(playbook)]
    for extra in extra_vars:
        command += ["-e", "@{0}".format(extra) if isinstance(extra, (str, Path)) else json.dumps(extra)]
    if check:
        command.append("--check")
    started = time.monotonic()
    done = subprocess.run(command, env=env, cwd=str(cwd), capture_output=True, text=True, timeout=timeout,
                          check=False)
    return PlaybookRun(done.returncode, done.stdout + done.stderr, time.monotonic() - started)


def task_playbook(path: Path, module: str, args: dict) -> Path:
    """A one-task play running ``quiesce.lifecycle.MODULE`` with ``args``, as an operator would."""
    play = [{"name": "Benchmark " + module, "hosts": "localhost", "gather_facts": False,
             "tasks": [{"name": "Run " + module, "quiesce.lifecycle." + module: args}]}]
    path.write_text(yaml.safe_dump(play, sort_keys=False))
    return path


# ------------------------------------------------------------------------------------------- counting


def by_kind(entries) -> dict:
    counts = Counter(entry["kind"] for entry in entries)
    return dict((kind, counts.get(kind, 0)) for kind in KINDS)


def timestamp(text: str) -> float:
    """Epoch seconds of the simulator's and the window's ISO times (``+00:00``, ``+08:00`` or ``Z``)."""
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def schedule_polls(schedule, duration: float) -> int:
    """Polls a waiter on ``schedule`` (a ``PollSchedule``) sends to see an operation of ``duration`` seconds end.

    As ``_waiter.wait_until`` does it: the first poll right after the action's answer (t = 0), then
    one after each ``schedule.interval(n, elapsed)``, until a poll comes at or after the end. The requests'
    own time is left out, so no client on this schedule needs more: it is the bound.
    """
    elapsed, polls = 0.0, 1
    while elapsed < duration:
        elapsed += schedule.interval(polls, elapsed)
        polls += 1
    return polls


def ratio(measured: int, bound: int) -> float:
    return round(measured / bound, 3) if bound else (1.0 if measured == 0 else float("inf"))


# ------------------------------------------------------------------------------------------- results


def machine() -> dict:
    """Where and when the numbers were taken; the machine is shared, so its load is part of the record."""
    return {"date": datetime.date.today().isoformat(), "python": platform.python_version(),
            "machine": platform.machine(), "cpus": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def machine_note(meta: dict) -> str:
    return ("Run on {date}, Python {python}, {cpus} CPUs shared with other engineers' work (load average "
            "{load} at the start)".format(load=" / ".join(str(x) for x in meta["load_average"]), **meta))


def write_json(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "{0}.json".format(name)
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def update_section(name: str, markdown: str, top: bool = False) -> None:
    """Replace the section between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``, or add it (at the end, or
    under the title with ``top``)."""
    begin, end = "<!-- bench:{0} -->".format(name), "<!-- /bench:{0} -->".format(name)
    block = "{0}\n{1}\n{2}".format(begin, markdown.strip(), end)
    text = RESULTS_MD.read_text() if RESULTS_MD.exists() else "# Benchmark results\n"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _match: block, text)
    elif top:
        title, _newline, rest = text.partition("\n")
        text = "{0}\n\n{1}\n{2}".format(title, block, rest)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    RESULTS_MD.write_text(text)


def table(header: list[str], rows: list[list], align=None) -> str:
    align = align or ["---:" if i else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------- operation lengths


def ocp_task(sim: Simulator, task_id: int, instance: str | None = None) -> dict:
    """An OCP task as the API shows it (HTTP Basic as the scenario's first user), to time it."""
    name = instance or next(iter(sim.instances["ocp"]))
    user = sim.env["QUIESCE_SIM_OCP_{0}_USERNAME".format(env_name(name))]
    password = sim.env["QUIESCE_SIM_OCP_{0}_PASSWORD".format(env_name(name))]
    url = "{0}/api/v2/tasks/instances/{1}".format(sim.instances["ocp"][name]["url"], task_id)
    request = urllib.request.Request(url)
    token = base64.b64encode("{0}:{1}".format(user, password).encode()).decode()
    request.add_header("Authorization", "Basic " + token)
    with urllib.request.urlopen(request, timeout=30) as answer:  # loopback only
        return json.loads(answer.read())["data"]


def bms_client(sim: Simulator, region: str | None = None):
    """The collection's own BMS client (AK/SK) for one region of ``sim``; close its ``connection`` after use."""
    region = region or next(iter(sim.instances["bms"]))
    params = dict(region=region, project_id=sim.instances["bms"][region]["project_id"], auth_method="aksk",
                  access_key=sim.env["HUAWEICLOUD_SDK_AK"], secret_key=sim.env["HUAWEICLOUD_SDK_SK"], username=None,
                  password=None, domain_name=None, iam_endpoint=sim.urls["iam"],
                  bms_endpoint=sim.instances["bms"][region]["url"], allow_insecure_http=True)
    return BmsClient(HuaweiCloudConnection(params, dict(validate_certs=True, ca_path=None, timeout=60.0)))


def task_seconds(task: dict) -> float:
    return timestamp(task["finishTime"]) - timestamp(task["startTime"])


def job_seconds(job: dict) -> float:
    return timestamp(job["end_time"]) - timestamp(job["begin_time"])


def ids_in(entries, pattern: str) -> list[str]:
    """The distinct ids the paths of ``entries`` hold in ``pattern``'s group, in order of first appearance."""
    found = []
    for entry in entries:
        match = re.search(pattern, entry["path"])
        if match and match.group(1) not in found:
            found.append(match.group(1))
    return found
