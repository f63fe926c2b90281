"""The example cohort study (metformin_new_users_ami) on pandas, DuckDB and Spark, beside
a hand-written DuckDB SQL of the same study on the same events.

Not a test. Usage (from the repository root)::

    python benchmarks/bench_cohorts.py 100000 [1000000] [--data /tmp/snds-bench-cohorts]
        [--backends sql,pandas,duckdb,spark]

For each size the synthetic generator writes a folder of parquet files (years
2017-2020, seed 1; reused when it exists), then the library extracts once, on DuckDB,
the events the study reads and the patients table, written to ``events.parquet`` and
``patients.parquet``. Each engine then runs in its own fresh Python process (peak
memory = max RSS of that process), reading those two files, inside the time:

* ``sql``: ``benchmarks/cohort_reference.py``, an independent DuckDB SQL of the study
  (2 threads);
* ``pandas``, ``duckdb``, ``spark``: ``snds_algos.get("metformin_new_users_ami").run(
  events=..., patients=...)`` on frames of that backend (Spark: ``local[2]``, 4 GB
  driver; the time includes building the plan, not starting the JVM), then the rows and
  the attrition collected to pandas.

The rows of every engine are compared (they must be the same), then the ratios to SQL
are printed.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

from _harness import (
    ROOT,
    each_size,
    generated,
    print_ratios,
    run_runner,
    same_on_every_engine,
    sizes_parser,
    yes_no,
)

ALGO = "metformin_new_users_ami"
START, END = dt.date(2017, 1, 1), dt.date(2020, 12, 31)

RUNNER = r"""
import datetime as dt, hashlib, json, time
engine, folder = {engine!r}, {folder!r}
start, end = dt.date.fromisoformat({start!r}), dt.date.fromisoformat({end!r})
started = time.perf_counter()
events, patients = folder + "/events.parquet", folder + "/patients.parquet"
n_steps = None
if engine == "sql":
    from cohort_reference import reference_rows
    rows = reference_rows(events, patients, start, end, threads=2)
else:
    import snds_algos
    from snds_algos.backend import to_pandas
    if engine == "pandas":
        import pandas as pd, pyarrow.parquet as pq
        from snds_algos.contracts.dtypes import arrow_to_pandas
        ev, pts = arrow_to_pandas(pq.read_table(events)), arrow_to_pandas(pq.read_table(patients))
    elif engine == "duckdb":
        import duckdb
        from snds_algos.backend import duckdb_connection
        con = duckdb_connection()
        ev, pts = con.read_parquet(events), con.read_parquet(patients)
    else:
        ev, pts = spark.read.parquet(events), spark.read.parquet(patients)
    cohort = snds_algos.get({algo!r}).run(events=ev, patients=pts, data_start=start, data_end=end)
    rows = to_pandas(cohort.rows)
    n_steps = int(cohort.attrition["n_persons"].iloc[-1])
rows = rows.sort_values(["patient_id", "index_date"]).reset_index(drop=True)
cols = ["patient_id", "index_date", "exit_date", "exit_reason", "entry_value", "duration_days"]
digest = hashlib.sha256(rows[cols].astype(str).to_csv(index=False).encode()).hexdigest()
seconds = time.perf_counter() - started
peak_mb = peak_rss_mb()
print(json.dumps({{"seconds": seconds, "peak_mb": peak_mb, "rows": len(rows), "digest": digest,
                  "last_step_persons": n_steps}}))
"""


def prepare(persons: int, root: Path) -> Path:
    """The data folder with the raw tables, the events and the patients (made once)."""
    folder = generated(root / f"cohorts_p{persons}", persons, f"{START.year}-{END.year}")
    sys.path.insert(0, str(ROOT))
    if not (folder / "events.parquet").exists():
        import snds_algos
        from snds_algos.cohorts.build import _events_frame
        from snds_algos.cohorts.extract import extract_cohort_events
        from snds_algos.io import open_source

        started = time.perf_counter()
        from snds_algos.cohorts import load_cohort_definition

        definition = load_cohort_definition(snds_algos.get(ALGO).path / "definition.yaml")
        source = open_source(str(folder), backend="duckdb")
        extracted = extract_cohort_events(definition, source, data_start=START, data_end=END)
        patients = extracted.pop("patients")
        _events_frame(extracted).to_native().write_parquet(str(folder / "events.parquet"))
        patients.write_parquet(str(folder / "patients.parquet"))
        print(f"  extracted the events once (DuckDB) in {time.perf_counter() - started:.1f} s")
    return folder


def run_engine(engine: str, folder: Path) -> dict:
    """Run one engine in a fresh process and return its measures."""
    return run_runner(RUNNER, engine, folder, start=str(START), end=str(END), algo=ALGO)


def show(engine: str, r: dict) -> str:
    return f"  {engine:<7} {r['seconds']:8.2f} s  peak {r['peak_mb']:7.0f} MB  {r['rows']} rows"


def main() -> None:
    parser = sizes_parser(
        __doc__.splitlines()[0],
        sizes=[100_000],
        data="/tmp/snds-bench-cohorts",
        backends="sql,pandas,duckdb,spark",
    )
    args = parser.parse_args()
    header = f"== {{}} persons, {START} to {END}".format
    for results in each_size(args, header, prepare, run_engine, show):
        same = same_on_every_engine(results, "digest")
        print("  same rows (every column) on every engine:", yes_no(same))
        print_ratios(results, "sql")


if __name__ == "__main__":
    main()
