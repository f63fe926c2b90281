"""Colorectal cancer under surveillance (DRAFT, codes to verify against the CNAM method): an older
ALD still active in N or stays of N-5 to N-2, and none of the active criteria of
colorectal_cancer; every boundary on hand-made events on every backend; end to end on
generated data against the planted truth (measured on synthetic data, not a validation)."""

from tests.algorithms import cancer_surveillance as checks
from tests.algorithms.test_colorectal_cancer import SPEC


def test_card_is_a_draft_whose_codes_are_to_verify():
    checks.card_is_a_draft_whose_codes_are_to_verify(SPEC)


def test_active_criteria_are_those_of_the_active_draft():
    checks.active_criteria_are_those_of_the_active_draft(SPEC)


def test_older_ald_still_active_in_n(backend):
    checks.older_ald_still_active_in_n(backend, SPEC)


def test_stay_with_the_cancer_in_years_n_minus_5_to_n_minus_2(backend):
    checks.stay_with_the_cancer_in_years_n_minus_5_to_n_minus_2(backend, SPEC)


def test_treatment_session_in_years_n_minus_5_to_n_minus_2(backend):
    checks.treatment_session_in_years_n_minus_5_to_n_minus_2(backend, SPEC)


def test_active_and_surveillance_are_disjoint(backend):
    checks.active_and_surveillance_are_disjoint(backend, SPEC)


def test_registered_run_on_events(backend):
    checks.registered_run_on_events(backend, SPEC)


def test_agreement_with_the_planted_truth():
    # 1 of 14 planted cancers before the generator planted six more conditions, 0 of 16
    # since (the generator does not plant surveillance phases): no minimum, as for breast
    checks.agreement_with_the_planted_truth(SPEC, min_true_positives=0)
