"""Spec tests of treatment states (pathways.md section 3.1-3.2, E6, E7, E8), every backend."""

from __future__ import annotations

import pandas as pd
import pytest

from snds_algos.errors import ContractError
from snds_algos.pathways import treatment_states
from snds_algos.reports import Report
from tests.pathways.helpers_states import follow_up, periods, table

COLS = ["patient_id", "state_no", "state", "n_keys", "start", "end", "length_days", "end_reason"]
SHORT = ["state", "start", "end", "end_reason"]


def states(backend, p, fu=None, **kwargs):
    fu_frame = None if fu is None else backend.frame(fu)
    return treatment_states(backend.frame(p), fu_frame, **kwargs)


def test_e6_switch_with_overlap_is_a_switch(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-03-31"), ("P1", "B", "2020-03-20", "2020-06-30"))
    out = states(backend, p, data_end="2020-06-30")
    assert table(out, COLS, backend) == [
        ("P1", 1, "A", 1, "2020-01-01", "2020-03-19", 79, None),
        ("P1", 2, "B", 1, "2020-03-20", "2020-06-30", 103, "end_of_data"),
    ]


def test_e7_add_on_then_step_down(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-03-31"), ("P1", "B", "2020-02-01", "2020-06-30"))
    out = states(backend, p, data_end="2020-06-30")
    assert table(out, COLS, backend) == [
        ("P1", 1, "A", 1, "2020-01-01", "2020-01-31", 31, None),
        ("P1", 2, "A+B", 2, "2020-02-01", "2020-03-31", 60, None),
        ("P1", 3, "B", 1, "2020-04-01", "2020-06-30", 91, "end_of_data"),
    ]


def test_e8_short_add_on_is_dropped(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-06-30"), ("P1", "B", "2020-03-01", "2020-03-10"))
    out = states(backend, p, data_end="2020-06-30")
    assert table(out, SHORT, backend) == [("A", "2020-01-01", "2020-06-30", "end_of_data")]


@pytest.mark.parametrize(
    ("b_end", "expected"),
    [
        # B from 03-01: 30 days of A+B (03-01..03-30) is a combination
        ("2020-03-30", [("A", "2020-01-01", "2020-02-29", None),
                        ("A+B", "2020-03-01", "2020-03-30", None),
                        ("A", "2020-03-31", "2020-06-30", "end_of_data")]),
        # 29 days is not: the short add-on is dropped
        ("2020-03-29", [("A", "2020-01-01", "2020-06-30", "end_of_data")]),
    ],
)  # fmt: skip
def test_combination_of_exactly_combination_min_days_is_kept(backend, b_end, expected):
    p = periods(("P1", "A", "2020-01-01", "2020-06-30"), ("P1", "B", "2020-03-01", b_end))
    out = states(backend, p, data_end="2020-06-30")
    assert table(out, SHORT, backend) == expected


def test_combination_min_days_parameter(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-06-30"), ("P1", "B", "2020-03-01", "2020-03-10"))
    out = states(backend, p, data_end="2020-06-30", combination_min_days=10)
    assert table(out, SHORT, backend) == [
        ("A", "2020-01-01", "2020-02-29", None),
        ("A+B", "2020-03-01", "2020-03-10", None),
        ("A", "2020-03-11", "2020-06-30", "end_of_data"),
    ]


def test_short_combination_before_none_keeps_the_previous_treatment(backend):
    # B added 12 days before both stop: B is a short add-on, A runs to its end
    p = periods(("P1", "A", "2020-01-01", "2020-03-31"), ("P1", "B", "2020-03-20", "2020-03-31"))
    out = states(backend, p, data_end="2020-04-30")
    assert table(out, SHORT, backend) == [
        ("A", "2020-01-01", "2020-03-31", None),
        ("none", "2020-04-01", "2020-04-30", "end_of_data"),
    ]


def test_short_combination_alone_is_kept(backend):
    # two keys started and stopped together for 10 days: never turned into none
    p = periods(("P1", "A", "2020-01-01", "2020-01-10"), ("P1", "B", "2020-01-01", "2020-01-10"))
    out = states(backend, p, data_end="2020-01-31")
    assert table(out, SHORT, backend) == [
        ("A+B", "2020-01-01", "2020-01-10", None),
        ("none", "2020-01-11", "2020-01-31", "end_of_data"),
    ]


def test_short_combination_at_the_end_of_follow_up(backend):
    # B added 10 days before the end of data: not a combination, A to the end
    p = periods(("P1", "A", "2020-01-01", "2020-06-30"), ("P1", "B", "2020-06-21", "2020-07-30"))
    out = states(backend, p, data_end="2020-06-30")
    assert table(out, SHORT, backend) == [("A", "2020-01-01", "2020-06-30", "end_of_data")]


def test_short_triple_keeps_the_keys_going_on(backend):
    # A+B, then C added for 5 days while B stops: A+B+C (5 days) -> A+C
    p = periods(
        ("P1", "A", "2020-01-01", "2020-06-30"),
        ("P1", "B", "2020-01-01", "2020-03-05"),
        ("P1", "C", "2020-03-01", "2020-06-30"),
    )
    out = states(backend, p, data_end="2020-06-30")
    assert table(out, SHORT, backend) == [
        ("A+B", "2020-01-01", "2020-02-29", None),
        ("A+C", "2020-03-01", "2020-06-30", "end_of_data"),
    ]


def test_follow_up_cuts_a_period_and_starts_untreated(backend):
    p = periods(("P1", "A", "2019-11-01", "2020-03-31"), ("P2", "A", "2020-02-01", "2020-12-31"))
    fu = follow_up(("P1", "2020-01-01", "2020-02-15", "cohort_exit"),
                   ("P2", "2020-01-01", "2020-06-30", "end_of_data"))  # fmt: skip
    out = states(backend, p, fu)
    assert table(out, ["patient_id", *SHORT], backend) == [
        ("P1", "A", "2020-01-01", "2020-02-15", "cohort_exit"),
        ("P2", "none", "2020-01-01", "2020-01-31", None),
        ("P2", "A", "2020-02-01", "2020-06-30", "end_of_data"),
    ]


def test_person_of_the_follow_up_without_period_is_untreated(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-01-31"))
    fu = follow_up(("P1", "2020-01-01", "2020-01-31", "end_of_data"),
                   ("P2", "2020-01-01", "2020-12-31", "death"))  # fmt: skip
    out = states(backend, p, fu)
    assert table(out, ["patient_id", "state", "n_keys", "length_days", "end_reason"], backend) == [
        ("P1", "A", 1, 31, "end_of_data"),
        ("P2", "none", 0, 366, "death"),
    ]


def test_death_during_treatment_ends_the_follow_up(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-06-30"), ("P2", "A", "2020-01-01", "2020-03-31"))
    deaths = pd.DataFrame({"patient_id": pd.array(["P1", "P3"], dtype="string[pyarrow]"),
                           "death_date": periods(("x", "k", "2020-04-10", "2020-04-10"),
                                                 ("x", "k", "2020-01-01", "2020-01-01"))["start"]})  # fmt: skip
    out = states(backend, p, data_end="2020-12-31", deaths=backend.frame(deaths))
    assert table(out, ["patient_id", *SHORT], backend) == [
        ("P1", "A", "2020-01-01", "2020-04-10", "death"),
        ("P2", "A", "2020-01-01", "2020-03-31", None),
        ("P2", "none", "2020-04-01", "2020-12-31", "end_of_data"),
    ]


def test_death_events_of_the_events_layer_are_accepted(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-06-30"))
    events = pd.DataFrame({"patient_id": pd.array(["P1"], dtype="string[pyarrow]"),
                           "category": pd.array(["death"], dtype="string[pyarrow]"),
                           "start": periods(("x", "k", "2020-05-01", "2020-05-01"))["start"]})  # fmt: skip
    out = states(backend, p, data_end="2020-12-31", deaths=backend.frame(events))
    assert table(out, SHORT, backend) == [("A", "2020-01-01", "2020-05-01", "death")]


def test_overlapping_periods_of_one_key_and_adjacent_periods_merge(backend):
    p = periods(
        ("P1", "A", "2020-01-01", "2020-01-31"),
        ("P1", "A", "2020-01-20", "2020-02-10"),
        ("P1", "A", "2020-02-11", "2020-02-20"),
    )
    out = states(backend, p, data_end="2020-02-20")
    assert table(out, SHORT, backend) == [("A", "2020-01-01", "2020-02-20", "end_of_data")]


def test_one_day_states_and_boundaries(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-01-01"), ("P1", "B", "2020-01-03", "2020-01-03"))
    out = states(backend, p, data_end="2020-01-04")
    assert table(out, ["state", "start", "end", "length_days"], backend) == [
        ("A", "2020-01-01", "2020-01-01", 1),
        ("none", "2020-01-02", "2020-01-02", 1),
        ("B", "2020-01-03", "2020-01-03", 1),
        ("none", "2020-01-04", "2020-01-04", 1),
    ]


def test_report_counts_periods_outside_the_follow_up(backend):
    p = periods(("P1", "A", "2021-01-01", "2021-01-31"), ("P1", "A", "2020-01-01", "2020-01-31"),
                ("P9", "A", "2020-01-01", "2020-01-31"))  # fmt: skip
    fu = follow_up(("P1", "2020-01-01", "2020-12-31", "end_of_data"))
    report = Report()
    out = states(backend, p, fu, report=report)
    assert len(backend.collect(out)) == 2
    counts = report.to_pandas().set_index("step")["rows_removed"].to_dict()
    assert counts == {"states:no_follow_up": 1, "states:outside_follow_up": 1}


def test_bad_inputs_are_clear_errors():
    p = periods(("P1", "A", "2020-01-01", "2020-01-31"))
    with pytest.raises(ContractError, match=r"periods\.key: missing column"):
        treatment_states(p.drop(columns="key"), data_end="2020-12-31")
    with pytest.raises(ContractError, match=r"periods\.end: end before start.*P2"):
        treatment_states(
            pd.concat([p, periods(("P2", "A", "2020-02-01", "2020-01-01"))]), data_end="2020-12-31"
        )
    with pytest.raises(ContractError, match=r"periods\.key: a key may not contain"):
        treatment_states(periods(("P1", "A+B", "2020-01-01", "2020-01-31")), data_end="2020-12-31")
    with pytest.raises(ValueError, match="data_end"):
        treatment_states(p)
    with pytest.raises(ValueError, match="combination_min_days"):
        treatment_states(p, data_end="2020-12-31", combination_min_days=0)
    fu = follow_up(("P1", "2020-01-01", "2020-12-31", "lost"))
    with pytest.raises(ContractError, match=r"follow_up\.end_reason.*lost"):
        treatment_states(p, fu)
    fu = follow_up(("P1", "2020-01-01", "2019-12-31", "death"))
    with pytest.raises(ContractError, match=r"follow_up\.fu_end: fu_end before fu_start"):
        treatment_states(p, fu)
