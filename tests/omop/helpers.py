"""Shared helpers of the OMOP tests: one export of a world per backend and test run."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from snds_algos.backend import backend_of
from snds_algos.io import open_source
from snds_algos.omop import export_omop
from snds_algos.omop.ids import hash_key

RELEASE = dt.date(2026, 1, 1)
_CACHE: dict[tuple[str, str], Any] = {}


def exported(backend: Any, name: str, make_tables: Any, **kwargs: Any) -> dict[str, pd.DataFrame]:
    """The export of the world ``name`` (tables as pandas), built once per backend: the
    inputs are frames of the backend under test, the export runs on it."""
    key = (backend.name, name)
    if key not in _CACHE:
        src = open_source({t: backend.frame(f) for t, f in make_tables().items()})
        export = export_omop(src, release_date=RELEASE, **kwargs)
        for frame in export.tables.values():  # the export stays on its backend
            assert backend_of(frame) == backend.name
        tables = {t: backend.collect(f) for t, f in export.tables.items()}
        _CACHE[key] = (tables, export)
    else:
        backend.reuse()
    return _CACHE[key][0]


def export_of(backend: Any, name: str) -> Any:
    """The :class:`OmopExport` cached by :func:`exported`."""
    return _CACHE[(backend.name, name)][1]


def pid(patient_id: str) -> int:
    """The person_id of a person key."""
    return hash_key(patient_id)


def records(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """Rows of ``columns`` as sorted tuples (pandas NA as None)."""
    out = frame[columns].astype(object).where(frame[columns].notna(), None)
    return sorted(map(tuple, out.values.tolist()), key=lambda r: tuple(str(v) for v in r))
