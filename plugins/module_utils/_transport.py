# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One small HTTP client over one ``requests.Session`` per module run.

What lives here and nowhere else: URL checks and joining (every path segment
validated and percent-encoded), JSON in/out, timeouts, TLS verification, the
retry policy (capped exponential backoff with jitter, ``Retry-After``, a
family's "refused, nothing done" answers), the caller's deadline (no wait or
retry outlasts it), re-authentication once on an expired session/token, one
re-send after credentials that worked are refused mid-way, and the rule that a
non-idempotent request is never replayed blindly.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import json
import random
import re
import socket
import ssl
import time
import traceback

from urllib.parse import quote, urlsplit

try:
    import requests
    # Re-exported for the auth modules, so the guarded import of requests lives here only.
    from requests.auth import AuthBase, HTTPBasicAuth  # noqa: F401 pylint: disable=unused-import
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from requests.exceptions import ConnectTimeout, RequestException, SSLError
    from requests.exceptions import Timeout as RequestsTimeout
    # requests passes a urllib3 Timeout through as it is: its ``total`` bounds connecting and reading together.
    from urllib3.util import Timeout as Urllib3Timeout
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - exercised through missing_required_lib
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()
    # Stand-ins so that auth classes can still be defined; QuiesceModule fails with missing_required_lib.
    AuthBase = object
    HTTPBasicAuth = None
    RequestsTimeout = Urllib3Timeout = None

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AmbiguousRequestError,
    DeadlineError,
    OptionError,
    TransportError,
)

SAFE_METHODS = frozenset(['GET', 'HEAD', 'OPTIONS'])
RETRYABLE_STATUSES = frozenset([429, 500, 502, 503, 504])
THROTTLED = 429
REFUSED = 401

# Shapes of the ids that become URL path segments.
UUID_SHAPE = re.compile(r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$')
TOKEN_SHAPE = re.compile(r'^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$')
DOT_SEGMENTS = frozenset(['.', '..'])

# The least time a request is given before the caller's deadline. Each request's timeout is cut to the time
# left; with less than this left, a request is not sent at all (``DeadlineError``), rather than sent with a
# timeout too short for any answer.
MIN_REQUEST_SECONDS = 0.5


def check_segment(option, value, shape=TOKEN_SHAPE, described='letters, digits, "-" and "_"', example=None):
    """``value`` as a string when it has the documented ``shape``; ``OptionError`` naming ``option`` otherwise.

    Every id that ends up in a URL path goes through here before any request,
    so that ``..``, ``/``, ``?`` or ``%`` can never move a request elsewhere.
    """
    text = '' if value is None else str(value)
    if not shape.fullmatch(text):  # not match: "$" also matches before a final line break
        raise OptionError(option, '{0!r} is not a valid id ({1})'.format(text, described),
                          'Use the id exactly as the API shows it{0}.'.format(
                              ', e.g. {0}'.format(example) if example else ''))
    return text


def check_access_key(value):
    """The access key id, which travels in clear in the Authorization header, when it has an id's shape.

    A line break or a separator in it would break the header (http.client raises before anything is sent).
    """
    return check_segment('access_key', value, example='the AccessKey id as the console shows it')


def encode_path(segments):
    """``/a/b/c`` from ``('a', 'b', 'c')``: each segment percent-encoded whole; empty and dot segments refused."""
    encoded = []
    for segment in segments:
        text = str(segment)
        if not text or text in DOT_SEGMENTS:
            raise TransportError('refusing the unusable URL path segment {0!r}'.format(text))
        encoded.append(quote(text, safe=''))
    return '/' + '/'.join(encoded)


def _has_dot_segment(path):
    return any(part in DOT_SEGMENTS for part in urlsplit(path).path.split('/'))


def check_url(option, value, https_only=False, allow_insecure_http=False, service=None, example=None):
    """The URL of option ``option`` without a trailing slash; ``OptionError`` when it cannot work.

    ``https_only`` marks an API documented as HTTPS only: plain ``http://`` is
    refused there unless ``allow_insecure_http`` (a test system) says otherwise.
    """
    text = (value or '').strip()
    example = example or 'https://192.0.2.10:8443'
    fix = 'Use a full URL with scheme and host, e.g. {0}.'.format(example)
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise OptionError(option, '{0!r} is not a URL ({1})'.format(text, exc), fix)
    if parts.scheme not in ('http', 'https'):
        raise OptionError(option, '{0!r} is not an http:// or https:// URL'.format(text), fix)
    if not parts.hostname:
        raise OptionError(option, '{0!r} has no host name'.format(text), fix)
    if port == 0 or parts.query or parts.fragment or parts.username or parts.password:
        raise OptionError(option, '{0!r} must not carry a query, a fragment, credentials or port 0'.format(text), fix)
    if _has_dot_segment(text):
        raise OptionError(option, '{0!r} has "." or ".." path segments'.format(text), fix)
    if https_only and parts.scheme == 'http' and not allow_insecure_http:
        raise OptionError(
            option, '{0!r} uses plain http://, but {1} is documented as HTTPS only and credentials would travel '
            'in clear text'.format(text, service or 'this API'),
            'Use https://; only for a test system, set allow_insecure_http=true (or QUIESCE_ALLOW_INSECURE_HTTP).')
    return text.rstrip('/')


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
                 retry_after_headers=('Retry-After',), refused=None):
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.jitter = jitter
        self.max_retry_after = max_retry_after
        self.retry_after_headers = tuple(retry_after_headers)
        # A family's predicate: "this error response is a refusal that did not take effect, so the request
        # may be sent again whatever its method" (like a 429). None: only 429 is such a refusal.
        self.refused = refused

    def is_refusal(self, response):
        """True when ``response`` refused the request without acting on it (429, or the family's predicate)."""
        return response.status == THROTTLED or bool(self.refused is not None and self.refused(response))

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
    Credentials that were accepted earlier and are refused once mid-way (a
    gateway's passing fault) are sent once more before the refusal is reported.

    ``deadline`` (a ``clock()`` time, or None) is when the caller's budget ends:
    a retry whose wait would end after it is not made (``DeadlineError``), and
    each request's timeout (connecting and reading together) is cut to the time
    left. With less than ``min_request_timeout`` left, a request is not sent
    (``DeadlineError``, ``sent=False``); a cut request that gets no answer in time
    raises ``DeadlineError`` too, except a non-idempotent one that may have been
    sent: its outcome is unknown (``AmbiguousRequestError``), so it is never sent
    again.
    ``url_options`` maps option names to the URLs they gave, so that a
    connection or TLS failure names the option to fix.
    """

    def __init__(self, base_url, api, error_mapper, validate_certs=True, ca_path=None, timeout=30.0,
                 connect_timeout=10.0, retry=None, auth=None, session=None, sleep=time.sleep,
                 request_id_headers=('X-Request-Id',), default_headers=None, user_agent='quiesce.lifecycle',
                 deadline=None, deadline_option='wait_timeout', clock=time.monotonic, url_options=None,
                 body_content_type=None, min_request_timeout=MIN_REQUEST_SECONDS):
        self.base_url = base_url.rstrip('/')
        self.api = api
        self.error_mapper = error_mapper
        self.retry = retry or RetryPolicy()
        self.auth = auth
        self.sleep = sleep
        self.clock = clock
        self.deadline = deadline
        self.deadline_option = deadline_option
        self.url_options = dict(url_options or {})
        # Sent on requests without a body too, for APIs that document Content-Type as mandatory on every call.
        self.body_content_type = body_content_type
        self.timeout = (connect_timeout, timeout)
        self.min_request_timeout = min_request_timeout
        self.request_id_headers = tuple(request_id_headers)
        self.session = session or requests.Session()
        # validate_certs=False disables verification; a CA bundle path replaces
        # the system store. Plain True keeps requests' default (which honours
        # REQUESTS_CA_BUNDLE, as operators expect).
        self.session.verify = False if not validate_certs else (ca_path or True)
        self.ca_path = ca_path
        self.session.headers.update({'User-Agent': user_agent, 'Accept': 'application/json'})
        if default_headers:
            self.session.headers.update(default_headers)
        self.stats = {'requests': 0, 'retries': 0, 'reauthentications': 0}
        self._speaks_tls = {}

    def url(self, path):
        """The absolute URL of ``path``: a URL, a path string, or a tuple of segments (each one encoded)."""
        if isinstance(path, (tuple, list)):
            return self.base_url + encode_path(path)
        if path.startswith('http://') or path.startswith('https://'):
            url = path
        else:
            url = self.base_url + '/' + path.lstrip('/')
        if _has_dot_segment(url):
            # Defence in depth: every id is checked where it enters, but no path may climb out of its API.
            raise TransportError('refusing a URL with "." or ".." path segments: {0}'.format(url))
        return url

    def _request_id(self, raw):
        for name in self.request_id_headers:
            value = raw.headers.get(name)
            if value:
                return value
        return None

    def _send(self, method, url, params, body, headers, allow_redirects, auth, timeout=None):
        self.stats['requests'] += 1
        # verify is passed per request: requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE from the
        # environment override a session's CA bundle, which would silently ignore ca_path.
        return self.session.request(
            method, url, params=params, data=body, headers=headers, timeout=timeout or self.timeout,
            allow_redirects=allow_redirects, auth=auth, verify=self.session.verify)

    def _timeouts(self, method, path, cleanup=False):
        """(timeout for requests, seconds it was cut to or None): the configured timeouts, cut to the time left.

        With less than ``min_request_timeout`` left nothing is sent (``DeadlineError``); a ``cleanup`` call
        (a logout, which ends a session the server would otherwise keep) is still sent, given that least time.
        """
        remaining = self.remaining()
        connect, read = self.timeout
        if remaining is None or remaining >= connect + read:
            return self.timeout, None
        if remaining < self.min_request_timeout:
            if not cleanup:
                raise DeadlineError(
                    '{0} API: {1} {2} was not sent: {3:.1f}s are left before the deadline set by {4}, less than the '
                    '{5:g}s a request is given at least; raise {4} or try again later'.format(
                        self.api, method, path, max(0.0, remaining), self.deadline_option, self.min_request_timeout),
                    method=method, path=path, api=self.api, remaining=round(max(0.0, remaining), 3),
                    deadline_option=self.deadline_option, sent=False)
            remaining = self.min_request_timeout
        timeout = Urllib3Timeout(connect=min(connect, remaining), read=min(read, remaining), total=remaining)
        # Cut short: the deadline, not request_timeout, is what a timeout of this request would mean.
        return timeout, (remaining if remaining < read else None)

    def _out_of_time(self, method, path, exc, cut, idempotent):
        """The error for a request cut short by the deadline that got no answer in the time it was given."""
        read = self.timeout[1]
        given = 'in the {0:.1f}s left before the deadline set by {1} (request_timeout is {2:g}s)'.format(
            cut, self.deadline_option, read)
        if not idempotent and _may_have_been_sent(exc):
            err = AmbiguousRequestError(self.api, method, path, 'no answer {0}: {1}'.format(given, _describe(exc)))
            err.details['deadline_option'] = self.deadline_option
            return err
        sent = _may_have_been_sent(exc)
        return DeadlineError(
            '{0} API: {1} {2} got no answer {3}: {4}; raise {5} or try again later'.format(
                self.api, method, path, given, _describe(exc), self.deadline_option),
            method=method, path=path, api=self.api, remaining=0.0, deadline_option=self.deadline_option, sent=sent)

    def request(self, method, path, params=None, json_body=None, data=None, headers=None, idempotent=None,
                allow_redirects=False, expected=None, authenticate=True, cleanup=False):
        """Send a request and return a ``Response`` whose status is expected.

        ``path`` is a path string, an absolute URL, or a tuple of path segments
        (``('v1', project_id, 'jobs', job_id)``), each percent-encoded.
        ``idempotent`` defaults to True for GET/HEAD/OPTIONS. Idempotent requests
        are retried on connection errors, timeouts, 429, 5xx and unreadable JSON.
        Others are retried only where the request provably did not take effect
        (connection refused, 429, the retry policy's ``refused`` answers); any
        other doubtful outcome raises ``AmbiguousRequestError``. ``expected`` is a
        collection of acceptable statuses (default: 2xx); anything else goes
        through ``error_mapper``. ``cleanup`` marks a call that ends a session (a logout): it is still sent
        when the deadline is near, given ``min_request_timeout``.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in SAFE_METHODS
        url = self.url(path)
        shown = urlsplit(url).path if isinstance(path, (tuple, list)) else path
        send_headers = dict(headers or {})
        body = data
        if json_body is not None:
            # Serialise once, compactly, so signers hash exactly the bytes sent.
            body = json.dumps(json_body, separators=(',', ':'), sort_keys=False).encode('utf-8')
            send_headers.setdefault('Content-Type', 'application/json')
        elif body is None and self.body_content_type:
            send_headers.setdefault('Content-Type', self.body_content_type)
        auth = self.auth if authenticate else None
        reauthenticated = refusal_resent = False
        attempt = 0
        while True:
            attempt += 1
            timeout, cut = self._timeouts(method, shown, cleanup)
            try:
                raw = self._send(method, url, params, body, send_headers, allow_redirects, auth, timeout)
            except SSLError as exc:
                raise self._tls_failure(method, url, shown, exc)
            except RequestException as exc:
                mismatch = self._plain_http_to_tls(url, exc)
                if mismatch is not None:
                    raise mismatch
                if cut is not None and isinstance(exc, RequestsTimeout):
                    # No answer in the time the deadline left: no retry could fit either.
                    raise self._out_of_time(method, shown, exc, cut, idempotent)
                if _may_have_been_sent(exc) and not idempotent:
                    raise AmbiguousRequestError(self.api, method, shown, _describe(exc))
                if attempt >= self.retry.max_attempts:
                    raise TransportError('{0} API: {1} {2} failed after {3} attempt(s): {4}{5}'.format(
                        self.api, method, shown, attempt, _describe(exc), self._option_hint(url)),
                        method=method, path=shown, api=self.api)
                self._pause(attempt, None, method, shown, _describe(exc))
                continue
            except OSError as exc:
                # requests raises a bare OSError for an unreadable CA bundle, before anything is sent.
                raise TransportError('{0} API: {1} {2} could not be sent: {3}{4}'.format(
                    self.api, method, shown, _describe(exc),
                    '; check option ca_path ({0})'.format(self.ca_path) if self.ca_path else ''),
                    method=method, path=shown, api=self.api)

            response = Response(raw, method, shown, self._request_id(raw))
            if auth is not None:
                stale = getattr(auth, 'is_auth_failure', None) is not None and auth.is_auth_failure(response)
                if stale and not reauthenticated and getattr(auth, 'refresh', None) is not None:
                    auth.refresh()
                    reauthenticated = True
                    self.stats['reauthentications'] += 1
                    continue
                if stale or response.status == REFUSED:
                    accepted_before = _credentials_accepted(auth)
                    if accepted_before and not refusal_resent and not reauthenticated:
                        # Refused once mid-way after the same credentials worked: a refusal at
                        # authentication did nothing, so sending again is safe for any method.
                        refusal_resent = True
                        self._pause(attempt, None, method, shown, 'HTTP {0}'.format(response.status))
                        continue
                    err = self.error_mapper(response)
                    err.refused_midway = accepted_before
                    raise err
                _mark_credentials_accepted(auth)

            refused = self.retry.is_refusal(response)
            retryable = refused or (
                idempotent and (response.status in RETRYABLE_STATUSES or (response.ok and response.malformed)))
            if retryable and attempt < self.retry.max_attempts:
                retry_after = None
                if response.status in (THROTTLED, 503) or refused:
                    retry_after = self.retry.retry_after(response.headers)
                self._pause(attempt, retry_after, method, shown, self._cause(response), response=response)
                continue

            if not idempotent and not refused and (response.status >= 500 or (response.ok and response.malformed)):
                if response.status >= 500:
                    cause = self.error_mapper(response)
                    raise AmbiguousRequestError(self.api, method, shown, 'HTTP {0}'.format(response.status),
                                                http_status=response.status, code=cause.code,
                                                api_message=cause.api_message, request_id=cause.request_id)
                raise AmbiguousRequestError(self.api, method, shown, 'unreadable response body',
                                            http_status=response.status, request_id=response.request_id)
            if expected is not None:
                if response.status in expected:
                    return response
            elif response.ok and not response.malformed:
                return response
            if response.ok and response.malformed:
                raise TransportError('{0} API: {1} {2} returned an unreadable JSON body after {3} attempt(s)'.format(
                    self.api, method, shown, attempt), method=method, path=shown, api=self.api)
            raise self.error_mapper(response)

    def remaining(self):
        """Seconds left before the caller's deadline (None without one)."""
        return None if self.deadline is None else self.deadline - self.clock()

    def remaining_after(self, requests):
        """Seconds left before the deadline once ``requests`` more requests had their least time (None without
        one): how long a caller may still wait and yet send them."""
        remaining = self.remaining()
        return None if remaining is None else remaining - requests * self.min_request_timeout

    def _cause(self, response):
        err = self.error_mapper(response)
        return str(err)

    def _pause(self, attempt, retry_after, method, path, cause, response=None):
        delay = self.retry.delay(attempt, retry_after)
        remaining = self.remaining()
        if remaining is not None and delay > remaining:
            asked = 'asked to retry after {0:g}s'.format(retry_after) if retry_after is not None else \
                'would retry after {0:.1f}s'.format(delay)
            err = self.error_mapper(response) if response is not None else None
            raise DeadlineError(
                '{0} API: {1} {2} was not retried: {3}, {4}, which does not fit in the {5:.1f}s left before '
                'the deadline set by {6}; raise {6} or try again later'.format(
                    self.api, method, path, cause, asked, max(0.0, remaining), self.deadline_option),
                method=method, path=path, api=self.api, retry_after=retry_after, remaining=round(max(0.0, remaining), 3),
                deadline_option=self.deadline_option, http_status=getattr(err, 'http_status', None),
                code=getattr(err, 'code', None), request_id=getattr(err, 'request_id', None))
        self.stats['retries'] += 1
        self.sleep(delay)

    def _option_for(self, url):
        """(option, configured URL) whose URL ``url`` falls under, or (None, None)."""
        for option, configured in sorted(self.url_options.items(), key=lambda item: -len(item[1] or '')):
            if configured and url.startswith(configured.rstrip('/')):
                return option, configured
        return None, None

    def _option_hint(self, url):
        option, configured = self._option_for(url)
        return '; check option {0} ({1})'.format(option, configured) if option else ''

    def _tls_failure(self, method, url, path, exc):
        text = str(exc)
        option, configured = self._option_for(url)
        option_text = 'option {0} ({1})'.format(option, configured) if option else url
        if 'WRONG_VERSION_NUMBER' in text or 'wrong version number' in text or 'record layer failure' in text:
            # A TLS client hello answered in plain HTTP: the URL's scheme is wrong, not the certificate.
            return TransportError(
                '{0} API: {1} uses https://, but the server answers in plain HTTP (TLS handshake: {2}). Use '
                'http:// if this endpoint really is plain HTTP'.format(self.api, option_text, _describe(exc)),
                method=method, path=path, api=self.api, option=option)
        # A TLS failure happens in the handshake, before anything is sent, and repeats
        # identically: report it at once with the fix instead of retrying.
        return TransportError(
            '{0} API: TLS failed for {1} {2}: {3}. If the server uses a private or self-signed CA, set '
            'ca_path to that CA\'s PEM file (validate_certs=false only for a lab)'.format(
                self.api, method, url, _describe(exc)), method=method, path=path, api=self.api, option=option)

    def _plain_http_to_tls(self, url, exc):
        """A ``TransportError`` when a plain-HTTP request failed because the server speaks TLS, else None."""
        parts = urlsplit(url)
        if parts.scheme != 'http' or isinstance(exc, (ConnectTimeout, requests.exceptions.ReadTimeout)):
            return None
        if not isinstance(exc, RequestsConnectionError) or not _may_have_been_sent(exc):
            return None  # refused or unresolvable: nothing listens there, TLS or not
        where = (parts.hostname, parts.port or 80)
        if where not in self._speaks_tls:
            self._speaks_tls[where] = _speaks_tls(*where)  # probed once per host and port
        if not self._speaks_tls[where]:
            return None
        option, configured = self._option_for(url)
        return TransportError(
            '{0} API: {1} uses http://, but the server at {2}:{3} speaks TLS. Use https://'.format(
                self.api, 'option {0} ({1})'.format(option, configured) if option else url, parts.hostname,
                parts.port or 80), api=self.api, option=option)

    def close(self):
        self.session.close()


def _credentials_accepted(auth):
    return bool(getattr(auth, 'quiesce_credentials_accepted', False))


def _mark_credentials_accepted(auth):
    try:
        auth.quiesce_credentials_accepted = True
    except AttributeError:  # pragma: no cover - an auth object without attributes
        pass


def _speaks_tls(host, port, timeout=3.0):
    """True when a TLS handshake with ``host:port`` succeeds (certificate not checked: only the protocol)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            with context.wrap_socket(raw, server_hostname=host):
                return True
    except (OSError, ssl.SSLError, ValueError):
        return False


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
