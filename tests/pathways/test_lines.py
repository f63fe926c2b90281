"""Spec tests of lines of therapy (pathways.md section 3.4, E7), every backend."""

from __future__ import annotations

import datetime as dt

import pytest

from snds_algos.pathways import lines_of_therapy
from tests.pathways.helpers_states import follow_up, periods, table

COLS = ["line_no", "regimen", "start", "end", "end_reason"]


def lines(backend, p, fu=None, **kwargs):
    fu_frame = None if fu is None else backend.frame(fu)
    return table(lines_of_therapy(backend.frame(p), fu_frame, **kwargs), COLS, backend)


def test_e7_second_line_keeps_its_regimen_after_a_drop(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-03-31"), ("P1", "B", "2020-02-01", "2020-06-30"))
    assert lines(backend, p, data_end="2020-06-30") == [
        (1, "A", "2020-01-01", "2020-01-31", "next_line"),
        (2, "A+B", "2020-02-01", "2020-06-30", "end_of_data"),
    ]


def test_e6_switch_with_overlap_opens_a_line_of_the_new_drug(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-03-31"), ("P1", "B", "2020-03-20", "2020-06-30"))
    assert lines(backend, p, data_end="2020-06-30") == [
        (1, "A", "2020-01-01", "2020-03-19", "next_line"),
        (2, "B", "2020-03-20", "2020-06-30", "end_of_data"),
    ]


def test_e8_short_add_on_opens_no_line(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-06-30"), ("P1", "B", "2020-03-01", "2020-03-10"))
    assert lines(backend, p, data_end="2020-06-30") == [
        (1, "A", "2020-01-01", "2020-06-30", "end_of_data")
    ]


@pytest.mark.parametrize(("b_start", "expected"), [
    ("2020-01-29", [(1, "A+B", "2020-01-01", "2020-06-30", "end_of_data")]),
    ("2020-01-30", [(1, "A", "2020-01-01", "2020-01-29", "next_line"),
                    (2, "A+B", "2020-01-30", "2020-06-30", "end_of_data")]),
])  # fmt: skip
def test_regimen_window_of_28_days(backend, b_start, expected):
    p = periods(("P1", "A", "2020-01-01", "2020-06-30"), ("P1", "B", b_start, "2020-06-30"))
    assert lines(backend, p, data_end="2020-06-30") == expected


def test_regimen_window_parameter(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-06-30"), ("P1", "B", "2020-02-15", "2020-06-30"))
    out = lines(backend, p, data_end="2020-06-30", regimen_window_days=60)
    assert out == [(1, "A+B", "2020-01-01", "2020-06-30", "end_of_data")]


@pytest.mark.parametrize("gap", [180, 181])
def test_line_gap_of_180_keeps_the_line_181_ends_it(backend, gap):
    again = dt.date(2020, 1, 31) + dt.timedelta(days=gap + 1)
    p = periods(
        ("P1", "A", "2020-01-01", "2020-01-31"), ("P1", "A", again.isoformat(), "2021-06-30")
    )
    out = lines(backend, p, data_end="2021-06-30")
    if gap == 180:
        assert out == [(1, "A", "2020-01-01", "2021-06-30", "end_of_data")]
    else:
        assert out == [
            (1, "A", "2020-01-01", "2020-01-31", "discontinuation"),
            (2, "A", again.isoformat(), "2021-06-30", "end_of_data"),
        ]


def test_line_gap_days_parameter_and_gap_to_the_end(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-01-31"), ("P1", "A", "2020-04-01", "2020-04-30"))
    out = lines(backend, p, data_end="2020-12-31", line_gap_days=30)
    assert out == [
        (1, "A", "2020-01-01", "2020-01-31", "discontinuation"),
        (2, "A", "2020-04-01", "2020-04-30", "discontinuation"),  # 245 days to the end
    ]


def test_exempt_keys_open_no_line(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-06-30"), ("P1", "B", "2020-03-01", "2020-06-30"))
    assert lines(backend, p, data_end="2020-06-30", line_exempt_keys=["B"]) == [
        (1, "A", "2020-01-01", "2020-06-30", "end_of_data")
    ]
    assert [r[1] for r in lines(backend, p, data_end="2020-06-30")] == ["A", "A+B"]


def test_back_to_a_drug_outside_the_regimen_is_a_new_line(backend):
    # A, then B (switch), then A again: three lines
    p = periods(
        ("P1", "A", "2020-01-01", "2020-02-29"),
        ("P1", "B", "2020-03-01", "2020-05-31"),
        ("P1", "A", "2020-06-01", "2020-08-31"),
    )
    assert lines(backend, p, data_end="2020-08-31") == [
        (1, "A", "2020-01-01", "2020-02-29", "next_line"),
        (2, "B", "2020-03-01", "2020-05-31", "next_line"),
        (3, "A", "2020-06-01", "2020-08-31", "end_of_data"),
    ]


def test_death_and_follow_up_cut(backend):
    p = periods(("P1", "A", "2019-06-01", "2020-12-31"), ("P1", "B", "2020-03-01", "2020-12-31"))
    fu = follow_up(("P1", "2020-01-01", "2020-05-15", "death"))
    assert lines(backend, p, fu) == [
        (1, "A", "2020-01-01", "2020-02-29", "next_line"),
        (2, "A+B", "2020-03-01", "2020-05-15", "death"),
    ]


def test_max_lines_keeps_the_rest_in_the_last_line(backend):
    p = periods(
        ("P1", "A", "2020-01-01", "2020-02-29"),
        ("P1", "B", "2020-03-01", "2020-05-31"),
        ("P1", "A", "2020-06-01", "2020-08-31"),
    )
    out = lines(backend, p, data_end="2020-08-31", max_lines=2)
    assert out == [
        (1, "A", "2020-01-01", "2020-02-29", "next_line"),
        (2, "B", "2020-03-01", "2020-08-31", "end_of_data"),
    ]
