"""Print shell `export` lines that point the modules at a running simulator.

Usage: sim_env.py READY_JSON SCENARIO_YAML. The URLs come from the simulator's ready file, the
credentials from the scenario (they are the simulator's fake demo accounts). Integration targets
and the demo rely on the modules' environment-variable fallbacks for everything here.
"""
import json
import shlex
import sys

import yaml


def exports(ready, scenario):
    env = {
        'QUIESCE_SIM_READY': ready['_path'],
        'QUIESCE_SIM_ADMIN': ready['admin'],
        'QUIESCE_SIM_SCENARIO': scenario['_path'],
    }
    if ready.get('ca_file'):
        env['QUIESCE_CA_PATH'] = ready['ca_file']
    env.update(mrs_env(ready, scenario))
    env.update(ocp_env(ready, scenario))
    env.update(huaweicloud_env(ready, scenario))
    return env


def mrs_env(ready, scenario):
    # Credentials are added with the MRS modules.
    return {'MRS_MANAGER_URL': ready['mrs_web'] + '/web', 'MRS_CAS_URL': ready['mrs_cas'] + '/cas'}


def ocp_env(ready, scenario):
    # HTTP Basic by default (the scenario's first user, an administrator). The AccessKey pair is
    # exported under simulator-specific names: OCP_ACCESS_KEY would switch auth_method=auto to
    # AK/SK for every module; targets pass these as access_key/secret_key where they test AK/SK.
    ocp = scenario.get('ocp', {})
    user = (ocp.get('users') or [{}])[0]
    key = (ocp.get('access_keys') or [{}])[0]
    return {'OCP_URL': ready['ocp'], 'OCP_USERNAME': user.get('name', ''), 'OCP_PASSWORD': user.get('password', ''),
            'QUIESCE_SIM_OCP_ACCESS_KEY': key.get('ak', ''), 'QUIESCE_SIM_OCP_SECRET_KEY': key.get('sk', '')}


def huaweicloud_env(ready, scenario):
    # Credentials and project are added with the BMS modules.
    return {'HUAWEICLOUD_IAM_ENDPOINT': ready['iam'], 'HUAWEICLOUD_BMS_ENDPOINT': ready['bms']}


def main():
    ready_path, scenario_path = sys.argv[1:3]
    with open(ready_path) as handle:
        ready = json.load(handle)
    ready['_path'] = ready_path
    with open(scenario_path) as handle:
        scenario = yaml.safe_load(handle)
    scenario['_path'] = scenario_path
    for name, value in sorted(exports(ready, scenario).items()):
        print('export {0}={1}'.format(name, shlex.quote(str(value))))


if __name__ == '__main__':
    main()
