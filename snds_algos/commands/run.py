"""``snds-algos run ALGORITHM``: run a registered algorithm on a built-in synthetic
sample or on a study's tables.

Without ``--data`` it generates the built-in synthetic sample (fixed seed), runs the
algorithm and compares what it found with the planted truth. With ``--data DIR`` it
reads the study's tables (parquet or CSV files named as the SNDS tables) on the chosen
backend (default DuckDB: the fastest on one machine, same results as pandas) and writes
the result with ``--out`` (parquet or CSV; an existing path is
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
        default="duckdb",
        help="duckdb (default: fast, little memory), pandas (same results, slower) or spark "
        "(a cluster)",
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
        from snds_algos.backend import PANDAS, backend_of, checkpoint, lazy, to_native, to_pandas

        if backend_of(result) != PANDAS:
            # computed once: the summary below and --out both read this result (a lazy
            # DuckDB or Spark frame would otherwise be computed again by the write)
            result = to_native(checkpoint(lazy(result)))
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
        _compare_with_planted(algorithm, cases["patient_id"], sample_dir, args)
    if args.out:
        _write(result, args.out, args.overwrite)
    if spark is not None:
        from snds_algos.backend import release_spark

        release_spark(spark)  # the run's cached and checkpointed frames
    sys.stdout.flush()
    return 0


def sample_lookback_gaps(algorithm: Any, year: int, sample_years: range) -> dict[str, list[int]]:
    """Per criterion of a case definition, the years it reads that the sample lacks.

    Examples
    --------
    >>> import snds_algos
    >>> sample_lookback_gaps(snds_algos.get("parkinson"), 2020, range(2019, 2021))
    {'hospital': [2016, 2017, 2018]}
    """
    from snds_algos.cases.extract import _enabled_years

    path = getattr(algorithm, "path", None)
    if path is None or not (path / "definition.yaml").is_file():
        return {}
    from snds_algos.cases.schema import is_case_definition

    if not is_case_definition(algorithm.definition):
        return {}
    from snds_algos.cases import load_definition

    definition = load_definition(path / "definition.yaml")
    gaps = {
        name: [y for y in years if y not in sample_years]
        for name, years in _enabled_years(definition, year).items()
    }
    return {name: years for name, years in gaps.items() if years}


def _compare_with_planted(algorithm: Any, found: Any, sample_dir: str, args: Any) -> None:
    """Print the look-back years the sample lacks, then the sensitivity and PPV against
    the planted truth, or why there are none: the generator plants no case of the
    condition, or planted none in this sample.

    Examples
    --------
    >>> import argparse, snds_algos
    >>> from snds_algos.synthetic import generate_tables
    >>> args = argparse.Namespace(year=2020, persons=500)
    >>> _compare_with_planted(snds_algos.get("parkinson"), [], generate_tables(500, "2019-2020", 1), args)
    note: the sample holds years 2019-2020 only; look-back years the criteria read and the sample lacks: hospital 2016, 2017, 2018 (cases found only there are missed)
    against the planted truth of parkinson (a case who left no trace in the SNDS cannot be found):
    ...
    """
    from snds_algos.synthetic.evaluate import evaluate_planted, planted_conditions

    first = args.year - 1
    gaps = sample_lookback_gaps(algorithm, args.year, range(first, args.year + 1))
    if gaps:
        read = "; ".join(
            f"{name} {', '.join(str(y) for y in years)}" for name, years in gaps.items()
        )
        print(
            f"note: the sample holds years {first}-{args.year} only; look-back years the "
            f"criteria read and the sample lacks: {read} (cases found only there are missed)"
        )
    conditions = planted_conditions(algorithm.id)
    if not conditions:
        print(
            f"against the planted truth: not measured: the generator plants no case of "
            f"{algorithm.id} (no profile of snds_algos/synthetic/data/conditions.yaml lists it "
            "under `algorithms`), so the persons identified above are compared with no truth"
        )
        return
    evaluation = evaluate_planted(found, sample_dir, conditions, args.year)
    traced = evaluate_planted(found, sample_dir, conditions, args.year, traced_only=True)
    planted = evaluation.true_positives + evaluation.false_negatives
    print(
        f"against the planted truth of {' + '.join(conditions)} (a case who left no trace in "
        "the SNDS cannot be found):"
    )
    if planted == 0:
        print(
            f"  no case of {' + '.join(conditions)} planted in this sample of {args.persons} "
            f"persons for {args.year}: sensitivity not measured (try a larger --persons)"
        )
    for label, e in (("all planted cases", evaluation), ("cases with traces", traced)):
        if e.true_positives + e.false_negatives + e.false_positives == 0:
            continue
        sens = "n/a" if e.true_positives + e.false_negatives == 0 else f"{e.sensitivity:.3f}"
        ppv = "n/a (nobody found)" if e.true_positives + e.false_positives == 0 else f"{e.ppv:.3f}"
        print(
            f"  {label:<18} sensitivity {sens}, PPV {ppv} "
            f"(TP {e.true_positives}, FP {e.false_positives}, FN {e.false_negatives})"
        )


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
