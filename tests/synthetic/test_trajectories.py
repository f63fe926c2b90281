"""The treatment trajectories the generator plants (``_truth_treatment``), checked against
the generated tables (pandas): steps partition each person's treated time inside the
data span, every dispensing of a key falls in a step holding it, the planted PDC is the
dispensed supply over the treated time, gaps are placed for the pathways' rules (grace
15 days, discontinuation 60 days), death ends the trajectory."""

from __future__ import annotations

import datetime as dt

import hypothesis as hyp
import numpy as np
import pandas as pd
import pytest
from hypothesis import strategies as st

from snds_algos import events as ev
from snds_algos.synthetic import generate_tables
from snds_algos.synthetic.catalog import compile_regimens
from snds_algos.synthetic.config import make_settings
from snds_algos.synthetic.dcir import KEYS
from snds_algos.synthetic.trajectories import BEHAVIOURS, TRANSITIONS, _transitions

N = 4000
SPANS = {"2019-2020": (dt.date(2019, 1, 1), dt.date(2020, 12, 31)),
         "2018-2020": (dt.date(2018, 1, 1), dt.date(2020, 12, 31))}  # fmt: skip
DRUG_KEYS = make_settings(1, 2020, 1).conditions["drug_keys"]["antidiabetic"]


def _keys_of_atc() -> dict[str, frozenset[str]]:
    out = {atc: frozenset([k]) for k, atcs in DRUG_KEYS["keys"].items() for atc in atcs}
    for atc, members in DRUG_KEYS["combinations"].items():
        out[atc] = frozenset(members)
    return out


KEYS_OF_ATC = _keys_of_atc()


@pytest.fixture(scope="module", params=list(SPANS))
def generated(request: pytest.FixtureRequest) -> tuple[str, dict[str, pd.DataFrame]]:
    return request.param, generate_tables(N, request.param, seed=11, chunk_size=1500)


def _truth(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    t = tables["_truth_treatment"].copy()
    t["start"] = pd.to_datetime(t["start"].astype("object"))
    t["end"] = pd.to_datetime(t["end"].astype("object"))
    t["regimen"] = t["regimen"].astype(str)
    return t


def _lines(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Pharmacy lines of the antidiabetic keys from the raw tables: person (BEN_IDT_ANO),
    care date, ATC, signed boxes, large pack; information lines (DPN_QLF 71) left out."""
    prs = tables["ER_PRS_F"]
    prs = prs[prs["DPN_QLF"].astype(str) != "71"]
    pha = tables["ER_PHA_F"].merge(prs[[*KEYS, "BEN_NIR_PSA", "BEN_RNG_GEM", "EXE_SOI_DTD"]])
    ref = tables["IR_PHA_R"][["PHA_CIP_C13", "PHA_ATC_C07", "PHA_CND_TOP"]]
    pha = pha.merge(ref, left_on="PHA_PRS_C13", right_on="PHA_CIP_C13")
    pha = pha[pha["PHA_ATC_C07"].isin(list(KEYS_OF_ATC))]
    ben = tables["IR_BEN_R"][["BEN_NIR_PSA", "BEN_RNG_GEM", "BEN_IDT_ANO"]]
    pha = pha.merge(ben, on=["BEN_NIR_PSA", "BEN_RNG_GEM"])
    return pd.DataFrame(
        {
            "patient_id": pha["BEN_IDT_ANO"].astype(str),
            "date": pd.to_datetime(pha["EXE_SOI_DTD"].astype("object")),
            "atc": pha["PHA_ATC_C07"].astype(str),
            "boxes": pha["PHA_ACT_QSN"].astype(float),
            "large": pha["PHA_CND_TOP"].astype(str) == "GC",
            "dct": pha["DCT_ORD_NUM"].astype("int64"),
        }
    )


def test_truth_columns_and_values(generated) -> None:
    _, tables = generated
    t = _truth(tables)
    assert list(t.columns) == [
        "patient_id", "condition", "subtype", "step_no", "regimen", "start", "end",
        "transition", "expected_visible", "n_dispensings", "hospital_days", "planted_pdc",
        "behaviour", "end_reason",
    ]  # fmt: skip
    assert t["patient_id"].nunique() > 100
    assert set(t["transition"]) <= set(TRANSITIONS)
    assert set(t["behaviour"]) <= set(BEHAVIOURS)
    assert set(t["end_reason"]) <= {"death", "end_of_data"}
    keys = set(DRUG_KEYS["keys"])
    for regimen in set(t["regimen"]) - {"none"}:
        parts = regimen.split("+")
        assert parts == sorted(parts) and set(parts) <= keys, regimen
    # per person values are constant over the person's steps
    per = t.groupby("patient_id")[["planted_pdc", "behaviour", "end_reason"]].nunique()
    assert (per == 1).all().all()
    # the ids are the person ids of the events layer (BEN_IDT_ANO of IR_BEN_R)
    assert set(t["patient_id"]) <= set(tables["IR_BEN_R"]["BEN_IDT_ANO"].astype(str))
    # one row per (person, step); a person's rows are consecutive, by step_no (each chunk
    # is sorted by patient_id: the files are written chunk after chunk)
    assert not t.duplicated(["patient_id", "step_no"]).any()
    pid = t["patient_id"].astype(object)
    runs = pd.Series((pid != pid.shift()).to_numpy(bool).cumsum(), index=t.index)
    assert runs.groupby(t["patient_id"]).nunique().eq(1).all()
    assert (t.groupby(runs)["step_no"].diff().dropna() == 1).all()


def test_steps_partition_the_treated_time_inside_the_span(generated) -> None:
    span, tables = generated
    first, last = (pd.Timestamp(d) for d in SPANS[span])
    t = _truth(tables)
    assert (t["start"] <= t["end"]).all()
    assert (t["start"] >= first).all() and (t["end"] <= last).all()
    g = t.groupby("patient_id")
    assert (t["step_no"] == g.cumcount() + 1).all()
    nxt = g["start"].shift(-1)
    has_next = nxt.notna()
    # no overlap and no hole: each step starts the day after the previous one ends
    assert (nxt[has_next] == t.loc[has_next, "end"] + pd.Timedelta(days=1)).all()
    # equal neighbours are merged; a trajectory starts treated
    assert (g["regimen"].shift(-1)[has_next] != t.loc[has_next, "regimen"]).all()
    assert (t.loc[t["step_no"] == 1, "regimen"] != "none").all()
    assert (t.loc[t["step_no"] == 1, "transition"] == "initiation").all()


def test_death_ends_the_trajectory(generated) -> None:
    span, tables = generated
    last = pd.Timestamp(SPANS[span][1])
    t = _truth(tables)
    persons = tables["_truth_persons"].copy()
    persons["death"] = pd.to_datetime(persons["death_date"].astype("object"))
    ends = t.groupby("patient_id").agg(end=("end", "max"), reason=("end_reason", "first"))
    ends = ends.join(persons.set_index("BEN_IDT_ANO")["death"])
    dead = ends["death"].notna() & (ends["death"] <= last)
    assert dead.sum() > 0
    assert (ends.loc[dead, "end"] == ends.loc[dead, "death"]).all()
    assert (ends.loc[~dead, "end"] == last).all()
    assert ((ends["reason"] == "death") == dead).all()
    lines = _lines(tables).merge(ends[["death"]], left_on="patient_id", right_index=True)
    assert not (lines["date"] > lines["death"]).any()


def test_every_dispensing_falls_in_a_step_holding_its_key(generated) -> None:
    _, tables = generated
    t = _truth(tables)
    d = ev.drug_dispensings(tables, atc_exact=list(KEYS_OF_ATC))
    d = d[d["patient_id"].isin(set(t["patient_id"]))]
    assert len(d) > 1000
    m = d[["patient_id", "start", "value"]].merge(t, on="patient_id", suffixes=("", "_step"))
    day = pd.to_datetime(m["start"].astype("object"))
    inside = m[(day >= m["start_step"]) & (day <= m["end"])]
    # one step per dispensing
    assert len(inside) == len(d)
    holds = [
        KEYS_OF_ATC[a] <= set(r.split("+"))
        for a, r in zip(inside["value"], inside["regimen"], strict=True)
    ]
    assert all(holds)
    # the fixed-dose combination (metformin + DPP-4 inhibitor) is dispensed, counted for both
    combo = inside[inside["value"] == "A10BD07"]
    assert len(combo) > 0 and combo["regimen"].str.contains("dpp4").all()
    # n_dispensings counts the planted refill dates of each step
    per_step = inside.groupby(["patient_id", "step_no"])["start"].nunique()
    counted = t.set_index(["patient_id", "step_no"])["n_dispensings"]
    treated = t.set_index(["patient_id", "step_no"])["regimen"] != "none"
    assert (per_step <= counted.loc[per_step.index]).all()
    assert (counted[~treated] == 0).all()
    # the only A10 users outside the truth are the planted borderline cases
    others = set(ev.drug_dispensings(tables, atc=["A10"])["patient_id"]) - set(t["patient_id"])
    assert others <= set(tables["_truth_borderline"]["BEN_IDT_ANO"].astype(str))


def _recomputed_pdc(tables: dict[str, pd.DataFrame], t: pd.DataFrame) -> pd.Series:
    """Supplied key-days / treated key-days per person, at most 1 (see the user guide)."""
    lines = _lines(tables)
    n_keys = lines["atc"].map(lambda a: len(KEYS_OF_ATC[a]))
    supply = lines["boxes"] * np.where(lines["large"], 90, 30) * n_keys
    supplied = supply.groupby(lines["patient_id"]).sum()
    treated = t[t["regimen"] != "none"]
    key_days = ((treated["end"] - treated["start"]).dt.days + 1) * treated["regimen"].str.count(
        r"\+"
    ).add(1)
    treated_days = key_days.groupby(treated["patient_id"]).sum()
    return (supplied.reindex(treated_days.index, fill_value=0) / treated_days).clip(upper=1.0)


def test_planted_pdc_is_the_dispensed_supply_over_the_treated_time(generated) -> None:
    _, tables = generated
    t = _truth(tables)
    planted = t.groupby("patient_id")["planted_pdc"].first()
    again = _recomputed_pdc(tables, t).reindex(planted.index)
    # DCIR defects change the written lines after planting: a regularisation cancels a
    # dispensing (its negative line nets it out), an unknown BEN_NIR_PSA hides it (the
    # line is attributed to nobody)
    defects = tables["_truth_defects"]
    regularised = defects.loc[defects["defect"] == "regularised", "DCT_ORD_NUM"]
    lines = _lines(tables)
    touched = set(lines.loc[lines["dct"].isin(set(regularised)), "patient_id"])
    clean = ~planted.index.isin(touched)
    assert clean.sum() > 100
    assert (again[clean] <= planted[clean] + 1e-9).all()
    exact = np.isclose(again[clean], planted[clean], rtol=0, atol=1e-9)
    assert exact.mean() > 0.9
    # everyone: 0.01 on average (stated in the user guide)
    diff = (again - planted).abs()
    assert diff.mean() <= 0.01


def test_behaviours_and_their_planted_pdc(generated) -> None:
    _, tables = generated
    per = (
        _truth(tables)
        .groupby("patient_id")
        .agg(behaviour=("behaviour", "first"), pdc=("planted_pdc", "first"))
    )
    assert set(per["behaviour"]) == set(BEHAVIOURS)
    by = per.groupby("behaviour")["pdc"]
    assert by.median()["adherent"] > 0.95 and by.median()["stockpiler"] > 0.95
    assert by.median()["large_packs"] > 0.95
    assert 0.5 <= by.median()["non_adherent"] <= 0.8
    share = per["behaviour"].value_counts(normalize=True)
    assert 0.3 < share["adherent"] < 0.6 and 0.05 < share["non_adherent"] < 0.25
    # large packs: 90-day presentations (PHA_CND_TOP 'GC') where drugs.csv has one
    lines = _lines(tables).merge(per, left_on="patient_id", right_index=True)
    on_large = lines[lines["behaviour"] == "large_packs"]
    assert on_large.loc[on_large["atc"] == "A10BA02", "large"].all()
    assert not lines.loc[lines["behaviour"] != "large_packs", "large"].any()
    assert (on_large.loc[~on_large["large"] & (on_large["boxes"] > 0), "boxes"] >= 3).all()


def test_planted_transitions_and_visibility(generated) -> None:
    _, tables = generated
    t = _truth(tables)
    counts = t["transition"].value_counts()
    for kind in ("initiation", "add_on", "switch", "step_down", "interruption",
                 "resumption", "discontinuation", "restart"):  # fmt: skip
        assert counts.get(kind, 0) > 0, kind
    length = (t["end"] - t["start"]).dt.days + 1
    none = t["regimen"] == "none"
    assert length[t["transition"] == "interruption"].between(30, 45).all()
    assert (length[t["transition"] == "discontinuation"] >= 60).all()
    assert (length[t["transition"] == "censored"] < 60).all()
    # steps inside a trajectory (neither first nor last) last at least one refill (30 days)
    g = t.groupby("patient_id")["step_no"]
    inner = (t["step_no"] > 1) & (t["step_no"] < g.transform("max"))
    assert (length[inner & ~none] >= 30).all()
    visible = t["expected_visible"]
    assert (length[visible] >= 30).all() and (t.loc[visible & ~none, "n_dispensings"] > 0).all()
    assert visible.mean() > 0.8
    # MCO stays during treatment: each counted day is in a stay of the person
    assert (t["hospital_days"] > 0).sum() > 0


def _coverage_ends(lines: pd.DataFrame) -> pd.DataFrame:
    """Carry-over coverage end of each fill per (person, key): ``S_i + cummax(d_j - 1 -
    S_{j-1})`` (pathways.md, section 2), days as integers."""
    rows = []
    for key in DRUG_KEYS["keys"]:
        k = lines[lines["atc"].map(lambda a, key=key: key in KEYS_OF_ATC[a])]
        k = k.groupby(["patient_id", "date"], as_index=False).agg(
            supply=("supply", "sum")
        )  # same-day fills summed
        k = k[k["supply"] > 0].sort_values(["patient_id", "date"])
        day = (k["date"] - pd.Timestamp("1970-01-01")).dt.days
        s = k.groupby("patient_id")["supply"].cumsum()
        lead = day - 1 - (s - k["supply"])
        k["cover_end"] = s + lead.groupby(k["patient_id"]).cummax()
        k["day"] = day
        rows.append(k)
    return pd.concat(rows)


def test_gaps_are_placed_for_the_grace_and_discontinuation_rules(generated) -> None:
    _, tables = generated
    t = _truth(tables)
    lines = _lines(tables)
    # a regularisation's negative line nets out the cancelled one (same person, day, key)
    lines["supply"] = lines["boxes"] * np.where(lines["large"], 90, 30)
    cover = _coverage_ends(lines)
    first = pd.Timestamp("1970-01-01")
    gaps = t[(t["transition"].isin(["interruption", "discontinuation"])) & (t["step_no"] > 1)]
    gaps = gaps[gaps["behaviour"] != "non_adherent"]
    gaps = gaps.assign(g0=(gaps["start"] - first).dt.days, g1=(gaps["end"] - first).dt.days)
    m = cover.merge(gaps[["patient_id", "step_no", "g0", "g1", "transition"]], on="patient_id")
    before = m[m["day"] < m["g0"]].groupby(["patient_id", "step_no"])["cover_end"].max()
    after = m[m["day"] > m["g1"]].groupby(["patient_id", "step_no"])["day"].min()
    kind = gaps.set_index(["patient_id", "step_no"])["transition"]
    both = before.index.intersection(after.index)
    uncovered = after[both] - before[both] - 1
    assert len(both) > 5
    inter = kind[both] == "interruption"
    # uncovered days: above the grace of 15 days, below 60 for an interruption
    assert (uncovered[inter] > 15).all() and (uncovered[inter] < 60).all()
    assert (uncovered[~inter] >= 60).all()


def test_transition_rules_on_hand_made_steps() -> None:
    person = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1])
    mask = np.array([1, 3, 0, 2, 0, 2, 4, 0, 4])
    start = np.array([0, 100, 200, 240, 400, 500, 0, 50, 60])
    end = np.array([99, 199, 239, 399, 499, 600, 49, 59, 70])
    types, step_no = _transitions(person, mask, start, end)
    assert [TRANSITIONS[i] for i in types] == [
        "initiation", "add_on", "interruption", "switch", "discontinuation", "restart",
        "initiation", "interruption", "resumption",
    ]  # fmt: skip
    assert step_no.tolist() == [1, 2, 3, 4, 5, 6, 1, 2, 3]
    types, _ = _transitions(np.array([0, 0, 0]), np.array([3, 1, 0]), np.array([0, 40, 80]),
                            np.array([39, 79, 100]))  # fmt: skip
    assert [TRANSITIONS[i] for i in types] == ["initiation", "step_down", "censored"]


def test_regimen_sections_are_checked() -> None:
    keys = {"a": {"keys": {"metformin": ["A10BA02"]}}}
    with pytest.raises(KeyError, match=r"\[.x.\] are not in drug_keys"):
        compile_regimens({"keys": "a", "trajectories": [{"weight": 1, "steps": [["x"]]}]}, keys)
    with pytest.raises(KeyError, match="'b' is not in drug_keys"):
        compile_regimens({"keys": "b", "trajectories": []}, keys)
    with pytest.raises(ValueError, match="consecutive steps are equal"):
        compile_regimens(
            {"keys": "a", "trajectories": [{"weight": 1, "steps": [["metformin"], ["metformin"]]}]},
            keys,
        )


@hyp.settings(max_examples=12, deadline=None)
@hyp.given(
    seed=st.integers(0, 10_000),
    first_year=st.integers(2015, 2021),
    n_years=st.integers(1, 3),
    share=st.sampled_from([0.0, 0.5, 1.0]),
    restart=st.sampled_from([0.0, 1.0]),
)
def test_property_timelines_hold_under_any_mix_of_events(
    seed: int, first_year: int, n_years: int, share: float, restart: float
) -> None:
    from snds_algos.synthetic.catalog import build_catalog
    from snds_algos.synthetic.conditions import drop_after_death, plant
    from snds_algos.synthetic.persons import draw_deaths, make_persons
    from snds_algos.synthetic.referentials import drugs
    from snds_algos.synthetic.trajectories import plant_trajectories

    years = f"{first_year}-{first_year + n_years - 1}"
    overrides = {
        "trajectories": {
            "interruption_share": share,
            "discontinuation_share": share,
            "hospital_share": share,
            "restart_share": restart,
            "double_box": share,
        }
    }
    s = make_settings(3000, years, seed, overrides)
    rng = np.random.default_rng(seed)
    p = make_persons(s, rng, 0, 3000)
    cases, mult = plant(s, rng, p)
    draw_deaths(s, rng, p, mult)
    cases = drop_after_death(cases, p)
    k = next(i for i, x in enumerate(s.conditions["profiles"]) if x.get("subtype") == "type2")
    c = cases.select(cases.traced & (cases.profile == k))
    spec = s.conditions["profiles"][k]["drugs"]
    out = plant_trajectories(s, rng, p, c, p.window_end(s)[c.person], spec, build_catalog(s))
    t = pd.DataFrame(out.truth)
    if t.empty:
        return
    w_end = p.window_end(s)
    # steps partition [first treated day, end of data or death]
    assert (t["start"] <= t["end"]).all() and (t["start"] >= s.start).all()
    g = t.groupby("person")
    nxt = g["start"].shift(-1)
    assert (nxt.dropna() == t.loc[nxt.notna(), "end"] + 1).all()
    assert (
        g["end"].max() == pd.Series(w_end[g["end"].max().index], index=g["end"].max().index)
    ).all()
    assert (g["mask"].first() != 0).all()
    # every refill inside a step holding the keys of its drug
    reg = compile_regimens(spec["regimens"], s.conditions["drug_keys"])
    f = pd.DataFrame(out.fills)
    drug = drugs().presentation_drug[f["presentation"]]
    f["need"] = [reg.drug_mask[int(x)] for x in drug]
    m = f.merge(t[["person", "start", "end", "mask"]], on="person")
    m = m[(m["day"] >= m["start"]) & (m["day"] <= m["end"])]
    assert len(m) == len(f)
    assert ((m["mask"] & m["need"]) == m["need"]).all()
    # no refill during a planted stay (days entry .. exit - 1), stays in treated steps
    stays = pd.DataFrame(out.stays)
    during = f.merge(stays, on="person")
    assert not (
        (during["day"] >= during["entry"]) & (during["day"] < during["entry"] + during["los"])
    ).any()
    assert t["hospital_days"].sum() == stays["los"].sum()
    assert (t.loc[t["hospital_days"] > 0, "mask"] != 0).all()
    # the transitions follow the rules of pathways.md from the planted steps
    types = [TRANSITIONS[i] for i in t["transition"]]
    assert set(types) <= set(TRANSITIONS)
    if share == 0.0:
        assert not {"interruption", "discontinuation", "restart", "resumption"} & set(types)
    if restart == 0.0:
        assert "restart" not in types
