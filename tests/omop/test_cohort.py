"""COHORT and COHORT_DEFINITION from snds_algos.cohorts cohorts, on hand-made SNDS rows
(tests/omop/world.py), on every backend."""

import datetime as dt

import pytest

from snds_algos.cohorts import build_cohort, definition_from_dict
from snds_algos.errors import ParameterError
from snds_algos.io import open_source
from snds_algos.omop import export_omop
from snds_algos.omop.cohort import numbered_cohorts
from tests.omop.helpers import RELEASE, pid, records
from tests.omop.world import tables

D = dt.date
#: metformin users: first dispensing, followed 30 days (death ends the follow-up)
USERS = {
    "id": "metformin_users",
    "label": "Metformin users, 30 days",
    "criteria": {"metformin": {"events": "drug_dispensing", "codes": "metformin"}},
    "entry": {"any": ["metformin"], "limit": "first"},
    "exit": {"max_follow_up_days": 30},
}
_CACHE = {}


def _export(backend):
    if backend.name not in _CACHE:
        src = open_source({t: backend.frame(f) for t, f in tables().items()})
        users = build_cohort(definition_from_dict(USERS, {"metformin": ["A10BA02"]}), src)
        export = export_omop(src, release_date=RELEASE, cohorts={7: users})
        _CACHE[backend.name] = (
            {t: backend.collect(export.tables[t]) for t in ("cohort", "cohort_definition")},
            backend.collect(users.rows),
            export.report.to_pandas(),
        )
    else:
        backend.reuse()
    return _CACHE[backend.name]


def test_cohort_rows_are_person_index_and_exit(backend):
    omop, rows, _ = _export(backend)
    # the cohort: PA (first dispensing 2020-01-15) and PC (2020-02-11), 30 days inclusive
    assert records(rows, ["patient_id", "index_date", "exit_date"]) == [
        ("PA", D(2020, 1, 15), D(2020, 2, 13)),
        ("PC", D(2020, 2, 11), D(2020, 3, 11)),
    ]
    # subject_id = the person_id of the same key; PC has no birth year: not in PERSON
    got = records(omop["cohort"], ["cohort_definition_id", "subject_id", "cohort_start_date",
                                   "cohort_end_date"])  # fmt: skip
    assert got == [(7, pid("PA"), D(2020, 1, 15), D(2020, 2, 13))]


def test_the_person_left_out_is_counted(backend):
    _, _, report = _export(backend)
    step = report[report["table"] == "COHORT"].iloc[0]
    assert (step["step"], step["rows_in"], step["rows_removed"], step["rows_out"]) == (
        "omop:person_not_exported", 2, 1, 1)  # fmt: skip


def test_cohort_definition_row(backend):
    omop, _, _ = _export(backend)
    got = records(omop["cohort_definition"], ["cohort_definition_id", "cohort_definition_name",
                  "cohort_definition_description", "definition_type_concept_id",
                  "subject_concept_id", "cohort_initiation_date"])  # fmt: skip
    assert got == [(7, "metformin_users", "Metformin users, 30 days", 32880, 1147314, RELEASE)]
    syntax = omop["cohort_definition"]["cohort_definition_syntax"].iloc[0]
    assert "metformin_users" in syntax


def test_no_cohort_no_cohort_tables():
    export = export_omop(tables(), release_date=RELEASE)
    assert "cohort" not in export.tables and "cohort_definition" not in export.tables


def test_cohort_ids_and_backend_errors():
    assert list(numbered_cohorts(["a", "b", "c"])) == [1, 2, 3]
    with pytest.raises(ParameterError, match="positive integers"):
        numbered_cohorts({0: "a"})
    with pytest.raises(ParameterError, match="positive integers"):
        numbered_cohorts({"x": "a"})


def test_a_cohort_of_another_backend_is_refused():
    from snds_algos.backend import duckdb_from_pandas

    world = tables()
    users = build_cohort(definition_from_dict(USERS, {"metformin": ["A10BA02"]}), world)
    src = open_source({t: duckdb_from_pandas(f) for t, f in world.items()})
    with pytest.raises(ParameterError, match="built on pandas, the export runs on duckdb"):
        export_omop(src, release_date=RELEASE, cohorts=users)
