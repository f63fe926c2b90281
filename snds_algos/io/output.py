"""Writing outputs that are never lost or half-written.

Every command that writes a file or a folder goes through these functions:

* :func:`check_destination` before computing anything: the destination folder exists
  and is writable, the suffix is one the writer knows, and the path does not exist
  unless ``overwrite`` is asked (:class:`~snds_algos.errors.OutputExistsError`);
* :func:`write_table` (pandas, DuckDB or Spark frames, parquet or CSV by suffix),
  :func:`write_text` and :func:`write_bytes` write to a temporary file (or folder, for
  Spark) in the same folder, then rename it over the destination. On an error or an
  interrupt (``KeyboardInterrupt``) the temporary output is removed and a previous
  output at the destination is left as it was: never a half-written or empty file in
  its place;
* :func:`prepare_output_dir` for commands that write a folder of outputs: it refuses a
  non-empty folder unless ``overwrite`` (and never empties it: each file written into it
  replaces only itself).

Paths are local file system paths (Spark writes its folder of parts there too).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from snds_algos.errors import OutputError, OutputExistsError

#: suffixes :func:`write_table` writes
TABLE_SUFFIXES = (".parquet", ".csv")


def _temporary(path: Path, tag: str) -> Path:
    """A hidden name beside ``path`` (same folder, so that the rename is atomic)."""
    return path.with_name(f".{path.name}.{tag}-{os.getpid()}-{uuid.uuid4().hex[:8]}")


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        with contextlib.suppress(OSError):
            path.unlink()


def check_destination(
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    suffixes: Iterable[str] | None = None,
) -> Path:
    """Check that ``path`` can be written, before computing what goes into it.

    Raises :class:`~snds_algos.errors.OutputExistsError` when ``path`` exists and
    ``overwrite`` is false; :class:`~snds_algos.errors.OutputError` when its folder does
    not exist or is not writable, or its suffix is not one of ``suffixes``. Returns the
    path (absolute).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> check_destination(folder / "cases.parquet", suffixes=TABLE_SUFFIXES).name
    'cases.parquet'
    >>> _ = (folder / "cases.csv").write_text("x")
    >>> check_destination(folder / "cases.csv")
    Traceback (most recent call last):
    ...
    snds_algos.errors.OutputExistsError: output ... exists already: ...
    >>> check_destination(folder / "cases.csv", overwrite=True).name
    'cases.csv'
    """
    out = Path(path).expanduser().absolute()
    if suffixes is not None:
        allowed = tuple(suffixes)
        if out.suffix.lower() not in allowed:
            raise OutputError(
                f"output {out}: unknown suffix {out.suffix or '(none)'!r}; "
                f"use one of {', '.join(allowed)}"
            )
    parent = out.parent
    if not parent.is_dir():
        raise OutputError(f"output {out}: folder {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"output {out}: folder {parent} is not writable")
    if (out.exists() or out.is_symlink()) and not overwrite:
        raise OutputExistsError(str(out))
    return out


def _replace(tmp: Path, out: Path) -> None:
    """Move ``tmp`` to ``out``; a previous ``out`` is removed only once ``tmp`` is in place."""
    if (out.is_dir() and not out.is_symlink()) or tmp.is_dir():
        # a folder cannot be renamed over an existing path: move the old one aside first
        old = _temporary(out, "old")
        if out.exists() or out.is_symlink():
            os.replace(out, old)
        try:
            os.replace(tmp, out)
        except BaseException:
            if old.exists() or old.is_symlink():
                os.replace(old, out)
            raise
        _remove(old)
    else:
        os.replace(tmp, out)


def write_atomic(
    path: str | os.PathLike[str],
    writer: Callable[[Path], Any],
    *,
    overwrite: bool = False,
    suffixes: Iterable[str] | None = None,
) -> Path:
    """Call ``writer(temporary_path)`` and rename its output to ``path``.

    The temporary path is a hidden name in the same folder; ``writer`` may create a file
    or a folder there. On any exception, ``KeyboardInterrupt`` included, the temporary
    output is removed and the exception goes on; ``path`` is untouched.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "note.txt"
    >>> write_atomic(out, lambda tmp: tmp.write_text("hello")).read_text()
    'hello'
    """
    out = check_destination(path, overwrite=overwrite, suffixes=suffixes)
    tmp = _temporary(out, "tmp")
    try:
        writer(tmp)
        if not (tmp.exists() or tmp.is_symlink()):
            raise OutputError(f"output {out}: the writer wrote nothing")
        _replace(tmp, out)
    except BaseException:
        _remove(tmp)
        raise
    return out


def _table_writer(frame: Any, suffix: str) -> Callable[[Path], None]:
    from snds_algos.backend import DUCKDB, SPARK, backend_of

    csv = suffix == ".csv"
    kind = backend_of(frame)
    if kind == DUCKDB:

        def write(tmp: Path) -> None:
            if csv:
                frame.write_csv(str(tmp), header=True)
            else:
                frame.write_parquet(str(tmp))

    elif kind == SPARK:

        def write(tmp: Path) -> None:
            # a new folder: "errorifexists" (Spark's default) never deletes anything
            writer = frame.write.mode("errorifexists")
            if csv:
                writer.option("header", True).csv(str(tmp))
            else:
                writer.parquet(str(tmp))

    else:

        def write(tmp: Path) -> None:
            if csv:
                frame.to_csv(tmp, index=False)
            else:
                frame.to_parquet(tmp, index=False)

    return write


def write_table(frame: Any, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write a pandas, DuckDB or Spark frame to ``path`` (``.parquet`` or ``.csv``).

    pandas and DuckDB write one file; Spark writes a folder of parts (as Spark always
    does). The output is written beside ``path`` under a temporary name, then renamed:
    a failed or interrupted write leaves nothing behind and ``path`` as it was. An
    existing ``path`` is refused unless ``overwrite``.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> out = Path(tempfile.mkdtemp()) / "cases.csv"
    >>> _ = write_table(pd.DataFrame({"patient_id": ["P1"]}), out)
    >>> out.read_text().splitlines()
    ['patient_id', 'P1']
    """
    suffix = Path(path).suffix.lower()
    return write_atomic(
        path, _table_writer(frame, suffix), overwrite=overwrite, suffixes=TABLE_SUFFIXES
    )


def write_text(
    text: str, path: str | os.PathLike[str], *, overwrite: bool = False, encoding: str = "utf-8"
) -> Path:
    """Write ``text`` to ``path`` (temporary file, then rename; see :func:`write_atomic`).

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "report.txt"
    >>> write_text("3 persons", out).read_text()
    '3 persons'
    """
    return write_atomic(
        path, lambda tmp: tmp.write_text(text, encoding=encoding), overwrite=overwrite
    )


def write_bytes(data: bytes, path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write ``data`` (a picture, an archive) to ``path``, atomically.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "figure.png"
    >>> write_bytes(b"PNG", out).read_bytes()
    b'PNG'
    """
    return write_atomic(path, lambda tmp: tmp.write_bytes(data), overwrite=overwrite)


def prepare_output_dir(path: str | os.PathLike[str], overwrite: bool = False) -> Path:
    """The folder a command writes its outputs into, created if needed.

    An existing non-empty folder is refused unless ``overwrite``
    (:class:`~snds_algos.errors.OutputExistsError`); with ``overwrite`` its content is
    kept, and each output written into it (with ``overwrite=True``) replaces only its own
    file. A path that exists and is not a folder, or whose parent folder does not exist,
    raises :class:`~snds_algos.errors.OutputError`.

    Examples
    --------
    >>> import tempfile
    >>> out = prepare_output_dir(Path(tempfile.mkdtemp()) / "pathways")
    >>> _ = write_text("x", out / "a.txt")
    >>> prepare_output_dir(out)
    Traceback (most recent call last):
    ...
    snds_algos.errors.OutputExistsError: output folder ... exists already: ...
    >>> prepare_output_dir(out, overwrite=True) == out
    True
    """
    out = Path(path).expanduser().absolute()
    if out.exists() and not out.is_dir():
        raise OutputError(f"output folder {out}: exists and is not a folder")
    if out.is_dir():
        if any(out.iterdir()) and not overwrite:
            raise OutputExistsError(str(out), "output folder")
        if not os.access(out, os.W_OK | os.X_OK):
            raise OutputError(f"output folder {out}: not writable")
        return out
    if not out.parent.is_dir():
        raise OutputError(f"output folder {out}: folder {out.parent} does not exist")
    try:
        out.mkdir()
    except OSError as exc:
        raise OutputError(f"output folder {out}: cannot create it ({exc})") from exc
    return out


__all__ = [
    "TABLE_SUFFIXES",
    "check_destination",
    "prepare_output_dir",
    "write_atomic",
    "write_bytes",
    "write_table",
    "write_text",
]
