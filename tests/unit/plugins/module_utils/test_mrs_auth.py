# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils._envelopes import MRS_API, mrs_error
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import AuthError, TransportError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._mrs_auth import (
    MrsSessionAuth,
    default_cas_url,
    parse_login_ticket,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import HttpClient, RetryPolicy

OK_LOGIN = {'id': -1, 'state': 'COMPLETE', 'error_code': 0, 'error_description': '', 'total_progress': 0,
            'modify_pwd': False, 'exist_cluster': True, 'remind_pwd': False, 'ref_URL': '', 'token': 'x'}
DATA = {'id': -1, 'state': 'COMPLETE', 'error_code': 0, 'res_obj': {'state': 'GOOD'}}
LOGIN_PAGE = ('<form method="post"><input name="username"/>'
              '<input type="hidden" name="lt" value="LT-1-cas" /><input name="_eventId" value="submit"/></form>')
BAD_PAGE = ('<div id="msg" class="errors">The credentials you provided cannot be determined to be authentic.</div>'
            + LOGIN_PAGE.replace('LT-1', 'LT-2'))
CHANGE_PAGE = '<script>window.location.href="/web/pages/modify_password.html";</script>'


def session(server):
    http = HttpClient(server.url + '/web', MRS_API, mrs_error, retry=RetryPolicy(max_attempts=2, jitter=0.0),
                      sleep=lambda s: None)
    http.auth = MrsSessionAuth(http, server.url + '/web', 'admin', 's3cret', cas_url=server.url + '/cas')
    return http


def cas_redirect(server):
    return {'status': 302, 'headers': {'Location': server.url + '/cas/login?service=x'}}


def cas_login_replies(server):
    return [
        cas_redirect(server),
        {'status': 200, 'headers': {'Content-Type': 'text/html', 'Set-Cookie': 'casSessionId=c1; Path=/cas'},
         'body': LOGIN_PAGE},
        {'status': 302, 'headers': {'Location': server.url + '/web/cas_security_check.htm?ticket=ST-1',
                                    'Set-Cookie': 'CASTGC=TGT-1; Path=/cas'}},
        {'status': 200, 'headers': {'Set-Cookie': 'JSESSIONID=J1; Path=/web'}, 'body': OK_LOGIN},
    ]


def test_security_cluster_logs_in_through_cas_once_and_sends_the_session_cookie(scripted_server):
    scripted_server.reply(*cas_login_replies(scripted_server))
    scripted_server.reply({'status': 200, 'body': DATA}, {'status': 200, 'body': DATA})
    http = session(scripted_server)
    assert http.request('GET', '/v1/cluster/1/status').json == DATA
    http.request('GET', '/v1/cluster/1/status')
    paths = [(r['method'], r['path'].split('?')[0]) for r in scripted_server.requests]
    assert paths == [('GET', '/web/v1/access/login_check'), ('GET', '/cas/login'), ('POST', '/cas/login'),
                     ('GET', '/web/v1/access/login_check'), ('GET', '/web/v1/cluster/1/status'),
                     ('GET', '/web/v1/cluster/1/status')]
    post = scripted_server.requests[2]
    assert 'service=' in post['path'] and 'cas_security_check.htm' in post['path']
    assert post['headers']['Content-Type'] == 'application/x-www-form-urlencoded'
    assert sorted(post['body'].decode().split('&')) == sorted(
        ['username=admin', 'password=s3cret', 'lt=LT-1-cas', '_eventId=submit', 'submit=Login'])
    assert 'casSessionId=c1' in post['headers']['Cookie']
    assert 'JSESSIONID=J1' in scripted_server.requests[4]['headers']['Cookie']
    assert http.auth.security is True and http.auth.logins == 1


def test_wrong_password_is_reported_and_never_retried(scripted_server):
    replies = cas_login_replies(scripted_server)[:2] + [{'status': 200, 'headers': {'Content-Type': 'text/html'},
                                                         'body': BAD_PAGE}]
    scripted_server.reply(*replies)
    http = session(scripted_server)
    with pytest.raises(AuthError) as caught:
        http.request('GET', '/v1/clusters')
    assert 'wrong user name or password' in str(caught.value) and "'admin'" in str(caught.value)
    assert 'or the account is locked' in str(caught.value) and '5 wrong passwords in a row' in str(caught.value)
    assert 's3cret' not in str(caught.value)
    assert [r['method'] for r in scripted_server.requests].count('POST') == 1
    assert len(scripted_server.requests) == 3  # no data request, no second login


def test_password_that_must_be_changed_is_reported_as_such(scripted_server):
    replies = cas_login_replies(scripted_server)[:2] + [{'status': 200, 'headers': {'Content-Type': 'text/html'},
                                                         'body': CHANGE_PAGE}]
    scripted_server.reply(*replies)
    with pytest.raises(AuthError) as caught:
        session(scripted_server).request('GET', '/v1/clusters')
    assert 'must be changed' in str(caught.value)


def test_modify_pwd_in_login_check_means_password_must_change(scripted_server):
    replies = cas_login_replies(scripted_server)
    replies[-1] = {'status': 200, 'body': dict(OK_LOGIN, modify_pwd=True)}
    scripted_server.reply(*replies)
    with pytest.raises(AuthError) as caught:
        session(scripted_server).request('GET', '/v1/clusters')
    assert 'must be changed' in str(caught.value)


def test_cas_page_without_login_ticket_fails_clearly(scripted_server):
    scripted_server.reply(cas_redirect(scripted_server), {'status': 200, 'body': '<html>maintenance</html>'})
    with pytest.raises(AuthError) as caught:
        session(scripted_server).request('GET', '/v1/clusters')
    assert 'no login ticket' in str(caught.value)


def test_normal_cluster_sends_basic_credentials_once_when_login_check_refuses_anonymous(scripted_server):
    scripted_server.reply({'status': 401, 'body': {'state': 'FAILED', 'error_code': 401}},
                          {'status': 200, 'headers': {'Set-Cookie': 'FISessionId=F1; Path=/web'}, 'body': OK_LOGIN},
                          {'status': 200, 'body': DATA})
    http = session(scripted_server)
    http.request('GET', '/v1/clusters')
    first, second, third = scripted_server.requests
    assert 'Authorization' not in first['headers']
    assert second['headers']['Authorization'] == 'Basic ' + base64.b64encode(b'admin:s3cret').decode()
    assert 'Authorization' not in third['headers'] and 'FISessionId=F1' in third['headers']['Cookie']
    assert http.auth.security is False


def test_normal_cluster_wrong_password_is_reported(scripted_server):
    refused = {'status': 401, 'body': {'state': 'FAILED', 'error_code': 401,
                                       'error_description': 'The credentials you provided cannot be determined to be authentic.'}}
    scripted_server.reply(refused, refused, {'status': 200, 'body': DATA})
    with pytest.raises(AuthError) as caught:
        session(scripted_server).request('GET', '/v1/clusters')
    assert 'wrong user name or password' in str(caught.value)
    assert len(scripted_server.requests) == 2


def test_other_refusals_carry_the_managers_words(scripted_server):
    locked = {'status': 401, 'body': {'state': 'FAILED', 'error_code': 401,
                                      'error_description': 'the account has been locked'}}
    scripted_server.reply(locked, locked)
    with pytest.raises(AuthError) as caught:
        session(scripted_server).request('GET', '/v1/clusters')
    assert 'the account has been locked' in str(caught.value)


def test_documented_normal_cluster_session_from_plain_login_check(scripted_server):
    scripted_server.reply({'status': 200, 'headers': {'Set-Cookie': 'FISessionId=F1; Path=/web'}, 'body': OK_LOGIN},
                          {'status': 200, 'body': DATA})
    http = session(scripted_server)
    http.request('GET', '/v1/clusters')
    assert len(scripted_server.requests) == 2 and 'FISessionId=F1' in scripted_server.requests[1]['headers']['Cookie']


@pytest.mark.parametrize('expired', [
    'redirect',
    {'status': 401, 'body': {'state': 'FAILED', 'error_code': 401, 'error_description': 'session invalid or expired'}},
])
def test_expired_session_is_reestablished_once_and_the_request_resent(scripted_server, expired):
    server = scripted_server
    expired = cas_redirect(server) if expired == 'redirect' else expired
    server.reply(*cas_login_replies(server))
    server.reply({'status': 200, 'body': DATA}, expired)
    server.reply(*cas_login_replies(server))
    server.reply({'status': 200, 'body': DATA})
    http = session(server)
    http.request('GET', '/v1/a')
    assert http.request('GET', '/v1/b').json == DATA
    assert http.auth.logins == 2 and http.stats['reauthentications'] == 1
    assert [r['path'] for r in server.requests].count('/web/v1/b') == 2


def test_session_refused_again_after_relogin_fails_instead_of_looping(scripted_server):
    server = scripted_server
    server.reply(*cas_login_replies(server))
    server.reply(cas_redirect(server))
    server.reply(*cas_login_replies(server))
    server.reply(cas_redirect(server))
    http = session(server)
    with pytest.raises(AuthError):
        http.request('GET', '/v1/b')
    assert http.auth.logins == 2


def test_logout_ends_web_and_cas_sessions_best_effort(scripted_server):
    scripted_server.reply(*cas_login_replies(scripted_server))
    scripted_server.reply({'status': 200, 'body': DATA}, {'status': 302, 'headers': {'Location': '/cas/logout'}},
                          {'status': 500, 'body': 'boom'})
    http = session(scripted_server)
    http.request('GET', '/v1/clusters')
    http.auth.logout()  # the CAS logout's 500 is ignored
    tail = [(r['method'], r['path']) for r in scripted_server.requests[-2:]]
    assert tail == [('GET', '/web/v1/logout_action?is_timeout_logout=false'), ('POST', '/cas/logout')]
    count = len(scripted_server.requests)
    http.auth.logout()
    assert len(scripted_server.requests) == count


def test_no_logout_without_login(scripted_server):
    http = session(scripted_server)
    http.auth.logout()
    assert scripted_server.requests == []


@pytest.mark.parametrize('html, ticket', [
    ('<input type="hidden" name="lt" value="LT-9-cas" />', 'LT-9-cas'),
    ("<input value='LT-8' name='lt' type='hidden'>", 'LT-8'),
    ('<INPUT NAME="lt" VALUE="LT-7">', 'LT-7'),
    ('<input name="lt" value="">', None),
    ('<input name="ltx" value="LT-6">', None),
    ('', None),
])
def test_parse_login_ticket(html, ticket):
    assert parse_login_ticket(html) == ticket


@pytest.mark.parametrize('manager, cas', [
    ('https://192.0.2.10:28443/web', 'https://192.0.2.10:20009/cas'),
    ('https://mrs.example.com/web/', 'https://mrs.example.com:20009/cas'),
    ('https://[2001:db8::1]:28443/web', 'https://[2001:db8::1]:20009/cas'),
    ('not a url', None),
])
def test_default_cas_url(manager, cas):
    assert default_cas_url(manager) == cas


LOCKED_PAGES = [
    # CAS's own lockout page (and the simulator's): no wrong-credentials text.
    '<div id="msg" class="errors">The account has been locked. Try again later.</div>' + LOGIN_PAGE,
    # A reading where the lockout repeats the wrong-credentials text and says why.
    '<div id="msg" class="errors">The credentials you provided cannot be determined to be authentic. '
    'This account is locked.</div>' + LOGIN_PAGE,
]


@pytest.mark.parametrize('page', LOCKED_PAGES)
def test_locked_account_is_reported_as_locked_not_as_a_wrong_password(scripted_server, page):
    replies = cas_login_replies(scripted_server)[:2] + [{'status': 200, 'headers': {'Content-Type': 'text/html'},
                                                         'body': page}]
    scripted_server.reply(*replies)
    with pytest.raises(AuthError) as caught:
        session(scripted_server).request('GET', '/v1/clusters')
    message = str(caught.value)
    assert "the account 'admin' is locked" in message and 'wrong user name or password' not in message
    assert '5 minutes after 5 wrong passwords' in message
    assert [r['method'] for r in scripted_server.requests].count('POST') == 1


def test_normal_cluster_locked_account_is_reported_as_locked(scripted_server):
    scripted_server.reply({'status': 401, 'body': {'id': -1, 'state': 'FAILED', 'error_code': 401}},
                          {'status': 401, 'body': {'id': -1, 'state': 'FAILED', 'error_code': 401,
                                                   'error_description': 'the account has been locked'}})
    with pytest.raises(AuthError) as caught:
        session(scripted_server).request('GET', '/v1/clusters')
    assert "the account 'admin' is locked: the account has been locked" in str(caught.value)


@pytest.mark.parametrize('given', [False, True])
def test_unreachable_cas_names_cas_url_where_it_came_from_and_where_the_manager_points(scripted_server, given):
    elsewhere = scripted_server.url + '/cas'
    scripted_server.reply(cas_redirect(scripted_server))
    http = HttpClient(scripted_server.url + '/web', MRS_API, mrs_error, retry=RetryPolicy(max_attempts=1),
                      sleep=lambda s: None)
    # Nothing listens on port 1 of the loopback: the connection is refused.
    http.auth = MrsSessionAuth(http, scripted_server.url + '/web', 'admin', 's3cret',
                               cas_url='http://127.0.0.1:1/cas' if given else None)
    if not given:  # the default (port 20009 of the Manager's host), moved where nothing listens
        assert http.auth.cas_url == 'http://127.0.0.1:20009/cas'
        http.auth.cas_url = 'http://127.0.0.1:1/cas'
    with pytest.raises(TransportError) as caught:
        http.request('GET', '/v1/clusters')
    message = str(caught.value)
    assert 'Option cas_url is ' + ('set to' if given else 'not set, so it defaulted to') + \
        ' http://127.0.0.1:1/cas' in message
    assert 'the Manager sent the login to ' + elsewhere in message
    assert 'Set cas_url (or MRS_CAS_URL)' in message
    assert not [r for r in scripted_server.requests if r['method'] == 'POST']
