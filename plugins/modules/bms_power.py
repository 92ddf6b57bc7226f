#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: bms_power
short_description: Power Huawei Cloud bare-metal servers on, off or restart them, in batches
version_added: 0.1.0
description:
  - Puts any number of Huawei Cloud Bare Metal Servers (BMS) into the requested power state.
  - Reads every target's state first with the paged list API and acts only on the servers not already in the
    requested state. Servers already moving to it are followed; servers in another transition are waited
    through and then decided again.
  - Sends one action call per 1000 servers (the documented maximum), one after the other as the BMS documents
    advise (concurrent calls invite throttling), and polls the asynchronous jobs together, up to O(max_concurrency)
    reads at once. Each server is reported with its status before and after, its job
    id, its sub-job status and, on failure, the reason.
  - A server that changed state between the read and the action (errors C(BMS.0038)/C(BMS.0039), on the call or
    inside the job) is read again and handled; it is not counted as a failure. It is sent again at most once.
  - When the answer to an action is lost or ambiguous (the connection dropped, no answer within O(request_timeout),
    a server error), the action may have been applied, possibly later, and the documents give no way to prove it was
    not; it is never sent again. Its servers are followed by their state for a grace period (10 seconds, or twice
    O(request_timeout) when longer, within O(wait_timeout)); those that show no sign of it fail with the cause (the
    HTTP status, the API's code and the request id) and the server to check.
  - Overload refusals that did nothing (C(BMS.0212), C(BMS.1006)) and throttling (HTTP 429) are waited out and the
    call sent again, never past O(wait_timeout).
  - If some servers fail, the task fails with a summary naming each failed server and the reason, and still
    returns the servers that succeeded so that they can be restored.
author:
  - Quiesce contributors (@quiesce)
extends_documentation_fragment:
  - quiesce.lifecycle.huaweicloud_auth
  - quiesce.lifecycle.bms_selection
  - quiesce.lifecycle.connection
  - quiesce.lifecycle.wait
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Decides per server exactly like a real run and sends no action.
  diff_mode:
    support: full
    details: Shows each target server's power state before and after.
  platform:
    platforms: all
options:
  state:
    description:
      - V(started) powers the servers on (C(os-start)); V(stopped) powers them off (C(os-stop)).
      - V(restarted) reboots the running servers (C(reboot)) and starts the stopped ones, so every target ends up
        freshly booted; it always reports a change.
    type: str
    required: true
    choices: [started, stopped, restarted]
  type:
    description:
      - How to stop or reboot. V(HARD) is a forced power-off, the documented default.
      - The BMS documents say V(SOFT) is accepted but currently behaves as V(HARD) (a forced power-off or reboot);
        the module sends the value given. Ignored for V(started), which takes no type.
    type: str
    choices: [HARD, SOFT]
    default: HARD
  max_concurrency:
    description:
      - How many read requests may run at once (list pages, server reads, job polls). Action calls are always sent
        one at a time.
      - Keep it small; the gateway throttles (C(APIGW.0308)), which the module then waits out.
    type: int
    default: 4
notes:
  - With O(wait=false) the module returns the job ids as soon as the actions are accepted; follow them with
    M(quiesce.lifecycle.bms_info) and O(quiesce.lifecycle.bms_info#module:job_ids). Transitions that block an
    action (for example a server still starting when asked to stop) are still waited through first.
  - Servers in C(ERROR), unknown or missing are not acted on and are reported as failed.
  - Throttling (HTTP 429, C(APIGW.0308)) is retried, honouring C(Retry-After) when the gateway sends it.
    An expired IAM token is renewed once and the request sent again.
seealso:
  - module: quiesce.lifecycle.bms_info
'''

EXAMPLES = r'''
- name: Power off rack 01 for facility maintenance
  quiesce.lifecycle.bms_power:
    tags: [rack=rack01]
    state: stopped
  register: rack01_off

- name: Power the same servers back on afterwards
  quiesce.lifecycle.bms_power:
    server_ids: "{{ rack01_off.servers | map(attribute='id') | list }}"
    state: started

- name: Share the credentials of every BMS task
  module_defaults:
    group/quiesce.lifecycle.bms:
      region: cn-north-4
      access_key: "{{ vault_hwc_ak }}"
      secret_key: "{{ vault_hwc_sk }}"
  block:
    - name: See what a power-off would do (no action is sent)
      quiesce.lifecycle.bms_power:
        server_ids: "{{ window_server_ids }}"
        state: stopped
      check_mode: true
      diff: true

    - name: Start the power-off and return the job ids at once
      quiesce.lifecycle.bms_power:
        server_ids: "{{ window_server_ids }}"
        state: stopped
        wait: false
      register: stopping

    - name: Follow the jobs later
      quiesce.lifecycle.bms_info:
        job_ids: "{{ stopping.follow_up | map(attribute='id') | list }}"
      register: jobs
      until: jobs.jobs | rejectattr('terminal') | list | length == 0
      retries: 60
      delay: 10

# Ad hoc, with the credentials in the environment (HUAWEICLOUD_REGION, HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK):
#   ansible localhost -m quiesce.lifecycle.bms_power -a 'name=db-node-07 state=restarted'
'''

RETURN = r'''
summary:
  description: How many target servers ended in each outcome.
  returned: always
  type: dict
  contains:
    targets:
      description: Number of target servers.
      type: int
    changed:
      description: Servers this run put into the requested state.
      type: int
    unchanged:
      description: Servers already in the requested state (including those that got there on their own meanwhile).
      type: int
    would_change:
      description: In check mode, servers a real run would act on.
      type: int
    submitted:
      description: With O(wait=false), servers whose action was accepted and not followed further.
      type: int
    failed:
      description: Servers that could not be put into the requested state.
      type: int
  sample: {targets: 2500, changed: 2497, unchanged: 3, would_change: 0, submitted: 0, failed: 0}
servers:
  description: One entry per target server.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Server id.
      type: str
    name:
      description: Server name.
      type: str
    outcome:
      description: V(changed), V(unchanged), V(would_change), V(submitted) or V(failed).
      type: str
    changed:
      description: Whether this run changed the server (outcome V(changed), V(submitted) or V(would_change)), or
        may have changed it (an action call whose answer was lost touched it), so that a role can restore exactly
        these servers, also after a partial failure or a timeout.
      type: bool
    action:
      description: The action sent for this server (V(os-start), V(os-stop), V(reboot)), or null.
      type: str
    job_id:
      description: Id of the batch job that carried the action.
      type: str
    sub_job_id:
      description: Id of this server's sub-job.
      type: str
    sub_job_status:
      description: Final status of this server's sub-job (V(SUCCESS), V(FAIL)).
      type: str
    error_code:
      description: API error code of a failure, for example V(BMS.0006).
      type: str
    reason:
      description: Why the server failed or needed nothing.
      type: str
    before:
      description: Server state read before acting (V(id), V(name), V(status), V(task_state), V(power)); null if
        the server does not exist.
      type: dict
    after:
      description: Server state read at the end (null in check mode).
      type: dict
  sample:
    - id: 5f0c1e9e-3d3a-4f7e-9b51-0a1d2c3b4a50
      name: rack01-node001
      outcome: changed
      changed: true
      action: os-stop
      job_id: 2c9eb2c5544cbf6101544f0602af2b4f
      sub_job_id: 2c9eb2c5544cbf6101544f0635672b60
      sub_job_status: SUCCESS
      error_code: null
      reason: null
      before: {id: 5f0c1e9e-3d3a-4f7e-9b51-0a1d2c3b4a50, name: rack01-node001, status: ACTIVE, task_state: null,
               power: "on"}
      after: {id: 5f0c1e9e-3d3a-4f7e-9b51-0a1d2c3b4a50, name: rack01-node001, status: SHUTOFF, task_state: null,
              power: "off"}
failed_servers:
  description:
    - The failed servers, with id, name, error code and reason, and the id of the batch job that failed them (null
      when no job was created for them).
  returned: always
  type: list
  elements: dict
  sample: [{id: 5f0c1e9e-3d3a-4f7e-9b51-0a1d2c3b4a50, name: rack01-node002, error_code: BMS.0006,
            reason: Failed to operate the BMS., job_id: 2c9eb2c5544cbf6101544f0602af2b4f}]
jobs:
  description: The batch jobs this run created.
  returned: always
  type: list
  elements: dict
  sample: [{job_id: 2c9eb2c5544cbf6101544f0602af2b4f, action: os-stop, servers: 1000, status: SUCCESS,
            error_code: null}]
job_ids:
  description:
    - Ids of the batch jobs this run created, to follow with M(quiesce.lifecycle.bms_info).
    - Deprecated alias of RV(follow_up[].id), kept for one release; it will be removed in version 0.3.0.
  returned: always
  type: list
  elements: str
  sample: [2c9eb2c5544cbf6101544f0602af2b4f]
follow_up:
  description:
    - The asynchronous operations this run started or followed, one entry each, in the shape every action module of
      the collection returns (M(quiesce.lifecycle.mrs_service), M(quiesce.lifecycle.ocp_cluster),
      M(quiesce.lifecycle.ocp_agent_process), M(quiesce.lifecycle.bms_power)).
    - Here the batch jobs this run created, each with the servers it carries.

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
  sample: [{type: bms_job, id: 2c9eb2c5544cbf6101544f0602af2b4f, status: SUCCESS,
            targets: [5f0c1e9e-3d3a-4f7e-9b51-0a1d2c3b4a50], attached: false}]
changed_targets:
  description:
    - The targets this run changed, would change (check mode) or may have changed, one entry each, in the shape every
      action module of the collection returns. A target that needed nothing is not listed.
    - Here each server with RV(servers[].changed), its power state before and after.

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
  sample: [{type: bms_server, id: 5f0c1e9e-3d3a-4f7e-9b51-0a1d2c3b4a50, name: rack01-node001, action: os-stop,
            before: "on", after: "off", outcome: changed}]
before:
  description: Power state of each target before the run, keyed by server id.
  returned: always
  type: dict
  sample: {5f0c1e9e-3d3a-4f7e-9b51-0a1d2c3b4a50: "on"}
after:
  description: Power state of each target after the run (predicted in check mode), keyed by server id.
  returned: always
  type: dict
  sample: {5f0c1e9e-3d3a-4f7e-9b51-0a1d2c3b4a50: "off"}
api_calls:
  description: Requests this run made, by kind (to verify batching, and for capacity planning).
  returned: always
  type: dict
  sample: {list_pages: 6, server_reads: 0, action_calls: 3, job_polls: 6, requests: 16, retries: 0,
           reauthentications: 0, tokens_issued: 1}
elapsed:
  description: Seconds the module ran.
  returned: always
  type: float
  sample: 12.5
'''

from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_client import (
    LIST_FILTERS,
    SELECTION_SPEC,
    open_client,
    selection_filters,
    select_servers,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_power import (
    PowerRun,
    power_diff,
    raise_for_failures,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import QuiesceError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._module import STATES, QuiesceModule
from ansible_collections.quiesce.lifecycle.plugins.module_utils._results import bms_power_vocabulary

ARGUMENT_SPEC = dict(
    SELECTION_SPEC,
    state=dict(type='str', required=True, choices=STATES),
    type=dict(type='str', default='HARD', choices=['HARD', 'SOFT']),
)


def power(module):
    params = module.params
    module.refuse_blank(*LIST_FILTERS)
    if not params['server_ids'] and not any(params[key] for key in LIST_FILTERS):
        module.fail_option('server_ids', 'no target servers given',
                           'Set server_ids, or select servers with name, tags, status, flavor, reservation_id or '
                           'enterprise_project_id.')
    connection, client = open_client(module)
    run = PowerRun(client, params['state'], power_type=params['type'], check_mode=module.check_mode,
                   wait=params['wait'], timeout=params['wait_timeout'], poll_interval=params['poll_interval'],
                   request_timeout=params['request_timeout'],
                   selection=None if params['server_ids'] else selection_filters(params))

    def result_of(report):
        before, after = power_diff(report, params['state'], module.check_mode)
        changed = any(report['summary'][key] for key in ('changed', 'would_change', 'submitted'))
        result = dict(report, **bms_power_vocabulary(report))
        return module.result(changed, before=before, after=after, job_ids=[job['job_id'] for job in report['jobs']],
                             api_calls=dict(client.counts, **connection.stats()), **result)

    try:
        server_ids, known = select_servers(client, params)
        if not server_ids:
            module.ansible.warn('The selection matched no bare-metal server; nothing was done.')
        report = run.run(server_ids, known)
    except QuiesceError as err:
        # A timeout or API error mid-run still reports what was done and the job ids to follow up.
        if err.partial_result:
            err.partial_result = result_of(err.partial_result)
        raise
    finally:
        connection.close()
    raise_for_failures(report, params['state'], result_of(report))
    return result_of(report)


def main():
    module = QuiesceModule('huaweicloud', ARGUMENT_SPEC, wait=True,
                           mutually_exclusive=[['server_ids', key] for key in LIST_FILTERS])
    module.run(power)


if __name__ == '__main__':
    main()
