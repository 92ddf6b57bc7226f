# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""bms_info as Ansible runs it: servers with power state, jobs by id, read-only."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

import yaml

from ansible_collections.quiesce.lifecycle.plugins.modules import bms_info


def args(server, **extra):
    base = dict(region='cn-north-4', project_id='p0', access_key='AK', secret_key='SK', bms_endpoint=server.url,
                iam_endpoint=server.url, allow_insecure_http=True)
    base.update(extra)
    return base


def test_servers_by_filter_with_interpreted_power(run_module, scripted_server):
    scripted_server.reply({'status': 200, 'body': {'count': 3, 'servers': [
        {'id': 'a', 'name': 'rack01-a', 'status': 'ACTIVE', 'OS-EXT-STS:task_state': 'powering-off'},
        {'id': 'b', 'name': 'rack01-b', 'status': 'SHUTOFF', 'OS-EXT-STS:task_state': ''},
        {'id': 'c', 'name': 'rack01-c', 'status': 'ACTIVE'}]}})
    result, failed = run_module(bms_info.main, args(scripted_server, tags=['rack=rack01'], _ansible_check_mode=True))
    assert not failed and not result['changed']
    assert [(s['id'], s['power']) for s in result['servers']] == [('a', 'stopping'), ('b', 'off'), ('c', 'on')]
    assert result['power_counts'] == {'stopping': 1, 'off': 1, 'on': 1}
    assert result['jobs'] == []
    assert all(r['method'] == 'GET' for r in scripted_server.requests)
    # Like every module: elapsed is returned, and every key returned is documented.
    assert isinstance(result['elapsed'], float)
    assert sorted(set(result) - set(yaml.safe_load(bms_info.RETURN)) - set(['invocation', 'changed'])) == []


def test_jobs_only_does_not_list_servers(run_module, scripted_server):
    scripted_server.reply({'status': 200, 'body': {'job_id': 'j1', 'status': 'RUNNING', 'entities': {
        'sub_jobs': [{'status': 'RUNNING', 'entities': {'server_id': 'a'}}]}}})
    result, failed = run_module(bms_info.main, args(scripted_server, job_ids=['j1']))
    assert not failed and result['servers'] == []
    assert result['jobs'][0]['status'] == 'RUNNING' and result['jobs'][0]['terminal'] is False
    assert [r['path'] for r in scripted_server.requests] == ['/v1/p0/jobs/j1']


def test_missing_server_ids_are_listed(run_module, scripted_server):
    scripted_server.reply({'status': 404, 'body': {'error': {'code': 'BMS.0040', 'message': 'gone'}}})
    ghost = '0badc0de-0000-4000-8000-000000000000'
    result, failed = run_module(bms_info.main, args(scripted_server, server_ids=[ghost]))
    assert not failed and result['missing_server_ids'] == [ghost] and result['servers'] == []


@pytest.mark.parametrize('extra, option', [
    (dict(server_ids=['../../../v3/projects']), 'server_ids'),
    (dict(job_ids=['../../baremetalservers/detail']), 'job_ids'),
    (dict(project_id='../../v3'), 'project_id'),
    (dict(bms_endpoint='https://'), 'bms_endpoint'),
    (dict(iam_endpoint='garbage'), 'iam_endpoint'),
    (dict(allow_insecure_http=False), 'bms_endpoint'),
])
def test_unusable_ids_and_urls_fail_before_any_request(run_module, scripted_server, extra, option):
    result, failed = run_module(bms_info.main, args(scripted_server, **extra))
    assert failed and result['error']['option'] == option and option in result['msg']


def test_empty_filters_fail_before_any_request(run_module, scripted_server):
    for extra in (dict(tags=['']), dict(tags=['rack=rack01', ' ']), dict(name=''), dict(flavor=' ')):
        result, failed = run_module(bms_info.main, args(scripted_server, **extra))
        assert failed and result['error']['option'] == list(extra)[0], extra
    assert scripted_server.requests == []
