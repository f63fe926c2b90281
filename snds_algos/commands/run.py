"""``snds-algos run ALGORITHM``: run a registered algorithm on a built-in synthetic
sample or on a study's tables.

Without ``--data`` it generates the built-in synthetic sample (fixed seed), runs the
algorithm and compares what it found with the planted truth. With ``--data DIR`` it
reads the study's tables (parquet or CSV files named as the SNDS tables) on the chosen
backend and writes the result with ``--out`` (parquet or CSV; an existing path is
refused unless ``--overwrite``; the file is written under a temporary name and renamed,
so that a failed or interrupted write never replaces a previous output). Errors are
printed as ``snds-algos: error: ...`` (exit code 2); warnings about incomplete data as
``snds-algos: warning: ...``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
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
        "--overwrite", action="store_true", help="replace an existing --out (refused by default)"
    )
    parser.add_argument(
        "--persons",
        type=int,
        default=SAMPLE_PERSONS,
        help=f"size of the synthetic sample (default {SAMPLE_PERSONS})",
    )
    parser.add_argument(
        "--no-disambiguation",
        action="store_true",
        help="remove PMSI stays on a NIR shared by several persons instead of attributing "
        "them by the stay's sex and age (default: attribute them)",
    )
    parser.add_argument(
        "--no-suppression",
        action="store_true",
        help="print exact counts, also 1 to 10 (only for work inside the secure platform; "
        "by default counts of 1 to 10 persons or lines read <11)",
    )
    parser.set_defaults(handler=main)


def _spark() -> Any:
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.appName("snds-algos")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )


def _write(result: Any, out: str, overwrite: bool) -> None:
    from snds_algos.io.output import write_table

    path = write_table(result, out, overwrite=overwrite)
    print(f"written: {path}")


def main(args: argparse.Namespace) -> int:
    """Run the command."""
    import snds_algos

    algorithm = snds_algos.get(args.algorithm)
    if algorithm.kind != "case":
        from snds_algos.errors import ParameterError

        raise ParameterError(
            "ALGORITHM",
            f"{algorithm.id} is a {algorithm.kind} algorithm; `run` runs case identification "
            "algorithms"
            + {
                "cohort": f" (use `snds-algos cohort {algorithm.id} --out DIR`)",
                "pathway": f" (use `snds-algos pathways {algorithm.id} --out DIR`)",
            }.get(
                algorithm.kind, f" (use {algorithm.id} from Python: snds-algos show {algorithm.id})"
            ),
        )
    if args.out:  # before computing: a bad or existing destination fails now, not after
        from snds_algos.io.output import TABLE_SUFFIXES, check_destination

        check_destination(args.out, overwrite=args.overwrite, suffixes=TABLE_SUFFIXES)
    if args.data is not None:
        return _run(args, algorithm, args.data, None)
    from snds_algos.synthetic import generate

    first = args.year - 1
    # the built-in sample lives in a temporary folder removed at the end (also on errors
    # and interrupts): nothing is left behind in the temporary folder
    with tempfile.TemporaryDirectory(prefix="snds-algos-sample-") as sample_dir:
        print(
            f"built-in synthetic sample: {args.persons} persons, years {first}-{args.year}, "
            f"seed {SAMPLE_SEED} (snds-algos synth)"
        )
        generate(args.persons, f"{first}-{args.year}", SAMPLE_SEED, sample_dir, progress=False)
        return _run(args, algorithm, sample_dir, sample_dir)


def _run(args: argparse.Namespace, algorithm: Any, data: str, sample_dir: str | None) -> int:
    from snds_algos.disclosure import DEFAULT_THRESHOLD, format_count
    from snds_algos.errors import DataWarning
    from snds_algos.io import open_source
    from snds_algos.reports import Report

    threshold = None if args.no_suppression else DEFAULT_THRESHOLD
    started = time.perf_counter()
    spark = _spark() if args.backend == "spark" else None
    source = open_source(data, backend=args.backend, spark=spark)
    report = Report()
    options = {"disambiguate": False} if args.no_disambiguation else {}
    with warnings.catch_warnings():
        # data warnings are recorded in the report and printed once below
        warnings.simplefilter("ignore", DataWarning)
        result = algorithm.run(source, year=args.year, report=report, **options)
        from snds_algos.backend import to_pandas

        frame = to_pandas(result)
    cases = frame[frame["case"]]
    elapsed = time.perf_counter() - started
    print(
        f"{algorithm.id} {algorithm.version} ({algorithm.status}), reference year {args.year}, "
        f"backend {args.backend}"
    )
    print(
        f"persons identified: {format_count(len(cases), threshold=threshold)} (in {elapsed:.1f} s)"
    )
    flags = [
        c
        for c in frame.columns
        if c not in ("patient_id", "year", "case") and not c.endswith("_date")
    ]
    for flag in flags:
        print(f"  criterion {flag}: {format_count(int(frame[flag].sum()), threshold=threshold)}")
    print(
        "cleaning and patient attribution (lines; "
        + ("exact counts" if threshold is None else f"counts of 1 to {threshold - 1} masked")
        + "):"
    )
    print("  " + report.format(warnings=False, threshold=threshold).replace("\n", "\n  "))
    _warn_nobody(report, len(cases))
    for table, message in report.warnings:
        print(f"snds-algos: warning: {table}: {message}", file=sys.stderr)
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
        _write(result, args.out, args.overwrite)
    sys.stdout.flush()
    return 0


def _warn_nobody(report: Any, found: int) -> None:
    """A warning in ``report`` when nobody was found because nobody could be attributed
    (an empty IR_BEN_R, a referential matching no person)."""
    if found:
        return
    counts = report.to_pandas()
    steps = counts[counts["step"].str.startswith("identity:")]
    attributable = steps.groupby("table")["rows_out"].last() if len(steps) else None
    rows_in = steps.groupby("table")["rows_in"].first() if len(steps) else None
    if attributable is not None and int(rows_in.sum()) > 0 and int(attributable.sum()) == 0:
        lost = ", ".join(f"{t} ({int(n)} rows)" for t, n in rows_in.items() if n)
        report.warnings.append(
            (
                "IR_BEN_R",
                "no person found because no row could be attributed to a person of IR_BEN_R "
                f"(rows of {lost}: see the identity:* steps above); is IR_BEN_R empty or from "
                "another extract?",
            )
        )
    elif attributable is None or int(rows_in.sum()) == 0:
        report.warnings.append(
            ("(result)", "no person found: the tables hold no event the definition reads")
        )
