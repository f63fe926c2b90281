"""Acute coronary syndrome (domain notes §5.2, verified codes): every rule and boundary on
hand-made events on both backends; end to end on generated data, pandas against Spark and
against the planted truth."""

import pytest

import snds_algos
from snds_algos.backend import backend_of
from snds_algos.io import open_source
from tests.algorithms.cartography_sample import YEAR, agreement, describe, sample, spark_sample
from tests.cases.cartography_events import D, N, dgn, events, run_algorithm
from tests.helpers import rows

ID = "acute_coronary_syndrome"


def test_principal_diagnosis_of_the_stay_or_any_unit_in_year_n(backend):
    out = run_algorithm(
        ID,
        backend,
        [
            dgn("DP_STAY", "s1", "I214", "DP", D(N, 1, 1)),
            dgn("DP_UNIT", "s2", "I249", "DP", D(N, 12, 31), level="unit"),
            dgn("I22", "s3", "I229", "DP", D(N, 6, 1)),
            dgn("I23", "s4", "I230", "DP", D(N, 6, 1)),
            dgn("DR", "s5", "I214", "DR", D(N, 6, 1)),
            dgn("DR_UNIT", "s6", "I214", "DR", D(N, 6, 1), level="unit"),
            dgn("DA", "s7", "I21", "DA", D(N, 6, 1)),
            dgn("I20", "s8", "I200", "DP", D(N, 6, 1)),
            dgn("I25", "s9", "I251", "DP", D(N, 6, 1)),
            dgn("LAST_YEAR", "s10", "I214", "DP", D(N - 1, 12, 31)),
            dgn("NEXT_YEAR", "s11", "I214", "DP", D(N + 1, 1, 1)),
        ],
    )
    assert set(out) == {"DP_STAY", "DP_UNIT", "I22", "I23"}
    assert out["DP_UNIT"]["hospital_date"] == D(N, 12, 31)
    assert all(r["case"] and r["hospital"] for r in out.values())


def test_the_date_is_the_exit_of_the_first_stay_of_the_year(backend):
    out = run_algorithm(
        ID,
        backend,
        [
            dgn("TWO", "s1", "I214", "DP", D(N, 9, 1)),
            dgn("TWO", "s2", "I219", "DP", D(N, 2, 1), level="unit"),
            dgn("TWO", "s0", "I219", "DP", D(N - 1, 2, 1)),
        ],
    )
    assert out["TWO"]["hospital_date"] == D(N, 2, 1)


def test_registered_run_on_events_both_backends(backend):
    algo = snds_algos.get(ID)
    assert algo.card["status"] == "under review"
    ev = events(backend, [dgn("P1", "s1", "I214", "DP", D(N, 3, 1))])
    out = algo.run(events=ev, year=N)
    assert backend_of(out) == backend.name
    assert [(r["patient_id"], r["case"]) for r in rows(out)] == [("P1", True)]
    with pytest.raises(TypeError, match="unknown parameter"):
        algo.run(events=ev, year=N, nope=1)
    with pytest.raises(TypeError, match="reference year"):
        algo.run(events=ev)


def test_agreement_with_the_planted_truth():
    found = snds_algos.get(ID).run(open_source(sample()), year=YEAR)
    e = agreement(found.loc[found["case"], "patient_id"], sample(), "acs", event=True)
    print(describe(e))
    assert e.true_positives >= 5
    assert e.sensitivity > 0.6 and e.ppv > 0.7


@pytest.mark.spark
def test_spark_gives_the_same_rows_as_pandas(spark):
    folder = spark_sample()
    on_pandas = snds_algos.get(ID).run(open_source(folder), year=YEAR, population=True)
    on_spark = snds_algos.get(ID).run(
        open_source(folder, backend="spark", spark=spark), year=YEAR, population=True
    )
    expected = rows(on_pandas, ["patient_id"])
    assert sum(r["case"] for r in expected) >= 1
    assert rows(on_spark, ["patient_id"]) == expected


def test_same_persons_as_an_independent_sql_implementation():
    from tests.algorithms.cardio_reference import reference_cases

    sql = reference_cases(sample(), YEAR)
    expected = sorted(sql.loc[sql["acute_coronary_syndrome"], "patient_id"])
    found = snds_algos.get(ID).run(open_source(sample()), year=YEAR)
    assert len(expected) >= 5
    assert sorted(found.loc[found["case"], "patient_id"]) == expected
