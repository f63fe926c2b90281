"""Entry records: events of the entry criteria, one record per person and day, with a
flag per entry step (first ever, entry period, observation, limit)."""

from __future__ import annotations

import narwhals as nw

from snds_algos.backend import smallest_string
from snds_algos.cohorts._frames import PID, day, lit, windowable
from snds_algos.cohorts.definition import CohortDefinition


def entry_records(
    entry_events: nw.LazyFrame, obs: nw.LazyFrame, definition: CohortDefinition
) -> nw.LazyFrame:
    """One row per person-day of an entry event, with the step flags.

    Columns: ``patient_id, __idx`` (index day), ``entry_value`` (the smallest code among
    the entry events of that day), the observation columns, and booleans ``__c_first``
    (first ever), ``__c_period``, ``__c_obs``, ``__c_limit``: each is cumulative (a record
    passing step k passed every step before it).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.backend import lazy, to_native
    >>> from snds_algos.cohorts.definition import definition_from_dict
    >>> d = definition_from_dict({"id": "x", "criteria": {"m": {"events": "drug_dispensing"}},
    ...                           "entry": {"any": ["m"], "first_ever": True}})
    >>> ev = lazy(pd.DataFrame({"patient_id": ["P1", "P1"], "__s": [10, 20], "value": ["A", "B"]}))
    >>> obs = lazy(pd.DataFrame({"patient_id": ["P1"], "__obs_start": [0], "__obs_end": [99]}))
    >>> to_native(entry_records(ev, obs, d))["__c_limit"].tolist()
    [True, False]
    """
    entry = definition.entry
    cand = smallest_string(entry_events, [PID, "__s"], "value", "entry_value")
    cand = windowable(cand.rename({"__s": "__idx"}).join(obs, on=PID, how="left"))
    idx = nw.col("__idx")
    flag = nw.lit(True)
    if entry.first_ever:
        flag = idx == idx.min().over(PID)
    cand = cand.with_columns(flag.alias("__c_first"))
    period = definition.study.entry_period
    cond = nw.col("__c_first")
    if period is not None:
        cond = cond & (idx >= lit(day(period[0]))) & (idx <= lit(day(period[1])))
    cand = cand.with_columns(cond.fill_null(False).alias("__c_period"))
    observed = (
        nw.col("__c_period")
        & (nw.col("__obs_start") + lit(entry.prior_observation_days) <= idx)
        & (idx + lit(entry.post_observation_days) <= nw.col("__obs_end"))
    )
    cand = cand.with_columns(observed.fill_null(False).alias("__c_obs"))
    if entry.limit == "all":
        return cand.with_columns(nw.col("__c_obs").alias("__c_limit"))
    cand = cand.with_columns(nw.when(nw.col("__c_obs")).then(idx).alias("__v"))
    pick = nw.col("__v").min() if entry.limit == "first" else nw.col("__v").max()
    cand = cand.with_columns(pick.over(PID).alias("__pick"))
    return cand.with_columns(
        (nw.col("__c_obs") & (idx == nw.col("__pick"))).fill_null(False).alias("__c_limit")
    ).drop("__v", "__pick")
