"""The ``snds-algos`` command line.

Each sub-command lives in its own module of :mod:`snds_algos.commands` and exposes
``register(subparsers)``; this module only assembles them, and handles errors once for
every command: a user error (any :class:`snds_algos.errors.SndsAlgosError`, a missing
file) is printed as ``snds-algos: error: <message>`` with exit code 2, without a
traceback unless ``--debug`` is given; an interrupt exits with code 130.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Sequence

from snds_algos import __version__

#: sub-command modules, in the order ``--help`` lists them
COMMANDS: tuple[str, ...] = ("run", "cartography", "cohort", "pathways", "registry", "synth", "omop")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    parser = argparse.ArgumentParser(
        prog="snds-algos",
        description="Reviewed, versioned algorithms for the SNDS, on pandas and PySpark.",
    )
    parser.add_argument("--version", action="version", version=f"snds-algos {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="print the Python traceback of an error"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"snds_algos.commands.{name}").register(subparsers)
    for sub in subparsers.choices.values():  # ``snds-algos run ... --debug`` works too
        if "--debug" not in sub._option_string_actions:
            sub.add_argument(
                "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
            )
    return parser


#: exit code of a user error (bad input, parameter, path), as argparse's usage errors
USER_ERROR = 2
#: exit code after an interrupt (128 + SIGINT)
INTERRUPTED = 130


def user_error_types() -> tuple[type[BaseException], ...]:
    """The exceptions reported to a command-line user without a traceback.

    Examples
    --------
    >>> from snds_algos.errors import ContractError
    >>> issubclass(ContractError, user_error_types())
    True
    """
    from snds_algos.errors import SndsAlgosError

    return (SndsAlgosError, FileNotFoundError, NotADirectoryError, PermissionError)


def report_error(exc: BaseException, *, debug: bool = False) -> int:
    """Print ``exc`` for a command-line user and return the exit code.

    A user error prints ``snds-algos: error: <message>`` on stderr (exit 2); any other
    exception is a bug of snds-algos: its traceback is printed (exit 1). With ``debug``
    the traceback is printed in both cases.

    Examples
    --------
    >>> import contextlib, io
    >>> from snds_algos.errors import MissingTableError
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err):
    ...     code = report_error(MissingTableError("IR_BEN_R", "folder /data"))
    >>> code, err.getvalue()
    (2, 'snds-algos: error: table IR_BEN_R not found in folder /data\\n')
    """
    import traceback

    if isinstance(exc, KeyboardInterrupt):
        print("snds-algos: interrupted", file=sys.stderr)
        return INTERRUPTED
    if isinstance(exc, BrokenPipeError):  # output piped to `head`: nothing to report
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    from snds_algos.errors import as_contract_error

    original = exc
    user = isinstance(exc, user_error_types())
    if not user and (found := as_contract_error(exc)) is not None:
        exc, user = found, True  # a bad value met by a DuckDB or Spark query
    if debug or not user:
        traceback.print_exception(original)
    message = str(exc) or type(exc).__name__
    if user:
        print(f"snds-algos: error: {message}", file=sys.stderr)
        return USER_ERROR
    print(f"snds-algos: internal error ({type(exc).__name__}): {message}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``snds-algos`` command (exit code: 0, 2 user error, 1 bug)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    try:
        return int(args.handler(args) or 0)
    except (Exception, KeyboardInterrupt) as exc:  # one handler for every command
        with contextlib.suppress(BrokenPipeError):
            sys.stdout.flush()
        return report_error(exc, debug=args.debug)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
