# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running one stage of a window: its work units side by side, the ledger kept, progress shown.

Why in-process (an action plugin) rather than one module task per target: the window must write
its ledger *before* each action is sent (the library announces it through ``_observer``), show a
progress line at least every 30 s while it waits (a module cannot stream output), log in once per
endpoint for a whole stage (one session shared by the stage's targets), and run a stage's targets
side by side without one Ansible task per target. The actions, retries and waits are the modules'
own library code; only the orchestration is here.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import QuiesceError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._observer import observing
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_gates as gates
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_kinds as kinds
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_ledger import (
    FAILED,
    RESUME_FAILED,
    RESUMED,
    STOPPED,
    UNKNOWN,
    now_iso,
)

# Stage statuses.
DONE, STAGE_FAILED, SKIPPED_DEADLINE, SKIPPED_GATE, NOT_STARTED = (
    'done', 'failed', 'skipped_deadline', 'skipped_gate', 'not_started')
POST_GATE_POLL = 5.0  # seconds between readings while post-start gates wait for health to come back


def entry_fields(target):
    """What the ledger keeps of a target before its action."""
    return dict((k, target.get(k)) for k in ('key', 'stage', 'kind', 'endpoint', 'target', 'label', 'before'))


class Progress:
    """What each running unit is doing; a ticker prints it every ``interval`` seconds while anything runs."""

    def __init__(self, say, interval, stage_name, clock=time.monotonic):
        self.say = say
        self.interval = interval
        self.stage_name = stage_name
        self.clock = clock
        self.lock = threading.Lock()
        self.units = {}
        self.stop_event = threading.Event()
        self.thread = None

    def begin(self, unit_id, label):
        with self.lock:
            self.units[unit_id] = {'label': label, 'since': self.clock(), 'state': 'reading state',
                                   'remaining': None}

    def note(self, unit_id, state=None, remaining=None):
        with self.lock:
            unit = self.units.get(unit_id)
            if unit is None:
                return
            if state is not None:
                unit['state'] = state
            if remaining is not None:
                unit['remaining'] = remaining

    def end(self, unit_id):
        with self.lock:
            self.units.pop(unit_id, None)

    def lines(self):
        now = self.clock()
        with self.lock:
            units = list(self.units.values())
        lines = []
        for unit in units:
            line = '[{0}] {1}: {2}; elapsed {3:.0f}s'.format(
                self.stage_name, unit['label'], unit['state'], now - unit['since'])
            if unit['remaining'] is not None:
                line += ', budget left {0:.0f}s'.format(unit['remaining'])
            lines.append(line)
        return lines

    def _tick(self):
        while not self.stop_event.wait(self.interval):
            for line in self.lines():
                self.say(line)

    def __enter__(self):
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._tick, name='quiesce-progress', daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop_event.set()
        self.thread.join()
        return False


class UnitObserver:
    """Receives the library's events for one work unit: ledger before/after each action, progress on polls."""

    def __init__(self, runner, unit_id, targets, phase):
        self.runner = runner
        self.unit_id = unit_id
        self.phase = phase
        self.by_api_id = {}
        self.unit_targets = list(targets)
        for target in targets:
            for api_id in target.get('api_ids') or kinds.api_ids(target['kind'], target['target']):
                self.by_api_id.setdefault(str(api_id), []).append(target)

    def _targets(self, api_ids):
        seen, found = set(), []
        for api_id in api_ids:
            for target in self.by_api_id.get(str(api_id), []):
                if target['key'] not in seen:
                    seen.add(target['key'])
                    found.append(target)
        return found

    def notify(self, event, **fields):
        ledger, progress = self.runner.ledger, self.runner.progress
        if event == 'poll':
            state = str(fields.get('state'))
            ids = [str(v) for v in (fields.get('follow_up') or {}).values() if v is not None]
            if not any(i in state for i in ids):
                state = '{0}: {1}'.format(fields.get('what'), state)  # say which operation this state is of
            progress.note(self.unit_id, state=state, remaining=fields.get('remaining'))
            return
        targets = self._targets(fields.get('targets') or [])
        keys = [t['key'] for t in targets]
        if event == 'action':
            if self.phase == 'quiesce':
                # Written (and fsynced) before the request leaves: a crash from here on still leaves
                # the target in the ledger, so a resume checks it. A failed write stops the action.
                # An action naming nothing we know of may touch any target of the unit: all go in.
                ledger.intend([entry_fields(t) for t in targets or self.unit_targets], fields['verb'])
            elif keys:
                ledger.update(keys, times={'start_issued': now_iso()})
            progress.note(self.unit_id, state='{0} sent for {1}, waiting for the answer'.format(
                fields['verb'], self.runner.count_label(len(targets) or len(fields.get('targets') or []))))
        elif event == 'action_done' and keys:
            ledger.update(keys, follow_up=fields.get('follow_up') or {})
            if fields.get('ambiguous') and self.phase == 'quiesce':
                ledger.update(keys, status=UNKNOWN)


class StageRunner:
    """Runs one stage of a window (quiesce or resume) against open sessions, keeping ``ledger`` up to date."""

    def __init__(self, stage, sessions, ledger, say, progress_interval=20, clock=time.monotonic, sleep=time.sleep):
        self.stage = stage
        self.sleep = sleep
        self.kind = kinds.KINDS[stage['kind']]
        self.sessions = sessions
        self.ledger = ledger
        self.say = say
        self.clock = clock
        self.progress = Progress(say, progress_interval, stage['name'], clock)
        self.targets_report = []

    @staticmethod
    def count_label(count):
        return '1 target' if count == 1 else '{0} targets'.format(count)

    def _unit_label(self, unit):
        first = unit[0]
        if self.stage['kind'] == 'ocp_agent_process':
            return 'host {0} ({1} process{2})'.format(first['target']['host'], len(unit), '' if len(unit) == 1 else 'es')
        if len(unit) == 1:
            return first['label']
        noun = 'servers' if self.stage['kind'] == 'bms_power' else 'services'
        return '{0} {1} on {2}'.format(len(unit), noun, first['endpoint'])

    def _run_units(self, units, work, phase, stop_on_failure):
        """Run ``work(session, unit)`` for every unit (side by side when the stage is parallel); returns
        ``{key: outcome}``. With ``stop_on_failure`` a sequential stage starts no unit after a failed one."""
        outcomes = {}
        lock = threading.Lock()
        failed = threading.Event()
        parallel = self.stage.get('parallel') and len(units) > 1

        def run(unit):
            unit_id = id(unit)
            # Units side by side all start; one after the other, none starts after a failure.
            if stop_on_failure and not parallel and failed.is_set():
                with lock:
                    outcomes.update((t['key'], kinds._outcome(kinds.NOT_STARTED)) for t in unit)
                return
            self.progress.begin(unit_id, self._unit_label(unit))
            session = self.sessions[unit[0]['endpoint']]
            try:
                with observing(UnitObserver(self, unit_id, unit, phase)):
                    result = work(session, unit)
            except Exception as err:  # pylint: disable=broad-except
                # Anything unexpected still ends in the ledger and report as this unit's failure.
                result = dict((t['key'], kinds._outcome(kinds.outcome_of_error(err), error=err)) for t in unit)
            finally:
                self.progress.end(unit_id)
            with lock:
                outcomes.update(result)
            if any(o['outcome'] in (kinds.FAILED, kinds.UNKNOWN) for o in result.values()):
                failed.set()

        with self.progress:
            if parallel:
                with ThreadPoolExecutor(max_workers=min(len(units), 32)) as pool:
                    list(pool.map(run, units))
            else:
                for unit in units:
                    run(unit)
        return outcomes

    def _report_target(self, target, outcome, started, finished):
        return {'key': target['key'], 'label': target['label'], 'endpoint': target['endpoint'],
                'target': target['target'], 'before': target.get('before'), 'after': outcome.get('after'),
                'decision': target.get('decision'), 'outcome': outcome['outcome'],
                'cascade_of': target.get('cascade_of'), 'started_at': started, 'finished_at': finished,
                'follow_up': outcome.get('follow_up') or {}, 'error': outcome.get('error')}

    # ------------------------------------------------------------------ quiesce

    def quiesce(self, targets, timeout, skip_gates=()):
        """Stop the stage's ``targets`` (as the plan resolved them). Returns the stage result."""
        started = now_iso()
        result = {'name': self.stage['name'], 'kind': self.stage['kind'], 'phase': 'quiesce', 'status': DONE,
                  'started_at': started, 'finished_at': None, 'reason': None, 'gates': [], 'targets': []}
        pre = gates.gates_for(self.stage['kind'], 'pre')
        wanted_gates = [g for g in pre if g not in skip_gates]
        fresh = []
        for units in self._by_endpoint(targets).values():
            session = self.sessions[units[0]['endpoint']]
            fresh.extend(self.kind.refresh(session, self.stage, units, wanted_gates))
        verdicts = gates.evaluate(self.stage['kind'], 'pre', [t['reading'] for t in fresh], skip_gates)
        result['gates'] = verdicts
        failed_gates = gates.failed(verdicts)
        if failed_gates:
            result.update(status=SKIPPED_GATE, finished_at=now_iso(),
                          reason='pre-stop gate {0} failed: {1}; nothing in this stage was stopped'.format(
                              ', '.join(g['name'] for g in failed_gates), failed_gates[0]['detail']))
            result['targets'] = [self._report_target(t, kinds._outcome(kinds.NOT_STARTED), None, None) for t in fresh]
            self.say('[{0}] {1}'.format(self.stage['name'], result['reason']))
            return result
        to_run = [t for t in fresh if t['decision'] in (kinds.STOP, kinds.IN_TRANSITION)]
        left = [t for t in fresh if t not in to_run]
        self.say('[{0}] stopping {1} ({2}); {3} already stopped or left alone; wait budget {4:.0f}s'.format(
            self.stage['name'], self.count_label(len(to_run)),
            'side by side' if self.stage.get('parallel') else 'one after the other', len(left), timeout))
        self.ledger.remember_stage(self.stage)
        keep_going = self.stage.get('on_failure') == 'continue'
        end = self.clock() + timeout
        cascades = []
        times = {}

        def work(session, unit):
            begun = now_iso()
            outcomes, found = self.kind.stop(session, self.stage, unit, max(1.0, end - self.clock()), keep_going,
                                             self.clock)
            cascades.extend(found)
            finished = now_iso()
            for target in unit:
                times[target['key']] = (begun, finished)
            self._settle_quiesce(unit, outcomes, finished)
            return outcomes

        outcomes = self._run_units(self.kind.units(to_run), work, 'quiesce', not keep_going)
        stamp = now_iso()
        for cascade in cascades:
            self.ledger.add_cascade(cascade, cascade['cascade_of'], 'STOPPED', stamp)
            self.say('[{0}] {1} was stopped by MRS Manager along with {2}; it is in the ledger'.format(
                self.stage['name'], cascade['label'], cascade['cascade_of']))
        for target in to_run:
            begun, finished = times.get(target['key'], (None, None))
            result['targets'].append(self._report_target(target, outcomes.get(target['key'],
                                                                              kinds._outcome(kinds.NOT_STARTED)),
                                                         begun, finished))
        for cascade in cascades:
            result['targets'].append(self._report_target(dict(cascade, decision='cascade'),
                                                         kinds._outcome(kinds.DONE_STOP, 'STOPPED'), stamp, stamp))
        for target in left:
            result['targets'].append(self._report_target(target, kinds._outcome(
                kinds.UNCHANGED if target['decision'] == kinds.ALREADY_STOPPED else kinds.NOT_STARTED,
                target.get('before')), None, None))
        bad = [t for t in result['targets'] if t['outcome'] in (kinds.FAILED, kinds.UNKNOWN)]
        if bad:
            result['status'] = STAGE_FAILED
            result['reason'] = '{0} of {1} target(s) failed to stop; first: {2}: {3}'.format(
                len(bad), len(to_run), bad[0]['label'], (bad[0]['error'] or {}).get('message', bad[0]['outcome']))
        result['finished_at'] = now_iso()
        self._summary(result, 'stopped', kinds.DONE_STOP)
        return result

    def _settle_quiesce(self, unit, outcomes, finished):
        """Turn each target's intent into what happened, at once (the ledger is truthful after every unit)."""
        changes, dropped = {}, []
        for target in unit:
            outcome = outcomes.get(target['key'])
            entry = self.ledger.entry(target['key'])
            if outcome is None or entry is None:
                continue
            if outcome['outcome'] == kinds.DONE_STOP:
                changes[target['key']] = dict(status=STOPPED, after=outcome['after'], times={'down': finished},
                                              follow_up=outcome['follow_up'], error=None)
            elif outcome['outcome'] == kinds.UNCHANGED:
                # Another actor stopped it first (its own transition, a race inside the job): not ours.
                dropped.append(target['key'])
            elif outcome['outcome'] in (kinds.FAILED, kinds.UNKNOWN):
                status = UNKNOWN if outcome['outcome'] == kinds.UNKNOWN else FAILED
                changes[target['key']] = dict(status=status, after=outcome['after'], follow_up=outcome['follow_up'],
                                              error=outcome['error'])
        if changes or dropped:
            self.ledger.update_each(changes, discard=dropped)

    def _by_endpoint(self, targets):
        grouped = {}
        for target in targets:
            grouped.setdefault(target['endpoint'], []).append(target)
        return grouped

    def _summary(self, result, verb, done):
        counts = {}
        for target in result['targets']:
            counts[target['outcome']] = counts.get(target['outcome'], 0) + 1
        self.say('[{0}] {1}: {2}'.format(self.stage['name'], result['status'],
                                         ', '.join('{0} {1}'.format(n, o) for o, n in sorted(counts.items()))))

    # ------------------------------------------------------------------ resume

    def resume(self, entries, timeout, skip_gates=(), post_start_grace=120, gates_within=None):
        """Start again what the ledger holds for this stage; then the post-start gates.

        ``gates_within`` (seconds from now, None: no limit): the gates wait for health no longer than that, so
        that waiting here never takes the time the stages still to resume need before the deadline."""
        gates_end = None if gates_within is None else self.clock() + gates_within
        result = {'name': self.stage['name'], 'kind': self.stage['kind'], 'phase': 'resume', 'status': DONE,
                  'started_at': now_iso(), 'finished_at': None, 'reason': None, 'gates': [], 'targets': []}
        self.say('[{0}] starting {1} again ({2}); wait budget {3:.0f}s'.format(
            self.stage['name'], self.count_label(len(entries)),
            'side by side' if self.stage.get('parallel') else 'one after the other', timeout))
        end = self.clock() + timeout
        times = {}

        def work(session, unit):
            begun = now_iso()
            outcomes = self.kind.start(session, self.stage, unit, max(1.0, end - self.clock()), self.clock)
            finished = now_iso()
            for entry in unit:
                times[entry['key']] = (begun, finished)
            self._settle_resume(unit, outcomes, finished)
            return outcomes

        # Resume never stops early: every entry gets its start, whatever happened to the others. A kind's start
        # puts its unit in resume order itself (MRS: reverse of the stops); ordering here too would undo it.
        units = self.kind.units(entries)
        outcomes = self._run_units(units, work, 'resume', stop_on_failure=False)
        for entry in entries:
            begun, finished = times.get(entry['key'], (None, None))
            outcome = outcomes.get(entry['key'], kinds._outcome(kinds.NOT_STARTED))
            report = self._report_target(dict(entry, decision='start'), outcome, begun, finished)
            report['before'] = entry.get('after') or 'STOPPED'
            result['targets'].append(report)
        back = (kinds.DONE_START, kinds.UNCHANGED)
        started = [e for e in entries if outcomes.get(e['key'], {}).get('outcome') in back]
        result['gates'] = self._post_gates(started, skip_gates, post_start_grace, gates_end)
        bad = [t for t in result['targets'] if t['outcome'] not in (kinds.DONE_START, kinds.UNCHANGED)]
        failed_gates = gates.failed(result['gates'])
        if bad:
            result['status'] = STAGE_FAILED
            result['reason'] = '{0} of {1} target(s) failed to start; first: {2}: {3}'.format(
                len(bad), len(entries), bad[0]['label'], (bad[0]['error'] or {}).get('message', bad[0]['outcome']))
        elif failed_gates:
            result['status'] = STAGE_FAILED
            result['reason'] = 'post-start gate {0} failed: {1}'.format(
                ', '.join(g['name'] for g in failed_gates), failed_gates[0]['detail'])
        result['finished_at'] = now_iso()
        self._summary(result, 'started', kinds.DONE_START)
        return result

    def _settle_resume(self, unit, outcomes, finished):
        changes = {}
        for entry in unit:
            outcome = outcomes.get(entry['key'])
            if outcome is None:
                continue
            if outcome['outcome'] in (kinds.DONE_START, kinds.UNCHANGED):
                changes[entry['key']] = dict(status=RESUMED, times={'up': finished}, resume_error=None,
                                             resume_after=outcome['after'])
            else:
                changes[entry['key']] = dict(status=RESUME_FAILED, resume_error=outcome['error'] or {
                    'message': 'not started: {0}'.format(outcome['outcome'])})
        if changes:
            self.ledger.update_each(changes)

    def _post_gates(self, entries, skip_gates, grace, until=None):
        """Post-start verdicts; readings are repeated for up to ``grace`` seconds (and not past ``until``, a time
        of ``clock``) while a gate still fails (health comes back a little after a start). One reading is always
        taken."""
        names = gates.gates_for(self.stage['kind'], 'post')
        if not entries or all(name in skip_gates for name in names):
            return gates.evaluate(self.stage['kind'], 'post', [], skip_gates) if names else []
        end = self.clock() + grace if until is None else min(self.clock() + grace, until)
        while True:
            readings = []
            try:
                for group in self._by_endpoint(entries).values():
                    readings.extend(self.kind.post_readings(self.sessions[group[0]['endpoint']], group))
            except QuiesceError as err:
                return [{'name': name, 'when': 'post', 'verdict': gates.FAIL, 'failed': [],
                         'detail': 'could not read the targets: {0}'.format(err)} for name in names]
            verdicts = gates.evaluate(self.stage['kind'], 'post', readings, skip_gates)
            if not gates.failed(verdicts) or self.clock() >= end:
                return verdicts
            self.sleep(min(POST_GATE_POLL, max(0.1, end - self.clock())))
