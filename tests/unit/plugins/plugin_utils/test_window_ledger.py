# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ledger: intent before the action, outcome after, atomic on disk, a fallback copy when it cannot be written."""

from __future__ import annotations

import json
import os
import random
import tempfile
import threading
import time

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import QuiesceError
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_ledger as ledgers


@pytest.fixture
def temp_dir(tmp_path, monkeypatch):
    """tempfile's directory (where the fallback copy goes) inside the test's own folder."""
    folder = tmp_path / 'tmp'
    folder.mkdir()
    monkeypatch.setattr(tempfile, 'tempdir', str(folder))
    return folder


def fields(key, stage='databases', before='RUNNING'):
    return {'key': key, 'stage': stage, 'kind': 'ocp_cluster', 'endpoint': 'ocp-hz',
            'target': {'id': key.rsplit(':', 1)[-1]}, 'label': key, 'before': before}


def on_disk(path):
    with open(path, encoding='utf-8') as stream:
        return json.load(stream)


def entries_on_disk(path):
    return dict((e['key'], e) for e in on_disk(path)['entries'])


def test_intent_then_outcome_then_resume(tmp_path):
    path = str(tmp_path / 'w' / 'ledger.json')
    ledger = ledgers.Ledger('CHG-1', path=path)
    ledger.intend([fields('ocp_cluster:ocp-hz:1')], 'stop')
    entry = entries_on_disk(path)['ocp_cluster:ocp-hz:1']  # on disk at once, before the action goes out
    assert entry['status'] == 'intent' and entry['action'] == 'stop' and entry['before'] == 'RUNNING'
    assert entry['times']['stop_issued'] and entry['times']['down'] is None
    assert entry['after'] is None and entry['error'] is None and entry['follow_up'] == {}

    ledger.update(['ocp_cluster:ocp-hz:1'], status='stopped', after='STOPPED', times={'down': 'T1'},
                  follow_up={'task_id': 107302, 'trace_id': None})
    entry = entries_on_disk(path)['ocp_cluster:ocp-hz:1']
    assert entry['status'] == 'stopped' and entry['after'] == 'STOPPED'
    assert entry['times']['down'] == 'T1' and entry['times']['stop_issued']  # times merge
    assert entry['follow_up'] == {'task_id': 107302}  # unknown ids are not written as null
    assert [e['key'] for e in ledger.pending()] == ['ocp_cluster:ocp-hz:1']

    ledger.update(['ocp_cluster:ocp-hz:1'], status='resumed', times={'up': 'T2'})
    assert entries_on_disk(path)['ocp_cluster:ocp-hz:1']['status'] == 'resumed'
    assert ledger.pending() == [] and ledger.still_stopped() == []
    data = on_disk(path)
    assert data['schema'] == ledgers.SCHEMA and data['window_id'] == 'CHG-1' and data['updated_at']


def test_many_outcomes_and_discards_in_one_save(tmp_path, monkeypatch):
    path = str(tmp_path / 'ledger.json')
    ledger = ledgers.Ledger('CHG-1', path=path)
    keys = ['bms_power:cn-north-4:{0}'.format(n) for n in range(3)]
    ledger.intend([fields(key) for key in keys], 'os-stop')
    saves = []
    write = ledgers.write_atomically
    monkeypatch.setattr(ledgers, 'write_atomically', lambda *args: saves.append(1) or write(*args))
    ledger.update_each({keys[0]: dict(status='stopped', follow_up={'sub_job_id': 'a'}),
                        keys[1]: dict(status='failed', error={'message': 'BMS.0006'})}, discard=[keys[2]])
    assert len(saves) == 1  # a unit's outcomes are written together, not once per target
    entries = entries_on_disk(path)
    assert entries[keys[0]]['status'] == 'stopped' and entries[keys[0]]['follow_up'] == {'sub_job_id': 'a'}
    assert entries[keys[1]]['status'] == 'failed' and entries[keys[1]]['error'] == {'message': 'BMS.0006'}
    assert keys[2] not in entries


def test_a_failed_resume_stays_pending_and_an_unknown_key_is_ignored(tmp_path):
    ledger = ledgers.Ledger('CHG-1', path=str(tmp_path / 'ledger.json'))
    ledger.intend([fields('ocp_cluster:ocp-hz:1'), fields('ocp_cluster:ocp-hz:2')], 'stop')
    ledger.update(['ocp_cluster:ocp-hz:1'], status='resume_failed', resume_error={'message': 'HTTP 500'})
    ledger.update(['ocp_cluster:ocp-hz:9'], status='resumed')
    assert 'ocp_cluster:ocp-hz:9' not in entries_on_disk(ledger.path)
    assert [e['key'] for e in ledger.pending()] == ['ocp_cluster:ocp-hz:1', 'ocp_cluster:ocp-hz:2']


@pytest.mark.parametrize('status, pending', [('intent', True), ('stopped', True), ('failed', True),
                                             ('unknown', True), ('resume_failed', True), ('resumed', False)])
def test_pending_and_still_stopped_per_status(status, pending):
    ledger = ledgers.Ledger('CHG-1')
    ledger.intend([fields('ocp_cluster:ocp-hz:1')], 'stop')
    ledger.update(['ocp_cluster:ocp-hz:1'], status=status)
    assert bool(ledger.pending()) is pending
    assert bool(ledger.still_stopped()) is pending


def test_stopping_again_after_a_resume_starts_a_new_stop_period():
    ledger = ledgers.Ledger('CHG-1')
    key = 'ocp_cluster:ocp-hz:1'
    ledger.intend([fields(key)], 'stop')
    ledger.update([key], status='resumed', times={'up': 'T2'}, resume_error={'message': 'old'})
    ledger.intend([fields(key)], 'stop')
    entry = ledger.entry(key)
    assert entry['status'] == 'intent' and entry['resume_error'] is None
    assert entry['times']['up'] is None and entry['times']['stop_issued']


def test_intending_again_keeps_the_history_of_an_entry_still_down():
    ledger = ledgers.Ledger('CHG-1')
    key = 'ocp_cluster:ocp-hz:1'
    ledger.intend([fields(key)], 'stop')
    ledger.update([key], status='failed', times={'stop_issued': 'T0'}, error={'message': 'HTTP 500'})
    ledger.intend([fields(key, before='STOPPING')], 'stop')
    entry = ledger.entry(key)
    assert entry['status'] == 'intent' and entry['times']['stop_issued'] == 'T0'
    assert entry['before'] == 'RUNNING'  # the state before this window touched it


def test_discard_and_cascade(tmp_path):
    ledger = ledgers.Ledger('CHG-1', path=str(tmp_path / 'ledger.json'))
    ledger.intend([fields('mrs_service:p:1:Hive', stage='apps')], 'stop')
    ledger.discard(['mrs_service:p:1:Hive', 'not-there'])
    assert ledger.entry('mrs_service:p:1:Hive') is None and entries_on_disk(ledger.path) == {}

    cascade = {'key': 'mrs_service:p:1:Spark2x', 'stage': 'apps', 'kind': 'mrs_service', 'endpoint': 'p',
               'target': {'service': 'Spark2x', 'cluster_id': 1}, 'label': 'Spark2x', 'before': 'STARTED'}
    ledger.add_cascade(cascade, 'Hive', 'STOPPED', 'T1')
    entry = entries_on_disk(ledger.path)['mrs_service:p:1:Spark2x']
    assert entry['status'] == 'stopped' and entry['cascade_of'] == 'Hive' and entry['action'] == 'stop (cascade)'
    assert entry['times'] == {'stop_issued': 'T1', 'down': 'T1', 'start_issued': None, 'up': None}
    # A cascade does not overwrite what the window already knows of that service...
    ledger.update(['mrs_service:p:1:Spark2x'], status='unknown')
    ledger.add_cascade(cascade, 'Yarn', 'STOPPED', 'T2')
    assert ledger.entry('mrs_service:p:1:Spark2x')['status'] == 'unknown'
    assert ledger.entry('mrs_service:p:1:Spark2x')['cascade_of'] == 'Hive'
    # ... unless that was resumed: stopped again, along with another service.
    ledger.update(['mrs_service:p:1:Spark2x'], status='resumed')
    ledger.add_cascade(cascade, 'Yarn', 'STOPPED', 'T3')
    assert ledger.entry('mrs_service:p:1:Spark2x')['status'] == 'stopped'
    assert ledger.entry('mrs_service:p:1:Spark2x')['cascade_of'] == 'Yarn'


def test_remember_stage_keeps_what_resume_needs_once(tmp_path):
    ledger = ledgers.Ledger('CHG-1', path=str(tmp_path / 'ledger.json'))
    stage = {'name': 'dbs', 'kind': 'ocp_cluster', 'family': 'ocp', 'parallel': True, 'wait_budget': 600,
             'estimate': None, 'on_failure': 'continue', 'skip_gates': [], 'targets': [{'name': 'ob'}]}
    ledger.remember_stage(stage)
    ledger.remember_stage(dict(stage, wait_budget=1))
    stages = on_disk(ledger.path)['stages']
    assert len(stages) == 1 and stages[0]['wait_budget'] == 600 and 'targets' not in stages[0]


def test_load_round_trip_and_from_data(tmp_path):
    path = str(tmp_path / 'ledger.json')
    ledger = ledgers.Ledger('CHG-1', path=path)
    ledger.intend([fields('ocp_cluster:ocp-hz:1')], 'stop')
    loaded = ledgers.Ledger.load(path)
    assert loaded.window_id == 'CHG-1' and loaded.path == path
    assert loaded.to_dict()['entries'] == ledger.to_dict()['entries']
    assert loaded.data['created_at'] == ledger.data['created_at']
    with pytest.raises(ValueError, match='not a quiesce.lifecycle ledger: schema is'):
        ledgers.Ledger.from_data({'schema': 'other', 'window_id': 'x', 'entries': []})


@pytest.mark.parametrize('data, problem', [
    ([], 'not a JSON object'),
    ({'window_id': 'x', 'entries': []}, 'schema is None'),
    ({'schema': ledgers.SCHEMA, 'entries': []}, 'no window_id'),
    ({'schema': ledgers.SCHEMA, 'window_id': 'x'}, 'entries is not a list'),
    ({'schema': ledgers.SCHEMA, 'window_id': 'x', 'entries': [{'key': 'k', 'status': 'gone'}]},
     'entries[0] lacks a key or a known status'),
    ({'schema': ledgers.SCHEMA, 'window_id': 'x', 'entries': [{'key': 'k', 'status': 'stopped'}, {'status': 'stopped'}]},
     'entries[1] lacks'),
    ({'schema': ledgers.SCHEMA, 'window_id': 'x', 'entries': ['k']}, 'entries[0] lacks'),
])
def test_validate_names_what_is_wrong(data, problem):
    problems = ledgers.validate(data)
    assert any(problem in p for p in problems), problems


def test_a_valid_ledger_has_no_problem():
    ledger = ledgers.Ledger('CHG-1')
    ledger.intend([fields('ocp_cluster:ocp-hz:1')], 'stop')
    assert ledgers.validate(ledger.to_dict()) == []


def test_a_crash_during_the_write_leaves_the_previous_ledger_intact(tmp_path, monkeypatch):
    path = str(tmp_path / 'ledger.json')
    ledger = ledgers.Ledger('CHG-1', path=path)
    ledger.intend([fields('ocp_cluster:ocp-hz:1')], 'stop')
    before = open(path, encoding='utf-8').read()

    def crash(_source, _destination):
        raise OSError(5, 'Input/output error')

    monkeypatch.setattr(ledgers.os, 'replace', crash)
    with pytest.raises(OSError):
        ledgers.write_atomically(path, '{"half": ')
    assert open(path, encoding='utf-8').read() == before
    assert sorted(os.listdir(str(tmp_path))) == ['ledger.json']  # no temporary file left behind
    monkeypatch.undo()
    ledgers.write_atomically(path, '{"whole": true}\n')
    assert on_disk(path) == {'whole': True}
    assert oct(os.stat(path).st_mode & 0o777) == oct(0o600)


def test_a_ledger_that_cannot_be_written_goes_to_the_fallback_and_says_where(tmp_path, temp_dir):
    blocker = tmp_path / 'not-a-directory'
    blocker.write_text('x')
    path = str(blocker / 'ledger.json')
    ledger = ledgers.Ledger('CHG-1', path=path)
    with pytest.raises(ledgers.LedgerError) as caught:
        ledger.intend([fields('ocp_cluster:ocp-hz:1')], 'stop')
    fallback = ledgers.fallback_path('CHG-1')
    assert fallback.startswith(str(temp_dir))
    message = str(caught.value)
    assert path in message and fallback in message and 'a copy was written to' in message
    assert isinstance(caught.value, QuiesceError)
    assert ledger.saved_to == fallback and ledger.save_error.startswith('cannot write the ledger ' + path)
    assert 'ocp_cluster:ocp-hz:1' in entries_on_disk(fallback)
    # Once its own place is writable again, the ledger goes back there.
    ledger.path = str(tmp_path / 'ledger.json')
    ledger.update(['ocp_cluster:ocp-hz:1'], status='stopped')
    assert ledger.saved_to == ledger.path and ledger.save_error is None
    assert entries_on_disk(ledger.path)['ocp_cluster:ocp-hz:1']['status'] == 'stopped'


def test_when_even_the_fallback_cannot_be_written_both_paths_are_named(tmp_path, monkeypatch):
    blocker = tmp_path / 'file'
    blocker.write_text('x')
    monkeypatch.setattr(tempfile, 'tempdir', str(blocker))
    path = str(blocker / 'ledger.json')
    ledger = ledgers.Ledger('CHG-1', path=path)
    with pytest.raises(ledgers.LedgerError) as caught:
        ledger.intend([fields('ocp_cluster:ocp-hz:1')], 'stop')
    message = str(caught.value)
    assert path in message and 'nor its fallback copy ' + ledgers.fallback_path('CHG-1') in message
    assert 'a copy was written' not in message and ledger.saved_to is None


def test_a_ledger_without_a_path_writes_nothing(tmp_path, temp_dir):
    ledger = ledgers.Ledger('CHG-1')
    ledger.intend([fields('ocp_cluster:ocp-hz:1')], 'stop')
    assert ledger.saved_to is None and os.listdir(str(temp_dir)) == []


def test_concurrent_intents_lose_no_entry(tmp_path, monkeypatch):
    path = str(tmp_path / 'ledger.json')
    write = ledgers.write_atomically
    written = []  # (entries, stopped) of each version, in the order they reached the disk

    def slow_write(target, text):
        time.sleep(random.random() / 200)  # an unlocked ledger would then let an older snapshot land last
        write(target, text)
        entries = json.loads(text)['entries']
        written.append((len(entries), sum(1 for e in entries if e['status'] == 'stopped')))

    monkeypatch.setattr(ledgers, 'write_atomically', slow_write)
    ledger = ledgers.Ledger('CHG-1', path=path)
    start = threading.Barrier(8)
    errors = []

    def intend(worker):
        try:
            start.wait()
            for n in range(4):
                key = 'ocp_cluster:ocp-hz:{0}'.format(worker * 100 + n + 1)
                ledger.intend([fields(key)], 'stop')
                ledger.update([key], status='stopped')
        except Exception as err:  # pylint: disable=broad-except
            errors.append(err)

    threads = [threading.Thread(target=intend, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    entries = entries_on_disk(path)
    assert len(entries) == 32 and all(e['status'] == 'stopped' for e in entries.values())
    assert len(ledger.pending()) == 32
    assert written == sorted(written)  # every version holds all that an earlier one did


def test_a_target_stopped_again_after_its_resume_takes_the_state_read_now(tmp_path):
    ledger = ledgers.Ledger('CHG-1', path=str(tmp_path / 'ledger.json'))
    fields = {'key': 'k', 'stage': 'dbs', 'kind': 'ocp_cluster', 'endpoint': 'e', 'target': {'id': 1},
              'label': 'ob (1)', 'before': 'RUNNING'}
    ledger.intend([fields], 'stop')
    ledger.update(['k'], status='stopped', after='STOPPED')
    ledger.update(['k'], status='resumed', resume_after='RUNNING')
    ledger.intend([dict(fields, before='DEGRADED')], 'stop')
    entry = ledger.entry('k')
    assert entry['status'] == 'intent' and entry['before'] == 'DEGRADED'
    assert entry['after'] is None and entry.get('resume_after') is None and entry['times']['down'] is None
