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

from ansible_collections.quiesce.lifecycle.plugins.module_utils._actions import await_effect, looking_back, refusal
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AmbiguousRequestError,
    OperationFailedError,
    OptionError,
    QuiesceError,
    UnconfirmedActionError,
    WaitTimeoutError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_client import (
    CLUSTER_SCOPE,
    HOST_SCOPE,
    exactly_one,
    first_of,
    task_result,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._results import (
    CHANGED,
    OCP_AGENT_PROCESS,
    OCP_CLUSTER,
    OCP_HOST_AGENT,
    OCP_TASK,
    SUBMITTED,
    UNKNOWN,
    WOULD_CHANGE,
    changed_target,
    failure_outcome,
    follow_up_entry,
    vocabulary,
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
# Every cluster status OCP documents (s8.1).
CLUSTER_STATUSES = CLUSTER_STABLE | frozenset(CLUSTER_SETTLES_TO) | CLUSTER_BUSY
ACTION_RESULT = {'start': 'RUNNING', 'stop': 'STOPPED', 'restart': 'RUNNING'}
# Statuses that show an action was accepted (read after an ambiguous POST).
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
        return _cluster_result(before, dict(before, status=projected), decision.action,
                               WOULD_CHANGE if decision.action else None)

    deadline = Deadline(timeout, clock)
    attached = None
    if decision.wait_first:
        if decision.action is None and not wait:
            # Already heading where asked: report OCP's task without waiting for it.
            attached = client.running_task(CLUSTER_SCOPE, cluster_id)
            return _cluster_result(before, _cluster_view(client.get_cluster(cluster_id)),
                                   attached=task_result(attached))
        # A transition in progress is followed (its task re-attached), never answered with a
        # second action; the decision is taken again on the status it ends in.
        attached, cluster = _wait_through_transition(client, cluster, deadline)
        decision = decide_cluster(cluster.get('status'), state)
        _fail_on(decision, cluster)

    if decision.action is None:
        return _cluster_result(before, _cluster_view(cluster), attached=task_result(attached))

    action = decision.action
    try:
        task, trace_id = _submit_cluster_action(client, cluster_id, action, deadline)
    except UnconfirmedActionError as err:
        err.partial_result = _cluster_result(before, None, action, UNKNOWN, attached=task_result(attached))
        raise
    try:
        if wait:
            if task:
                task = client.wait_task(task, deadline.remaining(), target='cluster {0} (id {1})'.format(
                    cluster.get('name'), cluster_id))
            cluster = _wait_settled(client, cluster_id, deadline)
            expected = ACTION_RESULT[action]
            if cluster.get('status') != expected:
                raise OperationFailedError(
                    'OCP cluster {0} (id {1}) is {2} after {3} finished; expected {4}'.format(
                        cluster.get('name'), cluster_id, cluster.get('status'), action, expected),
                    cluster_id=cluster_id)
        else:
            cluster = client.get_cluster(cluster_id)
    except QuiesceError as err:
        # The action was sent: the failed task still reports it (changed, its task and trace id).
        failed_task = err.details.get('task') or task_result(task)
        err.partial_result = _cluster_result(before, None, action, failure_outcome(err), task=failed_task,
                                             attached=task_result(attached), trace_id=trace_id)
        raise
    return _cluster_result(before, _cluster_view(cluster), action, CHANGED if wait else SUBMITTED,
                           task=task_result(task), attached=task_result(attached), trace_id=trace_id)


def _cluster_result(before, after, action=None, outcome=None, task=None, attached=None, trace_id=None):
    """The module result: the cluster before and after, the task summaries (``task``/``attached_task``, kept
    as aliases for one release) and the shared vocabulary (see ``_results``)."""
    cluster_id = before['id']
    follow_up = [follow_up_entry(OCP_TASK, t['id'], t.get('status'), [cluster_id], attached=t is attached)
                 for t in (task, attached) if t]
    targets = [changed_target(OCP_CLUSTER, cluster_id, before.get('name'), action, before.get('status'),
                              (after or {}).get('status'), outcome)] if outcome else []
    result = dict(changed=outcome is not None, before=before, after=after, task=task, attached_task=attached,
                  trace_id=trace_id)
    result.update(vocabulary(follow_up, targets))
    return result


def _wait_through_transition(client, cluster, deadline):
    cluster_id = cluster['id']
    situation = 'OCP cluster {0} (id {1}) was {2}'.format(cluster.get('name'), cluster_id, cluster.get('status'))
    running = _follow_running_task(client, CLUSTER_SCOPE, cluster_id, deadline, situation)
    return running, _wait_settled(client, cluster_id, deadline)


def _follow_running_task(client, scope, scope_id, deadline, situation):
    """Follow the task OCP is running on the cluster or host to its end (None when the list shows none)."""
    running = client.running_task(scope, scope_id)
    if running:
        try:
            running = client.wait_task(running, deadline.remaining())
        except OperationFailedError as err:
            raise OperationFailedError(
                '{0} when this module looked; the task carrying that out did not succeed, so nothing more was '
                'done: {1}'.format(situation, err), **err.details)
    return running


def _wait_settled(client, cluster_id, deadline):
    return client.wait_cluster_status(cluster_id, lambda status: status not in CLUSTER_SETTLES_TO,
                                      deadline.remaining(), 'OCP cluster {0} to settle'.format(cluster_id))


def _submit_cluster_action(client, cluster_id, action, deadline):
    return submit_task_action(
        client, CLUSTER_SCOPE, cluster_id, lambda: client.cluster_action(cluster_id, action),
        lambda: client.get_cluster(cluster_id).get('status'), ACTION_EVIDENCE[action], deadline,
        'the {0} of OCP cluster {1}'.format(action, cluster_id))


def submit_task_action(client, scope, scope_id, post, read_status, evidence, deadline, action):
    """``post()`` an action that starts an OCP task; returns (task, traceId).

    After an ambiguous outcome (see ``_actions``) the action is posted again only when OCP itself answered
    with an error and neither the task list (its documented ``clusterId``/``hostId`` filter) nor
    ``read_status()`` shows a trace of it. Otherwise the task list and the status are watched for the grace
    period: the task that appears is followed (a status in ``evidence`` without a listed task returns the
    running task, or None); when nothing appears, ``UnconfirmedActionError`` names what to check.
    """
    baseline = client.newest_task_id(scope, scope_id)
    check = 'the OCP task list (GET /api/v2/tasks/instances?{0}={1}) and the {2} status'.format(
        scope, scope_id, 'cluster' if scope == CLUSTER_SCOPE else "host's hostAgentStatus")

    def trace():
        newer = client.tasks_since(scope, scope_id, baseline)
        status = read_status()
        # The oldest task after the baseline is the one the lost POST created.
        return dict(task=newer[0] if newer else None, status=status, applied=bool(newer) or status in evidence)

    resent = False
    while True:
        try:
            return post()
        except AmbiguousRequestError as err:
            lost = err
        with looking_back(action, lost, check, follow_up={scope: scope_id}):
            seen = trace()
        if not seen['applied']:
            refused = refusal(lost)
            if refused is not None:
                if resent:
                    raise refused
                # OCP answered with its own error, so the request has ended there, and it left no task
                # and no status change: it was not applied, and sending it once more cannot double it.
                resent = True
                continue
            seen = await_effect(trace, lambda s: s['applied'], client.grace(deadline.remaining()), action,
                                lost.describe_cause(), check, describe=_describe_trace, follow_up={scope: scope_id},
                                schedule=client.schedule)
        if seen['task']:
            return client.get_task(seen['task']['id']), None
        return client.running_task(scope, scope_id), None


def _describe_trace(seen):
    return '{0}; status {1}'.format('task {0}'.format(seen['task']['id']) if seen['task'] else 'no new task',
                                    seen['status'])


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


def is_all(name):
    return str(name).strip().lower() == ALL_PROCESSES


def select_processes(processes, wanted):
    """The processes named by id or alias, or every process for ``all``; unknown names fail."""
    if any(is_all(w) for w in wanted):
        return sorted(processes, key=lambda p: p.get('id') or 0), True
    selected = []
    for name in wanted:
        match = exactly_one(matching_processes(processes, name), 'processes',
                            'the host has no agent process {0!r} (it has: {1})'.format(
                                str(name).strip(), ', '.join(sorted(str(p.get('alias')) for p in processes))),
                            '{0!r} matches several agent processes'.format(str(name).strip()),
                            'Use an alias or id listed there.')
        if match not in selected:
            selected.append(match)
    return selected, False


def matching_processes(processes, name):
    """The processes whose id or alias is ``name``."""
    text = str(name).strip()
    return [p for p in processes if text in (str(p.get('id')), p.get('alias'))]


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
                     clock=time.monotonic, schedule=None, processes=None):
    """Bring the selected agent processes of ``host`` to ``state``, one synchronous call each.

    ``wait`` does not change the calls (OCP answers them when done). A host-level agent task running on
    the host is followed first either way, since OCP refuses process calls meanwhile. ``processes`` may hold
    the host's processes, listed by the caller along with ``host`` just before (then they are not listed again).
    """
    host_id = host['id']
    deadline = Deadline(timeout, clock)
    _refuse_busy_agent(host)
    attached, initial, processes = _settle_agent_first(client, host, deadline, check_mode, processes)
    first_seen = dict((p.get('id'), p.get('status')) for p in initial)
    actions, skipped = plan_processes(processes, wanted, state)
    results = []
    for process, action in actions:
        entry = dict(process_view(process), before=first_seen.get(process.get('id'), process.get('status')),
                     action=action, changed=action is not None)
        if action and not check_mode:
            try:
                now, trace_id = _process_action(client, host_id, process, action, deadline, schedule)
            except QuiesceError as err:
                # Report the processes already changed along with the one that failed. When the call's
                # outcome is unknown the process may have been stopped or restarted: it is reported as
                # changed (after: null), so that whoever restores it knows.
                if isinstance(err, AmbiguousRequestError):
                    results.append(dict(entry, after=None, status=None, trace_id=None))
                err.partial_result = _processes_result(host, results, skipped, attached, check_mode)
                raise
            entry.update(after=now.get('status'), pid=now.get('pid'), trace_id=trace_id)
        else:
            expected = PROCESS_STATUS.get(state, 'STARTED') if action else process.get('status')
            entry.update(after=expected, trace_id=None)
        entry['status'] = entry['after']
        results.append(entry)
    return _processes_result(host, results, skipped, attached, check_mode)


def _processes_result(host, results, skipped, attached, check_mode):
    """The module result: one entry per process, plus the shared vocabulary (see ``_results``)."""
    targets = [changed_target(OCP_AGENT_PROCESS, r['id'], r.get('alias'), r['action'], r['before'], r['after'],
                              WOULD_CHANGE if check_mode else CHANGED if r['after'] is not None else UNKNOWN,
                              host_id=host['id'])
               for r in results if r['changed']]
    follow_up = [follow_up_entry(OCP_TASK, attached['id'], attached.get('status'), [host['id']], attached=True)
                 ] if attached else []
    result = dict(changed=bool(targets), processes=results, skipped_processes=skipped)
    result.update(vocabulary(follow_up, targets))
    return result


def _process_action(client, host_id, process, action, deadline, schedule):
    """One synchronous process call (s5.9): returns (process now, traceId).

    The call is answered when it is done, so after an answer OCP gave itself (its error envelope) the
    process shows the final effect: if it did not change, the call is sent once more. Without an answer
    (timeout, lost connection) the call may still be running on OCP: the process is watched for the grace
    period and the call is never repeated.
    """
    label = 'the {0} of agent process {1} (id {2}) on host {3}'.format(action, process.get('alias'), process['id'],
                                                                       host_id)

    def current():
        return _find(client.list_agent_processes(host_id), process['id'])

    check = 'the status and pid of agent process {0} on host {1} in OCP'.format(process.get('alias'), host_id)
    follow_up = {'host_id': host_id, 'process_id': process['id']}
    resent = False
    while True:
        try:
            return client.process_action(host_id, process['id'], action)
        except AmbiguousRequestError as err:
            lost = err
        with looking_back(label, lost, check, follow_up=follow_up):
            now = current()
        if _done(action, process, now):
            return now, None
        refused = refusal(lost)
        if refused is None:
            break
        if resent:
            raise refused
        # OCP answered the synchronous call with its own error, and the process did not change: the
        # call has ended unapplied, and sending it once more cannot double it.
        resent = True
    now = await_effect(current, lambda p: _done(action, process, p), client.grace(deadline.remaining()), label,
                       lost.describe_cause(), check,
                       describe=lambda p: 'status {0}, pid {1}'.format(p.get('status'), p.get('pid')),
                       follow_up=follow_up, schedule=schedule)
    return now, None


def _find(processes, process_id):
    for process in processes:
        if process.get('id') == process_id:
            return process
    return {}


# ---------------------------------------------------------------------- host-level agent task

# Host agent statuses (s5.8): the transitions an agent task carries out, where they settle and what
# they leave the processes in; the statuses in which another operation owns the agent; and the
# statuses that show a host-level action was accepted (read after an ambiguous POST).
AGENT_SETTLES_TO = {'STOPPING': 'OFFLINE', 'RESTARTING': 'AVAILABLE'}
AGENT_LEAVES_PROCESSES = {'STOPPING': 'STOPPED', 'RESTARTING': 'STARTED'}
AGENT_BUSY = frozenset(['REINTSTALLING', 'REINSTALLING', 'DELETED'])  # s5.8 spells it REINTSTALLING
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


def _refuse_busy_agent(host):
    status = host.get('hostAgentStatus')
    if status in AGENT_BUSY:
        raise QuiesceError('The OCP Agent of host {0} (id {1}) is {2}: another operation owns it, so nothing was '
                           'done; retry after it has finished (see the OCP task list)'.format(
                               first_of(host, 'name', 'hostname', 'innerIpAddress'), host['id'], status),
                           host_id=host['id'], host_agent_status=status)


def _settle_agent_first(client, host, deadline, check_mode, processes=None):
    """(attached task, processes as first read, processes to decide on) once no host-level agent task runs.

    A STOPPING or RESTARTING agent (s5.8) is being changed by an OCP task: it is followed to its end
    and the processes read after it, never answered with another call. Check mode predicts the
    processes the transition leaves behind instead of waiting. ``processes``: the list read along with
    ``host`` (None: list them now).
    """
    status = host.get('hostAgentStatus')
    initial = client.list_agent_processes(host['id']) if processes is None else list(processes)
    if status not in AGENT_SETTLES_TO:
        return None, initial, initial
    if check_mode:
        return None, initial, [dict(p, status=AGENT_LEAVES_PROCESSES[status]) for p in initial]
    attached = _follow_running_task(client, HOST_SCOPE, host['id'], deadline,
                                    'The OCP Agent of host {0} was {1}'.format(host['id'], status))
    _wait_agent_settled(client, host['id'], deadline)
    return attached, initial, client.list_agent_processes(host['id'])


def _wait_agent_settled(client, host_id, deadline):
    return client.wait_host_agent_status(host_id, lambda status: status not in AGENT_SETTLES_TO, deadline.remaining(),
                                         'the OCP Agent of host {0} to settle'.format(host_id))


def ensure_agent(client, host, state, wait=True, timeout=1800, check_mode=False, clock=time.monotonic,
                 processes=None):
    """Stop or restart every basic agent process of the host at once with the host-level agent task.

    Success is reported only when every process ended in the asked state. ``processes``: as for
    ``ensure_processes``.
    """
    host_id = host['id']
    deadline = Deadline(timeout, clock)
    agent_before = host.get('hostAgentStatus')
    _refuse_busy_agent(host)
    if agent_before in AGENT_SETTLES_TO and not check_mode and not wait:
        listed = client.list_agent_processes(host_id) if processes is None else processes
        heading = [dict(p, status=AGENT_LEAVES_PROCESSES[agent_before]) for p in listed]
        if decide_agent(heading, state) is None:
            # Already heading where asked: report the running task without waiting for it.
            return _agent_result(host, listed, listed, None, None, agent_before, agent_before,
                                 attached=task_result(client.running_task(HOST_SCOPE, host_id)))
    attached, before, settled = _settle_agent_first(client, host, deadline, check_mode, processes)
    attached = task_result(attached)
    action = decide_agent(settled, state)
    if action is None or check_mode:
        after = [dict(p, status=PROCESS_STATUS.get(state, 'STARTED')) for p in settled] if action else settled
        return _agent_result(host, before, after, action, WOULD_CHANGE if action else None, agent_before,
                             agent_before if settled is before else None, attached=attached)
    try:
        task, trace_id = submit_task_action(
            client, HOST_SCOPE, host_id, lambda: client.agent_action(host_id, action),
            lambda: client.get_host(host_id).get('hostAgentStatus'), AGENT_EVIDENCE[action], deadline,
            'the OCP Agent {0} of host {1}'.format(action, host_id))
    except UnconfirmedActionError as err:
        err.partial_result = _agent_result(host, before, None, action, UNKNOWN, agent_before, None,
                                           attached=attached)
        raise
    try:
        if wait:
            if task:
                task = client.wait_task(task, deadline.remaining(), target='the OCP Agent of host {0} (id {1})'.format(
                    first_of(host, 'name', 'hostname', 'innerIpAddress'), host_id))
            after = _confirm_agent(client, host_id, action, state, task, deadline)
        else:
            after = client.list_agent_processes(host_id)
        agent_after = client.get_host(host_id).get('hostAgentStatus')
    except QuiesceError as err:
        err.partial_result = _agent_result(host, before, None, action, failure_outcome(err), agent_before, None,
                                           task=err.details.get('task') or task_result(task), attached=attached,
                                           trace_id=trace_id)
        raise
    return _agent_result(host, before, after, action, CHANGED if wait else SUBMITTED, agent_before, agent_after,
                         task=task_result(task), attached=attached, trace_id=trace_id)


def _confirm_agent(client, host_id, action, state, task, deadline):
    """The processes once the agent settled, every one in the asked state; ``OperationFailedError`` otherwise
    (a successful task, or a lost answer whose effect was seen, is not taken as proof on its own)."""
    _wait_agent_settled(client, host_id, deadline)
    wanted = PROCESS_STATUS.get(state, 'STARTED')

    def as_asked(processes):
        return all(p.get('status') == wanted for p in processes)

    try:
        return wait_until(lambda: client.list_agent_processes(host_id), as_asked,
                          client.grace(deadline.remaining()), 'the agent processes of host {0} to be {1}'.format(
                              host_id, wanted), schedule=client.schedule)
    except WaitTimeoutError as err:
        raise OperationFailedError(
            'After the OCP Agent {0} of host {1} ({2}), agent processes are not {3}: {4}'.format(
                action, host_id, 'task {0} {1}'.format(task['id'], task.get('status')) if task else
                'its task id was lost', wanted, err.last_state),
            host_id=host_id, task_id=(task or {}).get('id'), task=task_result(task))


def _agent_result(host, before, after, action, outcome, agent_before, agent_after, task=None, attached=None,
                  trace_id=None):
    """The module result: each process before and after (``after`` None: not known, the run failed), the task
    summary (``task``, kept as an alias for one release) and the shared vocabulary (see ``_results``)."""
    by_id = dict((p.get('id'), p) for p in after or [])
    results = []
    for process in before:
        now = by_id.get(process.get('id'))
        results.append(dict(process_view(now or process), before=process.get('status'),
                            after=now.get('status') if now else None, action=action, changed=outcome is not None,
                            trace_id=trace_id))
    follow_up = [follow_up_entry(OCP_TASK, t['id'], t.get('status'), [host['id']], attached=t is attached)
                 for t in (task, attached) if t]
    targets = [changed_target(OCP_HOST_AGENT, host['id'], first_of(host, 'name', 'hostname'), action, agent_before,
                              agent_after, outcome)] if outcome else []
    result = dict(changed=outcome is not None, processes=results, skipped_processes=[], task=task,
                  trace_id=trace_id)
    result.update(vocabulary(follow_up, targets))
    return result
