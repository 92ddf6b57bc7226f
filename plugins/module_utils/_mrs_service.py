# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bring one MRS Manager service to started / stopped / restarted: decide, act, wait, report.

References: shared/api/mrs-manager.md s8.4 (idempotency table), s8.5 (only_self),
s10 G3 (no restart call), G13 (409 while another command runs).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AmbiguousRequestError,
    ApiError,
    OperationFailedError,
    QuiesceError,
    WaitTimeoutError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._mrs_client import (
    KNOWN_SERVICES,
    STARTED,
    STOPPED,
    TRANSITIONAL,
)

NOTHING, START, STOP, WAIT = 'nothing', 'start', 'stop', 'wait'
TARGETS = {'started': STARTED, 'stopped': STOPPED}
CONFLICT = 409
# Bound on decide/act rounds in one phase: wait through a transition, act, and once more after a 409.
MAX_ROUNDS = 4


def decide(desired, running_status):
    """The s8.4 table for ``desired`` in (started, stopped): what to do about ``running_status``.

    NOTHING: already there. WAIT: transitional (STARTING/STOPPING); wait until it settles and decide
    again, never act on it. START/STOP: any other status, failed and UNKNOWN ones included.
    """
    target = TARGETS[desired]
    if running_status == target:
        return NOTHING
    if running_status in TRANSITIONAL:
        return WAIT
    return START if desired == 'started' else STOP


def predict_settled(running_status):
    """Where a transitional status goes when all goes well (check mode decides on it instead of waiting)."""
    return TRANSITIONAL.get(running_status, running_status)


class ServiceRun:
    """One task's work on one service. ``run(state)`` returns the result fields.

    ``watch`` names the other services whose statuses are read before and after when
    ``only_self`` is false, so that what the cascade changed is read back, not assumed.
    """

    def __init__(self, client, name, only_self=True, wait=True, wait_timeout=1800, check_mode=False, watch=None,
                 clock=time.monotonic):
        self.client = client
        self.name = name
        self.only_self = only_self
        self.wait = wait
        self.clock = clock
        self.wait_timeout = wait_timeout
        self.deadline = clock() + wait_timeout
        self.check_mode = check_mode
        self.watch = [n for n in (KNOWN_SERVICES if watch is None else watch) if n != name]
        self.commands = []

    def remaining(self):
        return max(0.0, self.deadline - self.clock())

    def run(self, state):
        before = self.client.service_status(self.name)  # an unknown service fails here, before any action
        try:
            return self._run(state, before)
        except WaitTimeoutError as err:
            # The waits share one budget; name the operator's wait_timeout, not what was left of it.
            timeout = WaitTimeoutError(err.what, self.wait_timeout, last_state=err.last_state, follow_up=err.follow_up)
            timeout.partial_result = self._partial(before)
            raise timeout
        except QuiesceError as err:
            # Report what was done before the failure (the commands sent, their ids) with the error.
            err.partial_result = self._partial(before)
            raise

    def _partial(self, before):
        # changed: a command was sent, so the cluster may have changed even though the task failed.
        return dict(changed=bool(self.commands), before=before.to_dict(), commands=list(self.commands),
                    command_id=self.commands[-1]['id'] if self.commands else None)

    def _run(self, state, before):
        others_before = self._snapshot() if self._tracks_others() else None
        status = before
        changed = False
        if state == 'restarted':
            # G3: no restart call is documented; restart is stop then start and always changes.
            status = self._converge('stopped', status)[0]
            status = self._converge('started', status)[0]
            # With only_self=false the stop took the dependents down and the start (which brings up
            # dependencies, not dependents) left them down: start them again. Starting each with
            # only_self=false also starts what it needs, so their order does not matter.
            for other in self._stopped_since(others_before) if others_before else []:
                self._companion(other)._converge('started', None)
            changed = True
        else:
            status, changed = self._converge(state, status)
        result = dict(changed=changed, before=before.to_dict(), after=status.to_dict(),
                      commands=list(self.commands),
                      command_id=self.commands[-1]['id'] if self.commands else None,
                      progress=self.commands[-1]['total_progress'] if self.commands else None)
        if others_before is not None:
            result['other_services_changed'] = self._changes_since(others_before)
        return result

    def _companion(self, name):
        """A run for another service that shares this run's command list and wait budget."""
        other = ServiceRun(self.client, name, only_self=False, wait=self.wait, clock=self.clock, watch=[])
        other.commands, other.deadline, other.wait_timeout = self.commands, self.deadline, self.wait_timeout
        return other

    # -- one phase: reach started or stopped

    def _converge(self, desired, status):
        """Returns (status, acted). ``status`` None means read it first."""
        status = status or self.client.service_status(self.name)
        conflicts = 0
        for _round in range(MAX_ROUNDS):
            action = decide(desired, status.running_status)
            if action == NOTHING:
                return status, False
            if action == WAIT:
                if self.check_mode:
                    status = _with_running(status, predict_settled(status.running_status))
                else:
                    status = self.client.wait_until_settled(self.name, self.remaining())
                continue
            if self.check_mode:
                return _with_running(status, TARGETS[desired]), True
            try:
                command = self._send(action)
            except ApiError as err:
                if err.http_status != CONFLICT or conflicts:
                    raise
                # G13: another command runs on this service (or one it cascades to): wait for
                # it to settle, then decide again, once.
                conflicts += 1
                self.client.wait_until_settled(self.name, self.remaining())
                self.client.pause()
                status = self.client.service_status(self.name)
                continue
            return self._follow(action, desired, command), True
        raise OperationFailedError('MRS Manager service {0} did not reach {1}: last running status {2}'.format(
            self.name, TARGETS[desired], status.running_status), service=self.name)

    def _send(self, action):
        send = self.client.start_service if action == START else self.client.stop_service
        try:
            command = send(self.name, self.only_self)
        except AmbiguousRequestError:
            # The POST may have been applied (connection dropped after the Manager accepted it):
            # re-read the status instead of sending it again blindly.
            target = STARTED if action == START else STOPPED
            status = self.client.service_status(self.name)
            if predict_settled(status.running_status) == target:
                self._record(None, action)
                return None  # it took effect: follow the service status (the command id is lost)
            try:
                command = send(self.name, self.only_self)  # it did not take effect: this is the first one
            except ApiError as err:
                if err.http_status != CONFLICT:
                    raise
                self._record(None, action)
                return None  # 409: the first one is running after all; follow it, never a third
        self._record(command, action)
        return command

    def _record(self, command, action):
        entry = dict(id=None, service=self.name, operation=action, only_self=self.only_self, state=None,
                     total_progress=None)
        if command is not None:
            entry.update(id=command.command_id, state=command.state, total_progress=command.total_progress)
        self.commands.append(entry)

    def _follow(self, action, desired, command):
        entry = self.commands[-1]
        what = '{0} {1}'.format(action, self.name)
        if not self.wait:
            return self.client.service_status(self.name)
        if command is not None and command.asynchronous:
            final = self.client.wait_for_command(command.command_id, self.remaining(), what)
            entry.update(state=final.state, total_progress=final.total_progress, steps=final.steps)
            if final.failed_entities:
                entry['failed_entities'] = final.failed_entities
        status = self.client.wait_until_settled(self.name, self.remaining())
        if status.running_status != TARGETS[desired]:
            raise OperationFailedError(
                'MRS Manager: after {0} (command {1}) service {2} is {3}, not {4}'.format(
                    action, entry['id'] if entry['id'] is not None else 'id unknown', self.name,
                    status.running_status, TARGETS[desired]),
                command_id=entry['id'], service=self.name, running_status=status.running_status)
        return status

    # -- the other services (only_self=false)

    def _tracks_others(self):
        # Check mode cannot read back what it did not do, and the dependency graph is not
        # documented (G12), so the other services are only tracked on a real run.
        return not self.only_self and not self.check_mode and bool(self.watch)

    def _snapshot(self, names=None):
        # Later snapshots read only the services the first one found.
        return dict((s.name, s) for s in self.client.existing_services(self.watch if names is None else names))

    def _stopped_since(self, before):
        now = self._snapshot(list(before))
        return [name for name, old in before.items()
                if old.running_status == STARTED and name in now and now[name].running_status == STOPPED]

    def _changes_since(self, before):
        after = self._snapshot(list(before))
        restarted = set(c['service'] for c in self.commands if c['service'] != self.name)
        changes = []
        for name, old in before.items():
            new = after.get(name)
            if new is None:
                continue
            if new.running_status != old.running_status or name in restarted:
                changes.append(dict(name=name, before=old.running_status, after=new.running_status))
        return changes


def _with_running(status, running_status):
    """A copy of ``status`` with another running status (check mode's prediction)."""
    copy = type(status)(status.name, running_status, status.health_status, status.config_status, status.version)
    return copy
