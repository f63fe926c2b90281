"""CT_IDE_AAAA_GN and CT_IND_AAAA_GN of the generated reference year: the CNAM's
per-person cartography tables, written from the planted truth.

* the population: persons alive on 1 January of N with a DCIR trace dated in N or a
  hospital stay (MCO, SSR, HAD, RIM-P) ending in N (the rule of
  :mod:`snds_algos.cartography.population`, read on the planted traces);
* each flag of ``snds_algos/cartography/flags.yaml`` with a ``planted`` entry: the
  persons of the population with a planted case of one of its conditions active in N
  (onset on or before 31 December N, not ended before 1 January N; with
  ``onset_years``, onset in one of the years N + offset);
* disagreement: for each such flag, a share ``cartography.disagreement`` of its
  persons (``config.yaml``, default 2 %) is unflagged and as many persons of the
  population without it are flagged (the prevalence is kept; rounded per chunk); then
  the structural rules are applied as the library does (sex, exclusive pairs, unions).

The tables are drawn with a random generator of their own (seeded from the seed and the
chunk), so the other tables are the same bytes with or without them. Columns: CT_IDE
``id_carto, ben_nir_psa, ben_rng_gem``; CT_IND ``id_carto, ben_sex_cod`` and one 0/1
integer column per flag, upper case (``TOP_FDIABET_IND``).
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from snds_algos._yaml import safe_load
from snds_algos.synthetic.conditions import Cases
from snds_algos.synthetic.config import Settings, day_of
from snds_algos.synthetic.persons import Persons

#: the salt of the tables' random generator (seeded from the seed and the chunk)
SALT = 0xC47


def flag_specs() -> list[dict[str, Any]]:
    """The flags of the packaged ``flags.yaml`` (read as data)."""
    path = resources.files("snds_algos.cartography") / "flags.yaml"
    return list(safe_load(path.read_text(encoding="utf-8"))["flags"])


def table_names(year: int) -> tuple[str, str]:
    """``("CT_IDE_2020_GN", "CT_IND_2020_GN")`` for 2020."""
    return f"CT_IDE_{year}_GN", f"CT_IND_{year}_GN"


def _population(settings: Settings, persons: Persons, traces: Any, year: int) -> np.ndarray:
    first, last = day_of(dt.date(year, 1, 1)), day_of(dt.date(year, 12, 31))
    cared = np.zeros(persons.n, dtype=bool)
    day = traces.dcir["day"]
    cared[traces.dcir["person"][(day >= first) & (day <= last)]] = True
    for stays in (traces.stays, traces.other_stays):
        if len(stays["person"]):
            exit_day = stays["entry"] + stays["los"]
            cared[stays["person"][(exit_day >= first) & (exit_day <= last)]] = True
    return cared & (persons.death >= first)


def _planted(
    settings: Settings, persons: Persons, cases: Cases, spec: dict[str, Any], year: int
) -> np.ndarray:
    first, last = day_of(dt.date(year, 1, 1)), day_of(dt.date(year, 12, 31))
    profiles = settings.conditions["profiles"]
    wanted = set(spec["conditions"])
    keys = [
        p["condition"] in wanted or f"{p['condition']}/{p.get('subtype')}" in wanted
        for p in profiles
    ]
    sel = np.array(keys, dtype=bool)[cases.profile] if len(cases.profile) else np.zeros(0, bool)
    sel &= (cases.onset <= last) & ((cases.end < 0) | (cases.end >= first))
    if spec.get("onset_years") is not None:
        onset_year = cases.onset.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)
        sel &= np.isin(onset_year + 1970 - year, np.asarray(spec["onset_years"], dtype=np.int64))
    out = np.zeros(persons.n, dtype=bool)
    out[cases.person[sel]] = True
    return out


def _disagree(rng: np.random.Generator, flag: np.ndarray, pop: np.ndarray, share: float) -> None:
    """Unflag ``share`` of the flagged persons and flag as many others (in place)."""
    yes = np.flatnonzero(flag & pop)
    no = np.flatnonzero(~flag & pop)
    k = min(round(share * len(yes)), len(no))
    if k == 0:
        return
    flag[rng.choice(yes, k, replace=False)] = False
    flag[rng.choice(no, k, replace=False)] = True


def cartography_tables(
    settings: Settings, chunk: int, persons: Persons, cases: Cases, traces: Any
) -> dict[str, pa.Table]:
    """CT_IDE and CT_IND of the reference year for one chunk of persons.

    Examples
    --------
    >>> from snds_algos.synthetic import generate_tables
    >>> t = generate_tables(2000, "2019-2020", 1)
    >>> ind = t["CT_IND_2020_GN"]
    >>> bool((ind["TOP_CVIDM_AIG"] & ind["TOP_CVCORON_CHR"]).any()), len(ind) == len(t["CT_IDE_2020_GN"])
    (False, True)
    """
    year = settings.reference_year
    share = float((settings.params.get("cartography") or {}).get("disagreement", 0.02))
    rng = np.random.default_rng([settings.seed, chunk, SALT])
    pop = _population(settings, persons, traces, year)
    values: dict[str, np.ndarray] = {}
    for spec in flag_specs():
        name = spec["name"]
        if spec.get("union"):
            value = np.logical_or.reduce([values[u] for u in spec["union"]])
        elif spec.get("planted"):
            value = _planted(settings, persons, cases, spec["planted"], year) & pop
            _disagree(rng, value, pop, share)
        else:
            continue
        if spec.get("sex") is not None:
            value = value & (persons.sex == int(spec["sex"]))
        if spec.get("exclusive_of"):
            value = value & ~values[spec["exclusive_of"]]
        values[name] = value & pop
    who = np.flatnonzero(pop)
    ids = pc.binary_join_element_wise("K", persons.idt.take(pa.array(who)), "")
    ide_name, ind_name = table_names(year)
    ide = pa.table(
        {
            "id_carto": ids,
            "ben_nir_psa": persons.nir_a.take(pa.array(who)),
            "ben_rng_gem": pa.array(persons.rank[who].astype(np.int64)),
        }
    )
    ind = pa.table(
        {
            "id_carto": ids,
            "ben_sex_cod": pa.array(persons.sex[who].astype(np.int64)),
            **{name: pa.array(v[who].astype(np.int64)) for name, v in values.items()},
        }
    )
    return {ide_name: ide, ind_name: ind}
