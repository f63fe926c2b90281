"""Hand-made periods and follow-ups for the states, transitions, lines and sequences tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from snds_algos.contracts.dtypes import date_series

D = dt.date.fromisoformat


def periods(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    """Periods from ``(patient_id, key, start, end)`` tuples (ISO dates)."""
    return pd.DataFrame(
        {
            "patient_id": pd.array([r[0] for r in rows], dtype="string[pyarrow]"),
            "key": pd.array([r[1] for r in rows], dtype="string[pyarrow]"),
            "start": date_series([r[2] for r in rows]),
            "end": date_series([r[3] for r in rows]),
        }
    )


def follow_up(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    """Follow-ups from ``(patient_id, fu_start, fu_end, end_reason)`` tuples."""
    return pd.DataFrame(
        {
            "patient_id": pd.array([r[0] for r in rows], dtype="string[pyarrow]"),
            "fu_start": date_series([r[1] for r in rows]),
            "fu_end": date_series([r[2] for r in rows]),
            "end_reason": pd.array([r[3] for r in rows], dtype="string[pyarrow]"),
        }
    )


def table(frame: Any, columns: list[str], backend: Any) -> list[tuple]:
    """Rows of a result (any backend) as tuples of ``columns``, dates as ISO strings,
    sorted in the result's order (pandas: as returned; others: by the listed columns)."""
    out = backend.collect(frame)
    if backend.name != "pandas":
        order = [c for c in ("patient_id", "state_no", "transition_no", "line_no", "bin", "start")
                 if c in out.columns][:2]  # fmt: skip
        out = out.sort_values(order, kind="stable")
    rows = []
    for rec in out[columns].itertuples(index=False):
        rows.append(
            tuple(
                None if pd.isna(v) else (v.isoformat() if isinstance(v, dt.date) else v)
                for v in rec
            )
        )
    return rows
