"""Small frame helpers shared by the cohort modules (day numbers, reuse, typed nulls)."""

from __future__ import annotations

import datetime as dt

import narwhals as nw

from snds_algos.backend import DUCKDB, PANDAS, SPARK, backend_of_lazy, computed_once, lazy

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


def reused(frame: nw.LazyFrame) -> nw.LazyFrame:
    """``frame`` computed once when read by several queries that follow (DuckDB: held in
    memory; Spark: cached; pandas: already in memory)."""
    if backend_of_lazy(frame) == DUCKDB:
        return computed_once(frame)
    if backend_of_lazy(frame) == SPARK:
        return lazy(frame.to_native().cache())
    return frame


def windowable(frame: nw.LazyFrame) -> nw.LazyFrame:
    """``frame`` ready for window expressions (``over``): on pandas, with a fresh index
    (narwhals' pandas windows align on the index, and joins or concatenations can leave
    repeated labels that misplace the results)."""
    if backend_of_lazy(frame) == PANDAS:
        return lazy(frame.to_native().reset_index(drop=True))
    return frame
