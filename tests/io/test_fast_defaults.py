"""Issue 18, defaults that are fast: the command line runs folder inputs on DuckDB by
default (``--backend pandas`` stays, with the same result), ``open_source(folder,
backend="duckdb", results="pandas")`` gives pandas results equal to the pandas
backend's, and ``snds-algos run --out`` computes its result once (Spark jobs counted)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import snds_algos
from snds_algos.cli import main
from snds_algos.io import open_source
from tests.helpers import rows

YEAR = 2020


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from snds_algos.synthetic import generate

    folder = tmp_path_factory.mktemp("fast-defaults") / "data"
    generate(1500, "2019-2020", 7, str(folder), progress=False)
    return folder


def test_cli_runs_folders_on_duckdb_by_default_with_the_pandas_result(data, tmp_path, capsys):
    out_default, out_pandas = tmp_path / "default.parquet", tmp_path / "pandas.parquet"
    args = ["run", "diabetes", "--year", str(YEAR), "--data", str(data)]
    assert main([*args, "--out", str(out_default)]) == 0
    default = capsys.readouterr().out
    assert main([*args, "--backend", "pandas", "--out", str(out_pandas)]) == 0
    pandas = capsys.readouterr().out
    assert "backend duckdb" in default and "backend pandas" in pandas
    found = [line.split(" (in")[0] for line in default.splitlines() if "persons identified" in line]
    assert found and found == [
        line.split(" (in")[0] for line in pandas.splitlines() if "persons identified" in line
    ]
    got, expected = pd.read_parquet(out_default), pd.read_parquet(out_pandas)
    assert len(expected) > 20  # the sample holds cases
    assert list(got.columns) == list(expected.columns)
    assert rows(got, ["patient_id"]) == rows(expected, ["patient_id"])


def test_cli_help_names_duckdb_as_the_default(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    assert "duckdb (default" in capsys.readouterr().out


@pytest.mark.parametrize("algorithm", ["diabetes", "heart_failure", "parkinson"])
def test_duckdb_with_pandas_results_equals_pandas(data, algorithm):
    fast = open_source(data, backend="duckdb", results="pandas")
    got = snds_algos.get(algorithm).run(fast, year=YEAR)
    expected = snds_algos.get(algorithm).run(open_source(data), year=YEAR)
    assert isinstance(got, pd.DataFrame)
    assert len(expected) > 0
    # the rows and columns of the pandas backend (the parity check of every backend)
    assert list(got.columns) == list(expected.columns)
    assert rows(got, list(got.columns[:2])) == rows(expected, list(got.columns[:2]))


def test_pandas_results_of_a_duckdb_source_left_as_relations_without_the_option(data):
    got = snds_algos.get("diabetes").run(open_source(data, backend="duckdb"), year=YEAR)
    assert type(got).__name__ == "DuckDBPyRelation"


def test_results_option_is_checked(data):
    with pytest.raises(ValueError, match="results must be None or 'pandas', not 'polars'"):
        open_source(data, backend="duckdb", results="polars")


def _jobs(spark, group: str) -> int:
    return len(spark.sparkContext.statusTracker().getJobIdsForGroup(group))


@pytest.mark.spark
def test_run_out_on_spark_computes_the_result_once(spark, tmp_path, capsys):
    from snds_algos.synthetic import generate

    folder = tmp_path / "data"
    generate(300, "2019-2020", 7, str(folder), progress=False)
    args = [
        "run",
        "diabetes",
        "--year",
        str(YEAR),
        "--data",
        str(folder),
        "--backend",
        "spark",
        "--no-suppression",
    ]
    context = spark.sparkContext
    context.setJobGroup("s5-no-out", "run without --out")
    assert main(args) == 0
    context.setJobGroup("s5-out", "run with --out")
    out = tmp_path / "cases.parquet"
    assert main([*args, "--out", str(out)]) == 0
    context.setLocalProperty("spark.jobGroup.id", None)
    printed = capsys.readouterr().out
    without, with_out = _jobs(spark, "s5-no-out"), _jobs(spark, "s5-out")
    # the result is computed once (checkpointed) and written from there: the write adds
    # its own job, not a second computation of the algorithm (dozens of jobs)
    assert without > 5
    assert with_out <= without + 2, (without, with_out)
    written = pd.read_parquet(out)
    assert f"persons identified: {int(written['case'].sum())}" in printed
    # the run's caches and checkpoints are released at its end
    assert len(context._jsc.getPersistentRDDs()) == 0


@pytest.mark.spark
def test_csv_tables_on_spark_are_opened_without_a_spark_job(spark, tmp_path):
    pd.DataFrame(
        {"PHA_CIP_C13": ["3400930000001"], "PHA_ATC_C07": ["A10BA02"], "PHA_CND_TOP": ["GC"]}
    ).to_csv(tmp_path / "IR_PHA_R.csv", sep=";", index=False)
    source = open_source(tmp_path, backend="spark", spark=spark)
    context = spark.sparkContext
    context.setJobGroup("s5-csv-open", "open a CSV table")
    frame = source.read("IR_PHA_R")
    again = source.read("IR_PHA_R")
    context.setLocalProperty("spark.jobGroup.id", None)
    # a text schema named from the header: no job to infer or find the columns
    assert _jobs(spark, "s5-csv-open") == 0
    assert again is frame  # each table read once per source
    assert frame.toPandas().to_dict("records") == [
        {"PHA_CIP_C13": "3400930000001", "PHA_ATC_C07": "A10BA02", "PHA_CND_TOP": "GC"}
    ]
