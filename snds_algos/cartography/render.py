"""The cartography structure as Markdown, for the docs' catalogue page: one table of every
flag of ``flags.yaml``, its algorithm and version, its rule, the years it reads, its
sources and whether it is sourced or to verify."""

from __future__ import annotations

from typing import Any

from snds_algos.cartography.structure import FlagSet, load_flags


def _span(offsets: set[int]) -> str:
    lo, hi = min(offsets), max(offsets)

    def year(k: int) -> str:
        return "N" if k == 0 else f"N{k:+d}"

    return year(lo) if lo == hi else f"{year(lo)} to {year(hi)}"


def years_read(definition: Any, columns: tuple[str, ...]) -> str:
    """The years the criteria behind ``columns`` read (``case``: every enabled one).

    >>> from snds_algos.cases import Criterion, Definition
    >>> d = Definition("x", {"a": Criterion("a", "ald"), "h": Criterion("h", "hospital_diagnosis",
    ...                      years=(0, -1, -2, -3, -4))}, {"any": ["a", "h"]})
    >>> years_read(d, ("case",))
    'ALD active in N; hospital diagnoses N-4 to N'
    """
    names = definition.enabled() if "case" in columns else list(columns)
    parts: dict[str, set[int]] = {}
    for name in names:
        crit = definition.criteria[name]
        if crit.events == "ald":
            parts.setdefault("ALD active in", set()).add(crit.active_in_year)
        else:
            label = {
                "drug_dispensing": "dispensings",
                "hospital_diagnosis": "hospital diagnoses",
                "hospital_stay": "MCO stays",
                "medical_act": "acts",
            }[crit.events]
            parts.setdefault(label, set()).update(crit.years)
    return "; ".join(f"{label} {_span(o)}" for label, o in parts.items())


def structure_table(flags: FlagSet | None = None) -> str:
    """One Markdown table row per flag (the docs' catalogue page).

    >>> print(structure_table(load_flags().select(["TOP_CVIDM_AIG"])).splitlines()[2])
    | TOP\\_CVIDM\\_AIG | Syndrome coronaire aigu | acute\\_coronary\\_syndrome 1.0.0 (case) | - | hospital diagnoses N | S1, S2 | sourced |
    """
    from snds_algos.cartography.run import run_definitions
    from snds_algos.registry.render import table

    flags = flags or load_flags()
    definitions = {o.run_key: d for o, d in run_definitions(flags)}
    rows = []
    for f in flags.flags:
        rules = []
        if f.union:
            rules.append("union of " + ", ".join(f.union))
        if f.exclusive_of:
            rules.append(f"not {f.exclusive_of}")
        if f.sex is not None:
            rules.append("women only" if f.sex == 2 else "men only")
        algos, years = [], []
        for o in f.outputs:
            what = "case" if o.output == "case" else ", ".join(o.columns)
            params = ", ".join(f"{k}={v}" for k, v in o.parameters.items())
            algos.append(f"{o.algorithm} {o.version} ({what}{'; ' + params if params else ''})")
            years.append(years_read(definitions[o.run_key], o.columns))
        rows.append(
            [
                f.name,
                f.label,
                " or ".join(algos) or "-",
                "; ".join(rules) or "-",
                " / ".join(dict.fromkeys(years)) or "-",
                ", ".join(f.sources),
                f.status.replace("_", " "),
            ]
        )
    header = ["Flag", "Label", "Algorithm (output)", "Rule", "Years read", "Sources", "Status"]
    return table(header, rows)


def sources_list(flags: FlagSet | None = None) -> str:
    """The sources the flags cite, as a Markdown list."""
    flags = flags or load_flags()
    return "\n".join(f"- **{k}** {v}" for k, v in flags.sources.items())
