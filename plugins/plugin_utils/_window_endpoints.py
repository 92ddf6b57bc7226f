# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Endpoints of a window: their options resolved exactly as a module would, and one session each.

An endpoint's options come, first match wins, from the estate entry, its ``env`` pointers (an option ->
environment variable), the play's ``module_defaults`` for the family's group, and the modules' own
environment variables. They are validated with the modules' own argument spec (types, choices,
required options, environment fallbacks), so a window and a module accept the same settings. Secrets
stay in these objects: ``public()`` is what plans, ledgers and reports may hold.
"""

from __future__ import annotations

import os

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.utils.display import Display

from ansible_collections.quiesce.lifecycle.plugins.module_utils import _module
from ansible_collections.quiesce.lifecycle.plugins.module_utils._bms_client import BmsClient
from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import OptionError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._huaweicloud_auth import HuaweiCloudConnection
from ansible_collections.quiesce.lifecycle.plugins.module_utils._mrs_client import MrsClient, check_options
from ansible_collections.quiesce.lifecycle.plugins.module_utils._ocp_client import OcpClient
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_estate import (
    DEFAULT_ENDPOINT,
    public_endpoint,
)

# The module whose module_defaults (and action groups) an endpoint of each family takes.
FAMILY_MODULE = {
    'mrs': 'quiesce.lifecycle.mrs_service',
    'ocp': 'quiesce.lifecycle.ocp_cluster',
    'huaweicloud': 'quiesce.lifecycle.bms_power',
}
# What plans, ledgers and reports may say about an endpoint (never a secret).
PUBLIC_OPTIONS = ('manager_url', 'cas_url', 'cluster_id', 'ocp_url', 'auth_method', 'region', 'project_id',
                  'iam_endpoint', 'bms_endpoint', 'username', 'access_key', 'domain_name', 'validate_certs', 'ca_path')
# Endpoint-level options beyond the family's auth and connection options.
FAMILY_EXTRAS = {
    'mrs': {'cluster_id': dict(type='int', default=1)},
    'ocp': {},
    'huaweicloud': {'max_concurrency': dict(type='int', default=4)},
}


def endpoint_spec(family):
    """The argument spec an endpoint of ``family`` is validated with (the modules' own option specs)."""
    spec = _module.build_argument_spec(family, dict(FAMILY_EXTRAS[family]), wait=True)
    # Waits are the runner's business (derived from the deadline); keep only poll_interval's default.
    spec.pop('wait', None)
    spec.pop('wait_timeout', None)
    return spec


class EndpointError(Exception):
    """An endpoint's options cannot work (named, with the fix)."""


def _is_unset(value):
    return value is None or (isinstance(value, str) and not value.strip())


class _Warnings:
    """What the clients' ``module.ansible.warn(...)`` reaches when the window runs them: Ansible's warnings."""

    def __init__(self, endpoint_name):
        self.endpoint_name = endpoint_name
        self.given = []

    def warn(self, message):
        text = 'endpoint {0}: {1}'.format(self.endpoint_name, message)
        if text not in self.given:
            self.given.append(text)
            Display().warning(text)


class Endpoint:
    """One named endpoint with its validated options (``params``, secrets included: never serialize).

    It stands in for the module object the clients' ``from_module`` take: ``params``, ``connection_options()``
    and ``ansible.warn()``."""

    def __init__(self, family, name, params, public):
        self.family = family
        self.name = name
        self.params = params
        self._public = public
        self.ansible = _Warnings(default_label(name))

    def public(self):
        return dict(self._public)

    @property
    def check_mode(self):
        return False

    def connection_options(self):
        # No deadline here: the stage runner bounds each wait by the window's own budget.
        return _module.connection_options(self.params)


def resolve_endpoint(family, name, estate_options, module_defaults, environ=None):
    """An ``Endpoint`` from the estate's options for it (None for the default endpoint)."""
    environ = os.environ if environ is None else environ
    options = dict(estate_options or {})
    pointers = options.pop('env', None) or {}
    params = {}
    for option, value in options.items():
        if not _is_unset(value):
            params[option] = value
    for option, variable in pointers.items():
        if option not in params and not _is_unset(environ.get(variable)):
            params[option] = environ[variable]
        elif option not in params:
            raise EndpointError('endpoint {0} ({1}): option {2!r} points to the environment variable {3}, which is '
                                'not set (or empty); set it, or give {2} in the estate'.format(
                                    name, family, option, variable))
    spec = endpoint_spec(family)
    for option, value in (module_defaults or {}).items():
        if option in spec and option not in params and not _is_unset(value):
            params[option] = value
    result = ArgumentSpecValidator(spec).validate(params)
    if result.error_messages:
        raise EndpointError('endpoint {0} ({1}): {2}'.format(name, family, '; '.join(result.error_messages)))
    validated = result.validated_parameters
    try:
        _module.check_common_options(validated, spec)  # as every module checks them: timeouts, ca_path
        if family == 'mrs':
            check_options(validated, ())  # as mrs_service checks them: URLs (HTTPS), cluster id
    except OptionError as err:
        raise EndpointError('endpoint {0} ({1}): {2}'.format(name, family, err))
    public = public_endpoint(family, dict((k, v) for k, v in validated.items() if k in PUBLIC_OPTIONS))
    if pointers:
        public['env'] = dict(pointers)
    return Endpoint(family, name, validated, public)


class Session:
    """One login to one endpoint for a stage (or preflight): the client the kinds use, closed once."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.family = endpoint.family
        self.connection = None
        self.cache = {}  # the latest raw reading of each target, so an action does not read it again
        if endpoint.family == 'mrs':
            self.client = MrsClient.from_module(endpoint)
        elif endpoint.family == 'ocp':
            self.client = OcpClient.from_module(endpoint)
        else:
            self.connection = HuaweiCloudConnection(endpoint.params, endpoint.connection_options())
            self.client = BmsClient(self.connection, concurrency=max(1, endpoint.params['max_concurrency']))

    def stats(self):
        if self.connection is not None:
            return dict(self.connection.stats())
        return dict(self.client.http.stats)

    def close(self):
        try:
            if self.family == 'mrs':
                self.client.close()  # logs out
            elif self.family == 'ocp':
                self.client.http.close()
            else:
                self.connection.close()
        except Exception:  # pylint: disable=broad-except
            pass  # closing is best effort: the work is done (or failed) already


def default_label(name):
    return 'module_defaults/environment' if name == DEFAULT_ENDPOINT else name
