"""Exceptions raised by snds-algos.

Every error about input data names the table, the column and a few offending values,
so that a user can find the problem in their extract without reading a stack trace.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


class SndsAlgosError(Exception):
    """Base class of every error raised by snds-algos.

    Every subclass is a *user error*: its message says what is wrong in the input
    (table, column, file, parameter, years) and the command line prints it as
    ``snds-algos: error: <message>`` with exit code 2, without a traceback.
    """


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


class ParameterError(SndsAlgosError, ValueError):
    """A parameter of an algorithm or a command has a wrong type or value.

    >>> str(ParameterError("ald_natures", "expected a list, got the string '41'"))
    "parameter ald_natures: expected a list, got the string '41'"
    """

    def __init__(self, parameter: str, problem: str) -> None:
        self.parameter = parameter
        super().__init__(f"parameter {parameter}: {problem}")


class DataYearsError(SndsAlgosError, ValueError):
    """A reference year (or its look-back) lies outside the years the data holds.

    >>> str(DataYearsError(2030, [2019, 2020], "the folder x"))
    'reference year 2030 is outside the years of the folder x (2019-2020)'
    """

    def __init__(self, year: int, years: Sequence[int], where: str) -> None:
        self.year = year
        self.years = list(years)
        super().__init__(
            f"reference year {year} is outside the years of {where} ({format_years(years)})"
        )


class OutputExistsError(SndsAlgosError, FileExistsError):
    """An output path exists already and ``overwrite`` was not asked."""

    def __init__(self, path: str, what: str = "output") -> None:
        self.path = path
        super().__init__(
            f"{what} {path} exists already: choose another path or pass --overwrite "
            "(overwrite=True)"
        )


class OutputError(SndsAlgosError, OSError):
    """An output cannot be written (destination folder missing, not writable, bad suffix)."""


class InvalidNameError(SndsAlgosError, ValueError):
    """An id or name used as a path (algorithm id, version) is not allowed."""


class DataWarning(UserWarning):
    """Something in the input makes a result incomplete (printed and recorded in the report)."""


def format_years(years: Iterable[int]) -> str:
    """Years as ``2019-2021`` when consecutive, else ``2018, 2020``.

    >>> format_years([2019, 2020, 2021]), format_years([2018, 2020]), format_years([])
    ('2019-2021', '2018, 2020', 'none')
    """
    ys = sorted(set(int(y) for y in years))
    if not ys:
        return "none"
    if len(ys) > 1 and ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}-{ys[-1]}"
    return ", ".join(str(y) for y in ys)


def as_contract_error(exc: BaseException) -> ContractError | None:
    """The :class:`ContractError` behind a DuckDB or Spark query error, if any.

    On DuckDB and Spark, values are checked lazily: a value that cannot be converted
    fails the first query that meets it, with an engine exception whose message is the
    contract's (``TABLE.COLUMN: problem; offending value: 'x'``). This finds it, so that
    the command line reports it as the same user error as on pandas.

    >>> str(as_contract_error(RuntimeError(
    ...     "Invalid Input Error: IR_IMB_R.IMB_ALD_DTD: unparseable date; offending value: 'x'")))
    "IR_IMB_R.IMB_ALD_DTD: unparseable date; offending values: ['x']"
    >>> as_contract_error(RuntimeError("other")) is None
    True
    """
    import re

    if isinstance(exc, ContractError):
        return exc
    match = re.search(
        r"\b([A-Z][A-Za-z0-9_]*)\.([A-Z][A-Z0-9_]*): (.+?); offending value: '(.*?)'",
        str(exc),
        flags=re.DOTALL,
    )
    if match is None:
        return None
    table, column, problem, value = match.groups()
    return ContractError(table, column, problem, [value])
