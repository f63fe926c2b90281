"""``snds-algos pathways NAME``: run a pathway algorithm (e.g. ``antidiabetic``) on the
built-in synthetic sample or on a study's tables, and write its outputs to a folder.

Writes ``periods``, ``states``, ``transitions``, ``lines``, ``adherence``, ``bins`` and
``pathways`` (parquet: person-level, for work inside the platform), ``pathway_counts.csv``
(persons per pathway, counts of 1 to 10 masked unless ``--no-suppression``), the Sankey
diagram of the pathways (``sankey.png``, from the masked counts) and the report of what
was removed (``report.txt``, masked likewise); prints a short summary. Without
``--data``, the built-in sample's recovered transitions are compared with the
trajectories the generator planted.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from typing import Any

#: the built-in sample: persons, seed, years
SAMPLE_PERSONS = 20_000
SAMPLE_SEED = 2024
SAMPLE_YEARS = "2019-2020"


def register(subparsers: Any) -> None:
    """Add the ``pathways`` sub-command.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    """
    parser = subparsers.add_parser(
        "pathways",
        help="treatment pathways (periods, states, transitions, lines, adherence, Sankey)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("name", help="pathway algorithm: antidiabetic (or antidiabetic_pathways)")
    parser.add_argument("--data", help="folder of SNDS tables (default: built-in synthetic sample)")
    parser.add_argument(
        "--backend", choices=["pandas", "duckdb", "spark"], default="duckdb",
        help="duckdb (default), pandas or spark",
    )  # fmt: skip
    parser.add_argument("--out", required=True, help="output folder (new or empty)")
    parser.add_argument(
        "--overwrite", action="store_true", help="write into a non-empty --out folder"
    )
    parser.add_argument("--data-end", help="last day of the data, YYYY-MM-DD (default: inferred)")
    parser.add_argument(
        "--persons", type=int, default=SAMPLE_PERSONS,
        help=f"size of the built-in sample (default {SAMPLE_PERSONS})",
    )  # fmt: skip
    parser.add_argument(
        "--no-suppression", action="store_true",
        help="exact counts, also 1 to 10 (only for work inside the secure platform)",
    )  # fmt: skip
    parser.set_defaults(handler=main)


def _algorithm(name: str) -> Any:
    import snds_algos
    from snds_algos.errors import ParameterError

    algorithm_id = name if name.endswith("_pathways") else f"{name}_pathways"
    algorithm = snds_algos.get(algorithm_id)
    if algorithm.kind != "pathway":
        raise ParameterError("NAME", f"{algorithm.id} is a {algorithm.kind} algorithm")
    return algorithm


def main(args: argparse.Namespace) -> int:
    """Run the command."""
    from snds_algos.io.output import prepare_output_dir

    algorithm = _algorithm(args.name)
    out = prepare_output_dir(args.out, overwrite=args.overwrite)  # before computing
    if args.data is not None:
        return _run(args, algorithm, args.data, out, None)
    from snds_algos.synthetic import generate

    with tempfile.TemporaryDirectory(prefix="snds-algos-sample-") as sample:
        print(
            f"built-in synthetic sample: {args.persons} persons, years {SAMPLE_YEARS}, "
            f"seed {SAMPLE_SEED} (snds-algos synth)"
        )
        generate(args.persons, SAMPLE_YEARS, SAMPLE_SEED, sample, progress=False)
        return _run(args, algorithm, sample, out, sample)


def _run(args: argparse.Namespace, algorithm: Any, data: str, out: Any, sample: str | None) -> int:
    from snds_algos.backend import to_pandas
    from snds_algos.disclosure import DEFAULT_THRESHOLD, format_count
    from snds_algos.io import open_source
    from snds_algos.io.output import write_bytes, write_table, write_text
    from snds_algos.reports import Report

    threshold = None if args.no_suppression else DEFAULT_THRESHOLD
    started = time.perf_counter()
    spark = None
    if args.backend == "spark":
        from snds_algos.commands.run import _spark

        spark = _spark()
    source = open_source(data, backend=args.backend, spark=spark)
    report = Report()
    result = algorithm.run(source, data_end=args.data_end, threshold=threshold, report=report)
    written = []
    for name in result.TABLES:
        frame = getattr(result, name)
        written.append(write_table(frame, out / f"{name}.parquet", overwrite=args.overwrite))
    counts = result.pathway_counts
    written.append(write_table(counts, out / "pathway_counts.csv", overwrite=args.overwrite))
    text = report.format(threshold=threshold)
    written.append(write_text(text + "\n", out / "report.txt", overwrite=args.overwrite))
    try:
        from snds_algos.pathways import sankey

        figure = sankey(result.pathways, threshold=threshold, title=algorithm.title)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
        written.append(write_bytes(buffer.getvalue(), out / "sankey.png", overwrite=args.overwrite))
    except ImportError:
        print("sankey.png not drawn: matplotlib is not installed (pip install snds-algos[plot])")
    elapsed = time.perf_counter() - started
    states = to_pandas(result.states)
    moves = to_pandas(result.transitions)
    print(f"{algorithm.id} {algorithm.version} ({algorithm.status}), backend {args.backend}")
    print(
        f"persons treated: {format_count(states['patient_id'].nunique(), threshold=threshold)}, "
        f"data end {result.data_end} (in {elapsed:.1f} s)"
    )
    for kind, n in moves["type"].value_counts().sort_index().items():
        print(f"  transitions {kind}: {format_count(int(n), threshold=threshold)}")
    shown = counts.head(5)
    if len(shown):
        print("most frequent pathways (persons):")
        column = "n_persons_shown" if "n_persons_shown" in counts else "n_persons"
        for _, row in shown.iterrows():
            print(f"  {row[column]:>6}  {row['pathway']}")
    if sample is not None:
        from snds_algos.synthetic import evaluate_transitions, treatment_truth

        truth = treatment_truth(sample)
        scores = evaluate_transitions(moves, truth, tolerance_days=30)
        print("against the planted trajectories (tolerance 30 days):")
        for row in scores.itertuples():
            print(
                f"  {row.type:<7} recall {row.recall:.3f}, precision {row.precision:.3f} "
                f"(planted {row.planted}, recovered {row.recovered})"
            )
    for path in written:
        print(f"written: {path}")
    sys.stdout.flush()
    return 0
