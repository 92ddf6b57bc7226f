"""End-to-end tests of the maintenance window: real ansible-playbook runs against the API simulator.

Each test starts its own simulator (the real CLI, on loopback), writes an estate file, runs one of the
collection's playbooks (`quiesce.lifecycle.window`, `.quiesce`, `.resume`) with the collection from
build/collections (`make collection`), and asserts on the simulator's request log and state, the ledger
and the report. Run with `make e2e` (or `.venv/bin/python -m pytest tests/e2e`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / 'tests' / 'simulator'))
sys.path.insert(0, str(REPO / 'tests' / 'integration'))

from quiesce_sim.scenario import load_scenario  # noqa: E402
from quiesce_sim.testing import running_simulator  # noqa: E402
import report_schema  # noqa: E402
import sim_env  # noqa: E402

COLLECTIONS = REPO / 'build' / 'collections'
VENV_BIN = Path(sys.executable).parent
SCENARIOS = REPO / 'tests' / 'simulator' / 'scenarios'


class Simulator:
    """A running simulator, the environment that points the modules at it, and request-log helpers."""

    def __init__(self, handle, scenario_path):
        self.handle = handle
        self.admin = handle.admin
        ready = json.loads(Path(handle.extra['ready_file']).read_text())
        ready['_path'] = handle.extra['ready_file']
        scenario = load_scenario(str(scenario_path))
        scenario['_path'] = str(scenario_path)
        self.env = dict((k, str(v)) for k, v in sim_env.exports(ready, scenario).items())

    def log(self, **filters):
        return self.admin.log(**filters)

    def mutating(self):
        return [e for e in self.admin.log() if e['mutating']]

    def state(self):
        return self.admin.state()


@pytest.fixture(scope='session', autouse=True)
def reports_follow_the_schema(tmp_path_factory):
    """Every report.json the session's runs wrote validates against the shipped schema (docs/schemas)."""
    yield
    _count, problems = report_schema.check_reports_under(tmp_path_factory.getbasetemp())
    assert not problems, '\n'.join(problems)


@pytest.fixture
def simulator():
    """``simulator(scenario='default', speed=0)`` starts one (stopped at the end of the test)."""
    stack = []

    def start(scenario='default', speed=0.0):
        path = SCENARIOS / '{0}.yml'.format(scenario) if not str(scenario).endswith('.yml') else Path(scenario)
        context = running_simulator(scenario=str(path), speed=speed)
        handle = context.__enter__()
        stack.append(context)
        return Simulator(handle, path)

    yield start
    for context in reversed(stack):
        context.__exit__(None, None, None)


class Run:
    """One ansible-playbook run: return code, output lines with the time each arrived, duration."""

    def __init__(self, process, lines, started):
        self.process = process
        self.lines = lines  # [(seconds since start, text)]
        self.started = started
        self.returncode = process.returncode
        self.duration = (lines[-1][0] if lines else 0.0)

    @property
    def output(self):
        return '\n'.join(text for _, text in self.lines)


class Playbooks:
    """Runs the collection's playbooks against a simulator with an estate."""

    def __init__(self, tmp_path):
        self.tmp_path = tmp_path
        self.state_dir = tmp_path / 'state'
        self.count = 0

    def env(self, simulator, extra_env=None):
        env = dict(os.environ)
        env.update(simulator.env)
        env.update({
            'ANSIBLE_COLLECTIONS_PATH': str(COLLECTIONS), 'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
            'PATH': '{0}{1}{2}'.format(VENV_BIN, os.pathsep, env.get('PATH', '')), 'ANSIBLE_NOCOLOR': '1',
            'ANSIBLE_FORCE_COLOR': '0', 'ANSIBLE_RETRY_FILES_ENABLED': '0', 'ANSIBLE_LOCALHOST_WARNING': '0',
            'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0', 'QUIESCE_STATE_DIR': str(self.state_dir),
            'ANSIBLE_LOCAL_TEMP': str(self.tmp_path / 'ansible-tmp'), 'PYTHONUNBUFFERED': '1',
        })
        env.update(extra_env or {})
        return env

    def estate_file(self, estate):
        self.count += 1
        path = self.tmp_path / 'estate-{0}.yml'.format(self.count)
        path.write_text(yaml.safe_dump({'maintenance_window_estate': estate}, sort_keys=False))
        return path

    def start(self, simulator, playbook, estate=None, extra_vars=None, check=False, extra_env=None, args=()):
        command = [str(VENV_BIN / 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
                   'quiesce.lifecycle.{0}'.format(playbook)]
        if estate is not None:
            command += ['-e', '@{0}'.format(self.estate_file(estate))]
        for key, value in (extra_vars or {}).items():
            command += ['-e', json.dumps({key: value})]
        if check:
            command.append('--check')
        command += list(args)
        process = subprocess.Popen(command, env=self.env(simulator, extra_env), stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True, cwd=str(self.tmp_path),
                                   start_new_session=True)
        started = time.monotonic()
        lines = []

        def read():
            for line in process.stdout:
                lines.append((time.monotonic() - started, line.rstrip('\n')))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        return process, lines, started, reader

    def run(self, simulator, playbook, estate=None, timeout=600, **kwargs):
        process, lines, started, reader = self.start(simulator, playbook, estate, **kwargs)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_group(process)
        reader.join(10)
        return Run(process, lines, started)

    def window_dirs(self):
        return sorted(p for p in self.state_dir.iterdir() if p.is_dir()) if self.state_dir.exists() else []

    def window_dir(self, window_id):
        return self.state_dir / window_id

    def ledger(self, window_id):
        return json.loads((self.window_dir(window_id) / 'ledger.json').read_text())

    def report(self, window_id):
        path = self.window_dir(window_id) / 'report.json'
        _count, problems = report_schema.check_reports_under(path)
        assert not problems, '\n'.join(problems)
        return json.loads(path.read_text())


@pytest.fixture
def playbooks(tmp_path):
    assert (COLLECTIONS / 'ansible_collections' / 'quiesce' / 'lifecycle').is_dir(), 'run make collection first'
    return Playbooks(tmp_path)


def descendants(pid):
    """Every process below ``pid`` (Ansible's workers lead process groups of their own)."""
    children = {}
    for entry in Path('/proc').iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / 'stat').read_text().rsplit(')', 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def kill_group(process):
    """SIGKILL ansible-playbook and every process it started, as a crash of the controller would."""
    victims = [process.pid] + descendants(process.pid)
    for pid in victims:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()
