"""Fixtures of the proof suites (fault matrix, bad input, secrets); helpers in proofs_support.

Run with `make proofs` (fast tier) or `PROOFS_BUDGET=large make proofs` (the whole product, more examples).
"""

from __future__ import annotations

import pytest

import proofs_support

# Tables a suite wants printed at the end of the run (title, text).
SUMMARIES = []


@pytest.fixture(scope='session', autouse=True)
def collection_built():
    proofs_support.require_collection()


def pytest_terminal_summary(terminalreporter):
    for title, text in SUMMARIES:
        terminalreporter.section(title)
        terminalreporter.write(text)
