# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import yaml

from ansible_collections.quiesce.lifecycle.plugins.modules import ocp_agent_process
from ansible_collections.quiesce.lifecycle.tests.unit.plugins.modules.ocp_helpers import args, mutating, ok, page

HOST = {'id': 20, 'name': 'ob-1', 'innerIpAddress': '10.0.0.1'}
PROCESSES = [{'id': 180, 'alias': 'ocp_agentd', 'status': 'STARTED', 'operable': False, 'pid': 11},
             {'id': 185, 'alias': 'obstat2', 'status': 'STARTED', 'operable': True, 'pid': 12},
             {'id': 187, 'alias': 'ob_cleaner', 'status': 'STOPPED', 'operable': True, 'pid': 0}]


def test_processes_required_with_process_scope(run_module, scripted_server):
    result, failed = run_module(ocp_agent_process.main, args(scripted_server, host='20', state='stopped'))
    assert failed and result['error']['option'] == 'processes'
    assert scripted_server.requests == []


def test_stop_by_alias_acts_only_where_needed(run_module, scripted_server):
    scripted_server.reply(page([HOST]), page(PROCESSES), ok(dict(PROCESSES[1], status='STOPPED', pid=0), trace='ab'))
    result, failed = run_module(ocp_agent_process.main, args(
        scripted_server, host='10.0.0.1', processes=['obstat2', 'ob_cleaner'], state='stopped', _ansible_diff=True))
    assert not failed, result
    assert [r['path'] for r in mutating(scripted_server)] == ['/api/v2/compute/hosts/20/agent/processes/185/stop']
    assert result['diff'] == {'before': {'obstat2': 'STARTED', 'ob_cleaner': 'STOPPED'},
                              'after': {'obstat2': 'STOPPED', 'ob_cleaner': 'STOPPED'}}
    assert [p['changed'] for p in result['processes']] == [True, False]
    assert result['processes'][0]['trace_id'] == 'ab'


def test_named_inoperable_process_fails_without_mutating(run_module, scripted_server):
    scripted_server.reply(ok(HOST), page(PROCESSES))
    result, failed = run_module(ocp_agent_process.main, args(scripted_server, host='20', processes=['ocp_agentd'],
                                                             state='stopped'))
    assert failed and 'operable=false' in result['msg']
    assert mutating(scripted_server) == []


def test_agent_scope_returns_only_documented_keys(run_module, scripted_server):
    scripted_server.reply(ok(HOST), page(PROCESSES))
    result, failed = run_module(ocp_agent_process.main, args(scripted_server, host='20', scope='agent',
                                                             state='stopped', _ansible_check_mode=True))
    assert not failed, result
    assert mutating(scripted_server) == []
    documented = set(yaml.safe_load(ocp_agent_process.RETURN)) | set(['invocation', 'changed', 'diff'])
    assert sorted(set(result) - documented) == []


def test_all_combined_with_names_fails_before_any_request(run_module, scripted_server):
    result, failed = run_module(ocp_agent_process.main, args(scripted_server, host='20', processes=['all', 'obstat2'],
                                                             state='stopped'))
    assert failed and result['error']['option'] == 'processes'
    assert 'cannot be combined with names (obstat2)' in result['msg']
    assert scripted_server.requests == []


def test_process_scope_returns_the_shared_vocabulary_documented(run_module, scripted_server):
    scripted_server.reply(ok(HOST), page(PROCESSES), ok(dict(PROCESSES[1], status='STOPPED', pid=0)))
    result, failed = run_module(ocp_agent_process.main, args(scripted_server, host='20', processes=['obstat2'],
                                                             state='stopped'))
    assert not failed, result
    assert result['follow_up'] == []
    assert result['changed_targets'] == [{'type': 'ocp_agent_process', 'id': 185, 'name': 'obstat2', 'host_id': 20,
                                          'action': 'stop', 'before': 'STARTED', 'after': 'STOPPED',
                                          'outcome': 'changed'}]
    documented = set(yaml.safe_load(ocp_agent_process.RETURN)) | set(['invocation', 'changed', 'diff'])
    assert sorted(set(result) - documented) == []
