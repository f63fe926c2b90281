"""The case-definition engine: evaluates a :class:`Definition` on events, on every backend.

Input events follow the events contract (``patient_id, category, group_id, value,
weight, start, end, source`` + extras ``large_pack`` for dispensings, ``position`` and
``level`` for hospital diagnoses). Output: one row per person meeting at least one
criterion (or every person of ``population``), with for each criterion a flag and the
date it is first met, and the ``case`` flag; sorted by ``patient_id``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import narwhals as nw

from snds_algos.backend import (
    SPARK,
    backend_of,
    backend_of_lazy,
    checkpoint,
    common_backend,
    date_literal,
    day_number,
    from_day_number,
    lazy,
    matches_codes,
    to_native,
)
from snds_algos.cases.definition import Criterion, Definition
from snds_algos.events.selection import select_events

PID = "patient_id"
#: category-specific event columns the engine reads; absent ones are taken as null
_OPTIONAL_COLUMNS = {"large_pack": nw.Boolean(), "position": nw.String(), "level": nw.String()}


def _codes(definition: Definition, name: str | None) -> tuple[str, ...]:
    if name is None:
        return ()
    try:
        return tuple(definition.code_lists[name])
    except KeyError:
        raise KeyError(f"{definition.id}: code list {name!r} not loaded") from None


def _selected(
    ev: nw.LazyFrame, definition: Definition, crit: Criterion, category: str
) -> nw.LazyFrame:
    return select_events(
        ev,
        category,
        codes=_codes(definition, crit.codes) if crit.codes else None,
        exclude=_codes(definition, crit.exclude) if crit.exclude else None,
        how=crit.how,
    )


def _first_day(lf: nw.LazyFrame, date: str) -> nw.LazyFrame:
    """Per person, the first ``date`` as a day number (``__day``): pandas aggregates Arrow
    dates in Python, integers in C."""
    return day_number(lf, date, "__d").group_by(PID).agg(nw.col("__d").min().alias("__day"))


def _dispensings(
    ev: nw.LazyFrame, definition: Definition, crit: Criterion, year: int
) -> nw.LazyFrame:
    years = [year + k for k in crit.years]
    lf = _selected(ev, definition, crit, "drug_dispensing")
    lf = lf.with_columns(nw.col("start").dt.year().cast(nw.Int64).alias("__year"))
    lf = lf.filter(nw.col("__year").is_in(years))
    if crit.only:
        only = matches_codes("value", _codes(definition, crit.only), how=crit.how)
        return (
            day_number(lf.with_columns(only.cast(nw.Int64).alias("__is_only")), "start", "__d")
            .group_by(PID)
            .agg(
                nw.len().alias("__n"),
                nw.col("__is_only").sum().alias("__n_only"),
                nw.col("__d").min().alias("__day"),
            )
            .filter(nw.col("__n") == nw.col("__n_only"))
            .select(PID, "__day")
        )
    per_date = (
        lf.with_columns(nw.col("large_pack").fill_null(False).cast(nw.Int64).alias("__large"))
        .group_by(PID, "__year", "start")
        .agg(nw.col("__large").max())
    )
    per_date = day_number(per_date, "start", "__day")
    ranked = per_date.with_columns(
        nw.col("__day").rank("ordinal").over(PID, "__year").cast(nw.Int64).alias("__rank"),
        nw.col("__large").max().over(PID, "__year").alias("__any_large"),
    )
    needed = nw.lit(crit.min_dates, dtype=nw.Int64)
    if crit.min_dates_with_large_pack is not None:
        needed = (
            nw.when(nw.col("__any_large") == 1)
            .then(nw.lit(crit.min_dates_with_large_pack, dtype=nw.Int64))
            .otherwise(needed)
        )
    return ranked.filter(nw.col("__rank") == needed).group_by(PID).agg(nw.col("__day").min())


def _ald(ev: nw.LazyFrame, definition: Definition, crit: Criterion, year: int) -> nw.LazyFrame:
    n = year + crit.active_in_year
    lf = _selected(ev, definition, crit, "ald")
    if crit.natures is not None:
        lf = lf.filter(nw.col("group_id").is_in(list(crit.natures)).fill_null(False))
    if crit.exclude_natures:
        lf = lf.filter(~nw.col("group_id").is_in(list(crit.exclude_natures)).fill_null(False))
    active = (nw.col("start") <= date_literal(dt.date(n, 12, 31))) & (
        nw.col("end").is_null() | (nw.col("end") >= date_literal(dt.date(n, 1, 1)))
    )
    if crit.start_years is not None:
        started = [year + k for k in crit.start_years]
        active = active & nw.col("start").dt.year().cast(nw.Int64).is_in(started)
    return _first_day(lf.filter(active.fill_null(False)), "start")


def _stays(ev: nw.LazyFrame, definition: Definition, crit: Criterion, year: int) -> nw.LazyFrame:
    years = [year + k for k in crit.years]
    lf = _selected(ev, definition, crit, "hospital_diagnosis").filter(
        nw.col("position").is_in(list(crit.positions)) & nw.col("level").is_in(list(crit.levels))
    )
    lf = lf.filter(nw.col("end").dt.year().cast(nw.Int64).is_in(years).fill_null(False))
    if crit.with_same_stay:
        other = crit.with_same_stay
        positions = list(other.get("positions", ("DP", "DR", "DA")))
        same = (
            ev.filter(
                (nw.col("category") == "hospital_diagnosis")
                & matches_codes("value", _codes(definition, other["codes"]), how=crit.how)
                & nw.col("position").is_in(positions)
            )
            .select(PID, "group_id")
            .unique()
        )
        lf = lf.join(same, on=[PID, "group_id"], how="inner")
    return _first_day(lf, "end")


def _nth_date(lf: nw.LazyFrame, date: str, years: list[int], needed: int) -> nw.LazyFrame:
    """Per person, the earliest date on which ``needed`` distinct dates of one year of
    ``years`` are reached (each year counted on its own)."""
    lf = lf.filter(nw.col(date).dt.year().cast(nw.Int64).is_in(years).fill_null(False))
    if needed <= 1:
        return _first_day(lf, date)
    per_date = lf.select(
        PID, nw.col(date).alias("__when"), nw.col(date).dt.year().cast(nw.Int64).alias("__year")
    ).unique()
    per_date = day_number(per_date, "__when", "__day")
    ranked = per_date.with_columns(
        nw.col("__day").rank("ordinal").over(PID, "__year").cast(nw.Int64).alias("__rank")
    )
    return ranked.filter(nw.col("__rank") == needed).group_by(PID).agg(nw.col("__day").min())


def _ghm_stays(
    ev: nw.LazyFrame, definition: Definition, crit: Criterion, year: int
) -> nw.LazyFrame:
    lf = _selected(ev, definition, crit, "hospital_stay")
    return _nth_date(lf, "end", [year + k for k in crit.years], crit.min_dates)


def _acts(ev: nw.LazyFrame, definition: Definition, crit: Criterion, year: int) -> nw.LazyFrame:
    lf = _selected(ev, definition, crit, "medical_act")
    return _nth_date(lf, "start", [year + k for k in crit.years], crit.min_dates)


_EVALUATORS = {
    "drug_dispensing": _dispensings,
    "ald": _ald,
    "hospital_diagnosis": _stays,
    "hospital_stay": _ghm_stays,
    "medical_act": _acts,
}


def _logic(node: Any, definition: Definition) -> nw.Expr | None:
    """Boolean expression of a logic node over criterion flag columns (None: disabled)."""
    if isinstance(node, str):
        return nw.col(node) if definition.criteria[node].enabled else None
    ((op, arg),) = node.items()
    if op == "not":
        inner = _logic(arg, definition)
        return None if inner is None else ~inner
    parts = [p for p in (_logic(child, definition) for child in arg) if p is not None]
    if not parts:
        return None
    return (
        nw.any_horizontal(*parts, ignore_nulls=True)
        if op == "any"
        else nw.all_horizontal(*parts, ignore_nulls=True)
    )


def _cache_if_reused(ev: nw.LazyFrame, definition: Definition, names: list[str]) -> nw.LazyFrame:
    """On Spark, compute the events once when several criteria read one category (two
    hospital criteria, a same-stay condition): their extraction then runs once, not once
    per read. pandas frames are in memory already.

    A checkpoint (:func:`snds_algos.backend.checkpoint`), not ``cache()``: a cached frame
    keeps the partitions of its plan, 200 shuffle partitions per event kind, 600 for the
    union of three (Spark does not let adaptive execution change a cached plan's
    partitioning), and every stage reading it had 600 tasks for a few thousand rows; the
    checkpoint is computed with adaptive execution, which coalesces them."""
    if backend_of_lazy(ev) != SPARK:
        return ev
    reads: dict[str, int] = {}
    for name in names:
        crit = definition.criteria[name]
        reads[crit.events] = reads.get(crit.events, 0) + 1
        if crit.with_same_stay:
            reads["hospital_diagnosis"] = reads.get("hospital_diagnosis", 0) + 1
    if max(reads.values()) < 2:
        return ev
    return checkpoint(ev)


def identify(
    definition: Definition,
    events: Any,
    year: int,
    *,
    population: Any = None,
) -> Any:
    """Run a case definition for reference year ``year``.

    Parameters
    ----------
    definition:
        A :class:`~snds_algos.cases.Definition` (parameters already applied).
    events:
        Events of every category the definition reads, in one frame (pandas or Spark),
        or a mapping of frames (concatenated).
    year:
        Reference year N.
    population:
        Optional frame with a ``patient_id`` column: every person of it gets a row
        (flags false for those who meet no criterion).

    Returns
    -------
    One row per person (same backend): ``patient_id``, ``year``, per enabled criterion
    a boolean flag and ``<criterion>_date``, and ``case``; sorted by ``patient_id`` on
    pandas (Spark stays lazy: sort on ``patient_id`` to compare). On Spark, events read
    by several criteria are marked for caching (``DataFrame.cache``): computed once, at
    the first action.

    Examples
    --------
    >>> import pandas as pd, datetime as dt
    >>> from snds_algos.cases import Criterion, Definition
    >>> from snds_algos.contracts.dtypes import date_series
    >>> d = Definition("demo", {"ald": Criterion("ald", "ald", codes="dia")}, "ald",
    ...                code_lists={"dia": ["E11"]})
    >>> ev = pd.DataFrame({"patient_id": ["P1", "P2"], "category": "ald", "group_id": "41",
    ...      "value": ["E119", "C50"], "start": date_series(["2015-01-01", "2015-01-01"]),
    ...      "end": date_series([None, None])})
    >>> identify(d, ev, 2020)[["patient_id", "ald", "case"]].values.tolist()
    [['P1', True, True]]
    """
    frames = dict(events) if isinstance(events, Mapping) else {"events": events}
    frames = {k: v for k, v in frames.items() if v is not None}
    common_backend({**frames, "population": population})
    parts = [lazy(f) for f in frames.values()]
    ev = parts[0] if len(parts) == 1 else nw.concat(parts, how="diagonal")
    present = set(ev.collect_schema().names())
    missing = [
        nw.lit(None, dtype=dtype).alias(name)
        for name, dtype in _OPTIONAL_COLUMNS.items()
        if name not in present
    ]
    if missing:
        ev = ev.with_columns(*missing)
    names = definition.enabled()
    if not names:
        raise ValueError(f"{definition.id}: no criterion enabled")
    ev = _cache_if_reused(ev, definition, names)
    # one long frame of (person, criterion, date met), then one group-by: each criterion's
    # lineage is evaluated once (joining one frame per criterion made Spark recompute
    # the shared event extraction for every join)
    met = [
        _EVALUATORS[definition.criteria[n].events](ev, definition, definition.criteria[n], year)
        .select(PID, "__day")
        .with_columns(nw.lit(i, dtype=nw.Int64).alias("__crit"))
        for i, n in enumerate(names)
    ]
    long = met[0] if len(met) == 1 else nw.concat(met, how="vertical")
    wide = long.with_columns(
        *[
            nw.when(nw.col("__crit") == i).then(nw.col("__day")).alias(f"__d{i}")
            for i in range(len(names))
        ]
    )
    out = wide.group_by(PID).agg(*[nw.col(f"__d{i}").min() for i in range(len(names))])
    out = from_day_number(out, {f"__d{i}": f"{n}_date" for i, n in enumerate(names)})
    if population is not None:
        base = lazy(population).select(PID).unique()
        out = base.join(out, on=PID, how="left")
    out = out.with_columns(
        *[(~nw.col(f"{n}_date").is_null()).alias(n) for n in names],
        nw.lit(year, dtype=nw.Int64).alias("year"),
    )
    case = _logic(definition.case, definition)
    out = out.with_columns(case.fill_null(False).alias("case"))
    columns = [PID, "year"]
    for n in names:
        columns += [n, f"{n}_date"]
    out = out.select(*columns, "case")
    native = to_native(out)
    if backend_of(native) == "pandas":
        native = native.sort_values(PID, kind="stable").reset_index(drop=True)
    return native
