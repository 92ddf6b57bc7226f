# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The power procedure against an in-memory BMS: batching, idempotency, races, partial failure, lost answers."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_power import (
    PowerRun,
    power_diff,
    raise_for_failures,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_state import parse_job
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AmbiguousRequestError,
    ApiError,
    NotFoundError,
    OperationFailedError,
    WaitTimeoutError,
)
from ansible_collections.quiesce.lifecycle.tests.unit.plugins.module_utils.test_waiter import FakeClock

END = {'os-stop': 'SHUTOFF', 'os-start': 'ACTIVE', 'reboot': 'ACTIVE'}
NEEDS = {'os-stop': ('ACTIVE',), 'os-start': ('SHUTOFF',), 'reboot': ('ACTIVE',)}
WRONG = {'os-stop': 'BMS.0039', 'os-start': 'BMS.0038', 'reboot': 'BMS.0039'}


class FakeBms:
    """Servers and jobs in memory. Jobs finish on their second poll; a transition started by someone
    else finishes after ``transition_reads`` reads."""

    def __init__(self, servers, concurrency=4):
        self.servers = dict((s['id'], dict(s, updated=s.get('updated', 't0'))) for s in servers)
        self.concurrency = concurrency
        self.calls = []
        self.jobs = {}
        self.reads = 0
        self.fail_servers = {}  # id -> (code, reason) for the sub-job
        self.mode = 'async'  # or 'sync': wrong-state servers reject the whole call
        self.drop_after = 0  # the next N calls are applied, then the answer is lost
        self.drop_before = 0  # the next N calls are lost before they reach the API
        self.flip_on_submit = {}  # id -> status another actor sets just before our call lands
        self.pending_transitions = {}  # id -> [reads left, final status]
        self.job_not_found_polls = 0
        self.lock = threading.Lock()

    def _tick(self):
        for server_id, entry in list(self.pending_transitions.items()):
            entry[0] -= 1
            if entry[0] <= 0:
                self.servers[server_id].update(status=entry[1], **{'OS-EXT-STS:task_state': None, 'updated': 't2'})
                del self.pending_transitions[server_id]

    def read_servers(self, ids, selection=None):
        with self.lock:
            self.reads += 1
            self._tick()
            return dict((i, dict(self.servers[i]) if i in self.servers else None) for i in ids)

    def submit(self, action, ids, power_type):
        assert 1 <= len(ids) <= 1000
        with self.lock:
            self.calls.append((action, list(ids), power_type))
            for server_id, status in list(self.flip_on_submit.items()):
                if server_id in ids:
                    self.servers[server_id].update(status=status, updated='t1')
                    del self.flip_on_submit[server_id]
            if self.drop_before:
                self.drop_before -= 1
                raise AmbiguousRequestError('BMS', 'POST', '/action', 'connection reset')
            wrong = [i for i in ids if i not in self.servers or self.servers[i]['status'] not in NEEDS[action]]
            if wrong and self.mode == 'sync':
                raise ApiError('BMS', 'POST', '/action', 400, code=WRONG[action], api_message='wrong state')
            job_id = 'job-{0}'.format(len(self.jobs) + 1)
            subs = []
            for server_id in ids:
                if server_id in wrong:
                    subs.append((server_id, 'FAIL', WRONG[action], 'wrong state'))
                elif server_id in self.fail_servers:
                    code, reason = self.fail_servers[server_id]
                    subs.append((server_id, 'FAIL', code, reason))
                    self.servers[server_id]['updated'] = 't1'
                else:
                    subs.append((server_id, 'SUCCESS', None, None))
                    self.servers[server_id].update(status=END[action], updated='t1')
            self.jobs[job_id] = {'subs': subs, 'polls': 0}
            if self.drop_after:
                self.drop_after -= 1
                raise AmbiguousRequestError('BMS', 'POST', '/action', 'connection reset after sending')
            return job_id

    def get_job(self, job_id):
        with self.lock:
            job = self.jobs[job_id]
            job['polls'] += 1
            if job['polls'] <= self.job_not_found_polls:
                raise NotFoundError('BMS', 'GET', '/jobs', 404, code='BMS.JOB_NOT_FOUND')
            done = job['polls'] > self.job_not_found_polls + 1
            subs = [{'status': status if done else 'RUNNING', 'entities': {'server_id': sid}, 'job_id': 's-' + sid,
                     'error_code': code if done else None, 'fail_reason': reason if done else None}
                    for sid, status, code, reason in job['subs']]
            status = ('FAIL' if any(s[1] == 'FAIL' for s in job['subs']) else 'SUCCESS') if done else 'RUNNING'
            return parse_job({'job_id': job_id, 'status': status, 'entities': {'sub_jobs': subs}})


def fleet(count, status='ACTIVE', prefix='s'):
    return [{'id': '{0}{1:05d}'.format(prefix, n), 'name': 'node{0}'.format(n), 'status': status} for n in range(count)]


def run(fake, ids, desired, clock=None, **kwargs):
    kwargs.setdefault('poll_interval', 0.01)
    clock = clock or FakeClock()
    return PowerRun(fake, desired, clock=clock, sleep=clock.sleep, **kwargs).run(ids)


@pytest.mark.parametrize('count, calls', [(999, [999]), (1000, [1000]), (1001, [1000, 1]),
                                          (2500, [1000, 1000, 500])])
def test_servers_are_sent_in_as_few_calls_as_the_1000_limit_allows(count, calls):
    fake = FakeBms(fleet(count))
    report = run(fake, list(fake.servers), 'stopped')
    assert sorted((len(c[1]) for c in fake.calls), reverse=True) == calls
    assert sorted(i for c in fake.calls for i in c[1]) == sorted(fake.servers)
    assert report['summary']['changed'] == count and report['summary']['failed'] == 0
    assert all(s['status'] == 'SHUTOFF' for s in fake.servers.values())
    assert all(r['job_id'] and r['sub_job_status'] == 'SUCCESS' for r in report['servers'])
    assert len(report['jobs']) == len(calls)


def test_a_rerun_sends_nothing_and_reports_unchanged():
    fake = FakeBms(fleet(1200))
    run(fake, list(fake.servers), 'stopped')
    calls = len(fake.calls)
    report = run(fake, list(fake.servers), 'stopped')
    assert len(fake.calls) == calls
    assert report['summary'] == dict(targets=1200, changed=0, unchanged=1200, would_change=0, submitted=0, failed=0)


def test_only_servers_not_in_the_state_are_acted_on_and_type_is_passed():
    servers = fleet(5) + fleet(3, 'SHUTOFF', prefix='off')
    fake = FakeBms(servers)
    report = run(fake, [s['id'] for s in servers], 'stopped', power_type='SOFT')
    assert [(a, sorted(ids), t) for a, ids, t in fake.calls] == [('os-stop', sorted(s['id'] for s in fleet(5)), 'SOFT')]
    assert report['summary']['changed'] == 5 and report['summary']['unchanged'] == 3


def test_check_mode_decides_per_server_and_sends_nothing():
    servers = fleet(3) + fleet(2, 'SHUTOFF', prefix='off') + [
        {'id': 'stopping', 'status': 'ACTIVE', 'OS-EXT-STS:task_state': 'powering-off'},
        {'id': 'starting', 'status': 'SHUTOFF', 'OS-EXT-STS:task_state': 'powering-on'},
        {'id': 'broken', 'status': 'ERROR'}]
    fake = FakeBms(servers)
    report = run(fake, [s['id'] for s in servers] + ['ghost'], 'stopped', check_mode=True)
    assert fake.calls == []
    outcomes = dict((r['id'], r['outcome']) for r in report['servers'])
    assert outcomes == {'s00000': 'would_change', 's00001': 'would_change', 's00002': 'would_change',
                        'off00000': 'unchanged', 'off00001': 'unchanged', 'stopping': 'unchanged',
                        'starting': 'would_change', 'broken': 'failed', 'ghost': 'failed'}
    before, after = power_diff(report, 'stopped', True)
    assert before['s00000'] == 'on' and after['s00000'] == 'off' and after['off00000'] == 'off'
    assert before['ghost'] == 'missing'


def test_a_partial_job_failure_names_each_failed_server_and_keeps_the_others():
    fake = FakeBms(fleet(10))
    fake.fail_servers = {'s00003': ('BMS.0006', 'Failed to operate the BMS.'),
                         's00007': ('BMS.3037', 'Insufficient resources')}
    report = run(fake, list(fake.servers), 'stopped')
    assert report['summary']['changed'] == 8 and report['summary']['failed'] == 2
    failed = dict((f['id'], (f['error_code'], f['reason'])) for f in report['failed_servers'])
    assert failed == {'s00003': ('BMS.0006', 'Failed to operate the BMS.'), 's00007': ('BMS.3037', 'Insufficient resources')}
    with pytest.raises(OperationFailedError) as caught:
        raise_for_failures(report, 'stopped', {'servers': report['servers']})
    message = str(caught.value)
    assert '2 of 10 server(s) could not be stopped (8 changed' in message
    assert 's00003 (node3): Failed to operate the BMS. [BMS.0006]' in message and 'BMS.3037' in message
    # The job to follow up is named with each failed server (and kept in failed_servers).
    job_id = report['jobs'][0]['job_id']
    assert message.count('(job {0})'.format(job_id)) == 2
    assert [f['job_id'] for f in report['failed_servers']] == [job_id, job_id]
    assert len(caught.value.partial_result['servers']) == 10
    changed = sorted(r['id'] for r in report['servers'] if r['changed'])
    assert changed == sorted(set(fake.servers) - {'s00003', 's00007'})  # what a role must restore
    assert len(fake.calls) == 1  # a real failure is not retried


def test_race_inside_the_job_counts_as_success_not_changed():
    fake = FakeBms(fleet(4))
    fake.flip_on_submit = {'s00001': 'SHUTOFF'}  # someone else stopped it between our read and our call
    report = run(fake, list(fake.servers), 'stopped')
    record = dict((r['id'], r) for r in report['servers'])['s00001']
    assert record['outcome'] == 'unchanged' and record['sub_job_status'] == 'FAIL'
    assert record['error_code'] == 'BMS.0039'
    assert report['summary'] == dict(targets=4, changed=3, unchanged=1, would_change=0, submitted=0, failed=0)
    assert len(fake.calls) == 1


def test_synchronous_wrong_state_rejection_rereads_and_resends_only_the_rest_once():
    fake = FakeBms(fleet(1500))
    fake.mode = 'sync'
    fake.flip_on_submit = {'s00010': 'SHUTOFF', 's01200': 'SHUTOFF'}
    report = run(fake, list(fake.servers), 'stopped')
    sizes = [len(c[1]) for c in fake.calls]
    # both first calls rejected (one racing server each), then the 1498 others resent, re-chunked
    assert sorted(sizes[:2]) == [500, 1000] and sorted(sizes[2:]) == [498, 1000]
    resent = set(i for c in fake.calls[2:] for i in c[1])
    assert 's00010' not in resent and 's01200' not in resent
    assert report['summary']['changed'] == 1498 and report['summary']['unchanged'] == 2
    assert report['summary']['failed'] == 0


def test_a_server_still_in_the_wrong_state_after_one_resend_is_failed_not_resent_forever():
    fake = FakeBms(fleet(2))
    fake.mode = 'sync'
    original_submit = fake.submit

    def always_racing(action, ids, power_type):
        fake.servers['s00000']['status'] = 'ACTIVE'
        fake.servers['s00001']['status'] = 'SHUTOFF'
        try:
            return original_submit(action, ids, power_type)
        finally:
            fake.servers['s00001']['status'] = 'ACTIVE'
    fake.submit = always_racing
    report = run(fake, ['s00000', 's00001'], 'stopped')
    assert len(fake.calls) == 2
    assert report['summary']['failed'] == 2
    assert 'sent again once' in report['failed_servers'][0]['reason']


def test_lost_answer_after_the_action_was_accepted_does_not_resend_the_same_servers():
    fake = FakeBms(fleet(2500))
    fake.drop_after = 1
    report = run(fake, list(fake.servers), 'stopped')
    sent = [i for c in fake.calls for i in c[1]]
    assert len(sent) == len(set(sent)) == 2500  # every server exactly once
    assert len(fake.calls) == 3
    assert report['summary']['changed'] == 2500 and report['summary']['failed'] == 0
    followed = [r for r in report['servers'] if r['job_id'] is None]
    assert len(followed) in (500, 1000)
    assert all('followed by state' in r['reason'] for r in followed)


def test_an_ambiguous_action_without_any_sign_is_not_sent_again_and_fails_naming_the_cause():
    # Unchanged status, idle and the same `updated` prove nothing (bms.md does not document `updated` to change
    # on an action): the call may still be applied. It is never sent again; each server fails saying so.
    fake = FakeBms(fleet(3))
    fake.drop_before = 1
    clock = FakeClock()
    report = run(fake, list(fake.servers), 'stopped', clock=clock, request_timeout=2.0)
    assert [len(c[1]) for c in fake.calls] == [3]
    assert report['summary']['failed'] == 3
    reason = report['failed_servers'][0]['reason']
    assert 'outcome is unknown (connection reset)' in reason and 'not sent again' in reason
    assert 'bms_info server_ids=[s00000]' in reason
    assert all(r['changed'] for r in report['servers'])  # a ledger restores them: they may have been powered
    assert 10.0 <= clock.now <= 11.0  # followed for the grace period, no longer


def test_an_action_applied_after_its_answer_was_given_up_on_is_followed_not_sent_again():
    # The simulator's "slow" fault in miniature: the call times out, the servers begin to stop a few reads later.
    fake = FakeBms(fleet(2))
    fake.drop_before = 1
    real_submit = fake.submit

    def slow_submit(action, ids, power_type):
        try:
            return real_submit(action, ids, power_type)
        finally:
            for server_id in ids:
                fake.pending_transitions[server_id] = [3, 'SHUTOFF']
    fake.submit = slow_submit
    report = run(fake, list(fake.servers), 'stopped', request_timeout=2.0)
    assert len(fake.calls) == 1
    assert report['summary']['changed'] == 2 and report['summary']['failed'] == 0
    assert all('followed by state' in r['reason'] for r in report['servers'])


def test_a_persistent_server_error_on_the_action_keeps_its_cause_and_says_the_outcome_is_unknown():
    fake = FakeBms(fleet(1))

    def failing_submit(action, ids, power_type):
        fake.calls.append((action, list(ids), power_type))
        raise AmbiguousRequestError('Huawei Cloud BMS', 'POST', '/v1/p/baremetalservers/action', 'HTTP 500',
                                    http_status=500, code='BMS.9999', api_message='internal error', request_id='rq-7')
    fake.submit = failing_submit
    report = run(fake, list(fake.servers), 'stopped')
    assert len(fake.calls) == 1
    failed = report['failed_servers'][0]
    assert failed['error_code'] == 'BMS.9999'
    for text in ('outcome is unknown', 'HTTP 500', 'BMS.9999', 'internal error', 'request id rq-7'):
        assert text in failed['reason']
    with pytest.raises(OperationFailedError) as caught:
        raise_for_failures(report, 'stopped', {})
    assert 'HTTP 500' in str(caught.value) and 'rq-7' in str(caught.value)


def test_action_calls_are_sent_one_after_the_other():
    fake = FakeBms(fleet(3500))
    in_flight, most = [0], [0]
    real_submit = fake.submit

    def watched_submit(action, ids, power_type):
        in_flight[0] += 1
        most[0] = max(most[0], in_flight[0])
        try:
            threading.Event().wait(0.02)
            return real_submit(action, ids, power_type)
        finally:
            in_flight[0] -= 1
    fake.submit = watched_submit
    report = run(fake, list(fake.servers), 'stopped')
    assert len(fake.calls) == 4 and most[0] == 1
    assert report['summary']['changed'] == 3500


def test_lost_answer_of_a_reboot_that_already_finished_is_not_rebooted_again():
    fake = FakeBms(fleet(2))
    fake.drop_after = 1
    report = run(fake, list(fake.servers), 'restarted')
    assert len(fake.calls) == 1
    assert report['summary']['changed'] == 2


def test_transitions_are_waited_through_then_decided_again():
    servers = [{'id': 'a', 'status': 'SHUTOFF', 'OS-EXT-STS:task_state': 'powering-on'},
               {'id': 'b', 'status': 'ACTIVE', 'OS-EXT-STS:task_state': 'powering-off'},
               {'id': 'c', 'status': 'ACTIVE'}]
    fake = FakeBms(servers)
    fake.pending_transitions = {'a': [2, 'ACTIVE'], 'b': [2, 'SHUTOFF']}
    report = run(fake, ['a', 'b', 'c'], 'stopped')
    outcomes = dict((r['id'], r['outcome']) for r in report['servers'])
    assert outcomes == {'a': 'changed', 'b': 'unchanged', 'c': 'changed'}
    assert sorted(i for c in fake.calls for i in c[1]) == ['a', 'c']
    assert all(c[0] == 'os-stop' for c in fake.calls)


def test_wait_false_returns_job_ids_at_once():
    fake = FakeBms(fleet(1001))
    report = run(fake, list(fake.servers), 'stopped', wait=False)
    assert len(report['jobs']) == 2 and all(job['status'] is None for job in report['jobs'])
    assert report['summary']['submitted'] == 1001
    assert all(job['polls'] == 0 for job in fake.jobs.values())


def test_a_fresh_job_not_yet_readable_is_polled_again():
    fake = FakeBms(fleet(2))
    fake.job_not_found_polls = 2
    assert run(fake, list(fake.servers), 'stopped')['summary']['changed'] == 2


def test_a_job_that_stays_unknown_fails_after_a_few_polls():
    fake = FakeBms(fleet(2))
    fake.job_not_found_polls = 10
    with pytest.raises(NotFoundError) as caught:
        run(fake, list(fake.servers), 'stopped')
    assert caught.value.partial_result['servers'][0]['job_id'] == 'job-1'


def test_timeout_names_the_jobs_to_follow_up_and_keeps_the_report():
    fake = FakeBms(fleet(2))
    fake.get_job = lambda job_id: parse_job({'job_id': job_id, 'status': 'RUNNING', 'entities': {}})
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds
    runner = PowerRun(fake, 'stopped', timeout=30, poll_interval=1, clock=lambda: now[0], sleep=sleep)
    with pytest.raises(WaitTimeoutError) as caught:
        runner.run(list(fake.servers))
    assert 'job-1' in str(caught.value) and 'RUNNING' in str(caught.value)
    assert caught.value.partial_result['jobs'][0]['job_id'] == 'job-1'


def test_restarted_reboots_running_and_starts_stopped_servers():
    servers = fleet(2) + fleet(1, 'SHUTOFF', prefix='off')
    fake = FakeBms(servers)
    report = run(fake, [s['id'] for s in servers], 'restarted')
    assert sorted((a, len(ids)) for a, ids, unused_type in fake.calls) == [('os-start', 1), ('reboot', 2)]
    assert report['summary']['changed'] == 3


def test_servers_touched_by_a_lost_call_count_as_changed_when_the_run_times_out():
    # The action landed (the servers start powering off) but its answer was lost; the servers are
    # followed by state and the wait runs out while they are still stopping. They may end up off,
    # so a role's ledger must get them: changed, not a plain failure it would never restore.
    fake = FakeBms(fleet(2))

    def submit(action, ids, power_type):
        with fake.lock:
            fake.calls.append((action, list(ids), power_type))
            for server_id in ids:
                fake.servers[server_id].update({'OS-EXT-STS:task_state': 'powering-off', 'updated': 't1'})
        raise AmbiguousRequestError('BMS', 'POST', '/action', 'connection reset after sending')
    fake.submit = submit
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds
    runner = PowerRun(fake, 'stopped', timeout=30, poll_interval=1, clock=lambda: now[0], sleep=sleep)
    with pytest.raises(WaitTimeoutError) as caught:
        runner.run(list(fake.servers))
    assert len(fake.calls) == 1  # followed, never sent again
    servers = caught.value.partial_result['servers']
    assert [r['outcome'] for r in servers] == ['failed', 'failed']
    assert [r['changed'] for r in servers] == [True, True]
