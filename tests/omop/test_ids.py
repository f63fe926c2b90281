"""Stable ids: the SHA-256 gap filler (backend.hash63) and the OMOP id keys, on every backend."""

import hashlib

import pandas as pd
import pytest

from snds_algos.backend import hash63, lazy
from snds_algos.omop.eras import merge_periods
from snds_algos.omop.ids import hash_key, with_id
from tests.events.builders import strings


def python_hash(value: str) -> int:
    return int(hashlib.sha256(value.encode("utf-8")).hexdigest()[:15], 16)


def test_hash63_is_the_first_15_hex_digits_of_sha256_on_every_backend(backend):
    values = ["P1", "é-ü", "", None, "MCO:010000001:0000000001:2020"]
    frame = backend.frame(pd.DataFrame({"k": strings(values), "i": range(len(values))}))
    got = backend.collect(hash63(lazy(frame), "k", "h").to_native()).sort_values("i")
    expected = [python_hash(v) if v is not None else None for v in values]
    assert [None if pd.isna(v) else int(v) for v in got["h"]] == expected
    assert all(0 <= v < 2**60 for v in expected if v is not None)


def test_with_id_hashes_prefix_and_key_with_nulls_as_empty(backend):
    import datetime as dt

    from snds_algos.contracts.dtypes import date_series

    frame = backend.frame(pd.DataFrame({"a": strings(["S1", None]),
                                        "d": date_series([dt.date(2020, 1, 5)] * 2)}))  # fmt: skip
    got = backend.collect(with_id(lazy(frame), "id", "t", ["a", "d"]).to_native())
    assert sorted(got["id"].astype("int64")) == sorted(
        [hash_key("t|S1|2020-01-05"), hash_key("t||2020-01-05")]
    )


@pytest.mark.parametrize(
    ("second_start", "eras"),
    [
        (60, [(0, 89, 2)]),  # days 30 to 59 uncovered: a gap of 30 days, merged
        (61, [(0, 29, 1), (61, 90, 1)]),  # gap of 31 days: a new era
        (30, [(0, 59, 2)]),  # adjacent
        (10, [(0, 39, 2)]),  # overlapping
    ],
)
def test_persistence_window_boundary(backend, second_start, eras):
    frame = backend.frame(pd.DataFrame({"k": ["a", "a"], "__s": [0, second_start],
                                        "__e": [29, second_start + 29], "__n": [1, 1]}))  # fmt: skip
    got = backend.collect(merge_periods(lazy(frame), ["k"], 30).to_native())
    assert sorted(map(tuple, got[["__s", "__e", "__n"]].astype("int64").values.tolist())) == eras


def test_merge_periods_keeps_keys_apart(backend):
    frame = backend.frame(pd.DataFrame({"k": ["a", "b"], "__s": [0, 10], "__e": [29, 39],
                                        "__n": [1, 1]}))  # fmt: skip
    got = backend.collect(merge_periods(lazy(frame), ["k"], 30).to_native())
    assert len(got) == 2
