"""Native dtypes of contract types, for pandas, DuckDB and Spark.

pandas frames use Arrow-backed dtypes: they hold 1600-01-01 sentinels (``datetime64[ns]``
cannot), and their null semantics are close to Spark's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import pyarrow as pa

PANDAS_DTYPES: dict[str, Any] = {
    "string": pd.StringDtype("pyarrow"),
    "code": pd.StringDtype("pyarrow"),
    "date": pd.ArrowDtype(pa.date32()),
    "integer": pd.Int64Dtype(),
    "number": pd.Float64Dtype(),
}

SPARK_TYPE_NAMES = {
    "string": "StringType",
    "code": "StringType",
    "date": "DateType",
    "integer": "LongType",
    "number": "DoubleType",
}

DUCKDB_TYPE_NAMES = {
    "string": "VARCHAR",
    "code": "VARCHAR",
    "date": "DATE",
    "integer": "BIGINT",
    "number": "DOUBLE",
}

#: DuckDB type names, for telling raw column types apart
DUCKDB_SIGNED_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT")
DUCKDB_INTEGERS = (*DUCKDB_SIGNED_INTEGERS, "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
                   "UHUGEINT")  # fmt: skip
DUCKDB_FLOATS = ("FLOAT", "DOUBLE", "REAL")


def spark_type(contract_type: str) -> Any:
    """The PySpark data type instance of a contract type (imports PySpark)."""
    from pyspark.sql import types as T

    return getattr(T, SPARK_TYPE_NAMES[contract_type])()


def date_series(values: Iterable[Any], name: str | None = None) -> pd.Series:
    """A pandas Series of dates (Arrow ``date32``) from dates, ISO strings or ``None``.

    >>> date_series(["2020-01-31", None]).tolist()
    [datetime.date(2020, 1, 31), <NA>]
    """
    import datetime as dt

    items = [dt.date.fromisoformat(v) if isinstance(v, str) else v for v in values]
    return pd.Series(pd.array(items, dtype=PANDAS_DTYPES["date"]), name=name)


def pandas_matches(series: pd.Series, contract_type: str) -> bool:
    """True when a pandas column already has the dtype of ``contract_type``."""
    dtype = series.dtype
    if contract_type in ("string", "code"):
        return (
            isinstance(dtype, pd.StringDtype)
            or (isinstance(dtype, pd.ArrowDtype) and pa.types.is_string(dtype.pyarrow_dtype))
            or (isinstance(dtype, pd.ArrowDtype) and pa.types.is_large_string(dtype.pyarrow_dtype))
        )
    if contract_type == "date":
        return isinstance(dtype, pd.ArrowDtype) and pa.types.is_date32(dtype.pyarrow_dtype)
    if contract_type == "integer":
        return pd.api.types.is_integer_dtype(dtype)
    if contract_type == "number":
        return pd.api.types.is_float_dtype(dtype) or pd.api.types.is_integer_dtype(dtype)
    return False


def spark_matches(data_type: Any, contract_type: str) -> bool:
    """True when a Spark column's data type matches ``contract_type``."""
    name = type(data_type).__name__
    if contract_type == "integer":
        return name in ("LongType", "IntegerType", "ShortType", "ByteType")
    if contract_type == "number":
        return name in ("DoubleType", "FloatType", "DecimalType", "LongType", "IntegerType")
    return name == SPARK_TYPE_NAMES[contract_type]


def arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """Convert an Arrow table to pandas with the library's dtypes.

    Strings become ``string[pyarrow]``, dates ``date32[pyarrow]``, integers ``Int64``
    and floats ``Float64``; timestamps stay Arrow timestamps (no nanosecond overflow for
    sentinel dates).
    """

    def mapper(arrow_type: pa.DataType) -> Any:
        if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
            return pd.StringDtype("pyarrow")
        if pa.types.is_integer(arrow_type):
            return pd.Int64Dtype()
        if pa.types.is_floating(arrow_type):
            return pd.Float64Dtype()
        if pa.types.is_boolean(arrow_type):
            return pd.BooleanDtype()
        return pd.ArrowDtype(arrow_type)

    return table.to_pandas(types_mapper=mapper)


def duckdb_matches(type_name: str, contract_type: str) -> bool:
    """True when a DuckDB column type (``"VARCHAR"``, ``"BIGINT"``...) matches ``contract_type``."""
    base = str(type_name).split("(")[0].upper()
    if contract_type == "integer":
        return base in DUCKDB_SIGNED_INTEGERS
    if contract_type == "number":
        return base in (*DUCKDB_SIGNED_INTEGERS, *DUCKDB_FLOATS, "DECIMAL")
    return base == DUCKDB_TYPE_NAMES[contract_type]
