"""``snds-algos run ALGORITHM``: run a registered algorithm on a built-in synthetic
sample or on a study's tables.

Without ``--data`` it generates the built-in synthetic sample (fixed seed), runs the
algorithm and compares what it found with the planted truth. With ``--data DIR`` it
reads the study's tables (parquet or CSV files named as the SNDS tables) on the chosen
backend and writes the result with ``--out`` (parquet or CSV).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: the built-in sample: persons, seed
SAMPLE_PERSONS = 20_000
SAMPLE_SEED = 2024


def register(subparsers: Any) -> None:
    """Add the ``run`` sub-command."""
    parser = subparsers.add_parser(
        "run",
        help="run an algorithm on the built-in synthetic sample or on your tables",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("algorithm", help="algorithm id (see `snds-algos list`)")
    parser.add_argument("--year", type=int, required=True, help="reference year N")
    parser.add_argument("--data", help="folder of SNDS tables (default: built-in synthetic sample)")
    parser.add_argument(
        "--backend",
        choices=["pandas", "duckdb", "spark"],
        default="pandas",
        help="pandas (default), duckdb (faster, less memory, same results) or spark",
    )
    parser.add_argument("--out", help="write the result to this .parquet or .csv file")
    parser.add_argument(
        "--persons",
        type=int,
        default=SAMPLE_PERSONS,
        help=f"size of the synthetic sample (default {SAMPLE_PERSONS})",
    )
    parser.set_defaults(handler=main)


def _spark() -> Any:
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.appName("snds-algos")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


def _write(result: Any, out: str) -> None:
    from snds_algos.backend import DUCKDB, SPARK, backend_of

    path = Path(out)
    if backend_of(result) == DUCKDB:
        if path.suffix == ".csv":
            result.write_csv(str(path), header=True)
        else:
            result.write_parquet(str(path))
    elif backend_of(result) == SPARK:
        writer = result.write.mode("overwrite")
        (writer.parquet if path.suffix != ".csv" else writer.option("header", True).csv)(str(path))
    elif path.suffix == ".csv":
        result.to_csv(path, index=False)
    else:
        result.to_parquet(path, index=False)
    print(f"written: {path}")


def main(args: argparse.Namespace) -> int:
    """Run the command."""
    import snds_algos
    from snds_algos.io import open_source
    from snds_algos.reports import Report

    algorithm = snds_algos.get(args.algorithm)
    if algorithm.card.get("kind") == "cohort":
        print(f"{args.algorithm} is a cohort: use `snds-algos cohort {args.algorithm} --out DIR`")
        return 2
    started = time.perf_counter()
    sample_dir = None
    if args.data is None:
        from snds_algos.synthetic import generate

        first = args.year - 1
        sample_dir = tempfile.mkdtemp(prefix="snds-algos-sample-")
        print(
            f"built-in synthetic sample: {args.persons} persons, years {first}-{args.year}, "
            f"seed {SAMPLE_SEED} (snds-algos synth)"
        )
        generate(args.persons, f"{first}-{args.year}", SAMPLE_SEED, sample_dir, progress=False)
        data = sample_dir
    else:
        data = args.data
    spark = _spark() if args.backend == "spark" else None
    source = open_source(data, backend=args.backend, spark=spark)
    report = Report()
    result = algorithm.run(source, year=args.year, report=report)
    from snds_algos.backend import to_pandas

    frame = to_pandas(result)
    cases = frame[frame["case"]]
    elapsed = time.perf_counter() - started
    print(
        f"{algorithm.id} {algorithm.version} ({algorithm.status}), reference year {args.year}, "
        f"backend {args.backend}"
    )
    print(f"persons identified: {len(cases)} (in {elapsed:.1f} s)")
    flags = [
        c
        for c in frame.columns
        if c not in ("patient_id", "year", "case") and not c.endswith("_date")
    ]
    for flag in flags:
        print(f"  criterion {flag}: {int(frame[flag].sum())}")
    print("cleaning and patient attribution:")
    print("  " + str(report).replace("\n", "\n  "))
    if sample_dir is not None:
        from snds_algos.synthetic import evaluate

        evaluation = evaluate(cases["patient_id"], sample_dir, args.algorithm, args.year)
        traced = evaluate(
            cases["patient_id"], sample_dir, args.algorithm, args.year, traced_only=True
        )
        print("against the planted truth (a case who left no trace in the SNDS cannot be found):")
        for label, e in (("all planted cases", evaluation), ("cases with traces", traced)):
            print(
                f"  {label:<18} sensitivity {e.sensitivity:.3f}, PPV {e.ppv:.3f} "
                f"(TP {e.true_positives}, FP {e.false_positives}, FN {e.false_negatives})"
            )
    if args.out:
        _write(result, args.out)
    sys.stdout.flush()
    return 0
