# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud connection settings: which auth scheme, which endpoints, which project.

Validates the ``quiesce.lifecycle.huaweicloud_auth`` options before any
request, picks the IAM token or the AK/SK signer, derives endpoints from the
region (bms.md s2) and resolves the project id (s3.2): given, taken from the
project-scoped token, or looked up with ``GET /v3/projects?name=<region>``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_state import RETRY_LATER_CODES
from ansible_collections.quiesce.lifecycle.plugins.module_utils._envelopes import (
    BMS_API,
    IAM_API,
    bms_error,
    huawei_error_fields,
    iam_error,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import AuthError, OptionError, QuiesceError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._huaweicloud_aksk import AkSkAuth
from ansible_collections.quiesce.lifecycle.plugins.module_utils._huaweicloud_token import TokenAuth
from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import (
    TOKEN_SHAPE,
    HttpClient,
    RetryPolicy,
    check_access_key,
    check_segment,
    check_url,
)


def is_retry_later(response):
    """The BMS refusals that did not take effect, so any request (an action too) may be sent again."""
    return response.status == 400 and huawei_error_fields(response.json)[0] in RETRY_LATER_CODES


def huaweicloud_retry_policy():
    """bms.md s6.5: back off from 2 s, capped at 60 s, at most 8 tries (Retry-After wins when sent);
    BMS.0212/BMS.1006 are waited out like a 429."""
    return RetryPolicy(max_attempts=8, base_delay=2.0, max_delay=60.0, refused=is_retry_later)


def default_endpoint(service, region):
    return 'https://{0}.{1}.myhuaweicloud.com'.format(service, region)


def _chosen_method(params):
    method = params.get('auth_method') or 'auto'
    if method == 'auto':
        return 'aksk' if params.get('access_key') else 'token'
    return method


def validate_auth_options(params):
    """Raise ``OptionError`` for settings that cannot work; return the auth method to use."""
    method = _chosen_method(params)
    needed = ('access_key', 'secret_key') if method == 'aksk' else ('username', 'password', 'domain_name')
    env = {'access_key': 'HUAWEICLOUD_SDK_AK', 'secret_key': 'HUAWEICLOUD_SDK_SK',
           'username': 'HUAWEICLOUD_USERNAME', 'password': 'HUAWEICLOUD_PASSWORD',
           'domain_name': 'HUAWEICLOUD_DOMAIN_NAME'}
    for option in needed:
        if not params.get(option):
            raise OptionError(option, 'is required for auth_method={0}'.format(method),
                              'Set it or the {0} environment variable.'.format(env[option]))
    if method == 'aksk':
        check_access_key(params['access_key'])
    if not params.get('region'):
        for option in ('project_id', 'bms_endpoint', 'iam_endpoint'):
            if not params.get(option):
                raise OptionError('region', 'is needed to derive {0}'.format(option),
                                  'Set region (or HUAWEICLOUD_REGION), or set {0} explicitly.'.format(option))
    for option in ('bms_endpoint', 'iam_endpoint'):
        if params.get(option):
            service = option.split('_', maxsplit=1)[0]
            check_url(option, params[option], https_only=True, allow_insecure_http=params.get('allow_insecure_http'),
                      service='Huawei Cloud {0}'.format(service.upper()),
                      example='https://{0}.cn-north-4.myhuaweicloud.com'.format(service))
    if params.get('project_id'):
        check_segment('project_id', params['project_id'], TOKEN_SHAPE, example='0123456789abcdef0123456789abcdef')
    if params.get('region'):
        check_segment('region', params['region'], TOKEN_SHAPE, example='cn-north-4')
    return method


MIDWAY_REFUSAL = ('the same credentials were accepted earlier in this run and refused twice in a row mid-way, '
                  'so the keys are not necessarily wrong: they may have been rotated or revoked meanwhile, or the '
                  'gateway failed; what was sent before may have been applied')


def with_refusal_hint(err, auth):
    """Add what to check to a 401 the gateway answered (the API's code and request id are kept).

    Credentials refused at the start are named; a refusal mid-way, after the
    same credentials worked, says so instead of blaming them.
    """
    if not isinstance(err, AuthError) or err.http_status != 401 or getattr(err, 'hinted', False):
        return err
    midway = getattr(err, 'refused_midway', False)
    hinted = AuthError(err.api, err.method, err.path, err.http_status, code=err.code, api_message=err.api_message,
                       request_id=err.request_id, summary=MIDWAY_REFUSAL if midway else auth.describe_refusal())
    hinted.hinted = True
    hinted.refused_midway = midway
    if midway:
        hinted.details['refused_midway'] = True
    return hinted


class HuaweiCloudConnection:
    """Auth, endpoints and project of one module run; hands out one BMS ``HttpClient`` per thread."""

    def __init__(self, params, connection_options, retry=None, sleep=time.sleep):
        self.method = validate_auth_options(params)
        region = params.get('region')
        self.region = region
        self.bms_endpoint = (params.get('bms_endpoint') or default_endpoint('bms', region)).strip().rstrip('/')
        self.iam_endpoint = (params.get('iam_endpoint') or default_endpoint('iam', region)).strip().rstrip('/')
        self.connection_options = dict(connection_options)
        self.connection_options['url_options'] = {'bms_endpoint': self.bms_endpoint, 'iam_endpoint': self.iam_endpoint}
        self.retry = retry or huaweicloud_retry_policy()
        self.sleep = sleep
        self._project_id = params.get('project_id')
        self._lock = threading.Lock()
        self._clients = []
        self.iam = self._http(self.iam_endpoint, IAM_API, iam_error, auth=None)
        if self.method == 'aksk':
            self.auth = AkSkAuth(params['access_key'], params['secret_key'], project_id=self._project_id)
        else:
            self.auth = TokenAuth(self.iam, params['username'], params['password'], params['domain_name'],
                                  project_id=self._project_id, project_name=region)
        self.iam.auth = self.auth

    def _http(self, base_url, api, mapper, auth):
        client = HttpClient(base_url, api, mapper, retry=self.retry, auth=auth, sleep=self.sleep,
                            **self.connection_options)
        with self._lock:
            self._clients.append(client)
        return client

    def set_deadline(self, deadline):
        """No retry of this connection (any thread's client) may outlast ``deadline`` (``time.monotonic()``)."""
        self.connection_options['deadline'] = deadline
        with self._lock:
            for client in self._clients:
                client.deadline = deadline

    def bms_http(self):
        """A new BMS client (own ``requests.Session``: sessions are not shared between threads)."""
        return self._http(self.bms_endpoint, BMS_API, bms_error, self.auth)

    @property
    def project_id(self):
        with self._lock:
            if self._project_id is None:
                self._project_id = self._resolve_project_id()
                if isinstance(self.auth, AkSkAuth):
                    self.auth.project_id = self._project_id
            return self._project_id

    def _resolve_project_id(self):
        try:
            if isinstance(self.auth, TokenAuth):
                self.auth.token()
                if self.auth.token_project_id:
                    return self.auth.token_project_id
            response = self.iam.request('GET', '/v3/projects', params={'name': self.region})
        except AuthError as err:
            raise with_refusal_hint(err, self.auth)
        projects = [p for p in (response.json or {}).get('projects') or [] if p.get('name') == self.region]
        if len(projects) != 1:
            # The vendor SDK requires exactly one match as well (bms.md s3.2).
            raise QuiesceError(
                'Could not determine the project id: {0} IAM project(s) named {1!r}. Set project_id '
                '(or HUAWEICLOUD_PROJECT_ID).'.format(len(projects), self.region), option='project_id')
        return projects[0]['id']

    def stats(self):
        totals = {}
        with self._lock:
            for client in self._clients:
                for key, value in client.stats.items():
                    totals[key] = totals.get(key, 0) + value
        totals['tokens_issued'] = getattr(self.auth, 'tokens_issued', 0)
        return totals

    def close(self):
        with self._lock:
            for client in self._clients:
                client.close()
