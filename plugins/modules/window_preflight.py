#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: window_preflight
short_description: Check a maintenance window's whole estate before anything stops, and build its plan
version_added: 0.2.0
author:
  - Quiesce contributors (@quiesce)
description:
  - The first step of the role C(quiesce.lifecycle.maintenance_window); usable on its own for a plan.
  - Validates the estate, naming every bad key. Logs in to every endpoint once, resolves every target of every stage
    (exactly one object each; BMS selections must match the stage's C(expect) count), reads their states, evaluates
    the pre-stop health gates, and checks that the ledger and report locations are writable.
  - Any problem fails the task with B(all) problems listed. No mutating request is ever sent.
  - Writes the plan (each target's state and what would happen, estimated durations, whether each stage fits the
    deadline) to C(plan.json) in the window's directory and prints one line per stage.
  - For O(phase=resume), reads the ledger from O(handoff) or the ledger file, refuses one of another window unless
    O(adopt_ledger=true), and plans what would be started.
  - Runs on the controller (an action plugin); the API requests are made from there.
options:
  operator_tasks:
    description:
      - The operator's tasks file the window will run (with O(phase=full)); preflight checks it exists.
    type: path
extends_documentation_fragment:
  - quiesce.lifecycle.window
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  check_mode:
    support: full
    details: Preflight never changes anything; in check mode it is the plan.
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
notes:
  - The plan holds no secret; endpoints appear by their estate names.
seealso:
  - module: quiesce.lifecycle.window_stage
  - module: quiesce.lifecycle.window_report
'''

EXAMPLES = r'''
- name: Plan the window (nothing is changed)
  quiesce.lifecycle.window_preflight:
    estate: "{{ maintenance_window_estate }}"
    phase: full
  check_mode: true
  register: preflight

- name: Show the stages
  ansible.builtin.debug:
    msg: "{{ preflight.stages }}"
'''

RETURN = r'''
window_id:
  description: The window's id (given, from the estate, from the hand-off, or generated).
  returned: always
  type: str
  sample: mw-20261206T020000Z-1a2b
window_dir:
  description: The window's directory (plan, ledger, reports).
  returned: when the window id is known
  type: str
ledger_path:
  description: The ledger file.
  returned: when the window id is known
  type: str
report_prefix:
  description: Path prefix of the reports.
  returned: when the window id is known
  type: str
plan_path:
  description: The plan file.
  returned: when the window id is known
  type: str
ok:
  description: Whether preflight found no problem.
  returned: always
  type: bool
problems:
  description: Every problem found, each with C(where) (the estate key, endpoint, stage or target) and C(message).
  returned: always
  type: list
  elements: dict
stages:
  description: The stages in order, with C(name), C(kind), C(count) (targets resolved), C(to_stop) (or C(to_start)),
    C(estimated_stop_seconds), C(estimated_start_seconds) and C(fits_deadline).
  returned: always
  type: list
  elements: dict
fits_deadline:
  description: Whether every stage fits the deadline (true without a deadline).
  returned: success
  type: bool
estimated_seconds:
  description: Estimated seconds to stop every stage and start it again.
  returned: success
  type: float
deadline:
  description: The deadline in UTC (ISO 8601), or null.
  returned: success
  type: str
'''
