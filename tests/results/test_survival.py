"""Survival export on every backend: durations with inclusive dates (same-day exit = 1
day, cohorts.md example 4), event and event codes, lifelines and scikit-survival."""

from __future__ import annotations

import pandas as pd
import pytest

from snds_algos.contracts.dtypes import date_series
from snds_algos.results import survival_data, to_lifelines, to_sksurv

# cohorts.md example 4 (P10-P14)
EXAMPLE_4 = pd.DataFrame(
    {
        "patient_id": ["P10", "P11", "P12", "P13", "P14"],
        "index_date": date_series(
            ["2019-03-01", "2019-03-01", "2020-06-01", "2019-01-10", "2019-01-10"]
        ),
        "exit_date": date_series(
            ["2019-08-15", "2019-05-10", "2020-12-31", "2019-01-10", "2020-01-09"]
        ),
        "exit_reason": ["death", "outcome", "end_of_data", "outcome", "max_follow_up"],
        "entry_value": ["x"] * 5,
    }
)


def test_example_4_durations_events_codes(backend):
    out = backend.collect(survival_data(backend.frame(EXAMPLE_4))).sort_values("patient_id")
    assert out["duration_days"].astype(int).tolist() == [168, 71, 214, 1, 365]
    assert out["event"].astype(bool).tolist() == [False, True, False, True, False]
    assert out["event_code"].astype(int).tolist() == [2, 1, 0, 1, 0]
    assert list(out.columns) == [
        "patient_id",
        "index_date",
        "exit_date",
        "exit_reason",
        "duration_days",
        "event",
        "event_code",
    ]


def test_reasons_are_parameters(backend):
    out = backend.collect(
        survival_data(
            backend.frame(EXAMPLE_4), outcome_reasons=["death", "outcome"], competing_reasons=[]
        )
    ).sort_values("patient_id")
    assert out["event_code"].astype(int).tolist() == [1, 1, 0, 1, 0]


def test_bad_rows_named(backend):
    bad = EXAMPLE_4.copy()
    bad.loc[2, "exit_date"] = pd.NA
    bad.loc[3, "exit_date"] = bad.loc[3, "index_date"] - pd.Timedelta(days=1)
    with pytest.raises(ValueError, match=r"P12, P13|P13, P12"):
        survival_data(backend.frame(bad))
    with pytest.raises(ValueError, match="exit_reason"):
        survival_data(backend.frame(EXAMPLE_4.drop(columns="exit_reason")))
    with pytest.raises(ValueError, match="both outcome and competing"):
        survival_data(EXAMPLE_4, competing_reasons=["outcome"])


def test_lifelines_kaplan_meier(backend):
    lifelines = pytest.importorskip("lifelines")
    data = to_lifelines(survival_data(backend.frame(EXAMPLE_4)))
    km = lifelines.KaplanMeierFitter().fit(data["duration_days"], data["event"])
    # 5 at risk; events at day 1 (P13) and day 71 (P11); P10 censored at 168 before
    assert km.survival_function_at_times(1).iloc[0] == pytest.approx(4 / 5)
    assert km.survival_function_at_times(100).iloc[0] == pytest.approx(4 / 5 * 3 / 4)


def test_sksurv_structured_array(backend):
    y = to_sksurv(survival_data(backend.frame(EXAMPLE_4)))
    assert y.dtype.names == ("event", "duration_days")
    assert y["event"].tolist() == [False, True, False, True, False]
    assert y["duration_days"].tolist() == [168.0, 71.0, 214.0, 1.0, 365.0]
    assert to_sksurv(survival_data(EXAMPLE_4), event_code=2)["event"].tolist() == [
        True,
        False,
        False,
        False,
        False,
    ]
