# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils import _observer
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import AmbiguousRequestError, QuiesceError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._waiter import PollSchedule, wait_until


class Recorder:
    def __init__(self, refuse=None):
        self.events = []
        self.refuse = refuse

    def notify(self, event, **fields):
        if event == self.refuse:
            raise QuiesceError('ledger not writable')
        self.events.append((event, fields))


def test_without_an_observer_every_hook_is_a_no_op():
    assert _observer.current() is None
    _observer.notify('action', family='ocp')
    with _observer.announced_action('ocp', 'stop', [1]):
        pass


def test_action_is_announced_before_and_answered_after():
    recorder = Recorder()
    sent = []
    with _observer.observing(recorder):
        with _observer.announced_action('ocp', 'stop', [1000003]) as announced:
            assert [event for event, dummy in recorder.events] == ['action']  # announced before the request
            sent.append('POST')
            announced.follow_up['task_id'] = 7
    assert _observer.current() is None
    assert recorder.events == [
        ('action', dict(family='ocp', verb='stop', targets=['1000003'])),
        ('action_done', dict(family='ocp', verb='stop', targets=['1000003'], follow_up={'task_id': 7}, error=None,
                             ambiguous=False)),
    ]


def test_an_ambiguous_answer_is_reported_as_such():
    recorder = Recorder()
    with _observer.observing(recorder):
        with pytest.raises(AmbiguousRequestError):
            with _observer.announced_action('bms', 'os-stop', ['a', 'b']):
                raise AmbiguousRequestError('BMS', 'POST', '/x', 'dropped')
    event, fields = recorder.events[-1]
    assert event == 'action_done' and fields['ambiguous'] is True and 'dropped' in fields['error']


def test_an_observer_that_refuses_the_intent_keeps_the_action_from_being_sent():
    sent = []
    with _observer.observing(Recorder(refuse='action')):
        with pytest.raises(QuiesceError, match='ledger'):
            with _observer.announced_action('mrs', 'stop', ['Hue']):
                sent.append('POST')
    assert sent == []


def test_worker_threads_report_to_the_callers_observer():
    recorder = Recorder()
    with _observer.observing(recorder):
        work = _observer.propagate(lambda: _observer.notify('poll', what='job'))
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    assert recorder.events == [('poll', {'what': 'job'})]


def test_each_poll_of_a_wait_is_reported_with_its_state_and_budget():
    recorder = Recorder()
    values = iter(['RUNNING', 'RUNNING', 'SUCCESSFUL'])
    now = [0.0]
    with _observer.observing(recorder):
        wait_until(lambda: next(values), lambda v: v == 'SUCCESSFUL', 60, 'task 7', describe=str,
                   follow_up={'task_id': 7}, schedule=PollSchedule(initial=5, factor=1),
                   clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    polls = [fields for event, fields in recorder.events if event == 'poll']
    assert [p['state'] for p in polls] == ['RUNNING', 'RUNNING', 'SUCCESSFUL']
    assert [p['elapsed'] for p in polls] == [0.0, 5.0, 10.0]
    assert [p['remaining'] for p in polls] == [60.0, 55.0, 50.0]
    assert polls[-1]['done'] is True and polls[0]['follow_up'] == {'task_id': 7}
