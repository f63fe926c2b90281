"""Events extraction: the library on pandas, DuckDB and Spark against a hand-written
DuckDB SQL (not a test).

Usage::

    python benchmarks/bench_events.py 100000 1000000 [--years 2019-2020] [--data /tmp/snds-bench]
        [--backends sql,pandas,duckdb,spark-sql,spark] [--repeat 1]

For each size the synthetic generator writes a folder of parquet files (reused when it
exists), then, in one run, the same work is timed three ways:

* ``drugs``: all A10 dispensings (ER_PRS_F cleaned, + ER_ETE_F, 9-key join to ER_PHA_F,
  IR_PHA_R, patient attribution, regularisation);
* ``diagnoses``: all E10-E14 MCO diagnoses (B + C cleaned, attribution, DP/DR of stays
  and units, associated diagnoses, duplicates removed);

with :func:`snds_algos.events.drug_dispensings` / :func:`hospital_diagnoses` on pandas,
the same on the DuckDB backend (DuckDB relations, result computed and held in memory),
the same on Spark (local[2], executed with a ``noop`` write), and one hand-written DuckDB
SQL each (``sql``, 2 threads) doing the same joins and filters on the same files, and
that same SQL run by ``spark.sql`` on the library's Spark session (``spark-sql``: the
parquet files as temporary views, executed with a ``noop`` write as the library on
Spark; :func:`_harness.spark_sql_of` maps the few DuckDB spellings). Each time includes
reading the files. Row counts are printed side by side (they must agree),
then the ratios to the SQL and the library on Spark / Spark SQL. With ``--repeat N`` each measure is the best of N runs.
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

ICD = ("E10", "E11", "E12", "E13", "E14")
DCIR_KEYS = (
    "FLX_DIS_DTD", "FLX_TRT_DTD", "FLX_EMT_TYP", "FLX_EMT_NUM", "FLX_EMT_ORD",
    "ORG_CLE_NUM", "DCT_ORD_NUM", "PRS_ORD_NUM", "REM_TYP_AFF",
)  # fmt: skip
QUALITY = ("NIR_RET", "NAI_RET", "SEX_RET", "SEJ_RET", "FHO_RET", "PMS_RET", "DAT_RET")


def generate(persons: int, years: str, root: Path) -> Path:
    folder = root / f"p{persons}"
    if not (folder / "ER_PRS_F.parquet").exists() and not (folder / "ER_PRS_F").exists():
        from snds_algos.synthetic import generate as gen

        started = time.perf_counter()
        gen(persons, years, 1, str(folder))
        print(f"  generated {persons} persons in {time.perf_counter() - started:.1f} s")
    return folder


# --------------------------------------------------------------------------- library


def run_library(folder: Path, backend: str, spark=None) -> dict[str, tuple[float, int]]:
    """Time the two extractions with the library on ``backend`` (files read included)."""
    from snds_algos.events import drug_dispensings, hospital_diagnoses
    from snds_algos.io import open_source

    out = {}
    for name, extract in (
        ("drugs", lambda s: drug_dispensings(s, atc=["A10"])),
        ("diagnoses", lambda s: hospital_diagnoses(s, codes=list(ICD))),
    ):
        gc.collect()
        started = time.perf_counter()
        source = open_source(folder, backend=backend, spark=spark)
        events = extract(source)
        if backend == "duckdb":
            elapsed = time.perf_counter() - started  # events are computed by the call
            rows = events.shape[0]
        elif backend == "spark":
            events.cache()
            events.write.format("noop").mode("overwrite").save()
            elapsed = time.perf_counter() - started
            rows = events.count()
            events.unpersist()
        else:
            elapsed = time.perf_counter() - started
            rows = len(events)
        out[name] = (elapsed, rows)
    return out


# --------------------------------------------------------------------------- DuckDB


def _files(folder: Path, table: str) -> str:
    path = folder / f"{table}.parquet"
    return f"'{path}'" if path.exists() else f"'{folder / table}/**/*.parquet'"


def drugs_sql(folder: Path) -> str:
    keys = ", ".join(DCIR_KEYS)
    join_keys = " AND ".join(f"f.{k} = p.{k}" for k in DCIR_KEYS)
    ete_keys = " AND ".join(f"e.{k} = p.{k}" for k in DCIR_KEYS)
    has_ete = (folder / "ER_ETE_F.parquet").exists() or (folder / "ER_ETE_F").exists()
    taa = (
        f"AND NOT EXISTS (SELECT 1 FROM read_parquet({_files(folder, 'ER_ETE_F')}) e "
        f"WHERE {ete_keys} AND e.ETE_IND_TAA = '1')"
        if has_ete
        else ""
    )
    return f"""
    WITH ref AS (
        SELECT PHA_CIP_C13, min(PHA_ATC_C07) AS atc, min(PHA_CND_TOP) AS cnd
        FROM read_parquet({_files(folder, "IR_PHA_R")})
        WHERE PHA_ATC_C07 LIKE 'A10%' GROUP BY PHA_CIP_C13
    ), prs AS (
        SELECT {keys}, BEN_NIR_PSA, BEN_RNG_GEM, EXE_SOI_DTD
        FROM read_parquet({_files(folder, "ER_PRS_F")}) p
        WHERE coalesce(DPN_QLF, '') <> '71' AND coalesce(PRS_DPN_QLP, '') <> '71'
          AND coalesce(BSE_PRS_NAT, '') <> '0' {taa}
    ), persons AS (
        SELECT BEN_NIR_PSA, BEN_RNG_GEM, min(pid) AS pid
        FROM (SELECT DISTINCT BEN_NIR_PSA, BEN_RNG_GEM,
                     coalesce(BEN_IDT_ANO, BEN_NIR_PSA || '_' || BEN_RNG_GEM) AS pid
              FROM read_parquet({_files(folder, "IR_BEN_R")}) WHERE BEN_NIR_PSA IS NOT NULL)
        GROUP BY BEN_NIR_PSA, BEN_RNG_GEM HAVING count(DISTINCT pid) = 1
    ), lines AS (
        SELECT b.pid, p.EXE_SOI_DTD, f.PHA_PRS_C13, r.atc, r.cnd, f.PHA_ACT_QSN
        FROM read_parquet({_files(folder, "ER_PHA_F")}) f
        JOIN ref r ON f.PHA_PRS_C13 = r.PHA_CIP_C13
        JOIN prs p ON {join_keys}
        JOIN persons b ON b.BEN_NIR_PSA = p.BEN_NIR_PSA AND b.BEN_RNG_GEM = p.BEN_RNG_GEM
        WHERE length(p.BEN_NIR_PSA) = 17
          AND p.BEN_NIR_PSA NOT IN ('xxxxxxxxxxxxxxxxx', 'XXXXXXXXXXXXXXXXD')
    )
    SELECT pid AS patient_id, 'drug_dispensing' AS category, atc AS group_id, atc AS value,
           CAST(sum(PHA_ACT_QSN) AS DOUBLE) AS weight, EXE_SOI_DTD AS start,
           CAST(NULL AS DATE) AS "end", 'ER_PHA_F' AS source, PHA_PRS_C13 AS cip13,
           coalesce(cnd = 'GC', false) AS large_pack
    FROM (SELECT pid, EXE_SOI_DTD, PHA_PRS_C13, min(atc) AS atc, min(cnd) AS cnd,
                 sum(PHA_ACT_QSN) AS PHA_ACT_QSN
          FROM lines GROUP BY pid, EXE_SOI_DTD, PHA_PRS_C13)
    GROUP BY ALL HAVING sum(PHA_ACT_QSN) > 0
    ORDER BY patient_id, start, category, value, group_id
    """


def diagnoses_sql(folder: Path, years: list[int]) -> str:
    from snds_algos.cleaning.pmsi import geographic_finess

    finess = ", ".join(f"'{f}'" for f in geographic_finess())
    like = " OR ".join(f"{{col}} LIKE '{c}%'" for c in ICD)
    stays = []
    for year in years:
        yy = f"{year % 100:02d}"
        c_file = _files(folder, f"T_MCO{yy}C")
        import pyarrow.parquet as pq

        c_cols = set(pq.read_schema(folder / f"T_MCO{yy}C.parquet").names)
        quality = [q for q in (*QUALITY, "COH_NAI_RET", "COH_SEX_RET") if q in c_cols]
        ok = " AND ".join(f"c.{q} = '0'" for q in quality)
        stays.append(f"""
        SELECT b.ETA_NUM, b.RSA_NUM, {year} AS year, b.DGN_PAL, b.DGN_REL, c.NIR_ANO_17,
               c.EXE_SOI_DTD, c.EXE_SOI_DTF,
               CASE WHEN b.COD_SEX IN ('1', '2') THEN b.COD_SEX END AS sex,
               b.AGE_ANN AS age, b.AGE_JOU AS age_days
        FROM read_parquet({_files(folder, f"T_MCO{yy}B")}) b
        JOIN read_parquet({c_file}) c ON b.ETA_NUM = c.ETA_NUM AND b.RSA_NUM = c.RSA_NUM
        WHERE coalesce(b.GRG_GHM NOT LIKE '90%', true)
          AND NOT (coalesce(b.SEJ_TYP = 'B', false)
                   AND coalesce(b.GRG_GHM NOT IN ('28Z14Z', '28Z15Z', '28Z16Z'), true))
          AND coalesce(b.GHS_NUM <> 9999, true) AND {ok}
          AND NOT (b.ETA_NUM IN ({finess}) AND {year} <= 2017)""")
    units = " UNION ALL ".join(
        f"SELECT ETA_NUM, RSA_NUM, {y} AS year, DGN_PAL, DGN_REL "
        f"FROM read_parquet({_files(folder, f'T_MCO{y % 100:02d}UM')})"
        for y in years
    )
    assoc = " UNION ALL ".join(
        f"SELECT ETA_NUM, RSA_NUM, {y} AS year, ASS_DGN "
        f"FROM read_parquet({_files(folder, f'T_MCO{y % 100:02d}D')})"
        for y in years
    )
    return f"""
    WITH people AS (  -- a stay on a shared NIR goes to the one person its sex and age fit
        SELECT DISTINCT BEN_NIR_PSA,
               coalesce(BEN_IDT_ANO, BEN_NIR_PSA || '_' || BEN_RNG_GEM) AS pid,
               CASE WHEN BEN_SEX_COD IN ('1', '2') THEN BEN_SEX_COD END AS sex,
               CASE WHEN BEN_NAI_ANN BETWEEN 1601 AND 9999 AND BEN_NAI_MOI BETWEEN 1 AND 12
                    THEN make_date(BEN_NAI_ANN, BEN_NAI_MOI, 1) END AS born,
               CASE WHEN BEN_NAI_ANN BETWEEN 1601 AND 9999 THEN BEN_NAI_ANN END AS born_year
        FROM read_parquet({_files(folder, "IR_BEN_R")}) WHERE BEN_NIR_PSA IS NOT NULL
    ), keys AS (
        SELECT BEN_NIR_PSA, count(DISTINCT pid) AS n, min(pid) AS pid
        FROM people GROUP BY BEN_NIR_PSA
    ), valid AS (
        SELECT s.*, k.n, k.pid AS key_pid FROM ({" UNION ALL ".join(stays)}) s
        JOIN keys k ON k.BEN_NIR_PSA = s.NIR_ANO_17
        WHERE length(s.NIR_ANO_17) = 17
          AND s.NIR_ANO_17 NOT IN ('xxxxxxxxxxxxxxxxx', 'XXXXXXXXXXXXXXXXD')
    ), fits AS (
        SELECT s.ETA_NUM, s.RSA_NUM, s.year, min(p.pid) AS pid
        FROM valid s JOIN people p ON p.BEN_NIR_PSA = s.NIR_ANO_17
        WHERE s.n > 1
          AND (s.sex IS NULL OR p.sex IS NULL OR s.sex = p.sex)
          AND (s.age IS NULL OR s.EXE_SOI_DTD IS NULL OR p.born_year IS NULL
               OR (p.born IS NULL AND s.age BETWEEN year(s.EXE_SOI_DTD) - p.born_year - 1
                                                AND year(s.EXE_SOI_DTD) - p.born_year)
               OR s.age = date_sub('year', p.born, s.EXE_SOI_DTD)
               OR (month(s.EXE_SOI_DTD) = month(p.born)
                   AND s.age = date_sub('year', p.born, s.EXE_SOI_DTD) - 1))
          AND (s.age IS NULL OR s.age <> 0 OR s.age_days IS NULL OR s.EXE_SOI_DTD IS NULL
               OR p.born IS NULL OR s.age_days BETWEEN (s.EXE_SOI_DTD - p.born) - 30
                                                   AND (s.EXE_SOI_DTD - p.born))
        GROUP BY s.ETA_NUM, s.RSA_NUM, s.year HAVING count(DISTINCT p.pid) = 1
    ), stays AS (
        SELECT v.*, CASE WHEN v.n = 1 THEN v.key_pid ELSE f.pid END AS pid
        FROM valid v LEFT JOIN fits f USING (ETA_NUM, RSA_NUM, year)
        WHERE v.n = 1 OR f.pid IS NOT NULL
    ), codes AS (
        SELECT ETA_NUM, RSA_NUM, year, DGN_PAL AS code, 'DP' AS position, 'stay' AS level,
               'T_MCOaaB' AS source FROM stays WHERE {like.format(col="DGN_PAL")}
        UNION ALL
        SELECT ETA_NUM, RSA_NUM, year, DGN_REL, 'DR', 'stay', 'T_MCOaaB' FROM stays
        WHERE {like.format(col="DGN_REL")}
        UNION ALL
        SELECT ETA_NUM, RSA_NUM, year, DGN_PAL, 'DP', 'unit', 'T_MCOaaUM' FROM ({units})
        WHERE {like.format(col="DGN_PAL")}
        UNION ALL
        SELECT ETA_NUM, RSA_NUM, year, DGN_REL, 'DR', 'unit', 'T_MCOaaUM' FROM ({units})
        WHERE {like.format(col="DGN_REL")}
        UNION ALL
        SELECT ETA_NUM, RSA_NUM, year, ASS_DGN, 'DA', 'stay', 'T_MCOaaD' FROM ({assoc})
        WHERE {like.format(col="ASS_DGN")}
    )
    SELECT DISTINCT s.pid AS patient_id, 'hospital_diagnosis' AS category,
           'MCO:' || s.ETA_NUM || ':' || s.RSA_NUM || ':' || s.year AS group_id,
           c.code AS value, CAST(NULL AS DOUBLE) AS weight, s.EXE_SOI_DTD AS start,
           s.EXE_SOI_DTF AS "end", c.source, c.position, c.level
    FROM codes c JOIN stays s USING (ETA_NUM, RSA_NUM, year)
    ORDER BY patient_id, start, category, value, group_id
    """


def run_spark_sql(folder: Path, years: list[int], spark) -> dict[str, tuple[float, int]]:
    """The same SQL as :func:`run_sql`, run by ``spark.sql`` on ``spark`` (files read
    included: the temporary views are made inside the time)."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _harness import spark_sql_of

    out = {}
    for name, sql in (("drugs", drugs_sql(folder)), ("diagnoses", diagnoses_sql(folder, years))):
        gc.collect()
        started = time.perf_counter()
        events = spark.sql(spark_sql_of(sql, spark))
        events.cache()
        events.write.format("noop").mode("overwrite").save()
        elapsed = time.perf_counter() - started
        out[name] = (elapsed, events.count())
        events.unpersist()
    return out


def run_sql(folder: Path, years: list[int]) -> dict[str, tuple[float, int]]:
    import duckdb

    out = {}
    for name, sql in (("drugs", drugs_sql(folder)), ("diagnoses", diagnoses_sql(folder, years))):
        gc.collect()
        con = duckdb.connect()
        con.execute("SET threads = 2")
        started = time.perf_counter()
        table = con.sql(sql).to_arrow_table()
        out[name] = (time.perf_counter() - started, table.num_rows)
        con.close()
    return out


# --------------------------------------------------------------------------- main


def make_spark():
    import os
    import sys

    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (
        SparkSession.builder.master("local[2]")
        .appName("bench-events")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "8g")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("persons", nargs="*", type=int, default=[100_000, 1_000_000])
    parser.add_argument("--years", default="2019-2020")
    parser.add_argument("--data", default="/tmp/snds-bench")
    parser.add_argument("--backends", default="sql,pandas,duckdb,spark-sql,spark")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    backends = args.backends.split(",")
    first, last = (int(y) for y in args.years.split("-"))
    years = list(range(first, last + 1))
    spark = make_spark() if {"spark", "spark-sql"} & set(backends) else None
    if spark is not None:
        spark.sparkContext.setLogLevel("ERROR")
    root = Path(args.data)
    summary = []
    for persons in args.persons:
        print(f"{persons} persons")
        folder = generate(persons, args.years, root)
        results = {}
        for backend in backends:
            runs = []
            for _ in range(args.repeat):
                if backend == "sql":
                    runs.append(run_sql(folder, years))
                elif backend == "spark-sql":
                    runs.append(run_spark_sql(folder, years, spark))
                else:
                    runs.append(run_library(folder, backend, spark))
            results[backend] = {
                task: min((r[task] for r in runs), key=lambda x: x[0]) for task in runs[0]
            }
            measured = ", ".join(
                f"{t} {s:.2f} s ({n} rows)" for t, (s, n) in results[backend].items()
            )
            print(f"  {backend}: {measured}", flush=True)
        for task in ("drugs", "diagnoses"):
            line = f"  {task:<10}"
            for backend, res in results.items():
                seconds, rows = res[task]
                line += f"  {backend} {seconds:7.2f} s ({rows} rows)"
            if "sql" in results:
                base = results["sql"][task][0]
                ratios = [
                    f"{b}/sql {results[b][task][0] / base:.1f}x" for b in results if b != "sql"
                ]
                line += "  | " + ", ".join(ratios)
            if "spark" in results and "spark-sql" in results:
                ratio = results["spark"][task][0] / results["spark-sql"][task][0]
                line += f"  | spark/spark-sql {ratio:.2f}x"
            print(line, flush=True)
            summary.append((persons, task, {b: r[task] for b, r in results.items()}))
    print("\npersons  task       " + "  ".join(f"{b:>14}" for b in backends) + "   ratios to sql")
    for persons, task, res in summary:
        cells = "  ".join(f"{res[b][0]:12.2f} s" if b in res else " " * 14 for b in backends)
        ratios = ""
        if "sql" in res:
            ratios = ", ".join(
                f"{b} {res[b][0] / res['sql'][0]:.1f}x" for b in backends if b != "sql" and b in res
            )
        print(f"{persons:>7}  {task:<10} {cells}   {ratios}")


if __name__ == "__main__":
    main()
