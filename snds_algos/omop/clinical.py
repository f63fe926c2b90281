"""CONDITION_OCCURRENCE, DRUG_EXPOSURE, PROCEDURE_OCCURRENCE and MEASUREMENT."""

from __future__ import annotations

from typing import Any

import narwhals as nw

from snds_algos.backend import add_days, lazy
from snds_algos.omop._common import int_lit, of_persons, type_concept
from snds_algos.omop.concepts import concept
from snds_algos.omop.ids import with_id
from snds_algos.omop.vocabulary import map_codes
from snds_algos.pathways.supply import pack_days_of
from snds_algos.reports import Report


def days_supply(boxes: str = "weight", large_pack: str = "large_pack") -> nw.Expr:
    """Days of supply of a dispensing: boxes x pack days (90 for a large pack, else 30:
    :func:`snds_algos.pathways.supply.pack_days_of`, the library's one supply rule).

    >>> import pandas as pd
    >>> from snds_algos.backend import lazy, to_native
    >>> df = pd.DataFrame({"weight": [2.0, 1.0], "large_pack": [True, False]})
    >>> to_native(lazy(df).select(days_supply().alias("d")))["d"].tolist()
    [180, 30]
    """
    return (nw.col(boxes).round(0).cast(nw.Int64()) * pack_days_of(large_pack)).cast(nw.Int64())


def _with_visit(lf: nw.LazyFrame, visits: nw.LazyFrame | None) -> nw.LazyFrame:
    """``visit_occurrence_id`` of rows whose ``group_id`` is an exported MCO stay."""
    if visits is None:
        # a typed null (pandas cannot make an Int64 null literal): no row has a visit
        none = nw.when(nw.lit(False)).then(nw.col("person_id"))
        return lf.with_columns(none.alias("visit_occurrence_id"))
    ids = visits.select("group_id", "visit_occurrence_id")
    return lf.join(ids, on="group_id", how="left")


CONDITION_STATUS = {"DP": "primary_diagnosis", "DR": "secondary_diagnosis",
                    "DA": "secondary_diagnosis"}  # fmt: skip


def condition_occurrence(
    diagnoses: Any, person: nw.LazyFrame, visits: nw.LazyFrame | None, mapping: Any,
    vocabulary_id: str, report: Report | None = None,
) -> nw.LazyFrame:  # fmt: skip
    """One condition per hospital diagnosis at stay level
    (:func:`snds_algos.events.hospital_diagnoses`): dates = stay entry and exit, status
    from the position (DP: primary diagnosis 32902; DR and DA: secondary diagnosis
    32908; the position kept in ``condition_status_source_value``), the ICD-10 code in
    ``condition_source_value``, linked to the visit of its stay (MCO, SSR or HAD; null
    when the stay is not exported). Keeps the helper column ``patient_id``."""
    lf = of_persons(lazy(diagnoses).filter(nw.col("level") == "stay"), person,
                    "condition_occurrence", report)  # fmt: skip
    lf = with_id(lf, "condition_occurrence_id", "condition_occurrence",
                 ["group_id", "position", "value", "source"])  # fmt: skip
    lf = _with_visit(lf, visits)
    lf = map_codes(lf, "value", vocabulary_id, mapping, source_out="condition_source_concept_id",
                   concept_out="condition_concept_id")  # fmt: skip
    status = int_lit(0)
    for position, key in CONDITION_STATUS.items():
        status = (
            nw.when(nw.col("position") == position).then(int_lit(concept(key))).otherwise(status)
        )
    return lf.select(
        "condition_occurrence_id",
        "person_id",
        "condition_concept_id",
        nw.col("start").alias("condition_start_date"),
        nw.coalesce(nw.col("end"), nw.col("start")).alias("condition_end_date"),
        type_concept().alias("condition_type_concept_id"),
        status.alias("condition_status_concept_id"),
        "visit_occurrence_id",
        nw.col("value").alias("condition_source_value"),
        "condition_source_concept_id",
        nw.col("position").alias("condition_status_source_value"),
        "patient_id",
    )


def drug_exposure(
    drugs: Any, person: nw.LazyFrame, mapping: Any, vocabulary_id: str,
    report: Report | None = None,
) -> nw.LazyFrame:  # fmt: skip
    """One drug exposure per dispensing (:func:`snds_algos.events.drug_dispensings`,
    net boxes of a person, care date and CIP13): quantity = boxes, days_supply = boxes x
    pack days (:func:`days_supply`), start = care date, end = start + days_supply - 1
    (inclusive), the ATC code in ``drug_source_value`` (mapped in ATC), type: claim.
    Keeps the helper column ``patient_id``.

    Examples
    --------
    >>> import datetime as dt, pandas as pd
    >>> from snds_algos.backend import lazy, to_native
    >>> from snds_algos.contracts.dtypes import date_series
    >>> from snds_algos.events.drugs import DRUG_EXTRAS
    >>> from snds_algos.events.schema import finish_events
    >>> drugs = finish_events(pd.DataFrame({"patient_id": ["P1"], "category": "drug_dispensing",
    ...     "group_id": "A10BA02", "value": "A10BA02", "weight": [2.0],
    ...     "start": date_series([dt.date(2020, 1, 15)]), "end": date_series([None]),
    ...     "source": "ER_PHA_F", "cip13": "3400930000001", "large_pack": [True]}), DRUG_EXTRAS)
    >>> person = lazy(pd.DataFrame({"patient_id": ["P1"], "person_id": [1]}))
    >>> out = to_native(drug_exposure(drugs, person, None, "ATC"))
    >>> out[["quantity", "days_supply", "drug_exposure_end_date"]].values.tolist()
    [[2.0, 180, datetime.date(2020, 7, 12)]]
    """
    lf = of_persons(drugs, person, "drug_exposure", report)
    lf = with_id(lf, "drug_exposure_id", "drug_exposure", ["patient_id", "start", "cip13"])
    lf = lf.with_columns(days_supply().alias("days_supply"))
    lf = lf.with_columns((nw.col("days_supply") - 1).alias("__d"))
    lf = add_days(lf, "start", "__d", "drug_exposure_end_date")
    lf = map_codes(lf, "value", vocabulary_id, mapping, source_out="drug_source_concept_id",
                   concept_out="drug_concept_id")  # fmt: skip
    return lf.select(
        "drug_exposure_id",
        "person_id",
        "drug_concept_id",
        nw.col("start").alias("drug_exposure_start_date"),
        "drug_exposure_end_date",
        int_lit(concept("claim")).alias("drug_type_concept_id"),
        nw.col("weight").alias("quantity"),
        "days_supply",
        nw.col("value").alias("drug_source_value"),
        "drug_source_concept_id",
        "patient_id",
    )


def procedure_occurrence(
    acts: Any, person: nw.LazyFrame, visits: nw.LazyFrame | None, mapping: Any,
    vocabulary_id: str, report: Report | None = None,
) -> nw.LazyFrame:  # fmt: skip
    """One procedure per CCAM act (:func:`snds_algos.events.medical_acts`): date = act
    date, the CCAM code in ``procedure_source_value``; an MCO act is linked to the visit
    of its stay and typed hospital, a DCIR act (ER_CAM_F) has no visit and is typed
    claim."""
    lf = of_persons(acts, person, "procedure_occurrence", report)
    lf = with_id(lf, "procedure_occurrence_id", "procedure_occurrence",
                 ["source", "patient_id", "start", "value", "group_id"])  # fmt: skip
    lf = _with_visit(lf, visits)
    lf = map_codes(lf, "value", vocabulary_id, mapping,
                   source_out="procedure_source_concept_id", concept_out="procedure_concept_id")  # fmt: skip
    return lf.select(
        "procedure_occurrence_id",
        "person_id",
        "procedure_concept_id",
        nw.col("start").alias("procedure_date"),
        nw.col("start").alias("procedure_end_date"),
        type_concept().alias("procedure_type_concept_id"),
        "visit_occurrence_id",
        nw.col("value").alias("procedure_source_value"),
        "procedure_source_concept_id",
    )


def measurement(
    biology: Any, person: nw.LazyFrame, mapping: Any, vocabulary_id: str,
    report: Report | None = None,
) -> nw.LazyFrame:  # fmt: skip
    """One measurement per biology act (:func:`snds_algos.events.biology_acts`, net
    quantity of a person, care date and NABM code): the NABM code in
    ``measurement_source_value``, no result (the SNDS holds the act, not its value),
    type: claim."""
    lf = of_persons(biology, person, "measurement", report)
    lf = with_id(lf, "measurement_id", "measurement", ["patient_id", "start", "value"])
    lf = map_codes(lf, "value", vocabulary_id, mapping,
                   source_out="measurement_source_concept_id",
                   concept_out="measurement_concept_id")  # fmt: skip
    return lf.select(
        "measurement_id",
        "person_id",
        "measurement_concept_id",
        nw.col("start").alias("measurement_date"),
        int_lit(concept("claim")).alias("measurement_type_concept_id"),
        nw.col("value").alias("measurement_source_value"),
        "measurement_source_concept_id",
    )
