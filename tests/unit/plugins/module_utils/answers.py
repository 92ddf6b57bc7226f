# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ambiguous action outcomes as the transport raises them, for the tests of the family runners."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import AmbiguousRequestError, DeadlineError


def refused(status=500, code=10010, api='OCP'):
    """A POST the API itself answered with its error envelope (``code`` is the API's error code)."""
    return AmbiguousRequestError(api, 'POST', '/x', 'HTTP {0}'.format(status), http_status=status, code=code,
                                 api_message='unexpected', request_id='tr')


def unanswered(api='OCP'):
    """A POST that got no answer (read timeout)."""
    return AmbiguousRequestError(api, 'POST', '/x', 'ReadTimeout')


def out_of_time(sent=False, api='OCP', method='GET'):
    """A request the transport did not send (or got no answer to) before the caller's deadline."""
    return DeadlineError('{0} API: {1} /x was not sent: 0.2s are left before the deadline set by wait_timeout'.format(
        api, method), method=method, path='/x', api=api, remaining=0.2, deadline_option='wait_timeout', sent=sent)


def retry_out_of_time(api='OCP'):
    """A retry whose Retry-After did not fit in what was left (the request itself was answered)."""
    return DeadlineError('{0} API: GET /x was not retried: asked to retry after 20s'.format(api), method='GET',
                         path='/x', api=api, retry_after=20, deadline_option='wait_timeout')
