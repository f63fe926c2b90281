"""Output schemas of the care-pathway tables and the one function that types and orders
them.

Each output has declared column types (``string``, ``date``, ``integer``, ``float``,
``boolean``) and a total order. On pandas, strings are ``string[pyarrow]``, dates
``date32[pyarrow]``, integers ``Int64``, floats ``Float64``, booleans ``boolean``, and
rows are sorted by the order; DuckDB relations and Spark DataFrames are returned lazy
(``VARCHAR``/``StringType``, ``DATE``/``DateType``, ``BIGINT``/``LongType``,
``DOUBLE``/``DoubleType``, ``BOOLEAN``/``BooleanType``): sort them by the order columns
to compare.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import narwhals as nw

from snds_algos.backend import PANDAS, backend_of, lazy, to_native
from snds_algos.errors import ContractError

FILL_COLUMNS: dict[str, str] = {
    "patient_id": "string",
    "key": "string",
    "date": "date",
    "n_dispensings": "integer",
    "boxes": "float",
    "supply_days": "integer",
}
FILL_ORDER = ("patient_id", "key", "date")

PERIOD_COLUMNS: dict[str, str] = {
    "patient_id": "string",
    "key": "string",
    "period_no": "integer",
    "start": "date",
    "end": "date",
    "n_dispensings": "integer",
    "supplied_days": "integer",
    "covered_days": "integer",
    "gap_days": "integer",
}
PERIOD_ORDER = ("patient_id", "key", "start")

RUN_COLUMNS: dict[str, str] = {
    "patient_id": "string",
    "key": "string",
    "period_no": "integer",
    "start": "date",
    "end": "date",
    "covered_days": "integer",
}
RUN_ORDER = ("patient_id", "key", "start")

PDC_COLUMNS: dict[str, str] = {
    "patient_id": "string",
    "key": "string",
    "window_start": "date",
    "window_end": "date",
    "n_dispensings": "integer",
    "covered_days": "integer",
    "window_days": "integer",
    "pdc": "float",
    "adherent": "boolean",
}
PDC_ORDER = ("patient_id", "key")

MPR_COLUMNS: dict[str, str] = {
    "patient_id": "string",
    "key": "string",
    "first_date": "date",
    "last_date": "date",
    "n_dispensings": "integer",
    "supplied_days": "integer",
    "days": "integer",
    "mpr": "float",
}
MPR_ORDER = ("patient_id", "key")

_NW_TYPES = {
    "string": nw.String(),
    "float": nw.Float64(),
    "date": nw.Date(),
    "boolean": nw.Boolean(),
    "integer": nw.Int64(),
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


def finish(frame: Any, columns: Mapping[str, str], order: Sequence[str]) -> Any:
    """Select ``columns`` (name -> type) in order, cast them; return the native frame.

    pandas output is sorted by ``order`` with a fresh index; DuckDB and Spark stay lazy.

    >>> import pandas as pd
    >>> out = finish(pd.DataFrame({"k": ["b", "a"], "n": [2, 1]}), {"k": "string", "n": "integer"}, ["k"])
    >>> out.values.tolist(), str(out["n"].dtype)
    ([['a', 1], ['b', 2]], 'Int64')
    """
    lf = lazy(frame).select(*[nw.col(c).cast(_NW_TYPES[t]).alias(c) for c, t in columns.items()])
    native = to_native(lf)
    if backend_of(native) != PANDAS:
        return native
    native = native.astype({c: _pandas_dtype(t) for c, t in columns.items()})
    return native.sort_values(list(order), kind="stable").reset_index(drop=True)


def require_columns(frame: nw.LazyFrame, columns: Sequence[str], table: str) -> None:
    """Raise :class:`~snds_algos.errors.ContractError` naming ``table`` and the missing
    columns when ``frame`` lacks one of ``columns``.

    >>> import pandas as pd
    >>> require_columns(lazy(pd.DataFrame({"patient_id": []})), ["patient_id", "start"], "stays")
    Traceback (most recent call last):
    ...
    snds_algos.errors.ContractError: stays: missing column(s): start; offending values: ['patient_id']
    """
    names = list(frame.collect_schema().names())
    missing = [c for c in columns if c not in names]
    if missing:
        raise ContractError(table, None, f"missing column(s): {', '.join(missing)}", values=names)
