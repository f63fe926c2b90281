"""The OMOP CDM 5.4 tables as the official DDL states them: columns, types, keys.

Read once from the DDL copied into ``snds_algos/omop/ddl/`` (OHDSI CommonDataModel,
Apache-2.0). One stated change: the ``integer`` identifier columns (``*_id`` but not
``*_concept_id``) are ``BIGINT`` here, because the export's ids are 60-bit hashes (see
:mod:`snds_algos.omop.ids`); concept ids stay ``integer``.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from importlib import resources
from typing import Any

import narwhals as nw

from snds_algos.backend import PANDAS, backend_of, to_native

DDL_FILES = {
    "ddl": "OMOPCDM_duckdb_5.4_ddl.sql",
    "primary_keys": "OMOPCDM_duckdb_5.4_primary_keys.sql",
    "constraints": "OMOPCDM_duckdb_5.4_constraints.sql",
    "fields": "OMOP_CDMv5.4_Field_Level.csv",
}
#: the tables the export writes, in the order of the DDL
EXPORT_TABLES = (
    "person",
    "observation_period",
    "visit_occurrence",
    "visit_detail",
    "condition_occurrence",
    "drug_exposure",
    "procedure_occurrence",
    "measurement",
    "death",
    "drug_era",
    "condition_era",
    "cdm_source",
)
#: the tables of the cohorts given to the export (:mod:`snds_algos.omop.cohort`)
COHORT_TABLES = ("cohort", "cohort_definition")
#: every table the export may write, in the order of the DDL
ALL_TABLES = EXPORT_TABLES + COHORT_TABLES

_TABLE = re.compile(r"CREATE TABLE @cdmDatabaseSchema\.(\w+) \((.*?)\);", re.S)
_COLUMN = re.compile(r"^\s*(\w+)\s+(\w+(?:\(\d+\))?)\s+(NOT NULL|NULL)", re.M)


def ddl_text(name: str) -> str:
    """The text of one reference file (``ddl``, ``primary_keys``, ``constraints``, ``fields``)."""
    return resources.files("snds_algos.omop").joinpath("ddl", DDL_FILES[name]).read_text("utf-8")


def _widened(column: str, sql_type: str) -> str:
    if (
        sql_type.lower() == "integer"
        and column.endswith("_id")
        and not column.endswith("concept_id")
    ):
        return "BIGINT"
    return sql_type


@cache
def tables() -> dict[str, list[tuple[str, str, bool]]]:
    """Every CDM table: ``[(column, SQL type, required), ...]`` in DDL order.

    >>> tables()["death"][:2]
    [('person_id', 'BIGINT', True), ('death_date', 'date', True)]
    """
    out = {}
    for name, body in _TABLE.findall(ddl_text("ddl")):
        out[name] = [
            (col, _widened(col, typ), null == "NOT NULL")
            for col, typ, null in _COLUMN.findall(body)
        ]
    return out


@cache
def primary_keys() -> dict[str, list[str]]:
    """Primary key columns per table, from the primary-key file.

    >>> primary_keys()["person"]
    ['person_id']
    """
    found = re.findall(
        r"ALTER TABLE @cdmDatabaseSchema\.(\w+) ADD CONSTRAINT \w+ PRIMARY KEY \(([^)]*)\)",
        ddl_text("primary_keys"),
    )
    return {t: [c.strip() for c in cols.split(",")] for t, cols in found}


@cache
def foreign_keys() -> list[tuple[str, str, str, str, str]]:
    """Foreign keys: ``(constraint, table, column, referenced table, referenced column)``.

    >>> [fk for fk in foreign_keys() if fk[1] == "death" and fk[2] == "person_id"]
    [('fpk_death_person_id', 'death', 'person_id', 'person', 'person_id')]
    """
    found = re.findall(
        r"ALTER TABLE @cdmDatabaseSchema\.(\w+) ADD CONSTRAINT (\w+) FOREIGN KEY \((\w+)\) "
        r"REFERENCES @cdmDatabaseSchema\.(\w+) \((\w+)\)",
        ddl_text("constraints"),
    )
    return [(c, t, col, rt.lower(), rc.lower()) for t, c, col, rt, rc in found]


@cache
def required_fields() -> dict[str, list[str]]:
    """Required fields per table from the field-level specification (``isRequired``)."""
    out: dict[str, list[str]] = {}
    rows = csv.DictReader(ddl_text("fields").splitlines())
    for row in rows:
        if row["isRequired"].strip().lower() == "yes":
            out.setdefault(row["cdmTableName"].lower(), []).append(row["cdmFieldName"].lower())
    return out


def _nw_type(sql_type: str) -> Any:
    t = sql_type.lower()
    if t in ("integer", "bigint"):
        return nw.Int64()
    if t == "date":
        return nw.Date()
    if t == "numeric" or t == "float":
        return nw.Float64()
    if t == "timestamp":
        return nw.Datetime("us")
    return nw.String()


def finish_table(name: str, frame: Any) -> Any:
    """Select the columns of CDM table ``name`` (:func:`export_columns`) from ``frame``
    (absent ones: typed nulls), in DDL order, with their types; pandas output has Arrow
    dtypes and is sorted by the primary key (or every column). Returns the native frame of the input's backend.

    Types: integers Int64 (BIGINT), dates, doubles for NUMERIC/float, strings.
    """
    from snds_algos.backend import lazy

    lf = lazy(frame)
    present = set(lf.collect_schema().names())
    types = {c: t for c, t, _ in tables()[name]}
    backend = backend_of(lf.to_native())
    if backend != PANDAS:
        exprs = [
            (nw.col(c) if c in present else nw.lit(None, dtype=_nw_type(types[c])))
            .cast(_nw_type(types[c]))
            .alias(c)
            for c in export_columns(name)
        ]
        return to_native(lf.select(*exprs))
    # pandas: typed in Arrow (narwhals cannot cast numpy NaN to Int64, nor make Int64 nulls)
    import pandas as pd
    import pyarrow as pa

    arrow = {"integer": pa.int64(), "bigint": pa.int64(), "date": pa.date32(),
             "numeric": pa.float64(), "float": pa.float64()}  # fmt: skip
    native = to_native(lf.select(*[c for c in export_columns(name) if c in present]))
    table = pa.Table.from_pandas(native, preserve_index=False)
    columns = []
    for column in export_columns(name):
        kind = arrow.get(types[column].lower(), pa.string())
        if column in present:
            values = table.column(column)
            if pa.types.is_floating(values.type) and pa.types.is_integer(kind):
                values = values.cast(pa.int64(), safe=True)
            columns.append(values.cast(kind))
        else:
            columns.append(pa.nulls(len(table), kind))
    table = pa.Table.from_arrays(columns, names=export_columns(name))
    out = table.to_pandas(types_mapper=pd.ArrowDtype)
    order = primary_keys().get(name) or list(out.columns)
    return out.sort_values(order, kind="stable").reset_index(drop=True)


def export_columns(name: str) -> list[str]:
    """The columns the export writes for table ``name``: the DDL's, without the
    ``*_datetime`` columns (the SNDS has dates only; the loader leaves them null).

    >>> export_columns("death")
    ['person_id', 'death_date', 'death_type_concept_id', 'cause_concept_id', 'cause_source_value', 'cause_source_concept_id']
    """
    return [c for c, t, _ in tables()[name] if t.lower() != "timestamp"]
