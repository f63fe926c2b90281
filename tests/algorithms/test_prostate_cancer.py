"""Prostate cancer (DRAFT, codes to verify against the CNAM method): the active-cancer criteria
(recent ALD, stays of N-1 and N, chemotherapy or radiotherapy sessions), every boundary on
hand-made events on both backends; end to end on generated data against the planted
truth (measured on synthetic data, not a validation)."""

from tests.algorithms import active_cancer as checks

SPEC = checks.Cancer(
    "prostate_cancer",
    code="C61",
    code2="C61",
    other="C679",
    planted="prostate_cancer",
    min_true_positives=3,
)


def test_card_is_a_draft_whose_codes_are_to_verify():
    checks.card_is_a_draft_whose_codes_are_to_verify(SPEC)


def test_recent_ald_started_in_n_or_n_minus_1_and_active_in_n(backend):
    checks.recent_ald_started_in_n_or_n_minus_1_and_active_in_n(backend, SPEC)


def test_stay_with_the_cancer_as_principal_or_related_diagnosis_in_n_or_n_minus_1(backend):
    checks.stay_with_the_cancer_as_principal_or_related_diagnosis(backend, SPEC)


def test_chemotherapy_or_radiotherapy_session_with_the_cancer_as_associated_diagnosis(backend):
    checks.treatment_session_with_the_cancer_as_associated_diagnosis(backend, SPEC)


def test_registered_run_on_events_both_backends(backend):
    checks.registered_run_on_events(backend, SPEC)


def test_agreement_with_the_planted_truth():
    checks.agreement_with_the_planted_truth(SPEC)
