"""Small frame helpers shared by the cohort modules (day numbers, reuse, typed nulls)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import narwhals as nw

from snds_algos.backend import PANDAS, backend_of_lazy, lazy

PID = "patient_id"
EPOCH = dt.date(1970, 1, 1)
#: a day number later than any date, for minimums over candidates that may be missing
FAR = 10_000_000


def day(value: dt.date) -> int:
    """Days since 1970-01-01 of a date.

    >>> day(dt.date(1970, 1, 11))
    10
    """
    return (value - EPOCH).days


def from_day(number: int) -> dt.date:
    """The date of a day number.

    >>> from_day(10)
    datetime.date(1970, 1, 11)
    """
    return EPOCH + dt.timedelta(days=int(number))


def lit(value: int) -> nw.Expr:
    """An Int64 literal."""
    return nw.lit(int(value), dtype=nw.Int64)


def windowable(frame: nw.LazyFrame) -> nw.LazyFrame:
    """``frame`` ready for window expressions (``over``): on pandas, with a fresh index
    (narwhals' pandas windows align on the index, and joins or concatenations can leave
    repeated labels that misplace the results)."""
    if backend_of_lazy(frame) == PANDAS:
        return lazy(frame.to_native().reset_index(drop=True))
    return frame


def with_group_extreme(
    frame: nw.LazyFrame,
    by: Sequence[str],
    column: str,
    out: str,
    *,
    where: str | None = None,
    largest: bool = False,
) -> nw.LazyFrame:
    """``frame`` with ``out``: the smallest (``largest``: the largest) ``column`` of its
    group of ``by``, among the rows where boolean column ``where`` is true (null when
    none is).

    The same as ``nw.col(column).min().over(*by)``, as an aggregation joined back: on
    DuckDB a window partitioned by person is about three times slower than a hash
    aggregate and a join (and the input is read twice: give a computed frame).

    >>> import pandas as pd
    >>> from snds_algos.backend import lazy, to_native
    >>> f = lazy(pd.DataFrame({"p": ["a", "a", "b"], "d": [3, 1, 5], "ok": [True, False, False]}))
    >>> to_native(with_group_extreme(f, ["p"], "d", "m", where="ok")).sort_values("d").values.tolist()
    [['a', 1, False, 3.0], ['a', 3, True, 3.0], ['b', 5, False, nan]]
    """
    by = list(by)
    source = frame if where is None else frame.filter(nw.col(where))
    pick = nw.col(column).max() if largest else nw.col(column).min()
    extreme = source.group_by(*by).agg(pick.alias(out))
    return frame.join(extreme, on=by, how="left")
