"""Drug dispensings: pharmacy (ER_PHA_F + IR_PHA_R) and hospital-dispensed (ER_UCD_F)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import narwhals as nw

from snds_algos.backend import PANDAS, lazy, matches_codes, to_native
from snds_algos.cleaning.dcir import DCIR_KEYS
from snds_algos.cleaning.regularization import regularize
from snds_algos.events._common import Period, dcir_detail, parse_period
from snds_algos.events.codelists import CodeList, resolve_codes
from snds_algos.events.schema import finish_events, null
from snds_algos.io.source import TableSource, open_source
from snds_algos.reports import Report

DRUG_EXTRAS = {"cip13": "string", "large_pack": "boolean"}
#: valid ATC levels, as numbers of characters (A, A10, A10B, A10BA, A10BA02)
ATC_LEVELS = (1, 3, 4, 5, 7)


def drug_dispensings(
    source: TableSource | Any,
    *,
    atc: CodeList | str | Iterable[str] | None = None,
    atc_exact: CodeList | str | Iterable[str] | None = None,
    cip13: Iterable[str] | None = None,
    atc_level: int = 7,
    period: Period | None = None,
    report: Report | None = None,
) -> Any:
    """Drugs dispensed by pharmacies, one event per (person, care date, CIP13).

    Reads ER_PRS_F, ER_PHA_F, IR_PHA_R and IR_BEN_R (ER_ETE_F when present). ER_PHA_F
    lines join IR_PHA_R on the CIP13 (unknown CIP13 removed and counted), then their
    ER_PRS_F line on the 9 DCIR keys; the joined lines are cleaned by
    :func:`~snds_algos.cleaning.clean_dcir` (information lines, zero nature,
    public-hospital TAA when ER_ETE_F is there, flux window when ``period`` is given:
    counts are numbers of dispensing lines) and attributed by
    :func:`~snds_algos.identity.attribute_dcir`. Boxes (PHA_ACT_QSN) are summed over
    identical lines (person, care date, CIP13) and kept when the sum is positive.

    Event: category ``"drug_dispensing"``, value = ATC code (PHA_ATC_C07), group_id =
    ATC truncated to ``atc_level`` characters, weight = net boxes, start = care date
    (EXE_SOI_DTD), end null, source ``"ER_PHA_F"``; extras ``cip13`` (string) and
    ``large_pack`` (boolean: PHA_CND_TOP = 'GC').

    Parameters
    ----------
    source:
        A :class:`~snds_algos.io.TableSource`, a folder or a ``{table: frame}`` mapping.
    atc, atc_exact, cip13:
        Selections: ATC prefixes (or a :class:`CodeList`), exact ATC codes, CIP13 codes.
        A drug is kept when it matches any selection given; none given: every drug.
    atc_level:
        Characters of the ATC code kept in ``group_id``: 1, 3, 4, 5 or 7.
    period:
        ``(first, last)`` care dates kept (bounds included).
    report:
        Receives the counts of removed rows (unknown CIP13, drugs outside the selection,
        lines without a prestation, cleaning, attribution, regularisation), step after
        step: each step's ``rows_in`` is the previous step's ``rows_out``.

    Examples
    --------
    >>> import datetime as dt, pandas as pd
    >>> keys = {k: ["1"] for k in DCIR_KEYS}
    >>> keys["FLX_DIS_DTD"] = keys["FLX_TRT_DTD"] = ["2020-02-01"]
    >>> nir = "N" * 17
    >>> tables = {
    ...     "ER_PRS_F": pd.DataFrame({**keys, "BEN_NIR_PSA": [nir], "BEN_RNG_GEM": ["1"],
    ...         "EXE_SOI_DTD": ["2020-01-15"], "DPN_QLF": ["0"], "PRS_DPN_QLP": ["0"],
    ...         "BSE_PRS_NAT": ["3317"]}),
    ...     "ER_PHA_F": pd.DataFrame({**keys, "PHA_PRS_C13": ["3400930000001"],
    ...         "PHA_ACT_QSN": [2]}),
    ...     "IR_PHA_R": pd.DataFrame({"PHA_CIP_C13": ["3400930000001"],
    ...         "PHA_ATC_C07": ["A10BA02"], "PHA_CND_TOP": ["GC"]}),
    ...     "IR_BEN_R": pd.DataFrame({"BEN_NIR_PSA": [nir], "BEN_RNG_GEM": ["1"],
    ...         "BEN_IDT_ANO": ["P1"]}),
    ... }
    >>> events = drug_dispensings(tables, atc=["A10"], atc_level=4)
    >>> events[["patient_id", "value", "group_id", "weight", "start", "large_pack"]].values.tolist()
    [['P1', 'A10BA02', 'A10B', 2.0, datetime.date(2020, 1, 15), True]]
    """
    if atc_level not in ATC_LEVELS:
        raise ValueError(f"atc_level must be one of {ATC_LEVELS} (characters), not {atc_level}")
    src = open_source(source)
    window = parse_period(period)
    ref = lazy(src.read("IR_PHA_R", ["PHA_CIP_C13", "PHA_ATC_C07", "PHA_CND_TOP"]))
    ref = (
        ref.filter(~nw.col("PHA_CIP_C13").is_null())
        .group_by("PHA_CIP_C13")
        .agg(nw.col("PHA_ATC_C07").min(), nw.col("PHA_CND_TOP").min())
        .rename({"PHA_CIP_C13": "PHA_PRS_C13"})
    )
    selectors = []
    for codes, how in ((atc, "prefix"), (atc_exact, "exact")):
        resolved = resolve_codes(codes, how)
        if resolved is not None:
            selectors.append(matches_codes("PHA_ATC_C07", resolved[0], how=resolved[1]))
    if cip13 is not None:
        selectors.append(matches_codes("PHA_PRS_C13", [str(c) for c in cip13], how="exact"))
    known = ref.filter(~nw.col("PHA_ATC_C07").is_null())
    selected = (
        known.filter(nw.any_horizontal(*selectors, ignore_nulls=True)) if selectors else known
    )
    pha = lazy(src.read("ER_PHA_F", [*DCIR_KEYS, "PHA_PRS_C13", "PHA_ACT_QSN"]))
    if report is not None:
        marked = (
            pha.select("PHA_PRS_C13")
            .join(
                known.select("PHA_PRS_C13", nw.lit(True).alias("__known")),
                on="PHA_PRS_C13",
                how="left",
            )
            .join(
                selected.select("PHA_PRS_C13", nw.lit(True).alias("__selected")),
                on="PHA_PRS_C13",
                how="left",
            )
        )
        report.add_flags(
            "ER_PHA_F",
            marked,
            [
                (
                    "drugs:unknown_cip13",
                    "CIP13 absent from IR_PHA_R or without an ATC code",
                    nw.col("__known").is_null(),
                ),
                (
                    "drugs:not_selected",
                    "drug outside the selection asked (ATC codes, CIP13)",
                    nw.col("__selected").is_null(),
                ),
            ],
        )
    if src.backend == PANDAS:
        # the referential is small and already in memory: a filter is cheaper than a join
        selected = lazy(to_native(selected))
        wanted = to_native(selected)["PHA_PRS_C13"].tolist()
        pha = pha.filter(nw.col("PHA_PRS_C13").is_in(wanted))
    pha = pha.join(selected, on="PHA_PRS_C13", how="inner")
    lines = dcir_detail(src, pha, "ER_PHA_F", period=window, report=report)
    net = regularize(
        lines,
        ["patient_id", "EXE_SOI_DTD", "PHA_PRS_C13"],
        "PHA_ACT_QSN",
        table="ER_PHA_F",
        report=report,
        keep_first=["PHA_ATC_C07", "PHA_CND_TOP"],
    )
    events = lazy(net).select(
        "patient_id",
        nw.lit("drug_dispensing").alias("category"),
        nw.col("PHA_ATC_C07").str.slice(0, atc_level).alias("group_id"),
        nw.col("PHA_ATC_C07").alias("value"),
        nw.col("PHA_ACT_QSN").cast(nw.Float64()).alias("weight"),
        nw.col("EXE_SOI_DTD").alias("start"),
        null("date").alias("end"),
        nw.lit("ER_PHA_F").alias("source"),
        nw.col("PHA_PRS_C13").alias("cip13"),
        (nw.col("PHA_CND_TOP") == "GC").fill_null(False).alias("large_pack"),
    )
    return finish_events(events, DRUG_EXTRAS)


def hospital_drug_dispensings(
    source: TableSource | Any,
    *,
    ucd: Iterable[str] | None = None,
    period: Period | None = None,
    skip: Iterable[str] = (),
    report: Report | None = None,
) -> Any:
    """Drugs dispensed by hospitals and billed in the DCIR (ER_UCD_F), by UCD code.

    Same pipeline as :func:`drug_dispensings` (cleaned ER_PRS_F, 9-key join,
    attribution), with units delivered (UCD_DLV_NBR) summed over identical lines
    (person, care date, UCD code) and kept when positive. There is no ATC referential
    for UCD codes among the tables the library knows: select by ``ucd`` codes (exact).
    ``skip`` names DCIR cleaning rules to leave out (e.g. ``"dcir_public_hospital_taa"``).

    Event: category ``"hospital_drug_dispensing"``, value = UCD_UCD_COD, group_id null,
    weight = net units, start = care date, end null, source ``"ER_UCD_F"``.

    Examples
    --------
    >>> import pandas as pd
    >>> keys = {k: ["1"] for k in DCIR_KEYS}
    >>> keys["FLX_DIS_DTD"] = keys["FLX_TRT_DTD"] = ["2020-02-01"]
    >>> tables = {
    ...     "ER_PRS_F": pd.DataFrame({**keys, "BEN_NIR_PSA": ["N" * 17], "BEN_RNG_GEM": ["1"],
    ...         "EXE_SOI_DTD": ["2020-01-15"], "DPN_QLF": ["0"], "PRS_DPN_QLP": ["0"],
    ...         "BSE_PRS_NAT": ["3351"]}),
    ...     "ER_UCD_F": pd.DataFrame({**keys, "UCD_UCD_COD": ["9391234"], "UCD_DLV_NBR": [3]}),
    ...     "IR_BEN_R": pd.DataFrame({"BEN_NIR_PSA": ["N" * 17], "BEN_RNG_GEM": ["1"]}),
    ... }
    >>> hospital_drug_dispensings(tables)[["value", "weight", "source"]].values.tolist()
    [['9391234', 3.0, 'ER_UCD_F']]
    """
    src = open_source(source)
    window = parse_period(period)
    det = lazy(src.read("ER_UCD_F", [*DCIR_KEYS, "UCD_UCD_COD", "UCD_DLV_NBR"]))
    det = det.filter(~nw.col("UCD_UCD_COD").is_null())
    if ucd is not None:
        det = det.filter(matches_codes("UCD_UCD_COD", [str(c) for c in ucd], how="exact"))
    lines = dcir_detail(src, det, "ER_UCD_F", period=window, skip=skip, report=report)
    net = regularize(
        lines,
        ["patient_id", "EXE_SOI_DTD", "UCD_UCD_COD"],
        "UCD_DLV_NBR",
        table="ER_UCD_F",
        report=report,
    )
    events = lazy(net).select(
        "patient_id",
        nw.lit("hospital_drug_dispensing").alias("category"),
        null("string").alias("group_id"),
        nw.col("UCD_UCD_COD").alias("value"),
        nw.col("UCD_DLV_NBR").cast(nw.Float64()).alias("weight"),
        nw.col("EXE_SOI_DTD").alias("start"),
        null("date").alias("end"),
        nw.lit("ER_UCD_F").alias("source"),
    )
    return finish_events(events)
