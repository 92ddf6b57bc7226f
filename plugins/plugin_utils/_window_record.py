# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The window record: everything the report is rendered from, gathered from the window's files.

``build_record`` reads ``window.json``, ``plan.json`` and the ledger of a window directory and adds what
the role knows (a failure of the operator's tasks, the problems of a preflight that could not write its
files); the report model (``_window_report``) decides the result from it. ``handoff`` is what the quiesce
job hands the resume job as its ``set_stats`` artifact. Reference: docs/dev/window-model.md.
"""

from __future__ import annotations

import json
import os
import tempfile

from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_ledger import Ledger, now_iso

SCHEMA = 'quiesce.lifecycle.window/1'


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


def build_record(window_dir, failure=None, problems=None, resume_hint=None):
    state = _load(os.path.join(window_dir, 'window.json')) if window_dir else None
    if state is None:
        # Preflight could not even write its files: the record is what the role passes on.
        window_id = os.path.basename(window_dir.rstrip('/')) if window_dir else None
        state = {'schema': SCHEMA, 'window_id': window_id or 'unknown-window', 'phase': 'preflight',
                 'check_mode': False, 'started_at': now_iso(), 'deadline': None, 'stages': [], 'events': [],
                 'turned': None, 'report_prefix': None}
        if not failure and not problems:
            # Nothing says any stage ran, let alone was done: never report such a window as fine.
            failure = {'message': 'the window left no record (window.json): preflight did not get as far as '
                                  'writing it'}
    plan = _load(state['plan_path']) if state.get('plan_path') else None
    if plan is None and problems:
        plan = {'problems': list(problems), 'stages': [], 'ok': False}
    ledger, ledger_path = _ledger(state)
    if failure and failure.get('task'):
        # A task of the role or of the operator failed (the role's rescue passes its name and message).
        message = failure.get('message') or 'it gave no message; see its output above the report'
        failure = {'stage': failure.get('stage'), 'target': None, 'error': failure.get('error'),
                   'message': 'task {0!r} failed: {1}'.format(failure['task'], message)}
    still = [e for e in (ledger or {}).get('entries') or [] if e['status'] != 'resumed']
    return dict(state, schema=SCHEMA, finished_at=now_iso(), failure=failure or None, plan=plan, ledger=ledger,
                ledger_path=ledger_path,
                resume_command=resume_command(state['window_id'], resume_hint) if still else None)


def handoff(record, model, paths):
    """What the next AWX job needs (``set_stats`` key ``quiesce_lifecycle_handoff``): no secret in it. The report
    travels as its summary and paths (a 2,500-server report is megabytes; the ledger is what resume needs)."""
    return {'window_id': record['window_id'], 'phase': record.get('phase'), 'result': model['result'],
            'summary': model['summary'], 'ledger': record.get('ledger'), 'ledger_path': record.get('ledger_path'),
            'report': {'summary': model['summary'], 'result': model['result'], 'counts': model.get('counts'),
                       'json_path': paths.get('json'), 'markdown_path': paths.get('md'),
                       'html_path': paths.get('html')},
            'still_stopped': len(model.get('still_stopped') or [])}
