"""Feature transformer: vocabulary learned on the training cohort, windows before the
index only (leakage refused), identical sparse output on every backend."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sklearn")

from snds_algos.contracts.dtypes import date_series
from snds_algos.results import LeakageError, WindowFeatures


def _rows(ids, index="2020-06-30"):
    return pd.DataFrame({"patient_id": list(ids), "index_date": date_series([index] * len(ids))})


def _events():
    return pd.DataFrame(
        {
            "patient_id": ["P1", "P1", "P1", "P2", "P2", "P3", "P3"],
            "category": [
                "drug_dispensing",
                "drug_dispensing",
                "hospital_diagnosis",
                "drug_dispensing",
                "drug_dispensing",
                "drug_dispensing",
                "hospital_diagnosis",
            ],
            "value": ["A10BA02", "A10BA02", "E119", "C09AA05", "A10BA02", "N02BE01", "I21"],
            "start": date_series(
                [
                    "2020-06-30",
                    "2019-07-01",
                    "2020-01-15",
                    "2020-07-01",
                    "2020-06-10",
                    "2020-03-01",
                    "2019-06-30",
                ]
            ),
        }
    )


WINDOWS = {"year": (-365, 0), "month": (-30, -1)}


def test_vocabulary_counts_and_names(backend):
    f = WindowFeatures(backend.frame(_events()), windows=WINDOWS)
    X = f.fit_transform(backend.frame(_rows(["P1", "P2"])))
    names = list(f.get_feature_names_out())
    # P2's C09AA05 is on day +1 (after the index): never seen; P3 is not in training
    assert names == [
        "year:drug_dispensing:A10BA02",
        "year:hospital_diagnosis:E119",
        "month:drug_dispensing:A10BA02",
    ]
    keys = f.row_keys(backend.frame(_rows(["P1", "P2"])))
    assert keys["patient_id"].tolist() == ["P1", "P2"]
    # P1: A10BA02 on day 0 and day -365 -> 2 in the year, 0 in the month ([-30, -1])
    assert X.toarray().tolist() == [[2.0, 1.0, 0.0], [1.0, 0.0, 1.0]]
    assert X.format == "csr" and X.dtype == np.float64


def test_unseen_codes_ignored_and_binary(backend):
    f = WindowFeatures(backend.frame(_events()), windows=WINDOWS, binary=True)
    f.fit(backend.frame(_rows(["P1"])))
    X = f.transform(backend.frame(_rows(["P3", "P1"])))
    rows = f.row_keys(backend.frame(_rows(["P3", "P1"])))["patient_id"].tolist()
    dense = dict(zip(rows, X.toarray().tolist(), strict=True))
    assert dense["P1"] == [1.0, 1.0]  # binary
    assert dense["P3"] == [0.0, 0.0]  # N02BE01 and I21 (day -366) not learned / not in window


def test_code_length_categories_min_persons(backend):
    f = WindowFeatures(
        backend.frame(_events()),
        windows={"year": (-365, 0)},
        code_length=3,
        categories=["drug_dispensing"],
        min_persons=2,
    )
    f.fit(backend.frame(_rows(["P1", "P2", "P3"])))
    assert list(f.get_feature_names_out()) == ["year:drug_dispensing:A10"]


@pytest.mark.parametrize("window", [(-30, 1), (0, 30), (-365, None)])
def test_leakage_refused(backend, window):
    f = WindowFeatures(backend.frame(_events()), windows={"follow_up": window})
    with pytest.raises(LeakageError, match=r"'follow_up'.*reaches after the index"):
        f.fit(backend.frame(_rows(["P1"])))


def test_sklearn_pipeline_and_clone():
    from sklearn.base import clone
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    f = WindowFeatures(_events(), windows=WINDOWS)
    assert clone(f).get_params()["windows"] == WINDOWS
    model = make_pipeline(f, LogisticRegression()).fit(_rows(["P1", "P2"]), [1, 0])
    assert model.predict_proba(_rows(["P3"])).shape == (1, 2)
    with pytest.raises(ValueError, match="call fit"):
        WindowFeatures(_events()).transform(_rows(["P1"]))


def test_generated_identical_on_every_backend(backend):
    rng = np.random.default_rng(7)
    n_persons, n_events = 60, 900
    ids = [f"P{i:03d}" for i in range(n_persons)]
    day0 = dt.date(2020, 1, 1)
    rows = pd.DataFrame(
        {
            "patient_id": ids,
            "index_date": date_series(
                [day0 + dt.timedelta(days=int(d)) for d in rng.integers(0, 300, n_persons)]
            ),
        }
    )
    codes = ["A10BA02", "A10BB01", "C09AA05", "N02BE01", "E119", "I10", "J45"]
    events = pd.DataFrame(
        {
            "patient_id": rng.choice(ids, n_events),
            "category": rng.choice(["drug_dispensing", "hospital_diagnosis"], n_events),
            "value": rng.choice(codes, n_events),
            "start": date_series(
                [
                    (pd.Timestamp("2019-01-01") + pd.Timedelta(days=int(d))).date()
                    for d in rng.integers(0, 700, n_events)
                ]
            ),
        }
    )
    train, test = rows.iloc[:40], rows.iloc[40:]
    windows = {"year": (-365, -1), "quarter": (-90, 0)}
    expected = WindowFeatures(events, windows=windows, code_length=5).fit(train)
    got = WindowFeatures(backend.frame(events), windows=windows, code_length=5)
    got.fit(backend.frame(train))
    assert list(got.get_feature_names_out()) == list(expected.get_feature_names_out())
    for part in (train, test):
        a = expected.transform(part)
        b = got.transform(backend.frame(part))
        assert (a != b).nnz == 0 and a.shape == b.shape and a.nnz > 0
