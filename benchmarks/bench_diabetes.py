"""Diabetes for one reference year: the library on pandas, DuckDB and Spark against the
same hand-written SQL run by DuckDB and by Spark.

Not a test. Usage (from the repository root)::

    python benchmarks/bench_diabetes.py 100000 1000000 [--year 2020] [--data /tmp/snds-bench]
        [--backends sql,pandas,duckdb,spark-sql,spark]

For each size the synthetic generator writes a folder of parquet files (reused when it
exists; years N-1 and N, seed 1). Then each engine runs in its own fresh Python process,
so that its peak memory (max RSS of that process) is its own:

* ``sql``: the independent DuckDB SQL implementation of the published definition
  (``tests/algorithms/diabetes_reference.py``, 2 threads);
* ``pandas``: ``snds_algos.get("diabetes").run(open_source(folder), year=N)``;
* ``duckdb``: the same with ``open_source(folder, backend="duckdb")`` (DuckDB relations
  run in-process on all cores);
* ``spark-sql``: the same SQL text as ``sql``, run by ``spark.sql`` on a local Spark
  session (the one ``spark`` uses: ``local[2]``, 4 GB driver) over the same parquet files
  (temporary views; :func:`_harness.spark_sql_of` maps the few DuckDB spellings);
* ``spark``: the library on that Spark session; the time includes building the plan,
  not starting the JVM.

Every result is collected to pandas (``snds_algos.backend.to_pandas``) inside the time.

Times include reading the files. The persons found by every engine are compared (they
must be the same), and the whole outputs of the library's backends (every column, every
person), and the criteria of every case on the SQL engines and the library's backends
(``same criteria``); then the ratios to SQL and, for Spark, library / Spark SQL.
"""

from __future__ import annotations

from pathlib import Path

from _harness import (
    each_size,
    generated,
    print_ratios,
    run_runner,
    same_on_every_engine,
    sizes_parser,
    yes_no,
)

RUNNER = r"""
import hashlib, json, time
engine, folder, year = {engine!r}, {folder!r}, {year}
started = time.perf_counter()
output = None
FLAGS = ["drugs", "ald", "hospital", "hospital_complication"]
if engine in ("sql", "spark-sql"):
    from tests.algorithms.diabetes_reference import reference_cases, reference_sql
    if engine == "sql":
        out = reference_cases(folder, year, threads=2)
    else:
        from _harness import spark_sql_of
        out = spark.sql(spark_sql_of(reference_sql(folder, year), spark)).toPandas()
    ids = sorted(out["patient_id"])
    cases = out
else:
    import snds_algos
    from snds_algos.io import open_source
    source = open_source(folder, backend=engine, spark=spark if engine == "spark" else None)
    out = snds_algos.get("diabetes").run(source, year=year)
    from snds_algos.backend import to_pandas
    out = to_pandas(out)  # pandas with the library's dtypes, whatever the backend
    ids = sorted(out.loc[out["case"], "patient_id"])
    cases = out.loc[out["case"]]
    table = out.sort_values("patient_id").astype(str).to_csv(index=False)
    output = hashlib.sha256(table.encode()).hexdigest()
seconds = time.perf_counter() - started
flags = cases[["patient_id", *FLAGS]].astype({{f: bool for f in FLAGS}}).sort_values("patient_id")
criteria = hashlib.sha256(flags.to_csv(index=False).encode()).hexdigest()
peak_mb = peak_rss_mb()
print(json.dumps({{"seconds": seconds, "peak_mb": peak_mb, "cases": len(ids), "output": output,
                  "criteria": criteria, "digest": hashlib.sha256("\n".join(ids).encode()).hexdigest()}}))
"""


def generate(persons: int, year: int, root: Path) -> Path:
    """The data folder of ``persons`` persons (generated once, then reused)."""
    return generated(root / f"diabetes_p{persons}_y{year}", persons, f"{year - 1}-{year}")


def run_engine(engine: str, folder: Path, year: int) -> dict:
    """Run one engine in a fresh process and return its measures."""
    return run_runner(RUNNER, engine, folder, year=year)


def show(engine: str, r: dict) -> str:
    return f"  {engine:<9} {r['seconds']:8.1f} s  peak {r['peak_mb']:7.0f} MB  {r['cases']} cases"


def main() -> None:
    parser = sizes_parser(
        __doc__.splitlines()[0],
        sizes=[100_000, 1_000_000],
        data="/tmp/snds-bench",
        backends="sql,pandas,duckdb,spark-sql,spark",
    )
    parser.add_argument("--year", type=int, default=2020)
    args = parser.parse_args()

    def header(persons: int) -> str:
        return f"== {persons} persons, reference year {args.year}"

    def folder_of(persons: int, root: Path) -> Path:
        return generate(persons, args.year, root)

    for results in each_size(args, header, folder_of, run_engine, show, args.year):
        print("  same persons on every engine:", yes_no(same_on_every_engine(results, "digest")))
        print("  same criteria of every case:", yes_no(same_on_every_engine(results, "criteria")))
        outputs = {e: r["output"] for e, r in results.items() if r["output"] is not None}
        if len(outputs) > 1:
            same = len(set(outputs.values())) == 1
            print(f"  same output rows (every column) on {', '.join(outputs)}:", yes_no(same))
        print_ratios(results, "sql", digits=1)
        if "spark" in results and "spark-sql" in results:
            ratio = results["spark"]["seconds"] / results["spark-sql"]["seconds"]
            print(f"  spark / spark-sql (the library against the SQL on one session): {ratio:.2f}x")


if __name__ == "__main__":
    main()
