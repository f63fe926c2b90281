"""Small frame helpers shared by the cohort modules (day numbers, reuse, typed nulls)."""

from __future__ import annotations

import datetime as dt

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
