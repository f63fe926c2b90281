"""Backend coverage cannot lie: a test parametrised by ``backend`` whose algorithm
receives pandas frames fails on DuckDB and on Spark (issue #15).

The inner test files run in a real pytest run (``pytester``) with the root
``conftest.py``: nothing is mocked.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"

INNER = '''
import datetime as dt

import pandas as pd

import snds_algos
from snds_algos.contracts.dtypes import date_series


def ald_events():
    """Hand-made ALD events as a pandas frame, whatever the backend under test."""
    return pd.DataFrame({"patient_id": ["P1"], "category": ["ald"], "group_id": ["41"],
                         "value": ["G20"], "start": date_series(["2010-05-01"]),
                         "end": date_series([None])})


def test_fed_pandas_collected(backend):
    # the mistake: pandas events fed to the algorithm instead of backend.frame(...)
    out = snds_algos.get("parkinson").run(events=ald_events(), year=2020)
    assert backend.collect(out)["case"].tolist() == [True]


def test_fed_pandas_not_collected(backend):
    out = snds_algos.get("parkinson").run(events=ald_events(), year=2020)
    assert out["case"].tolist() == [True]


def test_right(backend):
    out = snds_algos.get("parkinson").run(events=backend.frame(ald_events()), year=2020)
    assert backend.collect(out)["case"].tolist() == [True]
'''


def run_inner(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    pytester.makeconftest(ROOT_CONFTEST.read_text(encoding="utf-8"))
    pytester.makepyfile(test_inner=INNER)
    return pytester.runpytest_subprocess("-v", "-p", "no:cacheprovider", *args, timeout=600)


def test_pandas_frames_fail_a_duckdb_test(pytester: pytest.Pytester) -> None:
    result = run_inner(pytester, "-k", "not spark")
    result.stdout.fnmatch_lines_random(
        [
            "*test_fed_pandas_collected?pandas? PASSED*",
            "*test_fed_pandas_collected?duckdb? FAILED*",
            "*test_fed_pandas_not_collected?duckdb? ERROR*",
            "*test_right?pandas? PASSED*",
            "*test_right?duckdb? PASSED*",
            "*a duckdb test collected a pandas frame*",
            "*takes the backend fixture but made no duckdb frame*",
        ]
    )
    assert result.ret != 0


@pytest.mark.spark
def test_pandas_frames_fail_duckdb_and_spark_tests(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SNDS_ALGOS_REQUIRE_SPARK", "1")  # a missing Spark fails, not skips
    result = run_inner(pytester)
    result.stdout.fnmatch_lines_random(
        [
            "*test_fed_pandas_collected?pandas? PASSED*",
            "*test_fed_pandas_collected?duckdb? FAILED*",
            "*test_fed_pandas_collected?spark? FAILED*",
            "*test_fed_pandas_not_collected?duckdb? ERROR*",
            "*test_fed_pandas_not_collected?spark? ERROR*",
            "*test_right?duckdb? PASSED*",
            "*test_right?spark? PASSED*",
            "*a spark test collected a pandas frame*",
            "*takes the backend fixture but made no spark frame*",
        ]
    )
    assert result.ret != 0
