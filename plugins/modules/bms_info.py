#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: bms_info
short_description: Read Huawei Cloud bare-metal servers' power state and BMS job status
version_added: 0.1.0
description:
  - Lists bare-metal servers with their power state, selected by id or by the list API's documented filters
    (all servers of the project when no selection and no O(job_ids) are given).
  - Reads the status of BMS jobs by id, with one entry per server of each job (sub-job status and failure
    reason), for example to follow jobs that M(quiesce.lifecycle.bms_power) started with O(quiesce.lifecycle.bms_power#module:wait=false).
  - The power state is interpreted from C(status) and C(OS-EXT-STS:task_state), because C(status) does not change
    until a transition ends (a server that is powering off still shows C(ACTIVE)).
  - Read-only; never changes anything.
author:
  - Quiesce contributors (@quiesce)
extends_documentation_fragment:
  - quiesce.lifecycle.huaweicloud_auth
  - quiesce.lifecycle.bms_selection
  - quiesce.lifecycle.connection
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Read-only; runs the same in check mode.
  diff_mode:
    support: none
    details: Changes nothing, so there is nothing to compare.
  platform:
    platforms: all
options:
  job_ids:
    description:
      - Ids of BMS jobs to read, for example RV(quiesce.lifecycle.bms_power#module:job_ids).
    type: list
    elements: str
  max_concurrency:
    description:
      - How many API requests may run at once (list pages, job reads).
    type: int
    default: 4
seealso:
  - module: quiesce.lifecycle.bms_power
'''

EXAMPLES = r'''
- name: Power state of rack 01
  quiesce.lifecycle.bms_info:
    tags: [rack=rack01]
  register: rack01

- name: Show how many are on and off
  ansible.builtin.debug:
    msg: "{{ rack01.power_counts }}"

- name: Follow jobs started earlier with wait=false
  module_defaults:
    group/quiesce.lifecycle.bms:
      region: cn-north-4
      access_key: "{{ vault_hwc_ak }}"
      secret_key: "{{ vault_hwc_sk }}"
  block:
    - name: Read the jobs until all have finished
      quiesce.lifecycle.bms_info:
        job_ids: "{{ stopping.follow_up | map(attribute='id') | list }}"
      register: jobs
      until: jobs.jobs | rejectattr('terminal') | list | length == 0
      retries: 60
      delay: 10

# Ad hoc, with the credentials in the environment (HUAWEICLOUD_REGION, HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK):
#   ansible localhost -m quiesce.lifecycle.bms_info -a 'status=SHUTOFF'
'''

RETURN = r'''
servers:
  description: The selected servers (empty when only O(job_ids) is given).
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
    status:
      description: The API's C(status) (V(ACTIVE), V(SHUTOFF), V(REBOOT), V(HARD_REBOOT), V(BUILD), V(ERROR)).
      type: str
    task_state:
      description: The API's C(OS-EXT-STS:task_state); null when idle.
      type: str
    power:
      description: >-
        Interpreted power state: V(on), V(off), V(stopping), V(starting), V(rebooting), V(busy), V(error),
        V(deleted) or V(unknown).
      type: str
    updated:
      description: When the server last changed.
      type: str
    availability_zone:
      description: Availability zone.
      type: str
    tags:
      description: Tags of the server.
      type: list
      elements: str
  sample:
    - {id: 5f0c1e9e-3d3a-4f7e-9b51-0a1d2c3b4a50, name: rack01-node001, status: ACTIVE, task_state: powering-off,
       power: stopping, updated: "2026-01-01T00:00:00Z", availability_zone: cn-north-4a, tags: [rack=rack01]}
missing_server_ids:
  description: Ids from O(server_ids) that do not exist.
  returned: always
  type: list
  elements: str
  sample: []
power_counts:
  description: Number of selected servers in each power state.
  returned: always
  type: dict
  sample: {"on": 295, "off": 5}
jobs:
  description: The jobs from O(job_ids).
  returned: always
  type: list
  elements: dict
  contains:
    job_id:
      description: Job id.
      type: str
    status:
      description: V(INIT), V(RUNNING), V(SUCCESS) or V(FAIL) (other values are passed through).
      type: str
    terminal:
      description: Whether the job has finished (V(SUCCESS) or V(FAIL)).
      type: bool
    found:
      description: False when the API does not know the job (expired or wrong id).
      type: bool
    error_code:
      description: Error code of a failed job (that of its first failed server).
      type: str
    fail_reason:
      description: Failure reason of a failed job.
      type: str
    sub_jobs:
      description: One entry per server (V(server_id), V(job_id), V(status), V(error_code), V(fail_reason)).
      type: list
      elements: dict
    failed_server_ids:
      description: Servers whose sub-job failed.
      type: list
      elements: str
  sample:
    - {job_id: 2c9eb2c5544cbf6101544f0602af2b4f, status: FAIL, terminal: true, found: true, error_code: BMS.0006,
       fail_reason: Failed to operate the BMS., failed_server_ids: [5f0c1e9e-3d3a-4f7e-9b51-0a1d2c3b4a50],
       sub_jobs: [{server_id: 5f0c1e9e-3d3a-4f7e-9b51-0a1d2c3b4a50, job_id: 2c9eb2c5544cbf6101544f0635672b60,
                   status: FAIL, error_code: BMS.0006, fail_reason: Failed to operate the BMS.}]}
elapsed:
  description: Seconds the module ran.
  returned: always
  type: float
  sample: 0.42
'''

from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_client import (
    LIST_FILTERS,
    SELECTION_SPEC,
    open_client,
    read_jobs,
    selection_filters,
)
from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_state import interpret, server_summary
from ansible_collections.quiesce.lifecycle.plugins.module_utils._module import QuiesceModule

ARGUMENT_SPEC = dict(
    SELECTION_SPEC,
    job_ids=dict(type='list', elements='str'),
)


def describe(server):
    summary = server_summary(server)
    summary.update(updated=server.get('updated'), availability_zone=server.get('OS-EXT-AZ:availability_zone'),
                   tags=server.get('tags') or [])
    return summary


def info(module):
    params = module.params
    module.refuse_blank(*LIST_FILTERS)
    connection, client = open_client(module)
    try:
        servers, missing = [], []
        filters = selection_filters(params)
        if params['server_ids']:
            found = client.read_servers(params['server_ids'])
            servers = [server for server in found.values() if server is not None]
            missing = [server_id for server_id, server in found.items() if server is None]
        elif filters or not params['job_ids']:
            servers = client.list_servers(filters, params['name_match'])
        counts = {}
        for server in servers:
            power = interpret(server)
            counts[power] = counts.get(power, 0) + 1
        jobs = read_jobs(client, params['job_ids'] or [])
    finally:
        connection.close()
    return dict(changed=False, servers=[describe(server) for server in servers], missing_server_ids=missing,
                power_counts=counts, jobs=jobs, elapsed=module.elapsed())


def main():
    module = QuiesceModule('huaweicloud', ARGUMENT_SPEC, mutually_exclusive=[['server_ids', key] for key in LIST_FILTERS])
    module.run(info)


if __name__ == '__main__':
    main()
