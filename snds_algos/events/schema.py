"""The event contract: one long schema for every dated fact.

Base columns, in this order:

============  =========  ========  ===============================================
column        type       nullable  meaning
============  =========  ========  ===============================================
patient_id    string     no        the person (see the patient identity policy)
category      string     no        kind of event (``"drug_dispensing"``, ``"ald"``...)
group_id      string     yes       a grouping (ATC class, stay id, ALD nature...)
value         string     no        the code (ATC, ICD-10, CCAM...) or label
weight        float64    yes       a quantity (boxes, length of stay...)
start         date       no        when the event starts
end           date       yes       when it ends (null: a point event or open-ended)
source        string     no        the SNDS table the event comes from
============  =========  ========  ===============================================

A category may add typed extra columns after the base ones (``cip13``, ``position``...).

Total order: ``patient_id, start, category, value, group_id``, then the extra columns
in their declared order, then ``weight, end, source``. pandas results are sorted by it;
DuckDB results are computed once, sorted by it and held in memory as a relation (events
are small next to the raw tables, and algorithms read them several times); Spark results
are left lazy and unsorted (compare them after sorting by :data:`EVENT_ORDER`). On
pandas, strings are ``string[pyarrow]``, dates ``date32[pyarrow]``, floats ``Float64``,
booleans ``boolean``, integers ``Int64``; on DuckDB ``VARCHAR``, ``DATE``, ``DOUBLE``,
``BOOLEAN``, ``BIGINT``; on Spark ``StringType``, ``DateType``, ``DoubleType``,
``BooleanType``, ``LongType``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import narwhals as nw

from snds_algos.backend import (
    DUCKDB,
    PANDAS,
    backend_of,
    computed_once,
    lazy,
    sql_name,
    to_native,
)
from snds_algos.errors import ContractError

if TYPE_CHECKING:
    import pandas as pd

#: the base columns of every event table, in order, with their type
EVENT_COLUMNS: dict[str, str] = {
    "patient_id": "string",
    "category": "string",
    "group_id": "string",
    "value": "string",
    "weight": "float",
    "start": "date",
    "end": "date",
    "source": "string",
}
#: base columns that may not be null
NOT_NULL = ("patient_id", "category", "value", "start", "source")
#: the leading sort keys of the total order
EVENT_ORDER = ("patient_id", "start", "category", "value", "group_id")
#: the extra columns the case-definition engine reads: the large-pack flag of drug
#: dispensings, the position and level of hospital diagnoses
CASE_EXTRAS: dict[str, str] = {"large_pack": "boolean", "position": "string", "level": "string"}

_NW_TYPES = {
    "string": nw.String(),
    "float": nw.Float64(),
    "date": nw.Date(),
    "boolean": nw.Boolean(),
    "integer": nw.Int64(),
}
_SPARK_TYPES = {
    "string": "StringType",
    "float": "DoubleType",
    "date": "DateType",
    "boolean": "BooleanType",
    "integer": "LongType",
}
_DUCKDB_TYPES = {
    "string": "VARCHAR",
    "float": "DOUBLE",
    "date": "DATE",
    "boolean": "BOOLEAN",
    "integer": "BIGINT",
}


def _pandas_dtype(kind: str) -> Any:
    import pandas as pd
    import pyarrow as pa

    return {
        "string": pd.StringDtype("pyarrow"),
        "float": pd.Float64Dtype(),
        "date": pd.ArrowDtype(pa.date32()),
        "boolean": pd.BooleanDtype(),
        "integer": pd.Int64Dtype(),
    }[kind]


def event_order(extras: Mapping[str, str] | Sequence[str] = ()) -> list[str]:
    """The columns of the total order of an event table with ``extras``.

    >>> event_order({"position": "string"})
    ['patient_id', 'start', 'category', 'value', 'group_id', 'position', 'weight', 'end', 'source']
    """
    return [*EVENT_ORDER, *list(extras), "weight", "end", "source"]


def null(kind: str) -> nw.Expr:
    """A typed null literal (``kind``: string, float, date, boolean, integer)."""
    return nw.lit(None, dtype=_NW_TYPES[kind])


def typed(frame: Any, extras: Mapping[str, str] | None = None) -> nw.LazyFrame:
    """The event columns (base + ``extras``) of ``frame``, in order, cast to their types.

    Use it on the parts of a union before concatenating them.
    """
    columns = {**EVENT_COLUMNS, **dict(extras or {})}
    return lazy(frame).select(*[nw.col(c).cast(_NW_TYPES[t]).alias(c) for c, t in columns.items()])


def concat_events(parts: Sequence[Any], extras: Mapping[str, str] | None = None) -> nw.LazyFrame:
    """Stack event parts (typed first). All-null columns of some parts are normal here
    (a DCIR act has no stay id): pandas' warning about them is silenced, the dtypes of
    all parts being equal."""
    import warnings

    frames = [typed(p, extras) for p in parts]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*concatenation with empty or all-NA.*")
        out = nw.concat(frames, how="vertical")
        if backend_of(out.to_native()) == PANDAS:
            out = lazy(out.to_native())  # run the pandas concat inside the filter
    return out


def finish_events(frame: Any, extras: Mapping[str, str] | None = None) -> Any:
    """Select, type and order the event columns; return the native frame.

    ``frame`` holds the base columns and ``extras`` (name -> type). pandas output is
    sorted by the total order with a fresh index; Spark output stays lazy.

    Examples
    --------
    >>> import datetime as dt, pandas as pd
    >>> raw = pd.DataFrame({"patient_id": ["P2", "P1"], "category": "x", "group_id": None,
    ...     "value": ["B", "A"], "weight": None, "start": [dt.date(2020, 1, 1)] * 2,
    ...     "end": None, "source": "T"})
    >>> finish_events(raw)["patient_id"].tolist()
    ['P1', 'P2']
    """
    extras = dict(extras or {})
    columns = {**EVENT_COLUMNS, **extras}
    native = to_native(typed(frame, extras))
    if backend_of(native) == DUCKDB:
        return materialize(native, event_order(extras))
    if backend_of(native) != PANDAS:
        return native
    native = native.astype({c: _pandas_dtype(t) for c, t in columns.items()})
    order = event_order(extras)
    return native.sort_values(order, na_position="last", kind="stable").reset_index(drop=True)


def events_from_records(
    records: Iterable[Mapping[str, Any]], extras: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Hand-made events (one mapping per event) as a pandas frame of the event contract.

    For spec tests and examples: the base columns then ``extras`` (name -> type; default
    :data:`CASE_EXTRAS`, the columns the case-definition engine reads), each with its
    contract dtype, rows in the order given. A column a record leaves out is null
    (``None`` too; required columns are not checked for nulls, so that a spec test may
    leave ``source`` out); dates may be ``datetime.date`` or ISO strings. A key that is
    not a column raises :class:`~snds_algos.errors.ContractError` naming it. Pass the
    result to a test's ``backend.frame`` (or :func:`snds_algos.backend.duckdb_from_pandas`,
    ``spark.createDataFrame``) for the other backends.

    Examples
    --------
    >>> import datetime as dt
    >>> ev = events_from_records([
    ...     {"patient_id": "P1", "category": "drug_dispensing", "value": "A10BA02",
    ...      "start": dt.date(2020, 3, 1), "source": "ER_PHA_F", "large_pack": True},
    ...     {"patient_id": "P1", "category": "hospital_diagnosis", "group_id": "s1",
    ...      "value": "E11", "start": "2020-05-02", "end": "2020-05-04",
    ...      "source": "T_MCOaaB", "position": "DP", "level": "stay"},
    ... ])
    >>> list(ev.columns)[-3:], str(ev["start"].dtype), ev["end"].tolist()
    (['large_pack', 'position', 'level'], 'date32[day][pyarrow]', [<NA>, datetime.date(2020, 5, 4)])
    >>> events_from_records([{"patient_id": "P1", "code": "E11"}])
    Traceback (most recent call last):
    ...
    snds_algos.errors.ContractError: events: unknown column(s): code (columns: patient_id, category, group_id, value, weight, start, end, source, large_pack, position, level)
    """
    import pandas as pd

    from snds_algos.contracts.dtypes import date_series

    extras = dict(CASE_EXTRAS if extras is None else extras)
    columns = {**EVENT_COLUMNS, **extras}
    records = [dict(r) for r in records]
    unknown = sorted({k for r in records for k in r} - set(columns))
    if unknown:
        raise ContractError(
            "events",
            None,
            f"unknown column(s): {', '.join(unknown)} (columns: {', '.join(columns)})",
        )
    data = {}
    for column, kind in columns.items():
        values = [r.get(column) for r in records]
        if kind == "date":
            data[column] = date_series([None if pd.isna(v) else v for v in values])
        else:
            data[column] = pd.array(values, dtype=_pandas_dtype(kind))
    return validate_events(pd.DataFrame(data), extras, data_checks=False)


def validate_events(
    frame: Any,
    extras: Mapping[str, str] | None = None,
    *,
    data_checks: bool | None = None,
    table: str = "events",
) -> Any:
    """Check ``frame`` meets the event contract; return it unchanged.

    Checks the base columns and ``extras`` (name -> type) are there, in order, with
    their types, and no other column is present. With ``data_checks`` (default: on
    for pandas, off for DuckDB and Spark, where it runs a query) also checks that the required
    columns hold no null. Raises :class:`~snds_algos.errors.ContractError`.

    Examples
    --------
    >>> import datetime as dt, pandas as pd
    >>> raw = pd.DataFrame({"patient_id": ["P1"], "category": "x", "group_id": None,
    ...     "value": ["A"], "weight": None, "start": [dt.date(2020, 1, 1)], "end": None,
    ...     "source": "T"})
    >>> _ = validate_events(finish_events(raw))
    >>> validate_events(raw)
    Traceback (most recent call last):
    ...
    snds_algos.errors.ContractError: events.patient_id: type object, expected string
    """
    extras = dict(extras or {})
    expected = {**EVENT_COLUMNS, **extras}
    backend = backend_of(frame)
    names = list(frame.columns)
    if names != list(expected):
        missing = [c for c in expected if c not in names]
        extra = [c for c in names if c not in expected]
        problem = "columns differ from the event contract"
        if missing:
            problem += f"; missing: {', '.join(missing)}"
        if extra:
            problem += f"; unexpected: {', '.join(extra)}"
        if not missing and not extra:
            problem += f"; order expected: {', '.join(expected)}"
        raise ContractError(table, None, problem, values=names)
    if backend == PANDAS:
        for column, kind in expected.items():
            dtype = frame[column].dtype
            if dtype != _pandas_dtype(kind):
                raise ContractError(table, column, f"type {dtype}, expected {kind}")
    elif backend == DUCKDB:
        types = dict(zip(frame.columns, (str(t) for t in frame.types), strict=True))
        for column, kind in expected.items():
            if types[column] != _DUCKDB_TYPES[kind]:
                raise ContractError(table, column, f"type {types[column]}, expected {kind}")
    else:
        types = {f.name: type(f.dataType).__name__ for f in frame.schema.fields}
        for column, kind in expected.items():
            if types[column] != _SPARK_TYPES[kind]:
                raise ContractError(table, column, f"type {types[column]}, expected {kind}")
    if data_checks is None:
        data_checks = backend == PANDAS
    if data_checks:
        counts = (
            lazy(frame)
            .select(*[nw.col(c).is_null().cast(nw.Int64).sum().alias(c) for c in NOT_NULL])
            .collect()
            .to_pandas()
            .iloc[0]
        )
        for column in NOT_NULL:
            if int(counts[column] or 0):
                raise ContractError(
                    table, column, f"{int(counts[column])} null value(s) in a required column"
                )
    return frame


def materialize(relation: Any, order: Sequence[str] | None = None) -> Any:
    """Run a DuckDB relation once and hold its result (sorted by ``order``) in memory.

    A DuckDB relation is a query: used twice, it runs twice. Results that algorithms
    read several times (events) are computed once.
    """
    if order:
        relation = relation.order(", ".join(f"{sql_name(c)} ASC NULLS LAST" for c in order))
    return computed_once(lazy(relation)).to_native()


__all__ = [
    "CASE_EXTRAS",
    "EVENT_COLUMNS",
    "EVENT_ORDER",
    "NOT_NULL",
    "concat_events",
    "event_order",
    "events_from_records",
    "finish_events",
    "null",
    "typed",
    "validate_events",
]
