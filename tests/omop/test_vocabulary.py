"""Concept mapping from a small invented vocabulary (tests/data/omop_vocabulary), on
every backend: mapped rows get their standard concepts, the mapping report counts them."""

from pathlib import Path

import pytest

from snds_algos.omop import read_vocabulary
from tests.omop.helpers import export_of, exported, pid, records
from tests.omop.world import tables

VOCABULARY = Path(__file__).parents[1] / "data" / "omop_vocabulary"


@pytest.fixture
def omop(backend):
    vocab = read_vocabulary(VOCABULARY, backend.name, backend.spark)
    return exported(backend, "world+vocabulary", tables, vocabulary=vocab)


def test_conditions_get_source_and_standard_concepts(omop):
    got = records(omop["condition_occurrence"], ["condition_source_value",
                  "condition_source_concept_id", "condition_concept_id"])  # fmt: skip
    # N183: a source concept without Maps to: standard 0
    assert got == [("E119", 1000001, 2000001), ("I10", 1000002, 2000002), ("N183", 1000003, 0)]


def test_drugs_procedures_and_death_cause(omop):
    drugs = records(omop["drug_exposure"], ["drug_source_concept_id", "drug_concept_id"])
    assert drugs == [(1000010, 2000010)] * 3
    acts = records(omop["procedure_occurrence"], ["procedure_source_value",
                   "procedure_source_concept_id", "procedure_concept_id"])  # fmt: skip
    assert acts == [("DDAF006", 1000020, 2000020), ("YYYY010", 0, 0)]
    # I21.9 maps only through a deprecated relationship: source concept, standard 0
    cause = records(omop["death"][omop["death"]["person_id"] == pid("PA")],
                    ["cause_source_value", "cause_source_concept_id", "cause_concept_id"])  # fmt: skip
    assert cause == [("I219", 1000004, 0)]


def test_eras_group_by_the_standard_concept(omop):
    eras = records(omop["drug_era"], ["drug_concept_id", "drug_exposure_count"])
    assert eras == [(2000010, 1), (2000010, 2)]
    conditions = records(omop["condition_era"], ["condition_concept_id"])
    assert conditions == [(0,), (2000001,), (2000002,)]


def test_mapping_report_counts_mapped_rows(omop, backend):
    export = export_of(backend, "world+vocabulary")
    report = export.mapping_report().set_index("table")
    got = {t: tuple(report.loc[t, ["vocabulary", "rows", "rows_mapped"]]) for t in report.index}
    assert got == {
        "condition_occurrence": ("ICD10", 3, 2),
        "drug_exposure": ("ATC", 3, 3),
        "procedure_occurrence": ("CCAM", 2, 1),
        "measurement": ("NABM", 1, 0),
        "death": ("ICD10", 1, 0),
    }
    assert report.loc["drug_exposure", "share_mapped"] == 1.0
    unmapped = records(export.unmapped_codes(), ["table", "code", "rows"])
    assert unmapped == [("condition_occurrence", "N183", 1), ("death", "I219", 1),
                        ("measurement", "1577", 1), ("procedure_occurrence", "YYYY010", 1)]  # fmt: skip
    # the fixed concepts of the export (gender, types...) are not in this fixture
    assert 8532 in export.missing_fixed_concepts()


def test_missing_vocabulary_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"CONCEPT\.csv not found"):
        read_vocabulary(tmp_path)
