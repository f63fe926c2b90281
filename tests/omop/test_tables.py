"""Spec tests per OMOP table on hand-made SNDS rows (tests/omop/world.py), on every backend."""

import datetime as dt

import pytest

from snds_algos.omop.ids import hash_key
from tests.omop.helpers import export_of, exported, pid, records
from tests.omop.world import STAY_ID, tables

D = dt.date
PA, PB, PC = pid("PA"), pid("PB"), pid("PC")
VISIT = hash_key(f"visit_occurrence|{STAY_ID}")


@pytest.fixture
def omop(backend):
    return exported(backend, "world", tables)


def test_person_sex_birth_and_the_person_without_birth_year(omop, backend):
    got = records(omop["person"], ["person_id", "gender_concept_id", "year_of_birth",
                                   "month_of_birth", "day_of_birth", "race_concept_id",
                                   "person_source_value", "gender_source_value"])  # fmt: skip
    assert got == sorted(
        [(PA, 8532, 1950, 7, None, 0, "PA", "2"), (PB, 8507, 1960, 3, None, 0, "PB", "1")],
        key=lambda r: tuple(str(v) for v in r),
    )
    report = export_of(backend, "world").report.to_pandas()
    step = report[report["step"] == "omop:no_birth_year"].iloc[0]
    assert (step["rows_in"], step["rows_removed"]) == (3, 1)
    # PC's dispensing is left out with PC, and counted
    drug = report[(report["table"] == "DRUG_EXPOSURE")].iloc[0]
    assert (drug["step"], drug["rows_removed"]) == ("omop:person_not_exported", 1)


def test_person_id_is_the_documented_hash_of_the_person_key(omop):
    import hashlib

    expected = int(hashlib.sha256(b"PA").hexdigest()[:15], 16)
    assert expected in omop["person"]["person_id"].tolist()


def test_a_stay_with_its_units_is_one_visit_and_its_visit_details(omop):
    visits = records(omop["visit_occurrence"], ["visit_occurrence_id", "person_id",
                     "visit_concept_id", "visit_start_date", "visit_end_date",
                     "visit_type_concept_id", "visit_source_value",
                     "admitted_from_source_value", "discharged_to_source_value"])  # fmt: skip
    assert visits == [(VISIT, PA, 9201, D(2020, 3, 2), D(2020, 3, 5), 32817, STAY_ID, "8", "8")]
    unit1 = hash_key(f"visit_detail|{STAY_ID}|1")
    unit2 = hash_key(f"visit_detail|{STAY_ID}|2")
    details = records(omop["visit_detail"], ["visit_detail_id", "visit_detail_start_date",
                      "visit_detail_end_date", "visit_occurrence_id", "preceding_visit_detail_id",
                      "visit_detail_source_value"])  # fmt: skip
    # unit 1: one day from the entry; unit 2 from the transfer day to the exit
    assert sorted(details, key=lambda r: r[1]) == [
        (unit1, D(2020, 3, 2), D(2020, 3, 3), VISIT, None, f"{STAY_ID}:UM1"),
        (unit2, D(2020, 3, 3), D(2020, 3, 5), VISIT, unit1, f"{STAY_ID}:UM2"),
    ]


def test_dp_dr_da_give_conditions_with_their_status(omop):
    got = records(omop["condition_occurrence"], ["condition_source_value",
                  "condition_status_source_value", "condition_status_concept_id",
                  "condition_start_date", "condition_end_date", "visit_occurrence_id",
                  "condition_type_concept_id", "condition_concept_id"])  # fmt: skip
    stay = (D(2020, 3, 2), D(2020, 3, 5), VISIT, 32817, 0)
    assert got == [("E119", "DP", 32902, *stay), ("I10", "DR", 32908, *stay),
                   ("N183", "DA", 32908, *stay)]  # fmt: skip


def test_two_large_pack_boxes_give_quantity_and_days_supply(omop):
    got = records(omop["drug_exposure"], ["drug_exposure_start_date", "drug_exposure_end_date",
                  "quantity", "days_supply", "drug_source_value", "drug_type_concept_id",
                  "person_id"])  # fmt: skip
    assert got == [
        # 2 boxes x 90 days: 180 days, the end day included
        (D(2020, 1, 15), D(2020, 7, 12), 2.0, 180, "A10BA02", 32810, PA),
        (D(2020, 8, 1), D(2020, 10, 29), 1.0, 90, "A10BA02", 32810, PA),
        (D(2020, 12, 15), D(2021, 1, 13), 1.0, 30, "A10BA02", 32810, PA),
    ]


def test_an_act_in_a_stay_links_to_its_visit_a_dcir_act_has_none(omop):
    got = records(omop["procedure_occurrence"], ["procedure_source_value", "procedure_date",
                  "visit_occurrence_id", "procedure_type_concept_id"])  # fmt: skip
    assert got == [
        ("DDAF006", D(2020, 3, 3), VISIT, 32817),
        ("YYYY010", D(2020, 2, 10), None, 32810),
    ]


def test_biology_act_is_a_measurement_without_result(omop):
    got = records(omop["measurement"], ["measurement_source_value", "measurement_date",
                  "value_as_number", "measurement_type_concept_id", "person_id"])  # fmt: skip
    assert got == [("1577", D(2020, 2, 10), None, 32810, PA)]


def test_death_follows_the_priority_referential_then_cepidc(omop):
    got = records(omop["death"], ["person_id", "death_date", "death_type_concept_id",
                                  "cause_source_value", "cause_concept_id"])  # fmt: skip
    # PB: IR_BEN_R's date wins over the certificate's (registry, no cause);
    # PA: alive in IR_BEN_R, dated by her certificate, with its initial cause
    assert sorted(got) == sorted(
        [(PB, D(2020, 12, 1), 32879, None, None), (PA, D(2021, 1, 20), 32815, "I219", 0)]
    )


def test_observation_period_is_the_extraction_clipped_by_death(omop):
    got = records(omop["observation_period"], ["person_id", "observation_period_start_date",
                  "observation_period_end_date", "period_type_concept_id"])  # fmt: skip
    # extraction: first care 2020-01-15, last date 2021-01-20 (PA's death)
    assert sorted(got) == sorted(
        [(PA, D(2020, 1, 15), D(2021, 1, 20), 32880), (PB, D(2020, 1, 15), D(2020, 12, 1), 32880)]
    )


def test_drug_era_merges_gaps_up_to_30_days(omop):
    got = records(omop["drug_era"], ["drug_era_start_date", "drug_era_end_date",
                  "drug_exposure_count", "gap_days", "drug_concept_id"])  # fmt: skip
    # 19 days without supply: one era; 46 days: a new one
    assert got == [
        (D(2020, 1, 15), D(2020, 10, 29), 2, 19, 0),
        (D(2020, 12, 15), D(2021, 1, 13), 1, 0, 0),
    ]


def test_condition_era_per_code_without_vocabulary(omop):
    got = records(omop["condition_era"], ["condition_era_start_date", "condition_era_end_date",
                  "condition_occurrence_count", "condition_concept_id"])  # fmt: skip
    assert got == [(D(2020, 3, 2), D(2020, 3, 5), 1, 0)] * 3


def test_cdm_source_states_the_release_and_version(omop):
    row = omop["cdm_source"].iloc[0]
    assert row["cdm_version"] == "5.4" and row["cdm_version_concept_id"] == 756265
    assert row["source_release_date"] == D(2021, 1, 20)
    assert row["cdm_release_date"] == D(2026, 1, 1)
    assert row["vocabulary_version"] == "none (concept ids 0)"


def test_ids_unique_per_table(omop):
    from snds_algos.omop.schema import primary_keys

    for table, frame in omop.items():
        key = primary_keys().get(table)
        if key:
            assert not frame.duplicated(key).any(), table


def test_mapping_report_without_vocabulary_counts_nothing_mapped(omop, backend):
    export = export_of(backend, "world")
    report = export.mapping_report().set_index("table")
    assert report.loc["condition_occurrence", ["vocabulary", "rows", "rows_mapped"]].tolist() == [
        "ICD10", 3, 0]  # fmt: skip
    unmapped = export.unmapped_codes()
    assert set(unmapped[unmapped["table"] == "drug_exposure"]["code"]) == {"A10BA02"}
    assert export.missing_fixed_concepts() == []


def test_death_at_an_mco_discharge_is_a_hospital_death(backend):
    from tests.omop.world import tables_with_hospital_death

    omop = exported(backend, "world+hospital_death", tables_with_hospital_death)
    got = records(omop["death"], ["person_id", "death_date", "death_type_concept_id",
                                  "cause_source_value"])  # fmt: skip
    # PD: alive in IR_BEN_R, no certificate: dated by the MCO discharge by death (EHR)
    assert (pid("PD"), D(2020, 9, 10), 32817, None) in got
    assert len(got) == 3
