"""Arrow tables typed as the contracts say, and the pandas view of them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from snds_algos.contracts.dtypes import PANDAS_DTYPES
from snds_algos.contracts.model import get_contract

ARROW_TYPES = {
    "string": pa.string(),
    "code": pa.string(),
    "date": pa.date32(),
    "integer": pa.int64(),
    "number": pa.float64(),
}


def arrow_array(values: Any, kind: str) -> pa.Array:
    """An Arrow array of contract type ``kind`` (dates given as days since 1970).

    Examples
    --------
    >>> arrow_array(np.array([0]), "date").to_pylist()
    [datetime.date(1970, 1, 1)]
    """
    target = ARROW_TYPES[kind]
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values if values.type == target else values.cast(target)
    arr = np.asarray(values)
    if kind == "date":
        return pa.array(arr.astype(np.int32), type=pa.int32()).cast(pa.date32())
    if kind in ("string", "code") and arr.dtype.kind in "iu":
        return pa.array(arr.astype(np.int64)).cast(pa.string())
    return pa.array(arr, type=target, from_pandas=True)


def contract_table(table: str, columns: dict[str, Any]) -> pa.Table:
    """An Arrow table of ``table`` (physical name) in contract column order and types.

    Every column must be documented in the contract and every required column given.

    Examples
    --------
    >>> t = contract_table("T_MCO20D", {"ETA_NUM": ["750000001"], "RSA_NUM": ["0000000001"],
    ...                                 "ASS_DGN": ["E119"]})
    >>> t.column_names
    ['ASS_DGN', 'ETA_NUM', 'RSA_NUM']
    """
    contract = get_contract(table)
    unknown = [c for c in columns if c not in contract]
    if unknown:
        raise KeyError(f"{table}: columns not in the contract: {unknown}")
    missing = [c for c in contract.required if c not in columns]
    if missing:
        raise KeyError(f"{table}: required columns not generated: {missing}")
    arrays, names = [], []
    for spec in contract.columns:
        if spec.name in columns:
            arrays.append(arrow_array(columns[spec.name], spec.type))
            names.append(spec.name)
    return pa.Table.from_arrays(arrays, names=names)


def empty_table(table: str, like: pa.Table) -> pa.Table:
    """An empty table with the schema of ``like``."""
    return like.schema.empty_table()


def _mapper(arrow_type: pa.DataType) -> Any:
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return PANDAS_DTYPES["string"]
    if pa.types.is_date32(arrow_type):
        return PANDAS_DTYPES["date"]
    if pa.types.is_int64(arrow_type):
        return PANDAS_DTYPES["integer"]
    if pa.types.is_float64(arrow_type):
        return PANDAS_DTYPES["number"]
    if pa.types.is_boolean(arrow_type):
        return pd.BooleanDtype()
    return None


def to_pandas(table: pa.Table) -> pd.DataFrame:
    """A pandas frame with the contract dtypes (string[pyarrow], date32, Int64, Float64).

    Examples
    --------
    >>> to_pandas(pa.table({"A": ["x"]})).dtypes["A"]
    string[pyarrow]
    """
    return table.to_pandas(types_mapper=_mapper)
