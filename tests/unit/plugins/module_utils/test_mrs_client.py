# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils._envelopes import MRS_API
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    NotFoundError,
    OperationFailedError,
    OptionError,
    QuiesceError,
    WaitTimeoutError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._mrs_client import (
    CommandProgress,
    MrsClient,
    ServiceStatus,
    check_cluster_id,
    check_manager_url,
    check_service_name,
    normalize_running_status,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._waiter import wait_until
from ansible_collections.quiesce.lifecycle.tests.unit.plugins.module_utils.test_waiter import FakeClock


class FakeResponse:
    def __init__(self, body):
        self.json = body


class FakeHttp:
    """Answers (method, path) from queues of bodies or exceptions; records every call."""

    auth = None

    def __init__(self, routes):
        self.routes = dict((k, list(v)) for k, v in routes.items())
        self.calls = []

    def request(self, method, path, json_body=None, **kwargs):
        self.calls.append((method, path, json_body))
        queue = self.routes[(method, path)]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return FakeResponse(answer)

    def close(self):
        pass


def summary(*properties):
    return {'id': -1, 'state': 'COMPLETE', 'error_code': 0,
            'res_obj': {'key_property': [dict(name=n, value=v, type='STATUS') for n, v in properties]}}


def progress(state, pct, code=0, description='', failed=None, steps=('Stop HBase',), command_id=101):
    return {'id': command_id, 'state': state, 'error_code': code, 'error_description': description,
            'total_progress': pct, 'res_obj': {'cluster_id': 1, 'step_list': [{'name': s} for s in steps],
                                               'fail_entity_list': failed or [], 'total_step_size': len(steps)}}


def client(routes, clock=None):
    clock = clock or FakeClock()
    return MrsClient(FakeHttp(routes), cluster_id=1, poll_interval=1.0, clock=clock, sleep=clock.sleep)


SUMMARY = '/v1/cluster/1/services/HBase'


@pytest.mark.parametrize('raw, token', [
    ('STARTED', 'STARTED'), ('started', 'STARTED'), ('Started', 'STARTED'), ('Stopped', 'STOPPED'),
    ('Starting', 'STARTING'), ('stopping', 'STOPPING'), ('START_FAILED', 'START_FAILED'),
    ('Failed to start', 'START_FAILED'), ('Failed to stop', 'STOP_FAILED'), ('stop_failed', 'STOP_FAILED'),
    ('Not started', 'STOPPED'), ('Unknown', 'UNKNOWN'), ('Decommissioning', 'UNKNOWN'), ('', None), (None, None),
])
def test_running_status_vocabulary(raw, token):
    assert normalize_running_status(raw) == token


def test_summary_is_read_by_property_name_not_position():
    body = summary(('version', '2.1.1'), ('config_status', 'Synchronized'), ('health_status', 'good'),
                   ('running_status', 'Stopped'))
    status = ServiceStatus.from_summary('HBase', body)
    assert status.to_dict() == dict(name='HBase', running_status='STOPPED', health_status='GOOD',
                                    config_status='SYNCHRONIZED', version='2.1.1')


def test_operational_status_is_a_synonym_and_the_raw_spelling_is_kept():
    status = ServiceStatus.from_summary('HDFS', summary(('Operational_Status', 'Decommissioned')))
    assert status.running_status == 'UNKNOWN'
    assert status.to_dict()['reported_running_status'] == 'Decommissioned'


@pytest.mark.parametrize('body', [summary(('health_status', 'GOOD')), {'res_obj': {}}, {}])
def test_summary_without_running_status_is_an_error(body):
    with pytest.raises(QuiesceError) as caught:
        ServiceStatus.from_summary('HBase', body)
    assert 'HBase' in str(caught.value)


def test_unknown_service_says_how_to_fix_it():
    missing = NotFoundError(MRS_API, 'GET', '/web' + SUMMARY, 404, code=404, api_message='service HBase not found')
    mrs = client({('GET', SUMMARY): [missing]})
    with pytest.raises(NotFoundError) as caught:
        mrs.service_status('HBase')
    assert 'service HBase not found' in str(caught.value) and 'exact spelling' in str(caught.value)


def test_service_name_is_quoted_into_the_path():
    mrs = client({('GET', '/v1/cluster/1/services/My%20Service'): [summary(('running_status', 'STARTED'))]})
    assert mrs.service_status('My Service').running_status == 'STARTED'


def test_existing_services_skips_absent_ones():
    missing = NotFoundError(MRS_API, 'GET', 'x', 404)
    mrs = client({('GET', '/v1/cluster/1/services/HDFS'): [summary(('running_status', 'STARTED'))],
                  ('GET', '/v1/cluster/1/services/Storm'): [missing],
                  ('GET', '/v1/cluster/1/services/Hive'): [summary(('running_status', 'STOPPED'))]})
    assert [s.name for s in mrs.existing_services(['HDFS', 'Storm', 'Hive'])] == ['HDFS', 'Hive']


@pytest.mark.parametrize('only_self', [True, False])
def test_start_and_stop_always_send_only_self(only_self):
    accepted = {'id': 7, 'state': 'IN_PROGRESS', 'error_code': 0, 'total_progress': 0}
    mrs = client({('POST', '/v1/maintain/cluster/1/service/HBase/start'): [accepted],
                  ('POST', '/v1/maintain/cluster/1/service/HBase/stop'): [accepted]})
    assert mrs.start_service('HBase', only_self).command_id == 7
    mrs.stop_service('HBase', only_self)
    assert [c[2] for c in mrs.http.calls] == [{'only_self': only_self}] * 2


def test_command_refused_in_the_answer_is_a_failure():
    refused = {'id': -1, 'state': 'FAILED', 'error_code': 12, 'error_description': 'nope', 'total_progress': 0}
    mrs = client({('POST', '/v1/maintain/cluster/1/service/HBase/stop'): [refused]})
    with pytest.raises(OperationFailedError) as caught:
        mrs.stop_service('HBase', True)
    assert 'error 12: nope' in str(caught.value)


@pytest.mark.parametrize('body, asynchronous', [
    ({'id': 5, 'state': 'IN_PROGRESS'}, True),
    ({'id': -1, 'state': 'IN_PROGRESS'}, False),
    ({'id': 5, 'state': 'COMPLETE'}, False),
    ({'id': 'x', 'state': 'IN_PROGRESS'}, False),
])
def test_what_needs_polling(body, asynchronous):
    assert CommandProgress.from_envelope(body).asynchronous is asynchronous


def test_wait_for_command_polls_until_complete():
    path = '/v1/common/command/101/progress'
    clock = FakeClock()
    mrs = client({('GET', path): [progress('IN_PROGRESS', 10), progress('IN_PROGRESS', 60),
                                  progress('COMPLETE', 100)]}, clock)
    final = mrs.wait_for_command(101, 60, 'stop HBase')
    assert final.state == 'COMPLETE' and final.total_progress == 100 and final.steps == ['Stop HBase']
    # Intervals grow with the time already waited (at most 8 % of it), never below the first one.
    assert clock.sleeps == [1.0, 1.0]


class LinearCommand(FakeHttp):
    """A command of ``length`` seconds whose total_progress grows with time, as the simulator's (choice 17)."""

    def __init__(self, clock, length):
        FakeHttp.__init__(self, {})
        self.clock = clock
        self.length = length

    def request(self, method, path, json_body=None, **kwargs):
        self.calls.append((method, path, json_body))
        if self.clock.now >= self.length:
            return FakeResponse(progress('COMPLETE', 100))
        return FakeResponse(progress('IN_PROGRESS', round(100.0 * self.clock.now / self.length, 1)))


@pytest.mark.parametrize('length, seen_within', [(42, 0.3), (600, 0.3)])
def test_wait_for_command_polls_when_total_progress_says_the_command_ends(length, seen_within):
    clock = FakeClock()
    mrs = MrsClient(LinearCommand(clock, length), cluster_id=1, poll_interval=1.0, clock=clock, sleep=clock.sleep)
    assert mrs.wait_for_command(101, 3600, 'stop HBase').state == 'COMPLETE'
    # The schedule alone would see a 600 s command up to 30 s (42 s: 3.3 s) after it ended.
    assert 0 <= clock.now - length <= seen_within
    assert len(mrs.http.calls) <= {42: 30, 600: 66}[length]


@pytest.mark.parametrize('state, pct, fraction', [
    ('IN_PROGRESS', 40.0, 0.4), ('IN_PROGRESS', 0, None), ('IN_PROGRESS', 100, None), ('IN_PROGRESS', 250, None),
    ('IN_PROGRESS', -5, None), ('COMPLETE', 100, None), ('COMPLETE', 40, None), ('FAILED', 40, None),
])
def test_total_progress_as_the_share_done(state, pct, fraction):
    assert CommandProgress.from_envelope(progress(state, pct)).fraction() == fraction


def test_a_command_whose_progress_stands_still_is_polled_on_the_schedule_alone():
    path = '/v1/common/command/101/progress'
    clock = FakeClock()
    mrs = client({('GET', path): [progress('IN_PROGRESS', 0)] * 20 + [progress('COMPLETE', 100)]}, clock)
    mrs.wait_for_command(101, 600, 'stop HBase')
    alone = FakeClock()
    wait_until(lambda: len(alone.sleeps) >= 20, bool, 600, 'x', schedule=mrs.schedule(), clock=alone,
               sleep=alone.sleep)
    assert clock.sleeps == alone.sleeps


def test_failed_command_names_code_description_entities_and_id():
    path = '/v1/common/command/104/progress'
    failed = progress('FAILED', 50, 1001, 'Failed to start service HBase.',
                      [{'fail_entity': 'RegionServer(node-1)', 'operation_type': 'START'}], command_id=104)
    mrs = client({('GET', path): [failed]})
    with pytest.raises(OperationFailedError) as caught:
        mrs.wait_for_command(104, 60, 'start HBase')
    text = str(caught.value)
    for part in ('command 104', 'start HBase', 'error 1001', 'Failed to start service HBase.', 'RegionServer(node-1) (START)'):
        assert part in text
    details = caught.value.to_dict()
    assert details['command_id'] == 104 and details['error_code'] == 1001
    assert details['failed_entities'] == [{'entity': 'RegionServer(node-1)', 'operation': 'START'}]


def test_command_timeout_names_last_state_progress_and_command_id():
    path = '/v1/common/command/101/progress'
    mrs = client({('GET', path): [progress('IN_PROGRESS', 40)]})
    with pytest.raises(WaitTimeoutError) as caught:
        mrs.wait_for_command(101, 5, 'stop HBase')
    text = str(caught.value)
    assert 'IN_PROGRESS, total_progress 40%' in text and 'command_id=101' in text and '5s' in text


def test_wait_until_settled_waits_through_transitions():
    mrs = client({('GET', SUMMARY): [summary(('running_status', 'STOPPING')), summary(('running_status', 'STOPPING')),
                                     summary(('running_status', 'STOPPED'))]})
    assert mrs.wait_until_settled('HBase', 60).running_status == 'STOPPED'
    assert len(mrs.http.calls) == 3


def test_cluster_info_combines_health_and_cluster_list():
    mrs = client({('GET', '/v1/cluster/1/status'): [{'res_obj': {'state': 'Good'}}],
                  ('GET', '/v1/clusters'): [{'res_obj': {'clusters': [
                      {'id': 2, 'name': 'other'}, {'id': 1, 'name': 'prod', 'version': 'MRS 2.1.0', 'stack_model': 'Sec'}]}}]})
    assert mrs.cluster_info() == dict(id=1, health='GOOD', name='prod', version='MRS 2.1.0', stack_model='Sec')


@pytest.mark.parametrize('name', ['', ' HBase', 'a/b', '   ', '..', '.'])
def test_bad_service_names_fail_naming_the_option(name):
    with pytest.raises(OptionError) as caught:
        check_service_name(name, 'names')
    assert caught.value.option == 'names'


@pytest.mark.parametrize('cluster_id', [0, -1])
def test_bad_cluster_id(cluster_id):
    with pytest.raises(OptionError):
        check_cluster_id(cluster_id)


@pytest.mark.parametrize('url, usable', [
    ('https://192.0.2.10:28443/web', True),
    ('http://127.0.0.1:8080/web/', False),
    ('https://192.0.2.10:28443', False),
    ('192.0.2.10:28443/web', False),
    ('https://', False),
    ('garbage', False),
    ('https://192.0.2.10:28443/web/../v3', False),
    ('', False),
])
def test_manager_url_needs_https_scheme_host_and_path(url, usable):
    if usable:
        check_manager_url(url)
    else:
        with pytest.raises(OptionError) as caught:
            check_manager_url(url)
        assert caught.value.option == 'manager_url'


def test_plain_http_manager_url_needs_the_explicit_opt_in():
    with pytest.raises(OptionError) as caught:
        check_manager_url('http://127.0.0.1:8080/web')
    assert 'HTTPS only' in str(caught.value) and 'allow_insecure_http' in str(caught.value)
    check_manager_url('http://127.0.0.1:8080/web/', allow_insecure_http=True)
