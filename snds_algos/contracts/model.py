"""The table contract model: one description per SNDS table, read from YAML data files.

A contract lists the documented columns of a table with their normalised type, says
which ones the library uses (``required``), which may not be null, and the code
formats that data checks enforce. The same description yields the pandas and the
Spark validation (see :mod:`snds_algos.contracts.validate`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from snds_algos._yaml import safe_load

#: contract types and what they mean
TYPES = {
    "string": "text kept as is (identifiers, FINESS numbers, free codes)",
    "code": "code held as a string; integer codes in canonical decimal form ('01' -> '1')",
    "date": "calendar date (raw SNDS formats parsed, sentinels such as 1600-01-01 kept)",
    "integer": "whole number (64-bit)",
    "number": "decimal number (64-bit float)",
}

#: column added by the loader to yearly PMSI tables (T_MCO19B -> PMSI_YEAR = 2019)
YEAR_COLUMN = "PMSI_YEAR"


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a table contract."""

    name: str
    type: str
    required: bool = False
    nullable: bool = True
    description: str = ""
    zero_pad: int = 0
    pattern: str | None = None
    allowed: tuple[str, ...] | None = None
    raw_format: str | None = None
    sentinels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"column {self.name}: unknown contract type {self.type!r}")
        if self.pattern is not None:
            re.compile(self.pattern)


@dataclass(frozen=True)
class TableContract:
    """The contract of one SNDS table (a yearly PMSI table is described once, as ``T_MCOaaB``)."""

    table: str
    title: str
    product: str
    yearly: bool
    key: tuple[str, ...]
    source: str
    columns: tuple[ColumnSpec, ...] = field(repr=False)

    def __getitem__(self, name: str) -> ColumnSpec:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.table} has no column {name}")

    def __contains__(self, name: object) -> bool:
        return any(col.name == name for col in self.columns)

    @property
    def names(self) -> list[str]:
        """All documented column names."""
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        """Columns the library uses."""
        return [c.name for c in self.columns if c.required]

    def get(self, name: str) -> ColumnSpec | None:
        """The spec of ``name``, or ``None`` for an undocumented column."""
        return next((c for c in self.columns if c.name == name), None)


@cache
def _read(table: str) -> TableContract:
    path = resources.files("snds_algos.contracts").joinpath("tables", f"{table}.yaml")
    if not path.is_file():
        raise KeyError(f"no contract for table {table}; known tables: {', '.join(table_names())}")
    doc = safe_load(path.read_text(encoding="utf-8"))
    cols = tuple(
        ColumnSpec(
            name=c["name"],
            type=c["type"],
            required=bool(c.get("required", False)),
            nullable=bool(c.get("nullable", True)),
            description=c.get("description", ""),
            zero_pad=int(c.get("zero_pad", 0)),
            pattern=c.get("pattern"),
            allowed=tuple(c["allowed"]) if c.get("allowed") else None,
            raw_format=c.get("raw_format"),
            sentinels=tuple(c.get("sentinels", ())),
        )
        for c in doc["columns"]
    )
    return TableContract(
        table=doc["table"],
        title=doc.get("title", table),
        product=doc.get("product", ""),
        yearly=bool(doc.get("yearly", False)),
        key=tuple(doc.get("key") or ()),
        source=doc.get("source", ""),
        columns=cols,
    )


@cache
def table_names() -> tuple[str, ...]:
    """Names of every table that has a contract (yearly PMSI tables as ``T_MCOaaB``)."""
    folder = resources.files("snds_algos.contracts").joinpath("tables")
    return tuple(sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml")))


_YEARLY = re.compile(r"^(T_(?:MCO|SSR|HAD|RIP))(\d{2})([A-Z]+)$")
_LOGICAL = re.compile(r"^(T_(?:MCO|SSR|HAD|RIP))AA([A-Z]+)$")


def logical_name(table: str) -> tuple[str, int | None]:
    """Map a physical table name to its contract name and PMSI year.

    >>> logical_name("T_MCO19B")
    ('T_MCOaaB', 2019)
    >>> logical_name("ER_PRS_F")
    ('ER_PRS_F', None)
    """
    upper = table.upper()
    match = _YEARLY.match(upper)
    if match:
        prefix, yy, suffix = match.groups()
        return f"{prefix}aa{suffix}", 2000 + int(yy)
    match = _LOGICAL.match(upper)
    if match:
        return f"{match.group(1)}aa{match.group(2)}", None
    return upper, None


def physical_name(table: str, year: int) -> str:
    """The yearly table name of a PMSI contract: ``physical_name("T_MCOaaB", 2019) == "T_MCO19B"``."""
    if "aa" not in table:
        return table
    return table.replace("aa", f"{year % 100:02d}", 1)


@cache
def get_contract(table: str) -> TableContract:
    """The contract of ``table`` (a contract name such as ``T_MCOaaB`` or a yearly name).

    >>> get_contract("T_MCO19B").table
    'T_MCOaaB'
    >>> "EXE_SOI_DTD" in get_contract("ER_PRS_F").required
    True
    """
    name, _ = logical_name(table)
    return _read(name)
