"""Exits: the earliest candidate on or after the index, with its reason.

Candidates: the first outcome event from the index day on, death, the first censoring
event from the index day on, the end of the exposure period containing the index plus
an offset (when exposure periods are given), the end of observation by loss to
follow-up, the end of the data, and ``index + max_follow_up_days - 1``. Ties go to the
first reason of :data:`EXIT_ORDER`.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw

from snds_algos.backend import day_number, lazy
from snds_algos.cohorts._frames import FAR, PID, lit
from snds_algos.cohorts.definition import CohortDefinition

#: exit reasons, in the order that breaks ties (an outcome seen on the exit day is
#: observed, not censored). ``end_of_exposure`` is the drug-persistence exit.
EXIT_ORDER = (
    "outcome", "death", "censor", "end_of_exposure", "lost_to_follow_up", "end_of_data",
    "max_follow_up",
)  # fmt: skip


def reason_name(rank: str) -> nw.Expr:
    """The exit reason (string) of an integer rank column (index in :data:`EXIT_ORDER`)."""
    expr: Any = nw.lit(None, dtype=nw.String())
    for i in reversed(range(len(EXIT_ORDER))):
        expr = nw.when(nw.col(rank) == lit(i)).then(nw.lit(EXIT_ORDER[i])).otherwise(expr)
    return expr


def _first_after(records: nw.LazyFrame, events: nw.LazyFrame, out: str) -> nw.LazyFrame:
    return (
        records.select(PID, "__idx")
        .join(events.select(PID, "__s"), on=PID)
        .filter(nw.col("__s") >= nw.col("__idx"))
        .group_by(PID, "__idx")
        .agg(nw.col("__s").min().alias(out))
    )


def _exposure_end(
    records: nw.LazyFrame, periods: Any, key: str | None, offset: int
) -> nw.LazyFrame:
    lf = lazy(periods)
    names = lf.collect_schema().names()
    missing = [c for c in (PID, "start", "end") if c not in names]
    if missing:
        raise ValueError(f"exposure_periods: missing column(s) {missing}; columns are {names}")
    if key is not None:
        if "key" not in names:
            raise ValueError("exposure_periods: no 'key' column to select exposure key " + key)
        lf = lf.filter(nw.col("key") == key)
    lf = day_number(day_number(lf.select(PID, "start", "end"), "start", "__ps"), "end", "__pe")
    return (
        records.select(PID, "__idx")
        .join(lf.select(PID, "__ps", "__pe"), on=PID)
        .filter((nw.col("__ps") <= nw.col("__idx")) & (nw.col("__pe") >= nw.col("__idx")))
        .group_by(PID, "__idx")
        .agg(nw.col("__pe").min().alias("__x3"))
        .with_columns(nw.col("__x3") + lit(offset))
    )


def exits(
    records: nw.LazyFrame,
    definition: CohortDefinition,
    data_end_day: int,
    outcome: nw.LazyFrame | None,
    censor: nw.LazyFrame | None,
    exposure_periods: Any = None,
    exposure_key: str | None = None,
) -> nw.LazyFrame:
    """``records`` (``patient_id, __idx, entry_value`` + observation columns) with
    ``__exit`` (day) and ``__rank`` (index of the reason in :data:`EXIT_ORDER`)."""
    ex = definition.exit
    out = records
    for frame, name in ((outcome, "__x0"), (censor, "__x2")):
        if frame is not None:
            out = out.join(_first_after(records, frame, name), on=[PID, "__idx"], how="left")
        else:
            out = out.with_columns(lit(FAR).alias(name))
    if exposure_periods is not None:
        ends = _exposure_end(records, exposure_periods, exposure_key, ex.persistence_offset_days)
        out = out.join(ends, on=[PID, "__idx"], how="left")
    else:
        out = out.with_columns(lit(FAR).alias("__x3"))
    maxfu = (
        nw.col("__idx") + lit(ex.max_follow_up_days - 1)
        if ex.max_follow_up_days is not None
        else lit(FAR)
    )
    out = out.with_columns(
        nw.col("__death").alias("__x1"),
        nw.col("__lost").alias("__x4"),
        lit(data_end_day).alias("__x5"),
        maxfu.alias("__x6"),
    )
    cols = [f"__x{i}" for i in range(len(EXIT_ORDER))]
    out = out.with_columns(
        nw.min_horizontal(*[nw.col(c).fill_null(lit(FAR)) for c in cols]).alias("__exit")
    )
    rank: Any = lit(len(EXIT_ORDER) - 1)
    for i in reversed(range(len(EXIT_ORDER))):
        rank = nw.when(nw.col(cols[i]) == nw.col("__exit")).then(lit(i)).otherwise(rank)
    return out.with_columns(rank.alias("__rank")).drop(*cols)
