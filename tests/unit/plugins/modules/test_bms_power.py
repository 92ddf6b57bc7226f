# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""bms_power as Ansible runs it: options, check mode, diff, partial failure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import yaml

from ansible_collections.quiesce.lifecycle.plugins.modules import bms_power

IDS = ['00000000-0000-4000-8000-{0:012d}'.format(n) for n in range(12)]


def listing(statuses):
    return {'status': 200, 'body': {'count': len(statuses), 'servers': [
        {'id': server_id, 'name': 'node-' + server_id, 'status': status, 'OS-EXT-STS:task_state': None,
         'updated': 'u-' + status} for server_id, status in statuses.items()]}}


def args(server, **extra):
    base = dict(region='cn-north-4', project_id='p0', access_key='AK', secret_key='SK', bms_endpoint=server.url,
                iam_endpoint=server.url, poll_interval=0.01, allow_insecure_http=True)
    base.update(extra)
    return base


def test_no_target_fails_before_any_request(run_module, scripted_server):
    result, failed = run_module(bms_power.main, args(scripted_server, state='stopped'))
    assert failed and 'server_ids' in result['msg'] and result['error']['option'] == 'server_ids'
    assert scripted_server.requests == []


def test_missing_secret_key_fails_before_any_request(run_module, scripted_server, monkeypatch):
    monkeypatch.delenv('HUAWEICLOUD_SDK_SK', raising=False)
    result, failed = run_module(bms_power.main, args(scripted_server, secret_key=None, server_ids=IDS, state='stopped'))
    assert failed and "'secret_key'" in result['msg'] and 'HUAWEICLOUD_SDK_SK' in result['msg']
    assert scripted_server.requests == []


def test_ids_and_filters_are_mutually_exclusive(run_module, scripted_server):
    result, failed = run_module(bms_power.main, args(scripted_server, server_ids=IDS, name='x', state='stopped'))
    assert failed and 'mutually exclusive' in result['msg']


def test_check_mode_sends_no_action_and_shows_a_per_server_diff(run_module, scripted_server):
    statuses = dict((server_id, 'ACTIVE' if n % 3 else 'SHUTOFF') for n, server_id in enumerate(IDS))
    scripted_server.reply(listing(statuses))
    result, failed = run_module(bms_power.main, args(scripted_server, server_ids=IDS, state='stopped',
                                                     _ansible_check_mode=True, _ansible_diff=True))
    assert not failed and result['changed']
    assert [r['method'] for r in scripted_server.requests] == ['GET']
    assert result['summary']['would_change'] == 8 and result['summary']['unchanged'] == 4
    assert result['diff']['before'][IDS[1]] == 'on' and result['diff']['after'][IDS[1]] == 'off'
    assert result['diff']['before'][IDS[0]] == result['diff']['after'][IDS[0]] == 'off'
    assert result['api_calls']['action_calls'] == 0


def test_partial_failure_fails_with_a_summary_and_reports_every_server(run_module, scripted_server):
    statuses = dict((server_id, 'ACTIVE') for server_id in IDS)
    subs = [{'status': 'SUCCESS', 'entities': {'server_id': i}, 'job_id': 's' + i} for i in IDS[2:]]
    subs += [{'status': 'FAIL', 'entities': {'server_id': i}, 'job_id': 's' + i, 'error_code': 'BMS.0006',
              'fail_reason': 'Failed to operate the BMS.'} for i in IDS[:2]]
    after = dict(statuses, **dict((i, 'SHUTOFF') for i in IDS[2:]))
    scripted_server.reply(listing(statuses), {'status': 200, 'body': {'job_id': 'job-1'}},
                          {'status': 200, 'body': {'job_id': 'job-1', 'status': 'FAIL', 'error_code': 'BMS.0006',
                                                   'entities': {'sub_jobs_total': 12, 'sub_jobs': subs}}},
                          listing(after))
    result, failed = run_module(bms_power.main, args(scripted_server, server_ids=IDS, state='stopped', type='SOFT'))
    assert failed and result['changed']
    assert result['msg'].startswith('2 of 12 server(s) could not be stopped (10 changed, 0 already stopped)')
    assert '{0} (node-{0}): Failed to operate the BMS. [BMS.0006]'.format(IDS[0]) in result['msg']
    assert result['summary']['changed'] == 10 and result['job_ids'] == ['job-1']
    assert sorted(f['id'] for f in result['failed_servers']) == IDS[:2]
    action = [r for r in scripted_server.requests if r['method'] == 'POST'][0]
    assert json.loads(action['body'])['os-stop']['type'] == 'SOFT'
    changed = [s for s in result['servers'] if s['outcome'] == 'changed']
    assert all(s['after']['status'] == 'SHUTOFF' and s['before']['status'] == 'ACTIVE' for s in changed)
    # The shared vocabulary rides along with the failure: the job to follow up and what changed.
    assert result['follow_up'] == [{'type': 'bms_job', 'id': 'job-1', 'status': 'FAIL', 'targets': IDS,
                                    'attached': False}]
    assert sorted(t['id'] for t in result['changed_targets']) == IDS[2:]
    assert set(t['outcome'] for t in result['changed_targets']) == set(['changed'])
    documented = set(yaml.safe_load(bms_power.RETURN)) | set(['invocation', 'changed', 'msg', 'failed', 'error'])
    assert sorted(set(result) - documented) == []


@pytest.mark.parametrize('value', [0, -1])
def test_max_concurrency_must_be_positive(run_module, scripted_server, value):
    result, failed = run_module(bms_power.main, args(scripted_server, server_ids=IDS, state='started',
                                                     max_concurrency=value))
    assert failed and 'max_concurrency' in result['msg'] and scripted_server.requests == []
