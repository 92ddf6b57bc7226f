# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AmbiguousRequestError,
    ApiError,
    OperationFailedError,
    OptionError,
    QuiesceError,
    UnconfirmedActionError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_state import (
    AGENT_EVIDENCE,
    CLUSTER_STATUSES,
    ClusterDecision,
    Deadline,
    decide_agent,
    decide_cluster,
    decide_process,
    ensure_agent,
    ensure_cluster,
    ensure_processes,
    plan_processes,
    submit_task_action,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._waiter import PollSchedule
from ansible_collections.quiesce.lifecycle.tests.unit.plugins.module_utils.answers import out_of_time, refused, unanswered

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


class FakeOcpBase:
    """What every fake OCP shares: the real refusal judgement, no grace (one look), instant polls."""

    agent_path_style = 'prefixed'
    schedule = PollSchedule(initial=0.001, maximum=0.001)
    grace_seconds = 0

    def grace(self, remaining):
        return min(remaining, self.grace_seconds)


class FakeOcp(FakeOcpBase):
    """An in-memory OCP for the runners: clusters with tasks that finish when polled.

    ``ambiguous`` scripts the first action: 'after' (accepted, answer lost), 'before' (never reached OCP,
    no answer), 'refused' (OCP's own 500, not applied; 'refused2' twice), 'late' (no answer; OCP applies it
    at the third look, as a slow request does after the client gave up).
    """

    def __init__(self, status='RUNNING', running_task=None, ambiguous=None, task_fails=False):
        self.cluster = {'id': 42, 'name': 'ob-prod', 'status': status}
        self.running = running_task
        self.ambiguous = ambiguous
        self.task_fails = task_fails
        self.tasks = {}
        self.posts = []
        self.waited = []
        self.late = None
        self.looks = 0

    def get_cluster(self, cluster_id):
        return dict(self.cluster)

    def running_task(self, scope, scope_id):
        assert (scope, scope_id) == ('clusterId', 42)
        return self.running

    def tasks_since(self, scope, scope_id, baseline):
        self.looks += 1
        if self.late and self.looks >= 3:
            self.late()
            self.late = None
        return sorted((t for t in self.tasks.values() if t['id'] > baseline), key=lambda t: t['id'])

    def newest_task_id(self, scope, scope_id):
        return max(self.tasks) if self.tasks else 0

    def get_task(self, task_id):
        return self.tasks[task_id]

    def cluster_action(self, cluster_id, action):
        self.posts.append(action)
        task = {'id': 100 + len(self.posts), 'name': action, 'status': 'RUNNING', 'subtasks': []}
        mode, self.ambiguous = self.ambiguous, {'refused2': 'refused'}.get(self.ambiguous)
        if mode == 'before':
            raise unanswered()
        if mode in ('refused', 'refused2'):
            raise refused()
        if mode == 'late':
            self.late = lambda: self._apply(task, action)
            raise unanswered()
        self._apply(task, action)
        if mode == 'after':
            raise unanswered()
        return task, 'trace-' + action

    def _apply(self, task, action):
        self.tasks[task['id']] = task
        self.cluster['status'] = {'stop': 'STOPPING', 'start': 'STARTING', 'restart': 'RESTARTING'}[action]
        self.pending = {'stop': 'STOPPED', 'start': 'RUNNING', 'restart': 'RUNNING'}[action]

    def wait_task(self, task, timeout, target=None):
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


def test_slow_request_applied_after_the_client_gave_up_is_followed_not_sent_twice():
    # The first look shows nothing (OCP has not processed the request yet); the task appears later.
    fake = FakeOcp('RUNNING', ambiguous='late')
    fake.grace_seconds = 5
    result = run(fake, 'stopped')
    assert fake.posts == ['stop'] and fake.waited == [101]
    assert result['changed'] and result['follow_up'][0]['id'] == 101


def test_unanswered_request_that_leaves_no_trace_is_not_sent_again_and_names_what_to_check():
    fake = FakeOcp('RUNNING', ambiguous='before')
    with pytest.raises(UnconfirmedActionError) as caught:
        run(fake, 'stopped')
    assert fake.posts == ['stop']
    assert 'GET /api/v2/tasks/instances?clusterId=42' in str(caught.value)
    partial = caught.value.partial_result
    assert partial['changed'] is True and partial['after'] is None
    assert [t['outcome'] for t in partial['changed_targets']] == ['unknown']


class OutOfTimeOcp(FakeOcp):
    """The action's answer took what the deadline left: every read after it finds no time to be sent."""

    def tasks_since(self, scope, scope_id, baseline):
        raise out_of_time()


def test_unanswered_request_with_no_time_left_to_look_is_unknown_and_names_the_deadline():
    fake = OutOfTimeOcp('RUNNING', ambiguous='after')
    with pytest.raises(UnconfirmedActionError) as caught:
        run(fake, 'stopped')
    assert fake.posts == ['stop']
    assert 'the deadline set by wait_timeout came before anything showed' in str(caught.value)
    assert 'GET /api/v2/tasks/instances?clusterId=42' in str(caught.value)
    partial = caught.value.partial_result
    assert partial['changed'] is True and [t['outcome'] for t in partial['changed_targets']] == ['unknown']


def test_request_ocp_refused_without_a_trace_is_sent_once_more():
    fake = FakeOcp('RUNNING', ambiguous='refused')
    result = run(fake, 'stopped')
    assert fake.posts == ['stop', 'stop'] and result['changed'] and result['task']['id'] == 102


def test_request_ocp_refused_twice_fails_with_its_error_and_no_change():
    fake = FakeOcp('RUNNING', ambiguous='refused2')
    with pytest.raises(ApiError) as caught:
        run(fake, 'stopped')
    assert fake.posts == ['stop', 'stop']
    assert caught.value.http_status == 500 and caught.value.request_id == 'tr'
    assert caught.value.partial_result is None  # provably nothing was applied


def test_results_carry_the_shared_vocabulary():
    result = run(FakeOcp('RUNNING'), 'stopped')
    assert result['follow_up'] == [{'type': 'ocp_task', 'id': 101, 'status': 'SUCCESSFUL', 'targets': [42],
                                    'attached': False}]
    assert result['changed_targets'] == [{'type': 'ocp_cluster', 'id': 42, 'name': 'ob-prod', 'action': 'stop',
                                          'before': 'RUNNING', 'after': 'STOPPED', 'outcome': 'changed'}]
    assert run(FakeOcp('RUNNING'), 'stopped', check_mode=True)['changed_targets'][0]['outcome'] == 'would_change'
    assert run(FakeOcp('RUNNING'), 'stopped', wait=False)['changed_targets'][0]['outcome'] == 'submitted'
    assert run(FakeOcp('STOPPED'), 'stopped')['changed_targets'] == []


def test_every_documented_cluster_status_is_known():
    assert CLUSTER_STATUSES == frozenset(['RUNNING', 'CREATING', 'DELETING', 'STARTING', 'RESTARTING', 'STOPPING',
                                          'STOPPED', 'TAKINGOVER', 'MOVINGOUT', 'SWITCHOVER', 'FAILOVER', 'OPERATING'])


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


class FakeAgent(FakeOcpBase):
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


def test_processes_the_caller_just_listed_are_not_listed_again():
    fake = FakeAgent(PROCESSES)
    listed = fake.list_agent_processes(1001)
    lists = []
    fake.list_agent_processes = lambda host_id: lists.append(host_id) or [dict(p) for p in fake.processes]
    result = ensure_processes(fake, {'id': 1001}, ['obstat2', 'ob_cleaner'], 'started', processes=listed)
    assert lists == [] and fake.posts == [(187, 'restart')]
    assert [p['before'] for p in result['processes']] == ['STARTED', 'STOPPED']


def test_an_agent_the_caller_just_listed_is_not_listed_again_before_its_task():
    fake = FakeHostAgent()
    listed = fake.list_agent_processes(1001)
    lists = []
    read = fake.list_agent_processes
    fake.list_agent_processes = lambda host_id: lists.append(host_id) or read(host_id)
    result = ensure_agent(fake, fake.get_host(1001), 'stopped', processes=listed)
    assert fake.posts == ['stop'] and lists == [1001]  # only the confirming read after the task
    assert [(p['before'], p['after']) for p in result['processes']] == [('STARTED', 'STOPPED')] * 2


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


class Unapplied(FakeAgent):
    """Process calls that fail as scripted per process id ('refused' or 'unanswered'), without effect."""

    def __init__(self, processes, script):
        FakeAgent.__init__(self, processes)
        self.script = dict(script)

    def process_action(self, host_id, process_id, action):
        outcomes = self.script.get(process_id)
        if not outcomes:
            return FakeAgent.process_action(self, host_id, process_id, action)
        self.posts.append((process_id, action))
        raise refused() if outcomes.pop(0) == 'refused' else unanswered()


def test_a_process_call_ocp_refused_is_sent_once_more_at_once():
    fake = Unapplied(PROCESSES, {185: ['refused']})
    result = ensure_processes(fake, {'id': 1001}, ['obstat2'], 'stopped')
    assert fake.posts == [(185, 'stop'), (185, 'stop')]
    assert result['changed'] and result['processes'][0]['after'] == 'STOPPED'


def test_a_process_call_ocp_refused_twice_fails_with_its_error_and_no_change():
    fake = Unapplied(PROCESSES, {185: ['refused', 'refused']})
    with pytest.raises(ApiError) as caught:
        ensure_processes(fake, {'id': 1001}, ['obstat2'], 'stopped')
    assert fake.posts == [(185, 'stop'), (185, 'stop')] and caught.value.http_status == 500
    assert caught.value.partial_result['changed'] is False and caught.value.partial_result['processes'] == []


def test_an_unanswered_process_call_that_shows_no_effect_is_not_repeated_and_reported_unknown():
    # obstat2 is stopped; ob_logtailer's stop gets no answer and the process never changes: it may still be
    # applied later, so it is reported as changed with an unknown outcome (a ledger restores it).
    fake = Unapplied(PROCESSES, {186: ['unanswered']})
    with pytest.raises(UnconfirmedActionError) as caught:
        ensure_processes(fake, {'id': 1001}, ['obstat2', 'ob_logtailer'], 'stopped')
    assert fake.posts == [(185, 'stop'), (186, 'stop')]
    assert 'status and pid of agent process ob_logtailer on host 1001' in str(caught.value)
    partial = caught.value.partial_result
    assert [(p['alias'], p['changed'], p['after']) for p in partial['processes']] == [
        ('obstat2', True, 'STOPPED'), ('ob_logtailer', True, None)]
    assert [(t['name'], t['outcome']) for t in partial['changed_targets']] == [('obstat2', 'changed'),
                                                                               ('ob_logtailer', 'unknown')]


def test_process_results_carry_the_shared_vocabulary():
    result = ensure_processes(FakeAgent(PROCESSES), {'id': 1001}, ['obstat2', 'ob_cleaner'], 'stopped')
    assert result['follow_up'] == []
    assert result['changed_targets'] == [{'type': 'ocp_agent_process', 'id': 185, 'name': 'obstat2', 'host_id': 1001,
                                          'action': 'stop', 'before': 'STARTED', 'after': 'STOPPED',
                                          'outcome': 'changed'}]


@pytest.mark.parametrize('statuses, state, expected', [
    (['STARTED', 'STOPPED'], 'stopped', 'stop'), (['STOPPED', 'STOPPED'], 'stopped', None),
    (['STARTED', 'STOPPED'], 'started', 'restart'), (['STARTED'], 'started', None),
    (['STARTED'], 'restarted', 'restart')])
def test_decide_agent(statuses, state, expected):
    assert decide_agent([{'status': s} for s in statuses], state) == expected


class HiddenTaskOcp(FakeOcpBase):
    """OCP accepted the action but its task list does not show the task (lag, or a reading without it)."""

    def __init__(self, status_after):
        self.status_after = status_after
        self.posts = 0

    def newest_task_id(self, scope, scope_id):
        return 0

    def tasks_since(self, scope, scope_id, baseline):
        return []

    def running_task(self, scope, scope_id):
        return None

    def get_host(self, host_id):
        return {'id': host_id, 'hostAgentStatus': self.status_after}

    def post(self):
        self.posts += 1
        raise unanswered()


def submit_stop(fake):
    return submit_task_action(fake, 'hostId', 1001, fake.post, lambda: fake.get_host(1001)['hostAgentStatus'],
                              AGENT_EVIDENCE['stop'], Deadline(30), 'the OCP Agent stop of host 1001')


@pytest.mark.parametrize('status_after', ['STOPPING', 'OFFLINE'])
def test_ambiguous_action_whose_effect_shows_is_not_sent_again(status_after):
    fake = HiddenTaskOcp(status_after)
    assert submit_stop(fake) == (None, None) and fake.posts == 1


def test_ambiguous_action_without_any_effect_is_never_sent_again():
    # A read timeout: OCP may still apply it. Sending it again could stop the agent twice.
    fake = HiddenTaskOcp('AVAILABLE')
    with pytest.raises(UnconfirmedActionError) as caught:
        submit_stop(fake)
    assert fake.posts == 1
    assert "GET /api/v2/tasks/instances?hostId=1001) and the host's hostAgentStatus" in str(caught.value)


# ---------------------------------------------------------------------------- host-level agent

class FakeHostAgent(FakeOcpBase):
    """One host whose agent task runs until waited for; ``hostAgentStatus`` as in ocp.md s5.8."""

    def __init__(self, agent_status='AVAILABLE', process_status='STARTED', running=None, leaves=None,
                 drop=False):
        self.host = {'id': 1001, 'name': 'ob-1', 'hostAgentStatus': agent_status}
        self.processes = [proc(180, 'ocp_agentd', process_status, operable=False), proc(185, 'obstat2', process_status)]
        self.running = running  # a task already running on the host (with the status it leaves)
        self.leaves = leaves  # override what a task leaves the processes in
        self.drop = drop
        self.tasks = {}
        self.posts = []
        self.waited = []

    def list_agent_processes(self, host_id):
        return [dict(p) for p in self.processes]

    def get_host(self, host_id):
        return dict(self.host)

    def newest_task_id(self, scope, scope_id):
        return max(self.tasks) if self.tasks else 0

    def tasks_since(self, scope, scope_id, baseline):
        return sorted((t for t in self.tasks.values() if t['id'] > baseline), key=lambda t: t['id'])

    def running_task(self, scope, scope_id):
        assert (scope, scope_id) == ('hostId', 1001)
        return self.running

    def get_task(self, task_id):
        return self.tasks[task_id]

    def agent_action(self, host_id, action):
        self.posts.append(action)
        task = {'id': 300 + len(self.posts), 'name': action, 'status': 'RUNNING', 'subtasks': []}
        self.tasks[task['id']] = task
        self.host['hostAgentStatus'] = 'STOPPING' if action == 'stop' else 'RESTARTING'
        if self.drop:
            raise unanswered()
        return task, 'trace-agent'

    def wait_task(self, task, timeout, target=None):
        self.waited.append(task['id'])
        status = self.host['hostAgentStatus']
        self.host['hostAgentStatus'] = {'STOPPING': 'OFFLINE', 'RESTARTING': 'AVAILABLE'}.get(status, status)
        left = self.leaves or {'STOPPING': 'STOPPED', 'RESTARTING': 'STARTED'}.get(status)
        for process in self.processes:
            process['status'] = left or process['status']
        return dict(task, status='SUCCESSFUL')

    def wait_host_agent_status(self, host_id, is_done, timeout, what):
        assert is_done(self.host['hostAgentStatus']), 'the fake settles agents in wait_task'
        return dict(self.host)


def test_agent_stop_waits_and_confirms_every_process_with_the_shared_vocabulary():
    fake = FakeHostAgent()
    result = ensure_agent(fake, fake.get_host(1001), 'stopped')
    assert fake.posts == ['stop'] and fake.waited == [301]
    assert [p['after'] for p in result['processes']] == ['STOPPED', 'STOPPED']
    assert result['follow_up'] == [{'type': 'ocp_task', 'id': 301, 'status': 'SUCCESSFUL', 'targets': [1001],
                                    'attached': False}]
    assert result['changed_targets'] == [{'type': 'ocp_host_agent', 'id': 1001, 'name': 'ob-1', 'action': 'stop',
                                          'before': 'AVAILABLE', 'after': 'OFFLINE', 'outcome': 'changed'}]


def test_agent_lost_answer_follows_the_task_it_created():
    fake = FakeHostAgent(drop=True)
    result = ensure_agent(fake, fake.get_host(1001), 'stopped')
    assert fake.posts == ['stop'] and fake.waited == [301]
    assert result['changed'] and result['task']['id'] == 301
    assert [p['after'] for p in result['processes']] == ['STOPPED', 'STOPPED']


def test_agent_task_that_leaves_processes_running_is_not_reported_as_success():
    fake = FakeHostAgent(leaves='STARTED')
    with pytest.raises(OperationFailedError) as caught:
        ensure_agent(fake, fake.get_host(1001), 'stopped')
    assert 'agent processes are not STOPPED' in str(caught.value) and 'task 301 SUCCESSFUL' in str(caught.value)
    partial = caught.value.partial_result
    assert partial['changed'] is True and partial['changed_targets'][0]['outcome'] == 'failed'
    # What the processes ended in is not known from a failed run: never reported as if stopped.
    assert [(p['changed'], p['after']) for p in partial['processes']] == [(True, None), (True, None)]


def test_stopping_agent_is_followed_not_stopped_again():
    running = {'id': 77, 'name': 'Stop OCP agent', 'status': 'RUNNING', 'subtasks': []}
    fake = FakeHostAgent('STOPPING', running=running)
    result = ensure_agent(fake, fake.get_host(1001), 'stopped')
    assert fake.posts == [] and fake.waited == [77] and not result['changed']
    assert [(p['before'], p['after']) for p in result['processes']] == [('STARTED', 'STOPPED')] * 2
    assert result['follow_up'] == [{'type': 'ocp_task', 'id': 77, 'status': 'SUCCESSFUL', 'targets': [1001],
                                    'attached': True}]


def test_stopping_agent_asked_started_is_waited_for_then_restarted():
    running = {'id': 77, 'name': 'Stop OCP agent', 'status': 'RUNNING', 'subtasks': []}
    fake = FakeHostAgent('STOPPING', running=running)
    result = ensure_agent(fake, fake.get_host(1001), 'started')
    assert fake.posts == ['restart'] and fake.waited == [77, 301] and result['changed']
    assert [p['after'] for p in result['processes']] == ['STARTED', 'STARTED']


def test_restarting_agent_without_wait_reports_the_running_task():
    running = {'id': 77, 'name': 'Restart OCP agent', 'status': 'RUNNING', 'subtasks': []}
    fake = FakeHostAgent('RESTARTING', process_status='STOPPED', running=running)
    result = ensure_agent(fake, fake.get_host(1001), 'started', wait=False)
    assert fake.posts == [] and fake.waited == [] and not result['changed']
    assert result['follow_up'][0]['attached'] is True and result['follow_up'][0]['status'] == 'RUNNING'


def test_check_mode_predicts_what_a_transition_leaves():
    fake = FakeHostAgent('STOPPING', running={'id': 77, 'status': 'RUNNING', 'subtasks': []})
    result = ensure_agent(fake, fake.get_host(1001), 'stopped', check_mode=True)
    assert fake.posts == [] and fake.waited == [] and not result['changed']
    result = ensure_agent(fake, fake.get_host(1001), 'started', check_mode=True)
    assert result['changed'] and result['changed_targets'][0]['outcome'] == 'would_change'


@pytest.mark.parametrize('status', ['REINTSTALLING', 'DELETED'])
def test_agent_owned_by_another_operation_fails_before_anything(status):
    fake = FakeHostAgent(status)
    for run_it in (lambda: ensure_agent(fake, fake.get_host(1001), 'stopped'),
                   lambda: ensure_processes(fake, fake.get_host(1001), ['obstat2'], 'stopped')):
        with pytest.raises(QuiesceError) as caught:
            run_it()
        assert status in str(caught.value)
    assert fake.posts == []


def test_process_call_while_the_agent_restarts_waits_for_the_restart():
    running = {'id': 78, 'name': 'Restart OCP agent', 'status': 'RUNNING', 'subtasks': []}
    fake = FakeHostAgent('RESTARTING', running=running)
    fake.process_action = lambda host_id, process_id, action: (
        fake.posts.append((process_id, action)) or ({'id': process_id, 'status': 'STOPPED', 'pid': 0}, 'tr'))
    result = ensure_processes(fake, fake.get_host(1001), ['obstat2'], 'stopped')
    assert fake.waited == [78] and fake.posts == [(185, 'stop')]
    assert result['follow_up'][0]['id'] == 78 and result['follow_up'][0]['attached'] is True
