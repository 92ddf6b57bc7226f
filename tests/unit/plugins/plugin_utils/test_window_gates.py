# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Health gates: each gate's verdict from readings, the detail naming the failing targets."""

from __future__ import annotations

import pytest

from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_gates as gates


def reading(label, **fields):
    return dict(fields, key='k:' + label, label=label)


# gate -> (a reading that passes, a reading that fails, words of the failing detail)
CASES = {
    'mrs_cluster_healthy': (dict(cluster_health='GOOD'), dict(cluster_health='BAD'), 'MRS cluster health is BAD'),
    'mrs_no_command_running': (dict(running_status='STARTED'), dict(running_status='STOPPING'),
                               'a command is running'),
    'mrs_services_healthy': (dict(decision='stop', health_status='GOOD'),
                             dict(decision='stop', health_status='CONCERNING'), 'health is not GOOD'),
    'ocp_no_running_task': (dict(status='RUNNING', running_task=None),
                            dict(status='RUNNING', running_task={'id': 7, 'name': 'Upgrade'}), 'OCP task is running'),
    'bms_not_locked': (dict(locked=False), dict(locked=True), 'locked'),
    'bms_not_in_transition': (dict(task_state=None), dict(task_state='powering-off'), 'in a transition'),
    'mrs_services_healthy_after_start': (dict(running_status='STARTED', health_status='GOOD'),
                                         dict(running_status='STARTED', health_status='UNKNOWN'),
                                         'not STARTED with health GOOD'),
    'ocp_clusters_running_after_start': (dict(status='RUNNING'), dict(status='STARTING'), 'not RUNNING'),
    'ocp_processes_started_after_start': (dict(status='STARTED'), dict(status='STOPPED'), 'not STARTED'),
    'bms_servers_active_after_start': (dict(status='ACTIVE', task_state=None),
                                       dict(status='ACTIVE', task_state='powering-on'), 'not ACTIVE'),
}


def test_every_gate_has_a_case():
    assert sorted(CASES) == sorted(gates.GATES)


@pytest.mark.parametrize('name', sorted(CASES))
def test_each_gate_passes_fails_and_can_be_skipped(name):
    good, bad, words = CASES[name]
    readings = [reading('one', **good), reading('two', **bad), reading('three', **good)]
    when = gates.GATES[name][0]
    passed = gates.verdict(name, [reading('one', **good), reading('three', **good)])
    assert passed == {'name': name, 'when': when, 'verdict': 'pass', 'failed': [], 'detail': '2 target(s) checked'}
    failed = gates.verdict(name, readings)
    assert failed['verdict'] == 'fail' and failed['when'] == when
    assert failed['failed'] == ['k:two']
    assert failed['detail'].endswith(': two') and 'three' not in failed['detail'] and words in failed['detail']
    skipped = gates.verdict(name, readings, skipped=True)
    assert skipped['verdict'] == 'skipped' and skipped['failed'] == [] and 'skipped' in skipped['detail']


@pytest.mark.parametrize('fields', [dict(status='STOPPING'), dict(status='RESTARTING'),
                                    dict(agent_status='REINSTALLING'), dict(agent_status='STOPPING')])
def test_an_ocp_object_in_transition_fails_the_running_task_gate(fields):
    assert gates.verdict('ocp_no_running_task', [reading('x', running_task=None, **fields)])['verdict'] == 'fail'


def test_services_that_are_not_to_be_stopped_have_no_health_to_keep():
    stopped = reading('Hue', decision='already_stopped', health_status='UNKNOWN')
    assert gates.verdict('mrs_services_healthy', [stopped])['verdict'] == 'pass'


def test_a_stage_with_nothing_left_to_stop_passes_the_cluster_health_gate():
    # A retried quiesce: its services are already stopped, and the cluster is BAD because they are.
    stopped = [reading(name, decision='already_stopped', cluster_health='BAD') for name in ('Hue', 'Loader')]
    assert gates.verdict('mrs_cluster_healthy', stopped)['verdict'] == 'pass'
    to_stop = stopped + [reading('Spark2x', decision='stop', cluster_health='BAD')]
    assert gates.verdict('mrs_cluster_healthy', to_stop)['failed'] == ['k:Spark2x']


def test_readings_a_gate_did_not_ask_for_pass():
    # Cluster health unread (the gate was skipped when the readings were taken): not a failure of its own.
    assert gates.verdict('mrs_cluster_healthy', [reading('Hue', running_status='STARTED')])['verdict'] == 'pass'


def test_the_detail_names_ten_failing_targets_and_counts_the_rest():
    readings = [reading('srv-{0:02d}'.format(i), locked=True) for i in range(13)] + [reading('ok', locked=False)]
    result = gates.verdict('bms_not_locked', readings)
    assert result['detail'] == 'the server is locked: ' + ', '.join(
        'srv-{0:02d}'.format(i) for i in range(10)) + ' and 3 more'
    assert len(result['failed']) == 13 and 'k:ok' not in result['failed']
    exactly_ten = gates.verdict('bms_not_locked', readings[:10])
    assert 'more' not in exactly_ten['detail']


def test_a_reading_without_a_label_is_named_by_its_key():
    result = gates.verdict('bms_not_locked', [{'key': 'bms_power:cn:s-1', 'locked': True}])
    assert result['detail'].endswith(': bms_power:cn:s-1')


def test_gates_for_each_kind_and_moment():
    assert gates.gates_for('mrs_service', 'pre') == ['mrs_cluster_healthy', 'mrs_no_command_running',
                                                     'mrs_services_healthy']
    assert gates.gates_for('mrs_service', 'post') == ['mrs_services_healthy_after_start']
    assert gates.gates_for('ocp_cluster', 'pre') == ['ocp_no_running_task']
    assert gates.gates_for('ocp_cluster', 'post') == ['ocp_clusters_running_after_start']
    assert gates.gates_for('ocp_agent_process', 'pre') == ['ocp_no_running_task']
    assert gates.gates_for('ocp_agent_process', 'post') == ['ocp_processes_started_after_start']
    assert gates.gates_for('bms_power', 'pre') == ['bms_not_locked', 'bms_not_in_transition']
    assert gates.gates_for('bms_power', 'post') == ['bms_servers_active_after_start']
    assert gates.gates_for('bms_power', 'during') == []


def test_unknown_gates_are_listed_in_the_given_order():
    assert gates.unknown_gates(['bms_not_locked', 'bms_locked', 'ocp_running']) == ['bms_locked', 'ocp_running']
    assert gates.unknown_gates([]) == []


def test_evaluate_gives_every_gate_of_the_kind_with_skips_applied():
    readings = [reading('s-1', locked=True, task_state='powering-off')]
    verdicts = gates.evaluate('bms_power', 'pre', readings, skip=('bms_not_locked',))
    assert [(v['name'], v['verdict']) for v in verdicts] == [('bms_not_locked', 'skipped'),
                                                             ('bms_not_in_transition', 'fail')]
    assert [v['name'] for v in gates.failed(verdicts)] == ['bms_not_in_transition']
    assert gates.failed(gates.evaluate('bms_power', 'pre', [reading('s-2', locked=False)])) == []
