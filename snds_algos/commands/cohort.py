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
import os
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
        "--backend", choices=["pandas", "duckdb", "spark"], default="pandas", help="default pandas"
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
    if algo.card.get("kind") != "cohort":
        raise SystemExit(
            f"snds-algos cohort: {text} is not a cohort algorithm (kind: case); use snds-algos run"
        )
    return load_cohort_definition(algo.path / "definition.yaml")


def _atomic(path: Path, write: Any) -> None:
    """Write through ``write(tmp_path)`` to a temporary name in the folder, then rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_rows(rows: Any, path: Path) -> None:
    from snds_algos.backend import DUCKDB, SPARK, backend_of, to_pandas

    def write(tmp: Path) -> None:
        if backend_of(rows) == DUCKDB:
            rows.write_parquet(str(tmp))
        elif backend_of(rows) == SPARK:
            to_pandas(rows).to_parquet(tmp, index=False)
        else:
            rows.to_parquet(tmp, index=False)

    _atomic(path, write)


def main(args: argparse.Namespace) -> int:
    """Run the command."""
    from snds_algos.cohorts import build_cohort
    from snds_algos.cohorts.attrition import suppressed_rule_stats
    from snds_algos.io import open_source

    out = Path(args.out)
    if out.exists() and any(out.iterdir()) and not args.overwrite:
        print(
            f"snds-algos cohort: {out} exists and is not empty (use --overwrite)", file=sys.stderr
        )
        return 2
    definition = _definition(args.definition)
    out.mkdir(parents=True, exist_ok=True)
    data = args.data
    sample_dir = None
    if data is None:
        from snds_algos.synthetic import generate

        data = tempfile.mkdtemp(prefix="snds-algos-sample-")
        print(
            f"built-in synthetic sample: {args.persons} persons, years {SAMPLE_YEARS}, "
            f"seed {SAMPLE_SEED} (snds-algos synth)"
        )
        generate(args.persons, SAMPLE_YEARS, SAMPLE_SEED, data, progress=False)
        sample_dir = data
    spark = None
    if args.backend == "spark":
        from snds_algos.commands.run import _spark

        spark = _spark()
    source = open_source(data, backend=args.backend, spark=spark)
    cohort = build_cohort(definition, source, data_start=args.data_start, data_end=args.data_end)
    threshold = None if args.no_suppression else DEFAULT_THRESHOLD
    attrition = cohort.attrition_suppressed(threshold, as_text=True)
    stats = suppressed_rule_stats(cohort.rule_stats, threshold)
    _write_rows(cohort.rows, out / "rows.parquet")
    _atomic(out / "attrition.csv", lambda p: attrition.to_csv(p, index=False))
    _atomic(out / "rule_stats.csv", lambda p: stats.to_csv(p, index=False))
    _atomic(out / "flowchart.png", lambda p: cohort.flowchart(p, threshold=threshold, format="png"))
    note = "" if threshold else " (no suppression: keep inside the platform)"
    print(f"cohort {definition.id}, backend {args.backend}: attrition{note}")
    print(attrition.to_string(index=False))
    print(
        f"written: {', '.join(str(out / f) for f in ('rows.parquet', 'attrition.csv', 'rule_stats.csv', 'flowchart.png'))}"
    )
    if sample_dir is not None:
        import shutil

        shutil.rmtree(sample_dir, ignore_errors=True)
    sys.stdout.flush()
    return 0
