#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: ocp_agent_process_info
short_description: List OCP Agent processes and their status on hosts managed by OceanBase Cloud Platform (OCP)
version_added: 0.1.0
author:
  - Quiesce contributors (@quiesce)
description:
  - Lists the OCP Agent processes (alias, status, pid, operable) of one host, or of every host OCP manages. It reads
    every page of OCP's host and process lists.
  - Use it to record which agent processes were V(STARTED) before a maintenance window, so that exactly those
    processes are started again afterwards.
  - Read-only. It runs the same way in check mode.
  - The agent calls use C(/api/v2/compute/hosts/...). See M(quiesce.lifecycle.ocp_agent_process) for why, and for
    the fallback to the form without C(/api/v2).
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
  host:
    description:
      - The host, given as its OCP id or as its name or inner IP address as OCP shows it.
      - When omitted, every host in OCP's host list is listed.
    type: str
  processes:
    description:
      - Return only these processes, by alias or OCP process id. A host without them contributes no process.
      - A name that matches no process of the hosts listed fails the task, as does an empty name.
    type: list
    elements: str
seealso:
  - module: quiesce.lifecycle.ocp_agent_process
'''

EXAMPLES = r'''
- name: Record the agent processes running on a host before the window
  quiesce.lifecycle.ocp_agent_process_info:
    ocp_url: http://ocp.example.com:8080
    username: "{{ ocp_user }}"
    password: "{{ ocp_password }}"
    host: 192.0.2.31
  register: agent_before

- name: Names of the processes to start again afterwards
  ansible.builtin.set_fact:
    agent_started_before: "{{ agent_before.processes | selectattr('status', 'equalto', 'STARTED')
                              | selectattr('operable') | map(attribute='alias') | list }}"

- name: Every host's agent processes, with the OCP connection set once for the group
  module_defaults:
    group/quiesce.lifecycle.ocp:
      ocp_url: http://ocp.example.com:8080
      access_key: "{{ ocp_access_key }}"
      secret_key: "{{ ocp_secret_key }}"
  quiesce.lifecycle.ocp_agent_process_info:
  register: all_agents

# Ad hoc, with credentials from the environment:
#   export OCP_URL=http://ocp.example.com:8080 OCP_USERNAME=admin OCP_PASSWORD=...
#   ansible localhost -m quiesce.lifecycle.ocp_agent_process_info -a "host=192.0.2.31"
'''

RETURN = r'''
hosts:
  description: The hosts listed, sorted by id.
  returned: always
  type: list
  elements: dict
  sample: [{"id": 1001, "name": "ob-host-1", "inner_ip_address": "192.0.2.31", "status": "ONLINE",
            "agent_status": "AVAILABLE"}]
processes:
  description: The agent processes of those hosts as OCP describes them (C(HostAgentProcess)), by host and id.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: OCP id of the process.
      type: int
      sample: 185
    hostId:
      description: OCP id of the host.
      type: int
      sample: 1001
    alias:
      description: Process name.
      type: str
      sample: obstat2
    status:
      description: V(STARTED) or V(STOPPED).
      type: str
      sample: STARTED
    pid:
      description: Process id on the host; 0 when stopped.
      type: int
      sample: 4242
    operable:
      description: Whether OCP lets users operate this process individually.
      type: bool
      sample: true
agent_path_style:
  description: V(prefixed) or V(bare), the form of the agent paths the server answered.
  returned: always
  type: str
  sample: prefixed
elapsed:
  description: Seconds the module ran.
  returned: always
  type: float
'''

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import OptionError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._module import QuiesceModule
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_client import OcpClient, host_view
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_state import matching_processes


def run(module):
    params = module.params
    module.refuse_blank('host')
    client = OcpClient.from_module(module)
    hosts = [client.resolve_host(params['host'])] if params['host'] else client.list_hosts()
    wanted = [str(name).strip() for name in params['processes'] or []]
    hosts = sorted(hosts, key=lambda h: h.get('id') or 0)
    processes, seen = [], []
    for host in hosts:
        found = client.list_agent_processes(host['id'])
        seen.extend(found)
        if wanted:
            found = [p for name in wanted for p in matching_processes(found, name)]
        processes.extend(dict(process, hostId=process.get('hostId', host['id']))
                         for process in sorted(_unique(found), key=lambda p: p.get('id') or 0))
    missing = [name for name in wanted if not matching_processes(seen, name)]
    if missing:
        raise OptionError('processes', 'no agent process {0} on {1} (processes seen: {2})'.format(
            ', '.join(repr(name) for name in missing),
            'host {0}'.format(params['host']) if params['host'] else 'any host',
            ', '.join(sorted(set(str(p.get('alias')) for p in seen))) or 'none'),
            'Use the alias or id OCP shows, for example obstat2.')
    return dict(changed=False, hosts=[host_view(h) for h in hosts], processes=processes,
                agent_path_style=client.agent_path_style, elapsed=module.elapsed())


def _unique(processes):
    return list(dict((p.get('id'), p) for p in processes).values())


def main():
    module = QuiesceModule('ocp', dict(host=dict(type='str'), processes=dict(type='list', elements='str')))
    module.run(run)


if __name__ == '__main__':
    main()
