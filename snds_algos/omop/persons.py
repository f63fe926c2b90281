"""PERSON, DEATH and OBSERVATION_PERIOD."""

from __future__ import annotations

from typing import Any

import narwhals as nw

from snds_algos.backend import day_number, from_day_number, lazy
from snds_algos.omop._common import int_lit
from snds_algos.omop.concepts import concept
from snds_algos.omop.ids import person_ids, with_id
from snds_algos.omop.vocabulary import map_codes
from snds_algos.reports import Report

#: death_type_concept_id by the table that dated the death
DEATH_TYPES = {"IR_BEN_R": "registry", "KI_CCI_R": "death_certificate", "T_MCOaaB": "hospital"}


def persons(patients: Any, report: Report | None = None) -> nw.LazyFrame:
    """PERSON rows (and the helper columns ``patient_id, birth_date``) of the patients
    table (:func:`snds_algos.events.patients`).

    A person without a birth year (BEN_NAI_ANN missing or 1600) is left out, and counted
    (``omop:no_birth_year``): PERSON.year_of_birth is required. Sex: BEN_SEX_COD 1 is
    MALE (8507), 2 FEMALE (8532), other codes 0; the source value is kept. Month of
    birth from BEN_NAI_MOI; no day of birth (the SNDS has none). Race and ethnicity 0
    (not collected in France). ``person_source_value`` is the pseudonymous person key.

    Examples
    --------
    >>> import datetime as dt, pandas as pd
    >>> from snds_algos.backend import to_native
    >>> from snds_algos.contracts.dtypes import date_series
    >>> patients = pd.DataFrame({"patient_id": ["P1", "P2"], "sex": ["2", "1"],
    ...     "birth_date": date_series([dt.date(1950, 7, 1), None]),
    ...     "death_date": date_series([None, None]), "department": ["075", "013"]})
    >>> to_native(persons(patients))[["gender_concept_id", "year_of_birth",
    ...     "month_of_birth", "person_source_value"]].values.tolist()
    [[8532, 1950, 7, 'P1']]
    """
    lf = lazy(patients)
    no_birth = nw.col("birth_date").is_null()
    if report is not None:
        report.add_flags(
            "PERSON",
            lf,
            [("omop:no_birth_year", "persons without a birth year (year_of_birth is required)",
              no_birth)],
        )  # fmt: skip
    lf = person_ids(lf.filter(~no_birth))
    sex = nw.col("sex")
    gender = (
        nw.when(sex == "1")
        .then(int_lit(concept("male")))
        .when(sex == "2")
        .then(int_lit(concept("female")))
        .otherwise(int_lit(0))
    )
    return lf.select(
        "person_id",
        gender.fill_null(0).alias("gender_concept_id"),
        nw.col("birth_date").dt.year().cast(nw.Int64()).alias("year_of_birth"),
        nw.col("birth_date").dt.month().cast(nw.Int64()).alias("month_of_birth"),
        int_lit(0).alias("race_concept_id"),
        int_lit(0).alias("ethnicity_concept_id"),
        nw.col("patient_id").alias("person_source_value"),
        sex.alias("gender_source_value"),
        int_lit(0).alias("gender_source_concept_id"),
        "patient_id",
        "birth_date",
    )


def death(
    deaths: Any, person: nw.LazyFrame, mapping: Any, vocabulary_id: str,
    report: Report | None = None,
) -> nw.LazyFrame:  # fmt: skip
    """DEATH rows from the death events (:func:`snds_algos.events.deaths`, its source
    priority): one per person; the type of record says which table dated it (IR_BEN_R:
    registry, KI_CCI_R: death certificate, MCO discharge: hospital); the CépiDc initial
    cause in ``cause_source_value``, mapped in ``vocabulary_id`` (ICD10)."""
    from snds_algos.omop._common import of_persons

    lf = of_persons(deaths, person, "death", report)
    kind = nw.col("source")
    death_type = int_lit(0)
    for table, key in DEATH_TYPES.items():
        death_type = nw.when(kind == table).then(int_lit(concept(key))).otherwise(death_type)
    lf = map_codes(lf, "cause", vocabulary_id, mapping, source_out="cause_source_concept_id",
                   concept_out="cause_concept_id")  # fmt: skip
    has_cause = ~nw.col("cause").is_null()
    return lf.select(
        "person_id",
        nw.col("start").alias("death_date"),
        death_type.alias("death_type_concept_id"),
        nw.when(has_cause).then(nw.col("cause_concept_id")).alias("cause_concept_id"),
        nw.col("cause").alias("cause_source_value"),
        nw.when(has_cause).then(nw.col("cause_source_concept_id")).alias("cause_source_concept_id"),
        "patient_id",
    )


def extraction_bounds(dated: list[nw.LazyFrame]) -> nw.LazyFrame:
    """One row ``__lo, __hi`` (day numbers): the first and last care dates of ``dated``
    (frames of ``start, end`` dates).

    Examples
    --------
    >>> import datetime as dt, pandas as pd
    >>> from snds_algos.backend import lazy, to_native
    >>> from snds_algos.contracts.dtypes import date_series
    >>> f = pd.DataFrame({"start": date_series([dt.date(1970, 1, 2), dt.date(1970, 1, 5)]),
    ...                   "end": date_series([dt.date(1970, 1, 10), None])})
    >>> to_native(extraction_bounds([lazy(f)])).values.tolist()
    [[1, 9]]
    """
    parts = [
        lazy(f).select(nw.col("start"), nw.coalesce(nw.col("end"), nw.col("start")).alias("end"))
        for f in dated
    ]
    both = nw.concat(parts, how="vertical")
    bounds = both.select(nw.col("start").min().alias("lo"), nw.col("end").max().alias("hi"))
    bounds = day_number(day_number(bounds, "lo", "__lo"), "hi", "__hi")
    return bounds.select("__lo", "__hi")


def observation_period(
    person: nw.LazyFrame, death_rows: nw.LazyFrame, bounds: nw.LazyFrame,
    report: Report | None = None,
) -> nw.LazyFrame:  # fmt: skip
    """One OBSERVATION_PERIOD per person: the extraction bounds (first and last care
    date of the whole export) clipped by the person's birth (first day of the birth
    month) and death (DEATH.death_date). The SNDS covers every insured resident: a
    person of the referential is observed throughout the extraction, whether or not
    they had care. A person born after the last date or dead before the first gets no
    period (counted: ``omop:no_observation``)."""
    deaths = death_rows.select("person_id", nw.col("death_date"))
    lf = person.select("person_id", "patient_id", "birth_date").join(
        deaths, on="person_id", how="left"
    )
    lf = day_number(day_number(lf, "birth_date", "__birth"), "death_date", "__death")
    lf = lf.join(bounds, how="cross")
    lf = lf.with_columns(
        nw.max_horizontal("__lo", "__birth").alias("__s"),
        nw.min_horizontal("__hi", nw.coalesce(nw.col("__death"), nw.col("__hi"))).alias("__e"),
    )
    empty = nw.col("__s") > nw.col("__e")
    if report is not None:
        report.add_flags(
            "OBSERVATION_PERIOD", lf,
            [("omop:no_observation", "persons born after the last date or dead before the first",
              empty)],
        )  # fmt: skip
    lf = from_day_number(lf.filter(~empty), {"__s": "observation_period_start_date",
                                             "__e": "observation_period_end_date"})  # fmt: skip
    lf = with_id(lf, "observation_period_id", "observation_period", ["patient_id"])
    return lf.select(
        "observation_period_id",
        "person_id",
        "observation_period_start_date",
        "observation_period_end_date",
        int_lit(concept("derived")).alias("period_type_concept_id"),
    )
