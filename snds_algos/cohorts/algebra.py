"""Cohort algebra on persons and person-time, each operation an attrition step.

* ``a & b``: a's rows whose person is in b; ``a - b``: those whose person is not;
* ``a | b``: every row of both, merged into eras (pad 0): no person is duplicated and no
  two rows of a person overlap (SCALPEL3's union duplicates persons);
* ``a.intersect_time(b)``: per person, the days in a row of a and in a row of b.
"""

from __future__ import annotations

import narwhals as nw

from snds_algos.backend import common_backend
from snds_algos.cohorts._frames import PID
from snds_algos.cohorts.attrition import count_rows
from snds_algos.cohorts.cohort import Cohort
from snds_algos.cohorts.eras import eras

_BASE = (PID, "__idx", "__exit", "__rank", "entry_value")


def _check(a: Cohort, b: Cohort) -> None:
    if not isinstance(b, Cohort):
        raise TypeError(f"cohort algebra needs two cohorts, not {type(b).__name__}")
    common_backend({a.name: a._rows.to_native(), b.name: b._rows.to_native()})


def _derived(a: Cohort, name: str, rows: nw.LazyFrame, reason: str) -> Cohort:
    def steps() -> list[tuple[str, int, int]]:
        return [*a._steps(), (reason, *count_rows(rows))]

    return Cohort(name, rows, steps, rule_stats=a._rule_stats, definition=a.definition)


def persons_in(a: Cohort, b: Cohort, *, keep: bool) -> Cohort:
    """``a & b`` (``keep=True``) or ``a - b``.

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.backend import lazy
    >>> rows = lambda ids: lazy(pd.DataFrame({"patient_id": ids, "__idx": 0, "__exit": 9,
    ...                                       "__rank": 5, "entry_value": "x"}))
    >>> a = Cohort("A", rows(["P1", "P2"]), lambda: [("population", 2, 2)])
    >>> b = Cohort("B", rows(["P2"]), lambda: [("population", 1, 1)])
    >>> (a - b).attrition[["reason", "n_persons", "excluded_persons"]].values.tolist()
    [['population', 2, 0], ['persons not in B', 1, 1]]
    """
    _check(a, b)
    persons = b._rows.select(PID).unique()
    how = "semi" if keep else "anti"
    rows = a._rows.select(*_BASE).join(persons, on=PID, how=how)
    sign = "&" if keep else "-"
    reason = f"persons {'also in' if keep else 'not in'} {b.name}"
    return _derived(a, f"({a.name} {sign} {b.name})", rows, reason)


def union(a: Cohort, b: Cohort) -> Cohort:
    """``a | b``: every row of a and b, merged into eras (pad 0)."""
    _check(a, b)
    both = nw.concat([a._rows.select(*_BASE), b._rows.select(*_BASE)], how="vertical")
    rows = eras(both, 0).select(*_BASE)
    return _derived(a, f"({a.name} | {b.name})", rows, f"union with {b.name} (eras, pad 0)")


def intersect_time(a: Cohort, b: Cohort) -> Cohort:
    """``a.intersect_time(b)``: per person, the overlaps of a's rows with b's rows."""
    _check(a, b)
    right = b._rows.select(
        PID,
        nw.col("__idx").alias("__bi"),
        nw.col("__exit").alias("__bx"),
        nw.col("__rank").alias("__br"),
    )
    joined = a._rows.select(*_BASE).join(right, on=PID)
    start = (
        nw.when(nw.col("__bi") > nw.col("__idx")).then(nw.col("__bi")).otherwise(nw.col("__idx"))
    )
    a_first = nw.col("__exit") <= nw.col("__bx")
    end = nw.when(a_first).then(nw.col("__exit")).otherwise(nw.col("__bx"))
    rank = nw.when(a_first).then(nw.col("__rank")).otherwise(nw.col("__br"))
    rows = (
        joined.with_columns(start.alias("__s"), end.alias("__e"), rank.alias("__r"))
        .filter(nw.col("__s") <= nw.col("__e"))
        .select(
            PID,
            nw.col("__s").alias("__idx"),
            nw.col("__e").alias("__exit"),
            nw.col("__r").alias("__rank"),
            "entry_value",
        )
    )
    return _derived(a, f"({a.name} intersect_time {b.name})", rows, f"person-time also in {b.name}")
