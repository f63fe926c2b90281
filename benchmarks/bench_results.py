"""Table 1 by exposure group and Charlson at index of the example cohort study
(metformin_new_users_ami) on pandas, DuckDB and Spark.

Not a test. Usage (from the repository root)::

    python benchmarks/bench_results.py 100000 [1000000] [--data /tmp/snds-bench-cohorts]
        [--backends pandas,duckdb,spark]

For each size the synthetic generator writes a folder of parquet files (years
2017-2020, seed 1; the folder of ``bench_cohorts.py`` is reused when it exists), then
the library extracts once, on DuckDB, what the study reads (written once, reused):

* ``events.parquet``, ``patients.parquet``: the events of the cohort's criteria and the
  patients (the files of ``bench_cohorts.py``);
* ``diagnoses.parquet``, ``ald.parquet``: every MCO diagnosis (all positions) and every
  ALD, for the Charlson index.

Each engine then runs in a fresh Python process (its peak memory, ``VmHWM``, is its own;
Spark: ``local[2]``, 4 GB driver, the JVM's peak printed too) reading those files and
times, one after the other:

* ``cohort``: ``build_cohort`` of the example study (``snds_algos.get(
  "metformin_new_users_ami").run(events=..., patients=...)``); its rows with the exposure
  group (``metformin alone`` when the entry dispensing is A10BA02, else ``fixed
  combination``), then ``backend.checkpoint`` on DuckDB and Spark (held in memory;
  ``localCheckpoint``), since Charlson and Table 1 both read them;
* ``charlson``: ``snds_algos.get("charlson").run(rows, diagnoses, ald, patients)``,
  collected to pandas;
* ``table1``: ``baseline_variables`` (age, sex, department, hypertension, counts of
  metformin or insulin dispensings and of hospital diagnoses, the Charlson score) then
  ``table_one`` by exposure group (its small result collected).

The cohort rows, the Table 1 long tables and the Charlson rows of every engine are
compared with pandas (digests of every column); then the ratios to pandas are printed.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

from _harness import ROOT, each_size, generated, run_runner, sizes_parser, yes_no

ALGO = "metformin_new_users_ami"
START, END = dt.date(2017, 1, 1), dt.date(2020, 12, 31)
FILES = ("events", "patients", "diagnoses", "ald")

RUNNER = r"""
import datetime as dt, hashlib, json, time
engine, folder = {engine!r}, {folder!r}
start, end = dt.date.fromisoformat({start!r}), dt.date.fromisoformat({end!r})
import narwhals as nw
import snds_algos
from snds_algos.backend import checkpoint, lazy, to_native, to_pandas
from snds_algos.results import baseline_variables, table_one

paths = {{name: f"{{folder}}/{{name}}.parquet" for name in {files!r}}}
if engine == "pandas":
    import pyarrow.parquet as pq
    from snds_algos.contracts.dtypes import arrow_to_pandas
    read = lambda path: arrow_to_pandas(pq.read_table(path))
elif engine == "duckdb":
    from snds_algos.backend import duckdb_connection
    read = duckdb_connection().read_parquet
else:
    read = spark.read.parquet
frames = {{name: read(path) for name, path in paths.items()}}
columns = ["patient_id", "category", "value", "start", "end"]

started = time.perf_counter()
cohort = snds_algos.get({algo!r}).run(
    events=frames["events"], patients=frames["patients"], data_start=start, data_end=end)
rows = lazy(cohort.rows).with_columns(
    nw.when(nw.col("entry_value") == "A10BA02").then(nw.lit("metformin alone"))
    .otherwise(nw.lit("fixed combination")).alias("exposure"))
# read by Charlson and by Table 1: computed once (Spark: localCheckpoint; DuckDB: held in
# memory; pandas: computed already)
rows = to_native(checkpoint(rows))
rows_pd = to_pandas(rows).sort_values(["patient_id", "index_date"]).reset_index(drop=True)
cohort_s = time.perf_counter() - started

started = time.perf_counter()
charlson = snds_algos.get("charlson").run(
    rows, diagnoses=frames["diagnoses"], ald=frames["ald"], patients=frames["patients"])
charlson_pd = to_pandas(charlson).sort_values(["patient_id", "index_date"]).reset_index(drop=True)
charlson_s = time.perf_counter() - started

started = time.perf_counter()
base = baseline_variables(
    rows, patients=frames["patients"],
    events=nw.concat([lazy(frames[name]).filter(nw.col("category") == category).select(columns)
                      for name, category in [("events", "drug_dispensing"),
                                             ("diagnoses", "hospital_diagnosis")]]).to_native(),
    conditions={{"hypertension": {{"codes": ["I10", "I11", "I12", "I13", "I15"],
                                 "category": "hospital_diagnosis"}}}},
    counts={{"dispensings": "drug_dispensing", "diagnoses": "hospital_diagnosis"}},
    scores={{"charlson": (charlson, "score")}}, keep=["exposure"],
)
t1 = table_one(base, categorical=["sex", "department", "hypertension"],
               continuous=["age", "dispensings", "diagnoses", "charlson"], group="exposure")
table1_s = time.perf_counter() - started

jvm = jvm_peak_mb()
peak_mb = peak_hwm_mb()
digest = lambda frame: hashlib.sha256(frame.round(9).astype(str).to_csv(index=False).encode()).hexdigest()
cols = ["patient_id", "index_date", "exit_date", "exit_reason", "entry_value", "duration_days", "exposure"]
print(json.dumps({{"cohort_s": cohort_s, "charlson_s": charlson_s, "table1_s": table1_s,
                  "peak_mb": peak_mb, "jvm_peak_mb": jvm, "rows": len(rows_pd),
                  "groups": rows_pd["exposure"].value_counts().sort_index().to_dict(),
                  "cohort": digest(rows_pd[cols]), "table1": digest(t1.table),
                  "charlson": digest(charlson_pd)}}))
"""


def prepare(persons: int, root: Path) -> Path:
    """The data folder with the raw tables and the events extracted once (made once)."""
    folder = generated(root / f"cohorts_p{persons}", persons, f"{START.year}-{END.year}")
    if all((folder / f"{name}.parquet").exists() for name in FILES):
        return folder
    sys.path.insert(0, str(ROOT))
    import snds_algos
    from snds_algos.cohorts import load_cohort_definition
    from snds_algos.cohorts.build import _events_frame
    from snds_algos.cohorts.extract import extract_cohort_events
    from snds_algos.events import hospital_diagnoses, long_term_illnesses
    from snds_algos.io import open_source

    started = time.perf_counter()
    source = open_source(str(folder), backend="duckdb")
    if not (folder / "events.parquet").exists() or not (folder / "patients.parquet").exists():
        definition = load_cohort_definition(snds_algos.get(ALGO).path / "definition.yaml")
        extracted = extract_cohort_events(definition, source, data_start=START, data_end=END)
        patients = extracted.pop("patients")
        _events_frame(extracted).to_native().write_parquet(str(folder / "events.parquet"))
        patients.write_parquet(str(folder / "patients.parquet"))
    hospital_diagnoses(source).write_parquet(str(folder / "diagnoses.parquet"))
    long_term_illnesses(source).write_parquet(str(folder / "ald.parquet"))
    print(f"  extracted the events once (DuckDB) in {time.perf_counter() - started:.1f} s")
    return folder


def run_engine(engine: str, folder: Path) -> dict:
    """Run one engine in a fresh process and return its measures."""
    return run_runner(
        RUNNER, engine, folder, start=str(START), end=str(END), algo=ALGO, files=FILES
    )


def show(engine: str, r: dict) -> str:
    jvm = f" (JVM {r['jvm_peak_mb']} MB)" if r["jvm_peak_mb"] else ""
    return (
        f"  {engine:<7} cohort {r['cohort_s']:7.2f} s  charlson {r['charlson_s']:7.2f} s  "
        f"table1 {r['table1_s']:7.2f} s  peak {r['peak_mb']:7.0f} MB{jvm}  "
        f"{r['rows']} cohort rows {r['groups']}"
    )


def main() -> None:
    parser = sizes_parser(
        __doc__.splitlines()[0],
        sizes=[100_000],
        data="/tmp/snds-bench-cohorts",
        backends="pandas,duckdb,spark",
    )
    args = parser.parse_args()
    header = f"== {{}} persons, {START} to {END}".format
    for results in each_size(args, header, prepare, run_engine, show):
        if "pandas" not in results:
            continue
        base = results["pandas"]
        for engine, r in results.items():
            if engine == "pandas":
                continue
            print(
                f"  {engine} / pandas: cohort {r['cohort_s'] / base['cohort_s']:.2f}x, "
                f"charlson {r['charlson_s'] / base['charlson_s']:.2f}x, "
                f"table1 {r['table1_s'] / base['table1_s']:.2f}x, "
                f"peak memory {r['peak_mb'] / base['peak_mb']:.2f}x; same cohort rows: "
                f"{yes_no(r['cohort'] == base['cohort'])}, same Table 1: "
                f"{yes_no(r['table1'] == base['table1'])}, same Charlson rows: "
                f"{yes_no(r['charlson'] == base['charlson'])}"
            )


if __name__ == "__main__":
    main()
