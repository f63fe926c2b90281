"""Issue 17, the command line: user errors print ``snds-algos: error: <message>`` with
exit code 2 and no traceback (unless ``--debug``); ``--out`` is checked before computing
and never overwritten without ``--overwrite``; a run that finds nobody because nobody was
attributable says so; the built-in sample leaves nothing in the temporary folder."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pytest

from snds_algos.cli import main

PERSONS = 400


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from snds_algos.synthetic import generate

    folder = tmp_path_factory.mktemp("snds") / "data"
    generate(PERSONS, "2019-2020", 5, str(folder), progress=False)
    return folder


def copy_of(data: Path, tmp_path: Path, drop: tuple[str, ...] = ()) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(data, folder, ignore=shutil.ignore_patterns(*drop) if drop else None)
    return folder


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_user_error(code: int, err: str, *names: str) -> None:
    assert code == 2
    assert "Traceback" not in err
    (line,) = [x for x in err.splitlines() if x.startswith("snds-algos: error:")]
    for name in names:
        assert name in line, (name, line)


def test_unknown_algorithm(capsys) -> None:
    code, _, err = cli(capsys, "run", "nope", "--year", "2020")
    assert_user_error(code, err, "'nope'", "diabetes")


def test_missing_data_folder(capsys, tmp_path: Path) -> None:
    code, _, err = cli(capsys, "run", "diabetes", "--year", "2020", "--data", str(tmp_path / "x"))
    assert_user_error(code, err, str(tmp_path / "x"))


@pytest.mark.parametrize("backend", ["pandas", "duckdb"])
def test_missing_table(capsys, data: Path, tmp_path: Path, backend: str) -> None:
    folder = copy_of(data, tmp_path, drop=("IR_PHA_R*",))
    code, _, err = cli(
        capsys, "run", "diabetes", "--year", "2020", "--data", str(folder), "--backend", backend
    )
    assert_user_error(code, err, "IR_PHA_R", str(folder))


def test_missing_mco_tables(capsys, data: Path, tmp_path: Path) -> None:
    folder = copy_of(data, tmp_path, drop=("T_MCO*",))
    code, _, err = cli(capsys, "run", "diabetes", "--year", "2020", "--data", str(folder))
    assert_user_error(code, err, "T_MCOaaB")


def test_contract_error(capsys, data: Path, tmp_path: Path) -> None:
    folder = copy_of(data, tmp_path)
    imb = pd.read_parquet(folder / "IR_IMB_R.parquet").drop(columns=["IMB_ETM_NAT"])
    imb.to_parquet(folder / "IR_IMB_R.parquet", index=False)
    code, _, err = cli(capsys, "run", "diabetes", "--year", "2020", "--data", str(folder))
    assert_user_error(code, err, "IR_IMB_R", "IMB_ETM_NAT")


def test_unreadable_table(capsys, data: Path, tmp_path: Path) -> None:
    folder = copy_of(data, tmp_path)
    (folder / "IR_PHA_R.parquet").write_bytes(b"not a parquet file")
    code, _, err = cli(capsys, "run", "diabetes", "--year", "2020", "--data", str(folder))
    assert_user_error(code, err, "IR_PHA_R", "IR_PHA_R.parquet")


@pytest.mark.parametrize("year", ["2030", "1990"])
def test_year_outside_the_data(capsys, data: Path, year: str) -> None:
    code, _, err = cli(capsys, "run", "diabetes", "--year", year, "--data", str(data))
    assert_user_error(code, err, year, "2019-2020")


def test_look_back_year_absent_is_a_warning(capsys, data: Path) -> None:
    code, _out, err = cli(capsys, "run", "diabetes", "--year", "2019", "--data", str(data))
    assert code == 0
    assert "snds-algos: warning:" in err and "2018" in err and "Traceback" not in err


def test_debug_prints_the_traceback(capsys) -> None:
    code, _, err = cli(capsys, "--debug", "run", "nope", "--year", "2020")
    assert code == 2 and "Traceback" in err and "snds-algos: error:" in err
    code, _, err = cli(capsys, "run", "nope", "--year", "2020", "--debug")
    assert code == 2 and "Traceback" in err


def test_a_bug_is_not_hidden(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    import snds_algos

    def broken(*args, **kwargs):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(snds_algos, "get", broken)
    code, _, err = cli(capsys, "run", "diabetes", "--year", "2020")
    assert code == 1 and "Traceback" in err and "internal error" in err


def test_out_is_checked_before_computing(capsys, data: Path, tmp_path: Path, monkeypatch) -> None:
    import snds_algos.io

    def never(*args, **kwargs):
        raise AssertionError("the data were read before the destination was checked")

    monkeypatch.setattr(snds_algos.io, "open_source", never)
    bad = tmp_path / "no" / "cases.parquet"
    code, _, err = cli(
        capsys, "run", "diabetes", "--year", "2020", "--data", str(data), "--out", str(bad)
    )
    assert_user_error(code, err, str(bad.parent))
    code, _, err = cli(
        capsys,
        "run",
        "diabetes",
        "--year",
        "2020",
        "--data",
        str(data),
        "--out",
        str(tmp_path / "c.txt"),
    )
    assert_user_error(code, err, ".txt")
    existing = tmp_path / "cases.parquet"
    existing.write_bytes(b"previous")
    code, _, err = cli(
        capsys, "run", "diabetes", "--year", "2020", "--data", str(data), "--out", str(existing)
    )
    assert_user_error(code, err, str(existing), "--overwrite")
    assert existing.read_bytes() == b"previous"


@pytest.mark.parametrize("backend", ["pandas", "duckdb"])
def test_out_overwrite(capsys, data: Path, tmp_path: Path, backend: str) -> None:
    out = tmp_path / "cases.parquet"
    args = ["run", "diabetes", "--year", "2020", "--data", str(data), "--backend", backend]
    code, stdout, _ = cli(capsys, *args, "--out", str(out))
    assert code == 0 and f"written: {out}" in stdout
    first = pd.read_parquet(out).sort_values("patient_id", ignore_index=True)
    code, _, err = cli(capsys, *args, "--out", str(out))
    assert_user_error(code, err, str(out))
    code, _, _ = cli(capsys, *args, "--out", str(out), "--overwrite")
    assert code == 0
    again = pd.read_parquet(out).sort_values("patient_id", ignore_index=True)
    pd.testing.assert_frame_equal(again, first)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.parquet"]


def test_interrupt_during_the_write_keeps_the_previous_output(
    capsys, data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from snds_algos.io import output

    out = tmp_path / "cases.parquet"
    args = ["run", "diabetes", "--year", "2020", "--data", str(data), "--out", str(out)]
    assert cli(capsys, *args)[0] == 0
    before = out.read_bytes()

    def interrupted(frame, suffix):
        def write(tmp: Path) -> None:
            tmp.write_bytes(b"PAR1")  # the start of a parquet file, then Ctrl-C
            raise KeyboardInterrupt

        return write

    monkeypatch.setattr(output, "_table_writer", interrupted)
    code, _, err = cli(capsys, *args, "--overwrite")
    assert code == 130 and "interrupted" in err and "Traceback" not in err
    assert out.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cases.parquet"]


def test_nobody_attributable_is_a_warning(capsys, data: Path, tmp_path: Path) -> None:
    folder = copy_of(data, tmp_path)
    ben = pd.read_parquet(folder / "IR_BEN_R.parquet")
    ben.iloc[:0].to_parquet(folder / "IR_BEN_R.parquet", index=False)
    code, out, err = cli(capsys, "run", "diabetes", "--year", "2020", "--data", str(folder))
    assert code == 0
    assert "persons identified: 0" in out
    assert (
        "snds-algos: warning: IR_BEN_R: no person found because no row could be attributed" in err
    )


def test_builtin_sample_leaves_nothing_behind(
    capsys, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    code, out, _ = cli(capsys, "run", "diabetes", "--year", "2020", "--persons", "300")
    assert code == 0 and "against the planted truth" in out
    assert list(tmp_path.iterdir()) == []


def test_documented_commands_still_work(capsys, data: Path, tmp_path: Path) -> None:
    assert cli(capsys, "list")[0] == 0
    code, out, _ = cli(capsys, "show", "diabetes")
    assert code == 0 and out.startswith("diabetes")
    code, out, _ = cli(
        capsys, "run", "diabetes", "--year", "2020", "--data", str(data), "--backend", "duckdb",
        "--out", str(tmp_path / "cases.csv"),
    )  # fmt: skip
    assert code == 0 and (tmp_path / "cases.csv").is_file()


# ------------------------------------------------------------------ Spark (a few runs)


@pytest.mark.spark
def test_spark_out_existing_folder_is_not_wiped(capsys, spark, data: Path, tmp_path: Path) -> None:
    folder = tmp_path / "results.parquet"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me")
    args = ["run", "diabetes", "--year", "2020", "--data", str(data), "--backend", "spark"]
    code, _, err = cli(capsys, *args, "--out", str(folder))
    assert_user_error(code, err, str(folder), "--overwrite")
    assert (folder / "precious.txt").read_text() == "keep me"
    out = tmp_path / "cases.parquet"
    code, _stdout, _ = cli(capsys, *args, "--out", str(out))
    assert code == 0 and out.is_dir()
    duck = tmp_path / "duck.parquet"
    assert cli(capsys, *args[:-2], "--backend", "duckdb", "--out", str(duck))[0] == 0
    key = ["patient_id"]
    spark_rows = pd.read_parquet(out).sort_values(key).reset_index(drop=True)
    duck_rows = pd.read_parquet(duck).sort_values(key).reset_index(drop=True)
    assert spark_rows["patient_id"].tolist() == duck_rows["patient_id"].tolist()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "cases.parquet",
        "duck.parquet",
        "results.parquet",
    ]


@pytest.mark.spark
def test_spark_user_errors(capsys, spark, data: Path, tmp_path: Path) -> None:
    folder = copy_of(data, tmp_path, drop=("IR_PHA_R*",))
    args = ["run", "diabetes", "--data", str(folder), "--backend", "spark"]
    code, _, err = cli(capsys, *args, "--year", "2020")
    assert_user_error(code, err, "IR_PHA_R")
    code, _, err = cli(
        capsys, "run", "diabetes", "--data", str(data), "--backend", "spark", "--year", "2030"
    )
    assert_user_error(code, err, "2030", "2019-2020")


@pytest.mark.parametrize("backend", ["pandas", "duckdb"])
def test_a_bad_value_met_lazily_is_the_same_user_error(
    capsys, data: Path, tmp_path: Path, backend: str
) -> None:
    """DuckDB (and Spark) check values in the query that meets them: the engine's error
    is reported as the same ContractError as on pandas, without a traceback."""
    folder = copy_of(data, tmp_path, drop=("IR_IMB_R*",))
    imb = pd.read_parquet(data / "IR_IMB_R.parquet").astype({"IMB_ALD_DTD": str})
    imb.loc[0, "IMB_ALD_DTD"] = "2020-02-30"
    imb.to_csv(folder / "IR_IMB_R.csv", sep=";", index=False)
    args = ["run", "diabetes", "--year", "2020", "--data", str(folder), "--backend", backend]
    code, _, err = cli(capsys, *args)
    assert_user_error(code, err, "IR_IMB_R.IMB_ALD_DTD", "2020-02-30")


@pytest.mark.spark
def test_a_bad_value_met_lazily_on_spark(capsys, spark, data: Path, tmp_path: Path) -> None:
    folder = copy_of(data, tmp_path, drop=("IR_IMB_R*",))
    imb = pd.read_parquet(data / "IR_IMB_R.parquet").astype({"IMB_ALD_DTD": str})
    imb.loc[0, "IMB_ALD_DTD"] = "2020-02-30"
    imb.to_csv(folder / "IR_IMB_R.csv", sep=";", index=False)
    args = ["run", "diabetes", "--year", "2020", "--data", str(folder), "--backend", "spark"]
    code, _, err = cli(capsys, *args)
    assert_user_error(code, err, "IR_IMB_R.IMB_ALD_DTD", "2020-02-30")


def test_synth_refuses_a_non_empty_folder(capsys, tmp_path: Path) -> None:
    out = tmp_path / "snds"
    args = ["synth", "--persons", "50", "--years", "2020", "--out", str(out), "--quiet"]
    assert cli(capsys, *args)[0] == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    code, _, err = cli(capsys, *args)
    assert_user_error(code, err, str(out), "--overwrite")
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    assert cli(capsys, *args, "--overwrite")[0] == 0
    code, _, err = cli(capsys, "synth", "--persons", "5", "--out", str(tmp_path / "a" / "b"))
    assert_user_error(code, err, str(tmp_path / "a"))
