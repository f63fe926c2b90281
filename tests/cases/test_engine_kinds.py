"""Spec tests of the engine extensions used by the cartography algorithms, on both
backends: MCO stays by GHM and CCAM acts (at least ``min_dates`` distinct dates in one
year), ALDs started in given years (``start_years``), a parameter set on several
criteria (``target`` list)."""

import pytest

from snds_algos.cases import Criterion, Definition, identify, load_definition
from tests.cases.cartography_events import D, N, act, ald, events, stay
from tests.helpers import rows

LISTS = {"dialysis": ["28Z04Z", "28Z05Z", "28Z06Z"], "graft": ["JAEA003"], "k": ["N18"]}


def run(backend, criteria, records, case=None, **params):
    crits = {c.name: c for c in criteria}
    d = Definition("t", crits, case or {"any": list(crits)}, code_lists=LISTS)
    if params:
        d = d.with_parameters(**params)
    return {r["patient_id"]: r for r in rows(identify(d, events(backend, records), N))}


def test_stay_by_ghm_dated_by_exit_in_the_years(backend):
    crit = Criterion("dial", "hospital_stay", codes="dialysis", how="exact")
    out = run(
        backend,
        [crit],
        [
            stay("IN_N", "s1", "28Z04Z", D(N, 12, 31)),
            stay("ENTERED_BEFORE", "s2", "28Z05Z", D(N, 1, 2), days=5),
            stay("BEFORE", "s3", "28Z04Z", D(N - 1, 12, 31)),
            stay("OTHER_GHM", "s4", "05M09T", D(N, 5, 1)),
            stay("PREFIX_ONLY", "s5", "28Z04", D(N, 5, 1)),
        ],
    )
    assert set(out) == {"IN_N", "ENTERED_BEFORE"}
    assert out["ENTERED_BEFORE"]["dial_date"] == D(N, 1, 2)


def test_stays_min_dates_counted_per_year(backend):
    crit = Criterion("dial", "hospital_stay", codes="dialysis", years=(0, -1), min_dates=3)
    records = [stay("THREE", f"a{i}", "28Z04Z", D(N, 3, i + 1)) for i in range(3)]
    records += [stay("SAME_DAY", f"b{i}", "28Z04Z", D(N, 3, 1)) for i in range(3)]
    records += [stay("SPLIT", "c1", "28Z04Z", D(N - 1, 12, 30))]
    records += [stay("SPLIT", "c2", "28Z04Z", D(N - 1, 12, 31))]
    records += [stay("SPLIT", "c3", "28Z04Z", D(N, 1, 1))]
    records += [stay("PREV", f"d{i}", "28Z06Z", D(N - 1, 6, i + 1)) for i in range(4)]
    out = run(backend, [crit], records)
    assert set(out) == {"THREE", "PREV"}
    assert out["THREE"]["dial_date"] == D(N, 3, 3)  # the date the third is reached
    assert out["PREV"]["dial_date"] == D(N - 1, 6, 3)


def test_acts_dated_by_their_date_from_dcir_or_mco(backend):
    crit = Criterion("graft", "medical_act", codes="graft", years=(0,))
    out = run(
        backend,
        [crit],
        [
            act("MCO", "JAEA003", D(N, 7, 1), stay_id="s1"),
            act("DCIR", "JAEA003", D(N, 1, 1)),
            act("LAST_YEAR", "JAEA003", D(N - 1, 12, 31)),
            act("OTHER", "JVJF004", D(N, 7, 1)),
        ],
    )
    assert set(out) == {"MCO", "DCIR"}
    assert out["MCO"]["graft_date"] == D(N, 7, 1)


def test_ald_started_in_given_years(backend):
    crit = Criterion("recent", "ald", codes="k", start_years=(0, -1))
    out = run(
        backend,
        [crit],
        [
            ald("STARTED_N", "N185", "41", D(N, 12, 31)),
            ald("STARTED_N_1", "N185", "41", D(N - 1, 1, 1)),
            ald("OLD", "N185", "41", D(N - 2, 12, 31)),
            ald("ENDED", "N185", "41", D(N - 1, 1, 1), D(N - 1, 12, 31)),
        ],
    )
    assert set(out) == {"STARTED_N", "STARTED_N_1"}


def test_a_parameter_can_target_several_criteria(backend):
    crits = [
        Criterion("a", "ald", codes="k"),
        Criterion("b", "medical_act", codes="graft"),
        Criterion("c", "hospital_stay", codes="dialysis"),
    ]
    d = Definition(
        "t",
        {c.name: c for c in crits},
        {"any": ["a", "b", "c"]},
        {"rest": {"default": True, "target": ["b.enabled", "c.enabled"]}},
        code_lists=LISTS,
    )
    records = [
        ald("A", "N18", "41", D(2010, 1, 1)),
        act("B", "JAEA003", D(N, 1, 1)),
        stay("C", "s", "28Z04Z", D(N, 1, 1)),
    ]
    ev = events(backend, records)
    assert {r["patient_id"] for r in rows(identify(d, ev, N))} == {"A", "B", "C"}
    off = rows(identify(d.with_parameters(rest=False), ev, N))
    assert [(r["patient_id"], r["case"]) for r in off] == [("A", True)]
    assert "b" not in off[0] and "c" not in off[0]


def test_yaml_fields_and_unknown_kind(tmp_path):
    (tmp_path / "codes").mkdir()
    (tmp_path / "codes" / "k.csv").write_text("code,label\nN18,ckd\n")
    (tmp_path / "d.yaml").write_text(
        "id: t\ncriteria:\n  a: {events: ald, codes: k, start_years: [0, '-1']}\ncase: a\n"
    )
    assert load_definition(tmp_path / "d.yaml").criteria["a"].start_years == (0, -1)
    with pytest.raises(ValueError, match="events must be one of"):
        Criterion("x", "visit")
