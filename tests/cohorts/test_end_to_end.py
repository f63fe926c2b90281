"""End to end on generated data: the example study on every backend gives the same rows
and attrition as pandas; the CLI writes its files and masks small counts."""

from __future__ import annotations

import pandas as pd
import pytest

import snds_algos
from snds_algos.cli import main
from snds_algos.io import open_source
from snds_algos.synthetic import generate_tables

ALGO = "metformin_new_users_ami"


@pytest.fixture(scope="module")
def tables():
    return generate_tables(4000, "2017-2020", 11)


def _variant():
    """The study without its diabetes rule (every metformin new user): more rows."""
    from dataclasses import replace

    from snds_algos.cohorts import load_cohort_definition

    study = load_cohort_definition(snds_algos.get(ALGO).path / "definition.yaml")
    return replace(study, id="new_users", inclusion=study.inclusion[1:])


@pytest.fixture(scope="module")
def reference(tables):
    from snds_algos.cohorts import build_cohort

    cohort = snds_algos.get(ALGO).run(tables)
    variant = build_cohort(_variant(), tables)
    return cohort.rows, cohort.attrition, cohort.rule_stats, variant.rows, variant.attrition


def _source(backend, tables):
    if backend.name == "pandas":
        return open_source(tables)
    return open_source({k: backend.frame(v) for k, v in tables.items() if not k.startswith("_")})


@pytest.mark.slow
def test_example_study_same_rows_and_attrition_on_every_backend(backend, tables, reference):
    from snds_algos.cohorts import build_cohort

    rows, attrition, stats, variant_rows, variant_attrition = reference
    assert attrition["n_persons"].iloc[-1] == rows["patient_id"].nunique()
    assert attrition["n_persons"].iloc[0] == 4000
    assert len(variant_rows) > 10
    source = _source(backend, tables)
    cohort = snds_algos.get(ALGO).run(source)
    variant = build_cohort(_variant(), source)
    for got, expected in ((cohort.rows, rows), (variant.rows, variant_rows)):
        got = backend.collect(got).sort_values(["patient_id", "index_date"])
        pd.testing.assert_frame_equal(
            got.reset_index(drop=True).astype(str),
            expected.reset_index(drop=True).astype(str),
            check_dtype=False,
        )
    pd.testing.assert_frame_equal(cohort.attrition, attrition)
    pd.testing.assert_frame_equal(cohort.rule_stats, stats)
    pd.testing.assert_frame_equal(variant.attrition, variant_attrition)


def test_cli_writes_rows_attrition_stats_and_flowchart(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["cohort", ALGO, "--persons", "3000", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["attrition.csv", "flowchart.png", "rule_stats.csv", "rows.parquet"]
    )  # fmt: skip
    attrition = pd.read_csv(out / "attrition.csv", dtype=str)
    assert attrition["reason"].iloc[0] == "population"
    shown = attrition[["n_persons", "n_records", "excluded_persons", "excluded_records"]].stack()
    small = [v for v in shown if v.isdigit() and 0 < int(v) < 11]
    assert small == [], "counts of 1 to 10 must be masked"
    rows = pd.read_parquet(out / "rows.parquet")
    assert list(rows.columns)[:6] == [
        "patient_id", "index_date", "exit_date", "exit_reason", "entry_value", "duration_days",
    ]  # fmt: skip
    printed = capsys.readouterr().out
    assert "population" in printed and "rows.parquet" in printed
    # a non-empty folder is refused without --overwrite
    assert main(["cohort", ALGO, "--persons", "3000", "--out", str(out)]) == 2
    assert "--overwrite" in capsys.readouterr().err


def test_cli_without_suppression_and_from_a_yaml(tmp_path):
    from importlib import resources

    yaml = resources.files("snds_algos.algorithms") / ALGO / "definition.yaml"
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("x")
    code = main(
        [
            "cohort",
            str(yaml),
            "--persons",
            "3000",
            "--out",
            str(out),
            "--overwrite",
            "--no-suppression",
        ]
    )
    assert code == 0
    attrition = pd.read_csv(out / "attrition.csv")
    assert attrition["n_persons"].dtype.kind == "i"  # every count shown
    steps = attrition["n_persons"].tolist()
    assert all(
        a - b == e
        for a, b, e in zip(steps, steps[1:], attrition["excluded_persons"][1:], strict=False)
    )


def test_cli_refuses_a_case_algorithm(tmp_path, capsys):
    assert main(["cohort", "diabetes", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "snds-algos: error:" in err and "not a cohort algorithm (kind: case)" in err
    assert "Traceback" not in err
    assert not (tmp_path / "x").exists()  # refused before anything is written
