"""Lines of therapy (``pathways.md`` section 3.4, Merck rules, worked example E7).

Rules, per person, on the treatment states of the follow-up (the periods clipped to it,
after the short-combination rule of :mod:`snds_algos.pathways.states`: the overlap of a
switch or a short add-on opens no line):

* a **treatment episode** is a run of treatment in which no gap (days without any
  active key) is longer than ``line_gap_days`` (a gap of exactly ``line_gap_days``
  days keeps the episode); each episode opens a new line;
* the **regimen** of a line starting on day ``L`` is the set of keys active on some day
  of ``[L, L + regimen_window_days]`` (the keys active when it opens, and those started
  within the window); line 1 of an episode starts on its first day;
* a period start of a key **outside the regimen** of the current line opens a new line
  (such a start is after the window, by construction), unless the key is listed in
  ``line_exempt_keys``; exempt keys are treatment (they bridge gaps and enter a
  regimen when active in its window) but never open a line;
* dropping keys keeps the line (E7: A, then B 31 days later: line 2 = A+B, and line 2
  goes on after A stops).

A line ends the day before the next line starts (``end_reason`` ``next_line``), or on
the last treated day of its episode: ``discontinuation`` when a gap of more than
``line_gap_days`` follows (before another episode or up to the end of follow-up), else
the reason the follow-up ends (``death``, ``end_of_data``, ``cohort_exit``).

Computed without a loop over persons: for every possible line start (an episode start
or a period start of a non-exempt key) its regimen and the start of the line it would
lead to are found by joins; the chain of lines from each episode start is then followed
for at most ``max_lines`` steps (a loop over line numbers, each step a join over all
persons). An episode with more than ``max_lines`` lines keeps the rest in its last line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import narwhals as nw

from snds_algos.backend import (
    checkpoint,
    computed_once,
    distinct,
    explode_split,
    is_empty,
    string_agg,
)
from snds_algos.pathways.followup import (
    PID,
    check_days,
    clipped_follow_up,
    concat,
    finish,
)
from snds_algos.pathways.states import NONE, state_runs
from snds_algos.reports import Report

#: columns of :func:`lines_of_therapy`, with their types
LINE_SCHEMA = {
    "patient_id": "string",
    "line_no": "integer",
    "regimen": "string",
    "start": "date",
    "end": "date",
    "end_reason": "string",
}
LINE_ORDER = ("patient_id", "line_no")


def _episodes(clipped: nw.LazyFrame, gap: int) -> nw.LazyFrame:
    """Periods with their episode: ``patient_id, key, s, e, ep`` and episode bounds."""
    ordered = clipped.with_columns(
        nw.col("e").cum_max().over(PID, order_by=["s", "e", "key"]).alias("__reach")
    )
    prev_reach = (
        nw.col("__reach")
        .cast(nw.Float64)
        .shift(1)
        .over(PID, order_by=["s", "e", "key"])
        .cast(nw.Int64)
    )
    new = (prev_reach.is_null() | (nw.col("s") - prev_reach - 1 > gap)).fill_null(True)
    ordered = ordered.with_columns(new.cast(nw.Int64).alias("__new"))
    ordered = ordered.with_columns(
        nw.col("__new").cum_sum().over(PID, order_by=["s", "e", "key"]).cast(nw.Int64).alias("ep")
    )
    bounds = nw.col("s").min().over(PID, "ep"), nw.col("e").max().over(PID, "ep")
    return ordered.with_columns(bounds[0].alias("ep_s"), bounds[1].alias("ep_e")).select(
        PID, "key", "s", "e", "fe", "ep", "ep_s", "ep_e"
    )


def _key_runs(runs: nw.LazyFrame) -> nw.LazyFrame:
    """``patient_id, key, s, e``: the runs of each key over consecutive treated states."""
    keys = explode_split(runs.filter(nw.col("state") != NONE), "state", "key", sep="+")
    # adjacent runs of a key share s - (days of the key's earlier runs): an island key
    length = (nw.col("e") - nw.col("s") + 1).cast(nw.Int64)
    keys = keys.with_columns(length.alias("__len"))
    before = nw.col("__len").cum_sum().over(PID, "key", order_by="s") - nw.col("__len")
    keys = keys.with_columns((nw.col("s") - before).cast(nw.Int64).alias("__run"))
    return (
        keys.group_by(PID, "key", "__run").agg(nw.col("s").min(), nw.col("e").max()).drop("__run")
    )


def lines_of_therapy(
    periods: Any,
    follow_up: Any = None,
    *,
    regimen_window_days: int = 28,
    line_gap_days: int = 180,
    line_exempt_keys: Iterable[str] = (),
    combination_min_days: int = 30,
    max_lines: int = 20,
    data_end: dt.date | str | None = None,
    deaths: Any = None,
    report: Report | None = None,
) -> Any:
    """Lines of therapy per person (Merck rules, see the module).

    Parameters
    ----------
    periods, follow_up, data_end, deaths, report:
        As for :func:`~snds_algos.pathways.treatment_states` (periods ``patient_id,
        key, start, end``; follow-up given, or first period to ``data_end`` or death).
    regimen_window_days:
        Keys started within this many days of a line's start belong to its regimen
        (a key starting ``regimen_window_days`` days after the line start is in it).
    line_gap_days:
        A gap without any treatment longer than this ends the line (and the episode).
    line_exempt_keys:
        Keys that never open a new line.
    combination_min_days:
        Lines are built on the treatment states of
        :func:`~snds_algos.pathways.treatment_states` with this parameter: a switch
        with an overlap or a short add-on (a combination shorter than this) opens no
        line.
    max_lines:
        Lines followed per episode (the last one keeps the rest).

    Returns
    -------
    One row per line, columns ``patient_id``, ``line_no``, ``regimen`` (the keys
    sorted and joined with a plus sign), ``start``, ``end`` and ``end_reason``. Lines
    of a person never overlap. Total order: ``patient_id``, ``line_no``.

    Examples
    --------
    E7: B starts 31 days after line 1 began: line 2 is A+B, also after A stops.

    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> periods = pd.DataFrame({"patient_id": ["P1", "P1"], "key": ["A", "B"],
    ...     "start": date_series(["2020-01-01", "2020-02-01"]),
    ...     "end": date_series(["2020-03-31", "2020-06-30"])})
    >>> out = lines_of_therapy(periods, data_end="2020-06-30")
    >>> out[["line_no", "regimen", "start", "end", "end_reason"]].astype(str).values.tolist()
    [['1', 'A', '2020-01-01', '2020-01-31', 'next_line'], ['2', 'A+B', '2020-02-01', '2020-06-30', 'end_of_data']]
    """
    window = check_days("regimen_window_days", regimen_window_days, 0)
    gap = check_days("line_gap_days", line_gap_days, 0)
    check_days("max_lines", max_lines, 1)
    check_days("combination_min_days", combination_min_days, 1)
    exempt = sorted({str(k) for k in line_exempt_keys})
    fu, clipped = clipped_follow_up(
        periods, follow_up, data_end=data_end, deaths=deaths, report=report, step="lines"
    )
    runs = state_runs(clipped, fu, combination_min_days=combination_min_days)
    per = checkpoint(_episodes(_key_runs(runs).join(fu.select(PID, "fe"), on=PID), gap))
    # candidate line starts: episode starts and period starts of non-exempt keys
    heads = computed_once(distinct(per.select(PID, "ep", nw.col("ep_s").alias("c"))))
    opens = per.filter(~nw.col("key").is_in(exempt)) if exempt else per
    starts = computed_once(distinct(opens.select(PID, "ep", nw.col("s").alias("c"), "key")))
    cands = computed_once(distinct(concat([heads, starts.select(PID, "ep", "c")])))
    # regimen of a line starting at c: keys active on a day of [c, c + window]
    reg = cands.join(per.select(PID, "ep", "key", "s", "e"), on=[PID, "ep"])
    reg = reg.filter((nw.col("s") <= nw.col("c") + window) & (nw.col("e") >= nw.col("c")))
    reg = checkpoint(distinct(reg.select(PID, "ep", "c", "key")))
    # the next line after a line starting at c: the first later start of a key outside
    nxt = cands.join(starts.select(PID, "ep", nw.col("c").alias("c2"), "key"), on=[PID, "ep"])
    nxt = nxt.filter(nw.col("c2") > nw.col("c"))
    nxt = nxt.join(
        reg.with_columns(nw.lit(1).alias("__in")), on=[PID, "ep", "c", "key"], how="left"
    )
    nxt = (
        nxt.filter(nw.col("__in").is_null())
        .group_by(PID, "ep", "c")
        .agg(nw.col("c2").min().alias("next"))
    )
    nxt = computed_once(nxt)
    # follow the chain of lines from each episode start
    level = heads.with_columns(nw.lit(1, dtype=nw.Int64).alias("k"))
    found = [level]
    nxt = checkpoint(nxt)
    for k in range(2, max_lines + 1):
        level = level.join(nxt, on=[PID, "ep", "c"], how="inner").select(
            PID, "ep", nw.col("next").alias("c"), nw.lit(k, dtype=nw.Int64).alias("k")
        )
        # each level is computed and its plan cut (a chain of joins nested max_lines
        # deep is more than Spark's optimiser can analyse in reasonable time); the chain
        # stops at the first level where no person has a further line
        level = checkpoint(level)
        if is_empty(level):
            break
        found.append(level)
    lines = concat(found)
    lines = lines.with_columns(
        nw.col("c")
        .cast(nw.Float64)
        .shift(-1)
        .over(PID, "ep", order_by="c")
        .cast(nw.Int64)
        .alias("__next_line")
    )
    ep = distinct(per.select(PID, "ep", "ep_s", "ep_e", "fe"))
    ep = ep.with_columns(
        nw.col("ep_s")
        .cast(nw.Float64)
        .shift(-1)
        .over(PID, order_by="ep")
        .cast(nw.Int64)
        .alias("__next_ep")
    )
    ep = ep.join(fu.select(PID, "end_reason"), on=PID, how="left")
    lines = lines.join(ep, on=[PID, "ep"], how="left")
    last_gap = (
        nw.when(nw.col("__next_ep").is_null()).then(nw.col("fe")).otherwise(nw.col("__next_ep") - 1)
    )
    gap_after = last_gap - nw.col("ep_e")
    reason = (
        nw.when(~nw.col("__next_line").is_null())
        .then(nw.lit("next_line"))
        .when(~nw.col("__next_ep").is_null() | (gap_after > gap))
        .then(nw.lit("discontinuation"))
        .otherwise(nw.col("end_reason"))
    )
    lines = lines.with_columns(
        nw.when(nw.col("__next_line").is_null())
        .then(nw.col("ep_e"))
        .otherwise(nw.col("__next_line") - 1)
        .alias("e"),
        reason.alias("end_reason"),
        nw.col("c").rank("ordinal").over(PID).cast(nw.Int64).alias("line_no"),
    )
    regimens = string_agg(reg, [PID, "ep", "c"], "key", "regimen", sep="+")
    lines = lines.join(regimens, on=[PID, "ep", "c"], how="left").rename({"c": "s"})
    return finish(lines, {"s": "start", "e": "end"}, LINE_SCHEMA, LINE_ORDER)
