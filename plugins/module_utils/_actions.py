# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every family does after an action whose outcome is unknown.

An action POST that timed out, lost its connection, got a 5xx or an unreadable 2xx may have been applied,
possibly after the client gave up (a server still working on a slow request applies it later). It is sent
again only when the documents give a way to prove it was not applied: the API itself answered with its
own error envelope (so the request has ended on the server) and the API's records (task list, status)
show no trace of it. Otherwise the records are watched for a grace period: what appears (a task, a status
change) is followed; when nothing appears the run fails, naming what to check, and sends nothing more.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import time

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    ApiError,
    DeadlineError,
    UnconfirmedActionError,
    WaitTimeoutError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._waiter import wait_until

# A request the server is still working on when the client gives up usually lands within a couple of read
# timeouts; watch at least this long (the run's wait budget permitting). The same rule as bms_power's.
GRACE_MINIMUM = 10.0
GRACE_READ_TIMEOUTS = 2.0


def grace_period(http, remaining):
    """Seconds to watch for the effect of an unanswered action, within ``remaining`` seconds of budget."""
    read_timeout = http.timeout[1] if isinstance(http.timeout, tuple) else http.timeout
    return max(0.0, min(remaining, max(GRACE_MINIMUM, GRACE_READ_TIMEOUTS * float(read_timeout or 0))))


def refusal(err):
    """The API's own error when it refused the request of ``err`` (an ``AmbiguousRequestError``), else None.

    A 5xx that carries the API's error code was answered by the API itself, in its error envelope: the
    request has ended there, so what the API shows afterwards is final. No answer, an answer from
    something else (a gateway's 502/504 page has no API code) or a 2xx (accepted, only unreadable) prove
    nothing.
    """
    if (getattr(err, 'http_status', None) or 0) < 500 or getattr(err, 'code', None) is None:
        return None
    return ApiError(err.api, err.method, err.path, err.http_status, code=err.code, api_message=err.api_message,
                    request_id=err.request_id)


def await_effect(fetch, applied, grace, action, cause, check, describe=repr, follow_up=None, schedule=None,
                 clock=time.monotonic, sleep=time.sleep):
    """Poll ``fetch()`` for up to ``grace`` seconds until ``applied(value)``; return that value.

    When nothing shows the action was applied, raise ``UnconfirmedActionError`` naming ``check``
    (where the operator can see whether it was).
    """
    try:
        return wait_until(fetch, applied, grace, 'a sign that {0} was applied'.format(action), describe=describe,
                          follow_up=follow_up, schedule=schedule, clock=clock, sleep=sleep)
    except WaitTimeoutError as timeout:
        if timeout.cut_short_by is not None:
            raise _out_of_time(action, cause, check, follow_up, timeout.cut_short_by, last_state=timeout.last_state,
                               grace=grace)
        raise UnconfirmedActionError(action, cause, grace, last_state=timeout.last_state, check=check,
                                     follow_up=follow_up)
    except DeadlineError as err:
        raise _out_of_time(action, cause, check, follow_up, err, grace=grace)


@contextlib.contextmanager
def looking_back(action, lost, check, follow_up=None):
    """Around the reads that learn what became of an action whose outcome is unknown (``lost``, an
    ``AmbiguousRequestError``): when the caller's deadline leaves no time for them (``DeadlineError``), the
    run fails with ``UnconfirmedActionError`` naming that deadline and ``check``, never as if nothing had
    been sent."""
    try:
        yield
    except DeadlineError as err:
        raise _out_of_time(action, lost.describe_cause(), check, follow_up, err)


def _out_of_time(action, cause, check, follow_up, err, last_state=None, grace=0.0):
    return UnconfirmedActionError(action, cause, grace, last_state=last_state, check=check, follow_up=follow_up,
                                  deadline_option=err.details.get('deadline_option') or 'wait_timeout')
