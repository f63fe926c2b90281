"""Time and peak memory of the synthetic SNDS generator (not a test).

Usage: python benchmarks/bench_synthetic.py [PERSONS ...] [--years 2019-2020] [--out /tmp/bench]

Each size runs in a child process (``/usr/bin/time``-like measure through
``resource.getrusage(RUSAGE_CHILDREN)``) so peak RSS is that of one run.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path


def run(persons: int, years: str, out: Path) -> dict:
    """Generate ``persons`` persons into ``out`` in a child process; time and peak RSS."""
    if out.exists():
        shutil.rmtree(out)
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [
            sys.executable,
            "-m",
            "snds_algos.cli",
            "synth",
            "--persons",
            str(persons),
            "--years",
            years,
            "--seed",
            "1",
            "--out",
            str(out),
            "--quiet",
        ],
        check=True,
    )
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    manifest = json.loads((out / "_manifest.json").read_text())
    size = sum(f.stat().st_size for f in out.iterdir())
    return {
        "persons": persons,
        "years": years,
        "seconds": round(seconds, 1),
        "peak_rss_gb": round(max(peak, before) / 1024**2, 2),
        "output_gb": round(size / 1024**3, 2),
        "rows_ER_PRS_F": manifest["rows"]["ER_PRS_F"],
        "volumes_per_person_year": manifest["volumes_per_person_year"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("persons", nargs="*", type=int, default=[100_000, 1_000_000])
    parser.add_argument("--years", default="2019-2020")
    parser.add_argument("--out", default="/tmp/snds-bench")
    args = parser.parse_args()
    for n in args.persons:
        print(json.dumps(run(n, args.years, Path(args.out) / str(n))), flush=True)


if __name__ == "__main__":
    main()
