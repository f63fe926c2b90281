"""Exposure periods per (person, drug key), and the coverage runs inside them.

Fills (:mod:`snds_algos.pathways.supply`) of a person and key, in date order, give each
fill a coverage interval ``[c_i, e_i]`` (inclusive days):

* ``carryover`` (default; AdhereR carry-over, PQA shifting of early refills): coverage
  starts at ``max(d_i, e_{i-1} + 1)`` and lasts the fill's supply. Computed without a
  loop: with ``S_i`` the cumulative supply, ``e_i = S_i + cummax_{j<=i}(d_j - 1 - S_{j-1})``.
* ``no_stockpile`` (OHDSI drug eras): ``[d_i, d_i + supply_i - 1]``; overlaps are lost.
* ``scalpel3`` (SCALPEL3 ``LimitedExposureAdder`` compatibility preset): each purchase
  covers one pack duration per line; purchases join the current exposure when the gap
  is strictly less than ``end_delay`` (= ``grace_days``); the exposure ends at the end
  of the last purchase (``scalpel3_end="latest_purchase_based"``) or at its start plus
  the sum of the durations (``"purchase_count_based"``, SCALPEL3's default). Known
  quirk, kept for compatibility: count-based exposures of one molecule can overlap (a
  burst of purchases on a few days gives a long exposure, and a purchase after the last
  one's end + delay opens a new one inside it).

A new period starts at fill i when the uncovered days before it, ``c_i - r_{i-1} - 1``
with ``r`` the latest coverage end so far, exceed ``grace_days`` (``<=`` is bridged).
Coverage runs are the maximal intervals of days covered by some fill.

``hospital_mode="pause"``: supply is not consumed in hospital. Fill dates go on the
out-of-hospital clock (:mod:`snds_algos.pathways.hospital`), periods and runs are built
there, and run bounds are mapped back to calendar days: a stay inside a run extends it
by its hospital days, which count as covered; hospital days in a gap do not count
towards the grace.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import narwhals as nw

from snds_algos._signature import same_parameters
from snds_algos.backend import (
    computed_once,
    fresh_index,
    from_day_number,
    previous,
    window_partition,
)
from snds_algos.pathways.followup import follow_up_days
from snds_algos.pathways.hospital import from_clock, hospital_blocks, to_clock
from snds_algos.pathways.keys import KeySpec
from snds_algos.pathways.schema import (
    PERIOD_COLUMNS,
    PERIOD_ORDER,
    RUN_COLUMNS,
    RUN_ORDER,
    finish,
)
from snds_algos.pathways.supply import BoxesMode, fill_frame
from snds_algos.reports import Report

Strategy = Literal["carryover", "no_stockpile", "scalpel3"]
STRATEGIES = ("carryover", "no_stockpile", "scalpel3")
SCALPEL3_ENDS = ("purchase_count_based", "latest_purchase_based")
HOSPITAL_MODES = ("ignore", "pause")
PART = ("patient_id", "key")


def check_parameters(
    strategy: str, grace_days: int, hospital_mode: str, stays: Any, scalpel3_end: str
) -> None:
    """Raise ``ValueError`` naming the parameter when one is invalid."""
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, not {strategy!r}")
    if isinstance(grace_days, bool) or not isinstance(grace_days, int) or grace_days < 0:
        raise ValueError(f"grace_days must be a non-negative integer, not {grace_days!r}")
    if hospital_mode not in HOSPITAL_MODES:
        raise ValueError(f"hospital_mode must be one of {HOSPITAL_MODES}, not {hospital_mode!r}")
    if hospital_mode == "pause" and stays is None:
        raise ValueError("hospital_mode='pause' needs the hospital stays (stays=...)")
    if scalpel3_end not in SCALPEL3_ENDS:
        raise ValueError(f"scalpel3_end must be one of {SCALPEL3_ENDS}, not {scalpel3_end!r}")


def fill_intervals(
    fills: nw.LazyFrame,
    *,
    strategy: str = "carryover",
    grace_days: int = 15,
    blocks: nw.LazyFrame | None = None,
    part: tuple[str, ...] = PART,
) -> nw.LazyFrame:
    """Add to fills (``day``, ``supply_days``, ``line_max`` per ``part``) their coverage
    interval ``__c, __e`` (on the out-of-hospital clock when ``blocks`` are given), the
    period ``__period`` and coverage run ``__run`` they belong to (numbered from 1)."""
    f = fresh_index(fills)
    if blocks is not None:
        f = to_clock(f, blocks, "day", "__d")
    else:
        f = f.with_columns(nw.col("day").alias("__d"))
    f, part = window_partition(f, part)
    order = ["__d"]
    supply = nw.col("supply_days")
    if strategy == "carryover":
        f = f.with_columns(supply.cum_sum().over(*part, order_by=order).alias("__S"))
        f = f.with_columns((nw.col("__d") - 1 - nw.col("__S") + supply).alias("__x"))
        f = f.with_columns(nw.col("__x").cum_max().over(*part, order_by=order).alias("__m"))
        f = f.with_columns((nw.col("__S") + nw.col("__m")).alias("__e"))
        f = f.with_columns((nw.col("__e") - supply + 1).alias("__c"))
    elif strategy == "no_stockpile":
        f = f.with_columns(nw.col("__d").alias("__c"), (nw.col("__d") + supply - 1).alias("__e"))
    else:
        f = f.with_columns(
            nw.col("__d").alias("__c"), (nw.col("__d") + nw.col("line_max") - 1).alias("__e")
        )
    if strategy == "carryover":  # coverage ends never decrease: the latest end is e_{i-1}
        f = previous(f, "__e", part, order, "__p")
    else:
        f = f.with_columns(nw.col("__e").cum_max().over(*part, order_by=order).alias("__r"))
        f = previous(f, "__r", part, order, "__p")
    gap = nw.col("__c") - nw.col("__p") - 1
    opens = gap >= grace_days if strategy == "scalpel3" else gap > grace_days
    f = f.with_columns(
        opens.fill_null(True).cast(nw.Int64).alias("__np"),
        (gap > 0).fill_null(True).cast(nw.Int64).alias("__nr"),
    )
    f = f.with_columns(
        nw.col("__np").cum_sum().over(*part, order_by=order).alias("__period"),
        nw.col("__nr").cum_sum().over(*part, order_by=order).alias("__run"),
    )
    return f.drop("__S", "__x", "__m", "__r", "__p", "__np", "__nr", "__part", strict=False)


def coverage(
    fills: nw.LazyFrame,
    *,
    strategy: str = "carryover",
    grace_days: int = 15,
    scalpel3_end: str = "purchase_count_based",
    blocks: nw.LazyFrame | None = None,
    part: tuple[str, ...] = PART,
    reuse: bool = False,
) -> tuple[nw.LazyFrame, nw.LazyFrame]:
    """Fills with their period, and the coverage runs ``part, __period, rs, re`` (calendar
    day numbers, inclusive) with the fills (``__n``) and supply (``__s``) of each run.
    ``reuse``: the fills are read again by the caller (computed once on DuckDB)."""
    f = fill_intervals(fills, strategy=strategy, grace_days=grace_days, blocks=blocks, part=part)
    if reuse:
        f = computed_once(f)
    stats = [nw.len().alias("__n"), nw.col("supply_days").sum().alias("__s")]
    if strategy == "scalpel3" and scalpel3_end == "purchase_count_based":
        runs = f.group_by(*part, "__period").agg(nw.col("__c").min().alias("rs"), *stats)
        runs = runs.with_columns((nw.col("rs") + nw.col("__s") - 1).alias("re"))
    else:
        runs = f.group_by(*part, "__period", "__run").agg(
            nw.col("__c").min().alias("rs"), nw.col("__e").max().alias("re"), *stats
        )
    if blocks is not None:
        runs = from_clock(runs, blocks, "rs", "__rs")
        runs = from_clock(runs, blocks, "re", "__re")
        runs = runs.drop("rs", "re").rename({"__rs": "rs", "__re": "re"})
    return f, runs.select(*part, "__period", "rs", "re", "__n", "__s")


def _numbered(frame: nw.LazyFrame, part: tuple[str, ...]) -> nw.LazyFrame:
    frame = fresh_index(frame).with_columns(nw.lit(1).cast(nw.Int64).alias("__one"))
    number = nw.col("__one").cum_sum().over(*part, order_by=["start"])
    return frame.with_columns(number.alias("period_no")).drop("__one")


def build(
    dispensings: Any,
    *,
    key: KeySpec = None,
    strategy: Strategy = "carryover",
    grace_days: int = 15,
    pack_days: Mapping[str, int] | Any | None = None,
    boxes_mode: BoxesMode | None = None,
    max_boxes: int | None = 10,
    hospital_mode: Literal["ignore", "pause"] = "ignore",
    stays: Any = None,
    follow_up: Any = None,
    scalpel3_end: Literal["purchase_count_based", "latest_purchase_based"] = "purchase_count_based",
    report: Report | None = None,
    want_runs: bool = False,
) -> tuple[nw.LazyFrame, nw.LazyFrame | None]:
    """Periods (and the runs when ``want_runs``) as LazyFrames of day numbers (``start``,
    ``end``), before typing."""
    check_parameters(strategy, grace_days, hospital_mode, stays, scalpel3_end)
    if boxes_mode is None:
        boxes_mode = "per_line" if strategy == "scalpel3" else "count"
    f = fill_frame(
        dispensings,
        key=key,
        pack_days=pack_days,
        boxes_mode=boxes_mode,
        max_boxes=max_boxes,
        report=report,
    )
    blocks = hospital_blocks(stays) if hospital_mode == "pause" else None
    clipped = follow_up is not None
    f, runs = coverage(
        f,
        strategy=strategy,
        grace_days=grace_days,
        scalpel3_end=scalpel3_end,
        blocks=blocks,
        reuse=clipped,
    )
    pid = [*PART, "__period"]
    runs = runs.with_columns((nw.col("re") - nw.col("rs") + 1).alias("__len"))
    if clipped:
        runs = computed_once(runs)
        bounds = runs.group_by(*pid).agg(
            nw.col("rs").min().alias("start"), nw.col("re").max().alias("end")
        )
        fu = follow_up_days(follow_up=follow_up, open_bounds=True)
        joined = bounds.join(fu, on="patient_id", how="left")
        outside = (
            nw.col("fs").is_null()
            | (nw.col("end") < nw.col("fs"))
            | (nw.col("start") > nw.col("fe"))
        )
        if report is not None:
            report.add_flags(
                "exposure_periods",
                joined,
                [("pathways:outside_follow_up", "period outside the follow-up", outside)],
            )
        bounds = joined.filter(~outside).select(
            *pid,
            nw.max_horizontal(nw.col("start"), nw.col("fs")).alias("start"),
            nw.min_horizontal(nw.col("end"), nw.col("fe")).alias("end"),
        )
        bounds = computed_once(bounds)
        runs = runs.join(bounds, on=pid, how="inner").select(
            *pid,
            nw.max_horizontal(nw.col("rs"), nw.col("start")).alias("rs"),
            nw.min_horizontal(nw.col("re"), nw.col("end")).alias("re"),
        )
        runs = runs.filter(nw.col("rs") <= nw.col("re"))
        runs = runs.with_columns((nw.col("re") - nw.col("rs") + 1).alias("__len"))
        f = f.join(bounds, on=pid, how="inner")
        f = f.filter((nw.col("day") >= nw.col("start")) & (nw.col("day") <= nw.col("end")))
        stats = f.group_by(*pid).agg(
            nw.len().alias("n_dispensings"), nw.col("supply_days").sum().alias("supplied_days")
        )
        covered = runs.group_by(*pid).agg(nw.col("__len").sum().alias("covered_days"))
        periods = bounds.join(covered, on=pid, how="left").join(stats, on=pid, how="left")
        periods = periods.with_columns(
            nw.col("covered_days").fill_null(0),
            nw.col("n_dispensings").fill_null(0),
            nw.col("supplied_days").fill_null(0),
        )
    elif strategy == "carryover" and blocks is None and not want_runs:
        # carry-over intervals are disjoint: a period covers exactly its supply, and the
        # runs need not be built (one aggregation of the fills, as a hand-written SQL)
        periods = f.group_by(*pid).agg(
            nw.col("__c").min().alias("start"),
            nw.col("__e").max().alias("end"),
            nw.col("supply_days").sum().alias("covered_days"),
            nw.len().alias("n_dispensings"),
            nw.col("supply_days").sum().alias("supplied_days"),
        )
    else:
        periods = runs.group_by(*pid).agg(
            nw.col("rs").min().alias("start"),
            nw.col("re").max().alias("end"),
            nw.col("__len").sum().alias("covered_days"),
            nw.col("__n").sum().alias("n_dispensings"),
            nw.col("__s").sum().alias("supplied_days"),
        )
    periods = periods.with_columns(
        (nw.col("end") - nw.col("start") + 1 - nw.col("covered_days")).alias("gap_days")
    )
    if clipped:  # periods before the follow-up are gone: number again from 1
        periods = _numbered(periods, PART)
    else:
        periods = periods.with_columns(nw.col("__period").alias("period_no"))
    if not want_runs:
        return periods, None
    periods = computed_once(periods)
    runs = runs.join(periods.select(*pid, "period_no"), on=pid, how="inner")
    runs = runs.rename({"rs": "start", "re": "end"}).with_columns(
        nw.col("__len").alias("covered_days")
    )
    return periods, runs


_SHARED_DOC = """
    Parameters
    ----------
    dispensings:
        ``drug_dispensing`` events (pandas, DuckDB or Spark): ``patient_id, start, value,
        cip13, weight, large_pack``.
    key, pack_days, boxes_mode, max_boxes:
        Supply of the dispensings, see :func:`~snds_algos.pathways.supply.fills`.
        ``boxes_mode`` defaults to ``"count"``, and to ``"per_line"`` for ``scalpel3``.
    strategy:
        ``"carryover"`` (default), ``"no_stockpile"`` or ``"scalpel3"``.
    grace_days:
        Uncovered days bridged within a period (a gap of at most ``grace_days`` days is
        bridged; ``scalpel3``: ``end_delay``, a gap strictly less is bridged).
    hospital_mode:
        ``"ignore"`` (calendar days) or ``"pause"`` (supply not consumed in hospital;
        needs ``stays``: ``hospital_stay`` events, ``patient_id, start`` = entry,
        ``end`` = exit, MCO/SSR/HAD).
    follow_up:
        ``patient_id, fu_start, fu_end`` (dates, one row per person, inclusive): periods
        outside it, or of persons without one, are dropped (counted in the report);
        periods it cuts are clipped, their counts recomputed on the fills dated inside
        and their covered days on the clipped runs.
    scalpel3_end:
        ``"purchase_count_based"`` (default) or ``"latest_purchase_based"``.
    report:
        Receives the dispensings dropped or capped and the periods outside follow-up.
"""


@same_parameters(build, drop=["want_runs"])
def exposure_periods(dispensings: Any, **parameters: Any) -> Any:
    """Exposure periods per (person, drug key), inclusive dates.

    {shared}
    Returns
    -------
    ``patient_id, key, period_no`` (from 1 per person and key, in date order),
    ``start, end`` (dates, inclusive), ``n_dispensings`` (fills: dispensing days of the
    key), ``supplied_days`` (their supply), ``covered_days`` (days of the period covered
    by some fill), ``gap_days`` (``end - start + 1 - covered_days``). Total order
    ``patient_id, key, start``; same backend as the input (pandas sorted).

    Examples
    --------
    Worked example E1 (30-day fills, carryover, grace 15):

    >>> import datetime as dt, pandas as pd
    >>> days = ["2014-01-08", "2014-02-05", "2014-03-12", "2014-04-20", "2014-06-03"]
    >>> d = pd.DataFrame({{"patient_id": "P1", "start": [dt.date.fromisoformat(x) for x in days],
    ...     "value": "A10BA02", "cip13": "3400930000001", "weight": 1.0, "large_pack": False}})
    >>> p = exposure_periods(d)
    >>> p[["start", "end", "covered_days", "gap_days"]].values.tolist()
    [[datetime.date(2014, 1, 8), datetime.date(2014, 7, 2), 150, 26]]
    >>> len(exposure_periods(d, grace_days=13))
    2
    """
    periods, _ = build(dispensings, **parameters)
    periods = from_day_number(periods, {"start": "start", "end": "end"})
    return finish(periods, PERIOD_COLUMNS, PERIOD_ORDER)


@same_parameters(build, drop=["want_runs"])
def coverage_runs(dispensings: Any, **parameters: Any) -> Any:
    """Coverage runs: the maximal intervals of days covered by some fill, per (person,
    key), within the periods of :func:`exposure_periods` (same parameters).

    {shared}
    Returns
    -------
    ``patient_id, key, period_no, start, end`` (inclusive), ``covered_days``
    (``end - start + 1``). The ``covered_days`` of a period is the sum over its runs.
    Total order ``patient_id, key, start``.

    Examples
    --------
    E1 under ``no_stockpile``: the two first fills overlap and make one run.

    >>> import datetime as dt, pandas as pd
    >>> days = ["2014-01-08", "2014-02-05", "2014-03-12", "2014-04-20", "2014-06-03"]
    >>> d = pd.DataFrame({{"patient_id": "P1", "start": [dt.date.fromisoformat(x) for x in days],
    ...     "value": "A10BA02", "cip13": "3400930000001", "weight": 1.0, "large_pack": False}})
    >>> coverage_runs(d, strategy="no_stockpile")["covered_days"].tolist()
    [58, 30, 30, 30]
    """
    _, runs = build(dispensings, **parameters, want_runs=True)
    runs = from_day_number(runs, {"start": "start", "end": "end"})
    return finish(runs, RUN_COLUMNS, RUN_ORDER)


for _function in (exposure_periods, coverage_runs):
    if _function.__doc__:
        _function.__doc__ = _function.__doc__.format(shared=_SHARED_DOC.strip())
