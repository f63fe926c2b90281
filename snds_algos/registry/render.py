"""Render an algorithm card: the docs page (MyST Markdown) and the terminal summary.

The docs page of an algorithm is generated from the same card the code uses: a summary
table, the narrative ``docs.md``, the definition (in words, then as a tree when there
is a ``definition.yaml``), data needed, parameters, code lists as tables, references,
validation, known limits and the version history.

A ``definition.yaml`` is a tree of named criteria::

    criteria:
      drugs:   {label: Antidiabetic dispensings, source: ER_PHA_F, codes: antidiabetics, min_dates: 3}
      ald:     {label: Diabetes ALD, source: IR_IMB_R, codes: diabetes_icd10}
    rule:            # or "case:"
      any:
        - drugs
        - ald
        - all: [hospital_complication, {not: gestational}]

``any``, ``all`` and ``not`` nest freely; a leaf names a criterion (or is a criterion
written inline as a mapping). The renderer prints any other YAML as a nested list.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from snds_algos.registry.model import Algorithm, read_code_rows

_STATUS_COLOURS = {
    "draft": "secondary",
    "under review": "warning",
    "reviewed": "info",
    "validated": "success",
    "deprecated": "danger",
}

#: keys of ``definition.yaml`` that hold the rule tree, in order of preference
RULE_KEYS = ("rule", "case", "logic")

_OPERATORS = {"any": "any of", "all": "all of", "not": "not", "at_least": "at least"}


def cell(value: Any) -> str:
    """Escape a value for a Markdown table cell.

    Examples
    --------
    >>> cell("a|b *c*")
    'a\\\\|b \\\\*c\\\\*'
    """
    text = "" if value is None else str(value)
    text = re.sub(r"\s+", " ", text).strip()
    return re.sub(r"([\\|*_`<>\[\]$])", r"\\\1", text)


def table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """A Markdown table.

    Examples
    --------
    >>> print(table(["a", "b"], [[1, 2]]))
    | a | b |
    |---|---|
    | 1 | 2 |
    """
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _person(p: Mapping[str, Any]) -> str:
    text = cell(p["name"])
    if p.get("orcid"):
        text += f" [ORCID {p['orcid']}](https://orcid.org/{p['orcid']})"
    return f"{text} ({cell(p['affiliation'])})"


def _leaf(name: str, criteria: Mapping[str, Any]) -> str:
    crit = criteria.get(name)
    if isinstance(crit, Mapping):
        label = crit.get("label") or crit.get("description") or ""
        details = ", ".join(
            f"{k}: {_inline(v)}" for k, v in crit.items() if k not in ("label", "description")
        )
        text = f"**{cell(name)}**"
        if label:
            text += f": {cell(label)}"
        if details:
            text += f" ({details})"
        return text
    return f"**{cell(name)}**" + (f": {cell(crit)}" if crit else "")


def _inline(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_inline(v) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_inline(v)}" for k, v in value.items())
    return f"`{value}`" if isinstance(value, str) and value else cell(value)


def _tree(node: Any, criteria: Mapping[str, Any], depth: int) -> list[str]:
    pad = "  " * depth
    if isinstance(node, str):
        return [f"{pad}- {_leaf(node, criteria)}"]
    if isinstance(node, Mapping):
        ops = [k for k in node if k in _OPERATORS]
        if len(ops) == 1 and ops[0] != "at_least":
            op = ops[0]
            children = node[op] if isinstance(node[op], list) else [node[op]]
            lines = [f"{pad}- *{_OPERATORS[op]}*"]
            for child in children:
                lines += _tree(child, criteria, depth + 1)
            return lines
        if "at_least" in node and "of" in node:
            lines = [f"{pad}- *at least {cell(node['at_least'])} of*"]
            for child in node["of"]:
                lines += _tree(child, criteria, depth + 1)
            return lines
        if "name" in node:
            inline = {node["name"]: {k: v for k, v in node.items() if k != "name"}}
            return [f"{pad}- {_leaf(node['name'], inline)}"]
        lines = []
        for key, value in node.items():
            if isinstance(value, list) and not any(isinstance(v, Mapping | list) for v in value):
                lines.append(f"{pad}- **{cell(key)}**: {_inline(value) if value else '(none)'}")
            elif isinstance(value, Mapping | list):
                lines.append(f"{pad}- **{cell(key)}**")
                lines += _tree(value, criteria, depth + 1)
            elif key in ("label", "description", "note"):
                lines.append(f"{pad}- **{cell(key)}**: {cell(value)}")
            else:
                lines.append(f"{pad}- **{cell(key)}**: {_inline(value)}")
        return lines
    if isinstance(node, list):
        lines = []
        for item in node:
            lines += _tree(item, criteria, depth)
        return lines
    return [f"{pad}- {cell(node)}"]


def definition_tree(definition: Any) -> str:
    """A declarative definition as a readable nested Markdown list.

    Examples
    --------
    >>> print(definition_tree({"criteria": {"a": {"label": "A"}, "b": {"label": "B"}},
    ...                        "rule": {"any": ["a", {"not": "b"}]}}))
    A person is a case when (rule):
    <BLANKLINE>
    - *any of*
      - **a**: A
      - *not*
        - **b**: B
    """
    if definition is None:
        return ""
    rule_key = next(
        (k for k in RULE_KEYS if isinstance(definition, Mapping) and k in definition), None
    )
    if rule_key is None:
        return "\n".join(_tree(definition, {}, 0))
    criteria = definition.get("criteria") or {}
    lines = [f"A person is a case when ({rule_key}):", ""]
    lines += _tree(definition[rule_key], criteria, 0)
    used = set(re.findall(r"\*\*([^*]+)\*\*", "\n".join(lines)))
    unused = {k: v for k, v in criteria.items() if cell(k) not in used}
    if unused:
        lines += ["", "Criteria defined but not used in the rule:", ""]
        lines += _tree(list(unused), unused, 0)
    rest = {k: v for k, v in definition.items() if k not in (rule_key, "criteria", "id")}
    if rest:
        lines += ["", "Other settings of the definition:", ""]
        lines += _tree(rest, {}, 0)
    return "\n".join(lines)


def parse_bib(text: str) -> dict[str, dict[str, str]]:
    """A small BibTeX reader: key -> fields (braces removed).

    Examples
    --------
    >>> parse_bib("@article{k, title={A {B} c}, year = 2020}")["k"]["title"]
    'A B c'
    """
    entries: dict[str, dict[str, str]] = {}
    for match in re.finditer(r"@(\w+)\s*\{\s*([^,\s]+)\s*,", text):
        kind, key = match.group(1).lower(), match.group(2)
        depth, i = 1, match.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        body = text[match.end() : i - 1]
        fields = {"_type": kind}
        for fm in re.finditer(r"(\w+)\s*=\s*", body):
            start = fm.end()
            if start < len(body) and body[start] == "{":
                depth, j = 1, start + 1
                while j < len(body) and depth:
                    depth += {"{": 1, "}": -1}.get(body[j], 0)
                    j += 1
                value = body[start + 1 : j - 1]
            elif start < len(body) and body[start] == '"':
                j = body.find('"', start + 1)
                value = body[start + 1 : j]
            else:
                value = re.match(r"[^,}\s]*", body[start:]).group(0)  # type: ignore[union-attr]
            fields.setdefault(fm.group(1).lower(), re.sub(r"[{}]", "", " ".join(value.split())))
        entries[key] = fields
    return entries


def format_reference(key: str, fields: Mapping[str, str]) -> str:
    """One reference as a Markdown line.

    Examples
    --------
    >>> format_reference("k", {"author": "Doe, J. and Roe, R.", "title": "T", "year": "2020"})
    'Doe, J.; Roe, R. (2020). T. `[k]`'
    """
    authors = "; ".join(a.strip() for a in fields.get("author", "").split(" and ") if a.strip())
    parts = []
    head = cell(authors) if authors else ""
    if fields.get("year"):
        head += f" ({cell(fields['year'])})"
    if head:
        parts.append(head.strip())
    if fields.get("title"):
        parts.append(cell(fields["title"]))
    venue = (
        fields.get("journal")
        or fields.get("booktitle")
        or fields.get("publisher")
        or fields.get("institution")
    )
    if venue:
        extra = ", ".join(
            x for x in (fields.get("volume"), fields.get("number"), fields.get("pages")) if x
        )
        parts.append(f"*{cell(venue)}*" + (f", {cell(extra)}" if extra else ""))
    text = ". ".join(parts) + "."
    if fields.get("doi"):
        text += f" [doi:{fields['doi']}](https://doi.org/{fields['doi']})"
    elif fields.get("url"):
        text += f" <{fields['url']}>"
    return f"{text} `[{key}]`"


def _estimate(est: Mapping[str, Any] | None) -> str:
    if not est:
        return ""
    text = f"{est['value']:.1%}"
    if "ci_low" in est and "ci_high" in est:
        text += f" (95% CI {est['ci_low']:.1%} to {est['ci_high']:.1%})"
    if "n" in est:
        text += f", n = {est['n']}"
    return text


def _table_link(table_name: str, tables_prefix: str | None) -> str:
    if tables_prefix is None:
        return cell(table_name)
    from snds_algos.contracts.model import logical_name, table_names

    name, _ = logical_name(table_name)
    if name in table_names():
        return f"[{name}]({tables_prefix}{name}.md)"
    return cell(table_name)


def algorithm_page(
    algo: Algorithm,
    *,
    tables_prefix: str | None = "../tables/",
    other_versions: Iterable[tuple[Algorithm, str]] = (),
    max_codes: int = 500,
) -> str:
    """The MyST Markdown docs page of one algorithm version, generated from its card.

    ``tables_prefix`` links data tables to their contract pages (``None``: no links);
    ``other_versions`` lists ``(algorithm, docname)`` of the other versions.

    Examples
    --------
    >>> from snds_algos.registry import example_algorithm
    >>> page = algorithm_page(example_algorithm(), tables_prefix=None)
    >>> page.splitlines()[0]
    '# Demo (demo)'
    """
    card = algo.card
    lines: list[str] = [f"# {card['title']} ({card['id']})", ""]
    colour = _STATUS_COLOURS.get(card["status"], "secondary")
    lines += [
        f"{{bdg-{colour}}}`{card['status']}` {{bdg-primary}}`version {card['version']}` "
        f"{{bdg-light}}`{cell(card['domain'])}`",
        "",
    ]
    if card.get("deprecation"):
        dep = card["deprecation"]
        lines += ["```{warning}", f"Deprecated: {dep['reason']}"]
        if dep.get("replaced_by"):
            lines.append(f"Use `{dep['replaced_by']}` instead.")
        lines += ["```", ""]
    if card["status"] in ("draft", "under review"):
        lines += [
            "```{note}",
            f"This version is {card['status']}: it has not been reviewed and may still change.",
            "```",
            "",
        ]
    lines += [card["description"].strip(), ""]
    funding = "; ".join(
        ", ".join(
            x for x in (f.get("funder"), f.get("programme"), f.get("wave"), f.get("grant")) if x
        )
        for f in card["funding"]
    )
    summary = [
        ("Id", f"`{card['id']}`"),
        ("Kind", algo.kind),
        ("Version", card["version"]),
        ("Status", card["status"]),
        (
            "Kind",
            "cohort (returns a `Cohort`)"
            if card.get("kind") == "cohort"
            else "case identification",
        ),
        ("Medical domain", cell(card["domain"])),
        ("Authors", "; ".join(_person(p) for p in card["authors"])),
        (
            "Reviewers",
            "; ".join(f"{_person(p)}: {', '.join(p['scope'])}" for p in card["reviewers"])
            or "none yet",
        ),
        ("Funding", cell(funding) or "none declared"),
    ]
    if card.get("keywords"):
        summary.append(("Keywords", cell(", ".join(card["keywords"]))))
    if card.get("license"):
        summary.append(("Licence", cell(card["license"])))
    lines += ["| | |", "|---|---|"] + [f"| {k} | {v} |" for k, v in summary] + [""]
    lines += [
        "```python",
        "import snds_algos",
        "",
        f'algo = snds_algos.get("{card["id"]}", version="{card["version"]}")',
        "result = algo.run(...)  # see the parameters below",
        "```",
        "",
    ]
    if algo.path is not None and (algo.path / "docs.md").is_file():
        lines += [(algo.path / "docs.md").read_text(encoding="utf-8").strip(), ""]

    lines += ["## Definition", "", card["definition"].strip(), ""]
    if algo.definition is not None and algo.path is not None:
        from snds_algos.cases.schema import check_definition, is_case_definition

        if is_case_definition(algo.definition):  # a mistake fails the page, naming the field
            check_definition(algo.definition, algo.path / "definition.yaml", algo.path / "codes")
    if algo.definition is not None:
        lines += [
            "### Definition tree",
            "",
            "From `definition.yaml`:",
            "",
            definition_tree(algo.definition),
            "",
        ]
    if card.get("outputs"):
        lines += ["### Output", "", card["outputs"].strip(), ""]

    lines += ["## Data needed", ""]
    if card["data"]:
        lines += [
            "| Table | Columns | Note |",
            "|---|---|---|",
        ]
        for need in card["data"]:
            cols = ", ".join(f"`{c}`" for c in need["columns"])
            lines.append(
                f"| {_table_link(need['table'], tables_prefix)} | {cols} | {cell(need.get('note', ''))} |"
            )
        lines.append("")
    else:
        lines += ["No table declared.", ""]

    lines += ["## Parameters", ""]
    if card["parameters"]:
        rows = [
            (
                f"`{p['name']}`",
                cell(p["type"]),
                f"`{p['default']!r}`",
                cell(", ".join(map(str, p["allowed"]))) if p.get("allowed") else "",
                cell(p["description"]),
            )
            for p in card["parameters"]
        ]
        lines += ["| Name | Type | Default | Allowed | Description |", "|---|---|---|---|---|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows] + [""]
    else:
        lines += ["None.", ""]

    lines += ["## Code lists", ""]
    if not card["code_lists"]:
        lines += ["None.", ""]
    for meta in card["code_lists"]:
        lines += [f"### {meta['name']}", ""]
        info = [
            ("Terminology", meta["system"]),
            ("Vintage", meta["vintage"]),
            ("Matching", meta.get("match", "prefix")),
            ("File", meta["file"]),
        ]
        if meta.get("source"):
            info.append(("Source", meta["source"]))
        lines += [cell(meta["description"]), ""]
        lines += ["| | |", "|---|---|"] + [f"| {k} | {cell(v)} |" for k, v in info] + [""]
        rows = _code_rows(algo, meta)
        if rows:
            header = list(rows[0].keys())
            shown = rows[:max_codes]
            lines += [
                f":::{{dropdown}} {len(rows)} code(s)",
                ":open:" if len(rows) <= 20 else "",
                "",
                table(header, [[r.get(h, "") for h in header] for r in shown]),
                "",
            ]
            if len(rows) > max_codes:
                lines += [f"... and {len(rows) - max_codes} more (see `{meta['file']}`).", ""]
            lines += [":::", ""]

    lines += ["## References", ""]
    bib: dict[str, dict[str, str]] = {}
    if algo.path is not None and (algo.path / "references.bib").is_file():
        bib = parse_bib((algo.path / "references.bib").read_text(encoding="utf-8"))
    keys = list(card["references"])
    if keys:
        for key in keys:
            lines.append(f"- {format_reference(key, bib[key]) if key in bib else f'`[{key}]`'}")
        lines.append("")
    else:
        lines += ["None.", ""]

    lines += ["## Validation", ""]
    if card["validation"]:
        header = [
            "Reference standard",
            "Population",
            "Period",
            "PPV",
            "Sensitivity",
            "Other",
            "Source",
        ]
        rows = []
        for v in card["validation"]:
            other = "; ".join(
                f"{m}: {_estimate(v.get(m))}" for m in ("specificity", "npv") if v.get(m)
            )
            if v.get("notes"):
                other = f"{other}; {v['notes']}" if other else v["notes"]
            rows.append(
                [
                    v["reference_standard"],
                    v["population"],
                    v["period"],
                    _estimate(v.get("ppv")),
                    _estimate(v.get("sensitivity")),
                    other,
                    v.get("reference", ""),
                ]
            )
        lines += [table(header, rows), ""]
    else:
        lines += ["No validation study yet.", ""]

    lines += ["## Known limits", ""]
    lines += [f"- {cell(limit)}" for limit in card["limits"]] or ["None stated."]
    lines.append("")

    lines += ["## Version history", ""]
    lines += [
        table(
            ["Version", "Date", "Status", "Changes"],
            [[h["version"], h["date"], h.get("status", ""), h["changes"]] for h in card["history"]],
        ),
        "",
    ]
    others = list(other_versions)
    if others:
        lines += ["Other versions kept in the library:", ""]
        lines += [f"- [{o.version} ({o.status})]({doc}.md)" for o, doc in others]
        lines.append("")
    return "\n".join(lines)


def _code_rows(algo: Algorithm, meta: Mapping[str, Any]) -> list[dict[str, str]]:
    if algo.path is not None:
        file = Path(algo.path) / meta["file"]
        return read_code_rows(file) if file.is_file() else []
    frame = algo.code_lists.get(meta["name"])
    if frame is None:
        return []
    return [{k: str(v) for k, v in r.items()} for r in frame.to_dict("records")]


def summary_text(algo: Algorithm) -> str:
    """A plain-text summary of a card for the terminal (``snds-algos show``).

    Examples
    --------
    >>> from snds_algos.registry import example_algorithm
    >>> print(summary_text(example_algorithm()).splitlines()[0])
    demo 0.1.0 (draft): Demo
    """
    card = algo.card
    out = [f"{algo.id} {algo.version} ({algo.status}): {algo.title}", ""]
    out.append(f"kind:      {algo.kind}")
    out.append(f"domain:    {card['domain']}")
    out.append(
        "authors:   " + "; ".join(f"{p['name']} ({p['affiliation']})" for p in card["authors"])
    )
    reviewers = "; ".join(f"{p['name']} [{', '.join(p['scope'])}]" for p in card["reviewers"])
    out.append(f"reviewers: {reviewers or 'none yet'}")
    funding = "; ".join(", ".join(str(v) for v in f.values()) for f in card["funding"])
    out.append(f"funding:   {funding or 'none declared'}")
    out.append(f"source:    {algo.source}" + (f" ({algo.path})" if algo.path else ""))
    for name in ("description", "definition"):
        paragraphs = [p for p in re.split(r"\n\s*\n", card[name].strip()) if p.strip()]
        out += ["", f"{name}:"]
        out += [
            textwrap.fill(" ".join(p.split()), 96, initial_indent="  ", subsequent_indent="  ")
            for p in paragraphs
        ]
    if card["data"]:
        out += ["", "data:"] + [f"  {d['table']}: {', '.join(d['columns'])}" for d in card["data"]]
    if card["parameters"]:
        out += ["", "parameters:"] + [
            f"  {p['name']} = {p['default']!r} ({p['type']}): {p['description']}"
            for p in card["parameters"]
        ]
    if card["code_lists"]:
        out += ["", "code lists:"] + [
            f"  {c['name']}: {c['system']}, {c['vintage']} ({c['file']})"
            for c in card["code_lists"]
        ]
    if card["validation"]:
        out += ["", "validation:"]
        for v in card["validation"]:
            figures = ", ".join(
                f"{m} {_estimate(v[m])}" for m in ("ppv", "sensitivity") if v.get(m)
            )
            out.append(
                f"  {v['reference_standard']}, {v['population']}, {v['period']}: {figures or 'no figures'}"
            )
    if card["limits"]:
        out += ["", "known limits:"] + [f"  - {x}" for x in card["limits"]]
    out += ["", "history:"] + [
        f"  {h['version']} ({h['date']}): {h['changes']}" for h in card["history"]
    ]
    return "\n".join(out)
