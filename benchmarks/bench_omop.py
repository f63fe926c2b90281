"""OMOP CDM 5.4 export of generated persons: pandas, DuckDB and Spark, time and peak memory.

Not a test. Usage (from the repository root)::

    python benchmarks/bench_omop.py 100000 [--data /tmp/snds-bench] [--backends pandas,duckdb,spark]

For each size the synthetic generator writes a folder of parquet files (years 2019-2020,
seed 1; reused when it exists). Then each backend runs in its own fresh Python process:
``export_omop(open_source(folder, backend=...))`` and ``write_export`` as parquet into a
temporary folder, inside the time (reading the SNDS files, building every table, writing
them). Peak memory is the peak resident set (``VmHWM``) of that process and, on Spark,
of its JVM too. Then (outside the time) each table written is read back by DuckDB: its
row count and a fingerprint of its rows (the sum of a hash of each row, every value as
text: independent of the row order) are compared across backends: they must be equal.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _harness import child_prelude, generated, run_code

RUNNER = r"""
import json, os, tempfile, time
engine, folder = {engine!r}, {folder!r}
from snds_algos.io import open_source
from snds_algos.omop import export_omop, write_export
out = tempfile.mkdtemp(prefix="omop-bench-")
started = time.perf_counter()
export = export_omop(open_source(folder, backend=engine, spark=spark))
write_export(export, out, overwrite=True)
elapsed = time.perf_counter() - started
import duckdb
counts, prints = {{}}, {{}}
con = duckdb.connect()
for name in export.tables:
    path = os.path.join(out, name + ".parquet")
    pattern = path + "/*.parquet" if os.path.isdir(path) else path
    reader = f"read_parquet('{{pattern}}')"
    cols = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {{reader}}").fetchall()]
    text = ", ".join(f"coalesce(CAST({{c}} AS VARCHAR), chr(0))" for c in cols)
    n, h = con.execute(
        f"SELECT count(*), sum(hash(concat_ws(chr(31), {{text}}))::HUGEINT) FROM {{reader}}"
    ).fetchone()
    counts[name], prints[name] = n, str(h)
jvm = jvm_peak_mb()
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child would report the
# peak of the benchmark process that started it (the generator's)
peak = peak_hwm_mb()
print(json.dumps({{"engine": engine, "seconds": round(elapsed, 1), "peak_mb": peak,
                  "jvm_peak_mb": jvm, "rows": counts, "fingerprints": prints}}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("persons", type=int, nargs="+")
    parser.add_argument("--data", default="/tmp/snds-bench")
    parser.add_argument("--backends", default="pandas,duckdb,spark")
    args = parser.parse_args()
    for persons in args.persons:
        folder = generated(Path(args.data) / f"omop-{persons}", persons, "2019-2020", quiet=True)
        results = []
        for engine in args.backends.split(","):
            code = child_prelude(engine) + RUNNER.format(engine=engine, folder=str(folder))
            try:
                result = run_code(code, name=engine, cwd=None)
            except RuntimeError as failed:
                print(failed)
                return 1
            results.append(result)
            jvm = f", JVM {result['jvm_peak_mb']} MB" if result["jvm_peak_mb"] else ""
            print(f"{persons} persons, {engine}: {result['seconds']} s, "
                  f"peak {result['peak_mb']} MB{jvm}", flush=True)  # fmt: skip
        first = results[0]["rows"]
        same = all(r["rows"] == first for r in results)
        print(f"  rows per table ({'equal on every backend' if same else 'DIFFER'}): {first}")
        prints = results[0]["fingerprints"]
        differ = sorted({t for r in results for t in prints if r["fingerprints"][t] != prints[t]})
        if differ:
            print(f"  row fingerprints DIFFER on: {', '.join(differ)}")
        else:
            print("  row fingerprints: equal on every backend (same rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
