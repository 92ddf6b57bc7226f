# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The stage kinds against in-memory APIs, through the library code the modules run.

The library's results here carry no deprecated key (``command_id``, ``progress``, ``other_services_changed``,
``task``, ``attached_task``, ``job_ids``: removed in 0.3.0): every run goes through the real ``ServiceRun``,
``ensure_cluster``, ``ensure_processes`` and ``ensure_agent``, and what they return (or attach to an error)
is stripped of those keys before the window sees it. The window must still record every follow-up id and
every service MRS stopped along with the asked one, from ``follow_up`` and ``changed_targets`` alone.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils import _ocp_state
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import OperationFailedError, QuiesceError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._mrs_client import CommandProgress, ServiceStatus
from ansible_collections.quiesce.lifecycle.plugins.module_utils._mrs_service import ServiceRun
from ansible_collections.quiesce.lifecycle.plugins.module_utils._waiter import PollSchedule
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_kinds as kinds

DEPRECATED = frozenset(['command_id', 'progress', 'other_services_changed', 'task', 'attached_task', 'job_ids'])


class Aliases:
    """Strips the deprecated keys off the library's results and notes which ones it found."""

    def __init__(self):
        self.removed = set()

    def strip(self, result):
        if isinstance(result, dict):
            self.removed.update(DEPRECATED & set(result))
            result = dict((k, v) for k, v in result.items() if k not in DEPRECATED)
        return result

    def wrap(self, function):
        def run(*args, **kwargs):
            try:
                return self.strip(function(*args, **kwargs))
            except QuiesceError as err:
                err.partial_result = self.strip(err.partial_result)
                raise
        return run


@pytest.fixture
def aliases(monkeypatch):
    """The window's library calls, as they will answer once the aliases are removed."""
    stripper = Aliases()

    class VocabularyOnlyServiceRun(ServiceRun):
        def run(self, state, **kwargs):
            return stripper.wrap(super(VocabularyOnlyServiceRun, self).run)(state, **kwargs)

    monkeypatch.setattr(kinds, 'ServiceRun', VocabularyOnlyServiceRun)
    for name in ('ensure_cluster', 'ensure_processes', 'ensure_agent'):
        monkeypatch.setattr(kinds, name, stripper.wrap(getattr(_ocp_state, name)))
    return stripper


def session(client):
    return SimpleNamespace(client=client, cache={}, endpoint=SimpleNamespace(params={}))


def clock():
    return 0.0


# --------------------------------------------------------------------------- MRS

class FakeManager:
    """One MRS Manager: commands end when waited for; a stop with only_self=false also stops the dependents."""

    cluster_id = 1
    poll_interval = 0.001

    def __init__(self, statuses, dependents=None, fail_command=None):
        self.statuses = dict(statuses)
        self.dependents = dependents or {}
        self.fail_command = fail_command  # a service whose command fails
        self.posts = []
        self.reads = []
        self.next_id = 100
        self.pending = {}

    def service_status(self, name):
        self.reads.append(name)
        return ServiceStatus(name, self.statuses[name], 'GOOD')

    def remaining_after(self, requests):
        return None  # no transport deadline

    def existing_services(self, names):
        return [ServiceStatus(n, self.statuses[n], 'GOOD') for n in names if n in self.statuses]

    def cluster_health(self):
        return 'GOOD'

    def _post(self, name, verb, only_self):
        self.posts.append((verb, name, only_self))
        self.next_id += 1
        done = 'STOPPED' if verb == 'stop' else 'STARTED'
        names = [name] + (self.dependents.get(name, []) if verb == 'stop' and not only_self else [])
        for other in names:
            self.statuses[other] = 'STOPPING' if verb == 'stop' else 'STARTING'
        self.pending[self.next_id] = (names, done, name)
        return CommandProgress(self.next_id, 'IN_PROGRESS', 0.0)

    def stop_service(self, name, only_self):
        return self._post(name, 'stop', only_self)

    def start_service(self, name, only_self):
        return self._post(name, 'start', only_self)

    def wait_for_command(self, command_id, timeout, what):
        names, done, asked = self.pending.pop(command_id)
        if asked == self.fail_command:
            for other in names:
                self.statuses[other] = 'STOP_FAILED' if done == 'STOPPED' else 'START_FAILED'
            raise OperationFailedError('MRS Manager: command {0} ({1}) failed'.format(command_id, what),
                                       command_id=command_id)
        for other in names:
            self.statuses[other] = done
        return CommandProgress(command_id, 'COMPLETE', 100.0, steps=[what])

    def wait_until_settled(self, name, timeout):
        return ServiceStatus(name, self.statuses[name], 'GOOD')

    def grace(self, remaining):
        return 0

    def sleep(self, seconds):
        pass

    def schedule(self):
        return PollSchedule(initial=0.001, maximum=0.001)


MRS_STAGE = {'name': 'apps', 'kind': 'mrs_service'}


def mrs_targets(mrs, stage, services):
    kind = kinds.KINDS['mrs_service']
    return [t for s in services for t in kind.resolve(mrs, stage, 'mrs-prod', {'service': s})]


def test_an_mrs_cascade_and_its_command_are_read_from_the_shared_vocabulary(aliases):
    fake = FakeManager({'Hive': 'STARTED', 'Hue': 'STARTED', 'Spark2x': 'STARTED', 'HDFS': 'STARTED'},
                       dependents={'Hive': ['Hue', 'Spark2x']})
    mrs = session(fake)
    stage = dict(MRS_STAGE, only_self=False)
    kind = kinds.KINDS['mrs_service']
    outcomes, cascades = kind.stop(mrs, stage, mrs_targets(mrs, stage, ['Hive']), 60, False, clock)
    assert {'command_id', 'other_services_changed'} <= aliases.removed
    assert outcomes['mrs_service:mrs-prod:1:Hive'] == {
        'outcome': 'stopped', 'after': 'STOPPED', 'error': None, 'follow_up': {'command_id': 101}}
    assert sorted((c['label'], c['cascade_of'], c['before']) for c in cascades) == [
        ('Hue', 'Hive', 'STARTED'), ('Spark2x', 'Hive', 'STARTED')]
    assert sorted(c['key'] for c in cascades) == ['mrs_service:mrs-prod:1:Hue', 'mrs_service:mrs-prod:1:Spark2x']
    assert fake.posts == [('stop', 'Hive', False)]
    # Resume: each service once, the asked one first, each start's command recorded.
    entries = [dict(t, after='STOPPED') for t in mrs_targets(mrs, stage, ['Hive'])] + cascades
    started = kind.start(mrs, stage, entries, 60, clock)
    starts = [p[:2] for p in fake.posts[1:]]
    assert starts[0] == ('start', 'Hive') and sorted(starts[1:]) == [('start', 'Hue'), ('start', 'Spark2x')]
    command_of = dict((name, 102 + index) for index, (_verb, name) in enumerate(starts))
    assert dict((k, o['follow_up']) for k, o in started.items()) == dict(
        ('mrs_service:mrs-prod:1:{0}'.format(name), {'command_id': command}) for name, command in command_of.items())
    assert set(o['outcome'] for o in started.values()) == {'started'}


def test_a_service_already_stopped_is_no_cascade(aliases):
    fake = FakeManager({'Hive': 'STARTED', 'Hue': 'STOPPED'}, dependents={'Hive': ['Hue']})
    mrs = session(fake)
    stage = dict(MRS_STAGE, only_self=False)
    outcomes, cascades = kinds.KINDS['mrs_service'].stop(mrs, stage, mrs_targets(mrs, stage, ['Hive']), 60, False,
                                                         clock)
    assert outcomes['mrs_service:mrs-prod:1:Hive']['outcome'] == 'stopped' and cascades == []


def test_a_failed_mrs_command_keeps_its_id_from_the_shared_vocabulary(aliases):
    fake = FakeManager({'Hue': 'STARTED', 'Loader': 'STARTED'}, fail_command='Hue')
    mrs = session(fake)
    targets = mrs_targets(mrs, MRS_STAGE, ['Hue', 'Loader'])
    outcomes, cascades = kinds.KINDS['mrs_service'].stop(mrs, MRS_STAGE, targets, 60, False, clock)
    assert 'command_id' in aliases.removed
    failed = outcomes['mrs_service:mrs-prod:1:Hue']
    assert failed['outcome'] == 'failed' and failed['follow_up'] == {'command_id': 101}
    assert failed['error']['command_id'] == 101
    assert outcomes['mrs_service:mrs-prod:1:Loader']['outcome'] == 'not_started' and cascades == []
    failed_start = kinds.KINDS['mrs_service'].start(mrs, MRS_STAGE, [dict(targets[0], after='STOP_FAILED')], 60,
                                                    clock)['mrs_service:mrs-prod:1:Hue']
    assert failed_start['outcome'] == 'failed' and failed_start['follow_up'] == {'command_id': 102}


# --------------------------------------------------------------------------- OCP clusters

class FakeOcp:
    """One OCP with one cluster and hosts; tasks end when waited for, a failed task when ``fail`` is set."""

    schedule = PollSchedule(initial=0.001, maximum=0.001)

    def __init__(self, cluster_status='RUNNING', running=None, fail=False, agent_status='AVAILABLE'):
        self.cluster = {'id': 1000003, 'name': 'ob-report', 'status': cluster_status}
        self.host = {'id': 1005, 'name': 'ob-report-1', 'hostAgentStatus': agent_status}
        self.processes = [{'id': 180, 'alias': 'ocp_agentd', 'status': 'STARTED', 'pid': 11, 'operable': False},
                          {'id': 185, 'alias': 'obstat2', 'status': 'STARTED', 'pid': 12, 'operable': True},
                          {'id': 186, 'alias': 'ob_logtailer', 'status': 'STARTED', 'pid': 13, 'operable': True}]
        self.running = running  # a task already running (a transition under way)
        self.fail = fail
        self.tasks = {}
        self.posts = []
        self.lists = 0

    def grace(self, remaining):
        return 0

    # clusters
    def resolve_cluster(self, cluster_id=None, name=None):
        return dict(self.cluster)

    def get_cluster(self, cluster_id):
        return dict(self.cluster)

    def running_task(self, scope, scope_id):
        return self.running

    def newest_task_id(self, scope, scope_id):
        return max(self.tasks) if self.tasks else 0

    def tasks_since(self, scope, scope_id, baseline):
        return [t for i, t in sorted(self.tasks.items()) if i > baseline]

    def get_task(self, task_id):
        return self.tasks[task_id]

    def cluster_action(self, cluster_id, action):
        self.posts.append(('cluster', action))
        task = {'id': 107300 + len(self.posts), 'name': action, 'status': 'RUNNING', 'subtasks': []}
        self.tasks[task['id']] = task
        self.cluster['status'] = 'STOPPING' if action == 'stop' else 'STARTING'
        return task, 'trace-{0}'.format(action)

    def wait_task(self, task, timeout, target=None):
        if self.fail:
            raise OperationFailedError('OCP task {0} failed'.format(task['id']), task_id=task['id'],
                                       task=dict(task, status='FAILED'))
        settle = {'STOPPING': 'STOPPED', 'STARTING': 'RUNNING', 'RESTARTING': 'AVAILABLE'}
        self.cluster['status'] = settle.get(self.cluster['status'], self.cluster['status'])
        if self.host['hostAgentStatus'] in ('STOPPING', 'RESTARTING'):
            left = 'STOPPED' if self.host['hostAgentStatus'] == 'STOPPING' else 'STARTED'
            self.host['hostAgentStatus'] = 'OFFLINE' if left == 'STOPPED' else 'AVAILABLE'
            for process in self.processes:
                process['status'] = left
        self.running = None
        return dict(task, status='SUCCESSFUL')

    def wait_cluster_status(self, cluster_id, is_done, timeout, what):
        assert is_done(self.cluster['status'])
        return dict(self.cluster)

    # hosts and agent processes
    def resolve_host(self, name):
        return dict(self.host)

    def get_host(self, host_id):
        return dict(self.host)

    def list_agent_processes(self, host_id):
        self.lists += 1
        return [dict(p) for p in self.processes]

    def process_action(self, host_id, process_id, action):
        self.posts.append((process_id, action))
        process = next(p for p in self.processes if p['id'] == process_id)
        process.update(status='STOPPED', pid=0) if action == 'stop' else process.update(status='STARTED', pid=99)
        return dict(process), 'trace-{0}'.format(process_id)

    def agent_action(self, host_id, action):
        self.posts.append(('agent', action))
        task = {'id': 107400 + len(self.posts), 'name': action, 'status': 'RUNNING', 'subtasks': []}
        self.tasks[task['id']] = task
        self.host['hostAgentStatus'] = 'STOPPING' if action == 'stop' else 'RESTARTING'
        return task, 'trace-agent'

    def wait_host_agent_status(self, host_id, is_done, timeout, what):
        assert is_done(self.host['hostAgentStatus'])
        return dict(self.host)


def cluster_targets(ocp, stage):
    return kinds.KINDS['ocp_cluster'].resolve(ocp, stage, 'ocp-hz', {'name': 'ob-report'})


def test_an_ocp_clusters_task_is_read_from_the_shared_vocabulary(aliases):
    ocp = session(FakeOcp())
    stage = {'name': 'databases', 'kind': 'ocp_cluster'}
    kind = kinds.KINDS['ocp_cluster']
    outcomes, cascades = kind.stop(ocp, stage, cluster_targets(ocp, stage), 60, False, clock)
    assert {'task', 'attached_task'} <= aliases.removed
    assert outcomes == {'ocp_cluster:ocp-hz:1000003': {
        'outcome': 'stopped', 'after': 'STOPPED', 'error': None,
        'follow_up': {'task_id': 107301, 'trace_id': 'trace-stop'}}} and cascades == []
    started = kind.start(ocp, stage, [dict(cluster_targets(ocp, stage)[0], after='STOPPED')], 60, clock)
    assert started['ocp_cluster:ocp-hz:1000003']['follow_up'] == {'task_id': 107302, 'trace_id': 'trace-start'}


def test_an_ocp_cluster_already_stopping_records_the_task_it_followed(aliases):
    running = {'id': 107299, 'name': 'Stop OB cluster', 'status': 'RUNNING', 'subtasks': []}
    ocp = session(FakeOcp('STOPPING', running=running))
    stage = {'name': 'databases', 'kind': 'ocp_cluster'}
    outcomes, _cascades = kinds.KINDS['ocp_cluster'].stop(ocp, stage, cluster_targets(ocp, stage), 60, False, clock)
    assert 'attached_task' in aliases.removed
    assert outcomes['ocp_cluster:ocp-hz:1000003'] == {
        'outcome': 'unchanged', 'after': 'STOPPED', 'error': None, 'follow_up': {'task_id': 107299}}
    assert ocp.client.posts == []


def test_a_failed_ocp_task_keeps_its_id_from_the_shared_vocabulary(aliases):
    ocp = session(FakeOcp(fail=True))
    stage = {'name': 'databases', 'kind': 'ocp_cluster'}
    outcomes, _cascades = kinds.KINDS['ocp_cluster'].stop(ocp, stage, cluster_targets(ocp, stage), 60, False, clock)
    assert 'task' in aliases.removed
    failed = outcomes['ocp_cluster:ocp-hz:1000003']
    assert failed['outcome'] == 'failed' and failed['follow_up'] == {'task_id': 107301, 'trace_id': 'trace-stop'}


# --------------------------------------------------------------------------- OCP agent processes

def agent_targets(ocp, stage, spec):
    return kinds.KINDS['ocp_agent_process'].resolve(ocp, stage, 'ocp-hz', dict(spec, host='ob-report-1'))


def test_agent_processes_record_their_trace_ids_and_no_task(aliases):
    ocp = session(FakeOcp())
    stage = {'name': 'agents', 'kind': 'ocp_agent_process'}
    targets = agent_targets(ocp, stage, {'processes': ['obstat2', 'ob_logtailer']})
    outcomes, _cascades = kinds.KINDS['ocp_agent_process'].stop(ocp, stage, targets, 60, False, clock)
    assert dict((k, (o['outcome'], o['follow_up'])) for k, o in outcomes.items()) == {
        'ocp_agent_process:ocp-hz:1005:185': ('stopped', {'trace_id': 'trace-185'}),
        'ocp_agent_process:ocp-hz:1005:186': ('stopped', {'trace_id': 'trace-186'})}


def test_the_whole_agent_task_is_read_from_the_shared_vocabulary(aliases):
    ocp = session(FakeOcp())
    stage = {'name': 'agents', 'kind': 'ocp_agent_process'}
    targets = [t for t in agent_targets(ocp, stage, {'scope': 'agent', 'processes': ['all']})
               if t['decision'] == kinds.STOP]
    outcomes, _cascades = kinds.KINDS['ocp_agent_process'].stop(ocp, stage, targets, 60, False, clock)
    assert 'task' in aliases.removed
    assert ocp.client.posts == [('agent', 'stop')]
    assert sorted(outcomes) == ['ocp_agent_process:ocp-hz:1005:180', 'ocp_agent_process:ocp-hz:1005:185',
                                'ocp_agent_process:ocp-hz:1005:186']
    assert set((o['outcome'], o['follow_up'].get('task_id')) for o in outcomes.values()) == {('stopped', 107401)}


# --------------------------------------------------------------------------- the gates' readings, passed on

def test_the_first_service_of_a_manager_is_decided_on_the_gates_reading_and_the_next_is_read_again():
    fake = FakeManager({'Hive': 'STARTED', 'Hue': 'STARTED', 'Spark2x': 'STARTED'},
                       dependents={'Hive': ['Hue', 'Spark2x']})
    stage = dict(MRS_STAGE, only_self=False)
    kind = kinds.KINDS['mrs_service']
    planned = mrs_targets(session(fake), stage, ['Hive', 'Hue'])  # preflight's session
    mrs = session(fake)
    fresh = kind.refresh(mrs, stage, planned, ['mrs_cluster_healthy'])
    del fake.reads[:]
    outcomes, cascades = kind.stop(mrs, stage, fresh, 60, False, clock)
    # Hive is stopped on the gates' reading; Hue is read again right before its own stop: Hive's took it
    # down along with Hive, so the reading the gates took of it (STARTED) must not decide, and it is not
    # stopped a second time.
    assert fake.reads == ['Hue']
    assert fake.posts == [('stop', 'Hive', False)]
    assert outcomes['mrs_service:mrs-prod:1:Hue']['outcome'] == 'unchanged'
    assert sorted(c['label'] for c in cascades) == ['Hue', 'Spark2x']
    assert not [key for key in mrs.cache if key.startswith('mrs_service:')]  # used once, or dropped


def test_an_mrs_stop_without_a_gate_reading_reads_the_service_itself():
    fake = FakeManager({'Hue': 'STARTED'})
    targets = mrs_targets(session(fake), MRS_STAGE, ['Hue'])  # read in another session (preflight)
    del fake.reads[:]
    outcomes, _cascades = kinds.KINDS['mrs_service'].stop(session(fake), MRS_STAGE, targets, 60, False, clock)
    assert fake.reads == ['Hue'] and outcomes['mrs_service:mrs-prod:1:Hue']['outcome'] == 'stopped'


def test_an_agent_host_is_decided_on_the_processes_the_gates_listed_and_resume_lists_them_itself():
    fake = FakeOcp()
    stage = {'name': 'agents', 'kind': 'ocp_agent_process'}
    kind = kinds.KINDS['ocp_agent_process']
    planned = agent_targets(session(fake), stage, {'processes': ['obstat2', 'ob_logtailer']})
    ocp = session(fake)
    fresh = kind.refresh(ocp, stage, planned, ['ocp_no_running_task'])
    listed = fake.lists
    outcomes, _cascades = kind.stop(ocp, stage, fresh, 60, False, clock)
    assert fake.lists == listed and fake.posts == [(185, 'stop'), (186, 'stop')]
    assert set(o['outcome'] for o in outcomes.values()) == {'stopped'}
    assert 'processes:1005' not in ocp.cache  # used once
    started = kind.start(session(fake), stage, [dict(t, after='STOPPED') for t in fresh], 60, clock)
    assert fake.lists == listed + 1 and set(o['outcome'] for o in started.values()) == {'started'}
