# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rule for an action whose outcome is unknown: resend only on proof, otherwise watch, then say what to check."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils._actions import (
    await_effect,
    grace_period,
    looking_back,
    refusal,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._envelopes import ocp_error
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AmbiguousRequestError,
    ApiError,
    UnconfirmedActionError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import HttpClient
from ansible_collections.quiesce.lifecycle.tests.unit.plugins.module_utils.answers import (
    out_of_time,
    refused,
    retry_out_of_time,
    unanswered,
)


@pytest.mark.parametrize('read_timeout, remaining, grace', [(2, 1800, 10), (30, 1800, 60), (45, 70, 70), (30, 0, 0)])
def test_grace_period_outlasts_the_read_timeout_within_the_budget(read_timeout, remaining, grace):
    assert grace_period(HttpClient('http://127.0.0.1:1', 'OCP', ocp_error, timeout=read_timeout), remaining) == grace


@pytest.mark.parametrize('err, proves', [
    (refused(500, code=10010), True),
    (refused(503, code=503, api='MRS Manager'), True),
    (refused(500, code=0), True),  # OCP's "no specific code" is still OCP's envelope
    (AmbiguousRequestError('OCP', 'POST', '/x', 'HTTP 502', http_status=502), False),  # a gateway's page
    (AmbiguousRequestError('OCP', 'POST', '/x', 'unreadable response body', http_status=200), False),
    (unanswered(), False),
])
def test_only_the_apis_own_error_envelope_proves_the_request_ended(err, proves):
    error = refusal(err)
    assert (error is not None) == proves
    if proves:
        assert isinstance(error, ApiError)
        assert (error.http_status, error.code, error.request_id) == (err.http_status, err.code, 'tr')


def test_await_effect_returns_the_first_value_that_shows_the_action():
    values = iter([{'status': 'RUNNING'}, {'status': 'RUNNING'}, {'status': 'STOPPING'}])
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    seen = await_effect(lambda: next(values), lambda v: v['status'] == 'STOPPING', 30, 'stop x', 'ReadTimeout',
                        'the task list', clock=lambda: now[0], sleep=sleep)
    assert seen == {'status': 'STOPPING'} and now[0] < 30


def test_await_effect_that_sees_nothing_names_what_to_check():
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    with pytest.raises(UnconfirmedActionError) as caught:
        await_effect(lambda: {'status': 'RUNNING'}, lambda v: False, 30, 'the stop of OCP cluster 42', 'ReadTimeout',
                     'the OCP task list', describe=lambda v: 'status ' + v['status'], follow_up={'clusterId': 42},
                     clock=lambda: now[0], sleep=sleep)
    message = str(caught.value)
    assert message.startswith('The outcome of the stop of OCP cluster 42 is unknown (ReadTimeout).')
    assert 'for 30s nothing showed that it was (last seen: status RUNNING)' in message
    assert message.endswith('Check the OCP task list before running the task again.')
    assert caught.value.to_dict()['check'] == 'the OCP task list' and now[0] == 30


@pytest.mark.parametrize('cause', [out_of_time(), retry_out_of_time()])
def test_no_time_left_to_look_back_is_an_unknown_outcome_naming_the_deadline(cause):
    with pytest.raises(UnconfirmedActionError) as caught:
        with looking_back('the stop of OCP cluster 42', unanswered(), 'the OCP task list', follow_up={'clusterId': 42}):
            raise cause
    err = caught.value
    assert str(err).startswith('The outcome of the stop of OCP cluster 42 is unknown (ReadTimeout).')
    assert 'the deadline set by wait_timeout came before anything showed that it was' in str(err)
    assert err.to_dict()['deadline_option'] == 'wait_timeout' and err.follow_up == {'clusterId': 42}


def test_await_effect_that_runs_out_of_the_deadline_is_an_unknown_outcome():
    def fetch():
        raise out_of_time()

    with pytest.raises(UnconfirmedActionError) as caught:
        await_effect(fetch, lambda v: False, 30, 'stop x', 'ReadTimeout', 'the task list')
    assert 'deadline set by wait_timeout' in str(caught.value) and 'Check the task list' in str(caught.value)
