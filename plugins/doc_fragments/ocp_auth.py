# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # OceanBase Cloud Platform connection and authentication options.
    DOCUMENTATION = r'''
options:
  ocp_url:
    description:
      - Base URL of the OCP server, for example V(http://192.0.2.20:8080).
      - OCP is served over V(http://) or V(https://), depending on the deployment; both are accepted. With
        V(http://) and HTTP Basic authentication the module warns that the password travels in clear text.
      - If not set, the value of the E(OCP_URL) environment variable is used; an empty or blank value counts as unset.
    type: str
    required: true
  auth_method:
    description:
      - How to authenticate. V(basic) sends HTTP Basic credentials (OCP 3.x and 4.x); V(aksk) signs each request
        with an OCP AccessKey (C(OCP-ACCESS-KEY-HMACSHA1), OCP 4.0.3 and later).
      - V(auto) uses V(aksk) when O(access_key) is set, otherwise V(basic).
      - With V(aksk) every request carries a C(Date) header that OCP accepts only within 15 minutes of its own
        clock, so the controller's clock must be synchronised.
      - Missing credentials for the chosen method fail the task before any request, naming the option to set.
      - If not set, the value of the E(OCP_AUTH_METHOD) environment variable is used; an empty or blank value counts as unset.
    type: str
    choices: [auto, basic, aksk]
    default: auto
  username:
    description:
      - OCP user for V(basic) authentication.
      - If not set, the value of the E(OCP_USERNAME) environment variable is used; an empty or blank value counts as unset.
    type: str
  password:
    description:
      - Password of O(username).
      - If not set, the value of the E(OCP_PASSWORD) environment variable is used; an empty or blank value counts as unset.
    type: str
  access_key:
    description:
      - OCP AccessKey id for V(aksk) authentication.
      - If not set, the value of the E(OCP_ACCESS_KEY) environment variable is used; an empty or blank value counts as unset.
    type: str
  secret_key:
    description:
      - OCP AccessKey secret for V(aksk) authentication.
      - If not set, the value of the E(OCP_SECRET_KEY) environment variable is used; an empty or blank value counts as unset.
    type: str
'''
