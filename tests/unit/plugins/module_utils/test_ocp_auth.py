# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import email.utils

import pytest
import requests

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import OptionError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_auth import (
    OcpAccessKeyAuth,
    build_auth,
    canonical_query,
    choose_auth_method,
    signature,
    string_to_sign,
)

# The two worked examples of the OCP AK/SK page (ocp.md s3.2).
AK = 'cqammmxBpfGjFlto'
SK = '2fc0c299cc94c6be266f2ceece765d4d'


def test_documented_vector_get():
    message = string_to_sign('GET', None, 'application/json;charset=utf-8', 'Tue, 17 Jan 2023 04:14:02 GMT',
                             'ocp.alibaba.net:8080', {}, '/api/v2/compute/idcs', 'size=100')
    assert message == ('GET\n\napplication/json;charset=utf-8\nTue, 17 Jan 2023 04:14:02 GMT\n'
                       'ocp.alibaba.net:8080\n\n/api/v2/compute/idcs?size=100')
    assert signature(SK, message) == 'TsQD6HDOuZuJ409m0wdnZPmijlc='


def test_documented_vector_post_with_body_and_x_ocp_header():
    body = b'{"name":"test01","description":"test","regionId":1}'
    message = string_to_sign('POST', body, 'application/json', 'Tue, 17 Jan 2023 09:13:57 GMT',
                             'ocp.alibaba.net:8080', {'X-OCP-Data': 'A,1', 'Content-Type': 'application/json'},
                             '/api/v2/compute/idcs', '')
    assert message.split('\n')[1] == '186974DB33A090A16D3E2CA35F547B56'
    # Values of one x-ocp header keep the order sent (the vector signs "A,1").
    assert message.split('\n')[5] == 'x-ocp-data:A,1'
    assert signature(SK, message) == 'XN8P+O+v3vUabB16ZCooq5wMJoY='


def test_signer_on_a_prepared_request_reproduces_the_documented_vector():
    fixed = email.utils.parsedate_to_datetime('Tue, 17 Jan 2023 04:14:02 GMT').timestamp()
    request = requests.Request('GET', 'http://ocp.alibaba.net:8080/api/v2/compute/idcs', params={'size': 100},
                               headers={'Content-Type': 'application/json;charset=utf-8'}).prepare()
    OcpAccessKeyAuth(AK, SK, now=lambda: fixed)(request)
    assert request.headers['Date'] == 'Tue, 17 Jan 2023 04:14:02 GMT'
    assert request.headers['Host'] == 'ocp.alibaba.net:8080'
    assert request.headers['Authorization'] == 'OCP-ACCESS-KEY-HMACSHA1 {0}:TsQD6HDOuZuJ409m0wdnZPmijlc='.format(AK)


def test_signer_on_a_post_reproduces_the_second_vector():
    fixed = email.utils.parsedate_to_datetime('Tue, 17 Jan 2023 09:13:57 GMT').timestamp()
    request = requests.Request('POST', 'http://ocp.alibaba.net:8080/api/v2/compute/idcs',
                               data=b'{"name":"test01","description":"test","regionId":1}',
                               headers={'Content-Type': 'application/json', 'x-ocp-data': 'A,1'}).prepare()
    OcpAccessKeyAuth(AK, SK, now=lambda: fixed)(request)
    assert request.headers['Authorization'].endswith(':XN8P+O+v3vUabB16ZCooq5wMJoY=')


@pytest.mark.parametrize('query, expected', [
    ('', ''),
    ('size=100', 'size=100'),
    ('b=2&a=1', 'a=1&b=2'),
    # Repeated keys: sorted values joined with "," and the joined string encoded (Java sample).
    ('a=2&a=1', 'a=1%2C2'),
    ('name=ob%20one&status=RUNNING', 'name=ob%20one&status=RUNNING'),
    ('q=a%2Bb~c*', 'q=a%2Bb~c%2A'),
    ('empty=', 'empty='),
])
def test_canonical_query(query, expected):
    assert canonical_query(query) == expected


def test_auto_chooses_aksk_only_when_an_access_key_is_set():
    assert choose_auth_method({'auth_method': 'auto', 'access_key': 'AK'}) == 'aksk'
    assert choose_auth_method({'auth_method': 'auto', 'access_key': None}) == 'basic'
    assert choose_auth_method({'auth_method': 'basic', 'access_key': 'AK'}) == 'basic'


@pytest.mark.parametrize('access_key', ['AK\n', 'AK\r\nX-Injected: 1', 'A K', 'AK:x'])
def test_an_access_key_that_would_break_the_header_names_the_option(access_key):
    """It goes in clear into the Authorization header: a line break there was a traceback from http.client."""
    with pytest.raises(OptionError) as caught:
        build_auth({'auth_method': 'aksk', 'access_key': access_key, 'secret_key': 'SK'})
    assert caught.value.option == 'access_key'


def test_basic_auth_header():
    auth = build_auth({'auth_method': 'basic', 'username': 'foo', 'password': 'bar'})
    request = auth(requests.Request('GET', 'http://127.0.0.1/api/v2/ob/clusters').prepare())
    assert request.headers['Authorization'] == 'Basic ' + base64.b64encode(b'foo:bar').decode()


@pytest.mark.parametrize('params, option', [
    ({'auth_method': 'aksk', 'access_key': 'AK', 'secret_key': None}, 'secret_key'),
    ({'auth_method': 'aksk', 'access_key': None, 'secret_key': 'SK'}, 'access_key'),
    ({'auth_method': 'auto', 'username': 'admin', 'password': None}, 'password'),
    ({'auth_method': 'basic', 'username': None, 'password': 'x', 'access_key': 'AK'}, 'username'),
])
def test_missing_credentials_name_the_option(params, option):
    with pytest.raises(OptionError) as caught:
        build_auth(params)
    assert caught.value.option == option
    assert 'environment variable' in str(caught.value)
