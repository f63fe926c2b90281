"""Issue 17, lost outputs: ``snds_algos.io.output`` never overwrites without being
asked, never leaves a half-written or empty file in place of a previous output, and
leaves nothing behind on an error or an interrupt; on pandas, DuckDB and Spark."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from snds_algos.errors import OutputError, OutputExistsError
from snds_algos.io import output
from snds_algos.io.output import (
    check_destination,
    prepare_output_dir,
    write_bytes,
    write_table,
    write_text,
)

FRAME = pd.DataFrame({"patient_id": ["P1", "P2", "P3"], "n": [1, 2, 3]})


def read_back(path: Path) -> pd.DataFrame:
    """What a user reading ``path`` gets (a Spark output is a folder of parts)."""
    if path.suffix == ".csv":
        files = sorted(path.glob("*.csv")) if path.is_dir() else [path]
        return pd.concat([pd.read_csv(f, dtype=str) for f in files], ignore_index=True)
    return pd.read_parquet(path).astype({"n": "int64"})


def contents(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def snapshot(path: Path) -> dict[str, bytes]:
    """Every byte of a file, or of the files of a folder (a Spark output)."""
    if path.is_dir():
        return {str(p.relative_to(path)): p.read_bytes() for p in path.rglob("*") if p.is_file()}
    return {"": path.read_bytes()}


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_write_table_writes_every_backend(tmp_path: Path, backend, suffix: str) -> None:
    out = write_table(backend.frame(FRAME), tmp_path / f"cases{suffix}")
    back = read_back(out)
    assert sorted(back["patient_id"]) == ["P1", "P2", "P3"]
    assert contents(tmp_path) == [f"cases{suffix}"]  # nothing else left beside it


def test_an_existing_output_is_refused_unless_overwrite(tmp_path: Path, backend) -> None:
    target = tmp_path / "cases.parquet"
    write_table(backend.frame(FRAME), target)
    before = read_back(target)
    small = backend.frame(FRAME.iloc[:1])
    with pytest.raises(OutputExistsError, match=r"cases.parquet exists already.*--overwrite"):
        write_table(small, target)
    pd.testing.assert_frame_equal(read_back(target).sort_values("patient_id"), before)
    write_table(small, target, overwrite=True)
    assert read_back(target)["patient_id"].tolist() == ["P1"]
    assert contents(tmp_path) == ["cases.parquet"]


def test_spark_never_wipes_an_existing_folder(tmp_path: Path, spark) -> None:
    from conftest import to_spark

    folder = tmp_path / "results.parquet"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me")
    with pytest.raises(OutputExistsError, match=r"results\.parquet"):
        write_table(to_spark(spark, FRAME), folder)
    assert contents(folder) == ["precious.txt"]
    assert contents(tmp_path) == ["results.parquet"]
    write_table(to_spark(spark, FRAME), folder, overwrite=True)  # asked: replaced whole
    assert "precious.txt" not in contents(folder)
    assert sorted(read_back(folder)["patient_id"]) == ["P1", "P2", "P3"]
    assert contents(tmp_path) == ["results.parquet"]


class Boom(RuntimeError):
    pass


def _failing(kind: type[BaseException]):
    """A table writer that writes half a file, then fails with ``kind``."""

    def make(frame, suffix):
        def write(tmp: Path) -> None:
            tmp.write_bytes(b"PAR1 half-written")
            raise kind("disk full" if kind is not KeyboardInterrupt else "")

        return write

    return make


@pytest.mark.parametrize("kind", [Boom, OSError, KeyboardInterrupt])
def test_a_failed_or_interrupted_write_keeps_the_previous_output(
    tmp_path: Path, backend, monkeypatch: pytest.MonkeyPatch, kind: type[BaseException]
) -> None:
    target = tmp_path / "cases.parquet"
    write_table(backend.frame(FRAME), target)
    before = snapshot(target)
    monkeypatch.setattr(output, "_table_writer", _failing(kind))
    with pytest.raises(kind):
        write_table(backend.frame(FRAME.iloc[:0]), target, overwrite=True)
    assert snapshot(target) == before  # never a half-written or 0-row file
    assert contents(tmp_path) == ["cases.parquet"]  # nothing left behind


def test_an_interrupt_in_a_real_writer_leaves_nothing(
    tmp_path: Path, backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backend's own writer runs, then the rename is interrupted."""
    real = os.replace
    calls = []

    def interrupted(src, dst):
        calls.append(dst)
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_table(backend.frame(FRAME), tmp_path / "cases.csv")
    monkeypatch.setattr(output.os, "replace", real)
    assert calls and contents(tmp_path) == []


def test_a_file_size_limit_fault_keeps_the_previous_output(tmp_path: Path) -> None:
    """A write fault from a resource limit (RLIMIT_FSIZE), in a child process."""
    import subprocess
    import sys
    import textwrap

    target = tmp_path / "cases.csv"
    write_table(FRAME, target)
    before = target.read_bytes()
    code = textwrap.dedent(
        f"""
        import resource, signal, pandas as pd
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))
        from snds_algos.io.output import write_table
        big = pd.DataFrame({{"patient_id": ["P" * 50] * 1000}})
        try:
            write_table(big, {str(target)!r}, overwrite=True)
        except OSError as exc:
            print("failed:", exc.errno)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert "failed:" in done.stdout, done.stderr
    assert target.read_bytes() == before
    assert contents(tmp_path) == ["cases.csv"]


def test_check_destination_before_computing(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"folder .*missing.* does not exist"):
        check_destination(tmp_path / "missing" / "cases.parquet")
    with pytest.raises(OutputError, match=r"unknown suffix '.txt'"):
        check_destination(tmp_path / "cases.txt", suffixes=output.TABLE_SUFFIXES)
    (tmp_path / "cases.parquet").write_text("x")
    with pytest.raises(OutputExistsError, match=r"cases\.parquet"):
        check_destination(tmp_path / "cases.parquet")
    assert check_destination(tmp_path / "cases.parquet", overwrite=True).name == "cases.parquet"


def test_write_text_and_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = write_text("3 persons\n", tmp_path / "report.txt")
    picture = write_bytes(b"\x89PNG", tmp_path / "figure.png")
    assert report.read_text() == "3 persons\n" and picture.read_bytes() == b"\x89PNG"
    with pytest.raises(OutputExistsError):
        write_text("other", report)
    monkeypatch.setattr(Path, "write_bytes", _raise_interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_bytes(b"new", picture, overwrite=True)
    monkeypatch.undo()
    assert picture.read_bytes() == b"\x89PNG"
    assert contents(tmp_path) == ["figure.png", "report.txt"]


def _raise_interrupt(self, data):
    Path.write_text(self, "half")
    raise KeyboardInterrupt


def test_prepare_output_dir(tmp_path: Path) -> None:
    folder = prepare_output_dir(tmp_path / "pathways")
    assert folder.is_dir() and contents(folder) == []
    write_text("x", folder / "a.txt")
    with pytest.raises(OutputExistsError, match=r"output folder .*pathways exists already"):
        prepare_output_dir(folder)
    assert prepare_output_dir(folder, overwrite=True) == folder
    assert contents(folder) == ["a.txt"]  # overwrite never empties the folder
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match="not a folder"):
        prepare_output_dir(tmp_path / "file")
    with pytest.raises(OutputError, match="does not exist"):
        prepare_output_dir(tmp_path / "no" / "such")
