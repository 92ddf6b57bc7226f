# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Options of the maintenance window's action plugins (window_preflight, window_stage, window_report).
    DOCUMENTATION = r'''
options:
  estate:
    description:
      - The estate - C(window), C(endpoints) and C(stages) - as a mapping or a YAML string, as the role
        C(quiesce.lifecycle.maintenance_window) takes it (C(ansible-doc -t role quiesce.lifecycle.maintenance_window)
        and the operator guide describe it).
      - Endpoint options missing here come from the endpoint's C(env) pointers, the play's C(module_defaults) for
        the family's group (C(group/quiesce.lifecycle.mrs), C(.ocp), C(.bms)), then the modules' environment
        variables.
    type: raw
  estate_file:
    description: A YAML file holding the estate (or C(maintenance_window_estate) with it), instead of O(estate).
    type: path
  phase:
    description: V(full), V(quiesce) or V(resume) (see the role).
    type: str
    choices: [full, quiesce, resume]
    default: full
  window_id:
    description: The window's id; generated at quiesce when neither this nor C(estate.window.id) is set.
    type: str
  state_dir:
    description:
      - Where the window's directory C(<state_dir>/<window id>) is kept (ledger, plan, reports).
      - Default C($QUIESCE_STATE_DIR), else C(${XDG_STATE_HOME:-~/.local/state}/quiesce).
    type: path
  ledger_path:
    description: The ledger file, instead of C(<window directory>/ledger.json).
    type: path
  report_path:
    description: Path prefix of the reports, instead of C(<window directory>/report).
    type: path
  skip_gates:
    description: Health gates to skip by name (reported as skipped).
    type: list
    elements: str
    default: []
  deadline:
    description: ISO 8601 time with a zone by which everything must be back up; overrides C(estate.window.deadline).
    type: str
  handoff:
    description:
      - The hand-off artifact of the quiesce job (C(quiesce_lifecycle_handoff)); a resume takes its ledger from it.
    type: raw
  adopt_ledger:
    description: Accept a ledger whose window id differs from O(window_id).
    type: bool
    default: false
'''
