"""Breast cancer (DRAFT, codes to verify against the CNAM method): the active-cancer criteria
(recent ALD, stays of N-1 and N, chemotherapy or radiotherapy sessions), every boundary on
hand-made events on both backends; end to end on generated data against the planted
truth (measured on synthetic data, not a validation)."""

import snds_algos
from snds_algos.backend import backend_of
from tests.algorithms.cartography_sample import describe, planted
from tests.cases.cartography_events import D, N, ald, dgn, events, run_algorithm
from tests.helpers import rows

ID = "breast_cancer"
CODE, CODE2, OTHER = "C509", "C504", "C61"


def test_card_is_a_draft_whose_codes_are_to_verify():
    card = snds_algos.get(ID).card
    assert card["status"] == "draft"
    assert any("codes to verify against the CNAM method" in limit for limit in card["limits"])


def test_recent_ald_started_in_n_or_n_minus_1_and_active_in_n(backend):
    out = run_algorithm(
        ID,
        backend,
        [
            ald("STARTED_N", CODE, "41", D(N, 12, 31)),
            ald("STARTED_N_1", CODE2, "43", D(N - 1, 1, 1)),
            ald("OLD_ALD", CODE, "41", D(N - 2, 12, 31)),
            ald("ENDED", CODE, "41", D(N - 1, 1, 1), D(N - 1, 12, 31)),
            ald("NATURE_11", CODE, "11", D(N, 3, 1)),
            ald("OTHER_CANCER", OTHER, "41", D(N, 3, 1)),
        ],
    )
    assert set(out) == {"STARTED_N", "STARTED_N_1"}
    assert out["STARTED_N_1"]["ald_date"] == D(N - 1, 1, 1)


def test_stay_with_the_cancer_as_principal_or_related_diagnosis_in_n_or_n_minus_1(backend):
    out = run_algorithm(
        ID,
        backend,
        [
            dgn("DP_N", "s1", CODE, "DP", D(N, 12, 31)),
            dgn("DR_UNIT_N_1", "s2", CODE2, "DR", D(N - 1, 1, 1), level="unit"),
            dgn("N_MINUS_2", "s3", CODE, "DP", D(N - 2, 12, 31)),
            dgn("NEXT_YEAR", "s4", CODE, "DP", D(N + 1, 1, 1)),
            dgn("DA_ONLY", "s5", CODE, "DA", D(N, 6, 1)),
            dgn("OTHER_CANCER", "s6", OTHER, "DP", D(N, 6, 1)),
        ],
    )
    assert set(out) == {"DP_N", "DR_UNIT_N_1"}
    assert all(r["hospital"] for r in out.values())


def test_chemotherapy_or_radiotherapy_session_with_the_cancer_as_associated_diagnosis(backend):
    out = run_algorithm(
        ID,
        backend,
        [
            dgn("CHEMO", "s1", "Z511", "DP", D(N, 3, 1)),
            dgn("CHEMO", "s1", CODE, "DA", D(N, 3, 1)),
            dgn("RADIO_UNIT", "s2", "Z510", "DP", D(N - 1, 3, 1), level="unit"),
            dgn("RADIO_UNIT", "s2", CODE2, "DA", D(N - 1, 3, 1)),
            dgn("OTHER_STAY", "s3", "Z511", "DP", D(N, 3, 1)),
            dgn("OTHER_STAY", "s4", CODE, "DA", D(N, 4, 1)),
            dgn("OTHER_CANCER", "s5", "Z511", "DP", D(N, 3, 1)),
            dgn("OTHER_CANCER", "s5", OTHER, "DA", D(N, 3, 1)),
            dgn("TOO_OLD", "s6", "Z511", "DP", D(N - 2, 3, 1)),
            dgn("TOO_OLD", "s6", CODE, "DA", D(N - 2, 3, 1)),
        ],
    )
    assert set(out) == {"CHEMO", "RADIO_UNIT"}
    assert out["CHEMO"]["treatment"] and not out["CHEMO"]["hospital"]


def test_registered_run_on_events_both_backends(backend):
    ev = events(backend, [ald("P1", CODE, "41", D(N, 3, 1)), ald("P2", CODE, "41", D(2010, 1, 1))])
    out = snds_algos.get(ID).run(events=ev, year=N)
    assert backend_of(out) == backend.name
    assert [(r["patient_id"], r["case"]) for r in rows(out)] == [("P1", True)]


def test_agreement_with_the_planted_truth():
    # the generator plants prevalent cancers, active or under surveillance: sensitivity
    # for active cancers only is expected to be partial
    e = planted(ID, "breast_cancer")
    print(describe(e))
    assert e.true_positives >= 5
    assert e.ppv > 0.9
