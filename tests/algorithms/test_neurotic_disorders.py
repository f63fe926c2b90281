"""Neurotic, stress-related and somatoform disorders (DRAFT, codes to verify against the CNAM method): the psychiatric-draft
criteria (ALD active in N, MCO stays of N-1 and N), every boundary and every listed code on
hand-made events on every backend; end to end on generated data, where none is planted."""

from tests.algorithms import psychiatric as checks

SPEC = checks.Psychiatric(
    "neurotic_disorders",
    code="F412",
    other="F329",
    outside=("F399", "F500", "F4"),
)


def test_card_is_a_draft_whose_codes_are_to_verify():
    checks.card_is_a_draft_whose_codes_are_to_verify(SPEC)


def test_card_says_psychiatric_stays_are_not_read():
    checks.card_says_psychiatric_stays_are_not_read(SPEC)


def test_ald_active_in_year_n(backend):
    checks.ald_active_in_year_n(backend, SPEC)


def test_hospital_principal_or_related_diagnosis_in_years_n_minus_1_to_n(backend):
    checks.hospital_principal_or_related_diagnosis_in_years_n_minus_1_to_n(backend, SPEC)


def test_every_code_of_the_list_counts_and_the_neighbours_do_not(backend):
    checks.every_code_of_the_list_counts_and_the_neighbours_do_not(backend, SPEC)


def test_registered_run_on_events(backend):
    checks.registered_run_on_events(backend, SPEC)


def test_agreement_with_the_planted_truth():
    checks.agreement_with_the_planted_truth(SPEC, "neurotic_disorders")
