# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Window records for the report's tests (docs/dev/window-model.md, "Window record").

The small ones are hand-written JSON files in fixtures/; ``built_window`` builds the larger ones
(2,500 servers, a four-stage window) the way the runner would record them: quiesce stage by stage,
the operator's tasks, resume in reverse, each target with its ledger entry and its own times.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import datetime
import json
import os

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures')
FIXTURE_NAMES = ('full_ok', 'failed_api_error', 'check_mode_plan', 'deadline_stop', 'resume_only')
BMS_BATCH = 100   # servers per BMS batch action (one job each)


def load(name):
    """A hand-written record from fixtures/<name>.json (a fresh copy each time)."""
    with open(os.path.join(FIXTURES, name + '.json')) as handle:
        return json.load(handle)


def _at(start, seconds):
    return (start + datetime.timedelta(seconds=seconds)).strftime('%Y-%m-%dT%H:%M:%SZ')


def mrs(service, stop=150, start=190, cascade_of=None, **extra):
    return dict(kind='mrs_service', key='mrs_service:mrs-prod:1:' + service, label=service + ' (mrs-prod)',
                endpoint='mrs-prod', target={'cluster_id': 1, 'service': service}, running='STARTED', stopped='STOPPED',
                stop=stop, start=start, cascade_of=cascade_of, ids='command_id', **extra)


def ocp(name, cluster_id, stop=80, start=150, **extra):
    return dict(kind='ocp_cluster', key='ocp_cluster:ocp-hz:{0}'.format(cluster_id), label='{0} ({1})'.format(name, cluster_id),
                endpoint='ocp-hz', target={'id': cluster_id, 'name': name}, running='RUNNING', stopped='STOPPED',
                stop=stop, start=start, ids='task_id', **extra)


def agent(host, host_id, process, process_id, stop=20, start=25, **extra):
    return dict(kind='ocp_agent_process', key='ocp_agent_process:ocp-hz:{0}:{1}'.format(host_id, process_id),
                label='{0}: {1}'.format(host, process), endpoint='ocp-hz',
                target={'host_id': host_id, 'host': host, 'process_id': process_id, 'process': process},
                running='RUNNING', stopped='STOPPED', stop=stop, start=start, ids='task_id', **extra)


def servers(count, rack='rack02', failed_starts=0, already_off=0):
    """``count`` bare-metal servers; the last ``failed_starts`` fail to start, the first ``already_off`` are SHUTOFF."""
    made = []
    for index in range(count):
        server_id = '5b6f0c1e-{0:04x}-4a3b-9c1d-7f2e{1:08x}'.format(index // 65536, index)
        made.append(dict(kind='bms_power', key='bms_power:cn-north-4:' + server_id,
                         label='{0}-node{1:04d}'.format(rack, index + 1), endpoint='cn-north-4',
                         target={'id': server_id, 'name': '{0}-node{1:04d}'.format(rack, index + 1)},
                         running='ACTIVE', stopped='SHUTOFF', stop=70 + (index * 37) % 90, start=110 + (index * 53) % 140,
                         ids='job_id', batch=index // BMS_BATCH, already_stopped=index < already_off,
                         start_fails=index >= count - failed_starts))
    return made


def built_window(stages, window_id='CHG-4720', start='2026-12-06T02:00:00Z', operator_seconds=1500,
                 deadline_after=7200):
    """A full window's record over ``stages``: [(name, parallel, [target spec...]), ...] (see mrs/ocp/agent/servers)."""
    begin = datetime.datetime.strptime(start, '%Y-%m-%dT%H:%M:%SZ')
    clock = 5
    record = {'schema': 'quiesce.lifecycle.window/1', 'window_id': window_id, 'phase': 'full', 'check_mode': False,
              'started_at': start, 'deadline': _at(begin, deadline_after), 'failure': None, 'events': [],
              'resume_command': 'ansible-playbook quiesce.lifecycle.resume -e maintenance_window_id=' + window_id}
    plan_stages, ledger_stages, entries, quiesce_runs, resume_runs = [], [], [], [], []
    ids = {'command_id': 40, 'task_id': 107300, 'job_id': 0}
    by_key = {}
    for name, parallel, targets in stages:
        kind = targets[0]['kind']
        plan_stages.append({'name': name, 'kind': kind, 'parallel': parallel, 'on_failure': 'stop_window',
                            'wait_budget': 1800, 'expect': {'min': len(targets), 'max': len(targets)}, 'count': len(targets),
                            'estimated_stop_seconds': max(t['stop'] for t in targets),
                            'estimated_start_seconds': max(t['start'] for t in targets), 'fits_deadline': True, 'gates': [],
                            'targets': [{'key': t['key'], 'endpoint': t['endpoint'], 'target': t['target'], 'label': t['label'],
                                         'state': t['stopped'] if t.get('already_stopped') else t['running'],
                                         'decision': 'already_stopped' if t.get('already_stopped') else 'stop', 'reason': None}
                                        for t in targets if not t.get('cascade_of')]})
        ledger_stages.append({'name': name, 'kind': kind, 'parallel': parallel, 'wait_budget': 1800})
        run = {'name': name, 'kind': kind, 'phase': 'quiesce', 'status': 'done', 'started_at': _at(begin, clock),
               'reason': None, 'gates': [], 'targets': []}
        stage_end = clock
        for target in targets:
            if target.get('already_stopped'):
                run['targets'].append({'key': target['key'], 'label': target['label'], 'before': target['stopped'],
                                       'after': target['stopped'], 'decision': 'already_stopped', 'outcome': 'unchanged',
                                       'started_at': None, 'finished_at': None, 'follow_up': None, 'error': None})
                continue
            issued = clock + (target.get('batch', 0) * 2 if parallel else 0) + 1
            if target.get('cascade_of'):
                issued, down = by_key[target['cascade_of']]['issued_at'], by_key[target['cascade_of']]['down_at']
                follow_up = dict(by_key[target['cascade_of']]['follow_up'])
            else:
                down = issued + target['stop']
                ids[target['ids']] += 1
                follow_up = {target['ids']: _id(target, ids, 'stop')}
            entry = {'key': target['key'], 'stage': name, 'kind': kind, 'endpoint': target['endpoint'],
                     'target': target['target'], 'label': target['label'], 'before': target['running'], 'action': 'stop',
                     'status': 'stopped', 'after': target['stopped'],
                     'cascade_of': by_key[target['cascade_of']]['label'] if target.get('cascade_of') else None,
                     'times': {'stop_issued': _at(begin, issued), 'down': _at(begin, down), 'start_issued': None, 'up': None},
                     'follow_up': follow_up, 'error': None, 'resume_error': None,
                     'issued_at': issued, 'down_at': down, 'spec': target}
            entries.append(entry)
            by_key[target['key']] = entry
            if not target.get('cascade_of'):
                run['targets'].append({'key': target['key'], 'label': target['label'], 'before': target['running'],
                                       'after': target['stopped'], 'decision': 'stop', 'outcome': 'stopped',
                                       'started_at': _at(begin, issued), 'finished_at': _at(begin, down),
                                       'follow_up': follow_up, 'error': None})
            stage_end = max(stage_end, down)
            if not parallel:
                clock = down + 1
        run['finished_at'] = _at(begin, stage_end + 2)
        quiesce_runs.append(run)
        clock = stage_end + 3
    record['events'].append({'at': _at(begin, clock), 'phase': 'quiesce', 'stage': None, 'kind': 'operator',
                             'message': 'operator tasks started: playbooks/patch-os.yml'})
    clock += operator_seconds
    record['events'].append({'at': _at(begin, clock), 'phase': 'quiesce', 'stage': None, 'kind': 'operator',
                             'message': 'operator tasks finished (ok)'})
    for run in reversed(quiesce_runs):
        resume = {'name': run['name'], 'kind': run['kind'], 'phase': 'resume', 'status': 'done',
                  'started_at': _at(begin, clock), 'reason': None, 'gates': [], 'targets': []}
        parallel = next(parallel for name, parallel, unused in stages if name == run['name'])
        stage_end = clock
        for entry in [e for e in entries if e['stage'] == run['name']]:
            spec = entry['spec']
            issued = clock + (spec.get('batch', 0) * 2 if parallel else 0) + 1
            up = issued + spec['start']
            ids[spec['ids']] += 1
            follow_up = {spec['ids']: _id(spec, ids, 'start')}
            entry['times']['start_issued'] = _at(begin, issued)
            target = {'key': entry['key'], 'label': entry['label'], 'before': spec['stopped'], 'decision': 'start',
                      'started_at': _at(begin, issued), 'follow_up': follow_up}
            if spec.get('start_fails'):
                error = {'type': 'OperationFailedError', 'code': 'BMS.0222',
                         'api_message': 'Insufficient resources on the host; try again later',
                         'message': 'BMS job {0}: server {1} failed to start: BMS.0222 Insufficient resources on the host; '
                                    'try again later'.format(follow_up[spec['ids']], spec['target']['id'])}
                entry.update(status='resume_failed', resume_error=error)
                target.update(after=spec['stopped'], outcome='failed', finished_at=_at(begin, up), error=error)
            else:
                entry.update(status='resumed', after=spec['running'])
                entry['times']['up'] = _at(begin, up)
                target.update(after=spec['running'], outcome='started', finished_at=_at(begin, up), error=None)
            resume['targets'].append(target)
            stage_end = max(stage_end, up)
            if not parallel:
                clock = up + 1
        resume['finished_at'] = _at(begin, stage_end + 2)
        if any(t['outcome'] == 'failed' for t in resume['targets']):
            resume['status'] = 'failed'
        resume_runs.append(resume)
        clock = stage_end + 3
    for entry in entries:
        for internal in ('issued_at', 'down_at', 'spec'):
            entry.pop(internal)
    record['finished_at'] = _at(begin, clock + 5)
    record['plan'] = {'schema': 'quiesce.lifecycle.plan/1', 'window_id': window_id, 'generated_at': _at(begin, 3),
                      'deadline': record['deadline'], 'phase': 'full', 'check_mode': False, 'ok': True, 'problems': [],
                      'estimated_seconds': sum(s['estimated_stop_seconds'] + s['estimated_start_seconds'] for s in plan_stages),
                      'fits_deadline': True, 'deadline_slack_seconds': deadline_after - 3, 'stages': plan_stages}
    record['ledger'] = {'schema': 'quiesce.lifecycle.ledger/1', 'window_id': window_id, 'created_at': _at(begin, 4),
                        'updated_at': record['finished_at'], 'deadline': record['deadline'], 'endpoints': {},
                        'stages': ledger_stages, 'entries': entries}
    record['stages'] = quiesce_runs + resume_runs
    return record


def _id(spec, ids, action):
    if spec['ids'] == 'job_id':
        # One BMS job per batch action: every server of a batch shares it.
        return 'ff8080817c{0}{1:021x}'.format('a' if action == 'stop' else 'b', spec.get('batch', 0))
    return ids[spec['ids']]


def large_window(count=2500, failed_starts=3, already_off=2):
    """A database and ``count`` bare-metal servers (aggregated in the report)."""
    return built_window([('databases', True, [ocp('ob-report', 1000003)]),
                         ('machines', True, servers(count, failed_starts=failed_starts, already_off=already_off))],
                        window_id='CHG-4720')


def demo_window():
    """Four stages as a real window has them: MRS services (one stopped along with Hive), clusters, agents, 30 servers."""
    return built_window([
        ('analytics', False, [mrs('Hue', stop=65, start=80), mrs('Hive'),
                              mrs('Spark2x', cascade_of='mrs_service:mrs-prod:1:Hive')]),
        ('databases', True, [ocp('ob-report', 1000003), ocp('ob-archive', 1000002, stop=95, start=170)]),
        ('agents', True, [agent('ob-report-1', 1005, 'obstat2', 3), agent('ob-report-1', 1005, 'ob_logtailer', 4)]),
        ('machines', True, servers(30)),
    ], window_id='CHG-4716', operator_seconds=1200, deadline_after=3000)


def all_records():
    """(name, record) of every record the tests render."""
    records = [(name, load(name)) for name in FIXTURE_NAMES]
    records.append(('large_window', large_window()))
    records.append(('demo_window', demo_window()))
    return records


def without(record, *path):
    """A copy of the record with the key at ``path`` removed (for records that miss something)."""
    record = copy.deepcopy(record)
    holder = record
    for key in path[:-1]:
        holder = holder[key]
    holder.pop(path[-1], None)
    return record
