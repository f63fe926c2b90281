"""The registered diabetes algorithm, on both backends.

Rule-by-rule spec tests of the definition are in tests/cases/test_diabetes_rules.py;
this file checks the algorithm as users call it (registry, run, parameters)."""

import datetime as dt

import pandas as pd
import pytest

import snds_algos
from snds_algos.backend import backend_of
from tests.cases.test_diabetes_rules import ald, dgn, drug, events
from tests.helpers import rows

D = dt.date


def test_registered_with_a_card():
    algo = snds_algos.get("diabetes")
    assert algo.version == "1.0.0"
    assert {c["name"] for c in algo.card["code_lists"]} >= {"a10_antidiabetics", "diabetes_icd10"}


def test_run_on_events_same_rows_on_both_backends(backend):
    ev = events(
        backend,
        [
            drug("P1", D(2020, 1, 5)),
            drug("P1", D(2020, 2, 5)),
            drug("P1", D(2020, 3, 5)),
            ald("P2", "E11", "41", D(2012, 1, 1)),
            dgn("P3", "s", "E119", "DP", D(2019, 6, 1)),
            drug("P4", D(2020, 1, 5), "A10BK01"),
            drug("P4", D(2020, 2, 5), "A10BK01"),
            drug("P4", D(2020, 3, 5), "A10BK01"),
        ],
    )
    out = snds_algos.get("diabetes").run(events=ev, year=2020)
    assert backend_of(out) == backend.name
    got = [
        (r["patient_id"], r["case"], r["drugs"], r["ald"], r["hospital"])
        for r in rows(out, ["patient_id"])
    ]
    assert got == [
        ("P1", True, True, False, False),
        ("P2", True, False, True, False),
        ("P3", True, False, False, True),
        ("P4", True, True, False, False),
    ]
    strict = snds_algos.get("diabetes").run(events=ev, year=2020, exclude_sglt2_monotherapy=True)
    assert {r["patient_id"]: r["case"] for r in rows(strict)}["P4"] is False


def test_run_needs_a_year_and_data():
    run = snds_algos.get("diabetes").run
    with pytest.raises(TypeError, match="reference year"):
        run(events=pd.DataFrame())
    with pytest.raises(TypeError, match="raw tables"):
        run(year=2020)
    with pytest.raises(TypeError, match="unknown parameter"):
        run(events=pd.DataFrame(), year=2020, ald_nature=["41"])
