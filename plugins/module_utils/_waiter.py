# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one poll loop every module waits with."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import DeadlineError, WaitTimeoutError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._observer import current as current_observer
from ansible_collections.quiesce.lifecycle.plugins.module_utils._observer import notify


# Each interval is at most this share of the time already waited: the module then returns at most about
# 10 % of an operation's length after it ended (the rest of the 10 % is left for the requests themselves).
LATENCY_SHARE = 0.08


class PollSchedule:
    """Poll intervals that keep the delay between an operation's end and its detection small.

    The n-th interval (from 1) is the smallest of: ``initial * factor ** (n - 1)``
    (a backoff), ``max(initial, share * elapsed)`` (a share of the time already
    waited, so a long operation is not detected late in proportion), ``maximum``
    and the time left before the deadline. With ``initial`` of 1 s or less, an
    operation of length T is seen at most ``max(initial, share * T)`` after it ended.
    """

    def __init__(self, initial=1.0, factor=1.5, maximum=30.0, share=LATENCY_SHARE):
        if initial <= 0:
            raise ValueError('initial poll interval must be positive')
        self.initial = float(initial)
        self.factor = float(factor)
        self.maximum = max(float(maximum), self.initial)
        self.share = float(share)

    def intervals(self):
        """The backoff ceiling alone: ``initial``, times ``factor`` each poll, capped at ``maximum``."""
        interval = self.initial
        while True:
            yield interval
            interval = min(self.maximum, interval * self.factor)

    def interval(self, poll, elapsed, remaining=None, predicted=None):
        """Seconds to sleep after poll number ``poll`` (from 1), ``elapsed`` seconds into the wait.

        ``predicted`` is when the operation should end (seconds from now) by the progress it reports;
        the poll then comes no later than that.
        """
        backoff = min(self.maximum, self.initial * self.factor ** max(0, poll - 1))
        interval = min(backoff, max(self.initial, self.share * max(0.0, elapsed)), self.maximum)
        if predicted is not None and predicted >= 0:
            interval = min(interval, max(self.initial, predicted))
        if remaining is not None:
            interval = min(interval, max(0.0, remaining))
        return interval


def predicted_end(fraction, elapsed, since=None):
    """Seconds until an operation ``fraction`` (0..1) done after ``elapsed`` seconds ends, at its pace; or None.

    The pace is the progress made since ``since``, the ``(elapsed, fraction)`` of an earlier look (by default
    the start of the wait, at 0): an operation already under way when the wait began (a task followed, not
    started) is not taken for one that got that far in no time. No progress since then predicts nothing.
    """
    if fraction is None or not 0 < fraction < 1:
        return None
    since_elapsed, since_fraction = since or (0.0, 0.0)
    if fraction <= since_fraction or elapsed <= since_elapsed:
        return None
    return (elapsed - since_elapsed) * (1.0 - fraction) / (fraction - since_fraction)


def wait_until(fetch, is_done, timeout, what, describe=repr, follow_up=None, schedule=None,
               clock=time.monotonic, sleep=time.sleep, progress=None):
    """Poll ``fetch()`` until ``is_done(value)`` holds; return the last value.

    ``timeout`` is the overall budget in seconds (0 checks once). On timeout a
    ``WaitTimeoutError`` names ``what`` was awaited, the last state seen
    (``describe(value)``) and ``follow_up`` (the task/job/command id an operator
    needs). Errors raised by ``fetch`` propagate: the transport below has
    already retried whatever was worth retrying. ``progress(value)`` may return
    the fraction done (0..1, or None) that the API reports; the next poll then
    comes no later than when the operation should end at the pace it has kept
    since the first poll that reported one (since the start when that showed 0).

    A poll that the transport could not send or that got no answer before the caller's deadline
    (``DeadlineError.request_cut_short``) ends the wait as a timeout, with the state seen last: the wait
    shares that deadline, so its time is up too.
    """
    schedule = schedule or PollSchedule()
    started = clock()
    deadline = started + max(0.0, timeout)
    polls = 0
    value = None  # the last value fetched, once polls > 0
    since = None  # (elapsed, fraction) of the first poll that reported progress
    while True:
        try:
            value = fetch()
        except DeadlineError as err:
            if not err.request_cut_short:
                raise
            raise WaitTimeoutError(what, timeout, last_state=describe(value) if polls else None,
                                   follow_up=follow_up, cut_short_by=err)
        polls += 1
        done = is_done(value)
        now = clock()
        remaining = deadline - now
        if current_observer() is not None:
            # An in-process caller (the window's stage runner) shows this as progress; modules have none.
            notify('poll', what=what, state=describe(value), elapsed=now - started, remaining=max(0.0, remaining),
                   follow_up=dict(follow_up or {}), done=done)
        if done:
            return value
        if remaining <= 0:
            raise WaitTimeoutError(what, timeout, last_state=describe(value), follow_up=follow_up)
        fraction = progress(value) if progress is not None else None
        if since is None and fraction is not None:
            since = (now - started, fraction) if fraction > 0 else (0.0, 0.0)
        predicted = predicted_end(fraction, now - started, since)
        sleep(schedule.interval(polls, now - started, remaining, predicted))
