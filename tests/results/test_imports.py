"""The results layer keeps its optional dependencies optional."""

from __future__ import annotations

import subprocess
import sys


def test_core_and_results_import_no_optional_library():
    code = (
        "import sys, snds_algos, snds_algos.results, snds_algos.scores, snds_algos.disclosure\n"
        "import snds_algos.algorithms.charlson\n"
        "bad = [m for m in ('sklearn', 'lifelines', 'matplotlib', 'pyspark', 'scipy') "
        "if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
