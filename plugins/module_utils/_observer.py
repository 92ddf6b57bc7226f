# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hooks through which an in-process caller learns what the library does, as it does it.

The maintenance window's stage runner runs the same client code the modules run, in the
controller. It must write its ledger *before* an action is sent (so a crash leaves a truthful
record) and show progress while a wait goes on (a module cannot stream output). The clients
call ``notify`` at those points; an observer installed for the current thread receives them.
Modules install none, so every hook is then a no-op.

Events (keyword fields):

* ``action``: about to send an action. ``family`` (mrs, ocp, bms), ``verb`` (the API's word:
  stop, start, restart, os-stop, ...), ``targets`` (list of the ids the action addresses: service
  names, cluster ids, ``host_id/process_id`` strings, host ids, server ids). An exception raised
  by the observer stops the action from being sent.
* ``action_done``: the action's answer. The same fields, plus ``follow_up`` (dict: command_id,
  task_id or job_id when known) and ``error`` (None, or the error's text; ``ambiguous`` is True
  when the outcome is unknown).
* ``poll``: one poll of a wait. ``what`` (what is awaited), ``state`` (the last state, described),
  ``elapsed`` and ``remaining`` (seconds), ``follow_up`` (dict).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import AmbiguousRequestError

_local = threading.local()


def current():
    """The observer installed for this thread, or None."""
    return getattr(_local, 'observer', None)


class observing:
    """``with observing(observer):`` installs ``observer`` for the current thread (restoring the previous one)."""

    def __init__(self, observer):
        self.observer = observer
        self.previous = None

    def __enter__(self):
        self.previous = current()
        _local.observer = self.observer
        return self.observer

    def __exit__(self, *exc_info):
        _local.observer = self.previous
        return False


def notify(event, **fields):
    observer = current()
    if observer is not None:
        observer.notify(event, **fields)


def propagate(function):
    """``function`` wrapped to run under the calling thread's observer (for worker threads)."""
    observer = current()
    if observer is None:
        return function

    def run(*args, **kwargs):
        with observing(observer):
            return function(*args, **kwargs)
    return run


class announced_action:
    """``with announced_action(family, verb, targets) as done:`` notifies ``action`` before the block (the
    request) and ``action_done`` after it; the block sets ``done.follow_up`` when it knows the ids."""

    def __init__(self, family, verb, targets):
        self.fields = dict(family=family, verb=verb, targets=[str(t) for t in targets])
        self.follow_up = {}

    def __enter__(self):
        notify('action', **self.fields)
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc is None:
            notify('action_done', follow_up=dict(self.follow_up), error=None, ambiguous=False, **self.fields)
        else:
            notify('action_done', follow_up=dict(self.follow_up), error=str(exc),
                   ambiguous=isinstance(exc, AmbiguousRequestError), **self.fields)
        return False
