"""Generated data exported on every backend: identical rows, and the export loads into the
official CDM 5.4 DDL on DuckDB with every constraint it states holding."""

import datetime as dt

import pandas as pd
import pytest

from snds_algos.io import open_source
from snds_algos.omop import EXPORT_TABLES, check_constraints, export_omop, load_duckdb, write_export
from snds_algos.omop.schema import primary_keys

PERSONS = 1500
RELEASE = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from snds_algos.synthetic import generate

    folder = tmp_path_factory.mktemp("snds")
    generate(PERSONS, "2019-2020", 7, str(folder), progress=False)
    return folder


@pytest.fixture(scope="module")
def reference(generated):
    export = export_omop(open_source(generated), release_date=RELEASE)
    return {name: export.tables[name] for name in EXPORT_TABLES}


def _sorted(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    order = primary_keys().get(table) or list(frame.columns)
    return frame.sort_values(order).reset_index(drop=True)


def test_export_loads_into_the_official_ddl_identical_across_backends(
    generated, reference, backend, tmp_path
):
    source = open_source(generated, backend=backend.name, spark=backend.spark)
    export = export_omop(source, release_date=RELEASE)
    for name in EXPORT_TABLES:
        got = _sorted(backend.collect(export.tables[name]), name)
        pd.testing.assert_frame_equal(got, _sorted(reference[name], name), check_dtype=False)
    # every table of the generated data has rows
    assert all(len(reference[name]) for name in EXPORT_TABLES), {
        n: len(f) for n, f in reference.items()
    }
    write_export(export, tmp_path / "omop")
    con = load_duckdb(tmp_path / "omop", tmp_path / "cdm.duckdb")  # raises on a violation
    assert check_constraints(con).empty
    for name in EXPORT_TABLES:
        assert con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == len(reference[name])
    con.close()


def test_loader_finds_violations(tmp_path, reference):
    """The checks are not vacuous: a duplicated id, a missing person and a null required
    column are reported."""
    folder = tmp_path / "bad"
    folder.mkdir()
    person = reference["person"]
    pd.concat([person, person.head(1)]).to_parquet(folder / "person.parquet", index=False)
    death = reference["death"].copy()
    death.loc[0, "person_id"] = 1
    death.to_parquet(folder / "death.parquet", index=False)
    from snds_algos.errors import ContractError

    with pytest.raises(Exception, match=r"(?i)primary key|duplicate"):
        load_duckdb(folder, tmp_path / "a.duckdb")
    no_birth = person.copy()
    no_birth.loc[0, "year_of_birth"] = None
    no_birth.to_parquet(folder / "person.parquet", index=False)
    with pytest.raises(Exception, match=r"(?i)not null"):
        load_duckdb(folder, tmp_path / "n.duckdb")
    person.to_parquet(folder / "person.parquet", index=False)
    with pytest.raises(ContractError, match="fpk_death_person_id"):
        load_duckdb(folder, tmp_path / "b.duckdb")
    con = load_duckdb(folder, tmp_path / "c.duckdb", check=False)
    problems = check_constraints(con)
    assert problems[["check", "table", "column", "rows"]].values.tolist() == [
        ["foreign key fpk_death_person_id", "death", "person_id", 1]
    ]


def test_cli_exports_and_refuses_a_non_empty_out(generated, tmp_path, capsys):
    from snds_algos.cli import main

    out = tmp_path / "omop"
    assert main(["omop", "--data", str(generated), "--out", str(out), "--format", "csv"]) == 0
    assert (out / "person.csv").exists() and (out / "mapping_report.csv").exists()
    assert main(["omop", "--data", str(generated), "--out", str(out)]) == 2
    assert "not empty" in capsys.readouterr().out
    con = load_duckdb(out, tmp_path / "cdm.duckdb")
    assert con.execute("SELECT count(*) FROM person").fetchone()[0] > 0
    assert main(["omop", "--data", str(generated), "--out", str(out), "--overwrite"]) == 0
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert leftovers == []
