# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of quiesce.lifecycle.window_stage (documentation: plugins/modules/window_stage.py)."""

from __future__ import annotations

import os

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_action as window
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_deadline as deadlines
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_runner as runner
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_ledger import Ledger, LedgerError
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_state import WindowState

display = Display()
STAGE_SPEC = dict(stage=dict(type='str', required=True), window_dir=dict(type='path', required=True),
                  step=dict(type='str', required=True, choices=['quiesce', 'resume']))


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        try:
            params = window.validate_args(self._task.args, STAGE_SPEC)
            context = window.WindowContext(params, window.module_defaults_by_family(self._task, self._templar),
                                           display.display)
        except (window.WindowActionError, ValueError) as err:
            return dict(result, failed=True, msg=str(err))
        try:
            return dict(result, **run_step(context))
        finally:
            context.close()


def _stage_of(context, ledger, name, plan):
    """The stage's settings: from the estate when given, else as the ledger remembers them (resume job)."""
    for stage in (context.estate or {}).get('stages') or []:
        if stage['name'] == name:
            return stage
    for stage in ledger.data['stages'] if ledger is not None else []:
        if stage['name'] == name:
            return stage
    for stage in plan.get('stages') or []:
        if stage['name'] == name:
            return stage
    raise window.WindowActionError('stage {0!r} is neither in the estate nor in the ledger'.format(name))


def _open_sessions(context, stage, endpoints, ledger):
    return dict((name, context.session(stage['family'], name, ledger)) for name in endpoints)


def _plan_stage(plan, name):
    for stage in plan.get('stages') or []:
        if stage['name'] == name:
            return stage
    return None


def run_step(context):
    params = context.params
    state = WindowState.load(os.path.join(params['window_dir'], 'window.json'))
    plan = window.load_json(state.data['plan_path'])
    ledger_path = state.data['ledger_path']
    ledger = Ledger.load(ledger_path) if os.path.exists(ledger_path) else Ledger(state.data['window_id'],
                                                                                 path=ledger_path)
    ledger.path = ledger_path
    if not ledger.data.get('endpoints'):
        ledger.remember_endpoints(context.public_endpoints())
    ledger.data['deadline'] = ledger.data.get('deadline') or state.data.get('deadline')
    budget = deadlines.Budget(window.epoch(state.data.get('deadline')), window.now_epoch)
    try:
        if params['step'] == 'quiesce':
            outcome = _quiesce(context, state, plan, ledger, budget)
        else:
            outcome = _resume(context, state, plan, ledger, budget)
    finally:
        state.save()
    return outcome


def _resume_reserve(plan, ledger, before_stage=None):
    """Seconds the stages with something in the ledger need to start again (the plan's estimates)."""
    pending = set(e['stage'] for e in ledger.pending())
    return sum(s.get('estimated_start_seconds') or 0 for s in plan.get('stages') or []
               if s['name'] in pending and s['name'] != before_stage)


def _quiesce(context, state, plan, ledger, budget):
    name = context.params['stage']
    planned = _plan_stage(plan, name)
    if planned is None:
        raise window.WindowActionError('stage {0!r} is not in the plan'.format(name))
    if state.turned:
        reason = 'not started: the window turned to resume at stage {0} ({1})'.format(
            state.turned['stage'], state.turned['reason'])
        state.add_stage(_skipped(planned, runner.NOT_STARTED, reason))
        return dict(changed=False, skipped=True, stage=name, status=runner.NOT_STARTED, msg=reason, turned=True)
    stage = _stage_of(context, ledger, name, plan)
    reserve = _resume_reserve(plan, ledger, before_stage=name)
    ok, needed, left = budget.may_start(planned['estimated_stop_seconds'], planned['estimated_start_seconds'],
                                        reserve)
    if not ok:
        reason = deadlines.describe_shortfall(name, needed, left)
        context.say('[{0}] {1}; the window turns to resume'.format(name, reason))
        state.add_stage(_skipped(planned, runner.SKIPPED_DEADLINE, reason))
        state.turn(name, reason)
        return dict(changed=False, stage=name, status=runner.SKIPPED_DEADLINE, msg=reason, turned=True)
    timeout = budget.stop_timeout(stage['wait_budget'], planned['estimated_start_seconds'], reserve)
    targets = planned['targets']
    endpoints = sorted(set(t['endpoint'] for t in targets))
    try:
        sessions = _open_sessions(context, stage, endpoints, ledger)
        stage_runner = runner.StageRunner(stage, sessions, ledger, context.say, context.progress_interval())
        result = stage_runner.quiesce(targets, timeout, skip_gates=context.skip_gates() + list(
            stage.get('skip_gates') or []))
    except LedgerError as err:
        result = _skipped(planned, runner.STAGE_FAILED, str(err))
    except Exception as err:  # pylint: disable=broad-except
        result = _skipped(planned, runner.STAGE_FAILED, 'the stage could not run: {0}'.format(err))
    result['requests'] = context.request_stats()
    state.add_stage(result)
    changed = any(t['outcome'] == 'stopped' for t in result['targets'])
    turned = False
    if result['status'] in (runner.STAGE_FAILED, runner.SKIPPED_GATE) and stage.get('on_failure') != 'continue':
        state.turn(name, result['reason'])
        turned = True
    elif result['status'] == runner.STAGE_FAILED:
        state.event('continue', 'stage {0} failed ({1}); on_failure=continue: the window goes on'.format(
            name, result['reason']), stage=name)
    return dict(changed=changed, stage=name, status=result['status'], msg=result['reason'] or 'stage done',
                turned=turned, counts=_counts(result), ledger_path=ledger.saved_to,
                ledger_error=ledger.save_error)


def _resume(context, state, plan, ledger, budget):
    name = context.params['stage']
    entries = [e for e in ledger.pending() if e['stage'] == name]
    if not entries:
        return dict(changed=False, skipped=True, stage=name, status='nothing_to_resume',
                    msg='nothing of stage {0} is in the ledger'.format(name))
    stage = _stage_of(context, ledger, name, plan)
    planned = _plan_stage(plan, name) or {}
    start_seconds = planned.get('estimated_start_seconds') or deadlines.stage_seconds(
        stage, [len(u) for u in runner.kinds.KINDS[stage['kind']].units(entries)],
        ((context.estate or {}).get('window') or {}).get('estimates'), 'start')
    later = _resume_reserve(plan, ledger, before_stage=name) if plan.get('phase') != 'resume' else 0
    timeout = budget.resume_timeout(stage.get('wait_budget') or 1800, start_seconds, later)
    endpoints = sorted(set(e['endpoint'] for e in entries))
    window_settings = (context.estate or {}).get('window') or {}
    try:
        sessions = _open_sessions(context, stage, endpoints, ledger)
        stage_runner = runner.StageRunner(stage, sessions, ledger, context.say, context.progress_interval())
        result = stage_runner.resume(entries, timeout, skip_gates=context.skip_gates() + list(
            stage.get('skip_gates') or []), post_start_grace=window_settings.get('post_start_grace') or 120,
            gates_within=budget.time_before(later))
    except Exception as err:  # pylint: disable=broad-except
        result = _skipped(dict(stage, targets=entries), runner.STAGE_FAILED,
                          'the resume of this stage could not run: {0}'.format(err), phase='resume')
    result['requests'] = context.request_stats()
    state.add_stage(result)
    changed = any(t['outcome'] == 'started' for t in result['targets'])
    return dict(changed=changed, stage=name, status=result['status'], msg=result['reason'] or 'stage resumed',
                counts=_counts(result), ledger_path=ledger.saved_to, ledger_error=ledger.save_error)


def _skipped(planned, status, reason, phase='quiesce'):
    return {'name': planned['name'], 'kind': planned['kind'], 'phase': phase, 'status': status,
            'started_at': None, 'finished_at': None, 'reason': reason, 'gates': [],
            'targets': [{'key': t['key'], 'label': t['label'], 'endpoint': t['endpoint'], 'target': t['target'],
                         'before': t.get('before'), 'after': None, 'decision': t.get('decision'),
                         'outcome': 'not_started', 'cascade_of': t.get('cascade_of'), 'started_at': None,
                         'finished_at': None, 'follow_up': {}, 'error': None} for t in planned.get('targets') or []]}


def _counts(result):
    counts = {}
    for target in result['targets']:
        counts[target['outcome']] = counts.get(target['outcome'], 0) + 1
    return counts
