"""Diabetes for one reference year: pandas and Spark against a hand-written DuckDB SQL.

Not a test. Usage (from the repository root)::

    python benchmarks/bench_diabetes.py 100000 1000000 [--year 2020] [--data /tmp/snds-bench]
        [--backends sql,pandas,duckdb,spark]

For each size the synthetic generator writes a folder of parquet files (reused when it
exists; years N-1 and N, seed 1). Then each engine runs in its own fresh Python process,
so that its peak memory (max RSS of that process) is its own:

* ``sql``: the independent DuckDB SQL implementation of the published definition
  (``tests/algorithms/diabetes_reference.py``, 2 threads);
* ``pandas``: ``snds_algos.get("diabetes").run(open_source(folder), year=N)``;
* ``duckdb``: the same with ``open_source(folder, backend="duckdb")`` (DuckDB relations
  run in-process on all cores);
* ``spark``: the same on a local Spark session (``local[2]``, 4 GB driver); the time
  includes building the plan, not starting the JVM.

Every result is collected to pandas (``snds_algos.backend.to_pandas``) inside the time.

Times include reading the files. The persons found by every engine are compared (they
must be the same), and the whole outputs of the library's backends (every column, every
person); then the ratios to SQL are printed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RUNNER = r"""
import hashlib, json, resource, sys, time
sys.path.insert(0, {root!r})
engine, folder, year = {engine!r}, {folder!r}, {year}
if engine == "spark":
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]")
             .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "4").config("spark.driver.memory", "4g")
             .getOrCreate())
    spark.sparkContext.setLogLevel("OFF")
started = time.perf_counter()
output = None
if engine == "sql":
    from tests.algorithms.diabetes_reference import reference_cases
    ids = sorted(reference_cases(folder, year, threads=2)["patient_id"])
else:
    import snds_algos
    from snds_algos.io import open_source
    source = open_source(folder, backend=engine, spark=spark if engine == "spark" else None)
    out = snds_algos.get("diabetes").run(source, year=year)
    from snds_algos.backend import to_pandas
    out = to_pandas(out)  # pandas with the library's dtypes, whatever the backend
    ids = sorted(out.loc[out["case"], "patient_id"])
    table = out.sort_values("patient_id").astype(str).to_csv(index=False)
    output = hashlib.sha256(table.encode()).hexdigest()
seconds = time.perf_counter() - started
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "peak_mb": peak_mb, "cases": len(ids), "output": output,
                  "digest": hashlib.sha256("\n".join(ids).encode()).hexdigest()}}))
"""


def generate(persons: int, year: int, root: Path) -> Path:
    """The data folder of ``persons`` persons (generated once, then reused)."""
    folder = root / f"diabetes_p{persons}_y{year}"
    if not (folder / "ER_PRS_F.parquet").exists():
        sys.path.insert(0, str(ROOT))
        from snds_algos.synthetic import generate as gen

        started = time.perf_counter()
        gen(persons, f"{year - 1}-{year}", 1, str(folder), progress=False)
        print(f"  generated {persons} persons in {time.perf_counter() - started:.1f} s")
    return folder


def run_engine(engine: str, folder: Path, year: int) -> dict:
    """Run one engine in a fresh process and return its measures."""
    code = RUNNER.format(root=str(ROOT), engine=engine, folder=str(folder), year=year)
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{engine} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000, 1_000_000])
    parser.add_argument("--year", type=int, default=2020)
    parser.add_argument("--data", default="/tmp/snds-bench")
    parser.add_argument("--backends", default="sql,pandas,duckdb,spark")
    args = parser.parse_args()
    engines = args.backends.split(",")
    root = Path(args.data)
    root.mkdir(parents=True, exist_ok=True)
    for persons in args.sizes:
        print(f"== {persons} persons, reference year {args.year}")
        folder = generate(persons, args.year, root)
        results = {}
        for engine in engines:
            results[engine] = run_engine(engine, folder, args.year)
            r = results[engine]
            print(
                f"  {engine:<7} {r['seconds']:8.1f} s  peak {r['peak_mb']:7.0f} MB  "
                f"{r['cases']} cases"
            )
        digests = {r["digest"] for r in results.values()}
        print("  same persons on every engine:", "yes" if len(digests) == 1 else "NO")
        outputs = {e: r["output"] for e, r in results.items() if r["output"] is not None}
        if len(outputs) > 1:
            same = len(set(outputs.values())) == 1
            print(
                f"  same output rows (every column) on {', '.join(outputs)}:",
                "yes" if same else "NO",
            )
        if "sql" in results:
            base = results["sql"]["seconds"]
            for engine in engines:
                if engine != "sql":
                    print(f"  {engine} / sql: {results[engine]['seconds'] / base:.1f}x")


if __name__ == "__main__":
    main()
