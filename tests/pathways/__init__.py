"""Care pathways tests: supply, exposure periods, adherence, on every backend."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from snds_algos.contracts.dtypes import date_series
from tests.helpers import rows

CIP = "3400930000001"


def D(text: str) -> dt.date:
    """A date from ``YYYY-MM-DD``."""
    return dt.date.fromisoformat(text)


def dispensings(*items: tuple, cip13: str = CIP) -> pd.DataFrame:
    """``drug_dispensing`` events from tuples ``(patient, date, atc[, boxes[, large[, cip13]]])``
    (1 box, standard pack by default)."""
    recs = []
    for item in items:
        pid, day, atc, *rest = item
        boxes = rest[0] if len(rest) > 0 else 1.0
        large = rest[1] if len(rest) > 1 else False
        cip = rest[2] if len(rest) > 2 else cip13
        recs.append((pid, day, atc, cip, boxes, large))
    frame = pd.DataFrame(
        recs, columns=["patient_id", "start", "value", "cip13", "weight", "large_pack"]
    )
    return pd.DataFrame(
        {
            "patient_id": frame["patient_id"].astype("string[pyarrow]"),
            "category": pd.Series(["drug_dispensing"] * len(frame), dtype="string[pyarrow]"),
            "start": date_series(list(frame["start"])),
            "value": frame["value"].astype("string[pyarrow]"),
            "cip13": frame["cip13"].astype("string[pyarrow]"),
            "weight": pd.array(frame["weight"], dtype="Float64"),
            "large_pack": pd.array(frame["large_pack"], dtype="boolean"),
        }
    )


def stays(*items: tuple[str, str, str]) -> pd.DataFrame:
    """``hospital_stay`` events from ``(patient, entry, exit)``."""
    return pd.DataFrame(
        {
            "patient_id": pd.Series([i[0] for i in items], dtype="string[pyarrow]"),
            "start": date_series([i[1] for i in items]),
            "end": date_series([i[2] for i in items]),
        }
    )


def follow_up(*items: tuple[str, str, str]) -> pd.DataFrame:
    """A follow-up frame from ``(patient, fu_start, fu_end)``."""
    return pd.DataFrame(
        {
            "patient_id": pd.Series([i[0] for i in items], dtype="string[pyarrow]"),
            "fu_start": date_series([i[1] for i in items]),
            "fu_end": date_series([i[2] for i in items]),
        }
    )


def deaths(*items: tuple[str, str]) -> pd.DataFrame:
    """Death events from ``(patient, date)``."""
    return pd.DataFrame(
        {
            "patient_id": pd.Series([i[0] for i in items], dtype="string[pyarrow]"),
            "start": date_series([i[1] for i in items]),
        }
    )


def table(frame: Any, columns: list[str], key: list[str]) -> list[tuple]:
    """Rows of a result (any backend) as tuples of ``columns``, sorted on ``key``."""
    return [tuple(r[c] for c in columns) for r in rows(frame, key)]
