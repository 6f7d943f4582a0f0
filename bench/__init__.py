"""The benchmarks (`make bench`, `python -m bench.run`); see BENCHMARKS.md."""
from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path


def scratch(prefix: str) -> Path:
    """A new temporary folder for a benchmark's databases and files, removed when the process ends (the page
    benchmarks alone write some 150 MB of them per run)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, True)
    return folder
