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

from snds_algos._signature import same_parameters

#: the default threshold: counts from 1 to 10 are masked
DEFAULT_THRESHOLD = 11

Cell = tuple[Hashable, Hashable]  # (row label, column name)
#: the (count, excluded) column pairs of an attrition table
ATTRITION_PAIRS = (("n_persons", "excluded_persons"), ("n_records", "excluded_records"))


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


def _count_text(value: Any, original: Any, threshold: int | None, *, blank: bool = False) -> str:
    """A count after suppression as text: the shown count, or why it is hidden: ``<t``
    (small itself), ``""`` (nothing to show: no count, or ``blank``), ``masked`` (hidden
    so that a small one cannot be recovered)."""
    if value is not None and not pd.isna(value):
        return str(int(value))
    if is_small(original, threshold):
        return f"<{threshold}"
    return "" if blank or original is None or pd.isna(original) else "masked"


@same_parameters(suppress)
def format_counts(table: pd.DataFrame, columns: Sequence[str], **options: Any) -> pd.DataFrame:
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
    shown = suppress(table, columns, **options)
    threshold = options.get("threshold", DEFAULT_THRESHOLD)
    out = table.copy()
    for column in columns:
        pairs = zip(shown[column], table[column], strict=True)
        out[column] = [_count_text(v, o, threshold) for v, o in pairs]
    return out


def format_count(count: Any, *, threshold: int | None = DEFAULT_THRESHOLD) -> str:
    """One count as text for a summary line: ``<threshold`` when it is small.

    Examples
    --------
    >>> [format_count(n) for n in (0, 7, 11, 1234)]
    ['0', '<11', '11', '1234']
    >>> format_count(7, threshold=None)
    '7'
    """
    if count is None or pd.isna(count):
        return ""
    if is_small(count, threshold):
        return f"<{threshold}"
    return str(int(count))


def flowchart_mask(
    counts: Sequence[Any],
    *,
    threshold: int | None = DEFAULT_THRESHOLD,
    rounding: int | None = None,
) -> tuple[list[int | None], list[int | None]]:
    """Safe counts of a chain of steps (attrition, flowchart) that still add up.

    ``counts`` are the counts remaining after each step (step 0 first), each one at most
    the previous one. Returns ``(shown, excluded)``: the count shown at each step (``None``
    when masked) and the number excluded at each step (``excluded[0]`` is ``None``;
    ``None`` when masked). Rules:

    * a count of 1 to ``threshold - 1`` is masked (primary suppression);
    * the number excluded at a step is the difference of two published counts, so it is
      shown only when both are shown; a step whose count differs from the last shown count
      by 1 to ``threshold - 1`` is masked too (secondary suppression), so every difference
      a reader can compute between shown counts is 0 or at least ``threshold``;
    * with ``rounding``, shown counts are rounded to the base and the excluded numbers are
      differences of the rounded counts: the chart still adds up, ``shown[k] =
      shown[k-1] - excluded[k]``, at every step.

    Examples
    --------
    >>> flowchart_mask([1000, 995, 800, 790, 5])
    ([1000, None, 800, None, None], [None, None, None, None, None])
    >>> flowchart_mask([1000, 900, 850])
    ([1000, 900, 850], [None, 100, 50])
    >>> flowchart_mask([1002, 903, 851], rounding=5)
    ([1000, 905, 850], [None, 95, 55])
    """
    values = [None if c is None or pd.isna(c) else int(c) for c in counts]
    for k in range(1, len(values)):
        prev, cur = values[k - 1], values[k]
        if prev is not None and cur is not None and cur > prev:
            raise ValueError(
                f"flowchart_mask: the count of step {k} ({cur}) exceeds the count of step "
                f"{k - 1} ({prev}); counts must not increase along the chain"
            )
    shown: list[int | None] = []
    last: int | None = None
    for value in values:
        if value is None or is_small(value, threshold):
            shown.append(None)
            continue
        if threshold is not None and last is not None and is_small(last - value, threshold):
            shown.append(None)
            continue
        shown.append(value)
        last = value
    if rounding:
        shown = [None if v is None else round_count(v, rounding) for v in shown]
    excluded: list[int | None] = [None]
    for k in range(1, len(shown)):
        a, b = shown[k - 1], shown[k]
        excluded.append(None if a is None or b is None else a - b)
    return shown, excluded


def suppress_attrition(
    attrition: pd.DataFrame,
    *,
    threshold: int | None = DEFAULT_THRESHOLD,
    rounding: int | None = None,
    pairs: Sequence[tuple[str, str]] = ATTRITION_PAIRS,
) -> pd.DataFrame:
    """An attrition table safe to export: masked counts null (``Int64``), still adding up.

    For each ``(count, excluded)`` pair of columns present in ``attrition`` (rows in step
    order), the counts go through :func:`flowchart_mask`: ``count[k] = count[k-1] -
    excluded[k]`` holds between every two shown rows, with or without rounding. Other
    columns are kept. ``threshold=None`` (and no rounding) returns the counts unchanged.

    Examples
    --------
    >>> a = pd.DataFrame({"step": [0, 1, 2], "n_persons": [500, 497, 300],
    ...                   "excluded_persons": [0, 3, 197]})
    >>> suppress_attrition(a)[["n_persons", "excluded_persons"]].values.tolist()
    [[500, <NA>], [<NA>, <NA>], [300, <NA>]]
    >>> a = pd.DataFrame({"step": [0, 1], "n_persons": [503, 402], "excluded_persons": [0, 101]})
    >>> suppress_attrition(a, rounding=5)[["n_persons", "excluded_persons"]].values.tolist()
    [[505, <NA>], [400, 105]]
    """
    out = attrition.copy()
    for count, excluded in pairs:
        if count not in out.columns:
            continue
        shown, removed = flowchart_mask(out[count].tolist(), threshold=threshold, rounding=rounding)
        out[count] = pd.array(shown, dtype="Int64")
        if excluded in out.columns:
            if threshold is None and not rounding:
                out[excluded] = out[excluded].astype("Int64")
            else:
                out[excluded] = pd.array(removed, dtype="Int64")
    return out


@same_parameters(suppress_attrition)
def format_attrition(attrition: pd.DataFrame, **options: Any) -> pd.DataFrame:
    """:func:`suppress_attrition` as text: a masked count reads ``masked``, a small one
    ``<threshold``.

    Examples
    --------
    >>> a = pd.DataFrame({"step": [0, 1, 2], "n_persons": [500, 497, 5],
    ...                   "excluded_persons": [0, 3, 492]})
    >>> format_attrition(a)["n_persons"].tolist()
    ['500', 'masked', '<11']
    """
    safe = suppress_attrition(attrition, **options)
    threshold = options.get("threshold", DEFAULT_THRESHOLD)
    out = safe.astype(object)
    for count, excluded in options.get("pairs", ATTRITION_PAIRS):
        for column in (count, excluded):
            if column not in safe.columns:
                continue
            pairs = enumerate(zip(safe[column], attrition[column], strict=True))
            out[column] = [
                _count_text(v, o, threshold, blank=column == excluded and k == 0)
                for k, (v, o) in pairs
            ]
    return out


def format_report(
    report: pd.DataFrame,
    *,
    threshold: int | None = DEFAULT_THRESHOLD,
    rounding: int | None = None,
) -> pd.DataFrame:
    """A cleaning report (``Report.to_pandas()``) as text safe to print or export.

    Each table's steps form a chain (``rows_in`` of the first step, then ``rows_out`` of
    each step), masked as a flowchart (:func:`flowchart_mask`): counts of 1 to
    ``threshold - 1`` lines read ``<threshold``, a count that would give a small number
    removed by difference reads ``masked``, and removed counts are shown only between
    two shown counts. The counts are of lines (claims, stays), not persons; they are
    masked all the same because a small count of lines concerns at most that many persons.

    Examples
    --------
    >>> r = pd.DataFrame({"table": ["ER_PRS_F", "ER_PRS_F"], "step": ["a", "b"],
    ...                   "description": ["", ""], "rows_in": [1000, 997],
    ...                   "rows_removed": [3, 200], "rows_out": [997, 797]})
    >>> format_report(r)[["rows_in", "rows_removed", "rows_out"]].values.tolist()
    [['1000', '<11', 'masked'], ['masked', 'masked', '797']]
    """
    out = report.copy().astype({c: object for c in ("rows_in", "rows_removed", "rows_out")})
    for _, block in report.groupby("table", sort=False):
        chain = [block["rows_in"].iloc[0], *block["rows_out"].tolist()]
        shown, removed = flowchart_mask(chain, threshold=threshold, rounding=rounding)

        for k, idx in enumerate(block.index):
            removed_k = block.at[idx, "rows_removed"]
            out.at[idx, "rows_in"] = _count_text(shown[k], chain[k], threshold)
            out.at[idx, "rows_out"] = _count_text(shown[k + 1], chain[k + 1], threshold)
            out.at[idx, "rows_removed"] = _count_text(removed[k + 1], removed_k, threshold)
    return out
