"""``snds-algos cartography --year N``: every cartography flag of year N in one run.

Without ``--data`` it generates the built-in synthetic sample (fixed seed, years N-1 and
N) and runs on it. With ``--data DIR`` it reads the study's tables (parquet or CSV files
named as the SNDS tables) on the chosen backend. The table (one row per person of the
cartography population, one boolean column per CT_IND flag) is written with ``--out``
(parquet or CSV; an existing path is refused unless ``--overwrite``; written under a
temporary name and renamed). A per-flag count summary is printed, counts of 1 to 10
persons masked unless ``--no-suppression``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from typing import Any

from snds_algos.commands.run import SAMPLE_PERSONS, SAMPLE_SEED, _spark


def register(subparsers: Any) -> None:
    """Add the ``cartography`` sub-command."""
    parser = subparsers.add_parser(
        "cartography",
        help="every CNAM cartography flag of a year in one run (CT_IND_AAAA_GN columns)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--year", type=int, required=True, help="reference year N")
    parser.add_argument("--data", help="folder of SNDS tables (default: built-in synthetic sample)")
    parser.add_argument(
        "--backend",
        choices=["pandas", "duckdb", "spark"],
        default="duckdb",
        help="duckdb (default), pandas or spark",
    )
    parser.add_argument("--out", required=True, help="write the table to this .parquet or .csv")
    parser.add_argument(
        "--overwrite", action="store_true", help="replace an existing --out (refused by default)"
    )
    parser.add_argument(
        "--flags", nargs="+", metavar="FLAG", help="only these flags (and those they depend on)"
    )
    parser.add_argument(
        "--persons",
        type=int,
        default=SAMPLE_PERSONS,
        help=f"size of the synthetic sample (default {SAMPLE_PERSONS})",
    )
    parser.add_argument(
        "--no-suppression",
        action="store_true",
        help="print exact counts, also 1 to 10 (only inside the secure platform)",
    )
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Run the command."""
    from snds_algos.io.output import TABLE_SUFFIXES, check_destination

    check_destination(args.out, overwrite=args.overwrite, suffixes=TABLE_SUFFIXES)
    if args.data is not None:
        return _run(args, args.data)
    from snds_algos.synthetic import generate

    first = args.year - 1
    with tempfile.TemporaryDirectory(prefix="snds-algos-sample-") as sample_dir:
        print(
            f"built-in synthetic sample: {args.persons} persons, years {first}-{args.year}, "
            f"seed {SAMPLE_SEED} (snds-algos synth)"
        )
        generate(args.persons, f"{first}-{args.year}", SAMPLE_SEED, sample_dir, progress=False)
        return _run(args, sample_dir)


def flag_summary(frame: Any, flags: Any, threshold: int | None) -> list[str]:
    """One line per flag: its name, label and count of persons (small counts masked).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.cartography import load_flags
    >>> flags = load_flags().select(["TOP_FDIABET_IND"])
    >>> frame = pd.DataFrame({"patient_id": list("abc"), "TOP_FDIABET_IND": [True, True, False]})
    >>> flag_summary(frame, flags, 11)
    ['  TOP_FDIABET_IND           <11  Diabète']
    >>> flag_summary(frame, flags, None)
    ['  TOP_FDIABET_IND             2  Diabète']
    """
    from snds_algos.disclosure import format_count

    return [
        f"  {f.name:<24} {format_count(int(frame[f.name].sum()), threshold=threshold):>5}  {f.label}"
        for f in flags.flags
    ]


def _run(args: argparse.Namespace, data: str) -> int:
    from snds_algos.backend import to_pandas
    from snds_algos.cartography import load_flags, run_cartography
    from snds_algos.disclosure import DEFAULT_THRESHOLD, format_count
    from snds_algos.errors import DataWarning
    from snds_algos.io import open_source
    from snds_algos.io.output import write_table
    from snds_algos.reports import Report

    threshold = None if args.no_suppression else DEFAULT_THRESHOLD
    flags = load_flags()
    if args.flags:
        try:
            flags = flags.select(args.flags)
        except KeyError as exc:
            from snds_algos.errors import ParameterError

            raise ParameterError("--flags", exc.args[0]) from None
    started = time.perf_counter()
    spark = _spark() if args.backend == "spark" else None
    source = open_source(data, backend=args.backend, spark=spark)
    report = Report()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        result = run_cartography(source, args.year, flags=flags, report=report)
        frame = to_pandas(result)
    elapsed = time.perf_counter() - started
    print(
        f"cartography {args.year}, backend {args.backend}: {len(flags.flags)} flags, "
        f"population {format_count(len(frame), threshold=threshold)} persons "
        f"(in {elapsed:.1f} s)"
    )
    print(
        "persons per flag ("
        + ("exact counts" if threshold is None else f"counts of 1 to {threshold - 1} masked")
        + "):"
    )
    print("\n".join(flag_summary(frame, flags, threshold)))
    print("population, cleaning and patient attribution (lines or persons):")
    print("  " + report.format(warnings=False, threshold=threshold).replace("\n", "\n  "))
    for table, message in report.warnings:
        print(f"snds-algos: warning: {table}: {message}", file=sys.stderr)
    path = write_table(frame, args.out, overwrite=args.overwrite)
    print(f"written: {path}")
    sys.stdout.flush()
    return 0
