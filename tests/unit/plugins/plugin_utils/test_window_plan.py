# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plan: readings -> decisions, counts against expect, gates, deadline fit; preflight's reading of the stages."""

from __future__ import annotations

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AuthError,
    NotFoundError,
    OptionError,
    TransportError,
)
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_kinds as kinds
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_plan as plans
from ansible_collections.quiesce.lifecycle.tests.unit.plugins.plugin_utils.window_helpers import (
    bms_server,
    estate,
    mrs_service,
    ocp_cluster,
)

NOW = 1_000_000.0


def window(deadline_in=None):
    return {'id': 'CHG-1', 'deadline': None if deadline_in is None else NOW + deadline_in,
            'deadline_iso': None if deadline_in is None else 'the deadline', 'generated_at': 'now'}


def readings(**stages):
    return dict((name, {'targets': targets, 'problems': []}) for name, targets in stages.items())


def plan_of(the_estate, stage_readings, endpoint_problems=(), deadline_in=None, **options):
    return plans.build_plan(the_estate, stage_readings, list(endpoint_problems), window(deadline_in), NOW,
                            **options)


def dbs_stage(**fields):
    return dict({'name': 'dbs', 'kind': 'ocp_cluster', 'endpoint': 'ocp-hz', 'targets': ['a', 'b', 'c']}, **fields)


def test_readings_become_decisions_and_counts():
    the_estate = estate(dbs_stage(expect=3))
    targets = [ocp_cluster('dbs', 1), ocp_cluster('dbs', 2, status='STOPPED'), ocp_cluster('dbs', 3)]
    plan = plan_of(the_estate, readings(dbs=targets), check_mode=True)
    assert plan['ok'] is True and plan['problems'] == [] and plan['check_mode'] is True
    assert plan['schema'] == plans.SCHEMA and plan['window_id'] == 'CHG-1'
    (stage,) = plan['stages']
    assert stage['count'] == 3 and stage['to_stop'] == 2
    assert stage['decisions'] == {'stop': 2, 'already_stopped': 1}
    assert [t['decision'] for t in stage['targets']] == ['stop', 'already_stopped', 'stop']
    assert stage['expect'] == {'min': 3, 'max': 3}
    assert stage['unit_sizes'] == [1, 1]  # only what will be stopped is a unit of work
    assert [g['name'] for g in stage['gates']] == ['ocp_no_running_task']
    assert stage['gates'][0]['verdict'] == 'pass'
    assert stage['endpoints'] == ['ocp-hz']


@pytest.mark.parametrize('expect, count, ok', [(3, 3, True), ('2-4', 2, True), ('2-4', 4, True),
                                               ({'min': 2, 'max': 4}, 3, True), (3, 2, False), ('2-4', 5, False),
                                               ('2-4', 1, False)])
def test_the_count_must_match_expect(expect, count, ok):
    the_estate = estate(dbs_stage(expect=expect))
    plan = plan_of(the_estate, readings(dbs=[ocp_cluster('dbs', n) for n in range(1, count + 1)]))
    assert plan['ok'] is ok
    assert plan['stages'][0]['count'] == count
    if not ok:
        (problem,) = plan['problems']
        assert problem['where'] == 'stage dbs'
        assert 'resolves to {0} target(s)'.format(count) in problem['message']
        assert 'nothing will be stopped' in problem['message']
        wanted = '3' if expect == 3 else '2-4'
        assert 'the stage expects {0}:'.format(wanted) in problem['message']


def test_named_targets_need_no_expect_their_count_is_in_the_estate():
    plan = plan_of(estate(dbs_stage()), readings(dbs=[ocp_cluster('dbs', 1)]))
    assert plan['ok'] is True and plan['stages'][0]['expect'] is None


def test_a_target_that_failed_to_resolve_is_its_own_problem_not_a_count_mismatch():
    the_estate = estate(dbs_stage(expect=3))
    stage_readings = {'dbs': {'targets': [ocp_cluster('dbs', 1), ocp_cluster('dbs', 2)],
                              'problems': [{'where': 'stage dbs, target name=c', 'message': 'no such cluster'}]}}
    plan = plan_of(the_estate, stage_readings)
    assert plan['problems'] == [{'where': 'stage dbs, target name=c', 'message': 'no such cluster'}]


def test_a_failed_pre_stop_gate_is_a_problem_unless_skipped():
    the_estate = estate(dbs_stage())
    busy = ocp_cluster('dbs', 2, running_task={'id': 9, 'name': 'Backup'})
    plan = plan_of(the_estate, readings(dbs=[ocp_cluster('dbs', 1, running_task=None), busy]))
    (problem,) = plan['problems']
    assert problem['where'] == 'stage dbs, gate ocp_no_running_task'
    assert 'ob-2 (2)' in problem['message'] and 'skip_gates' in problem['message']
    assert plan['stages'][0]['gates'][0]['verdict'] == 'fail'
    # Skipped for the window (the role's or the estate's list) or in the stage itself: reported, not a problem.
    skipped = plan_of(the_estate, readings(dbs=[busy]), skip_gates=['ocp_no_running_task'])
    assert skipped['ok'] is True and skipped['stages'][0]['gates'][0]['verdict'] == 'skipped'
    in_stage = estate(dbs_stage(skip_gates=['ocp_no_running_task']))
    assert plan_of(in_stage, readings(dbs=[busy]))['ok'] is True


def test_refused_targets_are_problems():
    faulty = ocp_cluster('dbs', 2, status='ABNORMAL', decision=kinds.REFUSED,
                         reason='the cluster is ABNORMAL: no module acts on it')
    plan = plan_of(estate(dbs_stage()), readings(dbs=[ocp_cluster('dbs', 1), faulty]))
    assert plan['problems'] == [{'where': 'stage dbs, target ob-2 (2)',
                                 'message': 'the cluster is ABNORMAL: no module acts on it'}]


def test_endpoint_and_extra_problems_are_carried_first():
    endpoint_problem = {'where': 'endpoint ocp-sh (ocp)', 'message': 'HTTP 401'}
    extra = {'where': 'state location', 'message': 'cannot write'}
    plan = plan_of(estate(dbs_stage()), readings(dbs=[ocp_cluster('dbs', 1)]), [endpoint_problem],
                   extra_problems=[extra])
    assert plan['ok'] is False and plan['problems'] == [extra, endpoint_problem]


def two_stage_estate(**window_settings):
    return estate(
        dbs_stage(targets=['a', 'b']),
        {'name': 'machines', 'kind': 'bms_power', 'endpoint': 'cn-north-4', 'targets': [{'name': 'rack'}], 'expect': 1500,
         'estimate': {'stop': 20, 'start': 30}},
        {'name': 'apps', 'kind': 'mrs_service', 'endpoint': 'mrs-prod', 'targets': ['Hue', 'Hive']},
        estimates={'ocp_cluster': {'stop': 60, 'start': 120}}, **window_settings)


def two_stage_readings():
    servers = [bms_server('machines', 's-{0}'.format(n)) for n in range(1500)]
    return readings(dbs=[ocp_cluster('dbs', 1), ocp_cluster('dbs', 2)], machines=servers,
                    apps=[mrs_service('apps', 'Hue'), mrs_service('apps', 'Hive')])


def test_estimates_per_stage():
    plan = plan_of(two_stage_estate(), two_stage_readings())
    dbs, machines, apps = plan['stages']
    # Two clusters side by side: one cluster's time.
    assert (dbs['estimated_stop_seconds'], dbs['estimated_start_seconds']) == (60.0, 120.0)
    assert dbs['estimate'] == {'stop': 60.0, 'start': 120.0}
    # 1,500 servers of one region: one unit, two batches.
    assert machines['unit_sizes'] == [1500]
    assert machines['estimated_stop_seconds'] == pytest.approx(22.0)
    assert machines['estimated_start_seconds'] == pytest.approx(33.0)
    # MRS services of one Manager one after the other (defaults 20 s / 30 s each).
    assert apps['unit_sizes'] == [2]
    assert (apps['estimated_stop_seconds'], apps['estimated_start_seconds']) == (40.0, 60.0)
    assert plan['estimated_seconds'] == pytest.approx(60 + 22 + 40 + 120 + 33 + 60)
    assert plan['fits_deadline'] is True and plan['deadline_slack_seconds'] is None


def test_deadline_fit_per_stage_and_slack():
    total = 60 + 22 + 40 + 120 + 33 + 60
    plan = plan_of(two_stage_estate(), two_stage_readings(), deadline_in=total + 15)
    assert [s['fits_deadline'] for s in plan['stages']] == [True, True, True]
    assert plan['fits_deadline'] is True
    assert plan['deadline_slack_seconds'] == pytest.approx(15)
    # The window is still fine when it is all the time there is.
    assert plan_of(two_stage_estate(), two_stage_readings(), deadline_in=total)['fits_deadline'] is True


def test_a_stage_that_does_not_fit_and_every_stage_after_it_are_marked():
    # dbs needs 180 s; machines 60 (dbs' stop) + 22 + 33 + 120 (dbs' start) = 235 s; apps would need 335 s.
    plan = plan_of(two_stage_estate(), two_stage_readings(), deadline_in=200)
    assert [s['fits_deadline'] for s in plan['stages']] == [True, False, False]
    assert plan['fits_deadline'] is False
    assert plan['estimated_seconds'] == pytest.approx(180)  # what will run: dbs stopped and started
    assert plan['deadline_slack_seconds'] == pytest.approx(20)
    # A small stage after the one that does not fit would fit by itself, but the window turns to resume
    # before it: the plan must not promise it.
    small = estate(dbs_stage(targets=['a']),
                   {'name': 'machines', 'kind': 'bms_power', 'targets': [{'server_ids': ['616fb98f-46ca-475e-917e-2563e5a8cd19']}],
                    'estimate': {'stop': 500, 'start': 500}},
                   {'name': 'apps', 'kind': 'mrs_service', 'targets': ['Hue'], 'estimate': {'stop': 1, 'start': 1}},
                   estimates={'ocp_cluster': {'stop': 60, 'start': 120}})
    plan = plan_of(small, readings(dbs=[ocp_cluster('dbs', 1)], machines=[bms_server('machines', '616fb98f-46ca-475e-917e-2563e5a8cd19')],
                                   apps=[mrs_service('apps', 'Hue')]), deadline_in=200)
    assert [s['fits_deadline'] for s in plan['stages']] == [True, False, False]


def test_a_stage_with_nothing_to_stop_costs_nothing():
    the_estate = estate(dbs_stage(targets=['a']), estimates={'ocp_cluster': {'stop': 60, 'start': 120}})
    plan = plan_of(the_estate, readings(dbs=[ocp_cluster('dbs', 1, status='STOPPED')]), deadline_in=1)
    assert plan['stages'][0]['to_stop'] == 0 and plan['stages'][0]['estimated_stop_seconds'] == 0.0
    assert plan['fits_deadline'] is True and plan['ok'] is True


def test_describe_problems_lists_every_problem():
    text = plans.describe_problems([{'where': 'endpoint mrs-dr (mrs)', 'message': 'HTTP 401'},
                                    {'where': 'stage dbs, target name=c', 'message': 'no such cluster'}])
    assert text.splitlines() == ['Preflight found 2 problem(s); nothing was stopped:',
                                 '  - endpoint mrs-dr (mrs): HTTP 401',
                                 '  - stage dbs, target name=c: no such cluster']


# ---------------------------------------------------------------------------- read_stages


class FakeKind(kinds.Kind):
    """Resolves OCP cluster names from a table; an endpoint in ``failures`` raises what is given."""

    name = 'ocp_cluster'

    def __init__(self, clusters, failures=None, gate_failure=None):
        self.clusters = clusters  # {(endpoint, name): [cluster ids]}
        self.failures = failures or {}  # {(endpoint, name) or endpoint: error}
        self.gate_failure = gate_failure
        self.resolved = []
        self.gate_calls = []

    def resolve(self, session, stage, endpoint, spec):
        self.resolved.append((endpoint, spec['name']))
        error = self.failures.get((endpoint, spec['name'])) or self.failures.get(endpoint)
        if error is not None:
            raise error
        found = self.clusters.get((endpoint, spec['name']), [])
        return [ocp_cluster(stage['name'], cid, endpoint=endpoint) for cid in found]

    def add_gate_readings(self, session, targets, gates):
        self.gate_calls.append((session, sorted(t['key'] for t in targets), list(gates)))
        if self.gate_failure is not None:
            raise self.gate_failure
        for target in targets:
            target['reading']['running_task'] = None


def auth_error(endpoint):
    return AuthError('OCP', 'GET', '/api/v2/ob/clusters', 401, code='AUTH_FAILED',
                     api_message='wrong password for {0}'.format(endpoint))


@pytest.fixture
def fake_kind(monkeypatch):
    def install(*args, **kwargs):
        kind = FakeKind(*args, **kwargs)
        monkeypatch.setitem(kinds.KINDS, 'ocp_cluster', kind)
        return kind
    return install


def sessions():
    opened = []

    def session_for(family, endpoint):
        opened.append((family, endpoint))
        return 'session:' + endpoint
    return session_for, opened


def test_read_stages_resolves_every_target_and_takes_gate_readings(fake_kind):
    kind = fake_kind({('ocp-hz', 'a'): [1], ('ocp-hz', 'b'): [2], ('ocp-sh', 'c'): [3]})
    the_estate = estate(dbs_stage(targets=['a', 'b', {'name': 'c', 'endpoint': 'ocp-sh'}]))
    session_for, opened = sessions()
    stage_readings, endpoint_problems = plans.read_stages(the_estate, session_for)
    assert endpoint_problems == []
    assert stage_readings['dbs']['problems'] == []
    assert [t['key'] for t in stage_readings['dbs']['targets']] == [
        'ocp_cluster:ocp-hz:1', 'ocp_cluster:ocp-hz:2', 'ocp_cluster:ocp-sh:3']
    assert set(opened) == {('ocp', 'ocp-hz'), ('ocp', 'ocp-sh')}
    # Gate readings once per endpoint, each with its own session and targets.
    assert sorted(kind.gate_calls) == [
        ('session:ocp-hz', ['ocp_cluster:ocp-hz:1', 'ocp_cluster:ocp-hz:2'], ['ocp_no_running_task']),
        ('session:ocp-sh', ['ocp_cluster:ocp-sh:3'], ['ocp_no_running_task'])]


def test_a_skipped_gate_is_not_read(fake_kind):
    kind = fake_kind({('ocp-hz', 'a'): [1]})
    plans.read_stages(estate(dbs_stage(targets=['a'])), sessions()[0], skip_gates=['ocp_no_running_task'])
    assert kind.gate_calls == [('session:ocp-hz', ['ocp_cluster:ocp-hz:1'], [])]


def test_a_target_selected_twice_is_read_once(fake_kind):
    fake_kind({('ocp-hz', 'a'): [1, 2], ('ocp-hz', 'b'): [2]})
    stage_readings, _problems = plans.read_stages(estate(dbs_stage(targets=['a', 'b'])), sessions()[0])
    assert [t['key'] for t in stage_readings['dbs']['targets']] == ['ocp_cluster:ocp-hz:1', 'ocp_cluster:ocp-hz:2']


def test_an_endpoint_that_refuses_the_login_is_reported_once_and_its_targets_skipped(fake_kind):
    kind = fake_kind({('ocp-hz', 'a'): [1], ('ocp-hz', 'b'): [2]}, failures={'ocp-sh': auth_error('ocp-sh')})
    the_estate = estate(
        dbs_stage(targets=['a', {'name': 'c', 'endpoint': 'ocp-sh'}, {'name': 'd', 'endpoint': 'ocp-sh'}, 'b']),
        dbs_stage(name='more', endpoint='ocp-sh', targets=['e']))
    stage_readings, endpoint_problems = plans.read_stages(the_estate, sessions()[0])
    (problem,) = endpoint_problems
    assert problem['where'] == 'endpoint ocp-sh (ocp)'
    assert 'HTTP 401' in problem['message'] and 'wrong password for ocp-sh' in problem['message']
    # The broken endpoint was asked once; its other targets were not tried again.
    assert kind.resolved == [('ocp-hz', 'a'), ('ocp-sh', 'c'), ('ocp-hz', 'b')]
    assert [t['key'] for t in stage_readings['dbs']['targets']] == ['ocp_cluster:ocp-hz:1', 'ocp_cluster:ocp-hz:2']
    assert stage_readings['dbs']['problems'] == [] and stage_readings['more']['targets'] == []
    assert [c[0] for c in kind.gate_calls] == ['session:ocp-hz']  # no gate reading on the broken endpoint


def test_a_login_failure_is_not_blamed_on_the_selection(fake_kind):
    # The stage expects 3; only 2 could be read because an endpoint refused the login. The operator must be
    # told about the password, not asked to check the selection.
    fake_kind({('ocp-hz', 'a'): [1], ('ocp-hz', 'b'): [2]}, failures={'ocp-sh': auth_error('ocp-sh')})
    the_estate = estate(dbs_stage(targets=['a', 'b', {'name': 'c', 'endpoint': 'ocp-sh'}], expect=3))
    stage_readings, endpoint_problems = plans.read_stages(the_estate, sessions()[0])
    plan = plan_of(the_estate, stage_readings, endpoint_problems)
    assert [p['where'] for p in plan['problems']] == ['endpoint ocp-sh (ocp)']


def test_a_session_that_cannot_be_built_is_an_endpoint_problem_and_nothing_is_read(fake_kind):
    """Unusable options are bad input: no target is read, on that endpoint or any other (before, ocp-hz's were)."""
    kind = fake_kind({('ocp-hz', 'a'): [1]})

    def session_for(family, endpoint):
        if endpoint == 'default':
            raise ValueError('endpoint module_defaults/environment (ocp): missing required ocp_url')
        return 'session'

    the_estate = estate(dbs_stage(targets=['a', {'name': 'x', 'endpoint': 'default'}]))
    stage_readings, endpoint_problems = plans.read_stages(the_estate, session_for)
    assert endpoint_problems == [{'where': 'endpoint module_defaults/environment (ocp)',
                                  'message': 'endpoint module_defaults/environment (ocp): missing required ocp_url'}]
    assert stage_readings['dbs']['targets'] == [] and kind.resolved == [] and kind.gate_calls == []


@pytest.mark.parametrize('error', [
    OptionError('name', 'matches 2 clusters', 'give the id instead'),
    NotFoundError('OCP', 'GET', '/api/v2/ob/clusters', 404, api_message='no cluster c'),
])
def test_a_target_that_cannot_be_resolved_is_a_target_problem(fake_kind, error):
    fake_kind({('ocp-hz', 'a'): [1]}, failures={('ocp-hz', 'c'): error})
    stage_readings, endpoint_problems = plans.read_stages(estate(dbs_stage(targets=['a', 'c'])), sessions()[0])
    assert endpoint_problems == []
    assert stage_readings['dbs']['problems'] == [{'where': 'stage dbs, target name=c', 'message': str(error)}]
    assert len(stage_readings['dbs']['targets']) == 1


def test_a_transport_error_after_the_endpoint_answered_is_the_targets_own(fake_kind):
    dropped = TransportError('OCP: connection reset', method='GET', path='/api/v2/ob/clusters')
    fake_kind({('ocp-hz', 'a'): [1]}, failures={('ocp-hz', 'b'): dropped})
    stage_readings, endpoint_problems = plans.read_stages(estate(dbs_stage(targets=['a', 'b'])), sessions()[0])
    assert endpoint_problems == []
    assert stage_readings['dbs']['problems'] == [{'where': 'stage dbs, target name=b',
                                                  'message': 'OCP: connection reset'}]


def test_an_empty_selection_is_a_problem(fake_kind):
    fake_kind({('ocp-hz', 'a'): [1]})
    stage_readings, _problems = plans.read_stages(estate(dbs_stage(targets=['a', 'typo'])), sessions()[0])
    assert stage_readings['dbs']['problems'] == [{'where': 'stage dbs, target name=typo',
                                                  'message': 'the selection matches nothing (a typo, or the wrong '
                                                             'endpoint?)'}]


def test_failed_gate_readings_are_a_problem_of_the_stage(fake_kind):
    fake_kind({('ocp-hz', 'a'): [1]}, gate_failure=TransportError('OCP: timed out'))
    stage_readings, _problems = plans.read_stages(estate(dbs_stage(targets=['a'])), sessions()[0])
    assert stage_readings['dbs']['problems'] == [{'where': 'stage dbs, endpoint ocp-hz',
                                                  'message': 'the gate readings failed: OCP: timed out'}]
