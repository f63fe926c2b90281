"""Care traces of one chunk: background care for everyone who has care, and the traces
of the planted conditions (dispensings along treatment pathways, visits, biology, CCAM
acts, hospital drugs, ALD rows, MCO/SSR/HAD/RIM-P stays), plus the borderline cases of
the diabetes definition. Everything is drawn as column arrays, vectorised per chunk."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from snds_algos.synthetic.catalog import (
    BACKGROUND_ACTS,
    BACKGROUND_BIOLOGY,
    Catalog,
    compile_pathways,
)
from snds_algos.synthetic.conditions import Cases
from snds_algos.synthetic.config import Settings, day_of
from snds_algos.synthetic.persons import YEAR_DAYS, Persons, band_lookup
from snds_algos.synthetic.referentials import drugs, specialties
from snds_algos.synthetic.trajectories import Planted, plant_trajectories

# kinds of DCIR prestations (the detail table they have)
NONE, PHA, BIO, CAM, UCD = 0, 1, 2, 3, 4
UCD_CODES = tuple(f"34008{9300000 + 137 * i:08d}" for i in range(12))


class Columns:
    """An accumulator of column arrays appended part by part."""

    def __init__(self, *names: str) -> None:
        self.names = names
        self.parts: dict[str, list[np.ndarray]] = defaultdict(list)

    def add(self, **cols: np.ndarray | int | bool) -> None:
        """Append rows; scalars are broadcast to the length of the array columns."""
        n = max(len(v) for v in cols.values() if isinstance(v, np.ndarray))
        for name in self.names:
            value = cols[name]
            self.parts[name].append(
                np.broadcast_to(value, (n,)) if not isinstance(value, np.ndarray) else value
            )

    def arrays(self) -> dict[str, np.ndarray]:
        """The appended rows as one array per column."""
        return {
            name: (
                np.concatenate(self.parts[name])
                if self.parts[name]
                else np.array([], dtype=np.int64)
            )
            for name in self.names
        }


@dataclass
class Traces:
    """All traces of a chunk, before they become tables."""

    dcir: dict[str, np.ndarray]
    stays: dict[str, np.ndarray]
    other_stays: dict[str, np.ndarray]  # SSR / HAD / RIP
    ald: dict[str, np.ndarray]
    borderline: dict[str, np.ndarray]
    extra: dict[str, object] = field(default_factory=dict)


def poisson_days(
    rng: np.random.Generator, rate: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Poisson events at ``rate`` per year on [start, end] for each owner: (owner, day).

    Examples
    --------
    >>> owner, day = poisson_days(np.random.default_rng(0), np.array([365.25]), np.array([0]), np.array([9]))
    >>> bool(((day >= 0) & (day <= 9)).all())
    True
    """
    length = np.maximum(end - start + 1, 0)
    n = rng.poisson(np.maximum(rate, 0) * length / YEAR_DAYS)
    owner = np.repeat(np.arange(len(start)), n)
    day = start[owner] + (rng.random(owner.size) * length[owner]).astype(np.int64)
    return owner, day


def make_traces(
    settings: Settings, rng: np.random.Generator, persons: Persons, cases: Cases, cat: Catalog
) -> Traces:
    """Draw every trace of a chunk.

    Examples
    --------
    >>> from snds_algos.synthetic.config import make_settings
    >>> from snds_algos.synthetic.persons import make_persons
    >>> from snds_algos.synthetic.conditions import plant
    >>> from snds_algos.synthetic.catalog import build_catalog
    >>> s = make_settings(2000, "2019-2020", 1)
    >>> p = make_persons(s, np.random.default_rng(1), 0, 2000)
    >>> c, _ = plant(s, np.random.default_rng(2), p)
    >>> t = make_traces(s, np.random.default_rng(3), p, c, build_catalog(s))
    >>> len(t.dcir["person"]) > 10 * 2000
    True
    """
    dcir = Columns("person", "day", "prs", "spe", "kind", "detail", "qty", "ete", "protect")
    stays = Columns("person", "entry", "los", "pattern", "death", "protect")
    other = Columns("field", "person", "entry", "los", "code")
    ald = Columns("person", "start", "end", "etm", "code", "num")
    border = Columns("person", "case", "expected")
    prs = {
        c: cat.prs_nat.id(c)
        for c in ("1110", "1112", "3111", "3122", "3211", "3313", "1351", "1352", "1324", "3317")
    }
    spe = {c: cat.spe.id(c) for c in ("1", "50", "38", "24", "26")}
    start = np.full(persons.n, settings.start, dtype=np.int64)
    wend = persons.window_end(settings)
    care = ~persons.no_care
    back = settings.params["background"]
    age = persons.age_at(settings.start)
    factor_table = [[row[0], row[1], row[1]] for row in settings.params["age_factor"]]
    factor = band_lookup(factor_table, age, persons.sex) * persons.intensity * care

    def add_simple(
        owner_person: np.ndarray,
        day: np.ndarray,
        prs_id: int,
        spe_id: np.ndarray | int,
        kind: int = NONE,
        detail: np.ndarray | int = -1,
        qty: np.ndarray | int = 1,
        ete: np.ndarray | int = 0,
        protect: bool = False,
    ) -> None:
        dcir.add(
            person=owner_person,
            day=day,
            prs=np.full(len(day), prs_id),
            spe=spe_id,
            kind=kind,
            detail=detail,
            qty=qty,
            ete=ete,
            protect=protect,
        )

    # ---------------------------------------------------------------- background care
    for key, prs_code, spe_code in (
        ("gp_visits", "1110", "1"),
        ("nurse_acts", "3111", "24"),
        ("physio_acts", "3122", "26"),
    ):
        owner, day = poisson_days(rng, back[key] * factor, start, wend)
        add_simple(owner, day, prs[prs_code], spe[spe_code])
    codes, weights = specialties()
    spe_ids = np.array([cat.spe.id(c) for c in codes])
    owner, day = poisson_days(rng, back["specialist_visits"] * factor, start, wend)
    ete = np.where(rng.random(len(day)) < back["public_hospital_outpatient"], 1, 0)
    add_simple(
        owner, day, prs["1112"], spe_ids[rng.choice(len(codes), size=len(day), p=weights)], ete=ete
    )
    bio_codes = np.array([cat.bio.id(c) for c in BACKGROUND_BIOLOGY])
    bio_w = np.array(list(BACKGROUND_BIOLOGY.values()))
    owner, day = poisson_days(rng, back["biology_acts"] * factor, start, wend)
    add_simple(
        owner,
        day,
        prs["3211"],
        spe["38"],
        BIO,
        bio_codes[rng.choice(len(bio_codes), size=len(day), p=bio_w / bio_w.sum())],
    )
    act_codes = list(BACKGROUND_ACTS)
    act_w = np.array(list(BACKGROUND_ACTS.values()))
    owner, day = poisson_days(rng, back["ccam_acts"] * factor, start, wend)
    chosen = rng.choice(len(act_codes), size=len(day), p=act_w / act_w.sum())
    _add_acts(dcir, cat, prs, owner, day, np.array([cat.ccam.id(c) for c in act_codes])[chosen])
    d = drugs()
    bw = d.background_weight / d.background_weight.sum()
    owner, day = poisson_days(rng, back["dispensings"] * factor, start, wend)
    drug = rng.choice(len(bw), size=len(day), p=bw)
    pres = _standard_presentation(rng, drug)
    qty = np.where(rng.random(len(day)) < settings.params["treatment"]["double_box"], 2, 1)
    add_simple(owner, day, prs["3313"], spe["50"], PHA, pres, qty)
    owner, day = poisson_days(rng, back["mco_stays"] * factor, start, wend)
    _add_stays(stays, rng, cat, owner, day, cat.draw_patterns(rng, "background", len(day)))

    # ---------------------------------------------------------------- conditions
    profiles = settings.conditions["profiles"]
    ald_conf = settings.conditions["ald_defaults"]
    traced = cases.select(cases.traced)
    treatment: list[Planted] = []
    for k, prof in enumerate(profiles):
        c = traced.select(traced.profile == k)
        if not len(c.person):
            continue
        who = c.person
        c_start = np.maximum(c.onset, settings.start)
        c_end = wend[who]
        for code, rate in (prof.get("visits") or {}).items():
            o, day = poisson_days(rng, np.full(len(who), float(rate)), c_start, c_end)
            sid = cat.spe.id(str(code))
            add_simple(who[o], day, prs["1110"] if str(code) == "1" else prs["1112"], sid)
        for code, rate in (prof.get("biology") or {}).items():
            o, day = poisson_days(rng, np.full(len(who), float(rate)), c_start, c_end)
            add_simple(who[o], day, prs["3211"], spe["38"], BIO, cat.bio.id(code))
        for code, rate in (prof.get("acts") or {}).items():
            o, day = poisson_days(rng, np.full(len(who), float(rate)), c_start, c_end)
            _add_acts(dcir, cat, prs, who[o], day, np.full(len(day), cat.ccam.id(code)))
        if prof.get("ucd"):
            o, day = poisson_days(rng, np.full(len(who), float(prof["ucd"])), c_start, c_end)
            add_simple(
                who[o],
                day,
                prs["3317"],
                spe["50"],
                UCD,
                rng.integers(len(UCD_CODES), size=len(day)),
                rng.integers(1, 4, size=len(day)),
                ete=2,
            )
        if prof.get("stays"):
            sc = prof["stays"]
            if sc.get("per_year"):
                o, day = poisson_days(rng, np.full(len(who), float(sc["per_year"])), c_start, c_end)
                _add_stays(
                    stays, rng, cat, who[o], day, cat.draw_patterns(rng, f"profile{k}", len(day))
                )
            if sc.get("at_onset"):
                sel = (
                    (rng.random(len(who)) < sc["at_onset"])
                    & (c.event >= settings.start)
                    & (c.event <= c_end)
                )
                _add_stays(
                    stays,
                    rng,
                    cat,
                    who[sel],
                    c.event[sel],
                    cat.draw_patterns(rng, f"profile{k}", int(sel.sum())),
                    entry_is_exit=prof["kind"] == "event" and prof.get("duration_days") is not None,
                )
        if prof.get("drugs", {}).get("regimens"):
            planted = plant_trajectories(settings, rng, persons, c, c_end, prof["drugs"], cat)
            f = planted.fills
            add_simple(
                f["person"], f["day"], prs["3313"], spe["50"], PHA, f["presentation"], f["boxes"]
            )
            st = planted.stays
            stays.add(
                person=st["person"],
                entry=st["entry"],
                los=st["los"],
                pattern=st["pattern"],
                death=False,
                protect=False,
            )
            treatment.append(planted)
        elif prof.get("drugs"):
            _add_treatments(settings, rng, dcir, prs, spe, prof["drugs"], c, c_end)
        if prof.get("ald"):
            _add_ald(settings, rng, ald, ald_conf, prof["ald"], cat, c, c_end)
        for field_name in ("ssr", "had", "rip"):
            share = prof.get(field_name)
            if share:
                sel = rng.random(len(who)) < share
                entry = np.maximum(c.event[sel], settings.start) + rng.integers(
                    0, 30, size=int(sel.sum())
                )
                codes_ = prof.get(f"{field_name}_codes") or [prof["stays"]["patterns"][0]["dp"][0]]
                code_ids = np.array([cat.icd.id(x) for x in codes_])
                keep = entry <= c_end[sel]
                other.add(
                    field=np.full(int(keep.sum()), ("ssr", "had", "rip").index(field_name)),
                    person=who[sel][keep],
                    entry=entry[keep],
                    los=rng.integers(5, 40, size=int(keep.sum())),
                    code=code_ids[rng.integers(len(code_ids), size=int(keep.sum()))],
                )

    # ---------------------------------------------------------------- deaths in hospital
    dead = np.flatnonzero(persons.death_in_hospital)
    pat = cat.draw_patterns(rng, "death", len(dead))
    los = cat.frozen["los_min"][pat] + (
        rng.random(len(dead)) * (cat.frozen["los_max"][pat] - cat.frozen["los_min"][pat] + 1)
    ).astype(np.int64)
    stays.add(
        person=dead,
        entry=persons.death[dead] - los,
        los=los,
        pattern=pat,
        death=True,
        protect=False,
    )

    # ---------------------------------------------------------------- borderline cases
    _add_borderline(settings, rng, persons, cases, cat, dcir, stays, ald, border, prs, spe)

    out_dcir = dcir.arrays()
    keep = out_dcir["day"] <= wend[out_dcir["person"]]
    out_dcir = {k: v[keep] for k, v in out_dcir.items()}
    out_stays = stays.arrays()
    exit_day = out_stays["entry"] + out_stays["los"]
    ok = (exit_day <= wend[out_stays["person"]]) | out_stays["death"].astype(bool)
    ok &= out_stays["entry"] >= settings.start - 365
    out_stays = {k: v[ok] for k, v in out_stays.items()}
    out_other = other.arrays()
    ok = out_other["entry"] + out_other["los"] <= wend[out_other["person"]]
    out_other = {k: v[ok] for k, v in out_other.items()}
    return Traces(
        out_dcir,
        out_stays,
        out_other,
        ald.arrays(),
        border.arrays(),
        extra={"treatment": treatment},
    )


def _standard_presentation(rng: np.random.Generator, drug: np.ndarray) -> np.ndarray:
    d = drugs()
    counts = np.array([len(x) for x in d.standard_cip])
    first = np.array([x[0] for x in d.standard_cip])
    return first[drug] + (rng.random(len(drug)) * counts[drug]).astype(np.int64)


def _add_acts(
    dcir: Columns,
    cat: Catalog,
    prs: dict[str, int],
    person: np.ndarray,
    day: np.ndarray,
    act: np.ndarray,
) -> None:
    codes = cat.ccam.array()
    kinds = np.array([c[2:4] for c in codes]) if len(codes) else np.array([], dtype="<U2")
    prs_of = np.where(
        kinds == "QM",
        prs["1324"],
        np.where(np.isin(kinds, ["QK", "QN", "QH"]), prs["1351"], prs["1352"]),
    )
    spe_of = np.where(np.isin(kinds, ["QK", "QN", "QH"]), cat.spe.id("6"), cat.spe.id("3"))
    dcir.add(
        person=person,
        day=day,
        prs=prs_of[act],
        spe=spe_of[act],
        kind=CAM,
        detail=act,
        qty=1,
        ete=0,
        protect=False,
    )


def _add_stays(
    stays: Columns,
    rng: np.random.Generator,
    cat: Catalog,
    person: np.ndarray,
    day: np.ndarray,
    pattern: np.ndarray,
    entry_is_exit: bool = False,
    protect: bool = False,
) -> None:
    lo, hi = cat.frozen["los_min"][pattern], cat.frozen["los_max"][pattern]
    los = lo + (rng.random(len(pattern)) * (hi - lo + 1)).astype(np.int64)
    entry = day - los if entry_is_exit else day
    stays.add(person=person, entry=entry, los=los, pattern=pattern, death=False, protect=protect)


def _add_treatments(
    settings: Settings,
    rng: np.random.Generator,
    dcir: Columns,
    prs: dict[str, int],
    spe: dict[str, int],
    spec: dict,
    c: Cases,
    c_end: np.ndarray,
) -> None:
    """Dispensings along treatment pathways: persist, intensify/switch, pause, stop."""
    d = drugs()
    tconf = settings.params["treatment"]
    treated = rng.random(len(c.person)) < spec["share"]
    c = c.select(treated)
    c_end = c_end[treated]
    m = len(c.person)
    if not m:
        return
    paths = compile_pathways(spec)
    path = rng.choice(len(paths.weights), size=m, p=paths.weights)
    large = rng.random(m) < spec.get("large_pack_share", 0.0)
    interval = np.where(large, tconf["large_pack_days"], tconf["standard_pack_days"])
    t0 = c.onset + rng.integers(0, 30, size=m)
    if spec.get("before_event_days"):
        t0 = c.event - spec["before_event_days"]
    stop = np.where(
        rng.random(m) < spec.get("stop_share", 0.0),
        settings.start + (rng.random(m) * (settings.end - settings.start)).astype(np.int64),
        c_end,
    )
    w_end = np.minimum(c_end, stop)
    if spec.get("before_event_days"):
        w_end = np.minimum(w_end, c.event)
    phase = (rng.random(m) * interval).astype(np.int64)
    first = np.where(t0 >= settings.start, t0, settings.start + phase)
    n = np.where(w_end >= first, (w_end - first) // interval + 1, 0)
    row = np.repeat(np.arange(m), n)
    k = np.arange(len(row)) - np.repeat(np.cumsum(n) - n, n)
    jit = tconf["jitter_days"]
    day = first[row] + k * interval[row] + rng.integers(-jit, jit + 1, size=len(row))
    day = np.clip(day, np.maximum(first[row], settings.start), w_end[row])
    # pauses
    pause = rng.random(m) < spec.get("pause_share", 0.0)
    p0 = settings.start + (rng.random(m) * (settings.end - settings.start)).astype(np.int64)
    p1 = p0 + rng.integers(60, 181, size=m)
    keep = ~(pause[row] & (day >= p0[row]) & (day < p1[row]))
    row, day = row[keep], day[keep]
    # steps
    n_bounds = paths.steps.shape[1] - 1
    if n_bounds:
        durations = rng.exponential(spec.get("step_years", 3.0) * YEAR_DAYS, size=(m, n_bounds))
        bounds = t0[:, None] + np.cumsum(durations, axis=1)
        step = (day[:, None] >= bounds[row]).sum(axis=1)
        step = np.minimum(step, paths.n_steps[path[row]] - 1)
    else:
        step = np.zeros(len(row), dtype=np.int64)
    slots = paths.steps[path[row], step]  # (dispensing, drug slot)
    disp, slot = np.nonzero(slots >= 0)
    drug = slots[disp, slot]
    r = row[disp]
    use_large = large[r] & (d.large_cip[drug] >= 0)
    pres = np.where(use_large, d.large_cip[drug], _standard_presentation(rng, drug))
    qty = np.where(large[r] & ~use_large, interval[r] // tconf["standard_pack_days"], 1)
    qty = np.where(rng.random(len(qty)) < tconf["double_box"], qty * 2, qty)
    dcir.add(
        person=c.person[r],
        day=day[disp],
        prs=np.full(len(r), prs["3313"]),
        spe=spe["50"],
        kind=PHA,
        detail=pres,
        qty=qty,
        ete=0,
        protect=False,
    )


SENTINEL_OPEN = day_of(dt.date(2099, 12, 31))
SENTINEL_NONE = day_of(dt.date(1600, 1, 1))


def _add_ald(
    settings: Settings,
    rng: np.random.Generator,
    ald: Columns,
    defaults: dict,
    spec: dict,
    cat: Catalog,
    c: Cases,
    c_end: np.ndarray,
) -> None:
    sel = rng.random(len(c.person)) < spec["share"]
    m = int(sel.sum())
    lo, hi = defaults["delay_days"]
    start = c.onset[sel] + rng.integers(lo, hi + 1, size=m)
    keep = start <= c_end[sel]
    person, start, m = c.person[sel][keep], start[keep], int(keep.sum())
    ends = defaults["end"]
    kind = rng.choice(
        3,
        size=m,
        p=np.array([ends["2099-12-31"], ends["1600-01-01"], ends["renewal"]]) / sum(ends.values()),
    )
    years = rng.choice(defaults["renewal_years"], size=m)
    renewal = start + (years * YEAR_DAYS).astype(np.int64)
    end = np.select([kind == 0, kind == 1], [SENTINEL_OPEN, SENTINEL_NONE], renewal)
    etm_codes = list(defaults["etm_nat"])
    etm_w = np.array(list(defaults["etm_nat"].values()), dtype=float)
    etm = np.array([int(e) for e in etm_codes])[
        rng.choice(len(etm_codes), size=m, p=etm_w / etm_w.sum())
    ]
    codes = np.array([cat.icd.id(x) for x in spec["codes"]])
    ald.add(
        person=person,
        start=start,
        end=end,
        etm=etm,
        code=codes[rng.integers(len(codes), size=m)],
        num=np.full(m, int(spec.get("ald_num", 99))),
    )


BORDERLINE_CASES = (
    "two_dispensings",
    "two_with_large_pack",
    "same_day",
    "benfluorex_only",
    "ald_ended",
    "stay_two_years_before",
)


def _add_borderline(
    settings: Settings,
    rng: np.random.Generator,
    persons: Persons,
    cases: Cases,
    cat: Catalog,
    dcir: Columns,
    stays: Columns,
    ald: Columns,
    border: Columns,
    prs: dict[str, int],
    spe: dict[str, int],
) -> None:
    conf = settings.params["borderline"]
    profiles = settings.conditions["profiles"]
    diabetic_profiles = [k for k, p in enumerate(profiles) if p["condition"] == "diabetes"]
    diabetic = np.zeros(persons.n, dtype=bool)
    diabetic[cases.person[np.isin(cases.profile, diabetic_profiles)]] = True
    ref = settings.reference_year
    y0, y1 = day_of(dt.date(ref, 1, 1)), day_of(dt.date(ref, 12, 31))
    eligible = np.flatnonzero(
        ~diabetic
        & ~persons.no_care
        & (persons.death > settings.end)
        & (persons.age_at(settings.start) >= 30)
    )
    eligible = eligible[rng.permutation(len(eligible))]
    d = drugs()
    met = d.drug_id("A10BA02")
    std, big = d.standard_cip[met][0], int(d.large_cip[met])
    benf = d.standard_cip[d.drug_id("A10BX06")][0]
    pos = 0
    for case_id, case in enumerate(BORDERLINE_CASES):
        if case == "stay_two_years_before" and ref - 2 < settings.years[0]:
            continue
        count = int(rng.binomial(persons.n, conf.get(case, 0.0)))
        who = eligible[pos : pos + count]
        pos += len(who)
        m = len(who)
        if not m:
            continue
        days = np.sort(y0 + rng.integers(0, 330, size=(m, 4)), axis=1)
        days[:, 1:] += np.arange(1, 4) * 7  # distinct dates
        expected = case == "two_with_large_pack"
        border.add(person=who, case=np.full(m, case_id), expected=expected)

        def disp(day: np.ndarray, pres: int, who: np.ndarray = who) -> None:
            dcir.add(
                person=who,
                day=np.minimum(day, y1),
                prs=np.full(len(who), prs["3313"]),
                spe=spe["50"],
                kind=PHA,
                detail=pres,
                qty=1,
                ete=0,
                protect=True,
            )

        if case == "two_dispensings":
            disp(days[:, 0], std)
            disp(days[:, 1], std)
        elif case == "two_with_large_pack":
            disp(days[:, 0], big)
            disp(days[:, 1], std)
        elif case == "same_day":
            disp(days[:, 0], std)
            disp(days[:, 0], std)
            disp(days[:, 1], std)
        elif case == "benfluorex_only":
            for j in range(4):
                disp(days[:, j], benf)
        elif case == "ald_ended":
            end = day_of(dt.date(ref - 1, 1, 1)) + rng.integers(0, 365, size=m)
            ald.add(
                person=who,
                start=end - 5 * 365,
                end=end,
                etm=np.full(m, 41),
                code=np.full(m, cat.icd.id("E119")),
                num=np.full(m, 8),
            )
        elif case == "stay_two_years_before":
            entry = day_of(dt.date(ref - 2, 1, 1)) + rng.integers(0, 350, size=m)
            pattern = cat.draw_patterns(rng, "borderline", m)
            _add_stays(stays, rng, cat, who, entry, pattern, protect=True)
