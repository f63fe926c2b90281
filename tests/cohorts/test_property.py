"""Random events and definitions: every backend equals pandas, and the invariants hold
(the attrition adds up, the last step is the cohort, no overlapping rows, every exit on
or after its index and inside observation)."""

from __future__ import annotations

import datetime as dt
import os

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snds_algos.cohorts import build_cohort, definition_from_dict
from tests.cohorts.builders import CODES, CRITERIA, events, patients

START, END = dt.date(2015, 1, 1), dt.date(2020, 12, 31)
SPAN = (END - START).days
CODE_POOL = ["A10BA02", "A10AB01", "A10BB01", "E11", "I21"]


@st.composite
def worlds(draw):
    n = draw(st.integers(5, 25))
    ev = []
    pts = []
    for i in range(n):
        pid = f"P{i:02d}"
        for _ in range(draw(st.integers(0, 6))):
            code = draw(st.sampled_from(CODE_POOL))
            day = draw(st.integers(-30, SPAN + 30))
            start = START + dt.timedelta(days=day)
            end = start + dt.timedelta(days=draw(st.integers(0, 10))) if code[0] in "EI" else None
            ev.append((pid, code, start.isoformat(), end and end.isoformat()))
        if draw(st.integers(0, 9)) > 0:  # some persons have no patients row
            birth = dt.date(draw(st.integers(1940, 2019)), draw(st.integers(1, 12)), 1)
            death = None
            if draw(st.booleans()):
                death = (START + dt.timedelta(days=draw(st.integers(-100, SPAN + 100)))).isoformat()
            pts.append((pid, draw(st.sampled_from(["1", "2", None])), birth.isoformat(), death))
    ev.append(("P00", "A10BA02", "2016-06-01", None))
    spec = {
        "id": "random",
        "criteria": CRITERIA,
        "entry": {
            "any": draw(st.sampled_from([["metformin"], ["metformin", "insulin"]])),
            "first_ever": draw(st.booleans()),
            "prior_observation_days": draw(st.sampled_from([0, 30, 365])),
            "limit": draw(st.sampled_from(["first", "last", "all"])),
        },
        "inclusion": draw(
            st.lists(
                st.sampled_from(
                    [
                        {"name": "t2d", "criterion": "t2d", "window": [-365, 0], "min": 1},
                        {
                            "name": "no insulin",
                            "criterion": "insulin",
                            "window": [None, -1],
                            "max": 0,
                        },
                        {
                            "name": "a10 dates",
                            "criterion": "a10",
                            "window": [-400, 0],
                            "min": 2,
                            "distinct": "dates",
                        },
                        {
                            "name": "stay overlap",
                            "criterion": "t2d",
                            "window": [-30, -1],
                            "min": 1,
                            "match": "overlap",
                        },
                        {"name": "adult", "age_at_index": [18, None]},
                        {"name": "women", "sex": "female"},
                    ]
                ),
                max_size=3,
                unique_by=lambda r: r["name"],
            )
        ),
        "limit_after_inclusion": draw(st.sampled_from(["first", "last", "all"])),
        "exit": {
            "outcome": draw(st.sampled_from([None, "mi"])),
            "censor": draw(st.sampled_from([[], ["insulin"]])),
            "max_follow_up_days": draw(st.sampled_from([None, 1, 31, 365])),
        },
        "era_pad_days": draw(st.sampled_from([0, 1, 2, 30])),
        "study": {"no_care_days": draw(st.sampled_from([None, 180]))},
    }
    return spec, events(*ev), patients(*pts) if pts else patients()


def _plain_rows(frame):
    cols = ["patient_id", "index_date", "exit_date", "exit_reason", "entry_value", "duration_days"]
    out = frame[cols].astype(object).where(frame[cols].notna(), None)
    return sorted(map(tuple, out.values.tolist()))


def _check_invariants(cohort, frame, pts, spec):
    att = cohort.attrition
    assert (att["n_persons"].diff().fillna(0) == -att["excluded_persons"]).all()
    assert (att["n_records"].diff().fillna(0) == -att["excluded_records"]).all()
    assert (att["excluded_persons"].iloc[1:] >= 0).all() and (
        att["excluded_records"].iloc[1:] >= 0
    ).all()
    assert att["n_persons"].iloc[-1] == frame["patient_id"].nunique()
    assert att["n_records"].iloc[-1] == len(frame)
    if len(frame):
        f = frame.sort_values(["patient_id", "index_date"])
        assert (f["exit_date"] >= f["index_date"]).all()
        assert (f["duration_days"] >= 1).all()
        prev = f.groupby("patient_id")["exit_date"].shift(1)
        assert not (prev.notna() & (f["index_date"] <= prev)).any(), "overlapping rows"
        known = pts.set_index("patient_id")
        for row in f.itertuples():
            assert row.index_date >= START and row.exit_date <= END
            death = known["death_date"].get(row.patient_id)
            if death is not None and not pd.isna(death):
                assert row.exit_date <= death
            birth = known["birth_date"].get(row.patient_id)
            assert birth is not None and row.index_date >= birth


def _build(backend, spec, ev, pts):
    return build_cohort(
        definition_from_dict(spec, CODES),
        events=backend.frame(ev),
        patients=backend.frame(pts),
        data_start=START,
        data_end=END,
    )


@settings(
    max_examples=int(os.environ.get("COHORT_PROPERTY_EXAMPLES", "5")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(world=worlds())
def test_random_definitions_agree_with_pandas_and_add_up(backend, world):
    spec, ev, pts = world
    # on pandas the reference is built through the fixture itself (its frames are pandas)
    reference = _build(backend if backend.name == "pandas" else _Pandas(), spec, ev, pts)
    ref_rows = reference.rows
    _check_invariants(reference, ref_rows, pts, spec)
    if backend.name == "pandas":
        return
    cohort = _build(backend, spec, ev, pts)
    got = backend.collect(cohort.rows)
    assert _plain_rows(got) == _plain_rows(ref_rows)
    pd.testing.assert_frame_equal(cohort.attrition, reference.attrition)
    pd.testing.assert_frame_equal(cohort.rule_stats, reference.rule_stats)


class _Pandas:
    name = "pandas"

    def frame(self, data):
        return data.copy()
