"""Fixtures: an in-process simulator per test module, reset before every test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

SIM_ROOT = Path(__file__).resolve().parent.parent
if str(SIM_ROOT) not in sys.path:
    sys.path.insert(0, str(SIM_ROOT))

from quiesce_sim.clock import ManualClock  # noqa: E402
from quiesce_sim.testing import in_process_simulator  # noqa: E402


@pytest.fixture(scope="module")
def shared_sim():
    with in_process_simulator(speed=0.0) as handle:
        yield handle


@pytest.fixture
def sim(shared_sim):
    """Default scenario at speed 0, freshly reset."""
    shared_sim.admin.reset()
    return shared_sim


@pytest.fixture
def clocked():
    """Default scenario at speed 1 on a manual clock: tests move time with `.sim.clock.advance()`."""
    with in_process_simulator(speed=1.0, clock=ManualClock()) as handle:
        yield handle
