"""Cohort rows and windows relative to the index date, shared by scores and results.

A *cohort* here is any frame (pandas, DuckDB, Spark) with at least ``patient_id`` and
``index_date``, or any object with a ``.rows`` attribute holding one (a
``snds_algos.cohorts.Cohort``). A *window* ``(a, b)`` is a pair of day offsets from the
index, inclusive at both ends, ``None`` for unbounded: an event on day ``d`` matches
when ``index + a <= d <= index + b``. ``(-365, 0)`` includes the index day, ``(-365,
-1)`` does not. Point events match by ``start``; with ``match="overlap"`` an interval
event matches when ``start <= index + b`` and ``end >= index + a`` (a null ``end`` is
open-ended, as for a long-term illness without end date).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import narwhals as nw

from snds_algos.backend import common_backend, days_between, lazy

Window = tuple[int | None, int | None]
#: the default baseline window: the year before the index, index day included
BASELINE_WINDOW: Window = (-365, 0)


def cohort_frame(cohort: Any, required: Sequence[str] = ("patient_id", "index_date")) -> Any:
    """The native frame of cohort rows (``cohort.rows`` when it has one), checked.

    Raises ``ValueError`` naming the missing columns.

    Examples
    --------
    >>> import pandas as pd
    >>> cohort_frame(pd.DataFrame({"patient_id": ["P1"], "index_date": [None]})).columns.tolist()
    ['patient_id', 'index_date']
    >>> cohort_frame(pd.DataFrame({"patient_id": ["P1"]}))
    Traceback (most recent call last):
    ...
    ValueError: cohort rows: missing column(s) index_date (columns: patient_id)
    """
    frame = getattr(cohort, "rows", cohort)
    names = list(lazy(frame).collect_schema().names())
    missing = [c for c in required if c not in names]
    if missing:
        raise ValueError(
            f"cohort rows: missing column(s) {', '.join(missing)} (columns: {', '.join(names)})"
        )
    return frame


def check_window(window: Window, *, name: str = "window") -> Window:
    """A valid window ``(a, b)``: two integers or ``None``, ``a <= b``.

    Examples
    --------
    >>> check_window((-365, 0))
    (-365, 0)
    >>> check_window((0, -1))
    Traceback (most recent call last):
    ...
    ValueError: window (0, -1): the start 0 is after the end -1
    """
    try:
        a, b = window
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} {window!r}: expected a pair (start, end) of day offsets"
        ) from None
    for v in (a, b):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int)):
            raise ValueError(f"{name} {window!r}: offsets must be integers or None")
    if a is not None and b is not None and a > b:
        raise ValueError(f"{name} {window!r}: the start {a} is after the end {b}")
    return (a, b)


def events_in_window(
    rows: Any,
    events: Any,
    window: Window = BASELINE_WINDOW,
    *,
    match: Literal["start", "overlap"] = "start",
    columns: Sequence[str] = ("value",),
    keys: Sequence[str] = ("patient_id", "index_date"),
) -> nw.LazyFrame:
    """The events of each cohort row that fall in ``window`` around its index date.

    Returns a lazy frame with ``keys`` (from the cohort rows) and the event ``columns``,
    one row per (cohort row, matching event), on the backend of the inputs.

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.backend import to_native
    >>> from snds_algos.contracts.dtypes import date_series
    >>> rows = pd.DataFrame({"patient_id": ["P1"], "index_date": date_series(["2019-06-30"])})
    >>> ev = pd.DataFrame({"patient_id": ["P1"] * 3, "value": ["A", "B", "C"],
    ...                    "start": date_series(["2018-06-29", "2018-06-30", "2019-07-01"])})
    >>> to_native(events_in_window(rows, ev))["value"].tolist()
    ['B']
    """
    a, b = check_window(window)
    common_backend({"cohort rows": rows, "events": events})
    left = lazy(rows).select(*keys)
    wanted = ["patient_id", "start", *(["end"] if match == "overlap" else []), *columns]
    right = lazy(events).select(*dict.fromkeys(wanted))
    joined = left.join(right, on="patient_id")
    joined = days_between(joined, "index_date", "start", "__from_start")
    cond = nw.lit(True)
    if match == "start":
        if a is not None:
            cond = cond & (nw.col("__from_start") >= a)
        if b is not None:
            cond = cond & (nw.col("__from_start") <= b)
    elif match == "overlap":
        joined = days_between(joined, "index_date", "end", "__from_end")
        if b is not None:
            cond = cond & (nw.col("__from_start") <= b)
        if a is not None:
            cond = cond & (nw.col("__from_end").is_null() | (nw.col("__from_end") >= a))
    else:
        raise ValueError(f"match must be 'start' or 'overlap', not {match!r}")
    return joined.filter(cond.fill_null(False)).select(*keys, *columns)
