# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A window's working state between its tasks: where it lives, what has happened so far.

Each step of a window is its own Ansible task (preflight, one per stage, the report), so what one step
learns is kept in the window's directory for the next: ``window.json`` (the stages run, events, whether
the window turned to resume and why), ``plan.json`` and ``ledger.json``. The directory is
``<state dir>/<window id>``; the state dir defaults to ``$QUIESCE_STATE_DIR``, else
``${XDG_STATE_HOME:-~/.local/state}/quiesce``: never inside an installed collection (an execution
environment's collection path is read-only, and a reinstall would delete it).
"""

from __future__ import annotations

import datetime
import json
import os
import secrets

from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_ledger import now_iso, write_atomically

SCHEMA = 'quiesce.lifecycle.window/1'


def default_state_dir(environ=None):
    environ = os.environ if environ is None else environ
    if (environ.get('QUIESCE_STATE_DIR') or '').strip():
        return os.path.expanduser(environ['QUIESCE_STATE_DIR'].strip())
    base = (environ.get('XDG_STATE_HOME') or '').strip() or os.path.join(os.path.expanduser('~'), '.local', 'state')
    return os.path.join(base, 'quiesce')


def new_window_id(now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return 'mw-{0}-{1}'.format(now.strftime('%Y%m%dT%H%M%SZ'), secrets.token_hex(2))


def writable_problem(directory):
    """None when files can be created in ``directory`` (created if missing), else why not."""
    try:
        os.makedirs(directory, exist_ok=True)
        probe = os.path.join(directory, '.quiesce-write-probe-{0}'.format(os.getpid()))
        with open(probe, 'w', encoding='utf-8') as stream:
            stream.write('probe\n')
        os.unlink(probe)
    except OSError as err:
        return 'cannot write in {0}: {1}'.format(directory, err.strerror or err)
    return None


class WindowState:
    """``window.json``: the window's record so far (stages run, events, the turn to resume)."""

    def __init__(self, path, data=None):
        self.path = path
        self.data = data or {}

    @classmethod
    def load(cls, path):
        with open(path, encoding='utf-8') as stream:
            return cls(path, json.load(stream))

    @classmethod
    def start(cls, path, window_id, phase, check_mode, deadline, plan_path, ledger_path, report_prefix):
        """A new record for this run (a run again of the same window starts its own record)."""
        return cls(path, {
            'schema': SCHEMA, 'window_id': window_id, 'phase': phase, 'check_mode': check_mode,
            'started_at': now_iso(), 'finished_at': None, 'deadline': deadline, 'plan_path': plan_path,
            'ledger_path': ledger_path, 'report_prefix': report_prefix, 'stages': [], 'events': [],
            'turned': None, 'failure': None})

    def save(self):
        write_atomically(self.path, json.dumps(self.data, indent=1) + '\n')

    @property
    def turned(self):
        return self.data.get('turned')

    def event(self, kind, message, phase=None, stage=None):
        self.data['events'].append({'at': now_iso(), 'phase': phase or self.data['phase'], 'stage': stage,
                                    'kind': kind, 'message': message})

    def turn(self, stage, reason):
        """The window stops quiescing: no further stage starts; what is stopped will be resumed."""
        if not self.data.get('turned'):
            self.data['turned'] = {'at': now_iso(), 'stage': stage, 'reason': reason}
            self.event('turn', reason, stage=stage)

    def add_stage(self, result):
        self.data['stages'].append(result)
