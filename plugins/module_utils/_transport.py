# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One small HTTP client over one ``requests.Session`` per module run.

What lives here and nowhere else: URL joining, JSON in/out, timeouts, TLS
verification, the retry policy (capped exponential backoff with jitter,
``Retry-After``), re-authentication once on an expired session/token, and the
rule that a non-idempotent request is never replayed blindly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import json
import random
import time
import traceback

try:
    import requests
    # Re-exported for the auth modules, so the guarded import of requests lives here only.
    from requests.auth import AuthBase, HTTPBasicAuth  # noqa: F401 pylint: disable=unused-import
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from requests.exceptions import ConnectTimeout, RequestException, SSLError
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised through missing_required_lib
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    # Stand-ins so that auth classes can still be defined; QuiesceModule fails with missing_required_lib.
    AuthBase = object
    HTTPBasicAuth = None

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AmbiguousRequestError,
    TransportError,
)

SAFE_METHODS = frozenset(['GET', 'HEAD', 'OPTIONS'])
RETRYABLE_STATUSES = frozenset([429, 500, 502, 503, 504])
THROTTLED = 429


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP-date); None when unusable."""
    if value is None:
        return None
    value = str(value).strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


class RetryPolicy:
    """How often and how long to wait before repeating a request that may be repeated."""

    def __init__(self, max_attempts=6, base_delay=0.5, max_delay=30.0, jitter=0.2, max_retry_after=300.0,
                 retry_after_headers=('Retry-After',)):
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.jitter = jitter
        self.max_retry_after = max_retry_after
        self.retry_after_headers = tuple(retry_after_headers)

    def delay(self, attempt, retry_after=None, rand=random.random):
        """Delay before attempt ``attempt + 1`` (``attempt`` counts from 1).

        A server-given ``Retry-After`` wins (capped by ``max_retry_after``);
        otherwise exponential backoff capped by ``max_delay``, spread by
        +/- ``jitter`` so that many clients do not retry in lockstep.
        """
        if retry_after is not None:
            return min(retry_after, self.max_retry_after)
        backoff = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        spread = backoff * self.jitter
        return max(0.0, backoff - spread + 2 * spread * rand())

    def retry_after(self, headers):
        for name in self.retry_after_headers:
            seconds = parse_retry_after(headers.get(name))
            if seconds is not None:
                return seconds
        return None


class Response:
    """What the caller needs of an HTTP answer, with the JSON body parsed once."""

    def __init__(self, raw, method, path, request_id=None):
        self.raw = raw
        self.method = method
        self.path = path
        self.status = raw.status_code
        self.headers = raw.headers
        self.text = raw.text
        self.request_id = request_id
        self._json = None
        self._json_error = None
        self._parse()

    def _parse(self):
        body = self.raw.content
        if not body or not body.strip():
            return
        content_type = self.headers.get('Content-Type', '')
        looks_like_json = 'json' in content_type or body.lstrip()[:1] in (b'{', b'[')
        if not looks_like_json:
            return
        try:
            self._json = json.loads(body.decode('utf-8'))
        except ValueError as exc:
            self._json_error = exc

    @property
    def json(self):
        return self._json

    @property
    def malformed(self):
        """True when the body claimed to be JSON but could not be parsed."""
        return self._json_error is not None

    @property
    def ok(self):
        return 200 <= self.status < 300


class HttpClient:
    """A session-bound client for one API family.

    ``error_mapper(response)`` turns an error response into a typed ``ApiError``.
    ``auth`` is a ``requests`` auth object (it sees the final prepared request,
    so signers sign exactly what is sent); it may also offer
    ``is_auth_failure(response)`` and ``refresh()`` for session/token schemes, in
    which case a rejected request is re-authenticated and sent again once (safe
    for any method: a request refused at authentication did not take effect).
    """

    def __init__(self, base_url, api, error_mapper, validate_certs=True, ca_path=None, timeout=30.0,
                 connect_timeout=10.0, retry=None, auth=None, session=None, sleep=time.sleep,
                 request_id_headers=('X-Request-Id',), default_headers=None, user_agent='quiesce.lifecycle'):
        self.base_url = base_url.rstrip('/')
        self.api = api
        self.error_mapper = error_mapper
        self.retry = retry or RetryPolicy()
        self.auth = auth
        self.sleep = sleep
        self.timeout = (connect_timeout, timeout)
        self.request_id_headers = tuple(request_id_headers)
        self.session = session or requests.Session()
        # validate_certs=False disables verification; a CA bundle path replaces
        # the system store. Plain True keeps requests' default (which honours
        # REQUESTS_CA_BUNDLE, as operators expect).
        self.session.verify = False if not validate_certs else (ca_path or True)
        self.session.headers.update({'User-Agent': user_agent, 'Accept': 'application/json'})
        if default_headers:
            self.session.headers.update(default_headers)
        self.stats = {'requests': 0, 'retries': 0, 'reauthentications': 0}

    def url(self, path):
        if path.startswith('http://') or path.startswith('https://'):
            return path
        return self.base_url + '/' + path.lstrip('/')

    def _request_id(self, raw):
        for name in self.request_id_headers:
            value = raw.headers.get(name)
            if value:
                return value
        return None

    def _send(self, method, path, params, body, headers, allow_redirects, auth):
        self.stats['requests'] += 1
        # verify is passed per request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE from the
        # environment override a session's CA bundle, which would silently ignore ca_path.
        return self.session.request(
            method, self.url(path), params=params, data=body, headers=headers, timeout=self.timeout,
            allow_redirects=allow_redirects, auth=auth, verify=self.session.verify)

    def request(self, method, path, params=None, json_body=None, data=None, headers=None, idempotent=None,
                allow_redirects=False, expected=None, authenticate=True):
        """Send a request and return a ``Response`` whose status is expected.

        ``idempotent`` defaults to True for GET/HEAD/OPTIONS. Idempotent requests
        are retried on connection errors, timeouts, 429, 5xx and unreadable JSON.
        Others are retried only where the request provably did not take effect
        (connection refused, 429); any other doubtful outcome raises
        ``AmbiguousRequestError``. ``expected`` is a collection of acceptable
        statuses (default: 2xx); anything else goes through ``error_mapper``.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in SAFE_METHODS
        send_headers = dict(headers or {})
        body = data
        if json_body is not None:
            # Serialise once, compactly, so signers hash exactly the bytes sent.
            body = json.dumps(json_body, separators=(',', ':'), sort_keys=False).encode('utf-8')
            send_headers.setdefault('Content-Type', 'application/json')
        auth = self.auth if authenticate else None
        reauthenticated = False
        attempt = 0
        while True:
            attempt += 1
            retry_after = None
            try:
                raw = self._send(method, path, params, body, send_headers, allow_redirects, auth)
            except SSLError as exc:
                # A TLS failure happens in the handshake, before anything is sent, and repeats
                # identically: report it at once with the fix instead of retrying.
                raise TransportError(
                    '{0} API: TLS failed for {1} {2}: {3}. If the server uses a private or self-signed CA, set '
                    'ca_path to that CA\'s PEM file (validate_certs=false only for a lab)'.format(
                        self.api, method, self.url(path), _describe(exc)), method=method, path=path, api=self.api)
            except RequestException as exc:
                sent = _may_have_been_sent(exc)
                if sent and not idempotent:
                    raise AmbiguousRequestError(self.api, method, path, _describe(exc))
                if attempt >= self.retry.max_attempts:
                    raise TransportError('{0} API: {1} {2} failed after {3} attempt(s): {4}'.format(
                        self.api, method, path, attempt, _describe(exc)), method=method, path=path, api=self.api)
                self._pause(attempt, None)
                continue

            response = Response(raw, method, path, self._request_id(raw))
            if auth is not None and not reauthenticated and getattr(auth, 'is_auth_failure', None) \
                    and auth.is_auth_failure(response):
                if getattr(auth, 'refresh', None) is None:
                    raise self.error_mapper(response)
                auth.refresh()
                reauthenticated = True
                self.stats['reauthentications'] += 1
                continue

            retryable = response.status == THROTTLED or (
                idempotent and (response.status in RETRYABLE_STATUSES or (response.ok and response.malformed)))
            if retryable and attempt < self.retry.max_attempts:
                if response.status == THROTTLED or response.status == 503:
                    retry_after = self.retry.retry_after(response.headers)
                self._pause(attempt, retry_after)
                continue

            if not idempotent and (response.status >= 500 or (response.ok and response.malformed)):
                if response.status >= 500:
                    cause = self.error_mapper(response)
                    raise AmbiguousRequestError(self.api, method, path, 'HTTP {0}'.format(response.status),
                                                http_status=response.status, code=cause.code,
                                                api_message=cause.api_message, request_id=cause.request_id)
                raise AmbiguousRequestError(self.api, method, path, 'unreadable response body',
                                            http_status=response.status, request_id=response.request_id)
            if expected is not None:
                if response.status in expected:
                    return response
            elif response.ok and not response.malformed:
                return response
            if response.ok and response.malformed:
                raise TransportError('{0} API: {1} {2} returned an unreadable JSON body after {3} attempt(s)'.format(
                    self.api, method, path, attempt), method=method, path=path, api=self.api)
            raise self.error_mapper(response)

    def _pause(self, attempt, retry_after):
        self.stats['retries'] += 1
        self.sleep(self.retry.delay(attempt, retry_after))

    def close(self):
        self.session.close()


def _may_have_been_sent(exc):
    """False only when the request certainly never reached the server."""
    if isinstance(exc, ConnectTimeout):
        return False
    if isinstance(exc, RequestsConnectionError):
        seen = set()
        current = exc
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            name = type(current).__name__
            if name in ('NewConnectionError', 'NameResolutionError', 'ConnectTimeoutError'):
                return False
            if name == 'MaxRetryError':
                current = getattr(current, 'reason', None)
                continue
            current = current.args[0] if current.args and isinstance(current.args[0], BaseException) else \
                (current.__cause__ or current.__context__)
        return True
    # Read timeouts and anything else: the request may have been processed.
    return True


def _describe(exc):
    text = str(exc)
    return '{0}: {1}'.format(type(exc).__name__, text[:300]) if text else type(exc).__name__
