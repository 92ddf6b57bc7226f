# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module base: argument specs with environment fallbacks, early option errors, result shape, error mapping."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils import _module
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import ApiError, WaitTimeoutError

OCP_ARGS = {'ocp_url': 'http://127.0.0.1:1', 'username': 'u', 'password': 'p'}


def make_main(operation, family='ocp', wait=True, spec=None):
    def main():
        module = _module.QuiesceModule(family, spec or dict(name=dict(type='str')), wait=wait)
        module.run(operation)
    return main


def test_result_shape_and_diff(run_module):
    def operation(module):
        return module.result(True, before={'status': 'RUNNING'}, after={'status': 'STOPPED'}, task={'id': 5})

    result, failed = run_module(make_main(operation), dict(OCP_ARGS, _ansible_diff=True))
    assert not failed
    assert result['changed'] is True
    assert result['before'] == {'status': 'RUNNING'} and result['after'] == {'status': 'STOPPED'}
    assert result['diff'] == {'before': {'status': 'RUNNING'}, 'after': {'status': 'STOPPED'}}
    assert result['task'] == {'id': 5} and result['elapsed'] >= 0


def test_no_diff_key_without_diff_mode(run_module):
    result, _failed = run_module(make_main(lambda m: m.result(False, before={}, after={})), OCP_ARGS)
    assert 'diff' not in result


def test_credentials_fall_back_to_environment(run_module, monkeypatch):
    monkeypatch.setenv('OCP_URL', 'http://127.0.0.1:9')
    monkeypatch.setenv('OCP_USERNAME', 'envuser')
    monkeypatch.setenv('OCP_PASSWORD', 'envpass')
    seen = {}

    def operation(module):
        seen.update(module.params)
        return module.result(False)

    run_module(make_main(operation), {})
    assert (seen['ocp_url'], seen['username'], seen['password']) == ('http://127.0.0.1:9', 'envuser', 'envpass')
    assert seen['validate_certs'] is True and seen['wait'] is True and seen['wait_timeout'] == 1800


def test_secrets_are_no_log():
    for family, spec in _module.AUTH_SPECS.items():
        for name, option in spec.items():
            if name in ('password', 'secret_key'):
                assert option.get('no_log') is True, (family, name)


def test_bad_wait_timeout_fails_before_anything_naming_option_and_fix(run_module):
    called = []
    result, failed = run_module(make_main(lambda m: called.append(1)), dict(OCP_ARGS, wait_timeout=-5))
    assert failed and not called
    assert result['msg'].startswith("Option 'wait_timeout': must be zero or more seconds.")
    assert result['error']['option'] == 'wait_timeout'


@pytest.mark.parametrize('option', ['request_timeout', 'poll_interval'])
@pytest.mark.parametrize('value', ['nan', 'inf', '-inf', 0, -1.5])
def test_seconds_that_are_not_positive_and_finite_fail_naming_the_option(run_module, option, value):
    """nan passed a plain "<= 0" test (and inf too): requests then raised ValueError or OverflowError."""
    called = []
    result, failed = run_module(make_main(lambda m: called.append(1)), dict(OCP_ARGS, **{option: value}))
    assert failed and not called
    assert result['msg'].startswith("Option '{0}': must be a positive, finite number of seconds.".format(option))


def test_typed_errors_become_clear_failures(run_module):
    def operation(module):
        raise ApiError('OCP', 'POST', '/api/v2/ob/clusters/1/stop', 400, code=50002,
                       api_message='operation not allowed', request_id='t9')

    result, failed = run_module(make_main(operation), OCP_ARGS)
    assert failed
    assert 'HTTP 400' in result['msg'] and '50002' in result['msg'] and 't9' in result['msg']
    assert result['error']['http_status'] == 400 and result['error']['type'] == 'ApiError'


def test_wait_timeout_failure_carries_partial_result(run_module):
    def operation(module):
        err = WaitTimeoutError('job j1', 60, last_state='RUNNING', follow_up={'job_id': 'j1'})
        err.partial_result = {'jobs': ['j1'], 'elapsed': 99, 'msg': 'not this'}
        raise err

    result, failed = run_module(make_main(operation), OCP_ARGS)
    assert failed and result['jobs'] == ['j1'] and result['error']['follow_up'] == {'job_id': 'j1'}
    assert result['msg'].startswith('Timed out after 60s waiting for job j1') and result['elapsed'] != 99


def test_missing_requests_fails_with_missing_required_lib(run_module, monkeypatch):
    monkeypatch.setattr(_module, 'HAS_REQUESTS', False)
    monkeypatch.setattr(_module, 'REQUESTS_IMPORT_ERROR', 'Traceback: No module named requests')
    result, failed = run_module(make_main(lambda m: m.result(False)), OCP_ARGS)
    assert failed
    assert 'Failed to import the required Python library (requests)' in result['msg']
    assert result['exception'] == 'Traceback: No module named requests'


# --- empty means unset --------------------------------------------------------------------------------------------

ENV_FALLBACKS = sorted(set(
    (family, name, tuple(option['fallback'][1]))
    for family, spec in list(_module.AUTH_SPECS.items()) + [('ocp', _module.CONNECTION_SPEC)]
    for name, option in spec.items() if option.get('fallback')))
# A value each option accepts, so that the module runs as far as the operation.
USABLE = {'auth_method': 'auto', 'validate_certs': 'false', 'request_timeout': '7', 'allow_insecure_http': 'true',
          'ca_path': __file__}
BASE = {'mrs': {'manager_url': 'https://m/web', 'username': 'u', 'password': 'p'},
        'ocp': dict(OCP_ARGS),
        'huaweicloud': {}}


def test_every_auth_and_connection_option_falls_back_to_its_environment_variable():
    assert len(ENV_FALLBACKS) >= 20
    assert all(option['fallback'][0] is _module.env_fallback
               for spec in list(_module.AUTH_SPECS.values()) + [_module.CONNECTION_SPEC]
               for option in spec.values() if option.get('fallback'))


def _params_seen(run_module, family, args):
    seen = {}

    def operation(module):
        seen.update(module.params)
        return module.result(False)
    result, failed = run_module(make_main(operation, family=family), args)
    return seen, result, failed


@pytest.mark.parametrize('family, name, variables', ENV_FALLBACKS)
def test_each_environment_fallback_is_used_when_set(run_module, monkeypatch, family, name, variables):
    args = dict(BASE[family])
    args.pop(name, None)
    value = USABLE.get(name, 'from-env')
    monkeypatch.setenv(variables[0], value)
    seen, result, failed = _params_seen(run_module, family, args)
    assert not failed, result
    expected = {'validate_certs': False, 'request_timeout': 7.0, 'allow_insecure_http': True}.get(name, value)
    assert seen[name] == expected


@pytest.mark.parametrize('blank', ['', '   ', '\t'])
@pytest.mark.parametrize('family, name, variables', ENV_FALLBACKS)
def test_each_environment_fallback_that_is_empty_counts_as_unset(run_module, monkeypatch, family, name, variables,
                                                                 blank):
    args = dict(BASE[family])
    spec = _module.AUTH_SPECS[family].get(name) or _module.CONNECTION_SPEC[name]
    required = spec.get('required')
    args.pop(name, None)
    monkeypatch.setenv(variables[0], blank)
    seen, result, failed = _params_seen(run_module, family, args)
    if required:
        # A required option left empty fails before any request, naming the option.
        assert failed and name in result['msg']
        return
    assert not failed, result
    assert seen[name] == spec.get('default')


@pytest.mark.parametrize('family, args, secret', [
    ('mrs', {'manager_url': 'https://m/web', 'username': 'u', 'password': ''}, 'password'),
    ('ocp', {'ocp_url': 'http://o', 'username': 'u', 'password': '  '}, 'password'),
    ('ocp', {'ocp_url': 'http://o', 'access_key': 'AK', 'secret_key': ''}, 'secret_key'),
    ('huaweicloud', {'region': 'r', 'username': 'u', 'password': '', 'domain_name': 'd'}, 'password'),
    ('huaweicloud', {'region': 'r', 'access_key': 'AK', 'secret_key': ' '}, 'secret_key'),
])
def test_an_empty_secret_fails_before_any_request_naming_the_option(run_module, family, args, secret):
    calls = []
    result, failed = run_module(make_main(lambda m: calls.append(1), family=family), args)
    assert failed and calls == [] and result['error']['option'] == secret
    assert 'must not be empty' in result['msg']


def test_an_empty_project_id_from_the_environment_is_looked_up_by_region(run_module, monkeypatch):
    monkeypatch.setenv('HUAWEICLOUD_PROJECT_ID', '')
    seen, _result, failed = _params_seen(run_module, 'huaweicloud', {'region': 'cn-north-4'})
    assert not failed and seen['project_id'] is None


def test_a_missing_ca_path_names_the_option(run_module):
    calls = []
    result, failed = run_module(make_main(lambda m: calls.append(1)), dict(OCP_ARGS, ca_path='/nonexistent/ca.pem'))
    assert failed and calls == [] and result['error']['option'] == 'ca_path'
    assert '/nonexistent/ca.pem' in result['msg']


def test_the_deadline_is_the_start_plus_wait_timeout_and_none_without_a_wait(run_module):
    seen = {}

    def operation(module):
        seen['deadline'] = module.connection_options()['deadline'] - module.started
        return module.result(False)
    run_module(make_main(operation), dict(OCP_ARGS, wait_timeout=10))
    assert seen['deadline'] == 10

    def without_wait(module):
        seen['none'] = module.connection_options()['deadline']
        return module.result(False)
    run_module(make_main(without_wait), dict(OCP_ARGS, wait=False))
    assert seen['none'] is None


def test_an_empty_entry_in_any_list_option_fails_before_the_operation(run_module):
    ran = []
    main = make_main(lambda m: ran.append(1) or m.result(False), spec=dict(tags=dict(type='list', elements='str'),
                                                                           names=dict(type='list', elements='str')))
    for value in ([''], ['rack=rack01', '  '], ['x', None]):
        result, failed = run_module(main, dict(OCP_ARGS, tags=value))
        assert failed and 'tags' in result['msg'] and ran == []
        if 'error' in result:  # ansible-core before 2.19 refuses a None element itself, naming the option
            assert result['error'] == {'type': 'OptionError', 'option': 'tags'} and 'empty entry' in result['msg']
    result, failed = run_module(main, dict(OCP_ARGS, names=['HDFS'], tags=[]))
    assert not failed and ran == [1]


def test_refuse_blank_names_the_empty_option(run_module):
    def operation(module):
        module.refuse_blank('name', 'flavor')
        return module.result(False)

    main = make_main(operation, spec=dict(name=dict(type='str'), flavor=dict(type='str')))
    result, failed = run_module(main, dict(OCP_ARGS, name='ok', flavor=' '))
    assert failed and result['error']['option'] == 'flavor'
    assert not run_module(main, dict(OCP_ARGS, name='ok'))[1]
