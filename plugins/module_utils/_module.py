# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every module of the collection shares: option specs, the run wrapper, the result shape.

Modules describe intent; this module turns options into connection settings,
fails early and clearly on unusable input, maps typed errors to ``fail_json``
and builds one uniform result (``changed``, ``before``, ``after``, ``diff``,
``elapsed`` and the ids to follow up).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import os
import time

from ansible.module_utils.basic import AnsibleFallbackNotFound, AnsibleModule, missing_required_lib

from ansible_collections.quiesce.lifecycle.plugins.module_utils._errors import OptionError, QuiesceError
from ansible_collections.quiesce.lifecycle.plugins.module_utils._transport import (
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
)

STATES = ['started', 'stopped', 'restarted']


def positive_seconds(value):
    """True for a number of seconds above zero that is finite (``nan`` and ``inf`` pass a plain ``> 0`` test or
    slip through comparisons, then fail deep in the socket layer)."""
    return math.isfinite(value) and value > 0


def env_fallback(*names, **unused):
    """The first of the environment variables ``names`` that holds a value; empty or blank counts as unset.

    Replaces Ansible's ``env_fallback``, which takes ``HUAWEICLOUD_PROJECT_ID=""``
    (what an AWX credential injector renders for an unfilled field) as a value.
    """
    for name in names:
        value = os.environ.get(name)
        if value is not None and value.strip():
            return value
    raise AnsibleFallbackNotFound


def check_common_options(params, argument_spec):
    """``OptionError`` for a connection, wait or list option (of ``argument_spec``) that cannot work.

    Modules run it on their options; the window on each endpoint's, so both accept the same settings.
    """
    ca_path = params.get('ca_path')
    if ca_path and not os.path.isfile(ca_path):
        raise OptionError('ca_path', '{0!r} is not a readable file'.format(ca_path),
                          'Set it (or QUIESCE_CA_PATH) to the PEM file of the CA that signed the API server\'s '
                          'certificate.')
    if params.get('request_timeout') is not None and not positive_seconds(params['request_timeout']):
        raise OptionError('request_timeout', 'must be a positive, finite number of seconds',
                          'Set it to the seconds one HTTP request may take, e.g. 30.')
    if params.get('wait_timeout') is not None and params['wait_timeout'] < 0:
        raise OptionError('wait_timeout', 'must be zero or more seconds',
                          'Set it to how long to wait for completion, or set wait=false.')
    if params.get('poll_interval') is not None and not positive_seconds(params['poll_interval']):
        raise OptionError('poll_interval', 'must be a positive, finite number of seconds',
                          'Use e.g. 2; later polls back off from it automatically.')
    # An empty entry in a list of names, ids or filters is a mistake (an API may read an empty
    # filter as "everything"), never a way to say "none".
    for option, spec in sorted(argument_spec.items()):
        values = params.get(option) if spec.get('type') == 'list' else None
        if values and any(value is None or not str(value).strip() for value in values):
            raise OptionError(option, 'has an empty entry ({0!r})'.format(values),
                              'Remove the empty entry, or leave the option out.')


# Options every API-calling module takes (doc fragment: quiesce.lifecycle.connection).
CONNECTION_SPEC = dict(
    validate_certs=dict(type='bool', default=True, fallback=(env_fallback, ['QUIESCE_VALIDATE_CERTS'])),
    ca_path=dict(type='path', fallback=(env_fallback, ['QUIESCE_CA_PATH'])),
    request_timeout=dict(type='float', default=30.0, fallback=(env_fallback, ['QUIESCE_REQUEST_TIMEOUT'])),
    allow_insecure_http=dict(type='bool', default=False, fallback=(env_fallback, ['QUIESCE_ALLOW_INSECURE_HTTP'])),
)

# Doc fragment: quiesce.lifecycle.mrs_auth
MRS_AUTH_SPEC = dict(
    manager_url=dict(type='str', required=True, fallback=(env_fallback, ['MRS_MANAGER_URL'])),
    cas_url=dict(type='str', fallback=(env_fallback, ['MRS_CAS_URL'])),
    username=dict(type='str', required=True, fallback=(env_fallback, ['MRS_USERNAME'])),
    password=dict(type='str', required=True, no_log=True, fallback=(env_fallback, ['MRS_PASSWORD'])),
)

# Doc fragment: quiesce.lifecycle.ocp_auth
OCP_AUTH_SPEC = dict(
    ocp_url=dict(type='str', required=True, fallback=(env_fallback, ['OCP_URL'])),
    auth_method=dict(type='str', default='auto', choices=['auto', 'basic', 'aksk'],
                     fallback=(env_fallback, ['OCP_AUTH_METHOD'])),
    username=dict(type='str', fallback=(env_fallback, ['OCP_USERNAME'])),
    password=dict(type='str', no_log=True, fallback=(env_fallback, ['OCP_PASSWORD'])),
    access_key=dict(type='str', no_log=False, fallback=(env_fallback, ['OCP_ACCESS_KEY'])),
    secret_key=dict(type='str', no_log=True, fallback=(env_fallback, ['OCP_SECRET_KEY'])),
)

# Doc fragment: quiesce.lifecycle.huaweicloud_auth
HUAWEICLOUD_AUTH_SPEC = dict(
    region=dict(type='str', fallback=(env_fallback, ['HUAWEICLOUD_REGION'])),
    project_id=dict(type='str', fallback=(env_fallback, ['HUAWEICLOUD_PROJECT_ID'])),
    auth_method=dict(type='str', default='auto', choices=['auto', 'token', 'aksk'],
                     fallback=(env_fallback, ['HUAWEICLOUD_AUTH_METHOD'])),
    username=dict(type='str', fallback=(env_fallback, ['HUAWEICLOUD_USERNAME'])),
    password=dict(type='str', no_log=True, fallback=(env_fallback, ['HUAWEICLOUD_PASSWORD'])),
    domain_name=dict(type='str', fallback=(env_fallback, ['HUAWEICLOUD_DOMAIN_NAME'])),
    access_key=dict(type='str', no_log=False, fallback=(env_fallback, ['HUAWEICLOUD_SDK_AK'])),
    secret_key=dict(type='str', no_log=True, fallback=(env_fallback, ['HUAWEICLOUD_SDK_SK'])),
    iam_endpoint=dict(type='str', fallback=(env_fallback, ['HUAWEICLOUD_IAM_ENDPOINT'])),
    bms_endpoint=dict(type='str', fallback=(env_fallback, ['HUAWEICLOUD_BMS_ENDPOINT'])),
)

# Doc fragment: quiesce.lifecycle.wait
WAIT_SPEC = dict(
    wait=dict(type='bool', default=True),
    wait_timeout=dict(type='int', default=1800),
    poll_interval=dict(type='float', default=1.0),
)

AUTH_SPECS = {
    'mrs': MRS_AUTH_SPEC,
    'ocp': OCP_AUTH_SPEC,
    'huaweicloud': HUAWEICLOUD_AUTH_SPEC,
}


def build_argument_spec(family, module_spec, wait=False):
    """Merge the family's auth options, the connection options, the wait options and the module's own."""
    spec = {}
    spec.update(AUTH_SPECS[family])
    spec.update(CONNECTION_SPEC)
    if wait:
        spec.update(WAIT_SPEC)
    spec.update(module_spec)
    return spec


def connection_options(params):
    """Keyword arguments for ``HttpClient`` from validated options: TLS and timeout settings."""
    return dict(validate_certs=params['validate_certs'], ca_path=params['ca_path'], timeout=params['request_timeout'])


class QuiesceModule:
    """A thin wrapper around ``AnsibleModule`` that every module of the collection runs through."""

    def __init__(self, family, argument_spec, wait=False, supports_check_mode=True, **kwargs):
        self.argument_spec = build_argument_spec(family, argument_spec, wait=wait)
        self.ansible = AnsibleModule(argument_spec=self.argument_spec, supports_check_mode=supports_check_mode,
                                     **kwargs)
        self.params = self.ansible.params
        self.started = time.monotonic()
        if not HAS_REQUESTS:
            self.ansible.fail_json(msg=missing_required_lib('requests'), exception=REQUESTS_IMPORT_ERROR)
        self._blank_means_unset()
        self._validate_common()

    def _blank_means_unset(self):
        """An empty or blank string in an option that may come from the environment is no value at all.

        A required option (or a secret) left blank fails here, before any request, naming the option.
        """
        for name, spec in self.argument_spec.items():
            value = self.params.get(name)
            if spec.get('fallback') is None or not isinstance(value, str) or value.strip():
                continue
            self.params[name] = None
            if spec.get('required') or spec.get('no_log'):
                variables = spec['fallback'][1]
                self.fail_option(name, 'must not be empty', 'Set it (or the {0} environment variable) to a '
                                 'value.'.format(' / '.join(variables)))

    @property
    def check_mode(self):
        return self.ansible.check_mode

    @property
    def diff_mode(self):
        return self.ansible._diff

    def _validate_common(self):
        try:
            check_common_options(self.params, self.ansible.argument_spec)
        except OptionError as err:
            self.ansible.fail_json(msg=str(err), error={'type': 'OptionError', 'option': err.option})

    def refuse_blank(self, *options):
        """Fail when one of ``options`` (filters, names) was given as an empty string."""
        for option in options:
            value = self.params.get(option)
            if value is not None and not str(value).strip():
                self.fail_option(option, 'is empty', 'Give a value, or leave the option out.')

    def deadline(self):
        """When this run's budget ends (``time.monotonic()``): the start plus O(wait_timeout); None without a wait."""
        if not self.params.get('wait') or self.params.get('wait_timeout') is None:
            return None
        return self.started + self.params['wait_timeout']

    def connection_options(self):
        """Keyword arguments for ``HttpClient``: TLS and timeout settings, and the deadline no retry may outlast."""
        return dict(connection_options(self.params), deadline=self.deadline())

    def fail_option(self, option, problem, fix):
        """Fail before any request, naming the option, the problem and the fix."""
        self.ansible.fail_json(msg='Option {0!r}: {1}. {2}'.format(option, problem.rstrip('.'), fix),
                               error={'type': 'OptionError', 'option': option})

    def elapsed(self):
        return round(time.monotonic() - self.started, 3)

    def result(self, changed, before=None, after=None, **extra):
        """The uniform result: ``changed``, ``before``/``after``, ``diff`` in diff mode, ``elapsed`` and extras."""
        result = dict(changed=changed, before=before, after=after, elapsed=self.elapsed())
        if self.diff_mode:
            result['diff'] = dict(before=before if before is not None else {},
                                  after=after if after is not None else {})
        result.update(extra)
        return result

    def run(self, operation):
        """Run ``operation(self)`` and exit with its result; typed errors become clear failures."""
        try:
            result = operation(self)
        except QuiesceError as err:
            # What was done before the failure (partial_result) is reported too; the error's own
            # message, details and the elapsed time win over keys of the same name.
            failure = dict(err.partial_result or {})
            failure.update(msg=str(err), error=err.to_dict(), elapsed=self.elapsed())
            self.ansible.fail_json(**failure)
        self.ansible.exit_json(**result)
