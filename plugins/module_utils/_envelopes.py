# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Error mapping from each API family's error envelope to the typed errors.

References: shared/api/mrs-manager.md s4/s7, ocp.md s3.3/s6, bms.md s3.1/s6.
Each mapper takes a transport ``Response`` that was not accepted and returns
(never raises) the matching ``ApiError`` subclass.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import ApiError, AuthError, NotFoundError

MRS_API = 'MRS Manager'
OCP_API = 'OCP'
BMS_API = 'Huawei Cloud BMS'
IAM_API = 'Huawei Cloud IAM'

# Gateway codes meaning "credentials wrong, expired or not allowed" (bms.md s6.3);
# the vendor spells the prefix both APIGW. and APIG.
HUAWEI_AUTH_CODES = frozenset(['0301', '0302', '0306', '0307'])


def _error_class(status, default=ApiError):
    if status in (401, 403):
        return AuthError
    if status == 404:
        return NotFoundError
    return default


def _excerpt(text, limit=200):
    text = ' '.join((text or '').split())
    return text[:limit] + ('...' if len(text) > limit else '')


def mrs_login_redirect(response):
    """True when MRS Manager answered with its CAS login instead of data (no or expired session).

    The documents leave open how an expired session shows (mrs-manager.md s3.5,
    G5): a 302 to ``/cas/login``, the CAS login page itself, or a JSON 401/403.
    """
    if response.status in (301, 302, 303, 307, 308):
        return '/cas/login' in (response.headers.get('Location') or '')
    if response.ok and response.json is None:
        text = response.text or ''
        return 'name="lt"' in text or '/cas/login' in text
    return False


def mrs_error(response):
    """MRS Manager: ``{id, state, error_code, error_description, total_progress}`` (s4)."""
    body = response.json if isinstance(response.json, dict) else {}
    if mrs_login_redirect(response):
        return AuthError(MRS_API, response.method, response.path, response.status,
                         api_message='not authenticated: the Manager redirected to its CAS login page')
    code = body.get('error_code')
    message = body.get('error_description') or (None if body else _excerpt(response.text))
    cls = _error_class(response.status)
    return cls(MRS_API, response.method, response.path, response.status, code=code, api_message=message,
               request_id=response.request_id)


def ocp_error(response):
    """OCP: ``{successful: false, status, error: {code, message}, traceId}`` (s6.1)."""
    body = response.json if isinstance(response.json, dict) else {}
    error = body.get('error') if isinstance(body.get('error'), dict) else {}
    code = error.get('code')
    message = error.get('message') or (None if body else _excerpt(response.text))
    trace_id = body.get('traceId') or response.request_id
    cls = _error_class(response.status)
    return cls(OCP_API, response.method, response.path, response.status, code=code, api_message=message,
               request_id=trace_id or None)


def huawei_error_fields(body):
    """(code, message, request_id) the way the vendor SDK parses error bodies.

    Order (bms.md s6.1): top-level ``error_code``/``error_msg``; top-level
    ``code``/``message``; then the same pairs inside a nested object such as
    ``{"error": {...}}`` (BMS actions, and IAM with an integer code).
    """
    if not isinstance(body, dict):
        return None, None, None
    request_id = body.get('request_id')
    for code_key, message_key in (('error_code', 'error_msg'), ('code', 'message')):
        if body.get(code_key) not in (None, ''):
            return body.get(code_key), body.get(message_key), request_id
    for value in body.values():
        if isinstance(value, dict):
            code, message, nested_id = huawei_error_fields(value)
            if code is not None:
                return code, message, request_id or nested_id
    return None, None, request_id


def is_huawei_auth_code(code):
    text = str(code or '')
    return any(text.endswith('.' + suffix) and text.startswith('APIG') for suffix in HUAWEI_AUTH_CODES)


def _huawei_error(api, response):
    body = response.json
    code, message, body_request_id = huawei_error_fields(body)
    if code is None and message is None and body is None:
        message = _excerpt(response.text)
    request_id = response.request_id or body_request_id
    cls = _error_class(response.status)
    if is_huawei_auth_code(code):
        cls = AuthError
    elif str(code or '') == 'BMS.0040':
        cls = NotFoundError
    return cls(api, response.method, response.path, response.status, code=code, api_message=message,
               request_id=request_id)


def bms_error(response):
    return _huawei_error(BMS_API, response)


def iam_error(response):
    return _huawei_error(IAM_API, response)
