# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure BMS rules, no I/O: what a server's state means, what to do about it, what a job says.

References: bms.md s7.1 (status + task_state), s7.2 (idempotency, wrong-state
codes), s4.5/s5 (jobs and sub-jobs), s8 (1000 servers per action call).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MAX_BATCH = 1000

# Interpreted power states.
ON, OFF = 'on', 'off'
STOPPING, STARTING, REBOOTING = 'stopping', 'starting', 'rebooting'
BUSY, FAULTY, DELETED, UNKNOWN, MISSING = 'busy', 'error', 'deleted', 'unknown', 'missing'
STEADY = frozenset([ON, OFF])
TRANSITIONAL = frozenset([STOPPING, STARTING, REBOOTING, BUSY])

REBOOT_TASK_STATES = frozenset(['rebooting', 'reboot_started', 'reboot_started_hard'])
BUSY_TASK_STATES = frozenset(['deleting', 'rebuilding', 'scheduling'])

# Actions (the top-level key of the action body, bms.md s4.1-4.3).
START, STOP, REBOOT = 'os-start', 'os-stop', 'reboot'
ACTION_FOR_STATE = {'started': START, 'stopped': STOP, 'restarted': REBOOT}

# Decisions.
ACT, DONE, WAIT, REFUSE = 'act', 'done', 'wait', 'refuse'

# Wrong-state codes (bms.md s6.4): the server was not in the state the action needs.
ALREADY_THERE = {START: 'BMS.0038', STOP: 'BMS.0039'}
WRONG_STATE_CODES = frozenset(['BMS.0035', 'BMS.0036', 'BMS.0037', 'BMS.0038', 'BMS.0039'])
# Rejections that mean "nothing was done, try again later" (bms.md s6.4 module treatment).
RETRY_LATER_CODES = frozenset(['BMS.0212', 'BMS.1006'])

JOB_TERMINAL = frozenset(['SUCCESS', 'FAIL'])


def task_state(server):
    """``OS-EXT-STS:task_state`` with missing, null and "" all meaning idle (bms.md G7): None when idle."""
    value = (server or {}).get('OS-EXT-STS:task_state')
    return value or None


def interpret(server):
    """The power state a server is in, from ``status`` and ``task_state`` (bms.md s7.1)."""
    if server is None:
        return MISSING
    status = str(server.get('status') or '').upper()
    task = task_state(server)
    if status == 'DELETED' or task == 'deleting':
        return DELETED if status == 'DELETED' else BUSY
    if status in ('REBOOT', 'HARD_REBOOT') or task in REBOOT_TASK_STATES:
        return REBOOTING
    if task == 'powering-off':
        return STOPPING
    if task == 'powering-on':
        return STARTING
    if status == 'BUILD' or task in BUSY_TASK_STATES:
        return BUSY
    if status == 'ERROR':
        return FAULTY
    if task is not None:
        # An undocumented task in progress: not steady, never acted on.
        return BUSY
    if status == 'ACTIVE':
        return ON
    if status == 'SHUTOFF':
        return OFF
    return UNKNOWN


def decide(power, desired):
    """(decision, action or None, reason) for one server and the wanted state.

    ``desired`` is started, stopped or restarted. A server in the matching
    transition is followed, not acted on; any other transition is waited
    through and then decided again. ``restarted`` of a stopped server starts it
    (the end state is the same: freshly booted); of a running one, reboots it.
    """
    if power in (MISSING, DELETED):
        return REFUSE, None, 'the server does not exist'
    if power == FAULTY:
        return REFUSE, None, 'the server is in ERROR; repair it, it is not powered on or off blindly'
    if power == UNKNOWN:
        return REFUSE, None, 'the server status is not one the module knows'
    if desired == 'stopped':
        if power == OFF:
            return DONE, None, 'already stopped'
        if power == STOPPING:
            return WAIT, None, 'already stopping'
        if power == ON:
            return ACT, STOP, 'running'
    elif desired == 'started':
        if power == ON:
            return DONE, None, 'already running'
        if power == STARTING:
            return WAIT, None, 'already starting'
        if power == OFF:
            return ACT, START, 'stopped'
    else:
        if power == ON:
            return ACT, REBOOT, 'running'
        if power == OFF:
            return ACT, START, 'stopped'
    return WAIT, None, '{0}; waiting until it is steady'.format(power)


def end_state(action):
    return OFF if action == STOP else ON


def reached(power, desired):
    return power == (OFF if desired == 'stopped' else ON)


def chunks(items, size=MAX_BATCH):
    """Consecutive disjoint slices of at most ``size`` items."""
    items = list(items)
    return [items[index:index + size] for index in range(0, len(items), size)]


def action_body(action, server_ids, power_type):
    """The action request body; os-start takes no type, reboot requires one (bms.md s4.1-4.3)."""
    spec = {}
    if action != START:
        spec['type'] = power_type
    spec['servers'] = [{'id': server_id} for server_id in server_ids]
    return {action: spec}


def _entities_server_id(entities):
    # bms.md G6: sub-job entities may be an object or a one-element list.
    if isinstance(entities, list):
        entities = entities[0] if entities else {}
    if isinstance(entities, dict):
        return entities.get('server_id')
    return None


def parse_job(body):
    """A job answer as ``{job_id, status, terminal, error_code, fail_reason, sub_jobs: {server_id: {...}}}``.

    Unknown statuses are not terminal (bms.md s5): the wait keeps polling until
    its timeout rather than guessing.
    """
    body = body if isinstance(body, dict) else {}
    status = str(body.get('status') or 'UNKNOWN').upper()
    entities = body.get('entities') if isinstance(body.get('entities'), dict) else {}
    sub_jobs = {}
    for sub in entities.get('sub_jobs') or []:
        if not isinstance(sub, dict):
            continue
        server_id = _entities_server_id(sub.get('entities'))
        if not server_id:
            continue
        sub_status = str(sub.get('status') or 'UNKNOWN').upper()
        sub_jobs[server_id] = {
            'job_id': sub.get('job_id'),
            'status': sub_status,
            'error_code': sub.get('error_code'),
            'fail_reason': sub.get('fail_reason') or sub.get('message'),
        }
    return {
        'job_id': body.get('job_id'),
        'job_type': body.get('job_type'),
        'status': status,
        'terminal': status in JOB_TERMINAL,
        'begin_time': body.get('begin_time'),
        'end_time': body.get('end_time'),
        'error_code': body.get('error_code'),
        'fail_reason': body.get('fail_reason'),
        'sub_jobs_total': entities.get('sub_jobs_total'),
        'sub_jobs': sub_jobs,
    }


def sub_job_verdict(sub_job, action):
    """'success', 'race' (the server was already there: success, not changed), 'wrong_state' or 'failed'."""
    if sub_job is None:
        return 'failed'
    if sub_job['status'] == 'SUCCESS':
        return 'success'
    code = str(sub_job.get('error_code') or '')
    if code == ALREADY_THERE.get(action):
        return 'race'
    if code in WRONG_STATE_CODES:
        return 'wrong_state'
    return 'failed'


def server_summary(server):
    """The fields a result shows for one server."""
    if server is None:
        return None
    return {
        'id': server.get('id'),
        'name': server.get('name'),
        'status': server.get('status'),
        'task_state': task_state(server),
        'power': interpret(server),
    }


def matches_name(server, name, mode):
    """Client-side re-check of the list API's ``name`` filter (bms.md G14: exact or fuzzy is undocumented)."""
    actual = server.get('name') or ''
    return actual == name if mode == 'exact' else name in actual
