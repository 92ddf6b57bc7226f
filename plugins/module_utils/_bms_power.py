# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Power a set of bare-metal servers into a state, idempotently, in as few action calls as possible.

The procedure (bms.md s7.2): read every target's state; drop the servers
already there; follow those already moving there; wait through any other
transition and decide again; send one action per 1000 remaining servers, one
after the other (s8); poll the jobs together; re-read everything at the end
because a server's status is the ground truth. A server that changed state
between the read and the action (BMS.0035-0039, on the call or inside the
job) is re-read and decided again, and sent again at most once.

An action whose answer was lost or ambiguous (read timeout, dropped
connection, 5xx) may have been applied, even later than the answer was given
up on; the documents give no way to prove it was not, so it is never sent
again: its servers are followed by state for a grace period, and those that
show no sign of it fail with the cause and what to check.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_client import raise_first_error, run_concurrently
from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_state import (
    ACT,
    DONE,
    REBOOT,
    REFUSE,
    STARTING,
    STOPPING,
    WAIT,
    WRONG_STATE_CODES,
    chunks,
    decide,
    end_state,
    interpret,
    reached,
    server_summary,
    sub_job_verdict,
    task_state,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AmbiguousRequestError,
    ApiError,
    NotFoundError,
    OperationFailedError,
    QuiesceError,
    WaitTimeoutError,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._waiter import PollSchedule, wait_until

# A job just created may not be readable at once (bms.md s4.5): tolerate a 404 for this many polls.
JOB_NOT_FOUND_TOLERANCE = 3
# Action rounds: the first send, and one resend after a wrong-state race.
MAX_ROUNDS = 2
# After an ambiguous action, its servers are watched this long at least (twice the request timeout when longer)
# for a sign that it was applied: an answer given up on may still be processed by the server.
AMBIGUOUS_GRACE = 10.0

CHANGED, UNCHANGED, WOULD_CHANGE, SUBMITTED, FAILED = 'changed', 'unchanged', 'would_change', 'submitted', 'failed'


def shows_action(before, now, desired):
    """True when ``now`` shows a sign that an action reached the server: moving, moved, or a new ``updated``.

    ``updated`` is not documented to change on an action (only the simulator's
    proposal says so, bms.md s7.3); a change is taken as a sign, its absence proves nothing.
    """
    if now is None or before is None:
        return now is not before
    return (task_state(now) is not None or interpret(now) != interpret(before) or reached(interpret(now), desired)
            or now.get('updated') != before.get('updated'))


class PowerRun:
    """One ``bms_power`` run; ``client`` is a ``BmsClient``."""

    def __init__(self, client, desired, power_type='HARD', check_mode=False, wait=True, timeout=1800,
                 poll_interval=1.0, request_timeout=30.0, clock=time.monotonic, sleep=time.sleep, selection=None):
        self.client = client
        self.selection = selection  # the list filters the targets were selected by: re-reads read those pages only
        self.desired = desired
        self.power_type = power_type
        self.check_mode = check_mode
        self.wait = wait
        self.timeout = timeout
        self.clock = clock
        self.sleep = sleep
        self.schedule = PollSchedule(initial=poll_interval, factor=1.5, maximum=max(10.0, poll_interval))
        self.deadline = None
        self.records = {}
        self.states = {}
        self.jobs = {}
        self.followed = set()
        self.ambiguous = {}  # server id -> the cause of the lost or ambiguous answer of its action
        self.signs = set()  # servers that showed a sign of such an action
        self.grace = max(AMBIGUOUS_GRACE, 2.0 * request_timeout)
        self.original = {}

    # -- bookkeeping

    def _record(self, server_id):
        return self.records[server_id]

    def _settle(self, server_id, outcome, reason=None, **fields):
        record = self._record(server_id)
        record['outcome'] = outcome
        if reason is not None:
            record['reason'] = reason
        record.update(fields)

    def _remaining(self):
        return max(0.0, self.deadline - self.clock())

    def _wait(self, fetch, is_done, what, describe, follow_up=None, timeout=None, progress=None):
        budget = self._remaining() if timeout is None else min(timeout, self._remaining())
        return wait_until(fetch, is_done, budget, what, describe=describe, follow_up=follow_up,
                          schedule=self.schedule, clock=self.clock, sleep=self.sleep, progress=progress)

    def _read(self, server_ids):
        found = self.client.read_servers(server_ids, self.selection)
        self.states.update(found)
        return found

    # -- the procedure

    def run(self, server_ids, known=None):
        """Power ``server_ids``; ``known`` may hold their states just read (then they are not read again)."""
        self.deadline = self.clock() + self.timeout
        if getattr(self.client, 'set_deadline', None) is not None:
            # No retry of a request (a Retry-After included) may outlast wait_timeout either.
            self.client.set_deadline(self.deadline)
        server_ids = list(dict.fromkeys(server_ids))
        for server_id in server_ids:
            self.records[server_id] = {'id': server_id, 'outcome': None, 'action': None, 'job_id': None,
                                       'sub_job_id': None, 'sub_job_status': None, 'error_code': None,
                                       'reason': None}
        if known is not None:
            self.states.update((server_id, known.get(server_id)) for server_id in server_ids)
        elif server_ids:
            self._read(server_ids)
        for server_id in server_ids:
            server = self.states.get(server_id)
            self.records[server_id]['name'] = (server or {}).get('name')
            self.records[server_id]['before'] = server_summary(server)
        self.original = dict(self.states)
        try:
            self._rounds(server_ids)
            if self.wait and not self.check_mode:
                self._final_check(server_ids)
        except QuiesceError as err:
            err.partial_result = self.report(server_ids, error=err)
            raise
        return self.report(server_ids)

    def _rounds(self, pending):
        # One more pass than rounds: it settles what would still need a third send as failed.
        for round_number in range(1, MAX_ROUNDS + 2):
            to_act = self._decide_all(pending, final=round_number > MAX_ROUNDS)
            if not to_act or self.check_mode:
                return
            pending = self._submit_all(to_act)
            if self.wait:
                pending += self._wait_jobs()
            if not pending:
                return
            self._read(pending)

    def _decide_all(self, server_ids, final=False):
        """Settle what needs nothing; wait through transitions; return ``{action: [ids]}`` still to send."""
        to_act = {}
        waiting = list(server_ids)
        while waiting:
            blocked = []
            for server_id in waiting:
                server = self.states.get(server_id)
                power = interpret(server)
                decision, action, reason = decide(power, self.desired)
                record = self._record(server_id)
                if decision == DONE:
                    # Reached without our action, or by our earlier action followed by state.
                    if server_id in self.followed:
                        reason = 'reached; the action call\'s answer was lost, so it was followed by state'
                    self._settle(server_id, CHANGED if record['action'] else UNCHANGED, reason)
                elif decision == REFUSE:
                    self._settle(server_id, FAILED, reason, error_code=record['error_code'])
                elif decision == ACT and server_id in self.followed:
                    # Possibly acted on by a call whose answer was lost or ambiguous: never sent again. A reboot
                    # that showed itself and finished looks like "running" again, which is its success.
                    if record['action'] == REBOOT and server_id in self.signs and reached(power, self.desired):
                        self._settle(server_id, CHANGED, 'rebooted; the action call\'s answer was lost, so it was '
                                     'followed by state')
                    else:
                        self._settle(server_id, FAILED, self._unknown_outcome(server_id, power),
                                     action=record['action'])
                elif decision == ACT and final:
                    self._settle(server_id, FAILED, 'still {0} after the action was sent again once'.format(power))
                elif decision == ACT:
                    to_act.setdefault(action, []).append(server_id)
                    if self.check_mode:
                        self._settle(server_id, WOULD_CHANGE, reason, action=action)
                elif self.check_mode:
                    # In a transition: the same decision a real run would reach after waiting.
                    heading_there = power == {'stopped': STOPPING, 'started': STARTING}.get(self.desired)
                    self._settle(server_id, UNCHANGED if heading_there else WOULD_CHANGE, reason)
                else:
                    blocked.append(server_id)
            waiting = self._wait_steady(blocked) if blocked else []
        return to_act

    def _wait_steady(self, server_ids):
        """Wait until the given servers are out of any transition; return them to be decided again."""
        def is_done(found):
            return all(decide(interpret(server), self.desired)[0] != WAIT for server in found.values())

        self._wait(lambda: self._read(server_ids), is_done,
                   '{0} server(s) to finish their current transition'.format(len(server_ids)),
                   describe=self._describe_servers, follow_up={'server_ids': ','.join(server_ids[:20])})
        return list(server_ids)

    def _submit_all(self, to_act):
        """Send every chunk, one after the other (bms.md s8); return the server ids to decide again."""
        again = []
        for action, chunk in [(action, chunk) for action, ids in sorted(to_act.items()) for chunk in chunks(ids)]:
            job_id = error = None
            try:
                job_id = self.client.submit(action, chunk, self.power_type)
            except QuiesceError as err:
                error = err
            if error is None:
                self.jobs[job_id] = {'job_id': job_id, 'action': action, 'server_ids': list(chunk), 'job': None,
                                     'not_found': 0}
                for server_id in chunk:
                    self._settle(server_id, SUBMITTED, None, action=action, job_id=job_id)
                continue
            if isinstance(error, AmbiguousRequestError):
                again.extend(self._after_ambiguous(action, chunk, error))
            elif isinstance(error, ApiError) and error.code in WRONG_STATE_CODES:
                # Synchronous wrong-state rejection (bms.md s7.2 item 7): nothing in this chunk was
                # done; re-read and decide again (servers already there drop out, the rest is resent once).
                again.extend(chunk)
            else:
                for server_id in chunk:
                    self._settle(server_id, FAILED, str(error), action=action,
                                 error_code=getattr(error, 'code', None))
        return again

    def _after_ambiguous(self, action, chunk, error):
        """The action may have been applied (now or later): follow its servers by state, never send it again.

        The chunk is read until every server shows a sign of the action
        (``shows_action``) or the grace period ends; all are then decided again:
        those moving or arrived are followed to the end, the others fail with
        the cause (``_unknown_outcome``).
        """
        cause = error.describe_cause()
        before = dict((server_id, self.states.get(server_id)) for server_id in chunk)  # as read before the call
        for server_id in chunk:
            self.followed.add(server_id)
            self.ambiguous[server_id] = cause
            record = self._record(server_id)
            record.update(action=action, error_code=error.code)
            record['reason'] = 'outcome of {0} unknown ({1}); followed by state, never sent again'.format(action, cause)
            if not self.wait:
                self._settle(server_id, SUBMITTED)
        if not self.wait:
            return []

        def every_one_shows_it(found):
            self.signs.update(sid for sid in chunk
                              if shows_action(before.get(sid), found.get(sid), self.desired))
            return self.signs.issuperset(chunk)

        try:
            self._wait(lambda: self._read(chunk), every_one_shows_it,
                       'a sign of the {0} whose answer was lost on {1} server(s)'.format(action, len(chunk)),
                       describe=self._describe_servers, timeout=self.grace)
        except WaitTimeoutError:
            pass  # those without a sign fail when decided again
        return list(chunk)

    def _unknown_outcome(self, server_id, power):
        cause = self.ambiguous.get(server_id, 'the answer was lost')
        seen = 'showed a sign of it but is' if server_id in self.signs else 'showed no sign of it and is still'
        return ('{0} was sent, but its outcome is unknown ({1}); the server {2} {3} after following its state '
                'for up to {4:g}s; the action was not sent again because it may still be applied: check '
                'the server (quiesce.lifecycle.bms_info server_ids=[{5}]) and run again'.format(
                    self._record(server_id)['action'], cause, seen, power, self.grace, server_id))

    def _poll_job(self, job):
        try:
            job['job'] = self.client.get_job(job['job_id'])
        except NotFoundError:
            job['not_found'] += 1
            if job['not_found'] > JOB_NOT_FOUND_TOLERANCE:
                raise
        return job

    def _wait_jobs(self):
        """Poll every open job together until all are terminal; settle their servers; return ids to re-decide."""
        open_jobs = [job for job in self.jobs.values() if not (job['job'] and job['job']['terminal'])]
        if not open_jobs:
            return []

        def fetch():
            unfinished = [job for job in open_jobs if not (job['job'] and job['job']['terminal'])]
            raise_first_error(run_concurrently(self._poll_job, unfinished, self.client.concurrency))
            return open_jobs

        self._wait(fetch, lambda jobs: all(job['job'] and job['job']['terminal'] for job in jobs),
                   '{0} BMS job(s)'.format(len(open_jobs)), describe=self._describe_jobs,
                   follow_up={'job_ids': ','.join(job['job_id'] for job in open_jobs)}, progress=jobs_progress)
        again = []
        for job in open_jobs:
            for server_id in job['server_ids']:
                sub_job = job['job']['sub_jobs'].get(server_id)
                verdict = sub_job_verdict(sub_job, job['action'])
                fields = dict(sub_job_status=(sub_job or {}).get('status'), sub_job_id=(sub_job or {}).get('job_id'),
                              error_code=(sub_job or {}).get('error_code'))
                if verdict == 'success':
                    self._settle(server_id, CHANGED, None, **fields)
                elif verdict == 'race':
                    # Another actor got there first (BMS.0038/0039 inside the job): success, not changed.
                    self._settle(server_id, UNCHANGED, 'already {0} when the job ran'.format(
                        'stopped' if self.desired == 'stopped' else 'running'), **fields)
                    self._record(server_id)['action'] = None
                elif verdict == 'wrong_state':
                    # In a transition when the job ran: re-read and decide again (sent again at most once).
                    self._record(server_id).update(fields)
                    self._record(server_id)['action'] = None
                    again.append(server_id)
                else:
                    reason = (sub_job or {}).get('fail_reason') or (
                        'the job has no result for this server' if sub_job is None else 'failed')
                    self._settle(server_id, FAILED, reason, **fields)
        return again

    def _final_check(self, server_ids):
        """Re-read every target: the status is the ground truth (bms.md s5)."""
        acted = [sid for sid in server_ids if self._record(sid)['outcome'] in (CHANGED, SUBMITTED)]
        if not acted:
            return
        found = self._read(server_ids)
        for server_id in acted:
            record = self._record(server_id)
            power = interpret(found.get(server_id))
            if reached(power, self.desired):
                if record['outcome'] == SUBMITTED:
                    record['outcome'] = CHANGED
            elif record['outcome'] in (CHANGED, SUBMITTED):
                record['outcome'] = FAILED
                record['reason'] = 'the action was accepted but the server is now {0}'.format(power)

    # -- reporting

    def _describe_servers(self, found):
        counts = {}
        for server in found.values():
            power = interpret(server)
            counts[power] = counts.get(power, 0) + 1
        return ', '.join('{0} {1}'.format(n, power) for power, n in sorted(counts.items()))

    @staticmethod
    def _describe_jobs(jobs):
        return ', '.join('{0}={1}'.format(job['job_id'], job['job']['status'] if job['job'] else 'not readable yet')
                         for job in jobs)

    def report(self, server_ids, error=None):
        servers = []
        for server_id in server_ids:
            record = dict(self._record(server_id))
            record['after'] = server_summary(self.states.get(server_id)) if not self.check_mode else None
            if record['outcome'] is None:
                record['outcome'] = FAILED if error is not None else UNCHANGED
                if error is not None:
                    record['reason'] = record['reason'] or 'not finished: {0}'.format(error)
            # What a ledger restores: the servers this run powered (or, in check mode, would power), and
            # those a call whose answer was lost may have powered, even when the run ended before their
            # state showed it (a timeout or an error while they were followed).
            record['changed'] = record['outcome'] in (CHANGED, SUBMITTED, WOULD_CHANGE) or server_id in self.followed
            servers.append(record)
        counts = dict((key, 0) for key in (CHANGED, UNCHANGED, WOULD_CHANGE, SUBMITTED, FAILED))
        for record in servers:
            counts[record['outcome']] += 1
        jobs = [{'job_id': job['job_id'], 'action': job['action'], 'servers': len(job['server_ids']),
                 'status': job['job']['status'] if job['job'] else None,
                 'error_code': job['job']['error_code'] if job['job'] else None}
                for job in self.jobs.values()]
        return {'servers': servers, 'jobs': jobs, 'summary': dict(counts, targets=len(servers)),
                'failed_servers': [{'id': r['id'], 'name': r.get('name'), 'error_code': r.get('error_code'),
                                    'reason': r.get('reason'), 'job_id': r.get('job_id')}
                                   for r in servers if r['outcome'] == FAILED]}


def jobs_progress(jobs):
    """The share of the jobs' sub-jobs (one per server) that have finished; None before any job was read."""
    total = finished = 0
    for job in jobs:
        if not job['job']:
            return None
        total += len(job['server_ids'])
        finished += sum(1 for sub in job['job']['sub_jobs'].values() if sub['status'] in ('SUCCESS', 'FAIL'))
    return float(finished) / total if total else None


def power_diff(report, desired, check_mode):
    """``({server_id: power}, {server_id: power})`` before and after; after is predicted in check mode."""
    before, after = {}, {}
    for record in report['servers']:
        was = (record.get('before') or {}).get('power', 'missing')
        before[record['id']] = was
        if check_mode:
            predicted = end_state(record['action']) if record['outcome'] == WOULD_CHANGE and record['action'] else was
            if desired == 'restarted' and record['outcome'] == WOULD_CHANGE:
                predicted = 'on (restarted)'
            after[record['id']] = predicted
        else:
            after[record['id']] = (record.get('after') or {}).get('power', 'missing')
    return before, after


def raise_for_failures(report, desired, result):
    """Partial failure fails the task with a summary; ``result`` (succeeded servers included) rides along."""
    failed = report['failed_servers']
    if not failed:
        return
    counts = report['summary']
    shown = '; '.join('{0}{1}: {2}{3}{4}'.format(
        f['id'], ' ({0})'.format(f['name']) if f.get('name') else '', f['reason'] or 'failed',
        ' [{0}]'.format(f['error_code']) if f.get('error_code') else '',
        ' (job {0})'.format(f['job_id']) if f.get('job_id') else '') for f in failed[:10])
    more = ' and {0} more'.format(len(failed) - 10) if len(failed) > 10 else ''
    err = OperationFailedError(
        '{0} of {1} server(s) could not be {2} ({3} changed, {4} already {2}); failed: {5}{6}'.format(
            len(failed), counts['targets'], desired, counts[CHANGED], counts[UNCHANGED], shown, more),
        failed_servers=len(failed))
    err.partial_result = result
    raise err
