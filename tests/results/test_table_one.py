"""Table 1 on every backend: counts and percentages with a Missing level, mean (SD),
median [Q1, Q3], SMDs against values computed by hand with tableone's formulas, the
baseline variables (age, sex, conditions, counts, scores in a window), and suppression
of the formatted views."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snds_algos.contracts.dtypes import date_series
from snds_algos.results import baseline_variables, table_one


def _persons() -> pd.DataFrame:
    # group A: 20 persons, sex F 12, M 6, missing 2; ages 40..59
    # group B: 30 persons, sex F 10, M 20; ages 50..78 and one missing
    a = pd.DataFrame(
        {
            "arm": ["A"] * 20,
            "sex": ["F"] * 12 + ["M"] * 6 + [None] * 2,
            "age": pd.array(list(range(40, 60)), dtype="Int64"),
            "diabetes": [True] * 5 + [False] * 15,
        }
    )
    b = pd.DataFrame(
        {
            "arm": ["B"] * 30,
            "sex": ["F"] * 10 + ["M"] * 20,
            "age": pd.array([*range(50, 79), None], dtype="Int64"),
            "diabetes": [True] * 15 + [False] * 15,
        }
    )
    out = pd.concat([a, b], ignore_index=True)
    out["sex"] = out["sex"].astype("string[pyarrow]")
    out["arm"] = out["arm"].astype("string[pyarrow]")
    return out


def _cell(t1, variable, group, level=None):
    t = t1.table
    sel = (t["variable"] == variable) & (t["group"] == group)
    sel &= t["level"].isna() if level is None else (t["level"] == level)
    assert sel.sum() == 1, (variable, group, level)
    return t[sel].iloc[0]


def test_counts_percentages_missing_level(backend):
    t1 = table_one(
        backend.frame(_persons()), categorical=["sex", "diabetes"], continuous=["age"], group="arm"
    )
    assert t1.groups == ["A", "B"]
    assert int(_cell(t1, "n", "A")["n"]) == 20 and int(_cell(t1, "n", "Overall")["n"]) == 50
    f = _cell(t1, "sex", "A", "F")
    assert (int(f["n"]), f["percent"]) == (12, pytest.approx(60.0))
    missing = _cell(t1, "sex", "A", "Missing")
    assert (int(missing["n"]), missing["percent"]) == (2, pytest.approx(10.0))  # over all persons
    assert int(_cell(t1, "sex", "Overall", "M")["n"]) == 26
    assert ((t1.table["group"] == "B") & (t1.table["level"] == "Missing")).sum() == 0
    assert int(_cell(t1, "diabetes", "B", "yes")["n"]) == 15
    assert _cell(t1, "diabetes", "Overall", "no")["percent"] == pytest.approx(60.0)


def test_continuous_mean_sd_exact_quantiles(backend):
    t1 = table_one(backend.frame(_persons()), continuous=["age"], group="arm")
    a = _cell(t1, "age", "A")
    assert a["mean"] == pytest.approx(49.5) and a["sd"] == pytest.approx(math.sqrt(35))
    assert (a["median"], a["q1"], a["q3"]) == pytest.approx((49.5, 44.75, 54.25))
    b = _cell(t1, "age", "B")
    assert (int(b["n"]), int(b["n_missing"])) == (29, 1)
    assert b["mean"] == pytest.approx(64.0) and b["sd"] == pytest.approx(math.sqrt(72.5))
    assert (b["median"], b["q1"], b["q3"]) == pytest.approx((64.0, 57.0, 71.0))
    ages = np.array([*range(40, 60), *range(50, 79)], dtype=float)
    overall = _cell(t1, "age", "Overall")
    assert overall["median"] == pytest.approx(np.quantile(ages, 0.5))
    assert overall["q1"] == pytest.approx(np.quantile(ages, 0.25))


def test_smd_by_tableone_formulas(backend):
    t1 = table_one(
        backend.frame(_persons()), categorical=["sex", "diabetes"], continuous=["age"], group="arm"
    )
    smd = t1.smd.set_index("variable")["smd"]
    # continuous: |49.5 - 64| / sqrt((35 + 72.5) / 2) = 14.5 / sqrt(53.75)
    assert smd["age"] == pytest.approx(14.5 / math.sqrt(53.75))
    # binary: p = 5/20 = 0.25 and 15/30 = 0.5 (the first level, "no", is dropped; "yes" kept):
    # |0.25 - 0.5| / sqrt((0.25 * 0.75 + 0.5 * 0.5) / 2)
    assert smd["diabetes"] == pytest.approx(0.25 / math.sqrt((0.1875 + 0.25) / 2))
    # sex with levels F, M, Missing: A (0.6, 0.3, 0.1), B (1/3, 2/3, 0); F dropped:
    # d = (2/3 - 0.3, 0 - 0.1); S = mean of [[p(1-p), -p1 p2], [-p1 p2, p2(1-p2)]]
    s_a = np.array([[0.3 * 0.7, -0.03], [-0.03, 0.1 * 0.9]])
    s_b = np.array([[2 / 3 * 1 / 3, 0.0], [0.0, 0.0]])
    d = np.array([2 / 3 - 0.3, -0.1])
    expected = math.sqrt(d @ np.linalg.inv((s_a + s_b) / 2) @ d)
    assert smd["sex"] == pytest.approx(expected)
    # by hand: S = [[0.21611, -0.015], [-0.015, 0.045]], det = 0.0095,
    # d' S^-1 d = (0.045 * 0.13444 - 2 * 0.015 * 0.036667 + 0.21611 * 0.01) / 0.0095 = 0.74854
    assert expected == pytest.approx(math.sqrt(0.74854), abs=1e-4)
    assert smd["sex"] == pytest.approx(0.8652, abs=1e-4)


def test_format_and_exports_suppressed_by_default(backend, tmp_path):
    t1 = table_one(
        backend.frame(_persons()), categorical=["sex", "diabetes"], continuous=["age"], group="arm"
    )
    view = t1.format()
    assert list(view.columns) == ["variable", "level", "A", "B", "Overall", "SMD"]
    row = lambda level: view[view["level"] == level].iloc[0]  # noqa: E731
    assert row("Missing")["A"] == "<11"  # 2 persons
    # A's column: F 12, M 6 (<11), Missing 2 (<11): two masked, no secondary needed in the
    # column; across the row, Overall Missing = A Missing (2) -> masked too
    assert row("Missing")["Overall"] == "<11"
    assert row("M")["A"] == "<11"
    assert view[view["variable"] == "n"].iloc[0][["A", "B", "Overall"]].tolist() == [
        "20",
        "30",
        "50",
    ]
    exact = t1.format(threshold=None)
    assert exact[exact["level"] == "Missing"].iloc[0]["A"] == "2 (10.0)"
    md = t1.to_markdown(tmp_path / "t1.md")
    assert "<11" in md and (tmp_path / "t1.md").read_text() == md and "| 2 (10.0)" not in md
    csv = t1.to_csv(tmp_path / "t1.csv")
    assert "<11" in csv and "2 (10.0)" not in csv
    assert "&lt;11" in t1.to_html() and "&lt;11" in t1._repr_html_()
    assert "<11" in repr(t1)
    assert t1.format(rounding=5)[lambda v: v["level"] == "F"].iloc[0]["A"] == "10 (50.0)"


def test_secondary_suppression_in_a_column():
    # one small level in a column whose total is published: the next smallest is masked too
    df = pd.DataFrame({"sex": ["F"] * 40 + ["M"] * 30 + [None] * 3})
    view = table_one(df, categorical=["sex"]).format()
    cells = dict(zip(view["level"], view["Overall"], strict=True))
    assert cells["Missing"] == "<11" and cells["M"] == "masked" and cells["F"].startswith("40")


def test_small_groups_mask_summaries():
    df = pd.DataFrame({"g": ["a"] * 5 + ["b"] * 20, "x": [1.0] * 5 + [2.0] * 20})
    view = table_one(df, continuous=["x"], group="g").format()
    assert view[view["level"] == "mean (SD)"].iloc[0]["a"] == "masked"
    assert view[view["variable"] == "n"].iloc[0]["a"] == "<11"
    assert (
        table_one(df, continuous=["x"], group="g")
        .format(threshold=None)[lambda v: v["level"] == "mean (SD)"]
        .iloc[0]["a"]
        == "1.0 (0.0)"
    )


def test_bad_inputs():
    df = pd.DataFrame({"a": [1]})
    with pytest.raises(ValueError, match="no column b"):
        table_one(df, categorical=["b"])
    with pytest.raises(ValueError, match="twice"):
        table_one(df, categorical=["a"], continuous=["a"])
    with pytest.raises(ValueError, match="also a variable"):
        table_one(df, categorical=["a"], group="a")


def _cohort():
    return pd.DataFrame(
        {
            "patient_id": ["P1", "P2", "P3"],
            "index_date": date_series(["2020-06-30"] * 3),
            "exposed": ["yes", "no", "yes"],
        }
    )


def _events():
    return pd.DataFrame(
        {
            "patient_id": ["P1", "P1", "P1", "P2", "P2", "P3"],
            "category": [
                "hospital_diagnosis",
                "drug_dispensing",
                "drug_dispensing",
                "hospital_diagnosis",
                "drug_dispensing",
                "ald",
            ],
            "value": ["E119", "A10BA02", "A10BA02", "I21", "A10BA02", "E11"],
            "start": date_series(
                ["2019-07-01", "2020-06-30", "2019-06-30", "2019-06-30", "2020-07-01", "2010-01-01"]
            ),
            "end": date_series(["2019-07-03", None, None, "2019-07-02", None, None]),
        }
    )


def _patients():
    return pd.DataFrame(
        {
            "patient_id": ["P1", "P2", "P3"],
            "sex": ["2", "1", None],
            "birth_date": date_series(["1950-07-01", "1950-06-01", None]),
            "death_date": date_series([None] * 3),
            "department": ["075", "013", None],
        }
    )


def test_baseline_variables_window_boundaries(backend):
    charlson = pd.DataFrame(
        {
            "patient_id": ["P1", "P2", "P3"],
            "index_date": date_series(["2020-06-30"] * 3),
            "score": pd.array([2, 0, 1], dtype="Int64"),
        }
    )
    out = backend.collect(
        baseline_variables(
            backend.frame(_cohort()),
            patients=backend.frame(_patients()),
            events=backend.frame(_events()),
            conditions={
                "diabetes": {"codes": ["E10", "E11"], "category": "hospital_diagnosis"},
                "diabetes_any": ["E10", "E11"],
                "diabetes_ald": {"codes": ["E11"], "category": "ald", "match": "overlap"},
                "mi": ["I21"],
            },
            counts={"dispensings": "drug_dispensing"},
            scores={"charlson": (backend.frame(charlson), "score")},
            keep=["exposed"],
        )
    ).sort_values("patient_id")
    assert out["exposed"].tolist() == ["yes", "no", "yes"]
    assert out["age"].tolist()[:2] == [69, 70] and pd.isna(out["age"].iloc[2])
    assert out["sex"].tolist()[:2] == ["female", "male"] and pd.isna(out["sex"].iloc[2])
    # E119 on day -365 counts (stay start); I21 on day -366 does not
    assert out["diabetes"].astype(bool).tolist() == [True, False, False]
    assert out["mi"].astype(bool).tolist() == [False, False, False]
    # the ALD of 2010 (start outside the window) counts only by overlap
    assert out["diabetes_any"].astype(bool).tolist() == [True, False, False]
    assert out["diabetes_ald"].astype(bool).tolist() == [False, False, True]
    # P1: day 0 and day -366 -> 1; P2: day +1 -> 0
    assert out["dispensings"].astype(int).tolist() == [1, 0, 0]
    assert out["charlson"].astype(int).tolist() == [2, 0, 1]


def test_baseline_condition_from_case_result(backend):
    cases = pd.DataFrame({"patient_id": ["P1", "P2"], "case": [True, False]})
    out = backend.collect(
        baseline_variables(backend.frame(_cohort()), conditions={"diabetes": backend.frame(cases)})
    ).sort_values("patient_id")
    assert out["diabetes"].astype(bool).tolist() == [True, False, False]
    with pytest.raises(ValueError, match="events are needed"):
        baseline_variables(_cohort(), conditions={"x": ["E11"]})


def _random_persons(seed: int, n: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 95, n).astype(float)
    age[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame(
        {
            "group": pd.array(rng.choice(["exposed", "unexposed"], n), dtype="string[pyarrow]"),
            "sex": pd.array(
                [
                    None if r < 0.05 else s
                    for r, s in zip(rng.random(n), rng.choice(["F", "M"], n), strict=True)
                ],
                dtype="string[pyarrow]",
            ),
            "department": pd.array(
                rng.choice(["075", "013", "069", "033"], n), dtype="string[pyarrow]"
            ),
            "diabetes": rng.random(n) < 0.3,
            "age": pd.array([None if np.isnan(a) else int(a) for a in age], dtype="Int64"),
            "dispensings": pd.array(rng.poisson(3, n), dtype="Int64"),
        }
    )


def _same(left: pd.DataFrame, right: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        left.reset_index(drop=True), right.reset_index(drop=True), check_dtype=False, rtol=1e-9
    )


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 300))
def test_generated_table_one_equals_pandas(backend, seed, n):
    persons = _random_persons(seed, n)
    options = dict(
        categorical=["sex", "department", "diabetes"],
        continuous=["age", "dispensings"],
        group="group",
    )
    expected = table_one(persons, **options)
    got = table_one(backend.frame(persons), **options)
    _same(got.table, expected.table)
    _same(got.smd, expected.smd)
    _same(got.format(), expected.format())
