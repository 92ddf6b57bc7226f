# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The estate: a full estate normalizes as docs/dev/window-model.md says; every bad key is named."""

from __future__ import annotations

import copy
import datetime

import pytest

from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_estate as estates


def full_estate():
    """The estate of docs/dev/window-model.md, as an operator writes it."""
    return {
        'window': {
            'id': 'CHG-4711', 'deadline': '2026-12-06T04:00:00Z', 'skip_gates': ['mrs_services_healthy'],
            'estimates': {'ocp_cluster': {'stop': 60, 'start': 120}}, 'progress_interval': 20,
        },
        'endpoints': {
            'mrs': {
                'mrs-prod': {'manager_url': 'https://192.0.2.10:28443/web', 'username': 'admin', 'password': 'pw',
                             'cluster_id': 1},
                'mrs-dr': {'env': {'manager_url': 'MRS_DR_URL', 'cas_url': 'MRS_DR_CAS_URL',
                                   'username': 'MRS_DR_USER', 'password': 'MRS_DR_PASSWORD'}},
            },
            'ocp': {'ocp-hz': {'ocp_url': 'http://ocp-hz:8080', 'access_key': 'ak', 'secret_key': 'sk'}},
            'huaweicloud': {'cn-north-4': {'region': 'cn-north-4', 'bms_endpoint': 'https://bms', 'access_key': 'ak',
                                           'secret_key': 'sk'}},
        },
        'stages': [
            {'name': 'analytics', 'kind': 'mrs_service', 'endpoint': 'mrs-prod',
             'targets': ['Hue', 'Spark2x', {'service': 'Hive', 'endpoint': 'mrs-dr'}],
             'only_self': True, 'expect': 3, 'wait_budget': 900, 'on_failure': 'stop_window'},
            {'name': 'databases', 'kind': 'ocp_cluster', 'endpoint': 'ocp-hz', 'parallel': True,
             'targets': ['ob-report', {'id': 1000002}]},
            {'name': 'agents', 'kind': 'ocp_agent_process',
             'targets': [{'host': 'ob-report-1', 'processes': ['obstat2', 'ob_logtailer']},
                         {'host': 1006, 'scope': 'agent'}]},
            {'name': 'machines', 'kind': 'bms_power', 'endpoint': 'cn-north-4',
             'targets': [{'name': 'rack02-', 'name_match': 'contains'},
                         {'server_ids': ['616fb98f-46ca-475e-917e-2563e5a8cd19', '323588b2-ed9e-4d01-a93e-489b4d533b57',
                                         '616fb98f-46ca-475e-917e-2563e5a8cd19']},
                         {'tags': ['rack=rack03']}],
             'expect': 30, 'type': 'HARD'},
        ],
    }


def normalize(raw):
    return estates.normalize_estate(raw)


def wheres(problems):
    return [p['where'] for p in problems]


def test_the_documented_estate_normalizes_without_a_problem():
    estate, problems = normalize(full_estate())
    assert problems == []
    assert estate['window'] == {
        'id': 'CHG-4711', 'deadline': '2026-12-06T04:00:00Z', 'skip_gates': ['mrs_services_healthy'],
        'estimates': {'ocp_cluster': {'stop': 60, 'start': 120}}, 'progress_interval': 20,
        'post_start_grace': estates.DEFAULT_POST_START_GRACE, 'order': 'listed'}
    assert [s['name'] for s in estate['stages']] == ['analytics', 'databases', 'agents', 'machines']
    analytics, databases, agents, machines = estate['stages']
    assert analytics == {
        'name': 'analytics', 'kind': 'mrs_service', 'family': 'mrs', 'endpoint': 'mrs-prod', 'parallel': False,
        'wait_budget': 900, 'on_failure': 'stop_window', 'expect': {'min': 3, 'max': 3}, 'estimate': None,
        'skip_gates': [], 'only_self': True,
        'targets': [{'service': 'Hue', 'endpoint': 'mrs-prod'}, {'service': 'Spark2x', 'endpoint': 'mrs-prod'},
                    {'service': 'Hive', 'endpoint': 'mrs-dr'}]}
    assert databases['targets'] == [{'name': 'ob-report', 'endpoint': 'ocp-hz'}, {'id': 1000002, 'endpoint': 'ocp-hz'}]
    assert databases['parallel'] is True and databases['family'] == 'ocp'
    # No endpoint given: the default chain (module_defaults, environment).
    assert agents['endpoint'] == estates.DEFAULT_ENDPOINT == 'default'
    assert agents['targets'] == [
        {'host': 'ob-report-1', 'scope': 'processes', 'processes': ['obstat2', 'ob_logtailer'], 'endpoint': 'default'},
        {'host': 1006, 'scope': 'agent', 'processes': ['all'], 'endpoint': 'default'}]
    assert machines['type'] == 'HARD' and machines['expect'] == {'min': 30, 'max': 30}
    assert machines['targets'] == [
        {'filters': {'name': 'rack02-'}, 'name_match': 'contains', 'endpoint': 'cn-north-4'},
        {'server_ids': ['616fb98f-46ca-475e-917e-2563e5a8cd19', '323588b2-ed9e-4d01-a93e-489b4d533b57'], 'endpoint': 'cn-north-4'},
        {'filters': {'tags': ['rack=rack03']}, 'name_match': 'contains', 'endpoint': 'cn-north-4'}]
    assert estate['endpoints']['mrs']['mrs-dr'] == {'env': {'manager_url': 'MRS_DR_URL', 'cas_url': 'MRS_DR_CAS_URL',
                                                            'username': 'MRS_DR_USER', 'password': 'MRS_DR_PASSWORD'}}
    assert estate['endpoints']['ocp']['ocp-hz']['secret_key'] == 'sk'  # kept for the session, never written


def test_defaults_of_a_minimal_stage_depend_on_its_kind():
    estate, problems = normalize({'stages': [
        {'name': 'apps', 'kind': 'mrs_service', 'targets': ['HBase']},
        {'name': 'dbs', 'kind': 'ocp_cluster', 'targets': [7]},
        {'name': 'agents', 'kind': 'ocp_agent_process', 'targets': [{'host': 'h1', 'processes': 'obstat2'}]},
        {'name': 'servers', 'kind': 'bms_power', 'targets': [{'server_ids': ['616fb98f-46ca-475e-917e-2563e5a8cd19']}]}]})
    assert problems == []
    assert estate['window']['id'] is None and estate['window']['deadline'] is None
    assert estate['window']['progress_interval'] == estates.DEFAULT_PROGRESS_INTERVAL
    by_name = dict((s['name'], s) for s in estate['stages'])
    # MRS Manager serializes commands: an MRS stage runs its services one after the other unless told.
    assert [by_name[n]['parallel'] for n in ('apps', 'dbs', 'agents', 'servers')] == [False, True, True, True]
    for stage in estate['stages']:
        assert stage['on_failure'] == 'stop_window'
        assert stage['wait_budget'] == estates.DEFAULT_WAIT_BUDGET
        assert stage['endpoint'] == 'default'
        assert stage['expect'] is None
    assert by_name['apps']['only_self'] is True and 'only_self' not in by_name['dbs']
    assert by_name['servers']['type'] == 'HARD' and 'type' not in by_name['apps']
    assert by_name['dbs']['targets'] == [{'id': 7, 'endpoint': 'default'}]
    assert by_name['agents']['targets'][0]['processes'] == ['obstat2']


def test_kinds_only_mapping_takes_the_default_order():
    estate, problems = normalize({'stages': {
        'bms_power': {'targets': [{'server_ids': ['616fb98f-46ca-475e-917e-2563e5a8cd19']}]},
        'ocp_agent_process': [{'host': 'h1', 'processes': ['obstat2']}],
        'mrs_service': ['Hue'],
        'ocp_cluster': {'targets': ['ob-report'], 'parallel': False},
    }})
    assert problems == []
    assert [(s['name'], s['kind']) for s in estate['stages']] == [
        ('mrs_service', 'mrs_service'), ('ocp_cluster', 'ocp_cluster'), ('ocp_agent_process', 'ocp_agent_process'),
        ('bms_power', 'bms_power')]
    assert estate['stages'][1]['parallel'] is False


def test_order_by_kind_sorts_a_list_and_keeps_the_listed_order_within_a_kind():
    stages = [{'name': 'servers', 'kind': 'bms_power', 'targets': [{'server_ids': ['616fb98f-46ca-475e-917e-2563e5a8cd19']}]},
              {'name': 'mrs-b', 'kind': 'mrs_service', 'targets': ['Hive']},
              {'name': 'dbs', 'kind': 'ocp_cluster', 'targets': ['ob']},
              {'name': 'mrs-a', 'kind': 'mrs_service', 'targets': ['Hue']}]
    listed, problems = normalize({'stages': copy.deepcopy(stages)})
    assert problems == []
    assert [s['name'] for s in listed['stages']] == ['servers', 'mrs-b', 'dbs', 'mrs-a']
    by_kind, problems = normalize({'window': {'order': 'by_kind'}, 'stages': stages})
    assert problems == []
    assert [s['name'] for s in by_kind['stages']] == ['mrs-b', 'mrs-a', 'dbs', 'servers']


def test_a_repeated_kind_is_two_stages_and_a_stage_may_span_endpoints():
    estate, problems = normalize({
        'endpoints': {'mrs': {'one': {'manager_url': 'https://a'}, 'two': {'manager_url': 'https://b'}}},
        'stages': [{'name': 'mrs-1', 'kind': 'mrs_service', 'endpoint': 'one', 'targets': ['Hue']},
                   {'name': 'mrs-2', 'kind': 'mrs_service', 'endpoint': 'two',
                    'targets': ['Hive', {'service': 'Yarn', 'endpoint': 'one'}]}]})
    assert problems == []
    assert [t['endpoint'] for t in estate['stages'][1]['targets']] == ['two', 'one']


@pytest.mark.parametrize('value, expected', [
    (30, {'min': 30, 'max': 30}),
    ('28-30', {'min': 28, 'max': 30}),
    (' 2 - 4 ', {'min': 2, 'max': 4}),
    ({'min': 2, 'max': 4}, {'min': 2, 'max': 4}),
    ({'min': 2}, {'min': 2, 'max': 2}),
    ({'max': 4}, {'min': 0, 'max': 4}),
])
def test_expect_forms(value, expected):
    problems = estates.Problems()
    assert estates.parse_expect(value, 'here', problems) == expected
    assert not problems


@pytest.mark.parametrize('value', [True, -1, 2.5, 'thirty', '4-2', '1-2-x', {'min': 4, 'max': 2}, {},
                                   {'min': 1, 'most': 2}, {'min': 'a'}, [3]])
def test_bad_expect_forms_are_named(value):
    problems = estates.Problems()
    assert estates.parse_expect(value, 'estate.stages[0].expect', problems) is None
    assert wheres(problems.items) == ['estate.stages[0].expect']
    assert 'a range' in problems.items[0]['message']


@pytest.mark.parametrize('value', [0, '0', '0-0', {'max': 0}])
def test_expecting_no_target_is_refused(value):
    problems = estates.Problems()
    assert estates.parse_expect(value, 'x', problems) is None
    assert 'expects no target at all' in problems.items[0]['message']


def test_deadline_forms():
    assert estates.iso(estates.parse_deadline('2026-12-06T04:00:00Z')) == '2026-12-06T04:00:00Z'
    assert estates.iso(estates.parse_deadline('2026-12-06T06:00:00+02:00')) == '2026-12-06T04:00:00Z'
    aware = datetime.datetime(2026, 12, 6, 4, tzinfo=datetime.timezone.utc)
    assert estates.parse_deadline(aware) == aware  # YAML gives a datetime for an unquoted timestamp
    with pytest.raises(ValueError, match='no time zone'):
        estates.parse_deadline('2026-12-06T04:00:00')
    with pytest.raises(ValueError, match='no time zone'):
        estates.parse_deadline(datetime.datetime(2026, 12, 6, 4))
    assert estates.iso(None) is None


def stage(**fields):
    base = {'name': 's1', 'kind': 'ocp_cluster', 'targets': ['ob']}
    base.update(fields)
    return base


@pytest.mark.parametrize('raw, where, text', [
    ({'stages': [stage()], 'windows': {}}, 'estate.windows', 'unknown key'),
    ({'window': {'deadlin': 'x'}, 'stages': [stage()]}, 'estate.window.deadlin', 'unknown key'),
    ({'window': [], 'stages': [stage()]}, 'estate.window', 'must be a mapping'),
    ({'window': {'id': 'bad id/..'}, 'stages': [stage()]}, 'estate.window.id', 'letters, digits'),
    ({'window': {'id': '-starts-with-a-dash'}, 'stages': [stage()]}, 'estate.window.id', 'starting'),
    ({'window': {'deadline': '2026-12-06T04:00:00'}, 'stages': [stage()]}, 'estate.window.deadline',
     'no time zone'),
    ({'window': {'deadline': 'tomorrow'}, 'stages': [stage()]}, 'estate.window.deadline', 'not an ISO 8601'),
    ({'window': {'order': 'random'}, 'stages': [stage()]}, 'estate.window.order', 'listed, by_kind'),
    ({'window': {'progress_interval': 45}, 'stages': [stage()]}, 'estate.window.progress_interval', 'at most 30'),
    ({'window': {'progress_interval': 0}, 'stages': [stage()]}, 'estate.window.progress_interval', 'positive'),
    # nan passed "<= 0" (and inf "<= 30" failed only with a maximum): neither is a number of seconds.
    ({'window': {'progress_interval': float('nan')}, 'stages': [stage()]}, 'estate.window.progress_interval',
     'positive'),
    ({'stages': [stage(wait_budget=float('inf'))]}, 'estate.stages[0] (s1).wait_budget', 'positive'),
    ({'window': {'skip_gates': 'bms_not_locked'}, 'stages': [stage()]}, 'estate.window.skip_gates',
     'list of names'),
    ({'window': {'estimates': {'ocp_clusters': {'stop': 1}}}, 'stages': [stage()]},
     'estate.window.estimates.ocp_clusters', 'unknown stage kind'),
    ({'window': {'estimates': {'ocp_cluster': {'stop': 1, 'end': 2}}}, 'stages': [stage()]},
     'estate.window.estimates.ocp_cluster.end', 'unknown key'),
    ({'window': {'estimates': {'ocp_cluster': {'stop': -5}}}, 'stages': [stage()]},
     'estate.window.estimates.ocp_cluster.stop', 'positive'),
    ({'window': {'estimates': {'ocp_cluster': 60}}, 'stages': [stage()]},
     'estate.window.estimates.ocp_cluster', '{stop: <seconds>'),
    ({'endpoints': {'oceanbase': {}}, 'stages': [stage()]}, 'estate.endpoints.oceanbase', 'unknown family'),
    ({'endpoints': {'ocp': {'default': {}}}, 'stages': [stage()]}, 'estate.endpoints.ocp.default', 'reserved'),
    ({'endpoints': {'ocp': {'bad name': {}}}, 'stages': [stage()]}, 'estate.endpoints.ocp.bad name', 'letters'),
    ({'endpoints': {'ocp': {'hz': {'ocp_url': 'http://o', 'manager_url': 'http://m'}}}, 'stages': [stage()]},
     'estate.endpoints.ocp.hz.manager_url', 'unknown key'),
    ({'endpoints': {'ocp': {'hz': {'env': {'ocp_url': ''}}}}, 'stages': [stage()]}, 'estate.endpoints.ocp.hz.env',
     'environment variable names'),
    ({'endpoints': {'ocp': {'hz': {'env': {'region': 'REGION'}}}}, 'stages': [stage()]},
     'estate.endpoints.ocp.hz.env.region', 'unknown key'),
    ({'endpoints': {'ocp': ['hz']}, 'stages': [stage()]}, 'estate.endpoints.ocp', 'endpoint names'),
    ({'stages': 'ocp_cluster'}, 'estate.stages', 'must be a list'),
    ({'stages': []}, 'estate.stages', 'lists no stage'),
    ({'stages': [stage(parallell=True)]}, 'estate.stages[0] (s1).parallell', 'unknown key'),
    ({'stages': [stage(kind='ocp_clusters')]}, 'estate.stages[0] (s1).kind', 'must be one of'),
    ({'stages': [stage(name='two words')]}, 'estate.stages[0].name', 'letters'),
    ({'stages': [stage(), stage()]}, 'estate.stages[1] (s1).name', 'must be unique'),
    ({'stages': [stage(targets=[])]}, 'estate.stages[0] (s1).targets', 'nothing to do'),
    ({'stages': [stage(targets=None)]}, 'estate.stages[0] (s1).targets', 'nothing to do'),
    ({'stages': [stage(parallel='yes')]}, 'estate.stages[0] (s1).parallel', 'true or false'),
    ({'stages': [stage(on_failure='ignore')]}, 'estate.stages[0] (s1).on_failure', 'stop_window, continue'),
    ({'stages': [stage(wait_budget='10m')]}, 'estate.stages[0] (s1).wait_budget', 'positive'),
    ({'stages': [stage(expect='lots')]}, 'estate.stages[0] (s1).expect', 'a range'),
    ({'stages': [stage(estimate={'stop': 0})]}, 'estate.stages[0] (s1).estimate.stop', 'positive'),
    ({'stages': [stage(only_self=False)]}, 'estate.stages[0] (s1).only_self', 'mrs_service stages only'),
    ({'stages': [stage(type='SOFT')]}, 'estate.stages[0] (s1).type', 'bms_power stages only'),
    ({'stages': [stage(kind='mrs_service', targets=['Hue'], only_self='no')]}, 'estate.stages[0] (s1).only_self',
     'true or false'),
    ({'stages': [stage(kind='bms_power', targets=[{'server_ids': ['s']}], type='COLD')]},
     'estate.stages[0] (s1).type', 'HARD or SOFT'),
    ({'stages': [stage(endpoint='nowhere')]}, 'estate.stages[0] (s1).endpoint', "no ocp endpoint named 'nowhere'"),
    ({'stages': [stage(targets=[{'name': 'ob', 'endpoint': 'elsewhere'}])]},
     'estate.stages[0] (s1).targets[0].endpoint', "no ocp endpoint named 'elsewhere'"),
    ({'stages': [stage(targets=[{'name': 'ob', 'cluster': 'x'}])]}, 'estate.stages[0] (s1).targets[0].cluster',
     'unknown key'),
    ({'stages': [stage(targets=[{'name': 'ob', 'id': 3}])]}, 'estate.stages[0] (s1).targets[0]', 'exactly one'),
    ({'stages': [stage(targets=[{'id': 0}])]}, 'estate.stages[0] (s1).targets[0].id', 'positive'),
    ({'stages': [stage(targets=[{'name': ' '}])]}, 'estate.stages[0] (s1).targets[0].name', 'cluster name'),
    ({'stages': [stage(targets=[['ob']])]}, 'estate.stages[0] (s1).targets[0]', 'must be a mapping'),
    ({'stages': [stage(kind='mrs_service', targets=['../etc'])]}, 'estate.stages[0] (s1).targets[0].service',
     'service name'),
    ({'stages': [stage(kind='mrs_service', targets=[' Hue'])]}, 'estate.stages[0] (s1).targets[0].service',
     'service name'),
    ({'stages': [stage(kind='ocp_agent_process', targets=[{'host': 'h', 'processes': ['all', 'obstat2']}])]},
     'estate.stages[0] (s1).targets[0].processes', 'not both'),
    ({'stages': [stage(kind='ocp_agent_process', targets=[{'host': 'h', 'processes': []}])]},
     'estate.stages[0] (s1).targets[0].processes', 'must list'),
    ({'stages': [stage(kind='ocp_agent_process', targets=[{'host': 'h'}])]},
     'estate.stages[0] (s1).targets[0].processes', 'must list'),
    ({'stages': [stage(kind='ocp_agent_process', targets=[{'host': '', 'processes': ['obstat2']}])]},
     'estate.stages[0] (s1).targets[0].host', 'host id'),
    ({'stages': [stage(kind='ocp_agent_process', targets=[{'host': 'h', 'scope': 'host', 'processes': ['x']}])]},
     'estate.stages[0] (s1).targets[0].scope', 'processes'),
    ({'stages': [stage(kind='ocp_agent_process', targets=[{'host': 'h', 'scope': 'agent', 'processes': ['x']}])]},
     'estate.stages[0] (s1).targets[0].processes', 'leave processes out'),
    ({'stages': [stage(kind='bms_power', targets=[{'tags': ['']}])]}, 'estate.stages[0] (s1).targets[0].tags',
     'non-empty'),
    ({'stages': [stage(kind='bms_power', targets=[{'tags': []}])]}, 'estate.stages[0] (s1).targets[0].tags',
     'non-empty'),
    ({'stages': [stage(kind='bms_power', targets=[{'name': ''}])]}, 'estate.stages[0] (s1).targets[0].name',
     'select every server'),
    ({'stages': [stage(kind='bms_power', targets=[{'name': '  '}])]}, 'estate.stages[0] (s1).targets[0].name',
     'select every server'),
    ({'stages': [stage(kind='bms_power', targets=[{'server_ids': ['s'], 'name': 'rack'}])]},
     'estate.stages[0] (s1).targets[0]', 'either server_ids or list filters'),
    ({'stages': [stage(kind='bms_power', targets=[{'name_match': 'exact'}])]}, 'estate.stages[0] (s1).targets[0]',
     'either server_ids or list filters'),
    ({'stages': [stage(kind='bms_power', targets=[{'server_ids': []}])]},
     'estate.stages[0] (s1).targets[0].server_ids', 'non-empty list'),
    ({'stages': [stage(kind='bms_power', targets=[{'server_ids': ['s', '']}])]},
     'estate.stages[0] (s1).targets[0].server_ids', 'non-empty list'),
    # Each id becomes a URL path segment: one that would climb out of it is found before any endpoint is read.
    ({'stages': [stage(kind='bms_power', targets=[{'server_ids': ['../../v3/projects']}])]},
     'estate.stages[0] (s1).targets[0].server_ids', 'UUIDs'),
    ({'stages': [stage(kind='bms_power', targets=[{'status': 'OFF'}])]}, 'estate.stages[0] (s1).targets[0].status',
     'ACTIVE, SHUTOFF'),
    ({'stages': [stage(kind='bms_power', targets=[{'name': 'r', 'name_match': 'regex'}])]},
     'estate.stages[0] (s1).targets[0].name_match', 'contains or exact'),
    ({'stages': [stage(kind='bms_power', targets=['rack01'])]}, 'estate.stages[0] (s1).targets[0]',
     'must be a mapping'),
    ({'stages': ['ocp_cluster']}, 'estate.stages[0]', 'must be a mapping'),
])
def test_every_bad_key_is_named(raw, where, text):
    _estate, problems = normalize(raw)
    assert where in wheres(problems), problems
    messages = [p['message'] for p in problems if p['where'] == where]
    assert any(text in message for message in messages), messages


def test_a_stage_on_an_unknown_endpoint_is_reported_once_not_per_target():
    _estate, problems = normalize({'stages': [stage(endpoint='nowhere', targets=['a', 'b', 'c'])]})
    assert problems == [{'where': 'estate.stages[0] (s1).endpoint',
                         'message': "no ocp endpoint named 'nowhere' in estate.endpoints.ocp (known: none)"}]


def test_a_bms_status_filter_is_spelled_as_the_api_and_the_modules_spell_it():
    # bms_power/bms_info accept only the API's upper-case statuses: the estate must not pass "shutoff" on.
    _estate, problems = normalize({'stages': [stage(kind='bms_power', targets=[{'status': 'shutoff'}])]})
    assert wheres(problems) == ['estate.stages[0] (s1).targets[0].status']
    estate, problems = normalize({'stages': [stage(kind='bms_power', targets=[{'status': 'SHUTOFF'}], expect=5)]})
    assert problems == [] and estate['stages'][0]['targets'][0]['filters'] == {'status': 'SHUTOFF'}


def test_servers_selected_by_list_filters_need_expect():
    # `name: "-"` matches as a substring: it once powered off 295 servers. A filter's count must be stated.
    _estate, problems = normalize({'stages': [stage(kind='bms_power', targets=[
        {'name': '-'}, {'server_ids': ['616fb98f-46ca-475e-917e-2563e5a8cd19']}, {'tags': ['rack=rack03']}])]})
    assert wheres(problems) == ['estate.stages[0] (s1).expect']
    assert 'list filters (name, tags)' in problems[0]['message'] and 'expect: 30' in problems[0]['message']
    # Ids name each server: their count is in the estate itself.
    _estate, problems = normalize({'stages': [stage(kind='bms_power', targets=[
        {'server_ids': ['616fb98f-46ca-475e-917e-2563e5a8cd19']}])]})
    assert problems == []


def test_an_unknown_gate_in_a_stage_is_named():
    _estate, problems = normalize({'stages': [stage(skip_gates=['ocp_no_running_tasks', 'ocp_no_running_task'])]})
    assert wheres(problems) == ['estate.stages[0] (s1).skip_gates']
    assert 'ocp_no_running_tasks' in problems[0]['message'] and 'known gates' in problems[0]['message']


def test_a_not_a_mapping_estate_is_one_problem():
    estate, problems = normalize(['stages'])
    assert estate is None
    assert wheres(problems) == ['estate']


def test_every_problem_is_reported_at_once():
    raw = full_estate()
    raw['window']['deadline'] = '2026-12-06T04:00:00'
    raw['window']['colour'] = 'red'
    raw['stages'][0]['targets'][2]['endpoint'] = 'mrs-typo'
    raw['stages'][1]['expect'] = '3-1'
    raw['stages'][2]['targets'][0]['processes'] = ['all', 'obstat2']
    raw['stages'][3]['targets'][2] = {'tags': ['']}
    raw['stages'].append(dict(raw['stages'][1], expect=2))  # a second stage named databases
    estate, problems = normalize(raw)
    assert sorted(wheres(problems)) == sorted([
        'estate.window.colour',
        'estate.window.deadline',
        'estate.stages[0] (analytics).targets[2].endpoint',
        'estate.stages[1] (databases).expect',
        'estate.stages[2] (agents).targets[0].processes',
        'estate.stages[3] (machines).targets[2].tags',
        'estate.stages[4] (databases).name',
    ])
    # What is usable is still normalized (the plan never runs with problems, but the report shows it).
    assert [s['name'] for s in estate['stages']] == ['analytics', 'databases', 'agents', 'machines']
    assert len(estate['stages'][0]['targets']) == 2


def test_public_endpoint_carries_no_secret():
    options = {'manager_url': 'https://m', 'username': 'admin', 'password': 'pw', 'secret_key': 'sk',
               'env': {'password': 'MRS_PASSWORD'}}
    view = estates.public_endpoint('mrs', options)
    assert view == {'manager_url': 'https://m', 'username': 'admin', 'env': {'password': 'MRS_PASSWORD'}}
