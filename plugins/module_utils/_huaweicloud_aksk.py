# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Huawei Cloud AK/SK request signing (``SDK-HMAC-SHA256``), exactly as bms.md s3.3 describes it.

The signer runs as a ``requests`` auth object, so it signs the final prepared
request: the exact body bytes, the exact query string and every header that
will be sent. Checked in the unit tests against the documented vector and
against the vendor SDK's own ``Signer``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime
import hashlib
import hmac

from urllib.parse import parse_qsl, quote, unquote, urlsplit

from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import AuthBase


ALGORITHM = 'SDK-HMAC-SHA256'
DATE_FORMAT = '%Y%m%dT%H%M%SZ'
EMPTY_SHA256 = hashlib.sha256(b'').hexdigest()


def _encode(value):
    # RFC 3986 with "~" left bare, as the vendor signer does.
    return quote(value, safe='~')


def canonical_uri(path):
    """URL-decode the path, encode each segment, always end with ``/``."""
    encoded = '/'.join(_encode(segment) for segment in unquote(path or '/').split('/'))
    return encoded if encoded.endswith('/') else encoded + '/'


def canonical_query(pairs):
    """Sorted ``k=v`` pairs (a repeated key's values sorted too), each side encoded."""
    return '&'.join('{0}={1}'.format(_encode(key), _encode(value)) for key, value in sorted(pairs))


def payload_hash(headers, body):
    lowered = dict((name.lower(), value) for name, value in headers.items())
    if lowered.get('x-sdk-content-sha256'):
        return lowered['x-sdk-content-sha256']
    if not body:
        return EMPTY_SHA256
    if not isinstance(body, bytes):
        body = body.encode('utf-8')
    return hashlib.sha256(body).hexdigest()


def signed_header_names(headers):
    # The vendor signer skips header names containing "_" (proxies may drop them).
    return sorted(set(name.lower() for name in headers if '_' not in name))


def canonical_request(method, path, query_pairs, headers, body):
    """(canonical request text, signed header names) for one request."""
    names = signed_header_names(headers)
    values = dict((name.lower(), str(value).strip()) for name, value in headers.items())
    header_block = ''.join('{0}:{1}\n'.format(name, values[name]) for name in names)
    text = '\n'.join([method.upper(), canonical_uri(path), canonical_query(query_pairs), header_block,
                      ';'.join(names), payload_hash(headers, body)])
    return text, names


def string_to_sign(canonical, sdk_date):
    return '\n'.join([ALGORITHM, sdk_date, hashlib.sha256(canonical.encode('utf-8')).hexdigest()])


def signature(secret_key, text):
    return hmac.new(secret_key.encode('utf-8'), text.encode('utf-8'), hashlib.sha256).hexdigest()


def authorization(access_key, secret_key, method, path, query_pairs, headers, body):
    """The ``Authorization`` header value for a request whose headers already hold X-Sdk-Date and Host."""
    sdk_date = next(value for name, value in headers.items() if name.lower() == 'x-sdk-date')
    canonical, names = canonical_request(method, path, query_pairs, headers, body)
    return '{0} Access={1}, SignedHeaders={2}, Signature={3}'.format(
        ALGORITHM, access_key, ';'.join(names), signature(secret_key, string_to_sign(canonical, sdk_date)))


def host_header(url):
    """``hostname[:port]`` with the scheme's default port dropped."""
    parts = urlsplit(url)
    default = {'https': 443, 'http': 80}.get(parts.scheme)
    host = parts.hostname or ''
    if ':' in host:  # IPv6 literal
        host = '[{0}]'.format(host)
    if parts.port and parts.port != default:
        host = '{0}:{1}'.format(host, parts.port)
    return host


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


class AkSkAuth(AuthBase):
    """Signs every request with the access key pair; adds X-Sdk-Date, Host and X-Project-Id first.

    No refresh: a refused signature is a configuration error (wrong key or
    clock skew) that a retry cannot fix, so it surfaces as ``AuthError``.
    """

    method = 'aksk'

    def __init__(self, access_key, secret_key, project_id=None, clock=utc_now):
        self.access_key = access_key
        self.secret_key = secret_key
        self.project_id = project_id
        self.clock = clock

    def __call__(self, request):
        request.headers['X-Sdk-Date'] = self.clock().strftime(DATE_FORMAT)
        if 'Host' not in request.headers:
            request.headers['Host'] = host_header(request.url)
        if self.project_id:
            request.headers['X-Project-Id'] = self.project_id
        parts = urlsplit(request.url)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        request.headers['Authorization'] = authorization(
            self.access_key, self.secret_key, request.method, parts.path, pairs, request.headers, request.body)
        return request

    def describe_refusal(self):
        return ('the access key pair was refused: check access_key and secret_key '
                '(HUAWEICLOUD_SDK_AK / HUAWEICLOUD_SDK_SK) and that the clock is within 15 minutes of UTC')
