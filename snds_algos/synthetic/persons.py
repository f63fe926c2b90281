"""Persons of one chunk: age and sex pyramid, residence, identities (BEN_IDT_ANO, one or
two BEN_NIR_PSA, children and twins on a parent's NIR), care intensity, deaths."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from snds_algos.synthetic.config import Settings
from snds_algos.synthetic.ids import pseudonyms
from snds_algos.synthetic.referentials import geography, pyramid

YEAR_DAYS = 365.25


@dataclass
class Persons:
    """Column arrays of the persons of a chunk (dates as days since 1970)."""

    n: int
    global_index: np.ndarray
    idt: pa.Array  # BEN_IDT_ANO
    nir_a: pa.Array  # first BEN_NIR_PSA
    nir_b: pa.Array  # second BEN_NIR_PSA (meaningful where has_b)
    has_b: np.ndarray
    switch_day: np.ndarray  # care from that day on is recorded under nir_b
    rank: np.ndarray  # BEN_RNG_GEM (int)
    sex: np.ndarray  # 1 men, 2 women
    birth: np.ndarray  # birth day (15th of the birth month)
    dept: np.ndarray  # department id
    intensity: np.ndarray
    no_care: np.ndarray
    death: np.ndarray  # death day, or a large value when alive at the end
    death_in_hospital: np.ndarray

    def age_at(self, day: int | np.ndarray) -> np.ndarray:
        """Age in whole years at ``day``."""
        return np.floor((day - self.birth) / YEAR_DAYS).astype(np.int64)

    def completed_years(self, person: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Age in completed years of ``person`` at ``day`` (calendar birthdays), as the
        PMSI computes AGE_ANN from the birth date.

        >>> from snds_algos.synthetic.config import make_settings
        >>> p = make_persons(make_settings(10, "2020", 1), np.random.default_rng(1), 0, 10)
        >>> p.birth[:1] = np.datetime64("2012-06-15").astype(np.int64)
        >>> days = np.array(["2020-06-14", "2020-06-15"], "datetime64[D]").astype(np.int64)
        >>> p.completed_years(np.array([0, 0]), days).tolist()
        [7, 8]
        """
        born = self.birth[person].astype("datetime64[D]")
        when = np.asarray(day).astype("datetime64[D]")
        years = when.astype("datetime64[Y]").astype(np.int64) - born.astype("datetime64[Y]").astype(
            np.int64
        )
        # the birthday of that year: birth date moved by ``years`` years (same month, day)
        anniversary = (born.astype("datetime64[M]") + years * 12).astype("datetime64[D]") + (
            born - born.astype("datetime64[M]").astype("datetime64[D]")
        )
        return (years - (when < anniversary)).astype(np.int64)

    def window_end(self, settings: Settings) -> np.ndarray:
        """Last day with care: end of the period or death."""
        return np.minimum(self.death, settings.end)


ALIVE = np.iinfo(np.int32).max


def band_lookup(table: list[list[float]], ages: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """Value of a ``[age lower bound, men, women]`` table for each person.

    Examples
    --------
    >>> band_lookup([[0, 1.0, 2.0], [50, 3.0, 4.0]], np.array([10, 60]), np.array([2, 1])).tolist()
    [2.0, 3.0]
    """
    bounds = np.array([row[0] for row in table])
    values = np.array([[row[1], row[2]] for row in table], dtype=np.float64)
    band = np.clip(np.searchsorted(bounds, ages, side="right") - 1, 0, len(bounds) - 1)
    return values[band, np.clip(sex - 1, 0, 1)]


def make_persons(settings: Settings, rng: np.random.Generator, first: int, n: int) -> Persons:
    """Draw ``n`` persons (global indexes ``first`` ... ``first + n - 1``).

    Examples
    --------
    >>> from snds_algos.synthetic.config import make_settings
    >>> p = make_persons(make_settings(1000, "2019-2020", 1), np.random.default_rng(1), 0, 1000)
    >>> p.n, set(np.unique(p.sex).tolist())
    (1000, {1, 2})
    """
    params = settings.params["population"]
    lo, hi, weights = pyramid()
    cell = rng.choice(weights.size, size=n, p=weights.reshape(-1))
    band, sex_i = np.divmod(cell, 2)
    age = lo[band] + rng.random(n) * (hi[band] - lo[band] + 1)
    birth = (settings.start - age * YEAR_DAYS).astype(np.int64)
    birth = _mid_month(birth)
    sex = (sex_i + 1).astype(np.int64)
    geo = geography()
    dept = rng.choice(len(geo.departments), size=n, p=geo.weights)
    gidx = np.arange(first, first + n, dtype=np.int64)
    idt = pseudonyms(settings.seed, gidx, "I")
    nir_a = pseudonyms(settings.seed, gidx, "N")
    nir_b = pseudonyms(settings.seed, gidx, "M")
    rank = np.ones(n, dtype=np.int64)
    age_start = np.floor(age).astype(np.int64)

    # children on a parent's NIR, twins
    child = (age_start < 18) & (rng.random(n) < params["children_on_parent_nir"])
    adults = np.flatnonzero((age_start >= 25) & (age_start < 60))
    child_idx = np.flatnonzero(child)
    nir_a_np = np.asarray(nir_a.to_numpy(zero_copy_only=False), dtype=object)
    if len(adults) and len(child_idx):
        parents = adults[rng.integers(len(adults), size=len(child_idx))]
        # twins: the next child in the list becomes the twin (same parent and birth day;
        # the same sex, or the other sex for a share of the pairs)
        twin = rng.random(len(child_idx)) < params["twins"]
        twin[-1] = False
        first_twin = np.flatnonzero(twin)
        first_twin = first_twin[~np.isin(first_twin, first_twin + 1)]
        mixed = rng.random(len(first_twin)) < params.get("twins_different_sex", 0.0)
        parents[first_twin + 1] = parents[first_twin]
        birth[child_idx[first_twin + 1]] = birth[child_idx[first_twin]]
        twin_sex = sex[child_idx[first_twin]]
        sex[child_idx[first_twin + 1]] = np.where(mixed, 3 - twin_sex, twin_sex)
        order = np.argsort(parents, kind="stable")
        child_idx, parents = child_idx[order], parents[order]
        same = np.r_[False, parents[1:] == parents[:-1]]
        group_start = np.maximum.accumulate(np.where(~same, np.arange(len(parents)), 0))
        rank[child_idx] = 2 + np.arange(len(parents)) - group_start
        nir_a_np[child_idx] = nir_a_np[parents]
        dept[child_idx] = dept[parents]
    else:
        child = np.zeros(n, dtype=bool)
    nir_a = pa.array(nir_a_np, type=pa.string())
    has_b = (~child) & (rng.random(n) < params["second_nir"])
    switch_day = np.where(
        has_b,
        settings.start + (rng.random(n) * (settings.end - settings.start)).astype(np.int64),
        ALIVE,
    )
    shape = params["intensity_shape"]
    intensity = rng.gamma(shape, 1.0 / shape, size=n)
    no_care = rng.random(n) < params["no_care"]
    return Persons(
        n=n,
        global_index=gidx,
        idt=idt,
        nir_a=nir_a,
        nir_b=nir_b,
        has_b=has_b,
        switch_day=switch_day.astype(np.int64),
        rank=rank,
        sex=sex,
        birth=birth,
        dept=dept.astype(np.int64),
        intensity=intensity,
        no_care=no_care,
        death=np.full(n, ALIVE, dtype=np.int64),
        death_in_hospital=np.zeros(n, dtype=bool),
    )


def _mid_month(days: np.ndarray) -> np.ndarray:
    month = days.astype("datetime64[D]").astype("datetime64[M]")
    return (month.astype("datetime64[D]") + np.timedelta64(14, "D")).astype(np.int64)


def draw_deaths(
    settings: Settings, rng: np.random.Generator, persons: Persons, multiplier: np.ndarray
) -> None:
    """Draw death dates in the period (yearly hazard by age and sex times ``multiplier``)."""
    table = settings.params["mortality"]
    age = persons.age_at(settings.start)
    hazard = np.minimum(band_lookup(table, age, persons.sex) * multiplier, 0.9)
    p_death = 1.0 - (1.0 - hazard) ** settings.n_years
    dies = rng.random(persons.n) < p_death
    day = settings.start + (rng.random(persons.n) * (settings.end - settings.start + 1)).astype(
        np.int64
    )
    day = np.maximum(day, persons.birth + 1)
    persons.death = np.where(dies, day, ALIVE).astype(np.int64)
    in_hosp = rng.random(persons.n) < settings.params["population"]["death_in_hospital"]
    persons.death_in_hospital = dies & in_hosp & ~persons.no_care


def nir_at(persons: Persons, person: np.ndarray, day: np.ndarray) -> pa.Array:
    """BEN_NIR_PSA in use by ``person`` at ``day`` (the second NIR after the switch)."""
    use_b = persons.has_b[person] & (day >= persons.switch_day[person])
    idx = pa.array(person)
    return pc.if_else(pa.array(use_b), persons.nir_b.take(idx), persons.nir_a.take(idx))
