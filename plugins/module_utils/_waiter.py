# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one poll loop every module waits with."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import WaitTimeoutError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._observer import current as current_observer
from ansible_collections.quiesce.lifecycle.plugins.module_utils._observer import notify


class PollSchedule:
    """Adaptive poll intervals: fast at first (most operations end quickly), backing off, capped."""

    def __init__(self, initial=1.0, factor=1.5, maximum=30.0):
        if initial <= 0:
            raise ValueError('initial poll interval must be positive')
        self.initial = float(initial)
        self.factor = float(factor)
        self.maximum = max(float(maximum), self.initial)

    def intervals(self):
        interval = self.initial
        while True:
            yield interval
            interval = min(self.maximum, interval * self.factor)


def wait_until(fetch, is_done, timeout, what, describe=repr, follow_up=None, schedule=None,
               clock=time.monotonic, sleep=time.sleep):
    """Poll ``fetch()`` until ``is_done(value)`` holds; return the last value.

    ``timeout`` is the overall budget in seconds (0 checks once). On timeout a
    ``WaitTimeoutError`` names ``what`` was awaited, the last state seen
    (``describe(value)``) and ``follow_up`` (the task/job/command id an operator
    needs). Errors raised by ``fetch`` propagate: the transport below has
    already retried whatever was worth retrying.
    """
    schedule = schedule or PollSchedule()
    started = clock()
    deadline = started + max(0.0, timeout)
    intervals = schedule.intervals()
    while True:
        value = fetch()
        done = is_done(value)
        remaining = deadline - clock()
        if current_observer() is not None:
            # An in-process caller (the window's stage runner) shows this as progress; modules have none.
            notify('poll', what=what, state=describe(value), elapsed=clock() - started, remaining=max(0.0, remaining),
                   follow_up=dict(follow_up or {}), done=done)
        if done:
            return value
        if remaining <= 0:
            raise WaitTimeoutError(what, timeout, last_state=describe(value), follow_up=follow_up)
        sleep(min(next(intervals), remaining))
