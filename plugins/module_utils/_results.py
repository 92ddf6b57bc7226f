# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The result vocabulary every action module shares: what to follow up and what changed.

Every action module (mrs_service, ocp_cluster, ocp_agent_process, bms_power) returns, on success and on
failure alike, two top-level keys whatever the API family:

* ``follow_up``: the asynchronous operations the run started or followed, one entry each:
  ``{type: mrs_command | ocp_task | bms_job, id, status, targets, attached}``. ``status`` is the last
  status seen in the family's own words (MRS ``COMPLETE``, OCP ``SUCCESSFUL``, BMS ``SUCCESS``...),
  ``targets`` the ids of the targets it acts on, ``attached`` True when the operation was already running
  and the run followed it instead of starting one. Operations whose id was lost are not listed (there is
  nothing to follow them up with); their targets show ``outcome: unknown``.
* ``changed_targets``: the targets the run changed, would change (check mode) or may have changed, one
  entry each: ``{type: mrs_service | ocp_cluster | ocp_agent_process | ocp_host_agent | bms_server, id, name,
  action, before, after, outcome}``; ``outcome`` is ``changed``, ``would_change``, ``submitted`` (accepted,
  not followed: ``wait=false``), ``failed`` (acted on and failed: it may be partly changed) or ``unknown``
  (the answer was lost and the effect not confirmed). A target that needed nothing is not listed.

The shape follows the ids-and-changes style of amazon.aws (``changed_ids``, ``instance_ids``) and
kubernetes.core (``result`` plus the objects acted on), in one family-neutral form, so that playbooks and
the maintenance window read every family the same way.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import (
    AmbiguousRequestError,
    WaitTimeoutError,
)

MRS_COMMAND, OCP_TASK, BMS_JOB = 'mrs_command', 'ocp_task', 'bms_job'
MRS_SERVICE, OCP_CLUSTER, OCP_AGENT_PROCESS, OCP_HOST_AGENT, BMS_SERVER = (
    'mrs_service', 'ocp_cluster', 'ocp_agent_process', 'ocp_host_agent', 'bms_server')
CHANGED, WOULD_CHANGE, SUBMITTED, FAILED, UNKNOWN = 'changed', 'would_change', 'submitted', 'failed', 'unknown'
OUTCOMES = (CHANGED, WOULD_CHANGE, SUBMITTED, FAILED, UNKNOWN)


def follow_up_entry(kind, item_id, status, targets, attached=False):
    """One operation to follow up; None when its id is unknown."""
    if item_id is None:
        return None
    return dict(type=kind, id=item_id, status=status, targets=list(targets), attached=bool(attached))


def changed_target(kind, target_id, name=None, action=None, before=None, after=None, outcome=CHANGED, **extra):
    """One target the run changed or may have changed; ``extra`` adds family fields (``host_id``, ``cascade_of``)."""
    if outcome not in OUTCOMES:
        raise ValueError('unknown outcome {0!r}'.format(outcome))
    entry = dict(type=kind, id=target_id, name=name, action=action, before=before, after=after, outcome=outcome)
    entry.update(extra)
    return entry


def failure_outcome(err):
    """The outcome of a target acted on when the run failed with ``err``: ``unknown`` when the answer was
    lost or the wait ran out (it may still get there), ``failed`` otherwise."""
    return UNKNOWN if isinstance(err, (AmbiguousRequestError, WaitTimeoutError)) else FAILED


def vocabulary(follow_up=(), changed_targets=()):
    """The two shared result keys, without the operations that have no id."""
    return dict(follow_up=[entry for entry in follow_up if entry], changed_targets=list(changed_targets))


def bms_power_vocabulary(report):
    """The shared keys for a ``bms_power`` report (``_bms_power.PowerRun.report``): one ``bms_job`` per batch
    job, one ``bms_server`` per server the run changed or may have changed (its ``changed`` flag)."""
    servers_of = {}
    for server in report['servers']:
        if server.get('job_id'):
            servers_of.setdefault(server['job_id'], []).append(server['id'])
    follow_up = [follow_up_entry(BMS_JOB, job['job_id'], job.get('status'), servers_of.get(job['job_id'], []))
                 for job in report['jobs']]
    targets = [changed_target(BMS_SERVER, server['id'], server.get('name'), server.get('action'),
                              (server.get('before') or {}).get('power'), (server.get('after') or {}).get('power'),
                              server['outcome'] if server['outcome'] in OUTCOMES else UNKNOWN)
               for server in report['servers'] if server.get('changed')]
    return vocabulary(follow_up, targets)
