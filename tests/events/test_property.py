"""Property: on random SNDS-like tables, pandas, DuckDB and Spark give the same events
and the same cleaning and attribution counts.

Each example is one random world (persons sharing NIRs or pseudonyms, DCIR lines with
information lines, zero natures, regularisations and mismatched keys, MCO stays with
errors, units and associated diagnoses, ALDs with sentinels). Spark jobs cost about a
second each on 2 cores, so the Spark examples are few but each world is rich; DuckDB
runs many more.
"""

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snds_algos.cleaning.pmsi import QUALITY_CODES
from snds_algos.events import drug_dispensings, hospital_diagnoses, long_term_illnesses
from snds_algos.events.ald import ALD_EXTRAS
from snds_algos.events.diagnoses import DIAGNOSIS_EXTRAS
from snds_algos.events.drugs import DRUG_EXTRAS
from snds_algos.events.schema import event_order
from snds_algos.io import open_source
from snds_algos.reports import Report
from tests.events.builders import date_series, dcir_keys, ints, ir_pha_r, strings
from tests.helpers import rows

NIRS = [c * 17 for c in "ABCDEFGH"] + ["xxxxxxxxxxxxxxxxx"]
CIPS = [f"340090000000{i}" for i in range(1, 5)] + ["3400999999999"]
CODES = ["E11", "E119", "E101", "I10", "K35", None]
DAYS = [dt.date(2020, 1, 1) + dt.timedelta(days=d) for d in range(0, 360, 40)]
SENTINELS = [dt.date(1600, 1, 1), dt.date(2099, 12, 31), None, dt.date(2021, 6, 30)]

person = st.tuples(st.sampled_from(NIRS[:8]), st.sampled_from(["1", "2"]),
                   st.sampled_from([None, "P1", "P2", "P3", "P4"]))  # fmt: skip
prs_line = st.tuples(st.sampled_from(NIRS), st.sampled_from(["1", "2"]), st.sampled_from(DAYS),
                     st.sampled_from(["0", "0", "71"]), st.sampled_from(["3317", "3317", "0"]))  # fmt: skip
pha_line = st.tuples(st.integers(0, 44), st.sampled_from(CIPS), st.integers(-2, 3), st.booleans())
stay = st.tuples(st.sampled_from(NIRS), st.sampled_from(DAYS), st.integers(0, 5),
                 st.sampled_from(CODES), st.sampled_from(CODES),
                 st.sampled_from(["10M02T", "10M02T", "90Z00Z"]), st.sampled_from([2019, 2020]))  # fmt: skip
extra_dgn = st.tuples(st.integers(0, 23), st.sampled_from(CODES))
ald = st.tuples(st.sampled_from(NIRS), st.sampled_from(["1", "2"]), st.sampled_from(CODES[:3]),
                st.sampled_from(["41", "43", "11"]), st.sampled_from([*DAYS, dt.date(1600, 1, 1)]),
                st.sampled_from(SENTINELS))  # fmt: skip


@st.composite
def worlds(draw):
    people = draw(st.lists(person, min_size=1, max_size=14, unique_by=lambda p: p[:2]))
    prs = draw(st.lists(prs_line, min_size=1, max_size=45))
    pha = draw(st.lists(pha_line, max_size=70))
    stays = draw(st.lists(stay, max_size=24))
    units = draw(st.lists(extra_dgn, max_size=24))
    assoc = draw(st.lists(extra_dgn, max_size=24))
    alds = draw(st.lists(ald, max_size=16))
    tables = {
        "IR_BEN_R": pd.DataFrame({"BEN_NIR_PSA": strings([p[0] for p in people]),
                                  "BEN_RNG_GEM": strings([p[1] for p in people]),
                                  "BEN_IDT_ANO": strings([p[2] for p in people])}),
        "ER_PRS_F": pd.DataFrame({**dcir_keys(len(prs)),
                                  "BEN_NIR_PSA": strings([p[0] for p in prs]),
                                  "BEN_RNG_GEM": strings([p[1] for p in prs]),
                                  "EXE_SOI_DTD": date_series([p[2] for p in prs]),
                                  "DPN_QLF": strings([p[3] for p in prs]),
                                  "PRS_DPN_QLP": strings(["0"] * len(prs)),
                                  "BSE_PRS_NAT": strings([p[4] for p in prs])}),
        "IR_PHA_R": ir_pha_r(),
        "IR_IMB_R": pd.DataFrame({"BEN_NIR_PSA": strings([a[0] for a in alds]),
                                  "BEN_RNG_GEM": strings([a[1] for a in alds]),
                                  "MED_MTF_COD": strings([a[2] for a in alds]),
                                  "IMB_ETM_NAT": strings([a[3] for a in alds]),
                                  "IMB_ALD_DTD": date_series([a[4] for a in alds]),
                                  "IMB_ALD_DTF": date_series([a[5] for a in alds])}),
    }  # fmt: skip
    keys = dcir_keys(len(pha))
    keys["DCT_ORD_NUM"] = ints([p[0] for p in pha])
    keys["ORG_CLE_NUM"] = strings(["2" if p[3] else "1" for p in pha])
    tables["ER_PHA_F"] = pd.DataFrame(
        {
            **keys,
            "PHA_PRS_C13": strings([p[1] for p in pha]),
            "PHA_ACT_QSN": ints([p[2] for p in pha]),
        }
    )
    for year in (2019, 2020):
        mine = [(i, s) for i, s in enumerate(stays) if s[6] == year]
        rsa = [str(i) for i, _ in mine]
        eta = ["010000001"] * len(mine)
        yy = str(year)[2:]
        tables[f"T_MCO{yy}B"] = pd.DataFrame(
            {
                "ETA_NUM": strings(eta),
                "RSA_NUM": strings(rsa),
                "DGN_PAL": strings([s[3] for _, s in mine]),
                "DGN_REL": strings([s[4] for _, s in mine]),
                "GRG_GHM": strings([s[5] for _, s in mine]),
                "SEJ_TYP": strings([None] * len(mine)),
                "GHS_NUM": ints([1] * len(mine)),
            }
        )
        tables[f"T_MCO{yy}C"] = pd.DataFrame(
            {
                "ETA_NUM": strings(eta),
                "RSA_NUM": strings(rsa),
                "NIR_ANO_17": strings([s[0] for _, s in mine]),
                "EXE_SOI_DTD": date_series([s[1] for _, s in mine]),
                "EXE_SOI_DTF": date_series([s[1] + dt.timedelta(days=s[2]) for _, s in mine]),
                **{q: strings(["0"] * len(mine)) for q in QUALITY_CODES},
            }
        )
        for name, extra, cols in (
            ("UM", units, ("DGN_PAL", "DGN_REL")),
            ("D", assoc, ("ASS_DGN",)),
        ):
            picked = [(str(i), code) for i, code in extra]
            tables[f"T_MCO{yy}{name}"] = pd.DataFrame(
                {
                    "ETA_NUM": strings(["010000001"] * len(picked)),
                    "RSA_NUM": strings([p[0] for p in picked]),
                    **{c: strings([p[1] for p in picked]) for c in cols},
                }
            )
    return tables  # fmt: skip


@pytest.mark.spark
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
@given(tables=worlds())
def test_pandas_and_spark_give_the_same_events(spark, tables):
    from conftest import to_spark

    on_spark = {name: to_spark(spark, frame) for name, frame in tables.items()}
    for extract, extras in (
        (lambda t: drug_dispensings(t, atc_level=3), DRUG_EXTRAS),
        (lambda t: hospital_diagnoses(t, codes=["E1", "I"]), DIAGNOSIS_EXTRAS),
        (lambda t: long_term_illnesses(t), ALD_EXTRAS),
    ):
        expected = extract(tables)
        got = extract(on_spark)
        order = event_order(extras)
        assert list(got.columns) == list(expected.columns)
        assert rows(got, order) == rows(expected, order)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
@given(tables=worlds())
def test_pandas_and_duckdb_give_the_same_events_and_counts(tables):
    for extract, extras in (
        (lambda s, r: drug_dispensings(s, atc_level=3, report=r), DRUG_EXTRAS),
        (lambda s, r: hospital_diagnoses(s, codes=["E1", "I"], report=r), DIAGNOSIS_EXTRAS),
        (lambda s, r: long_term_illnesses(s, report=r), ALD_EXTRAS),
    ):
        expected_report, got_report = Report(), Report()
        expected = extract(tables, expected_report)
        got = extract(open_source(tables, backend="duckdb"), got_report)
        order = event_order(extras)
        assert list(got.columns) == list(expected.columns)
        assert rows(got, order) == rows(expected, order)
        assert got_report.to_pandas().equals(expected_report.to_pandas())
