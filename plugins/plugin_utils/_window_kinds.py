# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stage kinds: how a window finds, reads, stops and starts the targets of each kind.

Every action goes through the same library code the modules run (``ServiceRun``, ``ensure_cluster``,
``ensure_processes``/``ensure_agent``, ``PowerRun``), so a window decides, acts, retries and waits exactly
as the modules do. What is added here is the window's view: one target dict per thing the ledger may
hold (an MRS service, an OCP cluster, one agent process, one server), readings for the gates, and the
work units a stage runs side by side:

* ``mrs_service``: one unit per endpoint (the Manager serializes commands: services in the listed order);
* ``ocp_cluster``: one unit per cluster;
* ``ocp_agent_process``: one unit per host (its processes in one module call);
* ``bms_power``: one unit per endpoint (the library batches 1,000 servers per call).

A target dict: ``key``, ``stage``, ``kind``, ``endpoint``, ``target`` (identity resume needs), ``label``,
``before`` (state read), ``decision`` (stop, already_stopped, in_transition, left_alone), ``reason``,
``api_ids`` (how the library's action events name it) and ``reading`` (fields the gates look at).
"""

from __future__ import annotations

from ansible_collections.quiesce.lifecycle.plugins.module_utils import _bms_state
from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_client import select_servers
from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_power import PowerRun
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AmbiguousRequestError,
    QuiesceError,
    WaitTimeoutError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._mrs_client import STOPPED as MRS_STOPPED
from ansible_collections.quiesce.lifecycle.plugins.module_utils._mrs_service import NOTHING, WAIT, ServiceRun, decide
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_client import CLUSTER_SCOPE, HOST_SCOPE
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_state import (
    decide_cluster,
    ensure_agent,
    ensure_cluster,
    ensure_processes,
    plan_processes,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._results import (
    MRS_COMMAND,
    MRS_SERVICE,
    OCP_TASK,
)

# Decisions about one target. REFUSED: a state no module acts on (busy, faulty, missing).
STOP, ALREADY_STOPPED, IN_TRANSITION, LEFT_ALONE, REFUSED = (
    'stop', 'already_stopped', 'in_transition', 'left_alone', 'refused')
# Outcomes of one target's action.
DONE_STOP, DONE_START, UNCHANGED, FAILED, UNKNOWN, NOT_STARTED = (
    'stopped', 'started', 'unchanged', 'failed', 'unknown', 'not_started')


def error_view(err):
    """What a ledger and a report keep of an error: its text, HTTP status, API code and message, request id."""
    view = err.to_dict() if isinstance(err, QuiesceError) else {'type': type(err).__name__, 'message': str(err)}
    keep = ('type', 'message', 'http_status', 'code', 'api_message', 'request_id', 'task_id', 'command_id',
            'job_id', 'last_state', 'follow_up', 'failed_subtasks')
    return dict((k, v) for k, v in view.items() if k in keep and v not in (None, '', [], {}))


def outcome_of_error(err):
    """``unknown`` when the action may have been applied (answer lost, wait ran out), else ``failed``."""
    if isinstance(err, (AmbiguousRequestError, WaitTimeoutError)):  # UnconfirmedActionError included
        return UNKNOWN
    return FAILED


def _outcome(outcome, after=None, error=None, follow_up=None):
    return {'outcome': outcome, 'after': after, 'error': error_view(error) if error is not None else None,
            'follow_up': dict((k, v) for k, v in (follow_up or {}).items() if v is not None)}


def followed_id(result, kind, target=None, attached=None):
    """The id of the last operation of ``kind`` in a library result's ``follow_up`` (the shared vocabulary,
    ``_results``) that acts on ``target`` (any, when None) and, unless ``attached`` is None, was (True) or was
    not (False) one already running that the run followed; None when there is none."""
    found = [entry.get('id') for entry in (result or {}).get('follow_up') or []
             if entry.get('type') == kind and (target is None or target in (entry.get('targets') or []))
             and (attached is None or bool(entry.get('attached')) == attached)]
    return found[-1] if found else None


def cascaded_stops(result, service):
    """``[(name, before)]``: the services a library result's ``changed_targets`` shows MRS stopped along with
    ``service`` (``cascade_of``; only_self=false), read back by the run."""
    return [(entry['id'], entry.get('before')) for entry in (result or {}).get('changed_targets') or []
            if entry.get('type') == MRS_SERVICE and entry.get('cascade_of') == service
            and entry.get('after') == MRS_STOPPED and entry.get('before') != MRS_STOPPED]


def api_ids(kind, identity):
    """How the library's action events name a target (``_observer`` ``targets``): service name, cluster id,
    ``host/process`` (and the host id, for the whole-agent task), server id."""
    if kind == 'mrs_service':
        return [identity['service']]
    if kind == 'ocp_cluster':
        return [str(identity['id'])]
    if kind == 'ocp_agent_process':
        return ['{0}/{1}'.format(identity['host_id'], identity['process_id']), str(identity['host_id'])]
    return [str(identity['id'])]


class Kind:
    """Base of the four stage kinds."""

    name = None
    family = None
    post_gate_reads = True

    def target(self, stage, endpoint, key, identity, label, before, decision, reading, reason=None):
        reading = dict(reading, key=key, label=label, decision=decision)
        return {'key': key, 'stage': stage['name'], 'kind': self.name, 'endpoint': endpoint, 'target': identity,
                'label': label, 'before': before, 'state': before, 'decision': decision, 'reason': reason,
                'api_ids': api_ids(self.name, identity), 'reading': reading}

    def unit_of(self, target):
        return target['key']

    def units(self, targets):
        """``[[target, ...], ...]``: the stage's work units, each in the listed order."""
        grouped = {}
        for target in targets:
            grouped.setdefault(self.unit_of(target), []).append(target)
        return list(grouped.values())


# --------------------------------------------------------------------------- MRS services

class MrsServiceKind(Kind):
    name = 'mrs_service'
    family = 'mrs'

    def unit_of(self, target):
        return target['endpoint']

    def _target(self, session, stage, endpoint, service, status):
        cluster_id = session.client.cluster_id
        action = decide('stopped', status.running_status)
        decision = ALREADY_STOPPED if action == NOTHING else IN_TRANSITION if action == WAIT else STOP
        key = 'mrs_service:{0}:{1}:{2}'.format(endpoint, cluster_id, service)
        session.cache[key] = status
        return self.target(
            stage, endpoint, key,
            {'service': service, 'cluster_id': cluster_id}, service, status.running_status, decision,
            {'running_status': status.running_status, 'health_status': status.health_status})

    def resolve(self, session, stage, endpoint, spec):
        status = session.client.service_status(spec['service'])
        return [self._target(session, stage, endpoint, spec['service'], status)]

    def refresh(self, session, stage, targets, gates=()):
        fresh = [self._target(session, stage, t['endpoint'], t['target']['service'],
                              session.client.service_status(t['target']['service'])) for t in targets]
        self.add_gate_readings(session, fresh, gates)
        return fresh

    def add_gate_readings(self, session, targets, gates):
        if 'mrs_cluster_healthy' in gates and targets:
            health = session.client.cluster_health()
            for target in targets:
                target['reading']['cluster_health'] = health

    def stop(self, session, stage, targets, timeout, keep_going, clock):
        """Services of one Manager in the listed order, one ``ServiceRun`` each, sharing the unit's budget.

        The first service is decided on the status the gates just read (``refresh``); every later one is read
        again right before its stop, since the stops before it may have changed it (only_self=false stops the
        dependents) and that read is then the only one taken since."""
        end = clock() + timeout
        outcomes, cascades = {}, []
        gate_readings = [session.cache.pop(t['key'], None) for t in targets]
        for position, target in enumerate(targets):
            service = target['target']['service']
            try:
                result = ServiceRun(session.client, service, only_self=stage.get('only_self', True), wait=True,
                                    wait_timeout=max(1.0, end - clock())).run(
                                        'stopped', before=gate_readings[0] if position == 0 else None)
            except QuiesceError as err:
                partial = err.partial_result or {}
                outcomes[target['key']] = _outcome(outcome_of_error(err), error=err, follow_up={
                    'command_id': followed_id(partial, MRS_COMMAND, service)})
                if not keep_going:
                    for rest in targets[position + 1:]:
                        outcomes[rest['key']] = _outcome(NOT_STARTED)
                    break
                continue
            after = (result.get('after') or {}).get('running_status')
            outcomes[target['key']] = _outcome(DONE_STOP if result['changed'] else UNCHANGED, after,
                                               follow_up={'command_id': followed_id(result, MRS_COMMAND, service)})
            cascades.extend((target, name, before) for name, before in cascaded_stops(result, service))
        return outcomes, [self._cascade_target(session, stage, parent, name, before)
                          for parent, name, before in cascades]

    def _cascade_target(self, session, stage, parent, service, before):
        cluster_id = parent['target']['cluster_id']
        endpoint = parent['endpoint']
        return {'key': 'mrs_service:{0}:{1}:{2}'.format(endpoint, cluster_id, service), 'stage': stage['name'],
                'kind': self.name, 'endpoint': endpoint, 'target': {'service': service, 'cluster_id': cluster_id},
                'label': service, 'before': before, 'cascade_of': parent['target']['service']}

    @staticmethod
    def resume_order(entries):
        """Reverse of the stop order, each service followed by those MRS stopped along with it."""
        roots = [e for e in entries if not e.get('cascade_of')]
        ordered = []
        for root in reversed(roots):
            ordered.append(root)
            ordered.extend(e for e in entries if e.get('cascade_of') == root['target']['service'])
        ordered.extend(e for e in entries if e not in ordered)
        return ordered

    def start(self, session, stage, entries, timeout, clock):
        end = clock() + timeout
        outcomes = {}
        for entry in self.resume_order(entries):
            service = entry['target']['service']
            try:
                result = ServiceRun(session.client, service, only_self=stage.get('only_self', True), wait=True,
                                    wait_timeout=max(1.0, end - clock())).run('started')
            except QuiesceError as err:
                partial = err.partial_result or {}
                outcomes[entry['key']] = _outcome(FAILED, error=err, follow_up={
                    'command_id': followed_id(partial, MRS_COMMAND, service)})
                continue  # a failed start does not keep the others from theirs
            outcomes[entry['key']] = _outcome(DONE_START if result['changed'] else UNCHANGED,
                                              (result.get('after') or {}).get('running_status'),
                                              follow_up={'command_id': followed_id(result, MRS_COMMAND, service)})
        return outcomes

    def post_readings(self, session, entries):
        readings = []
        for entry in entries:
            status = session.client.service_status(entry['target']['service'])
            readings.append({'key': entry['key'], 'label': entry['label'], 'running_status': status.running_status,
                             'health_status': status.health_status})
        return readings


# --------------------------------------------------------------------------- OCP clusters

class OcpClusterKind(Kind):
    name = 'ocp_cluster'
    family = 'ocp'

    def _target(self, session, stage, endpoint, cluster):
        decision = decide_cluster(cluster.get('status'), 'stopped')
        if decision.error:
            choice, reason = REFUSED, decision.error
        elif decision.wait_first:
            choice, reason = IN_TRANSITION, 'the cluster is {0}: an OCP task is carrying out a transition'.format(
                cluster.get('status'))
        else:
            choice, reason = (STOP if decision.action else ALREADY_STOPPED), None
        key = 'ocp_cluster:{0}:{1}'.format(endpoint, cluster['id'])
        session.cache[key] = cluster
        return self.target(stage, endpoint, key, {'id': cluster['id'], 'name': cluster.get('name')},
                           '{0} ({1})'.format(cluster.get('name'), cluster['id']), cluster.get('status'), choice,
                           {'status': cluster.get('status')}, reason)

    def resolve(self, session, stage, endpoint, spec):
        cluster = session.client.resolve_cluster(cluster_id=spec.get('id'), name=spec.get('name'))
        return [self._target(session, stage, endpoint, cluster)]

    def refresh(self, session, stage, targets, gates=()):
        fresh = [self._target(session, stage, t['endpoint'], session.client.get_cluster(t['target']['id']))
                 for t in targets]
        self.add_gate_readings(session, fresh, gates)
        return fresh

    def add_gate_readings(self, session, targets, gates):
        if 'ocp_no_running_task' not in gates:
            return
        for target in targets:
            task = session.client.running_task(CLUSTER_SCOPE, target['target']['id'])
            target['reading']['running_task'] = {'id': task['id'], 'name': task.get('name')} if task else None

    def stop(self, session, stage, targets, timeout, keep_going, clock):
        (target,) = targets
        cluster = session.cache.get(target['key']) or session.client.get_cluster(target['target']['id'])
        return {target['key']: self._ensure(session, cluster, 'stopped', timeout, DONE_STOP)}, []

    def _ensure(self, session, cluster, state, timeout, done):
        try:
            result = ensure_cluster(session.client, cluster, state, wait=True, timeout=timeout)
        except QuiesceError as err:
            partial = err.partial_result or {}
            return _outcome(outcome_of_error(err), error=err,
                            follow_up={'task_id': followed_id(partial, OCP_TASK, attached=False),
                                       'trace_id': partial.get('trace_id')})
        # The task the run started, else the one it followed (a transition already under way).
        task_id = followed_id(result, OCP_TASK, attached=False)
        if task_id is None:
            task_id = followed_id(result, OCP_TASK, attached=True)
        return _outcome(done if result['changed'] else UNCHANGED, (result.get('after') or {}).get('status'),
                        follow_up={'task_id': task_id, 'trace_id': result.get('trace_id')})

    def start(self, session, stage, entries, timeout, clock):
        (entry,) = entries
        try:
            cluster = session.client.get_cluster(entry['target']['id'])
        except QuiesceError as err:
            return {entry['key']: _outcome(FAILED, error=err)}
        return {entry['key']: self._ensure(session, cluster, 'started', timeout, DONE_START)}

    def post_readings(self, session, entries):
        return [{'key': e['key'], 'label': e['label'], 'status': session.client.get_cluster(e['target']['id'])
                 .get('status')} for e in entries]


# --------------------------------------------------------------------------- OCP agent processes

class OcpAgentKind(Kind):
    name = 'ocp_agent_process'
    family = 'ocp'

    def unit_of(self, target):
        return (target['endpoint'], target['target']['host_id'])

    def _targets(self, session, stage, endpoint, host, processes, spec):
        host_id = host['id']
        host_name = host.get('name') or host.get('hostname') or host.get('innerIpAddress') or str(host_id)
        scope = spec.get('scope', 'processes')
        session.cache['host:{0}'.format(host_id)] = host
        session.cache['processes:{0}'.format(host_id)] = processes
        if scope == 'agent':
            chosen = [(p, 'stop' if p.get('status') == 'STARTED' else None) for p in processes]
            skipped = []
        else:
            actions, skipped = plan_processes(processes, spec['processes'], 'stopped')
            chosen = list(actions)
        agent_status = host.get('hostAgentStatus')
        targets = []
        for process, action in chosen:
            key = 'ocp_agent_process:{0}:{1}:{2}'.format(endpoint, host_id, process.get('id'))
            decision = STOP if action else ALREADY_STOPPED
            reason = None
            if agent_status in ('STOPPING', 'RESTARTING', 'REINTSTALLING', 'REINSTALLING'):
                decision, reason = IN_TRANSITION, 'the host agent is {0}'.format(agent_status)
            targets.append(self.target(
                stage, endpoint, key,
                {'host_id': host_id, 'host': host_name, 'process_id': process.get('id'), 'alias': process.get('alias'),
                 'scope': scope},
                '{0} on {1}'.format(process.get('alias'), host_name), process.get('status'), decision,
                {'status': process.get('status'), 'agent_status': agent_status}, reason))
        for process in skipped:
            key = 'ocp_agent_process:{0}:{1}:{2}'.format(endpoint, host_id, process.get('id'))
            targets.append(self.target(
                stage, endpoint, key,
                {'host_id': host_id, 'host': host_name, 'process_id': process.get('id'), 'alias': process.get('alias'),
                 'scope': scope},
                '{0} on {1}'.format(process.get('alias'), host_name), process.get('status'), LEFT_ALONE,
                {'status': process.get('status'), 'agent_status': agent_status}, process.get('reason')))
        return targets

    def resolve(self, session, stage, endpoint, spec):
        host = session.client.resolve_host(spec['host'])
        return self._targets(session, stage, endpoint, host, session.client.list_agent_processes(host['id']), spec)

    def refresh(self, session, stage, targets, gates=()):
        fresh = []
        for unit in self.units(targets):
            first = unit[0]['target']
            host = session.client.get_host(first['host_id'])
            processes = session.client.list_agent_processes(first['host_id'])
            spec = {'scope': first['scope'], 'processes': [t['target']['alias'] for t in unit]}
            if first['scope'] == 'agent':
                spec['processes'] = ['all']
            wanted = set(t['key'] for t in unit)
            fresh.extend(t for t in self._targets(session, stage, unit[0]['endpoint'], host, processes, spec)
                         if t['key'] in wanted)
        self.add_gate_readings(session, fresh, gates)
        return fresh

    def add_gate_readings(self, session, targets, gates):
        if 'ocp_no_running_task' not in gates:
            return
        for unit in self.units(targets):
            task = session.client.running_task(HOST_SCOPE, unit[0]['target']['host_id'])
            for target in unit:
                target['reading']['running_task'] = {'id': task['id'], 'name': task.get('name')} if task else None

    def _host(self, session, host_id):
        return session.cache.get('host:{0}'.format(host_id)) or session.client.get_host(host_id)

    def _run(self, session, targets, state, timeout, done):
        first = targets[0]['target']
        host = self._host(session, first['host_id'])
        # The processes listed along with the host by the gates' refresh, once: the unit's one call decides on
        # them (none in a resume, which has no refresh: the library lists them itself).
        processes = session.cache.pop('processes:{0}'.format(first['host_id']), None)
        try:
            if first['scope'] == 'agent':
                result = ensure_agent(session.client, host, state, wait=True, timeout=timeout, processes=processes)
            else:
                result = ensure_processes(session.client, host, [t['target']['alias'] for t in targets], state,
                                          wait=True, timeout=timeout, schedule=session.client.schedule,
                                          processes=processes)
        except QuiesceError as err:
            partial = dict((p.get('id'), p) for p in (err.partial_result or {}).get('processes') or [])
            outcomes = {}
            for target in targets:
                seen = partial.get(target['target']['process_id'])
                if seen is not None and seen.get('after') is not None and seen.get('changed'):
                    outcomes[target['key']] = _outcome(done, seen.get('after'))
                else:
                    outcomes[target['key']] = _outcome(outcome_of_error(err) if seen is not None or not partial
                                                       else NOT_STARTED, error=err)
            return outcomes
        by_id = dict((p.get('id'), p) for p in result.get('processes') or [])
        task_id = followed_id(result, OCP_TASK, attached=False)  # the whole-agent task (scope agent)
        outcomes = {}
        for target in targets:
            process = by_id.get(target['target']['process_id'], {})
            changed = process.get('changed') and process.get('action') is not None
            outcomes[target['key']] = _outcome(done if changed else UNCHANGED, process.get('after'),
                                               follow_up={'task_id': task_id,
                                                          'trace_id': process.get('trace_id')})
        return outcomes

    def stop(self, session, stage, targets, timeout, keep_going, clock):
        return self._run(session, targets, 'stopped', timeout, DONE_STOP), []

    def start(self, session, stage, entries, timeout, clock):
        return self._run(session, entries, 'started', timeout, DONE_START)

    def post_readings(self, session, entries):
        readings = []
        for unit in self.units(entries):
            statuses = dict((p.get('id'), p.get('status'))
                            for p in session.client.list_agent_processes(unit[0]['target']['host_id']))
            readings.extend({'key': e['key'], 'label': e['label'], 'status': statuses.get(e['target']['process_id'])}
                            for e in unit)
        return readings


# --------------------------------------------------------------------------- bare-metal servers

class BmsPowerKind(Kind):
    name = 'bms_power'
    family = 'huaweicloud'

    def unit_of(self, target):
        return target['endpoint']

    def _target(self, session, stage, endpoint, server_id, server):
        power = _bms_state.interpret(server)
        decision, _action, reason = _bms_state.decide(power, 'stopped')
        choice = {_bms_state.DONE: ALREADY_STOPPED, _bms_state.ACT: STOP, _bms_state.WAIT: IN_TRANSITION}.get(
            decision, REFUSED)
        if choice == REFUSED:
            reason = reason or 'the server is {0}'.format(power)
        key = 'bms_power:{0}:{1}'.format(endpoint, server_id)
        session.cache[key] = server
        name = (server or {}).get('name')
        return self.target(stage, endpoint, key, {'id': server_id, 'name': name}, name or server_id,
                           (server or {}).get('status') or power, choice,
                           {'status': (server or {}).get('status'), 'task_state': _bms_state.task_state(server),
                            'locked': (server or {}).get('locked'), 'power': power}, reason)

    def resolve(self, session, stage, endpoint, spec):
        params = dict(server_ids=spec.get('server_ids'), name_match=spec.get('name_match', 'contains'),
                      **dict((k, None) for k in ('name', 'tags', 'status', 'flavor', 'reservation_id',
                                                 'enterprise_project_id')))
        params.update(spec.get('filters') or {})
        server_ids, known = select_servers(session.client, params)
        if known is None:
            known = session.client.read_servers(server_ids)
        return [self._target(session, stage, endpoint, sid, known.get(sid)) for sid in server_ids]

    @staticmethod
    def selection(stage, targets):
        """The list filters of the stage's one selection on the endpoint of ``targets`` (one session's: re-reads
        then read its pages only); None when the targets came otherwise, or there are none."""
        if not targets:
            return None
        specs = [t for t in stage.get('targets') or [] if t.get('endpoint') == targets[0]['endpoint']]
        if len(specs) == 1 and specs[0].get('filters'):
            return specs[0]['filters']
        return None

    def refresh(self, session, stage, targets, gates=()):
        found = session.client.read_servers([t['target']['id'] for t in targets],
                                            self.selection(stage, targets))
        return [self._target(session, stage, t['endpoint'], t['target']['id'], found.get(t['target']['id']))
                for t in targets]

    def add_gate_readings(self, session, targets, gates):
        """Every BMS gate reads the server itself (locked, task_state): nothing more to ask."""

    def _power(self, session, stage, targets, desired, timeout, done):
        ids = [t['target']['id'] for t in targets]
        known = dict((i, session.cache.get('bms_power:{0}:{1}'.format(t['endpoint'], i))) for t, i in zip(targets, ids))
        run = PowerRun(session.client, desired, power_type=stage.get('type', 'HARD'), wait=True, timeout=timeout,
                       poll_interval=session.endpoint.params.get('poll_interval') or 2.0,
                       selection=self.selection(stage, targets))
        error = None
        try:
            report = run.run(ids, known if desired == 'stopped' and all(known.values()) else None)
        except QuiesceError as err:
            error = err
            report = err.partial_result if isinstance(err.partial_result, dict) and 'servers' in err.partial_result \
                else {'servers': []}
        records = dict((r['id'], r) for r in report.get('servers') or [])
        outcomes = {}
        for target in targets:
            record = records.get(target['target']['id'])
            if record is None:
                outcomes[target['key']] = _outcome(FAILED if error is None else outcome_of_error(error), error=error)
                continue
            follow_up = {'job_id': record.get('job_id'), 'sub_job_id': record.get('sub_job_id')}
            after = (record.get('after') or {}).get('status')
            if record['outcome'] == 'changed':
                outcomes[target['key']] = _outcome(done, after, follow_up=follow_up)
            elif record['outcome'] == 'unchanged':
                outcomes[target['key']] = _outcome(UNCHANGED, after, follow_up=follow_up)
            else:
                reason = record.get('reason') or (str(error) if error else 'failed')
                failure = QuiesceError('server {0}: {1}'.format(target['label'], reason),
                                       code=record.get('error_code'), job_id=record.get('job_id'))
                # A server a lost answer may have touched is "unknown": resume checks it.
                outcomes[target['key']] = _outcome(UNKNOWN if record.get('changed') else FAILED, after, failure,
                                                   follow_up)
        return outcomes

    def stop(self, session, stage, targets, timeout, keep_going, clock):
        return self._power(session, stage, targets, 'stopped', timeout, DONE_STOP), []

    def start(self, session, stage, entries, timeout, clock):
        return self._power(session, stage, entries, 'started', timeout, DONE_START)

    def post_readings(self, session, entries):
        found = session.client.read_servers([e['target']['id'] for e in entries])
        readings = []
        for entry in entries:
            server = found.get(entry['target']['id']) or {}
            readings.append({'key': entry['key'], 'label': entry['label'], 'status': server.get('status'),
                             'task_state': _bms_state.task_state(server)})
        return readings


KINDS = dict((kind.name, kind) for kind in (MrsServiceKind(), OcpClusterKind(), OcpAgentKind(), BmsPowerKind()))
