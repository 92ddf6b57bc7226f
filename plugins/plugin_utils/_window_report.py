# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The maintenance window's report: one model built from the window record, three renderers over it.

``build_report(record)`` reads the window record (docs/dev/window-model.md, "Window record") and
derives every fact once: the result, the slack against the deadline, each stage's and each target's
times and durations, what is still stopped (from the ledger), every failure with the API's HTTP
status, code, message and trace/request id, the gates and their verdicts, and the resume command.
The model is plain JSON data (it is also the JSON report, schema ``docs/schemas/window-report-1.json``).

``render_markdown``, ``render_html`` and ``render_json`` only lay that model out, so the terminal,
the page attached to the change ticket and the file a script reads cannot disagree. A record with
``check_mode: true`` is a plan: the model then carries ``plan`` and every renderer marks it as one.

Controller-side code: standard library only, so it imports wherever ansible-core runs.
"""

import datetime
import html
import json
import re

REPORT_SCHEMA = 'quiesce.lifecycle.window-report/1'
RECORD_SCHEMA = 'quiesce.lifecycle.window/1'
# A stage with more targets than this is summarized in Markdown and drawn as one row in the timeline.
AGGREGATE_THRESHOLD = 25
# Examples a summarized stage shows in Markdown (failures first).
SUMMARY_EXAMPLES = 5
# Events Markdown shows before it points at the JSON report for the rest.
MARKDOWN_EVENTS = 30

# What a window's record notes as it goes (window.json events; events[].kind of the schema). The window writes
# preflight (its problems), turn (to resume: a failure, the deadline) and continue (on_failure=continue); the others
# are for records that tell more (the operator's tasks, a gate's or the deadline's verdict, a stage's own note).
# Any other kind is shown as a note.
EVENT_KINDS = ('preflight', 'turn', 'continue', 'deadline', 'gate', 'stage', 'operator', 'note')
# A target's outcome in the report, worst first (an aggregated row takes the worst of its targets).
ROW_STATUSES = ('failed', 'unknown', 'still_stopped', 'resumed', 'skipped', 'left_alone')
STATUS_TEXT = {'failed': 'failed', 'unknown': 'unknown', 'still_stopped': 'still stopped', 'resumed': 'resumed',
               'skipped': 'skipped', 'left_alone': 'left alone'}
LEDGER_TO_ROW = {'resumed': 'resumed', 'stopped': 'still_stopped', 'failed': 'failed', 'resume_failed': 'failed',
                 'intent': 'unknown', 'unknown': 'unknown'}
STAGE_STATUS_TEXT = {'done': 'done', 'failed': 'failed', 'skipped_deadline': 'not started (deadline)',
                     'skipped_gate': 'skipped by a gate', 'not_started': 'not started'}
DECISION_TEXT = {'stop': 'stop', 'already_stopped': 'leave alone (already stopped)',
                 'skipped_by_gate': 'skip (gate)'}
GATE_WHEN_TEXT = {'pre': 'pre-stop', 'post': 'post-start'}
TIME_FIELDS = ('stop_issued', 'down', 'start_issued', 'up')
# Where the trace or request id of a failed call may be recorded, in order of preference.
TRACE_KEYS = ('request_id', 'trace_id')

_ISO_TIME = re.compile(r'^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:[.,](\d+))?'
                       r'\s*(Z|[+-]\d{2}(?::?\d{2})?)?$', re.IGNORECASE)


class RecordError(ValueError):
    """The window record cannot be read as one (wrong schema, not a mapping)."""


# ---------------------------------------------------------------- time and text helpers

def parse_time(value):
    """An ISO 8601 time (``Z``, an offset, or none: UTC) or epoch seconds as an aware datetime; None if unreadable."""
    if value is None or value == '' or isinstance(value, bool):
        return None
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
    match = _ISO_TIME.match(str(value).strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    tz = datetime.timezone.utc
    if zone and zone.upper() != 'Z':
        digits = zone[1:].replace(':', '')
        offset = datetime.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))
        tz = datetime.timezone(offset if zone[0] == '+' else -offset)
    try:
        moment = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0),
                                   int((fraction or '0')[:6].ljust(6, '0')), tz)
    except ValueError:
        return None
    return moment.astimezone(datetime.timezone.utc)


def iso(moment):
    """A datetime as the report writes times: UTC, seconds, ``Z``."""
    return moment.strftime('%Y-%m-%dT%H:%M:%SZ') if moment else None


def _normal_time(value):
    return iso(parse_time(value))


def _seconds(start, end):
    start, end = parse_time(start), parse_time(end)
    if start is None or end is None:
        return None
    return round((end - start).total_seconds(), 1)


def duration_text(seconds):
    """42s, 3m 05s, 1h 02m (negative: the same, with a minus)."""
    if seconds is None:
        return ''
    sign = '-' if seconds < 0 else ''
    whole = int(round(abs(seconds)))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return '{0}{1}h {2:02d}m'.format(sign, hours, minutes)
    if minutes:
        return '{0}{1}m {2:02d}s'.format(sign, minutes, secs)
    return '{0}{1}s'.format(sign, secs)


def clock_text(value, day=None):
    """A time as HH:MM:SS (UTC), with the date when it is not ``day`` (the window's first day)."""
    moment = parse_time(value)
    if moment is None:
        return ''
    if day is not None and moment.date() != day:
        return moment.strftime('%m-%d %H:%M:%S')
    return moment.strftime('%H:%M:%S')


def when_text(value):
    """A time in full, for headers: 2026-12-06 02:00:00Z."""
    moment = parse_time(value)
    return moment.strftime('%Y-%m-%d %H:%M:%SZ') if moment else ''


def slack_text(seconds):
    if seconds is None:
        return ''
    if seconds >= 0:
        return '{0} to spare'.format(duration_text(seconds))
    return 'overran by {0}'.format(duration_text(-seconds))


def ids_text(follow_up):
    """A follow-up mapping as ``task_id=107302 trace_id=3cfe...`` (sorted, empty values left out)."""
    if not isinstance(follow_up, dict):
        return ''
    return ' '.join('{0}={1}'.format(key, value) for key, value in sorted(follow_up.items())
                    if value not in (None, '', [], {}))


def _count_text(count, noun):
    return '{0:,} {1}{2}'.format(count, noun, '' if count == 1 else 's')


def _mapping(value):
    return value if isinstance(value, dict) else {}


def _listing(value):
    return value if isinstance(value, list) else []


def _first(*values):
    for value in values:
        if value not in (None, '', [], {}):
            return value
    return None


# ---------------------------------------------------------------- the model

def build_report(record, files=None, aggregate_threshold=AGGREGATE_THRESHOLD):
    """The report model (a JSON-ready dict) of one window record.

    ``files`` optionally names where the renderings are written (``markdown``, ``html``, ``json``):
    a summarized stage then says where its full list is.
    """
    if not isinstance(record, dict):
        raise RecordError('the window record must be a mapping, got {0}'.format(type(record).__name__))
    schema = record.get('schema')
    if schema not in (None, RECORD_SCHEMA):
        raise RecordError('the window record has schema {0!r}; this report reads {1!r}'.format(schema, RECORD_SCHEMA))
    events = [_event(event) for event in _listing(record.get('events'))]
    ledger = _mapping(record.get('ledger'))
    plan = _mapping(record.get('plan'))
    deadline = _normal_time(_first(record.get('deadline'), ledger.get('deadline'), plan.get('deadline')))
    model = {
        'schema': REPORT_SCHEMA,
        'window_id': str(_first(record.get('window_id'), ledger.get('window_id'), plan.get('window_id'), '(no id)')),
        'phase': record.get('phase') or 'full',
        'check_mode': bool(record.get('check_mode')),
        'result': None,
        'summary': None,
        'started_at': _normal_time(record.get('started_at')),
        'finished_at': _normal_time(record.get('finished_at')),
        'duration_seconds': _seconds(record.get('started_at'), record.get('finished_at')),
        'deadline': deadline,
        'deadline_slack_seconds': None,
        'failure': None,
        'failures': [],
        'counts': {},
        'phases': [],
        'stages': [],
        'still_stopped': [],
        'resume_command': record.get('resume_command') or None,
        'events': events,
        'plan': None,
        'files': {key: str(value) for key, value in _mapping(files).items() if value} or None,
        'aggregate_threshold': aggregate_threshold,
    }
    if model['check_mode']:
        model['plan'] = _plan_model(plan, aggregate_threshold)
        model['deadline_slack_seconds'] = model['plan']['deadline_slack_seconds']
        model['result'] = 'planned' if model['plan']['ok'] and model['plan']['fits_deadline'] is not False else 'blocked'
        model['counts'] = dict(model['plan']['counts'])
        model['summary'] = _plan_summary(model)
        return model

    if deadline and model['finished_at']:
        model['deadline_slack_seconds'] = _seconds(model['finished_at'], deadline)
    entries = [entry for entry in _listing(ledger.get('entries')) if isinstance(entry, dict)]
    model['stages'] = _stages(record, plan, ledger, entries, aggregate_threshold)
    model['failures'], model['failure'] = _failures(record, model['stages'], entries, events)
    model['still_stopped'] = [_still_stopped(entry) for entry in entries if entry.get('status') != 'resumed']
    model['phases'] = _phases(record, model['stages'], entries, events)
    model['counts'] = _counts([row for stage in model['stages'] for row in stage['targets']])
    model['counts']['still_stopped_in_ledger'] = len(model['still_stopped'])
    model['result'] = _result(model)
    model['summary'] = _summary(model)
    return model


def _event(event):
    event = _mapping(event)
    return {'at': _normal_time(event.get('at')), 'phase': event.get('phase'), 'stage': event.get('stage'),
            'kind': event.get('kind') if event.get('kind') in EVENT_KINDS else 'note',
            'message': str(event.get('message') or '')}


def _stage_order(record, plan, ledger, entries):
    """Stage names in the window's order: the plan's, else the ledger's (a resume-only run), then any other seen."""
    names = []
    sources = (_listing(plan.get('stages')), _listing(ledger.get('stages')), _listing(record.get('stages')), entries)
    for source in sources:
        for item in source:
            name = _mapping(item).get('name') or _mapping(item).get('stage')   # stages have a name, entries a stage
            if name and name not in names:
                names.append(name)
    return names


def _stages(record, plan, ledger, entries, threshold):
    runs_by_name = {}
    for run in _listing(record.get('stages')):
        if isinstance(run, dict) and run.get('name'):
            runs_by_name.setdefault(run['name'], []).append(run)
    plan_by_name = dict((stage.get('name'), stage) for stage in _listing(plan.get('stages')) if isinstance(stage, dict))
    ledger_by_name = dict((stage.get('name'), stage) for stage in _listing(ledger.get('stages')) if isinstance(stage, dict))
    failure = _mapping(record.get('failure'))
    stages = []
    for index, name in enumerate(_stage_order(record, plan, ledger, entries)):
        runs = runs_by_name.get(name, [])
        planned = plan_by_name.get(name, {})
        described = ledger_by_name.get(name, {})
        stage_entries = [entry for entry in entries if entry.get('stage') == name]
        stage = {
            'index': index + 1,
            'name': name,
            'kind': _first(*([run.get('kind') for run in runs] + [planned.get('kind'), described.get('kind')] +
                             [entry.get('kind') for entry in stage_entries])) or 'unknown',
            'parallel': _first(planned.get('parallel'), described.get('parallel')),
            'on_failure': planned.get('on_failure'),
            'status': None,
            'reason': None,
            'runs': [_run(run) for run in runs],
            'gates': [dict(gate, phase=run.get('phase') or 'quiesce')
                      for run in runs for gate in (_gate(item) for item in _listing(run.get('gates')))],
            'aggregate': False,
            'counts': {},
            'span': None,
            'targets': [],
        }
        stage['status'] = _stage_status(stage['runs'])
        stage['reason'] = _stage_reason(stage, planned, record, failure)
        stage['targets'] = _rows(stage, runs, planned, stage_entries)
        stage['aggregate'] = len(stage['targets']) > threshold
        stage['counts'] = _counts(stage['targets'])
        stage['span'] = _span(stage['targets'])
        stages.append(stage)
    return stages


def _run(run):
    return {'phase': run.get('phase') or 'quiesce', 'status': run.get('status') or 'not_started',
            'started_at': _normal_time(run.get('started_at')), 'finished_at': _normal_time(run.get('finished_at')),
            'duration_seconds': _seconds(run.get('started_at'), run.get('finished_at')),
            'reason': run.get('reason') or None}


def _gate(gate):
    gate = _mapping(gate)
    return {'name': str(gate.get('name') or '(unnamed gate)'), 'when': gate.get('when') or 'pre',
            'verdict': gate.get('verdict') or 'unknown', 'detail': gate.get('detail') or None}


def _stage_status(runs):
    statuses = [run['status'] for run in runs]
    if 'failed' in statuses:
        return 'failed'
    quiesce = [run['status'] for run in runs if run['phase'] == 'quiesce']
    for status in ('skipped_deadline', 'skipped_gate', 'not_started'):
        if status in quiesce:
            return status
    if not runs or all(status == 'not_started' for status in statuses):
        return 'not_started'
    return 'done'


def _stage_reason(stage, planned, record, failure):
    """Why a stage did not run or failed: the record's words, else what the plan and the failure tell."""
    given = _first(*[run['reason'] for run in stage['runs']])
    if given:
        return given
    status = stage['status']
    if status == 'skipped_deadline':
        estimate = [duration_text(planned.get(key)) for key in ('estimated_stop_seconds', 'estimated_start_seconds')]
        text = 'not started: too little time was left before the deadline {0}'.format(
            when_text(_first(record.get('deadline'), _mapping(record.get('plan')).get('deadline'))))
        if all(estimate):
            text += ' for its estimated stop ({0}) and start ({1})'.format(*estimate)
        return text
    if status == 'skipped_gate':
        failed = [gate for gate in stage['gates'] if gate['verdict'] == 'fail']
        if failed:
            return 'skipped: gate {0} failed{1}'.format(
                failed[0]['name'], ': ' + failed[0]['detail'] if failed[0]['detail'] else '')
        return 'skipped by a pre-stop gate'
    if status == 'not_started':
        if failure.get('stage') and failure.get('stage') != stage['name']:
            return 'not started: the window stopped at stage {0}'.format(failure['stage'])
        if record.get('phase') == 'resume':
            return None
        return 'not started'
    return None


def _target_label(*items):
    """A target's readable name (the first item's label that has one); agent processes always name their process."""
    items = [_mapping(item) for item in items]
    targets = [_mapping(item.get('target')) for item in items]
    target = next((target for target in targets if target), {})
    label = _first(*[item.get('label') for item in items])
    if not label:
        host = _first(target.get('host'), target.get('host_name'), target.get('host_id'))
        name = _first(target.get('name'), target.get('service'), target.get('id'), target.get('server_id'))
        label = '{0}: {1}'.format(host, _first(target.get('process'), name)) if host else name
    label = str(_first(label, *[item.get('key') for item in items]) or '(unnamed target)')
    process = _first(target.get('process'), target.get('process_name'))
    if process and str(process) not in label:
        label = '{0}: {1}'.format(label, process)
    return label


def _row_key(item):
    return str(_first(_mapping(item).get('key'), _target_label(item)))


def _rows(stage, runs, planned, stage_entries):
    """One row per target of the stage: the plan's, the runs' and the ledger's (cascades too), merged by key."""
    keyed = {}
    order = []

    def slot(key):
        if key not in keyed:
            keyed[key] = {'plan': None, 'ledger': None, 'runs': []}
            order.append(key)
        return keyed[key]

    for target in _listing(planned.get('targets')):
        if isinstance(target, dict):
            slot(_row_key(target))['plan'] = target
    for run in runs:
        for target in _listing(run.get('targets')):
            if isinstance(target, dict):
                slot(_row_key(target))['runs'].append((run.get('phase') or 'quiesce', run, target))
    for entry in stage_entries:
        slot(_row_key(entry))['ledger'] = entry
    return [_row(key, keyed[key], stage) for key in order]


def _row(key, found, stage):
    planned, entry = found['plan'] or {}, found['ledger'] or {}
    by_phase = dict((phase, target) for phase, unused_run, target in found['runs'])
    quiesce, resume = by_phase.get('quiesce', {}), by_phase.get('resume', {})
    items = [item for item in (quiesce, resume, entry, planned) if item]
    actions = [_action(phase, run, target) for phase, run, target in found['runs']
               if target.get('outcome') or target.get('started_at') or target.get('error')]
    times = _row_times(entry, actions)
    decision = _first(quiesce.get('decision'), planned.get('decision'), 'stop' if entry else None, resume.get('decision'))
    before = _first(quiesce.get('before'), entry.get('before'), planned.get('state'), resume.get('before'))
    after = _first(resume.get('after'), quiesce.get('after'), entry.get('after'))
    row = {
        'key': key,
        'label': _target_label(*items) if items else key,
        'endpoint': _first(entry.get('endpoint'), planned.get('endpoint')),
        'cascade_of': _first(entry.get('cascade_of'), quiesce.get('cascade_of')),
        'before': before,
        'after': after,
        'decision': decision,
        'status': None,
        'done': None,
        'reason': _first(quiesce.get('reason'), planned.get('reason')),
        'ledger_status': entry.get('status'),
        'times': times,
        'stopped_seconds': _seconds(times['stop_issued'] or times['down'], times['up']),
        'down_seconds': _seconds(times['down'], times['start_issued'] or times['up']),
        'follow_up': dict(_mapping(entry.get('follow_up'))) or None,
        'actions': actions,
        'failed_actions': sum(1 for action in actions if action['error'] or action['outcome'] == 'failed') or (
            1 if entry.get('error') or entry.get('resume_error') else 0),
    }
    row['status'] = _row_status(row)
    if row['status'] in ('left_alone', 'skipped') and not row['after']:
        row['after'] = row['before']
    row['done'] = _done_text(row)
    return row


def _action(phase, run, target):
    return {'phase': phase, 'outcome': target.get('outcome') or 'unknown',
            'started_at': _normal_time(_first(target.get('started_at'), run.get('started_at'))),
            'finished_at': _normal_time(target.get('finished_at')),
            'duration_seconds': _seconds(_first(target.get('started_at'), run.get('started_at')), target.get('finished_at')),
            'follow_up': dict(_mapping(target.get('follow_up'))) or None,
            'error': dict(_mapping(target.get('error'))) or None}


def _row_times(entry, actions):
    """The ledger's four times; where the ledger lacks one, the action that set it tells."""
    recorded = _mapping(entry.get('times'))
    times = dict((field, _normal_time(recorded.get(field))) for field in TIME_FIELDS)
    for action in actions:
        if action['phase'] == 'quiesce' and action['outcome'] == 'stopped':
            times['stop_issued'] = times['stop_issued'] or action['started_at']
            times['down'] = times['down'] or action['finished_at']
        elif action['phase'] == 'resume' and action['outcome'] == 'started':
            times['start_issued'] = times['start_issued'] or action['started_at']
            times['up'] = times['up'] or action['finished_at']
    return times


def _row_status(row):
    """The target's outcome (ROW_STATUSES): the ledger's word when it has one, else its actions'."""
    if row['ledger_status'] in LEDGER_TO_ROW:
        return LEDGER_TO_ROW[row['ledger_status']]
    outcomes = [action['outcome'] for action in row['actions']]
    if 'failed' in outcomes:
        return 'failed'
    if 'unknown' in outcomes and any(action['started_at'] for action in row['actions']):
        return 'unknown'
    if 'started' in outcomes:
        return 'resumed'
    if 'stopped' in outcomes:
        return 'still_stopped'
    if row['decision'] == 'already_stopped' or 'unchanged' in outcomes:
        return 'left_alone'
    return 'skipped'


ACTION_WORDS = {'stopped': 'stopped', 'started': 'started', 'failed': '{verb} failed', 'unknown': '{verb} outcome unknown',
                'not_started': '{verb} not sent'}
LEDGER_ONLY_WORDS = {'intent': 'stop sent, outcome not recorded', 'failed': 'stop failed'}


def _done_text(row):
    """What was done to the target, in words: 'stopped along with Hive, started', 'stop failed', 'left alone'."""
    words = []
    if row['ledger_status'] and not any(action['phase'] == 'quiesce' for action in row['actions']):
        # In the ledger without a stop of its own here: stopped along with another target, or by an earlier job.
        if row['times']['down']:
            words.append('stopped along with {0}'.format(row['cascade_of']) if row['cascade_of'] else 'stopped by an earlier job')
        else:
            words.append(LEDGER_ONLY_WORDS.get(row['ledger_status'], 'stop outcome unknown'))
    for action in row['actions']:
        verb = 'stop' if action['phase'] == 'quiesce' else 'start'
        if verb == 'stop' and row['cascade_of'] and action['outcome'] == 'stopped':
            # The stage's record of a service MRS stopped along with a listed one: no stop of its own.
            words.append(_cascade_text(row))
        elif action['outcome'] == 'unchanged':
            words.append('left alone' if verb == 'stop' else 'found running')
        else:
            words.append(ACTION_WORDS.get(action['outcome'], '{verb} ' + action['outcome']).format(verb=verb))
    if words:
        return ', '.join(words)
    if row['status'] == 'left_alone':
        return 'left alone (already {0})'.format(row['before']) if row['before'] else 'left alone'
    return 'skipped by a gate' if row['decision'] == 'skipped_by_gate' else 'not stopped'


def _counts(rows):
    counts = dict((status, 0) for status in ROW_STATUSES)
    for row in rows:
        counts[row['status']] += 1
    counts['targets'] = len(rows)
    counts['touched'] = sum(1 for row in rows if row['ledger_status'])
    return counts


def _span(rows):
    """A stage's stopped period: first stop issued, last down, first start issued, last up (None while one is not up)."""
    timed = [row for row in rows if _is_timed(row)]
    if not timed:
        return None

    def pick(field, choose):
        moments = [parse_time(row['times'][field]) for row in timed if row['times'][field]]
        return iso(choose(moments)) if moments else None

    return {'first_stop_issued': pick('stop_issued', min), 'last_down': pick('down', max),
            'first_start_issued': pick('start_issued', min),
            'last_up': None if any(_still_down(row) for row in timed) else pick('up', max),
            'targets': len(timed), 'still_down': sum(1 for row in timed if _still_down(row))}


def _still_down(row):
    """Still stopped, or not proven running: in the ledger and not resumed (or, outside it, of unknown outcome)."""
    if row['ledger_status']:
        return row['ledger_status'] != 'resumed'
    return row['status'] in ('unknown', 'still_stopped')


def _is_timed(row):
    return any(row['times'][field] for field in TIME_FIELDS)


def _failures(record, stages, entries, events):
    """Every failure once, each with what the API said; the window's own failure first, marked."""
    failures = []
    seen = set()

    def add(item):
        mark = (item['stage'], item['key'], item['phase'], item['message'])
        if mark not in seen:
            seen.add(mark)
            failures.append(item)

    rows = dict((row['key'], (stage, row)) for stage in stages for row in stage['targets'])
    for stage in stages:
        for row in stage['targets']:
            for action in row['actions']:
                if action['error'] or (action['outcome'] in ('failed', 'unknown') and action['started_at']):
                    add(_failure('target', action['phase'], stage, row, action['error'], action['follow_up'], events,
                                 what='{0} {1}'.format('stop' if action['phase'] == 'quiesce' else 'start',
                                                       action['outcome'])))
        for gate in stage['gates']:
            # A failed pre-stop gate is why a stage or target was skipped (its reason); after a start it is a failure.
            if gate['verdict'] == 'fail' and gate['when'] == 'post':
                add(_failure('gate', gate['phase'], stage, None, {'message': 'gate {0} ({1}) failed{2}'.format(
                    gate['name'], GATE_WHEN_TEXT.get(gate['when'], gate['when']),
                    ': ' + gate['detail'] if gate['detail'] else '')}, None, events))
    # A resume job reports its own run: what went wrong while quiescing (another job) is history in the rows.
    fields = (('resume_error', 'resume'),) if record.get('phase') == 'resume' else (
        ('error', 'quiesce'), ('resume_error', 'resume'))
    for entry in entries:
        stage, row = rows.get(_row_key(entry), (None, None))
        for field, phase in fields:
            error = _mapping(entry.get(field))
            if error and not any(f['key'] == _row_key(entry) and f['phase'] == phase for f in failures):
                add(_failure('ledger', phase, stage, row, error, entry.get('follow_up'), events,
                             stage_name=entry.get('stage'), label=_target_label(entry), key=_row_key(entry)))
    window = _mapping(record.get('failure'))
    window_failure = None
    if window:
        window_failure = _window_failure(record, window, stages, failures, events)
        if window_failure in failures:
            failures.remove(window_failure)
        failures.insert(0, window_failure)
    return failures, window_failure


def _failure(source, phase, stage, row, error, follow_up, events, what=None, stage_name=None, label=None, key=None):
    error = _mapping(error)
    follow_up = _mapping(follow_up)
    stage_name = stage['name'] if stage else stage_name
    label = row['label'] if row else label
    item = {
        'source': source, 'phase': phase, 'stage': stage_name, 'target': label,
        'key': row['key'] if row else key,
        'message': None, 'message_recorded': True,
        'type': error.get('type'), 'http_status': error.get('http_status'), 'code': error.get('code'),
        'api_message': error.get('api_message'),
        'request_id': _first(*([error.get(k) for k in TRACE_KEYS] + [follow_up.get(k) for k in TRACE_KEYS])),
        'follow_up': dict(follow_up) or None,
        'stopped_window': False,
    }
    message = _first(error.get('message'), error.get('api_message'))
    if not message:
        item['message_recorded'] = False
        message = _unrecorded_message(item, events, what)
    item['message'] = str(message)
    return item


def _unrecorded_message(item, events, what=None):
    """No message was recorded: say everything that is known instead of 'no message'."""
    known = [what] if what else []
    if item['stage']:
        known.append('stage {0}'.format(item['stage']))
    if item['target']:
        known.append('target {0}'.format(item['target']))
    if item['phase']:
        known.append('phase {0}'.format(item['phase']))
    related = [event for event in events if not item['stage'] or event['stage'] in (None, item['stage'])]
    last = related[-1] if related else None
    text = 'no error message was recorded ({0})'.format(', '.join(known) or 'nothing more is known')
    if last:
        text += '; last event: {0} {1}: {2}'.format(when_text(last['at']) or '(no time)', last['kind'], last['message'])
    else:
        text += '; no event was recorded'
    return text


def _window_failure(record, window, stages, failures, events):
    target = window.get('target')
    for item in failures:
        if item['stage'] == window.get('stage') and target in (item['key'], item['target']) and item['source'] != 'gate':
            found = dict(item, stopped_window=True)
            failures[failures.index(item)] = found
            if window.get('message') and not item['message_recorded']:
                found['message'], found['message_recorded'] = str(window['message']), True
            return found
    stage = next((s for s in stages if s['name'] == window.get('stage')), None)
    error = dict(_mapping(window.get('error')))
    if window.get('message'):
        error['message'] = window['message']
    phase = next((run['phase'] for run in (stage or {}).get('runs', []) if run['status'] == 'failed'), record.get('phase'))
    row = next((r for r in (stage or {}).get('targets', []) if target in (r['key'], r['label'])), None)
    found = _failure('window', phase, stage, row, error, None, events, what='the window stopped',
                     stage_name=window.get('stage'), label=target)
    found['stopped_window'] = True
    return found


def _still_stopped(entry):
    times = _mapping(entry.get('times'))
    note = _first(_mapping(entry.get('resume_error')).get('message'), _mapping(entry.get('error')).get('message'))
    return {'key': _row_key(entry), 'label': _target_label(entry), 'stage': entry.get('stage'),
            'kind': entry.get('kind'), 'endpoint': entry.get('endpoint'), 'status': entry.get('status') or 'unknown',
            'state': entry.get('after'), 'since': _normal_time(_first(times.get('down'), times.get('stop_issued'))),
            'cascade_of': entry.get('cascade_of'), 'note': note}


def _phases(record, stages, entries, events):
    """The quiesce, operator (or hold) and resume periods: from this run's stages, else (quiesce) the ledger's times.

    The time between quiesce and resume is the operator's when the window ran the operator's tasks (a full
    window given them that did not turn to resume first, or an operator event in that time); otherwise (the
    window failed and put back what it had stopped, or the jobs were apart) it is only a hold.
    """
    spans = {}
    for stage in stages:
        for run in stage['runs']:
            for moment in (run['started_at'], run['finished_at']):
                if moment:
                    spans.setdefault(run['phase'], []).append(parse_time(moment))
    phases = []
    if spans.get('quiesce'):
        phases.append({'name': 'quiesce', 'started_at': iso(min(spans['quiesce'])),
                       'finished_at': iso(max(spans['quiesce'])), 'source': 'this run'})
    else:
        stop_times = [parse_time(t) for entry in entries for t in
                      (_mapping(entry.get('times')).get('stop_issued'), _mapping(entry.get('times')).get('down')) if t]
        stop_times = [moment for moment in stop_times if moment]
        if stop_times:
            phases.append({'name': 'quiesce', 'started_at': iso(min(stop_times)),
                           'finished_at': iso(max(stop_times)), 'source': 'ledger'})
    if spans.get('resume'):
        resume = {'name': 'resume', 'started_at': iso(min(spans['resume'])), 'finished_at': iso(max(spans['resume'])),
                  'source': 'this run'}
        if phases and parse_time(phases[0]['finished_at']) < parse_time(resume['started_at']):
            gap = (parse_time(phases[0]['finished_at']), parse_time(resume['started_at']))
            # The operator's tasks ran in the gap unless the window turned to resume before them.
            operator = (bool(record.get('operator_tasks')) and not record.get('turned')) or any(
                event['kind'] == 'operator' and event['at'] and gap[0] <= parse_time(event['at']) <= gap[1]
                for event in events)
            phases.append({'name': 'operator' if operator else 'hold', 'started_at': phases[0]['finished_at'],
                           'finished_at': resume['started_at'], 'source': phases[0]['source']})
        phases.append(resume)
    return phases


def _result(model):
    stage_statuses = [stage['status'] for stage in model['stages']]
    counts = model['counts']
    if model['failure'] or model['failures'] or 'failed' in stage_statuses or counts['failed'] or counts['unknown']:
        return 'failed'
    if model['phase'] != 'quiesce' and model['still_stopped']:
        return 'failed'
    if any(status in ('skipped_deadline', 'skipped_gate') for status in stage_statuses) or (
            model['phase'] != 'resume' and 'not_started' in stage_statuses):
        return 'partial'
    return 'ok'


def _summary(model):
    counts = model['counts']
    parts = []
    if model['failure']:
        failure = model['failure']
        where = ', '.join(str(part) for part in (failure['stage'] and 'stage ' + failure['stage'], failure['target']) if part)
        parts.append('failed{0}: {1}'.format(' at ' + where if where else '', failure['message']))
    elif model['failures']:
        parts.append(_count_text(len(model['failures']), 'failure'))
    parts.append('{0} stopped by this window, {1:,} resumed'.format(_count_text(counts['touched'], 'target'), counts['resumed']))
    if counts['left_alone']:
        parts.append('{0:,} left alone'.format(counts['left_alone']))
    if counts['skipped']:
        parts.append('{0:,} skipped'.format(counts['skipped']))
    skipped = [stage['name'] for stage in model['stages'] if stage['status'] == 'skipped_deadline']
    if skipped:
        parts.append('not started for the deadline: {0}'.format(', '.join(skipped)))
    if model['still_stopped']:
        resume = model['resume_command'] or 'see the report'
        parts.append('{0:,} still stopped (resume: {1})'.format(len(model['still_stopped']), resume))
    else:
        parts.append('nothing left stopped')
    if model['deadline_slack_seconds'] is not None:
        parts.append('deadline: {0}'.format(slack_text(model['deadline_slack_seconds'])))
    return 'Window {0} ({1}): {2}: {3}'.format(model['window_id'], model['phase'], model['result'].upper(),
                                               '; '.join(parts))


def _plan_model(plan, threshold):
    stages = []
    for stage in _listing(plan.get('stages')):
        stage = _mapping(stage)
        targets = [{'key': _row_key(target), 'label': _target_label(target), 'endpoint': target.get('endpoint'),
                    'state': target.get('state'), 'decision': target.get('decision') or 'stop',
                    'would': DECISION_TEXT.get(target.get('decision') or 'stop', target.get('decision')),
                    'reason': target.get('reason') or None}
                   for target in _listing(stage.get('targets')) if isinstance(target, dict)]
        counts = dict((decision, 0) for decision in DECISION_TEXT)
        for target in targets:
            counts[target['decision']] = counts.get(target['decision'], 0) + 1
        stages.append({
            'index': len(stages) + 1, 'name': stage.get('name') or '(unnamed stage)', 'kind': stage.get('kind') or 'unknown',
            'parallel': stage.get('parallel'), 'on_failure': stage.get('on_failure'),
            'wait_budget': stage.get('wait_budget'), 'expect': _expect_text(stage.get('expect')),
            'count': stage.get('count', len(targets)),
            'estimated_stop_seconds': stage.get('estimated_stop_seconds'),
            'estimated_start_seconds': stage.get('estimated_start_seconds'),
            'fits_deadline': stage.get('fits_deadline'),
            'gates': [_gate(gate) for gate in _listing(stage.get('gates'))],
            'aggregate': len(targets) > threshold, 'counts': counts, 'targets': targets})
    counts = dict((decision, sum(stage['counts'].get(decision, 0) for stage in stages)) for decision in DECISION_TEXT)
    counts['targets'] = sum(len(stage['targets']) for stage in stages)
    problems = [{'where': str(_mapping(p).get('where') or 'plan'), 'message': str(_mapping(p).get('message') or p)}
                for p in _listing(plan.get('problems'))]
    return {'ok': bool(plan.get('ok', not problems)) and not problems, 'problems': problems,
            'generated_at': _normal_time(plan.get('generated_at')),
            'estimated_seconds': plan.get('estimated_seconds'), 'fits_deadline': plan.get('fits_deadline'),
            'deadline_slack_seconds': plan.get('deadline_slack_seconds'), 'counts': counts, 'stages': stages}


def _expect_text(expect):
    if isinstance(expect, dict):
        low, high = expect.get('min'), expect.get('max')
        if low == high:
            return None if low is None else str(low)
        return '{0}-{1}'.format('' if low is None else low, '' if high is None else high)
    return None if expect in (None, '') else str(expect)


def _plan_summary(model):
    plan = model['plan']
    counts = plan['counts']
    parts = ['{0} would stop'.format(_count_text(counts['stop'], 'target')),
             '{0:,} already stopped'.format(counts['already_stopped']),
             '{0:,} skipped by a gate'.format(counts['skipped_by_gate'])]
    if plan['estimated_seconds'] is not None:
        parts.append('estimated {0}'.format(duration_text(plan['estimated_seconds'])))
    if plan['fits_deadline'] is not None:
        parts.append('{0} the deadline{1}'.format(
            'fits' if plan['fits_deadline'] else 'does NOT fit',
            ' ({0})'.format(slack_text(plan['deadline_slack_seconds'])) if plan['deadline_slack_seconds'] is not None else ''))
    if plan['problems']:
        parts.append(_count_text(len(plan['problems']), 'problem'))
    return 'Window {0} PLAN (check mode, nothing changed): {1}: {2}'.format(
        model['window_id'], model['result'].upper(), '; '.join(parts))


# ---------------------------------------------------------------- shared by the renderers

def _day(model):
    start = parse_time(model['started_at'])
    return start.date() if start else None


def _header_facts(model):
    """(label, text) pairs every renderer shows under its title (which names the window and the result)."""
    facts = [('phase', model['phase'])]
    if model['check_mode']:
        facts.append(('planned at', when_text(model['plan']['generated_at'] or model['started_at']) or 'not recorded'))
    elif model['started_at'] or model['finished_at']:
        facts.append(('started', when_text(model['started_at']) or 'not recorded'))
        facts.append(('finished', '{0}{1}'.format(
            when_text(model['finished_at']) or 'not recorded',
            ' ({0})'.format(duration_text(model['duration_seconds'])) if model['duration_seconds'] is not None else '')))
    if model['deadline']:
        facts.append(('deadline', '{0}{1}'.format(
            when_text(model['deadline']),
            ', ' + slack_text(model['deadline_slack_seconds']) if model['deadline_slack_seconds'] is not None else '')))
    else:
        facts.append(('deadline', 'none set'))
    if not model['check_mode']:
        facts.append(('targets', _counts_text(model['counts']) or 'none'))
        facts.append(('still stopped', '{0:,} (in the ledger, not resumed)'.format(len(model['still_stopped']))
                      if model['still_stopped'] else 'nothing'))
    return facts


def _run_text(run, day):
    text = '{0}: {1}'.format(run['phase'], STAGE_STATUS_TEXT.get(run['status'], run['status']))
    if run['started_at']:
        text += ', {0} -> {1}'.format(clock_text(run['started_at'], day), clock_text(run['finished_at'], day) or '?')
    if run['duration_seconds'] is not None:
        text += ' ({0})'.format(duration_text(run['duration_seconds']))
    return text


def _gate_text(gate):
    return '{0} ({1}): {2}{3}'.format(gate['name'], GATE_WHEN_TEXT.get(gate['when'], gate['when']), gate['verdict'],
                                      ', ' + gate['detail'] if gate['detail'] else '')


def _span_text(span, day):
    if span['still_down']:
        end = '{0:,} not back up'.format(span['still_down'])
    else:
        end = 'last up {0}'.format(clock_text(span['last_up'], day)) if span['last_up'] else 'none went down'
    return 'stopped period: first stop issued {0}, {1}'.format(clock_text(span['first_stop_issued'], day) or '?', end)


def _took_text(row):
    # A service MRS stopped along with a listed one took that one's stop: its record has no duration of its own.
    return ', '.join('{0} {1}'.format('stop' if action['phase'] == 'quiesce' else 'start',
                                      duration_text(action['duration_seconds']))
                     for action in row['actions'] if action['duration_seconds'] is not None
                     and not (row['cascade_of'] and action['phase'] == 'quiesce'))


def _cascade_text(item):
    return 'stopped along with {0}'.format(item['cascade_of']) if item['cascade_of'] else ''


def _cascade_label(item):
    """A target's label; one MRS stopped along with a listed service says with which."""
    return item['label'] + (', ' + _cascade_text(item) if item['cascade_of'] else '')


def _result_text(row):
    return STATUS_TEXT[row['status']] + (': ' + row['reason'] if row['reason'] and row['status'] in ('skipped', 'left_alone')
                                         else '')


def _follow_up_text(row):
    """The ids to follow a target up with, per action (stop: task_id=1; start: task_id=2), then the ledger's others."""
    parts, shown = [], set()
    for action in row['actions']:
        if ids_text(action['follow_up']):
            parts.append('{0}: {1}'.format('stop' if action['phase'] == 'quiesce' else 'start', ids_text(action['follow_up'])))
            shown.update((name, str(value)) for name, value in action['follow_up'].items())
    others = ids_text(dict((name, value) for name, value in (row['follow_up'] or {}).items() if (name, str(value)) not in shown))
    if others and not any(action['phase'] == 'quiesce' for action in row['actions']):
        return '; '.join(['stop: ' + others] + parts)   # the ledger's ids are its stop's
    return '; '.join(parts + ([others] if others else []))


def _failure_facts(failure):
    """The API's facts of a failure, as (label, value) pairs, only those known."""
    facts = []
    if failure['http_status'] is not None:
        facts.append(('HTTP', str(failure['http_status'])))
    if failure['code'] not in (None, ''):
        facts.append(('code', str(failure['code'])))
    if failure['api_message'] and failure['api_message'] not in failure['message']:
        facts.append(('API message', str(failure['api_message'])))
    if failure['request_id']:
        facts.append(('trace/request id', str(failure['request_id'])))
    follow = ids_text(dict((k, v) for k, v in (failure['follow_up'] or {}).items() if k not in TRACE_KEYS))
    if follow:
        facts.append(('follow up', follow))
    if failure['type']:
        facts.append(('type', failure['type']))
    return facts


def _failure_parts(failure):
    """(where, 'stopped the window' note, message, API facts) of a failure, as every renderer shows it."""
    return (_failure_where(failure), ' (stopped the window)' if failure['stopped_window'] else '', failure['message'],
            _failure_facts(failure))


def _stage_failures(model, stage):
    return [failure for failure in model['failures'] if failure['stage'] == stage['name']]


def _loose_failures(model):
    names = set(stage['name'] for stage in model['stages'])
    return [failure for failure in model['failures'] if failure['stage'] not in names]


def _failure_where(failure):
    parts = [failure['phase'], failure['stage'] and 'stage ' + failure['stage'], failure['target']]
    return ', '.join(str(part) for part in parts if part) or 'the window'


def _examples(rows, count):
    """The rows a summary shows: failures and unknowns first, then the rest in order."""
    rank = dict((status, index) for index, status in enumerate(ROW_STATUSES))
    return sorted(rows, key=lambda row: rank[row['status']])[:count]


def _counts_text(counts):
    return ', '.join('{0:,} {1}'.format(counts[status], STATUS_TEXT[status]) for status in ROW_STATUSES if counts.get(status))


# ---------------------------------------------------------------- Markdown

def _md(value):
    """A table cell: no pipes or line breaks of its own."""
    return str('' if value is None else value).replace('\\', '\\\\').replace('|', '\\|').replace('\n', ' ').strip()


def _md_table(header, rows):
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    lines.extend('| ' + ' | '.join(_md(cell) for cell in row) + ' |' for row in rows)
    return lines


def _target_cells(row, day):
    """A target's row, the same in Markdown and HTML (columns: TARGET_HEADER)."""
    times = row['times']
    return [row['label'], row['before'] or '', row['after'] or '', row['done'],
            clock_text(times['stop_issued'], day), clock_text(times['down'], day),
            clock_text(times['start_issued'], day), clock_text(times['up'], day),
            _took_text(row), _follow_up_text(row), _result_text(row)]


TARGET_HEADER = ['target', 'before', 'after', 'done', 'stop issued', 'down', 'start issued', 'up', 'took', 'ids', 'result']


def render_markdown(model):
    """The report as Markdown: for the terminal, the AWX job output and report.md."""
    if model['check_mode']:
        return _markdown_plan(model)
    day = _day(model)
    lines = ['# Maintenance window {0}: {1}'.format(model['window_id'], model['result'].upper()), '']
    lines.extend('- **{0}**: {1}'.format(label, text) for label, text in _header_facts(model))
    lines.append('')
    if model['failure']:
        lines.extend(['> **Window stopped** at {0}: {1}'.format(_failure_where(model['failure']),
                                                                model['failure']['message']), ''])
    lines.extend(['## Stages', ''])
    for stage in model['stages']:
        lines.extend(_markdown_stage(model, stage, day))
    lines.extend(_markdown_failures(model, _loose_failures(model), '## Failures outside the stages'))
    lines.extend(_markdown_still_stopped(model, day))
    lines.extend(_markdown_events(model, day))
    return '\n'.join(lines).rstrip() + '\n'


def _markdown_stage(model, stage, day):
    lines = ['### {0}. {1} ({2}): {3}'.format(stage['index'], stage['name'], stage['kind'],
                                              STAGE_STATUS_TEXT.get(stage['status'], stage['status'])), '']
    lines.extend('- ' + _run_text(run, day) for run in stage['runs'])
    if stage['reason']:
        lines.append('- why: {0}'.format(stage['reason']))
    if stage['gates']:
        lines.append('- gates: ' + '; '.join(_gate_text(gate) for gate in stage['gates']))
    if stage['span']:
        lines.append('- ' + _span_text(stage['span'], day))
    lines.append('')
    rows = stage['targets']
    if not rows:
        lines.extend(['(no targets)', ''])
        return lines
    if stage['aggregate']:
        examples = _examples(rows, SUMMARY_EXAMPLES)
        lines.extend(['{0}: {1}. {2} of them:'.format(_count_text(len(rows), 'target'), _counts_text(stage['counts']),
                                                      len(examples)), ''])
        lines.extend(_md_table(TARGET_HEADER, [_target_cells(row, day) for row in examples]))
        lines.extend(['', 'The full list of {0:,} targets, each with its own times: {1}.'.format(
            len(rows), _full_list_where(model, stage)), ''])
        return lines + _markdown_failures(model, _stage_failures(model, stage), 'Failures:')
    lines.extend(_md_table(TARGET_HEADER, [_target_cells(row, day) for row in rows]))
    lines.append('')
    return lines + _markdown_failures(model, _stage_failures(model, stage), 'Failures:')


def _full_list_where(model, stage):
    files = model['files'] or {}
    places = []
    if files.get('json'):
        places.append('{0} (stages[{1}].targets)'.format(files['json'], stage['index'] - 1))
    if files.get('html'):
        places.append('{0} (stage {1}, "All targets")'.format(files['html'], stage['index']))
    return ' and '.join(places) or 'the JSON report (stages[{0}].targets) and the HTML report'.format(stage['index'] - 1)


def _markdown_failures(model, failures, title):
    if not failures:
        return []
    lines = [title, '']
    shown = failures if len(failures) <= model['aggregate_threshold'] else failures[:SUMMARY_EXAMPLES]
    for failure in shown:
        where, stopped, message, facts = _failure_parts(failure)
        lines.append('- **{0}**{1}: {2}{3}'.format(where, stopped, message, ' [{0}]'.format(
            ', '.join('{0} {1}'.format(label, value) for label, value in facts)) if facts else ''))
    if len(shown) < len(failures):
        lines.append('- ... {0:,} more failures in the JSON report (failures) ...'.format(len(failures) - len(shown)))
    lines.append('')
    return lines


def _markdown_still_stopped(model, day):
    lines = ['## Still stopped', '']
    if not model['still_stopped']:
        return lines + ['Nothing this window stopped is left stopped.', '']
    rows = [[_cascade_label(item), item['stage'],
             item['status'], item['state'] or '', clock_text(item['since'], day), item['note'] or '']
            for item in model['still_stopped']]
    header = ['target', 'stage', 'ledger status', 'last state', 'since', 'note']
    if len(rows) > model['aggregate_threshold']:
        lines.append('{0} in the ledger, not yet resumed; the first {1}:'.format(_count_text(len(rows), 'target'),
                                                                                 SUMMARY_EXAMPLES))
        lines.append('')
        rows = rows[:SUMMARY_EXAMPLES]
    lines.extend(_md_table(header, rows))
    lines.extend(['', 'Resume them with:', '', '```', model['resume_command'] or _no_resume_command(model), '```', ''])
    return lines


def _no_resume_command(model):
    return '# the record names no resume command: run the quiesce.lifecycle.resume playbook for window {0}'.format(
        model['window_id'])


def _markdown_events(model, day):
    events = model['events']
    if not events:
        return []
    lines = ['## Events', '']
    shown = events if len(events) <= MARKDOWN_EVENTS else events[:MARKDOWN_EVENTS // 2] + events[-MARKDOWN_EVENTS // 2:]
    for index, event in enumerate(shown):
        if len(shown) < len(events) and index == MARKDOWN_EVENTS // 2:
            lines.append('- ... {0:,} more events in the JSON report ...'.format(len(events) - len(shown)))
        lines.append('- {0} {1}{2}: {3}'.format(clock_text(event['at'], day) or '--:--:--', event['kind'],
                                                ' ({0})'.format(event['stage']) if event['stage'] else '', event['message']))
    lines.append('')
    return lines


def _markdown_plan(model):
    plan = model['plan']
    lines = ['# PLAN (check mode) for maintenance window {0}: {1}'.format(model['window_id'], model['result'].upper()), '',
             '> This is a plan: check mode sent no request that changes anything. Nothing was stopped.', '']
    lines.extend('- **{0}**: {1}'.format(label, text) for label, text in _header_facts(model))
    lines.append('- **would**: {0:,} stop, {1:,} already stopped (left alone), {2:,} skipped by a gate'.format(
        plan['counts']['stop'], plan['counts']['already_stopped'], plan['counts']['skipped_by_gate']))
    estimated = duration_text(plan['estimated_seconds']) or 'unknown'
    lines.append('- **estimated**: {0}{1}'.format(estimated, _fit_text(plan['fits_deadline'])))
    lines.append('')
    if plan['problems']:
        lines.extend(['## Problems (nothing will stop until they are fixed)', ''])
        lines.extend('- **{0}**: {1}'.format(problem['where'], problem['message']) for problem in plan['problems'])
        lines.append('')
    lines.extend(['## Stages, in order', ''])
    for stage in plan['stages']:
        lines.extend(['### {0}. {1} ({2})'.format(stage['index'], stage['name'], stage['kind']), '',
                      '- ' + _plan_stage_text(stage)])
        if stage['gates']:
            lines.append('- gates: ' + '; '.join(_gate_text(gate) for gate in stage['gates']))
        lines.append('')
        rows = [[target['label'], target['state'] or 'unknown', target['would'], target['reason'] or '']
                for target in stage['targets']]
        if stage['aggregate']:
            lines.extend(['{0}; the first {1}:'.format(_count_text(len(rows), 'target'), SUMMARY_EXAMPLES), ''])
            rows = rows[:SUMMARY_EXAMPLES]
        lines.extend(_md_table(['target', 'state now', 'would', 'reason'], rows) if rows else ['(no targets)'])
        lines.append('')
    return '\n'.join(lines).rstrip() + '\n'


def _fit_text(fits):
    if fits is None:
        return ''
    return '; {0} the deadline'.format('fits' if fits else 'does NOT fit')


def _plan_stage_text(stage):
    parts = ['{0:,} would stop, {1:,} already stopped, {2:,} skipped by a gate'.format(
        stage['counts']['stop'], stage['counts']['already_stopped'], stage['counts']['skipped_by_gate'])]
    if stage['expect']:
        parts.append('expected {0}, found {1}'.format(stage['expect'], stage['count']))
    if stage['estimated_stop_seconds'] is not None or stage['estimated_start_seconds'] is not None:
        parts.append('estimated stop {0}, start {1}'.format(duration_text(stage['estimated_stop_seconds']) or '?',
                                                            duration_text(stage['estimated_start_seconds']) or '?'))
    if stage['fits_deadline'] is not None:
        parts.append('fits the deadline' if stage['fits_deadline'] else 'does NOT fit the deadline')
    if stage['parallel'] is not None:
        parts.append('parallel' if stage['parallel'] else 'one after the other')
    if stage['on_failure']:
        parts.append('on failure: {0}'.format(stage['on_failure']))
    return '; '.join(parts)


# ---------------------------------------------------------------- JSON

def render_json(model):
    """The model as JSON (schema ``quiesce.lifecycle.window-report/1``, docs/schemas/window-report-1.json)."""
    return json.dumps(model, ensure_ascii=False, separators=(',', ':')) + '\n'


# ---------------------------------------------------------------- HTML

def _h(value):
    return html.escape('' if value is None else str(value), quote=True)


OUTCOME_COLOURS = {'resumed': '#2f855a', 'still_stopped': '#d97706', 'failed': '#c53030', 'unknown': '#6b7280',
                   'skipped': '#a0aec0', 'left_alone': '#a0aec0'}
BAND_COLOURS = {'quiesce': '#e3ecfb', 'operator': '#f1f1f4', 'hold': '#f6f6f8', 'resume': '#e2f3e8'}

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1a202c;
margin:0 auto;max-width:1100px;padding:16px 24px}
h1{font-size:22px;margin:8px 0}h2{font-size:18px;margin:26px 0 8px;border-bottom:1px solid #e2e8f0}
h3{font-size:15px;margin:18px 0 6px}
.badge{display:inline-block;padding:1px 10px;border-radius:10px;color:#fff;font-weight:600;font-size:13px;vertical-align:middle}
.r-ok,.r-planned{background:#2f855a}.r-failed,.r-blocked{background:#c53030}.r-partial{background:#d97706}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}.facts dt{color:#4a5568}
.facts dd{margin:0}.alert{border-left:4px solid #c53030;background:#fff5f5;padding:8px 12px;margin:10px 0}
.plan{border-left:4px solid #2b6cb0;background:#ebf4ff;padding:8px 12px;margin:10px 0;font-weight:600}
table{border-collapse:collapse;width:100%;font-size:12.5px;margin:6px 0}
th,td{border-bottom:1px solid #edf2f7;padding:3px 6px;text-align:left;vertical-align:top}th{background:#f7fafc}
.targets td:nth-child(n+5):nth-child(-n+9),td.t{white-space:nowrap;font-variant-numeric:tabular-nums}
.targets td:nth-child(10){overflow-wrap:anywhere;min-width:12em}
[class^="s-"]{font-weight:600}.s-failed{color:#c53030}.s-unknown{color:#6b7280}.s-still_stopped{color:#b45309}
.s-resumed{color:#2f855a}.s-skipped,.s-left_alone{color:#718096}
.muted{color:#718096}code,pre{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:#f7fafc;border:1px solid #e2e8f0;padding:8px;overflow-x:auto;white-space:pre-wrap}
ul.runs{margin:4px 0;padding-left:18px}details{margin:6px 0}summary{cursor:pointer;color:#2b6cb0}
.chart{border:1px solid #e2e8f0;padding:4px}.legend{font-size:12px;color:#4a5568;margin:4px 0 0}
.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:18px;height:10px;margin-right:4px;
vertical-align:middle}.sw.light{opacity:.45}
"""


def render_html(model):
    """The report as one self-contained page: inline CSS and SVG, nothing fetched, nothing scripted."""
    title = ('PLAN ' if model['check_mode'] else '') + 'Maintenance window {0}: {1}'.format(
        model['window_id'], model['result'].upper())
    parts = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             '<title>{0}</title><style>{1}</style></head><body>'.format(_h(title), _CSS)]
    parts.append('<h1>{0} <span class="badge r-{1}" data-result="{1}">{2}</span></h1>'.format(
        _h(('PLAN for maintenance window ' if model['check_mode'] else 'Maintenance window ') + model['window_id']),
        _h(model['result']), _h(model['result'].upper())))
    if model['check_mode']:
        parts.extend(_html_plan(model))
    else:
        parts.extend(_html_window(model))
    parts.append('<p class="muted">{0} &middot; generated by quiesce.lifecycle from the window record</p>'.format(
        _h(model['schema'])))
    parts.append('</body></html>\n')
    return '\n'.join(parts)


def _html_facts(model):
    items = ''.join('<dt>{0}</dt><dd>{1}</dd>'.format(_h(label), _h(text)) for label, text in _header_facts(model))
    return '<dl class="facts">{0}</dl>'.format(items)


def _html_window(model):
    day = _day(model)
    parts = [_html_facts(model)]
    if model['failure']:
        parts.append('<div class="alert"><strong>Window stopped</strong> at {0}: {1}</div>'.format(
            _h(_failure_where(model['failure'])), _h(model['failure']['message'])))
    parts.append('<h2>Timeline</h2>')
    parts.append(_timeline_svg(model))
    parts.append(_html_legend(model))
    parts.append('<h2>Stages</h2>')
    for stage in model['stages']:
        parts.extend(_html_stage(model, stage, day))
    if _loose_failures(model):
        parts.extend(['<h2>Failures outside the stages</h2>', _html_failure_list(model, _loose_failures(model))])
    parts.extend(_html_still_stopped(model, day))
    if model['events']:
        parts.append('<h2>Events</h2><details{0}><summary>{1}</summary><table><tr><th>at</th><th>phase</th>'
                     '<th>stage</th><th>kind</th><th>message</th></tr>'.format(
                         ' open' if len(model['events']) <= MARKDOWN_EVENTS else '',
                         _h(_count_text(len(model['events']), 'event'))))
        parts.extend('<tr><td class="t">{0}</td><td>{1}</td><td>{2}</td><td>{3}</td><td>{4}</td></tr>'.format(
            _h(clock_text(event['at'], day)), _h(event['phase']), _h(event['stage']), _h(event['kind']), _h(event['message']))
            for event in model['events'])
        parts.append('</table></details>')
    return parts


def _html_legend(model):
    swatches = ''.join('<span><i class="sw" style="background:{0}"></i>{1}</span>'.format(
        OUTCOME_COLOURS[status], _h(STATUS_TEXT[status])) for status in ('resumed', 'still_stopped', 'failed', 'unknown'))
    bands = ''.join('<span><i class="sw" style="background:{0};border:1px solid #cbd5e0"></i>{1}</span>'.format(
        BAND_COLOURS[phase['name']], _h(_band_label(phase))) for phase in model['phases'])
    return ('<p class="legend">{0}<span><i class="sw light" style="background:#4a5568"></i>stopping / starting</span>'
            '<span><i class="sw" style="background:#4a5568"></i>down</span>'
            '<span><i class="sw" style="background:#c53030;width:3px"></i>deadline</span>{1}</p>').format(swatches, bands)


_TARGET_TH = ''.join('<th>{0}</th>'.format(_h(name)) for name in TARGET_HEADER)


def _html_row(row, day):
    # End tags of cells and rows are optional in HTML: left out, a stage of 2,500 targets stays a third smaller.
    cells = [_h(cell) for cell in _target_cells(row, day)]
    return '<tr><td>{0}<td class="s-{1}">{2}'.format('<td>'.join(cells[:-1]), row['status'], cells[-1])


def _html_table(rows, day):
    return '<table class="targets"><tr>{0}</tr>{1}</table>'.format(_TARGET_TH, '\n'.join(_html_row(row, day) for row in rows))


def _html_stage(model, stage, day):
    parts = ['<h3 id="stage-{0}">{0}. {1} <span class="muted">({2})</span>: {3}</h3>'.format(
        stage['index'], _h(stage['name']), _h(stage['kind']), _h(STAGE_STATUS_TEXT.get(stage['status'], stage['status'])))]
    items = ['<li>{0}</li>'.format(_h(_run_text(run, day))) for run in stage['runs']]
    if stage['reason']:
        items.append('<li><strong>why:</strong> {0}</li>'.format(_h(stage['reason'])))
    items.extend('<li>gate {0}</li>'.format(_h(_gate_text(gate))) for gate in stage['gates'])
    if stage['span']:
        items.append('<li>{0}</li>'.format(_h(_span_text(stage['span'], day))))
    if items:
        parts.append('<ul class="runs">{0}</ul>'.format(''.join(items)))
    rows = stage['targets']
    if not rows:
        parts.append('<p class="muted">(no targets)</p>')
    elif stage['aggregate']:
        examples = _examples(rows, SUMMARY_EXAMPLES)
        parts.append('<p>{0}: {1}.</p>'.format(_h(_count_text(len(rows), 'target')), _h(_counts_text(stage['counts']))))
        parts.append(_html_table(examples, day))
        parts.append('<details data-details="{0}"><summary>All {1:,} targets of {2}, each with its own times</summary>'
                     '{3}</details>'.format(_h(stage['name']), len(rows), _h(stage['name']), _html_table(rows, day)))
    else:
        parts.append(_html_table(rows, day))
    if _stage_failures(model, stage):
        parts.append(_html_failure_list(model, _stage_failures(model, stage)))
    return parts


def _html_failure_list(model, failures):
    items = []
    for failure in failures:
        where, stopped, message, facts = _failure_parts(failure)
        items.append('<li><strong>{0}</strong>{1}: {2}{3}</li>'.format(_h(where), _h(stopped), _h(message), ''.join(
            ' <code>{0} {1}</code>'.format(_h(label), _h(value)) for label, value in facts)))
    listing = '<ul class="runs">{0}</ul>'.format(''.join(items))
    if len(failures) > model['aggregate_threshold']:
        listing = '<details><summary>{0}</summary>{1}</details>'.format(_h(_count_text(len(failures), 'failure')), listing)
    return '<div class="alert" data-failures="{0}">{1}</div>'.format(len(failures), listing)


def _html_still_stopped(model, day):
    parts = ['<h2>Still stopped</h2>']
    if not model['still_stopped']:
        return parts + ['<p>Nothing this window stopped is left stopped.</p>']
    rows = ''.join('<tr><td>{0}</td><td>{1}</td><td class="s-{2}">{3}</td><td>{4}</td><td class="t">{5}</td>'
                   '<td>{6}</td></tr>'.format(
                       _h(_cascade_label(item)),
                       _h(item['stage']), LEDGER_TO_ROW.get(item['status'], 'unknown'), _h(item['status']),
                       _h(item['state']), _h(clock_text(item['since'], day)), _h(item['note']))
                   for item in model['still_stopped'])
    table = ('<table><tr><th>target</th><th>stage</th><th>ledger status</th><th>last state</th><th>since</th>'
             '<th>note</th></tr>{0}</table>').format(rows)
    if len(model['still_stopped']) > model['aggregate_threshold']:
        table = '<details><summary>{0} not yet resumed</summary>{1}</details>'.format(
            _h(_count_text(len(model['still_stopped']), 'target')), table)
    parts.append(table)
    parts.append('<p>Resume them with:</p><pre data-resume-command>{0}</pre>'.format(
        _h(model['resume_command'] or _no_resume_command(model))))
    return parts


def _html_plan(model):
    plan = model['plan']
    parts = ['<div class="plan" data-plan>PLAN (check mode): nothing was changed, no request that changes anything '
             'was sent. This is what a real run would do.</div>', _html_facts(model)]
    parts.append('<p><strong>Would:</strong> {0}</p>'.format(_h(
        '{0:,} stop, {1:,} already stopped (left alone), {2:,} skipped by a gate; estimated {3}{4}'.format(
            plan['counts']['stop'], plan['counts']['already_stopped'], plan['counts']['skipped_by_gate'],
            duration_text(plan['estimated_seconds']) or 'unknown',
            _fit_text(plan['fits_deadline'])))))
    if plan['problems']:
        parts.append('<h2>Problems</h2><div class="alert"><ul class="runs">{0}</ul></div>'.format(''.join(
            '<li><strong>{0}</strong>: {1}</li>'.format(_h(p['where']), _h(p['message'])) for p in plan['problems'])))
    parts.append('<h2>Stages, in order</h2>')
    for stage in plan['stages']:
        parts.append('<h3>{0}. {1} <span class="muted">({2})</span></h3><p>{3}</p>'.format(
            stage['index'], _h(stage['name']), _h(stage['kind']), _h(_plan_stage_text(stage))))
        if stage['gates']:
            parts.append('<ul class="runs">{0}</ul>'.format(''.join(
                '<li>gate {0}</li>'.format(_h(_gate_text(gate))) for gate in stage['gates'])))
        table = '<table><tr><th>target</th><th>state now</th><th>would</th><th>reason</th></tr>{0}</table>'.format(''.join(
            '<tr><td>{0}</td><td>{1}</td><td>{2}</td><td>{3}</td></tr>'.format(
                _h(t['label']), _h(t['state'] or 'unknown'), _h(t['would']), _h(t['reason'])) for t in stage['targets']))
        if stage['aggregate']:
            table = '<details data-details="{0}"><summary>All {1:,} targets</summary>{2}</details>'.format(
                _h(stage['name']), len(stage['targets']), table)
        parts.append(table)
    return parts


# ---------------------------------------------------------------- the timeline chart (inline SVG)

CHART_WIDTH = 1000
CHART_LABEL_WIDTH = 250
CHART_RIGHT_PAD = 70
CHART_TOP = 40
STAGE_ROW = 20
TARGET_ROW = 16
BAR_HEIGHT = 10
TICK_STEPS = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


def _chart_rows(model):
    """(kind, stage, rows) per chart row: a stage header, then its targets, one aggregate row, or a note."""
    layout = []
    for stage in model['stages']:
        timed = [row for row in stage['targets'] if _is_timed(row)]
        layout.append(('stage', stage, timed))
        if not timed:
            layout.append(('note', stage, []))   # not started, skipped, all left alone: says so on its row
        elif stage['aggregate']:
            layout.append(('aggregate', stage, timed))
        else:
            layout.extend(('target', stage, [row]) for row in timed)
    return layout


def _chart_range(model, layout):
    moments = [parse_time(model['started_at']), parse_time(model['finished_at'])]
    for unused_kind, unused_stage, rows in layout:
        moments.extend(parse_time(row['times'][field]) for row in rows for field in TIME_FIELDS)
        moments.extend(parse_time(action[field]) for row in rows for action in row['actions']
                       for field in ('started_at', 'finished_at'))
    moments.extend(parse_time(phase[field]) for phase in model['phases'] for field in ('started_at', 'finished_at'))
    moments = [moment for moment in moments if moment]
    start, end = min(moments), max(moments)
    if end <= start:
        end = start + datetime.timedelta(seconds=60)
    deadline = parse_time(model['deadline'])
    # A deadline far past the last event would squash every bar to the left: it is then marked at the edge.
    beyond = bool(deadline and deadline > end + (end - start) * 0.5)
    if deadline and not beyond:
        start, end = min(start, deadline), max(end, deadline)
    pad = (end - start) * 0.02
    return start - pad, end + pad, deadline, beyond


def _timeline_svg(model):
    layout = _chart_rows(model)
    if not any(kind in ('target', 'aggregate') for kind, unused, unused in layout):
        return '<p class="muted" data-chart="empty">Nothing was stopped, so there is no timeline to draw.</p>'
    start, end, deadline, beyond = _chart_range(model, layout)
    left, right = CHART_LABEL_WIDTH, CHART_WIDTH - CHART_RIGHT_PAD
    scale = (right - left) / (end - start).total_seconds()

    def x_of(value):
        moment = parse_time(value) if not isinstance(value, datetime.datetime) else value
        return round(left + (moment - start).total_seconds() * scale, 1)

    height = CHART_TOP + sum(STAGE_ROW if kind == 'stage' else TARGET_ROW for kind, unused, unused in layout) + 24
    body = []
    label_end = 0
    for phase in model['phases']:
        x0, x1 = x_of(phase['started_at']), x_of(phase['finished_at'])
        body.append('<rect data-band="{0}" x="{1}" y="14" width="{2}" height="{3}" fill="{4}"/>'.format(
            phase['name'], x0, max(x1 - x0, 1), height - 14, BAND_COLOURS[phase['name']]))
        label = _band_label(phase)
        if x0 >= label_end:   # a band too narrow for its name leaves it to the legend
            body.append('<text x="{0}" y="11" class="band">{1}</text>'.format(x0 + 2, _h(label)))
            label_end = x0 + 2 + len(label) * 5.5
    body.extend(_ticks(start, end, x_of, height, _day(model)))
    y = CHART_TOP
    chart_end = parse_time(model['finished_at']) or end
    for kind, stage, rows in layout:
        if kind == 'stage':
            body.append('<text x="4" y="{0}" class="stage">{1}. {2} ({3})</text><line x1="0" x2="{4}" y1="{5}" y2="{5}" '
                        'class="sep"/>'.format(y + 14, stage['index'], _h(stage['name']), _h(stage['kind']),
                                               CHART_WIDTH, y + 2))
            y += STAGE_ROW
            continue
        if kind == 'note':
            body.append('<text x="14" y="{0}" class="note" data-stage-note="{1}">{2}</text>'.format(
                y + 11, _h(stage['status']), _h(_clip(_stage_note(stage), 150))))
        else:
            body.append(_bar(kind, stage, rows, y, x_of, chart_end, _day(model)))
        y += TARGET_ROW
    if deadline:
        body.append(_deadline_mark(model, deadline, beyond, x_of, right, height))
    return ('<div class="chart"><svg xmlns="http://www.w3.org/2000/svg" data-chart="timeline" viewBox="0 0 {0} {1}" '
            'width="100%" role="img" aria-label="{2}"><style>{3}</style>{4}</svg></div>').format(
        CHART_WIDTH, height, _h('Timeline of window {0}'.format(model['window_id'])), _SVG_CSS, ''.join(body))


_SVG_CSS = ('text{font:11px system-ui,Arial,sans-serif;fill:#2d3748}.stage{font-weight:600}.band{fill:#4a5568;font-size:10px}'
            '.tick{fill:#718096;font-size:10px}.note{fill:#718096;font-style:italic}.grid{stroke:#e2e8f0}.sep{stroke:#cbd5e0}.light{opacity:.45}'
            '.dl{stroke:#c53030;stroke-width:2;stroke-dasharray:5 3}.dlt{fill:#c53030;font-weight:600}'
            'a text{fill:#2b6cb0}')


def _ticks(start, end, x_of, height, day):
    span = (end - start).total_seconds()
    step = next((s for s in TICK_STEPS if span / s <= 8), TICK_STEPS[-1])
    first = datetime.datetime.fromtimestamp((int(start.timestamp()) // step + 1) * step, datetime.timezone.utc)
    parts = []
    moment = first
    while moment < end:
        x = x_of(moment)
        label = moment.strftime('%H:%M:%S' if step < 60 else '%H:%M')
        if day is not None and moment.date() != day:
            label = moment.strftime('%m-%d ') + label
        parts.append('<line x1="{0}" x2="{0}" y1="28" y2="{1}" class="grid"/><text x="{0}" y="{2}" class="tick" '
                     'text-anchor="middle">{3}</text>'.format(x, height - 20, height - 8, label))
        moment += datetime.timedelta(seconds=step)
    parts.append('<text x="4" y="{0}" class="tick">times in UTC</text>'.format(height - 8))
    return parts


def _segments(times, open_end, last_action_end, chart_end):
    """(phase, start, end) of a stopped period: stopping, down, starting.

    A target still down runs to the chart's end (after a failed start: starting, then down again);
    one that is back without an 'up' (its stop failed, it never went down) ends with its last action.
    """
    stop, down, start, up = (parse_time(times[field]) for field in TIME_FIELDS)
    close = chart_end if open_end else (last_action_end or chart_end)
    segments = []
    if stop:
        segments.append(('stopping', stop, down or start or up or close))
    if down:
        segments.append(('down', down, max(down, start or up or close)))
    if start:
        start_end = up or (min(last_action_end, chart_end) if last_action_end and last_action_end > start else close)
        segments.append(('starting', start, start_end))
        if not up and open_end and start_end < chart_end:
            segments.append(('down', start_end, chart_end))
    return segments


def _bar(kind, stage, rows, y, x_of, chart_end, day):
    if kind == 'aggregate':
        span = stage['span']
        times = {'stop_issued': span['first_stop_issued'], 'down': span['last_down'],
                 'start_issued': span['first_start_issued'], 'up': span['last_up']}
        counts = _counts(rows)
        status = next(status for status in ROW_STATUSES if counts[status])
        label = '{0:,} stopped: {1}'.format(len(rows), _counts_text(counts))
        tip = '{0}, {1}; first stop issued {2}, last down {3}, first start issued {4}, last up {5}'.format(
            stage['name'], label, *(clock_text(times[field], day) or '-' for field in TIME_FIELDS))
        attributes = 'data-bar="aggregate" data-stage="{0}" data-count="{1}"'.format(_h(stage['name']), len(rows))
        text = '<a href="#stage-{0}"><text x="14" y="{1}">{2}</text></a>'.format(stage['index'], y + 11, _h(_clip(label, 40)))
        open_end, last_action_end = not span['last_up'], None
    else:
        row = rows[0]
        times, status = row['times'], row['status']
        label = _cascade_label(row)
        tip = '{0}: {1}; stop issued {2}, down {3}, start issued {4}, up {5}'.format(
            label, STATUS_TEXT[status], *(clock_text(times[field], day) or '-' for field in TIME_FIELDS))
        attributes = 'data-bar="target" data-key="{0}"'.format(_h(row['key']))
        text = '<text x="14" y="{0}">{1}</text>'.format(y + 11, _h(_clip(label, 40)))
        finished = [parse_time(action['finished_at']) for action in row['actions'] if action['finished_at']]
        open_end, last_action_end = _still_down(row), max(finished) if finished else None
    segments = _segments(times, open_end, last_action_end, chart_end)
    rects = []
    for phase, seg_start, seg_end in segments:
        x0, x1 = x_of(seg_start), x_of(seg_end)
        rects.append('<rect data-segment="{0}" x="{1}" y="{2}" width="{3}" height="{4}"{5}/>'.format(
            phase, x0, y + 3, max(round(x1 - x0, 1), 1.5), BAR_HEIGHT, '' if phase == 'down' else ' class="light"'))
    if open_end and segments:
        # An arrowhead: still down when the window's record was closed.
        rects.append('<path d="M{0} {1}l6 5l-6 5z"/>'.format(x_of(max(end for unused, unused_start, end in segments)) + 1, y + 3))
    if kind == 'target' and rows[0]['failed_actions'] and status != 'failed':
        # Back in the end, but an action on it failed on the way: outlined in the failure colour.
        attributes += ' data-had-failure="true" stroke="{0}" stroke-width="1.5"'.format(OUTCOME_COLOURS['failed'])
        tip += '; an action on it failed (see Failures)'
    return '{0}<g {1} data-outcome="{2}" fill="{3}"><title>{4}</title>{5}</g>'.format(
        text, attributes, status, OUTCOME_COLOURS[status], _h(tip), ''.join(rects))


def _band_label(phase):
    if phase['source'] == 'ledger':
        return {'quiesce': 'quiesce (earlier job)', 'hold': 'between the jobs'}.get(phase['name'], phase['name'])
    return {'operator': "operator's tasks"}.get(phase['name'], phase['name'])


def _stage_note(stage):
    """The chart's line for a stage with nothing to draw: why (the reason says it best), else its status."""
    if stage['status'] == 'done':
        return 'nothing stopped' + (' ({0})'.format(_counts_text(stage['counts'])) if stage['targets'] else '')
    return stage['reason'] or STAGE_STATUS_TEXT.get(stage['status'], stage['status'])


def _clip(text, size):
    return text if len(text) <= size else text[:size - 1] + '\u2026'


def _deadline_mark(model, deadline, beyond, x_of, right, height):
    label = 'deadline {0}'.format(deadline.strftime('%H:%M'))
    if beyond:
        after = _seconds(model['finished_at'], model['deadline'])
        x = right + 8
        label += ' (+{0}) \u2192'.format(duration_text(after)) if after is not None else ' \u2192'
        anchor = 'end'
    else:
        x = x_of(deadline)
        anchor = 'end' if x > right - 60 else 'start'
    return ('<g data-deadline="{0}" data-deadline-beyond="{1}"><line x1="{2}" x2="{2}" y1="14" y2="{3}" class="dl"/>'
            '<text x="{4}" y="{5}" class="dlt" text-anchor="{6}">{7}</text></g>').format(
        _h(model['deadline']), 'true' if beyond else 'false', x, height - 20, x - 4 if anchor == 'end' else x + 4, 24,
        anchor, _h(label))
