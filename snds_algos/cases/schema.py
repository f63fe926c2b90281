"""The schema of the case-definition language, read from ``definition_schema.yaml``.

One table of fields (type, default, the event kinds it applies to, the event columns
each kind reads) serves three readers: :func:`definition_problems` (the loader's
validation and ``snds-algos check``), the card cross-checks of the registry, and the
reference tables of the docs page "Writing a definition" (:func:`reference_tables`).

Every problem names the file, the criterion and the field, and suggests the closest
valid field for an unknown one (``min_date`` -> ``min_dates``).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from snds_algos._yaml import safe_load
from snds_algos.errors import SndsAlgosError


@cache
def definition_schema() -> dict[str, Any]:
    """The language of ``definition.yaml`` as data (``top``, ``parameter``, ``criterion``,
    ``kinds``, ``output``).

    Examples
    --------
    >>> schema = definition_schema()
    >>> schema["criterion"]["min_dates"]["type"], schema["criterion"]["min_dates"]["default"]
    ('integer', 1)
    >>> schema["kinds"]["ald"]["reads"]
    ['patient_id', 'category', 'value', 'group_id', 'start', 'end']
    """
    text = (resources.files("snds_algos.cases") / "definition_schema.yaml").read_text("utf-8")
    return safe_load(text)


@dataclass(frozen=True)
class DefinitionProblem:
    """One mistake of a definition: the file, where in it (``criteria.drugs.min_date``),
    and what is wrong."""

    file: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.message}"


class DefinitionError(SndsAlgosError, ValueError):
    """A ``definition.yaml`` does not follow the definition language; the message lists
    every problem with its file, criterion and field."""

    def __init__(self, problems: Sequence[DefinitionProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def _suggest(name: str, valid: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, list(valid), n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; valid: {', '.join(valid)}"


def describe_type(spec: Mapping[str, Any]) -> str:
    """A field's type in words (used in messages and in the docs tables).

    Examples
    --------
    >>> describe_type(definition_schema()["criterion"]["years"])
    'a list of integers'
    >>> describe_type(definition_schema()["criterion"]["positions"])
    'a list of DP, DR, DA'
    """
    kind = spec["type"]
    words = {
        "string": "a string",
        "boolean": "true or false",
        "integer": "an integer" + (f" >= {spec['min']}" if "min" in spec else ""),
        "integers": "a list of integers",
        "strings": "a list of strings",
        "code_list": "the name of a code list (codes/NAME.csv)",
        "mapping": "a mapping",
        "logic": "a criterion name or any / all / not",
        "target": "criterion.field or a list of them",
        "any": "any value",
    }
    if kind == "choice":
        text = "one of " + ", ".join(spec["choices"])
    elif kind == "choices":
        text = "a list of " + ", ".join(spec["choices"])
    else:
        text = words[kind]
    return text + (" or null" if spec.get("nullable") else "")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_int_text(value: Any) -> bool:
    """A quoted integer (``'-1'``), read as an integer."""
    return isinstance(value, str) and value.strip().lstrip("+-").isdigit()


def type_problem(spec: Mapping[str, Any], value: Any) -> str | None:
    """Why ``value`` is not of the field type ``spec`` (``None`` when it is).

    Examples
    --------
    >>> type_problem(definition_schema()["criterion"]["years"], "0, -1")
    "must be a list of integers, not the string '0, -1' (write [0, -1])"
    >>> type_problem(definition_schema()["criterion"]["years"], [0, -1]) is None
    True
    """
    if value is None:
        return (
            None
            if spec.get("nullable") or spec["type"] == "any"
            else (f"must be {describe_type(spec)}, not null")
        )
    kind = spec["type"]
    shown = f"the string {value!r}" if isinstance(value, str) else repr(value)
    expected = f"must be {describe_type(spec)}, not {shown}"
    if kind in ("string", "code_list"):
        return None if isinstance(value, str) and value.strip() else expected
    if kind == "boolean":
        return None if isinstance(value, bool) else expected
    if kind == "integer":
        if not _is_int(value):
            return expected
        if "min" in spec and value < spec["min"]:
            return f"must be >= {spec['min']}, not {value}"
        return None
    if kind in ("integers", "strings", "choices"):
        if not isinstance(value, list):
            if isinstance(value, str) and "," in value:
                return f"{expected} (write [{value}])"
            return f"{expected} (write [{value}])" if value != "" else expected
        if kind == "integers":
            bad = [v for v in value if not (_is_int(v) or _is_int_text(v))]
        elif kind == "strings":
            bad = [v for v in value if not isinstance(v, str | int) or isinstance(v, bool)]
        else:
            bad = [v for v in value if v not in spec["choices"]]
        return f"{expected} (offending items: {bad})" if bad else None
    if kind == "choice":
        return None if value in spec["choices"] else expected
    if kind == "mapping":
        return None if isinstance(value, Mapping) else expected
    return None


def _check_fields(
    out: list[DefinitionProblem],
    file: str,
    where: str,
    values: Any,
    fields: Mapping[str, Mapping[str, Any]],
) -> bool:
    """Unknown, missing and mistyped fields of a mapping; ``False`` when not a mapping."""
    if not isinstance(values, Mapping):
        out.append(DefinitionProblem(file, where, f"must be a mapping of fields, not {values!r}"))
        return False
    for name in values:
        if name not in fields:
            out.append(
                DefinitionProblem(
                    file, f"{where}.{name}", f"unknown field{_suggest(str(name), list(fields))}"
                )
            )
    for name, spec in fields.items():
        if name not in values:
            if spec.get("required"):
                out.append(DefinitionProblem(file, f"{where}.{name}", "required field missing"))
            continue
        problem = type_problem(spec, values[name])
        if problem:
            out.append(DefinitionProblem(file, f"{where}.{name}", problem))
        elif spec["type"] == "mapping" and "keys" in spec and values[name] is not None:
            _check_fields(out, file, f"{where}.{name}", values[name], spec["keys"])
    return True


def _logic_problems(
    out: list[DefinitionProblem], file: str, where: str, node: Any, names: list[str]
) -> None:
    if isinstance(node, str):
        if node not in names:
            out.append(
                DefinitionProblem(file, where, f"unknown criterion {node!r}{_suggest(node, names)}")
            )
        return
    if not isinstance(node, Mapping) or len(node) != 1:
        out.append(
            DefinitionProblem(
                file, where, f"must be a criterion name or one of any / all / not, not {node!r}"
            )
        )
        return
    ((op, arg),) = node.items()
    if op == "not":
        _logic_problems(out, file, f"{where}.not", arg, names)
    elif op in ("any", "all"):
        if not isinstance(arg, list) or not arg:
            out.append(DefinitionProblem(file, f"{where}.{op}", "must be a non-empty list"))
            return
        for i, child in enumerate(arg):
            _logic_problems(out, file, f"{where}.{op}[{i}]", child, names)
    else:
        out.append(
            DefinitionProblem(
                file,
                where,
                f"unknown logic operator {op!r}{_suggest(str(op), ['any', 'all', 'not'])}",
            )
        )


def code_list_names(criterion: Mapping[str, Any]) -> list[str]:
    """The code lists a criterion (a mapping of ``definition.yaml``) reads.

    Examples
    --------
    >>> code_list_names({"codes": "a", "exclude": "b", "with_same_stay": {"codes": "c"}})
    ['a', 'b', 'c']
    """
    names = [criterion.get(k) for k in ("codes", "exclude", "only")]
    same = criterion.get("with_same_stay")
    if isinstance(same, Mapping):
        names.append(same.get("codes"))
    return [n for n in names if isinstance(n, str)]


def definition_problems(
    doc: Any, file: str | Path = "definition.yaml", codes_dir: str | Path | None = None
) -> list[DefinitionProblem]:
    """Every mistake of a parsed ``definition.yaml`` (an empty list when it is valid).

    Checks the top-level keys, each criterion's fields (unknown field with the closest
    valid one, type, a field that does not apply to the criterion's event kind), the
    logic tree, each parameter (its ``target`` names an existing criterion and a field
    that applies to it, its ``default`` has that field's type) and, when ``codes_dir``
    is given, that every code list named exists as ``codes_dir/NAME.csv``.

    Examples
    --------
    >>> doc = {"id": "x", "criteria": {"drugs": {"events": "drug_dispensing",
    ...        "min_date": 3, "years": "0, -1"}}, "case": "drugs"}
    >>> for p in definition_problems(doc, "x/definition.yaml"):
    ...     print(p)
    x/definition.yaml: criteria.drugs.min_date: unknown field; did you mean 'min_dates'?
    x/definition.yaml: criteria.drugs.years: must be a list of integers, not the string '0, -1' (write [0, -1])
    """
    schema = definition_schema()
    file = str(file)
    out: list[DefinitionProblem] = []
    if not _check_fields(out, file, "(top level)", doc, schema["top"]):
        return out
    out = [DefinitionProblem(p.file, p.where.replace("(top level).", ""), p.message) for p in out]
    criteria = doc.get("criteria")
    criteria = criteria if isinstance(criteria, Mapping) else {}
    fields = schema["criterion"]
    for name, crit in criteria.items():
        where = f"criteria.{name}"
        if not _check_fields(out, file, where, crit, fields):
            continue
        kind = crit.get("events")
        if kind in schema["kinds"]:
            for field_name in crit:
                applies = fields.get(field_name, {}).get("kinds")
                if applies and kind not in applies:
                    out.append(
                        DefinitionProblem(
                            file,
                            f"{where}.{field_name}",
                            f"does not apply to events {kind} (it applies to: {', '.join(applies)})",
                        )
                    )
        if codes_dir is not None:
            for list_name in code_list_names(crit):
                csv_path = Path(codes_dir) / f"{list_name}.csv"
                if not csv_path.is_file():
                    found = sorted(p.stem for p in Path(codes_dir).glob("*.csv"))
                    hint = _suggest(list_name, found) if found else "; codes/ has no CSV file"
                    out.append(
                        DefinitionProblem(
                            file, where, f"code list {list_name!r} not found at {csv_path}{hint}"
                        )
                    )
    if "case" in doc:
        _logic_problems(out, file, "case", doc["case"], list(criteria))
    parameters = doc.get("parameters") or {}
    if isinstance(parameters, Mapping):
        for pname, param in parameters.items():
            where = f"parameters.{pname}"
            if not _check_fields(out, file, where, param, schema["parameter"]):
                continue
            targets = param.get("target")
            targets = [targets] if isinstance(targets, str) else targets
            if not isinstance(targets, list):
                if targets is not None:
                    out.append(
                        DefinitionProblem(
                            file,
                            f"{where}.target",
                            f"must be criterion.field or a list, not {targets!r}",
                        )
                    )
                continue
            for target in targets:
                crit_name, _, field_name = str(target).partition(".")
                if crit_name not in criteria:
                    out.append(
                        DefinitionProblem(
                            file,
                            f"{where}.target",
                            f"{target!r}: unknown criterion {crit_name!r}{_suggest(crit_name, list(criteria))}",
                        )
                    )
                    continue
                if field_name not in fields or field_name in ("events", "label"):
                    valid = [f for f in fields if f not in ("events", "label")]
                    out.append(
                        DefinitionProblem(
                            file,
                            f"{where}.target",
                            f"{target!r}: unknown field {field_name!r}{_suggest(field_name, valid)}",
                        )
                    )
                    continue
                applies = fields[field_name].get("kinds")
                kind = (
                    criteria[crit_name].get("events")
                    if isinstance(criteria[crit_name], Mapping)
                    else None
                )
                if applies and kind not in applies:
                    out.append(
                        DefinitionProblem(
                            file,
                            f"{where}.target",
                            f"{target!r}: criteria.{crit_name}.{field_name} does not apply to "
                            f"events {kind} (it applies to: {', '.join(applies)})",
                        )
                    )
                    continue
                problem = type_problem(fields[field_name], param.get("default"))
                if problem:
                    out.append(
                        DefinitionProblem(
                            file, f"{where}.default", f"targets {target}, which {problem}"
                        )
                    )
    return out


def check_definition(
    doc: Any, file: str | Path = "definition.yaml", codes_dir: str | Path | None = None
) -> None:
    """Raise :class:`DefinitionError` listing every problem of ``doc`` (none: returns).

    Examples
    --------
    >>> check_definition({"id": "x", "criteria": {"a": {"events": "ald"}}, "case": "b"}, "d.yaml")
    Traceback (most recent call last):
    ...
    snds_algos.cases.schema.DefinitionError: d.yaml: case: unknown criterion 'b'; valid: a
    """
    problems = definition_problems(doc, file, codes_dir)
    if problems:
        raise DefinitionError(problems)


def is_case_definition(doc: Any) -> bool:
    """Whether a parsed ``definition.yaml`` is an engine case definition (not a pathway
    or cohort definition, which have their own layouts).

    Examples
    --------
    >>> is_case_definition({"id": "x", "criteria": {}, "case": "a"}), is_case_definition({"name": "p"})
    (True, False)
    """
    if not isinstance(doc, Mapping):
        return False
    other_layouts = {"entry", "inclusion", "exit", "rule"}  # cohorts, hand-coded descriptions
    return "case" in doc or ("criteria" in doc and not other_layouts & set(doc))


def reference_tables() -> str:
    """The reference tables of the definition language, as MyST Markdown (for the docs).

    Examples
    --------
    >>> "| `min_dates` |" in reference_tables()
    True
    """
    schema = definition_schema()

    def default(spec: Mapping[str, Any]) -> str:
        if spec.get("required"):
            return "required"
        value = spec.get("default")
        import json

        return f"`{json.dumps(value)}`"

    def cell(text: Any) -> str:
        return " ".join(str(text).split()).replace("|", "\\|")

    lines = ["### Top-level keys", "", "| Key | Type | Default | Meaning |", "|---|---|---|---|"]
    for name, spec in schema["top"].items():
        lines.append(
            f"| `{name}` | {describe_type(spec)} | {default(spec)} | {cell(spec['description'])} |"
        )
    lines += ["", "### Criterion fields", ""]
    lines += ["| Field | Type | Default | Event kinds | Meaning |", "|---|---|---|---|---|"]
    for name, spec in schema["criterion"].items():
        kinds = ", ".join(spec.get("kinds", [])) or "all"
        lines.append(
            f"| `{name}` | {describe_type(spec)} | {default(spec)} | {kinds} | {cell(spec['description'])} |"
        )
    lines += ["", "### Event kinds: what each criterion reads", ""]
    lines += [
        "| `events:` | Events | Event columns read | Raw tables (columns the card must list) |"
    ]
    lines += ["|---|---|---|---|"]
    for name, spec in schema["kinds"].items():
        tables = "; ".join(f"{t} ({', '.join(c)})" for t, c in spec["tables"].items())
        reads = ", ".join(f"`{c}`" for c in spec["reads"])
        lines.append(f"| `{name}` | {cell(spec['description'])} | {reads} | {tables} |")
    lines += ["", "### Parameters", "", "| Key | Type | Default | Meaning |", "|---|---|---|---|"]
    for name, spec in schema["parameter"].items():
        lines.append(
            f"| `{name}` | {describe_type(spec)} | {default(spec)} | {cell(spec['description'])} |"
        )
    lines += ["", "### Output columns", "", "| Column | Meaning |", "|---|---|"]
    for name, text in schema["output"].items():
        lines.append(f"| `{name}` | {cell(text)} |")
    return "\n".join(lines) + "\n"
