"""The out-of-hospital clock: days counted without the days spent in hospital.

A hospital stay (``hospital_stay`` events: ``start`` = entry, ``end`` = exit; MCO, SSR
or HAD) makes days ``entry .. exit - 1`` hospital days (the exit day is spent at home;
a stay that ends the day it starts has none). Overlapping or adjacent stays of a person
are merged into **blocks** of consecutive hospital days.

On the out-of-hospital clock, day ``t`` has number ``t - H(t)``, ``H(t)`` the hospital
days before ``t``: hospital days share the number of the first day after them. Supply
is not consumed on hospital days when coverage is computed on this clock
(``hospital_mode="pause"``), and hospital days leave both terms of a PDC computed on it
(``hospital_mode="censor"``). Both directions are vectorised: the days to map and the
blocks are stacked in one frame per person and ordered, and a cumulative maximum over
that order finds, for each day, the last block that starts at or before it.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw

from snds_algos.backend import computed_once, day_number, distinct, fresh_index, lazy, previous
from snds_algos.pathways.schema import require_columns

_NONE = -(2**40)  # a day number before any date


def hospital_blocks(stays: Any) -> nw.LazyFrame:
    """Blocks of consecutive hospital days per person: ``patient_id, a`` (first hospital
    day), ``len`` (days), ``before`` (hospital days of the person before the block), as
    day numbers (days since 1970-01-01), Int64.

    Examples
    --------
    >>> import datetime as dt, pandas as pd
    >>> from snds_algos.backend import to_native
    >>> s = pd.DataFrame({"patient_id": ["P1"] * 3,
    ...     "start": [dt.date(1970, 1, 11), dt.date(1970, 1, 13), dt.date(1970, 2, 1)],
    ...     "end": [dt.date(1970, 1, 14), dt.date(1970, 1, 16), dt.date(1970, 2, 1)]})
    >>> to_native(hospital_blocks(s)).values.tolist()
    [['P1', 10, 5, 0]]
    """
    lf = lazy(stays)
    require_columns(lf, ["patient_id", "start", "end"], "stays")
    lf = lf.select("patient_id", "start", "end").filter(
        ~nw.col("start").is_null() & ~nw.col("end").is_null()
    )
    lf = day_number(day_number(lf, "start", "__a"), "end", "__b")
    lf = lf.select("patient_id", "__a", (nw.col("__b") - 1).alias("__l"))
    lf = fresh_index(lf.filter(nw.col("__l") >= nw.col("__a")))
    order = ["__a", "__l"]
    lf = lf.with_columns(nw.col("__l").cum_max().over("patient_id", order_by=order).alias("__r"))
    lf = previous(lf, "__r", ["patient_id"], order, "__p")
    new = (nw.col("__a") > nw.col("__p") + 1).fill_null(True)
    lf = lf.with_columns(new.cast(nw.Int64).alias("__new"))
    lf = lf.with_columns(
        nw.col("__new").cum_sum().over("patient_id", order_by=order).alias("__blk")
    )
    blocks = lf.group_by("patient_id", "__blk").agg(
        nw.col("__a").min().alias("a"), nw.col("__l").max().alias("__last")
    )
    blocks = blocks.with_columns((nw.col("__last") - nw.col("a") + 1).alias("len"))
    blocks = blocks.with_columns(
        (nw.col("len").cum_sum().over("patient_id", order_by=["a"]) - nw.col("len")).alias("before")
    )
    out = blocks.select(
        "patient_id",
        nw.col("a").cast(nw.Int64),
        nw.col("len").cast(nw.Int64),
        nw.col("before").cast(nw.Int64),
    )
    return computed_once(out)


def _last_block(points: nw.LazyFrame, blocks: nw.LazyFrame, at: str) -> nw.LazyFrame:
    """For each distinct ``(patient_id, t)`` of ``points``, the last block whose position
    ``at`` (a column of blocks) is <= t: columns ``patient_id, t, __ba, __bb, __bi``
    (its first day, hospital days before it, hospital days up to its end), sentinels
    when there is none."""
    pts = distinct(points.select("patient_id", "t"))
    pts = pts.select(
        "patient_id",
        "t",
        nw.lit(1).cast(nw.Int64).alias("__kind"),
        nw.lit(_NONE).cast(nw.Int64).alias("__a"),
        nw.lit(-1).cast(nw.Int64).alias("__b"),
        nw.lit(-1).cast(nw.Int64).alias("__i"),
    )
    blk = blocks.select(
        "patient_id",
        nw.col(at).alias("t"),
        nw.lit(0).cast(nw.Int64).alias("__kind"),
        nw.col("a").alias("__a"),
        nw.col("before").alias("__b"),
        (nw.col("before") + nw.col("len")).alias("__i"),
    )
    cast = [nw.col("patient_id").cast(nw.String())] + [
        nw.col(c).cast(nw.Int64) for c in ("t", "__kind", "__a", "__b", "__i")
    ]
    both = fresh_index(nw.concat([pts.select(*cast), blk.select(*cast)], how="vertical"))
    order = ["t", "__kind"]
    both = both.with_columns(
        *[
            nw.col(c).cum_max().over("patient_id", order_by=order).alias(c + "x")
            for c in ("__a", "__b", "__i")
        ]
    )
    return both.filter(nw.col("__kind") == 1).select(
        "patient_id",
        "t",
        nw.col("__ax").alias("__ba"),
        nw.col("__bx").alias("__bb"),
        nw.col("__ix").alias("__bi"),
    )


def to_clock(frame: nw.LazyFrame, blocks: nw.LazyFrame, column: str, out: str) -> nw.LazyFrame:
    """Add ``out``: day number ``column`` on the out-of-hospital clock (a hospital day gets
    the number of the first day after its block)."""
    pts = frame.select("patient_id", nw.col(column).alias("t"))
    found = _last_block(pts, blocks, "a")
    hosp = nw.col("__bb") + nw.min_horizontal(
        nw.col("t") - nw.col("__ba"), nw.col("__bi") - nw.col("__bb")
    )
    found = found.select(
        "patient_id",
        nw.col("t").alias(column),
        nw.when(nw.col("__ba") == _NONE)
        .then(nw.col("t"))
        .otherwise(nw.col("t") - hosp)
        .cast(nw.Int64)
        .alias(out),
    )
    return frame.join(found, on=["patient_id", column], how="left")


def from_clock(frame: nw.LazyFrame, blocks: nw.LazyFrame, column: str, out: str) -> nw.LazyFrame:
    """Add ``out``: the calendar day number of out-of-hospital day ``column`` (the
    inverse of :func:`to_clock` on days out of hospital)."""
    marks = blocks.with_columns((nw.col("a") - nw.col("before")).alias("__at"))
    pts = frame.select("patient_id", nw.col(column).alias("t"))
    found = _last_block(pts, marks, "__at")
    found = found.select(
        "patient_id",
        nw.col("t").alias(column),
        nw.when(nw.col("__ba") == _NONE)
        .then(nw.col("t"))
        .otherwise(nw.col("t") + nw.col("__bi"))
        .cast(nw.Int64)
        .alias(out),
    )
    return frame.join(found, on=["patient_id", column], how="left")
