# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # TLS and timeout options shared by every module that calls an API.
    DOCUMENTATION = r'''
options:
  validate_certs:
    description:
      - Whether to verify the API server's TLS certificate.
      - Leave it on in production; use O(ca_path) for a private or self-signed CA instead of turning it off.
      - If not set, the value of the E(QUIESCE_VALIDATE_CERTS) environment variable is used; an empty or blank value counts as unset.
    type: bool
    default: true
  ca_path:
    description:
      - Path to a PEM file of CA certificates to trust instead of the system store. It must exist.
      - If not set, the value of the E(QUIESCE_CA_PATH) environment variable is used; an empty or blank value counts as unset.
    type: path
  request_timeout:
    description:
      - Seconds one HTTP request may take to be answered (the connect timeout is 10 seconds).
      - This is not the overall wait for an operation; modules that wait have their own C(wait_timeout) option,
        and each request's timeout is cut to the time that option leaves.
      - If not set, the value of the E(QUIESCE_REQUEST_TIMEOUT) environment variable is used; an empty or blank value counts as unset.
    type: float
    default: 30
  allow_insecure_http:
    description:
      - Allow plain V(http://) URLs for the APIs documented as HTTPS only (MRS Manager and its CAS, Huawei Cloud
        IAM and BMS), whose credentials would then travel in clear text.
      - Only for test systems, such as the collection's API simulator. OCP accepts V(http://) without it.
      - If not set, the value of the E(QUIESCE_ALLOW_INSECURE_HTTP) environment variable is used; an empty or blank
        value counts as unset.
    type: bool
    default: false
requirements:
  - requests >= 2.25
'''
