"""MCO stays on a shared NIR: how many are lost to ambiguity with and without the sex and
age disambiguation, and whether the attributions are right (not a test).

Usage::

    python benchmarks/bench_identity.py 20000 100000 [--years 2019-2020] [--seed 2024]
        [--data /tmp/snds-identity] [--backends pandas,duckdb,spark]

For each size the synthetic generator writes a folder of parquet files (reused when it
exists). On each backend, :func:`snds_algos.events.hospital_stays` runs twice
(``disambiguate=False`` then ``True``); the report gives the MCO stays that reach the
attribution (valid NIR found in IR_BEN_R), those attributed by the key alone, by sex and
age, and those left ambiguous; each attributed stay is compared with ``_truth_stays``
(who the generator gave the stay to). Printed: one line per backend and setting.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path


def generate(persons: int, years: str, seed: int, root: Path) -> Path:
    from snds_algos.synthetic import generate as synth

    folder = root / f"{persons}-{years}-{seed}"
    if not (folder / "IR_BEN_R.parquet").exists():
        synth(persons, years, seed, folder, progress=False)
    return folder


def truth(folder: Path):
    import pandas as pd

    t = pd.read_parquet(folder / "_truth_stays.parquet")
    t = t[t["table"].str.startswith("T_MCO")]
    year = "20" + t["table"].str[5:7]
    group = "MCO:" + t["ETA_NUM"] + ":" + t["stay_num"] + ":" + year
    return pd.DataFrame({"group_id": group, "truth": t["BEN_IDT_ANO"]})


def measure(folder: Path, backend: str, disambiguate: bool, spark=None) -> dict:
    from snds_algos.backend import to_pandas
    from snds_algos.events import hospital_stays
    from snds_algos.io import open_source
    from snds_algos.reports import Report

    source = open_source(folder, backend=backend, spark=spark)
    report = Report()
    started = time.perf_counter()
    stays = to_pandas(hospital_stays(source, report=report, disambiguate=disambiguate))
    seconds = time.perf_counter() - started
    steps = report.to_pandas()
    steps = steps[steps["table"] == "T_MCOaaC"].set_index("step")
    notes = report.notes_pandas()
    notes = notes[notes["table"] == "T_MCOaaC"].set_index("step")
    merged = stays[["group_id", "patient_id"]].merge(truth(folder), on="group_id", how="left")
    wrong = merged["truth"].notna() & (merged["patient_id"] != merged["truth"])
    return {
        "reached": int(steps.loc["identity:ambiguous", "rows_in"]),
        "by_key": int(notes.loc["identity:attributed_by_key", "rows_counted"]),
        "by_sex_age": int(notes.loc["identity:attributed_by_sex_age", "rows_counted"]),
        "ambiguous": int(steps.loc["identity:ambiguous", "rows_removed"]),
        "stays": len(stays),
        "unknown_truth": int(merged["truth"].isna().sum()),
        "wrong": int(wrong.sum()),
        "seconds": seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--years", default="2019-2020")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--data", default="/tmp/snds-identity")
    parser.add_argument("--backends", default="pandas,duckdb,spark")
    args = parser.parse_args()
    spark = None
    if "spark" in args.backends:
        from pyspark.sql import SparkSession

        spark = (
            SparkSession.builder.master("local[2]")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.enabled", "false")
            .getOrCreate()
        )
    print(
        "persons backend disambiguation | stays reaching attribution | by key | by sex+age "
        "| ambiguous (share) | wrong | seconds"
    )
    for size in args.sizes:
        folder = generate(size, args.years, args.seed, Path(args.data))
        for backend in args.backends.split(","):
            for disambiguate in (False, True):
                m = measure(folder, backend, disambiguate, spark)
                share = m["ambiguous"] / m["reached"]
                print(
                    f"{size} {backend} {'on' if disambiguate else 'off'} | {m['reached']} | "
                    f"{m['by_key']} | {m['by_sex_age']} | {m['ambiguous']} ({share:.2%}) | "
                    f"{m['wrong']} of {m['stays']} (truth missing {m['unknown_truth']}) | "
                    f"{m['seconds']:.1f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
