"""OMOP CDM 5.4 export of generated persons: pandas, DuckDB and Spark, time and peak memory.

Not a test. Usage (from the repository root)::

    python benchmarks/bench_omop.py 100000 [--data /tmp/snds-bench] [--backends pandas,duckdb,spark]

For each size the synthetic generator writes a folder of parquet files (years 2019-2020,
seed 1; reused when it exists). Then each backend runs in its own fresh Python process:
``export_omop(open_source(folder, backend=...))`` and ``write_export`` as parquet into a
temporary folder, inside the time (reading the SNDS files, building every table, writing
them). Peak memory is the peak resident set (``VmHWM``) of that process and, on Spark,
of its JVM too. The row counts of the tables
written are compared across backends (they must be equal).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RUNNER = r"""
import json, os, sys, tempfile, time
sys.path.insert(0, {root!r})
engine, folder = {engine!r}, {folder!r}
spark = None
if engine == "spark":
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]")
             .config("spark.sql.session.timeZone", "UTC").config("spark.ui.enabled", "false")
             .config("spark.sql.shuffle.partitions", "4").config("spark.driver.memory", "4g")
             .getOrCreate())
    spark.sparkContext.setLogLevel("OFF")
from snds_algos.io import open_source
from snds_algos.omop import export_omop, write_export
out = tempfile.mkdtemp(prefix="omop-bench-")
started = time.perf_counter()
export = export_omop(open_source(folder, backend=engine, spark=spark))
write_export(export, out, overwrite=True)
elapsed = time.perf_counter() - started
import duckdb
counts = {{}}
for name in export.tables:
    path = os.path.join(out, name + ".parquet")
    pattern = path + "/*.parquet" if os.path.isdir(path) else path
    counts[name] = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{{pattern}}')").fetchone()[0]
jvm = 0
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    try:
        stat = open(f"/proc/{{pid}}/stat").read().split()
        if int(stat[3]) == os.getpid() and "java" in open(f"/proc/{{pid}}/cmdline").read():
            for line in open(f"/proc/{{pid}}/status"):
                if line.startswith("VmHWM"):
                    jvm = max(jvm, int(line.split()[1]) // 1024)
    except OSError:
        pass
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child would report the
# peak of the benchmark process that started it (the generator's)
peak = 0
for line in open("/proc/self/status"):
    if line.startswith("VmHWM"):
        peak = int(line.split()[1]) // 1024
print(json.dumps({{"engine": engine, "seconds": round(elapsed, 1), "peak_mb": peak,
                  "jvm_peak_mb": jvm, "rows": counts}}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("persons", type=int, nargs="+")
    parser.add_argument("--data", default="/tmp/snds-bench")
    parser.add_argument("--backends", default="pandas,duckdb,spark")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from snds_algos.synthetic import generate

    for persons in args.persons:
        folder = Path(args.data) / f"omop-{persons}"
        if not folder.exists():
            generate(persons, "2019-2020", 1, str(folder), progress=False)
        results = []
        for engine in args.backends.split(","):
            code = RUNNER.format(root=str(ROOT), engine=engine, folder=str(folder))
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            if done.returncode:
                print(done.stderr[-3000:])
                return 1
            result = json.loads(done.stdout.strip().splitlines()[-1])
            results.append(result)
            jvm = f", JVM {result['jvm_peak_mb']} MB" if result["jvm_peak_mb"] else ""
            print(f"{persons} persons, {engine}: {result['seconds']} s, "
                  f"peak {result['peak_mb']} MB{jvm}", flush=True)  # fmt: skip
        first = results[0]["rows"]
        same = all(r["rows"] == first for r in results)
        print(f"  rows per table ({'equal on every backend' if same else 'DIFFER'}): {first}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
