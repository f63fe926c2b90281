"""The worked examples 1-7 of cohorts.md, on every backend."""

from __future__ import annotations

from tests.cohorts.builders import alive, build, counts, d, definition, events, patients, rows

T2D_RULE = {"name": "type 2 diabetes", "criterion": "t2d", "window": [-365, 0], "min": 1}
NO_INSULIN = {"name": "no insulin before", "criterion": "insulin", "window": [-365, -1], "max": 0}


def test_example_1_new_users(backend):
    spec = definition(
        entry={"any": ["metformin"], "first_ever": True, "prior_observation_days": 365}
    )
    ev = events(
        ("P1", "A10BA02", "2016-03-10"),
        ("P1", "A10BA02", "2016-04-12"),
        ("P2", "A10BA02", "2015-06-01"),
        ("P2", "A10BA02", "2017-02-01"),
        ("P3", "A10BA02", "2016-01-01"),
    )
    cohort = build(backend, spec, ev, alive("P1", "P2", "P3"))
    got = rows(backend, cohort, ("patient_id", "index_date"))
    assert got == [("P1", d("2016-03-10")), ("P3", d("2016-01-01"))]
    assert counts(cohort)[1:4] == [
        ("entry events: metformin", 3, 5),
        ("first ever", 3, 3),
        ("observation (365 days before the index)", 2, 2),
    ]


def _example_2(backend, inclusion):
    spec = definition(entry={"any": ["metformin"]}, inclusion=inclusion)
    ev = events(
        *[(p, "A10BA02", "2018-06-30") for p in ("P4", "P5", "P6", "P7")],
        ("P4", "E11", "2017-06-30"),
        ("P5", "E11", "2017-06-29"),
        ("P6", "E11", "2018-06-30"),
        ("P6", "A10AB01", "2018-06-30"),
        ("P7", "E11", "2018-01-15"),
        ("P7", "A10AE04", "2018-06-29"),
    )
    return build(backend, spec, ev, alive("P4", "P5", "P6", "P7"))


def test_example_2_windows(backend):
    cohort = _example_2(backend, [T2D_RULE, NO_INSULIN])
    assert [r[0] for r in rows(backend, cohort)] == ["P4", "P6"]
    a = cohort.attrition
    assert a["n_persons"].tolist()[-3:] == [4, 3, 2]
    stats = cohort.rule_stats
    assert stats["satisfied_persons"].tolist() == [3, 3]
    assert stats["failed_only_persons"].tolist() == [1, 1]
    assert stats["satisfied_records"].tolist() == [3, 3]


def test_rule_order_does_not_change_the_cohort(backend):
    ab = _example_2(backend, [T2D_RULE, NO_INSULIN])
    ba = _example_2(backend, [NO_INSULIN, T2D_RULE])
    assert rows(backend, ab) == rows(backend, ba)
    assert ab.attrition["n_persons"].iloc[-1] == ba.attrition["n_persons"].iloc[-1] == 2
    # the intermediate step differs: each rule alone excludes one person
    assert ba.attrition["reason"].tolist()[-2] == "rule 1: no insulin before"


def test_example_3_distinct_dates(backend):
    rule = {"name": "A10 on 3 dates", "criterion": "a10", "window": [-365, -1], "min": 3}
    ev = events(
        ("P8", "A10BA02", "2018-06-30"),
        ("P8", "A10BB01", "2018-01-10"),
        ("P8", "A10BH01", "2018-01-10"),
        ("P8", "A10BB01", "2018-03-01"),
        ("P9", "A10BA02", "2018-06-30"),
        ("P9", "A10BB01", "2017-07-01"),
        ("P9", "A10BB01", "2018-02-01"),
        ("P9", "A10BB01", "2018-05-01"),
    )
    pts = alive("P8", "P9")
    distinct = definition(entry={"any": ["metformin"]}, inclusion=[{**rule, "distinct": "dates"}])
    assert [r[0] for r in rows(backend, build(backend, distinct, ev, pts))] == ["P9"]
    lines = definition(entry={"any": ["metformin"]}, inclusion=[rule])
    assert [r[0] for r in rows(backend, build(backend, lines, ev, pts))] == ["P8", "P9"]


def test_example_4_exits(backend):
    spec = definition(
        entry={"any": ["metformin"]}, exit={"outcome": "mi", "max_follow_up_days": 365}
    )
    ev = events(
        ("P10", "A10BA02", "2019-03-01"),
        ("P11", "A10BA02", "2019-03-01"),
        ("P11", "I21", "2019-05-10"),
        ("P12", "A10BA02", "2020-06-01"),
        ("P13", "A10BA02", "2019-01-10"),
        ("P13", "I219", "2019-01-10"),
        ("P14", "A10BA02", "2019-01-10"),
        ("P14", "I21", "2019-02-01", None, "DA"),  # an associated diagnosis: not the outcome
    )
    pts = patients(
        ("P10", "1", "1950-01-01", "2019-08-15"),
        ("P11", "1", "1950-01-01", "2019-05-10"),
        ("P12", "1", "1950-01-01", None),
        ("P13", "1", "1950-01-01", None),
        ("P14", "1", "1950-01-01", None),
    )
    got = rows(backend, build(backend, spec, ev, pts))
    assert got == [
        ("P10", d("2019-03-01"), d("2019-08-15"), "death", 168),
        ("P11", d("2019-03-01"), d("2019-05-10"), "outcome", 71),
        ("P12", d("2020-06-01"), d("2020-12-31"), "end_of_data", 214),
        ("P13", d("2019-01-10"), d("2019-01-10"), "outcome", 1),
        ("P14", d("2019-01-10"), d("2020-01-09"), "max_follow_up", 365),
    ]


def _example_5(backend, pad):
    spec = definition(
        entry={"any": ["metformin"], "limit": "all"},
        exit={"max_follow_up_days": 31},
        era_pad_days=pad,
    )
    ev = events(*[("P15", "A10BA02", x) for x in ("2019-01-01", "2019-01-31", "2019-03-05")])
    return build(backend, spec, ev, alive("P15"))


def test_example_5_eras(backend):
    without = definition(
        entry={"any": ["metformin"], "limit": "all"},
        exit={"max_follow_up_days": 31},
        limit_after_inclusion="first",
    )
    ev = events(*[("P15", "A10BA02", x) for x in ("2019-01-01", "2019-01-31", "2019-03-05")])
    first = build(backend, without, ev, alive("P15"))
    assert rows(backend, first)[0][2] == d("2019-01-31")
    for pad in (0, 1):
        got = rows(backend, _example_5(backend, pad), ("index_date", "exit_date", "exit_reason"))
        assert got == [
            (d("2019-01-01"), d("2019-03-02"), "max_follow_up"),
            (d("2019-03-05"), d("2019-04-04"), "max_follow_up"),
        ], pad
    two = _example_5(backend, 2)
    assert rows(backend, two, ("index_date", "exit_date", "era_entries")) == [
        (d("2019-01-01"), d("2019-04-04"), 3)
    ]
    assert counts(two)[-1] == ("eras (pad 2 days)", 1, 1)
    assert counts(_example_5(backend, 0))[-2:] == [
        ("observation", 1, 3),
        ("eras (pad 0 days)", 1, 2),
    ]


def _interval_cohort(backend, name, spans, start_code, end_code):
    spec = definition(
        id=name,
        entry={"any": [f"{name.lower()}_start"]},
        exit={"censor": [f"{name.lower()}_end"]},
    )
    rows_ = []
    for pid, a, b in spans:
        rows_ += [(pid, start_code, a), (pid, end_code, b)]
    ids = sorted({s[0] for s in spans})
    return build(backend, spec, events(*rows_), alive(*ids))


def test_example_6_algebra(backend):
    a = _interval_cohort(
        backend,
        "A",
        [
            ("P1", "2016-03-10", "2017-03-10"),
            ("P2", "2017-02-01", "2018-02-01"),
            ("P3", "2016-01-01", "2016-06-30"),
        ],
        "XS",
        "XE",
    )
    b = _interval_cohort(
        backend,
        "B",
        [("P2", "2017-06-01", "2017-12-31"), ("P4", "2018-01-01", "2018-12-31")],
        "YS",
        "YE",
    )
    cols = ("patient_id", "index_date", "exit_date")
    assert rows(backend, a & b, cols) == [("P2", d("2017-02-01"), d("2018-02-01"))]
    assert [r[0] for r in rows(backend, a - b, cols)] == ["P1", "P3"]
    union = rows(backend, a | b, cols)
    assert len({r[0] for r in union}) == len(union) == 4
    assert ("P2", d("2017-02-01"), d("2018-02-01")) in union
    assert rows(backend, a.intersect_time(b), cols) == [("P2", d("2017-06-01"), d("2017-12-31"))]
    # a union with itself duplicates nobody
    assert rows(backend, a | a, cols) == rows(backend, a, cols)
    # each operation adds one attrition step that adds up
    for c, persons in ((a & b, 1), (a - b, 2), (a | b, 4), (a.intersect_time(b), 1)):
        att = c.attrition
        assert len(att) == len(a.attrition) + 1
        assert att["n_persons"].iloc[-1] == persons
        assert att["excluded_persons"].iloc[-1] == 3 - persons


def test_example_7_limit_before_or_after_the_rules(backend):
    ev = events(
        ("P16", "A10BA02", "2017-01-05"),
        ("P16", "A10BA02", "2018-01-05"),
        ("P16", "E11", "2017-12-01"),
    )
    before = definition(entry={"any": ["metformin"], "limit": "first"}, inclusion=[T2D_RULE])
    assert rows(backend, build(backend, before, ev, alive("P16"))) == []
    after = definition(
        entry={"any": ["metformin"], "limit": "all"},
        inclusion=[T2D_RULE],
        limit_after_inclusion="first",
    )
    got = rows(backend, build(backend, after, ev, alive("P16")), ("patient_id", "index_date"))
    assert got == [("P16", d("2018-01-05"))]
