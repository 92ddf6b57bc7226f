# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.quiesce.lifecycle.plugins.modules import ocp_cluster
from ansible_collections.quiesce.lifecycle.tests.unit.plugins.modules.ocp_helpers import args, mutating, ok, page

CLUSTER = {'id': 42, 'name': 'ob-prod', 'status': 'RUNNING'}


def test_missing_secret_fails_before_any_request(run_module, scripted_server):
    result, failed = run_module(ocp_cluster.main, dict(
        ocp_url=scripted_server.url, name='ob-prod', state='stopped', auth_method='aksk', access_key='AK'))
    assert failed and result['error']['option'] == 'secret_key'
    assert scripted_server.requests == []


def test_id_and_name_are_exclusive(run_module, scripted_server):
    result, failed = run_module(ocp_cluster.main, args(scripted_server, id=1, name='x', state='stopped'))
    assert failed and 'mutually exclusive' in result['msg']
    assert scripted_server.requests == []


def test_an_id_that_is_not_positive_fails_before_any_request(run_module, scripted_server):
    result, failed = run_module(ocp_cluster.main, args(scripted_server, id=0, state='stopped'))
    assert failed and result['error']['option'] == 'id' and scripted_server.requests == []


def test_check_mode_reports_the_change_and_posts_nothing(run_module, scripted_server):
    scripted_server.reply(page([CLUSTER]))
    result, failed = run_module(ocp_cluster.main, args(scripted_server, name='ob-prod', state='stopped',
                                                       _ansible_check_mode=True, _ansible_diff=True))
    assert not failed and result['changed']
    assert result['diff'] == {'before': CLUSTER, 'after': dict(CLUSTER, status='STOPPED')}
    assert mutating(scripted_server) == []


def test_stop_returns_task_trace_id_and_after_state(run_module, scripted_server):
    task = {'id': 7, 'name': 'Stop OB cluster', 'status': 'RUNNING', 'cluster': {'id': 42},
            'tasks': [{'id': 1, 'seriesId': 1, 'name': 'Stop observer process', 'status': 'RUNNING'}]}
    done = dict(task, status='SUCCESSFUL', tasks=[dict(task['tasks'][0], status='SUCCESSFUL')])
    scripted_server.reply(ok(CLUSTER), page([]), ok(task, trace='cafe'), ok(done),
                          ok(dict(CLUSTER, status='STOPPED')))
    result, failed = run_module(ocp_cluster.main, args(scripted_server, id=42, state='stopped'))
    assert not failed, result
    assert result['changed'] and result['trace_id'] == 'cafe'
    assert result['task'] == {'id': 7, 'name': 'Stop OB cluster', 'status': 'SUCCESSFUL',
                              'subtasks': {'total': 1, 'by_status': {'SUCCESSFUL': 1}, 'running': [], 'failed': []}}
    assert (result['before']['status'], result['after']['status']) == ('RUNNING', 'STOPPED')
    assert [r['path'] for r in mutating(scripted_server)] == ['/api/v2/ob/clusters/42/stop']
