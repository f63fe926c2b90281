"""Heart failure: acute part (domain notes §5.2, Santé publique France codes) and the draft
chronic option, every rule and boundary on hand-made events on both backends; end to end
on generated data, pandas against Spark and against the planted truth."""

import pytest

import snds_algos
from snds_algos.backend import backend_of
from snds_algos.io import open_source
from tests.algorithms.cartography_sample import (
    YEAR,
    agreement,
    alive,
    describe,
    sample,
    spark_sample,
)
from tests.cases.cartography_events import D, N, ald, dgn, events, run_algorithm
from tests.helpers import rows

ID = "heart_failure"


def test_acute_principal_diagnosis_i50_of_the_stay_or_any_unit_in_year_n(backend):
    out = run_algorithm(
        ID,
        backend,
        [
            dgn("DP_STAY", "s1", "I500", "DP", D(N, 1, 1)),
            dgn("DP_UNIT", "s2", "I509", "DP", D(N, 12, 31), level="unit"),
            dgn("DR", "s3", "I509", "DR", D(N, 6, 1)),
            dgn("DA_ONLY", "s4", "I509", "DA", D(N, 6, 1)),
            dgn("LAST_YEAR", "s5", "I509", "DP", D(N - 1, 12, 31)),
            dgn("NEXT_YEAR", "s6", "I509", "DP", D(N + 1, 1, 1)),
            dgn("OTHER", "s7", "I48", "DP", D(N, 6, 1)),
        ],
    )
    assert set(out) == {"DP_STAY", "DP_UNIT"}
    assert out["DP_UNIT"]["acute"] and out["DP_UNIT"]["acute_date"] == D(N, 12, 31)


def test_acute_other_principal_diagnosis_needs_an_associated_i50_in_the_same_stay(backend):
    out = run_algorithm(
        ID,
        backend,
        [
            dgn("I110_DA", "s1", "I110", "DP", D(N, 3, 1)),
            dgn("I110_DA", "s1", "I509", "DA", D(N, 3, 1)),
            dgn("J81_UNIT", "s2", "J81", "DP", D(N, 3, 1), level="unit"),
            dgn("J81_UNIT", "s2", "I500", "DA", D(N, 3, 1)),
            dgn("I132", "s3", "I132", "DP", D(N, 3, 1)),
            dgn("I132", "s3", "I50", "DA", D(N, 3, 1)),
            dgn("K761", "s4", "K761", "DP", D(N, 3, 1)),
            dgn("K761", "s4", "I501", "DA", D(N, 3, 1)),
            dgn("I130", "s5", "I130", "DP", D(N, 3, 1)),
            dgn("I130", "s5", "I509", "DA", D(N, 3, 1)),
            dgn("OTHER_STAY", "s6", "K761", "DP", D(N, 3, 1)),
            dgn("OTHER_STAY", "s7", "I509", "DA", D(N, 4, 1)),
            dgn("DR_NOT_DA", "s8", "I110", "DP", D(N, 3, 1)),
            dgn("DR_NOT_DA", "s8", "I509", "DR", D(N, 3, 1)),
            dgn("I131", "s9", "I131", "DP", D(N, 3, 1)),
            dgn("I131", "s9", "I509", "DA", D(N, 3, 1)),
            dgn("NO_DA", "s10", "J81", "DP", D(N, 3, 1)),
            dgn("AS_DA", "s11", "I509", "DP", D(N, 3, 1)),
            dgn("AS_DA", "s11", "J81", "DA", D(N, 3, 1)),
            dgn("PAST", "s12", "I110", "DP", D(N - 1, 3, 1)),
            dgn("PAST", "s12", "I509", "DA", D(N - 1, 3, 1)),
        ],
    )
    assert set(out) == {"I110_DA", "J81_UNIT", "I132", "K761", "I130", "AS_DA"}
    assert out["I110_DA"]["acute_other_dp"] and not out["I110_DA"]["acute"]
    assert out["AS_DA"]["acute"] and not out["AS_DA"]["acute_other_dp"]


CHRONIC = [
    ald("ALD", "I509", "41", D(2012, 1, 1)),
    ald("ALD_I110", "I110", "43", D(N, 12, 31)),
    ald("ALD_ENDED", "I509", "41", D(2012, 1, 1), D(N - 1, 12, 31)),
    ald("ALD_NATURE", "I509", "11", D(2012, 1, 1)),
    ald("ALD_OTHER", "I48", "41", D(2012, 1, 1)),
    dgn("PAST_5", "s1", "I509", "DP", D(N - 5, 1, 1), level="unit"),
    dgn("PAST_6", "s2", "I509", "DP", D(N - 6, 12, 31)),
    dgn("PAST_OTHER_DP", "s3", "J81", "DP", D(N - 3, 6, 1)),
    dgn("PAST_OTHER_DP", "s3", "I509", "DA", D(N - 3, 6, 1)),
    dgn("PAST_DA_ONLY", "s4", "I509", "DA", D(N - 2, 6, 1)),
]


def test_chronic_criteria_are_off_by_default(backend):
    assert run_algorithm(ID, backend, CHRONIC) == {}


def test_chronic_draft_ald_active_in_n_or_acute_stay_in_the_5_previous_years(backend):
    out = run_algorithm(ID, backend, CHRONIC, include_chronic=True)
    assert set(out) == {"ALD", "ALD_I110", "PAST_5", "PAST_OTHER_DP"}
    assert out["ALD"]["chronic_ald"] and not out["ALD"]["acute"]
    assert out["PAST_5"]["chronic_past_stay_date"] == D(N - 5, 1, 1)
    assert out["PAST_OTHER_DP"]["chronic_past_stay_other_dp"]
    every = run_algorithm(ID, backend, CHRONIC, include_chronic=True, ald_natures=None)
    assert "ALD_NATURE" in every


def test_registered_run_on_events_both_backends(backend):
    algo = snds_algos.get(ID)
    assert algo.card["status"] == "under review"
    ev = events(
        backend,
        [dgn("P1", "s1", "I509", "DP", D(N, 3, 1)), ald("P2", "I509", "41", D(2015, 1, 1))],
    )
    out = algo.run(events=ev, year=N)
    assert backend_of(out) == backend.name
    assert [(r["patient_id"], r["case"]) for r in rows(out)] == [("P1", True)]
    broad = algo.run(events=ev, year=N, include_chronic=True)
    assert [(r["patient_id"], r["case"]) for r in rows(broad, ["patient_id"])] == [
        ("P1", True),
        ("P2", True),
    ]


def test_agreement_with_the_planted_truth():
    # the definitions do not read deaths: count, as the cartography, the persons alive
    # on 1 January N (a 5-year look-back otherwise finds persons dead since)
    source, population = open_source(sample()), alive(sample())
    acute = snds_algos.get(ID).run(source, year=YEAR, population=population)
    broad = snds_algos.get(ID).run(source, year=YEAR, population=population, include_chronic=True)
    e_acute = agreement(acute.loc[acute["case"], "patient_id"], sample(), "heart_failure")
    e_broad = agreement(broad.loc[broad["case"], "patient_id"], sample(), "heart_failure")
    print("acute only:", describe(e_acute))
    print("with the chronic draft:", describe(e_broad))
    # the planted condition is chronic: the acute stays of the year find a part of it
    assert e_acute.ppv > 0.6 and e_acute.true_positives >= 5
    assert e_broad.sensitivity > e_acute.sensitivity and e_broad.sensitivity > 0.6


@pytest.mark.spark
def test_spark_gives_the_same_rows_as_pandas(spark):
    folder = spark_sample()
    run = snds_algos.get(ID).run
    on_pandas = run(open_source(folder), year=YEAR, include_chronic=True)
    on_spark = run(
        open_source(folder, backend="spark", spark=spark), year=YEAR, include_chronic=True
    )
    expected = rows(on_pandas, ["patient_id"])
    assert sum(r["case"] for r in expected) >= 3
    assert rows(on_spark, ["patient_id"]) == expected


def test_same_persons_and_criteria_as_an_independent_sql_implementation():
    from tests.algorithms.cardio_reference import reference_cases

    criteria = ["acute", "acute_other_dp", "chronic_ald", "chronic_past_stay"]
    criteria += ["chronic_past_stay_other_dp"]
    sql = reference_cases(sample(), YEAR)
    sql = sql[sql[criteria].any(axis=1)].set_index("patient_id")[criteria].astype(bool)
    lib = snds_algos.get(ID).run(open_source(sample()), year=YEAR, include_chronic=True)
    lib = lib[lib["case"]].set_index("patient_id")[criteria].astype(bool)
    assert sorted(lib.index) == sorted(sql.index)
    assert len(sql) > 50 and sql["acute_other_dp"].any() and sql["chronic_ald"].any()
    disagree = (lib.loc[sql.index].to_numpy() != sql.to_numpy()).any(axis=1)
    assert list(sql.index[disagree]) == []
