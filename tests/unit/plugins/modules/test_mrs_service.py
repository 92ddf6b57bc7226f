# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.quiesce.lifecycle.plugins.modules import mrs_service

LOGIN = {'id': -1, 'state': 'COMPLETE', 'error_code': 0, 'modify_pwd': False}


def summary(running):
    return {'id': -1, 'state': 'COMPLETE', 'error_code': 0, 'res_obj': {'key_property': [
        {'name': 'running_status', 'value': running, 'type': 'STATUS'},
        {'name': 'health_status', 'value': 'GOOD' if running == 'STARTED' else 'UNKNOWN', 'type': 'STATUS'}]}}


def args(server, **extra):
    base = dict(manager_url=server.url + '/web', cas_url=server.url + '/cas', username='admin', password='s3cret',
                name='HBase', state='stopped', poll_interval=0.01, allow_insecure_http=True)
    base.update(extra)
    return base


def sent(server):
    return [(r['method'], r['path'].split('?')[0]) for r in server.requests]


def login(server):
    return {'status': 200, 'headers': {'Set-Cookie': 'FISessionId=F1; Path=/web'}, 'body': LOGIN}


def test_stop_follows_the_command_and_returns_before_after_and_id(run_module, scripted_server):
    scripted_server.reply(
        login(scripted_server),
        {'body': summary('STARTED')},
        {'body': {'id': 5, 'state': 'IN_PROGRESS', 'error_code': 0, 'total_progress': 0}},
        {'body': {'id': 5, 'state': 'COMPLETE', 'error_code': 0, 'total_progress': 100,
                  'res_obj': {'step_list': [{'name': 'Stop HBase'}], 'fail_entity_list': []}}},
        {'body': summary('STOPPED')},
        {'body': {'id': -1, 'state': 'COMPLETE', 'error_code': 0}})
    result, failed = run_module(mrs_service.main, args(scripted_server, _ansible_diff=True))
    assert not failed, result
    assert result['changed'] is True and result['command_id'] == 5 and result['progress'] == 100
    assert result['before']['running_status'] == 'STARTED' and result['after']['running_status'] == 'STOPPED'
    assert result['diff']['before']['running_status'] == 'STARTED'
    assert result['diff']['after']['running_status'] == 'STOPPED'
    assert sent(scripted_server) == [
        ('GET', '/web/v1/access/login_check'), ('GET', '/web/v1/cluster/1/services/HBase'),
        ('POST', '/web/v1/maintain/cluster/1/service/HBase/stop'), ('GET', '/web/v1/common/command/5/progress'),
        ('GET', '/web/v1/cluster/1/services/HBase'), ('GET', '/web/v1/logout_action')]
    assert json.loads(scripted_server.requests[2]['body']) == {'only_self': True}
    assert 's3cret' not in json.dumps(result)


def test_check_mode_reports_the_change_and_sends_no_action(run_module, scripted_server):
    scripted_server.reply(login(scripted_server), {'body': summary('STARTED')}, {'body': {}})
    result, failed = run_module(mrs_service.main, args(scripted_server, _ansible_check_mode=True))
    assert not failed and result['changed'] is True
    assert result['after']['running_status'] == 'STOPPED' and result['command_id'] is None
    assert 'POST' not in [call[0] for call in sent(scripted_server)]


def test_already_stopped_is_not_changed(run_module, scripted_server):
    scripted_server.reply(login(scripted_server), {'body': summary('STOPPED')}, {'body': {}})
    result, failed = run_module(mrs_service.main, args(scripted_server))
    assert not failed and result['changed'] is False
    assert 'POST' not in [call[0] for call in sent(scripted_server)]


def test_unknown_service_fails_before_any_action(run_module, scripted_server):
    scripted_server.reply(login(scripted_server),
                          {'status': 404, 'body': {'id': -1, 'state': 'FAILED', 'error_code': 404,
                                                   'error_description': 'service HBasee not found'}},
                          {'body': {}})
    result, failed = run_module(mrs_service.main, args(scripted_server, name='HBasee'))
    assert failed and 'service HBasee not found' in result['msg'] and 'exact spelling' in result['msg']
    assert result['error']['type'] == 'NotFoundError' and result['error']['http_status'] == 404
    assert 'POST' not in [call[0] for call in sent(scripted_server)]


@pytest.mark.parametrize('extra, option', [
    (dict(name='HBase/x'), 'name'),
    (dict(cluster_id=0), 'cluster_id'),
    (dict(wait_timeout=-1), 'wait_timeout'),
    (dict(related_services=['']), 'related_services'),
    (dict(manager_url='192.0.2.10:28443'), 'manager_url'),
    (dict(name='..'), 'name'),
    (dict(manager_url='https://'), 'manager_url'),
    (dict(cas_url='garbage'), 'cas_url'),
    (dict(password=''), 'password'),
    (dict(allow_insecure_http=False), 'manager_url'),
    (dict(ca_path='/nonexistent/ca.pem'), 'ca_path'),
])
def test_bad_options_fail_before_any_request(run_module, scripted_server, extra, option):
    result, failed = run_module(mrs_service.main, args(scripted_server, **extra))
    assert failed and result['error']['option'] == option and repr(option) in result['msg']
    assert scripted_server.requests == []


def test_failed_start_reports_code_description_and_command_id(run_module, scripted_server):
    scripted_server.reply(
        login(scripted_server),
        {'body': summary('STOPPED')},
        {'body': {'id': 9, 'state': 'IN_PROGRESS', 'error_code': 0, 'total_progress': 0}},
        {'body': {'id': 9, 'state': 'FAILED', 'error_code': 1001, 'error_description': 'Failed to start service HBase.',
                  'total_progress': 50, 'res_obj': {'fail_entity_list': [
                      {'fail_entity': 'HBase(node-master1)', 'operation_type': 'START'}]}}},
        {'body': {}})
    result, failed = run_module(mrs_service.main, args(scripted_server, state='started'))
    assert failed
    assert 'command 9' in result['msg'] and 'error 1001' in result['msg'] and 'HBase(node-master1)' in result['msg']
    assert result['error']['command_id'] == 9 and result['error']['error_code'] == 1001
    assert result['command_id'] == 9 and result['before']['running_status'] == 'STOPPED'
    assert sent(scripted_server)[-1] == ('GET', '/web/v1/logout_action')


def test_every_manager_call_carries_the_mandatory_content_type(run_module, scripted_server):
    scripted_server.reply(login(scripted_server), {'body': summary('STOPPED')}, {'body': {}})
    run_module(mrs_service.main, args(scripted_server, state='stopped'))
    web_calls = [r for r in scripted_server.requests if r['path'].startswith('/web/')]
    assert web_calls and all(r['headers'].get('Content-Type', '').startswith('application/json') for r in web_calls)
