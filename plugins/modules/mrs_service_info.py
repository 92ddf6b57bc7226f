#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: mrs_service_info
short_description: Report the status of MRS cluster services and the cluster's health through MRS Manager
version_added: 0.1.0
author:
  - Quiesce contributors (@quiesce)
description:
  - Reads the running, health and configuration status of services of a Huawei Cloud MapReduce Service (MRS)
    cluster, and the cluster's health, through the MRS Manager web API (Manager before 3.x, C(/web/v1)).
  - Never changes anything. Use it to record what was running before a maintenance window, so that only that is
    started again afterwards.
options:
  names:
    description:
      - The services to report, exactly as MRS Manager names them, for example C(HDFS), C(HBase), C(Yarn).
        A name the cluster does not have fails the task.
      - The API has no call that lists a cluster's services. When not set, every name of the documented MRS
        component list (HDFS, Yarn, Mapreduce, ZooKeeper, HBase, Hive, Spark, Spark2x, Tez, Flink, Kafka, Storm,
        Flume, Loader, Hue, Oozie, Ranger, HetuEngine, Doris, Guardian, JobGateway, DBService, meta, KrbServer,
        KrbClient, LdapServer, LdapClient) is asked for and the services the cluster has are reported. A service
        outside that list is only reported when named here.
    type: list
    elements: str
  cluster_id:
    description:
      - Cluster ID as MRS Manager shows it (not the cloud console's cluster UUID); normally V(1).
    type: int
    default: 1
extends_documentation_fragment:
  - quiesce.lifecycle.mrs_auth
  - quiesce.lifecycle.connection
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
attributes:
  check_mode:
    support: full
    details: Only reads; runs the same in check mode.
  diff_mode:
    support: none
  platform:
    platforms: all
  action_group:
    membership: [quiesce.lifecycle.mrs, quiesce.lifecycle.lifecycle]
notes:
  - MRS Manager 3.x (FusionInsight Manager, C(/web/api/v2)) is not supported; no service API is documented for it.
seealso:
  - module: quiesce.lifecycle.mrs_service
'''

EXAMPLES = r'''
- name: Record what runs before the window
  quiesce.lifecycle.mrs_service_info:
    manager_url: https://192.0.2.10:28443/web
    username: admin
    password: "{{ mrs_password }}"
    names: [HDFS, Yarn, Hive, HBase, Spark2x]
  register: mrs_before

- name: Services that were started
  ansible.builtin.debug:
    msg: "{{ mrs_before.services | selectattr('running_status', 'equalto', 'STARTED') | map(attribute='name') | list }}"

- name: Every service of the documented component list the cluster has, credentials from module_defaults
  module_defaults:
    group/quiesce.lifecycle.mrs:
      manager_url: https://192.0.2.10:28443/web
      username: admin
      password: "{{ mrs_password }}"
  quiesce.lifecycle.mrs_service_info:
  register: mrs_all

# Ad hoc, with the credentials in environment variables (MRS_MANAGER_URL, MRS_USERNAME, MRS_PASSWORD):
#   ansible localhost -m quiesce.lifecycle.mrs_service_info -a 'names=HDFS,HBase'
'''

RETURN = r'''
cluster:
  description: The cluster.
  returned: always
  type: dict
  contains:
    id:
      description: The Manager cluster ID.
      type: int
    health:
      description: The cluster's health, C(GOOD) or C(BAD) (C(BAD) when any component is unavailable).
      type: str
    name:
      description: Cluster name, from the Manager's cluster list.
      type: str
    version:
      description: Cluster version.
      type: str
    stack_model:
      description: C(Sec) for a security (Kerberos) cluster, C(NoSec) otherwise.
      type: str
  sample: {id: 1, health: GOOD, name: mrs-prod, version: MRS 2.1.0, stack_model: Sec}
services:
  description: The services' statuses, in the order asked (or of the component list).
  returned: always
  type: list
  elements: dict
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
      returned: when it differs from running_status
  sample: [{name: HDFS, running_status: STARTED, health_status: GOOD, config_status: SYNCHRONIZED, version: 2.8.3}]
elapsed:
  description: Seconds the module ran.
  returned: always
  type: float
  sample: 0.42
'''

from ansible_collections.quiesce.lifecycle.plugins.module_utils._module import QuiesceModule
from ansible_collections.quiesce.lifecycle.plugins.module_utils._mrs_client import (
    KNOWN_SERVICES,
    MrsClient,
    check_options,
)

ARGUMENT_SPEC = dict(
    names=dict(type='list', elements='str'),
    cluster_id=dict(type='int', default=1),
)


def report(module):
    check_options(module.params, ('names',))
    names = module.params['names']
    with MrsClient.from_module(module) as client:
        cluster = client.cluster_info()
        if names:
            services = [client.service_status(name) for name in names]
        else:
            services = client.existing_services(KNOWN_SERVICES)
    return dict(changed=False, cluster=cluster, services=[s.to_dict() for s in services],
                elapsed=module.elapsed())


def main():
    module = QuiesceModule('mrs', ARGUMENT_SPEC)
    module.run(report)


if __name__ == '__main__':
    main()
