"""What the proof suites share: budgets, simulators with the environment that points the modules at them, real
`ansible` / `ansible-playbook` runs of the collection from build/collections (`make collection`), and the
modules' entry points run in-process (the unit tests' run_module, reused)."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / 'build' / 'collections'
COLLECTION = COLLECTIONS / 'ansible_collections' / 'quiesce' / 'lifecycle'
VENV_BIN = Path(sys.executable).parent
SCENARIOS = REPO / 'tests' / 'simulator' / 'scenarios'
PROOF_SCENARIOS = Path(__file__).resolve().parent / 'scenarios'
for extra in (REPO / 'tests' / 'simulator', REPO / 'tests' / 'integration', COLLECTIONS):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from quiesce_sim.scenario import load_scenario  # noqa: E402
from quiesce_sim.testing import running_simulator  # noqa: E402
import sim_env  # noqa: E402

# PROOFS_BUDGET=large (make soak) runs the whole fault matrix and more examples; anything else is the fast tier.
BUDGET = 'large' if os.environ.get('PROOFS_BUDGET', '').strip().lower() == 'large' else 'fast'
LARGE = BUDGET == 'large'
# Results of the large tier are committed (benchmarks/results); the fast tier's go to tests/output (ignored).
RESULTS_DIR = Path(os.environ.get('PROOFS_RESULTS_DIR') or (
    REPO / 'benchmarks' / 'results' if LARGE else REPO / 'tests' / 'output' / 'proofs'))

# What tells that Python's own error escaped to the user instead of a module's message.
TRACEBACK_MARKERS = ('Traceback (most recent call last)', 'MODULE FAILURE')


def require_collection():
    if not COLLECTION.is_dir():
        raise RuntimeError('build/collections has no quiesce.lifecycle: run make collection first')


def scenario_path(name):
    for folder in (PROOF_SCENARIOS, SCENARIOS):
        path = folder / '{0}.yml'.format(name)
        if path.is_file():
            return path
    raise FileNotFoundError(name)


class Sim:
    """A running simulator (the real CLI), the environment that points the modules at it, and log helpers."""

    def __init__(self, scenario='default', tls=False, log_file=None):
        self.scenario = scenario_path(scenario)
        args = ('--log-file', str(log_file)) if log_file else ()
        self._context = running_simulator(scenario=str(self.scenario), speed=0.0, tls=tls, extra_args=args)
        self.handle = self._context.__enter__()
        self.admin = self.handle.admin
        self.tls = tls
        ready = json.loads(Path(self.handle.extra['ready_file']).read_text())
        ready['_path'] = self.handle.extra['ready_file']
        scenario_data = load_scenario(str(self.scenario))
        scenario_data['_path'] = str(self.scenario)
        self.scenario_data = scenario_data
        self.env = dict((k, str(v)) for k, v in sim_env.exports(ready, scenario_data).items())
        self.lock = threading.Lock()

    def close(self):
        self._context.__exit__(None, None, None)

    def reset(self):
        self.admin.reset()

    def log(self, **filters):
        return self.admin.log(**filters)

    def state(self):
        return self.admin.state()

    def files(self):
        """The simulator's own output files (stdout, stderr), which must hold no secret either."""
        return [Path(self.handle.extra['stdout']), Path(self.handle.extra['stderr'])]


@contextlib.contextmanager
def simulators(count, scenario='default', tls=False):
    started = []
    try:
        for _ in range(count):
            started.append(Sim(scenario, tls=tls))
        yield started
    finally:
        for sim in started:
            sim.close()


def ansible_env(sim_env_vars, home, extra=None, drop=()):
    """The environment of one Ansible run: the simulator's variables, the collection, private temp dirs."""
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('QUIESCE_', 'MRS_', 'OCP_', 'HUAWEICLOUD_')))
    env.update(sim_env_vars)
    home = Path(home)
    env.update({
        'HOME': str(home), 'ANSIBLE_COLLECTIONS_PATH': str(COLLECTIONS), 'ANSIBLE_PYTHON_INTERPRETER': sys.executable,
        'PATH': '{0}{1}{2}'.format(VENV_BIN, os.pathsep, os.environ.get('PATH', '')), 'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_FORCE_COLOR': '0', 'ANSIBLE_RETRY_FILES_ENABLED': '0', 'ANSIBLE_LOCALHOST_WARNING': '0',
        'ANSIBLE_INVENTORY_UNPARSED_WARNING': '0', 'ANSIBLE_LOCAL_TEMP': str(home / 'ansible-local'),
        'ANSIBLE_REMOTE_TEMP': str(home / 'ansible-remote'), 'QUIESCE_STATE_DIR': str(home / 'state'),
        'ANSIBLE_DEPRECATION_WARNINGS': '0', 'PYTHONUNBUFFERED': '1',
    })
    env.update(extra or {})
    for name in drop:
        env.pop(name, None)
    return env


@dataclass
class Run:
    """One finished `ansible` or `ansible-playbook` run."""

    command: list
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    started: float = 0.0
    result: dict = field(default_factory=dict)
    status: str = ''

    @property
    def output(self):
        return self.stdout + '\n' + self.stderr

    @property
    def traceback(self):
        return next((marker for marker in TRACEBACK_MARKERS if marker in self.output), None)

    @property
    def failed(self):
        return self.returncode != 0 or bool(self.result.get('failed'))

    @property
    def msg(self):
        return str(self.result.get('msg', ''))


ADHOC_RESULT = re.compile(r'^localhost \| (?P<status>[A-Z!]+)(?: \| rc=-?\d+)? => ', re.M)


def parse_adhoc(stdout):
    """(status, result) of the last `localhost | STATUS => {...}` block of an ad hoc run's output."""
    matches = list(ADHOC_RESULT.finditer(stdout))
    if not matches:
        return '', {}
    last = matches[-1]
    try:
        result, _ = json.JSONDecoder().raw_decode(stdout[last.end():])
    except ValueError:
        result = {}
    return last.group('status').rstrip('!'), result


def start(command, env, cwd):
    return subprocess.Popen(command, env=env, cwd=str(cwd), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def finish(process, command, started, timeout):
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        stdout, stderr = process.communicate()
        stderr += '\n[proofs] killed after {0}s'.format(timeout)
    return Run(command, process.returncode, stdout, stderr, round(time.monotonic() - started, 2), started)


def adhoc_command(module, args, verbosity=0, check=False):
    command = [str(VENV_BIN / 'ansible'), 'localhost', '-i', 'localhost,', '-c', 'local',
               '-m', 'quiesce.lifecycle.{0}'.format(module), '-a', json.dumps(args)]
    if verbosity:
        command.append('-' + 'v' * verbosity)
    if check:
        command.append('--check')
    return command


def run_adhoc(module, args, env, cwd, verbosity=0, check=False, timeout=300, on_start=None):
    """Run one module ad hoc (`ansible localhost -m ...`); ``on_start(process)`` runs while it does."""
    command = adhoc_command(module, args, verbosity, check)
    started = time.monotonic()
    process = start(command, env, cwd)
    if on_start is not None:
        on_start(process)
    run = finish(process, command, started, timeout)
    run.status, run.result = parse_adhoc(run.stdout)
    return run


def run_playbook(playbook, env, cwd, extra_vars=(), verbosity=0, check=False, timeout=600):
    command = [str(VENV_BIN / 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', playbook]
    for value in extra_vars:
        command += ['-e', value]
    if verbosity:
        command.append('-' + 'v' * verbosity)
    if check:
        command.append('--check')
    started = time.monotonic()
    return finish(start(command, env, cwd), command, started, timeout)


def _parent(pid):
    try:
        return int(Path('/proc/{0}/stat'.format(pid)).read_text().rsplit(')', 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return 0


def _descends_from(pid, ancestor):
    while pid > 1:
        if pid == ancestor:
            return True
        pid = _parent(pid)
    return False


def module_process_started(process, module, timeout=60.0, interval=0.01):
    """Wait until a process below ``process`` runs the module's AnsiballZ wrapper; True when one did.

    (Ansible's workers start sessions of their own, so descent is followed through the parent ids.)
    """
    marker = 'AnsiballZ_{0}.py'.format(module).encode()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        for entry in Path('/proc').iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if marker in (entry / 'cmdline').read_bytes() and _descends_from(int(entry.name), process.pid):
                    return True
            except OSError:
                continue
        time.sleep(interval)
    return False


# ---------------------------------------------------------------- in-process module runs

def _unit_conftest():
    """tests/unit/conftest.py, the unit tests' harness (ModuleExit, the module-args patch), loaded once."""
    spec = importlib.util.spec_from_file_location('quiesce_unit_conftest', REPO / 'tests' / 'unit' / 'conftest.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


UNIT = _unit_conftest()


@contextlib.contextmanager
def environment(variables):
    """os.environ holding exactly the simulator's module variables (the modules' env fallbacks read them)."""
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(('QUIESCE_', 'MRS_', 'OCP_', 'HUAWEICLOUD_')):
            del os.environ[name]
    os.environ.update(variables)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_in_process(module, args):
    """(result, failed) of ``plugins/modules/<module>.py``'s main() with ``args``; any other exception escapes."""
    from ansible.module_utils import basic

    main = importlib.import_module('ansible_collections.quiesce.lifecycle.plugins.modules.{0}'.format(module)).main

    def exit_json(self, **kwargs):
        kwargs.setdefault('changed', False)
        raise UNIT.ModuleExit(kwargs, False)

    def fail_json(self, msg, **kwargs):
        kwargs['msg'] = msg
        raise UNIT.ModuleExit(kwargs, True)

    saved = basic.AnsibleModule.exit_json, basic.AnsibleModule.fail_json
    basic.AnsibleModule.exit_json, basic.AnsibleModule.fail_json = exit_json, fail_json
    try:
        with UNIT._module_args(args):  # pylint: disable=protected-access
            try:
                main()
            except UNIT.ModuleExit as done:
                return done.result, done.failed
            except SystemExit as done:  # AnsibleModule exits itself on argument errors in some cores
                raise AssertionError('{0} exited ({1}) without a result'.format(module, done.code))
    finally:
        basic.AnsibleModule.exit_json, basic.AnsibleModule.fail_json = saved
    raise AssertionError('{0} returned without exit_json or fail_json'.format(module))


def argument_spec(module):
    """The module's full argument spec and AnsibleModule keyword arguments, as its main() builds them."""
    from ansible.module_utils import basic

    captured = {}

    class Captured(Exception):
        pass

    def capture(self, argument_spec=None, **kwargs):
        captured.update(spec=argument_spec, kwargs=kwargs)
        raise Captured()

    main = importlib.import_module('ansible_collections.quiesce.lifecycle.plugins.modules.{0}'.format(module)).main
    saved = basic.AnsibleModule.__init__
    basic.AnsibleModule.__init__ = capture
    try:
        main()
    except Captured:
        pass
    finally:
        basic.AnsibleModule.__init__ = saved
    return captured['spec'], captured['kwargs']


def write_json(path, data):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True, default=str) + '\n')
