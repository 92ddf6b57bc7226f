# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ambiguous action outcomes as the transport raises them, for the tests of the family runners."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import requests

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import AmbiguousRequestError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import Response


def answered(status, body, api='OCP'):
    """The ``AmbiguousRequestError`` of a POST answered ``status`` with the JSON ``body``."""
    raw = requests.models.Response()
    raw.status_code = status
    raw._content = json.dumps(body).encode('utf-8')
    raw.headers['Content-Type'] = 'application/json'
    return AmbiguousRequestError(api, 'POST', '/x', 'HTTP {0}'.format(status), response=Response(raw, 'POST', '/x'))


def unanswered(api='OCP'):
    """The ``AmbiguousRequestError`` of a POST that got no answer (read timeout)."""
    return AmbiguousRequestError(api, 'POST', '/x', 'ReadTimeout')
