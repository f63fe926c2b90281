"""A pathway definition a reviewer can read: drug keys with their code list, the exposure
strategy and its parameters, the adherence threshold and the parameters of the states,
lines and sequences, in a YAML file beside its code list (CSV ``code,key,label``).

Layout of the YAML file (every section but ``name`` and ``keys`` optional; defaults are
the library's)::

    name: antidiabetic
    title: Antidiabetic treatment pathways
    description: ...
    atc_vintage: WHO ATC/DDD Index 2024
    keys:
      file: codes/antidiabetic_keys.csv   # relative to the YAML file
    exposure: {strategy: carryover, grace_days: 15, boxes_mode: count, max_boxes: 10,
               hospital_mode: pause, pack_days_file: null}
    adherence: {threshold: 0.8, min_dispensings: 2}
    states: {combination_min_days: 30, discontinuation_gap_days: 60}
    lines: {regimen_window_days: 28, line_gap_days: 180}
    sequences: {bin_days: 30}

Shipped definitions live with their registered algorithm, beside their code list
(``snds_algos/algorithms/NAME_pathways/definition.yaml``):
``load_pathway_definition("antidiabetic")`` reads the antidiabetic one (the algorithm
``antidiabetic_pathways``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from snds_algos._yaml import safe_load
from snds_algos.pathways.exposure import HOSPITAL_MODES, STRATEGIES
from snds_algos.pathways.keys import key_mapping

#: the folder of the built-in algorithms (a shipped definition NAME is the file
#: ``NAME_pathways/definition.yaml`` there; only the file is read, nothing is imported)
PACKAGED = Path(__file__).parents[1] / "algorithms"

_SECTIONS: dict[str, dict[str, Any]] = {
    "exposure": {
        "strategy": "carryover",
        "grace_days": 15,
        "boxes_mode": "count",
        "max_boxes": 10,
        "hospital_mode": "ignore",
        "pack_days_file": None,
        "scalpel3_end": "purchase_count_based",
    },
    "adherence": {"threshold": 0.8, "min_dispensings": 2},
    "states": {"combination_min_days": 30, "discontinuation_gap_days": 60},
    "lines": {"regimen_window_days": 28, "line_gap_days": 180, "line_exempt_keys": []},
    "sequences": {"bin_days": 30},
}
_TOP = {"name", "title", "description", "atc_vintage", "keys", *_SECTIONS}


class DefinitionError(ValueError):
    """A pathway definition file is invalid (the message names the file and the field)."""


@dataclass(frozen=True)
class PathwayDefinition:
    """A loaded pathway definition (see :func:`load_pathway_definition`).

    Examples
    --------
    >>> d = load_pathway_definition("antidiabetic")
    >>> d.strategy, d.grace_days, d.bin_days, "metformin" in d.keys
    ('carryover', 15, 30, True)
    """

    name: str
    title: str
    description: str
    atc_vintage: str
    codes: Any  # pandas: code, key, label
    strategy: str = "carryover"
    grace_days: int = 15
    boxes_mode: str = "count"
    max_boxes: int | None = 10
    hospital_mode: str = "ignore"
    pack_days_file: Path | None = None
    scalpel3_end: str = "purchase_count_based"
    adherence_threshold: float = 0.8
    min_dispensings: int = 2
    combination_min_days: int = 30
    discontinuation_gap_days: int = 60
    regimen_window_days: int = 28
    line_gap_days: int = 180
    line_exempt_keys: tuple[str, ...] = ()
    bin_days: int = 30
    path: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def keys(self) -> list[str]:
        """The drug keys, in the order of the code list."""
        return list(dict.fromkeys(self.codes["key"].tolist()))

    @property
    def mapping(self) -> Any:
        """The ``code, key`` table to pass as ``key=`` to the pathway functions."""
        return key_mapping(self.codes)

    def exposure_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of :func:`~snds_algos.pathways.exposure.exposure_periods` (add
        ``stays=`` when ``hospital_mode`` is ``"pause"``).

        >>> sorted(load_pathway_definition("antidiabetic").exposure_kwargs())
        ['boxes_mode', 'grace_days', 'hospital_mode', 'key', 'max_boxes', 'pack_days', 'scalpel3_end', 'strategy']
        """
        return {
            "key": self.mapping,
            "strategy": self.strategy,
            "grace_days": self.grace_days,
            "boxes_mode": self.boxes_mode,
            "max_boxes": self.max_boxes,
            "hospital_mode": self.hospital_mode,
            "pack_days": None if self.pack_days_file is None else str(self.pack_days_file),
            "scalpel3_end": self.scalpel3_end,
        }


def _fail(path: Path, where: str, problem: str) -> DefinitionError:
    return DefinitionError(f"{path}: {where}: {problem}")


def load_pathway_definition(path: str | os.PathLike) -> PathwayDefinition:
    """Read a pathway definition YAML file (or a packaged one by name).

    Raises :class:`DefinitionError` naming the file and the field when a field is
    unknown, missing or invalid, or the code list lacks ``code, key, label``.

    Examples
    --------
    >>> d = load_pathway_definition("antidiabetic")
    >>> sorted(d.codes.loc[d.codes["code"] == "A10BD07", "key"])
    ['dpp4', 'metformin']
    """
    import pandas as pd

    p = Path(path)
    shipped = PACKAGED / f"{path}_pathways" / "definition.yaml"
    if not p.exists() and shipped.exists():
        p = shipped
    if not p.exists():
        raise FileNotFoundError(f"pathway definition not found: {path}")
    raw = safe_load(p.read_text(encoding="utf-8")) or {}
    if not isinstance(raw, dict):
        raise _fail(p, "top level", "expected a mapping")
    unknown = sorted(set(raw) - _TOP)
    if unknown:
        raise _fail(p, ", ".join(unknown), f"unknown field(s); expected some of {sorted(_TOP)}")
    for required in ("name", "keys"):
        if required not in raw:
            raise _fail(p, required, "missing")
    keys = raw["keys"]
    if not isinstance(keys, dict) or "file" not in keys:
        raise _fail(p, "keys", "expected {file: path of the code list (code,key,label)}")
    codes_path = (p.parent / keys["file"]).resolve()
    if not codes_path.exists():
        raise _fail(p, "keys.file", f"file not found: {codes_path}")
    codes = pd.read_csv(codes_path, dtype=str, keep_default_na=False, comment="#")
    missing = [c for c in ("code", "key", "label") if c not in codes.columns]
    if missing:
        raise _fail(p, "keys.file", f"{codes_path.name} lacks column(s) {', '.join(missing)}")
    values: dict[str, Any] = {}
    for section, defaults in _SECTIONS.items():
        given = raw.get(section) or {}
        if not isinstance(given, dict):
            raise _fail(p, section, "expected a mapping")
        bad = sorted(set(given) - set(defaults))
        if bad:
            raise _fail(p, f"{section}.{bad[0]}", f"unknown; expected some of {sorted(defaults)}")
        values.update({**defaults, **given})
    if values["strategy"] not in STRATEGIES:
        raise _fail(p, "exposure.strategy", f"{values['strategy']!r} not in {STRATEGIES}")
    if values["hospital_mode"] not in HOSPITAL_MODES:
        raise _fail(
            p, "exposure.hospital_mode", f"{values['hospital_mode']!r} not in {HOSPITAL_MODES}"
        )
    for name in ("grace_days", "min_dispensings", "combination_min_days", "discontinuation_gap_days",
                 "regimen_window_days", "line_gap_days", "bin_days"):  # fmt: skip
        if not isinstance(values[name], int) or isinstance(values[name], bool) or values[name] < 0:
            raise _fail(p, name, f"expected a non-negative integer, got {values[name]!r}")
    if not 0 <= float(values["threshold"]) <= 1:
        raise _fail(
            p, "adherence.threshold", f"expected a number in [0, 1], got {values['threshold']!r}"
        )
    pack = values.pop("pack_days_file")
    threshold = float(values.pop("threshold"))
    exempt = tuple(values.pop("line_exempt_keys") or ())
    return PathwayDefinition(
        name=str(raw["name"]),
        title=str(raw.get("title", raw["name"])),
        description=str(raw.get("description", "")).strip(),
        atc_vintage=str(raw.get("atc_vintage", "")),
        codes=codes,
        pack_days_file=None if pack is None else (p.parent / pack).resolve(),
        adherence_threshold=threshold,
        line_exempt_keys=exempt,
        path=p,
        **values,
    )
