"""Dementia (DRAFT, codes to verify against the CNAM method): every criterion and boundary
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
    drug_boundaries,
    events,
    lookback_boundaries,
    run_algorithm,
)
from tests.helpers import rows

ID = "dementia"


def test_card_is_a_draft_whose_codes_are_to_verify():
    card = snds_algos.get(ID).card
    assert card["status"] == "draft"
    assert any("codes to verify against the CNAM method" in limit for limit in card["limits"])


def test_ald_active_in_year_n(backend):
    records, expected = ald_boundaries("G309", "F32")
    records += [ald("ALD_F03", "F03", "41", D(2015, 1, 1))]
    out = run_algorithm(ID, backend, records)
    assert set(out) == expected | {"ALD_F03"}
    assert all(r["ald"] and r["case"] for r in out.values())
    assert out["ALD_STARTS_DEC31"]["ald_date"] == D(N, 12, 31)
    every = run_algorithm(ID, backend, records, ald_natures=None)
    assert "ALD_NATURE_11" in every


def test_hospital_principal_or_related_diagnosis_in_years_n_minus_4_to_n(backend):
    records, expected = lookback_boundaries("F001", "F32")
    out = run_algorithm(ID, backend, records)
    assert set(out) == expected
    assert out["HOSP_DR_UNIT_FIRST"]["hospital_date"] == D(N - 4, 1, 1)


def test_drugs_on_three_distinct_dates_of_year_n(backend):
    records, expected = drug_boundaries("N06DA02", "N06AB04")
    out = run_algorithm(ID, backend, records)
    assert set(out) == expected
    assert out["DRUG_3"]["drugs_date"] == D(N, 12, 1)  # the date the third is reached


def test_registered_run_on_events_both_backends(backend):
    ev = events(backend, [ald("P1", "G309", "41", D(2015, 1, 1))])
    out = snds_algos.get(ID).run(events=ev, year=N)
    assert backend_of(out) == backend.name
    assert [(r["patient_id"], r["case"]) for r in rows(out)] == [("P1", True)]


def test_agreement_with_the_planted_truth():
    e = planted(ID, "dementia")
    print(describe(e))
    assert e.true_positives >= 5
    # 0.76 (51 of 67) before the generator planted six more conditions, 0.66 (46 of 70)
    # since: the same planted data drawn from a shifted random stream
    assert e.sensitivity > 0.6 and e.ppv > 0.9
