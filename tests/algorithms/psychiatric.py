"""The psychiatric drafts (mood, psychotic, neurotic and addictive disorders) share one
definition shape: an ALD active in year N, or an MCO stay of N-1 or N with a principal or
related diagnosis of the group. The checks below are written once; each algorithm's test
file runs them with its own codes."""

from __future__ import annotations

from dataclasses import dataclass

import snds_algos
from snds_algos.backend import backend_of
from tests.algorithms.cartography_sample import alive, describe, planted, sample
from tests.cases.cartography_events import (
    D,
    N,
    ald,
    ald_boundaries,
    dgn,
    events,
    lookback_boundaries,
    run_algorithm,
)
from tests.helpers import rows


@dataclass(frozen=True)
class Psychiatric:
    """A psychiatric draft under test and the codes its checks use."""

    id: str
    code: str  # a code of the algorithm's list (a subcode)
    other: str  # a code of a neighbouring psychiatric group
    outside: tuple[str, ...]  # codes just below and above the group's range


def card_is_a_draft_whose_codes_are_to_verify(spec: Psychiatric) -> None:
    card = snds_algos.get(spec.id).card
    assert card["status"] == "draft"
    assert any("codes to verify against the CNAM method" in limit for limit in card["limits"])


def card_says_psychiatric_stays_are_not_read(spec: Psychiatric) -> None:
    # the engine has no RIM-P criterion: the card must say so rather than hide it
    limits = snds_algos.get(spec.id).card["limits"]
    assert any("RIM-P" in limit and "not read" in limit for limit in limits)


def ald_active_in_year_n(backend, spec: Psychiatric) -> None:
    records, expected = ald_boundaries(spec.code, spec.other)
    out = run_algorithm(spec.id, backend, records)
    assert set(out) == expected
    assert all(r["ald"] and r["case"] and not r["hospital"] for r in out.values())
    assert out["ALD_OPEN"]["ald_date"] == D(2010, 1, 1)
    assert out["ALD_STARTS_DEC31"]["ald_date"] == D(N, 12, 31)
    every = run_algorithm(spec.id, backend, records, ald_natures=None)
    assert set(every) == expected | {"ALD_NATURE_11"}


def hospital_principal_or_related_diagnosis_in_years_n_minus_1_to_n(
    backend, spec: Psychiatric
) -> None:
    records, expected = lookback_boundaries(spec.code, spec.other, first=-1)
    out = run_algorithm(spec.id, backend, records)
    assert set(out) == expected
    assert all(r["hospital"] and r["case"] and not r["ald"] for r in out.values())
    assert out["HOSP_DR_UNIT_FIRST"]["hospital_date"] == D(N - 1, 1, 1)
    assert out["HOSP_DP_N"]["hospital_date"] == D(N, 12, 31)


def every_code_of_the_list_counts_and_the_neighbours_do_not(backend, spec: Psychiatric) -> None:
    listed = list(snds_algos.get(spec.id).code_lists[f"{spec.id}_icd10"]["code"])
    assert listed
    records = [dgn(f"IN_{c}", f"s_{c}", f"{c}9", "DP", D(N, 6, 1)) for c in listed]
    records += [dgn(f"OUT_{c}", f"s_{c}", c, "DP", D(N, 6, 1)) for c in spec.outside]
    out = run_algorithm(spec.id, backend, records)
    assert set(out) == {f"IN_{c}" for c in listed}


def registered_run_on_events(backend, spec: Psychiatric) -> None:
    ev = events(
        backend,
        [ald("P1", spec.code, "41", D(2015, 1, 1)), ald("P2", spec.other, "41", D(2015, 1, 1))],
    )
    out = snds_algos.get(spec.id).run(events=ev, year=N)
    assert backend_of(out) == backend.name
    assert [(r["patient_id"], r["case"]) for r in rows(out)] == [("P1", True)]


def agreement_with_the_planted_truth(spec: Psychiatric, condition: str) -> None:
    """End to end from raw tables, against the planted cases of ``condition`` (the
    generator plants it from its conditions data; measured on synthetic data, not a
    validation): one row per person of the population, the cases found are planted ones.
    The sensitivity is low by design of the planted data: most planted cases have neither
    an ALD nor an MCO stay (the definitions read no drugs and no psychiatric stays)."""
    from snds_algos.io import open_source

    folder = sample()
    out = snds_algos.get(spec.id).run(open_source(folder), year=2020, population=alive(folder))
    assert len(out) == len(alive(folder))  # one row per person of the population
    e = planted(spec.id, condition)
    print(describe(e))
    assert e.true_positives >= 3
    assert e.ppv > 0.85 and e.sensitivity > 0.05
