"""Planting conditions: who has which condition (age- and sex-dependent rates from
``conditions.yaml``), since when, and whether the case receives care (is traced)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from snds_algos.synthetic.config import Settings
from snds_algos.synthetic.persons import YEAR_DAYS, Persons, band_lookup


@dataclass
class Cases:
    """One row per planted (person, condition profile)."""

    person: np.ndarray
    profile: np.ndarray  # index into settings.conditions["profiles"]
    onset: np.ndarray  # onset day (pregnancy: start of pregnancy)
    event: np.ndarray  # day of the acute event / outcome (chronic: onset)
    end: np.ndarray  # end day (pregnancy outcome), -1 when open
    traced: np.ndarray

    def select(self, mask: np.ndarray) -> Cases:
        """The cases where ``mask`` is true."""
        return Cases(
            *(
                getattr(self, f)[mask]
                for f in ("person", "profile", "onset", "event", "end", "traced")
            )
        )


def plant(
    settings: Settings, rng: np.random.Generator, persons: Persons
) -> tuple[Cases, np.ndarray]:
    """Draw the cases of every condition profile and the persons' death-rate multiplier.

    Examples
    --------
    >>> from snds_algos.synthetic.config import make_settings
    >>> from snds_algos.synthetic.persons import make_persons
    >>> s = make_settings(5000, "2019-2020", 3)
    >>> p = make_persons(s, np.random.default_rng(3), 0, 5000)
    >>> cases, mult = plant(s, np.random.default_rng(4), p)
    >>> len(cases.person) > 0, bool(mult.min() >= 1.0)
    (True, True)
    """
    profiles = settings.conditions["profiles"]
    age_end = persons.age_at(settings.end)
    taken: dict[str, np.ndarray] = {}
    parts = []
    multiplier = np.ones(persons.n)
    span = settings.end - settings.start + 1
    for k, prof in enumerate(profiles):
        rate = band_lookup(prof["rates"], age_end, persons.sex) / 100.0
        if prof["kind"] == "event":
            rate = 1.0 - (1.0 - rate) ** settings.n_years
        has = rng.random(persons.n) < rate
        name = prof["condition"]
        if name in taken:
            has &= ~taken[name]
            taken[name] |= has
        else:
            taken[name] = has.copy()
        who = np.flatnonzero(has)
        m = len(who)
        in_period = settings.start + (rng.random(m) * span).astype(np.int64)
        if prof["kind"] == "chronic":
            prevalent = rng.random(m) < prof.get("prevalent_share", 0.8)
            history = (rng.random(m) * prof.get("history_years", 10) * YEAR_DAYS).astype(np.int64)
            onset = np.where(prevalent, settings.start - 1 - history, in_period)
            onset = np.maximum(onset, persons.birth[who] + 30)
            event = onset
            end = np.full(m, -1, dtype=np.int64)
        else:
            event = in_period
            lo, hi = prof.get("duration_days", [0, 0])
            duration = rng.integers(lo, hi + 1, size=m)
            onset = event - duration
            end = event.copy() if hi > 0 else np.full(m, -1, dtype=np.int64)
        traced = rng.random(m) < prof.get("traced", 1.0)
        traced &= ~persons.no_care[who]
        multiplier[who] *= prof.get("death_multiplier", 1.0)
        parts.append((who, np.full(m, k), onset, event, end, traced))
    cols = [
        np.concatenate([p[i] for p in parts]) if parts else np.array([], np.int64) for i in range(6)
    ]
    cases = Cases(
        person=cols[0].astype(np.int64),
        profile=cols[1].astype(np.int64),
        onset=cols[2].astype(np.int64),
        event=cols[3].astype(np.int64),
        end=cols[4].astype(np.int64),
        traced=cols[5].astype(bool),
    )
    return cases, multiplier


def drop_after_death(cases: Cases, persons: Persons) -> Cases:
    """Remove cases whose onset or event comes after the person's death."""
    death = persons.death[cases.person]
    return cases.select((cases.onset <= death) & (cases.event <= death))
