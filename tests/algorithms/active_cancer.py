"""The active-cancer drafts (breast, colorectal, lung, prostate) share one definition
shape: recent ALD, stays of N-1 and N, chemotherapy or radiotherapy sessions. The checks
below are written once; each algorithm's test file runs them with its own codes."""

from __future__ import annotations

from dataclasses import dataclass

import snds_algos
from snds_algos.backend import backend_of
from tests.algorithms.cartography_sample import describe, planted
from tests.cases.cartography_events import D, N, ald, dgn, events, run_algorithm
from tests.helpers import rows


@dataclass(frozen=True)
class Cancer:
    """An active-cancer algorithm under test and the codes its checks use."""

    id: str
    code: str  # a code of the algorithm's list
    code2: str  # another code of the list
    other: str  # a code of another cancer
    planted: str  # the condition the generator plants
    min_true_positives: int


def card_is_a_draft_whose_codes_are_to_verify(spec: Cancer) -> None:
    card = snds_algos.get(spec.id).card
    assert card["status"] == "draft"
    assert any("codes to verify against the CNAM method" in limit for limit in card["limits"])


def recent_ald_started_in_n_or_n_minus_1_and_active_in_n(backend, spec: Cancer) -> None:
    out = run_algorithm(
        spec.id,
        backend,
        [
            ald("STARTED_N", spec.code, "41", D(N, 12, 31)),
            ald("STARTED_N_1", spec.code2, "43", D(N - 1, 1, 1)),
            ald("OLD_ALD", spec.code, "41", D(N - 2, 12, 31)),
            ald("ENDED", spec.code, "41", D(N - 1, 1, 1), D(N - 1, 12, 31)),
            ald("NATURE_11", spec.code, "11", D(N, 3, 1)),
            ald("OTHER_CANCER", spec.other, "41", D(N, 3, 1)),
        ],
    )
    assert set(out) == {"STARTED_N", "STARTED_N_1"}
    assert out["STARTED_N_1"]["ald_date"] == D(N - 1, 1, 1)


def stay_with_the_cancer_as_principal_or_related_diagnosis(backend, spec: Cancer) -> None:
    out = run_algorithm(
        spec.id,
        backend,
        [
            dgn("DP_N", "s1", spec.code, "DP", D(N, 12, 31)),
            dgn("DR_UNIT_N_1", "s2", spec.code2, "DR", D(N - 1, 1, 1), level="unit"),
            dgn("N_MINUS_2", "s3", spec.code, "DP", D(N - 2, 12, 31)),
            dgn("NEXT_YEAR", "s4", spec.code, "DP", D(N + 1, 1, 1)),
            dgn("DA_ONLY", "s5", spec.code, "DA", D(N, 6, 1)),
            dgn("OTHER_CANCER", "s6", spec.other, "DP", D(N, 6, 1)),
        ],
    )
    assert set(out) == {"DP_N", "DR_UNIT_N_1"}
    assert all(r["hospital"] for r in out.values())


def treatment_session_with_the_cancer_as_associated_diagnosis(backend, spec: Cancer) -> None:
    out = run_algorithm(
        spec.id,
        backend,
        [
            dgn("CHEMO", "s1", "Z511", "DP", D(N, 3, 1)),
            dgn("CHEMO", "s1", spec.code, "DA", D(N, 3, 1)),
            dgn("RADIO_UNIT", "s2", "Z510", "DP", D(N - 1, 3, 1), level="unit"),
            dgn("RADIO_UNIT", "s2", spec.code2, "DA", D(N - 1, 3, 1)),
            dgn("OTHER_STAY", "s3", "Z511", "DP", D(N, 3, 1)),
            dgn("OTHER_STAY", "s4", spec.code, "DA", D(N, 4, 1)),
            dgn("OTHER_CANCER", "s5", "Z511", "DP", D(N, 3, 1)),
            dgn("OTHER_CANCER", "s5", spec.other, "DA", D(N, 3, 1)),
            dgn("TOO_OLD", "s6", "Z511", "DP", D(N - 2, 3, 1)),
            dgn("TOO_OLD", "s6", spec.code, "DA", D(N - 2, 3, 1)),
        ],
    )
    assert set(out) == {"CHEMO", "RADIO_UNIT"}
    assert out["CHEMO"]["treatment"] and not out["CHEMO"]["hospital"]


def registered_run_on_events(backend, spec: Cancer) -> None:
    ev = events(
        backend, [ald("P1", spec.code, "41", D(N, 3, 1)), ald("P2", spec.code, "41", D(2010, 1, 1))]
    )
    out = snds_algos.get(spec.id).run(events=ev, year=N)
    assert backend_of(out) == backend.name
    assert [(r["patient_id"], r["case"]) for r in rows(out)] == [("P1", True)]


def agreement_with_the_planted_truth(spec: Cancer) -> None:
    # the generator plants prevalent cancers, active or under surveillance: sensitivity
    # for active cancers only is expected to be partial
    e = planted(spec.id, spec.planted)
    print(describe(e))
    assert e.true_positives >= spec.min_true_positives
    assert e.ppv > 0.9
