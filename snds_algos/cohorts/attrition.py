"""The attrition table: persons and records at each step, and what each step excluded.

It adds up by construction and by test: ``n[k] = n[k-1] - excluded[k]`` in persons
and in records; a person counts at step k when one of their records passed steps 1..k;
the last ``n_persons`` is the number of persons of ``cohort.rows``. A step that adds
persons (a union) shows them as negative exclusions.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import narwhals as nw
import pandas as pd

from snds_algos.backend import to_pandas
from snds_algos.cohorts._frames import PID
from snds_algos.disclosure import DEFAULT_THRESHOLD, format_counts, is_small, round_count, suppress

COLUMNS = ["step", "reason", "n_persons", "n_records", "excluded_persons", "excluded_records"]
RULE_STATS_COLUMNS = [
    "rule", "name", "satisfied_records", "satisfied_persons", "failed_only_records",
    "failed_only_persons",
]  # fmt: skip


def count_flags(frame: nw.LazyFrame, flags: Sequence[str]) -> list[tuple[int, int]]:
    """``(persons, records)`` with each boolean column of ``flags`` true, in two
    aggregations (records, then persons).

    Examples
    --------
    >>> from snds_algos.backend import lazy
    >>> f = lazy(pd.DataFrame({"patient_id": ["A", "A", "B"], "x": [True, True, False]}))
    >>> count_flags(f, ["x"])
    [(1, 2)]
    """
    if not flags:
        return []
    k = len(flags)
    ints = frame.select(
        PID, *[nw.col(c).cast(nw.Int64).alias(f"__k{i}") for i, c in enumerate(flags)]
    )
    per_person = ints.group_by(PID).agg(
        *[nw.col(f"__k{i}").sum().alias(f"__r{i}") for i in range(k)],
        *[nw.col(f"__k{i}").max().alias(f"__p{i}") for i in range(k)],
    )
    sums = to_pandas(
        per_person.select(*[nw.col(f"__{x}{i}").sum() for x in ("r", "p") for i in range(k)])
    )
    row = sums.iloc[0].to_dict()
    out = []
    for i in range(k):
        r, p = row[f"__r{i}"], row[f"__p{i}"]
        out.append((0 if pd.isna(p) else int(p), 0 if pd.isna(r) else int(r)))
    return out


def count_rows(frame: nw.LazyFrame) -> tuple[int, int]:
    """``(persons, records)`` of a frame of rows."""
    res = to_pandas(frame.select(nw.len().alias("n"), nw.col(PID).n_unique().alias("p")))
    n, p = res["n"].iloc[0], res["p"].iloc[0]
    return (0 if pd.isna(p) else int(p)), (0 if pd.isna(n) else int(n))


def attrition_table(steps: Sequence[tuple[str, int, int]]) -> pd.DataFrame:
    """The attrition table from ``(reason, n_persons, n_records)`` per step.

    Examples
    --------
    >>> attrition_table([("population", 3, 5), ("entry", 3, 5), ("first ever", 3, 3)]).values.tolist()
    [[0, 'population', 3, 5, 0, 0], [1, 'entry', 3, 5, 0, 0], [2, 'first ever', 3, 3, 0, 2]]
    """
    rows = []
    prev = None
    for k, (reason, persons, records) in enumerate(steps):
        ep = 0 if prev is None else prev[0] - persons
        er = 0 if prev is None else prev[1] - records
        rows.append([k, reason, persons, records, ep, er])
        prev = (persons, records)
    frame = pd.DataFrame(rows, columns=COLUMNS)
    for c in COLUMNS[2:]:
        frame[c] = frame[c].astype("int64")
    return frame


def attrition_groups(table: pd.DataFrame) -> list[list[tuple[Any, str]]]:
    """Cells linked by a published sum: ``n[k-1] = n[k] + excluded[k]`` (persons and
    records), for secondary suppression."""
    groups = []
    index = list(table.index)
    for prev, cur in itertools.pairwise(index):
        for kind in ("persons", "records"):
            groups.append([(prev, f"n_{kind}"), (cur, f"n_{kind}"), (cur, f"excluded_{kind}")])
    return groups


_COUNTS = ["n_persons", "n_records", "excluded_persons", "excluded_records"]


def suppressed_attrition(
    table: pd.DataFrame,
    threshold: int | None = DEFAULT_THRESHOLD,
    *,
    as_text: bool = False,
    rounding: int | None = None,
) -> pd.DataFrame:
    """The attrition table with counts of 1 to ``threshold - 1`` masked, and secondary
    suppression over each step's sum (``None``: no suppression, inside the platform).

    Excluded counts are masked by their absolute value (a union's negative counts too).
    With ``rounding`` (a base, OpenSAFELY style) the shown counts of persons and records
    are rounded to it and each excluded count is the difference of the two rounded counts
    around it, shown only when both are: the table (and the flowchart drawn from it) still
    adds up, ``n[k] = n[k-1] - excluded[k]``, at every step.

    Examples
    --------
    >>> t = attrition_table([("population", 250, 250), ("entry", 247, 247)])
    >>> suppressed_attrition(t, as_text=True)["excluded_persons"].tolist()
    ['0', '<11']
    >>> t = attrition_table([("population", 1002, 1502), ("entry", 903, 1203)])
    >>> r = suppressed_attrition(t, rounding=5)
    >>> r["n_persons"].tolist(), r["excluded_persons"].tolist()
    ([1000, 905], [0, 95])
    """
    if rounding:
        return _rounded_attrition(table, threshold, rounding, as_text)
    work = table.copy()
    signs = {c: work[c].map(lambda v: -1 if v < 0 else 1) for c in _COUNTS}
    for c in _COUNTS:
        work[c] = work[c].abs()
    groups = attrition_groups(work)
    if as_text:
        out = format_counts(work, _COUNTS, threshold=threshold, groups=groups)
        for c in _COUNTS:
            out[c] = [
                f"-{v}" if s < 0 and v[:1].isdigit() and v != "0" else v
                for v, s in zip(out[c], signs[c], strict=True)
            ]
        return out
    out = suppress(work, _COUNTS, threshold=threshold, groups=groups)
    for c in _COUNTS:
        out[c] = out[c] * signs[c]
    return out


def _rounded_attrition(
    table: pd.DataFrame, threshold: int | None, rounding: int, as_text: bool
) -> pd.DataFrame:
    """:func:`suppressed_attrition` with rounding: the counts masked as without it, the
    shown ones rounded, the excluded ones recomputed from the rounded counts."""
    masked = suppressed_attrition(table, threshold)
    out = masked.copy()
    for kind in ("persons", "records"):
        n, excluded = f"n_{kind}", f"excluded_{kind}"
        shown = [None if pd.isna(v) else round_count(int(v), rounding) for v in masked[n]]
        diffs: list[int | None] = [0 if len(shown) else None]
        diffs += [None if a is None or b is None else a - b for a, b in itertools.pairwise(shown)]
        out[n] = pd.array(shown, dtype="Int64")
        out[excluded] = pd.array(diffs[: len(shown)], dtype="Int64")
    if not as_text:
        return out
    text = out.astype(object)
    for column in _COUNTS:
        text[column] = [
            str(int(v))
            if not pd.isna(v)
            else (f"<{threshold}" if is_small(abs(int(o)), threshold) else "masked")
            for v, o in zip(out[column], table[column], strict=True)
        ]
    return text


def suppressed_rule_stats(
    table: pd.DataFrame,
    threshold: int | None = DEFAULT_THRESHOLD,
    *,
    attrition: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rule statistics with small counts masked (as text: ``<threshold``, or ``masked``).

    With the cohort's ``attrition`` (published beside them), the records and persons
    entering the rules are known (the step before ``rule 1: ...``): a rule satisfied by
    all of them but 1 to ``threshold - 1`` would give that small number away by
    difference, so its satisfied count is masked too (secondary suppression).

    Examples
    --------
    >>> stats = pd.DataFrame([[1, "adult", 247, 247, 0, 0], [2, "t2d", 120, 120, 20, 20]],
    ...                      columns=RULE_STATS_COLUMNS)
    >>> a = attrition_table([("population", 300, 300), ("entry", 250, 250),
    ...                      ("rule 1: adult", 247, 247), ("rule 2: t2d", 117, 117)])
    >>> suppressed_rule_stats(stats, attrition=a)["satisfied_persons"].tolist()
    ['masked', '120']
    >>> suppressed_rule_stats(stats)["satisfied_persons"].tolist()
    ['247', '120']
    """
    counts = RULE_STATS_COLUMNS[2:]
    entering = None
    if attrition is not None and threshold is not None and len(table):
        reasons = attrition["reason"].astype(str).tolist()
        first = next((k for k, r in enumerate(reasons) if r.startswith("rule 1: ")), None)
        if first:
            entering = attrition.iloc[first - 1]
    if entering is None:
        return format_counts(table, counts, threshold=threshold)
    work = table.reset_index(drop=True)
    groups = []
    for kind in ("records", "persons"):
        work[f"_not_{kind}"] = int(entering[f"n_{kind}"]) - work[f"satisfied_{kind}"]
        groups += [[(i, f"satisfied_{kind}"), (i, f"_not_{kind}")] for i in work.index]
    hidden = [f"_not_{kind}" for kind in ("records", "persons")]
    out = format_counts(work, [*counts, *hidden], threshold=threshold, groups=groups)
    return out.drop(columns=hidden)
