"""Print shell `export` lines that point the modules at a running simulator.

Usage: sim_env.py READY_JSON SCENARIO_YAML. The URLs come from the simulator's ready file, the
credentials from the scenario (they are the simulator's fake demo accounts). Integration targets
and the demo rely on the modules' environment-variable fallbacks for everything here.
"""
import json
import os
import shlex
import sys

# The simulator's own loader, so that a scenario that `extends` another one is read whole.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'simulator'))
from quiesce_sim.scenario import load_scenario  # noqa: E402  pylint: disable=wrong-import-position


def exports(ready, scenario):
    env = {
        'QUIESCE_SIM_READY': ready['_path'],
        'QUIESCE_SIM_ADMIN': ready['admin'],
        'QUIESCE_SIM_SCENARIO': scenario['_path'],
    }
    if ready.get('ca_file'):
        env['QUIESCE_CA_PATH'] = ready['ca_file']
    if any(str(url).startswith('http://') for url in ready.values()):
        # The simulator is a test system on loopback: MRS Manager, IAM and BMS are documented HTTPS only,
        # so the modules refuse plain http:// there unless told, explicitly, that this is a test system.
        env['QUIESCE_ALLOW_INSECURE_HTTP'] = 'true'
    env.update(mrs_env(ready, scenario))
    env.update(ocp_env(ready, scenario))
    env.update(huaweicloud_env(ready, scenario))
    return env


def mrs_env(ready, scenario):
    # The first Manager user that needs no password change is the one the modules log in as.
    users = [u for u in scenario.get('mrs', {}).get('users', []) if not u.get('must_change_password')]
    env = {'MRS_MANAGER_URL': ready['mrs_web'] + '/web', 'MRS_CAS_URL': ready['mrs_cas'] + '/cas'}
    if users:
        env.update({'MRS_USERNAME': users[0]['name'], 'MRS_PASSWORD': str(users[0]['password'])})
    return env


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
    # Both credential kinds are exported: auth_method=auto picks AK/SK (the vendor's recommendation);
    # targets set auth_method=token to use the IAM user. The project id is left to be looked up by region.
    iam = scenario.get('iam', {})
    user = (iam.get('users') or [{}])[0]
    key = (iam.get('access_keys') or [{}])[0]
    region = (iam.get('projects') or [{}])[0].get('name', 'cn-north-4')
    env = {'HUAWEICLOUD_IAM_ENDPOINT': ready['iam'], 'HUAWEICLOUD_BMS_ENDPOINT': ready['bms'],
           'HUAWEICLOUD_REGION': region}
    if user:
        env.update(HUAWEICLOUD_USERNAME=user['name'], HUAWEICLOUD_PASSWORD=user['password'],
                   HUAWEICLOUD_DOMAIN_NAME=(iam.get('domain') or {}).get('name', ''))
    if key:
        env.update(HUAWEICLOUD_SDK_AK=key['ak'], HUAWEICLOUD_SDK_SK=key['sk'])
    return env


def main():
    ready_path, scenario_path = sys.argv[1:3]
    with open(ready_path) as handle:
        ready = json.load(handle)
    ready['_path'] = ready_path
    scenario = load_scenario(scenario_path)
    scenario['_path'] = scenario_path
    for name, value in sorted(exports(ready, scenario).items()):
        print('export {0}={1}'.format(name, shlex.quote(str(value))))


if __name__ == '__main__':
    main()
