"""The cleaning-rule model: a rule is a named condition that marks rows to drop."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import narwhals as nw


@dataclass(frozen=True)
class Rule:
    """One cleaning rule.

    Attributes
    ----------
    name:
        Identifier used to switch the rule on or off (``skip=["dcir_zero_nature"]``).
    table:
        The table the rule applies to.
    description:
        What the rule removes, in one line (shown in reports and docs).
    source:
        Where the rule comes from.
    columns:
        Columns the condition reads.
    drop:
        Builds the narwhals condition of rows to drop from the call's parameters.
    """

    name: str
    table: str
    description: str
    source: str
    columns: tuple[str, ...]
    drop: Callable[[dict[str, Any]], nw.Expr]


def select_rules(
    rules: Sequence[Rule],
    only: Iterable[str] | None = None,
    skip: Iterable[str] = (),
) -> list[Rule]:
    """The rules to apply: all by default, or ``only`` those named, minus ``skip``.

    Unknown names raise ``ValueError`` listing the known ones.

    >>> from snds_algos.cleaning import DCIR_RULES
    >>> [r.name for r in select_rules(DCIR_RULES, skip=["dcir_zero_nature"])][:1]
    ['dcir_information_lines']
    """
    known = {r.name for r in rules}
    wanted = set(only) if only is not None else set(known)
    skipped = set(skip)
    unknown = (wanted | skipped) - known
    if unknown:
        raise ValueError(f"unknown rule(s) {sorted(unknown)}; known: {sorted(known)}")
    return [r for r in rules if r.name in wanted and r.name not in skipped]
