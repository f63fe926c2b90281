"""Sphinx extension of the snds-algos docs: pages generated at build time.

* ``algorithms/``: the algorithm catalogue, one page per built-in algorithm version,
  generated from its card by :func:`snds_algos.registry.algorithm_page`;
* ``tables/``: one page per table contract (columns, types, joins) and an SVG diagram
  of how the tables link, drawn here in Python (no system binary, no JavaScript).

Both folders are generated (git-ignored); a file is rewritten only when its content
changes, so incremental builds stay incremental.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DCIR_KEYS = (
    "FLX_DIS_DTD",
    "FLX_TRT_DTD",
    "FLX_EMT_TYP",
    "FLX_EMT_NUM",
    "FLX_EMT_ORD",
    "ORG_CLE_NUM",
    "DCT_ORD_NUM",
    "PRS_ORD_NUM",
    "REM_TYP_AFF",
)
#: PMSI fields: table prefix -> stay keys (all joins within one year)
PMSI_KEYS = {
    "T_MCO": ("ETA_NUM", "RSA_NUM"),
    "T_SSR": ("ETA_NUM", "RHA_NUM"),
    "T_HAD": ("ETA_NUM_EPMSI", "RHAD_NUM"),
    "T_RIP": ("ETA_NUM_EPMSI", "RIP_NUM"),
}
PATIENT = ("BEN_NIR_PSA", "BEN_RNG_GEM")


def _write(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _clean(folder: Path, keep: Iterable[str]) -> None:
    keep = set(keep)
    for path in folder.iterdir():
        if path.is_file() and path.name not in keep:
            path.unlink()


# --------------------------------------------------------------------------- joins
def joins() -> list[dict[str, Any]]:
    """Documented joins between contract tables: left, right, pairs of columns, note."""
    from snds_algos.contracts.model import get_contract, table_names

    names = set(table_names())
    out: list[dict[str, Any]] = []

    def add(left: str, right: str, pairs: list[tuple[str, str]], note: str) -> None:
        if left in names and right in names:
            lc, rc = get_contract(left), get_contract(right)
            pairs = [(a, b) for a, b in pairs if a in lc and b in rc]
            if pairs:
                out.append({"left": left, "right": right, "pairs": pairs, "note": note})

    for name in sorted(names):
        if name.startswith("ER_") and name != "ER_PRS_F":
            add(name, "ER_PRS_F", [(k, k) for k in DCIR_KEYS], "the 9 DCIR join keys")
    add("ER_PRS_F", "IR_BEN_R", [(k, k) for k in PATIENT], "beneficiary (NIR pseudonym and rank)")
    add("IR_IMB_R", "IR_BEN_R", [(k, k) for k in PATIENT], "beneficiary (NIR pseudonym and rank)")
    add(
        "ER_PHA_F",
        "IR_PHA_R",
        [("PHA_PRS_C13", "PHA_CIP_C13")],
        "CIP13 drug code -> ATC class, pack size",
    )
    add("KI_CCI_R", "IR_BEN_R", [("BEN_IDT_ANO", "BEN_IDT_ANO")], "person pseudonym")
    add("KI_ECD_R", "KI_CCI_R", [("DCD_IDT_ENC", "DCD_IDT_ENC")], "death certificate")
    for prefix, keys in PMSI_KEYS.items():
        hub = f"{prefix}aaC"
        add(
            hub,
            "IR_BEN_R",
            [("NIR_ANO_17", "BEN_NIR_PSA")],
            "patient: NIR_ANO_17 = BEN_NIR_PSA (no rank)",
        )
        for name in sorted(n for n in names if n.startswith(prefix + "aa") and n != hub):
            add(name, hub, [(k, k) for k in keys], "stay keys, within one PMSI year")
    return out


# --------------------------------------------------------------------------- diagram
_COLOURS = {"DCIR": "#dbeafe", "PMSI": "#dcfce7", "REF": "#fef3c7"}


def _group(table: str, product: str) -> str:
    if table.startswith("T_"):
        return "PMSI"
    if table.startswith("ER_"):
        return "DCIR"
    return "REF"


def diagram_svg() -> str:
    """An SVG of the contract tables and their joins (DCIR left, referentials middle, PMSI right)."""
    from snds_algos.contracts.model import get_contract, table_names

    names = list(table_names())
    links = joins()
    box_w, box_h, gap = 190, 40, 14
    cols: dict[int, list[str]] = {0: [], 1: [], 2: [], 3: [], 4: []}
    for name in names:
        if name.startswith("ER_"):
            cols[1 if name == "ER_PRS_F" else 0].append(name)
        elif name.startswith("IR_"):
            cols[2].append(name)
        elif name.startswith("T_") and name[5:] == "aaC":
            cols[3].append(name)
        elif name.startswith("T_"):
            cols[4].append(name)
        else:
            cols[2].append(name)
    # order PMSI details by field, and their hubs in the same order
    order = list(PMSI_KEYS)
    cols[4].sort(key=lambda n: (order.index(n[:5]) if n[:5] in order else 9, n))
    cols[3].sort(key=lambda n: (order.index(n[:5]) if n[:5] in order else 9, n))
    # DCIR details with a referential of their own (ER_PHA_F -> IR_PHA_R) go last, so that
    # their link runs below ER_PRS_F instead of through it
    own_ref = {"ER_PHA_F": "IR_PHA_R"}
    cols[0].sort(key=lambda n: (n in own_ref, n))
    row = box_h + gap
    pos: dict[str, tuple[float, float]] = {}
    xs = {0: 20, 1: 290, 2: 560, 3: 830, 4: 1100}
    for col in (0, 4):
        for i, name in enumerate(cols[col]):
            pos[name] = (xs[col], 60 + i * row)
    plain = [pos[n][1] for n in cols[0] if n not in own_ref] or [60.0]
    centre = sum(plain) / len(plain)
    for i, name in enumerate(cols[1]):
        pos[name] = (xs[1], centre + i * row)
    placed: set[float] = set()
    rest = [n for n in cols[2] if n not in own_ref.values()]
    for i, name in enumerate(sorted(rest, key=lambda n: (n != "IR_BEN_R", n))):
        pos[name] = (xs[2], centre + i * row)
        placed.add(centre + i * row)
    for detail, ref in own_ref.items():
        if ref in cols[2]:
            y = pos.get(detail, (0, centre + len(rest) * row))[1]
            pos[ref] = (xs[2], max(y, centre + len(rest) * row))
    for name in cols[3]:  # hubs at the middle of their details
        details = [n for n in cols[4] if n.startswith(name[:7])]
        ys = [pos[d][1] for d in details] or [60 + cols[3].index(name) * row]
        pos[name] = (xs[3], sum(ys) / len(ys))
    height = max(y for _, y in pos.values()) + box_h + 50
    width = xs[4] + box_w + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        "<title>How the SNDS tables link</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    for x, label in (
        (xs[0], "DCIR (out-of-hospital care)"),
        (xs[2], "Referentials"),
        (xs[3], "PMSI (hospital stays, yearly)"),
    ):
        parts.append(
            f'<text x="{x}" y="30" font-size="14" font-weight="bold">{html.escape(label)}</text>'
        )
    for link in links:
        (lx, ly), (rx, ry) = pos[link["left"]], pos[link["right"]]
        if lx > rx:  # draw from the left box's right edge to the right box's left edge
            (lx, ly), (rx, ry) = (rx, ry), (lx, ly)
        x1, y1, x2, y2 = lx + box_w, ly + box_h / 2, rx, ry + box_h / 2
        if x1 > x2:  # same column
            x1, x2 = lx + box_w / 2, rx + box_w / 2
        tip = "; ".join(a if a == b else f"{a} = {b}" for a, b in link["pairs"])
        parts.append(
            f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" stroke="#64748b" '
            f'stroke-width="1.2"><title>{html.escape(link["left"] + " - " + link["right"] + ": " + tip)}</title></line>'
        )
    for name, (x, y) in pos.items():
        contract = get_contract(name)
        colour = _COLOURS[_group(name, contract.product)]
        title = contract.title if len(contract.title) <= 30 else contract.title[:29] + "…"
        parts.append(
            f'<a href="{name}.html"><rect x="{x}" y="{y:.0f}" width="{box_w}" height="{box_h}" rx="6" '
            f'fill="{colour}" stroke="#475569"/>'
            f'<text x="{x + 8}" y="{y + 16:.0f}" font-weight="bold">{html.escape(name)}</text>'
            f'<text x="{x + 8}" y="{y + 31:.0f}" font-size="10" fill="#334155">{html.escape(title)}</text></a>'
        )
    legend_y = height - 22
    parts.append(
        f'<text x="{xs[0]}" y="{legend_y}" font-size="11" fill="#334155">'
        "DCIR detail tables join ER_PRS_F on the 9 DCIR keys; PMSI tables join their C table on the "
        "stay keys within one year, and the C table joins IR_BEN_R by NIR_ANO_17 = BEN_NIR_PSA.</text>"
    )
    parts.append(
        f'<text x="{xs[0]}" y="{legend_y + 14}" font-size="11" fill="#334155">'
        "Hover a line for its columns; click a table for its page.</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


# --------------------------------------------------------------------------- pages
def _cell(value: Any) -> str:
    from snds_algos.registry.render import cell

    return cell(value)


def table_page(name: str, links: list[dict[str, Any]]) -> str:
    """The page of one table contract."""
    from snds_algos.contracts.model import TYPES, get_contract

    c = get_contract(name)
    lines = [f"# {name}", "", f"**{_cell(c.title)}**", ""]
    facts = [
        ("Product", c.product),
        (
            "Yearly",
            f"yes: one table per PMSI year ({name.replace('aa', '19')} for 2019)"
            if c.yearly
            else "no",
        ),
        ("Key", ", ".join(c.key) if c.key else "none declared"),
        ("Columns", f"{len(c.columns)} documented, {len(c.required)} used by the library"),
        ("Source", c.source),
    ]
    lines += ["| | |", "|---|---|"] + [f"| {k} | {_cell(v)} |" for k, v in facts] + [""]
    mine = [j for j in links if name in (j["left"], j["right"])]
    lines += ["## Joins", ""]
    if mine:
        lines += ["| With | On | Note |", "|---|---|---|"]
        for j in mine:
            other = j["right"] if j["left"] == name else j["left"]
            pairs = j["pairs"] if j["left"] == name else [(b, a) for a, b in j["pairs"]]
            on = ", ".join(f"`{a}`" if a == b else f"`{a}` = `{other}.{b}`" for a, b in pairs)
            lines.append(f"| [{other}]({other}.md) | {on} | {_cell(j['note'])} |")
        lines.append("")
    else:
        lines += ["No join documented.", ""]
    lines += [
        "## Columns",
        "",
        "Types are the library's normalised types: "
        + "; ".join(f"`{k}`: {v}" for k, v in TYPES.items())
        + ".",
        "",
        "| Column | Type | Used | Nullable | Format | Description |",
        "|---|---|---|---|---|---|",
    ]
    for col in c.columns:
        fmt = []
        if col.zero_pad:
            fmt.append(f"zero-padded to {col.zero_pad}")
        if col.pattern:
            fmt.append(f"pattern `{col.pattern}`")
        if col.allowed:
            fmt.append("allowed: " + ", ".join(col.allowed))
        if col.raw_format:
            fmt.append(f"raw format {col.raw_format}")
        if col.sentinels:
            fmt.append("sentinels: " + ", ".join(col.sentinels))
        fmt_text = "; ".join(
            _cell(f) if not f.startswith("pattern") else f.replace("|", "\\|") for f in fmt
        )
        lines.append(
            f"| `{col.name}` | {col.type} | {'yes' if col.required else ''} | "
            f"{'yes' if col.nullable else 'no'} | {fmt_text} | {_cell(col.description)} |"
        )
    lines.append("")
    return "\n".join(lines)


def write_tables(folder: Path) -> list[str]:
    """Write ``tables/index.md``, one page per contract and the diagram; return the file names."""
    from snds_algos.contracts.model import get_contract, table_names

    folder.mkdir(parents=True, exist_ok=True)
    links = joins()
    names = list(table_names())
    by_product: dict[str, list[str]] = {}
    for name in names:
        by_product.setdefault(get_contract(name).product or "other", []).append(name)
    index = [
        "# SNDS tables",
        "",
        "One page per table contract of the library: the columns it documents, their "
        "normalised types, which ones the library uses, and how the table joins the others. "
        "Generated from the contracts in `snds_algos/contracts/tables/` at each docs build.",
        "",
        "The diagram links each table to the tables it joins (hover a line for its columns, "
        "click a table for its page; also as a file: {download}`snds_tables.svg`).",
        "",
        '<div style="overflow-x: auto">',
        "",
        "```{raw} html",
        diagram_svg(),
        "```",
        "",
        "</div>",
        "",
    ]
    for product, tables in sorted(by_product.items()):
        index += [f"## {product}", "", "| Table | Title | Key |", "|---|---|---|"]
        for name in tables:
            c = get_contract(name)
            index.append(f"| [{name}]({name}.md) | {_cell(c.title)} | {_cell(', '.join(c.key))} |")
        index.append("")
    index += ["```{toctree}", ":hidden:", "", *names, "```", ""]
    files = {"index.md": "\n".join(index), "snds_tables.svg": diagram_svg()}
    for name in names:
        files[f"{name}.md"] = table_page(name, links)
    for fname, text in files.items():
        _write(folder / fname, text)
    _clean(folder, files)
    return sorted(files)


def card_reference() -> str:
    """A page documenting every field of the card schema (``card.schema.json``)."""
    from snds_algos.registry import card_schema
    from snds_algos.registry.schema import STATUSES

    schema = card_schema()

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            node = schema["$defs"][node["$ref"].split("/")[-1]]
        return node

    def kind(node: dict[str, Any]) -> str:
        node = resolve(node)
        if "enum" in node:
            return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
        if node.get("type") == "array":
            items = resolve(node.get("items", {}))
            inner = "objects" if items.get("type") == "object" else kind(items)
            return f"list of {inner}"
        if node.get("format") == "date":
            return "date (YYYY-MM-DD)"
        return str(node.get("type", "any value"))

    def rows(node: dict[str, Any]) -> list[str]:
        node = resolve(node)
        required = set(node.get("required", []))
        out = []
        for name, sub in node.get("properties", {}).items():
            desc = resolve(sub).get("description", sub.get("description", ""))
            if "pattern" in resolve(sub) and not desc:
                desc = f"pattern `{resolve(sub)['pattern']}`"
            out.append(
                f"| `{name}` | {'yes' if name in required else ''} | {kind(sub)} | {_cell(desc)} |"
            )
        return out

    header = ["| Field | Required | Type | Notes |", "|---|---|---|---|"]
    lines = [
        "# The algorithm card",
        "",
        "Every algorithm version has a card, `card.yaml`, validated by `snds-algos check` "
        "against the JSON Schema `snds_algos/registry/card.schema.json`. Its page in the "
        "catalogue, `snds-algos show` and the release fingerprint are read from it. This page "
        "is generated from the schema.",
        "",
        "Rules beyond the schema: an ORCID must pass its checksum; a card with status "
        "`reviewed`, `validated` or `deprecated` names a reviewer with scope `clinical` and one "
        "with scope `code`; `validated` needs a validation study with PPV or sensitivity; "
        "`deprecated` needs `deprecation.reason`; confidence intervals contain their value; "
        "`history` has an entry for the card's version; names of parameters, code lists and "
        "tables are unique. Statuses, in order: " + ", ".join(f"`{s}`" for s in STATUSES) + ".",
        "",
        "## Top-level fields",
        "",
        *header,
        *rows(schema),
        "",
    ]
    for name, sub in schema["properties"].items():
        node = resolve(sub)
        if node.get("type") == "array":
            node = resolve(node.get("items", {}))
        if node.get("type") == "object" and node.get("properties"):
            lines += [f"## `{name}`", "", *header, *rows(node), ""]
            for inner_name, inner in node["properties"].items():
                if "$ref" in inner and resolve(inner).get("properties"):
                    lines += [f"### `{name}.{inner_name}`", "", *header, *rows(inner), ""]
    return "\n".join(lines)


def cartography_section() -> list[str]:
    """The catalogue's cartography table, generated from ``snds_algos/cartography/flags.yaml``."""
    from snds_algos.cartography.render import sources_list, structure_table

    return [
        "## The cartography in one run",
        "",
        "Every CT_IND_AAAA_GN flag the library computes in one run "
        "(`snds-algos cartography --year N`, {doc}`../user_guide/cartography`), generated "
        "from `snds_algos/cartography/flags.yaml`: the algorithm version and output that "
        "give each flag, the CNAM's structural rules (exclusive acute / chronic pairs, "
        "unions, breast cancer of women), the years each reads, its sources, and whether "
        "its criteria are settled by a public source (*sourced*) or still to verify.",
        "",
        structure_table(),
        "",
        "Sources:",
        "",
        sources_list(),
        "",
    ]


def write_catalogue(folder: Path, root: Path | None = None) -> list[str]:
    """Write ``algorithms/index.md`` and one page per built-in algorithm version.

    ``root`` is the folder of algorithm folders (default: the built-in ones).
    """
    from snds_algos.registry import algorithm_page, discover
    from snds_algos.registry.model import version_folder_name
    from snds_algos.registry.schema import STATUSES

    folder.mkdir(parents=True, exist_ok=True)
    registry = discover(root, entry_points=False)
    items = registry.sorted()
    latest: dict[str, Any] = {}
    for algo in items:
        latest[algo.id] = algo  # sorted oldest first: the last one wins

    def docname(algo: Any) -> str:
        return (
            algo.id if latest[algo.id] is algo else f"{algo.id}-{version_folder_name(algo.version)}"
        )

    files: dict[str, str] = {"card.md": card_reference()}
    for algo in items:
        others = [(o, docname(o)) for o in items if o.id == algo.id and o is not algo]
        files[f"{docname(algo)}.md"] = algorithm_page(algo, other_versions=others)
    index = [
        "# Algorithm catalogue",
        "",
        "Every algorithm of the library, one page each, generated from its card "
        "(`card.yaml`) at each docs build: the definition, the code lists with their "
        "vintage, the data needed, the references, the validation figures and the version "
        "history. The same card is what `snds-algos show ID` prints and what the code uses.",
        "",
        "Status of a version: " + " → ".join(f"*{s}*" for s in STATUSES) + ". Only reviewed "
        "and validated versions are released: their definition and code lists are frozen "
        "(see {doc}`../contributing`). Every field of a card is described in {doc}`card`.",
        "",
    ]
    if items:
        index += [
            "| Algorithm | Kind | Title | Latest version | Status | Domain |",
            "|---|---|---|---|---|---|",
        ]
        for algorithm_id, algo in sorted(latest.items()):
            index.append(
                f"| [{algorithm_id}]({algorithm_id}.md) | {algo.kind} | {_cell(algo.title)} | {algo.version} | "
                f"{algo.status} | {_cell(algo.card['domain'])} |"
            )
        index.append("")
        older = [a for a in items if latest[a.id] is not a]
        if older:
            index += ["Earlier versions kept for reproducibility:", ""]
            index += [f"- [{a.id} {a.version} ({a.status})]({docname(a)}.md)" for a in older]
            index.append("")
    else:
        index += [
            "No algorithm is registered yet. Propose one: see {doc}`../contributing` and the "
            "tutorial {doc}`../tutorials/contribute_an_algorithm`.",
            "",
        ]
    index += cartography_section()
    pages = sorted(f[:-3] for f in files if f != "card.md")
    index += ["```{toctree}", ":hidden:", "", *pages, "card", "```", ""]
    files["index.md"] = "\n".join(index)
    for fname, text in files.items():
        _write(folder / fname, text)
    _clean(folder, files)
    return sorted(files)


def generate(app: Any, config: Any = None) -> None:
    """Generate the catalogue and the table pages into the docs source folder."""
    src = Path(app.srcdir)
    write_catalogue(src / "algorithms")
    write_tables(src / "tables")


def setup(app: Any) -> dict[str, Any]:
    """Register the generation step (before Sphinx reads the sources)."""
    app.connect("config-inited", generate)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
