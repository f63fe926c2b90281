"""A comorbidity index from code categories, weights and a hierarchy given as data.

The Charlson comorbidity index of the registry (``snds_algos.get("charlson")``) calls
:func:`comorbidity_index` with its code lists (Quan 2005 ICD-10 categories), its weights
(Charlson 1987, Quan 2011) and its age bands, all read from the algorithm folder.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw
import pandas as pd

from snds_algos.backend import (
    PANDAS,
    backend_of,
    common_backend,
    completed_years,
    distinct,
    lazy,
    matches_codes,
    to_native,
)
from snds_algos.windows import BASELINE_WINDOW, Window, check_window, cohort_frame, events_in_window

KEYS = ("patient_id", "index_date")
#: tables of the MCO whose diagnoses count (the ``source`` column of diagnosis events)
MCO_SOURCES = ("T_MCOaaB", "T_MCOaaUM", "T_MCOaaD")


def _check_tables(categories: pd.DataFrame, weights: pd.DataFrame, weight_column: str) -> None:
    for name, table, needed in (
        ("categories", categories, ("code", "category")),
        ("weights", weights, ("category", weight_column)),
    ):
        missing = [c for c in needed if c not in table.columns]
        if missing:
            raise ValueError(f"comorbidity_index: {name} table has no column {', '.join(missing)}")
    unknown = sorted(set(categories["category"]) - set(weights["category"]))
    if unknown:
        raise ValueError(f"comorbidity_index: categories without a weight: {', '.join(unknown)}")


def comorbidity_index(
    cohort: Any,
    *,
    categories: pd.DataFrame,
    weights: pd.DataFrame,
    weight_column: str,
    diagnoses: Any = None,
    ald: Any = None,
    patients: Any = None,
    age_points: pd.DataFrame | None = None,
    window: Window = BASELINE_WINDOW,
    hierarchy: bool = True,
    sources: Sequence[str] | None = MCO_SOURCES,
) -> Any:
    """One row per cohort row: a flag per category, the weighted score, age and age points.

    Parameters
    ----------
    cohort:
        Cohort rows (``patient_id, index_date``) or an object with ``.rows``.
    categories:
        ``code`` (ICD-10 prefix, no dot) and ``category``.
    weights:
        ``category``, the ``weight_column`` and optionally ``overridden_by``: with
        ``hierarchy``, a category whose ``overridden_by`` category is present scores 0.
    diagnoses:
        Hospital diagnosis events (:func:`snds_algos.events.hospital_diagnoses`); a code
        counts when the stay starts in ``window`` (all positions and levels); only rows of
        ``sources`` (the MCO tables by default; ``None``: every row).
    ald:
        Long-term illness events (:func:`snds_algos.events.long_term_illnesses`); a code
        counts when the exemption is active in ``window`` (overlap; open-ended when ``end``
        is null).
    patients:
        :func:`snds_algos.events.patients` (``patient_id, birth_date``): age at index in
        completed years and ``age_points`` from the ``age_points`` table (``min_age,
        max_age, points``; ``max_age`` empty: no upper bound).
    window:
        Day offsets from the index, inclusive (default the year before, index day included).

    Returns
    -------
    ``patient_id, index_date``, one boolean column per category (a code of the category was
    found, before the hierarchy), ``score`` (Int64), ``age``, ``age_points`` and
    ``score_age_adjusted`` (null without ``patients`` or birth date). Sorted by
    ``patient_id, index_date`` on pandas; lazy on DuckDB and Spark.

    Examples
    --------
    >>> from snds_algos.contracts.dtypes import date_series
    >>> rows = pd.DataFrame({"patient_id": ["P1"], "index_date": date_series(["2019-06-30"])})
    >>> dx = pd.DataFrame({"patient_id": ["P1", "P1"], "value": ["E112", "E119"],
    ...                    "start": date_series(["2019-01-10", "2019-02-01"]),
    ...                    "source": ["T_MCOaaB", "T_MCOaaD"]})
    >>> cats = pd.DataFrame({"code": ["E112", "E119"], "category": ["diabwc", "diab"]})
    >>> w = pd.DataFrame({"category": ["diab", "diabwc"], "w": [1, 2],
    ...                   "overridden_by": ["diabwc", ""]})
    >>> comorbidity_index(rows, categories=cats, weights=w, weight_column="w",
    ...                   diagnoses=dx)[["diab", "diabwc", "score"]].values.tolist()
    [[True, True, 2]]
    """
    check_window(window)
    _check_tables(categories, weights, weight_column)
    rows = cohort_frame(cohort)
    backend = common_backend(
        {"cohort rows": rows, "diagnoses": diagnoses, "ald": ald, "patients": patients}
    )
    order = list(dict.fromkeys(weights["category"]))
    prefixes = {
        cat: sorted(categories.loc[categories["category"] == cat, "code"].astype(str))
        for cat in order
    }
    base = distinct(lazy(rows).select(*KEYS))
    found: list[nw.LazyFrame] = []
    if diagnoses is not None:
        dg = lazy(diagnoses)
        if sources is not None:
            dg = dg.filter(nw.col("source").is_in(list(sources)).fill_null(False))
        found.append(events_in_window(base, dg, window, match="start"))
    if ald is not None:
        found.append(events_in_window(base, lazy(ald), window, match="overlap"))
    if found:
        codes = nw.concat(found, how="vertical") if len(found) > 1 else found[0]
        flagged = codes.with_columns(
            *[matches_codes("value", prefixes[cat]).cast(nw.Int64()).alias(cat) for cat in order]
        )
        per_row = flagged.group_by(*KEYS).agg(*[nw.col(cat).max() for cat in order])
        out = base.join(per_row, on=list(KEYS), how="left")
    else:
        out = base.with_columns(*[nw.lit(0, dtype=nw.Int64()).alias(cat) for cat in order])
    out = out.with_columns(*[(nw.col(cat).fill_null(0) > 0).alias(cat) for cat in order])
    overridden = (
        dict(zip(weights["category"], weights["overridden_by"], strict=True))
        if "overridden_by" in weights.columns
        else {}
    )
    terms = []
    for cat, weight in zip(weights["category"], weights[weight_column], strict=True):
        present = nw.col(cat)
        over = overridden.get(cat)
        if hierarchy and isinstance(over, str) and over:
            present = present & ~nw.col(over)
        terms.append(nw.when(present).then(nw.lit(int(weight))).otherwise(nw.lit(0)))
    out = out.with_columns(nw.sum_horizontal(*terms).cast(nw.Int64()).alias("score"))
    if patients is not None:
        birth = lazy(patients).select("patient_id", "birth_date")
        out = completed_years(out.join(birth, on="patient_id", how="left"), "birth_date",
                              "index_date", "age")  # fmt: skip
        out = out.drop("birth_date")
    else:
        # a null integer (nw.lit(None, dtype=Int64) fails on pandas)
        out = out.with_columns(nw.when(nw.lit(False)).then(nw.col("score")).alias("age"))
    points = nw.lit(0, dtype=nw.Int64())
    bands = age_points if age_points is not None else pd.DataFrame(columns=["min_age", "points"])
    for _, band in bands.iterrows():
        cond = nw.col("age") >= int(band["min_age"])
        if "max_age" in bands.columns and not pd.isna(band["max_age"]) and band["max_age"] != "":
            cond = cond & (nw.col("age") <= int(band["max_age"]))
        points = nw.when(cond).then(nw.lit(int(band["points"]))).otherwise(points)
    age_known = ~nw.col("age").is_null()
    out = out.with_columns(nw.when(age_known).then(points).alias("age_points")).with_columns(
        nw.when(age_known).then(nw.col("score") + nw.col("age_points")).alias("score_age_adjusted")
    )
    integers = ("score", "age", "age_points", "score_age_adjusted")
    if backend != PANDAS:  # pandas: nullable integers are set below (a cast fails on nulls)
        out = out.with_columns(*[nw.col(c).cast(nw.Int64()) for c in integers])
    out = out.select(*KEYS, *order, *integers)
    native = to_native(out)
    if backend != PANDAS or backend_of(native) != PANDAS:
        return native
    for column in ("score", "age", "age_points", "score_age_adjusted"):
        native[column] = pd.to_numeric(native[column], errors="coerce").astype("Int64")
    for cat in order:
        native[cat] = native[cat].astype(bool)
    return native.sort_values(list(KEYS)).reset_index(drop=True)
