"""Long-term illnesses (ALD, IR_IMB_R)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, Literal

import narwhals as nw

from snds_algos.backend import date_literal, lazy, matches_codes, to_native
from snds_algos.events._common import read_ben
from snds_algos.events.codelists import CodeList, resolve_codes
from snds_algos.events.schema import finish_events
from snds_algos.identity import attribute_dcir
from snds_algos.io.source import TableSource, open_source
from snds_algos.reports import Report

ALD_EXTRAS = {"exemption_nature": "string"}
#: IMB_ALD_DTF values meaning "no end" (domain notes §4)
OPEN_END_SENTINELS = (dt.date(1600, 1, 1), dt.date(2099, 12, 31))
#: IMB_ALD_DTD value meaning "unknown start"
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
    (BEN_NIR_PSA, BEN_RNG_GEM). An end date of 1600-01-01 or 2099-12-31 (or missing)
    means open-ended and becomes null. A row without a usable start (missing or
    1600-01-01) cannot be dated: it is removed and counted (``ald:no_start``).

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
    no_start = nw.col("IMB_ALD_DTD").is_null() | (
        nw.col("IMB_ALD_DTD") == date_literal(START_SENTINEL)
    ).fill_null(True)
    if report is not None:
        report.add_flags("IR_IMB_R", imb, [("ald:no_start", "ALD without a start date", no_start)])
    imb = imb.filter(~no_start)
    rows = lazy(attribute_dcir(to_native(imb), read_ben(src), table="IR_IMB_R", report=report))
    end = nw.col("IMB_ALD_DTF")
    open_ended = end.is_null() | end.is_in(list(OPEN_END_SENTINELS)).fill_null(True)
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
