# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""window_preflight: problems of the input itself fail the preflight before any endpoint is opened."""

from __future__ import annotations

import pytest

from ansible_collections.quiesce.lifecycle.plugins.action.window_preflight import PREFLIGHT_SPEC, preflight
from ansible_collections.quiesce.lifecycle.plugins.plugin_utils import _window_action as window

ESTATE = {'endpoints': {'ocp': {'ocp-hz': {'ocp_url': 'http://127.0.0.1:9', 'username': 'u', 'password': 'p'}}},
          'stages': [{'name': 'dbs', 'kind': 'ocp_cluster', 'endpoint': 'ocp-hz', 'targets': ['ob-report']}]}


@pytest.mark.parametrize('extra, where', [
    ({'skip_gates': ['no_such_gate']}, 'skip_gates'),
    ({'operator_tasks': '/nonexistent/tasks.yml'}, 'maintenance_window_operator_tasks'),
])
def test_a_problem_of_the_input_fails_before_any_endpoint_is_opened(tmp_path, extra, where):
    """Before, an unknown gate or a missing tasks file was reported only after every endpoint had been read."""
    params = window.validate_args(dict({'estate': ESTATE, 'phase': 'full', 'state_dir': str(tmp_path)}, **extra),
                                  PREFLIGHT_SPEC)
    context = window.WindowContext(params, {}, lambda *args, **kwargs: None)
    opened = []
    context.session = lambda *endpoint, **kwargs: opened.append(endpoint)
    result = preflight(context, True)
    assert result['failed'] and [p['where'] for p in result['problems']] == [where]
    assert opened == []
