"""Selecting the events a criterion names: one selection for case definitions and cohorts.

A criterion (``snds_algos.cases.Criterion``: ``events``, ``codes``, ``exclude``,
``how``, ``positions``, ``levels``, ``natures``, ``exclude_natures``) selects events of
one category. Both the case-definition engine and the cohort builder select through
:func:`select_events`, so that one criterion means the same events in both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import narwhals as nw

from snds_algos.backend import PANDAS, backend_of_lazy, matches_codes

#: the event category each criterion kind reads
CATEGORY = {
    "drug_dispensing": "drug_dispensing",
    "ald": "ald",
    "hospital_diagnosis": "hospital_diagnosis",
    "hospital_stay": "hospital_stay",
    "medical_act": "medical_act",
}


def select_events(
    events: nw.LazyFrame,
    kind: str,
    *,
    codes: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
    how: str = "prefix",
    positions: Sequence[str] | None = None,
    levels: Sequence[str] | None = None,
    natures: Sequence[str] | None = None,
    exclude_natures: Sequence[str] = (),
) -> nw.LazyFrame:
    """The events of ``kind`` whose value matches ``codes`` and not ``exclude``.

    ``positions`` and ``levels`` (hospital diagnoses: ``DP``/``DR``/``DA``,
    ``stay``/``unit``) and ``natures`` / ``exclude_natures`` (ALD exemption natures, the
    ``group_id``) apply to their kind only; ``None`` keeps every value.

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.backend import lazy, to_native
    >>> ev = lazy(pd.DataFrame({"category": ["hospital_diagnosis"] * 3,
    ...                         "value": ["I210", "I219", "E11"],
    ...                         "position": ["DP", "DA", "DP"], "level": "stay"}))
    >>> to_native(select_events(ev, "hospital_diagnosis", codes=["I21"],
    ...                         positions=["DP"]))["value"].tolist()
    ['I210']
    """
    cond = nw.col("category") == CATEGORY[kind]
    # pandas: one lookup per prefix length; DuckDB pushes comparisons into a parquet scan
    by_length = backend_of_lazy(events) == PANDAS
    if codes is not None:
        cond = cond & matches_codes("value", list(codes), how=how, by_length=by_length)  # type: ignore[arg-type]
    if exclude:
        cond = cond & ~matches_codes("value", list(exclude), how=how, by_length=by_length)  # type: ignore[arg-type]
    lf = events.filter(cond)
    if kind == "hospital_diagnosis":
        if positions is not None:
            lf = lf.filter(nw.col("position").is_in(list(positions)).fill_null(False))
        if levels is not None:
            lf = lf.filter(nw.col("level").is_in(list(levels)).fill_null(False))
    if kind == "ald":
        if natures is not None:
            lf = lf.filter(nw.col("group_id").is_in(list(natures)).fill_null(False))
        if exclude_natures:
            lf = lf.filter(~nw.col("group_id").is_in(list(exclude_natures)).fill_null(False))
    return lf
