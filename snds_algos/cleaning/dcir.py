"""DCIR cleaning rules (documentation-snds fiches "sas_prestation_dcir", "depenses"; SCALPEL).

Applied to ER_PRS_F (optionally joined to ER_ETE_F on the 9 DCIR keys):

* ``dcir_information_lines``: lines "pour information", DPN_QLF = 71 or PRS_DPN_QLP = 71;
* ``dcir_zero_nature``: BSE_PRS_NAT = 0;
* ``dcir_public_hospital_taa``: public-hospital activity billed directly
  (ER_ETE_F.ETE_IND_TAA = 1), which duplicates the PMSI (needs ER_ETE_F);
* ``dcir_flux_window``: flux dates (FLX_DIS_DTD) outside the care period plus the
  liquidation delay (needs ``period``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import narwhals as nw

from snds_algos.backend import common_backend, date_literal, distinct, lazy, to_native
from snds_algos.cleaning.rules import Rule, select_rules
from snds_algos.reports import Report

#: the 9 columns that join DCIR detail tables to ER_PRS_F (domain notes §3)
DCIR_KEYS = (
    "FLX_DIS_DTD", "FLX_TRT_DTD", "FLX_EMT_TYP", "FLX_EMT_NUM", "FLX_EMT_ORD",
    "ORG_CLE_NUM", "DCT_ORD_NUM", "PRS_ORD_NUM", "REM_TYP_AFF",
)  # fmt: skip


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    import calendar

    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _flux_window(params: dict[str, Any]) -> nw.Expr:
    start, end = params["period"]
    last = _add_months(end, params.get("flux_delay_months", 6))
    col = nw.col("FLX_DIS_DTD")
    return (col < date_literal(start)) | (col > date_literal(last))


DCIR_RULES: tuple[Rule, ...] = (
    Rule(
        "dcir_information_lines",
        "ER_PRS_F",
        "lines for information only (DPN_QLF = 71 or PRS_DPN_QLP = 71)",
        "documentation-snds, fiche sas_prestation_dcir",
        ("DPN_QLF", "PRS_DPN_QLP"),
        lambda p: (
            (nw.col("DPN_QLF") == "71").fill_null(False)
            | (nw.col("PRS_DPN_QLP") == "71").fill_null(False)
        ),
    ),
    Rule(
        "dcir_zero_nature",
        "ER_PRS_F",
        "prestations with a base nature of 0 (BSE_PRS_NAT = 0)",
        "documentation-snds, fiche depenses",
        ("BSE_PRS_NAT",),
        lambda p: nw.col("BSE_PRS_NAT") == "0",
    ),
    Rule(
        "dcir_public_hospital_taa",
        "ER_PRS_F",
        "public-hospital activity billed directly (ER_ETE_F.ETE_IND_TAA = 1), a duplicate "
        "of the PMSI",
        "documentation-snds, fiche depenses; SCALPEL",
        ("ETE_IND_TAA",),
        lambda p: nw.col("ETE_IND_TAA") == "1",
    ),
    Rule(
        "dcir_flux_window",
        "ER_PRS_F",
        "flux date (FLX_DIS_DTD) before the period or more than 6 months after it",
        "documentation-snds, fiche sas_prestation_dcir",
        ("FLX_DIS_DTD",),
        _flux_window,
    ),
)


def clean_dcir(
    er_prs_f: Any,
    er_ete_f: Any = None,
    *,
    period: tuple[dt.date, dt.date] | None = None,
    flux_delay_months: int = 6,
    only: Iterable[str] | None = None,
    skip: Iterable[str] = (),
    report: Report | None = None,
) -> Any:
    """Apply the DCIR cleaning rules to ER_PRS_F; same backend and columns out.

    Parameters
    ----------
    er_prs_f:
        Normalised ER_PRS_F (at least the columns the selected rules read; the 9 keys
        too when ``er_ete_f`` is given).
    er_ete_f:
        ER_ETE_F (9 keys + ETE_IND_TAA). Without it ``dcir_public_hospital_taa`` is not
        applied and the report says so.
    period:
        ``(first care date, last care date)``: enables ``dcir_flux_window``, which keeps
        flux dates from the start of the period to ``flux_delay_months`` after its end.
    only, skip:
        Rule names to apply (default all that can apply) or to leave out.
    report:
        Receives one row per applied rule (rows in, removed, out).

    Examples
    --------
    >>> import pandas as pd
    >>> prs = pd.DataFrame({"DPN_QLF": ["0", "71", "0"], "PRS_DPN_QLP": ["0", "0", None],
    ...                     "BSE_PRS_NAT": ["1111", "1111", "0"]})
    >>> report = Report()
    >>> len(clean_dcir(prs, report=report))
    1
    >>> report.to_pandas()[["step", "rows_removed"]].values.tolist()
    [['dcir_information_lines', 1], ['dcir_zero_nature', 1]]
    """
    frames = {"ER_PRS_F": er_prs_f, "ER_ETE_F": er_ete_f}
    common_backend(frames)
    rules = select_rules(DCIR_RULES, only, skip)
    params = {"period": period, "flux_delay_months": flux_delay_months}
    prs = lazy(er_prs_f)
    columns = prs.collect_schema().names()
    applied = []
    for rule in rules:
        if rule.name == "dcir_public_hospital_taa" and er_ete_f is None:
            if report is not None:
                report.skip("ER_PRS_F", rule.name, "ER_ETE_F not given")
            continue
        if rule.name == "dcir_flux_window" and period is None:
            continue
        applied.append(rule)
    if any(r.name == "dcir_public_hospital_taa" for r in applied):
        # the prestations with an ER_ETE_F line billed directly (TAA = 1): one row per key,
        # whatever the number of ER_ETE_F lines (any of them with TAA = 1 flags it)
        taa = nw.col("ETE_IND_TAA") == "1"
        flagged = distinct(lazy(er_ete_f).filter(taa.fill_null(False)).select(*DCIR_KEYS))
        flagged = flagged.with_columns(nw.lit("1", dtype=nw.String()).alias("ETE_IND_TAA"))
        prs = prs.join(flagged, on=list(DCIR_KEYS), how="left")
    conditions = [(r.name, r.description, r.drop(params).fill_null(False)) for r in applied]
    if report is not None and conditions:
        report.add_flags("ER_PRS_F", prs, conditions)
    if conditions:
        keep = ~nw.any_horizontal(*[c for _, _, c in conditions], ignore_nulls=True)
        prs = prs.filter(keep)
    return to_native(prs.select(*columns))
