#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: window_report
short_description: Write a maintenance window's report (Markdown, HTML timeline, JSON) and its hand-off artifact
version_added: 0.2.0
author:
  - Quiesce contributors (@quiesce)
description:
  - The last step of the role C(quiesce.lifecycle.maintenance_window).
  - Builds one report model from the window's record (plan, stages, gates, ledger, deadline) and renders it as
    Markdown (returned, for the job output), a self-contained HTML page with a timeline, and JSON that validates
    against the collection's JSON Schema. Files go next to O(report_path) (default C(<window directory>/report)),
    or to a fallback folder under the system temporary directory when that cannot be written.
  - Decides the window's result (V(ok), V(failed), or V(plan) in check mode) and returns the hand-off the quiesce job
    publishes for the resume job (C(quiesce_lifecycle_handoff)).
extends_documentation_fragment:
  - quiesce.lifecycle.window
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
options:
  window_dir:
    description: The window's directory, as M(quiesce.lifecycle.window_preflight) returns it.
    type: path
  failure:
    description: What failed outside the stages (a task of the operator, a preflight), with C(task) and C(message).
    type: dict
  problems:
    description: Preflight's problems, for a preflight that could not write its own files.
    type: list
    elements: raw
  resume_hint:
    description: A state directory to name in the resume command the report prints.
    type: str
attributes:
  check_mode:
    support: full
    details: In check mode the report is the plan, marked as such.
  diff_mode:
    support: none
  platform:
    platforms: all
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
seealso:
  - module: quiesce.lifecycle.window_preflight
  - module: quiesce.lifecycle.window_stage
'''

EXAMPLES = r'''
- name: Report
  quiesce.lifecycle.window_report:
    window_dir: "{{ preflight.window_dir }}"
  register: report

- name: Hand over to the next job
  ansible.builtin.set_stats:
    data:
      quiesce_lifecycle_handoff: "{{ report.handoff }}"
'''

RETURN = r'''
window_id:
  description: The window's id.
  returned: always
  type: str
result:
  description: V(ok), V(failed) or V(plan).
  returned: always
  type: str
summary:
  description: The result in one sentence.
  returned: always
  type: str
markdown:
  description: The Markdown report.
  returned: always
  type: str
paths:
  description: Where each format was written (C(md), C(html), C(json)).
  returned: always
  type: dict
write_errors:
  description: Locations that could not be written (a fallback was used).
  returned: always
  type: list
  elements: str
handoff:
  description: The hand-off for the next job - C(window_id), C(phase), C(result), C(summary), C(ledger), C(ledger_path),
    C(report) (summary and paths), C(still_stopped). It holds no secret.
  returned: always
  type: dict
window_failed:
  description: Whether the window failed (the role then fails the play after the report).
  returned: always
  type: bool
still_stopped:
  description: How many targets this window stopped are still down.
  returned: always
  type: int
'''
