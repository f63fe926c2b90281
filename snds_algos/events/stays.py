"""Hospital stays (PMSI MCO, and on request SSR and HAD) and hospitalisation episodes
(chained stays)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import narwhals as nw

from snds_algos.backend import days_between, lazy, to_native
from snds_algos.events._common import stay_id
from snds_algos.events.diagnoses import _pmsi_stays, mco_stays
from snds_algos.events.schema import concat_events, finish_events, null
from snds_algos.io.source import TableSource, open_source
from snds_algos.reports import Report

STAY_EXTRAS = {"entry_mode": "string", "exit_mode": "string"}
#: the products :func:`hospital_stays` reads, and the stay keys of each (ETA, number)
STAY_PRODUCTS = {
    "MCO": ("ETA_NUM", "RSA_NUM"),
    "SSR": ("ETA_NUM", "RHA_NUM"),
    "HAD": ("ETA_NUM_EPMSI", "RHAD_NUM"),
}


def hospital_stays(
    source: TableSource | Any,
    *,
    years: Iterable[int] | None = None,
    products: Sequence[str] = ("MCO",),
    disambiguate: bool = True,
    report: Report | None = None,
) -> Any:
    """Hospital stays, one event each: MCO stays kept by ``clean_mco`` and attributed by
    ``attribute_pmsi`` and, when ``products`` asks for them and the source has their B
    and C tables, SSR and HAD stays.

    ``disambiguate`` (default ``True``): MCO stays on a NIR shared by several persons are
    attributed by the stay's sex and age (:func:`~snds_algos.identity.attribute_pmsi`);
    ``False``: they are ambiguous and removed.

    Event: category ``"hospital_stay"``, value = GHM (GRG_GHM), group_id = stay id
    ``"MCO:{ETA_NUM}:{RSA_NUM}:{PMSI_YEAR}"``, weight = length of stay in days
    (SEJ_NBJ), start = entry (T_MCOaaC.EXE_SOI_DTD), end = exit (EXE_SOI_DTF), source
    ``"T_MCOaaB"``; extras ``entry_mode`` (ENT_MOD: 6 mutation, 7 transfer, 8 home...)
    and ``exit_mode`` (SOR_MOD: 6, 7, 8, 9 death).

    SSR stays (T_SSRaaC, one per ETA_NUM and RHA_NUM) and HAD stays (T_HADaaC, one per
    ETA_NUM_EPMSI and RHAD_NUM) are attributed like their diagnoses
    (:func:`~snds_algos.events.hospital_diagnoses`: no cleaning rule exists for them
    yet): group_id ``"SSR:{ETA_NUM}:{RHA_NUM}:{PMSI_YEAR}"`` and
    ``"HAD:{ETA_NUM_EPMSI}:{RHAD_NUM}:{PMSI_YEAR}"``, value ``""`` (no GHM), weight =
    exit - entry in days (as SEJ_NBJ), start and end = C.EXE_SOI_DTD and EXE_SOI_DTF,
    source ``"T_SSRaaB"`` or ``"T_HADaaB"``; entry and exit modes null (the B tables hold
    them per RHS or sequence, not per stay). A stay without entry date is left out.

    ``products``: which of ``MCO``, ``SSR``, ``HAD`` to read (MCO is always read;
    default MCO only). A product whose tables the source lacks is skipped (said in
    ``report``).

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
    bad = [p for p in products if p not in STAY_PRODUCTS]
    if bad:
        raise ValueError(f"products: unknown {', '.join(bad)}; use {', '.join(STAY_PRODUCTS)}")
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
    parts = [events]
    for product in [p for p in STAY_PRODUCTS if p in products and p != "MCO"]:
        if not (src.has(f"T_{product}aaB") and src.has(f"T_{product}aaC")):
            if report is not None:
                report.skip(f"T_{product}aaC", f"{product} stays", "tables not in the source")
            continue
        parts.append(_other_stays(src, product, years, disambiguate, report))
    if len(parts) > 1:
        events = concat_events(parts, STAY_EXTRAS)
    return finish_events(events, STAY_EXTRAS)


def _other_stays(
    src: TableSource, product: str, years: Iterable[int] | None, disambiguate: bool,
    report: Report | None,
) -> nw.LazyFrame:  # fmt: skip
    """SSR or HAD stays as stay events (see :func:`hospital_stays`)."""
    eta, num = STAY_PRODUCTS[product]
    stays = lazy(_pmsi_stays(src, product, [eta, num], years, report, disambiguate))
    stays = stays.filter(~nw.col("EXE_SOI_DTD").is_null())
    stays = days_between(stays, "EXE_SOI_DTD", "EXE_SOI_DTF", "__los")
    return stays.select(
        "patient_id",
        nw.lit("hospital_stay").alias("category"),
        stay_id(product, eta, num).alias("group_id"),
        nw.lit("").alias("value"),
        nw.col("__los").cast(nw.Float64()).alias("weight"),
        nw.col("EXE_SOI_DTD").alias("start"),
        nw.col("EXE_SOI_DTF").alias("end"),
        nw.lit(f"T_{product}aaB").alias("source"),
        null("string").alias("entry_mode"),
        null("string").alias("exit_mode"),
    )


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
