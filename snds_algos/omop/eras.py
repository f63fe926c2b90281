"""DRUG_ERA and CONDITION_ERA, by the OHDSI conventions (30-day persistence window).

Exposures (or conditions) of a person and one concept are taken in date order; a row
continues the current era when it starts at most ``persistence`` days (default 30)
after the latest end so far of the era, i.e. when the gap between them (days with
neither) is at most 30 days, ends inclusive; otherwise it opens a new era. An era runs
from its first start to its latest end.

The concept of an era is the standard concept of its rows. Without a vocabulary every
concept id is 0: eras are then built per source code, at ingredient level = the ATC
code (7 characters) for drugs and the ICD-10 code for conditions, and exported with
concept id 0. With a vocabulary, rows mapped to a standard concept are grouped by it
(ATC 7 codes map to RxNorm ingredients), unmapped rows by their source code.
"""

from __future__ import annotations

from collections.abc import Sequence

import narwhals as nw

from snds_algos.backend import day_number, from_day_number
from snds_algos.omop.ids import with_id

PERSISTENCE_DAYS = 30


def merge_periods(
    frame: nw.LazyFrame, keys: Sequence[str], persistence: int, sums: Sequence[str] = ("__n",)
) -> nw.LazyFrame:
    """Merge periods ``__s, __e`` (day numbers, inclusive) per ``keys`` when the gap
    between a period and the latest end before it is at most ``persistence`` days;
    returns ``keys, __s, __e`` and the sums of columns ``sums`` over the merged rows.

    >>> import pandas as pd
    >>> from snds_algos.backend import lazy, to_native
    >>> df = pd.DataFrame({"k": ["a"] * 3, "__s": [0, 40, 101], "__e": [29, 69, 130],
    ...                    "__n": [1, 1, 1]})
    >>> to_native(merge_periods(lazy(df), ["k"], 30)).sort_values("__s").values.tolist()
    [['a', 0, 69, 2], ['a', 101, 130, 1]]
    """
    keys = list(keys)
    order = ["__s", "__e"]
    lf = frame.with_columns(nw.col("__e").cum_max().over(*keys, order_by=order).alias("__reach"))
    # shifted as a float: narwhals' pandas window cannot scatter nulls into Int64 (day
    # numbers are exact in a float)
    prev = nw.col("__reach").cast(nw.Float64()).shift(1)
    lf = lf.with_columns(prev.over(*keys, order_by=order).alias("__prev"))
    new = nw.col("__prev").is_null() | (nw.col("__s") - nw.col("__prev") - 1 > persistence)
    lf = lf.with_columns(new.fill_null(True).cast(nw.Int64()).alias("__new"))
    lf = lf.with_columns(nw.col("__new").cum_sum().over(*keys, order_by=order).alias("__era"))
    return (
        lf.group_by(*keys, "__era")
        .agg(nw.col("__s").min(), nw.col("__e").max(), *[nw.col(c).sum() for c in sums])
        .drop("__era")
    )


def _prepare(frame: nw.LazyFrame, concept: str, source: str, start: str, end: str
             ) -> nw.LazyFrame:  # fmt: skip
    lf = frame.select(
        "person_id", "patient_id",
        nw.col(concept).alias("__concept"),
        nw.when(nw.col(concept) == 0).then(nw.col(source)).otherwise(nw.lit("")).alias("__code"),
        nw.col(start).alias("__start"),
        nw.coalesce(nw.col(end), nw.col(start)).alias("__end"),
    )  # fmt: skip
    lf = day_number(day_number(lf, "__start", "__s"), "__end", "__e")
    return lf.with_columns(nw.lit(1, dtype=nw.Int64()).alias("__n")).drop("__start", "__end")


KEYS = ("person_id", "patient_id", "__concept", "__code")


def drug_era(drugs: nw.LazyFrame, persistence: int = PERSISTENCE_DAYS) -> nw.LazyFrame:
    """DRUG_ERA rows of DRUG_EXPOSURE rows (with the helper column ``patient_id``).

    ``drug_exposure_count`` = exposures in the era; ``gap_days`` = days of the era
    covered by no exposure (overlapping exposures are not counted twice).
    """
    lf = _prepare(drugs, "drug_concept_id", "drug_source_value", "drug_exposure_start_date",
                  "drug_exposure_end_date")  # fmt: skip
    covered = merge_periods(lf, KEYS, 0)  # overlapping or adjacent: continuous cover
    covered = covered.with_columns((nw.col("__e") - nw.col("__s") + 1).alias("__days"))
    covered = covered.with_columns(nw.col("__n").alias("__count"))
    eras = _eras_with(covered, persistence)
    eras = from_day_number(eras, {"__s": "drug_era_start_date", "__e": "drug_era_end_date"})
    return eras.select(
        "drug_era_id",
        "person_id",
        nw.col("__concept").alias("drug_concept_id"),
        "drug_era_start_date",
        "drug_era_end_date",
        nw.col("__count").alias("drug_exposure_count"),
        nw.col("__gap").alias("gap_days"),
    )


def _eras_with(covered: nw.LazyFrame, persistence: int) -> nw.LazyFrame:
    """Eras over continuous covers, with their exposure count and gap days."""
    eras = merge_periods(covered, KEYS, persistence, sums=("__count", "__days"))
    eras = eras.with_columns((nw.col("__e") - nw.col("__s") + 1 - nw.col("__days")).alias("__gap"))
    return with_id(eras, "drug_era_id", "drug_era", ["patient_id", "__concept", "__code", "__s"])


def condition_era(conditions: nw.LazyFrame, persistence: int = PERSISTENCE_DAYS) -> nw.LazyFrame:
    """CONDITION_ERA rows of CONDITION_OCCURRENCE rows (with the helper ``patient_id``);
    ``condition_occurrence_count`` = conditions in the era."""
    lf = _prepare(conditions, "condition_concept_id", "condition_source_value",
                  "condition_start_date", "condition_end_date")  # fmt: skip
    eras = merge_periods(lf, KEYS, persistence)
    eras = with_id(eras, "condition_era_id", "condition_era",
                   ["patient_id", "__concept", "__code", "__s"])  # fmt: skip
    eras = from_day_number(
        eras, {"__s": "condition_era_start_date", "__e": "condition_era_end_date"}
    )
    return eras.select(
        "condition_era_id",
        "person_id",
        nw.col("__concept").alias("condition_concept_id"),
        "condition_era_start_date",
        "condition_era_end_date",
        nw.col("__n").alias("condition_occurrence_count"),
    )
