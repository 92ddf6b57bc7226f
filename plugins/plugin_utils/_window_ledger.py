# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ledger: what this window stopped or may have stopped, written before each action and after it.

Written atomically (temporary file, fsync, rename), so a crash (SIGKILL included) leaves either the
previous or the new version, never half of one. An entry is created as ``intent`` right before its
action is sent; the answer and the end of the wait turn it into ``stopped``, ``failed`` or ``unknown``;
resume turns it into ``resumed`` or ``resume_failed``. A target whose state could not be read, or that
needed no action, is never entered: resume never starts what this window did not (or may not have)
stopped. Reference: docs/dev/window-model.md.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import tempfile
import threading

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import QuiesceError

SCHEMA = 'quiesce.lifecycle.ledger/1'
INTENT, STOPPED, FAILED, UNKNOWN, RESUMED, RESUME_FAILED = (
    'intent', 'stopped', 'failed', 'unknown', 'resumed', 'resume_failed')
STATUSES = (INTENT, STOPPED, FAILED, UNKNOWN, RESUMED, RESUME_FAILED)
# Entries resume must look at: everything this window may have left down.
TO_RESUME = (INTENT, STOPPED, FAILED, UNKNOWN, RESUME_FAILED)
TIMES = ('stop_issued', 'down', 'start_issued', 'up')


class LedgerError(QuiesceError):
    """The ledger could not be written where it belongs (a copy may have gone to the fallback).

    Raised from the observer before an action: the action is then not sent, since an action the
    ledger does not know of could be left undone by resume."""


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3] + 'Z'


def write_atomically(path, text):
    """Write ``text`` to ``path`` so that readers see the old or the new content, even after a crash."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.', dir=directory)
    try:
        with os.fdopen(handle, 'w', encoding='utf-8') as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.unlink(temp)
        raise
    try:
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        pass  # some filesystems refuse fsync on directories; the rename itself is atomic


def fallback_path(window_id):
    """Where the ledger goes when its own location cannot be written (reported in the failure summary)."""
    return os.path.join(tempfile.gettempdir(), 'quiesce-fallback', window_id, 'ledger.json')


class Ledger:
    """A window's ledger, thread-safe; ``path`` None keeps it in memory only (check mode, tests)."""

    def __init__(self, window_id, path=None, data=None):
        self.path = path
        self.window_id = window_id
        self.lock = threading.RLock()
        self.saved_to = path
        self.save_error = None
        data = copy.deepcopy(data) if data else {}
        self.data = {
            'schema': SCHEMA, 'window_id': window_id, 'created_at': data.get('created_at') or now_iso(),
            'updated_at': data.get('updated_at'), 'deadline': data.get('deadline'),
            'endpoints': data.get('endpoints') or {}, 'stages': data.get('stages') or [],
        }
        self.entries = {}
        for entry in data.get('entries') or []:
            self.entries[entry['key']] = entry

    # -- loading

    @classmethod
    def from_data(cls, data, path=None):
        problems = validate(data)
        if problems:
            raise ValueError('not a quiesce.lifecycle ledger: ' + '; '.join(problems))
        return cls(data['window_id'], path=path, data=data)

    @classmethod
    def load(cls, path):
        with open(path, encoding='utf-8') as stream:
            return cls.from_data(json.load(stream), path=path)

    # -- views

    def to_dict(self):
        with self.lock:
            return dict(copy.deepcopy(self.data), entries=[copy.deepcopy(e) for e in self.entries.values()])

    def entry(self, key):
        return self.entries.get(key)

    def pending(self):
        """Entries resume must look at, in ledger order."""
        return [e for e in self.entries.values() if e['status'] in TO_RESUME]

    def still_stopped(self):
        return [e for e in self.entries.values() if e['status'] != RESUMED]

    # -- changes (each saves at once)

    def remember_stage(self, stage):
        """Keep what resume needs to know of a stage (its order, parallelism, budgets), once."""
        with self.lock:
            if any(s['name'] == stage['name'] for s in self.data['stages']):
                return
            keep = dict((k, stage.get(k)) for k in ('name', 'kind', 'family', 'parallel', 'wait_budget', 'estimate',
                                                    'on_failure', 'skip_gates', 'only_self', 'type'))
            self.data['stages'].append(keep)
            self.save()

    def remember_endpoints(self, endpoints):
        with self.lock:
            self.data['endpoints'] = copy.deepcopy(endpoints)

    def intend(self, entries, action):
        """Record ``entries`` (each a dict with key, stage, kind, endpoint, target, label, before) as about to get
        ``action``; saved before the caller sends it. An entry already in the ledger keeps its history."""
        stamp = now_iso()
        with self.lock:
            for fields in entries:
                entry = self.entries.get(fields['key'])
                if entry is None:
                    entry = dict(fields, status=INTENT, action=action, after=None, cascade_of=fields.get('cascade_of'),
                                 times=dict((name, None) for name in TIMES), follow_up={}, error=None,
                                 resume_error=None)
                    self.entries[fields['key']] = entry
                elif entry['status'] in (RESUMED,):
                    # Stopped again after an earlier resume (a window run twice): a new stop period, with the
                    # state read now.
                    entry.update(fields, status=INTENT, action=action, after=None, error=None, resume_error=None,
                                 resume_after=None, times=dict((name, None) for name in TIMES))
                else:
                    entry.update(status=INTENT, action=action)
                entry['times']['stop_issued'] = entry['times'].get('stop_issued') or stamp
            self.save()

    def update(self, keys, **fields):
        """Set fields of the given entries (``times`` merges); saved at once."""
        self.update_each(dict((key, fields) for key in keys))

    def update_each(self, changes, discard=()):
        """``update`` for many entries, each with its own fields (``{key: fields}``), and ``discard``, in one save:
        a unit's outcomes arrive together, and one save per entry of a ledger of thousands costs minutes."""
        with self.lock:
            for key, fields in changes.items():
                entry = self.entries.get(key)
                if entry is None:
                    continue
                for name, value in fields.items():
                    if name == 'times':
                        entry['times'].update(value)
                    elif name == 'follow_up':
                        entry['follow_up'].update(dict((k, v) for k, v in value.items() if v is not None))
                    else:
                        entry[name] = value
            for key in discard:
                self.entries.pop(key, None)
            self.save()

    def discard(self, keys):
        """Forget entries this window turned out not to have changed (another actor got there first)."""
        self.update_each({}, discard=keys)

    def add_cascade(self, fields, cascade_of, after, at):
        """A target the API stopped along with one of ours (MRS only_self=false): stopped by this window."""
        with self.lock:
            if fields['key'] in self.entries and self.entries[fields['key']]['status'] != RESUMED:
                return
            self.entries[fields['key']] = dict(fields, status=STOPPED, action='stop (cascade)', after=after,
                                               cascade_of=cascade_of, follow_up={}, error=None, resume_error=None,
                                               times={'stop_issued': at, 'down': at, 'start_issued': None,
                                                      'up': None})
            self.save()

    # -- persistence

    def save(self):
        """Write the ledger; on failure write the fallback copy and raise ``LedgerError`` (the caller must then not
        act: an action the ledger does not know of could be left undone by resume)."""
        if self.path is None:
            return
        with self.lock:
            self.data['updated_at'] = now_iso()
            text = json.dumps(self.to_dict(), indent=1, sort_keys=False) + '\n'
            try:
                write_atomically(self.path, text)
                self.saved_to, self.save_error = self.path, None
                return
            except OSError as err:
                self.save_error = 'cannot write the ledger {0}: {1}'.format(self.path, err)
            fallback = fallback_path(self.window_id)
            try:
                write_atomically(fallback, text)
                self.saved_to = fallback
            except OSError as err:
                self.saved_to = None
                self.save_error += '; nor its fallback copy {0}: {1}'.format(fallback, err)
            raise LedgerError(self.save_error + (
                '; a copy was written to {0}'.format(self.saved_to) if self.saved_to else ''))


def validate(data):
    """Problems with a ledger read from a file or an artifact (empty list when usable)."""
    problems = []
    if not isinstance(data, dict):
        return ['it is not a JSON object']
    if data.get('schema') != SCHEMA:
        problems.append('schema is {0!r}, expected {1!r}'.format(data.get('schema'), SCHEMA))
    if not data.get('window_id'):
        problems.append('it has no window_id')
    entries = data.get('entries')
    if not isinstance(entries, list):
        problems.append('entries is not a list')
        return problems
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get('key') or entry.get('status') not in STATUSES:
            problems.append('entries[{0}] lacks a key or a known status'.format(index))
    return problems
