"""Small-cell suppression (cohorts.md example 9, secondary suppression, rounding)."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

from snds_algos.disclosure import (
    format_counts,
    is_small,
    margin_groups,
    round_count,
    suppress,
    suppression_mask,
)


def test_example_9_primary():
    t = pd.DataFrame({"n": [0, 3, 10, 11, 250]})
    assert format_counts(t, ["n"])["n"].tolist() == ["0", "<11", "<11", "11", "250"]


def test_example_9_secondary_one_way():
    t = pd.DataFrame({"n": [3, 250, 253]}, index=["M", "F", "total"])
    mask = suppression_mask(t, ["n"], groups=margin_groups(t, ["n"]))
    assert mask["n"].tolist() == [True, True, False]


def test_threshold_is_a_parameter_and_none_switches_off():
    t = pd.DataFrame({"n": [4, 6, 100]})
    assert suppression_mask(t, ["n"], threshold=5)["n"].tolist() == [True, False, False]
    assert suppression_mask(t, ["n"], threshold=None)["n"].tolist() == [False] * 3
    assert not is_small(pd.NA)


def test_secondary_two_way_no_cell_recoverable():
    # rows: sex; columns: two groups and a total column; last row is the total row
    t = pd.DataFrame(
        {"a": [5, 40, 45], "b": [30, 60, 90], "total": [35, 100, 135]},
        index=["M", "F", "all"],
    )
    groups = margin_groups(t, ["a", "b"], total_column="total", by_column=True, by_row=True)
    mask = suppression_mask(t, ["a", "b", "total"], groups=groups)
    # no group (row or column) may hold exactly one masked cell
    for group in groups:
        assert sum(mask.at[c] for c in group) != 1
    assert mask.at["M", "a"]
    # a reader cannot recover M/a from any published sum
    assert mask.values.sum() >= 4


def test_secondary_skips_zero_cells():
    t = pd.DataFrame({"n": [3, 0, 40, 43]}, index=["x", "y", "z", "total"])
    mask = suppression_mask(t, ["n"], groups=margin_groups(t, ["n"]))
    assert mask["n"].tolist() == [True, False, True, False]


def test_suppress_gives_nulls_and_rounding():
    t = pd.DataFrame({"n": [3, 12, 13, 252]})
    out = suppress(t, ["n"], rounding=5)
    assert out["n"].isna().tolist() == [True, False, False, False]
    assert out["n"].tolist()[1:] == [10, 15, 250]
    assert [round_count(n, 10) for n in (4, 5, 14, 15)] == [0, 10, 10, 20]


def test_unique_index_and_known_columns_required():
    with pytest.raises(ValueError, match="unique"):
        suppression_mask(pd.DataFrame({"n": [1, 2]}, index=[0, 0]), ["n"])
    with pytest.raises(KeyError, match="persons"):
        suppression_mask(pd.DataFrame({"n": [1]}), ["persons"])


# --------------------------------------------------------------------------- flowcharts
from snds_algos.disclosure import (  # noqa: E402
    flowchart_mask,
    format_attrition,
    format_count,
    format_report,
    suppress_attrition,
)


def _adds_up(shown, excluded):
    for k in range(1, len(shown)):
        if shown[k - 1] is not None and shown[k] is not None:
            assert shown[k] == shown[k - 1] - excluded[k]


def test_flowchart_primary_and_secondary():
    shown, excluded = flowchart_mask([1000, 995, 800, 790, 5])
    # 995: only 5 excluded -> masked; 790: 10 fewer than 800 -> masked; 5 -> small
    assert shown == [1000, None, 800, None, None]
    _adds_up(shown, excluded)
    visible = [v for v in shown if v is not None]
    assert all(a - b == 0 or a - b >= 11 for a, b in itertools.pairwise(visible))


def test_flowchart_adds_up_after_rounding():
    counts = [12_347, 11_003, 11_003, 9_876, 512]
    for base in (5, 10):
        shown, excluded = flowchart_mask(counts, rounding=base)
        assert all(v % base == 0 for v in shown if v is not None)
        _adds_up(shown, excluded)
        assert shown[2] == shown[1] and excluded[2] == 0


def test_flowchart_refuses_increasing_counts():
    with pytest.raises(ValueError, match="step 1"):
        flowchart_mask([10, 20])


def test_attrition_table_safe_and_consistent():
    attrition = pd.DataFrame(
        {
            "step": [0, 1, 2, 3],
            "reason": ["population", "entry", "prior observation", "age"],
            "n_persons": [5000, 4993, 3000, 2950],
            "n_records": [9000, 8990, 3500, 3440],
            "excluded_persons": [0, 7, 1993, 50],
            "excluded_records": [0, 10, 5490, 60],
        }
    )
    safe = suppress_attrition(attrition)
    assert safe["n_persons"].tolist()[1] is pd.NA
    assert safe["excluded_persons"].isna().tolist() == [True, True, True, False]
    assert safe["n_persons"].tolist()[3] - safe["n_persons"].tolist()[2] == -50
    rounded = suppress_attrition(attrition, rounding=5)
    for col, exc in (("n_persons", "excluded_persons"), ("n_records", "excluded_records")):
        n, e = rounded[col].tolist(), rounded[exc].tolist()
        for k in range(1, 4):
            if n[k] is not pd.NA and n[k - 1] is not pd.NA:
                assert n[k] == n[k - 1] - e[k]
    text = format_attrition(attrition)
    assert text["n_persons"].tolist() == ["5000", "masked", "3000", "2950"]
    assert text["excluded_persons"].tolist()[1] == "<11"
    exact = suppress_attrition(attrition, threshold=None)
    assert exact["n_persons"].tolist() == [5000, 4993, 3000, 2950]


def test_cli_summary_helpers():
    assert [format_count(n) for n in (0, 1, 10, 11)] == ["0", "<11", "<11", "11"]
    report = pd.DataFrame(
        {
            "table": ["T_MCOaaB", "T_MCOaaB", "ER_PRS_F"],
            "step": ["a", "b", "c"],
            "description": ["", "", ""],
            "rows_in": [500, 495, 40],
            "rows_removed": [5, 100, 0],
            "rows_out": [495, 395, 40],
        }
    )
    text = format_report(report)
    assert text["rows_removed"].tolist() == ["<11", "masked", "0"]
    assert text["rows_out"].tolist() == ["masked", "395", "40"]
    assert format_report(report, threshold=None)["rows_removed"].tolist() == ["5", "100", "0"]
