# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SDK-HMAC-SHA256 signing.

Vectors: the documented one in shared/api/bms.md s3.3 (computed from the documented algorithm and confirmed
there with the vendor's signer), and the vendor SDK's own ``huaweicloudsdkcore.signer.signer.Signer`` as a
test-only oracle for more requests (skipped when the SDK is not installed).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import hashlib
from urllib.parse import parse_qsl

import pytest
import requests

from ansible_collections.quiesce.lifecycle.plugins.module_utils import _huaweicloud_aksk as aksk
from ansible_collections.quiesce.lifecycle.plugins.module_utils._envelopes import bms_error
from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import HttpClient

PROJECT = '0123456789abcdef0123456789abcdef'
DOC_BODY = b'{"os-stop":{"type":"HARD","servers":[{"id":"11111111-2222-3333-4444-555555555555"}]}}'
DOC_HEADERS = {'Content-Type': 'application/json', 'Host': 'bms.cn-north-4.myhuaweicloud.com',
               'X-Project-Id': PROJECT, 'X-Sdk-Date': '20250101T000000Z'}
DOC_PATH = '/v1/{0}/baremetalservers/action'.format(PROJECT)
DOC_CANONICAL = '\n'.join([
    'POST', DOC_PATH + '/', '',
    'content-type:application/json', 'host:bms.cn-north-4.myhuaweicloud.com', 'x-project-id:' + PROJECT,
    'x-sdk-date:20250101T000000Z', '',
    'content-type;host;x-project-id;x-sdk-date',
    '6db27824547fa0d94bec465558d621d4b76794b94a8e0c099bc416b00d01d6c4'])
DOC_AUTHORIZATION = ('SDK-HMAC-SHA256 Access=EXAMPLEAK, SignedHeaders=content-type;host;x-project-id;x-sdk-date, '
                     'Signature=4531be46bb1ba897faaa30a96ce111382624cce4c2da40f98d787eb1eed2a554')


def test_documented_vector_canonical_request_string_to_sign_and_header():
    canonical, names = aksk.canonical_request('POST', DOC_PATH, [], DOC_HEADERS, DOC_BODY)
    assert canonical == DOC_CANONICAL
    assert names == ['content-type', 'host', 'x-project-id', 'x-sdk-date']
    assert aksk.string_to_sign(canonical, '20250101T000000Z') == (
        'SDK-HMAC-SHA256\n20250101T000000Z\nd37137ec6f74c9722fd5ff4adc520ae4be39efeffdf86849f0491aa8ad9513c1')
    assert aksk.authorization('EXAMPLEAK', 'EXAMPLESECRETKEY0000', 'POST', DOC_PATH, [], DOC_HEADERS,
                              DOC_BODY) == DOC_AUTHORIZATION


def test_a_different_secret_gives_a_different_signature():
    other = aksk.authorization('EXAMPLEAK', 'EXAMPLESECRETKEY0001', 'POST', DOC_PATH, [], DOC_HEADERS, DOC_BODY)
    assert other != DOC_AUTHORIZATION


@pytest.mark.parametrize('path, expected', [
    ('/v1/p/jobs/j1', '/v1/p/jobs/j1/'),
    ('/v1/p/jobs/j1/', '/v1/p/jobs/j1/'),
    ('/', '/'),
    ('/a%20b/c~d/e+f', '/a%20b/c~d/e%2Bf/'),
])
def test_canonical_uri(path, expected):
    assert aksk.canonical_uri(path) == expected


def test_canonical_query_sorts_keys_and_repeated_values_and_encodes():
    pairs = [('offset', '2'), ('limit', '1000'), ('tags', 'rack=rack01'), ('a', 'y'), ('a', 'x'), ('n', 'x y~')]
    assert aksk.canonical_query(pairs) == 'a=x&a=y&limit=1000&n=x%20y~&offset=2&tags=rack%3Drack01'
    assert aksk.canonical_query([]) == ''


def test_payload_hash_empty_body_and_override():
    assert aksk.payload_hash({}, b'') == hashlib.sha256(b'').hexdigest()
    assert aksk.payload_hash({'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD'}, b'x') == 'UNSIGNED-PAYLOAD'


@pytest.mark.parametrize('url, host', [
    ('https://bms.cn-north-4.myhuaweicloud.com/v1/x', 'bms.cn-north-4.myhuaweicloud.com'),
    ('https://bms.example:443/v1', 'bms.example'),
    ('http://127.0.0.1:8080/v1', '127.0.0.1:8080'),
    ('http://127.0.0.1:80/v1', '127.0.0.1'),
])
def test_host_header_drops_the_default_port(url, host):
    assert aksk.host_header(url) == host


def fixed_clock():
    return datetime.datetime(2025, 1, 1, 0, 0, 0, tzinfo=datetime.timezone.utc)


def test_the_auth_object_signs_the_prepared_request_like_the_documented_vector():
    auth = aksk.AkSkAuth('EXAMPLEAK', 'EXAMPLESECRETKEY0000', project_id=PROJECT, clock=fixed_clock)
    prepared = requests.Request('POST', 'https://bms.cn-north-4.myhuaweicloud.com' + DOC_PATH, data=DOC_BODY,
                                headers={'Content-Type': 'application/json'}).prepare()
    # Only the documented headers, so that the result must equal the documented Authorization.
    del prepared.headers['Content-Length']
    signed = auth(prepared)
    assert signed.headers['X-Sdk-Date'] == '20250101T000000Z'
    assert signed.headers['X-Project-Id'] == PROJECT
    assert signed.headers['Host'] == 'bms.cn-north-4.myhuaweicloud.com'
    assert signed.headers['Authorization'] == DOC_AUTHORIZATION


# ---------------------------------------------------------------- vendor SDK oracle (test-only dependency)

ORACLE_CASES = [
    ('POST', '/v1/{0}/baremetalservers/action'.format(PROJECT), [],
     {'Content-Type': 'application/json'}, b'{"os-start":{"servers":[{"id":"a"},{"id":"b"}]}}'),
    ('GET', '/v1/{0}/baremetalservers/detail'.format(PROJECT),
     [('limit', '1000'), ('offset', '3'), ('tags', 'rack=rack01'), ('name', 'db node~1')], {}, b''),
    ('GET', '/v1/{0}/jobs/70a599e031e749b7b260868f441e862b'.format(PROJECT), [],
     {'User-Agent': 'quiesce.lifecycle', 'Accept': 'application/json'}, b''),
    ('GET', '/v3/projects', [('name', 'cn-north-4')], {'Accept-Encoding': 'gzip, deflate'}, b''),
    ('POST', '/v1/{0}/baremetalservers/action'.format(PROJECT), [],
     {'Content-Type': 'application/json;charset=utf8', 'X-Custom_Underscore': 'skipped'},
     b'{"reboot":{"type":"SOFT","servers":[{"id":"\xc3\xa9"}]}}'),
]


@pytest.mark.parametrize('method, path, query, extra_headers, body', ORACLE_CASES)
def test_same_authorization_as_the_vendor_sdk_signer(method, path, query, extra_headers, body):
    signer_module = pytest.importorskip('huaweicloudsdkcore.signer.signer')
    sdk_request_module = pytest.importorskip('huaweicloudsdkcore.sdk_request')
    credentials = type('Credentials', (), {'ak': 'QUIESCEDEMOAK0000001', 'sk': 'QuiesceDemoSecretKey0001'})()
    host = 'bms.cn-north-4.myhuaweicloud.com'
    headers = dict(extra_headers, **{'X-Sdk-Date': '20260101T101010Z', 'X-Project-Id': PROJECT})
    sdk_request = sdk_request_module.SdkRequest(
        method=method, schema='https', host=host, resource_path=path, query_params=list(query),
        header_params=dict(headers), body=body)
    expected = signer_module.Signer(credentials).sign(sdk_request).header_params['Authorization']

    ours = dict(headers, Host=host)
    assert aksk.authorization(credentials.ak, credentials.sk, method, path, query, ours, body) == expected


def test_what_arrives_on_the_wire_verifies(scripted_server):
    """Rebuild the signature from the received request, as the gateway does: every signed header as sent."""
    scripted_server.reply({'status': 200, 'body': {'job_id': 'j'}})
    client = HttpClient(scripted_server.url, 'BMS', bms_error, auth=aksk.AkSkAuth('AK', 'SK', project_id=PROJECT))
    client.request('POST', '/v1/{0}/baremetalservers/action'.format(PROJECT), params={'x': 'a b'},
                   json_body={'os-start': {'servers': [{'id': 'a'}]}})
    sent = scripted_server.requests[0]
    authorization = sent['headers']['Authorization']
    signed = authorization.split('SignedHeaders=')[1].split(',')[0].split(';')
    assert {'host', 'x-sdk-date', 'x-project-id', 'content-type', 'content-length', 'user-agent'} <= set(signed)
    received = dict((name, value) for name, value in sent['headers'].items() if name.lower() in signed)
    path, unused_sep, query = sent['path'].partition('?')
    assert aksk.authorization('AK', 'SK', 'POST', path, parse_qsl(query), received, sent['body']) == authorization
