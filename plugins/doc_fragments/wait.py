# -*- coding: utf-8 -*-
# Copyright: (c) 2026, Quiesce contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Options of modules that start asynchronous operations.
    DOCUMENTATION = r'''
options:
  wait:
    description:
      - Whether to wait until the operation has finished and the target is in the requested state.
      - With V(false) the module returns as soon as the API accepted the request, with the ids of the
        asynchronous operations so that a later task can follow them.
    type: bool
    default: true
  wait_timeout:
    description:
      - How many seconds the module may take in total when O(wait=true), counted from its start.
      - No retry of a request, nor a wait a server asks for with C(Retry-After), goes past it. A retry that
        cannot fit fails at once, naming this option and the wait asked for.
      - Each request's timeout (O(request_timeout)) is cut to the time left. With less than half a second left, a
        request is not sent at all and the task fails at once, naming this option; so a value below about a second
        leaves no time for the requests themselves. An action whose answer does not come before the deadline is
        never sent again; its outcome is reported as unknown, naming what to check.
      - On timeout the task fails, naming the state last seen and the operation id to follow up; the operation
        itself is not cancelled.
    type: int
    default: 1800
  poll_interval:
    description:
      - Seconds between the first status polls. Later intervals grow with the time already waited (at most 8 % of
        it, factor 1.5 from poll to poll, at most 30 seconds, 10 for BMS jobs), so that the module returns at most
        about max(1 second, 10 % of the operation's length) after the operation ended.
      - Where the API reports progress (an MRS command's C(total_progress), the share of an OCP task's subtasks
        or of a BMS job's sub-jobs that have ended), a poll comes no later than when the operation should end at
        the pace it has kept, and never sooner than O(poll_interval) after the one before.
    type: float
    default: 1
'''
