# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.utils
import shutil
import socket
import ssl
import subprocess
import threading
import time
import http.server

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils._envelopes import ocp_error
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AmbiguousRequestError,
    AuthError,
    DeadlineError,
    NotFoundError,
    OptionError,
    TransportError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import (
    MIN_REQUEST_SECONDS,
    UUID_SHAPE,
    HTTPBasicAuth,
    HttpClient,
    RetryPolicy,
    check_segment,
    check_url,
    parse_retry_after,
)

OCP_404 = {'successful': False, 'status': 404, 'traceId': 'a1b2c3d4e5f60718', 'duration': 1,
           'error': {'code': 10002, 'message': 'cluster 42 not found'}}


def make_client(url, sleeps, **kwargs):
    kwargs.setdefault('retry', RetryPolicy(max_attempts=4, base_delay=1.0, max_delay=8.0, jitter=0.0))
    return HttpClient(url, 'OCP', ocp_error, sleep=sleeps.append, **kwargs)


def test_url_joining_and_json_round_trip(scripted_server):
    scripted_server.reply({'status': 200, 'body': {'data': {'id': 1}}})
    client = make_client(scripted_server.url + '/', [])
    response = client.request('POST', '/api/v2/things', json_body={'b': 1, 'a': [1, 2]}, idempotent=True)
    assert response.json == {'data': {'id': 1}}
    sent = scripted_server.requests[0]
    assert sent['path'] == '/api/v2/things'
    assert sent['body'] == b'{"b":1,"a":[1,2]}'
    assert sent['headers']['Content-Type'] == 'application/json'


@pytest.mark.parametrize('status', [500, 502, 503, 504])
def test_get_is_retried_on_5xx_with_backoff(scripted_server, status):
    scripted_server.reply({'status': status, 'body': {}}, {'status': status, 'body': {}}, {'status': 200, 'body': {'ok': 1}})
    sleeps = []
    client = make_client(scripted_server.url, sleeps)
    assert client.request('GET', '/x').json == {'ok': 1}
    assert len(scripted_server.requests) == 3
    assert sleeps == [1.0, 2.0]
    assert client.stats['retries'] == 2


def test_get_gives_up_after_max_attempts_with_the_api_error(scripted_server):
    scripted_server.reply({'status': 503, 'body': {'successful': False, 'status': 503, 'traceId': 't1',
                                                   'error': {'code': 0, 'message': 'maintenance'}}})
    sleeps = []
    client = make_client(scripted_server.url, sleeps)
    with pytest.raises(Exception) as caught:
        client.request('GET', '/x')
    assert len(scripted_server.requests) == 4
    assert 'HTTP 503' in str(caught.value) and 'maintenance' in str(caught.value) and 't1' in str(caught.value)


def test_429_retry_after_seconds_is_honoured(scripted_server):
    scripted_server.reply({'status': 429, 'headers': {'Retry-After': '7'}, 'body': {}}, {'status': 200, 'body': {}})
    sleeps = []
    make_client(scripted_server.url, sleeps).request('GET', '/x')
    assert sleeps == [7.0]


def test_429_retry_after_http_date_is_honoured(scripted_server):
    import time
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    scripted_server.reply({'status': 429, 'headers': {'Retry-After': when}, 'body': {}}, {'status': 200, 'body': {}})
    sleeps = []
    make_client(scripted_server.url, sleeps).request('GET', '/x')
    assert len(sleeps) == 1 and 25 <= sleeps[0] <= 31


def test_retry_after_is_capped():
    policy = RetryPolicy(max_retry_after=60)
    assert policy.delay(1, retry_after=3600) == 60


def test_backoff_is_exponential_capped_and_jittered():
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0, jitter=0.2)
    assert [policy.delay(n, rand=lambda: 0.5) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert policy.delay(3, rand=lambda: 0.0) == pytest.approx(3.2)
    assert policy.delay(3, rand=lambda: 1.0) == pytest.approx(4.8)


def test_parse_retry_after_forms():
    assert parse_retry_after('12') == 12.0
    assert parse_retry_after('0') == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after('soon') is None
    assert parse_retry_after('Wed, 21 Oct 2015 07:28:00 GMT', now=1445412470.0) == pytest.approx(10.0)
    assert parse_retry_after('Wed, 21 Oct 2015 07:28:00 GMT', now=1445412490.0) == 0.0


def test_post_is_never_replayed_after_5xx(scripted_server):
    scripted_server.reply({'status': 502, 'body': {}}, {'status': 200, 'body': {}})
    client = make_client(scripted_server.url, [])
    with pytest.raises(AmbiguousRequestError) as caught:
        client.request('POST', '/api/v2/ob/clusters/1/stop')
    assert len(scripted_server.requests) == 1
    assert 'HTTP 502' in str(caught.value) and 'not repeated blindly' in str(caught.value)


def test_post_is_never_replayed_after_a_dropped_connection(scripted_server):
    scripted_server.reply({'drop': True}, {'status': 200, 'body': {}})
    client = make_client(scripted_server.url, [])
    with pytest.raises(AmbiguousRequestError):
        client.request('POST', '/api/v2/ob/clusters/1/stop')
    assert len(scripted_server.requests) == 1


def test_post_is_never_replayed_after_an_unreadable_body(scripted_server):
    scripted_server.reply({'status': 200, 'headers': {'Content-Type': 'application/json'}, 'body': '{"data": {"id'})
    with pytest.raises(AmbiguousRequestError):
        make_client(scripted_server.url, []).request('POST', '/stop')
    assert len(scripted_server.requests) == 1


def test_get_is_retried_after_a_dropped_connection_and_an_unreadable_body(scripted_server):
    scripted_server.reply({'drop': True},
                          {'status': 200, 'headers': {'Content-Type': 'application/json'}, 'body': '{"da'},
                          {'status': 200, 'body': {'data': 1}})
    assert make_client(scripted_server.url, []).request('GET', '/x').json == {'data': 1}
    assert len(scripted_server.requests) == 3


def test_post_throttled_is_retried_because_it_was_refused(scripted_server):
    scripted_server.reply({'status': 429, 'headers': {'Retry-After': '2'}, 'body': {}}, {'status': 200, 'body': {'ok': 1}})
    sleeps = []
    assert make_client(scripted_server.url, sleeps).request('POST', '/stop').json == {'ok': 1}
    assert sleeps == [2.0] and len(scripted_server.requests) == 2


def test_connection_refused_is_retried_even_for_post_then_reported():
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    sleeps = []
    client = make_client('http://127.0.0.1:{0}'.format(port), sleeps)
    with pytest.raises(TransportError) as caught:
        client.request('POST', '/stop')
    assert not isinstance(caught.value, AmbiguousRequestError)
    assert client.stats['requests'] == 4 and len(sleeps) == 3
    assert 'failed after 4 attempt(s)' in str(caught.value)


def test_error_envelope_is_mapped_with_code_message_and_trace_id(scripted_server):
    scripted_server.reply({'status': 404, 'body': OCP_404})
    with pytest.raises(NotFoundError) as caught:
        make_client(scripted_server.url, []).request('GET', '/api/v2/ob/clusters/42')
    err = caught.value
    assert (err.http_status, err.code, err.api_message) == (404, 10002, 'cluster 42 not found')
    assert err.request_id == 'a1b2c3d4e5f60718'
    assert str(err) == ('OCP API error: GET /api/v2/ob/clusters/42 returned HTTP 404 (code 10002): '
                        'cluster 42 not found (request id a1b2c3d4e5f60718)')
    assert err.to_dict()['http_status'] == 404


def test_expected_statuses_are_returned_not_raised(scripted_server):
    scripted_server.reply({'status': 302, 'headers': {'Location': '/cas/login'}, 'body': ''})
    response = make_client(scripted_server.url, []).request('GET', '/web/v1/access/login_check', expected=(200, 302))
    assert response.status == 302 and response.headers['Location'] == '/cas/login'


class SessionAuth:
    """A stand-in session scheme: a 401 means the session expired; refresh logs in again."""

    def __init__(self):
        self.refreshes = 0
        self.token = 'old'

    def __call__(self, request):
        request.headers['X-Token'] = self.token
        return request

    def is_auth_failure(self, response):
        return response.status == 401

    def refresh(self):
        self.refreshes += 1
        self.token = 'new{0}'.format(self.refreshes)


def test_expired_session_is_reestablished_once_and_the_request_sent_again(scripted_server):
    scripted_server.reply({'status': 401, 'body': {'error': {'code': 0, 'message': 'expired'}}},
                          {'status': 200, 'body': {'ok': 1}})
    auth = SessionAuth()
    client = make_client(scripted_server.url, [], auth=auth)
    assert client.request('POST', '/stop').json == {'ok': 1}
    assert auth.refreshes == 1
    assert [r['headers']['X-Token'] for r in scripted_server.requests] == ['old', 'new1']


def test_a_second_auth_failure_is_reported_not_looped(scripted_server):
    scripted_server.reply({'status': 401, 'body': {'successful': False, 'status': 401,
                                                   'error': {'code': 0, 'message': 'login failed'}}})
    auth = SessionAuth()
    with pytest.raises(AuthError) as caught:
        make_client(scripted_server.url, [], auth=auth).request('GET', '/x')
    assert auth.refreshes == 1 and len(scripted_server.requests) == 2
    assert 'HTTP 401' in str(caught.value) and 'login failed' in str(caught.value)


# --- TLS -----------------------------------------------------------------------------------------------------------

@pytest.fixture
def tls_server(tmp_path):
    openssl = shutil.which('openssl')
    if openssl is None:
        pytest.skip('openssl is needed to make a self-signed certificate')
    cert, key = str(tmp_path / 'cert.pem'), str(tmp_path / 'key.pem')
    subprocess.run([openssl, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
                    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
                   check=True, capture_output=True)

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            body = b'{"ok": true}'
            self.send_response(200)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield 'https://127.0.0.1:{0}'.format(httpd.server_address[1]), cert
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def no_ca_environment(monkeypatch):
    # These machines point requests at a CA bundle through the environment; the default must be tested without it.
    for name in ('REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE', 'CURL_CA_BUNDLE'):
        monkeypatch.delenv(name, raising=False)


def test_tls_verification_is_on_by_default(tls_server, no_ca_environment):
    url, _cert = tls_server
    sleeps = []
    client = make_client(url, sleeps)
    assert client.session.verify is True
    with pytest.raises(TransportError) as caught:
        client.request('POST', '/x')
    # Not retried, not reported as ambiguous (nothing was sent), and the fix is named.
    assert not isinstance(caught.value, AmbiguousRequestError)
    assert client.stats['requests'] == 1 and sleeps == []
    assert 'certificate' in str(caught.value).lower() and 'set ca_path' in str(caught.value)


def test_tls_with_a_ca_bundle_verifies(tls_server, no_ca_environment):
    url, cert = tls_server
    assert make_client(url, [], ca_path=cert).request('GET', '/x').json == {'ok': True}


def test_ca_path_wins_over_a_ca_bundle_from_the_environment(tls_server, monkeypatch, tmp_path):
    url, cert = tls_server
    other = tmp_path / 'other-ca.pem'
    other.write_text(open(cert).read().replace('MII', 'MIJ', 1))  # a bundle that cannot verify this server
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', str(other))
    assert make_client(url, [], ca_path=cert).request('GET', '/x').json == {'ok': True}


def test_tls_verification_can_be_turned_off(tls_server, no_ca_environment):
    url, _cert = tls_server
    client = make_client(url, [], validate_certs=False)
    assert client.session.verify is False
    assert client.request('GET', '/x').json == {'ok': True}


# --- path segments -------------------------------------------------------------------------------------------------

def test_tuple_paths_are_percent_encoded_segment_by_segment(scripted_server):
    scripted_server.reply({'status': 200, 'body': {}})
    make_client(scripted_server.url, []).request('GET', ('v1', 'p 1', 'jobs', 'a?b#c%d'))
    assert scripted_server.requests[0]['path'] == '/v1/p%201/jobs/a%3Fb%23c%25d'


@pytest.mark.parametrize('path', [('v1', '..', 'x'), ('v1', '.'), ('v1', ''), '/v1/p/../../v3/projects',
                                  '/v1/./x'])
def test_dot_and_empty_segments_never_leave_the_client(scripted_server, path):
    with pytest.raises(TransportError):
        make_client(scripted_server.url, []).request('GET', path)
    assert scripted_server.requests == []


@pytest.mark.parametrize('value', ['../../../v3/projects', '..', 'a/b', 'x?y', '', '%2e%2e', 'a b'])
def test_ids_of_the_wrong_shape_fail_naming_the_option(value):
    with pytest.raises(OptionError) as caught:
        check_segment('job_ids', value)
    assert caught.value.option == 'job_ids'
    with pytest.raises(OptionError):
        check_segment('server_ids', value, UUID_SHAPE, 'a UUID')


def test_an_id_with_a_final_line_break_is_refused():
    """The shapes end with "$", which also matches before a final line break: ids ending in one used to pass (and
    a project id goes into the X-Project-Id header, where http.client raises on it)."""
    with pytest.raises(OptionError):
        check_segment('project_id', '0123456789abcdef0123456789abcdef\n')
    with pytest.raises(OptionError):
        check_segment('server_ids', '616fb98f-46ca-475e-917e-2563e5a8cd19\n', UUID_SHAPE, 'a UUID')


def test_ids_of_the_documented_shape_pass():
    assert check_segment('job_ids', '2c9eb2c5544cbf6101544f0602af2b4f') == '2c9eb2c5544cbf6101544f0602af2b4f'
    assert check_segment('server_ids', '616fb98f-46ca-475e-917e-2563e5a8cd19', UUID_SHAPE)


# --- URL options ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize('value', ['https://', 'garbage', 'ftp://host', 'https://host:99999', 'http://:80',
                                   'https://host/a/../b', 'https://user:pw@host', 'https://host?x=1', '', None])
def test_unusable_urls_fail_naming_the_option(value):
    with pytest.raises(OptionError) as caught:
        check_url('ocp_url', value)
    assert caught.value.option == 'ocp_url'


def test_https_only_apis_refuse_plain_http_unless_allowed():
    with pytest.raises(OptionError) as caught:
        check_url('bms_endpoint', 'http://127.0.0.1:8000', https_only=True, service='Huawei Cloud BMS')
    assert 'HTTPS only' in str(caught.value) and 'allow_insecure_http' in str(caught.value)
    assert check_url('bms_endpoint', 'http://127.0.0.1:8000/', https_only=True,
                     allow_insecure_http=True) == 'http://127.0.0.1:8000'
    assert check_url('ocp_url', ' http://127.0.0.1:8080 ') == 'http://127.0.0.1:8080'


# --- the caller's deadline -----------------------------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_a_retry_after_longer_than_the_budget_fails_at_once_naming_the_deadline(scripted_server):
    scripted_server.reply({'status': 429, 'headers': {'Retry-After': '20'}, 'body': {}})
    clock = Clock()
    client = make_client(scripted_server.url, [], clock=clock, deadline=clock.now + 10)
    clock.now += 2
    with pytest.raises(DeadlineError) as caught:
        client.request('GET', '/x')
    assert len(scripted_server.requests) == 1 and client.stats['retries'] == 0
    text = str(caught.value)
    assert 'retry after 20s' in text and '8.0s left' in text and 'wait_timeout' in text and 'HTTP 429' in text
    assert caught.value.to_dict()['retry_after'] == 20


def test_retries_that_fit_in_the_budget_are_made(scripted_server):
    scripted_server.reply({'status': 503, 'body': {}}, {'status': 200, 'body': {'ok': 1}})
    clock = Clock()
    sleeps = []
    client = make_client(scripted_server.url, sleeps, clock=clock, deadline=clock.now + 10)
    assert client.request('GET', '/x').json == {'ok': 1} and sleeps == [1.0]


def test_backoff_that_would_end_after_the_deadline_is_not_waited(scripted_server):
    scripted_server.reply({'status': 503, 'body': {}})
    clock = Clock()
    client = make_client(scripted_server.url, [], clock=clock, deadline=clock.now + 0.5)
    with pytest.raises(DeadlineError) as caught:
        client.request('GET', '/x')
    assert 'would retry after 1.0s' in str(caught.value)


class RecordingSession:
    """A requests.Session stand-in that records the timeout of each request and answers 200 {}."""

    def __init__(self):
        self.headers = {}
        self.verify = True
        self.timeouts = []

    def request(self, method, url, **kwargs):
        self.timeouts.append(kwargs['timeout'])

        class Raw:
            status_code = 200
            headers = {'Content-Type': 'application/json'}
            text = '{}'
            content = b'{}'
        return Raw()

    def close(self):
        pass


def sent_timeout(session):
    """(connect, read, total) of the last request: a plain (connect, read) pair has no total."""
    timeout = session.timeouts[-1]
    if isinstance(timeout, tuple):
        return timeout + (None,)
    return timeout.connect_timeout, timeout.read_timeout, timeout.total


def test_each_request_timeout_is_cut_to_the_time_left_before_the_deadline():
    clock, session = Clock(), RecordingSession()
    client = make_client('http://127.0.0.1:1', [], clock=clock, deadline=clock.now + 12, session=session,
                         timeout=30.0, connect_timeout=10.0)
    client.request('GET', '/x')
    assert sent_timeout(session) == (10.0, 12.0, 12.0)  # connecting and reading together within the 12 s
    clock.now += 9
    client.request('GET', '/x')
    assert sent_timeout(session) == (3.0, 3.0, 3.0)


def test_requests_keep_their_timeouts_when_the_deadline_is_far_or_absent():
    clock, session = Clock(), RecordingSession()
    make_client('http://127.0.0.1:1', [], clock=clock, deadline=clock.now + 100, session=session,
                timeout=30.0).request('GET', '/x')
    make_client('http://127.0.0.1:1', [], clock=clock, session=session, timeout=30.0).request('GET', '/x')
    assert session.timeouts == [(10.0, 30.0), (10.0, 30.0)]


@pytest.mark.parametrize('method', ['GET', 'POST'])
def test_a_request_with_too_little_time_left_is_not_sent_and_names_the_deadline(method):
    clock, session = Clock(), RecordingSession()
    client = make_client('http://127.0.0.1:1', [], clock=clock, deadline=clock.now + MIN_REQUEST_SECONDS - 0.1,
                         session=session)
    with pytest.raises(DeadlineError) as caught:
        client.request(method, '/x')
    assert session.timeouts == [] and client.stats['requests'] == 0
    err = caught.value
    assert '{0} /x was not sent: 0.4s are left before the deadline set by wait_timeout'.format(method) in str(err)
    assert err.request_cut_short and err.details['sent'] is False and err.details['deadline_option'] == 'wait_timeout'


def test_a_cleanup_call_is_still_sent_after_the_deadline_with_the_least_time():
    clock, session = Clock(), RecordingSession()
    client = make_client('http://127.0.0.1:1', [], clock=clock, deadline=clock.now - 5, session=session)
    client.request('GET', '/logout', cleanup=True)
    assert sent_timeout(session) == (MIN_REQUEST_SECONDS,) * 3


def test_a_read_slower_than_the_time_left_fails_at_the_deadline_naming_it(scripted_server):
    scripted_server.reply({'status': 200, 'body': {}, 'delay': 4})
    client = make_client(scripted_server.url, [], timeout=30.0, deadline=time.monotonic() + 1.0)
    started = time.monotonic()
    with pytest.raises(DeadlineError) as caught:
        client.request('GET', '/slow')
    elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 2.0, elapsed  # not request_timeout (30 s), nor the server's 4 s
    text = str(caught.value)
    assert 'GET /slow got no answer in the 1.0s left before the deadline set by wait_timeout' in text
    assert 'request_timeout is 30s' in text and 'raise wait_timeout' in text
    assert len(scripted_server.requests) == 1 and caught.value.details['sent'] is True


def test_a_post_cut_short_by_the_deadline_is_ambiguous_and_never_sent_again(scripted_server):
    scripted_server.reply({'status': 200, 'body': {}, 'delay': 4})
    client = make_client(scripted_server.url, [], timeout=30.0, deadline=time.monotonic() + 1.0)
    started = time.monotonic()
    with pytest.raises(AmbiguousRequestError) as caught:
        client.request('POST', '/act', json_body={'go': 1})
    assert time.monotonic() - started < 2.0
    assert len(scripted_server.requests) == 1
    text = str(caught.value)
    assert 'outcome of POST /act is unknown (no answer in the 1.0s left before the deadline set by wait_timeout' in text
    assert caught.value.details['deadline_option'] == 'wait_timeout'


def test_a_read_timeout_within_the_budget_is_retried_as_before(scripted_server):
    # request_timeout (0.5 s) binds, not the deadline: the timeout is an ordinary one, retried after a pause.
    scripted_server.reply({'status': 200, 'body': {}, 'delay': 1.5}, {'status': 200, 'body': {'ok': 1}})
    sleeps = []
    client = make_client(scripted_server.url, sleeps, timeout=0.5, deadline=time.monotonic() + 20)
    assert client.request('GET', '/x').json == {'ok': 1}
    assert sleeps == [1.0] and len(scripted_server.requests) == 2


def test_remaining_after_keeps_the_least_time_of_the_requests_still_to_send():
    clock = Clock()
    client = make_client('http://127.0.0.1:1', [], clock=clock, deadline=clock.now + 3)
    assert client.remaining_after(2) == 3 - 2 * MIN_REQUEST_SECONDS
    assert make_client('http://127.0.0.1:1', []).remaining_after(2) is None


# --- refusals that did nothing (the family's predicate) -------------------------------------------------------------

def test_a_refusal_the_policy_knows_is_resent_even_for_a_post(scripted_server):
    busy = {'status': 400, 'body': {'error': {'code': 'BUSY', 'message': 'retry later'}}}
    scripted_server.reply(busy, busy, {'status': 200, 'body': {'ok': 1}})
    sleeps = []
    policy = RetryPolicy(max_attempts=4, base_delay=1.0, jitter=0.0,
                         refused=lambda response: (response.json or {}).get('error', {}).get('code') == 'BUSY')
    assert make_client(scripted_server.url, sleeps, retry=policy).request('POST', '/act').json == {'ok': 1}
    assert sleeps == [1.0, 2.0] and len(scripted_server.requests) == 3


def test_without_the_predicate_a_400_is_an_error_at_once(scripted_server):
    scripted_server.reply({'status': 400, 'body': {'error': {'code': 'BUSY'}}})
    with pytest.raises(Exception):
        make_client(scripted_server.url, []).request('POST', '/act')
    assert len(scripted_server.requests) == 1


# --- credentials refused mid-way ------------------------------------------------------------------------------------

def test_stateless_credentials_refused_once_mid_way_are_sent_once_more(scripted_server):
    refused = {'status': 401, 'body': {'error': {'code': 0, 'message': 'unauthorized'}}}
    scripted_server.reply({'status': 200, 'body': {'n': 1}}, refused, {'status': 200, 'body': {'n': 2}})
    sleeps = []
    client = make_client(scripted_server.url, sleeps, auth=HTTPBasicAuth('u', 'p'))
    assert client.request('GET', '/x').json == {'n': 1}
    assert client.request('POST', '/x').json == {'n': 2}
    assert len(scripted_server.requests) == 3 and sleeps == [1.0]


def test_credentials_refused_at_the_start_fail_at_once(scripted_server):
    scripted_server.reply({'status': 401, 'body': {'error': {'code': 0, 'message': 'unauthorized'}}})
    with pytest.raises(AuthError) as caught:
        make_client(scripted_server.url, [], auth=HTTPBasicAuth('u', 'p')).request('GET', '/x')
    assert len(scripted_server.requests) == 1 and caught.value.refused_midway is False


def test_credentials_refused_twice_mid_way_are_reported_as_such(scripted_server):
    refused = {'status': 401, 'body': {'error': {'code': 0, 'message': 'unauthorized'}}}
    scripted_server.reply({'status': 200, 'body': {}}, refused)
    client = make_client(scripted_server.url, [], auth=HTTPBasicAuth('u', 'p'))
    client.request('GET', '/x')
    with pytest.raises(AuthError) as caught:
        client.request('GET', '/x')
    assert len(scripted_server.requests) == 3 and caught.value.refused_midway is True


# --- errors that name the option ------------------------------------------------------------------------------------

def test_a_persistent_5xx_on_a_post_keeps_status_code_and_request_id(scripted_server):
    scripted_server.reply({'status': 500, 'headers': {'X-Trace-Id': 'tr-9'},
                           'body': {'successful': False, 'status': 500, 'traceId': 'tr-9',
                                    'error': {'code': 60018, 'message': 'internal'}}})
    with pytest.raises(AmbiguousRequestError) as caught:
        make_client(scripted_server.url, []).request('POST', '/act')
    err = caught.value
    assert (err.http_status, err.code, err.request_id) == (500, 60018, 'tr-9')
    assert 'HTTP 500 (code 60018): internal (request id tr-9)' in str(err) and 'unknown' in str(err)


def test_an_unreadable_ca_bundle_names_ca_path(tmp_path):
    client = make_client('https://127.0.0.1:1', [], ca_path=str(tmp_path / 'missing.pem'))
    with pytest.raises(TransportError) as caught:
        client.request('GET', '/x')
    assert 'ca_path' in str(caught.value)


def test_connection_failures_name_the_url_option():
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    url = 'http://127.0.0.1:{0}/cas'.format(port)
    options = {'manager_url': 'http://127.0.0.1:1/web', 'cas_url': url}
    client = make_client('http://127.0.0.1:1/web', [], url_options=options)
    with pytest.raises(TransportError) as caught:
        client.request('GET', url + '/login')
    assert 'check option cas_url ({0})'.format(url) in str(caught.value)


def test_https_against_a_plain_http_server_says_so_once(scripted_server):
    https_url = scripted_server.url.replace('http://', 'https://')
    sleeps = []
    client = make_client(https_url, sleeps, url_options={'ocp_url': https_url})
    with pytest.raises(TransportError) as caught:
        client.request('GET', '/x')
    assert sleeps == [] and 'answers in plain HTTP' in str(caught.value) and 'ocp_url' in str(caught.value)


def test_plain_http_against_a_tls_server_says_so_once(tls_server, no_ca_environment):
    url, _cert = tls_server
    plain = url.replace('https://', 'http://')
    sleeps = []
    client = make_client(plain, sleeps, url_options={'ocp_url': plain})
    with pytest.raises(TransportError) as caught:
        client.request('POST', '/x')
    assert not isinstance(caught.value, AmbiguousRequestError)
    assert sleeps == [] and 'speaks TLS' in str(caught.value) and 'ocp_url' in str(caught.value)
