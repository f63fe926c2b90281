"""The one reader of code list CSV files (``codes/NAME.csv``), for the engine and the registry.

A code list is a CSV file with a header; ``code`` holds the codes (``label`` and any
other column are for people). Every error names the file, and a missing column names
the columns found and the closest one (a header typo: ``cdoe`` -> ``code``).
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Sequence
from pathlib import Path

from snds_algos.errors import SndsAlgosError


class CodeListError(SndsAlgosError, ValueError):
    """A code list file cannot be read: missing column, malformed line, missing file.

    Attributes: ``path`` (the file), ``where`` (``header``, ``line N`` or ``file``) and
    ``problem``.
    """

    def __init__(self, path: str | Path, where: str, problem: str) -> None:
        self.path, self.where, self.problem = str(path), where, problem
        super().__init__(f"{path}: {where}: {problem}")


def read_code_rows(
    path: str | Path, *, required: Sequence[str] = ("code",)
) -> list[dict[str, str]]:
    """Rows of a code list CSV as dicts of stripped strings (no pandas needed).

    ``required`` columns must be in the header; a row with more fields than the header
    (an unquoted comma in a label) is refused naming its line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text("code,label\\nE11,Type 2 diabetes\\n")
    >>> read_code_rows(p)
    [{'code': 'E11', 'label': 'Type 2 diabetes'}]
    >>> _ = p.write_text("cdoe,label\\nE11,Type 2 diabetes\\n")
    >>> read_code_rows(p)
    Traceback (most recent call last):
    ...
    snds_algos.codelists.CodeListError: ...c.csv: header: no column 'code' (columns found: cdoe, label; is 'cdoe' a typo of it?)
    """
    path = Path(path)
    if not path.is_file():
        raise CodeListError(path, "file", "code list file not found")
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        found = [c.strip() for c in (reader.fieldnames or [])]
        for column in required:
            if column not in found:
                close = difflib.get_close_matches(column, found, n=1, cutoff=0.5)
                hint = f"; is {close[0]!r} a typo of it?" if close else ""
                raise CodeListError(
                    path,
                    "header",
                    f"no column {column!r} (columns found: {', '.join(found) or 'none'}{hint})",
                )
        reader.fieldnames = found
        for row in reader:
            if None in row:
                n = len(found) + len(row[None])
                raise CodeListError(
                    path,
                    f"line {reader.line_num}",
                    f"{n} fields for {len(found)} columns (quote a label that holds a comma)",
                )
            rows.append({k: (v or "").strip() for k, v in row.items()})
    return rows


def read_codes(path: str | Path) -> tuple[str, ...]:
    """The non-empty codes (column ``code``) of a code list CSV, in file order.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text("code,label\\n0123,x\\n,blank\\n")
    >>> read_codes(p)
    ('0123',)
    """
    return tuple(row["code"] for row in read_code_rows(path) if row["code"])
