"""PMSI MCO cleaning rules (documentation-snds initiation guide and fiche
"depenses_hopital_public"; SCALPEL).

Applied to MCO stays: T_MCOaaB joined to T_MCOaaC on (ETA_NUM, RSA_NUM, PMSI_YEAR):

* ``mco_no_patient_link``: a stay of B without its C row (no patient, no dates);
* ``mco_ghm_error``: GRG_GHM starting with ``90`` (grouping errors);
* ``mco_sej_typ_b``: SEJ_TYP = 'B' except GHM 28Z14Z, 28Z15Z, 28Z16Z;
* ``mco_ghs_9999``: GHS_NUM = 9999;
* ``mco_quality_codes``: any of NIR_RET, NAI_RET, SEX_RET, SEJ_RET, FHO_RET, PMS_RET,
  DAT_RET (and COH_NAI_RET, COH_SEX_RET when present, from 2013) other than '0'
  ('0' means valid; one public fiche writes ``<> '0'``, a typo);
* ``mco_geographic_finess``: the geographic FINESS numbers of AP-HP, AP-HM and HCL
  that duplicate their legal entity, for PMSI years up to ``geographic_last_year``
  (default 2017; another guide says 2018).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

import narwhals as nw

from snds_algos.backend import common_backend, lazy, to_native
from snds_algos.cleaning.rules import Rule, select_rules
from snds_algos.contracts.model import YEAR_COLUMN
from snds_algos.reports import Report

STAY_KEYS = ("ETA_NUM", "RSA_NUM", YEAR_COLUMN)
QUALITY_CODES = ("NIR_RET", "NAI_RET", "SEX_RET", "SEJ_RET", "FHO_RET", "PMS_RET", "DAT_RET")
QUALITY_CODES_SINCE_2013 = ("COH_NAI_RET", "COH_SEX_RET")
SEJ_TYP_B_KEPT_GHM = ("28Z14Z", "28Z15Z", "28Z16Z")


@cache
def geographic_finess() -> tuple[str, ...]:
    """The 169 geographic FINESS numbers of AP-HP, AP-HM and HCL (package data).

    >>> len(geographic_finess()), "600100093" in geographic_finess()
    (169, True)
    """
    path = resources.files("snds_algos.data").joinpath("finess_geographic_duplicates.csv")
    with path.open(encoding="utf-8") as fh:
        return tuple(row["ETA_NUM"] for row in csv.DictReader(fh))


def _quality(params: dict[str, Any]) -> nw.Expr:
    columns = [c for c in (*QUALITY_CODES, *QUALITY_CODES_SINCE_2013) if c in params["columns"]]
    bad = [(nw.col(c) != "0").fill_null(True) for c in columns]
    return nw.any_horizontal(*bad, ignore_nulls=True)


MCO_RULES: tuple[Rule, ...] = (
    Rule(
        "mco_no_patient_link",
        "T_MCOaaB",
        "stays without their T_MCOaaC row (no patient, no dates)",
        "PMSI MCO table structure (B and C join on ETA_NUM, RSA_NUM)",
        (),
        lambda p: nw.col("__has_link").is_null(),
    ),
    Rule(
        "mco_ghm_error",
        "T_MCOaaB",
        "GHM in error (GRG_GHM starting with 90)",
        "documentation-snds, guide d'initiation; SCALPEL",
        ("GRG_GHM",),
        lambda p: nw.col("GRG_GHM").str.starts_with("90"),
    ),
    Rule(
        "mco_sej_typ_b",
        "T_MCOaaB",
        "SEJ_TYP = 'B' except GHM 28Z14Z, 28Z15Z, 28Z16Z",
        "documentation-snds, guide d'initiation",
        ("SEJ_TYP", "GRG_GHM"),
        lambda p: (
            (nw.col("SEJ_TYP") == "B")
            & ~nw.col("GRG_GHM").is_in(list(SEJ_TYP_B_KEPT_GHM)).fill_null(False)
        ),
    ),
    Rule(
        "mco_ghs_9999",
        "T_MCOaaB",
        "GHS_NUM = 9999",
        "documentation-snds, guide d'initiation",
        ("GHS_NUM",),
        lambda p: nw.col("GHS_NUM") == 9999,
    ),
    Rule(
        "mco_quality_codes",
        "T_MCOaaC",
        "a quality code (NIR_RET, NAI_RET, SEX_RET, SEJ_RET, FHO_RET, PMS_RET, DAT_RET, "
        "COH_NAI_RET, COH_SEX_RET) other than '0' or missing",
        "documentation-snds, guide d'initiation",
        QUALITY_CODES,
        _quality,
    ),
    Rule(
        "mco_geographic_finess",
        "T_MCOaaB",
        "geographic FINESS of AP-HP, AP-HM, HCL duplicating their legal entity "
        "(PMSI years up to the last year, default 2017)",
        "documentation-snds, fiche depenses_hopital_public",
        ("ETA_NUM", YEAR_COLUMN),
        lambda p: (
            nw.col("ETA_NUM").is_in(list(geographic_finess()))
            & (nw.col(YEAR_COLUMN) <= p["geographic_last_year"])
        ),
    ),
)


def clean_mco(
    t_mcoaab: Any,
    t_mcoaac: Any,
    *,
    geographic_last_year: int = 2017,
    only: Iterable[str] | None = None,
    skip: Iterable[str] = (),
    report: Report | None = None,
) -> Any:
    """MCO stays kept by the cleaning rules: B columns plus the columns of C.

    Parameters
    ----------
    t_mcoaab, t_mcoaac:
        Normalised stacked T_MCOaaB and T_MCOaaC (with ``PMSI_YEAR``), joined on
        (ETA_NUM, RSA_NUM, PMSI_YEAR). C brings NIR_ANO_17, EXE_SOI_DTD/DTF and the
        quality codes.
    geographic_last_year:
        Last PMSI year whose geographic FINESS duplicates are removed (default 2017).
    only, skip:
        Rule names to apply or to leave out (:data:`MCO_RULES`).
    report:
        Receives one row per rule (rows in, removed, out), counted on stays.

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"ETA_NUM": ["1", "2", "3"], "RSA_NUM": ["1", "2", "3"],
    ...                   "PMSI_YEAR": [2019] * 3, "GRG_GHM": ["05M09T", "90Z00Z", "05M09T"],
    ...                   "SEJ_TYP": [None, None, "B"], "GHS_NUM": [1, 2, 3]})
    >>> c = b[["ETA_NUM", "RSA_NUM", "PMSI_YEAR"]].assign(NIR_RET="0", NAI_RET="0",
    ...       SEX_RET="0", SEJ_RET="0", FHO_RET="0", PMS_RET="0", DAT_RET="0")
    >>> report = Report()
    >>> clean_mco(b, c, report=report)["ETA_NUM"].tolist()
    ['1']
    >>> report.to_pandas()["rows_removed"].tolist()
    [0, 1, 1, 0, 0, 0]
    """
    common_backend({"T_MCOaaB": t_mcoaab, "T_MCOaaC": t_mcoaac})
    rules = select_rules(MCO_RULES, only, skip)
    b = lazy(t_mcoaab)
    c = lazy(t_mcoaac)
    b_cols = b.collect_schema().names()
    c_cols = [col for col in c.collect_schema().names() if col not in b_cols]
    c = c.select(*STAY_KEYS, *c_cols).with_columns(nw.lit(True).alias("__has_link"))
    stays = b.join(c, on=list(STAY_KEYS), how="left")
    params = {"geographic_last_year": geographic_last_year, "columns": set(c_cols) | set(b_cols)}
    conditions = [(r.name, r.description, r.drop(params).fill_null(False)) for r in rules]
    if report is not None and conditions:
        report.add_flags("T_MCOaaB", stays, conditions)
    if conditions:
        stays = stays.filter(~nw.any_horizontal(*[c for _, _, c in conditions], ignore_nulls=True))
    return to_native(stays.select(*b_cols, *c_cols))
