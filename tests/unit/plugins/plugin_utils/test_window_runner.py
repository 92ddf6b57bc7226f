# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stage runner with a fake stage kind: ledger before each action, units side by side, failure policies,
gates, resume and progress lines."""

from __future__ import annotations

import json
import tempfile
import threading

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils import _observer
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AmbiguousRequestError,
    ApiError,
    QuiesceError,
)
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_kinds as kinds
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_runner as runners
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_ledger import Ledger, LedgerError
from ansible_collections.quiesce.lifecycle.tests.unit.plugins.plugin_utils.window_helpers import estate, ocp_cluster


def status_on_disk(ledger, key):
    with open(ledger.path, encoding='utf-8') as stream:
        entries = dict((e['key'], e) for e in json.load(stream)['entries'])
    return entries[key]['status'] if key in entries else None


class FakeKind(kinds.Kind):
    """An OCP-cluster-like kind whose actions follow a script per target key and are announced as the library
    announces them (``_observer.announced_action``).

    Scripts: ``ok`` (done), ``unchanged`` (another actor got there first), ``fail`` (API error), ``ambiguous``
    (answer lost), ``barrier`` (done once every unit holding a barrier is in its action at the same time).
    """

    name = 'ocp_cluster'

    def __init__(self, ledger):
        self.ledger = ledger
        self.scripts = {}
        self.gate_readings = {}  # key -> fields added to the refreshed reading
        self.post = {}  # key -> [status read after start, ...] (the last repeats)
        self.sent = []  # (key, verb, ledger status on disk when the request went out)
        self.after_done = {}  # key -> ledger status on disk right after the answer
        self.barrier = None
        self.lock = threading.Lock()
        self.active = 0
        self.most_active = 0
        self.in_action = None  # called inside each action, with the target

    def refresh(self, session, stage, targets, gates=()):
        fresh = []
        for target in targets:
            reading = dict(target['reading'], **self.gate_readings.get(target['key'], {}))
            fresh.append(dict(target, reading=reading))
        return fresh

    def _act(self, target, verb, done):
        key = target['key']
        script = self.scripts.get(key, 'ok')
        try:
            with _observer.announced_action('ocp', verb, [target['target']['id']]) as announced:
                self.sent.append((key, verb, status_on_disk(self.ledger, key)))
                announced.follow_up['task_id'] = 7
                with self.lock:
                    self.active += 1
                    self.most_active = max(self.most_active, self.active)
                try:
                    if self.in_action is not None:
                        self.in_action(target)
                    if script == 'barrier':
                        self.barrier.wait(timeout=1)
                    elif script == 'fail':
                        raise ApiError('OCP', 'POST', '/stop', 500, code='INTERNAL', api_message='boom',
                                       request_id='r-1')
                    elif script == 'ambiguous':
                        raise AmbiguousRequestError('OCP', 'POST', '/stop', 'connection dropped')
                finally:
                    with self.lock:
                        self.active -= 1
        except QuiesceError as err:
            self.after_done[key] = status_on_disk(self.ledger, key)
            return kinds._outcome(kinds.outcome_of_error(err), error=err)
        except Exception as err:  # pylint: disable=broad-except
            return kinds._outcome(kinds.FAILED, error=err)
        self.after_done[key] = status_on_disk(self.ledger, key)
        if script == 'unchanged':
            return kinds._outcome(kinds.UNCHANGED, 'STOPPED')
        return kinds._outcome(done, 'STOPPED' if verb == 'stop' else 'RUNNING', follow_up={'task_id': 7})

    def stop(self, session, stage, targets, timeout, keep_going, clock):
        (target,) = targets
        return {target['key']: self._act(target, 'stop', kinds.DONE_STOP)}, []

    def start(self, session, stage, entries, timeout, clock):
        (entry,) = entries
        return {entry['key']: self._act(entry, 'start', kinds.DONE_START)}

    def post_readings(self, session, entries):
        readings = []
        for entry in entries:
            statuses = self.post.get(entry['key'], ['RUNNING'])
            status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
            if status == 'unreadable':
                raise QuiesceError('OCP: cannot read cluster {0}'.format(entry['target']['id']))
            readings.append({'key': entry['key'], 'label': entry['label'], 'status': status})
        return readings


@pytest.fixture
def ledger(tmp_path):
    return Ledger('CHG-1', path=str(tmp_path / 'ledger.json'))


@pytest.fixture
def kind(monkeypatch, ledger):
    fake = FakeKind(ledger)
    monkeypatch.setitem(kinds.KINDS, 'ocp_cluster', fake)
    return fake


class FakeClock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


class Say:
    def __init__(self):
        self.lines = []
        self.progress = threading.Event()

    def __call__(self, line):
        self.lines.append(line)
        if 'elapsed' in line and len([x for x in self.lines if 'elapsed' in x]) >= 2:
            self.progress.set()


def stage_of(count=3, **fields):
    the_estate = estate(dict({'name': 'dbs', 'kind': 'ocp_cluster', 'endpoint': 'ocp-hz',
                              'targets': ['ob-{0}'.format(n) for n in range(1, count + 1)]}, **fields))
    return the_estate['stages'][0]


def runner_for(stage, ledger, say=None, interval=20):
    return runners.StageRunner(stage, {'ocp-hz': 'session'}, ledger, say or Say(), progress_interval=interval)


def targets_of(count=3):
    return [ocp_cluster('dbs', n) for n in range(1, count + 1)]


def outcomes(result):
    return dict((t['key'], t['outcome']) for t in result['targets'])


def test_the_intent_is_on_disk_before_the_action_is_sent(kind, ledger):
    result = runner_for(stage_of(1), ledger).quiesce(targets_of(1), 600)
    assert kind.sent == [('ocp_cluster:ocp-hz:1', 'stop', 'intent')]
    assert result['status'] == 'done' and outcomes(result) == {'ocp_cluster:ocp-hz:1': 'stopped'}
    entry = ledger.entry('ocp_cluster:ocp-hz:1')
    assert status_on_disk(ledger, 'ocp_cluster:ocp-hz:1') == 'stopped'
    assert entry['before'] == 'RUNNING' and entry['after'] == 'STOPPED' and entry['action'] == 'stop'
    assert entry['follow_up'] == {'task_id': 7} and entry['times']['down']
    assert [s['name'] for s in ledger.data['stages']] == ['dbs']  # resume knows the stage


def test_parallel_units_really_run_side_by_side(kind, ledger):
    kind.barrier = threading.Barrier(3)
    kind.scripts = dict((t['key'], 'barrier') for t in targets_of(3))
    result = runner_for(stage_of(3, parallel=True), ledger).quiesce(targets_of(3), 600)
    # Each action waited at a barrier for the other two: they can only all pass if all ran at once.
    assert set(outcomes(result).values()) == {'stopped'}
    assert kind.most_active == 3


def test_a_sequential_stage_runs_one_unit_at_a_time(kind, ledger):
    result = runner_for(stage_of(3, parallel=False), ledger).quiesce(targets_of(3), 600)
    assert set(outcomes(result).values()) == {'stopped'}
    assert kind.most_active == 1
    assert [key for key, _verb, _status in kind.sent] == [t['key'] for t in targets_of(3)]


def test_stop_window_starts_no_unit_after_a_failed_one(kind, ledger):
    kind.scripts = {'ocp_cluster:ocp-hz:2': 'fail'}
    result = runner_for(stage_of(3, parallel=False), ledger).quiesce(targets_of(3), 600)
    assert [key for key, _verb, _status in kind.sent] == ['ocp_cluster:ocp-hz:1', 'ocp_cluster:ocp-hz:2']
    assert outcomes(result) == {'ocp_cluster:ocp-hz:1': 'stopped', 'ocp_cluster:ocp-hz:2': 'failed',
                                'ocp_cluster:ocp-hz:3': 'not_started'}
    assert result['status'] == 'failed'
    assert result['reason'].startswith('1 of 3 target(s) failed to stop; first: ob-2 (2): OCP API error')
    failed = ledger.entry('ocp_cluster:ocp-hz:2')
    assert failed['status'] == 'failed'
    assert failed['error']['http_status'] == 500 and failed['error']['request_id'] == 'r-1'
    assert ledger.entry('ocp_cluster:ocp-hz:3') is None  # never touched, never in the ledger


def test_on_failure_continue_keeps_going(kind, ledger):
    kind.scripts = {'ocp_cluster:ocp-hz:2': 'fail'}
    result = runner_for(stage_of(3, parallel=False, on_failure='continue'), ledger).quiesce(targets_of(3), 600)
    assert outcomes(result) == {'ocp_cluster:ocp-hz:1': 'stopped', 'ocp_cluster:ocp-hz:2': 'failed',
                                'ocp_cluster:ocp-hz:3': 'stopped'}
    assert result['status'] == 'failed'
    assert [e['status'] for e in ledger.pending()] == ['stopped', 'failed', 'stopped']


def test_an_ambiguous_answer_marks_the_entry_unknown_at_once(kind, ledger):
    kind.scripts = {'ocp_cluster:ocp-hz:1': 'ambiguous'}
    result = runner_for(stage_of(1), ledger).quiesce(targets_of(1), 600)
    assert kind.after_done == {'ocp_cluster:ocp-hz:1': 'unknown'}  # on disk before the kind even returned
    assert outcomes(result) == {'ocp_cluster:ocp-hz:1': 'unknown'}
    assert ledger.entry('ocp_cluster:ocp-hz:1')['status'] == 'unknown'
    assert [e['key'] for e in ledger.pending()] == ['ocp_cluster:ocp-hz:1']  # resume will check it
    assert result['status'] == 'failed'


def test_an_unchanged_outcome_discards_the_intent(kind, ledger):
    kind.scripts = {'ocp_cluster:ocp-hz:1': 'unchanged'}
    result = runner_for(stage_of(2), ledger).quiesce(targets_of(2), 600)
    assert kind.after_done['ocp_cluster:ocp-hz:1'] == 'intent'
    assert outcomes(result) == {'ocp_cluster:ocp-hz:1': 'unchanged', 'ocp_cluster:ocp-hz:2': 'stopped'}
    assert ledger.entry('ocp_cluster:ocp-hz:1') is None
    assert status_on_disk(ledger, 'ocp_cluster:ocp-hz:1') is None
    assert result['status'] == 'done'


def test_targets_already_stopped_are_left_alone(kind, ledger):
    targets = [ocp_cluster('dbs', 1), ocp_cluster('dbs', 2, status='STOPPED')]
    result = runner_for(stage_of(2), ledger).quiesce(targets, 600)
    assert [key for key, _verb, _status in kind.sent] == ['ocp_cluster:ocp-hz:1']
    assert outcomes(result) == {'ocp_cluster:ocp-hz:1': 'stopped', 'ocp_cluster:ocp-hz:2': 'unchanged'}
    assert ledger.entry('ocp_cluster:ocp-hz:2') is None


def test_a_failed_pre_stop_gate_stops_nothing(kind, ledger):
    kind.gate_readings = {'ocp_cluster:ocp-hz:2': {'running_task': {'id': 5, 'name': 'Backup'}}}
    say = Say()
    result = runner_for(stage_of(3), ledger, say).quiesce(targets_of(3), 600)
    assert kind.sent == []
    assert result['status'] == 'skipped_gate'
    assert set(outcomes(result).values()) == {'not_started'}
    assert 'pre-stop gate ocp_no_running_task failed' in result['reason'] and 'ob-2 (2)' in result['reason']
    assert [g['verdict'] for g in result['gates']] == ['fail']
    assert ledger.pending() == [] and ledger.data['stages'] == []
    assert any(result['reason'] in line for line in say.lines)


def test_a_skipped_gate_lets_the_stage_run(kind, ledger):
    kind.gate_readings = {'ocp_cluster:ocp-hz:2': {'running_task': {'id': 5, 'name': 'Backup'}}}
    result = runner_for(stage_of(3), ledger).quiesce(targets_of(3), 600, skip_gates=['ocp_no_running_task'])
    assert result['status'] == 'done' and [g['verdict'] for g in result['gates']] == ['skipped']
    assert len(kind.sent) == 3


@pytest.fixture
def unwritable(tmp_path, monkeypatch):
    """A ledger whose own location cannot be written (its fallback copy can)."""
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))
    blocker = tmp_path / 'file'
    blocker.write_text('x')
    return Ledger('CHG-1', path=str(blocker / 'ledger.json'))


def test_a_ledger_that_cannot_be_written_stops_the_stage_before_any_action(kind, unwritable):
    kind.ledger = unwritable
    with pytest.raises(LedgerError):
        runners.StageRunner(stage_of(1), {'ocp-hz': 'session'}, unwritable, Say()).quiesce(targets_of(1), 600)
    assert kind.sent == []


def test_a_ledger_write_that_fails_before_an_action_keeps_it_from_being_sent(kind, unwritable):
    stage = stage_of(2)
    unwritable.data['stages'].append({'name': 'dbs'})  # remembered by an earlier run: no write before the first
    kind.ledger = unwritable
    result = runners.StageRunner(stage, {'ocp-hz': 'session'}, unwritable, Say()).quiesce(targets_of(2), 600)
    assert kind.sent == []  # neither request left: a resume could not have known of them
    assert result['status'] == 'failed'
    for target in result['targets']:
        assert target['outcome'] == 'failed' and unwritable.path in target['error']['message']


def test_the_units_of_a_sequential_stage_share_its_wait_budget(kind, ledger):
    clock = FakeClock(1000.0)
    seen = []

    def stop(session, stage, targets, timeout, keep_going, unit_clock):
        seen.append(timeout)
        clock.now += 250  # this unit's wait took 250 s
        return {targets[0]['key']: kinds._outcome(kinds.UNCHANGED)}, []

    kind.stop = stop
    stage_runner = runners.StageRunner(stage_of(3, parallel=False), {'ocp-hz': 'session'}, ledger, Say(),
                                       clock=clock)
    stage_runner.quiesce(targets_of(3), 600)
    assert seen == [600, 350, 100]


def test_a_target_stopped_along_with_ours_is_in_the_ledger(kind, ledger):
    plain_stop = kind.stop

    def stop(session, stage, targets, timeout, keep_going, clock):
        outcomes_, _none = plain_stop(session, stage, targets, timeout, keep_going, clock)
        cascade = dict(runners.entry_fields(ocp_cluster('dbs', 9)), cascade_of='ob-1', before='RUNNING')
        return outcomes_, [cascade]

    kind.stop = stop
    say = Say()
    result = runner_for(stage_of(1), ledger, say).quiesce(targets_of(1), 600)
    entry = ledger.entry('ocp_cluster:ocp-hz:9')
    assert entry['status'] == 'stopped' and entry['cascade_of'] == 'ob-1'
    assert outcomes(result) == {'ocp_cluster:ocp-hz:1': 'stopped', 'ocp_cluster:ocp-hz:9': 'stopped'}
    assert any('ob-9 (9) was stopped by MRS Manager along with ob-1' in line for line in say.lines)


def stopped_entries(ledger, count):
    for target in targets_of(count):
        ledger.intend([runners.entry_fields(target)], 'stop')
        ledger.update([target['key']], status='stopped', after='STOPPED')
    return ledger.pending()


def test_resume_marks_resumed_and_resume_failed_and_runs_the_post_start_gates(kind, ledger):
    entries = stopped_entries(ledger, 3)
    kind.scripts = {'ocp_cluster:ocp-hz:2': 'fail'}
    result = runner_for(stage_of(3), ledger).resume(entries, 600, post_start_grace=0)
    assert [verb for _key, verb, _status in kind.sent] == ['start', 'start', 'start']  # a failure stops no other
    assert outcomes(result) == {'ocp_cluster:ocp-hz:1': 'started', 'ocp_cluster:ocp-hz:2': 'failed',
                                'ocp_cluster:ocp-hz:3': 'started'}
    assert ledger.entry('ocp_cluster:ocp-hz:1')['status'] == 'resumed'
    assert ledger.entry('ocp_cluster:ocp-hz:1')['times']['start_issued']
    assert ledger.entry('ocp_cluster:ocp-hz:1')['times']['up']
    failed = ledger.entry('ocp_cluster:ocp-hz:2')
    assert failed['status'] == 'resume_failed' and failed['resume_error']['http_status'] == 500
    assert [e['key'] for e in ledger.pending()] == ['ocp_cluster:ocp-hz:2']  # a later resume tries again
    assert result['status'] == 'failed' and 'failed to start' in result['reason']
    (gate,) = result['gates']
    assert gate['name'] == 'ocp_clusters_running_after_start' and gate['verdict'] == 'pass'
    assert gate['detail'] == '2 target(s) checked'  # only what started is checked
    assert [t['before'] for t in result['targets']] == ['STOPPED'] * 3


def test_a_failed_post_start_gate_fails_the_stage(kind, ledger):
    entries = stopped_entries(ledger, 2)
    kind.post = {'ocp_cluster:ocp-hz:2': ['STARTING']}
    result = runner_for(stage_of(2), ledger).resume(entries, 600, post_start_grace=0)
    assert set(outcomes(result).values()) == {'started'}
    assert ledger.pending() == []
    assert result['status'] == 'failed'
    assert result['reason'] == 'post-start gate ocp_clusters_running_after_start failed: not RUNNING: ob-2 (2)'


def test_post_start_gates_read_again_while_health_comes_back(kind, ledger, monkeypatch):
    monkeypatch.setattr(runners, 'POST_GATE_POLL', 0.01)
    entries = stopped_entries(ledger, 1)
    kind.post = {'ocp_cluster:ocp-hz:1': ['STARTING', 'STARTING', 'RUNNING']}
    result = runner_for(stage_of(1), ledger).resume(entries, 600, post_start_grace=5)
    assert result['status'] == 'done' and result['gates'][0]['verdict'] == 'pass'
    assert kind.post['ocp_cluster:ocp-hz:1'] == ['RUNNING']  # read three times


def test_post_start_gates_wait_no_longer_than_the_deadline_leaves(kind, ledger, monkeypatch):
    # The grace would allow 600 s of re-reads; the stages still to resume need all but 0 s of what is left.
    monkeypatch.setattr(runners, 'POST_GATE_POLL', 0.01)
    entries = stopped_entries(ledger, 1)
    kind.post = {'ocp_cluster:ocp-hz:1': ['STARTING'] * 50}
    result = runner_for(stage_of(1), ledger).resume(entries, 600, post_start_grace=600, gates_within=0)
    assert result['status'] == 'failed' and result['gates'][0]['verdict'] == 'fail'
    assert len(kind.post['ocp_cluster:ocp-hz:1']) == 49  # read once, not waited for


def test_unreadable_targets_fail_the_post_start_gates(kind, ledger):
    entries = stopped_entries(ledger, 1)
    kind.post = {'ocp_cluster:ocp-hz:1': ['unreadable']}
    result = runner_for(stage_of(1), ledger).resume(entries, 600, post_start_grace=0)
    assert result['status'] == 'failed'
    assert result['gates'][0]['verdict'] == 'fail' and 'could not read the targets' in result['gates'][0]['detail']


def test_skipped_post_start_gates_are_reported_without_a_reading(kind, ledger):
    entries = stopped_entries(ledger, 1)
    kind.post = {'ocp_cluster:ocp-hz:1': ['unreadable']}
    result = runner_for(stage_of(1), ledger).resume(entries, 600, skip_gates=['ocp_clusters_running_after_start'],
                                                    post_start_grace=0)
    assert result['status'] == 'done' and [g['verdict'] for g in result['gates']] == ['skipped']


def test_progress_lines_while_a_unit_waits(kind, ledger):
    say = Say()

    def wait_a_while(target):
        _observer.notify('poll', what='cluster {0}'.format(target['label']), state='STOPPING (3/11 subtasks)',
                         elapsed=1.0, remaining=42.0)
        assert say.progress.wait(timeout=20)  # generous: a loaded machine schedules the ticker late

    kind.in_action = wait_a_while
    result = runner_for(stage_of(1), ledger, say, interval=0.02).quiesce(targets_of(1), 600)
    assert result['status'] == 'done'
    progress = [line for line in say.lines if 'elapsed' in line]
    assert len(progress) >= 2
    assert progress[0].startswith('[dbs] ob-1 (1): cluster ob-1 (1): STOPPING (3/11 subtasks); elapsed ')
    assert progress[0].endswith(', budget left 42s')
    assert not any(thread.name == 'quiesce-progress' for thread in threading.enumerate())  # the ticker ended


def test_an_action_naming_no_known_target_puts_the_whole_unit_in_the_ledger_first(kind, ledger, monkeypatch):
    """Should the library ever announce ids the runner cannot map, every target of the unit goes in before the send."""
    seen = []
    original = kind._act

    def act(target, verb, done):
        with _observer.announced_action('ocp', verb, ['no-such-id']):
            seen.append(status_on_disk(ledger, target['key']))
        return original(target, verb, done)

    monkeypatch.setattr(kind, '_act', act)
    runner_for(stage_of(1), ledger).quiesce(targets_of(1), 600)
    assert seen == ['intent']


def test_progress_lines_come_again_when_a_runner_waits_a_second_time(kind, ledger):
    say = Say()
    runner = runner_for(stage_of(1), ledger, say=say, interval=0.05)
    waited = threading.Event()

    def slow(target):
        waited.wait(0.3)

    kind.in_action = slow
    runner.quiesce(targets_of(1), 600)
    first = len([line for line in say.lines if 'elapsed' in line])
    entries = [dict(e) for e in ledger.pending()]
    runner.resume(entries, 600, post_start_grace=0)
    assert first >= 1 and len([line for line in say.lines if 'elapsed' in line]) > first
