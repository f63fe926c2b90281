"""Normalisation: turn raw SNDS exports into frames that meet their contract.

What it does, column by column (documented columns only; other columns pass through):

* ``string``: numbers become strings, zero-padded to the column's width where the
  contract says so (FINESS ``ETA_NUM`` 9 digits, ``RSA_NUM`` 10, CIP13 13);
* ``code``: strings; integer-looking codes in canonical decimal form (``'01'`` and ``1``
  both become ``'1'``), ``true``/``false`` become ``'1'``/``'0'``;
* ``date``: dates kept, timestamps truncated to their date, strings parsed from the
  SNDS formats (ISO ``2019-03-15``, ``15032019``, SAS ``15MAR2019`` and
  ``15MAR2019:00:00:00``...). Sentinels such as 1600-01-01 are kept as dates;
* ``integer`` / ``number``: numeric strings parsed.

A value that cannot be converted raises :class:`~snds_algos.errors.ContractError`
naming the table, the column and a few offending values. On pandas the error is raised
at once. On DuckDB and Spark nothing is computed: the conversion carries a guard that fails the
first Spark action touching a bad value with the same message (``USER_RAISED_EXCEPTION``
``ER_PRS_F.EXE_SOI_DTD: unparseable date ...``; DuckDB raises an ``InvalidInputException``
with the same text); :func:`snds_algos.contracts.validate`
with ``data_checks=True`` scans the data up front and raises a ``ContractError`` listing
several offending values.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from snds_algos.backend import DUCKDB, SPARK, backend_of, sql_name
from snds_algos.contracts.dtypes import (
    DUCKDB_FLOATS,
    DUCKDB_INTEGERS,
    PANDAS_DTYPES,
    pandas_matches,
    spark_matches,
)
from snds_algos.contracts.model import ColumnSpec, TableContract, get_contract
from snds_algos.errors import ContractError

#: raw date formats accepted, tried in this order after the column's own raw format
DATE_FORMATS: tuple[str, ...] = (
    "%Y-%m-%d",
    "%d%m%Y",
    "%d%b%Y:%H:%M:%S",
    "%d%b%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%SZ",
    "%d/%m/%Y",
    "%Y%m%d",
)

_SPARK_PATTERNS = {
    "%Y-%m-%d": "yyyy-MM-dd",
    "%d%m%Y": "ddMMyyyy",
    "%d%b%Y:%H:%M:%S": "ddMMMyyyy:HH:mm:ss",
    "%d%b%Y": "ddMMMyyyy",
    "%Y-%m-%d %H:%M:%S": "yyyy-MM-dd HH:mm:ss",
    "%Y-%m-%dT%H:%M:%S": "yyyy-MM-dd'T'HH:mm:ss",
    "%Y-%m-%dT%H:%M:%SZ": "yyyy-MM-dd'T'HH:mm:ss'Z'",
    "%d/%m/%Y": "dd/MM/yyyy",
    "%Y%m%d": "yyyyMMdd",
}

# one rule for every backend: strip leading zeros and a trailing ".0" of integer codes
_CODE_INT = r"^([+-]?)0*([0-9]+?)(\.0*)?$"
_CODE_INT_REPLACEMENT = ("\\1\\2", "$1$2")  # (pandas, Spark) back-reference syntax
# what canonicalisation would change: a sign, a leading zero, a trailing ".0"
_CODE_NOT_CANONICAL = r"^[+-]?0[0-9]|^[+-][0-9]|^[+-]?[0-9]+\.0*$"
_CODE_NEEDS_WORK = r"^\s|\s$|^(?i:true|false)$|" + _CODE_NOT_CANONICAL
#: text columns holding upper-case codes (ICD-10, ATC, CCAM, GHM: a ``pattern`` with
#: ``A-Z`` and no ``a-z``) are trimmed and upper-cased on every backend, where needed
_UPPER_NEEDS_WORK = r"^\s|\s$|[a-z]"
_INT_TEXT = r"^\s*[+-]?[0-9]+(\.0*)?\s*$"


def upper_code(spec: ColumnSpec) -> bool:
    """Whether a text column holds upper-case codes (trimmed and upper-cased when read).

    >>> from snds_algos.contracts import get_contract
    >>> upper_code(get_contract("IR_PHA_R").get("PHA_ATC_C07"))
    True
    >>> upper_code(get_contract("IR_BEN_R").get("BEN_NIR_PSA"))
    False
    """
    return (
        spec.type == "string"
        and spec.pattern is not None
        and "A-Z" in spec.pattern
        and "a-z" not in spec.pattern
    )


_NUM_TEXT = r"^\s*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\s*$"


def date_formats(spec: ColumnSpec) -> list[str]:
    """Formats tried for a date column: its own raw format first."""
    formats = list(DATE_FORMATS)
    if spec.raw_format and spec.raw_format in formats:
        formats.remove(spec.raw_format)
        formats.insert(0, spec.raw_format)
    return formats


def normalize(
    frame: Any,
    table: str,
    *,
    columns: Sequence[str] | None = None,
) -> Any:
    """Convert a raw table to its contract types; same backend in and out.

    Parameters
    ----------
    frame:
        pandas or Spark DataFrame, as read from an export (strings, SAS dates...).
    table:
        Table name, e.g. ``"ER_PRS_F"`` or ``"T_MCO19B"`` (a yearly name uses the
        ``T_MCOaaB`` contract).
    columns:
        Keep only these columns (in this order); a missing one is an error.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"ETA_NUM": [10008407], "RSA_NUM": ["42"],
    ...                     "EXE_SOI_DTD": ["15MAR2019:00:00:00"]})
    >>> out = normalize(raw, "T_MCO19C")
    >>> out["ETA_NUM"].tolist(), out["EXE_SOI_DTD"].tolist()
    (['010008407'], [datetime.date(2019, 3, 15)])
    """
    contract = get_contract(table)
    if columns is not None:
        missing = [c for c in columns if c not in list(_columns_of(frame))]
        if missing:
            raise ContractError(
                table,
                missing[0],
                f"required column(s) missing: {', '.join(missing)}",
                values=sorted(_columns_of(frame))[:5],
            )
        if backend_of(frame) == SPARK:
            frame = frame.select(*columns)
        elif backend_of(frame) == DUCKDB:
            frame = frame.project(", ".join(sql_name(c) for c in columns))
        else:
            frame = frame[list(columns)]
    if backend_of(frame) == SPARK:
        return _normalize_spark(frame, contract, table)
    if backend_of(frame) == DUCKDB:
        return _normalize_duckdb(frame, contract, table)
    return _normalize_pandas(frame, contract, table)


def _columns_of(frame: Any) -> list[str]:
    return list(frame.columns)


# --------------------------------------------------------------------------- pandas


def _normalize_pandas(frame: pd.DataFrame, contract: TableContract, table: str) -> pd.DataFrame:
    converted = {}
    for name in frame.columns:
        spec = contract.get(name)
        if spec is None:
            continue
        series = frame[name]
        if pandas_matches(series, spec.type) and spec.type not in ("code", "number"):
            if spec.type in ("string",) and not isinstance(series.dtype, pd.StringDtype):
                converted[name] = series.astype(PANDAS_DTYPES["string"])
            elif spec.type == "integer" and series.dtype != PANDAS_DTYPES["integer"]:
                converted[name] = series.astype(PANDAS_DTYPES["integer"])
            continue
        convert = _PANDAS_CONVERTERS[spec.type]
        converted[name] = convert(series, spec, table)
    for name in frame.columns:
        spec = contract.get(name)
        if spec is not None and upper_code(spec):
            fixed = _upper_codes(converted.get(name, frame[name]))
            if fixed is not None:
                converted[name] = fixed
    if not converted:
        return frame
    return frame.assign(**converted)


def _upper_codes(series: pd.Series) -> pd.Series | None:
    """Codes trimmed and upper-cased (checked on the distinct values); ``None``: unchanged."""
    arr = pa.array(series.astype(PANDAS_DTYPES["string"]), type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    encoded = pc.dictionary_encode(arr)
    values = encoded.dictionary
    if not pc.any(pc.match_substring_regex(values, _UPPER_NEEDS_WORK)).as_py():
        return None
    values = pc.utf8_upper(pc.utf8_trim_whitespace(values))
    return pd.Series(
        pd.array(pc.take(values, encoded.indices), dtype=PANDAS_DTYPES["string"]),
        index=series.index,
        name=series.name,
    )


def _bad(series: pd.Series, mask: Any) -> list[Any]:
    return list(pd.unique(series[mask].astype(object)))[:5]


def _as_text(series: pd.Series, spec: ColumnSpec, table: str) -> pd.Series:
    """Strings, numbers written without a useless '.0'."""
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return series.map({True: "1", False: "0"}).astype(PANDAS_DTYPES["string"])
    if pd.api.types.is_integer_dtype(dtype):
        return series.astype("Int64").astype(PANDAS_DTYPES["string"])
    if pd.api.types.is_float_dtype(dtype):
        values = series.astype("Float64")
        fractional = values.notna() & (values % 1 != 0)
        if fractional.any():
            raise ContractError(
                table,
                spec.name,
                "expected whole-number identifiers or codes",
                _bad(series, fractional),
            )
        return values.astype("Int64").astype(PANDAS_DTYPES["string"])
    if pd.api.types.is_datetime64_any_dtype(dtype) or (
        isinstance(dtype, pd.ArrowDtype)
        and (pa.types.is_date(dtype.pyarrow_dtype) or pa.types.is_timestamp(dtype.pyarrow_dtype))
    ):
        raise ContractError(
            table, spec.name, f"expected text, got dates ({dtype})", _bad(series, series.notna())
        )
    if pd.api.types.is_object_dtype(dtype):

        def text(value: Any) -> Any:
            if value is None or (isinstance(value, float) and pd.isna(value)):
                return None
            if isinstance(value, bool):
                return "1" if value else "0"
            if isinstance(value, float) and value.is_integer():
                return str(int(value))
            return str(value)

        return series.map(text).astype(PANDAS_DTYPES["string"])
    return series.astype(PANDAS_DTYPES["string"])


def _to_string(series: pd.Series, spec: ColumnSpec, table: str) -> pd.Series:
    numeric = pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(
        series.dtype
    )
    text = _as_text(series, spec, table)
    if spec.zero_pad and numeric:
        text = text.str.zfill(spec.zero_pad)
    return text


def _to_code(series: pd.Series, spec: ColumnSpec, table: str) -> pd.Series:
    text = _as_text(series, spec, table)
    # codes have few distinct values: check and rewrite the dictionary, not every row
    arr = pa.array(text, type=pa.string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    encoded = pc.dictionary_encode(arr)
    values = encoded.dictionary
    if not pc.any(pc.match_substring_regex(values, _CODE_NEEDS_WORK)).as_py():
        return text
    values = pc.utf8_trim_whitespace(values)
    lowered = pc.utf8_lower(values)
    values = pc.if_else(
        pc.equal(lowered, "true"), "1", pc.if_else(pc.equal(lowered, "false"), "0", values)
    )
    values = pc.replace_substring_regex(
        values, pattern=_CODE_INT, replacement=_CODE_INT_REPLACEMENT[0]
    )
    arr = pc.take(values, encoded.indices)
    return pd.Series(
        pd.array(arr, dtype=PANDAS_DTYPES["code"]), index=series.index, name=series.name
    )


def _to_date(series: pd.Series, spec: ColumnSpec, table: str) -> pd.Series:
    target = PANDAS_DTYPES["date"]
    dtype = series.dtype
    if isinstance(dtype, pd.ArrowDtype) and (
        pa.types.is_timestamp(dtype.pyarrow_dtype) or pa.types.is_date(dtype.pyarrow_dtype)
    ):
        return series.astype(target)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        values = series.dt.tz_localize(None) if getattr(series.dt, "tz", None) else series
        arrow = pa.array(values, from_pandas=True).cast(pa.date32())
        return pd.Series(pd.array(arrow, dtype=target), index=series.index, name=series.name)
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        # dates exported as numbers (20190315 or 15032019)
        series = _as_text(series, spec, table)
    elif pd.api.types.is_object_dtype(dtype):
        non_null = series.dropna()
        if len(non_null) and non_null.map(lambda v: hasattr(v, "year")).all():
            import datetime as dt

            values = [
                v.date() if isinstance(v, dt.datetime) else v
                for v in series.where(series.notna(), None)
            ]
            return pd.Series(pd.array(values, dtype=target), index=series.index, name=series.name)
    elif not pandas_matches(series, "string"):
        raise ContractError(
            table, spec.name, f"expected dates, got {dtype}", _bad(series, series.notna())
        )
    text = pa.array(series.astype(object).where(series.notna(), None), type=pa.string())
    text = pc.utf8_trim_whitespace(text)
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    upper = pc.utf8_upper(text)
    parsed = pa.nulls(len(text), pa.timestamp("s"))
    for fmt in date_formats(spec):
        missing = pc.and_(pc.is_null(parsed), pc.is_valid(text))
        if not pc.any(missing).as_py():
            break
        attempt = pc.strptime(text, format=fmt, unit="s", error_is_null=True)
        # strict: the parsed date printed back must give the input (no 2020-02-30)
        back = pc.utf8_upper(pc.strftime(attempt, format=fmt))
        ok = pc.and_(pc.is_valid(attempt), pc.equal(back, upper)).fill_null(False)
        parsed = pc.if_else(pc.and_(missing, ok), attempt, parsed)
    failed = pc.and_(pc.is_null(parsed), pc.is_valid(text)).to_numpy(zero_copy_only=False)
    if failed.any():
        raise ContractError(
            table,
            spec.name,
            "unparseable date (accepted formats: " + ", ".join(date_formats(spec)) + ")",
            _bad(series, failed),
        )
    dates = parsed.cast(pa.date32())
    return pd.Series(pd.array(dates, dtype=target), index=series.index, name=series.name)


def _to_number(series: pd.Series, spec: ColumnSpec, table: str) -> pd.Series:
    integer = spec.type == "integer"
    target = PANDAS_DTYPES[spec.type]
    dtype = series.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return series.astype("Int64").astype(target)
    if pd.api.types.is_numeric_dtype(dtype):
        if integer and pd.api.types.is_float_dtype(dtype):
            frac = series.notna() & (series % 1 != 0)
            if frac.any():
                raise ContractError(table, spec.name, "expected whole numbers", _bad(series, frac))
        return series.astype(target)
    if pd.api.types.is_datetime64_any_dtype(dtype):
        raise ContractError(
            table, spec.name, f"expected numbers, got {dtype}", _bad(series, series.notna())
        )
    text = _as_text(series, spec, table).str.strip().replace("", None)
    pattern = _INT_TEXT if integer else _NUM_TEXT
    ok = text.str.fullmatch(pattern.strip("^$")).fillna(True).astype(bool)
    if not ok.all():
        kind = "whole numbers" if integer else "numbers"
        raise ContractError(table, spec.name, f"expected {kind}", _bad(series, ~ok))
    values = pd.to_numeric(text.astype(object), errors="raise")
    return pd.Series(values, index=series.index, name=series.name).astype(target)


_PANDAS_CONVERTERS = {
    "string": _to_string,
    "code": _to_code,
    "date": _to_date,
    "integer": _to_number,
    "number": _to_number,
}


# --------------------------------------------------------------------------- Spark


def _guard(raw: Any, converted: Any, table: str, column: str, problem: str) -> Any:
    """Lazy check: fail the Spark action that meets a value ``raw`` that did not convert."""
    from pyspark.sql import functions as F

    message = F.concat(
        F.lit(f"{table}.{column}: {problem}; offending value: '"),
        raw.cast("string"),
        F.lit("'"),
    )
    return F.when(raw.isNotNull() & converted.isNull(), F.raise_error(message)).otherwise(converted)


def spark_conversion(spec: ColumnSpec, data_type: Any, table: str) -> Any:
    """The Spark column expression that converts ``spec.name`` to its contract type.

    Returns ``None`` when the column already has the right type.
    """
    from pyspark.sql import functions as F

    col = F.col(spec.name)
    type_name = type(data_type).__name__
    numeric = type_name in (
        "LongType",
        "IntegerType",
        "ShortType",
        "ByteType",
        "DoubleType",
        "FloatType",
        "DecimalType",
    )
    if spec.type in ("string", "code"):
        if type_name in ("DateType", "TimestampType", "TimestampNTZType"):
            raise ContractError(table, spec.name, f"expected text, got dates ({type_name})")
        if type_name == "BooleanType":
            text = F.when(col, F.lit("1")).when(~col, F.lit("0"))
        elif numeric:
            whole = col.cast("decimal(38,0)")
            text = _guard(
                col,
                F.when(col == whole, whole.cast("string")),
                table,
                spec.name,
                "expected whole-number identifiers or codes",
            )
            if spec.zero_pad and spec.type == "string":
                text = F.lpad(text, spec.zero_pad, "0")
        elif spec.type == "string" and upper_code(spec):
            text = col if type_name == "StringType" else col.cast("string")
            return F.when(text.rlike(_UPPER_NEEDS_WORK), F.upper(F.trim(text))).otherwise(text)
        elif spec.type == "string":
            return None if type_name == "StringType" else col.cast("string")
        else:
            text = col.cast("string")
        if spec.type == "code" and not numeric and type_name != "BooleanType":
            # numbers and booleans already give canonical text. Other text is rewritten
            # only where it could change, as on pandas (most codes are canonical: one
            # regex test per row instead of trim, two lower and a regex replacement)
            raw = text
            text = F.trim(text)
            text = (
                F.when(F.lower(text) == "true", F.lit("1"))
                .when(F.lower(text) == "false", F.lit("0"))
                .otherwise(text)
            )
            text = F.regexp_replace(text, _CODE_INT, _CODE_INT_REPLACEMENT[1])
            text = F.when(raw.rlike(_CODE_NEEDS_WORK), text).otherwise(raw)
        return text
    if spec.type == "date":
        if type_name == "DateType":
            return None
        if type_name in ("TimestampType", "TimestampNTZType"):
            return F.to_date(col)
        if type_name not in ("StringType",) and not numeric:
            raise ContractError(table, spec.name, f"expected dates, got {type_name}")
        text = F.trim(col.cast("string") if numeric else col)
        text = F.when(text == "", F.lit(None)).otherwise(text)
        attempts = [
            F.to_date(F.try_to_timestamp(text, F.lit(_SPARK_PATTERNS[fmt])))
            for fmt in date_formats(spec)
        ]
        problem = "unparseable date (accepted formats: " + ", ".join(date_formats(spec)) + ")"
        return _guard(text, F.coalesce(*attempts), table, spec.name, problem)
    if spark_matches(data_type, spec.type):
        target = "bigint" if spec.type == "integer" else "double"
        native = {"bigint": "LongType", "double": "DoubleType"}[target]
        return None if type_name == native else col.cast(target)
    if type_name in ("DateType", "TimestampType", "TimestampNTZType"):
        raise ContractError(table, spec.name, f"expected numbers, got {type_name}")
    target = "bigint" if spec.type == "integer" else "double"
    text = F.trim(col.cast("string"))
    text = F.when(text == "", F.lit(None)).otherwise(text)
    if spec.type == "integer":
        text = F.regexp_replace(text, r"\.0*$", "")
    value = text.try_cast(target)
    kind = "whole numbers" if spec.type == "integer" else "numbers"
    return _guard(text, value, table, spec.name, f"expected {kind}")


def _normalize_spark(frame: Any, contract: TableContract, table: str) -> Any:
    fields = {f.name: f.dataType for f in frame.schema.fields}
    conversions = {}
    for name, data_type in fields.items():
        spec = contract.get(name)
        if spec is None:
            continue
        expr = spark_conversion(spec, data_type, table)
        if expr is not None:
            conversions[name] = expr
    if not conversions:
        return frame
    return frame.withColumns(conversions)


# --------------------------------------------------------------------------- DuckDB
# The same conversions as on Spark, written as DuckDB SQL; a guard calls DuckDB's
# ``error()`` when a value meets it, so that the first query touching a bad value fails.


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _duckdb_guard(raw: str, converted: str, table: str, column: str, problem: str) -> str:
    message = _sql_text(f"{table}.{column}: {problem}; offending value: '")
    quote = _sql_text("'")
    return (
        f"CASE WHEN {raw} IS NOT NULL AND ({converted}) IS NULL "
        f"THEN error({message} || CAST({raw} AS VARCHAR) || {quote}) ELSE {converted} END"
    )


def duckdb_conversion(spec: ColumnSpec, type_name: str, table: str) -> str | None:
    """The DuckDB SQL expression converting ``spec.name`` to its contract type.

    Returns ``None`` when the column already has the right type.
    """
    col = sql_name(spec.name)
    base = type_name.split("(")[0].upper()
    integer = base in DUCKDB_INTEGERS
    numeric = integer or base in DUCKDB_FLOATS or base == "DECIMAL"
    temporal = base == "DATE" or base.startswith("TIMESTAMP")
    if spec.type in ("string", "code"):
        if temporal:
            raise ContractError(table, spec.name, f"expected text, got dates ({type_name})")
        if base == "BOOLEAN":
            return f"CASE WHEN {col} THEN '1' WHEN NOT {col} THEN '0' END"
        if numeric:
            if integer:
                text = f"CAST({col} AS VARCHAR)"
            else:
                whole = (
                    f"CASE WHEN {col} = trunc({col}) "
                    f"THEN CAST(CAST({col} AS HUGEINT) AS VARCHAR) END"
                )
                problem = "expected whole-number identifiers or codes"
                text = _duckdb_guard(col, whole, table, spec.name, problem)
            if spec.zero_pad and spec.type == "string":
                text = f"lpad({text}, {int(spec.zero_pad)}, '0')"
            return text  # the decimal text of a whole number is already a canonical code
        if spec.type == "string":
            return None if base == "VARCHAR" else f"CAST({col} AS VARCHAR)"
        text = f"trim(CAST({col} AS VARCHAR))"
        backref = _sql_text(chr(92) + "1" + chr(92) + "2")
        return (
            f"CASE WHEN lower({text}) = 'true' THEN '1' WHEN lower({text}) = 'false' THEN '0' "
            f"WHEN ((left({text}, 1) IN ('0', '+', '-') AND length({text}) > 1) "
            f"OR contains({text}, '.')) "
            f"THEN regexp_replace({text}, {_sql_text(_CODE_INT)}, {backref}) ELSE {text} END"
        )
    if spec.type == "date":
        if base == "DATE":
            return None
        if base.startswith("TIMESTAMP"):
            return f"CAST({col} AS DATE)"
        if base != "VARCHAR" and not numeric:
            raise ContractError(table, spec.name, f"expected dates, got {type_name}")
        text = f"nullif(trim(CAST({col} AS VARCHAR)), '')"
        attempts = []
        for fmt in date_formats(spec):
            parsed = f"try_strptime({text}, {_sql_text(fmt)})"
            # strict: the parsed date printed back must give the input (no 2020-02-30)
            back = f"upper(strftime({parsed}, {_sql_text(fmt)}))"
            attempts.append(f"CASE WHEN {back} = upper({text}) THEN CAST({parsed} AS DATE) END")
        problem = "unparseable date (accepted formats: " + ", ".join(date_formats(spec)) + ")"
        return _duckdb_guard(text, f"coalesce({', '.join(attempts)})", table, spec.name, problem)
    target = "BIGINT" if spec.type == "integer" else "DOUBLE"
    if base == "BOOLEAN":
        return f"CAST(CAST({col} AS INTEGER) AS {target})"
    if numeric:
        if base == target:
            return None
        if spec.type == "integer" and not integer:
            whole = f"CASE WHEN {col} = trunc({col}) THEN CAST({col} AS BIGINT) END"
            return _duckdb_guard(col, whole, table, spec.name, "expected whole numbers")
        return f"CAST({col} AS {target})"
    if temporal:
        raise ContractError(table, spec.name, f"expected numbers, got {type_name}")
    text = f"nullif(trim(CAST({col} AS VARCHAR)), '')"
    if spec.type == "integer":
        value = f"TRY_CAST(regexp_replace({text}, {_sql_text(chr(92) + '.0*$')}, '') AS BIGINT)"
        checked = f"CASE WHEN regexp_full_match({text}, {_sql_text(_INT_TEXT)}) THEN {value} END"
    else:
        checked = (
            f"CASE WHEN regexp_full_match({text}, {_sql_text(_NUM_TEXT)}) "
            f"THEN TRY_CAST({text} AS DOUBLE) END"
        )
    kind = "whole numbers" if spec.type == "integer" else "numbers"
    return _duckdb_guard(text, checked, table, spec.name, f"expected {kind}")


def _canonical_text_codes(frame: Any, names: list[str], upper: Sequence[str] = ()) -> set[str]:
    """The text code columns among ``names`` whose values are all canonical already.

    As on pandas, codes are checked on their distinct values (one query for all the
    columns: DuckDB scans them in parallel, 0.5 s for five columns of 31 M lines), so
    that canonical columns, the common case, pass through untouched instead of carrying
    a per-row rewrite into every query that uses them.
    """
    import re

    if not names:
        return set()
    parts = [
        f"SELECT {i} AS k, v FROM (SELECT DISTINCT CAST({sql_name(n)} AS VARCHAR) AS v FROM frame)"
        for i, n in enumerate(names)
    ]
    found = frame.query("frame", " UNION ALL ".join(parts)).fetchall()
    needs_work = re.compile(_CODE_NEEDS_WORK)
    needs_upper = re.compile(_UPPER_NEEDS_WORK)
    bad = {
        names[k]
        for k, v in found
        if v is not None and (needs_upper if names[k] in upper else needs_work).search(v)
    }
    return set(names) - bad


def _normalize_duckdb(frame: Any, contract: TableContract, table: str) -> Any:
    items, changed = [], False
    text_codes = [
        name
        for name, type_ in zip(frame.columns, frame.types, strict=True)
        if (spec := contract.get(name)) is not None
        and spec.type == "code"
        and str(type_).upper() == "VARCHAR"
    ]
    upper = [
        name
        for name, type_ in zip(frame.columns, frame.types, strict=True)
        if (spec := contract.get(name)) is not None
        and upper_code(spec)
        and str(type_).upper() == "VARCHAR"
    ]
    canonical = _canonical_text_codes(frame, text_codes + upper, upper)
    for name, type_ in zip(frame.columns, frame.types, strict=True):
        spec = contract.get(name)
        if name in canonical:
            spec = None
        if spec is not None and name in upper:
            expr = f"upper(trim({sql_name(name)}))"
        else:
            expr = duckdb_conversion(spec, str(type_), table) if spec is not None else None
        changed = changed or expr is not None
        items.append(f"{expr} AS {sql_name(name)}" if expr is not None else sql_name(name))
    return frame.project(", ".join(items)) if changed else frame
