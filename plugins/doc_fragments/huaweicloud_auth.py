# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Huawei Cloud IAM authentication and endpoint options.
    DOCUMENTATION = r'''
options:
  region:
    description:
      - Region id, for example V(cn-north-4). Used to derive the endpoints and to look up the project id.
      - Letters, digits, V(-) and V(_) only.
      - If not set, the value of the E(HUAWEICLOUD_REGION) environment variable is used; an empty or blank value counts as unset.
    type: str
  project_id:
    description:
      - Project id the servers belong to. Looked up from O(region) when not given.
      - If not set, the value of the E(HUAWEICLOUD_PROJECT_ID) environment variable is used; an empty or blank value counts as unset.
    type: str
  auth_method:
    description:
      - V(token) gets a project-scoped IAM token with O(username), O(password) and O(domain_name).
      - V(aksk) signs every request with O(access_key) and O(secret_key) (C(SDK-HMAC-SHA256)).
      - V(auto) uses V(aksk) when O(access_key) is set, otherwise V(token).
      - If not set, the value of the E(HUAWEICLOUD_AUTH_METHOD) environment variable is used; an empty or blank value counts as unset.
    type: str
    choices: [auto, token, aksk]
    default: auto
  username:
    description:
      - IAM user name for V(token) authentication.
      - If not set, the value of the E(HUAWEICLOUD_USERNAME) environment variable is used; an empty or blank value counts as unset.
    type: str
  password:
    description:
      - Password of O(username).
      - If not set, the value of the E(HUAWEICLOUD_PASSWORD) environment variable is used; an empty or blank value counts as unset.
    type: str
  domain_name:
    description:
      - Account (domain) name O(username) belongs to.
      - If not set, the value of the E(HUAWEICLOUD_DOMAIN_NAME) environment variable is used; an empty or blank value counts as unset.
    type: str
  access_key:
    description:
      - Access key id for V(aksk) authentication.
      - If not set, the value of the E(HUAWEICLOUD_SDK_AK) environment variable is used; an empty or blank value counts as unset.
    type: str
  secret_key:
    description:
      - Secret access key for V(aksk) authentication.
      - If not set, the value of the E(HUAWEICLOUD_SDK_SK) environment variable is used; an empty or blank value counts as unset.
    type: str
  iam_endpoint:
    description:
      - IAM endpoint URL. Defaults to V(https://iam.<region>.myhuaweicloud.com).
      - Huawei Cloud is documented as HTTPS only; a plain V(http://) URL is refused unless
        O(allow_insecure_http=true).
      - If not set, the value of the E(HUAWEICLOUD_IAM_ENDPOINT) environment variable is used; an empty or blank value counts as unset.
    type: str
  bms_endpoint:
    description:
      - BMS endpoint URL. Defaults to V(https://bms.<region>.myhuaweicloud.com).
      - Huawei Cloud is documented as HTTPS only; a plain V(http://) URL is refused unless
        O(allow_insecure_http=true).
      - If not set, the value of the E(HUAWEICLOUD_BMS_ENDPOINT) environment variable is used; an empty or blank value counts as unset.
    type: str
'''
