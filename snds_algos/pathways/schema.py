"""Output schemas of the care-pathway tables and the one function that types and orders
them.

Each output has declared column types (``string``, ``date``, ``integer``, ``float``,
``boolean``) and a total order, written as data in ``outputs.yaml``. On pandas, strings
are ``string[pyarrow]``, dates ``date32[pyarrow]``, integers ``Int64``, floats
``Float64``, booleans ``boolean``, and rows are sorted by the order; DuckDB relations
and Spark DataFrames are returned lazy
(``VARCHAR``/``StringType``, ``DATE``/``DateType``, ``BIGINT``/``LongType``,
``DOUBLE``/``DoubleType``, ``BOOLEAN``/``BooleanType``): sort them by the order columns
to compare.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import narwhals as nw

from snds_algos._yaml import safe_load
from snds_algos.backend import PANDAS, backend_of, lazy, to_native
from snds_algos.errors import ContractError


def _outputs() -> dict[str, tuple[dict[str, str], tuple[str, ...]]]:
    """The outputs of ``outputs.yaml``: name -> (columns name -> type, total order)."""
    text = resources.files("snds_algos.pathways").joinpath("outputs.yaml").read_text("utf-8")
    return {
        name: (dict(spec["columns"]), tuple(spec["order"]))
        for name, spec in safe_load(text).items()
    }


OUTPUTS = _outputs()
FILL_COLUMNS, FILL_ORDER = OUTPUTS["fills"]
PERIOD_COLUMNS, PERIOD_ORDER = OUTPUTS["periods"]
RUN_COLUMNS, RUN_ORDER = OUTPUTS["runs"]
PDC_COLUMNS, PDC_ORDER = OUTPUTS["pdc"]
MPR_COLUMNS, MPR_ORDER = OUTPUTS["mpr"]

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
