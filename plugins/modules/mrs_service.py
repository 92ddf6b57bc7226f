#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mrs_service
short_description: Start, stop or restart a service of an MRS cluster through MRS Manager
version_added: 0.1.0
author:
  - Quiesce contributors (@quiesce)
description:
  - Brings one service of a Huawei Cloud MapReduce Service (MRS) cluster, such as HDFS, Yarn, Hive, HBase, Spark,
    Kafka or ZooKeeper, to the requested state through the MRS Manager web API (Manager before 3.x, C(/web/v1)).
  - Reads the service's running status first and acts only when needed. A service that is starting or stopping
    is waited through, never acted on blindly; a service in C(START_FAILED), C(STOP_FAILED) or C(UNKNOWN) is
    started or stopped as asked.
  - Start and stop are asynchronous Manager commands; the module follows the returned command id until it is
    C(COMPLETE) or C(FAILED), then reads the service's status back.
  - The API has no restart call, so O(state=restarted) stops the service, then starts it, and always reports a
    change.
  - A start or stop whose outcome is unknown (no answer within O(request_timeout), a dropped connection, a server
    error) is never repeated blindly. It is sent again only when the Manager itself answered with its error
    envelope and the service shows no trace of it. Otherwise the module watches the service's status for a grace
    period (twice O(request_timeout), at least 10 seconds, within O(wait_timeout)) and follows what the first
    request did; when nothing shows, the task fails, names what to check and sends nothing more.
  - When the Manager refuses the command with HTTP 409 because another command holds its lock, the module waits
    (from O(poll_interval), doubling, up to 30 seconds), reads the status again and retries, until the command is
    accepted or O(wait_timeout) is spent. The timeout names the services it found C(STARTING) or C(STOPPING)
    (the service and O(related_services)), the likely holders of the lock.
  - A locked account (the Manager locks an account for 5 minutes after 5 wrong passwords in a row) is reported as
    locked; the login is never retried.
options:
  name:
    description:
      - Name of the service exactly as MRS Manager shows it, for example C(HDFS), C(HBase), C(Yarn), C(ZooKeeper).
      - An unknown name fails before any change is requested.
    type: str
    required: true
  state:
    description:
      - V(started) and V(stopped) are idempotent.
      - V(restarted) stops and starts the service and always reports a change. With O(only_self=false), the
        services that the stop took down with it are started again afterwards.
    type: str
    required: true
    choices: [started, stopped, restarted]
  cluster_id:
    description:
      - Cluster ID as MRS Manager shows it (not the cloud console's cluster UUID). Manager manages one cluster,
        whose ID is normally V(1).
    type: int
    default: 1
  only_self:
    description:
      - V(true) starts or stops only this service.
      - V(false) lets the Manager also stop the services that depend on this one (on stop), or also start the
        services this one depends on (on start). The module then reads the other services' statuses before and
        after and returns those that changed in RV(other_services_changed).
    type: bool
    default: true
  related_services:
    description:
      - With O(only_self=false), the other services whose statuses are read before and after to report what
        the Manager changed with this one.
      - The API has no call that lists a cluster's services or their dependencies. When not set, every service
        name of the documented MRS component list (HDFS, Yarn, Mapreduce, ZooKeeper, HBase, Hive, Spark, Spark2x,
        Kafka, Flink, Loader, Hue, Oozie, Ranger, DBService and others) is probed and those the cluster has are
        watched. Set it to watch fewer services, or services the list does not know.
    type: list
    elements: str
extends_documentation_fragment:
  - quiesce.lifecycle.mrs_auth
  - quiesce.lifecycle.connection
  - quiesce.lifecycle.wait
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details: Reads the service's status and reports what a real run would do; sends no start or stop request.
  diff_mode:
    support: full
    details: The service's status before and after.
  platform:
    platforms: all
  action_group:
    membership: [quiesce.lifecycle.mrs, quiesce.lifecycle.lifecycle]
notes:
  - With O(wait=false) the module returns once the Manager accepted the start or stop, with RV(command_id) to
    follow. It still waits for a starting or stopping service to settle before acting on it.
  - A Manager answer of HTTP 409 (another command is running on the service) is handled by waiting for the
    service to settle and deciding again, once.
  - MRS Manager 3.x (FusionInsight Manager, C(/web/api/v2)) is not supported; no service API is documented for it.
seealso:
  - module: quiesce.lifecycle.mrs_service_info
'''

EXAMPLES = r'''
- name: Stop HBase before the maintenance window
  quiesce.lifecycle.mrs_service:
    manager_url: https://192.0.2.10:28443/web
    username: admin
    password: "{{ mrs_password }}"
    ca_path: /etc/pki/mrs-manager-ca.pem
    name: HBase
    state: stopped

- name: Credentials once for every MRS module of the play
  module_defaults:
    group/quiesce.lifecycle.mrs:
      manager_url: https://192.0.2.10:28443/web
      username: admin
      password: "{{ mrs_password }}"
  block:
    - name: Stop HDFS and every service that depends on it
      quiesce.lifecycle.mrs_service:
        name: HDFS
        state: stopped
        only_self: false
        wait_timeout: 3600
      register: hdfs_stop

    - name: Show what the Manager stopped with it
      ansible.builtin.debug:
        msg: "{{ hdfs_stop.changed_targets | selectattr('cascade_of') | map(attribute='name') | list }}"

    - name: Start HDFS and what it depends on
      quiesce.lifecycle.mrs_service:
        name: HDFS
        state: started
        only_self: false

- name: Restart Hive, returning once the start is accepted
  quiesce.lifecycle.mrs_service:
    name: Hive
    state: restarted
    wait: false
  register: hive_restart

# Ad hoc, with the credentials in environment variables:
#   export MRS_MANAGER_URL=https://192.0.2.10:28443/web MRS_USERNAME=admin
#   read -rs MRS_PASSWORD && export MRS_PASSWORD
#   ansible localhost -m quiesce.lifecycle.mrs_service -a 'name=HBase state=stopped'
'''

RETURN = r'''
name:
  description: The service.
  returned: always
  type: str
  sample: HBase
cluster_id:
  description: The Manager cluster ID.
  returned: always
  type: int
  sample: 1
before:
  description: The service's status before the task.
  returned: always
  type: dict
  contains:
    name:
      description: The service.
      type: str
    running_status:
      description:
        - C(STARTED), C(STOPPED), C(STARTING), C(STOPPING), C(START_FAILED), C(STOP_FAILED) or C(UNKNOWN).
      type: str
    health_status:
      description: C(GOOD), C(BAD), C(UNKNOWN), C(CONCERNING) or C(PARTIALLY_HEALTHY), as the Manager reports it.
      type: str
    config_status:
      description: The configuration status, as the Manager reports it.
      type: str
    version:
      description: The service version.
      type: str
    reported_running_status:
      description: The Manager's own spelling, when it was not one of the running statuses above.
      type: str
      returned: when it differs from RV(before.running_status)
  sample: {name: HBase, running_status: STARTED, health_status: GOOD, config_status: SYNCHRONIZED, version: 1.3.1}
after:
  description:
    - The service's status after the task, read back from the Manager (in check mode, the predicted status).
    - Same fields as RV(before).
  returned: always
  type: dict
  sample: {name: HBase, running_status: STOPPED, health_status: UNKNOWN, config_status: SYNCHRONIZED, version: 1.3.1}
command_id:
  description:
    - ID of the last Manager command sent; null when nothing was sent or the id was lost to a dropped connection.
    - Deprecated alias of RV(follow_up[].id) (of the last entry), kept for one release; it will be removed in version 0.3.0.
  returned: always
  type: int
  sample: 101
progress:
  description:
    - C(total_progress) of the last command, 100 when it completed.
    - Deprecated alias of RV(commands[].total_progress) (of the last entry), kept for one release; it will be removed in version 0.3.0.
  returned: always
  type: float
  sample: 100.0
commands:
  description: Every command the task sent, in order (a restart sends two).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Command ID, to follow up in MRS Manager; null if the answer was lost (the status was followed instead).
      type: int
    service:
      description: The service the command was sent for.
      type: str
    operation:
      description: C(start) or C(stop).
      type: str
    only_self:
      description: The O(only_self) value sent.
      type: bool
    state:
      description: Last command state seen, C(COMPLETE), C(FAILED) or C(IN_PROGRESS).
      type: str
    total_progress:
      description: Last progress seen.
      type: float
    steps:
      description: The command's steps as the Manager names them.
      type: list
      elements: str
      returned: when the command was followed to its end
  sample: [{id: 101, service: HBase, operation: stop, only_self: true, state: COMPLETE, total_progress: 100.0,
            steps: [Stop HBase]}]
other_services_changed:
  description:
    - With O(only_self=false), the other services whose running status the task changed, read back before and
      after (a restart also lists the dependents it stopped and started again).
    - Deprecated alias of the RV(changed_targets) entries that have RV(changed_targets[].cascade_of), kept for one release; it will be removed in version 0.3.0.
  returned: when O(only_self=false), not in check mode
  type: list
  elements: dict
  contains:
    name:
      description: The service.
      type: str
    before:
      description: Running status before.
      type: str
    after:
      description: Running status after.
      type: str
  sample: [{name: Loader, before: STARTED, after: STOPPED}]
follow_up:
  description:
    - The asynchronous operations this run started or followed, one entry each, in the shape every action module of
      the collection returns (M(quiesce.lifecycle.mrs_service), M(quiesce.lifecycle.ocp_cluster),
      M(quiesce.lifecycle.ocp_agent_process), M(quiesce.lifecycle.bms_power)).
    - Here the Manager commands sent (a restart sends two); a command whose answer was lost has no id and is not
      listed.

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
  sample: [{type: mrs_command, id: 101, status: COMPLETE, targets: [HBase], attached: false}]
changed_targets:
  description:
    - The targets this run changed, would change (check mode) or may have changed, one entry each, in the shape every
      action module of the collection returns. A target that needed nothing is not listed.
    - Here the service, and with O(only_self=false) the other services the cascade changed (with RV(changed_targets[].cascade_of)).

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
    cascade_of:
      description: For a service changed by the cascade of O(only_self=false), the service the task was for.
      type: str
      returned: for services changed by the cascade
  sample: [{type: mrs_service, id: HBase, name: HBase, action: stop, before: STARTED, after: STOPPED,
            outcome: changed}]
elapsed:
  description: Seconds the task took, waits included.
  returned: always
  type: float
  sample: 42.7
error:
  description:
    - On failure, the structured error; for a failed command it carries C(command_id), C(error_code),
      C(error_description), C(failed_entities) and C(total_progress), for a timeout the last state seen and the
      command id to follow up.
  returned: failure
  type: dict
  sample: {type: OperationFailedError, command_id: 104, error_code: 1001, error_description: Failed to start service HBase.}
'''

from ansible_collections.quiesce.lifecycle.plugins.module_utils._module import STATES, QuiesceModule
from ansible_collections.quiesce.lifecycle.plugins.module_utils._mrs_client import MrsClient, check_options
from ansible_collections.quiesce.lifecycle.plugins.module_utils._mrs_service import ServiceRun

ARGUMENT_SPEC = dict(
    name=dict(type='str', required=True),
    state=dict(type='str', required=True, choices=STATES),
    cluster_id=dict(type='int', default=1),
    only_self=dict(type='bool', default=True),
    related_services=dict(type='list', elements='str'),
)


def ensure_service(module):
    params = module.params
    check_options(params, ('name', 'related_services'))
    with MrsClient.from_module(module) as client:
        outcome = ServiceRun(client, params['name'], only_self=params['only_self'], wait=params['wait'],
                             wait_timeout=params['wait_timeout'], check_mode=module.check_mode,
                             watch=params['related_services']).run(params['state'])
    changed = outcome.pop('changed')
    before = outcome.pop('before')
    after = outcome.pop('after')
    return module.result(changed, before=before, after=after, name=params['name'], cluster_id=params['cluster_id'],
                         **outcome)


def main():
    module = QuiesceModule('mrs', ARGUMENT_SPEC, wait=True)
    module.run(ensure_service)


if __name__ == '__main__':
    main()
