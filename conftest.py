"""Shared test fixtures: one local Spark session per test run, and a ``backend`` fixture
that runs a test on pandas, on DuckDB and on Spark.

Spark tests are skipped only when PySpark is not installed *and* the run is not under
CI; under CI (``CI=true``) or with ``SNDS_ALGOS_REQUIRE_SPARK=1`` a missing or broken
Spark fails the run instead of skipping it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest

os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)
os.environ.setdefault("PYSPARK_DRIVER_PYTHON", os.sys.executable)

SPARK_REQUIRED = os.environ.get("CI", "").lower() == "true" or os.environ.get(
    "SNDS_ALGOS_REQUIRE_SPARK", ""
) in ("1", "true")


def _make_spark() -> Any:
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("snds-algos-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "4g")
        # thousands of small jobs in one session: let the JVM collect what finished
        # tests no longer reference (cached blocks, broadcasts, shuffle files)
        .config("spark.cleaner.periodicGC.interval", "2min")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # tiny test tables, many small jobs: code generation and adaptive execution cost
        # more than they save (results do not depend on them)
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.sql.adaptive.enabled", "false")
        .config(
            "spark.sql.warehouse.dir", os.path.join(os.getcwd(), ".pytest_cache", "spark-warehouse")
        )
        .config(
            "spark.driver.extraJavaOptions",
            "-Dderby.system.home=" + os.path.join(os.getcwd(), ".pytest_cache", "derby"),
        )
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("OFF")
    return spark


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A local Spark session (UTC), shared by the whole test run."""
    try:
        session = _make_spark()
    except Exception as exc:  # pragma: no cover - depends on the machine
        if SPARK_REQUIRED:
            pytest.fail(f"Spark is required (CI) but could not start: {exc}")
        pytest.skip(f"PySpark not available: {exc}")
    yield session
    session.stop()


class Backend:
    """Turns hand-made pandas frames into frames of the backend under test."""

    def __init__(self, name: str, spark: Any = None) -> None:
        self.name = name
        self.spark = spark
        #: frames of this backend made or collected by the test (see ``_check_backend_use``)
        self.used = 0

    def __repr__(self) -> str:
        return f"Backend({self.name})"

    def frame(self, data: pd.DataFrame | dict[str, Any]) -> Any:
        """A frame of this backend holding ``data`` (dtypes kept: dates stay dates)."""
        pdf = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
        self.used += 1
        if self.name == "pandas":
            return pdf.copy()
        if self.name == "duckdb":
            from snds_algos.backend import duckdb_from_pandas

            return duckdb_from_pandas(pdf)
        return to_spark(self.spark, pdf)

    def collect(self, frame: Any) -> pd.DataFrame:
        """A pandas copy of a result of this backend.

        A result of another backend fails the test: the algorithm received or returned
        frames of another backend (pandas frames fed to a Spark test, say), and the test
        would otherwise pass on every backend while testing only one.
        """
        from snds_algos.backend import backend_of

        got = backend_of(frame)
        if got != self.name:
            pytest.fail(
                f"a {self.name} test collected a {got} frame: the algorithm under test "
                f"received or returned frames of another backend"
            )
        self.used += 1
        return to_pandas(frame)

    def reuse(self) -> None:
        """Say that the test reads results computed on this backend by an earlier test
        (a cache of the test module), so it needs to make no frame of its own."""
        self.used += 1

    def source(self, tables: Any) -> Any:
        """``open_source`` of ``tables`` (a folder or ``{name: pandas frame}``) on this
        backend: the tables become frames of the backend under test."""
        from snds_algos.io import open_source

        self.used += 1
        if isinstance(tables, dict):
            tables = {name: self.frame(frame) for name, frame in tables.items()}
            return open_source(tables)
        return open_source(tables, backend=self.name, spark=self.spark)


def release_spark_memory(spark: Any) -> None:
    """Drop what a finished test left in the session's memory: cached frames and
    checkpointed blocks (``backend.checkpoint``), by ``backend.release_spark``.

    One session serves the whole run; without this the blocks of two thousand tests
    fill the driver's storage memory, and late tests fail to broadcast or aggregate
    (``AGGREGATE_OUT_OF_MEMORY``). A frame a later test reuses (a module cache) is
    recomputed from its plan; no test reuses a checkpointed frame.
    """
    from snds_algos.backend import release_spark

    release_spark(spark)


def to_spark(spark: Any, pdf: pd.DataFrame) -> Any:
    """Create a Spark frame from pandas, keeping strings, dates and nullable integers."""
    import pyarrow as pa

    table = pa.Table.from_pandas(pdf, preserve_index=False)
    return spark.createDataFrame(table)


def to_pandas(frame: Any) -> pd.DataFrame:
    """Collect a frame of any backend to pandas with Arrow dtypes (for comparisons)."""
    if isinstance(frame, pd.DataFrame):
        return frame.reset_index(drop=True)
    if type(frame).__name__ == "DuckDBPyRelation":
        table = frame.to_arrow_table()
    else:
        table = frame.toArrow()
    return table.to_pandas(types_mapper=pd.ArrowDtype).reset_index(drop=True)


@pytest.fixture(params=["pandas", "duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def backend(request: pytest.FixtureRequest) -> Iterator[Backend]:
    """Runs the test on pandas, on DuckDB and on a local Spark session.

    A test that takes this fixture must make its inputs with ``backend.frame`` or
    ``backend.source``, or collect a result of the backend with ``backend.collect``:
    one that does neither fails (it would run pandas three times and count as a Spark
    test), and so does one that collects a frame of another backend.
    """
    if request.param in ("pandas", "duckdb"):
        fixture = Backend(request.param)
    else:
        fixture = Backend("spark", request.getfixturevalue("spark"))
    yield fixture
    if fixture.name == "spark":
        release_spark_memory(fixture.spark)
    call = getattr(request.node, "rep_call", None)
    if call is None or not call.passed:  # skipped or failed already: nothing to add
        return
    if fixture.used == 0:
        pytest.fail(
            f"{request.node.nodeid} takes the backend fixture but made no {fixture.name} "
            "frame (backend.frame / backend.source) and collected none (backend.collect)"
        )


@pytest.fixture
def make_frame(backend: Backend) -> Callable[[Any], Any]:
    """Shortcut for ``backend.frame``."""
    return backend.frame


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Any:
    """Keep each phase's report on the test item (the backend fixture reads ``rep_call``)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


_SPARK_COUNTS = {"passed": 0, "failed": 0, "skipped": 0}


def pytest_runtest_logreport(report: Any) -> None:
    """Count the outcomes of tests marked ``spark``."""
    if "spark" not in report.keywords:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        _SPARK_COUNTS[report.outcome] = _SPARK_COUNTS.get(report.outcome, 0) + 1


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    """Under CI a Spark test that was skipped, or no Spark test at all, fails the run."""
    ran_tests = session.testscollected > 0 and not session.config.option.collectonly
    unfiltered = session.config.getoption("-m", "") in ("", None)
    missing = _SPARK_COUNTS["skipped"] or _SPARK_COUNTS["passed"] == 0
    if SPARK_REQUIRED and ran_tests and unfiltered and missing:
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    """Print how many Spark tests ran."""
    counts = _SPARK_COUNTS
    terminalreporter.write_line(
        f"Spark tests: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped"
        + (
            " (required under CI: skipped or absent Spark tests fail the run)"
            if SPARK_REQUIRED
            else ""
        )
    )
