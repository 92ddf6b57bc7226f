#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: ocp_cluster
short_description: Start, stop or restart an OceanBase cluster through OceanBase Cloud Platform (OCP)
version_added: 0.1.0
author:
  - Quiesce contributors (@quiesce)
description:
  - Brings an OceanBase cluster managed by OCP to O(state), idempotently, and waits for the OCP task doing it.
  - The cluster is read first. V(RUNNING) and V(STOPPED) are acted on only when they differ from O(state).
  - A cluster that is V(STARTING), V(STOPPING) or V(RESTARTING) is not sent another action. The module finds the
    OCP task already running on it, follows that task, and decides again on the status it ends in. For example, a
    cluster that is V(STOPPING) when O(state=stopped) is waited for and not stopped a second time.
  - A cluster that another operation owns (V(CREATING), V(DELETING), V(TAKINGOVER), V(MOVINGOUT), V(SWITCHOVER),
    V(FAILOVER), V(OPERATING)) fails the task without any change. So does a status this module does not know.
  - Stop, start and restart are asynchronous OCP tasks made of a graph of subtasks. If a task fails, the module
    reports the task id, the failed subtask and the end of its log. If O(wait_timeout) runs out, it reports the
    last task status and the subtasks still running.
  - If the outcome of the action is unknown (no answer within O(request_timeout), a dropped connection, a server
    error), the module does not send the action again blindly. It reads the cluster's task list (OCP's documented
    C(clusterId) filter) and status, and follows the task OCP started. The action is sent again only when OCP itself
    answered with its error envelope and neither a new task nor a status change shows it. Otherwise the module
    watches for a grace period (twice O(request_timeout), at least 10 seconds, within O(wait_timeout)); when nothing
    appears, the task fails, names what to check and sends nothing more.
  - Throttling (HTTP 429, honouring C(Retry-After) and C(RateLimit-Reset)) and server errors while reading are retried
    with back-off.
extends_documentation_fragment:
  - quiesce.lifecycle.ocp_auth
  - quiesce.lifecycle.connection
  - quiesce.lifecycle.wait
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Decides exactly as a real run and reports the status the cluster would end in, without sending any
      action and without waiting.
  diff_mode:
    support: full
    details: The diff shows the cluster's id, name and status before and after.
  platform:
    platforms: all
options:
  id:
    description:
      - OCP id of the cluster (the C(id) in OCP's cluster list, not the OceanBase-internal C(obClusterId)).
      - Exactly one of O(id) and O(name) is required.
    type: int
  name:
    description:
      - Exact name of the cluster. It is looked up through OCP's cluster list. If no cluster or more than one cluster
        has this name, the task fails before any change.
    type: str
  state:
    description:
      - V(started) starts a V(STOPPED) cluster. V(stopped) stops a V(RUNNING) cluster. Either does nothing when the
        cluster is already in that state.
      - V(restarted) always changes. It restarts a V(RUNNING) cluster and starts a V(STOPPED) one, because OCP
        restarts only running clusters.
    type: str
    required: true
    choices: [started, stopped, restarted]
notes:
  - With O(wait=false) the module returns as soon as OCP accepted the action, with the task id in RV(follow_up).
    If the cluster is in a transition first, for example V(STOPPING) when O(state=started), the module still
    waits for that transition, within O(wait_timeout), before it sends the action.
seealso:
  - module: quiesce.lifecycle.ocp_cluster_info
  - module: quiesce.lifecycle.ocp_agent_process
'''

EXAMPLES = r'''
- name: Stop the OceanBase cluster before host maintenance
  quiesce.lifecycle.ocp_cluster:
    ocp_url: http://ocp.example.com:8080
    username: "{{ ocp_user }}"
    password: "{{ ocp_password }}"
    name: obcluster-prod
    state: stopped

- name: Start every cluster recorded before the window, with OCP credentials set once
  module_defaults:
    group/quiesce.lifecycle.ocp:
      ocp_url: http://ocp.example.com:8080
      access_key: "{{ ocp_access_key }}"
      secret_key: "{{ ocp_secret_key }}"
  block:
    - name: Start the cluster and wait up to 40 minutes
      quiesce.lifecycle.ocp_cluster:
        id: "{{ item }}"
        state: started
        wait_timeout: 2400
      loop: "{{ clusters_running_before | map(attribute='id') | list }}"

- name: Restart without waiting; follow the task later
  quiesce.lifecycle.ocp_cluster:
    name: obcluster-test
    state: restarted
    wait: false
  register: restart

- name: Show the task to follow
  ansible.builtin.debug:
    msg: "OCP task {{ restart.follow_up[0].id }} ({{ restart.follow_up[0].status }})"

# Ad hoc, with credentials from the environment:
#   export OCP_URL=http://ocp.example.com:8080 OCP_ACCESS_KEY=... OCP_SECRET_KEY=...
#   ansible localhost -m quiesce.lifecycle.ocp_cluster -a "name=obcluster-prod state=stopped"
'''

RETURN = r'''
changed:
  description: Whether the module started, stopped or restarted the cluster.
  returned: always
  type: bool
before:
  description: The cluster before the module ran.
  returned: always
  type: dict
  contains:
    id:
      description: OCP id of the cluster.
      type: int
      sample: 1000002
    name:
      description: Name of the cluster.
      type: str
      sample: obcluster-prod
    status:
      description: OCP cluster status, for example V(RUNNING), V(STOPPED) or V(STOPPING).
      type: str
      sample: RUNNING
after:
  description:
    - The cluster at the end, with the same keys as RV(before).
    - In check mode, the status the cluster would end in.
  returned: always
  type: dict
  sample: {"id": 1000002, "name": "obcluster-prod", "status": "STOPPED"}
task:
  description:
    - The OCP task this module started. It is null when the module started none.
    - Deprecated alias of the RV(follow_up) entry whose RV(follow_up[].attached) is false, kept for one release; it will be removed in version 0.3.0.
  returned: always
  type: dict
  contains:
    id:
      description: OCP task id. Follow it in OCP under Task Center, or with C(GET /api/v2/tasks/instances/{id}).
      type: int
      sample: 107302
    name:
      description: Task name as OCP shows it.
      type: str
      sample: Stop OB cluster
    status:
      description: V(RUNNING), V(SUCCESSFUL) or V(FAILED).
      type: str
      sample: SUCCESSFUL
    subtasks:
      description: Summary of the subtasks.
      type: dict
      sample: {"total": 7, "by_status": {"SUCCESSFUL": 7}, "running": [], "failed": []}
attached_task:
  description:
    - The OCP task that was already running on the cluster when the module looked, and that the module followed
      instead of sending another action. It has the same keys as RV(task). It is null when there was none.
    - Deprecated alias of the RV(follow_up) entry whose RV(follow_up[].attached) is true, kept for one release; it will be removed in version 0.3.0.
  returned: always
  type: dict
trace_id:
  description: The C(traceId) OCP gave the action request, for OCP support. It is null when no action was sent.
  returned: always
  type: str
  sample: 3cfec9a5180748ff
follow_up:
  description:
    - The asynchronous operations this run started or followed, one entry each, in the shape every action module of
      the collection returns (M(quiesce.lifecycle.mrs_service), M(quiesce.lifecycle.ocp_cluster),
      M(quiesce.lifecycle.ocp_agent_process), M(quiesce.lifecycle.bms_power)).
    - Here the OCP task the module started and, when a transition was in progress, the task it followed first
      (RV(follow_up[].attached)).

    - Also in the result of a failed task.
  returned: always
  type: list
  elements: dict
  contains:
    type:
      description: V(mrs_command), V(ocp_task) or V(bms_job).
      type: str
    id:
      description: The operation's id in its API (MRS Manager command id, OCP task id, BMS job id).
      type: raw
    status:
      description:
        - The last status seen, in the API's own words (MRS V(IN_PROGRESS), V(COMPLETE), V(FAILED); OCP V(RUNNING),
          V(SUCCESSFUL), V(FAILED); BMS V(INIT), V(RUNNING), V(SUCCESS), V(FAIL)).
      type: str
    targets:
      description: Ids of the targets it acts on, as in RV(changed_targets[].id).
      type: list
      elements: raw
    attached:
      description: Whether the operation was already running when the module looked, and was followed instead of
        starting another.
      type: bool
  sample: [{type: ocp_task, id: 107302, status: SUCCESSFUL, targets: [1000002], attached: false}]
changed_targets:
  description:
    - The targets this run changed, would change (check mode) or may have changed, one entry each, in the shape every
      action module of the collection returns. A target that needed nothing is not listed.
    - Here the cluster, when it was started, stopped or restarted.

    - Also in the result of a failed task, so that whoever restores the targets knows which ones were touched.
  returned: always
  type: list
  elements: dict
  contains:
    type:
      description: V(mrs_service), V(ocp_cluster), V(ocp_agent_process), V(ocp_host_agent) or V(bms_server).
      type: str
    id:
      description: The target's id (service name, OCP cluster, process or host id, server id).
      type: raw
    name:
      description: The target's name.
      type: str
    action:
      description: The action taken, or in check mode to be taken (V(start), V(stop), V(restart); BMS V(os-start),
        V(os-stop), V(reboot)).
      type: str
    before:
      description: The target's state before the run.
      type: str
    after:
      description: The target's state at the end; null when it is not known.
      type: str
    outcome:
      description:
        - V(changed) (done and confirmed), V(would_change) (check mode), V(submitted) (accepted, not followed, with
          O(wait=false)), V(failed) (acted on and failed; it may be partly changed) or V(unknown) (the answer was lost
          or the wait ran out, and the effect is not confirmed).
      type: str
  sample: [{type: ocp_cluster, id: 1000002, name: obcluster-prod, action: stop, before: RUNNING,
            after: STOPPED, outcome: changed}]
elapsed:
  description: Seconds the module ran.
  returned: always
  type: float
  sample: 42.7
error:
  description:
    - Structured details of a failure. Examples are the C(task_id) and C(failed_subtasks) of a failed task, and the
      C(last_state) and C(follow_up) of a timeout.
  returned: failure
  type: dict
'''

from ansible_collections.quiesce.lifecycle.plugins.module_utils._module import STATES, QuiesceModule
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_client import OcpClient
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_state import ensure_cluster


def run(module):
    params = module.params
    module.refuse_blank('name')
    client = OcpClient.from_module(module)
    cluster = client.resolve_cluster(cluster_id=params['id'], name=params['name'])
    outcome = ensure_cluster(client, cluster, params['state'], wait=params['wait'],
                             timeout=params['wait_timeout'], check_mode=module.check_mode)
    return module.result(outcome.pop('changed'), before=outcome.pop('before'), after=outcome.pop('after'), **outcome)


def main():
    module = QuiesceModule(
        'ocp',
        dict(id=dict(type='int'), name=dict(type='str'), state=dict(type='str', required=True, choices=STATES)),
        wait=True, mutually_exclusive=[('id', 'name')], required_one_of=[('id', 'name')])
    module.run(run)


if __name__ == '__main__':
    main()
