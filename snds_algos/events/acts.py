"""Medical acts (CCAM in DCIR and MCO), biology acts (NABM) and visits."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

import narwhals as nw

from snds_algos.backend import add_days, lazy, matches_codes, to_native
from snds_algos.cleaning.dcir import DCIR_KEYS
from snds_algos.cleaning.pmsi import STAY_KEYS
from snds_algos.cleaning.regularization import regularize
from snds_algos.events._common import (
    DCIR_CLEANING_COLUMNS,
    Period,
    dcir_detail,
    in_period,
    parse_period,
    read_ben,
    stay_id,
)
from snds_algos.events.codelists import CodeList, resolve_codes
from snds_algos.events.diagnoses import mco_stays
from snds_algos.events.schema import concat_events, finish_events, null
from snds_algos.identity import attribute_dcir
from snds_algos.io.source import TableSource, open_source
from snds_algos.reports import Report

ACT_SOURCES = ("DCIR", "MCO")


def _select(frame: nw.LazyFrame, column: str, codes: Any, how: str) -> nw.LazyFrame:
    frame = frame.filter(~nw.col(column).is_null())
    resolved = resolve_codes(codes, how)  # type: ignore[arg-type]
    if resolved is None:
        return frame
    return frame.filter(matches_codes(column, resolved[0], how=resolved[1]))


def medical_acts(
    source: TableSource | Any,
    *,
    codes: CodeList | str | Iterable[str] | None = None,
    how: Literal["prefix", "exact"] = "prefix",
    sources: Sequence[str] = ACT_SOURCES,
    period: Period | None = None,
    years: Iterable[int] | None = None,
    disambiguate: bool = True,
    report: Report | None = None,
) -> Any:
    """CCAM acts billed in the DCIR (ER_CAM_F) and coded in MCO stays (T_MCOaaA).

    DCIR: ER_CAM_F joined on the 9 keys to the ER_PRS_F lines kept by ``clean_dcir``,
    attributed on (BEN_NIR_PSA, BEN_RNG_GEM), dated by the care date EXE_SOI_DTD;
    identical (person, date, code) lines are kept once. MCO: T_MCOaaA acts of the
    stays kept by ``clean_mco``, attributed on NIR_ANO_17, dated stay entry
    (T_MCOaaC.EXE_SOI_DTD) + ENT_DAT_DEL days; identical (stay, code, date) acts are
    kept once. ``period`` restricts the DCIR care dates (and applies the flux window);
    ``years`` the PMSI years. ``disambiguate`` (default ``True``): MCO stays on a NIR shared by several persons are
    attributed by the stay's sex and age (:func:`~snds_algos.identity.attribute_pmsi`);
    ``False``: they are ambiguous and removed.

    Event: category ``"medical_act"``, value = CCAM code, group_id = stay id for MCO
    acts (``"MCO:{ETA_NUM}:{RSA_NUM}:{PMSI_YEAR}"``), null for DCIR acts, weight null,
    start = act date, end null, source ``"ER_CAM_F"`` or ``"T_MCOaaA"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.cleaning.pmsi import QUALITY_CODES
    >>> nir = "N" * 17
    >>> key = {"ETA_NUM": ["010000001"], "RSA_NUM": ["1"]}
    >>> tables = {
    ...     "T_MCO20B": pd.DataFrame({**key, "GRG_GHM": ["05K10J"], "SEJ_TYP": [None],
    ...         "GHS_NUM": [1]}),
    ...     "T_MCO20C": pd.DataFrame({**key, "NIR_ANO_17": [nir], "EXE_SOI_DTD": ["2020-03-02"],
    ...         "EXE_SOI_DTF": ["2020-03-05"], **{c: ["0"] for c in QUALITY_CODES}}),
    ...     "T_MCO20A": pd.DataFrame({**key, "CDC_ACT": ["DDAF006"], "ENT_DAT_DEL": [1]}),
    ...     "IR_BEN_R": pd.DataFrame({"BEN_NIR_PSA": [nir], "BEN_RNG_GEM": ["1"]}),
    ... }
    >>> medical_acts(tables, sources=["MCO"])[["value", "start", "source"]].values.tolist()
    [['DDAF006', datetime.date(2020, 3, 3), 'T_MCOaaA']]
    """
    bad = [s for s in sources if s not in ACT_SOURCES]
    if bad:
        raise ValueError(f"unknown act source(s): {', '.join(bad)}; use {ACT_SOURCES}")
    src = open_source(source)
    window = parse_period(period)
    parts = []
    if "DCIR" in sources:
        cam = _select(
            lazy(src.read("ER_CAM_F", [*DCIR_KEYS, "CAM_PRS_IDE"])), "CAM_PRS_IDE", codes, how
        )
        lines = lazy(dcir_detail(src, cam, "ER_CAM_F", period=window, report=report))
        parts.append(
            lines.select(
                "patient_id",
                nw.lit("medical_act").alias("category"),
                null("string").alias("group_id"),
                nw.col("CAM_PRS_IDE").alias("value"),
                null("float").alias("weight"),
                nw.col("EXE_SOI_DTD").alias("start"),
                null("date").alias("end"),
                nw.lit("ER_CAM_F").alias("source"),
            )
        )
    if "MCO" in sources:
        acts = _select(
            lazy(src.read("T_MCOaaA", [*STAY_KEYS, "CDC_ACT", "ENT_DAT_DEL"], years=years)),
            "CDC_ACT",
            codes,
            how,
        )
        stays = mco_stays(src, [], years=years, disambiguate=disambiguate, report=report)
        rows = acts.join(stays, on=list(STAY_KEYS))
        rows = add_days(rows, "EXE_SOI_DTD", "ENT_DAT_DEL", "__act_date")
        if report is not None:
            report.add_flags(
                "T_MCOaaA",
                rows,
                [
                    (
                        "acts:no_date",
                        "MCO acts without a delay or entry date",
                        nw.col("__act_date").is_null(),
                    )
                ],
            )
        parts.append(
            rows.filter(~nw.col("__act_date").is_null()).select(
                "patient_id",
                nw.lit("medical_act").alias("category"),
                stay_id("MCO", "ETA_NUM", "RSA_NUM").alias("group_id"),
                nw.col("CDC_ACT").alias("value"),
                null("float").alias("weight"),
                nw.col("__act_date").alias("start"),
                null("date").alias("end"),
                nw.lit("T_MCOaaA").alias("source"),
            )
        )
    events = concat_events(parts)
    return finish_events(events.unique())


def biology_acts(
    source: TableSource | Any,
    *,
    codes: CodeList | str | Iterable[str] | None = None,
    how: Literal["prefix", "exact"] = "exact",
    period: Period | None = None,
    report: Report | None = None,
) -> Any:
    """Biology acts billed in the DCIR (ER_BIO_F), by NABM code (BIO_PRS_IDE).

    Same pipeline as :func:`drug_dispensings` (cleaned ER_PRS_F, 9-key join,
    attribution); quantities BIO_ACT_QSN are summed over identical lines (person,
    care date, code) and kept when positive.

    Event: category ``"biology_act"``, value = NABM code, group_id null, weight = net
    quantity, start = care date, end null, source ``"ER_BIO_F"``.

    Examples
    --------
    >>> import pandas as pd
    >>> keys = {k: ["1", "2"] for k in DCIR_KEYS}
    >>> keys["FLX_DIS_DTD"] = keys["FLX_TRT_DTD"] = ["2020-02-01"] * 2
    >>> tables = {
    ...     "ER_PRS_F": pd.DataFrame({**keys, "BEN_NIR_PSA": ["N" * 17] * 2,
    ...         "BEN_RNG_GEM": ["1"] * 2, "EXE_SOI_DTD": ["2020-01-15"] * 2,
    ...         "DPN_QLF": ["0"] * 2, "PRS_DPN_QLP": ["0"] * 2, "BSE_PRS_NAT": ["9312"] * 2}),
    ...     "ER_BIO_F": pd.DataFrame({**keys, "BIO_PRS_IDE": ["1577"] * 2, "BIO_ACT_QSN": [1, -1]}),
    ...     "IR_BEN_R": pd.DataFrame({"BEN_NIR_PSA": ["N" * 17], "BEN_RNG_GEM": ["1"]}),
    ... }
    >>> len(biology_acts(tables, codes=["1577"]))  # cancelled by its regularisation
    0
    """
    src = open_source(source)
    window = parse_period(period)
    bio = _select(
        lazy(src.read("ER_BIO_F", [*DCIR_KEYS, "BIO_PRS_IDE", "BIO_ACT_QSN"])),
        "BIO_PRS_IDE",
        codes,
        how,
    )
    lines = dcir_detail(src, bio, "ER_BIO_F", period=window, report=report)
    net = regularize(
        lines, ["patient_id", "EXE_SOI_DTD", "BIO_PRS_IDE"], "BIO_ACT_QSN", table="ER_BIO_F",
        report=report,
    )  # fmt: skip
    events = lazy(net).select(
        "patient_id",
        nw.lit("biology_act").alias("category"),
        null("string").alias("group_id"),
        nw.col("BIO_PRS_IDE").alias("value"),
        nw.col("BIO_ACT_QSN").cast(nw.Float64()).alias("weight"),
        nw.col("EXE_SOI_DTD").alias("start"),
        null("date").alias("end"),
        nw.lit("ER_BIO_F").alias("source"),
    )
    return finish_events(events)


def visits(
    source: TableSource | Any,
    *,
    natures: Iterable[str] | None = None,
    specialties: Iterable[str] | None = None,
    period: Period | None = None,
    report: Report | None = None,
) -> Any:
    """Visits and other prestations of ER_PRS_F, by prestation nature and specialty.

    ER_PRS_F lines kept by ``clean_dcir``, attributed on (BEN_NIR_PSA, BEN_RNG_GEM),
    selected by prestation nature (PRS_NAT_REF, e.g. ``"1111"`` GP consultation) and
    specialty of the practitioner who performed the care (PSE_SPE_COD, e.g. ``"1"``
    general practice); quantities PRS_ACT_QTE are summed over identical lines (person,
    care date, nature, specialty) and kept when positive.

    Event: category ``"visit"``, value = PRS_NAT_REF, group_id = PSE_SPE_COD (null
    when unknown), weight = net quantity, start = care date, end null, source
    ``"ER_PRS_F"``.

    Examples
    --------
    >>> import pandas as pd
    >>> keys = {k: ["1", "2"] for k in DCIR_KEYS}
    >>> keys["FLX_DIS_DTD"] = keys["FLX_TRT_DTD"] = ["2020-02-01"] * 2
    >>> tables = {
    ...     "ER_PRS_F": pd.DataFrame({**keys, "BEN_NIR_PSA": ["N" * 17] * 2,
    ...         "BEN_RNG_GEM": ["1"] * 2, "EXE_SOI_DTD": ["2020-01-15", "2020-02-03"],
    ...         "DPN_QLF": ["0", "71"], "PRS_DPN_QLP": ["0"] * 2, "BSE_PRS_NAT": ["1111"] * 2,
    ...         "PRS_NAT_REF": ["1111"] * 2, "PSE_SPE_COD": ["1"] * 2, "PRS_ACT_QTE": [1.0] * 2}),
    ...     "IR_BEN_R": pd.DataFrame({"BEN_NIR_PSA": ["N" * 17], "BEN_RNG_GEM": ["1"]}),
    ... }
    >>> visits(tables, natures=["1111"])[["value", "group_id", "start"]].values.tolist()
    [['1111', '1', datetime.date(2020, 1, 15)]]
    """
    from snds_algos.cleaning.dcir import clean_dcir

    src = open_source(source)
    window = parse_period(period)
    columns = [*DCIR_KEYS, "BEN_NIR_PSA", "BEN_RNG_GEM", "EXE_SOI_DTD", "PRS_NAT_REF",
               "PSE_SPE_COD", "PRS_ACT_QTE", *DCIR_CLEANING_COLUMNS]  # fmt: skip
    prs = lazy(src.read("ER_PRS_F", columns)).filter(~nw.col("PRS_NAT_REF").is_null())
    if natures is not None:
        prs = prs.filter(matches_codes("PRS_NAT_REF", [str(n) for n in natures], how="exact"))
    if specialties is not None:
        prs = prs.filter(matches_codes("PSE_SPE_COD", [str(s) for s in specialties], how="exact"))
    if window is not None:
        prs = prs.filter(in_period("EXE_SOI_DTD", window))
    ete = src.read("ER_ETE_F", [*DCIR_KEYS, "ETE_IND_TAA"]) if src.has("ER_ETE_F") else None
    kept = clean_dcir(to_native(prs), ete, period=window, report=report)
    rows = attribute_dcir(
        lazy(kept).select("BEN_NIR_PSA", "BEN_RNG_GEM", "EXE_SOI_DTD", "PRS_NAT_REF",
                          "PSE_SPE_COD", "PRS_ACT_QTE").to_native(),
        read_ben(src), table="ER_PRS_F", report=report,
    )  # fmt: skip
    rows = lazy(rows).with_columns(nw.col("PSE_SPE_COD").fill_null("__none"))
    net = regularize(
        to_native(rows), ["patient_id", "EXE_SOI_DTD", "PRS_NAT_REF", "PSE_SPE_COD"],
        "PRS_ACT_QTE", table="ER_PRS_F", report=report,
    )  # fmt: skip
    spe = nw.col("PSE_SPE_COD")
    events = lazy(net).select(
        "patient_id",
        nw.lit("visit").alias("category"),
        nw.when(spe != "__none").then(spe).alias("group_id"),
        nw.col("PRS_NAT_REF").alias("value"),
        nw.col("PRS_ACT_QTE").cast(nw.Float64()).alias("weight"),
        nw.col("EXE_SOI_DTD").alias("start"),
        null("date").alias("end"),
        nw.lit("ER_PRS_F").alias("source"),
    )
    return finish_events(events)
