"""``snds-algos cohort DEFINITION.yaml|ALGORITHM_ID --out DIR``: build a cohort and write
its rows, attrition, rule statistics and flowchart.

Without ``--data`` it builds the cohort on the built-in synthetic sample (fixed seed).
Written to ``--out`` (refused when it exists and is not empty, unless ``--overwrite``):
``rows.parquet`` (person level: stays inside the platform), ``attrition.csv`` and
``rule_stats.csv`` (counts of 1 to 10 masked, with secondary suppression, unless
``--no-suppression``), ``flowchart.png`` (from the same masked counts). Each file is
written to a temporary name in the folder, then renamed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from snds_algos.disclosure import DEFAULT_THRESHOLD

#: the built-in sample: persons, years, seed
SAMPLE_PERSONS = 20_000
SAMPLE_YEARS = "2017-2020"
SAMPLE_SEED = 2024


def register(subparsers: Any) -> None:
    """Add the ``cohort`` sub-command."""
    parser = subparsers.add_parser(
        "cohort",
        help="build a cohort (definition YAML or cohort algorithm id) and write its outputs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("definition", help="a cohort definition YAML file or a cohort algorithm id")
    parser.add_argument("--data", help="folder of SNDS tables (default: built-in synthetic sample)")
    parser.add_argument(
        "--backend", choices=["pandas", "duckdb", "spark"], default="duckdb", help="default duckdb"
    )
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--overwrite", action="store_true", help="write into a non-empty --out")
    parser.add_argument(
        "--no-suppression",
        action="store_true",
        help="show every count (only for results that stay inside the platform)",
    )
    parser.add_argument("--data-start", help="first day of the data (default: from the data)")
    parser.add_argument("--data-end", help="last day of the data (default: from the data)")
    parser.add_argument(
        "--persons",
        type=int,
        default=SAMPLE_PERSONS,
        help=f"sample size (default {SAMPLE_PERSONS})",
    )
    parser.set_defaults(handler=main)


def _definition(text: str) -> Any:
    from snds_algos.cohorts import load_cohort_definition

    path = Path(text)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return load_cohort_definition(path)
    import snds_algos

    algo = snds_algos.get(text)
    if algo.kind != "cohort":
        from snds_algos.errors import ParameterError

        raise ParameterError("DEFINITION", f"{text} is not a cohort algorithm (kind: {algo.kind})")
    return load_cohort_definition(algo.path / "definition.yaml")


def main(args: argparse.Namespace) -> int:
    """Run the command."""

    from snds_algos.io.output import prepare_output_dir

    definition = _definition(args.definition)
    out = prepare_output_dir(args.out, overwrite=args.overwrite)  # before computing
    if args.data is not None:
        return _run(args, definition, args.data, out)
    from snds_algos.synthetic import generate

    with tempfile.TemporaryDirectory(prefix="snds-algos-sample-") as sample:
        print(
            f"built-in synthetic sample: {args.persons} persons, years {SAMPLE_YEARS}, "
            f"seed {SAMPLE_SEED} (snds-algos synth)"
        )
        generate(args.persons, SAMPLE_YEARS, SAMPLE_SEED, sample, progress=False)
        return _run(args, definition, sample, out)


def _run(args: argparse.Namespace, definition: Any, data: str, out: Path) -> int:
    from snds_algos.cohorts import build_cohort
    from snds_algos.cohorts.attrition import suppressed_rule_stats
    from snds_algos.io import open_source
    from snds_algos.io.output import write_atomic, write_table

    spark = None
    if args.backend == "spark":
        from snds_algos.commands.run import _spark

        spark = _spark()
    source = open_source(data, backend=args.backend, spark=spark)
    cohort = build_cohort(definition, source, data_start=args.data_start, data_end=args.data_end)
    threshold = None if args.no_suppression else DEFAULT_THRESHOLD
    attrition = cohort.attrition_suppressed(threshold, as_text=True)
    stats = suppressed_rule_stats(cohort.rule_stats, threshold, attrition=cohort.attrition)
    over = args.overwrite
    written = [
        write_table(cohort.rows, out / "rows.parquet", overwrite=over),
        write_table(attrition, out / "attrition.csv", overwrite=over),
        write_table(stats, out / "rule_stats.csv", overwrite=over),
        write_atomic(
            out / "flowchart.png",
            lambda p: cohort.flowchart(p, threshold=threshold, format="png"),
            overwrite=over,
        ),
    ]
    note = "" if threshold else " (no suppression: keep inside the platform)"
    print(f"cohort {definition.id}, backend {args.backend}: attrition{note}")
    print(attrition.to_string(index=False))
    for path in written:
        print(f"written: {path}")
    sys.stdout.flush()
    return 0
