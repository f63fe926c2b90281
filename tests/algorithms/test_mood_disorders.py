"""Mood disorders (DRAFT, codes to verify against the CNAM method): every criterion and boundary
on hand-made events on both backends; end to end on generated data against the planted
truth (measured on synthetic data, not a validation)."""

import snds_algos
from snds_algos.backend import backend_of
from tests.algorithms.cartography_sample import describe, planted
from tests.cases.cartography_events import (
    D,
    N,
    ald,
    ald_boundaries,
    events,
    lookback_boundaries,
    run_algorithm,
)
from tests.helpers import rows

ID = "mood_disorders"


def test_card_is_a_draft_whose_codes_are_to_verify():
    card = snds_algos.get(ID).card
    assert card["status"] == "draft"
    assert any("codes to verify against the CNAM method" in limit for limit in card["limits"])


def test_ald_active_in_year_n(backend):
    records, expected = ald_boundaries("F329", "F41")
    records += [ald("ALD_F31", "F31", "41", D(2015, 1, 1))]
    out = run_algorithm(ID, backend, records)
    assert set(out) == expected | {"ALD_F31"}
    assert all(r["ald"] and r["case"] for r in out.values())
    assert out["ALD_STARTS_DEC31"]["ald_date"] == D(N, 12, 31)
    every = run_algorithm(ID, backend, records, ald_natures=None)
    assert "ALD_NATURE_11" in every


def test_hospital_principal_or_related_diagnosis_in_years_n_minus_1_to_n(backend):
    records, expected = lookback_boundaries("F322", "F41", first=-1)
    out = run_algorithm(ID, backend, records)
    assert set(out) == expected
    assert out["HOSP_DR_UNIT_FIRST"]["hospital_date"] == D(N - 1, 1, 1)


def test_registered_run_on_events_both_backends(backend):
    ev = events(backend, [ald("P1", "F329", "41", D(2015, 1, 1))])
    out = snds_algos.get(ID).run(events=ev, year=N)
    assert backend_of(out) == backend.name
    assert [(r["patient_id"], r["case"]) for r in rows(out)] == [("P1", True)]


def test_agreement_with_the_planted_truth():
    e = planted(ID, "depression")
    print(describe(e))
    assert e.true_positives >= 5
    assert e.sensitivity > 0.0 and e.ppv > 0.7
