"""Window, observation, exit-tie, era and person-rule boundaries, on every backend."""

from __future__ import annotations

import pandas as pd

from snds_algos.contracts.dtypes import date_series
from tests.cohorts.builders import alive, build, counts, d, definition, events, patients, rows

ENTRY = {"any": ["metformin"]}


def test_window_day_minus_365_in_366_out_and_the_index_day(backend):
    ev = events(
        *[(p, "A10BA02", "2018-06-30") for p in ("Q1", "Q2", "Q3")],
        ("Q1", "E11", "2017-06-30"),  # day -365
        ("Q2", "E11", "2017-06-29"),  # day -366
        ("Q3", "E11", "2018-06-30"),  # day 0
    )
    pts = alive("Q1", "Q2", "Q3")
    rule = {"name": "t2d", "criterion": "t2d", "min": 1}
    with_index = definition(entry=ENTRY, inclusion=[{**rule, "window": [-365, 0]}])
    assert [r[0] for r in rows(backend, build(backend, with_index, ev, pts))] == ["Q1", "Q3"]
    without = definition(entry=ENTRY, inclusion=[{**rule, "window": [-365, -1]}])
    assert [r[0] for r in rows(backend, build(backend, without, ev, pts))] == ["Q1"]


def test_first_ever_is_the_true_first_limit_first_is_not(backend):
    ev = events(("F1", "A10BA02", "2015-06-01"), ("F1", "A10BA02", "2016-03-01"))
    period = {
        "data_start": "2015-01-01",
        "data_end": "2020-12-31",
        "entry_period": ["2016-01-01", "2019-12-31"],
    }
    new_users = definition(study=period, entry={**ENTRY, "first_ever": True})
    cohort = build(backend, new_users, ev, alive("F1"))
    assert rows(backend, cohort) == []
    assert counts(cohort)[2:4] == [
        ("first ever", 1, 1),
        ("entry period 2016-01-01 to 2019-12-31", 0, 0),
    ]
    first = definition(study=period, entry={**ENTRY, "limit": "first"})
    got = rows(backend, build(backend, first, ev, alive("F1")), ("patient_id", "index_date"))
    assert got == [("F1", d("2016-03-01"))]


def test_observation_born_or_died_inside_the_study(backend):
    spec = definition(entry={**ENTRY, "prior_observation_days": 365})
    ev = events(
        ("B1", "A10BA02", "2017-04-30"),
        ("B2", "A10BA02", "2017-05-01"),
        ("D1", "A10BA02", "2019-03-01"),
        ("D2", "A10BA02", "2019-01-01"),
        ("D3", "A10BA02", "2019-02-03"),
        ("D4", "A10BA02", "2016-03-01"),
        ("N1", "A10BA02", "2017-03-01"),  # no patients row: no observation
    )
    pts = patients(
        ("B1", "1", "2016-05-01", None),
        ("B2", "1", "2016-05-01", None),
        ("D1", "1", "1950-01-01", "2019-02-03"),
        ("D2", "1", "1950-01-01", "2019-02-03"),
        ("D3", "1", "1950-01-01", "2019-02-03"),
        ("D4", "1", "1950-01-01", "2014-05-01"),
    )
    cohort = build(backend, spec, ev, pts)
    assert rows(backend, cohort) == [
        ("B2", d("2017-05-01"), d("2020-12-31"), "end_of_data", 1341),
        ("D2", d("2019-01-01"), d("2019-02-03"), "death", 34),
        ("D3", d("2019-02-03"), d("2019-02-03"), "death", 1),
    ]
    assert counts(cohort)[:3] == [
        ("population", 7, 7),
        ("entry events: metformin", 7, 7),
        ("observation (365 days before the index)", 3, 3),
    ]


def test_every_tie_of_the_exit_order(backend):
    spec = definition(
        study={"no_care_days": 100},
        entry=ENTRY,
        exit={"outcome": "mi", "censor": ["insulin"], "max_follow_up_days": 365},
    )
    ev = events(
        ("T1", "A10BA02", "2019-01-01"),
        ("T1", "I21", "2019-04-01"),  # outcome and death the same day
        ("T2", "A10BA02", "2019-01-01"),
        ("T2", "A10AB01", "2019-04-01"),  # censor and death the same day
        ("T3", "A10BA02", "2019-01-01"),
        ("T3", "A10AB01", "2019-06-09"),  # censor and lost to follow-up the same day
        ("T4", "A10BA02", "2020-01-10"),  # lost to follow-up on the last day of the data
        ("T5", "A10BA02", "2020-01-02"),  # end of data and maximum follow-up the same day
        ("T6", "A10BA02", "2019-05-05"),
        ("T6", "A10AB01", "2019-05-05"),  # censor on the index day
        ("T7", "A10BA02", "2019-01-01"),
        ("T7", "I21", "2019-02-01"),
        ("T7", "A10AB01", "2019-02-01"),  # outcome and censor the same day
        ("T8", "A10BA02", "2019-01-01"),  # lost before the maximum follow-up
    )
    pts = patients(
        ("T1", "1", "1950-01-01", "2019-04-01"),
        ("T2", "1", "1950-01-01", "2019-04-01"),
        *[(p, "1", "1950-01-01", None) for p in ("T3", "T4", "T5", "T6", "T7", "T8")],
    )
    care = events(
        *[(p, "C1", "2020-12-31") for p in ("T1", "T2", "T5", "T6", "T7")],
        ("T3", "C1", "2019-03-01"),
        ("T4", "C1", "2020-09-22"),
        ("T8", "C1", "2019-06-01"),
    )
    cohort = build(backend, spec, ev, pts, care=backend.frame(care))
    assert rows(backend, cohort, ("patient_id", "exit_date", "exit_reason", "duration_days")) == [
        ("T1", d("2019-04-01"), "outcome", 91),
        ("T2", d("2019-04-01"), "death", 91),
        ("T3", d("2019-06-09"), "censor", 160),
        ("T4", d("2020-12-31"), "lost_to_follow_up", 357),
        ("T5", d("2020-12-31"), "end_of_data", 365),
        ("T6", d("2019-05-05"), "censor", 1),
        ("T7", d("2019-02-01"), "outcome", 32),
        ("T8", d("2019-09-09"), "lost_to_follow_up", 252),
    ]


def test_drug_persistence_exit_hook(backend):
    spec = definition(entry=ENTRY, exit={"max_follow_up_days": 365, "persistence_offset_days": 30})
    ev = events(
        ("E1", "A10BA02", "2019-01-01"),
        ("E2", "A10BA02", "2019-01-01"),
        ("E3", "A10BA02", "2019-01-01"),
    )
    periods = pd.DataFrame(
        {
            "patient_id": pd.array(["E1", "E1", "E2", "E3"], dtype="string[pyarrow]"),
            "key": pd.array(
                ["metformin", "insulin", "metformin", "metformin"], dtype="string[pyarrow]"
            ),
            "period_no": pd.array([1, 1, 1, 1], dtype="Int64"),
            "start": date_series(["2018-12-20", "2019-01-01", "2019-01-02", "2018-06-01"]),
            "end": date_series(["2019-02-10", "2019-01-05", "2019-03-01", "2019-12-31"]),
        }
    )
    cohort = build(
        backend,
        spec,
        ev,
        alive("E1", "E2", "E3"),
        exposure_periods=backend.frame(periods),
        exposure_key="metformin",
    )
    assert rows(backend, cohort, ("patient_id", "exit_date", "exit_reason")) == [
        ("E1", d("2019-03-12"), "end_of_exposure"),
        ("E2", d("2019-12-31"), "max_follow_up"),  # no period contains the index
        ("E3", d("2019-12-31"), "max_follow_up"),  # 2020-01-30 comes after 365 days
    ]


def test_eras_pad_0_1_2_at_the_day_between(backend):
    ev = events(
        ("R1", "A10BA02", "2019-01-01"),
        ("R1", "A10BA02", "2019-02-02"),
        ("R1", "A10BA02", "2019-03-06"),
    )
    got = {}
    for pad in (0, 1, 2):
        spec = definition(
            entry={**ENTRY, "limit": "all"}, exit={"max_follow_up_days": 31}, era_pad_days=pad
        )
        got[pad] = rows(backend, build(backend, spec, ev, alive("R1")), ("index_date", "exit_date"))
    # exits 01-31, 03-04, 04-05: one day between the first two, one between the last two
    assert got[0] == [
        (d("2019-01-01"), d("2019-01-31")),
        (d("2019-02-02"), d("2019-03-04")),
        (d("2019-03-06"), d("2019-04-05")),
    ]
    assert got[1] == got[2] == [(d("2019-01-01"), d("2019-04-05"))]


def test_interval_events_match_by_start_or_overlap(backend):
    ev = events(
        *[(p, "A10BA02", "2018-07-01") for p in ("O1", "O2", "O3", "O4")],
        ("O1", "E11", "2018-06-01", "2018-06-21"),  # ends on day -10
        ("O2", "E11", "2018-06-01", "2018-06-20"),  # ends on day -11
        ("O3", "E11", "2018-07-01", "2018-07-05"),  # starts on the index day
        ("O4", "E11", "2018-06-21", "2018-06-25"),  # starts on day -10
    )
    pts = alive("O1", "O2", "O3", "O4")
    rule = {"name": "stay", "criterion": "t2d", "window": [-10, -1], "min": 1}
    overlap = definition(entry=ENTRY, inclusion=[{**rule, "match": "overlap"}])
    assert [r[0] for r in rows(backend, build(backend, overlap, ev, pts))] == ["O1", "O4"]
    start = definition(entry=ENTRY, inclusion=[rule])
    assert [r[0] for r in rows(backend, build(backend, start, ev, pts))] == ["O4"]


def test_age_in_completed_years_and_sex_missing_fails(backend):
    ev = events(
        ("G1", "A10BA02", "2018-06-30"),
        ("G2", "A10BA02", "2018-07-01"),
        *[(p, "A10BA02", "2018-07-01") for p in ("G3", "G4", "G5")],
    )
    pts = patients(
        ("G1", "2", "2000-07-01", None),  # 17 on 2018-06-30
        ("G2", "2", "2000-07-01", None),  # 18 on 2018-07-01
        ("G3", "2", None, None),  # unknown birth
        ("G4", None, "1950-01-01", None),  # unknown sex
        ("G5", "1", "1950-01-01", None),
    )
    spec = definition(
        entry=ENTRY,
        inclusion=[
            {"name": "adult", "age_at_index": [18, None]},
            {"name": "women", "sex": "female"},
        ],
    )
    cohort = build(backend, spec, ev, pts)
    assert [r[0] for r in rows(backend, cohort)] == ["G2"]
    stats = cohort.rule_stats
    assert stats["satisfied_persons"].tolist() == [3, 3]
    assert stats["failed_only_persons"].tolist() == [2, 2]
