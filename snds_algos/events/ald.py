"""Long-term illnesses (ALD, IR_IMB_R)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

import narwhals as nw

from snds_algos.backend import lazy, matches_codes, to_native
from snds_algos.contracts.sentinels import SENTINEL_DATES, is_no_date, is_sentinel
from snds_algos.events._common import read_ben
from snds_algos.events.codelists import CodeList, resolve_codes
from snds_algos.events.schema import finish_events
from snds_algos.identity import attribute_dcir
from snds_algos.io.source import TableSource, open_source
from snds_algos.reports import Report

ALD_EXTRAS = {"exemption_nature": "string"}
#: IMB_ALD_DTF values meaning "no end" (domain notes §4, and 0001-01-01, 9999-12-31)
OPEN_END_SENTINELS = SENTINEL_DATES
#: IMB_ALD_DTD value meaning "unknown start" (every placeholder of SENTINEL_DATES is)
START_SENTINEL = dt.date(1600, 1, 1)


def long_term_illnesses(
    source: TableSource | Any,
    *,
    codes: CodeList | str | Iterable[str] | None = None,
    how: Literal["prefix", "exact"] = "prefix",
    natures: Iterable[str] | None = None,
    report: Report | None = None,
) -> Any:
    """Long-term illness exemptions (ALD) of IR_IMB_R, one event per exemption.

    Rows are attributed by :func:`~snds_algos.identity.attribute_dcir` on
    (BEN_NIR_PSA, BEN_RNG_GEM). An end date that is missing or a placeholder
    (0001-01-01, 1600-01-01, 2099-12-31, 9999-12-31:
    :data:`~snds_algos.contracts.sentinels.SENTINEL_DATES`) means open-ended and becomes
    null; the placeholders are counted in the report's notes (``ald:end_placeholder``).
    A row without a usable start (missing or a placeholder) cannot be dated: it is
    removed and counted (``ald:no_start``).

    Event: category ``"ald"``, value = ICD-10 code (MED_MTF_COD), group_id = exemption
    nature (IMB_ETM_NAT, e.g. ``"41"``), start = IMB_ALD_DTD, end = IMB_ALD_DTF or null
    when open-ended, weight null, source ``"IR_IMB_R"``; extra ``exemption_nature``
    (the same as group_id). Identical rows are kept once.

    Parameters
    ----------
    codes, how:
        ICD-10 codes (prefixes by default, or a :class:`CodeList`); ``None``: all.
    natures:
        Exemption natures kept (``("41", "43", "45")``); ``None``: all.

    Examples
    --------
    >>> import pandas as pd
    >>> nir = "N" * 17
    >>> tables = {
    ...     "IR_IMB_R": pd.DataFrame({"BEN_NIR_PSA": [nir, nir], "BEN_RNG_GEM": ["1", "1"],
    ...         "MED_MTF_COD": ["E11", "C50"], "IMB_ETM_NAT": ["41", "41"],
    ...         "IMB_ALD_DTD": ["2015-01-01", "2018-01-01"],
    ...         "IMB_ALD_DTF": ["1600-01-01", "2023-12-31"]}),
    ...     "IR_BEN_R": pd.DataFrame({"BEN_NIR_PSA": [nir], "BEN_RNG_GEM": ["1"]}),
    ... }
    >>> long_term_illnesses(tables, codes=["E10", "E11"])[["value", "start", "end"]].values.tolist()
    [['E11', datetime.date(2015, 1, 1), <NA>]]
    """
    src = open_source(source)
    imb = lazy(
        src.read(
            "IR_IMB_R",
            [
                "BEN_NIR_PSA",
                "BEN_RNG_GEM",
                "MED_MTF_COD",
                "IMB_ETM_NAT",
                "IMB_ALD_DTD",
                "IMB_ALD_DTF",
            ],
        )
    ).filter(~nw.col("MED_MTF_COD").is_null())
    resolved = resolve_codes(codes, how)
    if resolved is not None:
        imb = imb.filter(matches_codes("MED_MTF_COD", resolved[0], how=resolved[1]))
    if natures is not None:
        imb = imb.filter(matches_codes("IMB_ETM_NAT", [str(n) for n in natures], how="exact"))
    no_start = is_no_date("IMB_ALD_DTD")
    if report is not None:
        report.add_flags(
            "IR_IMB_R",
            imb,
            [("ald:no_start", "ALD without a start date (missing or a placeholder)", no_start)],
        )
        report.add_notes(
            "IR_IMB_R",
            imb.filter(~no_start),
            [
                (
                    "ald:end_placeholder",
                    "end date IMB_ALD_DTF a placeholder ("
                    + ", ".join(d.isoformat() for d in SENTINEL_DATES)
                    + "), read as open-ended",
                    is_sentinel("IMB_ALD_DTF").fill_null(False),
                )
            ],
        )
    imb = imb.filter(~no_start)
    rows = lazy(attribute_dcir(to_native(imb), read_ben(src), table="IR_IMB_R", report=report))
    end = nw.col("IMB_ALD_DTF")
    open_ended = is_no_date("IMB_ALD_DTF")
    events = rows.select(
        "patient_id",
        nw.lit("ald").alias("category"),
        nw.col("IMB_ETM_NAT").alias("group_id"),
        nw.col("MED_MTF_COD").alias("value"),
        nw.lit(None, dtype=nw.Float64()).alias("weight"),
        nw.col("IMB_ALD_DTD").alias("start"),
        nw.when(~open_ended).then(end).alias("end"),
        nw.lit("IR_IMB_R").alias("source"),
        nw.col("IMB_ETM_NAT").alias("exemption_nature"),
    ).unique()
    return finish_events(events, ALD_EXTRAS)
