import datetime as dt

import narwhals as nw
import pandas as pd
import pytest

from snds_algos.backend import (
    add_days,
    backend_of,
    common_backend,
    date_from_parts,
    days_between,
    lazy,
    matches_codes,
    to_native,
)
from snds_algos.contracts.dtypes import date_series
from snds_algos.errors import MixedBackendsError
from tests.helpers import rows

D = dt.date


def dates(*values):
    return date_series(values)


def test_backend_of_pandas_and_spark(backend):
    frame = backend.frame({"a": [1]})
    assert backend_of(frame) == backend.name


def test_backend_of_rejects_other_objects():
    with pytest.raises(TypeError, match="pandas or PySpark"):
        backend_of([1, 2])


@pytest.mark.spark
def test_mixing_backends_is_a_clear_error(spark):
    pdf = pd.DataFrame({"a": [1]})
    sdf = spark.createDataFrame(pdf)
    with pytest.raises(MixedBackendsError, match=r"pandas: ER_PRS_F; spark: IR_BEN_R"):
        common_backend({"ER_PRS_F": pdf, "IR_BEN_R": sdf})


def test_pandas_in_pandas_out_spark_in_lazy_spark_out(backend):
    frame = backend.frame({"a": [1, 2]})
    out = to_native(lazy(frame).filter(nw.col("a") > 1))
    assert backend_of(out) == backend.name
    assert rows(out) == [{"a": 2}]


def test_add_days_keeps_dates_on_both_backends(backend):
    frame = backend.frame(
        pd.DataFrame({"d": dates(D(2020, 2, 27), D(1600, 1, 1), None), "n": [3, -1, 5]})
    )
    out = to_native(add_days(add_days(lazy(frame), "d", "n", "e"), "d", 30, "f"))
    assert [(r["e"], r["f"]) for r in rows(out)] == [
        (D(2020, 3, 1), D(2020, 3, 28)),
        (D(1599, 12, 31), D(1600, 1, 31)),
        (None, None),
    ]
    assert lazy(out).collect_schema()["e"] == nw.Date()


def test_days_between_counts_calendar_days(backend):
    frame = backend.frame(
        pd.DataFrame(
            {
                "a": dates(D(2020, 1, 1), D(2021, 3, 1), None),
                "b": dates(D(2020, 3, 1), D(2021, 2, 28), D(2020, 1, 1)),
            }
        )
    )
    out = to_native(days_between(lazy(frame), "a", "b", "n"))
    assert [r["n"] for r in rows(out)] == [60, -1, None]


@pytest.mark.parametrize(
    ("how", "codes", "expected"),
    [
        ("prefix", ["E10", "E11"], [True, True, False, False, False]),
        ("exact", ["E119"], [False, True, False, False, False]),
        ("prefix", [], [False, False, False, False, False]),
        ("prefix", ["E10", "E12", "E13", "I1", "I10X"], [True, False, True, False, False]),
        ("prefix", ["E1", "E101", "Z", "Y", "X"], [True, True, False, False, True]),
    ],
)
@pytest.mark.parametrize("by_length", [False, True])
def test_matches_codes_is_null_safe(backend, how, codes, expected, by_length):
    frame = backend.frame(
        pd.DataFrame(
            {"c": pd.array(["E101", "E119", "I10", None, "XE11"], dtype="string[pyarrow]")}
        )
    )
    expr = matches_codes("c", codes, how=how, by_length=by_length)
    out = to_native(lazy(frame).select(expr.alias("m")))
    assert [r["m"] for r in rows(out)] == expected


def test_day_number_orders_dates_on_both_backends(backend):
    from snds_algos.backend import day_number

    frame = backend.frame(
        pd.DataFrame({"d": dates(D(1970, 1, 1), D(2020, 3, 1), D(1600, 1, 1), None)})
    )
    out = to_native(day_number(lazy(frame), "d", "n"))
    assert [r["n"] for r in rows(out)] == [0, 18322, -135140, None]


def test_date_from_parts_builds_first_of_month_and_nulls_invalid(backend):
    frame = backend.frame(
        pd.DataFrame(
            {
                "i": [0, 1, 2, 3, 4, 5],
                "y": pd.array([1950, 1600, 1980, None, 2000, 2024], dtype="Int64"),
                "m": pd.array([7, 1, 13, 3, None, 2], dtype="Int64"),
            }
        )
    )
    out = to_native(date_from_parts(lazy(frame), "y", "m", "d"))
    assert [r["d"] for r in rows(out, ["i"])] == [
        D(1950, 7, 1),
        None,
        None,
        None,
        None,
        D(2024, 2, 1),
    ]
