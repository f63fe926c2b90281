"""Plumbing shared by the OMOP table builders."""

from __future__ import annotations

from typing import Any

import narwhals as nw

from snds_algos.backend import lazy
from snds_algos.omop.concepts import concept
from snds_algos.reports import Report

#: type of record of each SNDS source table (see ``concepts.csv``)
CLAIM_TABLES = ("ER_PHA_F", "ER_CAM_F", "ER_BIO_F", "ER_PRS_F", "ER_UCD_F")


def type_concept(source: str = "source") -> nw.Expr:
    """``*_type_concept_id`` of a row from the SNDS table in column ``source``: DCIR
    tables are claims, PMSI tables hospital records."""
    return (
        nw.when(nw.col(source).is_in(list(CLAIM_TABLES)))
        .then(nw.lit(concept("claim")))
        .otherwise(nw.lit(concept("hospital")))
        .cast(nw.Int64())
    )


def int_lit(value: int) -> nw.Expr:
    """An Int64 literal."""
    return nw.lit(value, dtype=nw.Int64())


def of_persons(
    rows: Any, persons: nw.LazyFrame, omop_table: str, report: Report | None
) -> nw.LazyFrame:
    """The rows of persons of the PERSON table (inner join on ``patient_id``); the
    others (persons left out of PERSON: no birth year) counted in ``report``."""
    lf = lazy(rows)
    keys = persons.select("patient_id", "person_id")
    if report is None:
        return lf.join(keys, on="patient_id", how="inner")
    both = lf.join(keys.with_columns(nw.lit(True).alias("__p")), on="patient_id", how="left")
    report.add_flags(
        omop_table.upper(),
        both,
        [
            (
                "omop:person_not_exported",
                "rows of persons left out of PERSON",
                nw.col("__p").is_null(),
            )
        ],
    )
    return both.filter(~nw.col("__p").is_null()).drop("__p")
