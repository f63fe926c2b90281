"""Eras: a person's rows merge when the next index is at most ``pad`` days after the
current era's exit with no day between (``next_index - exit - 1 <= pad``); an era keeps
the first index and entry value, the last exit and that exit's reason."""

from __future__ import annotations

import narwhals as nw

from snds_algos.backend import running_max
from snds_algos.cohorts._frames import FAR, PID, lit, windowable


def eras(rows: nw.LazyFrame, pad: int) -> nw.LazyFrame:
    """Merge rows (``patient_id, __idx, __exit, __rank, entry_value``) into eras.

    Returns the same columns plus ``era_entries`` (rows merged into the era). Ties of
    the last exit take the first reason of the exit order (smallest ``__rank``).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.backend import lazy, to_native
    >>> rows = lazy(pd.DataFrame({"patient_id": ["P"] * 3, "__idx": [0, 30, 63],
    ...     "__exit": [30, 60, 93], "__rank": [6, 6, 6], "entry_value": ["A"] * 3}))
    >>> to_native(eras(rows, 2))[["__idx", "__exit", "era_entries"]].values.tolist()
    [[0, 93, 3]]
    >>> to_native(eras(rows, 1))[["__idx", "__exit"]].sort_values("__idx").values.tolist()
    [[0, 60], [63, 93]]
    """
    lf = running_max(windowable(rows), "__exit", PID, "__idx", "__prev", include_current=False)
    # the first row of a person has no previous exit: it opens an era
    lf = lf.with_columns(nw.col("__prev").fill_null(lit(-FAR)))
    new = nw.col("__idx") - nw.col("__prev") - lit(1) > lit(pad)
    # an era is named by its first index: the latest era-opening index up to this row
    lf = lf.with_columns(nw.when(new).then(nw.col("__idx")).alias("__open"))
    lf = running_max(lf, "__open", PID, "__idx", "__era")
    lf = lf.with_columns(
        nw.col("__exit").max().over(PID, "__era").alias("__emax"),
        nw.col("__idx").min().over(PID, "__era").alias("__imin"),
        nw.col("__idx").count().over(PID, "__era").cast(nw.Int64).alias("era_entries"),
    )
    lf = lf.with_columns(
        nw.when(nw.col("__exit") == nw.col("__emax")).then(nw.col("__rank")).alias("__rl")
    )
    lf = lf.with_columns(nw.col("__rl").min().over(PID, "__era").alias("__rmin"))
    # one row per era (rows of one index day, as in a union of identical rows, collapse)
    first = lf.filter(nw.col("__idx") == nw.col("__imin"))
    return (
        first.group_by(PID, "__era")
        .agg(
            nw.col("__idx").min(),
            nw.col("__emax").max().alias("__exit"),
            nw.col("__rmin").min().alias("__rank"),
            nw.col("entry_value").min(),
            nw.col("era_entries").max(),
        )
        .select(PID, "__idx", "__exit", "__rank", "entry_value", "era_entries")
    )
