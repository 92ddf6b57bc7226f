# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The MRS Manager login session as an auth strategy for ``HttpClient``.

References: shared/api/mrs-manager.md s3. One login per module run, kept in the
HttpClient's cookie jar:

* security (Kerberos) cluster: ``login_check`` answers with a redirect to the
  CAS login page; the CAS flow (login page -> ``lt`` ticket -> form POST ->
  ``CASTGC``) is followed by ``login_check`` with redirects for ``JSESSIONID``;
* normal cluster: ``login_check`` sets ``FISessionId``.

A rejected login is never retried (the account locks after 5 wrong passwords);
an expired session is re-established once per request by the transport
(``is_auth_failure`` + ``refresh``). Logout is best effort.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import re

from ansible_collections.quiesce.lifecycle.plugins.module_utils._envelopes import MRS_API, mrs_login_redirect
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    ApiError,
    AuthError,
    DeadlineError,
    QuiesceError,
    TransportError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import AuthBase

LOGIN_CHECK = '/v1/access/login_check'
LOGOUT = '/v1/logout_action'
SECURITY_CHECK = '/cas_security_check.htm'

# Body markers (DOCUMENTED, s3.2/s3.4): HTTP status is not what tells these apart.
WRONG_CREDENTIALS_MARKER = 'cannot be determined to be authentic'
CHANGE_PASSWORD_MARKER = 'modify_password.html'
# s3.5: 5 wrong passwords in a row lock the account for 5 minutes. How a locked account answers is not
# documented: a page that says so (CAS's own "This account has been locked"), or the wrong-credentials
# text again. The first is reported as the lock; the second names the lock as a possible cause.
_LOCKED = re.compile(r'\block(?:ed|out)\b', re.IGNORECASE)
LOCKOUT = 'the Manager locks an account for 5 minutes after 5 wrong passwords in a row'

REDIRECTS = (301, 302, 303, 307, 308)
_LT_INPUT = re.compile(r'<input\b[^>]*\bname\s*=\s*["\']lt["\'][^>]*>', re.IGNORECASE)
_VALUE_ATTR = re.compile(r'\bvalue\s*=\s*["\']([^"\']*)["\']', re.IGNORECASE)
_ERRORS_DIV = re.compile(r'<div[^>]*class\s*=\s*["\'][^"\']*errors[^"\']*["\'][^>]*>(.*?)</div>',
                         re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r'<[^>]+>')


def default_cas_url(manager_url):
    """``https://<host>:20009/cas`` for a Manager at ``https://<host>:<port>/web`` (s2, DOCUMENTED ports)."""
    match = re.match(r'^(https?)://(\[[^\]]+\]|[^/:]+)(?::\d+)?', manager_url)
    if not match:
        return None
    return '{0}://{1}:20009/cas'.format(match.group(1), match.group(2))


def parse_login_ticket(html):
    """The ``lt`` hidden input's value from the CAS login page, whatever the attribute order; None if absent."""
    tag = _LT_INPUT.search(html or '')
    if not tag:
        return None
    value = _VALUE_ATTR.search(tag.group(0))
    return value.group(1) if value and value.group(1) else None


def _page_message(html):
    """The CAS page's error text (``<div class="errors">``), for an operator-readable failure."""
    match = _ERRORS_DIV.search(html or '')
    text = _TAGS.sub(' ', match.group(1)) if match else ''
    return ' '.join(text.split()) or None


class MrsSessionAuth(AuthBase):
    """Cookie session with MRS Manager; logs in lazily on the first authenticated request.

    ``http`` is the ``HttpClient`` this auth is attached to: the login requests
    go through it unauthenticated, so they share its cookie jar, TLS settings
    and retry policy (GETs only; the credential POST is never repeated).
    """

    def __init__(self, http, manager_url, username, password, cas_url=None):
        self.http = http
        self.manager_url = manager_url.rstrip('/')
        self.cas_url_given = bool(cas_url)
        self.cas_url = (cas_url or default_cas_url(self.manager_url) or '').rstrip('/')
        self.username = username
        self.password = password
        self.logged_in = False
        self.security = None  # True after a CAS login, False after a normal-cluster login
        self.logins = 0

    # -- requests auth hook

    def __call__(self, request):
        if not self.logged_in:
            self.login()
            # requests merged the jar's cookies into this request before calling us:
            # prepare them again so the session just established is sent.
            request.headers.pop('Cookie', None)
            request.prepare_cookies(self.http.session.cookies)
        return request

    # -- transport hooks (re-authenticate once on an expired session)

    def is_auth_failure(self, response):
        """An expired or missing session: redirect to CAS login or its page (s3.5 default), or 401/403 (strict)."""
        return mrs_login_redirect(response) or response.status in (401, 403)

    def refresh(self):
        # Start from an empty jar: stale JSESSIONID/CASTGC cookies would only confuse the new login.
        self.http.session.cookies.clear()
        self.logged_in = False
        self.login()

    # -- login

    def login(self):
        self.logins += 1
        probe = self._login_check(allow_redirects=False, expected=REDIRECTS + (200, 401, 403))
        if probe.status in REDIRECTS:
            if '/cas/login' not in (probe.headers.get('Location') or ''):
                raise self._failure(probe, 'login_check redirected to {0}, not to the CAS login page'.format(
                    probe.headers.get('Location')))
            self.security = True
            # The password goes to the configured (or default) CAS URL, never to wherever the
            # redirect points: a redirect must not decide where credentials are sent.
            self._cas_login(probe.headers.get('Location'))
            final = self._login_check(allow_redirects=True, expected=(200,))
        elif probe.status == 200:
            # Normal cluster that sets FISessionId on a plain login_check (s3.1, DOCUMENTED).
            self.security = False
            final = probe
        else:
            # GAP (s3.1): the documents do not say how a normal cluster learns who logs in. When
            # login_check refuses an anonymous call, send the credentials as HTTP Basic (the scheme
            # the vendor documents for Manager 3.x, s3.4), once.
            self.security = False
            token = base64.b64encode('{0}:{1}'.format(self.username, self.password).encode('utf-8')).decode('ascii')
            final = self._login_check(allow_redirects=False, expected=(200, 401, 403),
                                      headers={'Authorization': 'Basic ' + token})
            if final.status != 200:
                raise self._credential_failure(final, final.text)
        self._check_login_answer(final)
        self.logged_in = True

    def _login_check(self, allow_redirects, expected, headers=None):
        return self.http.request('GET', self.manager_url + LOGIN_CHECK, allow_redirects=allow_redirects,
                                 expected=expected, headers=headers, authenticate=False)

    def _cas_login(self, redirect):
        login_url = self.cas_url + '/login'
        try:
            page = self.http.request('GET', login_url, expected=(200,), authenticate=False)
        except DeadlineError:
            raise  # out of time, not out of reach: cas_url is not to blame
        except (TransportError, ApiError) as err:
            raise self._cas_unreachable(login_url, redirect, err)
        ticket = parse_login_ticket(page.text)
        if not ticket:
            raise self._failure(page, 'the CAS login page has no login ticket (lt)')
        # Form-encoded, as the vendor sample sends it (s3.2 INFERRED); redirects are not followed
        # so that the answer to the credentials themselves can be judged.
        answer = self.http.request(
            'POST', login_url, params={'service': self.manager_url + SECURITY_CHECK},
            data={'username': self.username, 'password': self.password, 'lt': ticket,
                  '_eventId': 'submit', 'submit': 'Login'},
            allow_redirects=False, expected=REDIRECTS + (200,), authenticate=False)
        # Judge the answer by what it set, not by what the jar holds: some jars separate
        # ports, some do not (CAS and the web application share the host).
        if 'CASTGC' in answer.raw.cookies.keys():
            return
        raise self._credential_failure(answer, answer.text + ' ' + (answer.headers.get('Location') or ''))

    def _cas_unreachable(self, login_url, redirect, err):
        """The CAS login page could not be read: name cas_url, where its value came from and the fix."""
        origin = ('set to {0}'.format(self.cas_url) if self.cas_url_given else
                  'not set, so it defaulted to {0} (port 20009 on the Manager host)'.format(self.cas_url))
        where = redirect.split('/cas/login', 1)[0] + '/cas' if redirect and '/cas/login' in redirect else None
        hint = ('; the Manager sent the login to {0}'.format(where) if where and where != self.cas_url else '')
        return TransportError(
            'MRS Manager: this is a security cluster, so the login goes through CAS, but the CAS login page {0} '
            'could not be read ({1}). Option cas_url is {2}{3}. Set cas_url (or MRS_CAS_URL) to the CAS address, '
            'https://<floating-ip>:20009/cas by default.'.format(login_url, err, origin, hint),
            method='GET', path=login_url, api=MRS_API)

    def _check_login_answer(self, response):
        body = response.json if isinstance(response.json, dict) else None
        if body is None:
            raise self._failure(response, 'login_check did not answer with the JSON login status')
        if body.get('modify_pwd') is True:
            raise self._password_must_change(response)
        if str(body.get('state', '')).upper() == 'FAILED' or body.get('error_code') not in (0, '0', None):
            raise self._failure(response, body.get('error_description') or 'login_check failed')

    # -- failures: never retried, always named

    def _credential_failure(self, response, text):
        body = response.json if isinstance(response.json, dict) else {}
        said = _page_message(text) or body.get('error_description') or ''
        if _LOCKED.search(text or ''):
            return AuthError(MRS_API, response.method, response.path, response.status,
                             api_message='the account {0!r} is locked{1}'.format(self.username,
                                                                                 ': ' + said if said else ''),
                             summary='{0}; wait for the lock to end, check the password, then run again (the '
                                     'login was not retried)'.format(LOCKOUT))
        if WRONG_CREDENTIALS_MARKER in (text or ''):
            return AuthError(MRS_API, response.method, response.path, response.status,
                             api_message='wrong user name or password for {0!r}, or the account is locked'.format(
                                 self.username),
                             summary='{0}, so the login was not retried'.format(LOCKOUT))
        if CHANGE_PASSWORD_MARKER in (text or ''):
            return self._password_must_change(response)
        return self._failure(response, said or 'the login was refused')

    def _password_must_change(self, response):
        return AuthError(MRS_API, response.method, response.path, response.status,
                         api_message='the password of {0!r} must be changed before it can be used'.format(self.username),
                         summary='log in to MRS Manager once interactively and change it')

    def _failure(self, response, problem):
        return AuthError(MRS_API, response.method, response.path, response.status,
                         api_message='login as {0!r} failed: {1}'.format(self.username, problem),
                         request_id=response.request_id)

    # -- logout

    def logout(self):
        """Best effort (s3.3): end the web session, then the CAS session; errors are ignored."""
        if not self.logged_in:
            return
        self.logged_in = False
        calls = [('GET', self.manager_url + LOGOUT, {'is_timeout_logout': 'false'})]
        if self.security:
            calls.append(('POST', self.cas_url + '/logout', None))
        for method, url, params in calls:
            try:
                self.http.request(method, url, params=params, expected=range(200, 400), authenticate=False,
                                  cleanup=True)
            except QuiesceError:
                pass
