# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud IAM password token (bms.md s3.1): ``X-Subject-Token`` in, ``X-Auth-Token`` out.

One token per module run, shared by every worker thread, obtained lazily and
renewed once when the gateway says it is stale (APIGW.0307/0301). When several
threads are refused with the same stale token at once, only the first renews it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import threading
import time

from ansible_collections.quiesce.lifecycle.plugins.module_utils._envelopes import huawei_error_fields
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import AuthError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import AuthBase

# 401 codes meaning "this token is no longer good" (bms.md s6.3): renew once, then fail.
TOKEN_REFUSED_CODES = ('0301', '0307')


def parse_iso_time(value):
    """Seconds since the epoch for IAM's ``2020-01-04T09:05:22.701000Z``; None when unreadable."""
    if not value:
        return None
    text = str(value).replace('Z', '+00:00')
    for fmt in ('%Y-%m-%dT%H:%M:%S.%f%z', '%Y-%m-%dT%H:%M:%S%z'):
        try:
            return datetime.datetime.strptime(text, fmt).timestamp()
        except ValueError:
            continue
    return None


def is_token_refusal(response):
    if response.status != 401:
        return False
    code = str(huawei_error_fields(response.json)[0] or '')
    return code.startswith('APIG') and code.rsplit('.', 1)[-1] in TOKEN_REFUSED_CODES


class TokenAuth(AuthBase):
    """Project-scoped IAM token; ``iam`` is an ``HttpClient`` on the IAM endpoint."""

    method = 'token'

    def __init__(self, iam, username, password, domain_name, project_id=None, project_name=None,
                 clock=time.monotonic):
        self.iam = iam
        self.username = username
        self.password = password
        self.domain_name = domain_name
        self.project_id = project_id
        self.project_name = project_name
        self.clock = clock
        self.tokens_issued = 0
        self.token_project_id = None
        self._token = None
        self._renew_at = None
        self._lock = threading.Lock()
        self._sent = threading.local()

    def _scope(self):
        if self.project_id:
            return {'project': {'id': self.project_id}}
        return {'project': {'name': self.project_name}}

    def _obtain(self):
        body = {'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': self.username, 'password': self.password, 'domain': {'name': self.domain_name}}}},
            'scope': self._scope()}}
        # Asking for a token twice is harmless (a new token does not revoke the old one).
        response = self.iam.request('POST', '/v3/auth/tokens', params={'nocatalog': 'true'}, json_body=body,
                                    idempotent=True, authenticate=False, expected=(200, 201))
        token = response.headers.get('X-Subject-Token')
        if not token:
            raise AuthError(self.iam.api, 'POST', '/v3/auth/tokens', response.status,
                            api_message='the answer carried no X-Subject-Token header')
        info = (response.json or {}).get('token') or {}
        self.token_project_id = ((info.get('project') or {}).get('id')) or self.token_project_id
        issued, expires = parse_iso_time(info.get('issued_at')), parse_iso_time(info.get('expires_at'))
        self._renew_at = None
        if issued is not None and expires is not None and expires > issued:
            # Renew ahead of expiry (bms.md s3.1: about an hour before, less for short-lived tokens),
            # measured on our own clock so that a skewed server clock cannot cause a renewal storm.
            lifetime = expires - issued
            self._renew_at = self.clock() + lifetime - min(3600.0, lifetime / 10.0)
        self._token = token
        self.tokens_issued += 1

    def token(self):
        with self._lock:
            if self._token is None or (self._renew_at is not None and self.clock() >= self._renew_at):
                self._obtain()
            return self._token

    def __call__(self, request):
        token = self.token()
        self._sent.token = token
        request.headers['X-Auth-Token'] = token
        return request

    def is_auth_failure(self, response):
        return is_token_refusal(response)

    def refresh(self):
        with self._lock:
            if self._token is not None and self._token != getattr(self._sent, 'token', None):
                return  # another thread has already renewed the token this request was refused with
            self._obtain()

    def describe_refusal(self):
        return ('the IAM token was refused: check username, password and domain_name '
                '(HUAWEICLOUD_USERNAME / HUAWEICLOUD_PASSWORD / HUAWEICLOUD_DOMAIN_NAME) and the project')
