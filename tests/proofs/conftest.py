"""Fixtures of the proof suites (fault matrix, bad input, secrets); helpers in proofs_support.

Run with `make proofs` (fast tier) or `PROOFS_BUDGET=large make proofs` (the whole product, more examples).
"""

from __future__ import annotations

import pytest

import proofs_support
import report_schema  # proofs_support puts tests/integration on sys.path

# Tables a suite wants printed at the end of the run (title, text).
SUMMARIES = []


@pytest.fixture(scope='session', autouse=True)
def reports_follow_the_schema(tmp_path_factory):
    """Every report.json the session's runs wrote validates against the shipped schema (docs/schemas)."""
    yield
    _count, problems = report_schema.check_reports_under(tmp_path_factory.getbasetemp())
    assert not problems, '\n'.join(problems)


@pytest.fixture(scope='session', autouse=True)
def collection_built():
    proofs_support.require_collection()


def pytest_terminal_summary(terminalreporter):
    for title, text in SUMMARIES:
        terminalreporter.section(title)
        terminalreporter.write(text)
