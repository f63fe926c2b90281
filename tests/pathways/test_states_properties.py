"""Property tests (hypothesis) on random periods: states partition the follow-up, the
elementary cut matches a day-by-day count, transitions happen only at state changes,
lines never overlap; every backend gives the rows of pandas."""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snds_algos.contracts.dtypes import date_series
from snds_algos.pathways import lines_of_therapy, transitions, treatment_states
from tests.helpers import rows

BASE = dt.date(2020, 1, 1)
KEYS = ["A", "B", "C"]
EXAMPLES = {"pandas": 25, "duckdb": 25, "spark": 3}


@st.composite
def cohorts(draw):
    """Random periods of up to 12 persons (keys A, B, C over 200 days) and a follow-up."""
    n = draw(st.integers(1, 12))
    records, fu = [], []
    for i in range(n):
        pid = f"P{i:02d}"
        for _ in range(draw(st.integers(0, 5))):
            start = draw(st.integers(0, 200))
            length = draw(st.integers(1, 90))
            records.append((pid, draw(st.sampled_from(KEYS)), start, start + length - 1))
        fs = draw(st.integers(0, 60))
        fe = fs + draw(st.integers(0, 250))
        fu.append((pid, fs, fe, draw(st.sampled_from(["death", "end_of_data", "cohort_exit"]))))
    return records, fu


def frames(records, fu):
    day = lambda n: BASE + dt.timedelta(days=n)  # noqa: E731
    periods = pd.DataFrame({
        "patient_id": pd.array([r[0] for r in records], dtype="string[pyarrow]"),
        "key": pd.array([r[1] for r in records], dtype="string[pyarrow]"),
        "start": date_series([day(r[2]) for r in records]),
        "end": date_series([day(r[3]) for r in records]),
    })  # fmt: skip
    follow = pd.DataFrame({
        "patient_id": pd.array([f[0] for f in fu], dtype="string[pyarrow]"),
        "fu_start": date_series([day(f[1]) for f in fu]),
        "fu_end": date_series([day(f[2]) for f in fu]),
        "end_reason": pd.array([f[3] for f in fu], dtype="string[pyarrow]"),
    })  # fmt: skip
    return periods, follow


def check(backend, body):
    run = settings(max_examples=EXAMPLES[backend.name], deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture,
                                          HealthCheck.too_slow])(given(cohorts())(body))  # fmt: skip
    run()


def test_states_partition_the_follow_up_and_match_pandas(backend):
    def body(data):
        records, fu = data
        periods, follow = frames(records, fu)
        out = treatment_states(backend.frame(periods), backend.frame(follow))
        got = rows(out, ["patient_id", "start"])
        assert got == rows(treatment_states(periods, follow), ["patient_id", "start"])
        by_person: dict[str, list[dict]] = {}
        for r in got:
            by_person.setdefault(r["patient_id"], []).append(r)
        assert set(by_person) == {f[0] for f in fu}
        for pid, fs, fe, reason in fu:
            mine = by_person[pid]
            assert mine[0]["start"] == BASE + dt.timedelta(days=fs)
            assert mine[-1]["end"] == BASE + dt.timedelta(days=fe)
            assert sum(r["length_days"] for r in mine) == fe - fs + 1
            for a, b in itertools.pairwise(mine):
                assert b["start"] == a["end"] + dt.timedelta(days=1)  # no gap, no overlap
                assert a["state"] != b["state"]  # maximal runs
                assert a["end_reason"] is None
            assert [r["state_no"] for r in mine] == list(range(1, len(mine) + 1))
            assert mine[-1]["end_reason"] == reason
            for r in mine:
                assert (r["end"] - r["start"]).days + 1 == r["length_days"] >= 1

    check(backend, body)


def test_elementary_cut_matches_a_day_by_day_count(backend):
    def body(data):
        records, fu = data
        periods, follow = frames(records, fu)
        out = treatment_states(
            backend.frame(periods), backend.frame(follow), combination_min_days=1
        )
        got = rows(out, ["patient_id", "start"])
        for pid, fs, fe, _ in fu:
            expected = []
            for d in range(fs, fe + 1):
                keys = sorted({r[1] for r in records if r[0] == pid and r[2] <= d <= r[3]})
                expected.append("+".join(keys) or "none")
            days = []
            for r in got:
                if r["patient_id"] == pid:
                    days += [r["state"]] * r["length_days"]
            assert days == expected

    check(backend, body)


def test_transitions_only_at_state_changes_and_match_pandas(backend):
    def body(data):
        records, fu = data
        periods, follow = frames(records, fu)
        states = treatment_states(backend.frame(periods), backend.frame(follow))
        out = rows(transitions(states), ["patient_id", "transition_no"])
        pandas_states = treatment_states(periods, follow)
        assert out == rows(transitions(pandas_states), ["patient_id", "transition_no"])
        starts = {(r["patient_id"], r["start"]): r for r in rows(pandas_states)}
        for r in out:
            if r["to_state"] is None:  # the end row
                assert r["type"] in ("death", "end_of_data", "cohort_exit")
                continue
            state = starts[(r["patient_id"], r["date"])]  # a change is dated on a state start
            assert state["state"] == r["to_state"]
            assert r["from_state"] != r["to_state"]
        n_states = len(starts)
        treated_first = sum(
            1 for r in rows(pandas_states) if r["state_no"] == 1 and r["state"] != "none"
        )
        assert len(out) == n_states - len(fu) + treated_first + len(fu)

    check(backend, body)


def test_lines_do_not_overlap_and_match_pandas(backend):
    def body(data):
        records, fu = data
        periods, follow = frames(records, fu)
        out = rows(lines_of_therapy(backend.frame(periods), backend.frame(follow)),
                   ["patient_id", "line_no"])  # fmt: skip
        assert out == rows(lines_of_therapy(periods, follow), ["patient_id", "line_no"])
        last: dict[str, dict] = {}
        for r in out:
            assert r["start"] <= r["end"]
            prev = last.get(r["patient_id"])
            if prev is not None:
                assert r["line_no"] == prev["line_no"] + 1
                assert r["start"] > prev["end"]
            last[r["patient_id"]] = r

    check(backend, body)
