# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bring one MRS Manager service to started / stopped / restarted: decide, act, wait, report.

References: shared/api/mrs-manager.md s8.4 (idempotency table), s8.5 (only_self),
s10 G3 (no restart call), G13 (409 while another command runs). After an action POST whose
outcome is unknown the rule of ``_actions`` applies: it is sent again only when the Manager itself
answered with its error envelope and the service shows no trace of it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.quiesce.lifecycle.plugins.module_utils._actions import await_effect, looking_back, refusal
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AmbiguousRequestError,
    ApiError,
    DeadlineError,
    OperationFailedError,
    QuiesceError,
    UnconfirmedActionError,
    WaitTimeoutError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._mrs_client import (
    KNOWN_SERVICES,
    STARTED,
    STOPPED,
    TRANSITIONAL,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._results import (
    CHANGED,
    MRS_COMMAND,
    MRS_SERVICE,
    SUBMITTED,
    WOULD_CHANGE,
    changed_target,
    failure_outcome,
    follow_up_entry,
    vocabulary,
)

NOTHING, START, STOP, WAIT = 'nothing', 'start', 'stop', 'wait'
TARGETS = {'started': STARTED, 'stopped': STOPPED}
ACTION_TARGET = {START: STARTED, STOP: STOPPED}
CONFLICT = 409
# After a 409 (another command holds the Manager's lock, G13) the POST is tried again after a back-off
# that starts at the poll interval and doubles up to this cap, for as long as the wait budget lasts.
CONFLICT_MAX_DELAY = 30.0
# The back-off stops while the transport's deadline still leaves this many requests their least time, so that
# the timeout can name what holds the lock (it reads the services then).
CONFLICT_FINAL_READS = 2


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
        self.actions = []  # the actions decided for this service, sent or (check mode) not

    def remaining(self):
        return max(0.0, self.deadline - self.clock())

    def run(self, state, before=None):
        """``before`` may hold the service's status just read by the caller (then it is not read again)."""
        if before is None:
            before = self.client.service_status(self.name)  # an unknown service fails here, before any action
        try:
            return self._run(state, before)
        except WaitTimeoutError as err:
            # The waits share one budget; name the operator's wait_timeout, not what was left of it.
            timeout = WaitTimeoutError(err.what, self.wait_timeout, last_state=err.last_state, follow_up=err.follow_up)
            timeout.partial_result = self._partial(before, timeout)
            raise timeout
        except QuiesceError as err:
            # Report what was done before the failure (the commands sent, their ids) with the error.
            err.partial_result = self._partial(before, err)
            raise

    def _partial(self, before, err):
        # changed: a command was sent, so the cluster may have changed even though the task failed.
        result = dict(changed=bool(self.commands), before=before.to_dict(), commands=list(self.commands),
                      command_id=self._last_command_id())
        result.update(self._vocabulary(before, None, failure_outcome(err) if self.commands else None))
        return result

    def _last_command_id(self):
        return self.commands[-1]['id'] if self.commands else None

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
                      commands=list(self.commands), command_id=self._last_command_id(),
                      progress=self.commands[-1]['total_progress'] if self.commands else None)
        others = None
        if others_before is not None:
            others = result['other_services_changed'] = self._changes_since(others_before)
        outcome = (WOULD_CHANGE if self.check_mode else CHANGED if self.wait else SUBMITTED) if changed else None
        result.update(self._vocabulary(before, status, outcome, others))
        return result

    def _vocabulary(self, before, after, outcome, others=None):
        """``follow_up`` (the commands with an id) and ``changed_targets`` (this service, and the others the
        cascade changed) of the shared result vocabulary (see ``_results``)."""
        follow_up = [follow_up_entry(MRS_COMMAND, c['id'], c['state'], [c['service']]) for c in self.commands]
        targets = []
        if outcome:
            acted = set(self.actions)
            action = 'restart' if len(acted) > 1 else (self.actions[-1] if self.actions else None)
            targets.append(changed_target(MRS_SERVICE, self.name, self.name, action, before.running_status,
                                          after.running_status if after else None, outcome))
        for other in others or []:
            action = 'restart' if other['before'] == other['after'] else \
                {STARTED: START, STOPPED: STOP}.get(other['after'])
            targets.append(changed_target(MRS_SERVICE, other['name'], other['name'], action, other['before'],
                                          other['after'], CHANGED, cascade_of=self.name))
        return vocabulary(follow_up, targets)

    def _companion(self, name):
        """A run for another service that shares this run's command list and wait budget."""
        other = ServiceRun(self.client, name, only_self=False, wait=self.wait, clock=self.clock, watch=[])
        other.commands, other.deadline, other.wait_timeout = self.commands, self.deadline, self.wait_timeout
        other.actions = []
        return other

    # -- one phase: reach started or stopped

    def _converge(self, desired, status):
        """Returns (status, acted). ``status`` None means read it first.

        Every round either returns, waits or backs off, and every wait and back-off draws on the
        run's one budget, so the loop ends with it.
        """
        status = status or self.client.service_status(self.name)
        conflicts = 0
        while True:
            action = decide(desired, status.running_status)
            if action == NOTHING:
                return status, False
            if action == WAIT:
                if self.check_mode:
                    status = _with_running(status, predict_settled(status.running_status))
                else:
                    status = self.client.wait_until_settled(self.name, self.remaining())
                continue
            self.actions.append(action)
            if self.check_mode:
                return _with_running(status, TARGETS[desired]), True
            try:
                command = self._send(action)
            except ApiError as err:
                if err.http_status != CONFLICT:
                    raise
                conflicts += 1
                status = self._back_off(action, conflicts, err)
                continue
            return self._follow(action, desired, command), True

    def _back_off(self, action, conflicts, err):
        """G13: the Manager refused the command with 409 because another command holds its lock. It is
        busy, not failing: wait (doubling, capped), re-read the status and let the caller decide again;
        when the budget is spent, fail naming what is likely holding the lock."""
        remaining = self._back_off_budget()
        if remaining <= 0:
            raise WaitTimeoutError(
                'MRS Manager to accept {0} {1} (refused {2} time(s) with HTTP 409: {3})'.format(
                    action, self.name, conflicts, err.api_message or 'another command is running'),
                self.wait_timeout, last_state='likely blocking: ' + self._likely_blocking(),
                follow_up={'service': self.name})
        self.client.sleep(min(remaining, CONFLICT_MAX_DELAY, self.client.poll_interval * 2 ** (conflicts - 1)))
        return self.client.wait_until_settled(self.name, self._back_off_budget())

    def _back_off_budget(self):
        """The run's remaining budget, less the time the timeout's own reads need before the transport's deadline
        (each request is given a least time, ``HttpClient.min_request_timeout``)."""
        remaining = self.remaining()
        left = self.client.remaining_after(CONFLICT_FINAL_READS)
        return remaining if left is None else max(0.0, min(remaining, left))

    def _likely_blocking(self):
        """The services read as STARTING or STOPPING (a command is running on them): this one, then the
        related ones. The documents give no call that lists the running commands."""
        try:
            found = self.client.existing_services([self.name] + self.watch)
        except DeadlineError as err:
            return 'not read ({0})'.format(err)
        busy = [s for s in found if not s.settled]
        if busy:
            return ', '.join('{0} {1}'.format(s.name, s.running_status) for s in busy)
        return ('no service read is STARTING or STOPPING (read: {0}); the command may run on another service or be '
                'a configuration save; see the running commands in MRS Manager').format(
                    ', '.join([self.name] + self.watch))

    def _send(self, action):
        send = self.client.start_service if action == START else self.client.stop_service
        try:
            command = send(self.name, self.only_self)
        except AmbiguousRequestError as err:
            return self._after_ambiguous(action, send, err)
        self._record(command, action)
        return command

    def _after_ambiguous(self, action, send, lost):
        """The POST may have been applied, possibly after the client gave up: never send it blindly again.

        Returns the command when a second POST was provably the first to be applied, else None (the
        status is followed; the command id is lost).
        """
        def applied(status):
            return predict_settled(status.running_status) == ACTION_TARGET[action]

        what = '{0} {1}'.format(action, self.name)
        check = "MRS Manager's running commands and the running status of {0}".format(self.name)
        resent = False
        while True:
            try:
                # With no time left to read the status, the outcome stays unknown: never "not sent".
                with looking_back(what, lost, check, follow_up={'service': self.name}):
                    status = self.client.service_status(self.name)
            except UnconfirmedActionError:
                self._record(None, action)
                raise
            if applied(status):
                break
            refused = refusal(lost)
            if refused is None:
                self._record(None, action)  # reported as sent (outcome unknown) if nothing confirms it
                await_effect(lambda: self.client.service_status(self.name), applied,
                             self.client.grace(self.remaining()), what, lost.describe_cause(), check,
                             describe=lambda s: 'running status {0}'.format(s.running_status),
                             follow_up={'service': self.name}, schedule=self.client.schedule(),
                             clock=self.client.clock, sleep=self.client.sleep)
                return None
            if resent:
                raise refused
            # The Manager answered with its own error, so the request has ended there, and the service
            # shows no trace of it: it was not applied, and this POST is the first one.
            resent = True
            try:
                command = send(self.name, self.only_self)
            except AmbiguousRequestError as err:
                lost = err
                continue
            self._record(command, action)
            return command
        self._record(None, action)
        return None  # it took effect: follow the service status (the command id is lost)

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
