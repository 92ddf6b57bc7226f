# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils._actions import refusal
from ansible_collections.quiesce.lifecycle.plugins.module_utils._envelopes import ocp_error
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AmbiguousRequestError,
    ApiError,
    AuthError,
    OperationFailedError,
    OptionError,
    WaitTimeoutError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_auth import build_auth
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_client import (
    OcpClient,
    normalize_task,
    page_count,
    summarize_subtasks,
    task_progress,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import HttpClient, RetryPolicy
from ansible_collections.quiesce.lifecycle.plugins.module_utils._waiter import PollSchedule
from ansible_collections.quiesce.lifecycle.tests.unit.plugins.module_utils.test_waiter import FakeClock


def ok(data, trace='t-1'):
    return {'status': 200, 'body': {'data': data, 'successful': True, 'status': 200, 'traceId': trace,
                                    'timestamp': '2024-01-01T00:00:00.000+08:00', 'duration': 3, 'server': '10.0.0.1'}}


def page(contents, number, total_pages, size=100, key='totalPages'):
    return ok({'contents': contents, 'page': {'number': number, 'size': size, 'totalElements': 0, key: total_pages}})


def make_client(url, sleeps=None, timeout_clock=None):
    sleeps = [] if sleeps is None else sleeps
    http = HttpClient(url, 'OCP', ocp_error, sleep=sleeps.append,
                      retry=RetryPolicy(max_attempts=4, base_delay=0.01, jitter=0.0,
                                        retry_after_headers=('Retry-After', 'RateLimit-Reset')),
                      auth=build_auth({'auth_method': 'basic', 'username': 'admin', 'password': 'pw'}))
    return OcpClient(http, schedule=PollSchedule(initial=0.01, maximum=0.01))


SUBTASKS = [
    {'id': 3, 'seriesId': 3, 'name': 'Update OB cluster status', 'status': 'PENDING', 'upstreams': [2],
     'downstream': []},
    {'id': 1, 'seriesId': 1, 'name': 'Prepare stop cluster', 'status': 'SUCCESSFUL', 'upstreams': [],
     'downstreams': [2], 'paralleIdx': -1},
    {'id': 2, 'seriesId': 2, 'name': 'Stop observer process', 'status': 'RUNNING', 'upstreams': [1],
     'downstreams': [3], 'parallelIdx': 0},
]


def test_task_parsing_accepts_both_documented_shapes():
    cluster_page = normalize_task({'id': 7, 'name': 'Stop OB cluster', 'status': 'RUNNING', 'tasks': SUBTASKS,
                                   'creator': {'id': 100, 'name': 'admin'}, 'cluster': {'id': 42}})
    agent_page = normalize_task({'id': 8, 'status': 'RUNNING', 'subtasks': SUBTASKS, 'creator': 'admin',
                                 'hostId': 1001})
    for task in (cluster_page, agent_page):
        assert [s['id'] for s in task['subtasks']] == [1, 2, 3]  # by seriesId, not array order
        assert task['creator'] == 'admin'
    assert cluster_page['cluster_id'] == 42
    assert cluster_page['subtasks'][0]['parallel_idx'] == -1 and cluster_page['subtasks'][1]['parallel_idx'] == 0
    assert cluster_page['subtasks'][0]['downstreams'] == [2] and cluster_page['subtasks'][2]['downstreams'] == []
    summary = summarize_subtasks(cluster_page['subtasks'])
    assert summary == {'total': 3, 'by_status': {'SUCCESSFUL': 1, 'RUNNING': 1, 'PENDING': 1},
                       'running': ['Stop observer process'], 'failed': []}


@pytest.mark.parametrize('page_info, expected', [
    ({'totalPages': 3}, 3), ({'totalPage': 2}, 2), ({}, None), (None, None)])
def test_page_count_reads_either_spelling(page_info, expected):
    assert page_count(page_info) == expected


@pytest.mark.parametrize('key', ['totalPages', 'totalPage'])
def test_paging_follows_every_page(scripted_server, key):
    scripted_server.reply(page([{'id': i, 'name': 'c%d' % i} for i in range(100)], 1, 2, key=key),
                          page([{'id': 100, 'name': 'last'}], 2, 2, key=key))
    clusters = make_client(scripted_server.url).list_clusters()
    assert len(clusters) == 101
    assert [r['path'] for r in scripted_server.requests] == ['/api/v2/ob/clusters?page=1&size=100',
                                                             '/api/v2/ob/clusters?page=2&size=100']


def test_paging_stops_on_an_empty_page_even_if_the_count_is_wrong(scripted_server):
    scripted_server.reply(page([{'id': i} for i in range(100)], 1, 99), page([], 2, 99))
    assert len(make_client(scripted_server.url).list_clusters()) == 100
    assert len(scripted_server.requests) == 2


def test_unsuccessful_envelope_becomes_api_error_with_trace_id(scripted_server):
    scripted_server.reply({'status': 401, 'body': {'successful': False, 'status': 401, 'traceId': 'abc123',
                                                   'error': {'code': 0, 'message': 'not logged in'}}})
    with pytest.raises(AuthError) as caught:
        make_client(scripted_server.url).list_clusters()
    assert caught.value.http_status == 401 and caught.value.request_id == 'abc123'
    assert 'not logged in' in str(caught.value)


def test_non_envelope_answer_is_reported(scripted_server):
    scripted_server.reply({'status': 200, 'body': {'artifact': 'ocp-server'}})
    with pytest.raises(ApiError) as caught:
        make_client(scripted_server.url).get_cluster(1)
    assert 'not an OCP API envelope' in str(caught.value)


def test_get_cluster_falls_back_to_the_list_when_the_single_get_is_missing(scripted_server):
    scripted_server.reply({'status': 404, 'body': {'successful': False, 'status': 404, 'error': {'code': 0}}},
                          page([{'id': 5, 'name': 'a', 'status': 'RUNNING'}, {'id': 6, 'name': 'b'}], 1, 1))
    client = make_client(scripted_server.url)
    assert client.get_cluster(5)['name'] == 'a'
    assert client.get_cluster(5)['name'] == 'a'
    # Once the single GET proved missing, later reads (status polls) go straight to the list.
    assert [r['path'].split('?')[0] for r in scripted_server.requests] == [
        '/api/v2/ob/clusters/5', '/api/v2/ob/clusters', '/api/v2/ob/clusters']


@pytest.mark.parametrize('clusters, problem', [
    ([{'id': 1, 'name': 'ob-prod-2'}], 'no cluster named'),  # the fuzzy match is not an exact one
    ([{'id': 1, 'name': 'ob-prod'}, {'id': 2, 'name': 'ob-prod'}], 'several OCP clusters'),
])
def test_resolve_by_name_is_exact_and_unambiguous(scripted_server, clusters, problem):
    scripted_server.reply(page(clusters, 1, 1))
    with pytest.raises(OptionError) as caught:
        make_client(scripted_server.url).resolve_cluster(name='ob-prod')
    assert problem in str(caught.value) and caught.value.option == 'name'
    assert all(r['method'] == 'GET' for r in scripted_server.requests)
    assert 'name=ob-prod' in scripted_server.requests[0]['path']


def test_cluster_action_returns_task_and_trace_id(scripted_server):
    scripted_server.reply(ok({'id': 9, 'name': 'Stop OB cluster', 'status': 'RUNNING', 'tasks': SUBTASKS},
                             trace='feed'))
    task, trace = make_client(scripted_server.url).cluster_action(42, 'stop')
    assert (task['id'], trace) == (9, 'feed')
    assert scripted_server.requests[0]['method'] == 'POST'
    assert scripted_server.requests[0]['path'] == '/api/v2/ob/clusters/42/stop'


def _task(status, sub_status):
    return ok({'id': 9, 'name': 'Stop OB cluster', 'status': status,
               'subtasks': [dict(SUBTASKS[1]), dict(SUBTASKS[2], status=sub_status)]})


def test_wait_task_survives_throttling_and_5xx_while_polling(scripted_server):
    sleeps = []
    scripted_server.reply(_task('RUNNING', 'RUNNING'),
                          {'status': 429, 'headers': {'RateLimit-Reset': '2'}, 'body': {'successful': False}},
                          {'status': 502, 'body': {}},
                          _task('SUCCESSFUL', 'SUCCESSFUL'))
    final = make_client(scripted_server.url, sleeps).wait_task({'id': 9, 'name': 'Stop OB cluster'}, 30)
    assert final['status'] == 'SUCCESSFUL'
    assert 2.0 in sleeps  # the RateLimit-Reset header was honoured


def chain_task(statuses, status='RUNNING', operation='EXECUTE'):
    return {'id': 9, 'name': 'Start OB cluster', 'status': status, 'operation': operation,
            'subtasks': [{'id': n, 'seriesId': n, 'name': 'step {0}'.format(n), 'status': st}
                         for n, st in enumerate(statuses, 1)]}


@pytest.mark.parametrize('task, fraction', [
    (chain_task(['SUCCESSFUL', 'RUNNING', 'PENDING', 'PENDING']), 0.25),
    (chain_task(['SUCCESSFUL', 'SUCCESSFUL', 'FAILED', 'RUNNING']), 0.75),  # a failed one has ended too
    (chain_task(['READY', 'PENDING']), 0.0),
    (chain_task([]), None),
    (chain_task(['SUCCESSFUL', 'SUCCESSFUL'], status='SUCCESSFUL'), None),
    (chain_task(['SUCCESSFUL', 'FAILED'], status='FAILED'), None),
    (chain_task(['SUCCESSFUL', 'PENDING', 'PENDING'], operation='ROLLBACK'), None),  # walks back to PENDING
])
def test_task_progress_is_the_share_of_subtasks_that_ended(task, fraction):
    assert task_progress(normalize_task(task)) == fraction


def test_wait_task_polls_when_the_subtasks_say_the_task_ends():
    # 25 subtasks of 4 s one after the other (100 s): with 24 done after about 97 s the last should end at about
    # 101 s; the schedule alone (8 % of the time waited) polls next 3.8 s after the end.
    clock = FakeClock()
    client = OcpClient(None, schedule=PollSchedule(initial=1.0), clock=clock, sleep=clock.sleep)
    polls = []

    def get_task(task_id):
        polls.append(clock.now)
        done = min(25, int(clock.now // 4))
        statuses = ['SUCCESSFUL'] * done + (['RUNNING'] + ['PENDING'] * (24 - done) if done < 25 else [])
        return normalize_task(chain_task(statuses, status='RUNNING' if done < 25 else 'SUCCESSFUL'))
    client.get_task = get_task
    assert client.wait_task({'id': 9, 'name': 'Start OB cluster'}, 600)['status'] == 'SUCCESSFUL'
    assert 100 <= polls[-1] <= 100.5 and len(polls) <= 41


def test_wait_task_failure_names_task_and_failed_subtask_with_log(scripted_server):
    scripted_server.reply(_task('FAILED', 'FAILED'),
                          ok({'log': 'INFO start\nERROR subtask Stop observer process failed: disk full'}))
    with pytest.raises(OperationFailedError) as caught:
        make_client(scripted_server.url).wait_task({'id': 9, 'name': 'Stop OB cluster'}, 30)
    message = str(caught.value)
    assert 'task 9' in message and 'Stop observer process (id 2)' in message and 'disk full' in message
    assert caught.value.details['failed_subtasks'] == ['Stop observer process']
    assert scripted_server.requests[1]['path'] == '/api/v2/tasks/instances/9/subtasks/2/log'


def test_wait_task_timeout_names_the_last_state_and_running_subtasks(scripted_server):
    scripted_server.reply(_task('RUNNING', 'RUNNING'))
    with pytest.raises(WaitTimeoutError) as caught:
        make_client(scripted_server.url).wait_task({'id': 9, 'name': 'Stop OB cluster'}, 0.05)
    assert 'RUNNING' in str(caught.value) and 'running subtasks: Stop observer process' in str(caught.value)
    assert caught.value.follow_up == {'task_id': 9}


def test_wait_task_failure_and_timeout_name_the_target(scripted_server):
    """A task's own name (Stop OB cluster) does not say which cluster: the target is named too."""
    target = 'cluster ob-report (id 1000003)'
    scripted_server.reply(_task('FAILED', 'FAILED'), ok({'log': ''}))
    with pytest.raises(OperationFailedError) as failed:
        make_client(scripted_server.url).wait_task({'id': 9, 'name': 'Stop OB cluster'}, 30, target=target)
    assert str(failed.value).startswith('OCP task 9 (Stop OB cluster) of cluster ob-report (id 1000003) failed')
    scripted_server.script[:] = [_task('RUNNING', 'RUNNING')]
    with pytest.raises(WaitTimeoutError) as timed_out:
        make_client(scripted_server.url).wait_task({'id': 9, 'name': 'Stop OB cluster'}, 0.05, target=target)
    assert target in str(timed_out.value) and 'task_id=9' in str(timed_out.value)


def test_agent_paths_are_prefixed_and_fall_back_to_bare_on_404(scripted_server):
    not_found = {'status': 404, 'body': {'successful': False, 'status': 404, 'error': {'code': 0}}}
    scripted_server.reply(not_found, page([{'id': 185, 'alias': 'obstat2', 'status': 'STARTED'}], 1, 1),
                          ok({'id': 185, 'alias': 'obstat2', 'status': 'STOPPED'}))
    client = make_client(scripted_server.url)
    assert client.list_agent_processes(20)[0]['alias'] == 'obstat2'
    client.process_action(20, 185, 'stop')
    assert [r['path'].split('?')[0] for r in scripted_server.requests] == [
        '/api/v2/compute/hosts/20/agent/processes', '/compute/hosts/20/agent/processes',
        '/compute/hosts/20/agent/processes/185/stop']
    assert client.agent_path_style == 'bare'


def test_agent_paths_stay_prefixed_when_served(scripted_server):
    scripted_server.reply(page([{'id': 185, 'alias': 'obstat2'}], 1, 1))
    client = make_client(scripted_server.url)
    client.list_agent_processes(20)
    assert scripted_server.requests[0]['path'].startswith('/api/v2/compute/hosts/20/agent/processes?')
    assert client.agent_path_style == 'prefixed'


@pytest.mark.parametrize('host, expected_id', [('ob-prod-2', 2), ('10.0.0.3', 3), ('1', 1)])
def test_resolve_host_by_name_ip_or_id(scripted_server, host, expected_id):
    hosts = [{'id': 1, 'name': 'ob-prod-1', 'innerIpAddress': '10.0.0.1'},
             {'id': 2, 'name': 'ob-prod-2', 'innerIpAddress': '10.0.0.2'},
             {'id': 3, 'name': 'ob-prod-3', 'innerIpAddress': '10.0.0.3'}]
    if host.isdigit():
        scripted_server.reply(ok(hosts[0]))
    else:
        scripted_server.reply(page(hosts, 1, 1))
    assert make_client(scripted_server.url).resolve_host(host)['id'] == expected_id


def test_unknown_host_is_an_option_error(scripted_server):
    scripted_server.reply(page([{'id': 1, 'name': 'a', 'innerIpAddress': '10.0.0.1'}], 1, 1))
    with pytest.raises(OptionError) as caught:
        make_client(scripted_server.url).resolve_host('10.9.9.9')
    assert caught.value.option == 'host'


def test_task_list_filters_are_trusted_when_items_lack_host_id(scripted_server):
    # The documented list item (ocp.md s5.7) has no hostId: the server's documented hostId filter is trusted.
    scripted_server.reply(page([{'id': 12, 'name': 'Stop OCP agent', 'status': 'RUNNING'},
                                {'id': 11, 'name': 'Restart OCP agent', 'status': 'SUCCESSFUL'}], 1, 1))
    tasks = make_client(scripted_server.url).tasks_of('hostId', 1001)
    assert [t['id'] for t in tasks] == [12, 11]
    query = scripted_server.requests[0]['path'].split('?', 1)[1]
    assert 'hostId=1001' in query and 'sort=id%2Cdesc' in query


def test_task_list_items_that_show_another_target_or_status_are_dropped(scripted_server):
    scripted_server.reply(page([{'id': 13, 'status': 'RUNNING', 'hostId': 1002},
                                {'id': 12, 'status': 'RUNNING', 'hostId': 1001},
                                {'id': 11, 'status': 'SUCCESSFUL'},
                                {'id': 10, 'status': 'RUNNING', 'cluster': {'id': 7}}], 1, 1),
                          page([{'id': 10, 'status': 'RUNNING', 'cluster': {'id': 7}},
                                {'id': 9, 'status': 'RUNNING', 'cluster': {'id': 8}},
                                {'id': 4, 'status': 'RUNNING', 'cluster': {'id': 7}}], 1, 1))
    client = make_client(scripted_server.url)
    assert [t['id'] for t in client.tasks_of('hostId', 1001, status='RUNNING')] == [12, 10]
    assert [t['id'] for t in client.tasks_since('clusterId', 7, 5)] == [10]


@pytest.mark.parametrize('reply, refused', [
    ({'status': 500, 'body': {'successful': False, 'status': 500, 'traceId': 'abc',
                              'error': {'code': 10010, 'message': 'unexpected'}}}, True),
    ({'status': 502, 'body': '<html>Bad gateway</html>', 'headers': {'Content-Type': 'text/html'}}, False),
    ({'drop': True}, False),
])
def test_only_ocps_own_error_envelope_proves_the_request_ended(scripted_server, reply, refused):
    # Through the real transport: what it keeps of each answer is what the refusal is judged on.
    scripted_server.reply(reply)
    client = make_client(scripted_server.url)
    with pytest.raises(AmbiguousRequestError) as caught:
        client.cluster_action(42, 'stop')
    error = refusal(caught.value)
    assert (error is not None) == refused
    if refused:
        assert isinstance(error, ApiError) and error.http_status == 500 and error.request_id == 'abc'
        assert error.code == 10010 and caught.value.http_status == 500
