"""Inflammatory bowel disease (DRAFT, codes to verify against the CNAM method): every criterion and boundary
on hand-made events on every backend; end to end on generated data against the planted truth
(measured on synthetic data, not a validation)."""

import snds_algos
from snds_algos.backend import backend_of
from snds_algos.io import open_source
from tests.algorithms.cartography_sample import YEAR, alive, describe, planted, sample
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

ID = "inflammatory_bowel_disease"


def test_card_is_a_draft_whose_codes_are_to_verify():
    card = snds_algos.get(ID).card
    assert card["status"] == "draft"
    assert any("codes to verify against the CNAM method" in limit for limit in card["limits"])


def test_ald_active_in_year_n(backend):
    records, expected = ald_boundaries("K509", "K52")
    records += [ald("ALD_K51", "K51", "41", D(2015, 1, 1))]
    out = run_algorithm(ID, backend, records)
    assert set(out) == expected | {"ALD_K51"}
    assert all(r["ald"] and r["case"] for r in out.values())
    assert out["ALD_STARTS_DEC31"]["ald_date"] == D(N, 12, 31)
    every = run_algorithm(ID, backend, records, ald_natures=None)
    assert "ALD_NATURE_11" in every


def test_hospital_principal_or_related_diagnosis_in_years_n_minus_4_to_n(backend):
    records, expected = lookback_boundaries("K500", "K52", first=-4)
    out = run_algorithm(ID, backend, records)
    assert set(out) == expected
    assert out["HOSP_DR_UNIT_FIRST"]["hospital_date"] == D(N - 4, 1, 1)


def test_registered_run_on_events_both_backends(backend):
    ev = events(backend, [ald("P1", "K509", "41", D(2015, 1, 1))])
    out = snds_algos.get(ID).run(events=ev, year=N)
    assert backend_of(out) == backend.name
    assert [(r["patient_id"], r["case"]) for r in rows(out)] == [("P1", True)]


def test_end_to_end_on_generated_data():
    # the extraction and the run work on raw tables and give one row per person of the
    # population
    folder = sample()
    out = snds_algos.get(ID).run(open_source(folder), year=YEAR, population=alive(folder))
    assert len(out) == len(alive(folder))
    assert list(out.columns[:2]) == ["patient_id", "year"] and out["case"].dtype == bool


def test_agreement_with_the_planted_truth():
    e = planted(ID, "inflammatory_bowel_disease")
    print(describe(e))
    assert e.true_positives >= 3
    assert e.ppv > 0.85 and e.sensitivity > 0.5
