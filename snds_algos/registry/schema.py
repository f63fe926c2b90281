"""Validation of algorithm cards against ``card.schema.json``.

The schema is a data file (JSON Schema, draft 2020-12 subset). It is checked here by a
small validator (no third-party dependency) that supports the keywords the schema
uses: ``type``, ``enum``, ``required``, ``properties``, ``additionalProperties``,
``items``, ``minItems``, ``uniqueItems``, ``minLength``, ``pattern``, ``minimum``,
``maximum``, ``format: date`` and local ``$ref``. Rules that JSON Schema cannot say
simply (a reviewed card needs reviewers, the history names the current version, an
ORCID checksum...) follow in :func:`card_problems`.

Every problem names the card file and the field, e.g.
``snds_algos/algorithms/diabetes/card.yaml: authors[0].orcid: ...``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from snds_algos.errors import SndsAlgosError

#: the lifecycle of an algorithm version, in order
STATUSES: tuple[str, ...] = ("draft", "under review", "reviewed", "validated", "deprecated")

#: statuses whose version must be released (fingerprint recorded, immutable)
FROZEN_STATUSES: frozenset[str] = frozenset({"reviewed", "validated", "deprecated"})

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z.-]+))?$")


class CardError(SndsAlgosError, ValueError):
    """A card does not meet the card schema.

    Attributes
    ----------
    source:
        The card file (or a description of where the card came from).
    problems:
        ``(field, message)`` pairs, one per problem found.
    """

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = [f"{source}: {field}: {message}" for field, message in self.problems]
        super().__init__(
            f"invalid algorithm card {source} ({len(lines)} problem(s)):\n  " + "\n  ".join(lines)
        )


@cache
def card_schema() -> dict[str, Any]:
    """The card JSON Schema as a dict.

    Examples
    --------
    >>> sorted(card_schema()["properties"])[:3]
    ['authors', 'code_lists', 'data']
    """
    text = resources.files("snds_algos.registry").joinpath("card.schema.json").read_text("utf-8")
    return json.loads(text)


def plain(value: Any) -> Any:
    """Turn YAML values into JSON values: dates become ISO strings, tuples lists.

    Examples
    --------
    >>> import datetime as dt
    >>> plain({"date": dt.date(2024, 1, 31), "n": (1, 2)})
    {'date': '2024-01-31', 'n': [1, 2]}
    """
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


def _type_ok(value: Any, name: str) -> bool:
    if name == "null":
        return value is None
    if name in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[name])


def _resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in schema:
        ref = schema["$ref"]
        if not ref.startswith("#/"):
            raise ValueError(f"only local $ref are supported, not {ref}")
        node: Any = root
        for part in ref[2:].split("/"):
            node = node[part]
        schema = node
    return schema


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def schema_problems(
    value: Any, schema: Mapping[str, Any] | None = None, path: str = ""
) -> list[tuple[str, str]]:
    """Check ``value`` against a JSON Schema (the card schema by default).

    Returns ``(field, message)`` pairs; an empty list means valid.

    Examples
    --------
    >>> schema_problems({"a": "x"}, {"type": "object", "required": ["b"],
    ...                               "properties": {"a": {"type": "integer"}}})
    [('(card)', "missing required field 'b'"), ('a', "expected integer, got string 'x'")]
    """
    root = card_schema() if schema is None else schema
    out: list[tuple[str, str]] = []
    _check(value, root, root, path, out)
    return out


def _describe(value: Any) -> str:
    kind = {dict: "object", list: "array", str: "string", bool: "boolean"}.get(
        type(value), type(value).__name__
    )
    shown = repr(value)
    return f"{kind} {shown[:60]}" if not isinstance(value, dict | list) else kind


def _check(
    value: Any,
    schema: Mapping[str, Any],
    root: Mapping[str, Any],
    path: str,
    out: list[tuple[str, str]],
) -> None:
    schema = _resolve(schema, root)
    where = path or "(card)"
    hint = f" ({schema['description']})" if "description" in schema else ""
    if "enum" in schema and value not in schema["enum"]:
        allowed = ", ".join(repr(v) for v in schema["enum"])
        out.append((where, f"{value!r} is not one of {allowed}"))
        return
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_type_ok(value, n) for n in names):
            out.append((where, f"expected {' or '.join(names)}, got {_describe(value)}{hint}"))
            return
    if isinstance(value, str):
        if len(value.strip()) < schema.get("minLength", 0):
            out.append((where, f"must have at least {schema['minLength']} characters{hint}"))
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append((where, f"{value!r} does not match {schema['pattern']}{hint}"))
        if schema.get("format") == "date":
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                out.append((where, f"{value!r} is not a date YYYY-MM-DD"))
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append((where, f"{value} is below the minimum {schema['minimum']}"))
        if "maximum" in schema and value > schema["maximum"]:
            out.append((where, f"{value} is above the maximum {schema['maximum']}"))
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            out.append((where, f"needs at least {schema['minItems']} item(s){hint}"))
        if schema.get("uniqueItems"):
            seen = [json.dumps(v, sort_keys=True) for v in value]
            if len(set(seen)) != len(seen):
                out.append((where, "items must be unique"))
        if "items" in schema:
            for i, item in enumerate(value):
                _check(item, schema["items"], root, _join(path, i), out)
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for key in schema.get("required", []):
            if key not in value:
                out.append((where, f"missing required field {key!r}"))
        for key, item in value.items():
            if key in props:
                _check(item, props[key], root, _join(path, key), out)
            elif schema.get("additionalProperties") is False:
                known = ", ".join(sorted(props))
                out.append((_join(path, key), f"unknown field (known fields: {known})"))


def parse_version(version: str) -> tuple[int, int, int, int, str]:
    """A sort key for a semantic version; a pre-release sorts before its release.

    Examples
    --------
    >>> parse_version("1.2.3") > parse_version("1.2.3-rc.1") > parse_version("1.2.2")
    True
    """
    match = _SEMVER.match(version)
    if not match:
        raise ValueError(f"{version!r} is not a semantic version MAJOR.MINOR.PATCH")
    major, minor, patch, pre = match.groups()
    return int(major), int(minor), int(patch), 0 if pre else 1, pre or ""


def orcid_checksum_ok(orcid: str) -> bool:
    """True when the last character of an ORCID iD is its ISO 7064 11,2 check digit.

    Examples
    --------
    >>> orcid_checksum_ok("0000-0002-1825-0097"), orcid_checksum_ok("0000-0002-1825-0098")
    (True, False)
    """
    digits = orcid.replace("-", "")
    if not re.fullmatch(r"\d{15}[\dX]", digits):
        return False
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _rule_problems(card: Mapping[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    status = card.get("status")
    for group in ("authors", "reviewers"):
        for i, person in enumerate(card.get(group) or []):
            orcid = person.get("orcid") if isinstance(person, dict) else None
            if (
                isinstance(orcid, str)
                and re.fullmatch(r"[\d-]{18}[\dX]", orcid)
                and not orcid_checksum_ok(orcid)
            ):
                out.append((f"{group}[{i}].orcid", f"{orcid!r} fails the ORCID checksum"))
    if status in ("reviewed", "validated", "deprecated"):
        scopes = {s for r in _dicts(card.get("reviewers")) for s in r.get("scope") or []}
        for needed in ("clinical", "code"):
            if needed not in scopes:
                out.append(
                    (
                        "reviewers",
                        f"status {status!r} needs a reviewer with scope {needed!r} "
                        "(clinical review of the definition and codes, and code review)",
                    )
                )
    if status == "validated":
        measured = [v for v in _dicts(card.get("validation")) if "ppv" in v or "sensitivity" in v]
        if not measured:
            out.append(
                (
                    "validation",
                    "status 'validated' needs a validation study with ppv or sensitivity",
                )
            )
    if status == "deprecated" and "deprecation" not in card:
        out.append(("deprecation", "status 'deprecated' needs deprecation.reason"))
    for i, study in enumerate(card.get("validation") or []):
        for measure in ("ppv", "sensitivity", "specificity", "npv"):
            est = study.get(measure) if isinstance(study, dict) else None
            if (
                isinstance(est, dict)
                and all(isinstance(est.get(k), int | float) for k in ("ci_low", "value", "ci_high"))
                and not est["ci_low"] <= est["value"] <= est["ci_high"]
            ):
                out.append((f"validation[{i}].{measure}", "needs ci_low <= value <= ci_high"))
    for group, key in (("parameters", "name"), ("code_lists", "name"), ("data", "table")):
        names = [item.get(key) for item in _dicts(card.get(group))]
        for name in {n for n in names if names.count(n) > 1}:
            out.append((group, f"{key} {name!r} appears more than once"))
    version = card.get("version")
    history = card.get("history") or []
    if (
        isinstance(version, str)
        and isinstance(history, list)
        and history
        and not any(h.get("version") == version for h in _dicts(history))
    ):
        out.append(("history", f"no entry for the card's version {version!r}"))
    return out


def card_problems(card: Any) -> list[tuple[str, str]]:
    """Every problem of a card: schema problems first, then the lifecycle rules.

    Examples
    --------
    >>> card_problems({"id": "x", "status": "done"})[-2:]
    [('id', "'x' does not match ^[a-z][a-z0-9_]{1,48}$ (lower-case identifier, letters, digits and underscores, e.g. diabetes)"), ('status', "'done' is not one of 'draft', 'under review', 'reviewed', 'validated', 'deprecated'")]
    """
    card = plain(card)
    problems = schema_problems(card)
    if isinstance(card, dict):
        problems += _rule_problems(card)
    return problems


def validate_card(card: Any, source: str = "card") -> dict[str, Any]:
    """Validate a card and return it as plain JSON values; raise :class:`CardError` if invalid.

    Examples
    --------
    >>> try:
    ...     validate_card({"id": "demo"}, "demo/card.yaml")
    ... except CardError as err:
    ...     print(err.problems[0])
    ('(card)', "missing required field 'title'")
    """
    problems = card_problems(card)
    if problems:
        raise CardError(source, problems)
    return plain(card)
