"""Validation of normalised tables against their contract (pandera on pandas and Spark,
SQL checks on DuckDB).

One contract description (:mod:`snds_algos.contracts.model`) yields a pandera schema for
pandas (:func:`pandas_schema`) and one for PySpark (:func:`spark_schema`). DuckDB
relations (which pandera does not know) get the same checks as SQL queries.

* Schema checks (columns present, dtypes, cheap on Spark: no data is read) always run.
* Data checks (nullability, code formats, allowed values) run by default on pandas. On
  DuckDB and Spark they run only when asked (``data_checks=True``): each data check is a full scan
  of the table, which on the whole SNDS costs minutes.

A failure raises :class:`~snds_algos.errors.ContractError` naming the table, the column,
the problem and a few offending values.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import pandas as pd

from snds_algos.backend import DUCKDB, SPARK, backend_of, sql_name
from snds_algos.contracts.dtypes import (
    DUCKDB_TYPE_NAMES,
    PANDAS_DTYPES,
    duckdb_matches,
    pandas_matches,
    spark_matches,
    spark_type,
)
from snds_algos.contracts.model import ColumnSpec, TableContract, get_contract
from snds_algos.errors import ContractError


def _columns_to_check(
    contract: TableContract, present: Sequence[str], columns: Sequence[str] | None, table: str
) -> list[ColumnSpec]:
    wanted = list(columns) if columns is not None else contract.required
    missing = [c for c in wanted if c not in present]
    if missing:
        raise ContractError(
            table,
            missing[0],
            f"required column(s) missing: {', '.join(missing)}",
            values=[c for c in present][:5],
        )
    specs = []
    for name in present:
        spec = contract.get(name)
        if spec is not None and (columns is None or name in columns):
            specs.append(spec)
    return specs


def _checks(spec: ColumnSpec, module: Any) -> list[Any]:
    checks = []
    if spec.pattern:
        checks.append(module.Check.str_matches(spec.pattern))
    if spec.allowed:
        checks.append(module.Check.isin(list(spec.allowed)))
    return checks


def pandas_schema(table: str, columns: Sequence[str] | None = None) -> Any:
    """The pandera (pandas) schema of a table's contract.

    >>> schema = pandas_schema("IR_IMB_R", ["MED_MTF_COD"])
    >>> list(schema.columns)
    ['MED_MTF_COD']
    """
    import pandera.pandas as pa

    contract = get_contract(table)
    specs = [contract[c] for c in columns] if columns is not None else list(contract.columns)
    return pa.DataFrameSchema(
        {
            s.name: pa.Column(
                PANDAS_DTYPES[s.type],
                checks=_checks(s, pa),
                nullable=s.nullable,
                required=s.required and columns is None,
            )
            for s in specs
        },
        name=table,
        strict=False,
    )


def spark_schema(table: str, columns: Sequence[str] | None = None) -> Any:
    """The pandera (PySpark) schema of a table's contract (imports PySpark)."""
    import pandera.pyspark as ps

    contract = get_contract(table)
    specs = [contract[c] for c in columns] if columns is not None else list(contract.columns)
    return ps.DataFrameSchema(
        {
            s.name: ps.Column(spark_type(s.type), checks=_checks(s, ps), nullable=s.nullable)
            for s in specs
        },
        name=table,
    )


def validate(
    frame: Any,
    table: str,
    *,
    columns: Sequence[str] | None = None,
    data_checks: bool | None = None,
) -> Any:
    """Check that a normalised table meets its contract; return it unchanged.

    Parameters
    ----------
    frame:
        pandas or Spark DataFrame (already normalised, see
        :func:`snds_algos.contracts.normalize.normalize`).
    table:
        Table name (``"ER_PRS_F"``, ``"T_MCO19B"``...).
    columns:
        Columns that must be present (default: the contract's required columns). Only
        documented columns are checked; other columns are allowed.
    data_checks:
        Run nullability, format and allowed-value checks. Default: ``True`` on pandas,
        ``False`` on DuckDB and Spark (each data check is a full scan).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.normalize import normalize
    >>> ald = normalize(pd.DataFrame({"MED_MTF_COD": ["E11", "diabete"]}), "IR_IMB_R")
    >>> validate(ald, "IR_IMB_R", columns=["MED_MTF_COD"])
    Traceback (most recent call last):
    ...
    snds_algos.errors.ContractError: IR_IMB_R.MED_MTF_COD: values do not match the code format ^[A-Z][0-9][0-9A-Z+*]{0,5}$; offending values: ['DIABETE']
    """
    contract = get_contract(table)
    present = list(frame.columns)
    specs = _columns_to_check(contract, present, columns, table)
    if backend_of(frame) == SPARK:
        _validate_spark(frame, table, specs, bool(data_checks))
    elif backend_of(frame) == DUCKDB:
        _validate_duckdb(frame, table, specs, bool(data_checks))
    else:
        _validate_pandas(frame, table, specs, True if data_checks is None else data_checks)
    return frame


def _describe(check: str, spec: ColumnSpec) -> str:
    if check == "not_nullable":
        return "null values in a non-nullable column"
    if check.startswith("str_matches"):
        return f"values do not match the code format {spec.pattern}"
    if check.startswith("isin"):
        return f"values not allowed (allowed: {', '.join(spec.allowed or ())})"
    return f"failed check {check}"


def _validate_pandas(frame: pd.DataFrame, table: str, specs: list[ColumnSpec], data: bool) -> None:
    for spec in specs:
        series = frame[spec.name]
        if not pandas_matches(series, spec.type):
            sample = list(pd.unique(series.dropna().astype(object)))[:5]
            raise ContractError(
                table,
                spec.name,
                f"wrong type: expected {spec.type} ({PANDAS_DTYPES[spec.type]}), got "
                f"{series.dtype}; normalise raw exports first",
                sample,
            )
    if not data:
        return
    import pandera.pandas as pa

    schema = pa.DataFrameSchema(
        {
            s.name: pa.Column(checks=_checks(s, pa), nullable=s.nullable)
            for s in specs
            if not s.nullable or s.pattern or s.allowed
        },
        name=table,
    )
    if not schema.columns:
        return
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        first = cases.iloc[0]
        column = str(first["column"])
        check = str(first["check"])
        same = cases[(cases["column"] == column) & (cases["check"] == check)]
        values = list(pd.unique(same["failure_case"].astype(object)))[:5]
        others = len(cases.groupby(["column", "check"])) - 1
        problem = _describe(check, next(s for s in specs if s.name == column))
        if others:
            problem += f" (and {others} other failed check(s))"
        raise ContractError(table, column, problem, values) from None


def _validate_spark(frame: Any, table: str, specs: list[ColumnSpec], data: bool) -> None:
    types = {f.name: f.dataType for f in frame.schema.fields}
    for spec in specs:
        if not spark_matches(types[spec.name], spec.type):
            raise ContractError(
                table,
                spec.name,
                f"wrong type: expected {spec.type} ({type(spark_type(spec.type)).__name__}), got "
                f"{type(types[spec.name]).__name__}; normalise raw exports first",
            )
    if not data:
        return
    from pyspark.sql import functions as F

    for spec in specs:
        col = F.col(spec.name)
        failures = []
        if not spec.nullable:
            failures.append(("not_nullable", col.isNull()))
        if spec.pattern:
            failures.append(("str_matches", col.isNotNull() & ~col.rlike(spec.pattern)))
        if spec.allowed:
            failures.append(("isin", col.isNotNull() & ~col.isin(list(spec.allowed))))
        for check, condition in failures:
            bad = frame.filter(condition).select(col).distinct().limit(5).collect()
            if bad:
                raise ContractError(
                    table, spec.name, _describe(check, spec), [row[0] for row in bad]
                )


def _validate_duckdb(frame: Any, table: str, specs: list[ColumnSpec], data: bool) -> None:
    types = dict(zip(frame.columns, (str(t) for t in frame.types), strict=True))
    for spec in specs:
        if not duckdb_matches(types[spec.name], spec.type):
            raise ContractError(
                table,
                spec.name,
                f"wrong type: expected {spec.type} ({DUCKDB_TYPE_NAMES[spec.type]}), got "
                f"{types[spec.name]}; normalise raw exports first",
            )
    if not data:
        return
    for spec in specs:
        col = sql_name(spec.name)
        failures = []
        if not spec.nullable:
            failures.append(("not_nullable", f"{col} IS NULL"))
        if spec.pattern:
            pattern = spec.pattern.replace("'", "''")
            failures.append(
                ("str_matches", f"{col} IS NOT NULL AND NOT regexp_matches({col}, '{pattern}')")
            )
        if spec.allowed:
            allowed = ", ".join("'" + a.replace("'", "''") + "'" for a in spec.allowed)
            failures.append(("isin", f"{col} IS NOT NULL AND {col} NOT IN ({allowed})"))
        for check, condition in failures:
            bad = frame.filter(condition).project(col).distinct().limit(5).fetchall()
            if bad:
                raise ContractError(
                    table, spec.name, _describe(check, spec), [row[0] for row in bad]
                )
