#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: ocp_agent_process
short_description: Start, stop or restart OCP Agent processes on a host managed by OceanBase Cloud Platform (OCP)
version_added: 0.1.0
author:
  - Quiesce contributors (@quiesce)
description:
  - Brings one, several or all OCP Agent processes of one host (for example C(obstat2), C(ob_logtailer) or
    C(node_exporter)) to O(state), idempotently. Each process is reported separately.
  - With O(scope=processes) (the default), the module acts only on processes that are not yet in O(state), with
    one synchronous OCP call each. A process that OCP marks C(operable=false) (the core C(ocp_agentd) and C(pos_proxy))
    is never touched. If O(processes) names one and it would need a change, the task fails before any change.
    With O(processes=all) it is skipped and listed in RV(skipped_processes).
  - With O(scope=agent), the module stops or restarts the whole OCP Agent of the host with one asynchronous OCP task.
    This includes the core processes. The module waits for the task and reports a failed subtask or a timeout as
    M(quiesce.lifecycle.ocp_cluster) does.
  - OCP has no call that starts a single agent process. V(started) therefore starts a V(STOPPED) process with OCP's
    restart call, which is what OCP's own documentation shows for a stopped process.
  - "Paths: OCP's agent pages write the agent paths without C(/api/v2) (for example C(/compute/hosts/{id}/agent)),
    while every neighbouring page, the agent page's own sample request and the vendor's obdiag tool use
    C(/api/v2/compute/hosts/...). On OCP, only C(/api/**) answers with JSON. The module therefore uses the C(/api/v2)
    form. It tries the bare form only when the C(/api/v2) form answers 404 for a host that exists, and reports the
    form it used in RV(agent_path_style)."
  - A single-process call is synchronous. When OCP itself answers it with its error envelope (a server error), the
    call has ended, so if the process did not change the call is sent once more. When no answer comes (timeout,
    dropped connection) the call may still be running on OCP and is never repeated; the module watches the process
    for a grace period (twice O(request_timeout), at least 10 seconds, within O(wait_timeout)); when it does not
    change, the task fails, naming what to check.
  - With O(scope=agent) an agent action whose outcome is unknown is followed like a cluster action of
    M(quiesce.lifecycle.ocp_cluster), through the host's task list (OCP's documented C(hostId) filter) and
    C(hostAgentStatus). Success is reported only when every process ended in the asked state.
  - A host whose agent is V(STOPPING) or V(RESTARTING) (its C(hostAgentStatus)) is not sent another call; the module
    follows the OCP task running on it, then decides on the processes it leaves. An agent that another operation
    owns (V(REINTSTALLING), V(DELETED)) fails the task without any change.
extends_documentation_fragment:
  - quiesce.lifecycle.ocp_auth
  - quiesce.lifecycle.connection
  - quiesce.lifecycle.wait
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Decides exactly as a real run and reports what would change, without sending any action.
  diff_mode:
    support: full
    details: The diff shows each selected process's alias and status before and after.
  platform:
    platforms: all
options:
  host:
    description:
      - The host, given as its OCP id or as its name or inner IP address as OCP shows it. A name or address is
        resolved through OCP's host list. If it matches no host or several hosts, the task fails before any change.
    type: str
    required: true
  processes:
    description:
      - The agent processes to manage, by alias (for example V(obstat2)) or by OCP process id.
      - V(all) selects every process of the host. Processes that OCP does not let you operate are skipped. V(all)
        cannot be combined with names.
      - Required with O(scope=processes). With O(scope=agent) it must be omitted or V(all).
    type: list
    elements: str
  scope:
    description:
      - V(processes) manages the selected processes one by one, touching only those that need it.
      - V(agent) stops or restarts the whole OCP Agent of the host with one OCP task. With V(stopped) this happens
        when any process is running. With V(started) it happens when any process is stopped, and the restart also
        restarts the processes that were running. V(restarted) always restarts the agent.
    type: str
    choices: [processes, agent]
    default: processes
  state:
    description:
      - V(started) starts stopped processes. V(stopped) stops running processes.
      - V(restarted) restarts every selected operable process and always changes.
    type: str
    required: true
    choices: [started, stopped, restarted]
seealso:
  - module: quiesce.lifecycle.ocp_agent_process_info
  - module: quiesce.lifecycle.ocp_cluster
'''

EXAMPLES = r'''
- name: Stop the monitoring and log agent processes of a host before its maintenance
  quiesce.lifecycle.ocp_agent_process:
    ocp_url: http://ocp.example.com:8080
    username: "{{ ocp_user }}"
    password: "{{ ocp_password }}"
    host: 192.0.2.31
    processes: [obstat2, ob_logtailer]
    state: stopped

- name: Bring every operable agent process back, with the OCP connection set once for the group
  module_defaults:
    group/quiesce.lifecycle.ocp:
      ocp_url: http://ocp.example.com:8080
      access_key: "{{ ocp_access_key }}"
      secret_key: "{{ ocp_secret_key }}"
  quiesce.lifecycle.ocp_agent_process:
    host: "{{ item }}"
    processes: all
    state: started
  loop: "{{ maintenance_hosts }}"

- name: Stop the whole OCP Agent of a host with one OCP task
  quiesce.lifecycle.ocp_agent_process:
    host: 1001
    scope: agent
    state: stopped
    wait_timeout: 600

# Ad hoc, with credentials from the environment:
#   export OCP_URL=http://ocp.example.com:8080 OCP_USERNAME=admin OCP_PASSWORD=...
#   ansible localhost -m quiesce.lifecycle.ocp_agent_process -a "host=192.0.2.31 processes=obstat2 state=stopped"
'''

RETURN = r'''
changed:
  description: Whether any process was stopped, started or restarted.
  returned: always
  type: bool
before:
  description: Status of each managed process before the module ran, by alias (what the diff shows).
  returned: always
  type: dict
  sample: {"obstat2": "STARTED", "ob_logtailer": "STARTED"}
after:
  description: Status of each managed process at the end, by alias. In check mode, the status it would have.
  returned: always
  type: dict
  sample: {"obstat2": "STOPPED", "ob_logtailer": "STOPPED"}
host:
  description: The host as resolved.
  returned: always
  type: dict
  sample: {"id": 1001, "name": "ob-host-1", "inner_ip_address": "192.0.2.31", "status": "ONLINE",
           "agent_status": "AVAILABLE"}
processes:
  description: One entry per selected process that the module manages, sorted as selected.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: OCP id of the agent process. OCP addresses the process by this id, not by its pid.
      type: int
      sample: 185
    alias:
      description: Process name.
      type: str
      sample: obstat2
    before:
      description: Status before the module ran, V(STARTED) or V(STOPPED).
      type: str
      sample: STARTED
    after:
      description:
        - Status at the end. In check mode, the status the process would have.
        - Null in a failed task's result when it is not known (the answer was lost, or the agent task failed).
      type: str
      sample: STOPPED
    status:
      description: Same as RV(processes[].after).
      type: str
      sample: STOPPED
    action:
      description: V(stop), V(restart) or null when nothing was needed.
      type: str
      sample: stop
    changed:
      description: Whether this process was acted on.
      type: bool
    pid:
      description: The process id on the host at the end; 0 when stopped.
      type: int
    operable:
      description: Whether OCP lets users operate this process.
      type: bool
    trace_id:
      description: The C(traceId) of the OCP call that changed this process.
      type: str
skipped_processes:
  description: Processes selected by V(all) that were left alone, with the reason.
  returned: always
  type: list
  elements: dict
  sample: [{"id": 180, "alias": "ocp_agentd", "status": "STARTED", "operable": false,
            "reason": "OCP marks it operable=false (a core agent process); use the host-level agent restart"}]
task:
  description:
    - With O(scope=agent), the OCP task that stopped or restarted the agent (id, name, status, subtasks).
    - Deprecated alias of RV(follow_up), kept for one release; it will be removed in version 0.3.0.
  returned: when O(scope=agent)
  type: dict
trace_id:
  description: With O(scope=agent), the C(traceId) OCP gave the agent action request; null when none was sent.
  returned: when O(scope=agent)
  type: str
  sample: 3cfec9a5180748ff
follow_up:
  description:
    - The asynchronous operations this run started or followed, one entry each, in the shape every action module of
      the collection returns (M(quiesce.lifecycle.mrs_service), M(quiesce.lifecycle.ocp_cluster),
      M(quiesce.lifecycle.ocp_agent_process), M(quiesce.lifecycle.bms_power)).
    - Here, with O(scope=agent), the OCP task that stopped or restarted the agent and, when the agent was
      V(STOPPING) or V(RESTARTING), the task followed first (RV(follow_up[].attached)). Single-process calls are
      synchronous and have nothing to follow up; a host-level task followed first is listed for them too.

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
  sample: [{type: ocp_task, id: 107310, status: SUCCESSFUL, targets: [1001], attached: false}]
changed_targets:
  description:
    - The targets this run changed, would change (check mode) or may have changed, one entry each, in the shape every
      action module of the collection returns. A target that needed nothing is not listed.
    - Here each process acted on (V(ocp_agent_process), with RV(changed_targets[].host_id)), or with O(scope=agent)
      the host agent (V(ocp_host_agent), its C(hostAgentStatus) before and after).

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
    host_id:
      description: The OCP id of the host the process runs on.
      type: int
      returned: for V(ocp_agent_process) entries
  sample: [{type: ocp_agent_process, id: 185, name: obstat2, host_id: 1001, action: stop, before: STARTED,
            after: STOPPED, outcome: changed}]
agent_path_style:
  description: V(prefixed) when the agent calls used C(/api/v2/compute/...), V(bare) when the server only answered
    the form without C(/api/v2).
  returned: always
  type: str
  sample: prefixed
elapsed:
  description: Seconds the module ran.
  returned: always
  type: float
error:
  description: Structured details of a failure, for example the C(task_id) and C(failed_subtasks) of a failed task.
  returned: failure
  type: dict
'''

from ansible_collections.quiesce.lifecycle.plugins.module_utils._module import STATES, QuiesceModule
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_client import OcpClient, host_view
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_state import (
    ensure_agent,
    ensure_processes,
    is_all,
)


def _diff_view(outcome, key):
    return dict((p['alias'], p[key]) for p in outcome['processes'])


def run(module):
    params = module.params
    module.refuse_blank('host')
    processes = params['processes'] or []
    if params['scope'] == 'processes' and not processes:
        module.fail_option('processes', 'is required with scope=processes',
                           'Name the processes (aliases or ids), or use processes=all.')
    named = [p for p in processes if not is_all(p)]
    if params['scope'] == 'agent' and named:
        module.fail_option('processes', 'scope=agent acts on the whole OCP Agent, not on chosen processes',
                           'Omit processes (or use processes=all) with scope=agent, or use scope=processes.')
    if named and len(named) < len(processes):
        module.fail_option('processes', 'all selects every process, so it cannot be combined with names ({0})'.format(
            ', '.join(named)), 'Use either processes=all or the list of names.')
    client = OcpClient.from_module(module)
    host = client.resolve_host(params['host'])
    common = dict(wait=params['wait'], timeout=params['wait_timeout'], check_mode=module.check_mode)
    if params['scope'] == 'agent':
        outcome = ensure_agent(client, host, params['state'], **common)
    else:
        outcome = ensure_processes(client, host, processes, params['state'], schedule=client.schedule, **common)
    changed = outcome.pop('changed')
    return module.result(changed, before=_diff_view(outcome, 'before'), after=_diff_view(outcome, 'after'),
                         host=host_view(host), agent_path_style=client.agent_path_style, **outcome)


def main():
    module = QuiesceModule(
        'ocp',
        dict(host=dict(type='str', required=True), processes=dict(type='list', elements='str'),
             scope=dict(type='str', default='processes', choices=['processes', 'agent']),
             state=dict(type='str', required=True, choices=STATES)),
        wait=True)
    module.run(run)


if __name__ == '__main__':
    main()
