# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Endpoint options resolved as a module resolves them: estate > env pointers > module_defaults > env fallbacks."""

from __future__ import annotations

import pytest

from ansible_collections.quiesce.lifecycle.plugins.module_utils import _module
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_endpoints as endpoints

MRS_URL = 'https://192.0.2.10:28443/web'


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No fallback variable of any family leaks in from the machine running the tests."""
    for spec in list(_module.AUTH_SPECS.values()) + [_module.CONNECTION_SPEC]:
        for option in spec.values():
            for variable in (option.get('fallback') or (None, []))[1]:
                monkeypatch.delenv(variable, raising=False)


def resolve(options, module_defaults=None, environ=None, family='mrs', name='mrs-prod'):
    return endpoints.resolve_endpoint(family, name, options, module_defaults, environ=environ or {})


def test_the_estate_beats_env_pointers_which_beat_module_defaults_which_beat_env_fallbacks(monkeypatch):
    monkeypatch.setenv('MRS_USERNAME', 'from-fallback')
    monkeypatch.setenv('MRS_PASSWORD', 'fallback-pw')
    monkeypatch.setenv('MRS_CAS_URL', 'https://cas-fallback')
    options = {'manager_url': MRS_URL, 'env': {'username': 'DR_USER', 'manager_url': 'DR_URL'}}
    defaults = {'username': 'from-defaults', 'password': 'defaults-pw', 'manager_url': 'https://other/web'}
    endpoint = resolve(options, defaults, environ={'DR_USER': 'from-pointer', 'DR_URL': 'https://pointer/web'})
    assert endpoint.params['manager_url'] == MRS_URL  # the estate's own value
    assert endpoint.params['username'] == 'from-pointer'  # the estate's pointer
    assert endpoint.params['password'] == 'defaults-pw'  # module_defaults
    assert endpoint.params['cas_url'] == 'https://cas-fallback'  # the modules' environment variable
    assert endpoint.params['cluster_id'] == 1  # the spec's defaults
    assert endpoint.params['poll_interval'] == endpoints.endpoint_spec('mrs')['poll_interval']['default']


@pytest.mark.parametrize('empty', ['', '   ', None])
def test_an_empty_value_counts_as_unset(empty, monkeypatch):
    endpoint = resolve({'manager_url': MRS_URL, 'username': empty, 'password': 'pw'}, {'username': 'admin'})
    assert endpoint.params['username'] == 'admin'
    monkeypatch.setenv('MRS_USERNAME', 'from-fallback')
    endpoint = resolve({'manager_url': MRS_URL, 'username': empty, 'password': 'pw'}, {'username': empty})
    assert endpoint.params['username'] == 'from-fallback'


@pytest.mark.parametrize('value', [None, '', '  '])
def test_a_pointer_to_an_unset_variable_is_named(value):
    environ = {} if value is None else {'DR_PASSWORD': value}
    with pytest.raises(endpoints.EndpointError) as caught:
        resolve({'manager_url': MRS_URL, 'username': 'u', 'env': {'password': 'DR_PASSWORD'}}, environ=environ)
    message = str(caught.value)
    assert message.startswith("endpoint mrs-prod (mrs): option 'password' points to the environment variable "
                              "DR_PASSWORD, which is not set (or empty)")


def test_the_modules_argument_spec_validates_the_options():
    with pytest.raises(endpoints.EndpointError) as caught:
        resolve({'manager_url': MRS_URL, 'cluster_id': 'one'})
    message = str(caught.value)
    assert message.startswith('endpoint mrs-prod (mrs): ')
    assert 'missing required arguments: password, username' in message and 'cluster_id' in message
    with pytest.raises(endpoints.EndpointError, match="auth_method"):
        resolve({'ocp_url': 'http://ocp', 'auth_method': 'kerberos'}, family='ocp', name='ocp-hz')


def test_a_manager_url_is_checked_as_the_module_checks_it():
    with pytest.raises(endpoints.EndpointError, match="endpoint mrs-prod \\(mrs\\): Option 'manager_url'"):
        resolve({'manager_url': 'https://192.0.2.10:28443', 'username': 'u', 'password': 'p'})


@pytest.mark.parametrize('option, value', [('request_timeout', float('nan')), ('request_timeout', -1),
                                           ('ca_path', '/nonexistent/ca.pem')])
def test_connection_options_are_checked_as_every_module_checks_them(option, value):
    """Before, a request_timeout of nan reached requests (ValueError at the first request, after other
    endpoints had been read) and a missing ca_path was found only when connecting."""
    with pytest.raises(endpoints.EndpointError, match="endpoint ocp-hz \\(ocp\\): Option '{0}'".format(option)):
        resolve({'ocp_url': 'http://ocp', 'username': 'u', 'password': 'p', option: value}, family='ocp',
                name='ocp-hz')


def test_the_default_endpoint_takes_module_defaults_and_the_environment(monkeypatch):
    monkeypatch.setenv('OCP_URL', 'http://ocp-env:8080')
    endpoint = endpoints.resolve_endpoint('ocp', 'default', None, {'access_key': 'ak', 'secret_key': 'sk'},
                                          environ={})
    assert endpoint.params['ocp_url'] == 'http://ocp-env:8080' and endpoint.params['secret_key'] == 'sk'
    assert endpoints.default_label('default') == 'module_defaults/environment'
    assert endpoints.default_label('ocp-hz') == 'ocp-hz'


def test_public_carries_no_secret_and_names_the_pointers():
    endpoint = resolve({'manager_url': MRS_URL, 'username': 'admin', 'env': {'password': 'DR_PASSWORD'}},
                       environ={'DR_PASSWORD': 's3cret'})
    public = endpoint.public()
    assert 's3cret' not in repr(public) and 'password' not in public
    assert public['manager_url'] == MRS_URL and public['username'] == 'admin'
    assert public['env'] == {'password': 'DR_PASSWORD'}
    hwc = resolve({'region': 'cn-north-4', 'access_key': 'ak', 'secret_key': 'sk'}, family='huaweicloud', name='cn')
    assert 'secret_key' not in hwc.public() and hwc.public()['region'] == 'cn-north-4'
    public['manager_url'] = 'changed'
    assert endpoint.public()['manager_url'] == MRS_URL  # a copy


def test_waits_are_the_runners_business():
    for family in ('mrs', 'ocp', 'huaweicloud'):
        spec = endpoints.endpoint_spec(family)
        assert 'wait' not in spec and 'wait_timeout' not in spec and 'poll_interval' in spec
    assert 'max_concurrency' in endpoints.endpoint_spec('huaweicloud')
