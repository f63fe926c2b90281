"""The flag structure of the cartography as data: ``flags.yaml``, its loader and checks.

Each flag is a CT_IND_AAAA_GN column: the algorithm outputs that give it (``from``), or
the flags whose union it is (``union``), with the CNAM's structural rules: a flag
``exclusive_of`` another (a person acute in N is not chronic in N) and a ``sex``
restriction (breast cancer of women). :func:`load_flags` reads and checks the file;
a mistake raises :class:`FlagsError` naming the file, the flag and the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from snds_algos._yaml import safe_load
from snds_algos.errors import SndsAlgosError

#: the status of a flag: its criteria and structure settled by a public source, or not
STATUSES = ("sourced", "to_verify")
_NAME = re.compile(r"^(TOP|SUP)_[A-Z0-9_]+$")
_FLAG_FIELDS = {
    "name", "label", "group", "from", "union", "exclusive_of", "sex", "sources", "status",
    "note", "planted",
}  # fmt: skip
_FROM_FIELDS = {"algorithm", "version", "output", "parameters"}


class FlagsError(SndsAlgosError, ValueError):
    """A cartography flag file that does not follow the structure (names the file, the
    flag and the field)."""

    def __init__(self, path: str, problems: Sequence[str]) -> None:
        self.path = path
        self.problems = list(problems)
        super().__init__(f"{path}: " + "; ".join(self.problems))


@dataclass(frozen=True)
class Output:
    """One algorithm output a flag reads: ``case``, or any of the listed criteria."""

    algorithm: str
    version: str
    output: str | tuple[str, ...] = "case"
    parameters: Mapping[str, Any] = field(default_factory=dict)

    @property
    def run_key(self) -> tuple[str, str, tuple[tuple[str, str], ...]]:
        """Outputs with the same key are read from one run of the algorithm."""
        params = tuple(sorted((k, repr(v)) for k, v in self.parameters.items()))
        return (self.algorithm, self.version, params)

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns of the algorithm's result this output reads (any of them)."""
        return (self.output,) if isinstance(self.output, str) else self.output


@dataclass(frozen=True)
class Flag:
    """One CT_IND column and how it is computed."""

    name: str
    label: str
    group: str
    sources: tuple[str, ...]
    status: str
    outputs: tuple[Output, ...] = ()
    union: tuple[str, ...] = ()
    exclusive_of: str | None = None
    sex: int | None = None
    note: str = ""
    planted: Mapping[str, Any] | None = None

    @property
    def structural(self) -> bool:
        """True when a structural rule (union, exclusivity, sex) shapes the flag."""
        return bool(self.union) or self.exclusive_of is not None or self.sex is not None


@dataclass(frozen=True)
class FlagSet:
    """The flags of a cartography, in evaluation order, with the sources they cite."""

    flags: tuple[Flag, ...]
    sources: Mapping[str, str]
    population: Mapping[str, Any]
    path: str = ""

    @property
    def names(self) -> list[str]:
        """The CT_IND column names, in order."""
        return [f.name for f in self.flags]

    def __getitem__(self, name: str) -> Flag:
        for f in self.flags:
            if f.name == name:
                return f
        raise KeyError(f"no cartography flag {name!r}; flags: {', '.join(self.names)}")

    def runs(self) -> list[Output]:
        """One :class:`Output` per distinct algorithm run (algorithm, version, parameters),
        in order of first use (its ``output`` is the first flag's; read ``run_key``)."""
        seen: dict[Any, Output] = {}
        for f in self.flags:
            for o in f.outputs:
                seen.setdefault(o.run_key, o)
        return list(seen.values())

    def select(self, names: Sequence[str]) -> FlagSet:
        """The flags ``names`` and every flag they depend on (unions, exclusivity).

        >>> sorted(load_flags().select(["SUP_CVIC_CAT"]).names)
        ['SUP_CVIC_CAT', 'TOP_CVIC_AIG', 'TOP_CVIC_CHR']
        """
        wanted: set[str] = set()

        def add(name: str) -> None:
            if name in wanted:
                return
            flag = self[name]
            wanted.add(name)
            for other in (*flag.union, *([flag.exclusive_of] if flag.exclusive_of else [])):
                add(other)

        for name in names:
            add(name.upper())
        flags = tuple(f for f in self.flags if f.name in wanted)
        return FlagSet(flags, self.sources, self.population, self.path)


def _problems_of_flag(
    i: int, spec: Any, earlier: set[str], sources: Mapping[str, str]
) -> tuple[list[str], Flag | None]:
    where = f"flags[{i}]"
    if not isinstance(spec, Mapping):
        return [f"{where}: a flag is a mapping, got {type(spec).__name__}"], None
    name = spec.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        return [f"{where}.name: {name!r} is not a CT_IND column name (TOP_... or SUP_..., upper case)"], None  # fmt: skip
    where = f"flag {name}"
    problems = [f"{where}: unknown field {k!r}" for k in spec if k not in _FLAG_FIELDS]
    if name in earlier:
        problems.append(f"{where}: listed twice")
    for key in ("label", "group"):
        if not isinstance(spec.get(key), str) or not spec.get(key):
            problems.append(f"{where}.{key}: missing (a text)")
    status = spec.get("status")
    if status not in STATUSES:
        problems.append(f"{where}.status: {status!r}, expected one of {', '.join(STATUSES)}")
    cited = spec.get("sources") or []
    if not cited:
        problems.append(f"{where}.sources: missing (keys of `sources`)")
    for key in cited:
        if key not in sources:
            problems.append(f"{where}.sources: unknown source {key!r} (known: {', '.join(sources)})")  # fmt: skip
    has_from, has_union = "from" in spec, "union" in spec
    if has_from == has_union:
        problems.append(f"{where}: give exactly one of `from` (algorithm outputs) or `union` (flags)")  # fmt: skip
    outputs: list[Output] = []
    for j, item in enumerate(spec.get("from") or []):
        at = f"{where}.from[{j}]"
        if not isinstance(item, Mapping):
            problems.append(f"{at}: a mapping with algorithm, version, output")
            continue
        problems += [f"{at}: unknown field {k!r}" for k in item if k not in _FROM_FIELDS]
        if not item.get("algorithm") or not item.get("version"):
            problems.append(f"{at}: algorithm and version are required")
            continue
        out = item.get("output", "case")
        if isinstance(out, list) and out and all(isinstance(c, str) for c in out):
            out = tuple(out)
        elif not isinstance(out, str):
            problems.append(f"{at}.output: `case` or a list of criterion names, got {out!r}")
            continue
        params = item.get("parameters") or {}
        if not isinstance(params, Mapping):
            problems.append(f"{at}.parameters: a mapping of parameter values")
            continue
        outputs.append(Output(str(item["algorithm"]), str(item["version"]), out, dict(params)))
    union = tuple(spec.get("union") or ())
    for other in union:
        if other not in earlier:
            problems.append(f"{where}.union: {other!r} is not a flag listed before it")
    if has_union and len(union) < 2:
        problems.append(f"{where}.union: at least two flags")
    excl = spec.get("exclusive_of")
    if excl is not None and excl not in earlier:
        problems.append(f"{where}.exclusive_of: {excl!r} is not a flag listed before it")
    sex = spec.get("sex")
    if sex is not None and sex not in (1, 2):
        problems.append(f"{where}.sex: 1 (men) or 2 (women), got {sex!r}")
    planted = spec.get("planted")
    if planted is not None and (
        not isinstance(planted, Mapping) or not isinstance(planted.get("conditions"), list)
    ):
        problems.append(f"{where}.planted: a mapping with a list of `conditions`")
    if problems:
        return problems, None
    flag = Flag(
        name=name,
        label=spec["label"],
        group=spec["group"],
        sources=tuple(cited),
        status=status,
        outputs=tuple(outputs),
        union=union,
        exclusive_of=excl,
        sex=sex,
        note=str(spec.get("note") or ""),
        planted=planted,
    )
    return [], flag


def flags_problems(doc: Any, path: str = "flags.yaml") -> tuple[list[str], FlagSet | None]:
    """The problems of a parsed flag file (empty when valid) and the flags it describes.

    >>> flags_problems({"sources": {"S2": "schema"}, "flags": [{"name": "TOP_X_IND"}]})[0][:2]
    ['flag TOP_X_IND.label: missing (a text)', 'flag TOP_X_IND.group: missing (a text)']
    """
    if not isinstance(doc, Mapping):
        return ["the file must be a mapping with `sources`, `population` and `flags`"], None
    sources = doc.get("sources") or {}
    problems = [f"unknown top-level field {k!r}" for k in doc if k not in ("sources", "population", "flags")]  # fmt: skip
    if not isinstance(sources, Mapping):
        return ["sources: a mapping of key -> citation"], None
    items = doc.get("flags")
    if not isinstance(items, list) or not items:
        return [*problems, "flags: a non-empty list of flags"], None
    flags: list[Flag] = []
    earlier: set[str] = set()
    for i, spec in enumerate(items):
        found, flag = _problems_of_flag(i, spec, earlier, sources)
        problems += found
        if isinstance(spec, Mapping) and isinstance(spec.get("name"), str):
            earlier.add(spec["name"])
        if flag is not None:
            flags.append(flag)
    runs: dict[str, set[str]] = {}
    for f in flags:
        for o in f.outputs:
            runs.setdefault(o.algorithm, set()).add(o.version)
    for algo, versions in runs.items():
        if len(versions) > 1:
            problems.append(f"algorithm {algo}: several versions {sorted(versions)} in one cartography")  # fmt: skip
    if problems:
        return problems, None
    return [], FlagSet(tuple(flags), dict(sources), dict(doc.get("population") or {}), path)


def default_flags_path() -> Path:
    """The packaged ``flags.yaml``."""
    return Path(str(resources.files("snds_algos.cartography") / "flags.yaml"))


def load_flags(path: str | Path | None = None, *, check_registry: bool = True) -> FlagSet:
    """Read and check a flag file (default: the packaged ``flags.yaml``).

    With ``check_registry`` (default) every algorithm version must be registered and
    every criterion an output names must exist in its definition.

    Examples
    --------
    >>> flags = load_flags()
    >>> flags["TOP_CVCORON_CHR"].exclusive_of, flags["SUP_CVIDMCOR_CAT"].union
    ('TOP_CVIDM_AIG', ('TOP_CVIDM_AIG', 'TOP_CVCORON_CHR'))
    >>> flags["TOP_CANSEIF_ACT"].sex, flags["TOP_FDIABET_IND"].outputs[0].algorithm
    (2, 'diabetes')
    """
    path = Path(path) if path is not None else default_flags_path()
    try:
        doc = safe_load(path.read_text(encoding="utf-8"))
    except Exception as exc:  # YAML syntax
        raise FlagsError(str(path), [f"not valid YAML: {exc}"]) from exc
    problems, flagset = flags_problems(doc, str(path))
    if not problems and check_registry:
        problems = registry_problems(flagset)
    if problems:
        raise FlagsError(str(path), problems)
    return flagset


def registry_problems(flagset: FlagSet) -> list[str]:
    """Algorithm versions that are not registered, criteria and parameters they lack."""
    import snds_algos

    problems = []
    for f in flagset.flags:
        for o in f.outputs:
            try:
                algo = snds_algos.get(o.algorithm, o.version)
            except KeyError as exc:
                problems.append(f"flag {f.name}.from: {exc.args[0]}")
                continue
            definition = run_definition_of(algo, {})
            unknown = set(o.parameters) - set(definition.parameters)
            if unknown:
                problems.append(
                    f"flag {f.name}.from: {o.algorithm} {o.version} has no parameter "
                    f"{sorted(unknown)} (known: {sorted(definition.parameters)})"
                )
                continue
            enabled = run_definition_of(algo, o.parameters).enabled()
            for col in o.columns:
                if col != "case" and col not in enabled:
                    problems.append(
                        f"flag {f.name}.from: {o.algorithm} {o.version} has no enabled "
                        f"criterion {col!r} (enabled: {', '.join(enabled)})"
                    )
    return problems


def run_definition_of(algo: Any, parameters: Mapping[str, Any]) -> Any:
    """The case definition of a registered algorithm with ``parameters`` applied."""
    from snds_algos.cases import load_definition

    path = getattr(algo, "path", None)
    if path is None or not (Path(path) / "definition.yaml").is_file():
        raise FlagsError("flags.yaml", [f"{algo.id} {algo.version} has no definition.yaml"])
    definition = load_definition(Path(path) / "definition.yaml")
    return definition.with_parameters(**parameters) if parameters else definition
