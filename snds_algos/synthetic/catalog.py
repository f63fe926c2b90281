"""Compiled code lists of one run: stay patterns, treatment pathways, act and biology codes
from ``conditions.yaml`` and ``config.yaml``, as flat numpy arrays for vectorised draws."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from snds_algos.synthetic.config import Settings
from snds_algos.synthetic.referentials import drugs


class CodeList:
    """Interned strings: code -> integer id."""

    def __init__(self) -> None:
        self.codes: list[str] = []
        self._ids: dict[str, int] = {}

    def id(self, code: str) -> int:
        """The id of ``code`` (added when new)."""
        code = str(code)
        if code not in self._ids:
            self._ids[code] = len(self.codes)
            self.codes.append(code)
        return self._ids[code]

    def array(self) -> np.ndarray:
        """The codes as an object array (index = id)."""
        return np.array(self.codes, dtype=object)


class Ragged:
    """Lists of ids per item, stored flat with offsets."""

    def __init__(self) -> None:
        self.values: list[int] = []
        self.offsets: list[int] = []
        self.counts: list[int] = []

    def add(self, ids: list[int]) -> None:
        """Append one list."""
        self.offsets.append(len(self.values))
        self.counts.append(len(ids))
        self.values.extend(ids)

    def freeze(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(values, offsets, counts) arrays."""
        return (
            np.array(self.values, dtype=np.int64),
            np.array(self.offsets, dtype=np.int64),
            np.array(self.counts, dtype=np.int64),
        )


def pick(rng: np.random.Generator, ragged: tuple[np.ndarray, ...], item: np.ndarray) -> np.ndarray:
    """One value drawn uniformly from the list of each ``item`` (-1 for an empty list).

    Examples
    --------
    >>> r = Ragged(); r.add([5, 6]); r.add([])
    >>> pick(np.random.default_rng(0), r.freeze(), np.array([1, 1])).tolist()
    [-1, -1]
    """
    values, offsets, counts = ragged
    cnt = counts[item]
    pos = offsets[item] + (rng.random(len(item)) * np.maximum(cnt, 1)).astype(np.int64)
    out = np.full(len(item), -1, dtype=np.int64)
    ok = cnt > 0
    out[ok] = values[pos[ok]]
    return out


def explode(ragged: tuple[np.ndarray, ...], item: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every value of the list of each item: (row index into ``item``, value)."""
    values, offsets, counts = ragged
    cnt = counts[item]
    row = np.repeat(np.arange(len(item)), cnt)
    start = np.repeat(offsets[item], cnt)
    within = np.arange(len(row)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    return row, values[start + within]


@dataclass
class Catalog:
    """Everything of the code lists the chunk generators draw from."""

    icd: CodeList = field(default_factory=CodeList)
    ghm: CodeList = field(default_factory=CodeList)
    ccam: CodeList = field(default_factory=CodeList)
    bio: CodeList = field(default_factory=CodeList)
    spe: CodeList = field(default_factory=CodeList)
    prs_nat: CodeList = field(default_factory=CodeList)
    pattern_weight: list[float] = field(default_factory=list)
    los_min: list[int] = field(default_factory=list)
    los_max: list[int] = field(default_factory=list)
    _dp: Ragged = field(default_factory=Ragged)
    _dr: Ragged = field(default_factory=Ragged)
    _da: Ragged = field(default_factory=Ragged)
    _ghm: Ragged = field(default_factory=Ragged)
    _acts: Ragged = field(default_factory=Ragged)
    frozen: dict[str, Any] = field(default_factory=dict)
    groups: dict[str, list[int]] = field(default_factory=dict)  # pattern group -> pattern ids

    def add_patterns(self, group: str, patterns: list[dict[str, Any]]) -> None:
        """Register the stay patterns of a group (a profile, background, deaths ...)."""
        ids = []
        for pat in patterns:
            ids.append(len(self.pattern_weight))
            self.pattern_weight.append(float(pat.get("weight", 1)))
            self._dp.add([self.icd.id(c) for c in pat["dp"]])
            self._dr.add([self.icd.id(c) for c in pat.get("dr", [])])
            self._da.add([self.icd.id(c) for c in pat.get("da", [])])
            self._ghm.add([self.ghm.id(c) for c in pat["ghm"]])
            self._acts.add([self.ccam.id(c) for c in pat.get("acts", [])])
            lo, hi = pat.get("los", [0, 0])
            self.los_min.append(int(lo))
            self.los_max.append(int(hi))
        self.groups[group] = ids

    def freeze(self) -> None:
        """Build the flat arrays."""
        self.frozen = {
            "dp": self._dp.freeze(),
            "dr": self._dr.freeze(),
            "da": self._da.freeze(),
            "ghm": self._ghm.freeze(),
            "acts": self._acts.freeze(),
            "los_min": np.array(self.los_min),
            "los_max": np.array(self.los_max),
        }

    def draw_patterns(self, rng: np.random.Generator, group: str, n: int) -> np.ndarray:
        """``n`` pattern ids of ``group`` drawn with the patterns' weights."""
        ids = np.array(self.groups[group])
        w = np.array([self.pattern_weight[i] for i in ids])
        return ids[rng.choice(len(ids), size=n, p=w / w.sum())]


@dataclass
class Pathways:
    """Treatment pathways of a profile: steps of drug ids, padded with -1."""

    weights: np.ndarray
    steps: np.ndarray  # (pathway, step, drug slot) -> drug id or -1
    n_steps: np.ndarray


def compile_pathways(spec: dict[str, Any]) -> Pathways:
    """The pathways of a ``drugs`` section of a profile.

    Examples
    --------
    >>> p = compile_pathways({"pathways": [{"weight": 1, "steps": [["A10BA02"], ["A10BA02", "A10BH01"]]}]})
    >>> p.steps.shape, p.n_steps.tolist()
    ((1, 2, 2), [2])
    """
    d = drugs()
    paths = spec["pathways"]
    max_steps = max(len(p["steps"]) for p in paths)
    max_drugs = max(len(s) for p in paths for s in p["steps"])
    steps = np.full((len(paths), max_steps, max_drugs), -1, dtype=np.int64)
    for i, p in enumerate(paths):
        for j, s in enumerate(p["steps"]):
            for k, atc in enumerate(s):
                steps[i, j, k] = d.drug_id(atc)
    w = np.array([float(p["weight"]) for p in paths])
    return Pathways(w / w.sum(), steps, np.array([len(p["steps"]) for p in paths]))


@dataclass
class Regimens:
    """Treatment trajectories of a profile over drug keys (bit ``i`` of a mask = key ``i``).

    Keys are sorted by name, so that a mask's name joins its keys in sorted order."""

    keys: tuple[str, ...]
    key_drugs: np.ndarray  # (key, slot) -> drug id or -1
    key_counts: np.ndarray  # key -> number of drugs
    combinations: list[tuple[int, int]]  # (drug id, mask of the keys it supplies)
    combination_share: float
    weights: np.ndarray
    masks: np.ndarray  # (trajectory, step) -> mask, 0 for padding
    n_steps: np.ndarray
    names: np.ndarray  # mask -> "dpp4+metformin" ("none" for 0)
    drug_mask: dict[int, int]  # drug id -> mask of the keys it supplies


def compile_regimens(spec: dict[str, Any], drug_keys: dict[str, Any]) -> Regimens:
    """The trajectories of a ``drugs.regimens`` section (``drug_keys``: the section of
    ``conditions.yaml`` it names).

    Examples
    --------
    >>> keys = {"a": {"keys": {"metformin": ["A10BA02"], "dpp4": ["A10BH01"]},
    ...               "combinations": {"A10BD07": ["metformin", "dpp4"]}}}
    >>> r = compile_regimens({"keys": "a", "trajectories": [
    ...     {"weight": 1, "steps": [["metformin"], ["metformin", "dpp4"]]}]}, keys)
    >>> r.keys, r.masks.tolist(), r.names[3]
    (('dpp4', 'metformin'), [[2, 3]], 'dpp4+metformin')
    """
    d = drugs()
    name = spec["keys"]
    if name not in drug_keys:
        raise KeyError(f"drugs.regimens.keys {name!r} is not in drug_keys of conditions.yaml")
    conf = drug_keys[name]
    keys = tuple(sorted(conf["keys"]))
    bit = {k: 1 << i for i, k in enumerate(keys)}
    width = max(len(v) for v in conf["keys"].values())
    key_drugs = np.full((len(keys), width), -1, dtype=np.int64)
    drug_mask: dict[int, int] = {}
    for i, k in enumerate(keys):
        for j, atc in enumerate(conf["keys"][k]):
            key_drugs[i, j] = d.drug_id(atc)
            drug_mask[d.drug_id(atc)] = bit[k]
    combos = []
    for atc, members in (conf.get("combinations") or {}).items():
        mask = sum(bit[k] for k in members)
        combos.append((d.drug_id(atc), mask))
        drug_mask[d.drug_id(atc)] = mask
    trajs = spec["trajectories"]
    width = max(len(t["steps"]) for t in trajs)
    masks = np.zeros((len(trajs), width), dtype=np.int64)
    for i, t in enumerate(trajs):
        for j, step in enumerate(t["steps"]):
            unknown = sorted(set(step) - set(keys))
            if unknown:
                raise KeyError(f"regimen keys {unknown} are not in drug_keys {name!r}")
            masks[i, j] = sum(bit[k] for k in set(step))
            if j and masks[i, j] == masks[i, j - 1]:
                raise ValueError(f"trajectory {t['steps']}: two consecutive steps are equal")
    names = np.array(
        ["+".join(k for k in keys if m & bit[k]) or "none" for m in range(1 << len(keys))],
        dtype=object,
    )
    w = np.array([float(t["weight"]) for t in trajs])
    return Regimens(
        keys=keys,
        key_drugs=key_drugs,
        key_counts=(key_drugs >= 0).sum(axis=1),
        combinations=combos,
        combination_share=float(conf.get("combination_share", 0.0)),
        weights=w / w.sum(),
        masks=masks,
        n_steps=np.array([len(t["steps"]) for t in trajs], dtype=np.int64),
        names=names,
        drug_mask=drug_mask,
    )


BACKGROUND_BIOLOGY = {
    "1104": 0.3,
    "0552": 0.2,
    "0996": 0.15,
    "1208": 0.15,
    "0592": 0.12,
    "1610": 0.08,
}
BACKGROUND_ACTS = {"ZBQK002": 0.3, "DEQP003": 0.3, "LFQK001": 0.15, "MAQK003": 0.15, "QEQK004": 0.1}
BORDERLINE_STAY = [
    {"weight": 1, "dp": ["E119"], "dr": [], "da": [], "ghm": ["10M02T"], "acts": [], "los": [1, 4]}
]


def build_catalog(settings: Settings) -> Catalog:
    """Compile the code lists of a run.

    Examples
    --------
    >>> from snds_algos.synthetic.config import make_settings
    >>> cat = build_catalog(make_settings(10, 2020, 1))
    >>> "background" in cat.groups and "E119" in cat.icd.codes
    True
    """
    cat = Catalog()
    conf = settings.conditions
    for k, prof in enumerate(conf["profiles"]):
        if prof.get("stays"):
            cat.add_patterns(f"profile{k}", prof["stays"]["patterns"])
        for code in prof.get("acts", {}) or {}:
            cat.ccam.id(code)
        for code in prof.get("biology", {}) or {}:
            cat.bio.id(code)
        for code in (prof.get("associated") or {}).get("codes", []):
            cat.icd.id(code)
    cat.add_patterns("background", conf["background_stays"])
    cat.add_patterns("death", conf["death_stays"])
    cat.add_patterns("borderline", BORDERLINE_STAY)
    for code in conf["background_associated"]["codes"]:
        cat.icd.id(code)
    for code in BACKGROUND_BIOLOGY:
        cat.bio.id(code)
    for code in BACKGROUND_ACTS:
        cat.ccam.id(code)
    cat.freeze()
    return cat
