"""Treatment states: the partition of each person's follow-up into drug-set segments.

Semantics (``pathways.md`` section 3, worked examples E6 to E8):

1. the follow-up ``[fu_start, fu_end]`` is cut into maximal runs of days with the same
   set of active keys; a state is labelled by its keys sorted (UTF-8 byte order) and
   joined with ``+`` (``A10BA02+A10BH01``), ``none`` when no key is active;
2. a run of 2 or more keys shorter than ``combination_min_days`` is not a combination.
   Judged on the cut of step 1, with its previous state P and next state N, a short
   combination S keeps the keys of S that go on into N (keys active before S that end
   with it are dropped: a switch with an overlap; keys active only inside S are dropped:
   a short add-on). When no key of S goes on into N (N is ``none``, another drug, or S
   ends the follow-up) it keeps the keys of S that were active before it (the short
   add-on is dropped, the previous treatment runs to its end); when none of its keys
   was active before either, S is kept as it is: the rule never turns treated days
   into ``none``. Then equal neighbours merge.

Computed with a sweep line: the boundaries of each person's elementary segments are
the follow-up start, every (clipped) period start and every period end + 1; the active
keys of a segment come from one join and one ordered string aggregation. No Python loop
over persons.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import narwhals as nw

from snds_algos.backend import checkpoint, computed_once, distinct, string_agg
from snds_algos.pathways.followup import (
    PID,
    check_days,
    clipped_follow_up,
    concat,
    finish,
)
from snds_algos.reports import Report

#: label of a state without any active key
NONE = "none"
#: columns of :func:`treatment_states`, in order, with their types
STATE_SCHEMA = {
    "patient_id": "string",
    "state_no": "integer",
    "state": "string",
    "n_keys": "integer",
    "start": "date",
    "end": "date",
    "length_days": "integer",
    "end_reason": "string",
}
#: total order of the states
STATE_ORDER = ("patient_id", "start")


def _merge_equal(seg: nw.LazyFrame) -> nw.LazyFrame:
    """Merge consecutive segments (``s, e, state, n_keys``) with the same state."""
    prev = nw.col("state").shift(1).over(PID, order_by="s")
    new = (prev.is_null() | (prev != nw.col("state"))).fill_null(True)
    seg = seg.with_columns(new.cast(nw.Int64).alias("__new"))
    seg = seg.with_columns(
        nw.col("__new").cum_sum().over(PID, order_by="s").cast(nw.Int64).alias("run")
    )
    # the state is the same on every segment of a run: grouped by, not aggregated (a
    # grouped minimum of strings loops over the groups in Python on pandas)
    return seg.group_by(PID, "run", "state").agg(
        nw.col("s").min(), nw.col("e").max(), nw.col("n_keys").max()
    )


def _label(seg: nw.LazyFrame, keys: nw.LazyFrame, by: list[str]) -> nw.LazyFrame:
    """``seg`` with ``state, n_keys`` from its keys (``by + [key]``); ``none`` when none."""
    labels = string_agg(keys, by, "key", "state", sep="+", count="n_keys")
    out = seg.join(labels, on=by, how="left")
    return out.with_columns(
        nw.col("state").fill_null(NONE), nw.col("n_keys").fill_null(0).cast(nw.Int64)
    )


def state_runs(
    clipped: nw.LazyFrame, fu: nw.LazyFrame, *, combination_min_days: int = 30
) -> nw.LazyFrame:
    """States as day numbers: ``patient_id, s, e, state, n_keys`` (internal)."""
    starts = fu.select(PID, nw.col("fs").alias("b"))
    period_starts = clipped.select(PID, nw.col("s").alias("b"))
    after_ends = clipped.filter(nw.col("e") < nw.col("fe")).select(
        PID, (nw.col("e") + 1).alias("b")
    )
    bounds = distinct(concat([starts, period_starts, after_ends]))
    bounds = bounds.join(fu.select(PID, "fe"), on=PID, how="inner")
    nxt = nw.col("b").cast(nw.Float64).shift(-1).over(PID, order_by="b").cast(nw.Int64)
    seg = computed_once(
        bounds.with_columns(
            nw.when(nxt.is_null()).then(nw.col("fe")).otherwise(nxt - 1).cast(nw.Int64).alias("e")
        ).select(PID, nw.col("b").alias("s"), "e")
    )
    # active keys of each elementary segment (no boundary inside a segment)
    active = seg.join(
        clipped.select(PID, "key", nw.col("s").alias("ps"), nw.col("e").alias("pe")), on=PID
    )
    active = distinct(
        active.filter((nw.col("ps") <= nw.col("s")) & (nw.col("s") <= nw.col("pe"))).select(
            PID, "s", "key"
        )
    )
    active = checkpoint(active)
    seg = _label(seg, active, [PID, "s"])
    runs = checkpoint(_merge_equal(seg))  # the original cut: patient_id, run, s, e, state, n_keys
    # keys of each run of the original cut
    run_of = runs.select(PID, "run", nw.col("s").alias("rs"), nw.col("e").alias("re"))
    members = active.join(run_of, on=PID).filter(
        (nw.col("rs") <= nw.col("s")) & (nw.col("s") <= nw.col("re"))
    )
    members = checkpoint(distinct(members.select(PID, "run", "key")))
    short = (nw.col("n_keys") >= 2) & (nw.col("e") - nw.col("s") + 1 < combination_min_days)
    short_runs = runs.filter(short).select(PID, "run")
    keys = members.join(short_runs, on=[PID, "run"], how="inner")
    nxt_keys = members.select(
        PID, (nw.col("run") - 1).alias("run"), "key", nw.lit(1).alias("in_next")
    )
    prv_keys = members.select(
        PID, (nw.col("run") + 1).alias("run"), "key", nw.lit(1).alias("in_prev")
    )
    keys = keys.join(nxt_keys, on=[PID, "run", "key"], how="left").join(
        prv_keys, on=[PID, "run", "key"], how="left"
    )
    keys = keys.with_columns(
        nw.col("in_next").fill_null(0).cast(nw.Int64), nw.col("in_prev").fill_null(0).cast(nw.Int64)
    )
    keys = keys.with_columns(
        nw.col("in_next").sum().over(PID, "run").alias("n_next"),
        nw.col("in_prev").sum().over(PID, "run").alias("n_prev"),
    )
    kept = (
        ((nw.col("n_next") > 0) & (nw.col("in_next") == 1))
        | ((nw.col("n_next") == 0) & (nw.col("n_prev") > 0) & (nw.col("in_prev") == 1))
        | ((nw.col("n_next") == 0) & (nw.col("n_prev") == 0))
    )
    kept_keys = keys.filter(kept).select(PID, "run", "key")
    judged = _label(runs.filter(short).select(PID, "run", "s", "e"), kept_keys, [PID, "run"])
    others = runs.filter(~short).select(PID, "run", "s", "e", "state", "n_keys")
    cols = [PID, "run", "s", "e", "state", "n_keys"]
    together = concat([others.select(*cols), judged.select(*cols)])
    return _merge_equal(together.drop("run")).drop("run")


def treatment_states(
    periods: Any,
    follow_up: Any = None,
    *,
    combination_min_days: int = 30,
    data_end: dt.date | str | None = None,
    deaths: Any = None,
    report: Report | None = None,
) -> Any:
    """Partition each person's follow-up into treatment states (sets of active keys).

    Parameters
    ----------
    periods:
        Exposure periods, any frame with at least ``patient_id, key, start, end``
        (inclusive dates): the output of the exposure periods, or hand-made ones.
        Overlapping periods of one key are allowed (their union is used). A key may
        not contain ``+``.
    follow_up:
        One row per person: ``patient_id, fu_start, fu_end, end_reason`` (``death``,
        ``end_of_data`` or ``cohort_exit``), e.g. from a cohort. Periods are clipped to
        it; persons of ``follow_up`` without any period get one ``none`` state.
        Default: from each person's first period start to ``data_end``, or to the death
        date when it comes first.
    combination_min_days:
        A state of 2 or more keys shorter than this is not a combination (see the
        module's rules); exactly ``combination_min_days`` days is a combination.
    data_end:
        Last day of the data (required without ``follow_up``).
    deaths:
        Without ``follow_up``: a frame ``patient_id, death_date``, or the death events
        of :func:`snds_algos.events.deaths.deaths` (their ``start``). A death after
        ``data_end`` is ignored.
    report:
        Counts periods removed because their person has no follow-up or because they
        lie outside it, and persons whose default follow-up is empty (death before the
        first period).

    Returns
    -------
    ``patient_id, state_no, state, n_keys, start, end, length_days, end_reason``: one
    row per state (same backend as the input), ``state_no`` from 1, ``end_reason`` on
    the last state of each person only (null before). The states of a person add up
    exactly to the follow-up. Total order: ``patient_id, start`` (pandas sorted; DuckDB
    a relation ordered by it; Spark lazy, sort to compare).

    Examples
    --------
    E6 of the semantics: A then B with 12 days of overlap, a switch.

    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> periods = pd.DataFrame({"patient_id": ["P1", "P1"], "key": ["A", "B"],
    ...     "start": date_series(["2020-01-01", "2020-03-20"]),
    ...     "end": date_series(["2020-03-31", "2020-06-30"])})
    >>> out = treatment_states(periods, data_end="2020-06-30")
    >>> out[["state", "start", "end", "length_days", "end_reason"]].astype(str).values.tolist()
    [['A', '2020-01-01', '2020-03-19', '79', '<NA>'], ['B', '2020-03-20', '2020-06-30', '103', 'end_of_data']]
    """
    check_days("combination_min_days", combination_min_days, 1)
    fu, clipped = clipped_follow_up(
        periods, follow_up, data_end=data_end, deaths=deaths, report=report, step="states"
    )
    runs = state_runs(clipped, fu, combination_min_days=combination_min_days)
    runs = runs.join(fu.select(PID, "fe", "end_reason"), on=PID, how="left")
    out = runs.with_columns(
        nw.col("s").rank("ordinal").over(PID).cast(nw.Int64).alias("state_no"),
        (nw.col("e") - nw.col("s") + 1).cast(nw.Int64).alias("length_days"),
        nw.when(nw.col("e") == nw.col("fe")).then(nw.col("end_reason")).alias("end_reason"),
    )
    return finish(out, {"s": "start", "e": "end"}, STATE_SCHEMA, STATE_ORDER)
