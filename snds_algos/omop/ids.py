"""Stable, reproducible OMOP ids: 60-bit integers hashed from the SNDS keys.

* ``person_id`` = the first 15 hex digits of the SHA-256 of the pseudonymous person key
  ``patient_id`` (UTF-8), read as an integer:
  ``int(hashlib.sha256(patient_id.encode()).hexdigest()[:15], 16)``. The same person
  key gives the same ``person_id`` on every backend, in every run and every export.
* every other id hashes, the same way, the table name and the natural key of the row
  joined by ``"|"`` (e.g. ``"visit_occurrence|MCO:010000001:0000000001:2020"``), with
  dates written ``YYYY-MM-DD`` and nulls as empty strings: the same row always gets the
  same id, and ids are unique per table as long as the natural keys are (the loader
  checks the primary keys).

With 60 bits, the chance that any two of 10 million keys collide is about 1 in 23 000.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import narwhals as nw

from snds_algos.backend import hash63

SEPARATOR = "|"


def hash_key(value: str) -> int:
    """The id of a key string, computed in Python (the reference of :func:`with_id`).

    >>> hash_key("P1")
    1134536004152490857
    """
    return int(hashlib.sha256(value.encode("utf-8")).hexdigest()[:15], 16)


def key_expr(prefix: str | None, columns: Sequence[str | nw.Expr]) -> nw.Expr:
    """The key string ``prefix|c1|c2...`` of ``columns`` (cast to string, nulls as "")."""
    parts: list[nw.Expr] = [nw.lit(prefix)] if prefix else []
    for column in columns:
        expr = nw.col(column) if isinstance(column, str) else column
        parts.append(expr.cast(nw.String()).fill_null(""))
    with_sep: list[nw.Expr] = []
    for i, part in enumerate(parts):
        if i:
            with_sep.append(nw.lit(SEPARATOR))
        with_sep.append(part)
    return nw.concat_str(with_sep, ignore_nulls=False)


def with_id(
    frame: nw.LazyFrame, out: str, prefix: str | None, columns: Sequence[str | nw.Expr]
) -> nw.LazyFrame:
    """``frame`` with ``out``: the hash of the key ``prefix|columns...`` (see module doc).

    >>> import pandas as pd
    >>> from snds_algos.backend import lazy, to_native
    >>> df = pd.DataFrame({"patient_id": pd.array(["P1"], dtype="string[pyarrow]")})
    >>> to_native(with_id(lazy(df), "person_id", None, ["patient_id"]))["person_id"].tolist()
    [1134536004152490857]
    """
    frame = frame.with_columns(key_expr(prefix, columns).alias("__key"))
    return hash63(frame, "__key", out).drop("__key")


def person_ids(frame: nw.LazyFrame, column: str = "patient_id") -> nw.LazyFrame:
    """``frame`` with ``person_id``, the hash of the person key ``column``."""
    return with_id(frame, "person_id", None, [column])
