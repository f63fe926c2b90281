"""Spec tests of bins, STS strings and pathways (pathways.md section 5, E11), every backend."""

from __future__ import annotations

import pandas as pd
import pytest

from snds_algos.contracts.dtypes import date_series
from snds_algos.pathways import (
    pathway_counts,
    pathways,
    state_bins,
    sts_strings,
    transitions,
    treatment_states,
)
from tests.pathways.helpers_states import follow_up, periods, table

E6 = periods(("P1", "A", "2020-01-01", "2020-03-31"), ("P1", "B", "2020-03-20", "2020-06-30"))
E11_FU = follow_up(("P1", "2020-01-01", "2020-08-31", "end_of_data"))


def e11_states(backend):
    return treatment_states(backend.frame(E6), backend.frame(E11_FU))


def test_e11_bins(backend):
    out = state_bins(e11_states(backend), bin_days=30)
    assert table(out, ["bin", "state", "state_days", "observed_days"], backend) == [
        (1, "A", 30, 30),
        (2, "A", 30, 30),
        (3, "A", 19, 30),  # 19 days of A and 11 of B
        (4, "B", 30, 30),
        (5, "B", 30, 30),
        (6, "B", 30, 30),
        (7, "none", 28, 30),
        (8, "none", 30, 30),
        (9, "none", 4, 4),  # the last, partial bin
    ]


def test_e11_sts_string_and_pathway(backend):
    st = e11_states(backend)
    seq = sts_strings(state_bins(st))
    assert table(seq, ["patient_id", "sequence", "n_bins"], backend) == [
        ("P1", "A-A-A-B-B-B-none-none-none", 9)
    ]
    assert table(pathways(st), ["patient_id", "n_steps", "pathway"], backend) == [
        ("P1", 3, "A - B - Stopped")
    ]
    assert table(pathways(transitions(st)), ["pathway"], backend) == [("A - B - Stopped",)]


def test_bin_ties_go_to_the_state_seen_first(backend):
    # bin 1: A 15 days, B 15 days -> A; bin 2 (10 days): B 5, then A 5 -> B
    p = periods(("P1", "A", "2020-01-01", "2020-01-15"), ("P1", "B", "2020-01-16", "2020-02-04"),
                ("P1", "A", "2020-02-05", "2020-02-09"))  # fmt: skip
    st = treatment_states(backend.frame(p), data_end="2020-02-09", combination_min_days=1)
    out = state_bins(st, bin_days=30)
    assert table(out, ["bin", "state", "state_days", "observed_days"], backend) == [
        (1, "A", 15, 30),
        (2, "B", 5, 10),
    ]


def test_days_of_one_label_are_summed_in_a_bin(backend):
    # bin 1: A 10 days, none 12 days, A 8 days: A (18 days)
    p = periods(("P1", "A", "2020-01-01", "2020-01-10"), ("P1", "A", "2020-01-23", "2020-01-30"))
    st = treatment_states(backend.frame(p), data_end="2020-01-30")
    assert table(state_bins(st), ["bin", "state", "state_days"], backend) == [(1, "A", 18)]


def test_bins_from_a_given_index_and_bin_days(backend):
    st = e11_states(backend)
    index = pd.DataFrame({"patient_id": pd.array(["P1"], dtype="string[pyarrow]"),
                          "index_date": date_series(["2020-06-01"])})  # fmt: skip
    out = state_bins(st, bin_days=60, index=backend.frame(index))
    # bin 1 (06-01..07-30): B 30 days, none 30 days, a tie: B, seen first
    assert table(out, ["bin", "state", "state_days", "observed_days"], backend) == [
        (1, "B", 30, 60),
        (2, "none", 32, 32),
    ]


@pytest.mark.parametrize(("reason", "after"), [("death", "death"), ("end_of_data", "censored")])
def test_bins_after_the_end_up_to_a_horizon(backend, reason, after):
    p = periods(("P1", "A", "2020-01-01", "2020-02-15"))
    fu = follow_up(("P1", "2020-01-01", "2020-02-15", reason))
    st = treatment_states(backend.frame(p), backend.frame(fu))
    out = state_bins(st, bin_days=30, horizon_bins=4)
    assert table(out, ["bin", "state", "state_days", "observed_days"], backend) == [
        (1, "A", 30, 30),
        (2, "A", 16, 16),
        (3, after, 0, 0),
        (4, after, 0, 0),
    ]
    short = state_bins(st, bin_days=30, horizon_bins=1)
    assert table(short, ["bin", "state"], backend) == [(1, "A")]


def test_interruption_and_resumption_leave_one_step_and_restart_a_new_one(backend):
    p = periods(
        ("P1", "A", "2020-01-01", "2020-01-31"),
        ("P1", "A", "2020-02-20", "2020-03-31"),  # interruption, resumption
        ("P1", "B", "2020-08-01", "2020-09-30"),  # restart after a discontinuation
    )
    st = treatment_states(backend.frame(p), data_end="2020-09-30")
    assert table(pathways(st), ["n_steps", "pathway"], backend) == [(3, "A - Stopped - B")]
    assert table(pathways(st, max_path_length=2), ["n_steps", "pathway"], backend) == [
        (2, "A - Stopped")
    ]


def test_never_treated_persons_have_no_pathway(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-01-31"))
    fu = follow_up(("P1", "2020-01-01", "2020-01-31", "end_of_data"),
                   ("P2", "2020-01-01", "2020-01-31", "end_of_data"))  # fmt: skip
    st = treatment_states(backend.frame(p), backend.frame(fu))
    assert table(pathways(st), ["patient_id", "pathway"], backend) == [("P1", "A")]


def test_pathway_counts_mask_small_cells(backend):
    ids = [f"P{i:02d}" for i in range(14)]
    paths = pd.DataFrame({
        "patient_id": pd.array(ids, dtype="string[pyarrow]"),
        "n_steps": pd.array([1] * 11 + [2] * 3, dtype="Int64"),
        "pathway": pd.array(["A"] * 11 + ["A - B"] * 3, dtype="string[pyarrow]"),
    })  # fmt: skip
    out = pathway_counts(backend.frame(paths))
    assert out.astype(object).where(out.notna(), None).values.tolist() == [
        ["A", 1, 11, "11"],
        ["A - B", 2, None, "<11"],
    ]
    inside = pathway_counts(backend.frame(paths), threshold=None)
    assert inside["n_persons"].tolist() == [11, 3]
    assert pathway_counts(backend.frame(paths), threshold=3)["n_persons_shown"].tolist() == [
        "11",
        "3",
    ]


def test_bad_parameters():
    st = treatment_states(E6, data_end="2020-06-30")
    with pytest.raises(ValueError, match="bin_days"):
        state_bins(st, bin_days=0)
    with pytest.raises(ValueError, match="max_path_length"):
        pathways(st, max_path_length=0)
