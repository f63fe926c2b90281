"""Observation per person, derived from the data (the SNDS has no enrolment table).

``[max(data_start, birth date), min(death date, data_end, last care + no_care_days)]``,
with the reason it ends: ``death``, ``lost_to_follow_up`` or ``end_of_data`` (ties in
that order).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import narwhals as nw

from snds_algos.backend import day_number, distinct, lazy, null_columns, semi_join
from snds_algos.cohorts._frames import FAR, PID, day, lit

_UNKNOWN = {
    "__birth": nw.Int64(), "__death": nw.Int64(), "__sex": nw.String(), "__birth_y": nw.Int64(),
    "__birth_m": nw.Int64(),
}  # fmt: skip
#: columns of the observation frame (day numbers since 1970-01-01, Int64)
OBSERVATION_COLUMNS = (
    PID, "__obs_start", "__obs_end", "__death", "__lost", "__sex", "__birth_y", "__birth_m",
)  # fmt: skip


def observation(
    persons: nw.LazyFrame,
    patients: Any,
    data_start: dt.date,
    data_end: dt.date,
    *,
    care: nw.LazyFrame | None = None,
    no_care_days: int | None = None,
) -> nw.LazyFrame:
    """One row per person of ``persons`` (``patient_id``) and of ``patients``.

    ``patients`` (``patient_id, sex, birth_date, death_date``, as
    :func:`snds_algos.events.patients` gives) may be ``None``: everyone is then observed
    from ``data_start`` to ``data_end`` with unknown sex and age. ``care``
    (``patient_id, __s`` day numbers) dates the last care for ``no_care_days``.
    Persons whose observation would be empty (died before ``data_start``, born after
    ``data_end``) get ``__obs_start > __obs_end``: no record of theirs can be observed;
    likewise persons with events but no row in ``patients`` (their vital status is
    unknown).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.backend import to_native
    >>> from snds_algos.contracts.dtypes import date_series
    >>> pts = pd.DataFrame({"patient_id": ["P1"], "sex": ["2"],
    ...     "birth_date": date_series(["2016-05-01"]), "death_date": date_series(["2019-02-03"])})
    >>> obs = observation(lazy(pts.iloc[:0, :1]), pts, dt.date(2015, 1, 1), dt.date(2020, 12, 31))
    >>> row = to_native(obs).iloc[0]
    >>> int(row["__obs_start"]) == day(dt.date(2016, 5, 1)), int(row["__death"]) == day(dt.date(2019, 2, 3))
    (True, True)
    """
    start, end = lit(day(data_start)), lit(day(data_end))
    if patients is None:
        base = null_columns(persons.select(PID).unique(), _UNKNOWN).with_columns(
            nw.lit(True).alias("__known")
        )
    else:
        pts = lazy(patients)
        names = pts.collect_schema().names()
        missing = [c for c in (PID, "birth_date", "death_date") if c not in names]
        if missing:
            raise ValueError(f"patients: missing column(s) {missing}; columns are {names}")
        if "sex" not in names:
            pts = null_columns(pts, {"sex": nw.String()})
        pts = day_number(
            pts.select(PID, "sex", "birth_date", "death_date"), "birth_date", "__birth"
        )
        pts = day_number(pts, "death_date", "__death")
        known = pts.select(
            PID,
            nw.lit(True).alias("__known"),
            "__birth",
            "__death",
            nw.col("sex").cast(nw.String()).alias("__sex"),
            nw.col("birth_date").dt.year().cast(nw.Int64).alias("__birth_y"),
            nw.col("birth_date").dt.month().cast(nw.Int64).alias("__birth_m"),
        )
        # persons with events but no patients row: no birth, no death, no sex
        others = semi_join(distinct(persons.select(PID)), known, PID, anti=True)
        others = null_columns(others, _UNKNOWN).with_columns(nw.lit(False).alias("__known"))
        others = others.select(*known.collect_schema().names())
        base = nw.concat([known, others], how="vertical")
    if care is not None and no_care_days is not None:
        last = care.group_by(PID).agg(nw.col("__s").max().alias("__last"))
        base = base.join(last, on=PID, how="left").with_columns(
            (nw.col("__last") + lit(no_care_days)).alias("__lost")
        )
    else:
        base = base.with_columns(lit(FAR).alias("__lost"))
    birth = nw.col("__birth").fill_null(start)
    obs_start = nw.when(birth > start).then(birth).otherwise(start)
    obs_start = nw.when(nw.col("__known")).then(obs_start).otherwise(lit(FAR))
    death = nw.col("__death").fill_null(end)
    obs_end = nw.when(death < end).then(death).otherwise(end)
    base = base.with_columns(obs_start.alias("__obs_start"), obs_end.alias("__e0"))
    lost = nw.col("__lost").fill_null(end)
    base = base.with_columns(
        nw.when(lost < nw.col("__e0")).then(lost).otherwise(nw.col("__e0")).alias("__obs_end")
    )
    return base.select(*OBSERVATION_COLUMNS)
