# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import yaml

from ansible_collections.quiesce.lifecycle.plugins.modules import mrs_service_info

LOGIN = {'id': -1, 'state': 'COMPLETE', 'error_code': 0, 'modify_pwd': False}
MISSING = {'status': 404, 'body': {'id': -1, 'state': 'FAILED', 'error_code': 404, 'error_description': 'not found'}}


def summary(running):
    return {'body': {'res_obj': {'key_property': [{'name': 'running_status', 'value': running, 'type': 'STATUS'}]}}}


def cluster_replies():
    return [{'body': {'res_obj': {'state': 'BAD'}}},
            {'body': {'res_obj': {'clusters': [{'id': 1, 'name': 'mrs-prod', 'version': 'MRS 2.1.0',
                                                'stack_model': 'NoSec'}]}}}]


def args(server, **extra):
    base = dict(manager_url=server.url + '/web', username='admin', password='s3cret', allow_insecure_http=True)
    base.update(extra)
    return base


def test_named_services_and_cluster_health_in_check_mode(run_module, scripted_server):
    scripted_server.reply({'body': LOGIN}, *cluster_replies())
    scripted_server.reply(summary('STARTED'), summary('Stopped'), {'body': {}})
    result, failed = run_module(mrs_service_info.main, args(scripted_server, names=['HDFS', 'HBase'],
                                                            _ansible_check_mode=True))
    assert not failed and result['changed'] is False
    assert result['cluster'] == dict(id=1, health='BAD', name='mrs-prod', version='MRS 2.1.0', stack_model='NoSec')
    assert [(s['name'], s['running_status']) for s in result['services']] == [('HDFS', 'STARTED'), ('HBase', 'STOPPED')]
    assert all(r['method'] == 'GET' for r in scripted_server.requests)
    # Like every module: elapsed is returned, and every key returned is documented.
    assert isinstance(result['elapsed'], float)
    assert sorted(set(result) - set(yaml.safe_load(mrs_service_info.RETURN)) - set(['invocation', 'changed'])) == []


def test_without_names_the_known_components_are_probed_and_absent_ones_skipped(run_module, scripted_server, monkeypatch):
    monkeypatch.setattr(mrs_service_info, 'KNOWN_SERVICES', ('ZooKeeper', 'Storm', 'HDFS'))
    scripted_server.reply({'body': LOGIN}, *cluster_replies())
    scripted_server.reply(summary('STARTED'), MISSING, summary('STARTED'), {'body': {}})
    result, failed = run_module(mrs_service_info.main, args(scripted_server))
    assert not failed
    assert [s['name'] for s in result['services']] == ['ZooKeeper', 'HDFS']


def test_a_named_service_the_cluster_lacks_fails(run_module, scripted_server):
    scripted_server.reply({'body': LOGIN}, *cluster_replies())
    scripted_server.reply(MISSING, {'body': {}})
    result, failed = run_module(mrs_service_info.main, args(scripted_server, names=['Hbase']))
    assert failed and result['error']['type'] == 'NotFoundError' and 'exact spelling' in result['msg']
