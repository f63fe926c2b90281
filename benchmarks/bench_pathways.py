"""Care pathways: exposure periods and PDC of all A10 dispensings with the library on
pandas, DuckDB and Spark, against a hand-written DuckDB SQL of the carryover periods
(not a test).

Usage::

    python benchmarks/bench_pathways.py --persons 100000 1000000 [--years 2019-2020]
        [--data /tmp/snds-bench] [--engines sql,pandas,duckdb,spark] [--repeat 1]

For each size the synthetic generator writes a folder of parquet files (reused when it
exists) and the A10 ``drug_dispensing`` events are extracted once (DuckDB backend) to
``a10_events.parquet`` in that folder (reused too). Then each engine runs in its own
process (so that its peak memory is its own), reading the events file:

* ``periods``: :func:`snds_algos.pathways.exposure_periods` (carryover, grace 15, ATC7
  keys, 30/90-day packs, boxes capped at 10);
* ``pdc``: :func:`snds_algos.pathways.pdc` over the last year (PQA index date);
* ``states``: the periods, then :func:`snds_algos.pathways.treatment_states` over the
  follow-up from the first exposure to the end of the data;

and ``sql`` runs one DuckDB query of the same carryover periods with window functions
(2 threads, as the library's DuckDB connection is left at its default). Each engine
(and the SQL) runs its stage once untimed, then timed (``--no-warmup`` times the first
run: it adds the first-call costs, lazy imports and Spark's JIT). Times include
reading the events file; DuckDB results are fetched as Arrow, Spark results written to
a ``noop`` sink and counted, pandas results are in memory. Each engine writes its rows
to ``out/<engine>_<stage>.parquet``; the rows are compared (sorted) with the SQL's
periods and with pandas' PDC, and the table of times, ratios to the SQL and peak memory
(``ru_maxrss`` of the engine's process; for Spark the Python driver only, the JVM is
not counted) is printed.

To add a stage (states, lines...), write a ``stage_<name>(events, engine, year)``
function returning the native result and add it to ``STAGES``.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from pathlib import Path

from _harness import generated, peak_rss_mb, run_child, spark_session

HERE = Path(__file__).resolve()


# --------------------------------------------------------------------------- data


def generate(persons: int, years: str, root: Path) -> Path:
    """The generated SNDS folder of ``persons`` persons (written once)."""
    return generated(root / f"p{persons}", persons, years, progress=True)


def events_file(folder: Path) -> Path:
    """All A10 dispensings of the folder as a parquet file of events (written once)."""
    path = folder / "a10_events.parquet"
    if not path.exists():
        from snds_algos.events import drug_dispensings
        from snds_algos.io import open_source

        started = time.perf_counter()
        events = drug_dispensings(open_source(folder, backend="duckdb"), atc=["A10"])
        events.write_parquet(str(path))
        print(f"  extracted A10 events in {time.perf_counter() - started:.1f} s", flush=True)
    return path


# --------------------------------------------------------------------------- stages


def read_events(path: Path, engine: str, spark=None):
    if engine == "pandas":
        import pyarrow.parquet as pq

        from snds_algos.contracts.dtypes import arrow_to_pandas

        return arrow_to_pandas(pq.read_table(path))
    if engine == "duckdb":
        from snds_algos.backend import duckdb_connection

        return duckdb_connection().read_parquet(str(path))
    return spark.read.parquet(str(path))


def stage_periods(events, engine: str, year: int):
    from snds_algos.pathways import exposure_periods

    return exposure_periods(events, strategy="carryover", grace_days=15)


def stage_pdc(events, engine: str, year: int):
    from snds_algos.pathways import pdc

    return pdc(events, window=(f"{year}-01-01", f"{year}-12-31"))


def stage_states(events, engine: str, year: int):
    """Periods, then the treatment states over a follow-up from the first exposure to
    the end of the data (transitions are a cheap pass over the states)."""
    from snds_algos.pathways import exposure_periods, treatment_states

    periods = exposure_periods(events, strategy="carryover", grace_days=15)
    return treatment_states(periods, data_end=f"{year}-12-31")


STAGES = {"periods": stage_periods, "pdc": stage_pdc, "states": stage_states}


def _consume(result, engine: str) -> None:
    if engine == "duckdb":
        result.to_arrow_table()
    elif engine == "spark":
        result.write.format("noop").mode("overwrite").save()


def run_engine(path: Path, engine: str, year: int, out: Path, warmup: bool = True) -> dict:
    """Time every stage on ``engine`` in this process; write the rows; return figures."""
    spark = make_spark() if engine == "spark" else None
    import snds_algos.pathways  # noqa: F401  (imports are not timed)

    figures = {}
    for name, stage in STAGES.items():
        if warmup:  # one untimed run: first-call costs (lazy imports, JIT) are not timed
            _consume(stage(read_events(path, engine, spark), engine, year), engine)
        gc.collect()
        started = time.perf_counter()
        result = stage(read_events(path, engine, spark), engine, year)
        target = out / f"{engine}_{name}.parquet"
        if engine == "duckdb":
            table = result.to_arrow_table()
            elapsed = time.perf_counter() - started
            rows = table.num_rows
            import pyarrow.parquet as pq

            pq.write_table(table, target)
        elif engine == "spark":
            result.cache()
            result.write.format("noop").mode("overwrite").save()
            elapsed = time.perf_counter() - started
            rows = result.count()
            result.toPandas().to_parquet(target)
            result.unpersist()
        else:
            elapsed = time.perf_counter() - started
            rows = len(result)
            result.to_parquet(target)
        figures[name] = (elapsed, rows)
    if spark is not None:
        spark.stop()
    peak = peak_rss_mb()
    return {"stages": figures, "peak_mb": peak}


# --------------------------------------------------------------------------- DuckDB SQL


def periods_sql(path: Path, grace: int = 15, max_boxes: int = 10) -> str:
    """Carryover periods in one query (window functions), on the same events."""
    return f"""
    WITH lines AS (
        SELECT patient_id, value AS key, start,
               CAST(round(least(weight, {max_boxes}) * CASE WHEN large_pack THEN 90 ELSE 30 END)
                    AS BIGINT) AS supply
        FROM read_parquet('{path}') WHERE weight > 0 AND value IS NOT NULL
    ), fills AS (
        SELECT patient_id, key, CAST(start - DATE '1970-01-01' AS BIGINT) AS d,
               sum(supply) AS supply
        FROM lines GROUP BY patient_id, key, start
    ), cum AS (
        SELECT *, sum(supply) OVER w AS s FROM fills
        WINDOW w AS (PARTITION BY patient_id, key ORDER BY d ROWS UNBOUNDED PRECEDING)
    ), ends AS (
        SELECT *, s + max(d - 1 - s + supply) OVER w AS e FROM cum
        WINDOW w AS (PARTITION BY patient_id, key ORDER BY d ROWS UNBOUNDED PRECEDING)
    ), gaps AS (
        SELECT *, e - supply + 1 AS c, lag(e) OVER w AS prev FROM ends
        WINDOW w AS (PARTITION BY patient_id, key ORDER BY d)
    ), numbered AS (
        SELECT *, sum(CASE WHEN prev IS NULL OR c - prev - 1 > {grace} THEN 1 ELSE 0 END)
                  OVER w AS period_no
        FROM gaps
        WINDOW w AS (PARTITION BY patient_id, key ORDER BY d ROWS UNBOUNDED PRECEDING)
    )
    SELECT patient_id, key, CAST(period_no AS BIGINT) AS period_no,
           CAST(DATE '1970-01-01' + CAST(min(c) AS INTEGER) AS DATE) AS start,
           CAST(DATE '1970-01-01' + CAST(max(e) AS INTEGER) AS DATE) AS "end",
           count(*) AS n_dispensings, CAST(sum(supply) AS BIGINT) AS supplied_days,
           CAST(sum(supply) AS BIGINT) AS covered_days,
           CAST(max(e) - min(c) + 1 - sum(supply) AS BIGINT) AS gap_days
    FROM numbered GROUP BY patient_id, key, period_no
    """


def run_sql(path: Path, out: Path, warmup: bool = True) -> dict:
    import duckdb
    import pyarrow.parquet as pq

    con = duckdb.connect()
    con.execute("SET threads = 2")
    if warmup:
        con.sql(periods_sql(path)).to_arrow_table()
    gc.collect()
    started = time.perf_counter()
    table = con.sql(periods_sql(path)).to_arrow_table()
    elapsed = time.perf_counter() - started
    pq.write_table(table, out / "sql_periods.parquet")
    con.close()
    peak = peak_rss_mb()
    return {"stages": {"periods": (elapsed, table.num_rows)}, "peak_mb": peak}


# --------------------------------------------------------------------------- checks


def same_rows(a: Path, b: Path, order: list[str]) -> bool:
    import pandas as pd
    import pyarrow.parquet as pq

    from snds_algos.contracts.dtypes import arrow_to_pandas

    def load(p: Path) -> pd.DataFrame:
        frame = arrow_to_pandas(pq.read_table(p))
        frame = frame.sort_values(order).reset_index(drop=True)
        return frame.astype({c: "string" for c in frame.columns})

    x, y = load(a), load(b)
    return list(x.columns) == list(y.columns) and x.equals(y)


def make_spark():
    return spark_session(
        driver_memory="6g",
        shuffle_partitions=8,
        log_level="ERROR",
        app_name="bench-pathways",
        arrow=True,
    )


def child(args: argparse.Namespace) -> None:
    path, out = Path(args.events), Path(args.out)
    if args.one == "sql":
        figures = run_sql(path, out, warmup=not args.no_warmup)
    else:
        figures = run_engine(path, args.one, args.year, out, warmup=not args.no_warmup)
    print("RESULT " + json.dumps(figures), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", nargs="*", type=int, default=[100_000, 1_000_000])
    parser.add_argument("--years", default="2019-2020")
    parser.add_argument("--data", default="/tmp/snds-bench")
    parser.add_argument("--engines", default="sql,pandas,duckdb,spark")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--no-warmup", action="store_true", help="time the first run too")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--events", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    parser.add_argument("--year", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        child(args)
        return
    engines = args.engines.split(",")
    year = int(args.years.split("-")[-1])
    summary = []
    for persons in args.persons:
        print(f"{persons} persons", flush=True)
        folder = generate(persons, args.years, Path(args.data))
        path = events_file(folder)
        out = folder / "pathways_out"
        out.mkdir(exist_ok=True)
        results = {}
        for engine in engines:
            best = None
            for _ in range(args.repeat):
                cmd = [str(HERE), "--one", engine, "--events", str(path),
                       "--out", str(out), "--year", str(year)]  # fmt: skip
                if args.no_warmup:
                    cmd.append("--no-warmup")
                try:
                    figures = run_child(cmd, name=engine, marker="RESULT ", cwd=None)
                except RuntimeError as failed:
                    print(failed, flush=True)
                    raise SystemExit(f"{engine} failed") from None
                if best is None or sum(s[0] for s in figures["stages"].values()) < sum(
                    s[0] for s in best["stages"].values()
                ):
                    best = figures
            results[engine] = best
            shown = ", ".join(f"{k} {s:.2f} s ({n} rows)" for k, (s, n) in best["stages"].items())
            print(f"  {engine}: {shown}; peak {best['peak_mb']:.0f} MB", flush=True)
        checks = []
        for engine in engines:
            if engine == "sql":
                continue
            if "sql" in engines:
                ok = same_rows(out / "sql_periods.parquet", out / f"{engine}_periods.parquet",
                               ["patient_id", "key", "start"])  # fmt: skip
                checks.append(f"{engine} periods == sql: {ok}")
            if engine != "pandas" and "pandas" in engines:
                ok = same_rows(out / "pandas_pdc.parquet", out / f"{engine}_pdc.parquet",
                               ["patient_id", "key"])  # fmt: skip
                checks.append(f"{engine} pdc == pandas: {ok}")
                ok = same_rows(out / "pandas_states.parquet", out / f"{engine}_states.parquet",
                               ["patient_id", "start"])  # fmt: skip
                checks.append(f"{engine} states == pandas: {ok}")
        print("  " + "; ".join(checks), flush=True)
        summary.append((persons, results))
    print("\npersons  engine   periods (s)  ratio to sql   pdc (s)  states (s)   peak MB")
    for persons, results in summary:
        base = results.get("sql", {}).get("stages", {}).get("periods", [None])[0]
        for engine, res in results.items():
            p = res["stages"]["periods"][0]
            pdc_s = res["stages"].get("pdc", [float("nan")])[0]
            st_s = res["stages"].get("states", [float("nan")])[0]
            ratio = f"{p / base:10.2f}x" if base else " " * 11
            print(
                f"{persons:>7}  {engine:<7} {p:11.2f}  {ratio}  {pdc_s:9.2f}  {st_s:10.2f}"
                f"  {res['peak_mb']:8.0f}"
            )


if __name__ == "__main__":
    main()
