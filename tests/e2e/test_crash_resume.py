"""Crash and resume: ansible-playbook (the quiesce) killed with SIGKILL, with its workers, at seeded random points;
after each kill the ledger must be truthful, and a resume run must bring the estate back to its start state.

One simulator (the estate scenario: two MRS Managers, two OCP instances, two BMS regions) at a speed that makes
the quiesce last some seconds; before each window it is reset and Loader (mrs-prod) and ob_logtailer on
ob-report-2 are stopped, besides rack02-node030 (SHUTOFF in the scenario): the window must leave them stopped.
Kill points, each aimed by watching the simulator's request log, the playbook's output or the ledger file:

* ``answered``: right after the simulator answered the Nth action (the ledger still says ``intent``);
* ``in_flight``: while one action is in flight (a ``slow`` fault holds it; the simulator applies it after the kill);
* ``mid_poll``: right after the Nth poll of a command, task or job the window is waiting for;
* ``between_stages``: right after the Nth stage printed its summary, before the next one starts;
* ``intent``: as soon as the ledger holds the intent of the Nth stage (its action may not have left yet);
* ``random_time``: at a random moment of the run (preflight included).

After a kill: the ledger is valid JSON and truthful (``window_audit.ledger_problems``: everything the request log
shows the window stopped, and everything not as it was, is in it; nothing in it as ``stopped`` was not stopped).
Then ``quiesce.lifecycle.resume`` with the window id: every target back as it was, every entry ``resumed``, no
action carried out twice on one target, nothing started that the window did not stop.

``CRASH_KILLS`` (default 6: each kind once) and ``CRASH_SEED`` (default 11: its six kills land in
every stage) choose the kills; ``CRASH_SPEED``
the simulator's speed (default 0.1). The kills, where they landed and the resume results are printed (``-s``) and
written to ``tests/output/crash_resume.json`` (or ``CRASH_RESULTS``).
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from pathlib import Path

from conftest import REPO, kill_group
import window_audit as audit

KINDS = ('answered', 'in_flight', 'mid_poll', 'between_stages', 'intent', 'random_time')
# The quiesce of window_estate(): MRS Hue, Spark2x (mrs-prod), Hive (mrs-dr); OCP ob-report, ob-sh-archive;
# agent processes obstat2 and ob_logtailer on ob-report-1, obstat2 on ob-report-2; one BMS batch per region.
ACTIONS = 10
# Actions a slow fault can hold in flight: (api, instance, path).
IN_FLIGHT = (
    ('mrs_web', 'mrs-prod', r'/service/Spark2x/stop$'),
    ('mrs_web', 'mrs-dr', r'/service/Hive/stop$'),
    ('ocp', 'ocp-sh', r'/ob/clusters/\d+/stop$'),
    ('ocp', 'ocp-hz', r'/hosts/1006/agent/processes/\d+/stop$'),
    ('bms', 'cn-north-4', r'/baremetalservers/action$'),
    ('bms', 'cn-south-1', r'/baremetalservers/action$'),
)
SLOW = 2.0  # seconds the in-flight action is held (real time)
SUMMARY = re.compile(r'^\[([A-Za-z0-9_.-]+)\] (done|failed|skipped_gate|skipped_deadline): ')


def kill_plan(count, seed):
    """``count`` kills: every kind once per round (in a seeded order), each with a seeded parameter."""
    rng = random.Random(seed)
    kinds = []
    while len(kinds) < count:
        round_ = list(KINDS)
        rng.shuffle(round_)
        kinds.extend(round_)
    plan = []
    for kind in kinds[:count]:
        if kind == 'answered':
            plan.append({'kind': kind, 'n': rng.randint(1, ACTIONS)})
        elif kind == 'in_flight':
            plan.append({'kind': kind, 'target': list(rng.choice(IN_FLIGHT))})
        elif kind == 'mid_poll':
            plan.append({'kind': kind, 'n': rng.randint(1, 12)})
        elif kind == 'between_stages':
            plan.append({'kind': kind, 'n': rng.randint(1, 3)})
        elif kind == 'intent':
            plan.append({'kind': kind, 'n': rng.randint(1, 4)})
        else:
            plan.append({'kind': kind, 'at': round(rng.uniform(1.0, 8.0), 2)})
    return plan


class Watch:
    """What the running quiesce has done so far, from the simulator's log, the output and the ledger file."""

    def __init__(self, sim, lines, ledger_path):
        self.sim = sim
        self.lines = lines
        self.ledger_path = ledger_path
        self.seq = 0
        self.actions = 0
        self.polls = 0
        self.last = None
        self.stages_with_intent = []

    def refresh(self):
        for entry in self.sim.log(since=self.seq):
            self.seq = entry['seq']
            self.last = entry
            self.actions += entry['mutating']
            self.polls += entry['kind'] == 'poll' and self.actions > 0
        try:
            entries = json.loads(self.ledger_path.read_text())['entries']
        except (OSError, ValueError):
            entries = []
        for entry in entries:
            if entry['stage'] not in self.stages_with_intent:
                self.stages_with_intent.append(entry['stage'])

    def summaries(self):
        return [text for _, text in list(self.lines) if SUMMARY.match(text)]

    def reached(self, kill, elapsed):
        kind = kill['kind']
        if kind == 'answered':
            return self.actions >= kill['n']
        if kind == 'in_flight':
            return any(f.get('applied') for f in self.sim.admin.faults())
        if kind == 'mid_poll':
            return self.polls >= kill['n']
        if kind == 'between_stages':
            return len(self.summaries()) >= kill['n']
        if kind == 'intent':
            return len(self.stages_with_intent) >= kill['n']
        return elapsed >= kill['at']


def where(watch):
    """Where a kill landed: the stage the output last named, the last request the simulator saw."""
    stage = None
    for _, text in list(watch.lines):
        match = re.match(r'^\[([A-Za-z0-9_.-]+)\] ', text)
        if match and match.group(1) != 'plan':
            stage = match.group(1)
    last = watch.last
    request = '{0} {1} {2} ({3})'.format(last['method'], last['instance'] or last['api'], last['path'],
                                         last['kind']) if last else 'no request yet'
    return {'stage': stage or 'preflight', 'last_request': request, 'actions_seen': watch.actions,
            'polls_seen': watch.polls}


def crash_once(sim, playbooks, estate, pids, kill, window_id):
    """One window: quiesce killed as ``kill`` says, the ledger audited, then resumed and audited again."""
    audit.prepare(sim)
    start = audit.snapshot(sim.state(), pids)
    if kill['kind'] == 'in_flight':
        api, instance, path = kill['target']
        sim.admin.add_fault(api=api, instance=instance, method='POST', path=path, kind='slow', delay=SLOW)
    process, lines, started, reader = playbooks.start(sim, 'quiesce', estate,
                                                      extra_vars={'maintenance_window_id': window_id})
    watch = Watch(sim, lines, playbooks.window_dir(window_id) / 'ledger.json')
    killed_at = None
    while process.poll() is None:
        watch.refresh()
        if watch.reached(kill, time.monotonic() - started):
            kill_group(process)
            killed_at = time.monotonic() - started
            break
        time.sleep(0.03)
    reader.join(5)
    record = dict(kill, window_id=window_id, killed_at=round(killed_at, 2) if killed_at is not None else None,
                  quiesce_rc=process.returncode)
    record.update(where(watch))
    # What was in flight lands now (an agent process stop answers after it is done; a slow action after SLOW).
    time.sleep(SLOW + 0.5 if kill['kind'] == 'in_flight' else 1.0)
    quiesce_log = sim.log()
    found = audit.actions(quiesce_log)
    ledger_path = playbooks.window_dir(window_id) / 'ledger.json'
    problems = []
    if ledger_path.exists():
        ledger = json.loads(ledger_path.read_text())  # valid JSON after any kill: written atomically
        now = audit.snapshot(sim.state(), pids)
        problems += ['after the kill: ' + p for p in audit.ledger_problems(ledger, start, now, found)]
        problems += ['the audit missed a lie: ' + p for p in audit.blind_spots(ledger, start, now, found)]
        record['ledger_after_kill'] = audit.ledger_counts(ledger)
    else:
        record['ledger_after_kill'] = None
        if audit.stopped_by_window(found):
            problems.append('after the kill: no ledger, yet the window stopped {0}'.format(
                sorted(audit.stopped_by_window(found))))
    record['stopped_at_kill'] = len(audit.stopped_by_window(found))
    if ledger_path.exists():
        run = playbooks.run(sim, 'resume', estate, extra_vars={'maintenance_window_id': window_id})
        record['resume_rc'] = run.returncode
        record['resume_seconds'] = round(run.duration, 1)
        if run.returncode != 0:
            problems.append('resume failed (rc {0}): {1}'.format(run.returncode, run.output[-2500:]))
        ledger = json.loads(ledger_path.read_text())
        record['ledger_after_resume'] = audit.ledger_counts(ledger)
        not_back = [e['key'] for e in ledger['entries'] if e['status'] != 'resumed']
        if not_back:
            problems.append('after the resume, entries not resumed: {0}'.format(not_back))
    else:
        # Killed before the first stage began: nothing to resume, and the estate never changed.
        record['resume_rc'] = None
    whole = audit.actions(sim.log())
    left = audit.differences(start, audit.snapshot(sim.state(), pids))
    if left:
        problems.append('not back to the start state: {0}'.format(dict(list(left.items())[:10])))
    twice = audit.doubled(whole)
    if twice:
        problems.append('actions carried out twice: {0}'.format(twice))
    problems += audit.action_problems(whole)
    record['actions'] = len([a for a in whole if a.accepted])
    record['not_back'] = len(left)
    record['doubled'] = len(twice)
    record['problems'] = problems
    return record


def _table(records):
    lines = ['kill  kind            aim                          at(s)  landed in / last request -> ledger after '
             'kill -> resume']
    for index, r in enumerate(records, 1):
        aim = r.get('n', r.get('at', '/'.join(r.get('target') or [])[:28]))
        lines.append('{0:>4}  {1:<15} {2!s:<28} {3!s:>5}  {4}: {5} -> {6} -> rc {7}, {8} not back, {9} doubled'.format(
            index, r['kind'], aim, r['killed_at'], r['stage'], r['last_request'], r['ledger_after_kill'],
            r['resume_rc'], r['not_back'], r['doubled']))
    return '\n'.join(lines)


def test_sigkill_at_random_points_of_the_quiesce_and_resume_brings_everything_back(simulator, playbooks):
    kills = int(os.environ.get('CRASH_KILLS') or 6)
    seed = int(os.environ.get('CRASH_SEED') or 11)
    speed = float(os.environ.get('CRASH_SPEED') or 0.1)
    sim = simulator(audit.SCENARIO, speed=speed)
    pids = audit.process_ids(sim)
    estate = audit.window_estate()
    plan = kill_plan(kills, seed)
    print('\ncrash-resume: {0} kill(s), seed {1}, simulator speed {2}'.format(kills, seed, speed))
    records = []
    for index, kill in enumerate(plan, 1):
        record = crash_once(sim, playbooks, estate, pids, kill, 'crash-{0}'.format(index))
        records.append(record)
        print(_table([record]).splitlines()[1].replace('   1', '{0:>4}'.format(index), 1), flush=True)
    print(_table(records))
    results = Path(os.environ.get('CRASH_RESULTS') or REPO / 'tests' / 'output' / 'crash_resume.json')
    results.parent.mkdir(parents=True, exist_ok=True)
    summary = {'kills': kills, 'seed': seed, 'speed': speed, 'records': records}
    results.write_text(json.dumps(summary, indent=1) + '\n', encoding='utf-8')
    landed = [r for r in records if r['killed_at'] is not None]
    assert len(landed) >= len(records) - 1, 'most kills must land before the quiesce ends: ' + _table(records)
    problems = ['kill {0} ({1}): {2}'.format(i, r['kind'], p) for i, r in enumerate(records, 1) for p in r['problems']]
    assert not problems, '\n'.join(problems)
