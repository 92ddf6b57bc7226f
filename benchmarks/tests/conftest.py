"""The benchmarks' helpers import the collection: from build/collections (``make collection``) when it is there,
else from this checkout through a temporary ansible_collections/quiesce/lifecycle link."""

import os
import sys
import tempfile
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent
REPO = BENCHMARKS.parent
sys.path.insert(0, str(BENCHMARKS))
if not (REPO / "build" / "collections" / "ansible_collections" / "quiesce" / "lifecycle").is_dir():
    LINKED = Path(tempfile.mkdtemp(prefix="quiesce-collection-"))
    (LINKED / "ansible_collections" / "quiesce").mkdir(parents=True)
    os.symlink(REPO, LINKED / "ansible_collections" / "quiesce" / "lifecycle")
    sys.path.append(str(LINKED))
