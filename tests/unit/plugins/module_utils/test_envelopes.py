# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Error mapping for each API family, from the bodies documented in shared/api/."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils import _envelopes as env
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import ApiError, AuthError, NotFoundError


class FakeRaw:
    def __init__(self, status, body=None, headers=None, text=None):
        self.status_code = status
        self.headers = dict(headers or {})
        if body is not None:
            self.content = json.dumps(body).encode()
            self.headers.setdefault('Content-Type', 'application/json')
        else:
            self.content = (text or '').encode()
        self.text = self.content.decode()


def response(status, body=None, headers=None, text=None, method='POST', path='/p', request_id=None):
    from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import Response
    return Response(FakeRaw(status, body, headers, text), method, path, request_id)


def test_mrs_envelope_409():
    err = env.mrs_error(response(409, {'id': -1, 'state': 'FAILED', 'error_code': 409,
                                       'error_description': 'another operation is in progress', 'total_progress': 0}))
    assert isinstance(err, ApiError) and not isinstance(err, (AuthError, NotFoundError))
    assert (err.http_status, err.code, err.api_message) == (409, 409, 'another operation is in progress')
    assert err.api == 'MRS Manager'


def test_mrs_unknown_service_is_not_found():
    err = env.mrs_error(response(404, {'id': -1, 'state': 'FAILED', 'error_code': 404,
                                       'error_description': 'service Hbase not found'}, method='GET'))
    assert isinstance(err, NotFoundError) and 'service Hbase not found' in str(err)


def test_mrs_redirect_to_cas_login_is_an_auth_error():
    err = env.mrs_error(response(302, headers={'Location': 'https://h:20009/cas/login?service=x'}, text=''))
    assert isinstance(err, AuthError) and 'CAS login' in str(err)


def test_mrs_cas_login_page_instead_of_json_is_an_auth_error():
    page = '<html><form><input type="hidden" name="lt" value="LT-1-abc"/></form></html>'
    assert env.mrs_login_redirect(response(200, text=page, headers={'Content-Type': 'text/html'}))
    assert not env.mrs_login_redirect(response(200, {'state': 'COMPLETE'}))


def test_mrs_strict_401_envelope():
    err = env.mrs_error(response(401, {'id': -1, 'state': 'FAILED', 'error_code': 401,
                                       'error_description': 'session invalid or expired', 'total_progress': 0}))
    assert isinstance(err, AuthError) and err.code == 401


def test_ocp_401_403_and_business_errors():
    unauth = env.ocp_error(response(401, {'successful': False, 'status': 401, 'traceId': 'abc',
                                          'error': {'code': 0, 'message': 'not logged in'}}))
    assert isinstance(unauth, AuthError) and unauth.code == 0 and unauth.request_id == 'abc'
    forbidden = env.ocp_error(response(403, {'successful': False, 'status': 403, 'traceId': 'def',
                                             'error': {'code': 30014, 'message': 'not authorized'}}))
    assert isinstance(forbidden, AuthError) and forbidden.code == 30014
    busy = env.ocp_error(response(400, {'successful': False, 'status': 400, 'traceId': '0f',
                                        'error': {'code': 50002, 'message': 'operation not allowed on cluster ob1'}}))
    assert not isinstance(busy, (AuthError, NotFoundError)) and busy.code == 50002 and 'ob1' in str(busy)


def test_ocp_non_json_error_keeps_an_excerpt():
    err = env.ocp_error(response(502, text='<html>Bad Gateway</html>', headers={'Content-Type': 'text/html'}))
    assert err.http_status == 502 and 'Bad Gateway' in str(err)


def test_bms_action_error_shape():
    err = env.bms_error(response(400, {'error': {'code': 'BMS.0039', 'message': 'Server is stopped, not allow to stop.'}},
                                 request_id='9f' * 16))
    assert (err.code, err.api_message, err.request_id) == ('BMS.0039', 'Server is stopped, not allow to stop.', '9f' * 16)


def test_bms_gateway_shape_with_request_id_in_body():
    err = env.bms_error(response(401, {'error_code': 'APIGW.0301', 'error_msg': 'verify aksk signature fail',
                                       'request_id': 'r1'}))
    assert isinstance(err, AuthError) and err.code == 'APIGW.0301' and err.request_id == 'r1'


@pytest.mark.parametrize('code', ['APIGW.0307', 'APIG.0301', 'APIGW.0302'])
def test_gateway_auth_codes_with_either_prefix(code):
    assert isinstance(env.bms_error(response(400, {'error_code': code, 'error_msg': 'x'})), AuthError)


def test_gateway_throttling_is_not_auth():
    err = env.bms_error(response(429, {'error_code': 'APIGW.0308', 'error_msg': 'over ratelimit'}))
    assert not isinstance(err, AuthError) and err.code == 'APIGW.0308'


def test_bms_unknown_server_is_not_found_whatever_the_status():
    err = env.bms_error(response(400, {'error': {'code': 'BMS.0040', 'message': 'The server does not exist.'}}))
    assert isinstance(err, NotFoundError)


def test_iam_error_with_integer_code():
    err = env.iam_error(response(401, {'error': {'code': 401, 'message': 'The username or password is wrong.',
                                                 'title': 'Unauthorized'}}))
    assert isinstance(err, AuthError) and err.code == 401 and err.api == 'Huawei Cloud IAM'
    assert 'The username or password is wrong.' in str(err)


def test_generic_code_message_pair():
    assert env.huawei_error_fields({'code': 'AS.0001', 'message': 'x'}) == ('AS.0001', 'x', None)
    assert env.huawei_error_fields({'error_code': 'AS.0001', 'error_msg': 'y'}) == ('AS.0001', 'y', None)
    assert env.huawei_error_fields({'nothing': 1}) == (None, None, None)
