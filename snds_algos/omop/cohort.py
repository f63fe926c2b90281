"""COHORT and COHORT_DEFINITION: :mod:`snds_algos.cohorts` cohorts as OMOP cohorts.

A :class:`~snds_algos.cohorts.Cohort` has one row per person and period (``patient_id,
index_date, exit_date``, inclusive). Its OMOP COHORT rows are ``cohort_definition_id``
(the id given to the cohort), ``subject_id`` = the ``person_id`` of the same person (the
documented hash of :mod:`snds_algos.omop.ids`, so that a subject joins PERSON and every
clinical table), ``cohort_start_date`` = the index date and ``cohort_end_date`` = the
exit date (both inclusive, as OMOP's). Its COHORT_DEFINITION row names it: name and
description from the cohort definition, the definition type *Standard algorithm*
(32880), subjects are persons (1147314, the CDM table concept ``person``) and the
initiation date is the export's release date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import narwhals as nw

from snds_algos.backend import backend_of_lazy, lazy
from snds_algos.errors import ParameterError
from snds_algos.omop._common import int_lit, of_persons
from snds_algos.omop.concepts import concept
from snds_algos.omop.schema import COHORT_TABLES
from snds_algos.reports import Report


def numbered_cohorts(cohorts: Any) -> dict[int, Any]:
    """The cohorts to export by ``cohort_definition_id``: a mapping ``{id: cohort}`` is
    kept (ids are positive integers), one cohort gets id 1, a list ids 1, 2... in order.

    >>> numbered_cohorts(["a", "b"])
    {1: 'a', 2: 'b'}
    >>> numbered_cohorts({7: "a"})
    {7: 'a'}
    """
    if cohorts is None:
        return {}
    if isinstance(cohorts, Mapping):
        out = dict(cohorts)
    elif isinstance(cohorts, Iterable) and not isinstance(cohorts, str | bytes):
        out = {i: c for i, c in enumerate(cohorts, start=1)}
    else:
        out = {1: cohorts}
    bad = [k for k in out if isinstance(k, bool) or not isinstance(k, int) or k < 1]
    if bad:
        raise ParameterError(
            "cohorts", f"cohort_definition_id must be positive integers, not {bad!r}"
        )
    return out


def _cohort_rows(cohort: Any, backend: str) -> nw.LazyFrame:
    rows = lazy(cohort.rows)
    if backend_of_lazy(rows) != backend:
        raise ParameterError(
            "cohorts",
            f"cohort {cohort.name!r} was built on {backend_of_lazy(rows)}, the export runs on "
            f"{backend}: build it on the same source",
        )
    return rows


def cohort_table(
    cohorts: Mapping[int, Any], person: nw.LazyFrame, report: Report | None = None
) -> nw.LazyFrame:
    """COHORT rows of ``cohorts`` (``{cohort_definition_id: Cohort}``, built on the
    backend of ``person``), restricted to the persons of PERSON: rows of persons left out
    of PERSON (no birth year) are counted in ``report`` (``omop:person_not_exported``).

    Examples
    --------
    >>> import datetime as dt, pandas as pd
    >>> from snds_algos.backend import lazy, to_native
    >>> from snds_algos.contracts.dtypes import date_series
    >>> from snds_algos.omop.ids import hash_key
    >>> class Rows:  # the rows of a cohort (snds_algos.cohorts.Cohort.rows)
    ...     name = "example"
    ...     rows = pd.DataFrame({"patient_id": ["P1"],
    ...         "index_date": date_series([dt.date(2020, 3, 1)]),
    ...         "exit_date": date_series([dt.date(2020, 6, 8)])})
    >>> person = lazy(pd.DataFrame({"patient_id": ["P1"], "person_id": [hash_key("P1")]}))
    >>> out = to_native(cohort_table({1: Rows()}, person))
    >>> out.values.tolist() == [[1, hash_key("P1"), dt.date(2020, 3, 1), dt.date(2020, 6, 8)]]
    True
    """
    backend = backend_of_lazy(person)
    parts = []
    for definition_id, cohort in cohorts.items():
        rows = _cohort_rows(cohort, backend).select("patient_id", "index_date", "exit_date")
        parts.append(rows.with_columns(int_lit(definition_id).alias("cohort_definition_id")))
    both = nw.concat(parts, how="vertical") if len(parts) > 1 else parts[0]
    # subject_id: PERSON's person_id, the hash of the same person key
    kept = of_persons(both, person, "cohort", report)
    return kept.select(
        "cohort_definition_id",
        nw.col("person_id").alias("subject_id"),
        nw.col("index_date").alias("cohort_start_date"),
        nw.col("exit_date").alias("cohort_end_date"),
    )


def _text(cohort: Any) -> tuple[str, str, str]:
    """Name, description and syntax of a cohort's definition row."""
    from snds_algos import __version__

    definition = getattr(cohort, "definition", None)
    ident = getattr(definition, "id", None) or cohort.name
    label = getattr(definition, "label", "") or ""
    name = str(cohort.name or ident)[:255]
    syntax = f"snds_algos.cohorts definition {ident!r} (snds-algos {__version__})"
    return name, label, syntax


def cohort_definition_table(
    cohorts: Mapping[int, Any], person: nw.LazyFrame, initiation: dt.date
) -> nw.LazyFrame:
    """One COHORT_DEFINITION row per cohort, on the backend of ``person`` (each row is
    built on the one-row count of ``person``, so that it is a frame of that backend)."""
    one = person.select(nw.len().alias("__n"))
    parts = []
    for definition_id, cohort in cohorts.items():
        name, label, syntax = _text(cohort)
        parts.append(
            one.select(
                int_lit(definition_id).alias("cohort_definition_id"),
                nw.lit(name).alias("cohort_definition_name"),
                nw.lit(label or None, dtype=nw.String()).alias("cohort_definition_description"),
                int_lit(concept("derived")).alias("definition_type_concept_id"),
                nw.lit(syntax).alias("cohort_definition_syntax"),
                int_lit(concept("person_domain")).alias("subject_concept_id"),
                nw.lit(initiation, dtype=nw.Date()).alias("cohort_initiation_date"),
            )
        )
    return nw.concat(parts, how="vertical") if len(parts) > 1 else parts[0]


__all__ = ["COHORT_TABLES", "cohort_definition_table", "cohort_table", "numbered_cohorts"]
