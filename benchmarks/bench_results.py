"""Table 1 and Charlson of a cohort on pandas, DuckDB and Spark.

Not a test. Usage (from the repository root)::

    python benchmarks/bench_results.py 100000 [--data /tmp/snds-bench]
        [--backends pandas,duckdb,spark]

For each size the synthetic generator writes a folder of parquet files (years 2019-2020,
seed 1; the folder of ``bench_diabetes.py`` is reused when it exists). The cohort: the
persons with an antidiabetic (ATC A10) dispensing in 2020, indexed at the first one,
grouped by whether they had metformin (A10BA02) in 2020 (the cohorts package will replace
it with the example study). Each engine runs in a fresh Python process (its peak memory,
max RSS, is its own) and times, after reading the events it needs (A10 dispensings, MCO
diagnoses, ALDs, patients, each extracted once: ``backend.checkpoint``, so that Spark
does not extract them again at each action; the event extraction is timed apart):

* ``charlson``: ``snds_algos.get("charlson").run(rows, diagnoses, ald, patients)``
  collected to pandas;
* ``table1``: ``baseline_variables`` (age, sex, department, a condition, a count, the
  Charlson score) then ``table_one`` by group (its small result collected).

The Table 1 long tables and the Charlson rows of every engine are compared with pandas;
then the ratios to pandas are printed.
"""

from __future__ import annotations

from pathlib import Path

from _harness import each_size, generated, run_runner, sizes_parser, yes_no

RUNNER = r"""
import hashlib, json, time
engine, folder = {engine!r}, {folder!r}
import datetime as dt
import narwhals as nw
import snds_algos
from snds_algos.backend import checkpoint, lazy, to_native, to_pandas, computed_once
from snds_algos.events import drug_dispensings, hospital_diagnoses, long_term_illnesses, patients
from snds_algos.io import open_source
from snds_algos.results import baseline_variables, table_one

started = time.perf_counter()
source = open_source(folder, backend=engine, spark=spark)
drugs = drug_dispensings(source, atc=["A10"])
dx = hospital_diagnoses(source)
ald = long_term_illnesses(source)
people = patients(source)
# the events are read by Charlson and by Table 1: extracted once (Spark: checkpointed,
# DuckDB: held in memory, pandas: in memory already), inside the events time
drugs, dx, ald, people = (to_native(checkpoint(lazy(f))) for f in (drugs, dx, ald, people))
d = lazy(drugs).filter(nw.col("start") >= nw.lit(dt.date(2020, 1, 1), dtype=nw.Date()))
rows = d.group_by("patient_id").agg(
    nw.col("start").min().alias("index_date"),
    (nw.col("value") == "A10BA02").cast(nw.Int64()).max().alias("metformin"),
).with_columns(nw.when(nw.col("metformin") == 1).then(nw.lit("metformin"))
               .otherwise(nw.lit("other")).alias("exposure"))
rows = computed_once(rows)
rows = to_native(rows)
n_rows = len(to_pandas(rows)) if engine != "pandas" else len(rows)
events_s = time.perf_counter() - started

started = time.perf_counter()
charlson = snds_algos.get("charlson").run(rows, diagnoses=dx, ald=ald, patients=people)
charlson_pd = to_pandas(charlson).sort_values(["patient_id", "index_date"])
charlson_s = time.perf_counter() - started

started = time.perf_counter()
base = baseline_variables(
    rows, patients=people, events=dx,
    conditions={{"hypertension": ["I10", "I11", "I12", "I13", "I15"]}},
    counts={{"stays_diagnoses": "hospital_diagnosis"}},
    scores={{"charlson": (charlson, "score")}}, keep=["exposure"],
)
t1 = table_one(base, categorical=["sex", "department", "hypertension"],
               continuous=["age", "stays_diagnoses", "charlson"], group="exposure")
table1_s = time.perf_counter() - started

peak_mb = peak_rss_mb()
digest = lambda frame: hashlib.sha256(frame.round(9).astype(str).to_csv(index=False).encode()).hexdigest()
print(json.dumps({{"events_s": events_s, "charlson_s": charlson_s, "table1_s": table1_s,
                  "peak_mb": peak_mb, "rows": n_rows,
                  "table1": digest(t1.table), "charlson": digest(charlson_pd.reset_index(drop=True))}}))
"""


def data_folder(persons: int, root: Path) -> Path:
    """The data folder of ``persons`` persons, years 2019-2020 (generated once)."""
    return generated(root / f"diabetes_p{persons}_y2020", persons, "2019-2020")


def run_engine(engine: str, folder: Path) -> dict:
    """Run one engine in a fresh process and return its measures."""
    return run_runner(RUNNER, engine, folder)


def show(engine: str, r: dict) -> str:
    return (
        f"  {engine:<7} events {r['events_s']:7.1f} s  charlson {r['charlson_s']:7.1f} s  "
        f"table1 {r['table1_s']:7.1f} s  peak {r['peak_mb']:7.0f} MB  "
        f"{r['rows']} cohort rows"
    )


def main() -> None:
    parser = sizes_parser(
        __doc__.splitlines()[0],
        sizes=[100_000],
        data="/tmp/snds-bench",
        backends="pandas,duckdb,spark",
    )
    args = parser.parse_args()
    header = "== {} persons".format
    for results in each_size(args, header, data_folder, run_engine, show):
        if "pandas" in results:
            base = results["pandas"]
            for engine in results:
                if engine == "pandas":
                    continue
                r = results[engine]
                print(
                    f"  {engine} / pandas: charlson {r['charlson_s'] / base['charlson_s']:.2f}x, "
                    f"table1 {r['table1_s'] / base['table1_s']:.2f}x, "
                    f"peak memory {r['peak_mb'] / base['peak_mb']:.2f}x; same Table 1: "
                    f"{yes_no(r['table1'] == base['table1'])}, same Charlson rows: "
                    f"{yes_no(r['charlson'] == base['charlson'])}"
                )


if __name__ == "__main__":
    main()
