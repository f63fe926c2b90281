"""Exceptions raised by snds-algos.

Every error about input data names the table, the column and a few offending values,
so that a user can find the problem in their extract without reading a stack trace.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class SndsAlgosError(Exception):
    """Base class of every error raised by snds-algos."""


def _show(values: Iterable[object], limit: int = 5) -> str:
    shown = []
    for i, value in enumerate(values):
        if i == limit:
            shown.append("...")
            break
        shown.append(repr(value))
    return "[" + ", ".join(shown) + "]"


class ContractError(SndsAlgosError, ValueError):
    """A table does not meet its contract (missing column, wrong type, bad values).

    Attributes
    ----------
    table, column:
        Where the problem is (``column`` may be ``None`` for table-level problems).
    values:
        A few offending values, as found in the input.
    """

    def __init__(
        self,
        table: str,
        column: str | None,
        problem: str,
        values: Sequence[object] = (),
    ) -> None:
        self.table = table
        self.column = column
        self.problem = problem
        self.values = list(values)
        where = f"{table}.{column}" if column else table
        message = f"{where}: {problem}"
        if self.values:
            message += f"; offending values: {_show(self.values)}"
        super().__init__(message)


class MissingTableError(SndsAlgosError, LookupError):
    """A table needed by a computation is not in the data source."""

    def __init__(self, table: str, where: str, available: Iterable[str] = ()) -> None:
        self.table = table
        avail = sorted(available)
        message = f"table {table} not found in {where}"
        if avail:
            message += f" (available: {', '.join(avail[:20])}{' ...' if len(avail) > 20 else ''})"
        super().__init__(message)


class MixedBackendsError(SndsAlgosError, TypeError):
    """Inputs of one call mix pandas and PySpark DataFrames."""


class UnreadableTableError(SndsAlgosError, OSError):
    """A table file exists but cannot be read."""

    def __init__(self, table: str, path: str, reason: str) -> None:
        self.table = table
        self.path = path
        super().__init__(f"table {table}: cannot read {path}: {reason}")
