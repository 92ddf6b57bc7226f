# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # MRS Manager connection and login options.
    DOCUMENTATION = r'''
options:
  manager_url:
    description:
      - Base URL of the MRS Manager web application, for example V(https://192.0.2.10:28443/web).
      - The Manager listens on the cluster's floating IP, reachable only from inside the cluster's VPC.
      - MRS Manager is documented as HTTPS only; a plain V(http://) URL is refused unless O(allow_insecure_http=true).
      - If not set, the value of the E(MRS_MANAGER_URL) environment variable is used; an empty or blank value counts as unset.
    type: str
    required: true
  cas_url:
    description:
      - Base URL of the Manager's CAS single sign-on service, used on security (Kerberos) clusters.
      - Defaults to the host of O(manager_url) on port 20009 with path C(/cas).
      - HTTPS only, like O(manager_url), unless O(allow_insecure_http=true).
      - If not set, the value of the E(MRS_CAS_URL) environment variable is used; an empty or blank value counts as unset.
    type: str
  username:
    description:
      - MRS Manager user name.
      - If not set, the value of the E(MRS_USERNAME) environment variable is used; an empty or blank value counts as unset.
    type: str
    required: true
  password:
    description:
      - Password of O(username). The account locks for 5 minutes after 5 wrong passwords in a row, so a
        rejected login is never retried.
      - If not set, the value of the E(MRS_PASSWORD) environment variable is used; an empty or blank value counts as unset.
    type: str
    required: true
notes:
  - One login per task; the session is re-established once if it expires during a long wait, and the module
    logs out at the end.
'''
