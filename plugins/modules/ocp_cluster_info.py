#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: ocp_cluster_info
short_description: List OceanBase clusters and their status from OceanBase Cloud Platform (OCP)
version_added: 0.1.0
author:
  - Quiesce contributors (@quiesce)
description:
  - Lists the OceanBase clusters that OCP manages, reading every page of OCP's cluster list.
  - Use it to record which clusters were V(RUNNING) before a maintenance window, so that exactly those clusters
    are started again afterwards.
  - Read-only. It runs the same way in check mode.
extends_documentation_fragment:
  - quiesce.lifecycle.ocp_auth
  - quiesce.lifecycle.connection
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Read-only; it runs the same way in check mode.
  diff_mode:
    support: none
  platform:
    platforms: all
options:
  id:
    description:
      - Return only the cluster with this OCP id. The task fails if there is none.
    type: int
  name:
    description:
      - Return only clusters with exactly this name. The result is empty when none matches. An empty name is
        refused.
    type: str
  status:
    description:
      - Return only clusters in one of these OCP statuses, in any letter case. OCP documents V(RUNNING),
        V(CREATING), V(DELETING), V(STARTING), V(RESTARTING), V(STOPPING), V(STOPPED), V(TAKINGOVER),
        V(MOVINGOUT), V(SWITCHOVER), V(FAILOVER) and V(OPERATING); any other value fails the task before any
        request.
    type: list
    elements: str
seealso:
  - module: quiesce.lifecycle.ocp_cluster
'''

EXAMPLES = r'''
- name: Record the running clusters before the window
  quiesce.lifecycle.ocp_cluster_info:
    ocp_url: http://ocp.example.com:8080
    username: "{{ ocp_user }}"
    password: "{{ ocp_password }}"
    status: [RUNNING]
  register: before_window

- name: Same, with the OCP connection set once for the group
  module_defaults:
    group/quiesce.lifecycle.ocp:
      ocp_url: http://ocp.example.com:8080
      access_key: "{{ ocp_access_key }}"
      secret_key: "{{ ocp_secret_key }}"
  quiesce.lifecycle.ocp_cluster_info:
    name: obcluster-prod
  register: prod

# Ad hoc, with credentials from the environment:
#   export OCP_URL=http://ocp.example.com:8080 OCP_USERNAME=admin OCP_PASSWORD=...
#   ansible localhost -m quiesce.lifecycle.ocp_cluster_info
'''

RETURN = r'''
clusters:
  description:
    - The clusters as OCP describes them (fields of OCP's C(ObCluster) object), sorted by id.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: OCP id of the cluster; use it as O(quiesce.lifecycle.ocp_cluster#module:id).
      type: int
      sample: 1000002
    name:
      description: Cluster name.
      type: str
      sample: obcluster-prod
    status:
      description: OCP cluster status.
      type: str
      sample: RUNNING
    obClusterId:
      description: OceanBase-internal cluster id.
      type: int
      sample: 4
    obVersion:
      description: OceanBase version.
      type: str
      sample: 4.2.1.0
    type:
      description: V(PRIMARY) or V(STANDBY).
      type: str
      sample: PRIMARY
elapsed:
  description: Seconds the module ran.
  returned: always
  type: float
'''

from ansible_collections.quiesce.lifecycle.plugins.module_utils._module import QuiesceModule
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_client import OcpClient
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_state import CLUSTER_STATUSES


def run(module):
    params = module.params
    module.refuse_blank('name')
    wanted = set(s.strip().upper() for s in params['status'] or [])
    unknown = sorted(wanted - CLUSTER_STATUSES)
    if unknown:
        module.fail_option('status', 'OCP documents no cluster status {0}'.format(', '.join(unknown)),
                           'Use one or more of: {0}.'.format(', '.join(sorted(CLUSTER_STATUSES))))
    client = OcpClient.from_module(module)
    if params['id'] is not None:
        clusters = [client.get_cluster(params['id'])]
    else:
        clusters = client.list_clusters(name=params['name'], status=sorted(wanted))
    # The API's name filter is a fuzzy keyword match: keep exact names only. Filters are
    # applied here too so the result never depends on how a server reads them.
    clusters = [c for c in clusters if (not params['name'] or c.get('name') == params['name'])
                and (not wanted or c.get('status') in wanted)]
    return dict(changed=False, clusters=sorted(clusters, key=lambda c: c.get('id') or 0), elapsed=module.elapsed())


def main():
    module = QuiesceModule('ocp', dict(id=dict(type='int'), name=dict(type='str'),
                                       status=dict(type='list', elements='str')))
    module.run(run)


if __name__ == '__main__':
    main()
