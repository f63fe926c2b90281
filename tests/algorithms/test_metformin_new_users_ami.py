"""The example cohort study metformin_new_users_ami: spec tests on every backend."""

from __future__ import annotations

import snds_algos
from tests.cohorts.builders import d, events, patients, rows

ALGO = "metformin_new_users_ami"


def _run(backend, ev, pts):
    return snds_algos.get(ALGO).run(
        events=backend.frame(ev),
        patients=backend.frame(pts),
        data_start="2015-01-01",
        data_end="2020-12-31",
    )


def test_card_is_a_cohort():
    algo = snds_algos.get(ALGO)
    assert algo.card["kind"] == "cohort"
    assert algo.run.__module__ == "snds_algos.cohorts.packaged"


def test_each_rule_and_exit(backend):
    ev = events(
        # N1: new user with an E11 stay the year before, MI 100 days later: outcome
        ("N1", "A10BA02", "2017-03-01"),
        ("N1", "E119", "2016-10-01", "2016-10-05", "DA"),
        ("N1", "I214", "2017-06-08", "2017-06-12", "DP"),
        # N2: metformin in 2015 already (first ever before the 365 days): out
        ("N2", "A10BA02", "2015-06-01"),
        ("N2", "A10BA02", "2017-03-01"),
        ("N2", "E11", "2016-10-01"),
        # N3: a combination (A10BD07) counts; insulin before: out
        ("N3", "A10BD07", "2017-03-01"),
        ("N3", "E11", "2016-10-01"),
        ("N3", "A10AE04", "2017-02-28"),
        # N4: no type 2 diabetes: out
        ("N4", "A10BA02", "2017-03-01"),
        # N5: insulin after the index censors
        ("N5", "A10BA02", "2017-03-01"),
        ("N5", "E11", "2017-03-01"),
        ("N5", "A10AE04", "2017-09-01"),
        # N6: minor at the index: out
        ("N6", "A10BA02", "2017-03-01"),
        ("N6", "E11", "2017-01-01"),
        # N7: nothing after: 730 days of follow-up
        ("N7", "A10BA02", "2017-03-01"),
        ("N7", "E11", "2016-01-01"),
    )
    pts = patients(
        *[(p, "1", "1960-05-01", None) for p in ("N1", "N2", "N3", "N4", "N5", "N7")],
        ("N6", "2", "2000-04-01", None),
    )
    got = rows(backend, _run(backend, ev, pts))
    assert got == [
        ("N1", d("2017-03-01"), d("2017-06-08"), "outcome", 100),
        ("N5", d("2017-03-01"), d("2017-09-01"), "censor", 185),
        ("N7", d("2017-03-01"), d("2019-02-28"), "max_follow_up", 730),
    ]
