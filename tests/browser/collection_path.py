"""Import the collection's report module and the unit tests' records straight from this checkout.

The browser tests run from the repository (not from ansible-test's copy of the collection): a
temporary ``ansible_collections/quiesce/lifecycle`` link to the checkout makes the module's real
import path work without `make collection`.
"""

from __future__ import annotations

import atexit
import importlib
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REPORT_MODULE = 'ansible_collections.quiesce.lifecycle.plugins.plugin_utils._window_report'
RECORDS_MODULE = 'ansible_collections.quiesce.lifecycle.tests.unit.plugins.plugin_utils.window_records'
_ROOT = []


def _collection_root():
    if not _ROOT:
        root = Path(tempfile.mkdtemp(prefix='quiesce-collections-'))
        (root / 'ansible_collections' / 'quiesce').mkdir(parents=True)
        link = root / 'ansible_collections' / 'quiesce' / 'lifecycle'
        os.symlink(REPO, link)
        atexit.register(_remove, root, link)
        sys.path.insert(0, str(root))
        _ROOT.append(root)
    return _ROOT[0]


def _remove(root, link):
    link.unlink()   # the link only, never what it points to
    for folder in (link.parent, link.parent.parent, root):
        folder.rmdir()


def import_report_module():
    _collection_root()
    return importlib.import_module(REPORT_MODULE)


def import_window_records():
    _collection_root()
    return importlib.import_module(RECORDS_MODULE)
