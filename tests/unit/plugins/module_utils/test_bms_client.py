# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The BMS client over real HTTP: paging (bms.md s4.7), reads, actions, jobs, throttling."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_client import (
    BmsClient,
    read_jobs,
    run_concurrently,
    select_servers,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import AmbiguousRequestError, ApiError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._huaweicloud_auth import (
    HuaweiCloudConnection,
    is_retry_later,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import RetryPolicy

PROJECT = 'p0'


def make_client(server, sleeps, concurrency=1):
    params = dict(region='cn-north-4', project_id=PROJECT, auth_method='aksk', access_key='AK', secret_key='SK',
                  username=None, password=None, domain_name=None, iam_endpoint=server.url, bms_endpoint=server.url,
                  allow_insecure_http=True)
    connection = HuaweiCloudConnection(params, dict(validate_certs=True, ca_path=None, timeout=5.0),
                                       retry=RetryPolicy(max_attempts=4, base_delay=1.0, jitter=0.0, refused=is_retry_later),
                                       sleep=sleeps.append)
    return BmsClient(connection, concurrency=concurrency)


def servers(start, count, status='ACTIVE'):
    return [{'id': 'id-{0}'.format(n), 'name': 'node-{0}'.format(n), 'status': status}
            for n in range(start, start + count)]


def page(start, count, total):
    return {'status': 200, 'body': {'count': total, 'servers': servers(start, count)}}


def query_of(request):
    return dict((k, v[0]) for k, v in parse_qs(urlsplit(request['path']).query).items())


def test_paging_reads_count_servers_with_page_numbers_from_one(scripted_server):
    scripted_server.reply(page(0, 1000, 2500), page(1000, 1000, 2500), page(2000, 500, 2500))
    client = make_client(scripted_server, [])
    found = client.list_servers()
    assert len(found) == 2500 and len(set(s['id'] for s in found)) == 2500
    queries = [query_of(r) for r in scripted_server.requests]
    assert [(q['limit'], q['offset']) for q in queries] == [('1000', '1'), ('1000', '2'), ('1000', '3')]
    assert all(r['path'].startswith('/v1/p0/baremetalservers/detail?') for r in scripted_server.requests)


def test_paging_works_when_count_is_only_the_page_size(scripted_server):
    # The other reading of "count" (bms.md s4.7): pages go on until a short or empty page.
    scripted_server.reply(page(0, 1000, 1000), page(1000, 1000, 1000), page(2000, 3, 3))
    client = make_client(scripted_server, [])
    assert len(client.list_servers()) == 2003
    assert len(scripted_server.requests) == 3


def test_an_exact_multiple_asks_one_more_page_and_stops_at_an_empty_one(scripted_server):
    scripted_server.reply(page(0, 1000, 1000), {'status': 200, 'body': {'count': 1000, 'servers': []}})
    assert len(make_client(scripted_server, []).list_servers()) == 1000
    assert len(scripted_server.requests) == 2


def test_filters_are_sent_and_names_checked_again(scripted_server):
    listed = servers(0, 2) + [{'id': 'x', 'name': 'node-0-old', 'status': 'ACTIVE'}]
    scripted_server.reply({'status': 200, 'body': {'count': 3, 'servers': listed}})
    client = make_client(scripted_server, [])
    ids, known = select_servers(client, dict(server_ids=None, name='node-0', name_match='exact', tags=['a', 'b'],
                                             status=None, flavor=None, reservation_id=None,
                                             enterprise_project_id=None))
    assert ids == ['id-0'] and set(known) == {'id-0'}
    assert query_of(scripted_server.requests[0]) == {'name': 'node-0', 'tags': 'a,b', 'limit': '1000', 'offset': '1'}


def test_server_ids_are_taken_as_given_without_a_request(scripted_server):
    client = make_client(scripted_server, [])
    assert select_servers(client, dict(server_ids=['b', 'a', 'b'])) == (['b', 'a'], None)
    assert scripted_server.requests == []


def test_a_few_servers_are_read_one_by_one_and_missing_ones_are_none(scripted_server):
    scripted_server.reply({'status': 200, 'body': {'server': servers(0, 1)[0]}},
                          {'status': 404, 'body': {'error': {'code': 'BMS.0040', 'message': 'gone'}}})
    client = make_client(scripted_server, [])
    found = client.read_servers(['id-0', 'id-9'])
    assert found['id-0']['name'] == 'node-0' and found['id-9'] is None


def test_many_servers_are_read_from_the_pages_of_their_selection_only(scripted_server):
    scripted_server.reply({'status': 200, 'body': {'count': 30, 'servers': servers(0, 30)}})
    client = make_client(scripted_server, [])
    found = client.read_servers(['id-{0}'.format(n) for n in range(30)], {'name': 'node-', 'status': 'ACTIVE'})
    assert len(found) == 30 and all(found.values())
    # One page, of the name filter only: the status a power action changes is never a filter of a re-read.
    assert [query_of(r) for r in scripted_server.requests] == [{'name': 'node-', 'limit': '1000', 'offset': '1'}]


def test_servers_that_left_their_selection_send_the_read_to_the_whole_project(scripted_server):
    scripted_server.reply({'status': 200, 'body': {'count': 0, 'servers': []}}, page(0, 30, 30))
    client = make_client(scripted_server, [])
    found = client.read_servers(['id-{0}'.format(n) for n in range(30)], {'tags': ['rack=r1']})
    assert len(found) == 30 and all(found.values())
    assert [query_of(r).get('tags') for r in scripted_server.requests] == ['rack=r1', None]


def test_action_body_and_job_id(scripted_server):
    scripted_server.reply({'status': 200, 'body': {'job_id': 'job-1'}})
    client = make_client(scripted_server, [])
    assert client.submit('os-stop', ['a', 'b'], 'HARD') == 'job-1'
    sent = scripted_server.requests[0]
    assert sent['path'] == '/v1/p0/baremetalservers/action'
    assert json.loads(sent['body']) == {'os-stop': {'type': 'HARD', 'servers': [{'id': 'a'}, {'id': 'b'}]}}
    assert sent['headers']['X-Project-Id'] == PROJECT


@pytest.mark.parametrize('count', [0, 1001])
def test_an_action_never_carries_more_than_1000_servers(scripted_server, count):
    with pytest.raises(ValueError):
        make_client(scripted_server, []).submit('os-stop', ['x'] * count, 'HARD')
    assert scripted_server.requests == []


def test_throttled_action_honours_retry_after(scripted_server):
    throttled = {'status': 429, 'headers': {'Retry-After': '3'},
                 'body': {'error_code': 'APIGW.0308', 'error_msg': 'over ratelimit', 'request_id': 'r'}}
    scripted_server.reply(throttled, {'status': 200, 'body': {'job_id': 'job-1'}})
    sleeps = []
    assert make_client(scripted_server, sleeps).submit('os-start', ['a'], 'HARD') == 'job-1'
    assert sleeps == [3.0]


def test_overloaded_rejection_is_sent_again_after_a_pause(scripted_server):
    overloaded = {'status': 400, 'body': {'error': {'code': 'BMS.0212', 'message': 'System overloaded'}}}
    scripted_server.reply(overloaded, {'status': 200, 'body': {'job_id': 'job-1'}})
    sleeps = []
    assert make_client(scripted_server, sleeps).submit('os-start', ['a'], 'HARD') == 'job-1'
    # The transport's retry policy (base delay 1 s here) waits it out, not a fixed sleep of the client.
    assert len(scripted_server.requests) == 2 and sleeps == [1.0]


def test_wrong_state_rejection_surfaces_with_its_code(scripted_server):
    scripted_server.reply({'status': 400, 'body': {'error': {'code': 'BMS.0039', 'message': 'stopped'}}})
    with pytest.raises(ApiError) as caught:
        make_client(scripted_server, []).submit('os-stop', ['a'], 'HARD')
    assert caught.value.code == 'BMS.0039' and len(scripted_server.requests) == 1


def test_dropped_action_is_ambiguous_and_not_resent(scripted_server):
    scripted_server.reply({'drop': True})
    with pytest.raises(AmbiguousRequestError):
        make_client(scripted_server, []).submit('os-stop', ['a'], 'HARD')
    assert len(scripted_server.requests) == 1


def test_read_jobs_reports_unknown_ids(scripted_server):
    job = {'status': 'FAIL', 'job_id': 'j1', 'entities': {'sub_jobs': [
        {'status': 'FAIL', 'entities': {'server_id': 'a'}, 'error_code': 'BMS.0006', 'fail_reason': 'boom'},
        {'status': 'SUCCESS', 'entities': [{'server_id': 'b'}]}]}}
    scripted_server.reply({'status': 200, 'body': job},
                          {'status': 404, 'body': {'error': {'code': 'BMS.JOB_NOT_FOUND', 'message': 'x'}}})
    jobs = read_jobs(make_client(scripted_server, []), ['j1', 'nope'])
    assert jobs[0]['failed_server_ids'] == ['a'] and jobs[0]['terminal'] and jobs[0]['found']
    assert [s['server_id'] for s in jobs[0]['sub_jobs']] == ['a', 'b']
    assert jobs[1] == dict(jobs[1], job_id='nope', found=False, terminal=False)


def test_run_concurrently_keeps_order_and_returns_errors():
    def work(n):
        if n == 3:
            raise RuntimeError('three')
        return n * 2
    outcomes = run_concurrently(work, range(6), 4)
    assert [(i, r) for i, r, e in outcomes if e is None] == [(0, 0), (1, 2), (2, 4), (4, 8), (5, 10)]
    assert str(outcomes[3][2]) == 'three'
