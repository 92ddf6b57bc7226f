# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Estates and target dicts shared by the window's unit tests, built with the window's own code."""

from __future__ import annotations

from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_estate as estates
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_kinds as kinds

ENDPOINTS = {
    'mrs': {'mrs-prod': {'manager_url': 'https://mrs-prod'}, 'mrs-dr': {'manager_url': 'https://mrs-dr'}},
    'ocp': {'ocp-hz': {'ocp_url': 'http://ocp-hz'}, 'ocp-sh': {'ocp_url': 'http://ocp-sh'}},
    'huaweicloud': {'cn-north-4': {'region': 'cn-north-4'}, 'cn-east-3': {'region': 'cn-east-3'}},
}


def estate(*stages, **window):
    """A normalized estate of ``stages`` over ``ENDPOINTS``; fails the test on any estate problem."""
    normalized, problems = estates.normalize_estate({'window': window, 'endpoints': ENDPOINTS,
                                                     'stages': list(stages)})
    assert problems == [], problems
    return normalized


def ocp_cluster(stage, cluster_id, status='RUNNING', endpoint='ocp-hz', decision=None, reason=None, **reading):
    """An OCP cluster target as ``OcpClusterKind`` builds it."""
    if decision is None:
        decision = kinds.STOP if status == 'RUNNING' else kinds.ALREADY_STOPPED
    return kinds.OcpClusterKind().target(
        {'name': stage}, endpoint, 'ocp_cluster:{0}:{1}'.format(endpoint, cluster_id),
        {'id': cluster_id, 'name': 'ob-{0}'.format(cluster_id)}, 'ob-{0} ({0})'.format(cluster_id), status,
        decision, dict(reading, status=status), reason)


def bms_server(stage, server_id, status='ACTIVE', endpoint='cn-north-4', decision=None, **reading):
    """A bare-metal server target as ``BmsPowerKind`` builds it."""
    if decision is None:
        decision = kinds.STOP if status == 'ACTIVE' else kinds.ALREADY_STOPPED
    reading = dict({'status': status, 'task_state': None, 'locked': False}, **reading)
    return kinds.BmsPowerKind().target(
        {'name': stage}, endpoint, 'bms_power:{0}:{1}'.format(endpoint, server_id),
        {'id': server_id, 'name': 'node-{0}'.format(server_id)}, 'node-{0}'.format(server_id), status, decision,
        reading)


def mrs_service(stage, service, running_status='STARTED', endpoint='mrs-prod', health_status='GOOD', **reading):
    """An MRS service target as ``MrsServiceKind`` builds it (cluster 1)."""
    decision = kinds.STOP if running_status == 'STARTED' else kinds.ALREADY_STOPPED
    return kinds.MrsServiceKind().target(
        {'name': stage}, endpoint, 'mrs_service:{0}:1:{1}'.format(endpoint, service),
        {'service': service, 'cluster_id': 1}, service, running_status, decision,
        dict(reading, running_status=running_status, health_status=health_status))
