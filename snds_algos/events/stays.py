"""Hospital stays (PMSI MCO) and hospitalisation episodes (chained stays)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import narwhals as nw

from snds_algos.backend import days_between, lazy, to_native
from snds_algos.events._common import stay_id
from snds_algos.events.diagnoses import mco_stays
from snds_algos.events.schema import finish_events, null
from snds_algos.io.source import TableSource, open_source
from snds_algos.reports import Report

STAY_EXTRAS = {"entry_mode": "string", "exit_mode": "string"}


def hospital_stays(
    source: TableSource | Any,
    *,
    years: Iterable[int] | None = None,
    disambiguate: bool = True,
    report: Report | None = None,
) -> Any:
    """MCO stays kept by ``clean_mco`` and attributed by ``attribute_pmsi``, one event each.

    ``disambiguate`` (default ``True``): MCO stays on a NIR shared by several persons are
    attributed by the stay's sex and age (:func:`~snds_algos.identity.attribute_pmsi`);
    ``False``: they are ambiguous and removed.

    Event: category ``"hospital_stay"``, value = GHM (GRG_GHM), group_id = stay id
    ``"MCO:{ETA_NUM}:{RSA_NUM}:{PMSI_YEAR}"``, weight = length of stay in days
    (SEJ_NBJ), start = entry (T_MCOaaC.EXE_SOI_DTD), end = exit (EXE_SOI_DTF), source
    ``"T_MCOaaB"``; extras ``entry_mode`` (ENT_MOD: 6 mutation, 7 transfer, 8 home...)
    and ``exit_mode`` (SOR_MOD: 6, 7, 8, 9 death).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.cleaning.pmsi import QUALITY_CODES
    >>> nir = "N" * 17
    >>> key = {"ETA_NUM": ["010000001"], "RSA_NUM": ["7"]}
    >>> tables = {
    ...     "T_MCO20B": pd.DataFrame({**key, "GRG_GHM": ["05M09T"], "SEJ_TYP": [None],
    ...         "GHS_NUM": [1], "ENT_MOD": ["8"], "SOR_MOD": ["9"], "SEJ_NBJ": [3]}),
    ...     "T_MCO20C": pd.DataFrame({**key, "NIR_ANO_17": [nir], "EXE_SOI_DTD": ["2020-03-02"],
    ...         "EXE_SOI_DTF": ["2020-03-05"], **{c: ["0"] for c in QUALITY_CODES}}),
    ...     "IR_BEN_R": pd.DataFrame({"BEN_NIR_PSA": [nir], "BEN_RNG_GEM": ["1"]}),
    ... }
    >>> hospital_stays(tables)[["group_id", "value", "weight", "exit_mode"]].values.tolist()
    [['MCO:010000001:7:2020', '05M09T', 3.0, '9']]
    """
    src = open_source(source)
    stays = mco_stays(
        src,
        ["GRG_GHM", "ENT_MOD", "SOR_MOD", "SEJ_NBJ"],
        years=years,
        disambiguate=disambiguate,
        report=report,
    )
    events = stays.filter(~nw.col("EXE_SOI_DTD").is_null()).select(
        "patient_id",
        nw.lit("hospital_stay").alias("category"),
        stay_id("MCO", "ETA_NUM", "RSA_NUM").alias("group_id"),
        nw.col("GRG_GHM").fill_null("").alias("value"),
        nw.col("SEJ_NBJ").cast(nw.Float64()).alias("weight"),
        nw.col("EXE_SOI_DTD").alias("start"),
        nw.col("EXE_SOI_DTF").alias("end"),
        nw.lit("T_MCOaaB").alias("source"),
        nw.col("ENT_MOD").alias("entry_mode"),
        nw.col("SOR_MOD").alias("exit_mode"),
    )
    return finish_events(events, STAY_EXTRAS)


def hospitalisation_episodes(stays: Any, *, max_gap_days: int = 1) -> Any:
    """Chain consecutive stays and transfers of a person into hospitalisation episodes.

    ``stays`` are events of :func:`hospital_stays`. Stays of one person are taken in
    the order (start, end, group_id); a stay continues the current episode when it
    starts at most ``max_gap_days`` days after the latest exit so far of the episode
    (default 1: a transfer the same or the next day), otherwise it opens a new one.
    Overlapping stays are chained too.

    Event: category ``"hospitalisation_episode"``, value = stay id of the first stay,
    group_id null, weight = number of stays, start = first entry, end = latest exit,
    source ``"T_MCOaaB"``.

    Examples
    --------
    >>> import datetime as dt, pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> stays = finish_events(pd.DataFrame({"patient_id": ["P1"] * 3,
    ...     "category": "hospital_stay", "group_id": ["S1", "S2", "S3"],
    ...     "value": "05M09T", "weight": None,
    ...     "start": date_series(["2020-01-01", "2020-01-04", "2020-02-01"]),
    ...     "end": date_series(["2020-01-03", "2020-01-10", "2020-02-02"]),
    ...     "source": "T_MCOaaB"}))
    >>> hospitalisation_episodes(stays)[["value", "weight", "start", "end"]].values.tolist()
    [['S1', 2.0, datetime.date(2020, 1, 1), datetime.date(2020, 1, 10)], ['S3', 1.0, datetime.date(2020, 2, 1), datetime.date(2020, 2, 2)]]
    """
    lf = lazy(stays).select("patient_id", "group_id", "start", "end")
    lf = lf.with_columns(nw.coalesce(nw.col("end"), nw.col("start")).alias("__end"))
    lf = lf.with_columns(nw.col("start").min().over("patient_id").alias("__epoch"))
    lf = days_between(lf, "__epoch", "start", "__s")
    lf = days_between(lf, "__epoch", "__end", "__e")
    order = ["__s", "__e", "group_id"]
    lf = lf.with_columns(
        nw.col("__e").cum_max().over("patient_id", order_by=order).alias("__reach")
    )
    lf = lf.with_columns(
        nw.col("__reach").shift(1).over("patient_id", order_by=order).alias("__prev")
    )
    new = nw.col("__prev").is_null() | (nw.col("__s") > nw.col("__prev") + max_gap_days)
    lf = lf.with_columns(new.fill_null(True).alias("__new"))
    lf = lf.with_columns(
        nw.col("__new").cast(nw.Int64).cum_sum().over("patient_id", order_by=order).alias("__ep")
    )
    firsts = lf.filter(nw.col("__new")).select(
        "patient_id", "__ep", nw.col("group_id").alias("value")
    )
    episodes = lf.group_by("patient_id", "__ep").agg(
        nw.col("start").min().alias("start"),
        nw.col("__end").max().alias("end"),
        nw.len().alias("__n"),
    )
    events = episodes.join(firsts, on=["patient_id", "__ep"]).select(
        "patient_id",
        nw.lit("hospitalisation_episode").alias("category"),
        null("string").alias("group_id"),
        "value",
        nw.col("__n").cast(nw.Float64()).alias("weight"),
        "start",
        "end",
        nw.lit("T_MCOaaB").alias("source"),
    )
    return finish_events(to_native(events))
