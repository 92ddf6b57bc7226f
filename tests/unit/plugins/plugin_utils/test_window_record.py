# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The window record from the window's files and what the role passes on, and the result the report model
reads from it (the model decides the result: tests/unit/plugins/plugin_utils/test_window_report.py)."""

from __future__ import annotations

import json
import os
import tempfile

import pytest

from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_record as records
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_report import build_report
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_ledger import Ledger
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_state import WindowState


@pytest.fixture(autouse=True)
def temp_dir(tmp_path, monkeypatch):
    """The fallback folder inside the test's own folder."""
    folder = tmp_path / 'tmp'
    folder.mkdir()
    monkeypatch.setattr(tempfile, 'tempdir', str(folder))
    return folder


class Window:
    """A window directory as preflight, the stages and resume leave it."""

    def __init__(self, root, phase='full', check_mode=False, window_id='CHG-1'):
        self.dir = os.path.join(str(root), window_id)
        os.makedirs(self.dir)
        self.plan_path = os.path.join(self.dir, 'plan.json')
        self.ledger = Ledger(window_id, path=os.path.join(self.dir, 'ledger.json'))
        self.state = WindowState.start(os.path.join(self.dir, 'window.json'), window_id, phase, check_mode, None,
                                       self.plan_path, self.ledger.path, os.path.join(self.dir, 'report'))
        self.plan({'problems': [], 'ok': True, 'stages': []})

    def plan(self, plan):
        with open(self.plan_path, 'w', encoding='utf-8') as stream:
            json.dump(dict({'schema': 'quiesce.lifecycle.plan/1', 'window_id': 'CHG-1'}, **plan), stream)

    def stage(self, name, phase, status, reason=None):
        self.state.add_stage({'name': name, 'kind': 'ocp_cluster', 'phase': phase, 'status': status,
                              'reason': reason, 'gates': [], 'targets': []})

    def entry(self, number, status):
        key = 'ocp_cluster:ocp-hz:{0}'.format(number)
        self.ledger.intend([{'key': key, 'stage': 'dbs', 'kind': 'ocp_cluster', 'endpoint': 'ocp-hz',
                             'target': {'id': number}, 'label': 'ob ({0})'.format(number), 'before': 'RUNNING'}],
                           'stop')
        self.ledger.update([key], status=status)

    def record(self, **kwargs):
        self.state.save()
        return records.build_record(self.dir, **kwargs)


def judged(record):
    model = build_report(record)
    return model['result'], model['summary'], model


def test_a_full_window_with_every_stage_done(tmp_path):
    window = Window(tmp_path)
    window.stage('dbs', 'quiesce', 'done')
    window.stage('dbs', 'resume', 'done')
    window.entry(1, 'resumed')
    record = window.record()
    result, summary, model = judged(record)
    assert result == 'ok' and 'nothing left stopped' in summary and model['still_stopped'] == []
    assert record['resume_command'] is None
    assert record['schema'] == records.SCHEMA and record['window_id'] == 'CHG-1' and record['finished_at']
    assert record['ledger']['entries'][0]['status'] == 'resumed' and record['ledger_path'] == window.ledger.path
    assert record['plan']['ok'] is True and record['failure'] is None


def test_a_quiesce_job_leaves_the_estate_down_and_says_how_to_resume(tmp_path):
    window = Window(tmp_path, phase='quiesce')
    window.stage('dbs', 'quiesce', 'done')
    window.entry(1, 'stopped')
    window.entry(2, 'stopped')
    record = window.record(resume_hint='/srv/quiesce')
    result, summary, model = judged(record)
    assert result == 'ok' and '2 still stopped' in summary
    assert [e['key'] for e in model['still_stopped']] == ['ocp_cluster:ocp-hz:1', 'ocp_cluster:ocp-hz:2']
    assert record['resume_command'] == ('ansible-playbook quiesce.lifecycle.resume -e maintenance_window_id=CHG-1 '
                                        '-e maintenance_window_state_dir=/srv/quiesce -e @<your estate file>')


@pytest.mark.parametrize('failure, message', [
    ({'task': 'Patch the kernel', 'message': ''},
     "task 'Patch the kernel' failed: it gave no message; see its output above the report"),
    ({'task': 'Patch the kernel', 'message': 'rc=2: no space left on device'},
     "task 'Patch the kernel' failed: rc=2: no space left on device"),
    ({'message': 'the window stopped: rc=2'}, 'the window stopped: rc=2'),
])
def test_a_failure_of_the_operators_tasks(tmp_path, failure, message):
    window = Window(tmp_path)
    window.stage('dbs', 'quiesce', 'done')
    window.stage('dbs', 'resume', 'done')
    window.entry(1, 'resumed')
    record = window.record(failure=failure)
    assert record['failure']['message'] == message
    result, summary, unused_model = judged(record)
    assert result == 'failed' and message in summary


def test_a_window_turned_by_its_deadline_is_not_reported_as_done(tmp_path):
    window = Window(tmp_path)
    window.stage('dbs', 'quiesce', 'done')
    window.stage('machines', 'quiesce', 'skipped_deadline', 'stage machines was not started: it needs about 300s')
    window.state.turn('machines', 'stage machines was not started: it needs about 300s')
    window.stage('dbs', 'resume', 'done')
    window.entry(1, 'resumed')
    result, summary, model = judged(window.record())
    assert result == 'partial' and 'machines' in summary and model['still_stopped'] == []


@pytest.mark.parametrize('status', ['stopped', 'resume_failed', 'unknown', 'intent', 'failed'])
def test_targets_still_down_after_a_full_window(tmp_path, status):
    window = Window(tmp_path)
    window.stage('dbs', 'quiesce', 'done')
    window.stage('dbs', 'resume', 'failed', '1 of 2 target(s) failed to start')
    window.entry(1, 'resumed')
    window.entry(2, status)
    record = window.record()
    result, summary, model = judged(record)
    assert result == 'failed' and '1 still stopped' in summary
    assert [e['key'] for e in model['still_stopped']] == ['ocp_cluster:ocp-hz:2']
    assert 'maintenance_window_id=CHG-1' in record['resume_command']


def test_a_stage_skipped_by_its_gate_is_not_reported_as_done(tmp_path):
    window = Window(tmp_path)
    window.stage('dbs', 'quiesce', 'skipped_gate', 'pre-stop gate ocp_no_running_task failed')
    result, unused_summary, unused_model = judged(window.record())
    assert result == 'partial'


def test_preflight_problems_fail_the_window(tmp_path):
    window = Window(tmp_path)
    window.plan({'ok': False, 'stages': [], 'problems': [{'where': 'endpoint mrs-dr (mrs)', 'message': 'HTTP 401'},
                                                         {'where': 'stage dbs', 'message': 'expects 3'}]})
    record = window.record(failure={'task': 'Preflight', 'message': 'Preflight found 2 problem(s)'})
    result, summary, model = judged(record)
    assert result == 'failed' and 'Preflight found 2 problem(s)' in summary and model['still_stopped'] == []


@pytest.mark.parametrize('problems, expected', [([], 'planned'), ([{'where': 'stage dbs', 'message': 'expects 3'}],
                                                                  'blocked')])
def test_check_mode_is_a_plan(tmp_path, problems, expected):
    window = Window(tmp_path, check_mode=True)
    window.plan({'ok': not problems, 'stages': [], 'problems': problems})
    result, unused_summary, unused_model = judged(window.record())
    assert result == expected


def test_without_window_json_the_record_is_what_the_role_passes_on(tmp_path):
    window_dir = tmp_path / 'CHG-9'
    window_dir.mkdir()
    problems = [{'where': 'estate.stages[0].kind', 'message': 'must be one of ...'}]
    record = records.build_record(str(window_dir) + '/', problems=problems,
                                  failure={'task': 'Preflight', 'message': 'Preflight found 1 problem(s)'})
    assert record['window_id'] == 'CHG-9' and record['phase'] == 'preflight'
    assert record['plan'] == {'problems': problems, 'stages': [], 'ok': False}
    assert record['ledger'] is None
    assert judged(record)[0] == 'failed'


def test_without_a_window_dir_the_failure_is_reported(tmp_path):
    record = records.build_record(None, failure={'task': 'Preflight', 'message': 'Preflight found 1 problem(s)'})
    assert record['window_id'] == 'unknown-window'
    result, summary, unused_model = judged(record)
    assert result == 'failed' and 'Preflight found 1 problem(s)' in summary


def test_a_missing_record_is_never_reported_as_a_window_done(tmp_path):
    record = records.build_record(str(tmp_path / 'CHG-9'))
    result, summary, unused_model = judged(record)
    assert result == 'failed' and 'window.json' in summary


def test_a_ledger_that_went_to_the_fallback_is_found(tmp_path):
    window = Window(tmp_path)
    window.stage('dbs', 'quiesce', 'done')
    fallback = Ledger('CHG-1', path=os.path.join(records.fallback_dir('CHG-1'), 'ledger.json'))
    fallback.intend([{'key': 'ocp_cluster:ocp-hz:1', 'stage': 'dbs', 'kind': 'ocp_cluster', 'endpoint': 'ocp-hz',
                      'target': {'id': 1}, 'label': 'ob (1)', 'before': 'RUNNING'}], 'stop')
    record = window.record()  # the window's own ledger.json was never written
    assert record['ledger_path'] == fallback.path
    result, unused_summary, model = judged(record)
    assert [e['key'] for e in model['still_stopped']] == ['ocp_cluster:ocp-hz:1'] and result == 'failed'


def test_an_unreadable_ledger_is_passed_over_for_the_fallback(tmp_path):
    window = Window(tmp_path)
    with open(window.ledger.path, 'w', encoding='utf-8') as stream:
        stream.write('{"schema": "quiesce.lifecycle.ledger/1", "window_id": "CHG-1", "entries": [')
    record = window.record()
    assert record['ledger'] is None and record['ledger_path'] == window.ledger.path


def test_the_handoff_names_the_reports_and_counts_what_is_down(tmp_path):
    window = Window(tmp_path, phase='quiesce')
    window.entry(1, 'stopped')
    record = window.record()
    model = build_report(record)
    handoff = records.handoff(record, model, {'json': '/r/report.json', 'md': '/r/report.md',
                                              'html': '/r/report.html'})
    assert handoff['window_id'] == 'CHG-1' and handoff['phase'] == 'quiesce' and handoff['result'] == model['result']
    assert handoff['still_stopped'] == 1 and handoff['ledger']['entries'][0]['key'] == 'ocp_cluster:ocp-hz:1'
    assert handoff['report']['summary'] == model['summary'] and handoff['report']['json_path'] == '/r/report.json'
    assert handoff['report']['markdown_path'] == '/r/report.md' and handoff['report']['html_path'] == '/r/report.html'


def test_fallback_prefix_keeps_the_window_id(tmp_path, temp_dir):
    expected = os.path.join(str(temp_dir), 'quiesce-fallback', 'CHG-1', 'report')
    assert records.fallback_prefix('/srv/state/CHG-1/report') == expected
