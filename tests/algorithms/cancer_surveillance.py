"""The cancer-under-surveillance drafts (breast, colorectal, lung, prostate) are the
counterparts of the active-cancer drafts: a past trace of the cancer (ALD still active in
N, stays of N-5 to N-2) and none of the active criteria, which they repeat. The checks
below are written once; each algorithm's test file runs them with the codes of its active
counterpart's spec (``tests/algorithms/active_cancer.py``)."""

from __future__ import annotations

from importlib import resources

import snds_algos
from snds_algos.backend import backend_of
from snds_algos.cases import load_definition
from tests.algorithms.active_cancer import Cancer
from tests.algorithms.cartography_sample import alive, describe, planted, sample
from tests.cases.cartography_events import D, N, ald, dgn, events, run_algorithm
from tests.helpers import rows

ACTIVE_CRITERIA = ("ald", "hospital", "treatment")


def surveillance_id(spec: Cancer) -> str:
    return f"{spec.id}_surveillance"


def cases(out: dict) -> set[str]:
    return {pid for pid, r in out.items() if r["case"]}


def card_is_a_draft_whose_codes_are_to_verify(spec: Cancer) -> None:
    card = snds_algos.get(surveillance_id(spec)).card
    assert card["status"] == "draft"
    assert any("codes to verify against the CNAM method" in limit for limit in card["limits"])


def active_criteria_are_those_of_the_active_draft(spec: Cancer) -> None:
    """The surveillance definition repeats the active draft's criteria to exclude active
    cancers: same criteria, same code lists (codes and card metadata), same parameter."""

    def load(algorithm_id):
        path = resources.files("snds_algos.algorithms") / algorithm_id / "definition.yaml"
        return load_definition(path)

    active, surveillance = load(spec.id), load(surveillance_id(spec))
    assert set(active.criteria) == set(ACTIVE_CRITERIA)
    for name in ACTIVE_CRITERIA:
        assert surveillance.criteria[name] == active.criteria[name], name
    for name, codes in active.code_lists.items():
        assert tuple(surveillance.code_lists[name]) == tuple(codes), name
    lists = {c["name"]: c for c in snds_algos.get(spec.id).card["code_lists"]}
    for c in snds_algos.get(surveillance_id(spec)).card["code_lists"]:
        assert c == lists[c["name"]]
    # one ald_natures parameter sets the nature of both ALD criteria
    changed = surveillance.with_parameters(ald_natures=["41"])
    assert changed.criteria["ald"].natures == changed.criteria["ald_ongoing"].natures == ("41",)


def older_ald_still_active_in_n(backend, spec: Cancer) -> None:
    records = [
        ald("OLD_ALD", spec.code, "41", D(N - 2, 12, 31)),
        ald("OLD_ALD_ENDS_JAN1", spec.code2, "43", D(2010, 1, 1), D(N, 1, 1)),
        ald("RECENT_ALD", spec.code, "41", D(N - 1, 1, 1)),
        ald("OLD_AND_RECENT", spec.code, "41", D(2012, 1, 1)),
        ald("OLD_AND_RECENT", spec.code2, "45", D(N, 6, 1)),
        ald("ENDED", spec.code, "41", D(2010, 1, 1), D(N - 1, 12, 31)),
        ald("NATURE_11", spec.code, "11", D(2015, 3, 1)),
        ald("OTHER_CANCER", spec.other, "41", D(2015, 3, 1)),
    ]
    out = run_algorithm(surveillance_id(spec), backend, records)
    assert set(out) == {"OLD_ALD", "OLD_ALD_ENDS_JAN1", "RECENT_ALD", "OLD_AND_RECENT"}
    assert cases(out) == {"OLD_ALD", "OLD_ALD_ENDS_JAN1"}
    assert out["OLD_ALD"]["ald_ongoing_date"] == D(N - 2, 12, 31)
    assert not out["OLD_ALD"]["ald"]
    assert out["RECENT_ALD"]["ald"] and out["RECENT_ALD"]["ald_ongoing"]
    every = run_algorithm(surveillance_id(spec), backend, records, ald_natures=None)
    assert cases(every) == {"OLD_ALD", "OLD_ALD_ENDS_JAN1", "NATURE_11"}


def stay_with_the_cancer_in_years_n_minus_5_to_n_minus_2(backend, spec: Cancer) -> None:
    records = [
        dgn("DP_N_2", "s1", spec.code, "DP", D(N - 2, 12, 31)),
        dgn("DR_UNIT_N_5", "s2", spec.code2, "DR", D(N - 5, 1, 1), level="unit"),
        dgn("N_MINUS_6", "s3", spec.code, "DP", D(N - 6, 12, 31)),
        dgn("DA_ONLY", "s4", spec.code, "DA", D(N - 3, 6, 1)),
        dgn("OTHER_CANCER", "s5", spec.other, "DP", D(N - 3, 6, 1)),
        dgn("PAST_AND_RECENT", "s6", spec.code, "DP", D(N - 3, 6, 1)),
        dgn("PAST_AND_RECENT", "s7", spec.code, "DR", D(N - 1, 1, 1)),
        dgn("PAST_AND_CHEMO", "s8", spec.code, "DP", D(N - 4, 6, 1)),
        dgn("PAST_AND_CHEMO", "s9", "Z511", "DP", D(N, 12, 31)),
        dgn("PAST_AND_CHEMO", "s9", spec.code, "DA", D(N, 12, 31)),
    ]
    out = run_algorithm(surveillance_id(spec), backend, records)
    assert set(out) == {"DP_N_2", "DR_UNIT_N_5", "PAST_AND_RECENT", "PAST_AND_CHEMO"}
    assert cases(out) == {"DP_N_2", "DR_UNIT_N_5"}
    assert out["DR_UNIT_N_5"]["hospital_past_date"] == D(N - 5, 1, 1)
    assert out["PAST_AND_RECENT"]["hospital"] and out["PAST_AND_CHEMO"]["treatment"]


def treatment_session_in_years_n_minus_5_to_n_minus_2(backend, spec: Cancer) -> None:
    records = [
        dgn("CHEMO_N_3", "s1", "Z511", "DP", D(N - 3, 3, 1)),
        dgn("CHEMO_N_3", "s1", spec.code, "DA", D(N - 3, 3, 1)),
        dgn("RADIO_UNIT_N_5", "s2", "Z510", "DP", D(N - 5, 1, 1), level="unit"),
        dgn("RADIO_UNIT_N_5", "s2", spec.code2, "DA", D(N - 5, 1, 1)),
        dgn("OTHER_STAY", "s3", "Z511", "DP", D(N - 3, 3, 1)),
        dgn("OTHER_STAY", "s4", spec.code, "DA", D(N - 3, 4, 1)),
        dgn("OTHER_CANCER", "s5", "Z511", "DP", D(N - 3, 3, 1)),
        dgn("OTHER_CANCER", "s5", spec.other, "DA", D(N - 3, 3, 1)),
        dgn("TOO_OLD", "s6", "Z511", "DP", D(N - 6, 12, 31)),
        dgn("TOO_OLD", "s6", spec.code, "DA", D(N - 6, 12, 31)),
    ]
    out = run_algorithm(surveillance_id(spec), backend, records)
    assert set(out) == cases(out) == {"CHEMO_N_3", "RADIO_UNIT_N_5"}
    assert out["CHEMO_N_3"]["treatment_past"] and not out["CHEMO_N_3"]["hospital_past"]


def active_and_surveillance_are_disjoint(backend, spec: Cancer) -> None:
    """On the same events, the active draft and its counterpart never find the same person."""
    records = [
        ald("OLD_ALD", spec.code, "41", D(2012, 1, 1)),
        ald("RECENT_ALD", spec.code, "41", D(N, 1, 1)),
        dgn("PAST_STAY", "s1", spec.code, "DP", D(N - 2, 1, 1)),
        dgn("RECENT_STAY", "s2", spec.code, "DP", D(N - 1, 12, 31)),
        ald("OLD_ALD_RECENT_STAY", spec.code, "41", D(2012, 1, 1)),
        dgn("OLD_ALD_RECENT_STAY", "s3", spec.code, "DR", D(N, 5, 1), level="unit"),
    ]
    active = cases(run_algorithm(spec.id, backend, records))
    surveillance = cases(run_algorithm(surveillance_id(spec), backend, records))
    assert active == {"RECENT_ALD", "RECENT_STAY", "OLD_ALD_RECENT_STAY"}
    assert surveillance == {"OLD_ALD", "PAST_STAY"}


def registered_run_on_events(backend, spec: Cancer) -> None:
    ev = events(
        backend, [ald("P1", spec.code, "41", D(2010, 1, 1)), ald("P2", spec.code, "41", D(N, 3, 1))]
    )
    out = snds_algos.get(surveillance_id(spec)).run(events=ev, year=N)
    assert backend_of(out) == backend.name
    assert [(r["patient_id"], r["case"]) for r in rows(out, ["patient_id"])] == [
        ("P1", True),
        ("P2", False),
    ]


def agreement_with_the_planted_truth(spec: Cancer, min_true_positives: int) -> None:
    """The generator plants prevalent cancers without telling the phases apart: the
    surveillance cases must be planted cancers (PPV), none of them an active case, and
    together the two drafts find more planted cancers than the active one alone."""
    from snds_algos.io import open_source

    e = planted(surveillance_id(spec), spec.planted)
    print(describe(e))
    assert e.true_positives >= min_true_positives
    assert e.false_positives == 0 or e.ppv > 0.9  # PPV undefined when nobody is found
    folder = sample()

    def found(algorithm_id):
        out = snds_algos.get(algorithm_id).run(
            open_source(folder), year=2020, population=alive(folder)
        )
        return set(out.loc[out["case"].astype(bool), "patient_id"])

    assert not found(spec.id) & found(surveillance_id(spec))
