"""Referentials the generator builds once per run: drugs (IR_PHA_R), establishments
(FINESS numbers, T_MCOaaE), departments, specialties and the age pyramid.

They do not depend on the seed: the same drug referential and the same establishments
come with every generated data set.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pyarrow as pa

from snds_algos.synthetic.config import read_csv
from snds_algos.synthetic.ids import ean13


@dataclass(frozen=True)
class Drugs:
    """The generated drug referential: one row per CIP13 presentation."""

    atc: tuple[str, ...]  # one per drug (index = drug id)
    standard_cip: list[list[int]]  # drug id -> presentation ids (standard packs)
    large_cip: np.ndarray  # drug id -> presentation id of the large pack, -1 if none
    background_weight: np.ndarray  # drug id -> weight in background dispensings
    cip13: tuple[str, ...]  # presentation id -> CIP13
    presentation_drug: np.ndarray  # presentation id -> drug id
    presentation_large: np.ndarray  # presentation id -> is a large pack
    units: np.ndarray  # presentation id -> units per box
    price: np.ndarray  # presentation id -> unit price (euros)
    names: tuple[str, ...]

    def drug_id(self, atc: str) -> int:
        """The drug id of an ATC code listed in ``drugs.csv``."""
        try:
            return self.atc.index(atc)
        except ValueError:
            raise KeyError(f"ATC {atc} is not in synthetic/data/drugs.csv") from None


@cache
def drugs() -> Drugs:
    """The drug referential built from ``drugs.csv`` (CIP13 with valid EAN-13 keys).

    Examples
    --------
    >>> d = drugs()
    >>> d.cip13[d.large_cip[d.drug_id("A10BA02")]][:5], len(d.cip13[0])
    ('34009', 13)
    """
    rows = read_csv("drugs.csv")
    stems, pres_drug, pres_large, units, price = [], [], [], [], []
    standard, large = [], []
    for i, row in enumerate(rows):
        ids = []
        for g in range(int(row["generics"])):
            ids.append(len(stems))
            stems.append(f"3400930{i:03d}{g}0"[:12])
            pres_drug.append(i)
            pres_large.append(False)
            units.append(int(row["standard_units"]))
            price.append(round(2.0 + 3.7 * ((i * 7 + g) % 11), 2))
        standard.append(ids)
        if row["large_units"]:
            large.append(len(stems))
            stems.append(f"3400930{i:03d}9"[:12].ljust(12, "0"))
            pres_drug.append(i)
            pres_large.append(True)
            units.append(int(row["large_units"]))
            price.append(round(5.0 + 9.1 * (i % 9), 2))
        else:
            large.append(-1)
    return Drugs(
        atc=tuple(r["atc"] for r in rows),
        standard_cip=standard,
        large_cip=np.array(large, dtype=np.int64),
        background_weight=np.array([float(r["background_weight"]) for r in rows]),
        cip13=tuple(ean13(stems)),
        presentation_drug=np.array(pres_drug, dtype=np.int64),
        presentation_large=np.array(pres_large, dtype=bool),
        units=np.array(units, dtype=np.int64),
        price=np.array(price, dtype=np.float64),
        names=tuple(r["name"] for r in rows),
    )


def ir_pha_r() -> dict[str, pa.Array]:
    """Columns of the generated IR_PHA_R (CIP13 -> ATC, pack type, units).

    Examples
    --------
    >>> cols = ir_pha_r()
    >>> sorted(set(cols["PHA_CND_TOP"].to_pylist()))
    ['GC', 'PC']
    """
    d = drugs()
    atc = [d.atc[i] for i in d.presentation_drug]
    return {
        "PHA_CIP_C13": pa.array(d.cip13),
        "PHA_PRS_IDE": pa.array([c[5:12] for c in d.cip13]),
        "PHA_ATC_C07": pa.array(atc),
        "PHA_ATC_C03": pa.array([a[:3] for a in atc]),
        "PHA_CND_TOP": pa.array(["GC" if x else "PC" for x in d.presentation_large]),
        "PHA_MED_NOM": pa.array(
            [
                d.names[i].upper() + f" B/{u}"
                for i, u in zip(d.presentation_drug, d.units, strict=True)
            ]
        ),
        "PHA_UPC_NBR": pa.array([str(u) for u in d.units]),
        "PHA_PRI_UNI": pa.array([f"{p:.2f}" for p in d.price]),
    }


@dataclass(frozen=True)
class Geography:
    """Departments (with population weights) and establishments per department."""

    departments: tuple[str, ...]
    weights: np.ndarray
    eta_num: tuple[str, ...]  # establishment id -> FINESS (9 characters)
    eta_offset: np.ndarray  # department id -> first establishment id
    eta_count: np.ndarray  # department id -> number of establishments
    aphp: tuple[str, ...]  # AP-HP geographic FINESS numbers (duplicates)


@cache
def geography() -> Geography:
    """Departments from ``departments.csv``; 2 to 12 MCO establishments per department.

    Examples
    --------
    >>> g = geography()
    >>> g.departments[0], len(g.eta_num[0]), len(g.aphp) > 50
    ('01', 9, True)
    """
    rows = read_csv("departments.csv")
    deps = tuple(r["dept"] for r in rows)
    pop = np.array([float(r["population_thousands"]) for r in rows])
    etas, offsets, counts = [], [], []
    for i, dep in enumerate(deps):
        n = int(np.clip(round(pop[i] / 150), 2, 12))
        offsets.append(len(etas))
        counts.append(n)
        code = dep if len(dep) == 2 else dep[:2]
        for k in range(n):
            etas.append(f"{code}{(i * 37 + k * 1009) % 10000000:07d}")
    return Geography(
        departments=deps,
        weights=pop / pop.sum(),
        eta_num=tuple(etas),
        eta_offset=np.array(offsets),
        eta_count=np.array(counts),
        aphp=aphp_geographic_finess(),
    )


def aphp_geographic_finess() -> tuple[str, ...]:
    """The AP-HP geographic FINESS numbers of ``snds_algos/data/finess_geographic_duplicates.csv``
    (documentation-snds, MPL-2.0).

    Examples
    --------
    >>> aphp_geographic_finess()[0]
    '600100093'
    """
    text = resources.files("snds_algos").joinpath("data", "finess_geographic_duplicates.csv")
    rows = csv.DictReader(text.read_text("utf-8").splitlines())
    return tuple(r["ETA_NUM"] for r in rows if r["group"] == "APHP")


@cache
def pyramid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Age bands (min, max) and weights per (band, sex) from ``pyramid.csv``.

    Examples
    --------
    >>> lo, hi, w = pyramid()
    >>> w.shape[1], round(float(w.sum()), 6)
    (2, 1.0)
    """
    rows = read_csv("pyramid.csv")
    lo = np.array([int(r["age_min"]) for r in rows])
    hi = np.array([int(r["age_max"]) for r in rows])
    w = np.array([[float(r["men_thousands"]), float(r["women_thousands"])] for r in rows])
    return lo, hi, w / w.sum()


@cache
def specialties() -> tuple[tuple[str, ...], np.ndarray]:
    """Specialist codes (PSE_SPE_COD) and weights of background specialist visits.

    Examples
    --------
    >>> codes, w = specialties()
    >>> "15" in codes
    True
    """
    rows = read_csv("specialties.csv")
    w = np.array([float(r["weight"]) for r in rows])
    return tuple(r["code"] for r in rows), w / w.sum()
