"""``snds-algos omop``: export SNDS tables as OMOP CDM 5.4 tables (parquet or CSV).

Without ``--data`` it exports the built-in synthetic sample (fixed seed). With
``--vocabulary DIR`` (an OHDSI Athena download: CONCEPT.csv, CONCEPT_RELATIONSHIP.csv)
source codes are mapped to standard concepts; without it every concept id is 0 and the
source values are kept. ``--cohort DEFINITION.yaml|ALGORITHM_ID`` (repeatable) builds
that cohort on the same data and adds it as OMOP COHORT and COHORT_DEFINITION rows, with
cohort_definition_id 1, 2... in the order given. The folder ``--out`` receives one file
per table, the mapping report, the unmapped codes and the export report (counts of 1 to
10 masked, with secondary suppression, in those files and in the printed summary, unless
``--no-suppression``); an existing non-empty folder is refused unless ``--overwrite``.
Load it into DuckDB with ``snds_algos.omop.load_duckdb``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from typing import Any

from snds_algos.commands.run import SAMPLE_SEED

#: the built-in sample of the export: persons, years
SAMPLE_PERSONS = 2_000
SAMPLE_YEARS = "2019-2020"


def register(subparsers: Any) -> None:
    """Add the ``omop`` sub-command."""
    parser = subparsers.add_parser(
        "omop",
        help="export SNDS tables as OMOP CDM 5.4 tables",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--data", help="folder of SNDS tables (default: built-in synthetic sample)")
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--vocabulary", help="folder of Athena CONCEPT and CONCEPT_RELATIONSHIP")
    parser.add_argument(
        "--backend", choices=["pandas", "duckdb", "spark"], default="duckdb",
        help="duckdb (default), pandas or spark",
    )  # fmt: skip
    parser.add_argument("--format", choices=["parquet", "csv"], default="parquet")
    parser.add_argument(
        "--cohort", action="append", default=[], metavar="DEFINITION",
        help="a cohort definition YAML or cohort algorithm id, exported as COHORT "
        "(repeatable: cohort_definition_id 1, 2... in order)",
    )  # fmt: skip
    parser.add_argument("--overwrite", action="store_true", help="replace a non-empty --out")
    parser.add_argument(
        "--no-suppression", action="store_true",
        help="exact counts in the reports and the summary (work inside the platform only)",
    )  # fmt: skip
    parser.add_argument(
        "--persons", type=int, default=SAMPLE_PERSONS,
        help=f"size of the synthetic sample (default {SAMPLE_PERSONS})",
    )  # fmt: skip
    parser.set_defaults(handler=main)


def main(args: argparse.Namespace) -> int:
    """Run the command."""
    from pathlib import Path

    from snds_algos.disclosure import DEFAULT_THRESHOLD
    from snds_algos.io import open_source
    from snds_algos.omop import export_omop, read_vocabulary, write_export
    from snds_algos.omop.writer import suppressed_mapping_report

    out = Path(args.out)
    if out.exists() and any(out.iterdir()) and not args.overwrite:
        print(f"error: output folder {out} is not empty (use --overwrite)")
        return 2
    from snds_algos.commands.cohort import _definition

    definitions = [_definition(text) for text in args.cohort]  # errors before computing
    started = time.perf_counter()
    if args.data is None:
        from snds_algos.synthetic import generate

        data = tempfile.mkdtemp(prefix="snds-algos-sample-")
        print(f"built-in synthetic sample: {args.persons} persons, years {SAMPLE_YEARS}, "
              f"seed {SAMPLE_SEED} (snds-algos synth)")  # fmt: skip
        generate(args.persons, SAMPLE_YEARS, SAMPLE_SEED, data, progress=False)
    else:
        data = args.data
    spark = None
    if args.backend == "spark":
        from snds_algos.commands.run import _spark

        spark = _spark()
    source = open_source(data, backend=args.backend, spark=spark)
    vocabulary = read_vocabulary(args.vocabulary, args.backend, spark) if args.vocabulary else None
    cohorts = None
    if definitions:
        from snds_algos.cohorts import build_cohort

        cohorts = [build_cohort(definition, source) for definition in definitions]
    export = export_omop(source, vocabulary=vocabulary, cohorts=cohorts)
    threshold = None if args.no_suppression else DEFAULT_THRESHOLD
    paths = write_export(
        export, out, format=args.format, overwrite=args.overwrite, threshold=threshold
    )
    print(f"OMOP CDM 5.4 export, backend {args.backend}, in {time.perf_counter() - started:.1f} s:")
    for path in paths:
        print(f"  written: {path}")
    masked = "exact counts" if threshold is None else f"counts of 1 to {threshold - 1} masked"
    print(f"mapping report (share of rows with a standard concept; {masked}):")
    mapping = suppressed_mapping_report(export.mapping_report(), threshold)
    print("  " + mapping.to_string(index=False).replace("\n", "\n  "))
    for number, definition in enumerate(definitions, start=1):
        print(f"cohort_definition_id {number}: {definition.id}")
    missing = export.missing_fixed_concepts()
    if missing:
        print(f"fixed concept ids absent from the vocabulary: {missing}")
    return 0
