"""The window report's HTML page as a real browser renders it (headless Debian Chromium).

Each page is rendered from the unit fixtures' window records (3 targets, a failed window, 2,500 servers,
a deadline stop, a resume-only run, a plan), loaded from a file, and checked as the browser saw it:
no request for anything but the file itself, one bar per stopped target or aggregated stage, the
deadline line drawn, and a non-empty screenshot (kept under tests/output/browser/).

To check the page of a real run: ``report_page.check_report_page(path_to_report.html)``, or
``QUIESCE_REPORT_HTML=/path/report.html .venv/bin/python -m pytest tests/browser -k real_run``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from collection_path import REPO, import_report_module, import_window_records
from report_page import check_report_page, chromium_problem

OUTPUT = REPO / 'tests' / 'output' / 'browser'


@pytest.fixture(scope='session', autouse=True)
def chromium():
    problem = chromium_problem()
    if problem:
        pytest.skip('no headless Chromium for the report page tests: ' + problem)


def render(name, record):
    report = import_report_module()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / '{0}.html'.format(name)
    path.write_text(report.render_html(report.build_report(record)), encoding='utf-8')
    return path


def expected_bars(record, threshold):
    """From the record alone: bars for ledger entries with times; one per stage of more than `threshold` targets."""
    keys = {}
    for stage in (record.get('plan') or {}).get('stages', []):
        keys.setdefault(stage['name'], set()).update(target['key'] for target in stage['targets'])
    for entry in record['ledger']['entries']:
        keys.setdefault(entry['stage'], set()).add(entry['key'])
    timed = [entry for entry in record['ledger']['entries'] if any(entry['times'].values())]
    large = set(name for name, found in keys.items() if len(found) > threshold)
    return ([entry['key'] for entry in timed if entry['stage'] not in large],
            sorted(set(entry['stage'] for entry in timed if entry['stage'] in large)))


def test_three_targets_render_with_a_bar_each_and_the_deadline():
    records = import_window_records()
    record = records.load('full_ok')
    facts = check_report_page(render('full_ok', record), screenshot=OUTPUT / 'full_ok.png')
    targets, aggregates = expected_bars(record, import_report_module().AGGREGATE_THRESHOLD)
    assert sorted(bar['key'] for bar in facts['bars'] if bar['kind'] == 'target') == sorted(targets)
    assert aggregates == [] and all(bar['outcome'] == 'resumed' for bar in facts['bars'])
    assert [band['name'] for band in facts['bands']] == ['quiesce', 'operator', 'resume']
    assert facts['deadlines'][0]['at'] == record['deadline']
    # Bars stack one row per target, top to bottom in stage order.
    tops = [bar['box']['y'] for bar in facts['bars']]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)


def test_2500_servers_render_as_one_aggregated_row_with_every_server_in_the_details():
    records = import_window_records()
    record = records.large_window()
    facts = check_report_page(render('large_window', record), screenshot=OUTPUT / 'large_window.png')
    targets, aggregates = expected_bars(record, import_report_module().AGGREGATE_THRESHOLD)
    assert [bar['key'] for bar in facts['bars'] if bar['kind'] == 'target'] == targets
    assert [(bar['stage'], bar['count']) for bar in facts['bars'] if bar['kind'] == 'aggregate'] == [
        (aggregates[0], len([e for e in record['ledger']['entries'] if e['stage'] == aggregates[0]]))]
    assert facts['details'] == [{'stage': 'machines', 'rows': 2500}]
    assert facts['page_height'] < 4000   # the details stay folded: the page reads as a short one


def test_a_deadline_within_the_window_is_drawn_inside_the_chart():
    records = import_window_records()
    record = records.demo_window()
    facts = check_report_page(render('demo_window', record), screenshot=OUTPUT / 'demo_window.png')
    deadline = facts['deadlines'][0]
    assert deadline['beyond'] is False
    last_bar_end = max(bar['box']['x'] + bar['box']['width'] for bar in facts['bars'])
    assert deadline['line']['x'] > last_bar_end - 1   # everything was back before it


@pytest.mark.parametrize('name', ['failed_api_error', 'deadline_stop', 'resume_only', 'check_mode_plan'])
def test_every_fixture_page_renders_offline(name):
    record = import_window_records().load(name)
    facts = check_report_page(render(name, record), screenshot=OUTPUT / '{0}.png'.format(name))
    if name == 'check_mode_plan':
        assert facts['plan'] == 1
    else:
        assert len(facts['bars']) == len(expected_bars(record, import_report_module().AGGREGATE_THRESHOLD)[0])


@pytest.mark.skipif(not os.environ.get('QUIESCE_REPORT_HTML'), reason='QUIESCE_REPORT_HTML names no report of a real run')
def test_real_run():
    path = Path(os.environ['QUIESCE_REPORT_HTML'])
    check_report_page(path, screenshot=OUTPUT / 'real_run.png')
