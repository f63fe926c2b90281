"""VISIT_OCCURRENCE (PMSI MCO, SSR and HAD stays) and VISIT_DETAIL (the medical units
of MCO stays)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import narwhals as nw

from snds_algos.backend import day_number, from_day_number, hash63, lazy
from snds_algos.omop._common import int_lit, of_persons
from snds_algos.omop.concepts import concept
from snds_algos.omop.ids import key_expr, with_id
from snds_algos.reports import Report

#: the visit concept of a stay, by the ``source`` of its stay event (see ``concepts.csv``)
VISIT_CONCEPTS = {
    "T_MCOaaB": "inpatient_visit",  # 9201 Inpatient Visit
    "T_SSRaaB": "rehabilitation_visit",  # 8920 Comprehensive Inpatient Rehabilitation Facility
    "T_HADaaB": "home_visit",  # 581476 Home Visit
}


def visit_concept(source: str = "source") -> nw.Expr:
    """``visit_concept_id`` of a stay from the table in column ``source``
    (:data:`VISIT_CONCEPTS`; another source: 0)."""
    out = int_lit(0)
    for table, key in VISIT_CONCEPTS.items():
        out = nw.when(nw.col(source) == table).then(int_lit(concept(key))).otherwise(out)
    return out


def visit_occurrence(stays: Any, person: nw.LazyFrame, report: Report | None = None
                     ) -> nw.LazyFrame:  # fmt: skip
    """One visit per hospital stay (:func:`snds_algos.events.hospital_stays` with the
    products MCO, SSR and HAD): an MCO stay is an *Inpatient Visit* (9201), an SSR stay
    (soins de suite et de réadaptation) a *Comprehensive Inpatient Rehabilitation
    Facility* visit (8920, a standard visit concept of the CMS Place of Service
    vocabulary), a HAD stay (hospitalisation à domicile) a *Home Visit* (581476).
    Dates = entry and exit (inclusive; a stay without exit date ends at its entry),
    ``visit_source_value`` = the stay id (``MCO:{ETA_NUM}:{RSA_NUM}:{PMSI_YEAR}``,
    ``SSR:{ETA_NUM}:{RHA_NUM}:...``, ``HAD:{ETA_NUM_EPMSI}:{RHAD_NUM}:...``), admitted
    from / discharged to source values = ENT_MOD / SOR_MOD of MCO stays (null for SSR
    and HAD), type: hospital. Keeps the helper columns ``patient_id`` and ``group_id``
    (the stay id)."""
    lf = of_persons(stays, person, "visit_occurrence", report)
    lf = with_id(lf, "visit_occurrence_id", "visit_occurrence", ["group_id"])
    return lf.select(
        "visit_occurrence_id",
        "person_id",
        visit_concept().alias("visit_concept_id"),
        nw.col("start").alias("visit_start_date"),
        nw.coalesce(nw.col("end"), nw.col("start")).alias("visit_end_date"),
        int_lit(concept("hospital")).alias("visit_type_concept_id"),
        nw.col("group_id").alias("visit_source_value"),
        int_lit(0).alias("visit_source_concept_id"),
        int_lit(0).alias("admitted_from_concept_id"),
        nw.col("entry_mode").alias("admitted_from_source_value"),
        int_lit(0).alias("discharged_to_concept_id"),
        nw.col("exit_mode").alias("discharged_to_source_value"),
        "patient_id",
        "group_id",
    )


def medical_units(src: Any, years: Iterable[int] | None = None, report: Report | None = None
                  ) -> nw.LazyFrame | None:  # fmt: skip
    """``group_id, UM_ORD_NUM, PAR_DUR_SEJ`` of T_MCOaaUM (one row per stay and unit
    number), or None when the source has no T_MCOaaUM, or one without the unit number
    UM_ORD_NUM and partial length of stay PAR_DUR_SEJ (skipped and said in ``report``)."""
    from snds_algos.events._common import stay_id

    if not src.has("T_MCOaaUM"):
        if report is not None:
            report.skip("T_MCOaaUM", "VISIT_DETAIL", "T_MCOaaUM not in the source")
        return None
    from snds_algos.errors import ContractError

    try:
        um = lazy(src.read("T_MCOaaUM", ["ETA_NUM", "RSA_NUM", "UM_ORD_NUM", "PAR_DUR_SEJ"],
                           years=years))  # fmt: skip
    except ContractError as exc:
        if exc.column not in ("UM_ORD_NUM", "PAR_DUR_SEJ"):
            raise
        if report is not None:
            report.skip("T_MCOaaUM", "VISIT_DETAIL", "no UM_ORD_NUM or PAR_DUR_SEJ column")
        return None
    um = um.select(
        stay_id("MCO", "ETA_NUM", "RSA_NUM").alias("group_id"),
        nw.col("UM_ORD_NUM").cast(nw.Int64()).fill_null(0),
        nw.col("PAR_DUR_SEJ").cast(nw.Int64()),
    )
    return um.group_by("group_id", "UM_ORD_NUM").agg(nw.col("PAR_DUR_SEJ").min())


def visit_detail(units: nw.LazyFrame, visits: nw.LazyFrame, report: Report | None = None
                 ) -> nw.LazyFrame:  # fmt: skip
    """One VISIT_DETAIL per medical unit (T_MCOaaUM) of an exported stay.

    Units of a stay are taken in the order of UM_ORD_NUM; a unit starts at the stay
    entry plus the partial lengths of stay (PAR_DUR_SEJ) of the units before it and ends
    PAR_DUR_SEJ days later (a transfer day belongs to both units), both clipped to the
    stay; a unit without PAR_DUR_SEJ ends at the stay exit. Units of stays not exported
    (removed by the MCO cleaning or attribution) are counted (``omop:unit_without_visit``).
    ``visit_detail_source_value`` = ``{stay id}:UM{UM_ORD_NUM}``; type: hospital;
    ``preceding_visit_detail_id`` = the unit before in the stay.
    """
    v = visits.select(
        "group_id", "visit_occurrence_id", "person_id", "visit_start_date", "visit_end_date",
        nw.lit(True).alias("__v"),
    )  # fmt: skip
    lf = units.join(v, on="group_id", how="left")
    if report is not None:
        report.add_flags(
            "VISIT_DETAIL", lf,
            [("omop:unit_without_visit", "units of stays not exported (cleaning, attribution)",
              nw.col("__v").is_null())],
        )  # fmt: skip
    lf = lf.filter(~nw.col("__v").is_null()).drop("__v")
    lf = day_number(day_number(lf, "visit_start_date", "__in"), "visit_end_date", "__out")
    own = nw.col("PAR_DUR_SEJ").fill_null(0)
    lf = lf.with_columns(own.alias("__own"))
    lf = lf.with_columns(
        nw.col("__own").cum_sum().over("group_id", order_by="UM_ORD_NUM").alias("__cum")
    )
    start = nw.min_horizontal(nw.col("__in") + nw.col("__cum") - nw.col("__own"), nw.col("__out"))
    lf = lf.with_columns(start.alias("__s"))
    end = (
        nw.when(nw.col("PAR_DUR_SEJ").is_null())
        .then(nw.col("__out"))
        .otherwise(nw.min_horizontal(nw.col("__s") + nw.col("__own"), nw.col("__out")))
    )
    lf = lf.with_columns(end.alias("__e"))
    lf = from_day_number(lf, {"__s": "visit_detail_start_date", "__e": "visit_detail_end_date"})
    lf = with_id(lf, "visit_detail_id", "visit_detail", ["group_id", "UM_ORD_NUM"])
    # the unit before: the largest unit number below this one in the stay
    before = nw.col("UM_ORD_NUM").cast(nw.Float64()).shift(1)
    lf = lf.with_columns(before.over("group_id", order_by="UM_ORD_NUM").alias("__prev_um"))
    lf = lf.with_columns(
        nw.when(~nw.col("__prev_um").is_null())
        .then(key_expr("visit_detail", ["group_id", nw.col("__prev_um").cast(nw.Int64())]))
        .alias("__prev_key")
    )
    lf = hash63(lf, "__prev_key", "preceding_visit_detail_id")
    source = nw.concat_str(
        [nw.col("group_id"), nw.lit(":UM"), nw.col("UM_ORD_NUM").cast(nw.String())]
    )
    return lf.select(
        "visit_detail_id",
        "person_id",
        int_lit(concept("inpatient_visit")).alias("visit_detail_concept_id"),
        "visit_detail_start_date",
        "visit_detail_end_date",
        int_lit(concept("hospital")).alias("visit_detail_type_concept_id"),
        source.alias("visit_detail_source_value"),
        int_lit(0).alias("visit_detail_source_concept_id"),
        "preceding_visit_detail_id",
        "visit_occurrence_id",
    )
