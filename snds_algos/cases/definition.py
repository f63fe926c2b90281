"""Case definitions as data: criteria, parameters and the any / all / not logic tree.

The whole language (every field, its type and default, the event columns each
criterion reads) is ``definition_schema.yaml``, rendered in the docs page "Writing a
definition" (``docs/user_guide/writing_a_definition.md``).

YAML layout (see ``snds_algos/algorithms/diabetes/definition.yaml``)::

    id: diabetes
    parameters:
      ald_natures: {default: ["41", "43", "45"], target: ald.natures, description: ...}
    criteria:
      drugs:
        label: ...
        events: drug_dispensing      # drug_dispensing | ald | hospital_diagnosis
                                     # | hospital_stay | medical_act
        codes: a10_antidiabetics     # a code list of the algorithm (codes/NAME.csv)
        exclude: benfluorex          # optional code list removed from ``codes``
        years: [0, -1]               # reference year N + offset, each year on its own
        min_dates: 3                 # distinct care dates in one year
        min_dates_with_large_pack: 2
      ...
    case:
      all:
        - any: [drugs, ald, hospital]
        - not: sglt2_monotherapy
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from snds_algos._yaml import safe_load
from snds_algos.cases.schema import (
    DefinitionError,
    DefinitionProblem,
    code_list_names,
    definition_problems,
    definition_schema,
)
from snds_algos.codelists import read_codes

EVENT_KINDS = ("drug_dispensing", "ald", "hospital_diagnosis", "hospital_stay", "medical_act")
#: the criterion fields of the definition language (``definition_schema.yaml``)
_FIELDS = set(definition_schema()["criterion"])


@dataclass(frozen=True)
class Criterion:
    """One named criterion of a case definition.

    ``events`` says which events it reads; the other fields apply to that kind:

    * ``drug_dispensing``: ``codes`` (prefixes) minus ``exclude``; in each year of
      ``years`` on its own, at least ``min_dates`` distinct care dates, or
      ``min_dates_with_large_pack`` when one of that year's dispensings is a large pack.
      With ``only`` instead: met when every dispensing of ``codes`` minus ``exclude`` in
      the years is also in the code list ``only`` (e.g. SGLT2-inhibitor monotherapy).
    * ``ald``: ``codes``, exemption ``natures`` (or all but ``exclude_natures``), active
      during year N + ``active_in_year``; with ``start_years``, only ALDs that started in
      one of the years N + offset (e.g. ``[0, -1]``: a recent ALD).
    * ``hospital_diagnosis``: ``codes`` at ``positions`` (DP, DR, DA) and ``levels``
      (stay, unit) of stays ending in ``years``; ``with_same_stay`` (a mapping with
      ``codes`` and ``positions``) requires another diagnosis of the same stay.
    * ``hospital_stay``: stays whose GHM (the event value) is in ``codes``, ending in
      ``years``; at least ``min_dates`` distinct exit dates in one year of ``years``.
    * ``medical_act``: CCAM acts in ``codes`` dated in ``years``; at least ``min_dates``
      distinct act dates in one year of ``years``.
    """

    name: str
    events: str
    label: str = ""
    codes: str | None = None
    exclude: str | None = None
    how: str = "prefix"
    years: tuple[int, ...] = (0,)
    min_dates: int = 1
    min_dates_with_large_pack: int | None = None
    only: str | None = None
    natures: tuple[str, ...] | None = None
    exclude_natures: tuple[str, ...] = ()
    active_in_year: int = 0
    start_years: tuple[int, ...] | None = None
    positions: tuple[str, ...] = ("DP", "DR", "DA")
    levels: tuple[str, ...] = ("stay", "unit")
    with_same_stay: Mapping[str, Any] | None = None
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.events not in EVENT_KINDS:
            raise ValueError(
                f"criterion {self.name}: events must be one of {EVENT_KINDS}, not {self.events!r}"
            )
        if self.how not in ("prefix", "exact"):
            raise ValueError(f"criterion {self.name}: how must be 'prefix' or 'exact'")


@dataclass(frozen=True)
class Definition:
    """A case definition: criteria, the logic that combines them, and parameters."""

    id: str
    criteria: Mapping[str, Criterion]
    case: Any
    parameters: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    code_lists: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def with_parameters(self, **values: Any) -> Definition:
        """A copy with parameters set (each parameter targets ``criterion.field``, or a
        list of them: one value set on several criteria).

        >>> d = Definition("x", {"a": Criterion("a", "ald", natures=("41",))}, "a",
        ...                {"natures": {"default": ["41"], "target": "a.natures"}})
        >>> d.with_parameters(natures=["41", "43"]).criteria["a"].natures
        ('41', '43')
        >>> two = Definition("y", {"a": Criterion("a", "ald"), "b": Criterion("b", "ald")},
        ...                  {"any": ["a", "b"]},
        ...                  {"off": {"default": True, "target": ["a.enabled", "b.enabled"]}})
        >>> two.with_parameters(off=False).enabled()
        []
        """
        unknown = set(values) - set(self.parameters)
        if unknown:
            raise TypeError(
                f"{self.id}: unknown parameter(s) {sorted(unknown)}; "
                f"known: {sorted(self.parameters)}"
            )
        criteria = dict(self.criteria)
        for name, value in values.items():
            targets = self.parameters[name]["target"]
            if isinstance(self.parameters[name].get("default"), list) and isinstance(
                value, str | bytes | int | float
            ):
                from snds_algos.errors import ParameterError

                shown = f"the string {value!r}" if isinstance(value, str) else repr(value)
                raise ParameterError(name, f"expected a list (e.g. [{value!r}]), got {shown}")
            if isinstance(value, list | tuple | set | frozenset):
                value = tuple(
                    str(v) for v in (sorted(value) if isinstance(value, set | frozenset) else value)
                )
            for target in [targets] if isinstance(targets, str) else targets:
                crit_name, attr = target.split(".", 1)
                criteria[crit_name] = replace(criteria[crit_name], **{attr: value})
        return replace(self, criteria=criteria)

    def defaults(self) -> dict[str, Any]:
        """Default value of every parameter."""
        return {name: p.get("default") for name, p in self.parameters.items()}

    def enabled(self) -> list[str]:
        """Names of the criteria that are switched on."""
        return [n for n, c in self.criteria.items() if c.enabled]


def _criterion(name: str, spec: Mapping[str, Any]) -> Criterion:
    unknown = set(spec) - _FIELDS
    if unknown:
        raise ValueError(f"criterion {name}: unknown field(s) {sorted(unknown)}")
    values = dict(spec)
    for key in ("years", "start_years", "natures", "exclude_natures", "positions", "levels"):
        if key in values and values[key] is not None:
            as_int = key in ("years", "start_years")
            values[key] = tuple(int(v) if as_int else str(v) for v in values[key])
    return Criterion(name=name, **values)


def _check_logic(node: Any, names: set[str]) -> None:
    if isinstance(node, str):
        if node not in names:
            raise ValueError(f"logic refers to unknown criterion {node!r}")
        return
    if not isinstance(node, Mapping) or len(node) != 1:
        raise ValueError(f"logic node must be a criterion name or one of any/all/not: {node!r}")
    ((op, arg),) = node.items()
    if op == "not":
        _check_logic(arg, names)
    elif op in ("any", "all"):
        for child in arg:
            _check_logic(child, names)
    else:
        raise ValueError(f"unknown logic operator {op!r} (use any, all, not)")


def load_definition(
    path: str | Path, code_lists: Mapping[str, Sequence[str]] | None = None
) -> Definition:
    """Read a YAML definition; ``code_lists`` maps list names to codes.

    When ``code_lists`` is not given, lists are read from ``codes/NAME.csv`` beside the
    YAML file (column ``code``, :func:`snds_algos.codelists.read_codes`). The file is
    checked against the definition language first (:mod:`snds_algos.cases.schema`): a
    mistake raises :class:`~snds_algos.cases.schema.DefinitionError` naming the file, the
    criterion and the field (``criteria.drugs.min_date: unknown field; did you mean
    'min_dates'?``), and a code list whose header lacks ``code`` raises
    :class:`~snds_algos.codelists.CodeListError` naming the file and the columns found.

    Examples
    --------
    >>> from importlib import resources
    >>> path = resources.files("snds_algos.algorithms") / "diabetes" / "definition.yaml"
    >>> d = load_definition(path)
    >>> sorted(d.criteria)[:2], "E11" in d.code_lists["diabetes_icd10"]
    (['ald', 'drugs'], True)
    """
    path = Path(str(path))
    try:
        doc = safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        problem = DefinitionProblem(str(path), "(file)", f"not valid YAML: {exc}")
        raise DefinitionError([problem]) from exc
    problems = definition_problems(doc, path, None if code_lists else path.parent / "codes")
    if problems:
        raise DefinitionError(problems)
    criteria = {n: _criterion(n, s) for n, s in doc["criteria"].items()}
    _check_logic(doc["case"], set(criteria))
    lists = dict(code_lists or {})
    needed = set()
    for spec in doc["criteria"].values():
        needed.update(code_list_names(spec))
    for name in sorted(needed - set(lists)):
        lists[name] = read_codes(path.parent / "codes" / f"{name}.csv")
    definition = Definition(
        id=doc["id"],
        criteria=criteria,
        case=copy.deepcopy(doc["case"]),
        parameters=doc.get("parameters") or {},
        code_lists=lists,
    )
    return definition.with_parameters(**{k: v for k, v in definition.defaults().items()})


def to_yaml(definition: Definition) -> str:
    """The logic tree of a definition as YAML text (for cards and docs)."""
    return yaml.safe_dump({"case": definition.case}, sort_keys=False)
