"""Small-cell suppression: aggregates that leave the secure platform hide counts of 1 to 10.

SNDS results may not show a count of 1 to 10 persons outside the platform (CASD and
Health Data Hub rules: "aucune case ne doit concerner moins de 11 unités"; the ATIH masks
counts under 11). The threshold is a parameter (OHDSI uses 5, OpenSAFELY redacts up to
7); ``threshold=None`` switches suppression off, for work that stays inside the platform.

Rules, for a count ``n`` and a threshold ``t`` (default 11):

* ``0`` is shown (nobody is disclosed by an empty cell); ``1 <= n < t`` is masked
  (*primary* suppression), shown as ``<t``;
* *secondary* suppression: when cells are linked by a sum that is published (the
  categories of a variable and their total; the rows of a two-way table and its margins;
  the steps of an attrition table), a group with exactly one masked cell would let a
  reader recover it by subtraction, so the smallest other non-zero cell of the group is
  masked too, and so on until no group has exactly one masked cell;
* optional rounding (``rounding=5``): shown counts are rounded to the nearest multiple
  (halves up), as OpenSAFELY does for its outputs; masked cells stay masked.

Aggregates are small: these functions work on pandas tables (collect an aggregate with
:func:`snds_algos.backend.to_pandas` first).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import Any

import pandas as pd

#: the default threshold: counts from 1 to 10 are masked
DEFAULT_THRESHOLD = 11

Cell = tuple[Hashable, Hashable]  # (row label, column name)


def is_small(count: Any, threshold: int | None = DEFAULT_THRESHOLD) -> bool:
    """True when ``count`` must be masked: ``1 <= count < threshold``.

    Examples
    --------
    >>> [is_small(n) for n in (0, 3, 10, 11, 250)]
    [False, True, True, False, False]
    >>> is_small(3, threshold=None)
    False
    """
    if threshold is None or count is None or pd.isna(count):
        return False
    return 0 < count < threshold


def round_count(count: int, base: int) -> int:
    """``count`` rounded to the nearest multiple of ``base`` (halves up).

    Examples
    --------
    >>> [round_count(n, 5) for n in (0, 12, 13, 250, 252)]
    [0, 10, 15, 250, 250]
    """
    return (2 * int(count) + base) // (2 * base) * base


def margin_groups(
    table: pd.DataFrame,
    columns: Sequence[str],
    *,
    total_column: str | None = None,
    by_column: bool = True,
    by_row: bool = False,
) -> list[list[Cell]]:
    """The groups of cells linked by a published sum, for :func:`suppression_mask`.

    ``by_column``: in each column, all the rows form a group (categories and their
    total row, when the table has one). ``by_row``: in each row, the ``columns`` (and
    ``total_column`` when the table holds one) form a group. A group without its total still counts (a reader who knows the
    total from elsewhere, e.g. the cohort size, recovers a single masked cell).

    Examples
    --------
    >>> t = pd.DataFrame({"n": [3, 250, 253]}, index=["M", "F", "total"])
    >>> margin_groups(t, ["n"])
    [[('M', 'n'), ('F', 'n'), ('total', 'n')]]
    """
    groups: list[list[Cell]] = []
    cols = [*columns, *([total_column] if total_column and total_column not in columns else [])]
    if by_column:
        for column in cols:
            groups.append([(row, column) for row in table.index])
    if by_row:
        for row in table.index:
            groups.append([(row, column) for column in cols])
    return groups


def suppression_mask(
    table: pd.DataFrame,
    columns: Sequence[str],
    *,
    threshold: int | None = DEFAULT_THRESHOLD,
    groups: Iterable[Sequence[Cell]] = (),
) -> pd.DataFrame:
    """Which cells of ``table[columns]`` are masked: primary, then secondary suppression.

    Returns a boolean frame shaped as ``table[columns]`` (the index of ``table`` must be
    unique). ``groups`` lists the cells linked by a published sum (see
    :func:`margin_groups`); a group with exactly one masked cell gets its smallest other
    non-zero cell masked too, until no group has exactly one.

    Examples
    --------
    >>> t = pd.DataFrame({"n": [3, 250, 253]}, index=["M", "F", "total"])
    >>> suppression_mask(t, ["n"], groups=margin_groups(t, ["n"]))["n"].tolist()
    [True, True, False]
    >>> suppression_mask(t, ["n"])["n"].tolist()  # no published sum: primary only
    [True, False, False]
    """
    if not table.index.is_unique:
        raise ValueError("suppression_mask: the table's index must be unique")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise KeyError(f"suppression_mask: no column {missing} in {list(table.columns)}")
    values = table[list(columns)]
    mask = values.apply(lambda col: col.map(lambda v: is_small(v, threshold))).astype(bool)
    if threshold is None:
        return mask
    groups = [list(g) for g in groups]
    changed = True
    while changed:
        changed = False
        for group in groups:
            masked = [cell for cell in group if mask.at[cell]]
            if len(masked) != 1 or len(group) < 2:
                continue
            candidates = [
                cell
                for cell in group
                if not mask.at[cell] and not pd.isna(values.at[cell]) and values.at[cell] > 0
            ]
            if not candidates:
                continue
            smallest = min(candidates, key=lambda cell: values.at[cell])
            mask.at[smallest] = True
            changed = True
    return mask


def suppress(
    table: pd.DataFrame,
    columns: Sequence[str],
    *,
    threshold: int | None = DEFAULT_THRESHOLD,
    groups: Iterable[Sequence[Cell]] = (),
    rounding: int | None = None,
) -> pd.DataFrame:
    """A copy of ``table`` whose masked counts are null (``Int64``), shown ones rounded.

    Examples
    --------
    >>> t = pd.DataFrame({"sex": ["M", "F"], "n": [3, 250]})
    >>> suppress(t, ["n"])["n"].tolist()
    [<NA>, 250]
    >>> suppress(pd.DataFrame({"n": [12, 253]}), ["n"], rounding=5)["n"].tolist()
    [10, 255]
    """
    mask = suppression_mask(table, columns, threshold=threshold, groups=groups)
    out = table.copy()
    for column in columns:
        col = out[column].astype("Int64")
        if rounding:
            col = col.map(lambda v: pd.NA if pd.isna(v) else round_count(v, rounding)).astype(
                "Int64"
            )
        out[column] = col.mask(mask[column])
    return out


def format_counts(
    table: pd.DataFrame,
    columns: Sequence[str],
    *,
    threshold: int | None = DEFAULT_THRESHOLD,
    groups: Iterable[Sequence[Cell]] = (),
    rounding: int | None = None,
) -> pd.DataFrame:
    """A copy of ``table`` with ``columns`` as text: masked counts read ``<threshold``.

    Secondary suppression masks a large cell too; it reads ``masked`` (its value is not
    small, it is hidden so that a small one cannot be recovered).

    Examples
    --------
    >>> t = pd.DataFrame({"n": [0, 3, 10, 11, 250]})
    >>> format_counts(t, ["n"])["n"].tolist()
    ['0', '<11', '<11', '11', '250']
    >>> t = pd.DataFrame({"n": [3, 250, 253]}, index=["M", "F", "total"])
    >>> format_counts(t, ["n"], groups=margin_groups(t, ["n"]))["n"].tolist()
    ['<11', 'masked', '253']
    """
    shown = suppress(table, columns, threshold=threshold, groups=groups, rounding=rounding)
    out = table.copy()
    for column in columns:
        original = table[column]
        out[column] = [
            str(int(v))
            if not pd.isna(v)
            else ("" if pd.isna(o) else (f"<{threshold}" if is_small(o, threshold) else "masked"))
            for v, o in zip(shown[column], original, strict=True)
        ]
    return out
