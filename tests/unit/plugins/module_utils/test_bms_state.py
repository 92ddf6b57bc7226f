# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure BMS rules: state interpretation (bms.md s7.1), decisions (s7.2), batching (s8), job parsing (s4.5)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils import _bms_state as bms


def server(status, task='__missing__'):
    body = {'id': 's1', 'status': status}
    if task != '__missing__':
        body['OS-EXT-STS:task_state'] = task
    return body


@pytest.mark.parametrize('idle', ['__missing__', None, ''])
@pytest.mark.parametrize('status, expected', [
    ('ACTIVE', bms.ON), ('SHUTOFF', bms.OFF), ('REBOOT', bms.REBOOTING), ('HARD_REBOOT', bms.REBOOTING),
    ('BUILD', bms.BUSY), ('ERROR', bms.FAULTY), ('DELETED', bms.DELETED), ('SOMETHING_NEW', bms.UNKNOWN),
    ('active', bms.ON),
])
def test_idle_task_state_in_any_spelling_means_steady(status, expected, idle):
    assert bms.interpret(server(status, idle)) == expected


@pytest.mark.parametrize('status, task, expected', [
    ('ACTIVE', 'powering-off', bms.STOPPING),
    ('ERROR', 'powering-off', bms.STOPPING),
    ('SHUTOFF', 'powering-on', bms.STARTING),
    ('ACTIVE', 'rebooting', bms.REBOOTING),
    ('ACTIVE', 'reboot_started', bms.REBOOTING),
    ('HARD_REBOOT', 'reboot_started_hard', bms.REBOOTING),
    ('ACTIVE', 'deleting', bms.BUSY),
    ('SHUTOFF', 'rebuilding', bms.BUSY),
    ('BUILD', 'scheduling', bms.BUSY),
    ('ACTIVE', 'some-new-task', bms.BUSY),
    ('SHUTOFF', 'some-new-task', bms.BUSY),
    ('DELETED', None, bms.DELETED),
])
def test_task_state_separates_transitions_from_steady_states(status, task, expected):
    assert bms.interpret(server(status, task)) == expected


def test_a_server_that_does_not_exist_is_missing():
    assert bms.interpret(None) == bms.MISSING


@pytest.mark.parametrize('power, desired, decision, action', [
    (bms.ON, 'stopped', bms.ACT, bms.STOP),
    (bms.OFF, 'stopped', bms.DONE, None),
    (bms.STOPPING, 'stopped', bms.WAIT, None),
    (bms.STARTING, 'stopped', bms.WAIT, None),
    (bms.REBOOTING, 'stopped', bms.WAIT, None),
    (bms.BUSY, 'stopped', bms.WAIT, None),
    (bms.OFF, 'started', bms.ACT, bms.START),
    (bms.ON, 'started', bms.DONE, None),
    (bms.STARTING, 'started', bms.WAIT, None),
    (bms.STOPPING, 'started', bms.WAIT, None),
    (bms.ON, 'restarted', bms.ACT, bms.REBOOT),
    (bms.OFF, 'restarted', bms.ACT, bms.START),
    (bms.REBOOTING, 'restarted', bms.WAIT, None),
    (bms.FAULTY, 'stopped', bms.REFUSE, None),
    (bms.FAULTY, 'started', bms.REFUSE, None),
    (bms.MISSING, 'started', bms.REFUSE, None),
    (bms.DELETED, 'stopped', bms.REFUSE, None),
    (bms.UNKNOWN, 'stopped', bms.REFUSE, None),
])
def test_decisions(power, desired, decision, action):
    got_decision, got_action, reason = bms.decide(power, desired)
    assert (got_decision, got_action) == (decision, action)
    assert reason


@pytest.mark.parametrize('count, sizes', [
    (0, []), (1, [1]), (999, [999]), (1000, [1000]), (1001, [1000, 1]), (2500, [1000, 1000, 500]),
    (3000, [1000, 1000, 1000]),
])
def test_chunks_respect_the_1000_server_limit_and_keep_every_id_once(count, sizes):
    ids = ['id-{0}'.format(n) for n in range(count)]
    parts = bms.chunks(ids)
    assert [len(part) for part in parts] == sizes
    assert [i for part in parts for i in part] == ids


def test_action_bodies_follow_the_documented_shapes():
    assert bms.action_body(bms.START, ['a'], 'HARD') == {'os-start': {'servers': [{'id': 'a'}]}}
    assert bms.action_body(bms.STOP, ['a', 'b'], 'SOFT') == {
        'os-stop': {'type': 'SOFT', 'servers': [{'id': 'a'}, {'id': 'b'}]}}
    assert bms.action_body(bms.REBOOT, ['a'], 'HARD') == {'reboot': {'type': 'HARD', 'servers': [{'id': 'a'}]}}


def sub_job(server_id, status='SUCCESS', code=None, reason=None, entities_as_list=False):
    entities = {'server_id': server_id}
    return {'status': status, 'entities': [entities] if entities_as_list else entities, 'job_id': 'sub-' + server_id,
            'job_type': 'baremetalSingleOperate', 'error_code': code, 'fail_reason': reason}


def test_job_parsing_accepts_object_and_list_entities_and_reports_each_server():
    body = {'status': 'FAIL', 'job_id': 'j1', 'job_type': 'baremetalBatchOperate', 'error_code': 'BMS.0006',
            'fail_reason': 'Failed to operate the BMS.',
            'entities': {'sub_jobs_total': 3, 'sub_jobs': [
                sub_job('a'), sub_job('b', 'FAIL', 'BMS.0006', 'Failed to operate the BMS.', entities_as_list=True),
                sub_job('c', 'FAIL', 'BMS.0039', 'Server is stopped, not allow to stop.')]}}
    job = bms.parse_job(body)
    assert job['terminal'] and job['status'] == 'FAIL'
    assert set(job['sub_jobs']) == {'a', 'b', 'c'}
    assert job['sub_jobs']['b'] == {'job_id': 'sub-b', 'status': 'FAIL', 'error_code': 'BMS.0006',
                                    'fail_reason': 'Failed to operate the BMS.'}
    assert bms.sub_job_verdict(job['sub_jobs']['a'], bms.STOP) == 'success'
    assert bms.sub_job_verdict(job['sub_jobs']['b'], bms.STOP) == 'failed'
    assert bms.sub_job_verdict(job['sub_jobs']['c'], bms.STOP) == 'race'
    assert bms.sub_job_verdict(job['sub_jobs']['c'], bms.START) == 'wrong_state'
    assert bms.sub_job_verdict(None, bms.STOP) == 'failed'


@pytest.mark.parametrize('status, terminal', [
    ('INIT', False), ('RUNNING', False), ('SUCCESS', True), ('FAIL', True), ('PENDING_SOMETHING', False), (None, False)])
def test_only_success_and_fail_are_terminal(status, terminal):
    assert bms.parse_job({'status': status, 'entities': {}})['terminal'] is terminal


def test_job_parsing_survives_odd_bodies():
    assert bms.parse_job(None)['sub_jobs'] == {}
    odd = bms.parse_job({'status': 'RUNNING', 'entities': {'sub_jobs': [None, {'entities': []}, {'entities': 'x'}]}})
    assert odd['sub_jobs'] == {} and not odd['terminal']


@pytest.mark.parametrize('mode, name, expected', [
    ('exact', 'rack01-node001', True), ('exact', 'rack01', False), ('contains', 'rack01', True),
    ('contains', 'rack02', False)])
def test_name_recheck(mode, name, expected):
    assert bms.matches_name({'name': 'rack01-node001'}, name, mode) is expected
