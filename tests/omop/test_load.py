"""Generated data exported on every backend, with the example study
metformin_new_users_ami as COHORT: identical rows, and the export loads into the official
CDM 5.4 DDL on DuckDB with every constraint it states holding."""

import datetime as dt

import pandas as pd
import pytest

from snds_algos.io import open_source
from snds_algos.omop import ALL_TABLES, check_constraints, export_omop, load_duckdb, write_export
from snds_algos.omop.ids import hash_key
from snds_algos.omop.schema import primary_keys

PERSONS = 2500
RELEASE = dt.date(2026, 1, 1)
STUDY = "metformin_new_users_ami"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from snds_algos.synthetic import generate

    folder = tmp_path_factory.mktemp("snds")
    # three years: the study's new users need 365 days of prior observation
    generate(PERSONS, "2018-2020", 5, str(folder), progress=False)
    return folder


def _cohorts(source):
    """The example study (id 1) and its variant without the diabetes rule (id 2, more
    rows), built on ``source``."""
    from dataclasses import replace

    import snds_algos
    from snds_algos.cohorts import build_cohort, load_cohort_definition

    study = load_cohort_definition(snds_algos.get(STUDY).path / "definition.yaml")
    variant = replace(study, id="new_users", inclusion=study.inclusion[1:])
    return [build_cohort(study, source), build_cohort(variant, source)]


@pytest.fixture(scope="module")
def reference(generated):
    source = open_source(generated)
    cohorts = _cohorts(source)
    export = export_omop(source, release_date=RELEASE, cohorts=cohorts)
    tables = {name: export.tables[name] for name in ALL_TABLES}
    return tables, [c.rows for c in cohorts]


def _sorted(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    order = primary_keys().get(table) or list(frame.columns)
    return frame.sort_values(order).reset_index(drop=True)


def test_export_loads_into_the_official_ddl_identical_across_backends(
    generated, reference, backend, tmp_path
):
    reference, cohort_rows = reference
    source = open_source(generated, backend=backend.name, spark=backend.spark)
    export = export_omop(source, release_date=RELEASE, cohorts=_cohorts(source))
    for name in ALL_TABLES:
        got = _sorted(backend.collect(export.tables[name]), name)
        pd.testing.assert_frame_equal(got, _sorted(reference[name], name), check_dtype=False)
    # every table of the generated data has rows
    assert all(len(reference[name]) for name in ALL_TABLES), {
        n: len(f) for n, f in reference.items()
    }
    write_export(export, tmp_path / "omop")
    con = load_duckdb(tmp_path / "omop", tmp_path / "cdm.duckdb")  # raises on a violation
    assert check_constraints(con).empty
    for name in ALL_TABLES:
        assert con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] == len(reference[name])
    # COHORT: each row of each cohort, subject_id = the person_id hash, in PERSON
    expected = sorted(
        (number, hash_key(r.patient_id), r.index_date, r.exit_date)
        for number, rows in enumerate(cohort_rows, start=1)
        for r in rows.itertuples()
    )
    got = con.execute(
        "SELECT cohort_definition_id, subject_id, cohort_start_date, cohort_end_date "
        "FROM cohort ORDER BY ALL"
    ).fetchall()
    assert got == expected and len(got) > 3
    outside = con.execute(
        "SELECT count(*) FROM cohort c WHERE NOT EXISTS "
        "(SELECT 1 FROM person p WHERE p.person_id = c.subject_id)"
    ).fetchone()
    assert outside == (0,)
    names = con.execute(
        "SELECT cohort_definition_id, cohort_definition_name FROM cohort_definition ORDER BY 1"
    ).fetchall()
    assert names == [(1, STUDY), (2, "new_users")]
    con.close()


def test_loader_finds_violations(tmp_path, reference):
    """The checks are not vacuous: a duplicated id, a missing person and a null required
    column are reported."""
    reference = reference[0]
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
    args = ["omop", "--data", str(generated), "--out", str(out), "--format", "csv"]
    assert main([*args, "--cohort", STUDY]) == 0
    assert (out / "person.csv").exists() and (out / "mapping_report.csv").exists()
    assert f"cohort_definition_id 1: {STUDY}" in capsys.readouterr().out
    cohort = pd.read_csv(out / "cohort.csv")
    assert len(cohort) > 0 and set(cohort["cohort_definition_id"]) == {1}
    assert main(["omop", "--data", str(generated), "--out", str(out)]) == 2
    assert "not empty" in capsys.readouterr().out
    con = load_duckdb(out, tmp_path / "cdm.duckdb")
    assert con.execute("SELECT count(*) FROM person").fetchone()[0] > 0
    assert con.execute("SELECT count(*) FROM cohort").fetchone()[0] == len(cohort)
    assert main(["omop", "--data", str(generated), "--out", str(out), "--overwrite"]) == 0
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".")]
    assert leftovers == []
