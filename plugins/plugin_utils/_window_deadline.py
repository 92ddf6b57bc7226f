# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time budgets of a window: how long a stage takes, whether it may start, how long each wait may last.

The deadline is the time by which the estate must be **back up**. Before stage k starts, the time left
must cover stage k's stop, plus its start, plus the start of every stage stopped before it; otherwise
stage k is not started and the window turns to resume. A stage's stop may wait at most the time left
minus what the resume needs (and its own ``wait_budget``); resume waits get the time left to the
deadline shared out in reverse order, never less than their own estimate (a resume late is better
than an estate left down).

Estimates are per target, in seconds, per stage kind (``DEFAULT_ESTIMATES``), overridden by
``estate.window.estimates`` or a stage's ``estimate``.
"""

from __future__ import annotations

import math

# Defaults derived from the simulator's documented durations at speed 1 (tests/simulator/README.md,
# "Time model"): MRS commands 5-12 s per service (cascades add up), OCP clusters ~11 subtasks of ~1-2 s,
# a single agent process stop 3.5 s and restart 12 s, BMS jobs 1 s + 4-9 s. Each is doubled for the
# polls that observe the end (poll latency is at most 10 % of an operation) and for variance.
# Real estates differ: declare your own in estate.window.estimates.
DEFAULT_ESTIMATES = {
    'mrs_service': {'stop': 20, 'start': 30},       # per service; services of one Manager run in sequence
    'ocp_cluster': {'stop': 30, 'start': 30},       # per cluster
    'ocp_agent_process': {'stop': 8, 'start': 25},  # per process; processes of one host run in sequence
    'bms_power': {'stop': 20, 'start': 20},         # per batch of up to 1,000 servers
}
BMS_BATCH = 1000
# The part of one batch's time each further batch adds (batches are sent in sequence, their jobs
# run side by side).
BMS_EXTRA_BATCH_SHARE = 0.1


def estimate_of(stage, window_estimates, phase):
    """Seconds one unit of ``stage`` takes to ``phase`` (stop or start)."""
    for source in (stage.get('estimate') or {}, (window_estimates or {}).get(stage['kind']) or {}):
        if source.get(phase):
            return float(source[phase])
    return float(DEFAULT_ESTIMATES[stage['kind']][phase])


def unit_seconds(stage, unit_size, per_unit):
    """Seconds one work unit of ``unit_size`` targets takes (a unit runs its targets in sequence,
    except BMS, whose servers go in batches of 1,000 that run side by side)."""
    if stage['kind'] == 'bms_power':
        batches = max(1, int(math.ceil(unit_size / float(BMS_BATCH))))
        return per_unit * (1 + BMS_EXTRA_BATCH_SHARE * (batches - 1))
    return per_unit * max(1, unit_size)


def stage_seconds(stage, unit_sizes, window_estimates, phase):
    """Estimated seconds for ``stage`` to ``phase``: units side by side when parallel, else in sequence.

    ``unit_sizes`` lists the number of targets of each work unit (see ``_window_kinds``).
    """
    if not unit_sizes:
        return 0.0
    per_unit = estimate_of(stage, window_estimates, phase)
    times = [unit_seconds(stage, size, per_unit) for size in unit_sizes]
    return max(times) if stage.get('parallel') else sum(times)


class Budget:
    """The window's clock against its deadline (``deadline`` and ``now`` in epoch seconds; no deadline: None)."""

    def __init__(self, deadline, now):
        self.deadline = deadline
        self.now = now

    def left(self):
        return None if self.deadline is None else self.deadline - self.now()

    def may_start(self, stop_seconds, start_seconds, resume_reserve):
        """``(ok, needed, left)``: may a stage taking ``stop_seconds`` + ``start_seconds`` start, when the
        stages already stopped need ``resume_reserve`` seconds to come back?"""
        needed = stop_seconds + start_seconds + resume_reserve
        left = self.left()
        return (left is None or needed <= left), needed, left

    def stop_timeout(self, wait_budget, start_seconds, resume_reserve):
        """A stage's stop waits at most its budget and what the deadline leaves after the resume."""
        left = self.left()
        if left is None:
            return float(wait_budget)
        return max(1.0, min(float(wait_budget), left - start_seconds - resume_reserve))

    def resume_timeout(self, wait_budget, start_seconds, still_to_resume_after):
        """A resume stage waits for what the deadline leaves after the stages still to resume after it (at most
        its budget). When that is less than its own estimate the deadline is already lost for it: it then
        waits its whole budget, because an estate brought back late beats one left down."""
        budget = float(max(wait_budget, start_seconds))
        left = self.left()
        if left is None:
            return float(wait_budget)
        share = left - still_to_resume_after
        return min(budget, share) if share >= start_seconds else budget

    def time_before(self, still_to_resume_after):
        """Seconds from now until only ``still_to_resume_after`` is left before the deadline (None: no deadline).
        What a resume stage may spend beyond its starts (its post-start gates waiting for health) ends there."""
        left = self.left()
        return None if left is None else max(0.0, left - still_to_resume_after)


def describe_shortfall(stage_name, needed, left):
    return ('stage {0} was not started: it needs about {1:.0f}s (its stop and start plus the resume of what is '
            'already stopped) but only {2:.0f}s are left before the deadline'.format(stage_name, needed, max(0, left)))
