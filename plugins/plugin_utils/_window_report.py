# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Interim report renderer (replaced by the report model of branch `report`)."""

from __future__ import annotations

import html
import json


def build_report(record):
    return record


def render_markdown(model):
    lines = ['# Maintenance window {0} ({1}): {2}'.format(model['window_id'], model.get('phase'), model['result']),
             '', model['summary'], '']
    for stage in model.get('stages') or []:
        lines.append('## {0} {1}: {2}'.format(stage['phase'], stage['name'], stage['status']))
        if stage.get('reason'):
            lines.append(stage['reason'])
        for target in stage.get('targets') or []:
            lines.append('- {0}: {1} -> {2} ({3})'.format(
                target['label'], target.get('before'), target.get('after'), target['outcome']))
    if model.get('still_stopped'):
        lines.append('Still stopped: {0}; resume with {1}'.format(len(model['still_stopped']), model['resume_command']))
    return '\n'.join(lines) + '\n'


def render_html(model):
    return '<html><body><pre>{0}</pre></body></html>\n'.format(html.escape(render_markdown(model)))


def render_json(model):
    return json.dumps(model, indent=1) + '\n'
