# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed errors shared by every client and module of the collection.

Every error knows how to describe itself for an operator (``str(err)``) and as
structured data for the task result (``err.to_dict()``). Credentials never
appear in either.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class QuiesceError(Exception):
    """Base of every error the collection raises on purpose.

    ``partial_result`` may carry what was done before the failure (for example
    the servers that did power off) so the module can still report it.
    """

    partial_result = None

    def __init__(self, message, **details):
        super(QuiesceError, self).__init__(message)
        self.message = message
        self.details = dict((k, v) for k, v in details.items() if v is not None)

    def to_dict(self):
        result = {'type': type(self).__name__, 'message': self.message}
        result.update(self.details)
        return result

    def __str__(self):
        return self.message


class OptionError(QuiesceError):
    """An option value is unusable; raised before any request is sent."""

    def __init__(self, option, problem, fix):
        message = 'Option {0!r}: {1}. {2}'.format(option, problem.rstrip('.'), fix)
        super(OptionError, self).__init__(message, option=option)
        self.option = option


class TransportError(QuiesceError):
    """The request could not be completed: unreachable host, TLS failure, repeated drops."""

    def __init__(self, message, method=None, path=None, api=None, **details):
        super(TransportError, self).__init__(message, method=method, path=path, api=api, **details)
        self.method = method
        self.path = path
        self.api = api


class DeadlineError(TransportError):
    """The caller's budget ran out in the transport.

    Either a retry (or its ``Retry-After``) would not fit in what is left, so it was not made; or a request
    itself found too little time left to be sent, or got no answer in the time it was cut to
    (``request_cut_short``; ``details['sent']`` says whether it was sent).
    """

    @property
    def request_cut_short(self):
        """True when the request itself ran out of the caller's time (not sent, or no answer in time)."""
        return 'sent' in self.details


class ApiError(QuiesceError):
    """The API answered with an error.

    ``http_status`` is the HTTP status, ``code``/``api_message`` the API's own
    error code and text, ``request_id`` the trace or request id the vendor's
    support needs to follow the call up.
    """

    def __init__(self, api, method, path, http_status, code=None, api_message=None, request_id=None, summary=None):
        self.api = api
        self.method = method
        self.path = path
        self.http_status = http_status
        self.code = code
        self.api_message = api_message
        self.request_id = request_id
        message = '{0} API error: {1} {2} returned HTTP {3}'.format(api, method, path, http_status)
        if code not in (None, ''):
            message += ' (code {0})'.format(code)
        details = [str(text) for text in (api_message, summary) if text]
        if details:
            message += ': ' + '; '.join(details)
        if request_id:
            message += ' (request id {0})'.format(request_id)
        super(ApiError, self).__init__(
            message, api=api, method=method, path=path, http_status=http_status,
            code=code, api_message=api_message, request_id=request_id)


class AuthError(ApiError):
    """Authentication or authorization failed (wrong credentials, expired session, no permission)."""


class NotFoundError(ApiError):
    """The API says the addressed object does not exist."""


class AmbiguousRequestError(QuiesceError):
    """A non-idempotent request may or may not have taken effect.

    Raised instead of replaying an action blindly (connection dropped after the
    request was sent, read timeout, 5xx, unreadable answer). The caller must
    re-read the target's state before deciding whether to send it again.
    """

    def __init__(self, api, method, path, cause, http_status=None, code=None, api_message=None, request_id=None):
        self.api = api
        self.method = method
        self.path = path
        self.cause = cause
        self.http_status = http_status
        self.code = code
        self.api_message = api_message
        self.request_id = request_id
        message = ('{0} API: the outcome of {1} {2} is unknown ({3}); the action may or may not have been '
                   'applied, so it was not repeated blindly').format(api, method, path, self.describe_cause())
        super(AmbiguousRequestError, self).__init__(
            message, api=api, method=method, path=path, cause=str(cause), http_status=http_status, code=code,
            api_message=api_message, request_id=request_id)

    def describe_cause(self):
        """The cause with what the API said: ``HTTP 500 (code X): text (request id Y)``."""
        text = str(self.cause)
        if self.code not in (None, ''):
            text += ' (code {0})'.format(self.code)
        if self.api_message:
            text += ': {0}'.format(self.api_message)
        if self.request_id:
            text += ' (request id {0})'.format(self.request_id)
        return text


class UnconfirmedActionError(AmbiguousRequestError):
    """An action whose outcome is unknown, watched for a grace period without any sign that it was applied.

    Nothing in the documents proves it was not applied, so it was not sent again either: the
    operator must look at ``check`` (the API's own record of it) before running the task again.
    """

    def __init__(self, action, cause, grace, last_state=None, check=None, follow_up=None, deadline_option=None):
        super(UnconfirmedActionError, self).__init__(None, None, None, cause)
        self.action = action
        self.grace = grace
        self.last_state = last_state
        self.check = check
        self.follow_up = follow_up or {}
        self.deadline_option = deadline_option
        if deadline_option:
            # The caller's deadline came before the action's effect could be read back.
            looked = 'the deadline set by {0} came before anything showed that it was'.format(deadline_option)
        else:
            looked = 'for {0:g}s nothing showed that it was'.format(grace)
        self.message = (
            'The outcome of {0} is unknown ({1}). It was not sent again, because nothing in the API proves it was '
            'not applied, and {2}{3}. Check {4} before running the task again.'.format(
                action, cause, looked, '' if last_state is None else ' (last seen: {0})'.format(last_state),
                check or 'the target'))
        self.args = (self.message,)
        self.details = dict((k, v) for k, v in dict(
            action=action, cause=str(cause), grace=grace, last_state=last_state, check=check,
            follow_up=follow_up or None, deadline_option=deadline_option).items() if v is not None)


class WaitTimeoutError(QuiesceError):
    """A wait ran out of time; says what was last seen and what to follow up."""

    def __init__(self, what, timeout, last_state=None, follow_up=None, cut_short_by=None):
        self.what = what
        # The transport's DeadlineError when a poll found no time left before the caller's deadline.
        self.cut_short_by = cut_short_by
        self.timeout = timeout
        self.last_state = last_state
        self.follow_up = follow_up or {}
        message = 'Timed out after {0:g}s waiting for {1}'.format(timeout, what)
        if last_state is not None:
            message += '; last seen: {0}'.format(last_state)
        if self.follow_up:
            message += '; follow up with {0}'.format(
                ', '.join('{0}={1}'.format(k, v) for k, v in sorted(self.follow_up.items())))
        super(WaitTimeoutError, self).__init__(
            message, what=what, timeout=timeout, last_state=last_state, follow_up=self.follow_up or None)


class OperationFailedError(QuiesceError):
    """An asynchronous command, task or job finished in a failed state."""

    def __init__(self, message, **details):
        super(OperationFailedError, self).__init__(message, **details)
