"""End-stage kidney disease (DRAFT, codes to verify against the CNAM method): dialysis
sessions (GHM), kidney transplant act (CCAM), Z94.0 and its ALD, every boundary on
hand-made events on both backends; end to end on generated data against the planted
truth (measured on synthetic data, not a validation)."""

import snds_algos
from snds_algos.backend import backend_of
from tests.algorithms.cartography_sample import describe, planted
from tests.cases.cartography_events import (
    D,
    N,
    act,
    ald_boundaries,
    dgn,
    events,
    run_algorithm,
    stay,
)
from tests.helpers import rows

ID = "end_stage_kidney_disease"


def test_card_is_a_draft_whose_codes_are_to_verify():
    card = snds_algos.get(ID).card
    assert card["status"] == "draft"
    assert any("codes to verify against the CNAM method" in limit for limit in card["limits"])


def test_dialysis_sessions_on_three_distinct_dates_of_year_n(backend):
    records = [stay("HD3", f"a{i}", "28Z04Z", D(N, 12, 29 + i)) for i in range(3)]
    records += [stay("DP3", f"b{i}", "28Z05Z" if i else "28Z06Z", D(N, 1, 1 + i)) for i in range(3)]
    records += [stay("TWO", f"c{i}", "28Z04Z", D(N, 3, 1 + i)) for i in range(2)]
    records += [stay("SAME_DAY", f"d{i}", "28Z04Z", D(N, 3, 1)) for i in range(3)]
    records += [stay("LAST_YEAR", f"e{i}", "28Z04Z", D(N - 1, 3, 1 + i)) for i in range(3)]
    records += [stay("OTHER_GHM", f"f{i}", "28Z07Z", D(N, 3, 1 + i)) for i in range(3)]
    out = run_algorithm(ID, backend, records)
    assert set(out) == {"HD3", "DP3"}
    assert out["HD3"]["dialysis_date"] == D(N, 12, 31)
    one = run_algorithm(ID, backend, records, min_dialysis_sessions=1)
    assert set(one) == {"HD3", "DP3", "TWO", "SAME_DAY"}


def test_kidney_transplant_act_in_year_n(backend):
    out = run_algorithm(
        ID,
        backend,
        [
            act("MCO_ACT", "JAEA003", D(N, 12, 31), stay_id="s1"),
            act("DCIR_ACT", "JAEA003", D(N, 1, 1)),
            act("LAST_YEAR", "JAEA003", D(N - 1, 12, 31)),
            act("OTHER_ACT", "JVJF004", D(N, 5, 1)),
        ],
    )
    assert set(out) == {"MCO_ACT", "DCIR_ACT"}
    assert out["MCO_ACT"]["transplant_act"] and not out["MCO_ACT"]["dialysis"]


def test_transplant_status_z940_at_any_position_in_years_n_minus_4_to_n(backend):
    out = run_algorithm(
        ID,
        backend,
        [
            dgn("Z940_DP", "s1", "Z940", "DP", D(N, 12, 31)),
            dgn("Z940_DA_FIRST", "s2", "Z940", "DA", D(N - 4, 1, 1)),
            dgn("Z940_TOO_OLD", "s3", "Z940", "DP", D(N - 5, 12, 31)),
            dgn("Z941", "s4", "Z941", "DP", D(N, 6, 1)),
        ],
    )
    assert set(out) == {"Z940_DP", "Z940_DA_FIRST"}


def test_ald_z940_active_in_year_n(backend):
    records, expected = ald_boundaries("Z940", "N185")
    out = run_algorithm(ID, backend, records)
    assert set(out) == expected


def test_registered_run_on_events_both_backends(backend):
    ev = events(backend, [act("P1", "JAEA003", D(N, 3, 1))])
    out = snds_algos.get(ID).run(events=ev, year=N)
    assert backend_of(out) == backend.name
    assert [(r["patient_id"], r["case"]) for r in rows(out)] == [("P1", True)]


def test_agreement_with_the_planted_truth():
    e = planted(ID, "eskd")
    print(describe(e))
    assert e.true_positives >= 5
    assert e.sensitivity > 0.7 and e.ppv > 0.9
