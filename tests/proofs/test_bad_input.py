"""Bad input, property-based: every invalid module option and every invalid estate fails before any request (the
simulator's request log stays empty), with a message that names the option or the estate key, and no Python
traceback reaches the user.

The modules' entry points (and the window's preflight) run in-process against a live simulator, many examples a
second; a smaller set of the same mistakes runs for real (`ansible localhost -m ...`, `ansible-playbook
quiesce.lifecycle.window --check`). Fixed seed (derandomize); PROOFS_BUDGET=large draws more examples.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bad_input as bad
import proofs_support as ps

MODULE_EXAMPLES = 5000 if ps.LARGE else 1000
ESTATE_EXAMPLES = 1500 if ps.LARGE else 300
SPECS = dict((module, ps.argument_spec(module)[0]) for module in bad.MODULES)
BUDGET = dict(deadline=None, derandomize=True, database=None, print_blob=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.fixture(scope='module')
def sim():
    simulator = ps.Sim('default')
    yield simulator
    simulator.close()


def blamed(mistake, text):
    return any(name in text for name in mistake.blame)


def run_module(sim, mistake):
    sim.admin.clear_log()
    with ps.environment(sim.env):
        result, failed = ps.run_in_process(mistake.target, mistake.args)
    return result, failed, sim.log()


def run_preflight(sim, estate, state_dir, check_mode=True):
    """The window's preflight action (its run() minus ActionBase) on ``estate``: (result, request log)."""
    from ansible_collections.quiesce.lifecycle.plugins.action.window_preflight import PREFLIGHT_SPEC, preflight
    from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_action as window

    sim.admin.clear_log()
    with ps.environment(sim.env):
        params = window.validate_args({'estate': estate, 'phase': 'full', 'state_dir': str(state_dir),
                                       'skip_gates': []}, PREFLIGHT_SPEC)
        context = window.WindowContext(params, {}, lambda *args, **kwargs: None)
        try:
            result = preflight(context, check_mode)
        finally:
            context.close()
    return result, sim.log()


def problems_text(result):
    return json.dumps(result.get('problems') or []) + ' ' + str(result.get('msg', ''))


def test_every_option_of_every_module_has_invalid_values(sim):
    missing = [(module, option) for module, spec in SPECS.items() for option in spec
               if not bad.option_strategies(module, option, spec[option], sim.env)]
    assert not missing


def test_valid_arguments_pass_and_reach_the_simulator(sim):
    """The oracle can fail: the base arguments (check mode) pass validation and their requests show in the log."""
    for module, args in bad.BASE_ARGS.items():
        result, failed, log = run_module(sim, bad.Mistake(module, dict(args, _ansible_check_mode=True), (), 'valid'))
        assert not failed, (module, result.get('msg'))
        assert log and not any(e['mutating'] for e in log), module


def test_valid_estate_passes_preflight_and_reaches_the_simulator(sim, tmp_path):
    result, log = run_preflight(sim, bad.valid_estate(sim.env), tmp_path)
    assert result.get('ok') and not result.get('failed'), result.get('msg')
    assert log and not any(e['mutating'] for e in log)


@settings(max_examples=MODULE_EXAMPLES, **BUDGET)
@given(data=st.data())
def test_invalid_module_options_fail_before_any_request(sim, data):
    mistake = data.draw(bad.all_module_mistakes(SPECS, sim.env), label='mistake')
    result, failed, log = run_module(sim, mistake)
    assert failed, 'accepted: {0!r} -> {1}'.format(mistake, result)
    assert blamed(mistake, result['msg']), 'the message names none of {0}: {1}'.format(mistake.blame, result['msg'])
    assert not log, '{0} request(s) sent for {1!r}: {2}'.format(
        len(log), mistake, [(e['method'], e['path']) for e in log[:3]])


@settings(max_examples=ESTATE_EXAMPLES, **BUDGET)
@given(data=st.data())
def test_invalid_estates_fail_preflight_before_any_request(sim, data, tmp_path_factory):
    mistake = data.draw(bad.estate_mistakes(sim.env), label='mistake')
    result, log = run_preflight(sim, mistake.args, tmp_path_factory.mktemp('window'))
    assert result.get('failed') and not result.get('ok'), 'accepted: {0!r}'.format(mistake)
    assert blamed(mistake, problems_text(result)), 'no problem names {0}: {1}'.format(
        mistake.blame, result.get('problems'))
    assert not log, '{0} request(s) sent for {1!r}: {2}'.format(
        len(log), mistake, [(e['method'], e['path']) for e in log[:3]])


# ---------------------------------------------------------------- the same, for real

REAL_MODULE_MISTAKES = [
    ('mrs_service', {'name': '../..', 'state': 'stopped'}, ('name',)),
    ('mrs_service_info', {'manager_url': 'https://', 'names': ['Hive']}, ('manager_url',)),
    ('ocp_cluster', {'id': 1000003, 'name': 'ob-report', 'state': 'stopped'}, ('id', 'name')),
    ('ocp_cluster_info', {'status': ['RUNNNING']}, ('status',)),
    ('ocp_agent_process', {'host': 'ob-prod-1', 'processes': ['all', 'obstat2'], 'state': 'stopped'}, ('processes',)),
    ('ocp_agent_process_info', {'host': 'ob-prod-1', 'request_timeout': -1}, ('request_timeout',)),
    ('bms_power', {'server_ids': ['../../../v3/projects'], 'state': 'stopped'}, ('server_ids',)),
    ('bms_info', {'job_ids': ['../../baremetalservers/detail']}, ('job_ids',)),
]
REAL_ESTATE_MISTAKES = [
    (('stages', 2, 'targets'), [{'host': 'ob-report-1', 'processes': ['all', 'obstat2']}], ('processes',)),
    (('endpoints', 'mrs', 'mrs-prod', 'manager_url'), 'https://', ('manager_url',)),
    (('stages', 3, 'expect'), '5-2', ('expect',)),
]
if ps.LARGE:
    REAL_MODULE_MISTAKES += [
        ('mrs_service', {'name': 'Hive', 'state': 'stopped', 'password': ' '}, ('password',)),
        ('bms_power', {'name': 'rack05-', 'state': 'stopped', 'project_id': '../../v3'}, ('project_id',)),
        ('ocp_cluster', {'name': 'ob-report', 'state': 'halted'}, ('state',)),
        ('bms_info', {'name': 'rack05-', 'iam_endpoint': 'http://127.0.0.1:9', 'bms_endpoint': 'https://127.0.0.1:9',
                      'allow_insecure_http': False}, ('iam_endpoint',)),
    ]
    REAL_ESTATE_MISTAKES += [
        (('window', 'deadline'), '2026-12-06T04:00:00', ('deadline',)),
        (('stages', 0, 'targets'), ['../..'], ('targets',)),
    ]


def test_invalid_input_fails_the_same_way_for_real(sim, tmp_path):
    """`ansible localhost -m` and `ansible-playbook quiesce.lifecycle.window --check`: rc != 0, the option or key
    named, nothing sent, no traceback. One simulator, so the runs go one after the other."""
    failures = []

    def module_run(index):
        module, args, blame = REAL_MODULE_MISTAKES[index]
        home = tmp_path / 'm{0}'.format(index)
        home.mkdir()
        return ps.run_adhoc(module, args, ps.ansible_env(sim.env, home), home), blame

    def window_run(index):
        path, value, blame = REAL_ESTATE_MISTAKES[index]
        home = tmp_path / 'w{0}'.format(index)
        home.mkdir()
        estate = bad.valid_estate(sim.env)
        bad._set(estate, path, value)  # pylint: disable=protected-access
        (home / 'estate.yml').write_text(yaml.safe_dump({'maintenance_window_estate': estate}))
        return ps.run_playbook('quiesce.lifecycle.window', ps.ansible_env(sim.env, home), home,
                               extra_vars=['@estate.yml'], check=True), blame

    runs = [module_run for _ in REAL_MODULE_MISTAKES] + [window_run for _ in REAL_ESTATE_MISTAKES]
    indexes = list(range(len(REAL_MODULE_MISTAKES))) + list(range(len(REAL_ESTATE_MISTAKES)))
    sim.admin.clear_log()
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(lambda pair: pair[0](pair[1]), zip(runs, indexes)))
    log = sim.log()
    for run, blame in done:
        text = run.msg or run.output
        if run.returncode == 0 or run.traceback or not any(name in text for name in blame):
            failures.append('{0}: rc {1}, traceback {2}, blames {3}: {4}'.format(
                ' '.join(run.command[-4:]), run.returncode, run.traceback, blame, (run.msg or run.output)[-800:]))
    assert not failures, '\n'.join(failures)
    assert not log, '{0} request(s) reached the simulator: {1}'.format(
        len(log), [(e['method'], e['path']) for e in log])
