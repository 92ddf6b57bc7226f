# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.quiesce.lifecycle.plugins.modules import ocp_cluster_info
from ansible_collections.quiesce.lifecycle.tests.unit.plugins.modules.ocp_helpers import args, page


def test_exact_name_and_status_filters(run_module, scripted_server):
    scripted_server.reply(page([{'id': 3, 'name': 'ob-prod-2', 'status': 'RUNNING'},
                                {'id': 2, 'name': 'ob-prod', 'status': 'RUNNING'}]))
    result, failed = run_module(ocp_cluster_info.main, args(scripted_server, name='ob-prod', status=['running'],
                                                            _ansible_check_mode=True))
    assert not failed and not result['changed']
    assert [c['id'] for c in result['clusters']] == [2]
    assert 'status=RUNNING' in scripted_server.requests[0]['path']


def test_a_status_ocp_does_not_document_fails_before_any_request(run_module, scripted_server):
    result, failed = run_module(ocp_cluster_info.main, args(scripted_server, status=['RUNNNING', 'stopped']))
    assert failed and result['error']['option'] == 'status'
    assert 'no cluster status RUNNNING' in result['msg'] and 'SWITCHOVER' in result['msg']
    assert scripted_server.requests == []


def test_an_empty_name_fails_before_any_request(run_module, scripted_server):
    result, failed = run_module(ocp_cluster_info.main, args(scripted_server, name=' '))
    assert failed and result['error']['option'] == 'name' and scripted_server.requests == []


def test_an_id_that_is_not_positive_fails_before_any_request(run_module, scripted_server):
    """OCP ids are positive; -1 used to be sent (GET /ob/clusters/-1, then the list)."""
    result, failed = run_module(ocp_cluster_info.main, args(scripted_server, id=-1))
    assert failed and result['error']['option'] == 'id' and scripted_server.requests == []
