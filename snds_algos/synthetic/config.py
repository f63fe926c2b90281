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


def package_csv(path: str) -> list[dict[str, str]]:
    """Rows of a CSV data file of the package, ``path`` relative to ``snds_algos/`` (only
    the file is read: no module of another layer is imported).

    Examples
    --------
    >>> package_csv("algorithms/antidiabetic_pathways/codes/antidiabetic_keys.csv")[0]["key"]
    'metformin'
    """
    text = resources.files("snds_algos").joinpath(*path.split("/")).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def drug_key_section(conf: dict[str, Any]) -> dict[str, Any]:
    """A ``drug_keys`` section of ``conditions.yaml`` with its ``keys`` (key -> the ATC
    codes a person may take for it) and ``combinations`` (fixed-dose ATC -> its keys).

    A section naming a ``code_list`` (a ``code, key`` CSV of the package, such as an
    algorithm's code list) takes the key of each of its ``drugs`` and of its
    ``combinations`` from that list: the rows of the longest code that is a prefix of
    the drug's ATC (as the algorithm matches them). A section without one is returned as
    it is.

    Examples
    --------
    >>> drug_key_section({"code_list": "algorithms/antidiabetic_pathways/codes/"
    ...     "antidiabetic_keys.csv", "drugs": ["A10BA02", "A10BB09"],
    ...     "combinations": ["A10BD07"]})
    {'keys': {'metformin': ['A10BA02'], 'sulfonylurea': ['A10BB09']}, 'combinations': {'A10BD07': ['metformin', 'dpp4']}}
    """
    if "code_list" not in conf:
        return conf
    rows = package_csv(conf["code_list"])

    def keys_of(atc: str) -> list[str]:
        codes = [r["code"] for r in rows if atc.startswith(r["code"])]
        if not codes:
            raise KeyError(f"drug_keys: {atc} has no key in {conf['code_list']}")
        longest = max(codes, key=len)
        return list(dict.fromkeys(r["key"] for r in rows if r["code"] == longest))

    keys: dict[str, list[str]] = {}
    for atc in conf["drugs"]:
        found = keys_of(atc)
        if len(found) != 1:
            raise ValueError(f"drug_keys: {atc} supplies keys {found}: list it in combinations")
        keys.setdefault(found[0], []).append(atc)
    out = {k: v for k, v in conf.items() if k not in ("code_list", "drugs", "combinations")}
    return {
        "keys": keys,
        "combinations": {atc: keys_of(atc) for atc in conf.get("combinations") or []},
        **out,
    }


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
    conditions["drug_keys"] = {
        name: drug_key_section(conf) for name, conf in conditions.get("drug_keys", {}).items()
    }
    return Settings(int(persons), parse_years(years), int(seed), params, conditions)
