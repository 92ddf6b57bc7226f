# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Selecting bare-metal servers: by id, or by the BMS list API's documented filters.
    DOCUMENTATION = r'''
options:
  server_ids:
    description:
      - Ids of the bare-metal servers, any number of them (thousands included).
      - Their states are read with the paged list API (1000 servers a page), not one request per server.
      - Mutually exclusive with the list filters (O(name), O(status), O(flavor), O(tags), O(reservation_id),
        O(enterprise_project_id)).
    type: list
    elements: str
  name:
    description:
      - Select the servers by name, with the list API's C(name) filter, for example V(rack02-) for a whole rack.
      - The API's matching rule is not documented, so every name is checked again by the module, see O(name_match).
    type: str
  name_match:
    description:
      - How O(name) is checked on the servers the API returned.
      - V(contains) keeps servers whose name contains O(name), the way the list filter selects them.
      - V(exact) keeps only the server named exactly O(name); use it to address one server, so that
        C(db-node-1) does not also select C(db-node-10).
    type: str
    choices: [contains, exact]
    default: contains
  status:
    description:
      - Select the servers with this C(status) (list API filter, checked again by the module).
    type: str
    choices: [ACTIVE, SHUTOFF, REBOOT, HARD_REBOOT, BUILD, ERROR, DELETED]
  flavor:
    description:
      - Select the servers of this flavor id (list API filter).
    type: str
  tags:
    description:
      - Select the servers carrying these tags (list API C(tags) filter, values joined with commas),
        for example C(__type_baremetal) or a custom tag such as C(rack=rack01).
    type: list
    elements: str
  reservation_id:
    description:
      - Select the servers created together in one batch (list API filter).
    type: str
  enterprise_project_id:
    description:
      - Select the servers of this enterprise project; V(all_granted_eps) means every enterprise project the user
        may see (list API filter).
    type: str
'''
