"""Immutable releases: the fingerprint of what defines an algorithm version's behaviour.

The fingerprint of ``id@version`` is the SHA-256 of a canonical JSON document made of:

* the card fields that define behaviour: ``id``, ``version``, ``data`` (tables and
  columns), ``parameters`` (name, type, default, allowed values) and ``code_lists``
  (name, file, system, vintage, match);
* the declarative definition (``definition.yaml``, parsed: comments and layout do not
  count);
* every code list, row by row, every column but ``label`` (fixing a label's typo is
  not a change of behaviour; adding, removing or changing a code is).

Descriptions, reviewers, validation figures, status and history are not part of it:
they may be completed after a release.

``released.json`` (beside this module) maps ``id@version`` to its fingerprint. It is
written by ``snds-algos release ID`` and checked by ``snds-algos check`` and the test
suite: a released version whose fingerprint changed fails CI; the change must be a new
version.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from snds_algos.errors import SndsAlgosError
from snds_algos.registry.model import Algorithm, read_code_rows
from snds_algos.registry.schema import plain

_PARAMETER_KEYS = ("name", "type", "default", "allowed")
_CODE_LIST_KEYS = ("name", "file", "system", "vintage", "match")


def released_path() -> Path:
    """The ``released.json`` of the installed package.

    Examples
    --------
    >>> released_path().name
    'released.json'
    """
    return Path(__file__).resolve().parent / "released.json"


def fingerprint_document(algo: Algorithm) -> dict[str, Any]:
    """The canonical document hashed by :func:`fingerprint` (useful to see what changed).

    Examples
    --------
    >>> from snds_algos.registry import example_algorithm
    >>> sorted(fingerprint_document(example_algorithm()))
    ['code_lists', 'data', 'definition', 'id', 'parameters', 'version']
    """
    card = algo.card
    lists: dict[str, Any] = {}
    for meta in card.get("code_lists", []):
        if algo.path is not None:
            file = algo.path / meta["file"]
            rows = read_code_rows(file) if file.is_file() else None
        else:
            frame = algo.code_lists[meta["name"]]
            rows = [{k: str(v) for k, v in r.items()} for r in frame.to_dict("records")]
        lists[meta["name"]] = {
            "meta": {k: meta.get(k) for k in _CODE_LIST_KEYS},
            "rows": None
            if rows is None
            else [{k: v for k, v in sorted(r.items()) if k != "label"} for r in rows],
        }
    return {
        "id": card["id"],
        "version": card["version"],
        "data": [{"table": d["table"], "columns": d["columns"]} for d in card.get("data", [])],
        "parameters": [{k: p.get(k) for k in _PARAMETER_KEYS} for p in card.get("parameters", [])],
        "code_lists": lists,
        "definition": plain(algo.definition),
    }


def fingerprint(algo: Algorithm) -> str:
    """SHA-256 (hex) of an algorithm version's behaviour-defining content.

    Examples
    --------
    >>> from snds_algos.registry import example_algorithm
    >>> len(fingerprint(example_algorithm()))
    64
    """
    doc = fingerprint_document(algo)
    text = json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_released(path: Path | str | None = None) -> dict[str, str]:
    """``id@version`` -> fingerprint of every released version.

    Examples
    --------
    >>> isinstance(read_released(), dict)
    True
    """
    file = Path(path) if path is not None else released_path()
    if not file.is_file():
        return {}
    data = json.loads(file.read_text(encoding="utf-8") or "{}")
    return {k: v["sha256"] if isinstance(v, dict) else v for k, v in data.items()}


def write_released(released: dict[str, str], path: Path | str | None = None) -> Path:
    """Write ``released.json`` (sorted keys, one entry a line, stable diffs).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "released.json"
    >>> write_released({"demo@1.0.0": "ab"}, p) == p
    True
    """
    file = Path(path) if path is not None else released_path()
    file.write_text(json.dumps(dict(sorted(released.items())), indent=2) + "\n", encoding="utf-8")
    return file


class ReleaseError(SndsAlgosError, ValueError):
    """A version cannot be released (draft, or released before with other content)."""


def release(algo: Algorithm, path: Path | str | None = None) -> str:
    """Record the fingerprint of ``algo`` in ``released.json`` and return it.

    Refuses drafts and refuses to overwrite a released version with other content.

    Examples
    --------
    >>> from snds_algos.registry import example_algorithm
    >>> try:
    ...     release(example_algorithm())
    ... except ReleaseError as err:
    ...     print(err)
    demo@0.1.0 is a draft: set its status to 'reviewed' (after review) before releasing it
    """
    if algo.status in ("draft", "under review"):
        raise ReleaseError(
            f"{algo.key} is a {algo.status}: set its status to 'reviewed' (after review) "
            "before releasing it"
        )
    released = read_released(path)
    digest = fingerprint(algo)
    old = released.get(algo.key)
    if old is not None and old != digest:
        raise ReleaseError(
            f"{algo.key} was released with fingerprint {old[:12]}..., its content now gives "
            f"{digest[:12]}...: released versions never change; give the change a new version"
        )
    released[algo.key] = digest
    write_released(released, path)
    return digest
