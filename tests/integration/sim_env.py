"""Print shell `export` lines that point the modules at a running simulator.

Usage: sim_env.py [--json] READY_JSON SCENARIO_YAML (--json: one JSON object instead, for playbooks that
cannot source a shell file, such as the molecule scenarios' create.yml). The URLs come from the simulator's
ready file, the credentials from the scenario (they are the simulator's fake demo accounts). Integration targets
and the demo rely on the modules' environment-variable fallbacks for everything here: the modules'
own variables point at each family's default instance. Every instance (the default one too) is also
exported under names derived from its name (`mrs-dr` -> QUIESCE_SIM_MRS_MRS_DR_URL, ...; see the
simulator's README), and QUIESCE_SIM_{MRS,OCP,BMS}_INSTANCES lists the names, default first.
"""
import json
import os
import shlex
import sys

# The simulator's own loader, so that a scenario that `extends` another one is read whole.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'simulator'))
from quiesce_sim.scenario import env_name, load_scenario, resolve_instances  # noqa: E402  pylint: disable=wrong-import-position


def exports(ready, scenario):
    env = {
        'QUIESCE_SIM_READY': ready['_path'],
        'QUIESCE_SIM_ADMIN': ready['admin'],
        'QUIESCE_SIM_SCENARIO': scenario['_path'],
    }
    if ready.get('ca_file'):
        env['QUIESCE_CA_PATH'] = ready['ca_file']
    if any(str(url).startswith('http://') for url in ready.values() if isinstance(url, str)):
        # The simulator is a test system on loopback: MRS Manager, IAM and BMS are documented HTTPS only,
        # so the modules refuse plain http:// there unless told, explicitly, that this is a test system.
        env['QUIESCE_ALLOW_INSECURE_HTTP'] = 'true'
    instances = resolve_instances(scenario)
    urls = ready['instances']
    env.update(mrs_env(urls['mrs'], instances['mrs']))
    env.update(ocp_env(urls['ocp'], instances['ocp']))
    env.update(huaweicloud_env(ready, urls['bms'], instances))
    return env


def per_instance(family, settings, variables):
    """QUIESCE_SIM_<FAMILY>_<NAME>_<VAR> for every instance, the default instance's copy as well."""
    env = {'QUIESCE_SIM_{0}_INSTANCES'.format(family): ' '.join(settings)}
    for name in settings:
        env.update({'QUIESCE_SIM_{0}_{1}_{2}'.format(family, env_name(name), key): value
                    for key, value in variables(name).items()})
    return env


def mrs_env(urls, managers):
    def variables(name):
        # The first Manager user that needs no password change is the one the modules log in as.
        users = [u for u in managers[name].get('users', []) if not u.get('must_change_password')]
        found = {'URL': urls[name]['web'] + '/web', 'CAS_URL': urls[name]['cas'] + '/cas'}
        if users:
            found.update(USERNAME=users[0]['name'], PASSWORD=str(users[0]['password']))
        return found

    env = per_instance('MRS', managers, variables)
    default = variables(next(iter(managers)))
    env.update({'MRS_MANAGER_URL': default['URL'], 'MRS_CAS_URL': default['CAS_URL']})
    if 'USERNAME' in default:
        env.update({'MRS_USERNAME': default['USERNAME'], 'MRS_PASSWORD': default['PASSWORD']})
    return env


def ocp_env(urls, instances):
    # HTTP Basic by default (the scenario's first user, an administrator). The AccessKey pair is
    # exported under simulator-specific names: OCP_ACCESS_KEY would switch auth_method=auto to
    # AK/SK for every module; targets pass these as access_key/secret_key where they test AK/SK.
    def variables(name):
        user = (instances[name].get('users') or [{}])[0]
        key = (instances[name].get('access_keys') or [{}])[0]
        return {'URL': urls[name]['url'], 'USERNAME': user.get('name', ''), 'PASSWORD': str(user.get('password', '')),
                'ACCESS_KEY': key.get('ak', ''), 'SECRET_KEY': key.get('sk', '')}

    env = per_instance('OCP', instances, variables)
    default = variables(next(iter(instances)))
    env.update({'OCP_URL': default['URL'], 'OCP_USERNAME': default['USERNAME'], 'OCP_PASSWORD': default['PASSWORD'],
                'QUIESCE_SIM_OCP_ACCESS_KEY': default['ACCESS_KEY'], 'QUIESCE_SIM_OCP_SECRET_KEY': default['SECRET_KEY']})
    return env


def huaweicloud_env(ready, urls, instances):
    # Both credential kinds are exported: auth_method=auto picks AK/SK (the vendor's recommendation);
    # targets set auth_method=token to use the IAM user. The default region's project id is left to be
    # looked up by region; each region's is exported under its own name. IAM is shared by every region.
    iam = instances['iam']
    user = (iam.get('users') or [{}])[0]
    key = (iam.get('access_keys') or [{}])[0]
    regions = instances['bms']
    env = per_instance('BMS', regions, lambda name: {
        'ENDPOINT': urls[name]['url'], 'REGION': name, 'PROJECT_ID': urls[name]['project_id']})
    region = next(iter(regions))
    env.update({'HUAWEICLOUD_IAM_ENDPOINT': ready['iam'], 'HUAWEICLOUD_BMS_ENDPOINT': urls[region]['url'],
                'HUAWEICLOUD_REGION': region})
    if user:
        env.update(HUAWEICLOUD_USERNAME=user['name'], HUAWEICLOUD_PASSWORD=user['password'],
                   HUAWEICLOUD_DOMAIN_NAME=(iam.get('domain') or {}).get('name', ''))
    if key:
        env.update(HUAWEICLOUD_SDK_AK=key['ak'], HUAWEICLOUD_SDK_SK=key['sk'])
    return env


def main():
    args = sys.argv[1:]
    as_json = '--json' in args
    ready_path, scenario_path = [arg for arg in args if arg != '--json'][:2]
    with open(ready_path) as handle:
        ready = json.load(handle)
    ready['_path'] = ready_path
    scenario = load_scenario(scenario_path)
    scenario['_path'] = scenario_path
    env = exports(ready, scenario)
    if as_json:
        print(json.dumps(dict((name, str(value)) for name, value in env.items()), sort_keys=True))
        return
    for name, value in sorted(env.items()):
        print('export {0}={1}'.format(name, shlex.quote(str(value))))


if __name__ == '__main__':
    main()
