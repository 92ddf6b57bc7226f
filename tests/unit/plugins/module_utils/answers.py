# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ambiguous action outcomes as the transport raises them, for the tests of the family runners."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import AmbiguousRequestError


def refused(status=500, code=10010, api='OCP'):
    """A POST the API itself answered with its error envelope (``code`` is the API's error code)."""
    return AmbiguousRequestError(api, 'POST', '/x', 'HTTP {0}'.format(status), http_status=status, code=code,
                                 api_message='unexpected', request_id='tr')


def unanswered(api='OCP'):
    """A POST that got no answer (read timeout)."""
    return AmbiguousRequestError(api, 'POST', '/x', 'ReadTimeout')
