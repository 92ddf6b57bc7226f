# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import DeadlineError, WaitTimeoutError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._waiter import PollSchedule, predicted_end, wait_until
from ansible_collections.quiesce.lifecycle.tests.unit.plugins.module_utils.answers import out_of_time, retry_out_of_time


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def test_returns_the_first_value_that_is_done():
    clock = FakeClock()
    states = iter(['STOPPING', 'STOPPING', 'STOPPED', 'never read'])
    value = wait_until(lambda: next(states), lambda s: s == 'STOPPED', 60, 'cluster 7 to stop',
                       schedule=PollSchedule(initial=1, factor=2, maximum=10), clock=clock, sleep=clock.sleep)
    assert value == 'STOPPED'
    # a share of the time already waited (8 % of 1 s) is less than the first interval, which is kept
    assert clock.sleeps == [1, 1]


def test_intervals_back_off_and_are_capped():
    intervals = PollSchedule(initial=2, factor=1.5, maximum=5).intervals()
    assert [next(intervals) for dummy in range(5)] == [2, 3, 4.5, 5, 5]


def test_timeout_names_the_last_state_and_the_id_to_follow_up():
    clock = FakeClock()
    polls = []

    def fetch():
        polls.append(clock.now)
        return {'status': 'RUNNING', 'progress': len(polls) * 10}

    with pytest.raises(WaitTimeoutError) as caught:
        wait_until(fetch, lambda v: v['status'] != 'RUNNING', 10, 'task 99 "Stop OB cluster"',
                   describe=lambda v: 'status {0}, {1}% done'.format(v['status'], v['progress']),
                   follow_up={'task_id': 99}, schedule=PollSchedule(initial=3, factor=2, maximum=30),
                   clock=clock, sleep=clock.sleep)
    err = caught.value
    # sleeps 3 (8 % of the time waited is less), then only the 1 second left; one last look at the deadline
    assert clock.sleeps == [3, 3, 3, 1] and polls == [0, 3, 6, 9, 10]
    assert str(err) == ('Timed out after 10s waiting for task 99 "Stop OB cluster"; last seen: status RUNNING, '
                        '50% done; follow up with task_id=99')
    assert err.to_dict()['follow_up'] == {'task_id': 99} and err.last_state.startswith('status RUNNING')


def test_zero_timeout_checks_once():
    clock = FakeClock()
    with pytest.raises(WaitTimeoutError):
        wait_until(lambda: 'x', lambda v: False, 0, 'x', clock=clock, sleep=clock.sleep)
    assert clock.sleeps == []


def test_fetch_errors_propagate():
    def fetch():
        raise RuntimeError('boom')

    with pytest.raises(RuntimeError):
        wait_until(fetch, lambda v: True, 5, 'x')


def test_a_poll_the_deadline_left_no_time_for_ends_the_wait_with_the_state_seen_last():
    clock = FakeClock()
    answers = iter(['RUNNING 40%', 'RUNNING 70%'])

    def fetch():
        value = next(answers, None)
        if value is None:
            raise out_of_time()
        return value

    with pytest.raises(WaitTimeoutError) as caught:
        wait_until(fetch, lambda v: False, 10, 'task 7', describe=str, follow_up={'task_id': 7}, clock=clock,
                   sleep=clock.sleep, schedule=PollSchedule(initial=1.0))
    assert caught.value.last_state == 'RUNNING 70%' and caught.value.follow_up == {'task_id': 7}


def test_a_first_poll_out_of_time_still_names_what_to_follow_up():
    def fetch():
        raise out_of_time(sent=True)

    with pytest.raises(WaitTimeoutError) as caught:
        wait_until(fetch, lambda v: False, 3, 'task 7', follow_up={'task_id': 7})
    assert caught.value.last_state is None and 'follow up with task_id=7' in str(caught.value)


def test_a_retry_that_did_not_fit_is_reported_as_such():
    def fetch():
        raise retry_out_of_time()

    with pytest.raises(DeadlineError) as caught:
        wait_until(fetch, lambda v: False, 3, 'task 7')
    assert 'retry after 20s' in str(caught.value) and not caught.value.request_cut_short


def test_schedule_rejects_a_non_positive_interval():
    with pytest.raises(ValueError):
        PollSchedule(initial=0)


@pytest.mark.parametrize('length', [0.5, 2, 2.3, 10, 10.7, 42, 42.9, 600, 611])
def test_an_operation_is_seen_at_most_max_1s_or_10_percent_of_its_length_after_it_ended(length):
    clock = FakeClock()
    polls = []

    def fetch():
        polls.append(clock.now)
        return clock.now >= length
    wait_until(fetch, bool, 3600, 'x', schedule=PollSchedule(initial=1.0), clock=clock, sleep=clock.sleep)
    latency = polls[-1] - length
    assert 0 <= latency <= max(1.0, 0.1 * length)
    assert len(polls) <= 70  # 600 s: 66 polls, not one a second


def test_the_old_schedule_missed_that_goal():
    # 2 s, x1.5, at most 30 s (before issue 15 item 10): 42 s of work was seen 22 s late.
    clock = FakeClock()
    polls = []

    def fetch():
        polls.append(clock.now)
        return clock.now >= 42
    wait_until(fetch, bool, 3600, 'x', schedule=PollSchedule(initial=2.0, share=1e9), clock=clock, sleep=clock.sleep)
    assert polls[-1] - 42 > 0.1 * 42


def test_reported_progress_brings_the_next_poll_forward():
    clock = FakeClock()
    values = iter([0.0, 0.5, 0.9, 1.0])
    wait_until(lambda: next(values), lambda v: v >= 1.0, 3600, 'x', schedule=PollSchedule(initial=10.0, share=1.0),
               clock=clock, sleep=clock.sleep, progress=lambda v: v)
    # 50 % after 10 s predicts 10 s more; 90 % after 20 s predicts 2.2 s, but never below the first interval
    assert clock.sleeps == [10.0, 10.0, 10.0]
    assert predicted_end(0.9, 20) == pytest.approx(2.222, abs=0.001) and predicted_end(None, 5) is None


def test_the_pace_is_measured_from_the_first_look_at_an_operation_already_under_way():
    # A task followed, not started: 80 % done when the wait begins, 90 % ten seconds later. At its pace since
    # then (10 % in 10 s) it ends 10 s later, not 10 * 0.1 / 0.9 = 1.1 s as if it had got to 90 % in 10 s.
    assert predicted_end(0.9, 10, since=(0.0, 0.8)) == pytest.approx(10.0)
    assert predicted_end(0.9, 10) == pytest.approx(1.111, abs=0.001)
    # no progress since the first look predicts nothing (the schedule alone decides)
    assert predicted_end(0.8, 10, since=(0.0, 0.8)) is None and predicted_end(0.8, 0, since=(0.0, 0.5)) is None
    clock = FakeClock()
    values = iter([0.8, 0.8, 0.85, 0.9, 1.0])
    wait_until(lambda: next(values), lambda v: v >= 1.0, 3600, 'x', clock=clock, sleep=clock.sleep,
               schedule=PollSchedule(initial=1.0, factor=2.0, maximum=8.0, share=1.0),
               progress=lambda v: v if v < 1 else None)
    # 85 % after 2 s is 5 % in 2 s since the first look: 6 s more, so the schedule's 2 s stands (taken as 85 %
    # in 2 s it would have predicted 0.35 s and polled after the first interval, 1 s); 90 % after 4 s: 4 s more.
    assert clock.sleeps == [1.0, 1.0, 2.0, 4.0]


@pytest.mark.parametrize('length', [42, 600])
def test_linear_progress_brings_the_poll_to_the_operations_end(length):
    # Progress as MRS reports it (a percentage with one decimal, growing with time): the poll that sees the end
    # comes within a second of it, where the schedule alone comes up to 8 % of the time waited later.
    def run(progress):
        clock = FakeClock()
        polls = []

        def fetch():
            polls.append(clock.now)
            return round(min(100.0, 100.0 * clock.now / length), 1)
        wait_until(fetch, lambda v: v >= 100, 3600, 'x', schedule=PollSchedule(initial=1.0), clock=clock,
                   sleep=clock.sleep, progress=progress)
        return polls[-1] - length, len(polls)

    with_progress, polls = run(lambda v: v / 100.0 if v < 100 else None)
    alone, polls_alone = run(None)
    assert 0 <= with_progress <= 1.0 < alone
    assert polls <= polls_alone + 2
