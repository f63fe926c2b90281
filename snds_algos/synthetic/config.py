"""Parameters of the synthetic SNDS generator, read from the data files in ``data/``.

Rates, prevalences, drug lists and code lists live in YAML/CSV files beside this module
(``config.yaml``, ``conditions.yaml``, ``drugs.csv``, ``pyramid.csv``, ``departments.csv``,
``specialties.csv``); this module reads them and merges caller overrides.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from snds_algos._yaml import safe_load

EPOCH = dt.date(1970, 1, 1)


def day_of(date: dt.date) -> int:
    """Days since 1970-01-01 of a date.

    Examples
    --------
    >>> day_of(dt.date(1970, 1, 2))
    1
    """
    return (date - EPOCH).days


def _data_text(name: str) -> str:
    return resources.files("snds_algos.synthetic").joinpath("data", name).read_text("utf-8")


@cache
def _yaml(name: str) -> dict[str, Any]:
    return safe_load(_data_text(name))


@cache
def _csv(name: str) -> tuple[dict[str, str], ...]:
    return tuple(csv.DictReader(_data_text(name).splitlines()))


def read_csv(name: str) -> list[dict[str, str]]:
    """Rows of a CSV data file of the generator.

    Examples
    --------
    >>> read_csv("drugs.csv")[0]["atc"]
    'A10BA02'
    """
    return [dict(r) for r in _csv(name)]


def _merge(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@dataclass(frozen=True)
class Settings:
    """Everything one generation run needs: period, seed and the merged parameters."""

    persons: int
    years: tuple[int, ...]
    seed: int
    params: dict[str, Any] = field(repr=False)
    conditions: dict[str, Any] = field(repr=False)

    @property
    def start(self) -> int:
        """First day of the period (days since 1970)."""
        return day_of(dt.date(self.years[0], 1, 1))

    @property
    def end(self) -> int:
        """Last day of the period (days since 1970)."""
        return day_of(dt.date(self.years[-1], 12, 31))

    @property
    def n_years(self) -> int:
        """Number of generated years."""
        return len(self.years)

    @property
    def reference_year(self) -> int:
        """Year of the borderline cases: the last generated year."""
        return self.years[-1]


def parse_years(years: str | int | tuple[int, ...] | list[int] | range) -> tuple[int, ...]:
    """Years of the period from ``"2019-2021"``, ``2020`` or a sequence.

    Examples
    --------
    >>> parse_years("2019-2021")
    (2019, 2020, 2021)
    >>> parse_years(2020)
    (2020,)
    """
    if isinstance(years, int):
        out: tuple[int, ...] = (years,)
    elif isinstance(years, str):
        text = years.strip()
        if "-" in text:
            first, last = (int(x) for x in text.split("-", 1))
            out = tuple(range(first, last + 1))
        else:
            out = tuple(int(x) for x in text.split(","))
    else:
        out = tuple(int(y) for y in years)
    if not out or list(out) != list(range(out[0], out[0] + len(out))):
        raise ValueError(f"years must be consecutive, got {years!r}")
    if out[0] < 2006 or out[-1] > 2099:
        raise ValueError(f"years must lie in 2006-2099, got {years!r}")
    return out


def make_settings(
    persons: int,
    years: str | int | tuple[int, ...] | list[int] | range,
    seed: int,
    overrides: dict[str, Any] | None = None,
    condition_overrides: dict[str, Any] | None = None,
) -> Settings:
    """Settings of a run: the default data files merged with ``overrides``.

    Examples
    --------
    >>> s = make_settings(100, "2019-2020", 1, overrides={"defects": {"info_lines": 0.1}})
    >>> s.params["defects"]["info_lines"], s.years
    (0.1, (2019, 2020))
    """
    if persons < 1:
        raise ValueError("persons must be >= 1")
    params = _merge(_yaml("config.yaml"), overrides or {})
    conditions = _merge(_yaml("conditions.yaml"), condition_overrides or {})
    return Settings(int(persons), parse_years(years), int(seed), params, conditions)
