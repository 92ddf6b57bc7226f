# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared result vocabulary: follow_up and changed_targets."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    ApiError,
    OperationFailedError,
    UnconfirmedActionError,
    WaitTimeoutError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._results import (
    bms_power_vocabulary,
    changed_target,
    failure_outcome,
    follow_up_entry,
    vocabulary,
)


def test_operations_without_an_id_are_not_listed():
    result = vocabulary([follow_up_entry('ocp_task', 7, 'RUNNING', [42]), follow_up_entry('mrs_command', None, None,
                                                                                          ['HBase'])],
                        [changed_target('ocp_cluster', 42, 'ob', 'stop', 'RUNNING', None, 'unknown')])
    assert result == {'follow_up': [{'type': 'ocp_task', 'id': 7, 'status': 'RUNNING', 'targets': [42],
                                     'attached': False}],
                      'changed_targets': [{'type': 'ocp_cluster', 'id': 42, 'name': 'ob', 'action': 'stop',
                                           'before': 'RUNNING', 'after': None, 'outcome': 'unknown'}]}


def test_an_outcome_outside_the_vocabulary_is_a_programming_error():
    with pytest.raises(ValueError):
        changed_target('ocp_cluster', 42, outcome='stopped')


@pytest.mark.parametrize('err, outcome', [
    (UnconfirmedActionError('stop x', 'ReadTimeout', 30), 'unknown'),
    (WaitTimeoutError('task 7', 60), 'unknown'),
    (OperationFailedError('task 7 failed'), 'failed'),
    (ApiError('OCP', 'GET', '/x', 500), 'failed'),
])
def test_failure_outcome(err, outcome):
    assert failure_outcome(err) == outcome


def test_bms_power_report_in_the_shared_shape():
    report = {
        'jobs': [{'job_id': 'j1', 'action': 'os-stop', 'servers': 2, 'status': 'FAIL', 'error_code': 'BMS.0006'}],
        'servers': [
            {'id': 's1', 'name': 'n1', 'outcome': 'changed', 'changed': True, 'action': 'os-stop', 'job_id': 'j1',
             'before': {'power': 'on'}, 'after': {'power': 'off'}},
            {'id': 's2', 'name': 'n2', 'outcome': 'failed', 'changed': False, 'action': 'os-stop', 'job_id': 'j1',
             'before': {'power': 'on'}, 'after': {'power': 'on'}},
            {'id': 's3', 'name': 'n3', 'outcome': 'unchanged', 'changed': False, 'action': None,
             'before': {'power': 'off'}, 'after': {'power': 'off'}},
            # answer lost, followed by state, ended unconfirmed: may have changed
            {'id': 's4', 'name': 'n4', 'outcome': 'unchanged', 'changed': True, 'action': 'os-stop',
             'before': {'power': 'on'}, 'after': None},
        ]}
    result = bms_power_vocabulary(report)
    assert result['follow_up'] == [{'type': 'bms_job', 'id': 'j1', 'status': 'FAIL', 'targets': ['s1', 's2'],
                                    'attached': False}]
    assert [(t['id'], t['outcome'], t['before'], t['after']) for t in result['changed_targets']] == [
        ('s1', 'changed', 'on', 'off'), ('s4', 'unknown', 'on', None)]
