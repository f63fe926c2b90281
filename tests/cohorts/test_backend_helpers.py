"""The gap-fillers the cohorts add to ``snds_algos.backend``, on every backend."""

from __future__ import annotations

import narwhals as nw
import pandas as pd

from snds_algos.backend import (
    lazy,
    null_columns,
    running_max,
    semi_join,
    smallest_string,
    to_native,
)


def test_running_max_with_and_without_the_current_row(backend):
    df = pd.DataFrame(
        {
            "p": pd.array(["a", "a", "a", "b", "b"], dtype="string[pyarrow]"),
            "i": pd.array([3, 0, 9, 1, 2], dtype="Int64"),
            "x": pd.array([20, 10, None, 5, 1], dtype="Int64"),
        }
    )
    frame = lazy(backend.frame(df))
    inclusive = running_max(frame, "x", "p", "i", "m")
    exclusive = running_max(frame, "x", "p", "i", "m", include_current=False)
    got_in = backend.collect(to_native(inclusive)).sort_values(["p", "i"])
    got_ex = backend.collect(to_native(exclusive)).sort_values(["p", "i"])
    assert got_in["m"].tolist() == [10, 20, 20, 5, 5]
    assert [None if pd.isna(v) else v for v in got_ex["m"]] == [None, 10, 20, None, 5]


def test_null_columns_are_typed_nulls(backend):
    frame = lazy(backend.frame(pd.DataFrame({"a": pd.array([1, 2], dtype="Int64")})))
    out = null_columns(frame, {"n": nw.Int64(), "s": nw.String(), "d": nw.Date()})
    schema = out.collect_schema()
    assert schema["n"] == nw.Int64 and schema["s"] == nw.String and schema["d"] == nw.Date
    got = backend.collect(to_native(out))
    assert got[["n", "s", "d"]].isna().all().all()


def test_smallest_string_per_group(backend):
    df = pd.DataFrame(
        {
            "p": pd.array(["a", "a", "a", "b", "c", "c"], dtype="string[pyarrow]"),
            "d": pd.array([1, 1, 2, 1, 1, 1], dtype="Int64"),
            "k": pd.array(["E11", "E10", "Z", None, None, "A"], dtype="string[pyarrow]"),
        }
    )
    out = smallest_string(lazy(backend.frame(df)), ["p", "d"], "k", "m")
    assert out.collect_schema().names() == ["p", "d", "m"]
    got = backend.collect(to_native(out)).sort_values(["p", "d"])
    rows = [tuple(None if pd.isna(v) else v for v in r) for r in got.itertuples(index=False)]
    # the smallest code of each group; a group of nulls only gives null
    assert rows == [("a", 1, "E10"), ("a", 2, "Z"), ("b", 1, None), ("c", 1, "A")]


def test_semi_and_anti_join_on_one_and_two_keys(backend):
    df = pd.DataFrame(
        {
            "p": pd.array(["a", "a", "b", None, "c"], dtype="string[pyarrow]"),
            "d": pd.array([1, 2, 1, 1, 5], dtype="Int64"),
        }
    )
    keys = pd.DataFrame(
        {
            "p": pd.array(["a", "c", None, "z"], dtype="string[pyarrow]"),
            "d": pd.array([2, 5, 1, 1], dtype="Int64"),
        }
    )
    frame, other = lazy(backend.frame(df)), lazy(backend.frame(keys))

    def rows(out):
        got = backend.collect(to_native(out)).sort_values(["p", "d"], na_position="last")
        return [tuple(None if pd.isna(v) else v for v in r) for r in got.itertuples(index=False)]

    # a null key matches nothing: dropped by the semi-join, kept by the anti-join
    assert rows(semi_join(frame, other, "p")) == [("a", 1), ("a", 2), ("c", 5)]
    assert rows(semi_join(frame, other, "p", anti=True)) == [("b", 1), (None, 1)]
    assert rows(semi_join(frame, other, ["p", "d"])) == [("a", 2), ("c", 5)]
    assert rows(semi_join(frame, other, ["p", "d"], anti=True)) == [
        ("a", 1),
        ("b", 1),
        (None, 1),
    ]
    assert semi_join(frame, other, "p").collect_schema().names() == ["p", "d"]
