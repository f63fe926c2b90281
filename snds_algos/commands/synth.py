"""``snds-algos synth``: generate a synthetic SNDS into a folder."""

from __future__ import annotations

import argparse
import sys


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``synth`` sub-command.

    Examples
    --------
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    """
    p = subparsers.add_parser(
        "synth",
        help="generate a synthetic SNDS (tables, ground truth, manifest)",
        description="Generate a synthetic SNDS with planted conditions, defects and ground truth.",
    )
    p.add_argument("--persons", type=int, required=True, help="number of persons")
    p.add_argument(
        "--years", default="2019-2021", help="consecutive years, e.g. 2019-2021 (default)"
    )
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--out", required=True, help="output folder (new or empty)")
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="write into a non-empty --out folder (refused by default)",
    )
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet", help="output format")
    p.add_argument("--chunk-size", type=int, default=None, help="persons per chunk (default 50000)")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the generator with the parsed arguments."""
    from snds_algos.io.output import prepare_output_dir
    from snds_algos.synthetic import generate

    prepare_output_dir(args.out, overwrite=args.overwrite)  # before generating anything
    summary = generate(
        args.persons,
        args.years,
        args.seed,
        args.out,
        format=args.format,
        chunk_size=args.chunk_size,
        progress=False if args.quiet else None,
    )
    if not args.quiet:
        print(summary.format(), file=sys.stdout)
    return 0
