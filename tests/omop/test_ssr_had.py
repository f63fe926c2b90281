"""SSR and HAD stays as visits (and their diagnoses as conditions), on every backend."""

import datetime as dt

import pytest

from snds_algos.omop.ids import hash_key
from tests.omop.helpers import exported, pid, records
from tests.omop.world import HAD_ID, SSR_ID, STAY_ID, tables_with_ssr_had

D = dt.date
PA, PB = pid("PA"), pid("PB")
MCO_VISIT = hash_key(f"visit_occurrence|{STAY_ID}")
SSR_VISIT = hash_key(f"visit_occurrence|{SSR_ID}")
HAD_VISIT = hash_key(f"visit_occurrence|{HAD_ID}")


@pytest.fixture
def omop(backend):
    return exported(backend, "world+ssr_had", tables_with_ssr_had)


def test_ssr_and_had_stays_are_visits_with_their_concepts(omop):
    got = records(omop["visit_occurrence"], ["visit_occurrence_id", "person_id",
                  "visit_concept_id", "visit_start_date", "visit_end_date",
                  "visit_type_concept_id", "visit_source_value",
                  "admitted_from_source_value"])  # fmt: skip
    assert got == sorted(
        [
            (MCO_VISIT, PA, 9201, D(2020, 3, 2), D(2020, 3, 5), 32817, STAY_ID, "8"),
            # SSR: Comprehensive Inpatient Rehabilitation Facility; HAD: Home Visit
            (SSR_VISIT, PA, 8920, D(2020, 3, 6), D(2020, 3, 20), 32817, SSR_ID, None),
            (HAD_VISIT, PB, 581476, D(2020, 5, 1), D(2020, 5, 31), 32817, HAD_ID, None),
        ],
        key=lambda r: tuple(str(v) for v in r),
    )
    # the units of the MCO stay only: SSR and HAD stays have no visit detail
    assert set(omop["visit_detail"]["visit_occurrence_id"]) == {MCO_VISIT}


def test_ssr_and_had_diagnoses_are_conditions_of_their_visit(omop):
    got = records(omop["condition_occurrence"], ["condition_source_value",
                  "condition_status_source_value", "condition_status_concept_id",
                  "visit_occurrence_id", "condition_start_date", "condition_end_date",
                  "condition_type_concept_id", "person_id"])  # fmt: skip
    ssr = (SSR_VISIT, D(2020, 3, 6), D(2020, 3, 20), 32817, PA)
    had = (HAD_VISIT, D(2020, 5, 1), D(2020, 5, 31), 32817, PB)
    mco = (MCO_VISIT, D(2020, 3, 2), D(2020, 3, 5), 32817, PA)
    assert got == sorted(
        [
            ("E119", "DP", 32902, *mco), ("I10", "DR", 32908, *mco), ("N183", "DA", 32908, *mco),
            # SSR: MOR_PRP as DP, ETL_AFF as DR, T_SSRaaD as DA; HAD: DGN_PAL, T_HADaaD
            ("Z501", "DP", 32902, *ssr), ("I639", "DR", 32908, *ssr), ("E119", "DA", 32908, *ssr),
            ("C349", "DP", 32902, *had), ("R52", "DA", 32908, *had),
        ],
        key=lambda r: tuple(str(v) for v in r),
    )  # fmt: skip
