"""Adherence: proportion of days covered (PDC) and medication possession ratio (MPR).

**PDC** (PQA): per person and key, or per group of keys, over a window ``W``:
days of ``W`` covered / days of ``W``. Coverage is ``carryover`` within each key (early
refills shift forward) from the fills dated in ``W``; across the keys of a group a day
is covered when any key covers it (no shifting across drugs). ``W`` starts at the first
fill of the key (or group) in the window (``index="first_dispensing"``, the PQA index
date) or at a given date, and ends at the window end, the death or the end of follow-up,
whichever comes first. PDC is null with fewer than ``min_dispensings`` distinct fill
dates in ``W``; ``adherent = pdc >= threshold``. With ``hospital_mode="censor"``
(CMS rule) hospital days leave both terms: coverage is computed on the out-of-hospital
clock (supply held during a stay) and the window counts days out of hospital only.

**MPR** (AdhereR CMA1): supply of all fills but the last / days from the first to the
last fill (``last - first``), over the fills dated in the window; null with fewer than
two distinct dates; not capped at 1.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import narwhals as nw

from snds_algos.backend import (
    computed_once,
    day_number,
    frame_like,
    fresh_index,
    from_day_number,
    lazy,
    previous,
)
from snds_algos.pathways.exposure import fill_intervals
from snds_algos.pathways.followup import follow_up_days
from snds_algos.pathways.hospital import hospital_blocks, to_clock
from snds_algos.pathways.keys import KeySpec
from snds_algos.pathways.schema import (
    MPR_COLUMNS,
    MPR_ORDER,
    PDC_COLUMNS,
    PDC_ORDER,
    finish,
    require_columns,
)
from snds_algos.pathways.supply import BoxesMode, fill_frame
from snds_algos.reports import Report

Window = tuple[dt.date | str, dt.date | str] | Any
_EPOCH = dt.date(1970, 1, 1)
_FAR = 2**40


def _day(value: dt.date | str, name: str) -> int:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{name}: not a date (YYYY-MM-DD): {value!r}") from exc
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise ValueError(f"{name}: expected a date, got {value!r}")
    return (value - _EPOCH).days


def _grouped(fills: nw.LazyFrame, groups: Mapping[str, Sequence[str]] | None) -> nw.LazyFrame:
    if groups is None:
        return fills.with_columns(nw.col("key").alias("__group"))
    import pandas as pd

    rows = [
        (str(g), str(k))
        for g, keys in groups.items()
        for k in ([keys] if isinstance(keys, str) else keys)
    ]
    if not rows:
        raise ValueError("groups: no key given")
    table = (
        pd.DataFrame(rows, columns=["__group", "key"]).drop_duplicates().astype("string[pyarrow]")
    )
    return fills.join(frame_like(fills, table), on="key", how="inner")


def _windowed(
    fills: nw.LazyFrame,
    *,
    window: Window,
    index: Literal["first_dispensing"] | dt.date | str,
    deaths: Any,
    follow_up: Any,
) -> nw.LazyFrame:
    """Fills with their person's window ``__ws, __we`` (day numbers), kept when inside."""
    if isinstance(window, tuple | list):
        if len(window) != 2:
            raise ValueError(f"window: expected (start, end), got {window!r}")
        ws, we = _day(window[0], "window start"), _day(window[1], "window end")
        if we < ws:
            raise ValueError(f"window: end {window[1]} is before start {window[0]}")
        f = fills.with_columns(
            nw.lit(ws).cast(nw.Int64).alias("__ws"), nw.lit(we).cast(nw.Int64).alias("__we")
        )
    else:
        w = lazy(window)
        require_columns(w, ["patient_id", "window_start", "window_end"], "window")
        w = w.select("patient_id", "window_start", "window_end")
        w = day_number(day_number(w, "window_start", "__ws"), "window_end", "__we")
        f = fills.join(w.select("patient_id", "__ws", "__we"), on="patient_id", how="inner")
    if index != "first_dispensing":
        f = f.with_columns(
            nw.max_horizontal(nw.col("__ws"), nw.lit(_day(index, "index"))).alias("__ws")
        )
    if follow_up is not None:
        fu = follow_up_days(follow_up=follow_up, open_bounds=True)
        fu = fu.rename({"fs": "__fs", "fe": "__fe"})
        f = (
            f.join(fu, on="patient_id", how="inner")
            .with_columns(
                nw.max_horizontal(nw.col("__ws"), nw.col("__fs")).alias("__ws"),
                nw.min_horizontal(nw.col("__we"), nw.col("__fe")).alias("__we"),
            )
            .drop("__fs", "__fe")
        )
    if deaths is not None:
        dth = lazy(deaths)
        require_columns(dth, ["patient_id", "start"], "deaths")
        dth = day_number(dth.select("patient_id", "start"), "start", "__death")
        dth = dth.group_by("patient_id").agg(nw.col("__death").min())
        f = (
            f.join(dth, on="patient_id", how="left")
            .with_columns(
                nw.min_horizontal(nw.col("__we"), nw.col("__death").fill_null(_FAR)).alias("__we")
            )
            .drop("__death")
        )
    return f.filter((nw.col("day") >= nw.col("__ws")) & (nw.col("day") <= nw.col("__we")))


def _check(
    min_dispensings: int, threshold: float, hospital_mode: str, stays: Any, index: Any
) -> None:
    if (
        isinstance(min_dispensings, bool)
        or not isinstance(min_dispensings, int)
        or min_dispensings < 1
    ):
        raise ValueError(f"min_dispensings must be a positive integer, not {min_dispensings!r}")
    if not 0 <= float(threshold) <= 1:
        raise ValueError(f"threshold must be within [0, 1], not {threshold!r}")
    if hospital_mode not in ("ignore", "censor"):
        raise ValueError(f"hospital_mode must be 'ignore' or 'censor', not {hospital_mode!r}")
    if hospital_mode == "censor" and stays is None:
        raise ValueError("hospital_mode='censor' needs the hospital stays (stays=...)")
    if index != "first_dispensing":
        _day(index, "index")


def pdc(
    dispensings: Any,
    *,
    key: KeySpec = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    window: Window,
    index: Literal["first_dispensing"] | dt.date | str = "first_dispensing",
    min_dispensings: int = 2,
    threshold: float = 0.8,
    hospital_mode: Literal["ignore", "censor"] = "ignore",
    stays: Any = None,
    deaths: Any = None,
    follow_up: Any = None,
    pack_days: Mapping[str, int] | Any | None = None,
    boxes_mode: BoxesMode = "count",
    max_boxes: int | None = 10,
    report: Report | None = None,
) -> Any:
    """Proportion of days covered per person and key (or group of keys).

    Parameters
    ----------
    dispensings:
        ``drug_dispensing`` events (pandas, DuckDB or Spark).
    key, pack_days, boxes_mode, max_boxes:
        Supply of the dispensings, see :func:`~snds_algos.pathways.supply.fills`.
    groups:
        ``{group: [keys]}``: one PDC per group, a day being covered when any of its keys
        covers it (a key may be in several groups); ``None``: one PDC per key.
    window:
        ``(start, end)`` dates, or a frame ``patient_id, window_start, window_end``
        (one row per person; persons without one get no row).
    index:
        ``"first_dispensing"``: ``W`` starts at the first fill in the window (PQA); a
        date: ``W`` starts at that date (or the window start when later).
    min_dispensings:
        Fewer distinct fill dates in ``W``: PDC null (default 2).
    threshold:
        ``adherent = pdc >= threshold`` (default 0.8).
    hospital_mode, stays:
        ``"censor"``: hospital days (``stays``, entry .. exit - 1) leave both terms.
    deaths:
        Death events (``patient_id, start`` = date of death): ``W`` ends at death.
    follow_up:
        ``patient_id, fu_start, fu_end``: ``W`` is cut to it; persons without one get no row.
    report:
        Receives the dispensings dropped or capped (see :func:`~snds_algos.pathways.supply.fills`).

    Returns
    -------
    ``patient_id, key`` (the key, or the group name), ``window_start, window_end``
    (``W``, inclusive), ``n_dispensings`` (distinct fill dates in ``W``),
    ``covered_days``, ``window_days`` (with ``censor``: days out of hospital), ``pdc``
    (float, null when undefined), ``adherent`` (boolean, null when ``pdc`` is). One row
    per person and key with a fill in the window; total order ``patient_id, key``.

    Examples
    --------
    Worked example E9: 90-day fills, the third shifted to 2018-10-03 by the carry-over.

    >>> import datetime as dt, pandas as pd
    >>> days = ["2018-03-25", "2018-07-05", "2018-09-25"]
    >>> d = pd.DataFrame({"patient_id": "P1", "start": [dt.date.fromisoformat(x) for x in days],
    ...     "value": "A10BA02", "cip13": "3400930000001", "weight": 3.0, "large_pack": False})
    >>> out = pdc(d, window=("2018-01-01", "2018-12-31"))
    >>> out[["covered_days", "window_days"]].values.tolist(), float(round(out["pdc"][0], 3))
    ([[270, 282]], 0.957)
    """
    _check(min_dispensings, threshold, hospital_mode, stays, index)
    f = fill_frame(
        dispensings, key=key, pack_days=pack_days, boxes_mode=boxes_mode, max_boxes=max_boxes,
        report=report,
    )  # fmt: skip
    f = _windowed(
        _grouped(f, groups), window=window, index=index, deaths=deaths, follow_up=follow_up
    )
    gpart = ("patient_id", "__group")
    # W starts at the index (first fill of the group in the window, or the given date)
    if index == "first_dispensing":
        f = f.with_columns(nw.col("day").min().over(*gpart).alias("__ws"))
    f = computed_once(f)
    summary = f.group_by(*gpart).agg(
        nw.col("__ws").min().alias("__ws"),
        nw.col("__we").min().alias("__we"),
        nw.col("day").n_unique().alias("n_dispensings"),
    )
    blocks = None
    if hospital_mode == "censor":
        blocks = hospital_blocks(stays)
        summary = to_clock(summary, blocks, "__ws", "__cws")
        summary = summary.with_columns((nw.col("__we") + 1).alias("__we1"))
        summary = to_clock(summary, blocks, "__we1", "__cwe1")
        summary = summary.with_columns((nw.col("__cwe1") - 1).alias("__cwe")).drop(
            "__we1", "__cwe1"
        )
    else:
        summary = summary.with_columns(nw.col("__ws").alias("__cws"), nw.col("__we").alias("__cwe"))
    intervals = fill_intervals(
        f.drop("__ws", "__we"), strategy="carryover", grace_days=0, blocks=blocks,
        part=("patient_id", "__group", "key"),
    )  # fmt: skip
    intervals = intervals.join(
        summary.select(*gpart, "__cws", "__cwe"), on=list(gpart), how="inner"
    )
    intervals = intervals.select(
        *gpart,
        "key",
        nw.max_horizontal(nw.col("__c"), nw.col("__cws")).alias("__cs"),
        nw.min_horizontal(nw.col("__e"), nw.col("__cwe")).alias("__ce"),
    ).filter(nw.col("__cs") <= nw.col("__ce"))
    if groups is not None:
        intervals = fresh_index(intervals)
        order = ["__cs", "__ce", "key"]
        intervals = intervals.with_columns(
            nw.col("__ce").cum_max().over(*gpart, order_by=order).alias("__r")
        )
        intervals = previous(intervals, "__r", gpart, order, "__p")
        opens = (nw.col("__cs") > nw.col("__p") + 1).fill_null(True).cast(nw.Int64)
        intervals = intervals.with_columns(opens.alias("__n"))
        intervals = intervals.with_columns(
            nw.col("__n").cum_sum().over(*gpart, order_by=order).alias("__u")
        )
        intervals = intervals.group_by(*gpart, "__u").agg(
            nw.col("__cs").min(), nw.col("__ce").max()
        )
    intervals = intervals.with_columns((nw.col("__ce") - nw.col("__cs") + 1).alias("__len"))
    covered = intervals.group_by(*gpart).agg(nw.col("__len").sum().alias("covered_days"))
    out = summary.join(covered, on=list(gpart), how="left").with_columns(
        nw.col("covered_days").fill_null(0),
        (nw.col("__cwe") - nw.col("__cws") + 1).cast(nw.Int64).alias("window_days"),
    )
    defined = (nw.col("n_dispensings") >= min_dispensings) & (nw.col("window_days") > 0)
    value = nw.col("covered_days").cast(nw.Float64()) / nw.col("window_days").cast(nw.Float64())
    out = out.with_columns(
        nw.when(defined).then(value).otherwise(nw.lit(None, dtype=nw.Float64())).alias("pdc")
    )
    out = out.with_columns((nw.col("pdc") >= float(threshold)).alias("adherent"))
    out = from_day_number(
        out.rename({"__group": "key"}), {"__ws": "window_start", "__we": "window_end"}
    )
    return finish(out, PDC_COLUMNS, PDC_ORDER)


def mpr(
    dispensings: Any,
    *,
    key: KeySpec = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    window: Window,
    min_dispensings: int = 2,
    deaths: Any = None,
    follow_up: Any = None,
    pack_days: Mapping[str, int] | Any | None = None,
    boxes_mode: BoxesMode = "count",
    max_boxes: int | None = 10,
    report: Report | None = None,
) -> Any:
    """Medication possession ratio (AdhereR CMA1) per person and key (or group of keys).

    MPR = supply of all fills but the last / days from the first to the last fill
    (``last - first``), over the fills dated in the window (cut at death and follow-up
    end, as for :func:`pdc`); the fills of a group are those of its keys, and "the last"
    means every fill on the last date. Null with fewer than ``max(2, min_dispensings)``
    distinct dates; not capped at 1 (over-supply shows as MPR > 1).

    Returns
    -------
    ``patient_id, key, first_date, last_date, n_dispensings`` (distinct dates),
    ``supplied_days`` (all fills but the last), ``days`` (``last - first``), ``mpr``
    (float). Total order ``patient_id, key``.

    Examples
    --------
    Worked example E9: 180 days supplied before the last fill, 184 days between the
    first and the last.

    >>> import datetime as dt, pandas as pd
    >>> days = ["2018-03-25", "2018-07-05", "2018-09-25"]
    >>> d = pd.DataFrame({"patient_id": "P1", "start": [dt.date.fromisoformat(x) for x in days],
    ...     "value": "A10BA02", "cip13": "3400930000001", "weight": 3.0, "large_pack": False})
    >>> out = mpr(d, window=("2018-01-01", "2018-12-31"))
    >>> out[["supplied_days", "days"]].values.tolist(), float(round(out["mpr"][0], 3))
    ([[180, 184]], 0.978)
    """
    _check(min_dispensings, 0.8, "ignore", None, "first_dispensing")
    f = fill_frame(
        dispensings, key=key, pack_days=pack_days, boxes_mode=boxes_mode, max_boxes=max_boxes,
        report=report,
    )  # fmt: skip
    f = _windowed(_grouped(f, groups), window=window, index="first_dispensing", deaths=deaths,
                  follow_up=follow_up)  # fmt: skip
    gpart = ["patient_id", "__group"]
    f = f.with_columns(nw.col("day").max().over(*gpart).alias("__last"))
    before_last = nw.when(nw.col("day") < nw.col("__last")).then(nw.col("supply_days"))
    f = f.with_columns(before_last.otherwise(nw.lit(0)).cast(nw.Int64).alias("__sx"))
    out = f.group_by(*gpart).agg(
        nw.col("day").min().alias("__first"),
        nw.col("__last").max().alias("__last"),
        nw.col("day").n_unique().alias("n_dispensings"),
        nw.col("__sx").sum().alias("supplied_days"),
    )
    out = out.with_columns((nw.col("__last") - nw.col("__first")).cast(nw.Int64).alias("days"))
    defined = nw.col("n_dispensings") >= max(2, min_dispensings)
    value = nw.col("supplied_days").cast(nw.Float64()) / nw.col("days").cast(nw.Float64())
    out = out.with_columns(
        nw.when(defined).then(value).otherwise(nw.lit(None, dtype=nw.Float64())).alias("mpr")
    )
    out = from_day_number(
        out.rename({"__group": "key"}), {"__first": "first_date", "__last": "last_date"}
    )
    return finish(out, MPR_COLUMNS, MPR_ORDER)
