# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AmbiguousRequestError,
    OperationFailedError,
    OptionError,
    QuiesceError,
    WaitTimeoutError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_state import (
    AGENT_EVIDENCE,
    ClusterDecision,
    decide_agent,
    decide_cluster,
    decide_process,
    ensure_cluster,
    ensure_processes,
    plan_processes,
    submit_task_action,
)

STATES = ['started', 'stopped', 'restarted']
BUSY = ['CREATING', 'DELETING', 'TAKINGOVER', 'MOVINGOUT', 'SWITCHOVER', 'FAILOVER', 'OPERATING']


@pytest.mark.parametrize('status, state, expected', [
    ('RUNNING', 'started', ClusterDecision()),
    ('STOPPED', 'started', ClusterDecision('start')),
    ('RUNNING', 'stopped', ClusterDecision('stop')),
    ('STOPPED', 'stopped', ClusterDecision()),
    ('RUNNING', 'restarted', ClusterDecision('restart')),
    ('STOPPED', 'restarted', ClusterDecision('start')),
    ('STARTING', 'started', ClusterDecision(None, True, 'RUNNING')),
    ('RESTARTING', 'started', ClusterDecision(None, True, 'RUNNING')),
    ('STOPPING', 'started', ClusterDecision('start', True, 'STOPPED')),
    ('STOPPING', 'stopped', ClusterDecision(None, True, 'STOPPED')),
    ('STARTING', 'stopped', ClusterDecision('stop', True, 'RUNNING')),
    ('RESTARTING', 'stopped', ClusterDecision('stop', True, 'RUNNING')),
    ('STARTING', 'restarted', ClusterDecision('restart', True, 'RUNNING')),
    ('STOPPING', 'restarted', ClusterDecision('start', True, 'STOPPED')),
])
def test_decide_cluster_stable_and_transitional(status, state, expected):
    assert decide_cluster(status, state) == expected


@pytest.mark.parametrize('state', STATES)
@pytest.mark.parametrize('status', BUSY)
def test_busy_statuses_are_never_acted_on(status, state):
    decision = decide_cluster(status, state)
    assert decision.action is None and not decision.wait_first
    assert status in decision.error and 'another operation' in decision.error


@pytest.mark.parametrize('state', STATES)
@pytest.mark.parametrize('status', ['ABANDONED', None, '', 'running'])
def test_unknown_statuses_are_never_acted_on(status, state):
    decision = decide_cluster(status, state)
    assert decision.action is None and 'not one this module knows' in decision.error


class FakeOcp:
    """An in-memory OCP for the runners: clusters with tasks that finish when polled."""

    agent_path_style = 'prefixed'

    def __init__(self, status='RUNNING', running_task=None, ambiguous=None, task_fails=False):
        self.cluster = {'id': 42, 'name': 'ob-prod', 'status': status}
        self.running = running_task
        self.ambiguous = ambiguous  # 'after' (accepted, answer lost) or 'before' (never reached OCP)
        self.task_fails = task_fails
        self.tasks = {}
        self.posts = []
        self.waited = []

    def get_cluster(self, cluster_id):
        return dict(self.cluster)

    def running_task(self, scope, scope_id):
        assert (scope, scope_id) == ('clusterId', 42)
        return self.running

    def tasks_of(self, scope, scope_id, status=None, max_pages=None):
        return sorted(self.tasks.values(), key=lambda t: -t['id'])

    def newest_task_id(self, scope, scope_id):
        return max(self.tasks) if self.tasks else 0

    def get_task(self, task_id):
        return self.tasks[task_id]

    def cluster_action(self, cluster_id, action):
        self.posts.append(action)
        task = {'id': 100 + len(self.posts), 'name': action, 'status': 'RUNNING', 'subtasks': []}
        if self.ambiguous == 'before':
            self.ambiguous = None
            raise AmbiguousRequestError('OCP', 'POST', '/x', 'dropped')
        self.tasks[task['id']] = task
        self.cluster['status'] = {'stop': 'STOPPING', 'start': 'STARTING', 'restart': 'RESTARTING'}[action]
        self.pending = {'stop': 'STOPPED', 'start': 'RUNNING', 'restart': 'RUNNING'}[action]
        if self.ambiguous == 'after':
            self.ambiguous = None
            raise AmbiguousRequestError('OCP', 'POST', '/x', 'dropped')
        return task, 'trace-' + action

    def wait_task(self, task, timeout):
        self.waited.append(task['id'])
        if self.task_fails:
            raise OperationFailedError('task {0} failed'.format(task['id']), task_id=task['id'])
        self.cluster['status'] = getattr(self, 'pending', None) or {
            'STOPPING': 'STOPPED', 'STARTING': 'RUNNING', 'RESTARTING': 'RUNNING'}[self.cluster['status']]
        return dict(task, status='SUCCESSFUL')

    def wait_cluster_status(self, cluster_id, is_done, timeout, what):
        assert is_done(self.cluster['status'])
        return dict(self.cluster)


def run(fake, state, **kwargs):
    return ensure_cluster(fake, fake.get_cluster(42), state, **kwargs)


def test_stop_acts_waits_and_reports_task_and_trace_id():
    fake = FakeOcp('RUNNING')
    result = run(fake, 'stopped')
    assert fake.posts == ['stop'] and fake.waited == [101]
    assert result['changed'] and result['before']['status'] == 'RUNNING' and result['after']['status'] == 'STOPPED'
    assert result['task']['id'] == 101 and result['task']['status'] == 'SUCCESSFUL'
    assert result['trace_id'] == 'trace-stop'


def test_already_in_state_sends_nothing():
    fake = FakeOcp('STOPPED')
    result = run(fake, 'stopped')
    assert fake.posts == [] and not result['changed']


@pytest.mark.parametrize('status, state, changed, after', [
    ('RUNNING', 'stopped', True, 'STOPPED'), ('STOPPED', 'stopped', False, 'STOPPED'),
    ('STOPPING', 'started', True, 'RUNNING'), ('STOPPING', 'stopped', False, 'STOPPED'),
    ('RUNNING', 'restarted', True, 'RUNNING')])
def test_check_mode_decides_like_a_real_run_without_acting_or_waiting(status, state, changed, after):
    fake = FakeOcp(status)
    result = run(fake, state, check_mode=True)
    assert (result['changed'], result['after']['status']) == (changed, after)
    assert fake.posts == [] and fake.waited == []


def test_stopping_cluster_is_followed_not_stopped_again():
    running = {'id': 77, 'name': 'Stop OB cluster', 'status': 'RUNNING', 'subtasks': []}
    fake = FakeOcp('STOPPING', running_task=running)
    result = run(fake, 'stopped')
    assert fake.posts == [] and fake.waited == [77]
    assert not result['changed'] and result['after']['status'] == 'STOPPED'
    assert result['attached_task']['id'] == 77


def test_stopping_cluster_asked_started_is_waited_for_then_started():
    running = {'id': 77, 'name': 'Stop OB cluster', 'status': 'RUNNING', 'subtasks': []}
    fake = FakeOcp('STOPPING', running_task=running)
    result = run(fake, 'started')
    assert fake.posts == ['start'] and fake.waited == [77, 101]
    assert result['changed'] and result['after']['status'] == 'RUNNING'


def test_failed_own_task_still_reports_the_change():
    fake = FakeOcp('RUNNING', task_fails=True)
    with pytest.raises(OperationFailedError) as caught:
        run(fake, 'stopped')
    assert caught.value.partial_result['changed'] is True
    assert caught.value.partial_result['task']['id'] == 101
    assert caught.value.partial_result['trace_id'] == 'trace-stop'


def test_failed_transition_of_someone_else_is_reported_and_nothing_sent():
    running = {'id': 77, 'name': 'Stop OB cluster', 'status': 'RUNNING', 'subtasks': []}
    fake = FakeOcp('STOPPING', running_task=running, task_fails=True)
    with pytest.raises(OperationFailedError) as caught:
        run(fake, 'started')
    assert 'STOPPING when this module looked' in str(caught.value) and fake.posts == []


def test_dropped_answer_after_accepted_stop_follows_the_task_and_never_posts_twice():
    fake = FakeOcp('RUNNING', ambiguous='after')
    result = run(fake, 'stopped')
    assert fake.posts == ['stop'] and fake.waited == [101]
    assert result['changed'] and result['after']['status'] == 'STOPPED' and result['task']['id'] == 101


def test_request_lost_before_ocp_saw_it_is_sent_once_more():
    fake = FakeOcp('RUNNING', ambiguous='before')
    result = run(fake, 'stopped')
    assert fake.posts == ['stop', 'stop'] and result['changed']


@pytest.mark.parametrize('status', BUSY + ['ABANDONED'])
def test_busy_or_unknown_cluster_fails_before_any_action(status):
    fake = FakeOcp(status)
    with pytest.raises(QuiesceError) as caught:
        run(fake, 'stopped')
    assert status in str(caught.value) and fake.posts == []


def test_no_wait_returns_right_after_the_action():
    fake = FakeOcp('RUNNING')
    result = run(fake, 'stopped', wait=False)
    assert fake.posts == ['stop'] and fake.waited == []
    assert result['task']['status'] == 'RUNNING' and result['after']['status'] == 'STOPPING'


# ---------------------------------------------------------------------------- agent processes

def proc(pid_id, alias, status='STARTED', operable=True, pid=4000):
    return {'id': pid_id, 'alias': alias, 'status': status, 'operable': operable,
            'pid': pid if status == 'STARTED' else 0}


@pytest.mark.parametrize('status, state, expected', [
    ('STARTED', 'started', None), ('STOPPED', 'started', 'restart'),  # no start endpoint: restart starts
    ('STARTED', 'stopped', 'stop'), ('STOPPED', 'stopped', None),
    ('STARTED', 'restarted', 'restart'), ('STOPPED', 'restarted', 'restart')])
def test_decide_process(status, state, expected):
    assert decide_process(proc(1, 'obstat2', status), state) == (expected, None)


def test_inoperable_process_is_never_acted_on():
    action, problem = decide_process(proc(1, 'ocp_agentd', operable=False), 'stopped')
    assert action is None and 'operable=false' in problem
    # Already as asked: nothing to do, nothing to complain about.
    assert decide_process(proc(1, 'ocp_agentd', operable=False), 'started') == (None, None)


PROCESSES = [proc(180, 'ocp_agentd', operable=False), proc(181, 'pos_proxy', operable=False),
             proc(185, 'obstat2'), proc(186, 'ob_logtailer'), proc(187, 'ob_cleaner', 'STOPPED')]


def test_plan_all_skips_inoperable_and_reports_why():
    actions, skipped = plan_processes(PROCESSES, ['all'], 'stopped')
    assert [(p['alias'], a) for p, a in actions] == [('obstat2', 'stop'), ('ob_logtailer', 'stop'),
                                                     ('ob_cleaner', None)]
    assert [s['alias'] for s in skipped] == ['ocp_agentd', 'pos_proxy']


def test_plan_named_inoperable_fails_before_anything():
    with pytest.raises(OptionError) as caught:
        plan_processes(PROCESSES, ['obstat2', 'ocp_agentd'], 'stopped')
    assert 'ocp_agentd' in str(caught.value)


def test_plan_by_id_and_unknown_name():
    actions, _skipped = plan_processes(PROCESSES, ['186'], 'stopped')
    assert actions[0][0]['alias'] == 'ob_logtailer'
    with pytest.raises(OptionError) as caught:
        plan_processes(PROCESSES, ['obstat3'], 'stopped')
    assert 'obstat2' in str(caught.value)  # the message lists what exists


class FakeAgent:
    agent_path_style = 'prefixed'

    def __init__(self, processes, drop=False):
        self.processes = [dict(p) for p in processes]
        self.posts = []
        self.drop = drop

    def list_agent_processes(self, host_id):
        return [dict(p) for p in self.processes]

    def process_action(self, host_id, process_id, action):
        self.posts.append((process_id, action))
        process = next(p for p in self.processes if p['id'] == process_id)
        process.update(status='STOPPED', pid=0) if action == 'stop' else process.update(status='STARTED', pid=9999)
        if self.drop:
            raise AmbiguousRequestError('OCP', 'POST', '/x', 'dropped')
        return dict(process), 'trace-%d' % process_id


def test_processes_act_only_where_needed_with_per_process_results():
    fake = FakeAgent(PROCESSES)
    result = ensure_processes(fake, {'id': 1001}, ['obstat2', 'ob_cleaner'], 'started')
    assert fake.posts == [(187, 'restart')]
    assert result['changed']
    by_alias = dict((p['alias'], p) for p in result['processes'])
    assert by_alias['obstat2']['changed'] is False and by_alias['obstat2']['after'] == 'STARTED'
    assert by_alias['ob_cleaner']['action'] == 'restart' and by_alias['ob_cleaner']['after'] == 'STARTED'
    assert by_alias['ob_cleaner']['trace_id'] == 'trace-187'


def test_processes_check_mode_sends_nothing():
    fake = FakeAgent(PROCESSES)
    result = ensure_processes(fake, {'id': 1001}, ['all'], 'stopped', check_mode=True)
    assert fake.posts == [] and result['changed']
    assert [p['after'] for p in result['processes']] == ['STOPPED', 'STOPPED', 'STOPPED']


def test_dropped_process_call_is_watched_not_repeated():
    fake = FakeAgent(PROCESSES, drop=True)
    result = ensure_processes(fake, {'id': 1001}, ['obstat2'], 'restarted')
    assert fake.posts == [(185, 'restart')]
    assert result['processes'][0]['after'] == 'STARTED' and result['processes'][0]['pid'] == 9999


def test_failure_midway_reports_the_processes_already_changed():
    class Failing(FakeAgent):
        def process_action(self, host_id, process_id, action):
            if process_id == 186:
                raise QuiesceError('OCP API error: HTTP 400')
            return FakeAgent.process_action(self, host_id, process_id, action)

    with pytest.raises(QuiesceError) as caught:
        ensure_processes(Failing(PROCESSES), {'id': 1001}, ['obstat2', 'ob_logtailer'], 'stopped')
    partial = caught.value.partial_result
    assert partial['changed'] and [p['alias'] for p in partial['processes']] == ['obstat2']


def test_a_process_whose_call_was_lost_is_reported_changed_with_the_failure():
    # obstat2 is stopped; ob_logtailer's stop lands but its answer is lost and wait=false does not
    # watch it: it may be stopped, so the partial result must name it as changed (a ledger restores it).
    class DropSecond(FakeAgent):
        def process_action(self, host_id, process_id, action):
            self.drop = process_id == 186
            return FakeAgent.process_action(self, host_id, process_id, action)

    with pytest.raises(AmbiguousRequestError) as caught:
        ensure_processes(DropSecond(PROCESSES), {'id': 1001}, ['obstat2', 'ob_logtailer'], 'stopped', wait=False)
    processes = caught.value.partial_result['processes']
    assert [(p['alias'], p['changed']) for p in processes] == [('obstat2', True), ('ob_logtailer', True)]
    assert processes[1]['after'] is None


def test_a_lost_call_watched_until_the_timeout_is_reported_changed():
    class DropStuck(FakeAgent):
        def process_action(self, host_id, process_id, action):
            self.posts.append((process_id, action))
            raise AmbiguousRequestError('OCP', 'POST', '/x', 'dropped')  # the process never shows the stop

    with pytest.raises(WaitTimeoutError) as caught:
        ensure_processes(DropStuck(PROCESSES), {'id': 1001}, ['obstat2'], 'stopped', timeout=0)
    assert [(p['alias'], p['changed']) for p in caught.value.partial_result['processes']] == [('obstat2', True)]


@pytest.mark.parametrize('statuses, state, expected', [
    (['STARTED', 'STOPPED'], 'stopped', 'stop'), (['STOPPED', 'STOPPED'], 'stopped', None),
    (['STARTED', 'STOPPED'], 'started', 'restart'), (['STARTED'], 'started', None),
    (['STARTED'], 'restarted', 'restart')])
def test_decide_agent(statuses, state, expected):
    assert decide_agent([{'status': s} for s in statuses], state) == expected


class HiddenTaskOcp:
    """OCP accepted the action but its task list does not show the task (filters unsupported, lag)."""

    def __init__(self, status_after):
        self.status_after = status_after
        self.posts = 0

    def newest_task_id(self, scope, scope_id):
        return 0

    def tasks_of(self, scope, scope_id, status=None, max_pages=None):
        return []

    def running_task(self, scope, scope_id):
        return None

    def get_host(self, host_id):
        return {'id': host_id, 'hostAgentStatus': self.status_after}

    def post(self):
        self.posts += 1
        raise AmbiguousRequestError('OCP', 'POST', '/x', 'read timeout')


@pytest.mark.parametrize('status_after, posts', [('STOPPING', 1), ('OFFLINE', 1)])
def test_ambiguous_action_whose_effect_shows_is_not_sent_again(status_after, posts):
    fake = HiddenTaskOcp(status_after)
    task, trace = submit_task_action(fake, 'hostId', 1001, fake.post,
                                     lambda: fake.get_host(1001)['hostAgentStatus'] in AGENT_EVIDENCE['stop'])
    assert (task, trace, fake.posts) == (None, None, posts)


def test_ambiguous_action_without_any_effect_is_sent_once_more_and_then_reported():
    fake = HiddenTaskOcp('AVAILABLE')
    with pytest.raises(AmbiguousRequestError):
        submit_task_action(fake, 'hostId', 1001, fake.post,
                           lambda: fake.get_host(1001)['hostAgentStatus'] in AGENT_EVIDENCE['stop'])
    assert fake.posts == 2
