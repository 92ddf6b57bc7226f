# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of quiesce.lifecycle.window_report (documentation: plugins/modules/window_report.py)."""

from __future__ import annotations

import os

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_action as window
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_record as records
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_report as reports
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_ledger import write_atomically

display = Display()
REPORT_SPEC = dict(window_dir=dict(type='path'), failure=dict(type='dict'), problems=dict(type='list', elements='raw'),
                   resume_hint=dict(type='str'))


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        try:
            params = window.validate_args(self._task.args, REPORT_SPEC)
        except window.WindowActionError as err:
            return dict(result, failed=True, msg=str(err))
        return dict(result, **report(params))


def _write(prefix, renderings):
    """Write each format next to ``prefix``; when that fails, to the fallback folder. Returns the paths."""
    paths, errors = {}, []
    for suffix, text in renderings.items():
        for candidate in (prefix, records.fallback_prefix(prefix)):
            path = '{0}.{1}'.format(candidate, suffix)
            try:
                write_atomically(path, text)
                paths[suffix] = path
                break
            except OSError as err:
                errors.append('{0}: {1}'.format(path, err))
    return paths, errors


# Results that fail the play (after the report is out): the model's words.
FAILING = ('failed', 'partial', 'blocked')


def report(params):
    record = records.build_record(params.get('window_dir'), failure=params.get('failure'),
                                  problems=params.get('problems'), resume_hint=params.get('resume_hint'))
    prefix = record.get('report_prefix') or os.path.join(records.fallback_dir(record['window_id']), 'report')
    files = {'markdown': prefix + '.md', 'html': prefix + '.html', 'json': prefix + '.json'}
    model = reports.build_report(record, files=files)
    renderings = {'md': reports.render_markdown(model), 'html': reports.render_html(model),
                  'json': reports.render_json(model)}
    paths, errors = _write(prefix, renderings)
    handoff = records.handoff(record, model, paths)
    outcome = dict(changed=False, window_id=model['window_id'], result=model['result'], summary=model['summary'],
                   markdown=renderings['md'], paths=paths, write_errors=errors, handoff=handoff,
                   window_failed=model['result'] in FAILING, still_stopped=len(model['still_stopped']))
    if outcome['window_failed']:
        outcome['msg'] = model['summary']
    return outcome
