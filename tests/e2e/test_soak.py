"""Soak (``make soak``; skipped unless ``SOAK_MINUTES`` is set): window after window over the estate scenario, each
with random faults, for ``SOAK_MINUTES`` minutes, on loopback only (the simulator's listeners).

Each window is a full run (``quiesce.lifecycle.window``) or a quiesce and a resume as two runs, over
``window_audit.window_estate()`` (every endpoint's ``request_timeout`` 3 s), after the simulator was reset and
the targets stopped before the window were stopped again. One to three faults per window, each of a random kind
(5xx, 429 with ``Retry-After``, connection dropped before or after the request was handled, a reply slower than
``request_timeout``, a failed command/task/job, an expired session or token, malformed JSON), aimed at one API
instance and one phase (login, state read, action, poll), armed before the window or when the request log
reaches a random action, so faults land in preflight, quiesce and resume alike.

Every window must end either fully resumed (every target as it was, every ledger entry ``resumed``, the report
``ok``), or with a truthful ledger (``window_audit.ledger_problems``) and a report that does not hide what is
still stopped; a resume run without faults must then bring everything back. Counted over the whole soak:
windows, faults injected by kind (those that hit a request), actions carried out twice on one target in one
direction (must be 0), targets lost (must be 0: not back after the final resume); also, for the record, actions
sent again after one whose outcome the sender could not know (the modules do so once a read shows no sign of the
first), which must never have been carried out twice.

``SOAK_SEED`` (default 20261206) and ``SOAK_SPEED`` (default 0.1) as well; the summary goes to
``SOAK_RESULTS`` (default ``tests/output/soak.json``; ``make soak`` writes ``benchmarks/results/soak.json``).
"""

from __future__ import annotations

import collections
import datetime
import json
import os
import platform
import random
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO
import window_audit as audit

MINUTES = float(os.environ.get('SOAK_MINUTES') or 0)
REQUEST_TIMEOUT = 3.0
# What a fault may be aimed at: per API, the path of each phase (GET for reads and polls, POST for the rest).
PHASES = {
    'mrs_web': {'read': ('GET', r'/cluster/\d+/services/[^/]+$'), 'action': ('POST', r'/service/[^/]+/(stop|start)$'),
                'poll': ('GET', r'/command/\d+/progress$')},
    'mrs_cas': {'login': ('POST', r'/cas/login$')},
    'ocp': {'read': ('GET', r'/ob/clusters/\d+$|/agent/processes$|/compute/hosts/\d+$'),
            'action': ('POST', r'/ob/clusters/\d+/(stop|start)$|/agent/processes/\d+/(stop|restart)$'),
            'poll': ('GET', r'/tasks/instances/\d+$')},
    'bms': {'read': ('GET', r'/baremetalservers/detail$|/baremetalservers/[0-9a-f-]{36}$'),
            'action': ('POST', r'/baremetalservers/action$'), 'poll': ('GET', r'/jobs/[0-9a-f]+$')},
    'iam': {'login': ('POST', r'/auth/tokens$')},
}
INSTANCES = {'mrs_web': ('mrs-prod', 'mrs-dr'), 'mrs_cas': ('mrs-prod', 'mrs-dr'), 'ocp': ('ocp-hz', 'ocp-sh'),
             'bms': ('cn-north-4', 'cn-south-1'), 'iam': (None,)}
# Fault kind -> the phases it makes sense in.
KINDS = {
    'status': ('login', 'read', 'action', 'poll'),
    'throttle': ('login', 'read', 'action', 'poll'),
    'drop_before': ('login', 'read', 'action', 'poll'),
    'drop_after': ('read', 'action', 'poll'),
    'slow': ('read', 'action', 'poll'),
    'fail_task': ('action',),
    'expire_auth': ('read', 'action', 'poll'),
    'malformed': ('read', 'action', 'poll'),
}
# Actions of one window (quiesce and resume): a fault armed at the Nth.
WINDOW_ACTIONS = 20


def random_fault(rng):
    kind = rng.choice(sorted(KINDS))
    api = rng.choice([api for api, phases in sorted(PHASES.items()) if set(phases) & set(KINDS[kind])])
    phase = rng.choice([phase for phase in sorted(PHASES[api]) if phase in KINDS[kind]])
    method, path = PHASES[api][phase]
    spec = {'kind': kind, 'api': api, 'method': method, 'path': path}
    instance = rng.choice(INSTANCES[api])
    if instance:
        spec['instance'] = instance
    if kind == 'status':
        spec['status'] = rng.choice((500, 502, 503))
    elif kind == 'throttle':
        spec['retry_after'] = 1
    elif kind == 'slow':
        spec['delay'] = REQUEST_TIMEOUT + 0.5
    if kind in ('status', 'throttle') and rng.random() < 0.3:
        spec['count'] = 2
    arm_at = 0 if rng.random() < 0.3 else rng.randint(1, WINDOW_ACTIONS)
    return {'spec': spec, 'phase': phase, 'arm_at': arm_at}


class Arming:
    """Adds each fault when the request log has seen its number of actions (a thread, while the runs go on)."""

    def __init__(self, sim, faults):
        self.sim = sim
        self.waiting = sorted(faults, key=lambda f: f['arm_at'])
        self.armed = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _arm_due(self, actions):
        while self.waiting and self.waiting[0]['arm_at'] <= actions:
            fault = self.waiting.pop(0)
            fault['id'] = self.sim.admin.add_fault(**fault['spec'])
            self.armed.append(fault)

    def _run(self):
        while not self.stop.wait(0.05):
            if self.waiting:
                self._arm_due(len(self.sim.log(mutating='true')))

    def __enter__(self):
        self._arm_due(0)
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join()
        applied = dict((f['id'], f['applied']) for f in self.sim.admin.faults())
        for fault in self.armed:
            fault['applied'] = applied.get(fault['id'], 0)
        self.sim.admin.clear_faults()
        return False


def report_problems(report, left):
    """A report that hides what is still stopped: ``ok`` while something is down, or a down target it does not list."""
    problems = []
    listed = set(item.get('key') for item in report.get('still_stopped') or [])
    if left and report.get('result') == 'ok' and report.get('phase') != 'quiesce':
        problems.append('the report says ok ({0}) while {1} target(s) are not back'.format(
            report.get('summary'), len(left)))
    missing = sorted(set(left) - listed)
    if missing:
        problems.append('the report does not list as still stopped: {0}'.format(missing[:5]))
    return problems


def soak_window(sim, playbooks, estate, pids, rng, number):
    """One window with faults; returns its record (problems, faults, actions, what was left)."""
    audit.prepare(sim)
    start = audit.snapshot(sim.state(), pids)
    window_id = 'soak-{0}'.format(number)
    mode = rng.choice(('full', 'split'))
    faults = [random_fault(rng) for _ in range(rng.randint(1, 3))]
    record = {'window': window_id, 'mode': mode, 'runs': [], 'problems': []}
    extra = {'maintenance_window_id': window_id}
    runs, first_seq = [], []

    def run(name, playbook):
        first_seq.append(max([e['seq'] for e in sim.log()] or [0]) + 1)
        runs.append((name, playbooks.run(sim, playbook, estate, extra_vars=extra)))
        return runs[-1][1]

    with Arming(sim, faults):
        if mode == 'full':
            run('window', 'window')
        else:
            run('quiesce', 'quiesce')
            if (playbooks.window_dir(window_id) / 'ledger.json').exists():
                run('resume', 'resume')
    record['faults'] = [dict(f['spec'], phase=f['phase'], arm_at=f['arm_at'], applied=f.get('applied', 0))
                        for f in faults]
    record['runs'] = [{'playbook': name, 'rc': run.returncode, 'seconds': round(run.duration, 1)}
                      for name, run in runs]
    # Which run each fault hit, and where.
    record['hits'] = ['{0}: {1} {2} {3} {4} -> {5}'.format(
        runs[max(i for i, seq in enumerate(first_seq) if seq <= e['seq'])][0], e['fault'], e['method'],
        e['instance'] or e['api'], e['path'], e['status']) for e in sim.log() if e['fault']]
    window_dir = playbooks.window_dir(window_id)
    ledger_path = window_dir / 'ledger.json'
    now = audit.snapshot(sim.state(), pids)
    left = audit.differences(start, now)
    found = audit.actions(sim.log())
    ledger = json.loads(ledger_path.read_text()) if ledger_path.exists() else None
    report = json.loads((window_dir / 'report.json').read_text()) if (window_dir / 'report.json').exists() else None
    record['ledger'] = audit.ledger_counts(ledger)
    record['report'] = report and report.get('summary')
    all_ok = all(run.returncode == 0 for _, run in runs)
    if all_ok and not left:
        record['outcome'] = 'resumed'
        if ledger and any(e['status'] != 'resumed' for e in ledger['entries']):
            record['problems'].append('every run passed and all is back, but the ledger says {0}'.format(
                record['ledger']))
        if report and report.get('result') != 'ok':
            record['problems'].append('every run passed, but the report says ' + str(report.get('summary')))
    else:
        # Not fully resumed: the ledger and the report must say so truthfully; a resume without faults then
        # brings everything back.
        if all_ok:
            record['problems'].append('every run passed, yet not back: {0}'.format(dict(list(left.items())[:5])))
        if ledger is None:
            record['outcome'] = 'refused_before_stopping'
            if audit.stopped_by_window(found) or left:
                record['problems'].append('no ledger, yet the window stopped {0}; not back: {1}'.format(
                    sorted(audit.stopped_by_window(found))[:5], sorted(left)[:5]))
        else:
            record['outcome'] = 'failed_then_resumed'
            record['problems'] += audit.ledger_problems(ledger, start, now, found)
            if report is None:
                record['problems'].append('no report.json in ' + str(window_dir))
            else:
                record['problems'] += report_problems(report, left)
            final = run('resume (no faults)', 'resume')
            record['runs'].append({'playbook': 'resume (no faults)', 'rc': final.returncode,
                                   'seconds': round(final.duration, 1)})
            if final.returncode != 0:
                record['problems'].append('the resume without faults failed: ' + final.output[-2000:])
    whole = audit.actions(sim.log())
    lost = audit.differences(start, audit.snapshot(sim.state(), pids))
    twice = audit.doubled(whole)
    record['actions'] = len([a for a in whole if a.accepted])
    record['doubled'] = ['{0} {1} x{2}'.format(key, direction, n) for (key, direction), n in sorted(twice.items())]
    record['lost'] = sorted(lost)
    # Within one run (a later run's resume after an unknown outcome is the ledger's business).
    bounds = first_seq[1:] + [float('inf')]
    record['resent_after_unanswered'] = ['{0} {1} after {2}, resend answered {3}'.format(*r) for begin, end in zip(
        first_seq, bounds) for r in audit.resent_after_unanswered(audit.actions(
            [e for e in sim.log() if begin <= e['seq'] < end]))]
    record['problems'] += audit.action_problems(whole)
    if lost:
        record['problems'].append('targets lost: {0}'.format(dict(list(lost.items())[:10])))
    if twice:
        record['problems'].append('actions carried out twice: {0}'.format(record['doubled']))
    return record


@pytest.mark.skipif(not MINUTES, reason='the soak runs with make soak (SOAK_MINUTES minutes)')
def test_soak_windows_with_random_faults_end_resumed_or_truthful(simulator, playbooks):
    seed = int(os.environ.get('SOAK_SEED') or 20261206)
    speed = float(os.environ.get('SOAK_SPEED') or 0.1)
    rng = random.Random(seed)
    sim = simulator(audit.SCENARIO, speed=speed)
    pids = audit.process_ids(sim)
    estate = audit.window_estate(request_timeout=REQUEST_TIMEOUT)
    began = time.monotonic()
    started_at = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
    records = []
    print('\nsoak: {0:g} minute(s), seed {1}, simulator speed {2}'.format(MINUTES, seed, speed))
    while time.monotonic() - began < MINUTES * 60:
        record = soak_window(sim, playbooks, estate, pids, rng, len(records) + 1)
        records.append(record)
        print('{0}: {1:<5} {2:<24} faults {3} -> {4}{5}'.format(
            record['window'], record['mode'], record['outcome'],
            ', '.join('{0}@{1}/{2}{3}'.format(f['kind'], f['api'], f['phase'], '' if f['applied'] else ' (unused)')
                      for f in record['faults']),
            ' / '.join('{0} rc {1}'.format(r['playbook'], r['rc']) for r in record['runs']),
            ('; PROBLEMS: ' + ' | '.join(p[:300] for p in record['problems'])) if record['problems'] else ''),
            flush=True)
    injected = collections.Counter()
    for record in records:
        for fault in record['faults']:
            injected[fault['kind']] += fault['applied']
    summary = {
        'command': 'make soak SOAK_MINUTES={0:g}'.format(MINUTES),
        'started_at': started_at, 'minutes': round((time.monotonic() - began) / 60, 1), 'seed': seed, 'speed': speed,
        'machine': '{0} CPUs, Python {1}'.format(os.cpu_count(), platform.python_version()),
        'windows': len(records),
        'modes': dict(collections.Counter(r['mode'] for r in records)),
        'outcomes': dict(collections.Counter(r['outcome'] for r in records)),
        'faults_injected': dict(sorted(injected.items())),
        'faults_injected_total': sum(injected.values()),
        'faults_armed_unused': sum(1 for r in records for f in r['faults'] if not f['applied']),
        'actions': sum(r['actions'] for r in records),
        'actions_doubled': sum(len(r['doubled']) for r in records),
        'actions_resent_after_unanswered': sum(len(r['resent_after_unanswered']) for r in records),
        'targets_lost': sum(len(r['lost']) for r in records),
        'windows_with_problems': sum(1 for r in records if r['problems']),
        'records': records,
    }
    results = Path(os.environ.get('SOAK_RESULTS') or REPO / 'tests' / 'output' / 'soak.json')
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(json.dumps(summary, indent=1) + '\n', encoding='utf-8')
    print('soak: {windows} windows ({modes}); outcomes {outcomes}; faults injected {faults_injected_total} '
          '{faults_injected} ({faults_armed_unused} armed but never hit); actions {actions}; actions doubled '
          '{actions_doubled} (re-sent after an unknown outcome, none carried out twice: '
          '{actions_resent_after_unanswered}); targets lost {targets_lost}; windows with problems '
          '{windows_with_problems}'.format(
              **summary))
    problems = ['{0}: {1}'.format(r['window'], p) for r in records for p in r['problems']]
    assert not problems, '\n'.join(problems)
    assert summary['actions_doubled'] == 0 and summary['targets_lost'] == 0
