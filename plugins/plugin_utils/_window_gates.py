# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Health gates: named checks with a verdict, before a stage stops (``pre``) and after it starts (``post``).

A gate is a pure function of readings (one dict per target, from ``_window_kinds``). A failed pre-stop
gate stops nothing in its stage; a failed post-start gate fails the window after every resume has been
tried. Any gate can be skipped by name (``estate.window.skip_gates``, a stage's ``skip_gates``, or the
role's ``maintenance_window_skip_gates``); a skipped gate is still reported, with verdict ``skipped``.
"""

from __future__ import annotations

PASS, FAIL, SKIPPED = 'pass', 'fail', 'skipped'

# OCP statuses in which another operation owns the object (ocp.md s8.1, s5.8).
OCP_CLUSTER_TRANSITIONS = ('STARTING', 'STOPPING', 'RESTARTING')
OCP_AGENT_TRANSITIONS = ('STOPPING', 'RESTARTING', 'REINTSTALLING', 'REINSTALLING')
MRS_TRANSITIONS = ('STARTING', 'STOPPING')


def _mrs_cluster_healthy(readings):
    # Only a stage with services to stop has a cluster to protect: a retried quiesce finds its targets already
    # stopped, and the cluster BAD because of them.
    bad = [r for r in readings if r.get('decision', 'stop') == 'stop' and r.get('cluster_health') not in (None, 'GOOD')]
    return bad, 'MRS cluster health is {0}'.format(', '.join(sorted(set(str(r['cluster_health']) for r in bad))))


def _mrs_no_command_running(readings):
    bad = [r for r in readings if r.get('running_status') in MRS_TRANSITIONS]
    return bad, 'a command is running on it (service is STARTING or STOPPING)'


def _mrs_services_healthy(readings):
    # Only services about to be stopped: a service already stopped has no health to keep.
    bad = [r for r in readings if r.get('decision') == 'stop' and r.get('health_status') not in ('GOOD', None)]
    return bad, 'health is not GOOD'


def _ocp_no_running_task(readings):
    bad = [r for r in readings if r.get('running_task') or r.get('status') in OCP_CLUSTER_TRANSITIONS
           or r.get('agent_status') in OCP_AGENT_TRANSITIONS]
    return bad, 'an OCP task is running on it'


def _bms_not_locked(readings):
    bad = [r for r in readings if r.get('locked') is True]
    return bad, 'the server is locked'


def _bms_not_in_transition(readings):
    bad = [r for r in readings if r.get('task_state')]
    return bad, 'the server is in a transition (task_state set)'


def _mrs_services_healthy_after_start(readings):
    bad = [r for r in readings if r.get('running_status') != 'STARTED' or r.get('health_status') != 'GOOD']
    return bad, 'not STARTED with health GOOD'


def _ocp_clusters_running_after_start(readings):
    bad = [r for r in readings if r.get('status') != 'RUNNING']
    return bad, 'not RUNNING'


def _ocp_processes_started_after_start(readings):
    bad = [r for r in readings if r.get('status') != 'STARTED']
    return bad, 'not STARTED'


def _bms_servers_active_after_start(readings):
    bad = [r for r in readings if r.get('status') != 'ACTIVE' or r.get('task_state')]
    return bad, 'not ACTIVE'


# name -> (when, stage kinds it applies to, check)
GATES = {
    'mrs_cluster_healthy': ('pre', ('mrs_service',), _mrs_cluster_healthy),
    'mrs_no_command_running': ('pre', ('mrs_service',), _mrs_no_command_running),
    'mrs_services_healthy': ('pre', ('mrs_service',), _mrs_services_healthy),
    'ocp_no_running_task': ('pre', ('ocp_cluster', 'ocp_agent_process'), _ocp_no_running_task),
    'bms_not_locked': ('pre', ('bms_power',), _bms_not_locked),
    'bms_not_in_transition': ('pre', ('bms_power',), _bms_not_in_transition),
    'mrs_services_healthy_after_start': ('post', ('mrs_service',), _mrs_services_healthy_after_start),
    'ocp_clusters_running_after_start': ('post', ('ocp_cluster',), _ocp_clusters_running_after_start),
    'ocp_processes_started_after_start': ('post', ('ocp_agent_process',), _ocp_processes_started_after_start),
    'bms_servers_active_after_start': ('post', ('bms_power',), _bms_servers_active_after_start),
}
SHOWN = 10  # failing targets named in a verdict's detail


def gates_for(kind, when):
    return [name for name, (gate_when, kinds, _check) in GATES.items() if gate_when == when and kind in kinds]


def unknown_gates(names):
    return [name for name in names if name not in GATES]


def verdict(name, readings, skipped=False):
    """``{name, when, verdict, detail, failed}`` for gate ``name`` over ``readings`` (each with a ``label``)."""
    when, _kinds, check = GATES[name]
    if skipped:
        return {'name': name, 'when': when, 'verdict': SKIPPED, 'detail': 'skipped by request', 'failed': []}
    bad, why = check(readings)
    if not bad:
        return {'name': name, 'when': when, 'verdict': PASS, 'failed': [],
                'detail': '{0} target(s) checked'.format(len(readings))}
    labels = [r.get('label') or r.get('key') for r in bad]
    shown = ', '.join(labels[:SHOWN]) + (' and {0} more'.format(len(labels) - SHOWN) if len(labels) > SHOWN else '')
    return {'name': name, 'when': when, 'verdict': FAIL, 'failed': [r.get('key') for r in bad],
            'detail': '{0}: {1}'.format(why, shown)}


def evaluate(kind, when, readings, skip=()):
    """Every gate of ``kind`` at ``when`` (pre or post), in a fixed order."""
    return [verdict(name, readings, skipped=name in skip) for name in gates_for(kind, when)]


def failed(verdicts):
    return [v for v in verdicts if v['verdict'] == FAIL]
