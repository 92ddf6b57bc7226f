# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every window action plugin shares: its arguments, the estate, the window's files, the sessions.

The action plugins (``window_preflight``, ``window_stage``, ``window_report``) are thin: they build a
``WindowContext`` from their task and call the plan builder, the stage runner or the report model.
"""

from __future__ import annotations

import datetime
import json
import os
import time

import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_estate as estates
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_endpoints import (
    FAMILY_MODULE,
    Session,
    resolve_endpoint,
)
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_ledger import Ledger
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_state import default_state_dir

# Options every window action takes (documented in plugins/doc_fragments/window.py).
COMMON_SPEC = dict(
    estate=dict(type='raw'),
    estate_file=dict(type='path'),
    phase=dict(type='str', default='full', choices=['full', 'quiesce', 'resume']),
    window_id=dict(type='str'),
    state_dir=dict(type='path'),
    ledger_path=dict(type='path'),
    report_path=dict(type='path'),
    skip_gates=dict(type='list', elements='str', default=[]),
    deadline=dict(type='str'),
    handoff=dict(type='raw'),
    adopt_ledger=dict(type='bool', default=False),
)
HANDOFF_KEY = 'quiesce_lifecycle_handoff'


class WindowActionError(Exception):
    """A problem with the action's own arguments (named, with the fix)."""


def validate_args(args, extra_spec=None):
    spec = dict(COMMON_SPEC, **(extra_spec or {}))
    result = ArgumentSpecValidator(spec).validate(dict(args))
    if result.error_messages:
        raise WindowActionError('; '.join(result.error_messages))
    return result.validated_parameters


def load_estate_source(params):
    """The raw estate from ``estate`` (a mapping or a YAML string) or ``estate_file``; None when neither."""
    raw = params.get('estate')
    if isinstance(raw, str):
        if not raw.strip():
            raw = None
        else:
            try:
                raw = yaml.safe_load(raw)
            except yaml.YAMLError as err:
                raise WindowActionError('estate: the text is not valid YAML: {0}'.format(err))
    if raw is None and params.get('estate_file'):
        try:
            with open(params['estate_file'], encoding='utf-8') as stream:
                raw = yaml.safe_load(stream)
        except (OSError, yaml.YAMLError) as err:
            raise WindowActionError('estate_file: cannot read {0}: {1}'.format(params['estate_file'], err))
    if isinstance(raw, dict) and set(raw) == {'maintenance_window_estate'}:
        raw = raw['maintenance_window_estate']  # a vars file written for -e @estate.yml
    return raw


def epoch(iso_text):
    return None if iso_text is None else estates.parse_deadline(iso_text).timestamp()


class WindowContext:
    """One action's view of the window: estate, paths, ledger, and sessions opened on demand."""

    def __init__(self, params, module_defaults, say):
        self.params = params
        self.module_defaults = module_defaults  # {family: {option: value}}
        self.say = say
        self.sessions = {}
        self.estate = None
        self.estate_problems = []
        raw = load_estate_source(params)
        if raw is not None:
            self.estate, self.estate_problems = estates.normalize_estate(raw)
        self.state_dir = params.get('state_dir') or default_state_dir()

    # -- identity and paths

    def window_dir(self, window_id):
        return os.path.join(self.state_dir, window_id)

    def ledger_path(self, window_id):
        return self.params.get('ledger_path') or os.path.join(self.window_dir(window_id), 'ledger.json')

    def report_prefix(self, window_id):
        return self.params.get('report_path') or os.path.join(self.window_dir(window_id), 'report')

    def deadline_iso(self):
        if self.params.get('deadline'):
            return estates.iso(estates.parse_deadline(self.params['deadline']))
        return ((self.estate or {}).get('window') or {}).get('deadline')

    def skip_gates(self):
        window = (self.estate or {}).get('window') or {}
        return list(self.params.get('skip_gates') or []) + list(window.get('skip_gates') or [])

    def progress_interval(self):
        return ((self.estate or {}).get('window') or {}).get('progress_interval') or \
            estates.DEFAULT_PROGRESS_INTERVAL

    # -- endpoints and sessions

    def endpoint_options(self, family, name, ledger=None):
        if name == estates.DEFAULT_ENDPOINT:
            return {}
        if self.estate and name in self.estate['endpoints'].get(family, {}):
            return self.estate['endpoints'][family][name]
        if ledger is not None:
            known = (ledger.data.get('endpoints') or {}).get(family, {})
            if name in known:
                return known[name]  # public options and env pointers; secrets from env/module_defaults
        raise WindowActionError('no {0} endpoint named {1!r}: give the estate (maintenance_window_estate) to this '
                                'run too'.format(family, name))

    def session(self, family, name, ledger=None):
        key = (family, name)
        if key not in self.sessions:
            endpoint = resolve_endpoint(family, name, self.endpoint_options(family, name, ledger),
                                        self.module_defaults.get(family))
            self.sessions[key] = Session(endpoint)
        return self.sessions[key]

    def public_endpoints(self):
        """The estate's endpoints as ledgers and artifacts may carry them (no secret)."""
        views = {}
        for family, named in ((self.estate or {}).get('endpoints') or {}).items():
            for name, options in named.items():
                views.setdefault(family, {})[name] = estates.public_endpoint(family, options)
        return views

    def close(self):
        for session in self.sessions.values():
            session.close()
        self.sessions = {}

    def request_stats(self):
        totals = {}
        for (family, name), session in self.sessions.items():
            totals['{0}:{1}'.format(family, name)] = session.stats()
        return totals


def module_defaults_by_family(task, templar):
    """The play's ``module_defaults`` for each family's modules (groups and the module's own name)."""
    merged = {}
    for defaults in task.module_defaults or []:
        # A whole block, or a group's value, may be a template ("{{ quiesce_sim.mrs }}").
        merged.update(_templated(templar, defaults))
    play = getattr(getattr(task, '_parent', None), '_play', None)
    action_groups = getattr(play, '_action_groups', None) or {}
    result = {}
    for family, module in FAMILY_MODULE.items():
        values = {}
        groups = action_groups.get(module, [])
        for key, value in merged.items():
            if key.startswith('group/') and key[len('group/'):] in groups:
                values.update(_templated(templar, value))
        values.update(_templated(templar, merged.get(module)))
        result[family] = templar.template(values) if values else {}
    return result


def _templated(templar, value):
    value = templar.template(value) if isinstance(value, str) else value
    return dict(value or {})


def load_json(path):
    with open(path, encoding='utf-8') as stream:
        return json.load(stream)


def now_epoch():
    return time.time()


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def load_ledger(path):
    return Ledger.load(path) if os.path.exists(path) else None
