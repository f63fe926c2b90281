"""Load an OMOP export into a DuckDB database created with the official CDM 5.4 DDL,
and check every constraint that DDL states."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from snds_algos.errors import ContractError
from snds_algos.omop.schema import (
    ALL_TABLES,
    ddl_text,
    foreign_keys,
    primary_keys,
    required_fields,
    tables,
)


def create_statements(schema: str = "main") -> list[str]:
    """The DDL's CREATE TABLE statements for ``schema`` (identifier columns widened to
    BIGINT, see :mod:`snds_algos.omop.schema`), then its primary keys.

    >>> create_statements()[0].splitlines()[0]
    'CREATE TABLE main.person ('
    """
    out = []
    for name, columns in tables().items():
        body = ",\n".join(
            f"\t{col} {typ} {'NOT NULL' if required else 'NULL'}" for col, typ, required in columns
        )
        out.append(f"CREATE TABLE {schema}.{name} (\n{body} );")
    for statement in ddl_text("primary_keys").split(";"):
        statement = statement.strip()
        lines = [s for s in statement.splitlines() if not s.startswith("--")]
        if lines:
            out.append("\n".join(lines).replace("@cdmDatabaseSchema", schema) + ";")
    return out


def _files(folder: Path, table: str) -> str | None:
    for kind in ("parquet", "csv"):
        path = folder / f"{table}.{kind}"
        if path.is_dir():
            return f"{kind}:{path}/*.{kind}"
        if path.exists():
            return f"{kind}:{path}"
    return None


def _fixed_concept_rows(con: Any, schema: str) -> None:
    from snds_algos.omop.concepts import fixed_concepts

    for row in fixed_concepts().values():
        con.execute(
            f"INSERT INTO {schema}.concept (concept_id, concept_name, domain_id, vocabulary_id, "
            "concept_class_id, standard_concept, concept_code, valid_start_date, valid_end_date)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, DATE '1970-01-01', DATE '2099-12-31')",
            [int(row["concept_id"]), row["concept_name"], row["domain_id"], row["vocabulary_id"],
             row["concept_class_id"], row["standard_concept"] or None, row["concept_code"]],
        )  # fmt: skip


def _vocabulary_concepts(con: Any, schema: str, folder: Path) -> None:
    path = folder / "CONCEPT.csv"
    con.execute(
        f"INSERT INTO {schema}.concept SELECT CAST(concept_id AS INTEGER), concept_name, "
        "domain_id, vocabulary_id, concept_class_id, NULLIF(standard_concept, ''), concept_code, "
        "COALESCE(TRY_STRPTIME(valid_start_date, '%Y%m%d')::DATE, DATE '1970-01-01'), "
        "COALESCE(TRY_STRPTIME(valid_end_date, '%Y%m%d')::DATE, DATE '2099-12-31'), "
        "NULLIF(invalid_reason, '') FROM read_csv(?, delim='\t', header=true, all_varchar=true, "
        f"quote='') WHERE CAST(concept_id AS INTEGER) NOT IN (SELECT concept_id FROM {schema}.concept)",
        [str(path)],
    )


def load_duckdb(
    folder: str | os.PathLike[str],
    database: str | os.PathLike[str],
    *,
    vocabulary: str | os.PathLike[str] | None = None,
    schema: str = "main",
    check: bool = True,
) -> Any:
    """Create ``database`` with the official CDM 5.4 DDL and load the export in ``folder``.

    The tables are created by the DDL (every CDM table, with its NOT NULL columns and
    primary keys, which DuckDB enforces while loading), then each exported table file
    (``person.parquet`` or ``person.csv``, a file or a folder of parts) is inserted by
    column name. CONCEPT receives the fixed concepts of the export (``concepts.csv``)
    and, with ``vocabulary`` (an Athena folder), its CONCEPT rows. DuckDB cannot add
    foreign keys to existing tables: with ``check`` (default) every foreign key of the
    DDL from an exported table is checked by a query (:func:`check_constraints`), and a
    violation raises :class:`~snds_algos.errors.ContractError`.

    Returns the open DuckDB connection.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> con = load_duckdb(tempfile.mkdtemp(), pathlib.Path(tempfile.mkdtemp()) / "cdm.duckdb")
    >>> con.execute("SELECT count(*) FROM person").fetchone()
    (0,)
    """
    import duckdb

    folder = Path(folder)
    if Path(database).exists():
        raise FileExistsError(f"database {database} exists: give a new file")
    con = duckdb.connect(str(database))
    if schema != "main":
        con.execute(f"CREATE SCHEMA {schema}")
    for statement in create_statements(schema):
        con.execute(statement)
    _fixed_concept_rows(con, schema)
    if vocabulary is not None:
        _vocabulary_concepts(con, schema, Path(vocabulary))
    for table in ALL_TABLES:
        found = _files(folder, table)
        if found is None:
            continue
        kind, path = found.split(":", 1)
        reader = (
            f"read_parquet('{path}')"
            if kind == "parquet"
            else f"read_csv('{path}', header=true, auto_type_candidates=['VARCHAR'])"
        )
        names = [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
        columns = ", ".join(names)
        con.execute(f"INSERT INTO {schema}.{table} ({columns}) SELECT {columns} FROM {reader}")
    if check:
        problems = check_constraints(con, schema)
        if len(problems):
            first = problems.iloc[0]
            raise ContractError(
                f"OMOP {first['table']}", first["column"],
                f"{first['check']} violated by {first['rows']} row(s) ({len(problems)} check(s) "
                "fail: see check_constraints)",
            )  # fmt: skip
    return con


def check_constraints(con: Any, schema: str = "main") -> Any:
    """Every constraint of the DDL on the exported tables, checked by queries: primary
    keys unique and not null, required (NOT NULL and field-level ``isRequired``) columns
    filled, foreign keys present in their table. Returns the failing checks (pandas:
    ``check, table, column, rows``); empty when all hold.

    Foreign keys from the exported tables to tables the export does not fill
    (LOCATION, PROVIDER, CARE_SITE...) are checked too: their columns are null.
    """
    import pandas as pd

    records = []

    def count(sql: str) -> int:
        return int(con.execute(sql).fetchone()[0])

    for table in ALL_TABLES:
        t = f"{schema}.{table}"
        key = primary_keys().get(table)
        if key:
            cols = ", ".join(key)
            dup = count(f"SELECT count(*) FROM (SELECT {cols} FROM {t} GROUP BY {cols} "
                        "HAVING count(*) > 1)")  # fmt: skip
            records.append(("primary key unique", table, cols, dup))
        required = {c for c, _, req in tables()[table] if req}
        required |= set(required_fields().get(table, []))
        for column in sorted(required):
            nulls = count(f"SELECT count(*) FROM {t} WHERE {column} IS NULL")
            records.append(("not null", table, column, nulls))
    for name, table, column, ref_table, ref_column in foreign_keys():
        if table not in ALL_TABLES:
            continue
        missing = count(
            f"SELECT count(*) FROM {schema}.{table} x WHERE x.{column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {schema}.{ref_table} r WHERE r.{ref_column} = x.{column})"
        )
        records.append((f"foreign key {name}", table, column, missing))
    frame = pd.DataFrame(records, columns=["check", "table", "column", "rows"])
    return frame[frame["rows"] > 0].reset_index(drop=True)
