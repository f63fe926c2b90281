"""Property tests on random dispensings: invariants of periods and PDC (pandas), and every
backend equal to pandas on the same random persons.

One hypothesis example is one frame of many random persons (so that Spark runs one job
per example, not one per person); few examples on Spark, 25 elsewhere.
"""

from __future__ import annotations

import datetime as dt
import itertools

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from snds_algos.pathways import coverage_runs, exposure_periods, pdc
from tests.helpers import assert_same_rows, rows
from tests.pathways import dispensings, follow_up, stays

BASE = dt.date(2020, 1, 1)
KEYS = ("A10BA02", "A10BH01")
PERIOD_ORDER = ["patient_id", "key", "start"]


def day(offset: int) -> dt.date:
    return BASE + dt.timedelta(days=offset)


fill = st.tuples(
    st.integers(0, 300),  # day
    st.sampled_from(KEYS),
    st.sampled_from([1.0, 1.0, 2.0, 3.0, 12.0]),  # boxes (12: capped)
    st.booleans(),  # large pack
)
person = st.fixed_dictionaries(
    {
        "fills": st.lists(fill, min_size=1, max_size=8),
        "stays": st.lists(st.tuples(st.integers(-20, 300), st.integers(0, 25)), max_size=2),
        "fu": st.tuples(st.integers(-30, 150), st.integers(0, 400)),
    }
)
population = st.lists(person, min_size=5, max_size=25)


def frames(people: list[dict]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    items, hosp, fus = [], [], []
    for i, p in enumerate(people):
        pid = f"P{i:03d}"
        items += [(pid, day(d), k, b, large) for d, k, b, large in p["fills"]]
        hosp += [(pid, day(a).isoformat(), day(a + n).isoformat()) for a, n in p["stays"]]
        start, length = p["fu"]
        fus.append((pid, day(start).isoformat(), day(start + length).isoformat()))
    if not hosp:
        hosp = [("NOBODY", "2020-01-01", "2020-01-02")]
    return dispensings(*items), stays(*hosp), follow_up(*fus)


def spells(frame) -> dict:
    out: dict = {}
    for r in rows(frame, PERIOD_ORDER):
        out.setdefault((r["patient_id"], r["key"]), []).append(r)
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(population, st.integers(0, 30), st.integers(0, 30))
def test_invariants_on_random_dispensings(people, grace_a, grace_b):
    d, _, _ = frames(people)
    small, large = sorted((grace_a, grace_b))
    for strategy in ("carryover", "no_stockpile"):
        few = exposure_periods(d, strategy=strategy, grace_days=large)
        many = exposure_periods(d, strategy=strategy, grace_days=small)
        # covered days <= supplied days; gap = length - covered >= 0
        assert (few["covered_days"] <= few["supplied_days"]).all()
        assert (few["gap_days"] >= 0).all()
        if strategy == "carryover":  # carry-over loses no supply
            assert (few["covered_days"] == few["supplied_days"]).all()
        # periods never overlap within a key, and numbers run from 1
        for spell in spells(few).values():
            assert [p["period_no"] for p in spell] == list(range(1, len(spell) + 1))
            for a, b in itertools.pairwise(spell):
                assert b["start"] > a["end"] + dt.timedelta(days=large)
        # more grace never gives more periods
        assert len(few) <= len(many)
        counts_few = few.groupby(["patient_id", "key"]).size()
        counts_many = many.groupby(["patient_id", "key"]).size()
        assert (counts_few <= counts_many.reindex(counts_few.index)).all()
        # the covered days of a period are the sum of its runs
        runs = coverage_runs(d, strategy=strategy, grace_days=large)
        total = runs.groupby(["patient_id", "key", "period_no"])["covered_days"].sum()
        assert (
            total.tolist()
            == few.set_index(["patient_id", "key", "period_no"])["covered_days"].tolist()
        )
    out = pdc(d, window=("2020-01-01", "2020-12-31"), min_dispensings=1)
    values = out["pdc"].dropna()
    assert ((values >= 0) & (values <= 1)).all()
    grouped = pdc(
        d, window=("2020-01-01", "2020-12-31"), groups={"class": list(KEYS)}, min_dispensings=1
    )
    assert ((grouped["pdc"] >= 0) & (grouped["pdc"] <= 1)).all()


def test_every_backend_equals_pandas_on_random_persons(backend):
    examples = 3 if backend.name == "spark" else 25

    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(population, st.integers(0, 30))
    def check(people, grace):
        d, s, fu = frames(people)
        native_d, native_s, native_fu = backend.frame(d), backend.frame(s), backend.frame(fu)
        cases = [
            {"grace_days": grace},
            {"strategy": "no_stockpile", "grace_days": grace, "follow_up": "fu"},
            {"strategy": "scalpel3", "grace_days": grace},
            {"grace_days": grace, "hospital_mode": "pause", "stays": "stays", "follow_up": "fu"},
        ]
        for case in cases:

            def args(native_stays, native_follow_up, case=case):
                kw = dict(case)
                if "stays" in kw:
                    kw["stays"] = native_stays
                if "follow_up" in kw:
                    kw["follow_up"] = native_follow_up
                return kw

            got = exposure_periods(native_d, **args(native_s, native_fu))
            want = exposure_periods(d, **args(s, fu))
            assert_same_rows(backend.collect(got), want, PERIOD_ORDER)
        window = ("2020-01-01", "2020-12-31")
        got = pdc(
            native_d,
            window=window,
            groups={"class": list(KEYS)},
            hospital_mode="censor",
            stays=native_s,
        )
        want = pdc(d, window=window, groups={"class": list(KEYS)}, hospital_mode="censor", stays=s)
        assert_same_rows(backend.collect(got), want, ["patient_id", "key"])

    check()
