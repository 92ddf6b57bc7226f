# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Option validation, endpoints, project id resolution and the IAM token life cycle (bms.md s2, s3.1, s3.2)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import threading

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import AuthError, OptionError, QuiesceError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._huaweicloud_aksk import AkSkAuth
from ansible_collections.quiesce.lifecycle.plugins.module_utils._huaweicloud_auth import (
    HuaweiCloudConnection,
    validate_auth_options,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._huaweicloud_token import TokenAuth, parse_iso_time
from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import RetryPolicy

CONNECTION = dict(validate_certs=True, ca_path=None, timeout=5.0)
PROJECT = '0123456789abcdef0123456789abcdef'


def params(**overrides):
    base = dict(region='cn-north-4', project_id=None, auth_method='auto', username=None, password=None,
                domain_name=None, access_key=None, secret_key=None, iam_endpoint=None, bms_endpoint=None,
                allow_insecure_http=True)
    base.update(overrides)
    return base


TOKEN_CREDS = dict(username='ops-bot', password='pw', domain_name='acme')
AKSK_CREDS = dict(access_key='AK', secret_key='SK')


@pytest.mark.parametrize('overrides, option', [
    (dict(auth_method='token', username='u', password='p'), 'domain_name'),
    (dict(auth_method='token', password='p', domain_name='d'), 'username'),
    (dict(), 'username'),
    (dict(auth_method='aksk', access_key='AK'), 'secret_key'),
    (dict(access_key='AK'), 'secret_key'),
    (dict(AKSK_CREDS, region=None), 'region'),
    (dict(AKSK_CREDS, bms_endpoint='bms.example'), 'bms_endpoint'),
    (dict(AKSK_CREDS, access_key='AK\nX-Injected: 1'), 'access_key'),  # it goes in clear into a header
    (dict(AKSK_CREDS, access_key='AK, Signature=x'), 'access_key'),
])
def test_missing_or_unusable_options_fail_before_any_request(overrides, option):
    with pytest.raises(OptionError) as caught:
        validate_auth_options(params(**overrides))
    assert caught.value.option == option
    assert option in str(caught.value)


def test_auto_prefers_aksk_when_an_access_key_is_set():
    assert validate_auth_options(params(**dict(AKSK_CREDS, **TOKEN_CREDS))) == 'aksk'
    assert validate_auth_options(params(**TOKEN_CREDS)) == 'token'
    assert validate_auth_options(params(region=None, project_id=PROJECT, bms_endpoint='https://b',
                                        iam_endpoint='https://i', **AKSK_CREDS)) == 'aksk'


def test_endpoints_are_derived_from_the_region():
    connection = HuaweiCloudConnection(params(region='ap-southeast-1', **AKSK_CREDS), CONNECTION)
    assert connection.bms_endpoint == 'https://bms.ap-southeast-1.myhuaweicloud.com'
    assert connection.iam_endpoint == 'https://iam.ap-southeast-1.myhuaweicloud.com'
    assert isinstance(connection.auth, AkSkAuth)


def token_reply(token='tok-1', project_id=PROJECT, issued='2026-01-01T00:00:00.000000Z',
                expires='2026-01-02T00:00:00.000000Z'):
    body = {'token': {'issued_at': issued, 'expires_at': expires, 'methods': ['password'],
                      'project': {'id': project_id, 'name': 'cn-north-4'}}}
    return {'status': 201, 'headers': {'X-Subject-Token': token}, 'body': body}


def connection_for(server, **overrides):
    return HuaweiCloudConnection(params(iam_endpoint=server.url, bms_endpoint=server.url, **overrides), CONNECTION,
                                 retry=RetryPolicy(max_attempts=3, base_delay=0.0, jitter=0.0), sleep=lambda s: None)


def test_token_scoped_by_region_name_and_project_id_taken_from_the_token(scripted_server):
    scripted_server.reply(token_reply())
    connection = connection_for(scripted_server, **TOKEN_CREDS)
    assert connection.project_id == PROJECT
    assert len(scripted_server.requests) == 1
    sent = scripted_server.requests[0]
    assert sent['path'] == '/v3/auth/tokens?nocatalog=true'
    body = json.loads(sent['body'])
    assert body['auth']['scope'] == {'project': {'name': 'cn-north-4'}}
    assert body['auth']['identity']['password']['user'] == {'name': 'ops-bot', 'password': 'pw',
                                                            'domain': {'name': 'acme'}}
    assert 'X-Auth-Token' not in sent['headers']


def test_token_scoped_by_project_id_when_given(scripted_server):
    scripted_server.reply(token_reply(), {'status': 200, 'body': {'count': 0, 'servers': []}})
    connection = connection_for(scripted_server, project_id='feedface', **TOKEN_CREDS)
    connection.bms_http().request('GET', '/v1/feedface/baremetalservers/detail')
    assert json.loads(scripted_server.requests[0]['body'])['auth']['scope'] == {'project': {'id': 'feedface'}}
    assert scripted_server.requests[1]['headers']['X-Auth-Token'] == 'tok-1'


def test_wrong_password_is_an_auth_error_with_the_iam_code(scripted_server):
    scripted_server.reply({'status': 401, 'body': {'error': {'code': 401, 'message': 'The username or password is '
                                                             'wrong.', 'title': 'Unauthorized'}}})
    connection = connection_for(scripted_server, **TOKEN_CREDS)
    with pytest.raises(AuthError) as caught:
        connection.project_id
    assert caught.value.http_status == 401
    assert 'username or password is wrong' in str(caught.value)
    assert 'HUAWEICLOUD_PASSWORD' in str(caught.value)


@pytest.mark.parametrize('code', ['APIGW.0307', 'APIGW.0301', 'APIG.0307'])
def test_expired_token_is_renewed_once_and_the_request_resent(scripted_server, code):
    refused = {'status': 401, 'body': {'error_code': code, 'error_msg': 'The token must be updated.'}}
    scripted_server.reply(token_reply('tok-1'), refused, token_reply('tok-2'), {'status': 200, 'body': {'ok': 1}})
    connection = connection_for(scripted_server, project_id=PROJECT, **TOKEN_CREDS)
    assert connection.bms_http().request('GET', '/v1/x').json == {'ok': 1}
    sent = [(r['method'], r['path'].split('?')[0], r['headers'].get('X-Auth-Token')) for r in scripted_server.requests]
    assert sent == [('POST', '/v3/auth/tokens', None), ('GET', '/v1/x', 'tok-1'),
                    ('POST', '/v3/auth/tokens', None), ('GET', '/v1/x', 'tok-2')]
    assert connection.auth.tokens_issued == 2


def test_a_token_refused_twice_fails_instead_of_looping(scripted_server):
    refused = {'status': 401, 'body': {'error_code': 'APIGW.0301', 'error_msg': 'decrypt token fail'}}
    scripted_server.reply(token_reply('tok-1'), refused, token_reply('tok-2'), refused)
    connection = connection_for(scripted_server, project_id=PROJECT, **TOKEN_CREDS)
    with pytest.raises(AuthError) as caught:
        connection.bms_http().request('GET', '/v1/x')
    assert caught.value.code == 'APIGW.0301'
    assert len(scripted_server.requests) == 4


class FakeIam:
    """Issues tok-1, tok-2, ... with the given token body; counts what it issued."""

    api = 'IAM'

    def __init__(self, token_body=None):
        self.issued = 0
        self.token_body = token_body or {}

    def request(self, *args, **kwargs):
        self.issued += 1
        return type('Reply', (), {'headers': {'X-Subject-Token': 'tok-{0}'.format(self.issued)}, 'status': 201,
                                  'json': {'token': dict(self.token_body)}})()


def test_threads_refused_with_the_same_stale_token_renew_it_once():
    iam = FakeIam()
    auth = TokenAuth(iam, 'u', 'p', 'd', project_id=PROJECT)
    barrier = threading.Barrier(4)

    def worker():
        request = type('Req', (), {'headers': {}})()
        auth(request)  # every thread sends tok-1 ...
        barrier.wait()
        auth.refresh()  # ... and is refused with it

    threads = [threading.Thread(target=worker) for unused in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert iam.issued == 2 and auth.token() == 'tok-2'


def test_token_is_renewed_ahead_of_expiry_on_the_local_clock():
    now = [1000.0]
    iam = FakeIam({'issued_at': '2000-01-01T00:00:00.000000Z', 'expires_at': '2000-01-02T00:00:00.000000Z'})
    auth = TokenAuth(iam, 'u', 'p', 'd', project_id=PROJECT, clock=lambda: now[0])
    assert auth.token() == 'tok-1'
    now[0] += 24 * 3600 - 3601  # the server's clock (year 2000) does not matter, only the lifetime
    assert auth.token() == 'tok-1'
    now[0] += 2
    assert auth.token() == 'tok-2'


def test_parse_iso_time():
    assert parse_iso_time('1970-01-01T00:00:01.500000Z') == 1.5
    assert parse_iso_time('1970-01-01T00:00:02Z') == 2.0
    assert parse_iso_time('yesterday') is None and parse_iso_time(None) is None


def test_aksk_project_lookup_needs_exactly_one_match(scripted_server):
    scripted_server.reply({'status': 200, 'body': {'projects': [{'id': PROJECT, 'name': 'cn-north-4'}]}})
    connection = connection_for(scripted_server, **AKSK_CREDS)
    assert connection.project_id == PROJECT
    sent = scripted_server.requests[0]
    assert sent['path'] == '/v3/projects?name=cn-north-4'
    assert sent['headers']['Authorization'].startswith('SDK-HMAC-SHA256 Access=AK, ')
    assert 'X-Project-Id' not in sent['headers']
    assert connection.auth.project_id == PROJECT


@pytest.mark.parametrize('projects', [[], [{'id': 'a', 'name': 'cn-north-4'}, {'id': 'b', 'name': 'cn-north-4'}]])
def test_aksk_project_lookup_refuses_zero_or_several(scripted_server, projects):
    scripted_server.reply({'status': 200, 'body': {'projects': projects}})
    connection = connection_for(scripted_server, **AKSK_CREDS)
    with pytest.raises(QuiesceError) as caught:
        connection.project_id
    assert 'project_id' in str(caught.value)


def test_wrong_secret_names_the_gateway_code_and_what_to_check(scripted_server):
    scripted_server.reply({'status': 401, 'headers': {'X-Request-Id': 'req-1'}, 'body': {
        'error_code': 'APIGW.0301', 'error_msg': 'Incorrect IAM authentication information: verify aksk signature fail',
        'request_id': 'req-1'}})
    connection = connection_for(scripted_server, **AKSK_CREDS)
    with pytest.raises(AuthError) as caught:
        connection.project_id
    text = str(caught.value)
    assert 'APIGW.0301' in text and 'verify aksk signature fail' in text and 'secret_key' in text
    assert 'req-1' in text
    assert len(scripted_server.requests) == 1  # a refused signature is not retried
