"""Spec tests of transitions (pathways.md section 3.3, E6, E7, E8), every backend."""

from __future__ import annotations

import datetime as dt

import pytest

from snds_algos.pathways import transitions, treatment_states
from tests.pathways.helpers_states import follow_up, periods, table

COLS = ["date", "from_state", "to_state", "type"]


def run(backend, p, fu=None, *, data_end=None, **kwargs):
    fu_frame = None if fu is None else backend.frame(fu)
    st = treatment_states(backend.frame(p), fu_frame, data_end=data_end)
    return table(transitions(st, **kwargs), COLS, backend)


def iso(day: dt.date) -> str:
    return day.isoformat()


def test_e6_initiation_and_switch(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-03-31"), ("P1", "B", "2020-03-20", "2020-06-30"))
    assert run(backend, p, data_end="2020-06-30") == [
        ("2020-01-01", None, "A", "initiation"),
        ("2020-03-20", "A", "B", "switch"),
        ("2020-06-30", "B", None, "end_of_data"),
    ]


def test_e7_add_on_and_step_down(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-03-31"), ("P1", "B", "2020-02-01", "2020-06-30"))
    assert run(backend, p, data_end="2020-06-30") == [
        ("2020-01-01", None, "A", "initiation"),
        ("2020-02-01", "A", "A+B", "add_on"),
        ("2020-04-01", "A+B", "B", "step_down"),
        ("2020-06-30", "B", None, "end_of_data"),
    ]


def test_e8_no_transition(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-06-30"), ("P1", "B", "2020-03-01", "2020-03-10"))
    assert run(backend, p, data_end="2020-06-30") == [
        ("2020-01-01", None, "A", "initiation"),
        ("2020-06-30", "A", None, "end_of_data"),
    ]


@pytest.mark.parametrize(("gap", "kinds"), [(59, ("interruption", "resumption")),
                                            (60, ("discontinuation", "restart"))])  # fmt: skip
def test_gap_of_59_is_an_interruption_and_60_a_discontinuation(backend, gap, kinds):
    end1 = dt.date(2020, 1, 31)
    again = end1 + dt.timedelta(days=gap + 1)
    p = periods(("P1", "A", "2020-01-01", iso(end1)), ("P1", "A", iso(again), "2020-12-31"))
    assert run(backend, p, data_end="2020-12-31") == [
        ("2020-01-01", None, "A", "initiation"),
        ("2020-02-01", "A", "none", kinds[0]),
        (iso(again), "none", "A", kinds[1]),
        ("2020-12-31", "A", None, "end_of_data"),
    ]


def test_discontinuation_gap_days_parameter(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-01-31"), ("P1", "A", "2020-03-01", "2020-12-31"))
    out = run(backend, p, data_end="2020-12-31", discontinuation_gap_days=29)
    assert [r[3] for r in out] == ["initiation", "discontinuation", "restart", "end_of_data"]


def test_another_set_after_an_interruption_is_a_switch(backend):
    # A, 20 days without treatment, then A+B: a switch (not a resumption, not an add-on)
    p = periods(
        ("P1", "A", "2020-01-01", "2020-01-31"),
        ("P1", "A", "2020-02-21", "2020-06-30"),
        ("P1", "B", "2020-02-21", "2020-06-30"),
    )
    assert run(backend, p, data_end="2020-06-30") == [
        ("2020-01-01", None, "A", "initiation"),
        ("2020-02-01", "A", "none", "interruption"),
        ("2020-02-21", "none", "A+B", "switch"),
        ("2020-06-30", "A+B", None, "end_of_data"),
    ]


def test_restart_with_another_drug_after_a_discontinuation(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-01-31"), ("P1", "B", "2020-06-01", "2020-06-30"))
    assert run(backend, p, data_end="2020-06-30") == [
        ("2020-01-01", None, "A", "initiation"),
        ("2020-02-01", "A", "none", "discontinuation"),
        ("2020-06-01", "none", "B", "restart"),
        ("2020-06-30", "B", None, "end_of_data"),
    ]


@pytest.mark.parametrize(("data_end", "kind"), [("2020-03-30", "censored"),
                                                ("2020-03-31", "discontinuation")])  # fmt: skip
def test_short_gap_running_into_the_end_is_censored(backend, data_end, kind):
    # none from 02-01: 59 days to 03-30 (censored), 60 days to 03-31 (discontinuation)
    p = periods(("P1", "A", "2020-01-01", "2020-01-31"))
    assert run(backend, p, data_end=data_end) == [
        ("2020-01-01", None, "A", "initiation"),
        ("2020-02-01", "A", "none", kind),
        (data_end, "none", None, "end_of_data"),
    ]


def test_death_during_treatment_is_not_a_discontinuation(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-12-31"))
    fu = follow_up(("P1", "2020-01-01", "2020-04-10", "death"))
    assert run(backend, p, fu) == [
        ("2020-01-01", None, "A", "initiation"),
        ("2020-04-10", "A", None, "death"),
    ]


def test_untreated_start_and_cohort_exit(backend):
    p = periods(("P1", "A", "2020-02-01", "2020-12-31"))
    fu = follow_up(("P1", "2020-01-01", "2020-05-31", "cohort_exit"))
    assert run(backend, p, fu) == [
        ("2020-02-01", "none", "A", "initiation"),
        ("2020-05-31", "A", None, "cohort_exit"),
    ]


def test_never_treated_person_has_only_the_end_row(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-01-31"))
    fu = follow_up(("P2", "2020-01-01", "2020-05-31", "end_of_data"))
    assert run(backend, p, fu) == [("2020-05-31", "none", None, "end_of_data")]


def test_transition_numbers_and_persons(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-01-31"), ("P2", "B", "2020-01-05", "2020-01-31"))
    st = treatment_states(backend.frame(p), data_end="2020-01-31")
    out = table(transitions(st), ["patient_id", "transition_no", "type"], backend)
    assert out == [("P1", 1, "initiation"), ("P1", 2, "end_of_data"),
                   ("P2", 1, "initiation"), ("P2", 2, "end_of_data")]  # fmt: skip


def test_bad_parameter():
    p = periods(("P1", "A", "2020-01-01", "2020-01-31"))
    st = treatment_states(p, data_end="2020-01-31")
    with pytest.raises(ValueError, match="discontinuation_gap_days"):
        transitions(st, discontinuation_gap_days=0)
