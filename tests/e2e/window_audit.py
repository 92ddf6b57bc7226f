"""What a window did to the simulated estate, told by the simulator alone (request log and state), and how its
ledger compares: the audit the crash-resume and soak suites share.

Every target is named by its ledger key (``mrs_service:<endpoint>:<cluster id>:<service>``, ...); the estate
below names its endpoints after the simulator's instances, so a request's ``instance`` is the key's endpoint.
"""

from __future__ import annotations

import collections
import copy
import datetime
import re

import requests
import yaml

from conftest import REPO

SCENARIO = 'estate'
LEDGER_SCHEMA = 'quiesce.lifecycle.ledger/1'
LEDGER_STATUSES = ('intent', 'stopped', 'failed', 'unknown', 'resumed', 'resume_failed')
STOPPED_STATES = ('STOPPED', 'SHUTOFF')
# Stopped before the window (besides rack02-node030, SHUTOFF in the scenario): the window must leave them so.
PRE_STOPPED_PATCHES = (
    ('mrs_service', 'Loader', {'running_status': 'STOPPED'}, 'mrs-prod'),
    ('ocp_host', 'ob-report-2', {'processes': {'ob_logtailer': 'STOPPED'}}, 'ocp-hz'),
)


def window_estate(request_timeout=None):
    """The demo estate (two MRS Managers, two OCP instances, two BMS regions; one stage per kind, each over
    two endpoints) plus Loader, stopped before the window, in its first stage."""
    estate = copy.deepcopy(yaml.safe_load((REPO / 'demo' / 'estate.yml').read_text())['maintenance_window_estate'])
    estate['window'] = {'progress_interval': 10, 'post_start_grace': 20}
    analytics = estate['stages'][0]
    analytics['targets'].append({'service': 'Loader', 'endpoint': 'mrs-prod'})
    analytics['expect'] = len(analytics['targets'])
    analytics['skip_gates'] = ['mrs_cluster_healthy']  # Loader is down: mrs-prod's health is BAD, by design
    if request_timeout is not None:
        for family in estate['endpoints'].values():
            for endpoint in family.values():
                endpoint['request_timeout'] = request_timeout
    return estate


def stage_names(estate):
    return [stage['name'] for stage in estate['stages']]


def prepare(sim):
    """The start state of every window: the scenario as loaded, then the targets stopped before the window."""
    sim.admin.reset()
    for kind, name, fields, instance in PRE_STOPPED_PATCHES:
        sim.admin.patch(kind, name, fields, instance=instance)


def process_ids(sim):
    """``{(ocp instance, host id, alias): process id}``, read once through the OCP API (the admin state names
    processes by alias only)."""
    found = {}
    state = sim.state()
    for instance, part in state['instances']['ocp'].items():
        prefix = 'QUIESCE_SIM_OCP_{0}'.format(re.sub(r'[^A-Za-z0-9]', '_', instance).upper())
        auth = (sim.env[prefix + '_USERNAME'], sim.env[prefix + '_PASSWORD'])
        for host_id in part['agents']:
            answer = requests.get('{0}/api/v2/compute/hosts/{1}/agent'.format(sim.env[prefix + '_URL'], host_id),
                                  auth=auth, timeout=10)
            answer.raise_for_status()
            for process in answer.json()['data']['processes']:
                found[instance, str(host_id), process['alias']] = str(process['id'])
    return found


def snapshot(state, pids):
    """``{key: state}`` of every target the simulator holds (a server in a transition: ``STATUS/task_state``)."""
    view = {}
    for instance, part in state['instances']['mrs'].items():
        for name, service in part['services'].items():
            view['mrs_service:{0}:{1}:{2}'.format(instance, part['cluster']['id'], name)] = service['running_status']
    for instance, part in state['instances']['ocp'].items():
        for cluster_id, cluster in part['clusters'].items():
            view['ocp_cluster:{0}:{1}'.format(instance, cluster_id)] = cluster['status']
        for host_id, agent in part['agents'].items():
            for alias, status in agent['processes'].items():
                view['ocp_agent_process:{0}:{1}:{2}'.format(instance, host_id, pids[instance, str(host_id), alias])] = \
                    status
    for instance, part in state['instances']['bms'].items():
        for server_id, server in part['servers'].items():
            status = server['status'] + ('/' + server['task_state'] if server.get('task_state') else '')
            view['bms_power:{0}:{1}'.format(instance, server_id)] = status
    return view


def differences(start, now):
    """``{key: (start state, state now)}`` for every target not as it was."""
    return dict((key, (value, now.get(key))) for key, value in start.items() if now.get(key) != value)


# --------------------------------------------------------------------------- actions in the request log

ROUTES = (
    ('mrs_service', re.compile(r'/web/v1/maintain/cluster/(\d+)/service/([^/]+)/(stop|start|restart)$')),
    ('ocp_cluster', re.compile(r'/ob/clusters/(\d+)/(stop|start|restart)$')),
    ('ocp_agent_process', re.compile(r'/compute/hosts/(\d+)/agent/processes/(\d+)/(stop|restart)$')),
)
# A stopped agent process is started with "restart" (ocp.md: there is no process start).
DIRECTIONS = {'stop': 'stop', 'start': 'start', 'os-stop': 'stop', 'os-start': 'start', 'reboot': 'reboot'}

Action = collections.namedtuple('Action', 'key direction accepted failed entry')


def _accepted(entry):
    """The simulator took the action: answered 2xx, or did it and then lost or garbled the answer."""
    status = entry['status']
    return entry['fault'] in ('drop_after', 'malformed') or (status is not None and 200 <= status < 300)


def actions(entries):
    """Every mutating request as ``Action``s, one per target (a BMS batch: one per server). ``accepted``: the
    simulator carried it out (or started to); ``failed``: its command, task or job was made to fail (a
    ``fail_task`` fault), which the API reports, so a later retry is no double. ``key`` None: not a target
    action (a task retry, a whole-agent call) or a BMS batch refused as a whole."""
    found = []
    for entry in entries:
        if not entry['mutating']:
            continue
        accepted, failed = _accepted(entry), entry['fault'] == 'fail_task'
        if entry['api'] == 'bms':
            targets = entry.get('targets')
            if not targets:
                found.append(Action(None, 'batch', False, failed, entry))
                continue
            refused = set(targets.get('refused') or [])
            direction = DIRECTIONS.get(targets['operation'], targets['operation'])
            found.extend(Action('bms_power:{0}:{1}'.format(entry['instance'], server), direction,
                                accepted and server not in refused, failed, entry) for server in targets['servers'])
            continue
        for kind, pattern in ROUTES:
            match = pattern.search(entry['path'])
            if match:
                *ids, verb = match.groups()
                key = ':'.join([kind, entry['instance']] + ids)
                direction = 'start' if kind == 'ocp_agent_process' and verb == 'restart' else DIRECTIONS.get(verb, verb)
                found.append(Action(key, direction, accepted, failed, entry))
                break
        else:
            found.append(Action(None, entry['method'] + ' ' + entry['path'], accepted, failed, entry))
    return found


def doubled(found):
    """``{(key, direction): count}`` of targets an action was carried out on more than once."""
    counts = collections.Counter((a.key, a.direction) for a in found if a.key and a.accepted and not a.failed)
    return dict((pair, count) for pair, count in counts.items() if count > 1)


def unanswered(entry):
    """The client could not know the outcome: no answer, a late one, a garbled one, or a 5xx."""
    return entry['fault'] in ('drop_before', 'drop_after', 'slow', 'malformed') or (entry['status'] or 0) >= 500


def sent_at(action):
    ended = datetime.datetime.fromisoformat(action.entry['time'])
    return ended - datetime.timedelta(milliseconds=action.entry['duration_ms'])


def resent_after_unanswered(found):
    """``[(key, direction, fault of the first, status of the resend)]``: an action sent again to a target, in the
    same direction, after one whose outcome its sender could not know (the modules do so only once a read shows
    no sign of the first; a BMS batch whose request never reached the handler names no servers: not counted)."""
    last, resent = {}, []
    # In the order they were sent: the log has each request when it ended (a slow one after its resend).
    for action in sorted(found, key=sent_at):
        if action.key is None:
            continue
        for other in [pair for pair in last if pair[0] == action.key and pair[1] != action.direction]:
            del last[other]
        earlier = last.get((action.key, action.direction))
        if earlier is not None and unanswered(earlier.entry):
            resent.append((action.key, action.direction, earlier.entry['fault'] or earlier.entry['status'],
                           action.entry['status']))
        last[action.key, action.direction] = action
    return resent


def stopped_by_window(found):
    return set(a.key for a in found if a.key and a.direction == 'stop' and a.accepted and not a.failed)


def action_problems(found):
    """Actions no window should send: a start of a target the window never tried to stop, or anything that is not a
    target's stop or start."""
    tried = set(a.key for a in found if a.direction == 'stop')
    problems = []
    for action in found:
        if action.key is None and action.accepted:
            problems.append('unexpected action {0} ({1})'.format(action.direction, action.entry['instance']))
        elif action.key and action.direction != 'stop' and action.accepted and action.key not in tried:
            problems.append('{0} of {1}, which the window never tried to stop'.format(action.direction, action.key))
    return problems


# --------------------------------------------------------------------------- the ledger against the facts

def ledger_problems(ledger, start, now, found):
    """Where the ledger is not truthful: a target the window stopped (the log) or that is not as it was (the state)
    and is not in it; an entry ``stopped`` without an accepted stop or not stopped now; an entry for a target that
    was stopped before the window; a ``before`` that is not the target's start state."""
    problems = []
    if ledger.get('schema') != LEDGER_SCHEMA or not ledger.get('window_id') or \
            not isinstance(ledger.get('entries'), list):
        return ['not a ledger: schema {0!r}, window_id {1!r}'.format(ledger.get('schema'), ledger.get('window_id'))]
    entries = {}
    for entry in ledger['entries']:
        if entry.get('status') not in LEDGER_STATUSES or entry.get('key') in entries:
            problems.append('entry {0}: unknown status {1!r} or listed twice'.format(
                entry.get('key'), entry.get('status')))
        entries[entry.get('key')] = entry
    stopped = stopped_by_window(found)
    changed = differences(start, now)
    for key in sorted(stopped | set(changed)):
        why = 'a stop of it was accepted' if key in stopped else 'it is {1}, was {0}'.format(*changed[key])
        entry = entries.get(key)
        if entry is None:
            problems.append('{0}: {1}, but it is not in the ledger'.format(key, why))
        elif entry['status'] == 'resumed' and key in changed:
            problems.append('{0}: the ledger says resumed, but {1}'.format(key, why))
    for key, entry in sorted(entries.items()):
        if start.get(key) in STOPPED_STATES:
            problems.append('{0}: stopped before the window, yet in the ledger ({1})'.format(key, entry['status']))
        elif entry.get('before') != start.get(key):
            problems.append('{0}: before {1!r} in the ledger, {2!r} at the start'.format(
                key, entry.get('before'), start.get(key)))
        if entry['status'] == 'stopped':
            if key not in stopped:
                problems.append('{0}: stopped in the ledger, but no stop of it was accepted'.format(key))
            elif now.get(key) not in STOPPED_STATES:
                problems.append('{0}: stopped in the ledger, but it is {1}'.format(key, now.get(key)))
    return problems


def ledger_counts(ledger):
    return dict(collections.Counter(e['status'] for e in (ledger or {}).get('entries') or []))


def blind_spots(ledger, start, now, found):
    """The audit can fail: two lies told with this very ledger (an entry the facts require dropped; a target the
    window never touched entered as ``stopped``) that ``ledger_problems`` must each see. Returns those it missed."""
    missed = []
    listed = set(e['key'] for e in ledger['entries'])
    required = sorted(stopped_by_window(found) | set(differences(start, now)))
    if required:
        dropped = dict(ledger, entries=[e for e in ledger['entries'] if e['key'] != required[0]])
        if not ledger_problems(dropped, start, now, found):
            missed.append('{0} dropped from the ledger'.format(required[0]))
    untouched = next(key for key, value in sorted(start.items())
                     if value not in STOPPED_STATES and key not in listed and now.get(key) == value)
    lie = {'key': untouched, 'status': 'stopped', 'before': start[untouched]}
    invented = dict(ledger, entries=ledger['entries'] + [lie])
    if not ledger_problems(invented, start, now, found):
        missed.append('{0}, never touched, entered as stopped'.format(untouched))
    return missed
