"""Follow-up of each person, and periods clipped to it, for treatment states and lines.

Internally dates are day numbers (days since 1970-01-01, Int64): every interval is
inclusive, ``[start, end]``, of length ``end - start + 1``.

A follow-up is a frame ``patient_id, fu_start, fu_end, end_reason`` (one row per person,
``end_reason`` one of :data:`END_REASONS`). When none is given it runs from the first
period start of each person to ``data_end``, or to the death date when the person dies
on or before ``data_end`` (``end_reason`` ``death``, else ``end_of_data``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import narwhals as nw

from snds_algos.backend import (
    DUCKDB,
    PANDAS,
    backend_of,
    backend_of_lazy,
    checkpoint,
    common_backend,
    computed_once,
    day_number,
    from_day_number,
    lazy,
    sql_name,
    to_native,
)
from snds_algos.errors import ContractError
from snds_algos.pathways.schema import require_columns as missing_columns
from snds_algos.reports import Report

PID = "patient_id"
#: why a follow-up ends
END_REASONS = ("death", "end_of_data", "cohort_exit")
_EPOCH = dt.date(1970, 1, 1)
#: a null bound of a given follow-up is open: this many days away
_OPEN = 2**40


def require_columns(frame: Any, table: str, columns: Sequence[str]) -> list[str]:
    """The column names of ``frame``; a :class:`ContractError` naming ``table`` and the
    first missing column when one of ``columns`` is absent."""
    names = list(lazy(frame).collect_schema().names())
    for column in columns:
        if column not in names:
            raise ContractError(table, column, "missing column", values=names)
    return names


def _pandas_checks(frame: Any, table: str, checks: Sequence[tuple[str, str, Any]]) -> None:
    """Raise a ContractError for the first failing check (pandas only: no query run)."""
    if backend_of(frame) != PANDAS:
        return
    for column, problem, bad in checks:
        bad = bad.fillna(False).astype(bool) if hasattr(bad, "fillna") else bad
        if bad.any():
            shown = frame.loc[bad, [PID, column]].head(5).astype(str).agg(" ".join, axis=1)
            raise ContractError(table, column, problem, values=shown.tolist())


def check_days(name: str, value: int, minimum: int = 0) -> int:
    """``value`` as an int >= ``minimum``, else a ValueError naming parameter ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def to_day(value: dt.date | str) -> int:
    """Day number of a date or ISO string."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return (value - _EPOCH).days


def periods_days(periods: Any, table: str = "periods") -> nw.LazyFrame:
    """``patient_id, key, s, e`` (day numbers) of a periods frame; on pandas, null
    values and ``end < start`` are errors naming the column and a few rows."""
    require_columns(periods, table, [PID, "key", "start", "end"])
    if backend_of(periods) == PANDAS:
        frame = periods
        _pandas_checks(
            frame,
            table,
            [
                (PID, "null patient_id", frame[PID].isna()),
                ("key", "null key", frame["key"].isna()),
                ("start", "null start", frame["start"].isna()),
                ("end", "null end", frame["end"].isna()),
            ],
        )
        key = frame["key"].astype("string")
        _pandas_checks(
            frame, table, [("key", "a key may not contain '+' (the state separator)",
                            key.str.contains("+", regex=False))]
        )  # fmt: skip
    lf = lazy(periods).select(PID, nw.col("key").cast(nw.String()), "start", "end")
    lf = day_number(day_number(lf, "start", "s"), "end", "e").select(PID, "key", "s", "e")
    if backend_of(periods) == PANDAS:
        native = to_native(lf)
        _pandas_checks(
            native.assign(end=native["e"]),
            table,
            [("end", "end before start", native["e"] < native["s"])],
        )
    return lf


def _deaths_days(deaths: Any) -> nw.LazyFrame:
    """``patient_id, death``: earliest death day per person, from a ``patient_id,
    death_date`` frame or from death events (``start`` is the date of death)."""
    names = require_columns(deaths, "deaths", [PID])
    if "death_date" in names:
        column = "death_date"
    elif "start" in names:
        column = "start"
    else:
        raise ContractError(
            "deaths", "death_date", "missing column (or 'start' of death events)", names
        )
    lf = lazy(deaths)
    if "category" in names:
        lf = lf.filter(nw.col("category") == "death")
    lf = day_number(lf.select(PID, column).filter(~nw.col(column).is_null()), column, "death")
    return lf.group_by(PID).agg(nw.col("death").min())


def follow_up_days(
    periods: nw.LazyFrame | None = None,
    follow_up: Any = None,
    *,
    data_end: dt.date | str | None = None,
    deaths: Any = None,
    report: Report | None = None,
    step: str = "states",
    open_bounds: bool = False,
) -> nw.LazyFrame:
    """``patient_id, fs, fe, end_reason``: the follow-up of each person (day numbers).

    ``periods`` is the output of :func:`periods_days`. Persons whose default follow-up is
    empty (death before their first period) are removed and counted in ``report``
    (``<step>:empty_follow_up``).

    ``open_bounds=True`` (exposure periods, adherence windows): ``follow_up`` is required
    and needs only ``patient_id, fu_start, fu_end``; a null bound is open (no check, no
    ``end_reason``), and the result is ``patient_id, fs, fe``.

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> fu = pd.DataFrame({"patient_id": ["P1"], "fu_start": date_series(["1970-01-02"]),
    ...     "fu_end": date_series([None])})
    >>> follow_up_days(follow_up=fu, open_bounds=True).collect().to_native().values.tolist()
    [['P1', 1, 1099511627776]]
    """
    if open_bounds:
        if follow_up is None:
            raise ValueError("give a follow_up frame (patient_id, fu_start, fu_end)")
        lf = lazy(follow_up)
        missing_columns(lf, [PID, "fu_start", "fu_end"], "follow_up")
        lf = lf.select(PID, "fu_start", "fu_end")
        lf = day_number(day_number(lf, "fu_start", "fs"), "fu_end", "fe")
        return lf.select(
            PID,
            nw.col("fs").fill_null(-_OPEN).alias("fs"),
            nw.col("fe").fill_null(_OPEN).alias("fe"),
        )
    if follow_up is not None:
        require_columns(follow_up, "follow_up", [PID, "fu_start", "fu_end", "end_reason"])
        if backend_of(follow_up) == PANDAS:
            fu = follow_up
            _pandas_checks(
                fu,
                "follow_up",
                [
                    (PID, "null patient_id", fu[PID].isna()),
                    (PID, "a person has several rows", fu[PID].duplicated(keep=False)),
                    ("fu_start", "null fu_start", fu["fu_start"].isna()),
                    ("fu_end", "null fu_end", fu["fu_end"].isna()),
                    ("fu_end", "fu_end before fu_start", fu["fu_end"] < fu["fu_start"]),
                    ("end_reason", f"end_reason not one of {', '.join(END_REASONS)}",
                     ~fu["end_reason"].isin(END_REASONS)),
                ],
            )  # fmt: skip
        lf = lazy(follow_up).select(
            PID, "fu_start", "fu_end", nw.col("end_reason").cast(nw.String())
        )
        lf = day_number(day_number(lf, "fu_start", "fs"), "fu_end", "fe")
        return lf.select(PID, "fs", "fe", "end_reason")
    if data_end is None:
        raise ValueError("give a follow_up frame, or data_end (the last day of the data)")
    if periods is None:
        raise ValueError("without a follow_up frame, give the periods (their first start)")
    end = to_day(data_end)
    fu = periods.group_by(PID).agg(nw.col("s").min().alias("fs"))
    fu = fu.with_columns(
        nw.lit(end, dtype=nw.Int64).alias("fe"), nw.lit("end_of_data").alias("end_reason")
    )
    if deaths is not None:
        common_backend({"periods": to_native(periods), "deaths": deaths})
        died = _deaths_days(deaths)
        fu = fu.join(died, on=PID, how="left")
        dies = (nw.col("death") <= nw.col("fe")).fill_null(False)
        fu = fu.with_columns(
            nw.when(dies).then(nw.col("death")).otherwise(nw.col("fe")).alias("fe"),
            nw.when(dies).then(nw.lit("death")).otherwise(nw.col("end_reason")).alias("end_reason"),
        )
        empty = nw.col("fe") < nw.col("fs")
        if report is not None:
            report.add_flags(
                "follow_up",
                fu,
                [(f"{step}:empty_follow_up", "death before the first period", empty)],
            )
        fu = fu.filter(~empty)
    return fu.select(PID, nw.col("fs").cast(nw.Int64), nw.col("fe").cast(nw.Int64), "end_reason")


def clip_periods(
    periods: nw.LazyFrame, fu: nw.LazyFrame, *, report: Report | None = None, step: str = "states"
) -> nw.LazyFrame:
    """Periods clipped to the follow-up: ``patient_id, key, s, e, fs, fe``.

    Periods of persons without follow-up, or outside it, are removed and counted
    (``<step>:no_follow_up``, ``<step>:outside_follow_up``).
    """
    joined = periods.join(fu.select(PID, "fs", "fe"), on=PID, how="left")
    no_fu = nw.col("fs").is_null()
    outside = (nw.col("e") < nw.col("fs")) | (nw.col("s") > nw.col("fe"))
    if report is not None:
        report.add_flags(
            "periods",
            joined,
            [
                (f"{step}:no_follow_up", "period of a person without follow-up", no_fu),
                (f"{step}:outside_follow_up", "period outside the follow-up", outside),
            ],
        )
    kept = joined.filter(~no_fu).filter(~outside)
    return kept.select(
        PID,
        "key",
        nw.max_horizontal("s", "fs").alias("s"),
        nw.min_horizontal("e", "fe").alias("e"),
        "fs",
        "fe",
    )


def clipped_follow_up(
    periods: Any,
    follow_up: Any = None,
    *,
    data_end: dt.date | str | None = None,
    deaths: Any = None,
    report: Report | None = None,
    step: str = "states",
) -> tuple[nw.LazyFrame, nw.LazyFrame]:
    """The follow-up ``patient_id, fs, fe, end_reason`` (:func:`follow_up_days`) and the
    periods clipped to it ``patient_id, key, s, e, fs, fe`` (:func:`clip_periods`), both
    computed once (on Spark checkpointed: the plan is cut there): the shared start of
    treatment states and lines of therapy.

    ``periods``, ``follow_up`` and ``deaths`` must be of one backend; drops are counted
    in ``report`` under ``<step>:...``.

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> periods = pd.DataFrame({"patient_id": ["P1"], "key": ["A"],
    ...     "start": date_series(["1970-01-02"]), "end": date_series(["1970-01-31"])})
    >>> fu, clipped = clipped_follow_up(periods, data_end="1970-01-11")
    >>> fu.collect().to_native().values.tolist(), clipped.collect().to_native().values.tolist()
    ([['P1', 1, 10, 'end_of_data']], [['P1', 'A', 1, 10, 1, 10]])
    """
    common_backend({"periods": periods, "follow_up": follow_up, "deaths": deaths})
    days = computed_once(periods_days(periods))
    fu = checkpoint(
        follow_up_days(days, follow_up, data_end=data_end, deaths=deaths, report=report, step=step)
    )
    return fu, checkpoint(clip_periods(days, fu, report=report, step=step))


_NW_TYPES = {"string": nw.String(), "integer": nw.Int64(), "date": nw.Date()}


def finish(
    frame: nw.LazyFrame, dates: dict[str, str], schema: dict[str, str], order: Sequence[str]
) -> Any:
    """Day numbers back to dates, the columns of ``schema`` (name -> ``string``,
    ``integer`` or ``date``) selected in order and typed, and the total order: pandas
    sorted, DuckDB a lazy relation ordered by ``order``, Spark lazy (unsorted)."""
    out = from_day_number(frame, dates) if dates else frame
    out = out.select(*[nw.col(c).cast(_NW_TYPES[t]) for c, t in schema.items()])
    native = to_native(out)
    if backend_of_lazy(out) == PANDAS:
        from snds_algos.contracts.dtypes import PANDAS_DTYPES

        native = native.astype({c: PANDAS_DTYPES[t] for c, t in schema.items()})
        return native.sort_values(list(order), kind="stable").reset_index(drop=True)
    if backend_of_lazy(out) == DUCKDB:
        return native.order(", ".join(f"{sql_name(c)} ASC NULLS LAST" for c in order))
    return native


def concat(parts: Sequence[nw.LazyFrame]) -> nw.LazyFrame:
    """Stack frames of equal columns (pandas: a fresh index, no warning about all-null
    columns of some parts, which are normal here)."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*concatenation with empty or all-NA.*")
        out = nw.concat(list(parts), how="vertical")
        if backend_of_lazy(out) == PANDAS:
            out = lazy(to_native(out))
    return out
