"""Charlson comorbidity index: cohorts.md example 8, each hierarchy rule, each age band
boundary, the window boundaries and the sources (MCO positions, active ALD), on every
backend."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import snds_algos
from snds_algos.algorithms.charlson import age_points, categories, run, weights
from snds_algos.contracts.dtypes import date_series

CATEGORIES = list(weights()["category"])


def _rows(ids, index="2019-06-30"):
    ids = list(ids)
    return pd.DataFrame({"patient_id": ids, "index_date": date_series([index] * len(ids))})


def _dx(items, source="T_MCOaaB"):
    """items: (patient, code, date)"""
    return pd.DataFrame(
        {
            "patient_id": [p for p, _, _ in items],
            "category": ["hospital_diagnosis"] * len(items),
            "value": [c for _, c, _ in items],
            "start": date_series([d for _, _, d in items]),
            "end": date_series([d for _, _, d in items]),
            "source": [source] * len(items),
        }
    )


def _patients(born):
    """born: {patient: birth date}"""
    return pd.DataFrame(
        {
            "patient_id": list(born),
            "sex": ["1"] * len(born),
            "birth_date": date_series(list(born.values())),
            "death_date": date_series([None] * len(born)),
            "department": ["075"] * len(born),
        }
    )


EXAMPLE_8 = [
    ("P1", "I219", "2019-01-15"),
    ("P1", "E112", "2019-02-01"),
    ("P1", "E119", "2019-02-01"),
    ("P1", "C341", "2019-06-30"),  # the index day
    ("P1", "C780", "2019-05-01"),
    ("P1", "F03", "2018-07-01"),  # day -364
    ("P1", "K721", "2018-06-29"),  # day -366: ignored
]


@pytest.mark.parametrize(
    ("weights_version", "hierarchy", "expected"),
    [("charlson_1987", True, 10), ("charlson_1987", False, 13), ("quan_2011", True, 9),
     ("quan_2011", False, 11)],
)  # fmt: skip
def test_example_8(backend, weights_version, hierarchy, expected):
    out = backend.collect(
        run(
            backend.frame(_rows(["P1"])),
            diagnoses=backend.frame(_dx(EXAMPLE_8)),
            patients=backend.frame(_patients({"P1": "1947-05-01"})),
            weights_version=weights_version,
            hierarchy=hierarchy,
        )
    )
    assert len(out) == 1
    row = out.iloc[0]
    assert int(row["score"]) == expected
    present = {c for c in CATEGORIES if bool(row[c])}
    assert present == {"mi", "diabwc", "diab", "canc", "metacanc", "dementia"}
    assert int(row["age"]) == 72 and int(row["age_points"]) == 3
    assert int(row["score_age_adjusted"]) == expected + 3


def test_example_8_age_adjusted_1987_is_13(backend):
    out = backend.collect(
        run(
            backend.frame(_rows(["P1"])),
            diagnoses=backend.frame(_dx(EXAMPLE_8)),
            patients=backend.frame(_patients({"P1": "1947-05-01"})),
        )
    )
    assert out["score_age_adjusted"].tolist() == [13]


@pytest.mark.parametrize(
    ("codes", "with_h", "without_h"),
    [
        (["K703", "K704"], 3, 4),  # mild (1) under moderate/severe liver (3)
        (["E109", "E102"], 2, 3),  # diabetes (1) under diabetes with complications (2)
        (["C50", "C79"], 6, 8),  # malignancy (2) under metastatic tumour (6)
        (["K703"], 1, 1),  # mild liver alone keeps its weight
        (["E119"], 1, 1),
        (["C509"], 2, 2),
    ],
)
def test_hierarchy_rules(backend, codes, with_h, without_h):
    dx = backend.frame(_dx([("P1", c, "2019-03-01") for c in codes]))
    rows = backend.frame(_rows(["P1"]))
    got = [
        int(backend.collect(run(rows, diagnoses=dx, hierarchy=h))["score"].iloc[0])
        for h in (True, False)
    ]
    assert got == [with_h, without_h]


@pytest.mark.parametrize(
    ("born", "age", "points"),
    [
        ("1969-07-01", 49, 0),
        ("1969-06-01", 50, 1),  # 50 on 2019-06-01
        ("1959-07-01", 59, 1),
        ("1959-06-01", 60, 2),
        ("1949-07-01", 69, 2),
        ("1949-06-01", 70, 3),
        ("1939-07-01", 79, 3),
        ("1939-06-01", 80, 4),
        ("1919-01-01", 100, 4),
    ],
)
def test_age_band_boundaries(backend, born, age, points):
    out = backend.collect(
        run(
            backend.frame(_rows(["P1"])),
            diagnoses=backend.frame(_dx([("P1", "I21", "2019-03-01")])),
            patients=backend.frame(_patients({"P1": born})),
        )
    )
    assert (int(out["age"].iloc[0]), int(out["age_points"].iloc[0])) == (age, points)
    assert int(out["score_age_adjusted"].iloc[0]) == 1 + points


def test_window_boundaries_and_custom_window(backend):
    items = [
        ("A", "I21", "2018-06-30"),  # day -365: in
        ("B", "I21", "2018-06-29"),  # day -366: out
        ("C", "I21", "2019-06-30"),  # day 0: in
        ("D", "I21", "2019-07-01"),  # day +1: out
    ]
    rows = backend.frame(_rows(["A", "B", "C", "D"]))
    dx = backend.frame(_dx(items))
    out = backend.collect(run(rows, diagnoses=dx)).sort_values("patient_id")
    assert out["mi"].astype(bool).tolist() == [True, False, True, False]
    out = backend.collect(run(rows, diagnoses=dx, window=(-365, -1))).sort_values("patient_id")
    assert out["mi"].astype(bool).tolist() == [True, False, False, False]
    out = backend.collect(run(rows, diagnoses=dx, window=(None, 0))).sort_values("patient_id")
    assert out["mi"].astype(bool).tolist() == [True, True, True, False]


def test_every_mco_position_counts_and_other_products_only_on_request(backend):
    dx = pd.concat(
        [
            _dx([("A", "I50", "2019-01-01")], "T_MCOaaB"),
            _dx([("B", "I50", "2019-01-01")], "T_MCOaaUM"),
            _dx([("C", "I50", "2019-01-01")], "T_MCOaaD"),
            _dx([("D", "I50", "2019-01-01")], "T_SSRaaB"),
        ],
        ignore_index=True,
    )
    rows = backend.frame(_rows(["A", "B", "C", "D"]))
    out = backend.collect(run(rows, diagnoses=backend.frame(dx))).sort_values("patient_id")
    assert out["chf"].astype(bool).tolist() == [True, True, True, False]
    out = backend.collect(run(rows, diagnoses=backend.frame(dx), mco_only=False))
    assert out.sort_values("patient_id")["chf"].astype(bool).tolist() == [True] * 4


def test_active_ald_in_window(backend):
    ald = pd.DataFrame(
        {
            "patient_id": ["A", "B", "C", "D"],
            "category": ["ald"] * 4,
            "value": ["G30", "G30", "G30", "G30"],
            "start": date_series(["2005-01-01", "2010-01-01", "2019-06-30", "2019-07-01"]),
            "end": date_series([None, "2018-06-29", None, None]),
        }
    )
    # A open-ended: active; B ended on day -366: not; C starts on the index day; D after
    out = backend.collect(
        run(backend.frame(_rows(["A", "B", "C", "D"])), ald=backend.frame(ald))
    ).sort_values("patient_id")
    assert out["dementia"].astype(bool).tolist() == [True, False, True, False]
    assert out["score"].tolist() == [1, 0, 1, 0]


def test_every_person_of_the_cohort_is_kept_and_order(backend):
    out = backend.collect(
        run(
            backend.frame(_rows(["P2", "P1"])),
            diagnoses=backend.frame(_dx([("P1", "B20", "2019-01-01")])),
        )
    )
    out = out.sort_values("patient_id")
    assert out["patient_id"].tolist() == ["P1", "P2"]
    assert out["score"].tolist() == [6, 0]
    assert out["age"].isna().all() and out["score_age_adjusted"].isna().all()


def test_code_lists_transcribed():
    cats = categories()
    assert sorted(cats["category"].unique()) == sorted(CATEGORIES)
    by = cats.groupby("category")["code"].apply(set)
    assert by["diab"] == {f"E1{i}{d}" for i in range(5) for d in "01689"}
    assert by["diabwc"] == {f"E1{i}{d}" for i in range(5) for d in "23457"}
    assert {"I425", "I429", "I43", "P290"} <= by["chf"] and "I424" not in by["chf"]
    assert len(by["canc"] & {"C44", "C59", "C77"}) == 0 and {"C00", "C26", "C97"} <= by["canc"]
    assert by["aids"] == {"B20", "B21", "B22", "B24"}
    w = weights().set_index("category")
    assert w["charlson_1987"].sum() == 33 and w["quan_2011"].sum() == 28
    assert age_points()["points"].tolist() == ["1", "2", "3", "4"]


def test_bad_parameters():
    rows = _rows(["P1"])
    with pytest.raises(ValueError, match="weights_version"):
        run(rows, weights_version="bannay_2016")
    with pytest.raises(ValueError, match="window"):
        run(rows, window=(0, -5))
    with pytest.raises(ValueError, match="index_date"):
        run(pd.DataFrame({"patient_id": ["P1"]}))


def test_registered_as_a_score():
    algo = snds_algos.get("charlson")
    assert algo.kind == "score"
    assert snds_algos.get("diabetes").kind == "case"
    assert algo.run is run or algo.run.__name__ == "run"
    assert dt.date(2019, 6, 30)  # dates as in the reference example
