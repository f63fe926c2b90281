"""Regularisations: DCIR quantities can be negative (a line that cancels an earlier one).

The rule (documentation-snds; SCALPEL): sum the quantities over identical lines (same
patient, care date, product) and keep the sums > 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw

from snds_algos.backend import lazy, to_native
from snds_algos.reports import Report


def regularize(
    frame: Any,
    keys: Sequence[str],
    quantity: str,
    *,
    table: str = "ER_PHA_F",
    report: Report | None = None,
    keep_first: Sequence[str] = (),
) -> Any:
    """Sum ``quantity`` over rows sharing ``keys``; keep groups whose sum is positive.

    ``keep_first`` columns are carried through; they must be constant within a group
    of ``keys`` (as the ATC code and pack flag of a CIP13 are) and are grouped on too,
    so no per-group string aggregation is needed (pandas runs those in Python). The report counts the input rows merged into another
    row (``regularization:merged``) and the groups whose net quantity is zero or
    negative (``regularization:net_non_positive``).

    Examples
    --------
    >>> import pandas as pd
    >>> pha = pd.DataFrame({"patient_id": ["P1", "P1", "P1"], "CIP13": ["A", "A", "B"],
    ...                     "QSN": [2, -2, 1]})
    >>> report = Report()
    >>> regularize(pha, ["patient_id", "CIP13"], "QSN", report=report).values.tolist()
    [['P1', 'B', 1]]
    >>> report.to_pandas()["rows_removed"].tolist()
    [1, 1]
    """
    lf = lazy(frame)
    grouped = lf.group_by(*keys, *keep_first, drop_null_keys=False).agg(
        nw.col(quantity).sum().alias(quantity),
        nw.len().alias("__lines"),
    )
    if report is not None:
        counts = grouped.select(
            nw.col("__lines").sum().alias("n"),
            (nw.col("__lines") - 1).sum().alias("merged"),
            (nw.col(quantity) <= 0).fill_null(True).cast(nw.Int64).sum().alias("non_positive"),
        )
        report.add_counts(
            table,
            counts,
            [
                ("regularization:merged", "lines summed into an identical line", "merged"),
                (
                    "regularization:net_non_positive",
                    f"identical lines whose net {quantity} is zero or negative",
                    "non_positive",
                ),
            ],
        )
    out = grouped.filter(nw.col(quantity) > 0).select(*keys, quantity, *keep_first)
    return to_native(out)
