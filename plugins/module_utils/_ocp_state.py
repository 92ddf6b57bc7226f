# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deciding and converging OCP clusters and OCP Agent processes to a requested state.

Reference: shared/api/ocp.md s8. The decisions are pure functions (tested for
every status); the ``ensure_*`` runners read state, decide, act unless in check
mode, wait, and return the module result's fields. They never repeat an action
whose outcome is unknown: they re-read state and follow what OCP is doing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AmbiguousRequestError,
    OperationFailedError,
    OptionError,
    QuiesceError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_client import (
    CLUSTER_SCOPE,
    HOST_SCOPE,
    exactly_one,
    task_result,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._waiter import wait_until

# ---------------------------------------------------------------------- clusters (s8.1)

CLUSTER_STABLE = frozenset(['RUNNING', 'STOPPED'])
# Transitions an OCP task is carrying out, and the stable status each ends in.
CLUSTER_SETTLES_TO = {'STARTING': 'RUNNING', 'RESTARTING': 'RUNNING', 'STOPPING': 'STOPPED'}
# Someone else's operation owns the cluster: never start, stop or restart it then.
CLUSTER_BUSY = frozenset(['CREATING', 'DELETING', 'TAKINGOVER', 'MOVINGOUT', 'SWITCHOVER', 'FAILOVER', 'OPERATING'])
CLUSTER_ACTIONS = {
    ('started', 'RUNNING'): None,
    ('started', 'STOPPED'): 'start',
    ('stopped', 'RUNNING'): 'stop',
    ('stopped', 'STOPPED'): None,
    ('restarted', 'RUNNING'): 'restart',
    # A stopped cluster is brought up fresh with start; OCP refuses restart unless RUNNING (G5).
    ('restarted', 'STOPPED'): 'start',
}
ACTION_RESULT = {'start': 'RUNNING', 'stop': 'STOPPED', 'restart': 'RUNNING'}
# Statuses that show an action was accepted (used after an ambiguous POST).
ACTION_EVIDENCE = {'start': ('STARTING', 'RUNNING'), 'stop': ('STOPPING', 'STOPPED'), 'restart': ('RESTARTING',)}


class ClusterDecision:
    """What to do about a cluster: ``action`` (None, start, stop, restart), whether to wait for a
    transition in progress first (``wait_first``, ending in ``settles_to``), or ``error``."""

    def __init__(self, action=None, wait_first=False, settles_to=None, error=None):
        self.action = action
        self.wait_first = wait_first
        self.settles_to = settles_to
        self.error = error

    def __eq__(self, other):
        return isinstance(other, ClusterDecision) and vars(self) == vars(other)

    def __repr__(self):
        return 'ClusterDecision({0!r})'.format(vars(self))


def decide_cluster(status, state):
    """The s8.1 table: stable statuses act or do nothing, transitions are waited through (and the
    decision taken again on the status they end in), busy and unknown statuses are never acted on."""
    if status in CLUSTER_SETTLES_TO:
        settled = CLUSTER_SETTLES_TO[status]
        return ClusterDecision(decide_cluster(settled, state).action, wait_first=True, settles_to=settled)
    if status in CLUSTER_STABLE:
        return ClusterDecision(CLUSTER_ACTIONS[(state, status)])
    if status in CLUSTER_BUSY:
        return ClusterDecision(error='the cluster is {0}: another operation owns it; retry after it has '
                                     'finished (see the OCP task list)'.format(status))
    return ClusterDecision(error='the cluster status {0!r} is not one this module knows, so it is not acted '
                                 'on; check the cluster in OCP'.format(status))


class Deadline:
    """One time budget shared by every wait of a run."""

    def __init__(self, seconds, clock=time.monotonic):
        self.clock = clock
        self.seconds = seconds
        self.end = clock() + max(0, seconds)

    def remaining(self):
        return max(0.0, self.end - self.clock())


def _cluster_view(cluster):
    return dict(id=cluster.get('id'), name=cluster.get('name'), status=cluster.get('status'))


def _fail_on(decision, cluster):
    if decision.error:
        raise QuiesceError('OCP cluster {0} (id {1}): {2}'.format(cluster.get('name'), cluster.get('id'),
                                                                  decision.error),
                           cluster_id=cluster.get('id'), status=cluster.get('status'))


def ensure_cluster(client, cluster, state, wait=True, timeout=1800, check_mode=False, clock=time.monotonic):
    """Bring ``cluster`` to ``state``; returns the module result fields."""
    cluster_id = cluster['id']
    before = _cluster_view(cluster)
    decision = decide_cluster(cluster.get('status'), state)
    _fail_on(decision, cluster)
    if check_mode:
        projected = ACTION_RESULT.get(decision.action) or decision.settles_to or cluster.get('status')
        return dict(changed=decision.action is not None, before=before, after=dict(before, status=projected),
                    task=None, attached_task=None, trace_id=None)

    deadline = Deadline(timeout, clock)
    attached = None
    if decision.wait_first:
        if decision.action is None and not wait:
            # Already heading where asked: report OCP's task without waiting for it.
            attached = client.running_task(CLUSTER_SCOPE, cluster_id)
            return dict(changed=False, before=before, after=_cluster_view(client.get_cluster(cluster_id)),
                        task=None, attached_task=task_result(attached), trace_id=None)
        # A transition in progress is followed (its task re-attached), never answered with a
        # second action; the decision is taken again on the status it ends in.
        attached, cluster = _wait_through_transition(client, cluster, deadline)
        decision = decide_cluster(cluster.get('status'), state)
        _fail_on(decision, cluster)

    if decision.action is None:
        return dict(changed=False, before=before, after=_cluster_view(cluster), task=None,
                    attached_task=task_result(attached), trace_id=None)

    task, trace_id = _submit_cluster_action(client, cluster_id, decision.action)
    try:
        if wait:
            if task:
                task = client.wait_task(task, deadline.remaining())
            cluster = _wait_settled(client, cluster_id, deadline)
            expected = ACTION_RESULT[decision.action]
            if cluster.get('status') != expected:
                raise OperationFailedError(
                    'OCP cluster {0} (id {1}) is {2} after {3} finished; expected {4}'.format(
                        cluster.get('name'), cluster_id, cluster.get('status'), decision.action, expected),
                    cluster_id=cluster_id)
        else:
            cluster = client.get_cluster(cluster_id)
    except QuiesceError as err:
        # The action was sent: the failed task still reports it (changed, its task and trace id).
        err.partial_result = dict(changed=True, before=before, task=err.details.get('task') or task_result(task),
                                  trace_id=trace_id)
        raise
    return dict(changed=True, before=before, after=_cluster_view(cluster), task=task_result(task),
                attached_task=task_result(attached), trace_id=trace_id)


def _wait_through_transition(client, cluster, deadline):
    cluster_id = cluster['id']
    running = client.running_task(CLUSTER_SCOPE, cluster_id)
    if running:
        try:
            running = client.wait_task(running, deadline.remaining())
        except OperationFailedError as err:
            raise OperationFailedError(
                'OCP cluster {0} (id {1}) was {2} when this module looked; the task carrying that out did not '
                'succeed, so nothing more was done: {3}'.format(cluster.get('name'), cluster_id,
                                                                cluster.get('status'), err),
                **err.details)
    return running, _wait_settled(client, cluster_id, deadline)


def _wait_settled(client, cluster_id, deadline):
    return client.wait_cluster_status(cluster_id, lambda status: status not in CLUSTER_SETTLES_TO,
                                      deadline.remaining(), 'OCP cluster {0} to settle'.format(cluster_id))


def _submit_cluster_action(client, cluster_id, action):
    return submit_task_action(
        client, CLUSTER_SCOPE, cluster_id, lambda: client.cluster_action(cluster_id, action),
        lambda: client.get_cluster(cluster_id).get('status') in ACTION_EVIDENCE[action])


def submit_task_action(client, scope, scope_id, post, took_effect):
    """``post()`` an action that starts an OCP task; returns (task, traceId).

    After an ambiguous outcome the action is not posted again blindly: the task list and
    ``took_effect()`` show whether OCP accepted it, and the accepted task is followed.
    """
    baseline = client.newest_task_id(scope, scope_id)
    try:
        return post()
    except AmbiguousRequestError:
        # The connection dropped (or a 5xx / timeout came back) after the request was sent, so
        # the action may have been accepted. A second POST could start a second task: re-read
        # the tasks and status and follow the accepted one.
        newer = [t for t in client.tasks_of(scope, scope_id, max_pages=1) if t['id'] > baseline]
        if newer:
            # Newest first: the oldest task after the baseline is the one this POST created.
            return client.get_task(newer[-1]['id']), None
        if took_effect():
            return client.running_task(scope, scope_id), None
        # No new task and no change: OCP never acted on the request, so sending it once more
        # cannot double it.
        return post()


# ---------------------------------------------------------------------- agent processes (s8.2)

PROCESS_STATUS = {'started': 'STARTED', 'stopped': 'STOPPED'}
PROCESS_KNOWN = frozenset(['STARTED', 'STOPPED'])
ALL_PROCESSES = 'all'


def decide_process(process, state):
    """``stop``, ``restart`` or None for one process (s8.2). There is no single-process start
    endpoint (G6): restart starts a stopped process. Returns (action, problem)."""
    status = process.get('status')
    if status not in PROCESS_KNOWN:
        return None, 'status {0!r} is not one this module knows'.format(status)
    if state == 'restarted':
        action = 'restart'
    elif status == PROCESS_STATUS[state]:
        action = None
    else:
        action = 'stop' if state == 'stopped' else 'restart'
    if action and not process.get('operable', True):
        return None, 'OCP marks it operable=false (a core agent process); use the host-level agent restart'
    return action, None


def select_processes(processes, wanted):
    """The processes named by id or alias, or every process for ``all``; unknown names fail."""
    if any(str(w).strip().lower() == ALL_PROCESSES for w in wanted):
        return sorted(processes, key=lambda p: p.get('id') or 0), True
    selected = []
    for name in wanted:
        text = str(name).strip()
        match = exactly_one([p for p in processes if text in (str(p.get('id')), p.get('alias'))], 'processes',
                            'the host has no agent process {0!r} (it has: {1})'.format(
                                text, ', '.join(sorted(str(p.get('alias')) for p in processes))),
                            '{0!r} matches several agent processes'.format(text), 'Use an alias or id listed there.')
        if match not in selected:
            selected.append(match)
    return selected, False


def process_view(process):
    return dict(id=process.get('id'), alias=process.get('alias'), status=process.get('status'),
                pid=process.get('pid'), operable=process.get('operable'))


def plan_processes(processes, wanted, state):
    """(actions, skipped): the action per selected process, and the ones left alone with why.

    A process named explicitly that would need an action it cannot take fails the whole task
    before any request that changes something; with ``all`` it is skipped and reported.
    """
    selected, everything = select_processes(processes, wanted)
    actions, skipped = [], []
    for process in selected:
        action, problem = decide_process(process, state)
        if problem:
            if not everything:
                raise OptionError('processes', 'agent process {0} (id {1}) cannot be changed: {2}'.format(
                    process.get('alias'), process.get('id'), problem), 'Leave it out of processes.')
            skipped.append(dict(process_view(process), reason=problem))
        else:
            actions.append((process, action))
    return actions, skipped


def _done(action, before, now):
    if action == 'stop':
        return now.get('status') == 'STOPPED'
    # A restart shows as STARTED with another pid (the pid is 0 while stopped).
    return now.get('status') == 'STARTED' and (before.get('status') != 'STARTED' or now.get('pid') != before.get('pid'))


def ensure_processes(client, host, wanted, state, wait=True, timeout=1800, check_mode=False,
                     clock=time.monotonic, schedule=None):
    """Bring the selected agent processes of ``host`` to ``state``, one synchronous call each."""
    host_id = host['id']
    processes = client.list_agent_processes(host_id)
    actions, skipped = plan_processes(processes, wanted, state)
    deadline = Deadline(timeout, clock)
    results = []
    for process, action in actions:
        entry = dict(process_view(process), before=process.get('status'), action=action, changed=action is not None)
        if action and not check_mode:
            try:
                now, trace_id = _process_action(client, host_id, process, action, wait, deadline, schedule)
            except QuiesceError as err:
                # Report the processes already changed along with the one that failed. When the call's
                # outcome is unknown (answer lost, then not watched to its end) the process may have been
                # stopped or restarted: it is reported as changed, so that whoever restores it knows.
                if isinstance(err, AmbiguousRequestError) or getattr(err, 'after_ambiguous_action', False):
                    results.append(dict(entry, after=None, status=None, trace_id=None))
                err.partial_result = dict(changed=any(r['changed'] for r in results), processes=results)
                raise
            entry.update(after=now.get('status'), pid=now.get('pid'), trace_id=trace_id)
        else:
            expected = PROCESS_STATUS.get(state, 'STARTED') if action else process.get('status')
            entry.update(after=expected, trace_id=None)
        entry['status'] = entry['after']
        results.append(entry)
    return dict(changed=any(r['changed'] for r in results), processes=results, skipped_processes=skipped,
                agent_path_style=client.agent_path_style)


def _process_action(client, host_id, process, action, wait, deadline, schedule):
    try:
        return client.process_action(host_id, process['id'], action)
    except AmbiguousRequestError:
        # The call is synchronous and may still be running on OCP, or may have been done:
        # resending could stop or restart the process twice. Watch the process instead.
        if not wait:
            raise

        def current():
            return _find(client.list_agent_processes(host_id), process['id'])

        try:
            now = wait_until(current, lambda p: _done(action, process, p), deadline.remaining(),
                             'agent process {0} (id {1}) on host {2} to {3}'.format(
                                 process.get('alias'), process['id'], host_id, action),
                             describe=lambda p: 'status {0}, pid {1}'.format(p.get('status'), p.get('pid')),
                             follow_up={'host_id': host_id, 'process_id': process['id']}, schedule=schedule)
        except QuiesceError as err:
            err.after_ambiguous_action = True  # the action may still have been applied
            raise
        return now, None


def _find(processes, process_id):
    for process in processes:
        if process.get('id') == process_id:
            return process
    return {}


# ---------------------------------------------------------------------- host-level agent task

# Host agent statuses (s5.8) that show a host-level agent action was accepted.
AGENT_EVIDENCE = {'stop': ('STOPPING', 'OFFLINE'), 'restart': ('RESTARTING',)}


def decide_agent(processes, state):
    """The host-level agent action: stop when any process runs, restart (which starts) when any is
    stopped, restart for ``restarted``; None when every process is already as asked."""
    statuses = set(p.get('status') for p in processes)
    if state == 'restarted':
        return 'restart'
    if state == 'stopped':
        return 'stop' if 'STARTED' in statuses else None
    return 'restart' if statuses - set(['STARTED']) else None


def ensure_agent(client, host, state, wait=True, timeout=1800, check_mode=False, clock=time.monotonic):
    """Stop or restart every basic agent process of the host at once with the host-level agent task."""
    host_id = host['id']
    before = client.list_agent_processes(host_id)
    action = decide_agent(before, state)
    task = trace_id = None
    if action and check_mode:
        after = [dict(p, status=PROCESS_STATUS.get(state, 'STARTED')) for p in before]
    elif action:
        task, trace_id = submit_task_action(
            client, HOST_SCOPE, host_id, lambda: client.agent_action(host_id, action),
            lambda: client.get_host(host_id).get('hostAgentStatus') in AGENT_EVIDENCE[action])
        if wait and task:
            task = client.wait_task(task, Deadline(timeout, clock).remaining())
        after = client.list_agent_processes(host_id)
    else:
        after = before
    by_id = dict((p.get('id'), p) for p in after)
    results = []
    for process in before:
        now = by_id.get(process.get('id'), process)
        results.append(dict(process_view(now), before=process.get('status'), after=now.get('status'),
                            action=action, changed=action is not None, trace_id=trace_id))
    return dict(changed=action is not None, processes=results, skipped_processes=[], task=task_result(task),
                trace_id=trace_id, agent_path_style=client.agent_path_style)
