#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: window_stage
short_description: Quiesce or resume one stage of a maintenance window, keeping its ledger and showing progress
version_added: 0.2.0
author:
  - Quiesce contributors (@quiesce)
description:
  - A step of the role C(quiesce.lifecycle.maintenance_window), after M(quiesce.lifecycle.window_preflight).
  - B(quiesce) - unless the window has already turned to resume - checks the deadline (the stage's stop and start
    plus the resume of everything stopped so far must fit in the time left; otherwise the stage is not started and the
    window turns to resume), reads the stage's targets again and evaluates the pre-stop gates (a failed gate stops
    nothing), then stops the targets. Targets of a parallel stage run side by side (OCP clusters, agent hosts,
    endpoints; BMS servers go in batches of 1,000); MRS services of one Manager run in the listed order.
  - Each target is written to the ledger, with its state before and the action, B(before) the action is sent, and its
    outcome after, so the ledger tells the truth after a crash. A failure turns the window to resume, unless the
    stage has C(on_failure=continue).
  - B(resume) starts again what the ledger holds for the stage (only what this window stopped), then evaluates the
    post-start gates, reading again for up to C(estate.window.post_start_grace) seconds while health comes back.
  - Waits take their budgets from the deadline and the stage's C(wait_budget). While a wait goes on, a progress line
    (target, state, elapsed, budget left) is printed at least every C(estate.window.progress_interval) seconds
    (at most 30).
  - Each endpoint is logged in to once for the stage. The actions, retries and waits are those of the collection's
    modules (the same library code runs, in the controller).
extends_documentation_fragment:
  - quiesce.lifecycle.window
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
options:
  stage:
    description: The stage's name (as in the estate, or the ledger for a resume job).
    type: str
    required: true
  step:
    description: V(quiesce) stops the stage, V(resume) starts it again.
    type: str
    required: true
    choices: [quiesce, resume]
  window_dir:
    description: The window's directory, as M(quiesce.lifecycle.window_preflight) returns it.
    type: path
    required: true
attributes:
  check_mode:
    support: none
    details: In check mode the role runs preflight only (the plan).
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
  - module: quiesce.lifecycle.window_report
'''

EXAMPLES = r'''
- name: Quiesce stage by stage
  quiesce.lifecycle.window_stage:
    step: quiesce
    stage: "{{ item.name }}"
    window_dir: "{{ preflight.window_dir }}"
    estate: "{{ maintenance_window_estate }}"
  loop: "{{ preflight.stages }}"
'''

RETURN = r'''
stage:
  description: The stage's name.
  returned: always
  type: str
status:
  description:
    - V(done), V(failed), V(skipped_deadline) (not started, the deadline is too close), V(skipped_gate) (a pre-stop gate
      failed), V(not_started) (the window had already turned to resume), or V(nothing_to_resume).
  returned: always
  type: str
turned:
  description: Whether this stage turned the window to resume (a failure with C(on_failure=stop_window), or the deadline).
  returned: step is quiesce
  type: bool
counts:
  description: Targets by outcome (V(stopped), V(started), V(unchanged), V(failed), V(unknown), V(not_started)).
  returned: when the stage ran
  type: dict
  sample: {stopped: 29, unchanged: 1}
ledger_path:
  description: Where the ledger was last written (the fallback copy's path when its own location failed).
  returned: when the stage ran
  type: str
ledger_error:
  description: Why the ledger could not be written where it belongs, or null.
  returned: when the stage ran
  type: str
msg:
  description: The stage's outcome in words.
  returned: always
  type: str
'''
