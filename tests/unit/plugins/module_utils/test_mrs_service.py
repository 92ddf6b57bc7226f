# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils._envelopes import MRS_API
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AmbiguousRequestError,
    ApiError,
    OperationFailedError,
    UnconfirmedActionError,
    WaitTimeoutError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._mrs_client import (
    RUNNING_STATUSES,
    CommandProgress,
    ServiceStatus,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._waiter import PollSchedule
from ansible_collections.quiesce.lifecycle.tests.unit.plugins.module_utils import answers
from ansible_collections.quiesce.lifecycle.plugins.module_utils._mrs_service import (
    NOTHING,
    START,
    STOP,
    WAIT,
    ServiceRun,
    decide,
)

# The s8.4 table, written out: (desired, running status) -> action.
TABLE = {
    ('started', 'STARTED'): NOTHING,
    ('started', 'STOPPED'): START,
    ('started', 'START_FAILED'): START,
    ('started', 'STOP_FAILED'): START,
    ('started', 'UNKNOWN'): START,
    ('started', 'STARTING'): WAIT,
    ('started', 'STOPPING'): WAIT,
    ('stopped', 'STOPPED'): NOTHING,
    ('stopped', 'STARTED'): STOP,
    ('stopped', 'START_FAILED'): STOP,
    ('stopped', 'STOP_FAILED'): STOP,
    ('stopped', 'UNKNOWN'): STOP,
    ('stopped', 'STOPPING'): WAIT,
    ('stopped', 'STARTING'): WAIT,
}


def test_table_covers_every_desired_state_and_running_status():
    assert set(TABLE) == set((d, s) for d in ('started', 'stopped') for s in RUNNING_STATUSES)


@pytest.mark.parametrize('desired, running', sorted(TABLE))
def test_decide_follows_the_table(desired, running):
    assert decide(desired, running) == TABLE[(desired, running)]


def conflict():
    return ApiError(MRS_API, 'POST', '/x', 409, code=409, api_message='another operation is in progress')


def ambiguous():
    return AmbiguousRequestError(MRS_API, 'POST', '/x', 'connection dropped')


def refused():
    """A start/stop the Manager itself answered with its error envelope: the request has ended, unapplied."""
    return answers.refused(500, code=500, api=MRS_API)


class FakeMrs:
    """In-memory Manager: statuses change as commands are sent; scripted failures per send.

    Time is simulated: ``sleep`` advances ``clock``; the grace period after an unanswered POST is
    ``grace_seconds``.
    """

    poll_interval = 2.0
    grace_seconds = 0

    def __init__(self, statuses, cascade=None):
        self.now = 0.0
        self.sleeps = []
        self.statuses = dict(statuses)
        self.cascade = cascade or {}  # service -> others its only_self=false stop also stops
        self.sent = []
        self.send_effects = []  # per send: None (normal), or ('ambiguous', applied) or 'conflict'
        self.waited_commands = []
        self.command_failure = None
        self.ends_at = None  # override where a command leaves the service
        self.next_id = 100
        self.late = None

    def remaining_after(self, requests):
        return None  # no transport deadline (DeadlineMrs has one)

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds
        if self.late:
            self.late()
            self.late = None

    def grace(self, remaining):
        return min(remaining, self.grace_seconds)

    def schedule(self):
        return PollSchedule(initial=1.0)

    def service_status(self, name):
        return ServiceStatus(name, self.statuses[name], 'GOOD')

    def existing_services(self, names):
        return [self.service_status(n) for n in names if n in self.statuses]

    def _apply(self, name, verb, only_self):
        target = 'STARTED' if verb == 'start' else 'STOPPED'
        self.statuses[name] = self.ends_at or target
        if verb == 'stop' and not only_self:
            for other in self.cascade.get(name, []):
                self.statuses[other] = 'STOPPED'
        self.next_id += 1
        return CommandProgress(self.next_id, 'IN_PROGRESS')

    def _send(self, name, verb, only_self):
        self.sent.append((verb, name, only_self))
        effect = self.send_effects.pop(0) if self.send_effects else None
        if effect == 'conflict':
            raise conflict()
        if effect == 'late':  # the earlier, dropped command shows up now: the Manager is busy with it
            self._apply(name, verb, only_self)
            self.statuses[name] = 'STOPPING' if verb == 'stop' else 'STARTING'
            raise conflict()
        if effect == 'refused':
            raise refused()
        if effect == 'slow':  # no answer; the Manager applies it a moment later, as a slow request does
            self.late = lambda: self._apply(name, verb, only_self)
            raise ambiguous()
        if effect and effect[0] == 'ambiguous':
            if effect[1]:
                self._apply(name, verb, only_self)
                self.statuses[name] = 'STOPPING' if verb == 'stop' else 'STARTING'
            raise ambiguous()
        return self._apply(name, verb, only_self)

    def start_service(self, name, only_self):
        return self._send(name, 'start', only_self)

    def stop_service(self, name, only_self):
        return self._send(name, 'stop', only_self)

    def wait_for_command(self, command_id, timeout, what):
        self.waited_commands.append(command_id)
        if self.command_failure:
            raise self.command_failure
        return CommandProgress(command_id, 'COMPLETE', 100.0, steps=[what])

    def wait_until_settled(self, name, timeout):
        settle = {'STARTING': 'STARTED', 'STOPPING': 'STOPPED'}
        self.statuses[name] = settle.get(self.statuses[name], self.statuses[name])
        return self.service_status(name)


def run(fake, state, name='HBase', **kwargs):
    return ServiceRun(fake, name, clock=fake.clock, **kwargs).run(state)


@pytest.mark.parametrize('state, running, changed, sent', [
    ('stopped', 'STARTED', True, [('stop', 'HBase', True)]),
    ('stopped', 'STOPPED', False, []),
    ('stopped', 'STOPPING', False, []),
    ('stopped', 'STARTING', True, [('stop', 'HBase', True)]),
    ('stopped', 'START_FAILED', True, [('stop', 'HBase', True)]),
    ('started', 'STOPPED', True, [('start', 'HBase', True)]),
    ('started', 'STARTED', False, []),
    ('started', 'STARTING', False, []),
    ('started', 'STOPPING', True, [('start', 'HBase', True)]),
    ('started', 'UNKNOWN', True, [('start', 'HBase', True)]),
    ('restarted', 'STARTED', True, [('stop', 'HBase', True), ('start', 'HBase', True)]),
    ('restarted', 'STOPPED', True, [('start', 'HBase', True)]),
    ('restarted', 'STARTING', True, [('stop', 'HBase', True), ('start', 'HBase', True)]),
])
def test_real_run_and_check_mode_decide_alike(state, running, changed, sent):
    real, dry = FakeMrs({'HBase': running}), FakeMrs({'HBase': running})
    result = run(real, state)
    predicted = run(dry, state, check_mode=True)
    assert result['changed'] is changed and predicted['changed'] is changed
    assert real.sent == sent and dry.sent == []
    assert result['before']['running_status'] == running
    assert result['after']['running_status'] == predicted['after']['running_status']
    assert result['command_id'] == (real.next_id if sent else None)


def test_a_stop_follows_its_command_and_reports_it():
    fake = FakeMrs({'HBase': 'STARTED'})
    result = run(fake, 'stopped')
    assert fake.waited_commands == [101]
    assert result['commands'] == [dict(id=101, service='HBase', operation='stop', only_self=True, state='COMPLETE',
                                       total_progress=100.0, steps=['stop HBase'])]
    assert result['progress'] == 100.0 and 'other_services_changed' not in result


def test_a_status_the_caller_just_read_is_not_read_again():
    fake = FakeMrs({'HBase': 'STARTED'})
    reads = []
    read = fake.service_status
    fake.service_status = lambda name: reads.append(len(fake.sent)) or read(name)
    result = ServiceRun(fake, 'HBase', clock=fake.clock).run('stopped', before=ServiceStatus('HBase', 'STARTED', 'GOOD'))
    assert fake.sent == [('stop', 'HBase', True)] and 0 not in reads  # no read before the stop was sent
    assert result['before']['running_status'] == 'STARTED' and result['after']['running_status'] == 'STOPPED'
    # Decided on what it was given: a service the caller read as stopped is left alone.
    assert ServiceRun(fake, 'HBase', clock=fake.clock).run(
        'stopped', before=ServiceStatus('HBase', 'STOPPED', 'GOOD'))['changed'] is False


def test_no_wait_returns_once_accepted():
    fake = FakeMrs({'HBase': 'STARTED'})
    fake.ends_at = 'STOPPING'
    result = run(fake, 'stopped', wait=False)
    assert fake.waited_commands == [] and result['command_id'] == 101
    assert result['after']['running_status'] == 'STOPPING'


def test_dropped_stop_that_took_effect_is_followed_not_repeated():
    fake = FakeMrs({'HBase': 'STARTED'})
    fake.send_effects = [('ambiguous', True)]
    result = run(fake, 'stopped')
    assert fake.sent == [('stop', 'HBase', True)]
    assert result['changed'] is True and result['after']['running_status'] == 'STOPPED'
    assert result['commands'][0]['id'] is None and result['command_id'] is None


def test_unanswered_stop_that_shows_no_effect_is_not_sent_again_and_names_what_to_check():
    fake = FakeMrs({'HBase': 'STARTED'})
    fake.send_effects = [('ambiguous', False)]
    with pytest.raises(UnconfirmedActionError) as caught:
        run(fake, 'stopped')
    assert fake.sent == [('stop', 'HBase', True)]
    assert "MRS Manager's running commands and the running status of HBase" in str(caught.value)
    partial = caught.value.partial_result
    assert partial['changed'] is True and [t['outcome'] for t in partial['changed_targets']] == ['unknown']


def test_slow_stop_applied_after_the_client_gave_up_is_followed_not_sent_twice():
    fake = FakeMrs({'HBase': 'STARTED'})
    fake.grace_seconds = 30
    fake.send_effects = ['slow']
    result = run(fake, 'stopped')
    assert fake.sent == [('stop', 'HBase', True)]
    assert result['changed'] and result['after']['running_status'] == 'STOPPED' and result['command_id'] is None


def test_stop_the_manager_refused_is_sent_once_more():
    fake = FakeMrs({'HBase': 'STARTED'})
    fake.send_effects = ['refused']
    result = run(fake, 'stopped')
    assert fake.sent == [('stop', 'HBase', True)] * 2
    assert result['command_id'] == 101


def test_stop_the_manager_refused_twice_fails_with_its_error():
    fake = FakeMrs({'HBase': 'STARTED'})
    fake.send_effects = ['refused', 'refused']
    with pytest.raises(ApiError) as caught:
        run(fake, 'stopped')
    assert len(fake.sent) == 2 and caught.value.http_status == 500 and caught.value.code == 500
    assert caught.value.partial_result['changed'] is False


def test_refused_stop_whose_resend_meets_another_command_backs_off_and_decides_again():
    # The refused stop was not applied; the 409 comes from another command, which stops HBase itself.
    fake = FakeMrs({'HBase': 'STARTED'})
    fake.send_effects = ['refused', 'late']
    result = run(fake, 'stopped')
    assert len(fake.sent) == 2 and result['command_id'] is None
    assert result['after']['running_status'] == 'STOPPED' and result['changed'] is False


def test_conflict_backs_off_and_retries_until_accepted():
    fake = FakeMrs({'HBase': 'STARTED'})
    fake.send_effects = ['conflict', 'conflict', 'conflict']
    result = run(fake, 'stopped')
    assert len(fake.sent) == 4 and result['after']['running_status'] == 'STOPPED'
    assert fake.sleeps == [2.0, 4.0, 8.0]


def test_conflicts_until_the_budget_ends_fail_naming_the_likely_blocker():
    fake = FakeMrs({'HBase': 'STARTED', 'Loader': 'STOPPING', 'Hue': 'STARTED'})
    fake.send_effects = ['conflict'] * 50
    with pytest.raises(WaitTimeoutError) as caught:
        run(fake, 'stopped', wait_timeout=60, only_self=False, watch=['Loader', 'Hue'])
    message = str(caught.value)
    assert message.startswith('Timed out after 60s waiting for MRS Manager to accept stop HBase')
    assert 'HTTP 409' in message and 'likely blocking: Loader STOPPING' in message
    assert sum(fake.sleeps) == 60 and max(fake.sleeps) <= 30
    assert caught.value.partial_result['changed'] is False


def test_conflict_without_a_visible_blocker_says_where_to_look():
    fake = FakeMrs({'HBase': 'STARTED'})
    fake.send_effects = ['conflict'] * 50
    with pytest.raises(WaitTimeoutError) as caught:
        run(fake, 'stopped', wait_timeout=5, watch=[])
    assert 'no service read is STARTING or STOPPING (read: HBase)' in str(caught.value)


class DeadlineMrs(FakeMrs):
    """A Manager behind a transport whose deadline is ``deadline`` (each request given 0.5 s at least)."""

    deadline = None
    reads_fail_after_send = False

    def remaining_after(self, requests):
        return None if self.deadline is None else self.deadline - self.now - requests * 0.5

    def service_status(self, name):
        if self.reads_fail_after_send and self.sent:
            raise answers.out_of_time()
        return FakeMrs.service_status(self, name)


def test_an_unanswered_stop_with_no_time_left_to_read_back_is_unknown_and_names_the_deadline():
    fake = DeadlineMrs({'HBase': 'STARTED'})
    fake.reads_fail_after_send = True
    fake.send_effects = [('ambiguous', False)]
    with pytest.raises(UnconfirmedActionError) as caught:
        run(fake, 'stopped')
    assert fake.sent == [('stop', 'HBase', True)]
    assert 'the deadline set by wait_timeout came before anything showed that it was' in str(caught.value)
    partial = caught.value.partial_result
    # reported as sent, outcome unknown: not as if nothing had been done
    assert partial['changed'] is True and [t['outcome'] for t in partial['changed_targets']] == ['unknown']


def test_conflicts_stop_backing_off_while_the_deadline_still_leaves_time_to_name_the_blocker():
    fake = DeadlineMrs({'HBase': 'STARTED', 'Loader': 'STOPPING'})
    fake.deadline = 60.0
    fake.send_effects = ['conflict'] * 50
    with pytest.raises(WaitTimeoutError) as caught:
        run(fake, 'stopped', wait_timeout=60, watch=['Loader'])
    assert 'likely blocking: Loader STOPPING' in str(caught.value)
    assert sum(fake.sleeps) == 59.0  # the last second is kept for the reads that name it


def test_a_blocker_that_cannot_be_read_in_time_is_said_so():
    fake = DeadlineMrs({'HBase': 'STARTED'})
    fake.reads_fail_after_send = True
    fake.send_effects = ['conflict'] * 50
    with pytest.raises(WaitTimeoutError) as caught:
        run(fake, 'stopped', wait_timeout=0, watch=[])
    assert 'likely blocking: not read (OCP API: GET /x was not sent' in str(caught.value)


def test_results_carry_the_shared_vocabulary():
    fake = FakeMrs({'HBase': 'STARTED', 'Loader': 'STARTED'}, cascade={'HBase': ['Loader']})
    result = run(fake, 'stopped', only_self=False, watch=['Loader'])
    assert result['follow_up'] == [{'type': 'mrs_command', 'id': 101, 'status': 'COMPLETE', 'targets': ['HBase'],
                                    'attached': False}]
    assert result['changed_targets'] == [
        {'type': 'mrs_service', 'id': 'HBase', 'name': 'HBase', 'action': 'stop', 'before': 'STARTED',
         'after': 'STOPPED', 'outcome': 'changed'},
        {'type': 'mrs_service', 'id': 'Loader', 'name': 'Loader', 'action': 'stop', 'before': 'STARTED',
         'after': 'STOPPED', 'outcome': 'changed', 'cascade_of': 'HBase'}]
    restart = run(FakeMrs({'HBase': 'STARTED'}), 'restarted')
    assert [t['action'] for t in restart['changed_targets']] == ['restart']
    assert [f['id'] for f in restart['follow_up']] == [101, 102]
    assert run(FakeMrs({'HBase': 'STARTED'}), 'stopped', check_mode=True)['changed_targets'][0]['outcome'] == \
        'would_change'
    assert run(FakeMrs({'HBase': 'STOPPED'}), 'stopped')['changed_targets'] == []


def test_failed_command_carries_what_was_done():
    fake = FakeMrs({'HBase': 'STOPPED'})
    fake.command_failure = OperationFailedError('command 101 failed', command_id=101)
    with pytest.raises(OperationFailedError) as caught:
        run(fake, 'started')
    partial = caught.value.partial_result
    assert partial['changed'] is True and partial['before']['running_status'] == 'STOPPED'
    assert partial['command_id'] == 101 and partial['commands'][0]['operation'] == 'start'


def test_completed_command_that_leaves_the_wrong_status_fails():
    fake = FakeMrs({'HBase': 'STOPPED'})
    fake.ends_at = 'START_FAILED'
    with pytest.raises(OperationFailedError) as caught:
        run(fake, 'started')
    assert 'START_FAILED' in str(caught.value) and 'command 101' in str(caught.value)


def test_only_self_false_reports_what_else_changed_read_back():
    fake = FakeMrs({'HBase': 'STARTED', 'Loader': 'STARTED', 'HDFS': 'STARTED'}, cascade={'HBase': ['Loader']})
    result = run(fake, 'stopped', only_self=False, watch=['HDFS', 'Loader', 'Storm'])
    assert fake.sent == [('stop', 'HBase', False)]
    assert result['other_services_changed'] == [dict(name='Loader', before='STARTED', after='STOPPED')]


def test_only_self_false_in_check_mode_reads_no_others():
    fake = FakeMrs({'HBase': 'STARTED', 'Loader': 'STARTED'}, cascade={'HBase': ['Loader']})
    result = run(fake, 'stopped', only_self=False, check_mode=True, watch=['Loader'])
    assert 'other_services_changed' not in result and fake.sent == []


def test_restart_with_cascade_starts_the_dependents_it_stopped():
    fake = FakeMrs({'HBase': 'STARTED', 'Loader': 'STARTED', 'Hue': 'STOPPED'}, cascade={'HBase': ['Loader', 'Hue']})
    result = run(fake, 'restarted', only_self=False, watch=['Loader', 'Hue'])
    assert fake.sent == [('stop', 'HBase', False), ('start', 'HBase', False), ('start', 'Loader', False)]
    assert fake.statuses == {'HBase': 'STARTED', 'Loader': 'STARTED', 'Hue': 'STOPPED'}
    assert result['other_services_changed'] == [dict(name='Loader', before='STARTED', after='STARTED')]
    assert [c['service'] for c in result['commands']] == ['HBase', 'HBase', 'Loader']


def test_timeout_names_the_configured_wait_timeout_and_the_command():
    fake = FakeMrs({'HBase': 'STARTED'})
    fake.command_failure = WaitTimeoutError('command 101 to finish', 12.34, last_state='IN_PROGRESS, total_progress 40%',
                                            follow_up={'command_id': 101})
    with pytest.raises(WaitTimeoutError) as caught:
        run(fake, 'stopped', wait_timeout=60)
    assert str(caught.value).startswith('Timed out after 60s waiting for command 101 to finish')
    assert 'total_progress 40%' in str(caught.value) and 'command_id=101' in str(caught.value)
    assert caught.value.partial_result['command_id'] == 101
