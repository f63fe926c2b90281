"""Small-cell suppression (cohorts.md example 9, secondary suppression, rounding)."""

from __future__ import annotations

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
