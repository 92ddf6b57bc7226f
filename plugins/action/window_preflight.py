# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of quiesce.lifecycle.window_preflight (documentation: plugins/modules/window_preflight.py)."""

from __future__ import annotations

import json
import os

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_action as window
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_gates as gates
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_kinds as kinds
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_plan as plans
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_ledger import Ledger, now_iso
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_ledger import validate as validate_ledger
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_ledger import write_atomically
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_state import (
    WindowState,
    new_window_id,
    writable_problem,
)

display = Display()
PREFLIGHT_SPEC = dict(operator_tasks=dict(type='path'))


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        try:
            params = window.validate_args(self._task.args, PREFLIGHT_SPEC)
            context = window.WindowContext(params, window.module_defaults_by_family(self._task, self._templar),
                                           display.display)
        except (window.WindowActionError, ValueError) as err:
            return dict(result, failed=True, msg=str(err))
        try:
            return dict(result, **preflight(context, self._task.check_mode))
        finally:
            context.close()


def _handoff_ledger(params):
    handoff = params.get('handoff')
    if isinstance(handoff, dict) and isinstance(handoff.get('ledger'), dict):
        return handoff['ledger']
    return None


def _choose_window_id(context, params, phase, problems):
    """The window id: given, in the estate, in the hand-off (resume), or new (quiesce)."""
    estate_id = ((context.estate or {}).get('window') or {}).get('id')
    given = params.get('window_id') or estate_id
    handed = _handoff_ledger(params)
    if given:
        return given
    if handed and handed.get('window_id'):
        return handed['window_id']
    if phase == 'resume':
        problems.append({'where': 'window_id', 'message': 'a resume needs the window id (maintenance_window_id) or '
                         'the quiesce job\'s hand-off artifact (quiesce_lifecycle_handoff)'})
        return None
    return new_window_id()


def _resume_ledger(context, params, window_id, problems):
    """The ledger a resume works from: the hand-off artifact when present, else the ledger file."""
    handed = _handoff_ledger(params)
    path = context.ledger_path(window_id)
    ledger = None
    if handed is not None:
        trouble = validate_ledger(handed)
        if trouble:
            problems.append({'where': 'quiesce_lifecycle_handoff.ledger', 'message': '; '.join(trouble)})
            return None
        ledger = Ledger.from_data(handed, path=path)
        if os.path.exists(path):
            # A resume run again with the same artifact: the file knows what the first resume did.
            on_disk = Ledger.load(path)
            if on_disk.window_id == ledger.window_id:
                ledger = on_disk
    elif os.path.exists(path):
        try:
            ledger = Ledger.load(path)
        except ValueError as err:
            problems.append({'where': path, 'message': str(err)})
            return None
    else:
        problems.append({'where': 'ledger', 'message': 'no hand-off artifact (quiesce_lifecycle_handoff) and no ledger '
                         'file at {0}: nothing says what this window stopped'.format(path)})
        return None
    if ledger.window_id != window_id and not params.get('adopt_ledger'):
        problems.append({'where': 'ledger', 'message': 'the ledger belongs to window {0!r}, not {1!r}; pass the '
                         'right window id, or set maintenance_window_adopt_ledger=true to resume it anyway'.format(
                             ledger.window_id, window_id)})
        return None
    return ledger


def _paths(context, window_id, problems):
    paths = {'window_dir': context.window_dir(window_id), 'ledger_path': context.ledger_path(window_id),
             'report_prefix': context.report_prefix(window_id)}
    for directory in sorted(set([paths['window_dir'], os.path.dirname(paths['ledger_path']),
                                 os.path.dirname(paths['report_prefix'])])):
        trouble = writable_problem(directory)
        if trouble:
            problems.append({'where': 'state location', 'message': trouble + ' (set maintenance_window_state_dir, '
                             'or QUIESCE_STATE_DIR, to a writable directory outside the collection)'})
    return paths


def _resume_plan(context, ledger, window_id, check_mode):
    """What a resume would start: the ledger's pending entries by stage (reverse order), read now."""
    problems, stages = [], []
    for stage in reversed(ledger.data['stages']):
        entries = [e for e in ledger.pending() if e['stage'] == stage['name']]
        kind = kinds.KINDS[stage['kind']]
        targets = []
        for endpoint in sorted(set(e['endpoint'] for e in entries)):
            mine = [e for e in entries if e['endpoint'] == endpoint]
            try:
                readings = dict((r['key'], r) for r in kind.post_readings(
                    context.session(stage['family'], endpoint, ledger), mine))
            except Exception as err:  # pylint: disable=broad-except
                problems.append({'where': 'endpoint {0} ({1})'.format(endpoint, stage['family']), 'message': str(err)})
                continue
            for entry in mine:
                reading = readings.get(entry['key'], {})
                state = reading.get('running_status') or reading.get('status')
                targets.append(dict(entry, state=state, decision='start'))
        stages.append(dict(stage, count=len(entries), targets=targets, to_start=len(entries)))
    return {'schema': plans.SCHEMA, 'window_id': window_id, 'generated_at': now_iso(), 'deadline': None,
            'phase': 'resume', 'check_mode': check_mode, 'ok': not problems, 'problems': problems,
            'stages': stages}


def _summary(plan):
    return [dict((k, s.get(k)) for k in ('name', 'kind', 'count', 'to_stop', 'to_start', 'fits_deadline',
                                         'estimated_stop_seconds', 'estimated_start_seconds')) for s in plan['stages']]


def _say_plan(say, plan):
    for stage in plan['stages']:
        if plan.get('phase') == 'resume':
            say('[plan] resume {0} ({1}): {2} to start'.format(stage['name'], stage['kind'], stage['count']))
            continue
        say('[plan] {0} ({1}): {2} target(s), {3} to stop, ~{4:.0f}s to stop, ~{5:.0f}s to start{6}'.format(
            stage['name'], stage['kind'], stage['count'], stage['to_stop'], stage['estimated_stop_seconds'],
            stage['estimated_start_seconds'], '' if stage['fits_deadline'] else '; does NOT fit the deadline'))


def preflight(context, check_mode):
    params = context.params
    phase = params['phase']
    problems = list(context.estate_problems)
    if context.estate is None and phase != 'resume':
        problems.append({'where': 'estate', 'message': 'no estate given: set maintenance_window_estate (or '
                         'maintenance_window_estate_file) to the endpoints and stages of the window'})
    unknown = gates.unknown_gates(context.skip_gates())
    if unknown:
        problems.append({'where': 'skip_gates', 'message': 'unknown gate(s) {0}; known gates: {1}'.format(
            ', '.join(unknown), ', '.join(sorted(gates.GATES)))})
    operator_tasks = params.get('operator_tasks')
    if operator_tasks and phase == 'full' and not os.path.isfile(operator_tasks):
        # Found now rather than after everything is down (an include that cannot load leaves no message).
        problems.append({'where': 'maintenance_window_operator_tasks', 'message': 'no tasks file at {0}; give '
                         'the path of the operator\'s tasks file (absolute, or relative to the playbook\'s '
                         'directory)'.format(operator_tasks)})
    window_id = _choose_window_id(context, params, phase, problems)
    if window_id is None or (problems and context.estate is None):
        return _failed(problems)
    paths = _paths(context, window_id, problems)
    deadline_iso = context.deadline_iso()
    if phase == 'resume':
        ledger = _resume_ledger(context, params, window_id, problems)
        if ledger is None:
            return _failed(problems, window_id)
        plan = _resume_plan(context, ledger, window_id, check_mode)
        plan['problems'] = problems + plan['problems']
        plan['ok'] = not plan['problems']
        deadline_iso = deadline_iso or ledger.data.get('deadline')
        ledger.path = paths['ledger_path']
    else:
        if problems:
            # Bad input (the estate, a gate name, the operator's tasks file, the state location) fails before
            # any request.
            return _failed(problems, window_id)
        readings, endpoint_problems = plans.read_stages(context.estate, context.session, context.skip_gates())
        window_info = {'id': window_id, 'deadline': window.epoch(deadline_iso), 'deadline_iso': deadline_iso,
                       'generated_at': now_iso()}
        plan = plans.build_plan(context.estate, readings, endpoint_problems, window_info, window.now_epoch(),
                                check_mode=check_mode, skip_gates=context.skip_gates(), extra_problems=problems)
        plan['phase'] = phase
        ledger = None
    plan['requests'] = context.request_stats()
    _say_plan(context.say, plan)
    plan_path = os.path.join(paths['window_dir'], 'plan.json')
    try:
        write_atomically(plan_path, json.dumps(plan, indent=1) + '\n')
        state = WindowState.start(os.path.join(paths['window_dir'], 'window.json'), window_id, phase, check_mode,
                                  deadline_iso, plan_path, paths['ledger_path'], paths['report_prefix'])
        if not plan['ok']:
            state.event('preflight', plans.describe_problems(plan['problems']))
        if operator_tasks and phase == 'full':
            state.data['operator_tasks'] = operator_tasks  # the report names the gap between quiesce and resume
        state.save()
        if ledger is not None and not check_mode:
            ledger.save()  # the hand-off's ledger on disk: the stages update it from here on
    except OSError as err:
        plan['problems'].append({'where': 'state location', 'message': str(err)})
        plan['ok'] = False
    result = dict(changed=False, window_id=window_id, plan_path=plan_path, stages=_summary(plan),
                  ok=plan['ok'], problems=plan['problems'], fits_deadline=plan.get('fits_deadline'),
                  estimated_seconds=plan.get('estimated_seconds'), deadline=deadline_iso, **paths)
    if not plan['ok']:
        result.update(failed=True, msg=plans.describe_problems(plan['problems']))
    return result


def _failed(problems, window_id=None):
    return dict(changed=False, failed=True, ok=False, window_id=window_id, problems=problems, stages=[],
                msg=plans.describe_problems(problems))
