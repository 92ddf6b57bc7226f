# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Preflight and the plan: every endpoint and target read before anything stops, every problem listed.

``read_stages`` does the reading (through the stage kinds, one session per endpoint, read-only);
``build_plan`` is pure: from those readings it decides per target, checks counts against ``expect``,
evaluates the pre-stop gates, estimates each stage and checks the deadline. A plan with problems must
not run: the action plugin fails with all of them listed.
"""

from __future__ import annotations

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import AuthError, QuiesceError, TransportError
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_deadline as deadline
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_gates as gates
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_kinds as kinds
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_endpoints import default_label

SCHEMA = 'quiesce.lifecycle.plan/1'


def _target_where(stage, spec):
    shown = dict((k, v) for k, v in spec.items() if k != 'endpoint')
    described = ', '.join('{0}={1}'.format(k, v) for k, v in sorted(shown.items()))
    return 'stage {0}, target {1}'.format(stage['name'], described)


def read_stages(estate, session_for, skip_gates=()):
    """Resolve and read every target of every stage. ``session_for(family, endpoint)`` opens (once) and returns
    a session, raising on unusable options. Returns ``{stage name: {'targets': [...], 'problems': [...]}}`` and
    the endpoint problems (an endpoint that fails is reported once; its targets are then not read)."""
    broken = _unusable_endpoints(estate, session_for)
    if broken:
        # Bad input fails before any request: with one endpoint's options unusable, nothing is read anywhere.
        return (dict((stage['name'], {'targets': [], 'problems': [], 'unread': len(stage['targets'])})
                     for stage in estate['stages']), _endpoint_problems(broken))
    served = set()  # endpoints that answered at least once: a later failure is the target's own
    readings = {}
    for stage in estate['stages']:
        kind = kinds.KINDS[stage['kind']]
        stage_skip = set(skip_gates) | set(stage.get('skip_gates') or [])
        wanted_gates = [g for g in gates.gates_for(stage['kind'], 'pre') if g not in stage_skip]
        found, problems = [], []
        for spec in stage['targets']:
            endpoint = (stage['family'], spec['endpoint'])
            if endpoint in broken:
                continue
            try:
                session = session_for(*endpoint)
                targets = kind.resolve(session, stage, spec['endpoint'], spec)
            except (AuthError, TransportError) as err:
                if endpoint not in served:
                    broken[endpoint] = str(err)
                else:
                    problems.append({'where': _target_where(stage, spec), 'message': str(err)})
                continue
            except QuiesceError as err:
                served.add(endpoint)
                problems.append({'where': _target_where(stage, spec), 'message': str(err)})
                continue
            except Exception as err:  # pylint: disable=broad-except
                # Options the session cannot be built from (EndpointError) and the like.
                broken[endpoint] = str(err)
                continue
            served.add(endpoint)
            if not targets:
                problems.append({'where': _target_where(stage, spec),
                                 'message': 'the selection matches nothing (a typo, or the wrong endpoint?)'})
            found.extend(targets)
        # One target may be selected twice (two overlapping BMS selections): keep it once.
        unique = {}
        for target in found:
            unique.setdefault(target['key'], target)
        found = list(unique.values())
        for name in set(t['endpoint'] for t in found):
            if (stage['family'], name) in broken:
                continue
            mine = [t for t in found if t['endpoint'] == name]
            try:
                kind.add_gate_readings(session_for(stage['family'], name), mine, wanted_gates)
            except QuiesceError as err:
                problems.append({'where': 'stage {0}, endpoint {1}'.format(stage['name'], default_label(name)),
                                 'message': 'the gate readings failed: {0}'.format(err)})
        # Targets on an endpoint that failed were not read: the stage's count cannot be checked against expect.
        unread = [spec for spec in stage['targets'] if (stage['family'], spec['endpoint']) in broken]
        readings[stage['name']] = {'targets': found, 'problems': problems, 'unread': len(unread)}
    return readings, _endpoint_problems(broken)


def _unusable_endpoints(estate, session_for):
    """``{(family, endpoint): message}`` of the endpoints the stages use whose session cannot be built.

    Building a session checks its options and sends nothing (the clients log in on their first request).
    """
    broken = {}
    for stage in estate['stages']:
        for spec in stage['targets']:
            endpoint = (stage['family'], spec['endpoint'])
            if endpoint in broken:
                continue
            try:
                session_for(*endpoint)
            except Exception as err:  # pylint: disable=broad-except
                # Options the session cannot be built from (EndpointError, OptionError) and the like.
                broken[endpoint] = str(err)
    return broken


def _endpoint_problems(broken):
    return [{'where': 'endpoint {0} ({1})'.format(default_label(name), family), 'message': message}
            for (family, name), message in sorted(broken.items())]


def unit_sizes(stage, targets):
    kind = kinds.KINDS[stage['kind']]
    return [len(unit) for unit in kind.units([t for t in targets if t['decision'] == kinds.STOP])]


def build_plan(estate, readings, endpoint_problems, window, now, check_mode=False, skip_gates=(),
               extra_problems=()):
    """The plan (docs/dev/window-model.md): pure, from the readings of ``read_stages``.

    ``window``: ``{'id', 'deadline' (epoch seconds or None), 'deadline_iso', 'generated_at'}``; ``now`` epoch seconds.
    """
    problems = list(extra_problems) + list(endpoint_problems)
    stages = []
    elapsed = 0.0  # estimated seconds from now to the end of each stage's stop
    reserve = 0.0  # estimated seconds the stages stopped so far need to come back
    fits_all = True
    estimates = estate['window'].get('estimates') or {}
    left = None if window.get('deadline') is None else window['deadline'] - now
    for stage in estate['stages']:
        reading = readings.get(stage['name'], {'targets': [], 'problems': []})
        targets = reading['targets']
        problems.extend(reading['problems'])
        stage_skip = set(skip_gates) | set(stage.get('skip_gates') or [])
        verdicts = gates.evaluate(stage['kind'], 'pre', [t['reading'] for t in targets], stage_skip)
        for verdict in gates.failed(verdicts):
            problems.append({'where': 'stage {0}, gate {1}'.format(stage['name'], verdict['name']),
                             'message': '{0} (skip it by name with skip_gates if that is intended)'.format(
                                 verdict['detail'])})
        for target in targets:
            if target['decision'] == kinds.REFUSED:
                problems.append({'where': 'stage {0}, target {1}'.format(stage['name'], target['label']),
                                 'message': target['reason']})
        count = len(targets)
        expect = stage.get('expect')
        if expect and not expect['min'] <= count <= expect['max'] and not reading['problems'] \
                and not reading.get('unread'):
            wanted = expect['min'] if expect['min'] == expect['max'] else '{0}-{1}'.format(expect['min'], expect['max'])
            problems.append({'where': 'stage {0}'.format(stage['name']),
                             'message': 'the selection resolves to {0} target(s), but the stage expects {1}: nothing '
                                        'will be stopped; check the selection (a name filter matches as a '
                                        'substring) or correct expect'.format(count, wanted)})
        sizes = unit_sizes(stage, targets)
        stop_seconds = deadline.stage_seconds(stage, sizes, estimates, 'stop')
        start_seconds = deadline.stage_seconds(stage, sizes, estimates, 'start')
        needed = elapsed + stop_seconds + start_seconds + reserve
        # Once a stage does not fit, the window turns to resume there: no later stage runs either.
        fits = fits_all and (left is None or needed <= left)
        fits_all = fits_all and fits
        if fits:
            elapsed += stop_seconds
            reserve += start_seconds
        decisions = {}
        for target in targets:
            decisions[target['decision']] = decisions.get(target['decision'], 0) + 1
        stages.append({
            'name': stage['name'], 'kind': stage['kind'], 'family': stage['family'], 'parallel': stage['parallel'],
            'on_failure': stage['on_failure'], 'wait_budget': stage['wait_budget'], 'expect': expect,
            'count': count, 'to_stop': decisions.get(kinds.STOP, 0), 'decisions': decisions,
            'estimate': {'stop': deadline.estimate_of(stage, estimates, 'stop'),
                         'start': deadline.estimate_of(stage, estimates, 'start')},
            'unit_sizes': sizes, 'estimated_stop_seconds': stop_seconds, 'estimated_start_seconds': start_seconds,
            'fits_deadline': fits, 'gates': verdicts,
            'endpoints': sorted(set(t['endpoint'] for t in targets)),
            'targets': targets,
        })
    total = elapsed + reserve
    return {
        'schema': SCHEMA, 'window_id': window['id'], 'generated_at': window.get('generated_at'),
        'deadline': window.get('deadline_iso'), 'check_mode': check_mode, 'ok': not problems, 'problems': problems,
        'estimated_seconds': total, 'fits_deadline': fits_all,
        'deadline_slack_seconds': None if left is None else left - total, 'stages': stages,
    }


def describe_problems(problems):
    """One message listing every problem, for the failed preflight task."""
    lines = ['Preflight found {0} problem(s); nothing was stopped:'.format(len(problems))]
    lines.extend('  - {0}: {1}'.format(p['where'], p['message']) for p in problems)
    return '\n'.join(lines)
