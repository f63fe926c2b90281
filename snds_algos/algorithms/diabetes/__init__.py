"""Diabetes case identification (CNAM cartography style), defined in ``definition.yaml``.

See ``card.yaml`` for the definition in words, its sources and limits.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Any

from snds_algos.cases import Definition, identify, load_definition
from snds_algos.reports import Report

ALGORITHM_ID = "diabetes"


@cache
def definition() -> Definition:
    """The diabetes definition with its default parameters.

    >>> sorted(definition().enabled())
    ['ald', 'drugs', 'hospital', 'hospital_complication']
    """
    return load_definition(resources.files(__name__) / "definition.yaml")


def extract_events(data: Any, year: int, *, report: Report | None = None) -> dict[str, Any]:
    """The events the definition reads, extracted from raw tables for reference year N.

    Drug dispensings of years N-1 and N (ATC A10), MCO diagnoses of PMSI years N-1 and N
    (diabetes and its complications), and diabetes ALDs.
    """
    from snds_algos.events import drug_dispensings, hospital_diagnoses, long_term_illnesses
    from snds_algos.io import open_source

    source = open_source(data)
    lists = definition().code_lists
    period = (dt.date(year - 1, 1, 1), dt.date(year, 12, 31))
    years = [y for y in (year - 1, year) if y in source.years("T_MCOaaB")]
    events = {
        "drugs": drug_dispensings(
            source, atc=list(lists["a10_antidiabetics"]), period=period, report=report
        ),
        "ald": long_term_illnesses(source, codes=list(lists["diabetes_icd10"]), report=report),
    }
    if years:
        codes = [*lists["diabetes_icd10"], *lists["diabetes_complications_icd10"]]
        events["diagnoses"] = hospital_diagnoses(source, codes=codes, years=years, report=report)
    return events


def run(
    data: Any = None,
    year: int | None = None,
    *,
    events: Any = None,
    population: Any = None,
    report: Report | None = None,
    **params: Any,
) -> Any:
    """Identify persons with diabetes for reference year ``year``.

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
        ``ald_natures``, ``ald_excluded_natures``, ``exclude_sglt2_monotherapy`` (see the card).

    Returns
    -------
    One row per person (same backend as the input): flags and dates per criterion, ``case``.

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> ald = pd.DataFrame({"patient_id": ["P1"], "category": ["ald"], "group_id": ["41"],
    ...                     "value": ["E11"], "start": date_series(["2010-05-01"]),
    ...                     "end": date_series([None])})
    >>> run(events=ald, year=2020)[["patient_id", "ald", "case"]].values.tolist()
    [['P1', True, True]]
    """
    if year is None:
        raise TypeError("run() needs the reference year: run(data, year=2020)")
    spec = definition().with_parameters(**params) if params else definition()
    if events is None:
        if data is None:
            raise TypeError("run() needs the raw tables (data) or precomputed events")
        events = extract_events(data, year, report=report)
        if population is True:
            from snds_algos.identity import person_index
            from snds_algos.io import open_source

            source = open_source(data)
            population = person_index(
                source.read("IR_BEN_R", ["BEN_NIR_PSA", "BEN_RNG_GEM", "BEN_IDT_ANO"])
            ).to_native()
    elif population is True:
        raise TypeError("population=True needs the raw tables; pass a frame of patient_id")
    return identify(spec, events, year, population=population)
