"""The backend gap-fillers the pathways add (frame_like, window_partition, previous,
fresh_index), on every backend."""

from __future__ import annotations

import narwhals as nw
import pandas as pd

from snds_algos.backend import (
    backend_of,
    frame_like,
    fresh_index,
    lazy,
    previous,
    to_native,
    window_partition,
)
from tests.helpers import rows


def frame(backend):
    return backend.frame(
        pd.DataFrame(
            {
                "p": pd.Series(["a", "a", "b", "a"], dtype="string[pyarrow]"),
                "d": pd.array([3, 1, 1, 2], dtype="Int64"),
                "v": pd.array([30, 10, 5, 20], dtype="Int64"),
            }
        )
    )


def test_frame_like_is_of_the_same_backend(backend):
    small = frame_like(
        lazy(frame(backend)), pd.DataFrame({"code": pd.Series(["A10"], dtype="string[pyarrow]")})
    )
    native = to_native(small)
    assert backend_of(native) == backend.name
    assert rows(native) == [{"code": "A10"}]


def test_previous_and_window_partition(backend):
    lf, part = window_partition(lazy(frame(backend)), ["p"])
    out = to_native(previous(lf, "v", part, ["d"], "prev"))
    got = [(r["p"], r["d"], r["prev"]) for r in rows(out, ["p", "d"])]
    assert got == [("a", 1, None), ("a", 2, 10), ("a", 3, 20), ("b", 1, None)]


def test_fresh_index_keeps_rows(backend):
    lf = lazy(frame(backend))
    doubled = nw.concat([lf, lf], how="vertical")
    out = to_native(fresh_index(doubled))
    assert len(rows(out)) == 8
