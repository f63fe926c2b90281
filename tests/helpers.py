"""Helpers for tests: compare results of both backends row for row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from conftest import to_pandas


def _plain(value: Any) -> Any:
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.date() if value == value.normalize() else value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value


def rows(frame: Any, key: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Rows of a pandas or Spark frame as plain Python dicts, sorted on ``key``.

    Dates become ``datetime.date``, missing values ``None``, numpy scalars Python ones,
    so the same data compares equal whatever the backend.
    """
    pdf = to_pandas(frame)
    records = [{k: _plain(v) for k, v in rec.items()} for rec in pdf.to_dict("records")]
    if key:
        records.sort(
            key=lambda r: tuple((r[k] is None, r[k] if r[k] is not None else 0) for k in key)
        )
    return records


def assert_same_rows(left: Any, right: Any, key: Sequence[str]) -> None:
    """Assert two frames (any backends) hold the same rows after sorting on ``key``."""
    a, b = rows(left, key), rows(right, key)
    assert list(to_pandas(left).columns) == list(to_pandas(right).columns)
    assert a == b
