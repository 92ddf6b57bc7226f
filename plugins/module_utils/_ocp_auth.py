# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""OCP authentication: HTTP Basic and the AccessKey signature ``OCP-ACCESS-KEY-HMACSHA1``.

Reference: shared/api/ocp.md s3. Both are ``requests`` auth objects, so the
signer signs the final prepared request: exactly the bytes, headers and query
string that go on the wire.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import email.utils
import hashlib
import hmac
import time

try:
    from urllib.parse import parse_qsl, quote, urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported by the collection
    pass

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import OptionError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import (
    AuthBase,
    HTTPBasicAuth,
    check_access_key,
)

AKSK_ALGORITHM = 'OCP-ACCESS-KEY-HMACSHA1'
BASIC = 'basic'
AKSK = 'aksk'


def _rfc3986(text):
    # Unreserved set of RFC 3986 stays literal; everything else is %XX with upper-case hex.
    return quote(text, safe='-._~')


def canonical_query(query_string):
    """The query part of the signed resource (ocp.md s3.2 item 7).

    Keys sorted; a repeated key's values sorted and joined with ``,`` and the
    *joined* string percent-encoded, as the vendor's Java sample does
    (``a=1&a=2`` signs as ``a=1%2C2``; the prose would encode each value).
    """
    grouped = {}
    for key, value in parse_qsl(query_string or '', keep_blank_values=True):
        grouped.setdefault(key, []).append(value)
    return '&'.join('{0}={1}'.format(_rfc3986(key), _rfc3986(','.join(sorted(grouped[key]))))
                    for key in sorted(grouped))


def string_to_sign(method, body, content_type, date, host, headers, path, query_string):
    """The newline-joined message of ocp.md s3.2; an empty field still contributes its newline."""
    if isinstance(body, str):
        body = body.encode('utf-8')
    content_md5 = hashlib.md5(body).hexdigest().upper() if body else ''  # nosec - protocol-defined digest
    lowered = dict((name.lower(), str(value).strip()) for name, value in (headers or {}).items())
    # Header names sorted; one header's comma-separated values kept in the order sent (the
    # documented example signs "x-ocp-data:A,1", not "1,A").
    ocp_headers = '\n'.join('{0}:{1}'.format(name, lowered[name])
                            for name in sorted(n for n in lowered if n.startswith('x-ocp')))
    query = canonical_query(query_string)
    resource = path + ('?' + query if query else '')
    return '\n'.join([method.upper(), content_md5, content_type or '', date or '', host or '', ocp_headers, resource])


def signature(secret_key, message):
    digest = hmac.new(secret_key.encode('utf-8'), message.encode('utf-8'), hashlib.sha1).digest()
    return base64.b64encode(digest).decode('ascii')


def _host_as_sent(url):
    netloc = urlsplit(url).netloc
    return netloc.rsplit('@', 1)[-1]


class OcpAccessKeyAuth(AuthBase):
    """Signs every request with an OCP AccessKey pair (OCP 4.0.3 and later)."""

    def __init__(self, access_key, secret_key, now=time.time):
        self.access_key = access_key
        self.secret_key = secret_key
        self.now = now

    def __call__(self, request):
        # Date must be within 15 minutes of the server's clock (ocp.md s3.2); set it here so
        # a retried request is signed afresh. Host is set explicitly so the signed value is
        # the one sent, whatever the HTTP library would otherwise choose.
        request.headers['Date'] = email.utils.formatdate(self.now(), usegmt=True)
        request.headers['Host'] = _host_as_sent(request.url)
        parts = urlsplit(request.url)
        message = string_to_sign(
            request.method, request.body, request.headers.get('Content-Type', ''), request.headers['Date'],
            request.headers['Host'], request.headers, parts.path or '/', parts.query)
        request.headers['Authorization'] = '{0} {1}:{2}'.format(
            AKSK_ALGORITHM, self.access_key, signature(self.secret_key, message))
        return request


def choose_auth_method(params):
    """``auto`` means AK/SK when an access key is set, Basic otherwise."""
    method = params.get('auth_method') or 'auto'
    if method == 'auto':
        return AKSK if params.get('access_key') else BASIC
    return method


def build_auth(params):
    """The ``requests`` auth object for the chosen scheme; ``OptionError`` before any request if incomplete."""
    method = choose_auth_method(params)
    if method == AKSK:
        for option, env in (('access_key', 'OCP_ACCESS_KEY'), ('secret_key', 'OCP_SECRET_KEY')):
            if not params.get(option):
                raise OptionError(option, 'is required for auth_method=aksk',
                                  'Set {0} (or the {1} environment variable), or use auth_method=basic with '
                                  'username and password.'.format(option, env))
        return OcpAccessKeyAuth(check_access_key(params['access_key']), params['secret_key'])
    for option, env in (('username', 'OCP_USERNAME'), ('password', 'OCP_PASSWORD')):
        if not params.get(option):
            raise OptionError(option, 'is required for HTTP Basic authentication (auth_method={0})'.format(
                params.get('auth_method') or 'auto'),
                'Set {0} (or the {1} environment variable), or set access_key and secret_key to sign requests '
                'with an OCP AccessKey.'.format(option, env))
    return HTTPBasicAuth(params['username'], params['password'])
