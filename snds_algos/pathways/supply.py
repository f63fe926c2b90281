"""Supply of dispensings: from ``drug_dispensing`` events to fills.

A **fill** is what a person got of one drug key on one day: the dispensings of the key
on that day summed. Its supply in days is ``boxes x pack_days``: 90 days per box of a
large pack (``large_pack``, PHA_CND_TOP = 'GC'), else 30; a ``{cip13: days per box}``
table overrides both (28-day packs...). ``boxes_mode="per_line"`` gives one pack
duration per dispensing line whatever its boxes (SCALPEL3's behaviour).

Boxes above ``max_boxes`` are capped at ``max_boxes`` (the line is kept: a large
number of boxes is more often a typing error than a year of stock, but dropping the
line would lose a real exposure); null or non-positive boxes are dropped. Both are
counted in the report.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import narwhals as nw

from snds_algos.backend import day_number, frame_like, lazy, to_pandas
from snds_algos.pathways.keys import KeySpec, with_keys
from snds_algos.pathways.schema import FILL_COLUMNS, FILL_ORDER, finish, require_columns
from snds_algos.reports import Report

BoxesMode = Literal["count", "per_line"]
#: days per box when no pack-days table says otherwise
LARGE_PACK_DAYS = 90
STANDARD_PACK_DAYS = 30
#: the columns of ``drug_dispensing`` events the pathways read
DISPENSING_COLUMNS = ("patient_id", "start", "value", "cip13", "weight", "large_pack")


def pack_days_of(large_pack: str = "large_pack") -> nw.Expr:
    """Days covered by one box: :data:`LARGE_PACK_DAYS` for a large pack (PHA_CND_TOP
    'GC'), else :data:`STANDARD_PACK_DAYS` (the one supply rule of the library: exposure
    periods, adherence and the OMOP DRUG_EXPOSURE days_supply use it).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.backend import lazy, to_native
    >>> df = pd.DataFrame({"large_pack": [True, False, None]})
    >>> to_native(lazy(df).select(pack_days_of().alias("d")))["d"].tolist()
    [90, 30, 30]
    """
    return (
        nw.when(nw.col(large_pack).fill_null(False))
        .then(nw.lit(LARGE_PACK_DAYS))
        .otherwise(nw.lit(STANDARD_PACK_DAYS))
    )


def pack_days_table(pack_days: Mapping[str, int] | Any) -> Any:
    """A ``{cip13: days per box}`` dict, frame or CSV (columns ``cip13, days``) as a
    pandas table ``cip13, __pack`` with positive integer days.

    >>> pack_days_table({"3400930000001": 28}).values.tolist()
    [['3400930000001', 28]]
    """
    import pandas as pd

    if isinstance(pack_days, Mapping):
        table = pd.DataFrame(list(pack_days.items()), columns=["cip13", "days"])
    elif isinstance(pack_days, str | os.PathLike):
        table = pd.read_csv(Path(pack_days), dtype={"cip13": str})
    else:
        table = to_pandas(pack_days)
    from snds_algos.errors import ContractError

    missing = [c for c in ("cip13", "days") if c not in table.columns]
    if missing:
        raise ContractError("pack_days", None, f"missing column(s): {', '.join(missing)}",
                            values=list(table.columns))  # fmt: skip
    days = pd.to_numeric(table["days"], errors="coerce")
    bad = table[days.isna() | (days <= 0) | (days != days.round())]
    if len(bad):
        raise ContractError("pack_days", "days", "days per box must be positive integers",
                            values=bad["days"].tolist())  # fmt: skip
    out = pd.DataFrame(
        {
            "cip13": table["cip13"].astype(str).str.strip().astype("string[pyarrow]"),
            "__pack": pd.array(days.astype("int64"), dtype="Int64"),
        }
    )
    return out.drop_duplicates("cip13", keep="last").reset_index(drop=True)


def check_supply_parameters(boxes_mode: str, max_boxes: int | None) -> None:
    """Raise ``ValueError`` naming the parameter when a supply parameter is invalid."""
    if boxes_mode not in ("count", "per_line"):
        raise ValueError(f"boxes_mode must be 'count' or 'per_line', not {boxes_mode!r}")
    if max_boxes is not None and (not isinstance(max_boxes, int) or max_boxes < 1):
        raise ValueError(f"max_boxes must be a positive integer or None, not {max_boxes!r}")


def fill_frame(
    dispensings: Any,
    *,
    key: KeySpec = None,
    pack_days: Mapping[str, int] | Any | None = None,
    boxes_mode: BoxesMode = "count",
    max_boxes: int | None = 10,
    report: Report | None = None,
) -> nw.LazyFrame:
    """The fills as a LazyFrame with the columns of :func:`fills` plus ``day`` (day
    number of ``date``) and ``line_max`` (the largest supply of one of its lines, for
    the SCALPEL3 preset). For the other pathway functions."""
    check_supply_parameters(boxes_mode, max_boxes)
    lf = lazy(dispensings)
    require_columns(lf, DISPENSING_COLUMNS, "drug_dispensing events")
    lf = lf.select(*DISPENSING_COLUMNS)
    keyed, unmapped = with_keys(lf, key)
    boxes = nw.col("weight")
    bad_boxes = boxes.is_null() | (boxes <= 0)
    if report is not None:
        report.add_flags(
            "drug_dispensing",
            lf,
            [
                ("pathways:unmapped", "dispensing whose code maps to no drug key", unmapped),
                ("pathways:no_boxes", "null or non-positive number of boxes", bad_boxes),
            ],
        )
        if boxes_mode == "count" and max_boxes is not None:
            capped = lf.filter(~unmapped.fill_null(False) & (boxes > max_boxes).fill_null(False))
            report.add_counts(
                "drug_dispensing (kept, boxes capped)",
                capped.select(nw.len().alias("n"), nw.lit(0).alias("__none")),
                [
                    (
                        "pathways:boxes_capped",
                        f"lines with more than {max_boxes} boxes, capped at {max_boxes} "
                        "(rows_in counts them; none removed)",
                        "__none",
                    )
                ],
            )
    keyed = keyed.filter(~bad_boxes.fill_null(True))
    default = pack_days_of("large_pack")
    if pack_days is not None:
        keyed = keyed.join(frame_like(keyed, pack_days_table(pack_days)), on="cip13", how="left")
        per_box = nw.coalesce(nw.col("__pack"), default.cast(nw.Int64))
    else:
        per_box = default
    keyed = keyed.with_columns(per_box.cast(nw.Int64).alias("__pack"))
    if boxes_mode == "per_line":
        line_supply = nw.col("__pack")
        counted = boxes
    else:
        counted = boxes if max_boxes is None else nw.min_horizontal(boxes, nw.lit(float(max_boxes)))
        line_supply = (counted * nw.col("__pack")).round(0)
    keyed = keyed.with_columns(
        counted.cast(nw.Float64()).alias("__boxes"),
        line_supply.cast(nw.Int64).alias("__supply"),
    )
    out = keyed.group_by("patient_id", "key", "start").agg(
        nw.len().alias("n_dispensings"),
        nw.col("__boxes").sum().alias("boxes"),
        nw.col("__supply").sum().alias("supply_days"),
        nw.col("__supply").max().alias("line_max"),
    )
    out = out.rename({"start": "date"})
    return day_number(out, "date", "day")


def fills(
    dispensings: Any,
    *,
    key: KeySpec = None,
    pack_days: Mapping[str, int] | Any | None = None,
    boxes_mode: BoxesMode = "count",
    max_boxes: int | None = 10,
    report: Report | None = None,
) -> Any:
    """Fills: one row per (person, drug key, day), dispensings of the key that day summed.

    Parameters
    ----------
    dispensings:
        ``drug_dispensing`` events (:func:`snds_algos.events.drug_dispensings`): columns
        ``patient_id, start`` (care date), ``value`` (ATC7), ``cip13``, ``weight``
        (boxes), ``large_pack``; pandas, DuckDB or Spark.
    key:
        The drug key: ``None`` (ATC7), an ATC level (1, 3, 4, 5, 7 characters) or a
        mapping ``{ATC code or prefix, or CIP13: key or [keys]}`` given as a dict, a
        frame or a CSV file with columns ``code, key`` (see :mod:`snds_algos.pathways.keys`).
    pack_days:
        ``{cip13: days per box}`` (dict, frame or CSV with columns ``cip13, days``);
        overrides 90 days for a large pack and 30 otherwise.
    boxes_mode:
        ``"count"`` (supply = boxes x pack days) or ``"per_line"`` (one pack duration
        per dispensing line).
    max_boxes:
        Boxes of a line above it are capped at it (``None``: no cap). Counted in the
        report.
    report:
        Receives the dispensings dropped (no key, null or non-positive boxes) and the
        lines capped.

    Returns
    -------
    ``patient_id, key, date, n_dispensings`` (lines), ``boxes`` (after capping),
    ``supply_days``; total order ``patient_id, key, date``; same backend as the input.

    Examples
    --------
    >>> import datetime as dt, pandas as pd
    >>> d = pd.DataFrame({"patient_id": ["P1"] * 3, "start": [dt.date(2020, 1, 1)] * 2 + [dt.date(2020, 2, 1)],
    ...     "value": ["A10BA02"] * 3, "cip13": ["3400930000001"] * 3, "weight": [1.0, 2.0, 1.0],
    ...     "large_pack": [False, False, True]})
    >>> fills(d)[["date", "n_dispensings", "boxes", "supply_days"]].values.tolist()
    [[datetime.date(2020, 1, 1), 2, 3.0, 90], [datetime.date(2020, 2, 1), 1, 1.0, 90]]
    """
    out = fill_frame(
        dispensings,
        key=key,
        pack_days=pack_days,
        boxes_mode=boxes_mode,
        max_boxes=max_boxes,
        report=report,
    )
    return finish(out, FILL_COLUMNS, FILL_ORDER)
