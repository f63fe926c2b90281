"""Code lists as data: the lists shipped with the library, and the user's own.

A code list is a set of codes of one coding system (ATC, ICD-10, CCAM, NABM...) with
the way they match (``"prefix"``: ``E11`` matches ``E119``; ``"exact"``), its vintage
(when it was checked against its source) and its source. The shipped lists are CSV
files (``code,label``) in ``snds_algos/events/codelists/``, described in ``index.yaml``
there. Every extractor that selects codes accepts a :class:`CodeList`, a list name, or
a plain list of codes.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from snds_algos._yaml import safe_load

How = Literal["prefix", "exact"]


@dataclass(frozen=True)
class CodeList:
    """A named list of codes, how they match, and where they come from.

    Examples
    --------
    >>> CodeList("mine", ("E10", "E11")).codes
    ('E10', 'E11')
    """

    name: str
    codes: tuple[str, ...]
    how: How = "prefix"
    system: str = ""
    vintage: str = ""
    source: str = ""
    description: str = ""
    labels: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.how not in ("prefix", "exact"):
            raise ValueError(f"code list {self.name}: how must be 'prefix' or 'exact'")
        if not self.codes:
            raise ValueError(f"code list {self.name} is empty")


def _folder():
    return resources.files("snds_algos.events").joinpath("codelists")


@cache
def _index() -> dict[str, dict[str, str]]:
    return safe_load(_folder().joinpath("index.yaml").read_text(encoding="utf-8"))


def available_codelists() -> list[str]:
    """Names of the code lists shipped with the library.

    >>> "diabetes_icd10" in available_codelists()
    True
    """
    return sorted(_index())


def _read_csv(text: str, name: str) -> tuple[tuple[str, ...], dict[str, str]]:
    rows = list(csv.DictReader(text.splitlines()))
    if not rows or "code" not in rows[0]:
        raise ValueError(f"code list {name}: a CSV with a 'code' column is expected")
    codes = tuple(r["code"].strip().replace(".", "") for r in rows if r["code"].strip())
    labels = {r["code"].strip(): (r.get("label") or "").strip() for r in rows}
    return codes, labels


def load_codelist(name: str) -> CodeList:
    """Load a shipped code list by name, with its vintage and source.

    Examples
    --------
    >>> codes = load_codelist("diabetes_icd10")
    >>> codes.codes, codes.how, codes.system, codes.vintage
    (('E10', 'E11', 'E12', 'E13', 'E14'), 'prefix', 'ICD-10', '2026-11')
    """
    index = _index()
    if name not in index:
        raise KeyError(f"no code list {name!r}; shipped lists: {', '.join(sorted(index))}")
    meta = index[name]
    text = _folder().joinpath(meta["file"]).read_text(encoding="utf-8")
    codes, labels = _read_csv(text, name)
    return CodeList(
        name=name,
        codes=codes,
        how=meta.get("how", "prefix"),
        system=meta.get("system", ""),
        vintage=str(meta.get("vintage", "")),
        source=meta.get("source", ""),
        description=meta.get("description", ""),
        labels=labels,
    )


def read_codelist(
    path: str | os.PathLike[str], *, how: How = "prefix", vintage: str = "", system: str = ""
) -> CodeList:
    """Read a user's code list from a CSV file with a ``code`` column (``label`` optional).

    Dots are removed (``E11.9`` -> ``E119``), as the SNDS stores ICD-10 codes without them.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "heart_failure.csv"
    >>> _ = path.write_text("code,label\\nI50,Heart failure\\nI11.0,Hypertensive HF\\n")
    >>> read_codelist(path, vintage="2024").codes
    ('I50', 'I110')
    """
    path = Path(path)
    codes, labels = _read_csv(path.read_text(encoding="utf-8"), path.stem)
    return CodeList(path.stem, codes, how, system, vintage, str(path), labels=labels)


def resolve_codes(
    codes: CodeList | str | Iterable[str] | None, how: How = "prefix"
) -> tuple[tuple[str, ...], How] | None:
    """Turn what a user passes as ``codes`` into ``(codes, how)`` (``None`` stays ``None``).

    A :class:`CodeList` brings its own ``how``; a string names a shipped list; an
    iterable of codes uses ``how``.

    Examples
    --------
    >>> resolve_codes(["E11", "E10"])
    (('E10', 'E11'), 'prefix')
    >>> resolve_codes("diabetes_drugs_excluded")
    (('A10BX06',), 'exact')
    """
    if codes is None:
        return None
    if isinstance(codes, str):
        codes = load_codelist(codes)
    if isinstance(codes, CodeList):
        return tuple(sorted(set(codes.codes))), codes.how
    if how not in ("prefix", "exact"):
        raise ValueError(f"how must be 'prefix' or 'exact', not {how!r}")
    values = tuple(sorted({str(c).strip().replace(".", "") for c in codes}))
    if not values:
        raise ValueError("an empty list of codes selects nothing; pass None to select all")
    return values, how


__all__ = [
    "CodeList",
    "available_codelists",
    "load_codelist",
    "read_codelist",
    "resolve_codes",
]
