"""Cleaning rules: hand-made tables, hand-computed counts, identical on both backends."""

import datetime as dt

import pandas as pd
import pytest

from snds_algos.cleaning import MCO_RULES, clean_dcir, clean_mco, regularize, select_rules
from snds_algos.cleaning.dcir import DCIR_KEYS
from snds_algos.contracts.dtypes import date_series
from snds_algos.reports import Report
from tests.helpers import rows

D = dt.date
S = "string[pyarrow]"


def prs_frame(backend):
    n = 7
    keys = {
        k: pd.array([f"{k[:3]}{i}" for i in range(n)], dtype=S)
        for k in DCIR_KEYS
        if k not in ("FLX_DIS_DTD",)
    }
    return backend.frame(
        pd.DataFrame(
            {
                **keys,
                "FLX_DIS_DTD": date_series(
                    [
                        D(2019, 1, 5),
                        D(2019, 2, 1),
                        D(2019, 3, 1),
                        D(2019, 4, 1),
                        D(2018, 12, 31),
                        D(2020, 7, 1),
                        D(2020, 6, 30),
                    ]
                ),
                "line": pd.array([str(i) for i in range(n)], dtype=S),
                "DPN_QLF": pd.array(["0", "71", "0", "0", "0", "0", None], dtype=S),
                "PRS_DPN_QLP": pd.array(["0", "0", "71", "0", "0", "0", "0"], dtype=S),
                "BSE_PRS_NAT": pd.array(
                    ["1111", "1111", "0", "0", "1111", "1111", "1111"], dtype=S
                ),
            }
        )
    )


def ete_frame(backend, prs):
    pdf = backend.collect(prs)[list(DCIR_KEYS)].iloc[[0, 3, 4]].copy()
    pdf["ETE_IND_TAA"] = pd.array(["0", "1", "1"], dtype=S)
    pdf["FLX_EMT_NUM"] = pdf["FLX_EMT_NUM"].where(pdf.index != 4, "NO_MATCH")  # one key differs
    return backend.frame(pdf.reset_index(drop=True))


def test_dcir_rules_counts_and_rows(backend):
    prs = prs_frame(backend)
    report = Report()
    out = clean_dcir(
        prs, ete_frame(backend, prs), period=(D(2019, 1, 1), D(2019, 12, 31)), report=report
    )
    assert [r["line"] for r in rows(out, ["line"])] == ["0", "6"]
    assert report.to_pandas()[["step", "rows_in", "rows_removed", "rows_out"]].values.tolist() == [
        ["dcir_information_lines", 7, 2, 5],  # lines 1 (DPN_QLF) and 2 (PRS_DPN_QLP)
        ["dcir_zero_nature", 5, 1, 4],  # line 3 (line 2 already removed)
        ["dcir_public_hospital_taa", 4, 0, 4],  # line 3 already gone, line 4's keys differ
        ["dcir_flux_window", 4, 2, 2],  # 2018-12-31 before, 2020-07-01 after June 30 2020
    ]


def test_a_prestation_with_any_taa_line_is_removed(backend):
    """Several ER_ETE_F lines on one prestation: one with TAA = 1 is enough (whatever the
    order of the lines), and the prestation is counted once."""
    prs = prs_frame(backend)
    pdf = backend.collect(prs)[list(DCIR_KEYS)].iloc[[0, 0, 0, 5]].copy()
    pdf["ETE_IND_TAA"] = pd.array(["0", "1", None, "0"], dtype=S)
    report = Report()
    out = clean_dcir(prs, backend.frame(pdf.reset_index(drop=True)), report=report)
    assert [r["line"] for r in rows(out, ["line"])] == ["4", "5", "6"]
    assert report.to_pandas()[["step", "rows_removed"]].values.tolist() == [
        ["dcir_information_lines", 2],
        ["dcir_zero_nature", 1],
        ["dcir_public_hospital_taa", 1],  # line 0 only (line 5's lines all say 0)
    ]


def test_dcir_rules_are_switchable_and_skips_are_reported(backend):
    prs = prs_frame(backend)
    report = Report()
    out = clean_dcir(prs, skip=["dcir_zero_nature"], report=report)
    assert len(rows(out)) == 5
    assert report.to_pandas()["step"].tolist() == ["dcir_information_lines"]
    assert report.skipped == [("ER_PRS_F", "dcir_public_hospital_taa", "ER_ETE_F not given")]
    with pytest.raises(ValueError, match="unknown rule"):
        clean_dcir(prs, skip=["no_such_rule"])


def mco(backend):
    b = pd.DataFrame(
        {
            "ETA_NUM": pd.array(
                [
                    "111111111",
                    "222222222",
                    "333333333",
                    "444444444",
                    "600100093",
                    "600100093",
                    "555555555",
                    "666666666",
                    "777777777",
                ],
                dtype=S,
            ),
            "RSA_NUM": pd.array([str(i) for i in range(9)], dtype=S),
            "PMSI_YEAR": pd.array(
                [2019, 2019, 2019, 2019, 2017, 2018, 2019, 2019, 2019], dtype="Int64"
            ),
            "GRG_GHM": pd.array(
                [
                    "05M09T",
                    "90H02Z",
                    "28Z15Z",
                    "05M09T",
                    "05M09T",
                    "05M09T",
                    "05M09T",
                    "05M09T",
                    "05M09T",
                ],
                dtype=S,
            ),
            "SEJ_TYP": pd.array([None, None, "B", "B", "A", "A", None, None, None], dtype=S),
            "GHS_NUM": pd.array(
                [1000, 1000, 1000, 1000, 1000, 1000, 9999, 1000, 1000], dtype="Int64"
            ),
        }
    )
    c = b[["ETA_NUM", "RSA_NUM", "PMSI_YEAR"]].iloc[:8].copy()
    for col in (
        "NIR_RET",
        "NAI_RET",
        "SEX_RET",
        "SEJ_RET",
        "FHO_RET",
        "PMS_RET",
        "DAT_RET",
        "COH_NAI_RET",
    ):
        c[col] = pd.array(["0"] * 8, dtype=S)
    c.loc[7, "NAI_RET"] = "1"  # stay 7: a quality code in error
    c["NIR_ANO_17"] = pd.array(["A" * 17] * 8, dtype=S)
    return backend.frame(b), backend.frame(c.reset_index(drop=True))


def test_mco_rules_counts_and_rows(backend):
    b, c = mco(backend)
    report = Report()
    out = clean_mco(b, c, report=report)
    assert [r["RSA_NUM"] for r in rows(out, ["RSA_NUM"])] == ["0", "2", "5"]
    assert "NIR_ANO_17" in rows(out)[0]
    assert report.to_pandas()[["step", "rows_removed"]].values.tolist() == [
        ["mco_no_patient_link", 1],  # stay 8 has no C row
        ["mco_ghm_error", 1],  # stay 1
        ["mco_sej_typ_b", 1],  # stay 3 (stay 2 is B but GHM 28Z15Z is kept)
        ["mco_ghs_9999", 1],  # stay 6
        ["mco_quality_codes", 1],  # stay 7
        ["mco_geographic_finess", 1],  # stay 4 (AP-HP geographic FINESS in 2017; 2018 kept)
    ]


def test_mco_geographic_last_year_is_a_parameter(backend):
    b, c = mco(backend)
    out = clean_mco(b, c, geographic_last_year=2018, only=["mco_geographic_finess"])
    assert "5" not in [r["RSA_NUM"] for r in rows(out)]
    assert [r.name for r in select_rules(MCO_RULES, skip=["mco_ghs_9999"])][
        -1
    ] == "mco_geographic_finess"


def test_regularization_sums_identical_lines(backend):
    pha = backend.frame(
        pd.DataFrame(
            {
                "patient_id": pd.array(["P1", "P1", "P1", "P2", "P2", "P3"], dtype=S),
                "EXE_SOI_DTD": date_series(
                    [D(2020, 1, 1)] * 3 + [D(2020, 2, 1), D(2020, 2, 1), D(2020, 3, 1)]
                ),
                "CIP13": pd.array(["A", "A", "B", "A", "A", "A"], dtype=S),
                "QSN": pd.array([2, -1, 1, 1, -1, -1], dtype="Int64"),
            }
        )
    )
    report = Report()
    out = regularize(pha, ["patient_id", "EXE_SOI_DTD", "CIP13"], "QSN", report=report)
    assert rows(out, ["patient_id", "CIP13"]) == [
        {"patient_id": "P1", "EXE_SOI_DTD": D(2020, 1, 1), "CIP13": "A", "QSN": 1},
        {"patient_id": "P1", "EXE_SOI_DTD": D(2020, 1, 1), "CIP13": "B", "QSN": 1},
    ]
    assert report.to_pandas()[["step", "rows_in", "rows_removed", "rows_out"]].values.tolist() == [
        ["regularization:merged", 6, 2, 4],
        ["regularization:net_non_positive", 4, 2, 2],
    ]
