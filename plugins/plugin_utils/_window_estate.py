# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The estate a maintenance window runs over: validated and normalized, every problem named.

``normalize_estate(raw)`` returns ``(estate, problems)``. ``problems`` lists every bad key at once
(``where`` is the key's path, e.g. ``estate.stages[1].targets[0].processes``), so an operator fixes
the file in one go. The normalized estate is plain data (JSON-able) that the plan builder, the stage
runner and the ledger share. Reference: docs/dev/window-model.md.
"""

from __future__ import annotations

import datetime
import math
import re

from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import UUID_SHAPE
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_gates import GATES, unknown_gates

# Stage kinds and the default order (applications, databases, agents, machines).
KIND_RANK = {'mrs_service': 0, 'ocp_cluster': 1, 'ocp_agent_process': 2, 'bms_power': 3}
KIND_FAMILY = {'mrs_service': 'mrs', 'ocp_cluster': 'ocp', 'ocp_agent_process': 'ocp', 'bms_power': 'huaweicloud'}
FAMILIES = ('mrs', 'ocp', 'huaweicloud')
DEFAULT_ENDPOINT = 'default'
ON_FAILURE = ('stop_window', 'continue')
ORDERS = ('listed', 'by_kind')
DEFAULT_WAIT_BUDGET = 1800
DEFAULT_PROGRESS_INTERVAL = 20
MAX_PROGRESS_INTERVAL = 30
DEFAULT_POST_START_GRACE = 120

# The options an endpoint of each family may set: the family's module auth and connection options.
ENDPOINT_OPTIONS = {
    'mrs': ('manager_url', 'cas_url', 'username', 'password', 'cluster_id'),
    'ocp': ('ocp_url', 'auth_method', 'username', 'password', 'access_key', 'secret_key'),
    'huaweicloud': ('region', 'project_id', 'auth_method', 'username', 'password', 'domain_name', 'access_key',
                    'secret_key', 'iam_endpoint', 'bms_endpoint'),
}
CONNECTION_OPTIONS = ('validate_certs', 'ca_path', 'request_timeout')
SECRET_OPTIONS = frozenset(['password', 'secret_key'])

WINDOW_KEYS = ('id', 'deadline', 'skip_gates', 'estimates', 'progress_interval', 'order', 'post_start_grace')
STAGE_KEYS = ('name', 'kind', 'endpoint', 'targets', 'parallel', 'wait_budget', 'on_failure', 'expect', 'estimate',
              'skip_gates', 'only_self', 'type')
BMS_FILTERS = ('name', 'tags', 'status', 'flavor', 'reservation_id', 'enterprise_project_id')
BMS_STATUSES = ('ACTIVE', 'SHUTOFF', 'REBOOT', 'HARD_REBOOT', 'BUILD', 'ERROR', 'DELETED')
TARGET_KEYS = {
    'mrs_service': ('service', 'endpoint'),
    'ocp_cluster': ('name', 'id', 'endpoint'),
    'ocp_agent_process': ('host', 'processes', 'scope', 'endpoint'),
    'bms_power': ('server_ids', 'name_match', 'endpoint') + BMS_FILTERS,
}
# Window ids go into file names and artifact keys: keep them to a safe, readable alphabet.
WINDOW_ID = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$')
NAME = re.compile(r'^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$')


class Problems:
    """Collects every problem of an estate, each with where it is."""

    def __init__(self):
        self.items = []

    def add(self, where, message):
        problem = {'where': where, 'message': message}
        if problem not in self.items:  # a stage's bad endpoint is met once per target: say it once
            self.items.append(problem)

    def __bool__(self):
        return bool(self.items)


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _unknown_keys(problems, where, mapping, known):
    for key in mapping:
        if key not in known:
            problems.add('{0}.{1}'.format(where, key), 'unknown key; known keys: {0}'.format(', '.join(known)))


def parse_deadline(value):
    """An aware UTC ``datetime`` from an ISO 8601 string (``Z`` or an offset required); ValueError otherwise."""
    if isinstance(value, datetime.datetime):
        parsed = value
    else:
        text = str(value).strip()
        if text.endswith(('Z', 'z')):
            text = text[:-1] + '+00:00'
        parsed = datetime.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError('it has no time zone; write it in UTC with a Z, e.g. 2026-12-06T04:00:00Z')
    return parsed.astimezone(datetime.timezone.utc)


def iso(moment):
    """``2026-12-06T04:00:00Z`` for an aware datetime (None stays None)."""
    if moment is None:
        return None
    return moment.astimezone(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def parse_expect(value, where, problems):
    """``{'min': n, 'max': m}`` from ``30``, ``"28-30"`` or ``{min: 28, max: 30}``; None when absent."""
    if value is None:
        return None
    low = high = None
    if _is_int(value):
        low = high = value
    elif isinstance(value, str) and re.match(r'^\s*\d+\s*(-\s*\d+\s*)?$', value):
        parts = [int(p) for p in value.split('-')]
        low, high = parts[0], parts[-1]
    elif isinstance(value, dict) and set(value) <= {'min', 'max'} and value:
        low, high = value.get('min', 0), value.get('max', value.get('min'))
    if not (_is_int(low) and _is_int(high)) or low < 0 or high < low:
        problems.add(where, 'must be a count (30), a range ("28-30") or {min: 28, max: 30}, got %r' % (value,))
        return None
    if high == 0:
        problems.add(where, 'expects no target at all: a stage with nothing to do is a mistake; remove the stage')
        return None
    return {'min': low, 'max': high}


def _positive_number(value, where, problems, default=None, maximum=None):
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        problems.add(where, 'must be a positive number of seconds, got %r' % (value,))
        return default
    if maximum is not None and value > maximum:
        problems.add(where, 'must be at most {0} seconds, got {1!r}'.format(maximum, value))
        return default
    return value


def _estimate(value, where, problems):
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.add(where, 'must be {stop: <seconds>, start: <seconds>}, got %r' % (value,))
        return None
    _unknown_keys(problems, where, value, ('stop', 'start'))
    return dict((phase, _positive_number(value.get(phase), '{0}.{1}'.format(where, phase), problems))
                for phase in ('stop', 'start') if value.get(phase) is not None)


def _name_list(value, where, problems):
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.add(where, 'must be a list of names, got %r' % (value,))
        return []
    return [v.strip() for v in value]


def _normalize_window(raw, problems):
    window = raw if isinstance(raw, dict) else {}
    if raw is not None and not isinstance(raw, dict):
        problems.add('estate.window', 'must be a mapping, got %r' % (type(raw).__name__,))
    _unknown_keys(problems, 'estate.window', window, WINDOW_KEYS)
    result = {'id': None, 'deadline': None}
    if window.get('id') is not None:
        if WINDOW_ID.match(str(window['id'])):
            result['id'] = str(window['id'])
        else:
            problems.add('estate.window.id', 'must be 1-80 letters, digits, dots, dashes or underscores, starting '
                         'with a letter or digit (it names files and artifacts), got %r' % (window['id'],))
    if window.get('deadline') not in (None, ''):
        try:
            result['deadline'] = iso(parse_deadline(window['deadline']))
        except (TypeError, ValueError) as err:
            problems.add('estate.window.deadline', 'is not an ISO 8601 time with a zone ({0}): {1!r}'.format(
                err, window['deadline']))
    result['skip_gates'] = _name_list(window.get('skip_gates'), 'estate.window.skip_gates', problems)
    estimates = window.get('estimates') or {}
    result['estimates'] = {}
    if not isinstance(estimates, dict):
        problems.add('estate.window.estimates', 'must map stage kinds to {stop, start} seconds')
        estimates = {}
    for kind, value in estimates.items():
        where = 'estate.window.estimates.{0}'.format(kind)
        if kind not in KIND_RANK:
            problems.add(where, 'unknown stage kind; known kinds: {0}'.format(', '.join(KIND_RANK)))
            continue
        result['estimates'][kind] = _estimate(value, where, problems) or {}
    result['progress_interval'] = _positive_number(window.get('progress_interval'), 'estate.window.progress_interval',
                                                   problems, DEFAULT_PROGRESS_INTERVAL, MAX_PROGRESS_INTERVAL)
    result['post_start_grace'] = _positive_number(window.get('post_start_grace'), 'estate.window.post_start_grace',
                                                  problems, DEFAULT_POST_START_GRACE)
    order = window.get('order', 'listed')
    if order not in ORDERS:
        problems.add('estate.window.order', 'must be one of {0}, got {1!r}'.format(', '.join(ORDERS), order))
        order = 'listed'
    result['order'] = order
    return result


def _normalize_endpoints(raw, problems):
    endpoints = dict((family, {}) for family in FAMILIES)
    if raw is None:
        return endpoints
    if not isinstance(raw, dict):
        problems.add('estate.endpoints', 'must map families (mrs, ocp, huaweicloud) to named endpoints')
        return endpoints
    for family, named in raw.items():
        where = 'estate.endpoints.{0}'.format(family)
        if family not in FAMILIES:
            problems.add(where, 'unknown family; known families: {0}'.format(', '.join(FAMILIES)))
            continue
        if not isinstance(named, dict):
            problems.add(where, 'must map endpoint names to their options')
            continue
        for name, options in named.items():
            here = '{0}.{1}'.format(where, name)
            if not NAME.match(str(name)) or name == DEFAULT_ENDPOINT:
                problems.add(here, 'endpoint names are 1-63 letters, digits, dots, dashes or underscores ({0!r} is '
                             'reserved for module_defaults and the environment)'.format(DEFAULT_ENDPOINT))
                continue
            if options is None:
                options = {}
            if not isinstance(options, dict):
                problems.add(here, 'must be a mapping of {0} options'.format(family))
                continue
            known = ENDPOINT_OPTIONS[family] + CONNECTION_OPTIONS + ('env',)
            _unknown_keys(problems, here, options, known)
            env = options.get('env') or {}
            if not isinstance(env, dict) or not all(isinstance(v, str) and v.strip() for v in env.values()):
                problems.add(here + '.env', 'must map option names to environment variable names')
                env = {}
            _unknown_keys(problems, here + '.env', env, ENDPOINT_OPTIONS[family] + CONNECTION_OPTIONS)
            clean = dict((k, v) for k, v in options.items() if k in known and k != 'env')
            clean['env'] = dict((k, v.strip()) for k, v in env.items())
            endpoints[family][str(name)] = clean
    return endpoints


def _stage_list(raw, problems):
    """The stages as a list; a mapping ``kind -> stage`` means "kinds only": the default order."""
    if isinstance(raw, dict):
        stages = []
        for kind, stage in raw.items():
            stage = dict(stage or {}) if isinstance(stage, dict) else {'targets': stage}
            stage.setdefault('kind', kind)
            stage.setdefault('name', kind)
            stages.append(stage)
        return stages, True
    if isinstance(raw, list):
        return raw, False
    problems.add('estate.stages', 'must be a list of stages (or a mapping of stage kinds to stages), got %r'
                 % (type(raw).__name__,))
    return [], False


def _normalize_target(kind, raw, where, problems):
    """One target spec of a stage, or None when unusable (problems say why)."""
    if kind in ('mrs_service', 'ocp_cluster') and isinstance(raw, str):
        raw = {'service' if kind == 'mrs_service' else 'name': raw}
    elif kind == 'ocp_cluster' and _is_int(raw):
        raw = {'id': raw}
    if not isinstance(raw, dict):
        problems.add(where, 'must be a mapping with {0}'.format(' / '.join(TARGET_KEYS[kind][:-1])))
        return None
    _unknown_keys(problems, where, raw, TARGET_KEYS[kind])
    target = {}
    if raw.get('endpoint') is not None:
        target['endpoint'] = str(raw['endpoint'])
    if kind == 'mrs_service':
        service = raw.get('service')
        if not isinstance(service, str) or not service.strip() or '/' in service \
                or service.strip() in ('.', '..') or service != service.strip():
            problems.add(where + '.service', 'must be a service name as MRS Manager shows it (e.g. HBase), got %r'
                         % (service,))
            return None
        target['service'] = service
    elif kind == 'ocp_cluster':
        if (raw.get('name') is None) == (raw.get('id') is None):
            problems.add(where, 'give exactly one of name (the cluster name) and id (its OCP id)')
            return None
        if raw.get('id') is not None:
            if not _is_int(raw['id']) or raw['id'] < 1:
                problems.add(where + '.id', 'must be a positive OCP cluster id, got %r' % (raw['id'],))
                return None
            target['id'] = raw['id']
        else:
            if not isinstance(raw['name'], str) or not raw['name'].strip():
                problems.add(where + '.name', 'must be a cluster name, got %r' % (raw['name'],))
                return None
            target['name'] = raw['name']
    elif kind == 'ocp_agent_process':
        host = raw.get('host')
        if not (_is_int(host) or (isinstance(host, str) and host.strip())):
            problems.add(where + '.host', 'must be the host id, name or inner IP address OCP shows, got %r' % (host,))
            return None
        target['host'] = host.strip() if isinstance(host, str) else host
        scope = raw.get('scope', 'processes')
        if scope not in ('processes', 'agent'):
            problems.add(where + '.scope', 'must be processes (the listed ones) or agent (every basic agent '
                         'process through the whole-agent task), got %r' % (scope,))
            return None
        target['scope'] = scope
        processes = raw.get('processes')
        if scope == 'agent':
            if processes not in (None, 'all', ['all']):
                problems.add(where + '.processes', 'scope agent stops every basic process; leave processes out')
                return None
            target['processes'] = ['all']
        else:
            if isinstance(processes, str):
                processes = [processes]
            if not isinstance(processes, list) or not processes or not all(
                    (isinstance(p, str) and p.strip()) or _is_int(p) for p in processes):
                problems.add(where + '.processes', 'must list process aliases or ids (e.g. [obstat2]) or be all, '
                             'got %r' % (processes,))
                return None
            names = [str(p).strip() for p in processes]
            if 'all' in [n.lower() for n in names] and len(names) > 1:
                problems.add(where + '.processes', 'all already means every process; list names or all, not both')
                return None
            target['processes'] = names
    else:
        ids = raw.get('server_ids')
        filters = dict((key, raw[key]) for key in BMS_FILTERS if raw.get(key) is not None)
        if (ids is None) == (not filters):
            problems.add(where, 'give either server_ids or list filters ({0})'.format(', '.join(BMS_FILTERS)))
            return None
        if ids is not None:
            if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i.strip() for i in ids):
                problems.add(where + '.server_ids', 'must be a non-empty list of server ids')
                return None
            malformed = [i for i in ids if not UUID_SHAPE.fullmatch(i.strip())]
            if malformed:
                # Each id becomes a URL path segment: found here, before any endpoint is read.
                problems.add(where + '.server_ids', 'must be server ids as BMS shows them (UUIDs, e.g. '
                             '616fb98f-46ca-475e-917e-2563e5a8cd19), got %r' % (malformed,))
                return None
            target['server_ids'] = list(dict.fromkeys(i.strip() for i in ids))
        for key, value in filters.items():
            here = '{0}.{1}'.format(where, key)
            if key == 'tags':
                value = [value] if isinstance(value, str) else value
                if not isinstance(value, list) or not value or not all(
                        isinstance(t, str) and t.strip() for t in value):
                    problems.add(here, 'must be a list of non-empty key=value tags, got %r' % (raw[key],))
                    return None
            elif not isinstance(value, str) or not value.strip():
                problems.add(here, 'must be a non-empty string (an empty filter would select every server), '
                             'got %r' % (value,))
                return None
            if key == 'status' and value not in BMS_STATUSES:  # as the API and the modules' choices spell them
                problems.add(here, 'must be one of {0}'.format(', '.join(BMS_STATUSES)))
                return None
            target.setdefault('filters', {})[key] = value
        match = raw.get('name_match', 'contains')
        if match not in ('contains', 'exact'):
            problems.add(where + '.name_match', 'must be contains or exact, got %r' % (match,))
            return None
        if 'filters' in target:
            target['name_match'] = match
    return target


def _normalize_stage(index, raw, endpoints, problems, seen_names):
    where = 'estate.stages[{0}]'.format(index)
    if not isinstance(raw, dict):
        problems.add(where, 'must be a mapping with name, kind and targets')
        return None
    name = raw.get('name')
    if isinstance(name, str) and NAME.match(name):
        where = '{0} ({1})'.format(where, name)
    _unknown_keys(problems, where, raw, STAGE_KEYS)
    kind = raw.get('kind')
    if kind not in KIND_RANK:
        problems.add(where + '.kind', 'must be one of {0}, got {1!r}'.format(', '.join(KIND_RANK), kind))
        return None
    if not isinstance(name, str) or not NAME.match(name):
        problems.add(where + '.name', 'must be 1-63 letters, digits, dots, dashes or underscores, got %r' % (name,))
        return None
    if name in seen_names:
        problems.add(where + '.name', 'another stage already has the name {0!r}; stage names must be unique'
                     .format(name))
        return None
    seen_names.add(name)
    family = KIND_FAMILY[kind]
    stage = {'name': name, 'kind': kind, 'family': family}
    stage['endpoint'] = str(raw.get('endpoint') or DEFAULT_ENDPOINT)
    parallel = raw.get('parallel', kind != 'mrs_service')
    if not isinstance(parallel, bool):
        problems.add(where + '.parallel', 'must be true or false, got %r' % (parallel,))
        parallel = False
    stage['parallel'] = parallel
    stage['wait_budget'] = _positive_number(raw.get('wait_budget'), where + '.wait_budget', problems,
                                            DEFAULT_WAIT_BUDGET)
    on_failure = raw.get('on_failure', 'stop_window')
    if on_failure not in ON_FAILURE:
        problems.add(where + '.on_failure', 'must be one of {0}, got {1!r}'.format(', '.join(ON_FAILURE), on_failure))
        on_failure = 'stop_window'
    stage['on_failure'] = on_failure
    stage['expect'] = parse_expect(raw.get('expect'), where + '.expect', problems)
    stage['estimate'] = _estimate(raw.get('estimate'), where + '.estimate', problems)
    stage['skip_gates'] = _name_list(raw.get('skip_gates'), where + '.skip_gates', problems)
    unknown = unknown_gates(stage['skip_gates'])
    if unknown:  # a misspelt gate would silently not be skipped (preflight checks the window's own list)
        problems.add(where + '.skip_gates', 'unknown gate(s) {0}; known gates: {1}'.format(
            ', '.join(unknown), ', '.join(sorted(GATES))))
    if kind == 'mrs_service':
        only_self = raw.get('only_self', True)
        if not isinstance(only_self, bool):
            problems.add(where + '.only_self', 'must be true or false, got %r' % (only_self,))
            only_self = True
        stage['only_self'] = only_self
    elif raw.get('only_self') is not None:
        problems.add(where + '.only_self', 'applies to mrs_service stages only')
    if kind == 'bms_power':
        power_type = raw.get('type', 'HARD')
        if power_type not in ('HARD', 'SOFT'):
            problems.add(where + '.type', 'must be HARD or SOFT, got %r' % (power_type,))
            power_type = 'HARD'
        stage['type'] = power_type
    elif raw.get('type') is not None:
        problems.add(where + '.type', 'applies to bms_power stages only')
    targets = raw.get('targets')
    if not isinstance(targets, list) or not targets:
        problems.add(where + '.targets', 'must list the stage\'s targets (a stage with nothing to do is a mistake)')
        targets = []
    stage['targets'] = []
    for position, target in enumerate(targets):
        here = '{0}.targets[{1}]'.format(where, position)
        normalized = _normalize_target(kind, target, here, problems)
        if normalized is None:
            continue
        normalized.setdefault('endpoint', stage['endpoint'])
        endpoint = normalized['endpoint']
        if endpoint != DEFAULT_ENDPOINT and endpoint not in endpoints[family]:
            known = ', '.join(sorted(endpoints[family])) or 'none'
            problems.add(here + '.endpoint' if 'endpoint' in (target if isinstance(target, dict) else {})
                         else where + '.endpoint',
                         'no {0} endpoint named {1!r} in estate.endpoints.{0} (known: {2})'.format(
                             family, endpoint, known))
            continue
        stage['targets'].append(normalized)
    if not stage['targets']:
        return None
    if stage['expect'] is None and any('filters' in target for target in stage['targets']):
        # A filter's count is not in the estate: `name: "-"` matched (as a substring) every server of a project.
        problems.add(where + '.expect', 'is required when servers are selected by list filters ({0}): say how '
                     'many the selection must resolve to (expect: 30, or a range "28-30"); --check shows the '
                     'count it resolves to now'.format(', '.join(sorted(set(
                         key for target in stage['targets'] for key in target.get('filters', {}))))))
    return stage


def normalize_estate(raw):
    """``(estate, problems)``: the estate in its normal form, and every problem found (list of dicts)."""
    problems = Problems()
    if not isinstance(raw, dict):
        problems.add('estate', 'must be a mapping with endpoints and stages, got %r' % (type(raw).__name__,))
        return None, problems.items
    _unknown_keys(problems, 'estate', raw, ('window', 'endpoints', 'stages'))
    window = _normalize_window(raw.get('window'), problems)
    endpoints = _normalize_endpoints(raw.get('endpoints'), problems)
    stage_list, kinds_only = _stage_list(raw.get('stages'), problems)
    if not stage_list and 'estate.stages' not in [p['where'] for p in problems.items]:
        problems.add('estate.stages', 'lists no stage: a window with nothing to do is a mistake')
    seen = set()
    stages = [s for s in (_normalize_stage(i, raw_stage, endpoints, problems, seen)
                          for i, raw_stage in enumerate(stage_list)) if s is not None]
    if kinds_only or window['order'] == 'by_kind':
        stages.sort(key=lambda s: KIND_RANK[s['kind']])  # stable: the listed order within a kind
    return {'window': window, 'endpoints': endpoints, 'stages': stages}, problems.items


def public_endpoint(family, options):
    """What may be written down about an endpoint: no secret, no environment value."""
    view = dict((k, v) for k, v in options.items() if k not in SECRET_OPTIONS and k != 'env'
                and not isinstance(v, (dict, list)))
    if options.get('env'):
        view['env'] = dict((k, v) for k, v in options['env'].items())
    return view
