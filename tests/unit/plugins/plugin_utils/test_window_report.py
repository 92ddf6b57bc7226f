# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The window report: the model built from a window record, and its Markdown, HTML and JSON renderings.

Expectations are computed from the fixture records themselves (not from the report module), so a
wrong derivation in the model fails here.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime
import html
import json
import os
import re

import jsonschema
import pytest

from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_report as report
from ansible_collections.quiesce.lifecycle.tests.unit.plugins.plugin_utils import window_records as records

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'docs', 'schemas',
                           'window-report-1.json')


ALL_RECORDS = records.all_records()
ALL_IDS = [name for name, unused in ALL_RECORDS]


@pytest.fixture(scope='module')
def validator():
    with open(SCHEMA_PATH) as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def render_all(record, **options):
    model = report.build_report(record, **options)
    return model, report.render_markdown(model), report.render_html(model), report.render_json(model)


def seconds_between(start, end):
    def parse(text):
        return datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%SZ')
    return (parse(end) - parse(start)).total_seconds()


def stage_of(model, name):
    return next(stage for stage in model['stages'] if stage['name'] == name)


def row_of(model, key):
    return next(row for stage in model['stages'] for row in stage['targets'] if row['key'] == key)


def svg_of(page):
    return page[page.index('<svg'):page.index('</svg>') + len('</svg>')]


def expected_bars(record, threshold=report.AGGREGATE_THRESHOLD):
    """From the record alone: one bar per ledger entry with a time, or one per stage of more than `threshold` targets."""
    targets_per_stage = {}
    for stage in record['plan']['stages'] if record.get('plan') else []:
        targets_per_stage[stage['name']] = set(target['key'] for target in stage['targets'])
    for entry in record['ledger']['entries']:
        targets_per_stage.setdefault(entry['stage'], set()).add(entry['key'])
    timed = [entry for entry in record['ledger']['entries'] if any(entry['times'].values())]
    large = set(name for name, keys in targets_per_stage.items() if len(keys) > threshold)
    return (len([entry for entry in timed if entry['stage'] not in large]),
            len(set(entry['stage'] for entry in timed if entry['stage'] in large)))


# ---------------------------------------------------------------- every record, every renderer

@pytest.mark.parametrize('name,record', ALL_RECORDS, ids=ALL_IDS)
def test_every_report_validates_against_the_schema_and_the_renderings_agree(name, record, validator):
    untouched = copy.deepcopy(record)
    model, markdown, page, text = render_all(record)
    assert record == untouched   # the caller's record is read, never changed
    document = json.loads(text)
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    assert not errors, ['{0}: {1}'.format(list(error.absolute_path), error.message) for error in errors[:5]]
    assert document == json.loads(json.dumps(model))
    assert document['schema'] == 'quiesce.lifecycle.window-report/1'
    # The result and every failure's reason and trace id reach all three renderings.
    assert model['result'].upper() in markdown.splitlines()[0]
    assert 'data-result="{0}"'.format(model['result']) in page
    for failure in model['failures']:
        assert failure['message'] in markdown or len(model['failures']) > model['aggregate_threshold']
        assert html.escape(failure['message']) in page
        if failure['request_id']:
            assert failure['request_id'] in markdown and failure['request_id'] in page
    # Every target touched is named in the JSON and the HTML, each with its own times.
    for entry in (record.get('ledger') or {}).get('entries', []):
        row = row_of(model, entry['key'])
        assert html.escape(row['label']) in page
        for field, value in entry['times'].items():
            assert row['times'][field] == value
            if value:
                assert value[11:19] in page
    assert 'unknown task' not in markdown and 'no message' not in markdown


@pytest.mark.parametrize('name,record', ALL_RECORDS, ids=ALL_IDS)
def test_the_html_page_is_self_contained(name, record):
    page = report.render_html(report.build_report(record))
    assert page.startswith('<!DOCTYPE html>') and page.rstrip().endswith('</html>')
    lowered = page.lower()
    for fetching in ('<script', '<link', '<img', '<iframe', '<object', '<embed', 'src=', 'url(', '@import', '@font-face'):
        assert fetching not in lowered, fetching
    assert all(link.startswith('#') for link in re.findall(r'href="([^"]*)"', page))
    # The only absolute URI is the SVG namespace, which is a name, not a fetch.
    assert set(re.findall(r'https?://[^"\s<]+', page)) <= {'http://www.w3.org/2000/svg'}


# ---------------------------------------------------------------- a successful full window (3 targets)

def test_full_window_model_derives_result_slack_durations_and_stopped_periods():
    record = records.load('full_ok')
    model = report.build_report(record)
    assert model['result'] == 'ok'
    assert model['deadline_slack_seconds'] == seconds_between(record['finished_at'], record['deadline']) == 5000
    assert model['duration_seconds'] == seconds_between(record['started_at'], record['finished_at'])
    assert [stage['name'] for stage in model['stages']] == ['analytics', 'databases', 'agents']
    for run in record['stages']:
        stage = stage_of(model, run['name'])
        modelled = next(r for r in stage['runs'] if r['phase'] == run['phase'])
        assert modelled['duration_seconds'] == seconds_between(run['started_at'], run['finished_at'])
    for entry in record['ledger']['entries']:
        row = row_of(model, entry['key'])
        assert row['status'] == 'resumed'
        assert row['stopped_seconds'] == seconds_between(entry['times']['stop_issued'], entry['times']['up'])
        assert row['down_seconds'] == seconds_between(entry['times']['down'], entry['times']['start_issued'])
        assert row['before'] == entry['before'] and row['after'] == entry['after']
    assert model['still_stopped'] == [] and model['failures'] == [] and model['failure'] is None
    assert model['counts']['resumed'] == model['counts']['touched'] == 3
    assert [(phase['name'], phase['started_at'], phase['finished_at']) for phase in model['phases']] == [
        ('quiesce', '2026-12-06T02:00:05Z', '2026-12-06T02:04:40Z'),
        ('operator', '2026-12-06T02:04:40Z', '2026-12-06T02:30:01Z'),
        ('resume', '2026-12-06T02:30:01Z', '2026-12-06T02:36:30Z')]
    gates = stage_of(model, 'analytics')['gates']
    verdicts = [(gate['phase'], gate['when'], gate['verdict']) for gate in gates]
    assert verdicts == [('quiesce', 'pre', 'pass'), ('resume', 'post', 'pass')]


def test_an_agent_step_names_its_process():
    model = report.build_report(records.load('full_ok'))
    label = stage_of(model, 'agents')['targets'][0]['label']
    assert 'obstat2' in label and 'ob-report-1' in label


def test_full_window_markdown_has_header_stage_tables_ids_and_no_leftovers():
    model, markdown, unused_page, unused_text = render_all(records.load('full_ok'))
    lines = markdown.splitlines()
    assert lines[0] == '# Maintenance window CHG-4711: OK'
    for fact in ('- **phase**: full', '- **started**: 2026-12-06 02:00:00Z', '- **finished**: 2026-12-06 02:36:40Z (36m 40s)',
                 '- **deadline**: 2026-12-06 04:00:00Z, 1h 23m to spare'):
        assert fact in lines
    hive = next(line for line in lines if line.startswith('| Hive (mrs-prod)'))
    cells = [cell.strip() for cell in hive.strip('|').split('|')]
    assert cells == ['Hive (mrs-prod)', 'STARTED', 'STARTED', 'stopped, started', '02:00:06', '02:02:38', '02:33:12',
                     '02:36:20', 'stop 2m 32s, start 3m 08s', 'stop: command_id=41; start: command_id=45', 'resumed']
    cluster = next(line for line in lines if line.startswith('| ob-report (1000003)'))
    assert 'stop: task_id=107302 trace_id=3cfec9a5180748ff; start: task_id=107351' in cluster
    assert '- mrs_services_healthy (pre-stop): pass, 14 services GOOD' in markdown.replace('- gates: ', '- ')
    assert 'Nothing this window stopped is left stopped.' in markdown
    assert 'ansible-playbook' not in markdown   # nothing to resume: no resume command offered


def test_full_window_timeline_has_a_bar_per_target_with_its_phases_bands_and_the_deadline():
    record = records.load('full_ok')
    page = report.render_html(report.build_report(record))
    svg = svg_of(page)
    bars = re.findall(r'<g data-bar="target" data-key="([^"]+)" data-outcome="([a-z_]+)"', svg)
    assert sorted(bars) == sorted((entry['key'], 'resumed') for entry in record['ledger']['entries'])
    assert svg.count('data-segment="stopping"') == svg.count('data-segment="down"') == svg.count('data-segment="starting"') == 3
    assert re.findall(r'data-band="(\w+)"', svg) == ['quiesce', 'operator', 'resume']
    # The deadline is 1h23m after the last event: marked at the chart's edge, said to be beyond it.
    assert re.findall(r'data-deadline="([^"]+)" data-deadline-beyond="(\w+)"', svg) == [('2026-12-06T04:00:00Z', 'true')]
    assert 'deadline 04:00 (+1h 23m)' in svg


def test_a_deadline_within_reach_is_drawn_where_it_falls():
    record = records.load('full_ok')
    record['deadline'] = '2026-12-06T02:45:00Z'
    svg = svg_of(report.render_html(report.build_report(record)))
    match = re.search(r'data-deadline="2026-12-06T02:45:00Z" data-deadline-beyond="false"><line x1="([\d.]+)"', svg)
    assert match
    ups = [float(x) + float(w) for x, w in re.findall(r'data-segment="starting" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)]
    assert max(ups) < float(match.group(1)) < report.CHART_WIDTH   # every target back before the line


# ---------------------------------------------------------------- a failed window (API error with trace id)

def test_failed_window_keeps_the_api_error_once_with_status_code_message_and_trace_id():
    model = report.build_report(records.load('failed_api_error'))
    assert model['result'] == 'failed'
    failure = model['failure']
    assert failure['stopped_window'] is True and failure['source'] == 'target'
    assert (failure['stage'], failure['key'], failure['phase']) == ('databases', 'ocp_cluster:ocp-hz:1000003', 'quiesce')
    assert (failure['http_status'], failure['code'], failure['request_id']) == (500, 10000, '51b0faa7203d42db')
    assert failure['api_message'] == 'Internal server error: task scheduler unavailable'
    same = [f for f in model['failures'] if f['key'] == 'ocp_cluster:ocp-hz:1000003']
    assert same == [failure] and model['failures'][0] is failure
    sources = sorted((f['source'], f['stage'], f['phase']) for f in model['failures'])
    assert sources == [('gate', 'analytics', 'resume'), ('target', 'analytics', 'resume'), ('target', 'databases', 'quiesce')]
    # ob-report's stop failed but resume found it running: back in the end, with its failure counted.
    cluster = row_of(model, 'ocp_cluster:ocp-hz:1000003')
    assert cluster['status'] == 'resumed' and cluster['failed_actions'] == 1
    # No operator's tasks ran: the window went from its failure straight to putting back.
    assert [phase['name'] for phase in model['phases']] == ['quiesce', 'hold', 'resume']
    assert cluster['done'] == 'stop failed, found running'


def test_a_service_mrs_stopped_along_with_a_listed_one_is_named_so_as_the_stage_records_it(validator):
    # As a stage records it (StageRunner.quiesce): the service MRS stopped along with Hive is one of the quiesce
    # run's targets (decision cascade, outcome stopped, both times the moment it was found) and the ledger holds
    # it with cascade_of the listed service's name. Its row must say so, not "stopped" as if stopped on its own.
    record = records.load('full_ok')
    hive = record['ledger']['entries'][0]
    found, start, up = '2026-12-06T02:02:39Z', '2026-12-06T02:36:21Z', '2026-12-06T02:36:40Z'
    hue = dict(copy.deepcopy(hive), key='mrs_service:mrs-prod:1:Hue', target={'cluster_id': 1, 'service': 'Hue'},
               label='Hue', action='stop (cascade)', cascade_of='Hive', follow_up={'command_id': 46},
               times={'stop_issued': found, 'down': found, 'start_issued': start, 'up': up})
    record['ledger']['entries'].append(hue)
    runs = dict((s['phase'], s) for s in record['stages'] if s['name'] == 'analytics')
    runs['quiesce']['targets'].append({
        'key': hue['key'], 'label': 'Hue', 'endpoint': 'mrs-prod', 'target': hue['target'], 'before': 'STARTED',
        'after': 'STOPPED', 'decision': 'cascade', 'outcome': 'stopped', 'cascade_of': 'Hive', 'started_at': found,
        'finished_at': found, 'follow_up': {}, 'error': None})
    runs['resume']['targets'].append({
        'key': hue['key'], 'label': 'Hue', 'endpoint': 'mrs-prod', 'target': hue['target'], 'before': 'STOPPED',
        'after': 'STARTED', 'decision': 'start', 'outcome': 'started', 'cascade_of': 'Hive', 'started_at': start,
        'finished_at': up, 'follow_up': {'command_id': 46}, 'error': None})
    model, markdown, _html, document = render_all(record)
    assert not list(validator.iter_errors(json.loads(document)))
    row = row_of(model, hue['key'])
    assert (row['done'], row['status'], row['cascade_of']) == ('stopped along with Hive, started', 'resumed', 'Hive')
    assert row_of(model, hive['key'])['done'] == 'stopped, started'
    cells = [cell.strip() for cell in next(line for line in markdown.splitlines() if line.startswith('| Hue |'))
             .split('|')]
    assert cells[4] == 'stopped along with Hive, started'
    assert cells[9] == 'start 19s'  # the stop was Hive's: no duration of its own


def test_failed_window_shows_the_service_mrs_stopped_along_with_a_listed_one():
    record = records.load('failed_api_error')
    model = report.build_report(record)
    spark = row_of(model, 'mrs_service:mrs-prod:1:Spark2x')
    assert spark['cascade_of'] == 'Hive (mrs-prod)'
    assert spark['done'] == 'stopped along with Hive (mrs-prod), start failed'
    assert spark['status'] == 'failed' and spark['ledger_status'] == 'resume_failed'
    assert spark['times']['down'] == '2026-12-06T02:03:30Z' and spark['times']['up'] is None
    assert [item['key'] for item in model['still_stopped']] == ['mrs_service:mrs-prod:1:Spark2x']
    assert model['still_stopped'][0]['note'].startswith('MRS command 57 (start Spark2x) failed')
    markdown = report.render_markdown(model)
    still = markdown[markdown.index('## Still stopped'):]
    assert 'Spark2x (mrs-prod), stopped along with Hive (mrs-prod)' in still
    assert '```\nansible-playbook quiesce.lifecycle.resume -e maintenance_window_id=CHG-4712\n```' in still
    # Its bar runs to the end of the record (still down), starting segment then down again, with an arrowhead.
    svg = svg_of(report.render_html(model))
    drawn = re.search(r'<g data-bar="target" data-key="mrs_service:mrs-prod:1:Spark2x"[^>]*>.*?</g>', svg).group(0)
    assert re.findall(r'data-segment="(\w+)"', drawn) == ['stopping', 'down', 'starting', 'down']
    assert 'data-outcome="failed"' in drawn and '<path d=' in drawn


def test_failed_window_renders_the_failure_under_its_stage_with_every_api_fact():
    model, markdown, page, unused_text = render_all(records.load('failed_api_error'))
    databases = markdown[markdown.index('### 2. databases'):markdown.index('### 3. agents')]
    line = next(line for line in databases.splitlines() if line.startswith('- **quiesce, stage databases'))
    for fact in ('(stopped the window)', 'HTTP 500', 'code 10000', 'trace/request id 51b0faa7203d42db', 'type ApiError'):
        assert fact in line
    assert '> **Window stopped** at quiesce, stage databases, ob-report (1000003): OCP API error' in markdown
    assert 'Failures outside the stages' not in markdown   # each failure sits under its stage, once
    assert page.count('<code>trace/request id 51b0faa7203d42db</code>') == 1
    agents = stage_of(model, 'agents')
    assert agents['status'] == 'not_started' and 'stopped at stage databases' in agents['reason']
    assert [(row['status'], row['done']) for row in agents['targets']] == [('skipped', 'not stopped')] * 2
    assert 'ob-report-1: ob_logtailer' in markdown


def test_a_failure_without_a_message_says_what_is_known():
    record = records.load('full_ok')
    record['failure'] = {'stage': None, 'target': None, 'message': None}
    record['events'].append({'at': '2026-12-06T02:05:00Z', 'phase': 'quiesce', 'stage': None, 'kind': 'operator',
                             'message': 'operator tasks: file playbooks/patch-os.yml not found'})
    model, markdown, page, unused_text = render_all(record)
    failure = model['failure']
    assert model['result'] == 'failed' and failure['message_recorded'] is False
    assert failure['message'].startswith('no error message was recorded (the window stopped, phase full)')
    assert failure['message'].endswith('last event: 2026-12-06 02:05:00Z operator: operator tasks: file '
                                       'playbooks/patch-os.yml not found')
    assert '## Failures outside the stages' in markdown and failure['message'] in markdown
    assert html.escape(failure['message']) in page


def test_a_target_error_without_a_message_keeps_its_http_status_and_says_where():
    record = records.load('full_ok')
    target = record['stages'][1]['targets'][0]
    target.update(outcome='failed', error={'http_status': 502})
    model = report.build_report(record)
    failure = next(f for f in model['failures'] if f['key'] == target['key'])
    assert failure['http_status'] == 502 and failure['message_recorded'] is False
    assert 'stop failed, stage databases, target ob-report (1000003), phase quiesce' in failure['message']
    assert 'HTTP 502' in report.render_markdown(model)


# ---------------------------------------------------------------- a check-mode plan

def test_check_mode_plan_model_and_markdown_say_what_would_happen():
    record = records.load('check_mode_plan')
    model, markdown, page, unused_text = render_all(record)
    assert model['check_mode'] is True and model['result'] == 'planned' and model['stages'] == []
    decisions = [target['decision'] for stage in record['plan']['stages'] for target in stage['targets']]
    assert model['plan']['counts'] == {'stop': decisions.count('stop'), 'already_stopped': decisions.count('already_stopped'),
                                       'skipped_by_gate': decisions.count('skipped_by_gate'), 'targets': len(decisions)}
    assert markdown.startswith('# PLAN (check mode) for maintenance window CHG-4713: PLANNED\n')
    assert 'check mode sent no request that changes anything' in markdown
    assert '| Oozie (mrs-prod) | STOPPED | leave alone (already stopped) | already STOPPED: left alone, not in the ledger |' in markdown
    assert '| ob-archive (1000002) | RUNNING | skip (gate) | gate ocp_no_running_task: task 107200 (Upgrade) running |' in markdown
    assert 'estimated stop 4m 00s, start 6m 00s; fits the deadline' in markdown
    assert '- **estimated**: 23m 00s; fits the deadline' in markdown
    assert 'ob-report-1 (1005): ob_logtailer' in markdown
    assert 'data-plan' in page and 'PLAN (check mode): nothing was changed' in page and 'data-bar' not in page


@pytest.mark.parametrize('change,problem', [
    ({'fits_deadline': False}, None),
    ({'ok': False}, {'where': 'endpoint mrs-dr', 'message': 'authentication failed: HTTP 401'}),
])
def test_a_plan_with_problems_or_past_the_deadline_is_blocked(change, problem):
    record = records.load('check_mode_plan')
    record['plan'].update(change)
    if problem:
        record['plan']['problems'] = [problem]
    model, markdown, unused_page, unused_text = render_all(record)
    assert model['result'] == 'blocked'
    if problem:
        assert '## Problems (nothing will stop until they are fixed)' in markdown
        assert '- **endpoint mrs-dr**: authentication failed: HTTP 401' in markdown
    else:
        assert 'does NOT fit the deadline' in markdown


def test_a_plan_of_2500_servers_is_summarized_in_markdown_and_listed_whole_in_html(validator):
    record = records.large_window()
    record.update(check_mode=True, stages=[], ledger=None, finished_at=record['started_at'])
    model, markdown, page, text = render_all(record)
    assert not list(validator.iter_errors(json.loads(text)))
    machines = model['plan']['stages'][1]
    assert machines['aggregate'] is True and machines['counts'] == {'stop': 2498, 'already_stopped': 2, 'skipped_by_gate': 0}
    section = markdown[markdown.index('### 2. machines'):]
    assert '2,500 targets; the first 5:' in section
    assert len([line for line in section.splitlines() if line.startswith('| rack02-')]) == report.SUMMARY_EXAMPLES
    listing = page[page.index('<details data-details="machines">'):]
    assert listing[:listing.index('</details>')].count('<tr><td>rack02-') == 2500


# ---------------------------------------------------------------- a deadline stop

def test_a_stage_not_started_for_the_deadline_says_why_everywhere():
    record = records.load('deadline_stop')
    model, markdown, page, unused_text = render_all(record)
    machines = stage_of(model, 'machines')
    reason = record['stages'][1]['reason']
    assert model['result'] == 'partial'
    assert machines['status'] == 'skipped_deadline' and machines['reason'] == reason
    plan_keys = [target['key'] for target in record['plan']['stages'][1]['targets']]
    assert [row['key'] for row in machines['targets']] == plan_keys
    assert all(row['status'] == 'skipped' and row['after'] == 'ACTIVE' for row in machines['targets'])
    assert '### 2. machines (bms_power): not started (deadline)' in markdown
    assert '- why: ' + reason in markdown
    assert 'not started for the deadline: machines' in model['summary']
    svg = svg_of(page)
    assert 'data-stage-note="skipped_deadline">not started at 02:41:05: its estimated stop (10m 00s)' in svg
    assert svg.count('data-bar=') == 1


def test_without_a_recorded_reason_a_deadline_stop_explains_itself_from_the_plan():
    record = records.load('deadline_stop')
    record['stages'][1]['reason'] = None
    machines = stage_of(report.build_report(record), 'machines')
    assert machines['reason'] == ('not started: too little time was left before the deadline 2026-12-06 03:00:00Z '
                                  'for its estimated stop (10m 00s) and start (15m 00s)')


# ---------------------------------------------------------------- a resume-only run

def test_a_resume_only_run_reports_the_earlier_stop_from_the_ledger():
    record = records.load('resume_only')
    model, markdown, page, unused_text = render_all(record)
    assert model['result'] == 'ok' and model['phase'] == 'resume'
    assert [stage['name'] for stage in model['stages']] == ['databases', 'agents']   # the ledger's order
    cluster = row_of(model, 'ocp_cluster:ocp-hz:1000003')
    assert cluster['done'] == 'stopped by an earlier job, started'
    assert cluster['stopped_seconds'] == seconds_between('2026-12-05T22:00:05Z', '2026-12-06T06:04:00Z')
    assert [(phase['name'], phase['source']) for phase in model['phases']] == [
        ('quiesce', 'ledger'), ('hold', 'ledger'), ('resume', 'this run')]
    assert '| 12-05 22:00:05 | 12-05 22:01:30 | 06:00:40 | 06:04:00 |' in markdown   # the earlier day is dated
    assert 'stop: task_id=107502 trace_id=77ab01cd2e3f4051; start: task_id=107561' in markdown
    assert 'quiesce (earlier job)' in page and svg_of(page).count('data-bar="target"') == 2


# ---------------------------------------------------------------- 2,500 servers

@pytest.fixture(scope='module')
def large():
    record = records.large_window()
    files = {'json': '/state/CHG-4720/report.json', 'html': '/state/CHG-4720/report.html'}
    return (record,) + render_all(record, files=files)


def test_a_stage_of_2500_servers_names_every_server_with_its_own_times_in_the_json(large):
    record, unused_model, unused_markdown, unused_page, text = large
    document = json.loads(text)
    machines = next(stage for stage in document['stages'] if stage['name'] == 'machines')
    entries = dict((entry['key'], entry) for entry in record['ledger']['entries'] if entry['stage'] == 'machines')
    assert machines['aggregate'] is True and machines['counts']['targets'] == 2500
    assert len(entries) == 2498   # two were already off: named, left alone, not in the ledger
    for row in machines['targets']:
        if row['key'] in entries:
            assert row['times'] == entries[row['key']]['times']
            assert row['label'] == entries[row['key']]['label']
        else:
            assert row['status'] == 'left_alone' and row['before'] == 'SHUTOFF'
    assert machines['counts']['failed'] == 3 and machines['counts']['resumed'] == 2495
    assert machines['span']['still_down'] == 3 and machines['span']['last_up'] is None
    assert len(document['still_stopped']) == 3


def test_a_stage_of_2500_servers_is_summarized_in_markdown(large):
    unused_record, model, markdown, unused_page, unused_text = large
    section = markdown[markdown.index('### 2. machines'):markdown.index('## Still stopped')]
    rows = [line for line in section.splitlines() if line.startswith('| rack02-')]
    assert len(rows) == report.SUMMARY_EXAMPLES
    assert all('| failed |' in row for row in rows[:3])   # the failures come first
    assert '2,500 targets: 3 failed, 2,495 resumed, 2 left alone.' in section
    assert ('The full list of 2,500 targets, each with its own times: /state/CHG-4720/report.json (stages[1].targets) '
            'and /state/CHG-4720/report.html (stage 2, "All targets").') in section
    assert len(markdown.encode()) < 8000
    assert model['failures'][0]['code'] == 'BMS.0222' and 'BMS.0222' in section


def test_a_stage_of_2500_servers_is_one_row_in_the_timeline_and_the_page_stays_small(large):
    record, unused_model, unused_markdown, page, unused_text = large
    small_page = report.render_html(report.build_report(records.large_window(count=30)))
    svg, small_svg = svg_of(page), svg_of(small_page)
    assert (svg.count('data-bar="target"'), svg.count('data-bar="aggregate"')) == expected_bars(record) == (1, 1)
    assert 'data-stage="machines" data-count="2498"' in svg and '2,498 stopped: 3 failed, 2,495 resumed' in svg
    # The chart does not grow with the stage: 2,500 servers draw the same as 30.
    assert len(svg) < 6000 and abs(len(svg) - len(small_svg)) < 100
    # The page grows only by the details list: a line of under 300 bytes per server (two 32-character job ids in it).
    details = page[page.index('<details data-details="machines">'):]
    details = details[:details.index('</details>')]
    assert details.count('<tr><td>rack02-') == 2500
    per_server = (len(page.encode()) - len(small_page.encode())) / 2470
    assert per_server < 300, per_server
    assert len(page.encode()) < 700 * 1024


def test_the_aggregation_threshold_is_a_parameter():
    record = records.load('failed_api_error')
    model = report.build_report(record, aggregate_threshold=2)
    analytics = stage_of(model, 'analytics')
    assert analytics['aggregate'] is True and not stage_of(model, 'databases')['aggregate']
    svg = svg_of(report.render_html(model))
    assert (svg.count('data-bar="target"'), svg.count('data-bar="aggregate"')) == expected_bars(record, threshold=2) == (1, 1)


# ---------------------------------------------------------------- records that miss something

def test_a_crash_between_intent_and_answer_shows_an_unknown_target_that_stays_open():
    # The quiesce job died while the agent's stop was in flight: two targets stopped, one intent, no resume.
    record = records.load('full_ok')
    for stopped in record['ledger']['entries'][:2]:
        stopped.update(status='stopped', after='STOPPED')
        stopped['times'].update(start_issued=None, up=None)
    entry = record['ledger']['entries'][2]
    entry.update(status='intent', after=None, times={'stop_issued': '2026-12-06T02:04:12Z', 'down': None,
                                                     'start_issued': None, 'up': None})
    record['stages'] = record['stages'][:2]
    record['phase'] = 'quiesce'
    model = report.build_report(record)
    row = row_of(model, entry['key'])
    assert (row['status'], row['done']) == ('unknown', 'stop sent, outcome not recorded')
    assert model['result'] == 'failed'
    assert [item['status'] for item in model['still_stopped']] == ['stopped', 'stopped', 'intent']
    svg = svg_of(report.render_html(model))
    drawn = re.search(r'<g data-bar="target" data-key="{0}"[^>]*>.*?</g>'.format(re.escape(entry['key'])), svg).group(0)
    assert 'data-outcome="unknown"' in drawn and re.findall(r'data-segment="(\w+)"', drawn) == ['stopping'] and '<path' in drawn


def test_a_stage_only_the_plan_knows_is_reported_as_not_started():
    record = records.load('failed_api_error')
    record['stages'] = [run for run in record['stages'] if run['name'] != 'agents']
    agents = stage_of(report.build_report(record), 'agents')
    assert agents['status'] == 'not_started' and agents['reason'] == 'not started: the window stopped at stage databases'
    assert [row['label'] for row in agents['targets']] == ['ob-report-1: obstat2', 'ob-report-1: ob_logtailer']


def test_a_label_the_record_lacks_is_made_from_the_target():
    record = records.load('full_ok')
    for item in [record['ledger']['entries'][2], record['stages'][2]['targets'][0], record['stages'][3]['targets'][0],
                 record['plan']['stages'][2]['targets'][0]]:
        item.pop('label')
    assert row_of(report.build_report(record), 'ocp_agent_process:ocp-hz:1005:3')['label'] == 'ob-report-1: obstat2'


def test_text_from_the_record_is_escaped_in_html_and_markdown():
    record = records.load('full_ok')
    hostile = 'Hive <script>alert(1)</script> | "x" & y'
    for item in [record['ledger']['entries'][0], record['stages'][0]['targets'][0], record['stages'][5]['targets'][0]]:
        item['label'] = hostile
    model, markdown, page, unused_text = render_all(record)
    assert '<script>' not in page and html.escape(hostile) in page
    assert 'Hive <script>alert(1)</script> \\| "x" & y' in markdown


@pytest.mark.parametrize('record,message', [
    (['not', 'a', 'mapping'], 'must be a mapping'),
    ({'schema': 'quiesce.lifecycle.window/2'}, "schema 'quiesce.lifecycle.window/2'; this report reads"),
])
def test_a_record_that_is_not_one_is_refused_clearly(record, message):
    with pytest.raises(report.RecordError, match=re.escape(message)):
        report.build_report(record)


def test_an_empty_record_still_renders_everything_it_can(validator):
    model, markdown, page, text = render_all({'window_id': 'CHG-1', 'phase': 'quiesce'})
    assert model['result'] == 'ok' and model['stages'] == []
    assert not list(validator.iter_errors(json.loads(text)))
    assert 'Nothing was stopped, so there is no timeline to draw.' in page and '- **deadline**: none set' in markdown


# ---------------------------------------------------------------- helpers

@pytest.mark.parametrize('text,expected', [
    ('2026-12-06T02:00:00Z', '2026-12-06T02:00:00Z'),
    ('2026-12-06T10:00:00+08:00', '2026-12-06T02:00:00Z'),
    ('2020-12-02T20:03:58.233+08:00', '2020-12-02T12:03:58Z'),
    ('2026-12-06 02:00:00', '2026-12-06T02:00:00Z'),
    ('2026-12-06T02:00Z', '2026-12-06T02:00:00Z'),
    (1796522400, '2026-12-06T02:00:00Z'),
    ('yesterday', None), ('2026-13-01T00:00:00Z', None), (None, None), (True, None),
])
def test_times_in_every_documented_shape_are_read_as_utc(text, expected):
    assert report.iso(report.parse_time(text)) == expected


@pytest.mark.parametrize('seconds,expected', [(0, '0s'), (42.4, '42s'), (185, '3m 05s'), (3720, '1h 02m'), (-90, '-1m 30s'),
                                              (None, '')])
def test_durations_read_naturally(seconds, expected):
    assert report.duration_text(seconds) == expected


def test_the_schema_admits_every_event_kind_the_window_writes_and_no_other(validator):
    with open(SCHEMA_PATH) as handle:
        schema = json.load(handle)
    kinds = schema['$defs']['event']['properties']['kind']['enum']
    assert kinds == list(report.EVENT_KINDS)
    record = records.load('full_ok')
    # What WindowState.event writes in real runs (window_preflight, window_stage, the turn), and one it never does.
    for kind in ('preflight', 'turn', 'continue', 'made-up'):
        record['events'].append({'at': '2026-12-06T02:05:00Z', 'phase': 'quiesce', 'stage': None, 'kind': kind,
                                 'message': kind + ' event'})
    model, unused_markdown, unused_page, text = render_all(record)
    assert [e['kind'] for e in model['events'][-4:]] == ['preflight', 'turn', 'continue', 'note']
    validator.validate(json.loads(text))


def test_the_gap_is_the_operators_when_the_window_ran_their_tasks():
    record = records.load('full_ok')
    record['events'] = [e for e in record['events'] if e['kind'] != 'operator']
    assert [p['name'] for p in report.build_report(record)['phases']] == ['quiesce', 'hold', 'resume']
    record['operator_tasks'] = '/srv/playbooks/patch-os.yml'   # what window_preflight records for a full window
    assert [p['name'] for p in report.build_report(record)['phases']] == ['quiesce', 'operator', 'resume']


def test_a_target_whose_action_was_never_sent_validates_and_says_so(validator):
    # What the runner writes for a target of a sequential stage after an earlier one failed: outcome not_started.
    record = records.load('failed_api_error')
    databases = record['stages'][1]
    databases['targets'].append({'key': 'ocp_cluster:ocp-hz:1000004', 'label': 'ob-archive (1000004)',
                                 'before': 'RUNNING', 'after': 'RUNNING', 'decision': 'stop', 'outcome': 'not_started',
                                 'started_at': None, 'finished_at': None, 'follow_up': None, 'error': None})
    model, markdown, unused_page, text = render_all(record)
    validator.validate(json.loads(text))
    row = row_of(model, 'ocp_cluster:ocp-hz:1000004')
    assert row['status'] == 'skipped' and row['done'] == 'stop not sent'
    assert 'stop not sent' in markdown
