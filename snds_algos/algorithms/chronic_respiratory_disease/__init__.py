"""Chronic respiratory disease (asthma, COPD, chronic respiratory failure), CNAM cartography style - DRAFT (codes to verify against the CNAM method), defined in
``definition.yaml``. See ``card.yaml`` for the definition in words, its sources and limits.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from snds_algos.cases import Definition, load_definition
from snds_algos.cases.extract import extract_for, run_definition
from snds_algos.reports import Report

ALGORITHM_ID = "chronic_respiratory_disease"


@cache
def definition() -> Definition:
    """The chronic respiratory disease definition with its default parameters.

    >>> sorted(definition().enabled())
    ['ald', 'drugs', 'hospital']
    """
    return load_definition(resources.files(__name__) / "definition.yaml")


def extract_events(data: Any, year: int, *, report: Report | None = None) -> dict[str, Any]:
    """The events the definition reads, extracted from raw tables for reference year N
    (ALDs, MCO diagnoses J40-J47, J96 of PMSI years N-4 to N, R03 dispensings of year N).

    >>> from snds_algos.synthetic import generate_tables
    >>> sorted(extract_events(generate_tables(300, "2020", 1), 2020))
    ['ald', 'diagnoses', 'drugs']
    """
    return extract_for(definition(), data, year, report=report)


def run(
    data: Any = None,
    year: int | None = None,
    *,
    events: Any = None,
    population: Any = None,
    report: Report | None = None,
    **params: Any,
) -> Any:
    """Identify persons with chronic respiratory disease in year ``year`` (DRAFT definition).

    Parameters
    ----------
    data:
        The raw tables: a :class:`~snds_algos.io.TableSource`, a folder path, or a
        ``{table: frame}`` mapping (pandas or Spark). Not needed when ``events`` is given.
    year:
        Reference year N.
    events:
        Precomputed events (a frame or a mapping of frames following the events contract)
        instead of ``data``.
    population:
        A frame with ``patient_id``: every person of it gets a row (``True`` with
        ``data``: every person of IR_BEN_R).
    report:
        Receives the cleaning and patient-attribution counts of the extraction.
    **params:
        ``ald_natures`` (see the card).

    Returns
    -------
    One row per person (same backend as the input): per enabled criterion a flag and the
    date it is first met, ``case``.

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> ald = pd.DataFrame({"patient_id": ["P1"], "category": ["ald"], "group_id": ["41"],
    ...                     "value": ["J449"], "start": date_series(["2010-05-01"]),
    ...                     "end": date_series([None])})
    >>> run(events=ald, year=2020)[["patient_id", "ald", "case"]].values.tolist()
    [['P1', True, True]]
    """
    return run_definition(
        definition(),
        extract_events,
        data,
        year,
        events=events,
        population=population,
        report=report,
        **params,
    )
