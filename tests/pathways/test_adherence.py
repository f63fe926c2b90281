"""PDC and MPR: worked examples E9 and E10 of pathways.md, windows, index dates, death,
follow-up, hospital censoring, groups of keys, on pandas, DuckDB and Spark."""

from __future__ import annotations

import pandas as pd
import pytest

from snds_algos.contracts.dtypes import date_series
from snds_algos.pathways import mpr, pdc
from snds_algos.pathways.schema import MPR_COLUMNS, PDC_COLUMNS
from tests.pathways import D, deaths, dispensings, follow_up, stays, table

YEAR = ("2018-01-01", "2018-12-31")
COLS = ["patient_id", "key", "window_start", "window_end", "n_dispensings", "covered_days",
        "window_days", "pdc", "adherent"]  # fmt: skip
ORDER = ["patient_id", "key"]
MET, SITA = "A10BA02", "A10BH01"


def ninety(pid, day, atc=MET):
    return (pid, D(day), atc, 3.0)  # 3 boxes of 30 days


def thirty(pid, day, atc=MET):
    return (pid, D(day), atc, 1.0)


def result(out):
    rows = table(out, COLS, ORDER)
    return [(*r[:7], None if r[7] is None else round(r[7], 3), r[8]) for r in rows]


def test_e9_pdc_and_mpr(backend):
    frame = backend.frame(
        dispensings(*[ninety("P1", d) for d in ("2018-03-25", "2018-07-05", "2018-09-25")])
    )
    out = pdc(frame, window=YEAR)
    assert list(backend.collect(out).columns) == list(PDC_COLUMNS)
    # W starts at the first dispensing (PQA index date); the third fill is shifted to 10-03
    assert result(out) == [("P1", MET, D("2018-03-25"), D("2018-12-31"), 3, 270, 282, 0.957, True)]
    m = mpr(frame, window=YEAR)
    assert list(backend.collect(m).columns) == list(MPR_COLUMNS)
    rows = table(m, list(MPR_COLUMNS), ORDER)
    assert [(*r[:7], round(r[7], 3)) for r in rows] == [
        ("P1", MET, D("2018-03-25"), D("2018-09-25"), 3, 180, 184, 0.978)
    ]


def test_e10_class_pdc_no_shift_across_drugs(backend):
    same_day = backend.frame(
        dispensings(ninety("P1", "2018-01-01"), ninety("P1", "2018-01-01", SITA))
    )
    groups = {"class": [MET, SITA]}
    # one distinct date: needs min_dispensings=1 (the default 2 leaves it undefined)
    assert result(pdc(same_day, window=YEAR, groups=groups, min_dispensings=1)) == [
        ("P1", "class", D("2018-01-01"), D("2018-12-31"), 1, 90, 365, 0.247, False)
    ]
    assert result(pdc(same_day, window=YEAR, groups=groups))[0][7:] == (None, None)
    later = backend.frame(dispensings(ninety("P1", "2018-01-01"), ninety("P1", "2018-04-01", SITA)))
    assert result(pdc(later, window=YEAR, groups=groups))[0][4:8] == (2, 180, 365, 0.493)


def test_e10_one_drug_shifted_refills(backend):
    frame = backend.frame(
        dispensings(
            *[ninety("P1", d) for d in ("2018-01-01", "2018-03-25", "2018-07-05", "2018-10-15")]
        )
    )
    assert result(pdc(frame, window=YEAR))[0][4:8] == (4, 348, 365, 0.953)


def test_groups_overlapping_keys_and_per_key(backend):
    frame = backend.frame(dispensings(thirty("P1", "2018-01-01"), thirty("P1", "2018-01-16", SITA)))
    per_key = result(pdc(frame, window=("2018-01-01", "2018-01-31"), min_dispensings=1))
    assert [(r[1], r[5], r[6]) for r in per_key] == [(MET, 30, 31), (SITA, 16, 16)]
    grouped = pdc(
        frame, window=("2018-01-01", "2018-01-31"), groups={"oral": [MET, SITA], "met": [MET]}
    )
    assert [(r[1], r[4], r[5], r[6]) for r in result(grouped)] == [
        ("met", 1, 30, 31),
        ("oral", 2, 31, 31),
    ]


def test_min_dispensings_and_threshold(backend):
    frame = backend.frame(
        dispensings(
            thirty("P1", "2018-01-01"), thirty("P2", "2018-01-01"), thirty("P2", "2018-03-01")
        )
    )
    out = result(pdc(frame, window=YEAR))
    assert out[0][7:] == (None, None)  # P1: one dispensing
    assert out[1][4:8] == (2, 60, 365, 0.164)
    high = result(pdc(frame, window=YEAR, threshold=0.16))
    assert high[1][8] is True
    with pytest.raises(ValueError, match="threshold"):
        pdc(frame, window=YEAR, threshold=80)
    with pytest.raises(ValueError, match="min_dispensings"):
        pdc(frame, window=YEAR, min_dispensings=0)


def test_death_during_treatment_ends_the_window(backend):
    frame = backend.frame(
        dispensings(
            thirty("P1", "2018-01-01"), thirty("P1", "2018-02-15"), thirty("P1", "2018-04-02")
        )
    )
    died = backend.frame(deaths(("P1", "2018-03-31")))
    # W = 01-01 .. 03-31 (the death day included): 90 days, 60 covered; 04-02 is after death
    assert result(pdc(frame, window=YEAR, deaths=died)) == [
        ("P1", MET, D("2018-01-01"), D("2018-03-31"), 2, 60, 90, 0.667, False)
    ]
    assert result(pdc(frame, window=YEAR))[0][3:7] == (D("2018-12-31"), 3, 90, 365)
    assert table(mpr(frame, window=YEAR, deaths=died), ["last_date", "days"], ORDER) == [
        (D("2018-02-15"), 45)
    ]


def test_follow_up_cuts_the_window(backend):
    frame = backend.frame(
        dispensings(
            thirty("P1", "2018-01-01"), thirty("P1", "2018-02-15"), thirty("P2", "2018-01-01")
        )
    )
    fu = backend.frame(follow_up(("P1", "2017-06-01", "2018-02-28")))
    # P2 has no follow-up: no row; P1: 01-01 .. 01-30 and 02-15 .. 02-28 covered of 59 days
    assert result(pdc(frame, window=YEAR, follow_up=fu)) == [
        ("P1", MET, D("2018-01-01"), D("2018-02-28"), 2, 44, 59, 0.746, False)
    ]


def test_hospital_censor_removes_hospital_days_from_both_terms(backend):
    frame = backend.frame(dispensings(ninety("P1", "2018-01-01"), thirty("P1", "2018-04-15")))
    stay = backend.frame(stays(("P1", "2018-01-10", "2018-01-20")))
    # 10 hospital days (01-10 .. 01-19): supply held, then out of both terms
    assert result(pdc(frame, window=YEAR, hospital_mode="censor", stays=stay))[0][4:8] == (
        2,
        120,
        355,
        0.338,
    )
    assert result(pdc(frame, window=YEAR, stays=stay))[0][4:8] == (2, 120, 365, 0.329)
    with pytest.raises(ValueError, match="stays"):
        pdc(frame, window=YEAR, hospital_mode="censor")


def test_per_person_window_and_index_date(backend):
    frame = backend.frame(
        dispensings(
            thirty("P1", "2018-01-01"),
            thirty("P1", "2018-02-10"),
            thirty("P1", "2018-03-12"),
            thirty("P2", "2018-01-01"),
        )
    )
    windows = backend.frame(
        pd.DataFrame(
            {
                "patient_id": pd.Series(["P1"], dtype="string[pyarrow]"),
                "window_start": date_series(["2018-01-01"]),
                "window_end": date_series(["2018-06-30"]),
            }
        )
    )
    out = result(pdc(frame, window=windows, index="2018-02-01"))
    # W = 02-01 .. 06-30 (150 days): the 01-01 fill is before W and does not carry in
    assert out == [("P1", MET, D("2018-02-01"), D("2018-06-30"), 2, 60, 150, 0.4, False)]


def test_mpr_needs_two_dates_and_is_not_capped(backend):
    frame = backend.frame(
        dispensings(
            ninety("P1", "2018-01-01"), ninety("P1", "2018-01-31"), thirty("P2", "2018-01-01")
        )
    )
    rows = table(mpr(frame, window=YEAR), ["patient_id", "supplied_days", "days", "mpr"], ORDER)
    assert rows == [("P1", 90, 30, 3.0), ("P2", 0, 0, None)]
