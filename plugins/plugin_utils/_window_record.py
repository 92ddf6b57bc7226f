# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The window record: everything the report is rendered from, gathered from the window's files.

``build_record`` reads ``window.json``, ``plan.json`` and the ledger of a window directory, adds what
the role knows (a failure of the operator's tasks, the problems of a preflight that could not write its
files) and decides the window's result. ``handoff`` is what the quiesce job hands the resume job as
its ``set_stats`` artifact. Reference: docs/dev/window-model.md.
"""

from __future__ import annotations

import json
import os
import tempfile

from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_ledger import (
    Ledger,
    TO_RESUME,
    now_iso,
)

SCHEMA = 'quiesce.lifecycle.window/1'
STAGE_TROUBLE = ('failed', 'skipped_gate', 'skipped_deadline')


def fallback_dir(window_id):
    return os.path.join(tempfile.gettempdir(), 'quiesce-fallback', window_id or 'unknown-window')


def fallback_prefix(prefix):
    window_id = os.path.basename(os.path.dirname(prefix)) or 'unknown-window'
    return os.path.join(fallback_dir(window_id), os.path.basename(prefix))


def _load(path):
    try:
        with open(path, encoding='utf-8') as stream:
            return json.load(stream)
    except (OSError, ValueError):
        return None


def _ledger(state):
    path = state.get('ledger_path')
    for candidate in (path, os.path.join(fallback_dir(state.get('window_id')), 'ledger.json')):
        if candidate and os.path.exists(candidate):
            try:
                ledger = Ledger.load(candidate)
                return ledger.to_dict(), candidate
            except (OSError, ValueError):
                continue
    return None, path


def resume_command(window_id, state_dir_hint=None):
    command = 'ansible-playbook quiesce.lifecycle.resume -e maintenance_window_id={0}'.format(window_id)
    if state_dir_hint:
        command += ' -e maintenance_window_state_dir={0}'.format(state_dir_hint)
    return command + ' -e @<your estate file>'


def _result(state, plan, ledger, failure):
    """(result, summary): ``plan`` for check mode, ``failed`` with the first reason, else ``ok``."""
    if state.get('check_mode'):
        problems = (plan or {}).get('problems') or []
        return 'plan', 'plan only (check mode): {0}'.format(
            'preflight found {0} problem(s)'.format(len(problems)) if problems else 'nothing was changed')
    if failure:
        return 'failed', failure.get('message') or 'the window failed at {0}'.format(failure.get('task') or
                                                                                     'an unnamed task')
    if plan is not None and plan.get('problems'):
        return 'failed', 'preflight found {0} problem(s); nothing was stopped'.format(len(plan['problems']))
    if state.get('phase') == 'preflight':  # no window.json: nothing says any stage ran, let alone was done
        return 'failed', 'the window left no record (window.json): preflight did not get as far as writing it'
    troubled = [s for s in state.get('stages') or [] if s.get('status') in STAGE_TROUBLE]
    pending = [e for e in (ledger or {}).get('entries') or [] if e['status'] in TO_RESUME]
    if state.get('phase') in ('full', 'resume') and pending:
        return 'failed', '{0} target(s) this window stopped are still down (see the ledger)'.format(len(pending))
    if state.get('turned'):
        return 'failed', 'the window turned to resume at stage {0}: {1}'.format(state['turned']['stage'],
                                                                              state['turned']['reason'])
    if troubled:
        return 'failed', 'stage {0} ({1}): {2}'.format(troubled[0]['name'], troubled[0]['phase'],
                                                        troubled[0].get('reason'))
    return 'ok', 'every stage done' + ('; nothing is left stopped' if state.get('phase') != 'quiesce'
                                       else '; the estate is quiesced (resume with the command below)')


def build_record(window_dir, failure=None, problems=None, resume_hint=None):
    state = _load(os.path.join(window_dir, 'window.json')) if window_dir else None
    if state is None:
        # Preflight could not even write its files: the record is what the role passes on.
        window_id = os.path.basename(window_dir.rstrip('/')) if window_dir else None
        state = {'schema': SCHEMA, 'window_id': window_id or 'unknown-window', 'phase': 'preflight',
                 'check_mode': False, 'started_at': now_iso(), 'deadline': None, 'stages': [], 'events': [],
                 'turned': None, 'report_prefix': None}
    plan = _load(state['plan_path']) if state.get('plan_path') else None
    if plan is None and problems:
        plan = {'problems': list(problems), 'stages': [], 'ok': False}
    ledger, ledger_path = _ledger(state)
    if failure and not failure.get('message'):
        failure = dict(failure, message='{0} failed without a message; see the task output above it'.format(
            failure.get('task') or 'a task'))
    result, summary = _result(state, plan, ledger, failure)
    still = [e for e in (ledger or {}).get('entries') or [] if e['status'] != 'resumed']
    record = dict(state, schema=SCHEMA, finished_at=now_iso(), failure=failure, plan=plan, ledger=ledger,
                  ledger_path=ledger_path, result=result, summary=summary, still_stopped=still,
                  resume_command=resume_command(state['window_id'], resume_hint) if still else None)
    return record


def handoff(record, paths):
    """What the next AWX job needs (``set_stats`` key ``quiesce_lifecycle_handoff``): no secret in it."""
    return {'window_id': record['window_id'], 'phase': record.get('phase'), 'result': record['result'],
            'summary': record['summary'], 'ledger': record.get('ledger'), 'ledger_path': record.get('ledger_path'),
            'report': {'summary': record['summary'], 'json_path': paths.get('json'),
                       'markdown_path': paths.get('md'), 'html_path': paths.get('html')},
            'still_stopped': len(record['still_stopped'])}
