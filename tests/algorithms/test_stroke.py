"""Stroke (DRAFT, codes to verify against the CNAM method): acute stroke of year N and the
sequelae criteria, every boundary on hand-made events on both backends; end to end on
generated data against the planted truth (measured on synthetic data, not a validation)."""

import snds_algos
from snds_algos.backend import backend_of
from tests.algorithms.cartography_sample import describe, planted
from tests.cases.cartography_events import (
    D,
    N,
    ald,
    ald_boundaries,
    dgn,
    events,
    run_algorithm,
)
from tests.helpers import rows

ID = "stroke"


def test_card_is_a_draft_whose_codes_are_to_verify():
    card = snds_algos.get(ID).card
    assert card["status"] == "draft"
    assert any("codes to verify against the CNAM method" in limit for limit in card["limits"])


def test_acute_principal_diagnosis_i60_i64_of_a_stay_of_year_n(backend):
    out = run_algorithm(
        ID,
        backend,
        [
            dgn("I63_STAY", "s1", "I639", "DP", D(N, 1, 1)),
            dgn("I61_UNIT", "s2", "I619", "DP", D(N, 12, 31), level="unit"),
            dgn("I64", "s3", "I64", "DP", D(N, 6, 1)),
            dgn("I60", "s4", "I609", "DP", D(N, 6, 1)),
            dgn("DR_IN_N", "s5", "I639", "DR", D(N, 6, 1)),
            dgn("DA_IN_N", "s6", "I639", "DA", D(N, 6, 1)),
            dgn("TIA", "s7", "G459", "DP", D(N, 6, 1)),
            dgn("NEXT_YEAR", "s8", "I639", "DP", D(N + 1, 1, 1)),
        ],
        include_sequelae=False,
    )
    assert set(out) == {"I63_STAY", "I61_UNIT", "I64", "I60"}
    assert out["I61_UNIT"]["acute_date"] == D(N, 12, 31)
    assert "ald" not in out["I63_STAY"]  # sequelae criteria switched off


def test_sequelae_earlier_stroke_stay_in_years_n_minus_4_to_n_minus_1(backend):
    out = run_algorithm(
        ID,
        backend,
        [
            dgn("PAST_DP", "s1", "I634", "DP", D(N - 1, 12, 31)),
            dgn("PAST_DR_UNIT", "s2", "I619", "DR", D(N - 4, 1, 1), level="unit"),
            dgn("TOO_OLD", "s3", "I639", "DP", D(N - 5, 12, 31)),
            dgn("PAST_DA", "s4", "I639", "DA", D(N - 2, 6, 1)),
            dgn("DR_IN_N", "s5", "I639", "DR", D(N, 6, 1)),
        ],
    )
    assert set(out) == {"PAST_DP", "PAST_DR_UNIT"}
    assert all(r["past_stroke"] and not r["acute"] for r in out.values())


def test_sequelae_i69_at_any_position_in_years_n_minus_4_to_n(backend):
    out = run_algorithm(
        ID,
        backend,
        [
            dgn("I69_DA_N", "s1", "I693", "DA", D(N, 12, 31)),
            dgn("I69_DP_FIRST", "s2", "I698", "DP", D(N - 4, 1, 1)),
            dgn("I69_TOO_OLD", "s3", "I693", "DA", D(N - 5, 12, 31)),
            dgn("I69_NEXT", "s4", "I693", "DP", D(N + 1, 1, 1)),
        ],
    )
    assert set(out) == {"I69_DA_N", "I69_DP_FIRST"}
    assert out["I69_DA_N"]["sequelae_coded"] and out["I69_DA_N"]["case"]


def test_sequelae_ald_active_in_year_n(backend):
    records, expected = ald_boundaries("I639", "I10")
    records += [ald("ALD_I69", "I693", "41", D(2015, 1, 1))]
    out = run_algorithm(ID, backend, records)
    assert set(out) == expected | {"ALD_I69"}
    assert run_algorithm(ID, backend, records, include_sequelae=False) == {}


def test_registered_run_on_events_both_backends(backend):
    ev = events(
        backend,
        [dgn("P1", "s1", "I639", "DP", D(N, 3, 1)), ald("P2", "I693", "41", D(2015, 1, 1))],
    )
    out = snds_algos.get(ID).run(events=ev, year=N)
    assert backend_of(out) == backend.name
    got = [(r["patient_id"], r["acute"], r["ald"]) for r in rows(out, ["patient_id"])]
    assert got == [("P1", True, False), ("P2", False, True)]


def test_agreement_with_the_planted_truth():
    acute = planted(ID, "stroke", event=True, include_sequelae=False)
    everyone = planted(ID, "stroke")
    print("acute stroke of the year:", describe(acute))
    print("acute or sequelae:", describe(everyone))
    assert acute.true_positives >= 5
    assert acute.sensitivity > 0.7 and acute.ppv > 0.7
    assert everyone.sensitivity > 0.5 and everyone.ppv > 0.9
