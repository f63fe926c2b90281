"""Hand-made events and patients for the cohort tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from snds_algos.cohorts import build_cohort, definition_from_dict
from snds_algos.contracts.dtypes import date_series

#: the data bounds of the worked examples of cohorts.md
DATA_START, DATA_END = "2015-01-01", "2020-12-31"
#: the code lists of the examples
CODES = {
    "metformin": ["A10BA02"],
    "a10": ["A10"],
    "insulin": ["A10A"],
    "e11": ["E11"],
    "i21": ["I21"],
    "astart": ["XS"],
    "aend": ["XE"],
    "bstart": ["YS"],
    "bend": ["YE"],
}
#: criteria of the examples
CRITERIA = {
    "metformin": {"events": "drug_dispensing", "codes": "metformin"},
    "a10": {"events": "drug_dispensing", "codes": "a10"},
    "insulin": {"events": "drug_dispensing", "codes": "insulin"},
    "t2d": {"events": "hospital_diagnosis", "codes": "e11", "positions": ["DP", "DR", "DA"]},
    "mi": {"events": "hospital_diagnosis", "codes": "i21", "positions": ["DP"]},
    "a_start": {"events": "medical_act", "codes": "astart"},
    "a_end": {"events": "medical_act", "codes": "aend"},
    "b_start": {"events": "medical_act", "codes": "bstart"},
    "b_end": {"events": "medical_act", "codes": "bend"},
}
_CATEGORY = {"A": "drug_dispensing", "E": "hospital_diagnosis", "I": "hospital_diagnosis"}


def events(*rows: tuple[Any, ...]) -> pd.DataFrame:
    """Events from ``(patient, code, start[, end[, position]])``; the category follows
    the code (A: dispensing, E/I: hospital diagnosis, others: medical act)."""
    out = []
    for row in rows:
        pid, code, start, *rest = row
        end = rest[0] if rest else None
        position = rest[1] if len(rest) > 1 else "DP"
        category = _CATEGORY.get(code[0], "medical_act")
        out.append(
            {
                "patient_id": pid,
                "category": category,
                "value": code,
                "start": start,
                "end": end,
                "position": position if category == "hospital_diagnosis" else None,
                "level": "stay" if category == "hospital_diagnosis" else None,
            }
        )
    frame = pd.DataFrame(
        out, columns=["patient_id", "category", "value", "start", "end", "position", "level"]
    )
    text = pd.StringDtype("pyarrow")
    return frame.assign(
        patient_id=frame["patient_id"].astype(text),
        category=frame["category"].astype(text),
        value=frame["value"].astype(text),
        position=frame["position"].astype(text),
        level=frame["level"].astype(text),
        start=date_series(list(frame["start"])),
        end=date_series(list(frame["end"])),
    )


def patients(*rows: tuple[Any, ...]) -> pd.DataFrame:
    """Patients from ``(patient, sex, birth_date, death_date)``."""
    frame = pd.DataFrame(rows, columns=["patient_id", "sex", "birth_date", "death_date"])
    text = pd.StringDtype("pyarrow")
    return frame.assign(
        patient_id=frame["patient_id"].astype(text),
        sex=frame["sex"].astype(text),
        birth_date=date_series(list(frame["birth_date"])),
        death_date=date_series(list(frame["death_date"])),
    )


def alive(*ids: str, sex: str = "2", birth: str = "1950-01-01") -> pd.DataFrame:
    """Patients alive at the end of the data, born in 1950."""
    return patients(*[(i, sex, birth, None) for i in ids])


def definition(**parts: Any):
    """A definition over the example criteria."""
    doc = {"id": parts.pop("id", "example"), "criteria": CRITERIA, **parts}
    return definition_from_dict(doc, CODES)


def build(backend: Any, spec: Any, ev: pd.DataFrame, pts: pd.DataFrame | None, **kw: Any):
    """Build on the backend under test (inputs made of that backend)."""
    return build_cohort(
        spec,
        events=backend.frame(ev),
        patients=None if pts is None else backend.frame(pts),
        data_start=kw.pop("data_start", DATA_START),
        data_end=kw.pop("data_end", DATA_END),
        **kw,
    )


def rows(
    backend: Any,
    cohort: Any,
    columns=("patient_id", "index_date", "exit_date", "exit_reason", "duration_days"),
) -> list[tuple]:
    """The rows of a cohort as sorted tuples of plain values."""
    frame = backend.collect(cohort.rows)
    out = []
    for rec in frame[list(columns)].to_dict("records"):
        out.append(tuple(_plain(rec[c]) for c in columns))
    return sorted(out, key=lambda r: tuple(str(v) for v in r))


def _plain(v: Any) -> Any:
    if isinstance(v, pd.Timestamp):
        return v.date()
    if hasattr(v, "item") and not isinstance(v, str):
        return v.item()
    return v


def counts(cohort: Any) -> list[tuple[str, int, int]]:
    """``(reason, persons, records)`` of each attrition step."""
    a = cohort.attrition
    return list(zip(a["reason"], a["n_persons"], a["n_records"], strict=True))


def d(text: str) -> dt.date:
    """A date."""
    return dt.date.fromisoformat(text)
