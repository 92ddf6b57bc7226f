"""Secrets: every module and the window run with -vvv and distinctive credentials (scenarios/secrets.yml), given
as arguments, in the environment and inline in the estate, accepted and refused; then no output (stdout, stderr),
no file the runs wrote (the window's state directory: ledger, plan, window.json, reports; Ansible's temp dirs;
anything under the runs' HOME), no artifact (set_stats data is in the output) and nothing the simulator wrote
(its request log file, stdout, stderr) holds a password, a secret key, the Basic-auth base64 of user:password,
an IAM token issued during the run or a CAS ticket.
"""

from __future__ import annotations

import base64
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

import proofs_support as ps

WRONG = {'mrs': 'Xq9-SECRET-wrong-mrs-51aa', 'ocp': 'Xq9-SECRET-wrong-ocp-0e1a', 'iam_sk': 'Xq9SECRETwrongSK77c2'}
WRONG_VARIABLES = dict((name, 'PROOF_WRONG_{0}'.format(name.upper())) for name in WRONG)
# What a session or a token the simulator issued looks like (quiesce_sim iam.py, mrs.py): none may be written down.
ISSUED = {'IAM token': rb'MIIsim[A-Za-z0-9_-]{16,}', 'CAS ticket-granting ticket': rb'TGT-[0-9a-f]{32}-cas',
          'CAS service ticket': rb'ST-[0-9a-f]{16}-cas', 'CAS login ticket': rb'LT-[0-9a-f]{24}-cas'}


@pytest.fixture(scope='module')
def sims(tmp_path_factory):
    """Two simulators of the secrets scenario: the window's (its gates must see an estate nothing else touches)
    and the modules'; each writes its request log to a file."""
    started = []
    for name in ('window', 'modules'):
        log_file = tmp_path_factory.mktemp('sim') / 'requests-{0}.jsonl'.format(name)
        started.append(ps.Sim('secrets', log_file=log_file))
        started[-1].log_file = log_file
    yield started
    for simulator in started:
        simulator.close()


def credentials(env):
    return {'mrs': env['MRS_PASSWORD'], 'ocp': env['OCP_PASSWORD'], 'ocp_sk': env['QUIESCE_SIM_OCP_SECRET_KEY'],
            'iam': env['HUAWEICLOUD_PASSWORD'], 'iam_sk': env['HUAWEICLOUD_SDK_SK']}


def needles(env):
    """name -> bytes that must appear nowhere: each secret, the markers every one carries, Basic-auth forms."""
    secrets = dict(credentials(env), **dict(('wrong ' + k, v) for k, v in WRONG.items()))
    found = dict((name, value.encode()) for name, value in secrets.items())
    found.update({'secret marker': b'Xq9-SECRET', 'secret key marker': b'Xq9SECRET'})
    users = {'mrs': env['MRS_USERNAME'], 'ocp': env['OCP_USERNAME'], 'iam': env['HUAWEICLOUD_USERNAME']}
    for family, user in users.items():
        for password in (secrets[family], WRONG[family] if family in WRONG else None):
            if password:
                pair = '{0}:{1}'.format(user, password).encode()
                found['Basic {0} {1}'.format(family, password[-4:])] = base64.b64encode(pair)
    return found


def scan_text(where, data, wanted):
    hits = ['{0}: {1}'.format(where, name) for name, needle in wanted.items() if needle in data]
    hits += ['{0}: {1}'.format(where, name) for name, pattern in ISSUED.items() if re.search(pattern, data)]
    return hits


def scan_tree(root, wanted):
    hits = []
    for path in sorted(Path(root).rglob('*')):
        if path.is_file():
            hits += scan_text(str(path), path.read_bytes(), wanted)
    return hits


def module_runs(env):
    secret = credentials(env)
    ak = {'ocp': env['QUIESCE_SIM_OCP_ACCESS_KEY'], 'iam': env['HUAWEICLOUD_SDK_AK']}
    return [  # (module, arguments, whether the credentials are right)
        ('mrs_service', {'name': 'Hive', 'state': 'stopped', 'password': secret['mrs']}, True),
        ('mrs_service_info', {'names': ['Hive']}, True),
        ('ocp_cluster', {'name': 'ob-report', 'state': 'stopped', 'auth_method': 'basic', 'password': secret['ocp']},
         True),
        ('ocp_cluster_info', {'auth_method': 'aksk', 'access_key': ak['ocp'], 'secret_key': secret['ocp_sk']}, True),
        ('ocp_agent_process', {'host': 'ob-prod-1', 'processes': ['obstat2'], 'state': 'stopped'}, True),
        ('ocp_agent_process_info', {'host': 'ob-prod-1', 'auth_method': 'aksk', 'access_key': ak['ocp'],
                                    'secret_key': secret['ocp_sk']}, True),
        ('bms_power', {'name': 'rack05-node01', 'state': 'stopped', 'auth_method': 'token',
                       'password': secret['iam']}, True),
        ('bms_info', {'name': 'rack05-node01', 'auth_method': 'aksk', 'secret_key': secret['iam_sk']}, True),
        # Refused credentials: the error path must not echo them either. They come from the environment through a
        # lookup, as a secret given ad hoc should: ansible-core prints a failed ad hoc task's literal -a arguments
        # (its "Origin"), which no module can mask.
        ('mrs_service_info', {'names': ['Hive'], 'password': from_env('mrs')}, False),
        ('ocp_cluster_info', {'auth_method': 'basic', 'password': from_env('ocp')}, False),
        ('bms_info', {'name': 'rack05-', 'auth_method': 'aksk', 'secret_key': from_env('iam_sk')}, False),
    ]


def from_env(name):
    return "{{{{ lookup('ansible.builtin.env', '{0}') }}}}".format(WRONG_VARIABLES[name])


def window_estate(env, password=None):
    """Every endpoint given inline, secrets included (the OCP one refused when ``password`` says so)."""
    secret = credentials(env)
    return {
        'window': {'id': 'CHG-SECRETS-1' if password is None else 'CHG-SECRETS-2', 'progress_interval': 5},
        'endpoints': {
            'mrs': {'mrs-prod': {'manager_url': env['MRS_MANAGER_URL'], 'cas_url': env['MRS_CAS_URL'],
                                 'username': env['MRS_USERNAME'], 'password': secret['mrs']}},
            'ocp': {'ocp-hz': {'ocp_url': env['OCP_URL'], 'auth_method': 'basic', 'username': env['OCP_USERNAME'],
                               'password': password or secret['ocp']}},
            'huaweicloud': {'cn-north-4': {'region': 'cn-north-4', 'auth_method': 'token',
                                           'iam_endpoint': env['HUAWEICLOUD_IAM_ENDPOINT'],
                                           'bms_endpoint': env['HUAWEICLOUD_BMS_ENDPOINT'],
                                           'username': env['HUAWEICLOUD_USERNAME'], 'password': secret['iam'],
                                           'domain_name': env['HUAWEICLOUD_DOMAIN_NAME']}},
        },
        'stages': [
            {'name': 'apps', 'kind': 'mrs_service', 'endpoint': 'mrs-prod', 'targets': ['Hue']},
            {'name': 'databases', 'kind': 'ocp_cluster', 'endpoint': 'ocp-hz', 'targets': ['ob-prod']},
            {'name': 'agents', 'kind': 'ocp_agent_process', 'endpoint': 'ocp-hz',
             'targets': [{'host': 'ob-report-2', 'processes': ['obstat2']}]},
            {'name': 'machines', 'kind': 'bms_power', 'endpoint': 'cn-north-4', 'targets': [{'name': 'rack06-node00'}],
             'expect': 9},
        ],
    }


def aksk_window_estate(env):
    """The endpoints' secrets through ``env`` pointers (variables the run's environment holds), AK/SK auth."""
    estate = window_estate(env)
    estate['window']['id'] = 'CHG-SECRETS-3'
    estate['endpoints']['ocp']['ocp-hz'] = {'ocp_url': env['OCP_URL'], 'auth_method': 'aksk',
                                            'env': {'access_key': 'QUIESCE_SIM_OCP_ACCESS_KEY',
                                                    'secret_key': 'QUIESCE_SIM_OCP_SECRET_KEY'}}
    estate['endpoints']['huaweicloud']['cn-north-4'] = {
        'region': 'cn-north-4', 'auth_method': 'aksk', 'iam_endpoint': env['HUAWEICLOUD_IAM_ENDPOINT'],
        'bms_endpoint': env['HUAWEICLOUD_BMS_ENDPOINT'], 'env': {'access_key': 'HUAWEICLOUD_SDK_AK',
                                                                 'secret_key': 'HUAWEICLOUD_SDK_SK'}}
    return estate


def test_no_secret_is_written_anywhere(sims, tmp_path):
    window_sim, sim = sims
    inputs = tmp_path / 'inputs'  # what the test itself writes (the estates hold secrets): not scanned
    inputs.mkdir()
    homes = tmp_path / 'runs'
    wanted = needles(sim.env)
    # The environment holds every secret too (the modules' fallbacks): the runs must not write it down.
    wrong_env = dict((WRONG_VARIABLES[name], value) for name, value in WRONG.items())
    # Every module result carries its arguments (invocation), so -vvv prints them: secrets masked or leaked.
    wrong_env['ANSIBLE_INJECT_INVOCATION'] = '1'

    def module_run(index, module, args, right):
        home = homes / 'm{0}-{1}'.format(index, module)
        home.mkdir(parents=True)
        return ('{0} {1}'.format(module, 'accepted' if right else 'refused'), right,
                ps.run_adhoc(module, args, ps.ansible_env(sim.env, home, extra=wrong_env), home, verbosity=3))

    def window_run(name, on, estate, check, right):
        home = homes / name
        home.mkdir(parents=True)
        estate_file = inputs / '{0}.yml'.format(name)
        estate_file.write_text(yaml.safe_dump({'maintenance_window_estate': estate}))
        env = ps.ansible_env(on.env, home, extra=wrong_env)
        return (name, right, ps.run_playbook('quiesce.lifecycle.window', env, home,
                                             extra_vars=['@{0}'.format(estate_file)], verbosity=3, check=check))

    def windows():
        done = [window_run('window', window_sim, window_estate(window_sim.env), False, True)]
        if ps.LARGE:  # the same window again, on the estate it put back: AK/SK secrets through env pointers
            done.append(window_run('window-aksk', window_sim, aksk_window_estate(window_sim.env), False, True))
        return done

    jobs = [windows]
    jobs += [lambda i=i, run=run: module_run(i, *run) for i, run in enumerate(module_runs(sim.env))]
    jobs += [lambda: window_run('window-refused', sim, window_estate(sim.env, password=WRONG['ocp']), True, False)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        finished = list(pool.map(lambda job: job(), jobs))
    runs = finished[0] + finished[1:]

    # The runs really used the credentials: those given right succeeded, those given wrong were refused.
    outcomes = [(name, run.returncode == 0) for name, right, run in runs if (run.returncode == 0) != right]
    assert not outcomes, [(name, run.output[-1500:]) for name, right, run in runs if (run.returncode == 0) != right]
    for each in sims:
        assert each.state()['iam']['tokens'] >= 1, 'no IAM token was issued: the token check would prove nothing'
        assert any(e['api'] == 'mrs_cas' for e in each.log()), 'no CAS login: the ticket check would prove nothing'
    assert all(run.traceback is None for _, _, run in runs), [name for name, _, run in runs if run.traceback]
    # Each module's arguments were printed, the secrets masked: they were there to leak.
    assert all('VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' in run.stdout for name, _, run in runs if '_' in name.split()[0])

    # The scanner finds what it looks for (the test's own estate file holds the secrets in clear).
    assert scan_tree(inputs, wanted)
    hits = []
    for name, _, run in runs:
        hits += scan_text('{0} stdout'.format(name), run.stdout.encode(), wanted)
        hits += scan_text('{0} stderr'.format(name), run.stderr.encode(), wanted)
    hits += scan_tree(homes, wanted)
    for each in sims:
        assert Path(each.log_file).stat().st_size > 0
        for path in [each.log_file] + each.files():
            hits += scan_text(str(path), Path(path).read_bytes(), wanted)
    window_dir = homes / 'window' / 'state' / 'CHG-SECRETS-1'
    written = sorted(p.name for p in window_dir.iterdir())
    assert {'ledger.json', 'plan.json', 'window.json', 'report.md', 'report.html', 'report.json'} <= set(written)
    assert 'quiesce_lifecycle_handoff' in dict((name, run) for name, _, run in runs)['window'].stdout
    assert not hits, '\n'.join(hits)
