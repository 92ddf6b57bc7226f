# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Deadline arithmetic: estimates, stage durations, may-this-stage-start, and every wait's timeout."""

from __future__ import annotations

import pytest

from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_deadline as deadlines


class FakeClock:
    def __init__(self, now=0.0):
        self.now = now

    def __call__(self):
        return self.now


def stage(kind='ocp_cluster', parallel=True, estimate=None):
    return {'name': 's', 'kind': kind, 'parallel': parallel, 'estimate': estimate}


def test_estimates_come_from_the_stage_then_the_window_then_the_defaults():
    window = {'ocp_cluster': {'stop': 50, 'start': 70}}
    assert deadlines.estimate_of(stage(estimate={'stop': 10}), window, 'stop') == 10.0
    # The stage says nothing of start: the window's estimate for the kind applies.
    assert deadlines.estimate_of(stage(estimate={'stop': 10}), window, 'start') == 70.0
    assert deadlines.estimate_of(stage(), window, 'stop') == 50.0
    assert deadlines.estimate_of(stage(), {'bms_power': {'stop': 1}}, 'stop') == \
        deadlines.DEFAULT_ESTIMATES['ocp_cluster']['stop']
    assert deadlines.estimate_of(stage(kind='mrs_service'), None, 'start') == \
        deadlines.DEFAULT_ESTIMATES['mrs_service']['start']


def test_every_kind_has_a_default_for_both_phases():
    for kind in ('mrs_service', 'ocp_cluster', 'ocp_agent_process', 'bms_power'):
        assert set(deadlines.DEFAULT_ESTIMATES[kind]) == {'stop', 'start'}
        assert all(seconds > 0 for seconds in deadlines.DEFAULT_ESTIMATES[kind].values())


def test_a_parallel_stage_takes_its_slowest_unit_a_sequential_one_the_sum():
    parallel = stage(kind='ocp_agent_process', parallel=True, estimate={'stop': 10, 'start': 20})
    sequential = stage(kind='ocp_agent_process', parallel=False, estimate={'stop': 10, 'start': 20})
    # Three hosts with 1, 3 and 2 processes; a host's processes go one after the other.
    assert deadlines.stage_seconds(parallel, [1, 3, 2], {}, 'stop') == 30.0
    assert deadlines.stage_seconds(sequential, [1, 3, 2], {}, 'stop') == 60.0
    assert deadlines.stage_seconds(sequential, [1, 3, 2], {}, 'start') == 120.0
    assert deadlines.stage_seconds(parallel, [], {}, 'stop') == 0.0


def test_bms_servers_go_in_batches_that_run_side_by_side():
    bms = stage(kind='bms_power', parallel=False, estimate={'stop': 20, 'start': 40})
    assert deadlines.stage_seconds(bms, [1], {}, 'stop') == 20.0
    assert deadlines.stage_seconds(bms, [1000], {}, 'stop') == 20.0
    # 1,001 servers: two batches; the second adds a tenth of one batch's time.
    assert deadlines.stage_seconds(bms, [1001], {}, 'stop') == pytest.approx(22.0)
    assert deadlines.stage_seconds(bms, [2500], {}, 'start') == pytest.approx(48.0)
    # Two regions (two units) in sequence add up; side by side the slower counts.
    assert deadlines.stage_seconds(bms, [2500, 10], {}, 'stop') == pytest.approx(44.0)
    assert deadlines.stage_seconds(dict(bms, parallel=True), [2500, 10], {}, 'stop') == pytest.approx(24.0)


def test_may_start_at_the_boundary():
    clock = FakeClock(1000.0)
    budget = deadlines.Budget(1100.0, clock)  # 100 s left
    assert budget.may_start(30, 40, 30) == (True, 100, 100.0)  # exactly enough
    ok, needed, left = budget.may_start(30, 40, 30.5)
    assert (ok, needed, left) == (False, 100.5, 100.0)
    clock.now = 1000.5  # half a second later the same stage no longer fits
    assert budget.may_start(30, 40, 30)[0] is False


def test_without_a_deadline_every_stage_may_start():
    budget = deadlines.Budget(None, FakeClock(5.0))
    assert budget.left() is None
    assert budget.may_start(10 ** 6, 10 ** 6, 10 ** 6) == (True, 3 * 10 ** 6, None)


def test_a_stop_waits_its_budget_or_what_the_resume_leaves():
    clock = FakeClock(0.0)
    assert deadlines.Budget(None, clock).stop_timeout(900, 60, 100) == 900.0
    budget = deadlines.Budget(1000.0, clock)
    assert budget.stop_timeout(300, 60, 100) == 300.0  # enough time: its own budget
    assert budget.stop_timeout(900, 60, 100) == 840.0  # 1000 left - 60 (its start) - 100 (the resume of the rest)
    clock.now = 995.0
    assert budget.stop_timeout(900, 60, 100) == 1.0  # never zero or negative: the wait still gets a poll


def test_a_resume_wait_gets_what_the_later_resumes_leave_and_its_budget_when_the_deadline_is_lost():
    clock = FakeClock(0.0)
    assert deadlines.Budget(None, clock).resume_timeout(600, 30, 0) == 600.0
    budget = deadlines.Budget(1000.0, clock)
    assert budget.resume_timeout(600, 30, 200) == 600.0  # plenty of time: capped by its budget
    assert budget.resume_timeout(1200, 30, 200) == 800.0  # what the stages still to resume after it leave
    clock.now = 900.0  # 100 s left, 80 s needed after it: 20 s share, less than its 30 s estimate
    assert budget.resume_timeout(600, 30, 80) == 600.0  # late beats down: the whole budget
    clock.now = 2000.0  # past the deadline
    assert budget.resume_timeout(600, 30, 0) == 600.0
    # Its budget is never shorter than its own estimate.
    assert budget.resume_timeout(20, 30, 0) == 30.0


def test_the_shortfall_names_the_stage_and_the_seconds():
    text = deadlines.describe_shortfall('machines', 130.4, 99.6)
    assert 'stage machines was not started' in text and '130s' in text and 'only 100s are left' in text
    assert 'only 0s are left' in deadlines.describe_shortfall('machines', 10, -50)


def test_the_gate_time_is_what_the_deadline_leaves_after_the_later_resumes():
    now = [1000.0]
    budget = deadlines.Budget(1300.0, lambda: now[0])
    assert budget.time_before(100) == 200 and budget.time_before(400) == 0
    assert deadlines.Budget(None, lambda: now[0]).time_before(100) is None
