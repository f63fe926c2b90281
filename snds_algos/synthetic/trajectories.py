"""Treatment trajectories of the treated cases of a profile whose ``drugs`` section declares
``regimens``: a timeline of regimen steps per person (sets of drug keys), interruptions,
discontinuations and restarts, a dispensing behaviour, hospital stays during treatment,
and the dispensings that follow; the planted steps are the truth ``_truth_treatment``.

Everything is drawn as column arrays for all persons of a chunk at once (no loop over
persons). Days are integers (days since 1970); every interval is inclusive.

How a timeline is built (the user guide, "Treatment trajectories", says why):

1. On a *nominal* clock without gaps, the steps of the person's trajectory follow each
   other; each lasts a whole number of refill intervals (30 or 90 days), so that an
   adherent person's supply ends where the step ends. The last step lasts to the end.
2. Events at nominal days insert time: an interruption or a discontinuation inserts a
   ``none`` step of its length (a discontinuation without restart: to the end), a
   hospital stay inserts its days into the current step (refills resume after discharge).
3. The real date of a nominal day is the day plus the time inserted by the events on or
   before it; steps are clipped to the data span and death, equal neighbours merged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from snds_algos.synthetic.catalog import Catalog, Regimens, compile_regimens
from snds_algos.synthetic.conditions import Cases
from snds_algos.synthetic.config import Settings
from snds_algos.synthetic.persons import Persons
from snds_algos.synthetic.referentials import drugs

BEHAVIOURS = ("adherent", "stockpiler", "large_packs", "non_adherent")
ADHERENT, STOCKPILER, LARGE_PACKS, NON_ADHERENT = range(4)
TRANSITIONS = (
    "initiation",
    "add_on",
    "step_down",
    "switch",
    "interruption",
    "resumption",
    "discontinuation",
    "restart",
    "censored",
)
END_REASONS = ("end_of_data", "death")
#: pathways' defaults the planted steps are made recoverable for (pathways.md)
COMBINATION_MIN_DAYS = 30
DISCONTINUATION_GAP_DAYS = 60
#: a length far beyond any data span (a last step, a discontinuation without restart)
FOREVER = 1_000_000
_NO_EVENT = 10 * FOREVER


@dataclass
class Planted:
    """What the trajectories of one profile add to a chunk: dispensing lines, MCO stays
    and the truth rows (one per planted step)."""

    fills: dict[str, np.ndarray]  # person, day, presentation, boxes
    stays: dict[str, np.ndarray]  # person, entry, los, pattern
    truth: dict[str, np.ndarray]  # person, step_no, mask, start, end, transition, ...
    names: np.ndarray  # mask -> regimen name


def trajectory_settings(settings: Settings, spec: dict) -> dict:
    """The ``trajectories`` defaults of ``config.yaml`` updated by a profile's ``regimens``.

    Examples
    --------
    >>> from snds_algos.synthetic.config import make_settings
    >>> s = make_settings(10, 2020, 1)
    >>> trajectory_settings(s, {"interruption_share": 0.5})["interruption_share"]
    0.5
    """
    conf = dict(settings.params["trajectories"])
    conf.update({k: v for k, v in spec.items() if k not in ("keys", "trajectories")})
    return conf


def _uniform_int(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """One integer drawn uniformly in ``[lo, hi]`` per row (``lo`` where ``hi < lo``)."""
    width = np.maximum(hi - lo + 1, 1)
    return lo + (rng.random(len(lo)) * width).astype(np.int64)


def plant_trajectories(
    settings: Settings,
    rng: np.random.Generator,
    persons: Persons,
    cases: Cases,
    w_end: np.ndarray,
    spec: dict,
    cat: Catalog,
) -> Planted:
    """Trajectories, dispensings, stays and truth of the treated ``cases`` of one profile.

    ``cases`` are the traced cases of the profile, ``w_end`` their last day with care
    (end of data or death), ``spec`` the profile's ``drugs`` section.

    Examples
    --------
    >>> from snds_algos.synthetic.catalog import build_catalog
    >>> from snds_algos.synthetic.conditions import plant
    >>> from snds_algos.synthetic.config import make_settings
    >>> from snds_algos.synthetic.persons import make_persons
    >>> s = make_settings(3000, "2019-2020", 1)
    >>> p = make_persons(s, np.random.default_rng(1), 0, 3000)
    >>> c, _ = plant(s, np.random.default_rng(2), p)
    >>> k = [i for i, x in enumerate(s.conditions["profiles"]) if x.get("subtype") == "type2"][0]
    >>> c = c.select(c.traced & (c.profile == k))
    >>> spec = s.conditions["profiles"][k]["drugs"]
    >>> out = plant_trajectories(s, np.random.default_rng(3), p, c, p.window_end(s)[c.person],
    ...                          spec, build_catalog(s))
    >>> bool((out.truth["start"] <= out.truth["end"]).all()) and len(out.fills["day"]) > 100
    True
    """
    reg = compile_regimens(spec["regimens"], settings.conditions["drug_keys"])
    conf = trajectory_settings(settings, spec["regimens"])
    tconf = settings.params["treatment"]
    treated = rng.random(len(cases.person)) < spec["share"]
    c = cases.select(treated)
    w_end = np.asarray(w_end)[treated].astype(np.int64)
    m = len(c.person)
    start = settings.start
    ar = np.arange(m)

    # ------------------------------------------------------------ behaviour, trajectory
    shares = np.array([float(conf["behaviour"].get(b, 0.0)) for b in BEHAVIOURS])
    behaviour = rng.choice(len(BEHAVIOURS), size=m, p=shares / shares.sum())
    interval = np.where(
        behaviour == LARGE_PACKS, tconf["large_pack_days"], tconf["standard_pack_days"]
    ).astype(np.int64)
    lo, hi = conf["non_adherent_pdc"]
    target = np.where(behaviour == NON_ADHERENT, lo + rng.random(m) * (hi - lo), 1.0)
    traj = rng.choice(len(reg.weights), size=m, p=reg.weights)
    n_steps = reg.n_steps[traj]
    masks = reg.masks[traj]
    width = masks.shape[1]
    col = np.arange(width)[None, :]
    length = np.maximum(
        conf["min_step_days"], rng.exponential(conf["step_mean_days"], size=(m, width))
    )
    dur = np.ceil(length / interval[:, None]).astype(np.int64) * interval[:, None]
    dur[col >= (n_steps - 1)[:, None]] = FOREVER
    before = np.concatenate([np.zeros((m, 1), np.int64), np.cumsum(dur, axis=1)[:, :-1]], axis=1)
    t0 = c.onset + rng.integers(0, 30, size=m)
    prevalent = t0 < start
    # prevalent cases are on any step of their trajectory at the start of the data
    j0 = np.where(prevalent, (rng.random(m) * n_steps).astype(np.int64), 0)
    elapsed = (rng.random(m) * np.minimum(dur[ar, j0], 2 * conf["step_mean_days"])).astype(np.int64)
    anchor = np.where(prevalent, start - elapsed - before[ar, j0], t0)
    step_start = anchor[:, None] + before  # nominal clock
    step_end = step_start + dur - 1
    first_day = np.maximum(anchor, start)

    # ------------------------------------------------------------ events (nominal days)
    ev_lo = first_day + 30
    ev_hi = w_end - 30
    possible = ev_hi >= ev_lo

    def on_grid(day: np.ndarray) -> np.ndarray:
        """The first refill day of the person's step schedule on or after ``day``."""
        j = (day[:, None] >= step_start).sum(axis=1) - 1
        s0 = step_start[ar, j]
        return s0 + -((s0 - day) // interval) * interval

    def drawn(share: float) -> np.ndarray:
        return possible & (rng.random(m) < share)

    has_int = drawn(conf["interruption_share"])
    g_int = on_grid(_uniform_int(rng, ev_lo, ev_hi))
    a, b = conf["interruption_days"]
    l_int = rng.integers(a, b + 1, size=m)
    has_dis = drawn(conf["discontinuation_share"])
    g_dis = on_grid(_uniform_int(rng, ev_lo, ev_hi))
    g_dis = np.where(has_int & (g_dis == g_int), g_dis + interval, g_dis)
    a, b = conf["discontinuation_days"]
    restart = rng.random(m) < conf["restart_share"]
    l_dis = np.where(restart, rng.integers(a, b + 1, size=m), FOREVER)
    has_hosp = drawn(conf["hospital_share"])
    h = _uniform_int(rng, ev_lo, ev_hi)
    for _ in range(2):
        h = h + ((has_int & (h == g_int)) | (has_dis & (h == g_dis)))
    pattern = cat.draw_patterns(rng, "background", m)
    p_lo, p_hi = cat.frozen["los_min"][pattern], cat.frozen["los_max"][pattern]
    los = _uniform_int(rng, p_lo, p_hi)
    has_hosp &= los > 0
    ev_pos = np.stack(
        [
            np.where(has_int, g_int, _NO_EVENT),
            np.where(has_dis, g_dis, _NO_EVENT),
            np.where(has_hosp, h, _NO_EVENT),
        ],
        axis=1,
    )
    ev_shift = np.stack([l_int, l_dis, los], axis=1) * (ev_pos < _NO_EVENT)
    ev_hospital = np.array([False, False, True])

    def real(day: np.ndarray, who: np.ndarray, strict: bool = False) -> np.ndarray:
        """Real date of nominal ``day`` of person ``who`` (events on or before it)."""
        pos = ev_pos[who]
        hit = pos < day[:, None] if strict else pos <= day[:, None]
        return day + (ev_shift[who] * hit).sum(axis=1)

    # ------------------------------------------------------------ planted steps
    sp, sj = np.nonzero(col < n_steps[:, None])
    ep, ek = np.nonzero(ev_pos < _NO_EVENT)
    rec_person = np.concatenate([sp, ep])
    rec_pos = np.concatenate([step_start[sp, sj], ev_pos[ep, ek]])
    rec_event = np.concatenate([np.zeros(len(sp), bool), np.ones(len(ep), bool)])
    rec_mask = np.concatenate([masks[sp, sj], np.zeros(len(ep), np.int64)])
    rec_shift = np.concatenate([np.zeros(len(sp), np.int64), ev_shift[ep, ek]])
    rec_hosp = np.concatenate([np.zeros(len(sp), bool), ev_hospital[ek]])
    order = np.lexsort((rec_event, rec_pos, rec_person))
    rec_person, rec_pos, rec_event = rec_person[order], rec_pos[order], rec_event[order]
    rec_mask, rec_shift, rec_hosp = rec_mask[order], rec_shift[order], rec_hosp[order]
    n_rec = len(rec_person)
    # an event is inside the step of the last step record before it (each person's first
    # record is a step: events come at least 30 days after the first treated day)
    last_step = np.maximum.accumulate(np.where(~rec_event, np.arange(n_rec), 0))
    in_mask = rec_mask[last_step]
    first_rec = np.r_[True, rec_person[1:] != rec_person[:-1]] if n_rec else np.zeros(0, bool)
    cum = np.cumsum(rec_shift)
    offset = np.maximum.accumulate(np.where(first_rec, np.arange(n_rec), 0))
    cs_incl = cum - (cum[offset] - rec_shift[offset])
    cs_excl = cs_incl - rec_shift
    last_rec = np.r_[rec_person[1:] != rec_person[:-1], True] if n_rec else np.zeros(0, bool)
    nxt = np.r_[rec_pos[1:], 0] if n_rec else np.zeros(0, np.int64)
    piece_end = np.where(last_rec, rec_pos + 2 * FOREVER, nxt - 1)
    gap = rec_event
    row_person = np.concatenate([rec_person, rec_person[gap]])
    row_start = np.concatenate([rec_pos + cs_incl, (rec_pos + cs_excl)[gap]])
    row_end = np.concatenate([piece_end + cs_incl, (rec_pos + cs_excl + rec_shift - 1)[gap]])
    row_mask = np.concatenate([in_mask, np.where(rec_hosp, in_mask, 0)[gap]])
    # clip to the data span and death; drop empty rows and leading none
    row_start = np.maximum(row_start, start)
    row_end = np.minimum(row_end, w_end[row_person])
    keep = row_start <= row_end
    row_person, row_start, row_end = row_person[keep], row_start[keep], row_end[keep]
    row_mask = row_mask[keep]
    order = np.lexsort((row_start, row_person))
    row_person, row_start, row_end = row_person[order], row_start[order], row_end[order]
    row_mask = row_mask[order]
    n = len(row_person)
    new_person = np.r_[True, row_person[1:] != row_person[:-1]] if n else np.zeros(0, bool)
    treated_so_far = np.cumsum(row_mask != 0)
    base = np.maximum.accumulate(np.where(new_person, np.arange(n), 0))
    seen = treated_so_far - (treated_so_far[base] - (row_mask[base] != 0))
    keep = seen > 0
    row_person, row_start, row_end = row_person[keep], row_start[keep], row_end[keep]
    row_mask = row_mask[keep]
    n = len(row_person)
    new_person = np.r_[True, row_person[1:] != row_person[:-1]] if n else np.zeros(0, bool)
    new_run = new_person | (np.r_[-1, row_mask[:-1]] != row_mask) if n else new_person
    first = np.flatnonzero(new_run)
    last = np.r_[first[1:] - 1, n - 1] if n else first
    s_person, s_mask = row_person[first], row_mask[first]
    s_start, s_end = row_start[first], row_end[last]
    transition, step_no = _transitions(s_person, s_mask, s_start, s_end)

    # ------------------------------------------------------------ dispensings
    fills = _fills(
        rng, conf, tconf, behaviour, interval, target, n_steps, step_start, step_end, start,
        w_end, ev_pos, real,
    )  # fmt: skip
    f_person, f_day, f_boxes = fills
    # each fill is inside one planted step (searched on the merged steps)
    key_rows = s_person * (4 * FOREVER) + s_start
    row_of = np.searchsorted(key_rows, f_person * (4 * FOREVER) + f_day, side="right") - 1
    n_disp = np.bincount(row_of, minlength=len(s_person)) if len(s_person) else np.zeros(0, int)
    f_mask = s_mask[row_of]
    lines_fill, lines_drug = _drugs_of_fills(rng, reg, f_person, f_mask, m)
    d = drugs()
    lp, lday = f_person[lines_fill], f_day[lines_fill]
    large = interval[lp] == tconf["large_pack_days"]
    use_large = large & (d.large_cip[lines_drug] >= 0)
    counts = np.array([len(x) for x in d.standard_cip])
    first_cip = np.array([x[0] for x in d.standard_cip])
    standard = first_cip[lines_drug] + (rng.random(len(lines_drug)) * counts[lines_drug]).astype(
        np.int64
    )
    pres = np.where(use_large, d.large_cip[lines_drug], standard)
    boxes = np.where(large & ~use_large, interval[lp] // tconf["standard_pack_days"], 1)
    boxes = boxes * f_boxes[lines_fill]

    # ------------------------------------------------------------ planted PDC
    pack_days = np.where(d.presentation_large[pres], tconf["large_pack_days"], 30)
    key_count = np.array([bin(reg.drug_mask.get(i, 0)).count("1") for i in range(len(d.atc))])
    supplied = np.bincount(lp, weights=boxes * pack_days * key_count[lines_drug], minlength=m)
    n_keys = np.array([bin(x).count("1") for x in range(len(reg.names))])
    treated_days = np.bincount(
        s_person, weights=(s_end - s_start + 1) * n_keys[s_mask], minlength=m
    )
    pdc = np.minimum(supplied / np.maximum(treated_days, 1), 1.0)

    # ------------------------------------------------------------ hospital stays
    entry = real(ev_pos[:, 2], ar, strict=True)
    stay_ok = has_hosp & (entry >= start) & (entry + los <= w_end)
    stay_row = np.searchsorted(key_rows, ar * (4 * FOREVER) + entry, side="right") - 1
    stay_ok &= (
        (stay_row >= 0) & (s_person[np.maximum(stay_row, 0)] == ar) if len(s_person) else False
    )
    hosp_days = np.bincount(
        stay_row[stay_ok], weights=los[stay_ok], minlength=len(s_person)
    ).astype(np.int64)

    length = s_end - s_start + 1
    # a step is expected visible when it lasts 30 days or more, has a dispensing when
    # treated, and the step before it (which its transition is read from) is seen too
    seen = (length >= COMBINATION_MIN_DAYS) & ((s_mask == 0) | (n_disp > 0))
    first_step = step_no == 1
    visible = seen & (first_step | np.r_[False, seen[:-1]])
    died = persons.death[c.person] <= settings.end
    return Planted(
        fills={
            "person": c.person[lp],
            "day": lday,
            "presentation": pres,
            "boxes": boxes,
        },
        stays={
            "person": c.person[stay_ok],
            "entry": entry[stay_ok],
            "los": los[stay_ok],
            "pattern": pattern[stay_ok],
        },
        truth={
            "person": c.person[s_person],
            "profile": c.profile[s_person],
            "step_no": step_no,
            "mask": s_mask,
            "start": s_start,
            "end": s_end,
            "transition": transition,
            "expected_visible": visible,
            "n_dispensings": n_disp,
            "hospital_days": hosp_days,
            "planted_pdc": pdc[s_person],
            "behaviour": behaviour[s_person],
            "end_reason": died[s_person].astype(np.int64),
        },
        names=reg.names,
    )


def _transitions(
    person: np.ndarray, mask: np.ndarray, start: np.ndarray, end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Transition type (index into TRANSITIONS) that starts each merged step, and step_no.

    Examples
    --------
    >>> p = np.array([0, 0, 0, 0, 0]); m = np.array([1, 3, 0, 3, 2])
    >>> s = np.array([0, 100, 200, 240, 400]); e = np.array([99, 199, 239, 399, 500])
    >>> [TRANSITIONS[t] for t in _transitions(p, m, s, e)[0]]
    ['initiation', 'add_on', 'interruption', 'resumption', 'step_down']
    """
    n = len(person)
    if not n:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    new = np.r_[True, person[1:] != person[:-1]]
    base = np.maximum.accumulate(np.where(new, np.arange(n), 0))
    step_no = np.arange(n) - base + 1
    prev = np.r_[0, mask[:-1]]
    prev2 = np.r_[0, 0, mask[:-2]][:n]
    has_next = np.r_[~new[1:], False]
    gap_long = (end - start + 1) >= DISCONTINUATION_GAP_DAYS
    t = np.full(n, TRANSITIONS.index("switch"))
    none = mask == 0
    t[none & gap_long] = TRANSITIONS.index("discontinuation")
    t[none & ~gap_long & has_next] = TRANSITIONS.index("interruption")
    t[none & ~gap_long & ~has_next] = TRANSITIONS.index("censored")
    prev_t = np.r_[-1, t[:-1]]
    after_gap = ~none & (prev == 0) & ~new
    t[after_gap & (prev_t == TRANSITIONS.index("discontinuation"))] = TRANSITIONS.index("restart")
    t[after_gap & (prev_t == TRANSITIONS.index("interruption")) & (mask == prev2)] = (
        TRANSITIONS.index("resumption")
    )
    direct = ~none & (prev != 0) & ~new
    sup = (mask & prev) == prev
    sub = (mask & prev) == mask
    t[direct & sup] = TRANSITIONS.index("add_on")
    t[direct & sub] = TRANSITIONS.index("step_down")
    t[new] = TRANSITIONS.index("initiation")
    return t, step_no


def _fills(
    rng: np.random.Generator,
    conf: dict,
    tconf: dict,
    behaviour: np.ndarray,
    interval: np.ndarray,
    target: np.ndarray,
    n_steps: np.ndarray,
    step_start: np.ndarray,
    step_end: np.ndarray,
    start: int,
    w_end: np.ndarray,
    ev_pos: np.ndarray,
    real: Callable[[np.ndarray, np.ndarray], np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Refill days (real clock) of every person: (person, day, boxes multiplier).

    At a change of step the old keys' supply must reach the new step and the new keys
    start on its first day, so that the change reads as one transition (a switch of one
    key among several would otherwise show a few days on the remaining keys alone, a
    step-down then an add-on): the first refill of a step is on its first day, the last
    refill of a step followed by another is never early (its supply ends 0-6 days after
    the step), non-adherent persons get a last refill whose supply ends with the step,
    and a double box never replaces the last refill of a step."""
    width = step_start.shape[1]
    sp, sj = np.nonzero(np.arange(width)[None, :] < n_steps[:, None])
    spacing = interval[sp] / target[sp]  # non-adherent persons refill less often
    s0, s1 = step_start[sp, sj], step_end[sp, sj]
    followed = sj < n_steps[sp] - 1
    lo_day = np.maximum(s0, start - 15)
    # the supply of a step's last refill ends within the step
    last_day = s1 - interval[sp] + 1
    hi_day = np.minimum(last_day, w_end[sp])
    k_lo = np.ceil((lo_day - s0) / spacing).astype(np.int64)
    k_hi = np.floor((hi_day - s0) / spacing).astype(np.int64)
    count = np.maximum(k_hi - k_lo + 1, 0)
    cell = np.repeat(np.arange(len(sp)), count)
    k = k_lo[cell] + np.arange(len(cell)) - np.repeat(np.cumsum(count) - count, count)
    nominal = s0[cell] + np.round(k * spacing[cell]).astype(np.int64)
    # non-adherent: a last refill whose supply ends with the step (when the schedule has
    # none there)
    k_last = np.floor((last_day - s0) / spacing).astype(np.int64)
    regular_last = s0 + np.round(k_last * spacing).astype(np.int64)
    extra = followed & (regular_last < last_day) & (last_day >= lo_day) & (last_day <= w_end[sp])
    cell = np.concatenate([cell, np.flatnonzero(extra)])
    nominal = np.concatenate([nominal, last_day[extra]])
    order = np.lexsort((nominal, cell))
    cell, nominal = cell[order], nominal[order]
    who = sp[cell]
    jit = tconf["jitter_days"]
    a, b = conf["stockpile_days"]
    early = rng.integers(a, b + 1, size=len(who))
    late = rng.integers(0, jit + 1, size=len(who))
    stockpiler = behaviour[who] == STOCKPILER
    jitter = np.where(stockpiler, -early, rng.integers(-jit, jit + 1, size=len(who)))
    is_last = followed[cell] & (nominal == last_day[cell])
    jitter = np.where(is_last, np.where(stockpiler, 0, late), jitter)
    jitter = np.where(nominal == s0[cell], 0, jitter)
    day = np.clip(nominal + jitter, s0[cell], s1[cell])
    # a refill stays on its side of every event (gaps, hospital stays)
    pos = ev_pos[who]
    before = nominal[:, None] < pos
    day = np.minimum(day, np.where(before, pos - 1, _NO_EVENT).min(axis=1))
    day = np.maximum(day, np.where(before, -_NO_EVENT, pos).max(axis=1))
    shift = real(day, who) - day
    day = day + shift
    ok = (day >= start) & (day <= w_end[who])
    who, day, shift, cell, is_last = who[ok], day[ok], shift[ok], cell[ok], is_last[ok]
    if not len(who):  # a small chunk may hold no refill
        return who, day, np.ones(0, dtype=np.int64)
    # sometimes two boxes, and the next refill of the step (not its last) is skipped
    same = (who[1:] == who[:-1]) & (cell[1:] == cell[:-1]) & (shift[1:] == shift[:-1])
    nxt_same = np.r_[same, False] & ~np.r_[is_last[1:], True]
    chosen = nxt_same & (rng.random(len(who)) < conf["double_box"])
    chosen &= ~np.r_[False, chosen[:-1]]
    skipped = np.r_[False, chosen[:-1]]
    boxes = np.where(chosen, 2, 1)
    keep = ~skipped
    return who[keep], day[keep], boxes[keep]


def _drugs_of_fills(
    rng: np.random.Generator, reg: Regimens, person: np.ndarray, mask: np.ndarray, m: int
) -> tuple[np.ndarray, np.ndarray]:
    """Dispensing lines of the fills: (fill index, drug id), one drug per key (chosen per
    person), a fixed-dose combination for the persons who take it."""
    n_keys = len(reg.keys)
    choice = (rng.random((m, n_keys)) * reg.key_counts[None, :]).astype(np.int64)
    drug_of = reg.key_drugs[np.arange(n_keys)[None, :], choice]  # (person, key)
    takes_combo = rng.random(m) < reg.combination_share
    bits = (mask[:, None] >> np.arange(n_keys)[None, :]) & 1
    fill, key = np.nonzero(bits)
    drug = drug_of[person[fill], key]
    keep = np.ones(len(fill), bool)
    for combo_drug, cmask in reg.combinations:
        in_combo = ((cmask >> key) & 1) == 1
        use = takes_combo[person[fill]] & ((mask[fill] & cmask) == cmask) & in_combo
        lowest = (cmask & -cmask).bit_length() - 1
        drug = np.where(use & (key == lowest), combo_drug, drug)
        keep &= ~(use & (key != lowest))
    return fill[keep], drug[keep]
