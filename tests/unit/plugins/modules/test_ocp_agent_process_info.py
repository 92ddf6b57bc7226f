# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.quiesce.lifecycle.plugins.modules import ocp_agent_process_info
from ansible_collections.quiesce.lifecycle.tests.unit.plugins.modules.ocp_helpers import args, ok, page


def test_one_host_filtered_processes(run_module, scripted_server):
    scripted_server.reply(ok({'id': 20, 'name': 'ob-1', 'innerIpAddress': '10.0.0.1'}),
                          page([{'id': 186, 'alias': 'ob_logtailer'}, {'id': 185, 'alias': 'obstat2'},
                                {'id': 187, 'alias': 'ob_cleaner'}]))
    result, failed = run_module(ocp_agent_process_info.main, args(scripted_server, host='20',
                                                                  processes=['obstat2', '186']))
    assert not failed and not result['changed']
    assert [(p['id'], p['hostId']) for p in result['processes']] == [(185, 20), (186, 20)]
    assert result['hosts'] == [{'id': 20, 'name': 'ob-1', 'inner_ip_address': '10.0.0.1', 'status': None,
                                'agent_status': None}]


def test_a_process_name_no_host_has_fails_naming_the_option(run_module, scripted_server):
    scripted_server.reply(ok({'id': 20, 'name': 'ob-1', 'innerIpAddress': '10.0.0.1'}),
                          page([{'id': 185, 'alias': 'obstat2'}, {'id': 187, 'alias': 'ob_cleaner'}]))
    result, failed = run_module(ocp_agent_process_info.main, args(scripted_server, host='20',
                                                                  processes=['obstat2', 'obstat3']))
    assert failed and result['error']['option'] == 'processes'
    assert "no agent process 'obstat3' on host 20 (processes seen: ob_cleaner, obstat2)" in result['msg']
