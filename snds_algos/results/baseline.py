"""Baseline variables of cohort rows: one row per (patient_id, index_date), on the backend.

The person-level table that :func:`snds_algos.results.table_one` describes: age at the
index, sex and department from the patients table, conditions (code lists matched on
events, or persons of a case-definition result) and counts of events in a baseline
window, a score (the Charlson index) joined as a column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import narwhals as nw

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
#: labels of the patients' ``sex`` codes (BEN_SEX_COD)
SEX_LABELS = {"1": "male", "2": "female"}


def _condition_spec(name: str, spec: Any) -> dict[str, Any]:
    if isinstance(spec, Mapping):
        unknown = set(spec) - {"codes", "category", "match", "how"}
        if unknown or "codes" not in spec:
            raise ValueError(
                f"baseline_variables: condition {name!r}: a mapping needs 'codes' and may have "
                f"'category', 'match', 'how' (got {sorted(spec)})"
            )
        out = dict(spec)
    elif hasattr(spec, "codes") and hasattr(spec, "match"):  # a CodeList
        out = {"codes": list(spec.codes), "how": spec.match}
    elif isinstance(spec, str):
        out = {"codes": [spec]}
    elif isinstance(spec, Iterable):
        out = {"codes": list(spec)}
    else:
        raise ValueError(
            f"baseline_variables: condition {name!r}: expected codes, a mapping or a frame, "
            f"got {type(spec).__name__}"
        )
    out.setdefault("match", "start")
    out.setdefault("how", "prefix")
    return out


def _is_frame(value: Any) -> bool:
    try:
        backend_of(getattr(value, "rows", value))
    except TypeError:
        return False
    return True


def baseline_variables(
    cohort: Any,
    *,
    patients: Any = None,
    events: Any = None,
    conditions: Mapping[str, Any] | None = None,
    counts: Mapping[str, str | Mapping[str, Any]] | None = None,
    scores: Mapping[str, tuple[Any, str]] | None = None,
    window: Window = BASELINE_WINDOW,
    keep: Iterable[str] = (),
) -> Any:
    """One row per distinct (patient_id, index_date) of the cohort, with baseline variables.

    Parameters
    ----------
    cohort:
        Cohort rows (``patient_id, index_date`` and the columns named in ``keep``, e.g.
        an exposure group), or an object with ``.rows``.
    patients:
        :func:`snds_algos.events.patients`: adds ``age`` (completed years at the index),
        ``sex`` (``male``, ``female`` or null) and ``department``.
    events:
        Events (long schema) in which ``conditions`` and ``counts`` are looked up.
    conditions:
        ``name -> codes``: a boolean column, true when an event whose ``value`` matches
        one of the codes (prefixes) falls in ``window``. A value may be a list of codes, a
        :class:`~snds_algos.events.CodeList`, a mapping ``{"codes": [...], "category":
        "hospital_diagnosis", "match": "start" | "overlap", "how": "prefix" | "exact"}``,
        or a frame of persons (a case-definition result: a person is a case when listed,
        and ``case`` is true if the frame has that column).
    counts:
        ``name -> category`` (or ``{"category": ..., "codes": [...]}``): the number of
        events of that category in ``window`` (0 when none), e.g. ``{"dispensings":
        "drug_dispensing", "stays": "hospital_stay"}``.
    scores:
        ``name -> (frame, column)``: a score per cohort row joined on ``patient_id,
        index_date``, e.g. ``{"charlson": (charlson_result, "score")}``.
    window:
        Day offsets from the index, inclusive (default ``(-365, 0)``).
    keep:
        Columns of the cohort rows to keep (first value per row), such as the group.

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> rows = pd.DataFrame({"patient_id": ["P1", "P2"],
    ...                      "index_date": date_series(["2020-01-10", "2020-01-10"])})
    >>> ev = pd.DataFrame({"patient_id": ["P1", "P1"], "category": ["ald", "drug_dispensing"],
    ...                    "value": ["E11", "A10BA02"],
    ...                    "start": date_series(["2019-05-01", "2020-01-10"])})
    >>> out = baseline_variables(rows, events=ev, conditions={"diabetes": ["E10", "E11"]},
    ...                          counts={"dispensings": "drug_dispensing"})
    >>> out[["patient_id", "diabetes", "dispensings"]].values.tolist()
    [['P1', True, 1], ['P2', False, 0]]
    """
    check_window(window)
    rows = cohort_frame(cohort)
    keep = [c for c in keep if c not in KEYS]
    if keep:
        cohort_frame(rows, [*KEYS, *keep])
    conditions = dict(conditions or {})
    counts = dict(counts or {})
    scores = dict(scores or {})
    frames = {"cohort rows": rows, "patients": patients, "events": events}
    for name, spec in conditions.items():
        if _is_frame(spec):
            frames[f"condition {name}"] = getattr(spec, "rows", spec)
    for name, (frame, _) in scores.items():
        frames[f"score {name}"] = frame
    backend = common_backend(frames)
    needs_events = [n for n, s in conditions.items() if not _is_frame(s)] + list(counts)
    if needs_events and events is None:
        raise ValueError(
            f"baseline_variables: events are needed for {', '.join(needs_events)} (events=None)"
        )
    base = lazy(rows)
    if keep:
        out = base.group_by(*KEYS).agg(*[nw.col(c).min() for c in keep])
    else:
        out = distinct(base.select(*KEYS))
    keys = distinct(lazy(rows).select(*KEYS))
    if patients is not None:
        pat = lazy(patients).select("patient_id", "sex", "birth_date", "department")
        out = out.join(pat, on="patient_id", how="left")
        out = completed_years(out, "birth_date", "index_date", "age").drop("birth_date")
        sex = nw.col("sex")
        out = out.with_columns(
            nw.when(sex == "1")
            .then(nw.lit(SEX_LABELS["1"]))
            .when(sex == "2")
            .then(nw.lit(SEX_LABELS["2"]))
            .alias("sex")
        )
    ev = lazy(events) if events is not None else None
    integer_columns: list[str] = []
    bool_columns: list[str] = []
    for name, spec in conditions.items():
        if _is_frame(spec):
            persons = lazy(getattr(spec, "rows", spec))
            if "case" in persons.collect_schema().names():
                persons = persons.filter(nw.col("case").fill_null(False))
            hits = distinct(persons.select("patient_id")).with_columns(
                nw.lit(1, dtype=nw.Int64()).alias(name)
            )
            out = out.join(hits, on="patient_id", how="left")
        else:
            s = _condition_spec(name, spec)
            source = ev
            if s.get("category"):
                source = source.filter(nw.col("category") == s["category"])
            source = source.filter(matches_codes("value", s["codes"], how=s["how"]))
            found = events_in_window(keys, source, window, match=s["match"], columns=())
            hits = distinct(found).with_columns(nw.lit(1, dtype=nw.Int64()).alias(name))
            out = out.join(hits, on=list(KEYS), how="left")
        out = out.with_columns((nw.col(name).fill_null(0) > 0).alias(name))
        bool_columns.append(name)
    for name, spec in counts.items():
        s = {"category": spec} if isinstance(spec, str) else dict(spec)
        source = ev
        if s.get("category"):
            source = source.filter(nw.col("category") == s["category"])
        if s.get("codes"):
            source = source.filter(matches_codes("value", s["codes"], how=s.get("how", "prefix")))
        found = events_in_window(keys, source, window, match=s.get("match", "start"), columns=())
        n = found.group_by(*KEYS).agg(nw.len().alias(name))
        out = out.join(n, on=list(KEYS), how="left").with_columns(
            nw.col(name).fill_null(0).cast(nw.Int64())
        )
        integer_columns.append(name)
    for name, (frame, column) in scores.items():
        values = lazy(frame).select(*KEYS, nw.col(column).alias(name))
        out = out.join(values, on=list(KEYS), how="left")
        integer_columns.append(name)
    order = [*KEYS, *keep]
    if patients is not None:
        order += ["age", "sex", "department"]
        integer_columns.append("age")
    order += [*conditions, *counts, *scores]
    out = out.select(*order)
    native = to_native(out)
    if backend != PANDAS or backend_of(native) != PANDAS:
        return native
    import pandas as pd

    for column in integer_columns:
        native[column] = pd.to_numeric(native[column], errors="coerce").astype("Int64")
    for column in bool_columns:
        native[column] = native[column].astype(bool)
    return native.sort_values(list(KEYS)).reset_index(drop=True)
