"""Hypothesis strategies for invalid module options and invalid window estates, with what each must be blamed on.

A ``Mistake`` is one invalid input: the module (or the window), the arguments, and the option names (estate keys)
any of which the error must name. Every module option has a strategy here (test_bad_input proves it), built from
its type (wrong types, unknown choices), its family (malformed URLs, http:// where HTTPS only, ids that would
climb out of their URL path, header-breaking keys, empty secrets) and the conflicts the modules document.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

from hypothesis import strategies as st

NOWHERE = 'https://127.0.0.1:9'  # loopback, nothing listens: an invalid URL a module failed to refuse goes nowhere

MODULES = ('mrs_service', 'mrs_service_info', 'ocp_cluster', 'ocp_cluster_info', 'ocp_agent_process',
           'ocp_agent_process_info', 'bms_power', 'bms_info')
FAMILY = {'mrs_service': 'mrs', 'mrs_service_info': 'mrs', 'ocp_cluster': 'ocp', 'ocp_cluster_info': 'ocp',
          'ocp_agent_process': 'ocp', 'ocp_agent_process_info': 'ocp', 'bms_power': 'huaweicloud',
          'bms_info': 'huaweicloud'}
# Valid arguments against the default simulator scenario (the environment gives the endpoints and credentials).
BASE_ARGS = {
    'mrs_service': {'name': 'Hive', 'state': 'stopped'},
    'mrs_service_info': {'names': ['Hive']},
    'ocp_cluster': {'name': 'ob-report', 'state': 'stopped'},
    'ocp_cluster_info': {'name': 'ob-report'},
    'ocp_agent_process': {'host': 'ob-prod-1', 'processes': ['obstat2'], 'state': 'stopped'},
    'ocp_agent_process_info': {'host': 'ob-prod-1'},
    'bms_power': {'name': 'rack05-node01', 'state': 'stopped'},
    'bms_info': {'name': 'rack05-node01'},
}


# The URL options of the APIs documented as HTTPS only, with a path each may carry.
HTTPS_ONLY = {'manager_url': '/web', 'cas_url': '/cas', 'iam_endpoint': '', 'bms_endpoint': ''}
FAMILY_OF_URL = {'manager_url': 'mrs', 'cas_url': 'mrs', 'iam_endpoint': 'huaweicloud', 'bms_endpoint': 'huaweicloud'}
URL_VARIABLES = {'manager_url': 'MRS_MANAGER_URL', 'cas_url': 'MRS_CAS_URL', 'iam_endpoint': 'HUAWEICLOUD_IAM_ENDPOINT',
                 'bms_endpoint': 'HUAWEICLOUD_BMS_ENDPOINT'}


@dataclass(frozen=True)
class Mistake:
    target: str  # a module, or 'window'
    args: dict  # module arguments, or the estate
    blame: tuple  # option names (estate keys) the message must name one of
    what: str  # a short description, for the report

    def __repr__(self):
        return 'Mistake({0}: {1}; must name {2})'.format(self.target, self.what, '/'.join(self.blame))


def _fails(convert):
    def check(value):
        try:
            convert(value)
        except (TypeError, ValueError, OverflowError):
            return True
        return False
    return check


def _finite_float(value):
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


blank = st.sampled_from(['', ' ', '\t', ' \n '])
words = st.text(alphabet=st.characters(codec='utf-8', categories=('L', 'N', 'P', 'Zs')), max_size=10)
not_an_int = (words.filter(_fails(int)) | st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda f: not f.is_integer()) | st.lists(st.integers(), min_size=1, max_size=2))
not_a_number = words.filter(_fails(float)) | st.lists(st.floats(), min_size=1, max_size=2) | st.just({'s': 1})
not_a_bool = (st.sampled_from(['maybe', 'tru', 'yes please', 'enabled', '2', '-1', 'oui'])
              | st.integers().filter(lambda i: i not in (0, 1)) | st.lists(st.booleans(), min_size=1, max_size=2))
# Seconds that cannot be a timeout or an interval: zero or less, and what is not a finite number.
not_positive_seconds = (st.floats(max_value=0.0, allow_nan=False) | st.sampled_from(['nan', 'inf', '-inf'])
                        | st.just(float('nan')) | st.just(float('inf')))
malformed_url = (st.sampled_from([
    'garbage', 'https://', 'ftp://127.0.0.1:9', NOWHERE.replace('9', '0'), NOWHERE + '/a/../b', NOWHERE + '/?x=1',
    'https://u:p@127.0.0.1:9', NOWHERE + '#f', 'http//127.0.0.1:9', '://127.0.0.1:9', 'https://127.0.0.1:99999',
    'https:///web', 'file:///etc/passwd', 'https://127.0.0.1:9/web/..'])
    | st.text(alphabet='abcdefgh./:-0123456789', max_size=16).filter(
        lambda u: not u.startswith(('http://', 'https://')))
    ).filter(lambda url: url.strip())  # an empty URL option counts as unset (blank strings are tried on their own)
# Ids that become URL path segments, made to climb out of their path.
path_escape = (st.sampled_from(['..', '.', '../..', '../../v3/projects', 'a/b', 'Hive/../HDFS', '/', '../'])
               | st.builds(lambda a, b: a + '/' + b, st.text('abcXYZ09._-', max_size=5), st.text('abc.', max_size=5)))
# Values that cannot go into an HTTP header (an access key is sent in clear in the Authorization header).
header_breaking = st.builds(lambda a, sep, b: a + sep + b, st.text('ABCDEF0123', min_size=1, max_size=8),
                            st.sampled_from(['\n', '\r', '\r\n', '\nX-Injected: 1\n']), st.text('ABC', max_size=4))
not_a_uuid = path_escape | st.text('0123456789abcdefg-', min_size=1, max_size=40).filter(
    lambda v: len(v) != 36 or v.count('-') != 4)


def unknown_choice(choices):
    return (st.text(max_size=12).filter(lambda v: v not in choices)
            | st.sampled_from([c.upper() if c.upper() != c else c.lower() for c in choices]
                              + [c + ' ' for c in choices]))


def with_blank_entry(valid):
    return st.builds(lambda before, empty: before + [empty], st.lists(st.just(valid), max_size=2), blank | st.none())


# ---------------------------------------------------------------- per-option strategies

def option_strategies(module, option, spec, sim_env):
    """[(strategy of values, extra arguments that make the value matter, what)] for one option of ``module``."""
    family = FAMILY[module]
    kind = spec.get('type', 'str')
    found = []

    def add(strategy, what, extra=None):
        found.append((strategy, dict(extra or {}), what))

    if spec.get('choices'):
        add(unknown_choice(spec['choices']), 'unknown choice')
    if kind == 'bool':
        add(not_a_bool, 'not a boolean')
    if kind == 'int':
        add(not_an_int, 'not an integer')
    if kind == 'float':
        add(not_a_number, 'not a number')
    if option in ('request_timeout', 'poll_interval'):
        add(not_positive_seconds, 'not a positive, finite number of seconds')
    if option == 'wait_timeout':
        add(st.integers(max_value=-1), 'a negative timeout')
    if option in ('cluster_id', 'id', 'max_concurrency'):
        add(st.integers(max_value=0 if option == 'max_concurrency' else -1), 'out of range')
    if option in ('manager_url', 'cas_url', 'ocp_url', 'iam_endpoint', 'bms_endpoint'):
        add(malformed_url, 'a malformed URL')
    if option in HTTPS_ONLY:
        # The simulator's own (plain http) URL, the family's other URLs on https so that only this one is wrong.
        others = dict((name, NOWHERE + path) for name, path in HTTPS_ONLY.items()
                      if name != option and FAMILY_OF_URL[name] == family)
        add(st.just(sim_env[URL_VARIABLES[option]]), 'http:// where HTTPS only',
            dict(others, allow_insecure_http=False))
    if option == 'ca_path':
        add(st.text('abcdef0123', min_size=1, max_size=10).map(lambda t: '/nonexistent/{0}/ca.pem'.format(t))
            | st.just('/'), 'no such file')
    if spec.get('required') or spec.get('no_log') or option in ('name', 'host', 'flavor', 'reservation_id',
                                                                 'enterprise_project_id'):
        add(blank, 'empty or blank')
    if family == 'mrs' and option in ('name', 'related_services', 'names'):
        add(path_escape if kind == 'str' else st.lists(path_escape, min_size=1, max_size=2), 'climbs out of its path')
    if option in ('server_ids', 'job_ids'):
        add(st.lists(not_a_uuid if option == 'server_ids' else path_escape, min_size=1, max_size=2), 'not an id')
    if option in ('project_id', 'region'):
        add(path_escape, 'climbs out of its path')
    if kind == 'list':
        add(with_blank_entry({'related_services': 'HDFS', 'names': 'HDFS', 'processes': 'obstat2',
                              'server_ids': '616fb98f-46ca-475e-917e-2563e5a8cd19', 'tags': 'rack=rack01',
                              'job_ids': '2c9eb2c5544cbf6101544f0602af2b4f', 'status': 'RUNNING'}[option]),
            'an empty entry')
    if option == 'status' and kind == 'list':
        add(st.lists(st.sampled_from(['RUNNNING', 'running?', 'UP', 'STOPED']), min_size=1, max_size=2),
            'an unknown status')
    auth = 'token' if family == 'huaweicloud' else 'basic'
    if option == 'access_key' and family != 'mrs':
        secret = sim_env['HUAWEICLOUD_SDK_SK' if family == 'huaweicloud' else 'QUIESCE_SIM_OCP_SECRET_KEY']
        add(header_breaking, 'breaks the Authorization header', {'auth_method': 'aksk', 'secret_key': secret})
        add(blank, 'empty while AK/SK is asked for', {'auth_method': 'aksk', 'secret_key': secret})
    if option in ('username', 'domain_name') and family != 'mrs':
        add(blank, 'empty while {0} authentication is asked for'.format(auth), {'auth_method': auth})
    return found


def conflicts():
    """Combinations each module refuses: (module, arguments, blamed options, what)."""
    uuid = '616fb98f-46ca-475e-917e-2563e5a8cd19'
    return [
        ('ocp_cluster', {'id': 1000003, 'name': 'ob-report', 'state': 'stopped'}, ('id', 'name'), 'id and name'),
        ('ocp_cluster', {'state': 'stopped'}, ('id', 'name'), 'neither id nor name'),
        ('ocp_agent_process', {'host': 'ob-prod-1', 'processes': ['all', 'obstat2'], 'state': 'stopped'},
         ('processes',), 'all with names'),
        ('ocp_agent_process', {'host': 'ob-prod-1', 'scope': 'agent', 'processes': ['obstat2'], 'state': 'stopped'},
         ('processes', 'scope'), 'scope=agent with processes'),
        ('ocp_agent_process', {'host': 'ob-prod-1', 'state': 'stopped'}, ('processes',), 'no processes'),
        ('bms_power', {'server_ids': [uuid], 'name': 'rack05-', 'state': 'stopped'}, ('server_ids', 'name'),
         'server_ids with a filter'),
        ('bms_power', {'state': 'stopped'}, ('server_ids',), 'no selection'),
        ('bms_info', {'server_ids': [uuid], 'tags': ['rack=rack01']}, ('server_ids', 'tags'), 'server_ids with tags'),
        ('ocp_cluster_info', {'status': ['RUNNNING']}, ('status',), 'an unknown status'),
    ]


@st.composite
def module_mistakes(draw, specs, sim_env):
    """One invalid option of one module, every other argument valid."""
    module = draw(st.sampled_from(MODULES))
    spec = specs[module]
    option = draw(st.sampled_from(sorted(o for o in spec if option_strategies(module, o, spec[o], sim_env))))
    strategy, extra, what = draw(st.sampled_from(option_strategies(module, option, spec[option], sim_env)))
    value = draw(strategy)
    args = dict(BASE_ARGS[module], **extra)
    args[option] = value
    return Mistake(module, args, (option,), '{0}={1!r} ({2})'.format(option, value, what))


def all_module_mistakes(specs, sim_env):
    """Module mistakes, plus each documented conflict as its own example."""
    fixed = [Mistake(module, args, blame, what) for module, args, blame, what in conflicts()]
    return st.sampled_from(fixed) | module_mistakes(specs, sim_env)


# ---------------------------------------------------------------- the window's estate

def valid_estate(sim_env):
    """An estate of every kind against the default scenario, endpoints named and given in full."""
    return {
        'window': {'id': 'CHG-PROOF-1', 'progress_interval': 5},
        'endpoints': {
            'mrs': {'mrs-prod': {'manager_url': sim_env['MRS_MANAGER_URL'], 'cas_url': sim_env['MRS_CAS_URL'],
                                 'username': sim_env['MRS_USERNAME'], 'password': sim_env['MRS_PASSWORD']}},
            'ocp': {'ocp-hz': {'ocp_url': sim_env['OCP_URL'], 'username': sim_env['OCP_USERNAME'],
                               'password': sim_env['OCP_PASSWORD']}},
            'huaweicloud': {'cn-north-4': {'region': 'cn-north-4', 'iam_endpoint': sim_env['HUAWEICLOUD_IAM_ENDPOINT'],
                                           'bms_endpoint': sim_env['HUAWEICLOUD_BMS_ENDPOINT'],
                                           'access_key': sim_env['HUAWEICLOUD_SDK_AK'],
                                           'secret_key': sim_env['HUAWEICLOUD_SDK_SK']}},
        },
        'stages': [
            {'name': 'apps', 'kind': 'mrs_service', 'endpoint': 'mrs-prod', 'targets': ['Hue', 'Loader']},
            {'name': 'databases', 'kind': 'ocp_cluster', 'endpoint': 'ocp-hz', 'targets': ['ob-report']},
            {'name': 'agents', 'kind': 'ocp_agent_process', 'endpoint': 'ocp-hz',
             'targets': [{'host': 'ob-report-1', 'processes': ['obstat2']}]},
            {'name': 'machines', 'kind': 'bms_power', 'endpoint': 'cn-north-4',
             'targets': [{'name': 'rack05-node01'}], 'expect': 10},
        ],
    }


STAGE_KINDS = ('mrs_service', 'ocp_cluster', 'ocp_agent_process', 'bms_power')
# (path of the key to change, strategy of bad values, the key names the message may blame, what). An empty endpoint
# option is no mistake: it counts as unset, and the option comes from the environment (docs/dev/window-model.md).
ESTATE_KEYS = [
    (('window',), st.sampled_from(['soon', 5, ['x']]), ('window',), 'not a mapping'),
    (('window', 'id'), st.sampled_from(['../x', 'a/b', '', ' ', '-x', 'x' * 81]) | path_escape, ('id',), 'unsafe id'),
    (('window', 'deadline'), st.sampled_from(['tomorrow', '2026-13-01T00:00:00Z', '2026-12-06T04:00:00', 5]),
     ('deadline',), 'not an ISO time with a zone'),
    (('window', 'progress_interval'), not_positive_seconds | st.sampled_from([31, 'often', True]),
     ('progress_interval',), 'not seconds within 30'),
    (('window', 'order'), unknown_choice(('listed', 'by_kind')), ('order',), 'unknown order'),
    (('window', 'skip_gates'),
     st.lists(st.sampled_from(['no_such_gate', 'mrs_cluster_health']), min_size=1, max_size=2),
     ('skip_gates',), 'unknown gate'),
    (('window', 'estimates'), st.sampled_from([{'ocp_cluster': {'stop': -1, 'start': 5}}, {'nope': {'stop': 1}},
                                               {'ocp_cluster': 'fast'}]), ('estimates', 'ocp_cluster', 'nope', 'stop'),
     'bad estimate'),
    (('window', 'post_start_grace'), not_positive_seconds | st.just('long'), ('post_start_grace',), 'not seconds'),
    (('window', 'surprise'), st.just(1), ('surprise',), 'unknown key'),
    (('endpoints', 'mrs', 'mrs-prod', 'manager_url'), malformed_url, ('manager_url',), 'malformed URL'),
    (('endpoints', 'mrs', 'mrs-prod', 'cluster_id'), st.sampled_from([-1, 'one', [1]]), ('cluster_id',), 'bad id'),
    (('endpoints', 'mrs', 'mrs-prod', 'colour'), st.just('blue'), ('colour',), 'unknown option'),
    (('endpoints', 'ocp', 'ocp-hz', 'ocp_url'), malformed_url, ('ocp_url',), 'malformed URL'),
    (('endpoints', 'ocp', 'ocp-hz', 'auth_method'), unknown_choice(('auto', 'basic', 'aksk')).filter(
        lambda value: value.strip()), ('auth_method',),
     'unknown choice'),
    (('endpoints', 'huaweicloud', 'cn-north-4', 'region'), path_escape, ('region',), 'climbs out of its path'),
    (('endpoints', 'huaweicloud', 'cn-north-4', 'bms_endpoint'), malformed_url, ('bms_endpoint',), 'malformed URL'),
    (('endpoints', 'huaweicloud', 'cn-north-4', 'request_timeout'), not_positive_seconds, ('request_timeout',),
     'not positive seconds'),
    (('endpoints', 'nosuchfamily'), st.just({'x': {}}), ('nosuchfamily',), 'unknown family'),
    (('stages',), st.sampled_from([[], 'all', {'nope': {}}]), ('stages', 'nope'), 'no stages'),
    (('stages', 0, 'kind'), unknown_choice(STAGE_KINDS), ('kind',), 'unknown kind'),
    (('stages', 1, 'name'), st.sampled_from(['apps', '', '../x', 'a b']), ('name',), 'duplicate or unsafe name'),
    (('stages', 1, 'endpoint'), st.sampled_from(['ocp-nowhere', 'mrs-prod']), ('endpoint',), 'unknown endpoint'),
    (('stages', 0, 'targets'), st.sampled_from([[], 'Hue', [''], [' '], [None], ['../..'], ['a/b']]), ('targets',),
     'bad targets'),
    (('stages', 2, 'targets'), st.sampled_from([[{'host': 'ob-report-1', 'processes': ['all', 'obstat2']}],
                                                [{'host': 'ob-report-1', 'scope': 'agent', 'processes': ['obstat2']}],
                                                [{'host': 'ob-report-1', 'scope': 'everything'}],
                                                [{'host': '', 'processes': ['obstat2']}],
                                                [{'host': 'ob-report-1', 'processes': ['']}],
                                                [{'host': 'ob-report-1', 'colour': 'red'}]]),
     ('processes', 'scope', 'host', 'colour', 'targets'), 'bad agent target'),
    (('stages', 3, 'targets'), st.sampled_from([[{'server_ids': ['../..']}], [{'name': ''}], [{'tags': ['']}],
                                                [{'status': 'ON'}], [{'name_match': 'fuzzy', 'name': 'rack05-'}],
                                                [{'server_ids': ['616fb98f-46ca-475e-917e-2563e5a8cd19'],
                                                  'name': 'rack05-'}], [{}]]),
     ('server_ids', 'name', 'tags', 'status', 'name_match', 'targets'), 'bad server selection'),
    (('stages', 3, 'expect'), st.sampled_from([0, -1, '5-2', 'many', {'min': 3, 'max': 1}, True]), ('expect',),
     'bad count'),
    (('stages', 1, 'wait_budget'), not_positive_seconds | st.just('long'), ('wait_budget',), 'not positive seconds'),
    (('stages', 1, 'on_failure'), unknown_choice(('stop_window', 'continue')), ('on_failure',), 'unknown choice'),
    (('stages', 1, 'parallel'), st.sampled_from(['maybe', 2, [True]]), ('parallel',), 'not a boolean'),
    (('stages', 0, 'only_self'), st.sampled_from(['maybe', 2]), ('only_self',), 'not a boolean'),
    (('stages', 3, 'type'), unknown_choice(('HARD', 'SOFT')), ('type',), 'unknown choice'),
    (('stages', 1, 'estimate'), st.sampled_from([{'stop': -5}, 'quick', {'stop': 'x', 'start': 1}]),
     ('estimate', 'stop'), 'bad estimate'),
    (('stages', 1, 'skip_gates'), st.just(['no_such_gate']), ('skip_gates',), 'unknown gate'),
    (('stages', 1, 'colour'), st.just('red'), ('colour',), 'unknown key'),
    (('surprise',), st.just({}), ('surprise',), 'unknown top-level key'),
]


def _set(estate, path, value):
    node = estate
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


@st.composite
def estate_mistakes(draw, sim_env):
    path, strategy, blame, what = draw(st.sampled_from(ESTATE_KEYS))
    value = draw(strategy)
    estate = copy.deepcopy(valid_estate(sim_env))
    _set(estate, path, value)
    return Mistake('window', estate, blame, '{0}={1!r} ({2})'.format('.'.join(str(p) for p in path), value, what))
