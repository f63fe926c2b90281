"""Bad definitions and inputs: clear errors naming the field, the table or the value."""

from __future__ import annotations

import pandas as pd
import pytest

from snds_algos.cohorts import build_cohort, definition_from_dict
from tests.cohorts.builders import CODES, CRITERIA, alive, definition, events


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"entry": {"any": ["nope"]}}, "unknown criterion"),
        ({"entry": {"any": ["metformin"], "limit": "every"}}, "entry.limit"),
        (
            {
                "entry": {"any": ["metformin"]},
                "inclusion": [{"name": "x", "criterion": "t2d", "window": [0, -1], "min": 1}],
            },
            "is empty",
        ),
        (
            {"entry": {"any": ["metformin"]}, "inclusion": [{"name": "x", "criterion": "t2d"}]},
            "needs min or max",
        ),
        (
            {"entry": {"any": ["metformin"]}, "inclusion": [{"name": "x", "sex": "other"}]},
            "sex must be",
        ),
        ({"entry": {"any": ["metformin"]}, "exit": {"death": False}}, "death"),
        (
            {"entry": {"any": ["metformin"]}, "exit": {"max_follow_up_days": 0}},
            "max_follow_up_days",
        ),
        ({"entry": {"any": ["metformin"]}, "wrong": 1}, "unknown field"),
    ],
)
def test_bad_definitions(doc, message):
    with pytest.raises(ValueError, match=message):
        definition_from_dict({"id": "bad", "criteria": CRITERIA, **doc}, CODES)


def test_a_year_based_case_field_is_refused_in_a_cohort_criterion():
    with pytest.raises(ValueError, match="min_dates"):
        definition_from_dict(
            {
                "id": "bad",
                "criteria": {"m": {"events": "drug_dispensing", "min_dates": 3}},
                "entry": {"any": ["m"]},
            }
        )


def test_missing_event_column_is_named(backend):
    ev = events(("P1", "A10BA02", "2018-01-01")).drop(columns=["category"])
    with pytest.raises(ValueError, match="category"):
        build_cohort(
            definition(entry={"any": ["metformin"]}),
            events=backend.frame(ev),
            patients=backend.frame(alive("P1")),
        )


def test_mixed_backends_are_refused(backend):
    if backend.name == "pandas":
        pytest.skip("needs two backends")
    from snds_algos.errors import MixedBackendsError

    ev = events(("P1", "A10BA02", "2018-01-01"))
    with pytest.raises(MixedBackendsError):
        build_cohort(
            definition(entry={"any": ["metformin"]}), events=backend.frame(ev), patients=alive("P1")
        )


def test_bounds_from_the_data(backend):
    ev = events(("P1", "A10BA02", "2018-01-01"), ("P1", "A10BA02", "2019-05-01"))
    cohort = build_cohort(
        definition(entry={"any": ["metformin"]}),
        events=backend.frame(ev),
        patients=backend.frame(alive("P1")),
    )
    got = backend.collect(cohort.rows)
    assert got["exit_date"].astype(str).tolist() == ["2019-05-01"]
    assert pd.Series(got["exit_reason"]).tolist() == ["end_of_data"]
