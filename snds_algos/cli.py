"""The ``snds-algos`` command line.

Each sub-command lives in its own module of :mod:`snds_algos.commands` and exposes
``register(subparsers)``; this module only assembles them.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from snds_algos import __version__

#: sub-command modules, in the order ``--help`` lists them
COMMANDS: tuple[str, ...] = ("run", "cohort", "registry", "synth")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="snds-algos",
        description="Reviewed, versioned algorithms for the SNDS, on pandas and PySpark.",
    )
    parser.add_argument("--version", action="version", version=f"snds-algos {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"snds_algos.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``snds-algos`` command."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    return int(args.handler(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
