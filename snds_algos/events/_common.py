"""Plumbing shared by the extractors: reading referentials, optional columns, periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import narwhals as nw

from snds_algos.backend import date_literal
from snds_algos.contracts.model import YEAR_COLUMN
from snds_algos.errors import ContractError
from snds_algos.io.source import TableSource

Period = tuple[dt.date | str, dt.date | str]


def read_optional(
    src: TableSource,
    table: str,
    columns: Sequence[str],
    optional: Sequence[str] = (),
    *,
    years: Iterable[int] | None = None,
) -> Any:
    """Read ``columns`` plus those of ``optional`` the table has (all or none of them)."""
    if optional:
        try:
            return src.read(table, [*columns, *optional], years=years)
        except ContractError as exc:
            if exc.column not in optional:
                raise
    return src.read(table, list(columns), years=years)


def read_present(
    src: TableSource,
    table: str,
    columns: Sequence[str],
    optional: Sequence[str] = (),
    *,
    years: Iterable[int] | None = None,
) -> Any:
    """Read ``columns`` plus each column of ``optional`` the table has."""
    wanted = list(optional)
    while True:
        try:
            return src.read(table, [*columns, *wanted], years=years)
        except ContractError as exc:
            if exc.column not in wanted:
                raise
            wanted.remove(exc.column)


def read_ben(src: TableSource, extra: Sequence[str] = ()) -> Any:
    """IR_BEN_R with the keys, ``BEN_IDT_ANO`` when present, and ``extra`` columns."""
    return read_optional(src, "IR_BEN_R", ["BEN_NIR_PSA", "BEN_RNG_GEM", *extra], ["BEN_IDT_ANO"])


def parse_period(period: Period | None) -> tuple[dt.date, dt.date] | None:
    """``(start, end)`` as dates (ISO strings accepted); checks start <= end."""
    if period is None:
        return None
    start, end = (dt.date.fromisoformat(p) if isinstance(p, str) else p for p in period)
    if start > end:
        raise ValueError(f"period starts after it ends: {start} > {end}")
    return start, end


def in_period(column: str, period: tuple[dt.date, dt.date]) -> nw.Expr:
    """``column`` within the period, bounds included (null: false)."""
    col = nw.col(column)
    return ((col >= date_literal(period[0])) & (col <= date_literal(period[1]))).fill_null(False)


def stay_id(prefix: str, eta: str, num: str) -> nw.Expr:
    """Stay id ``"MCO:{ETA_NUM}:{RSA_NUM}:{PMSI_YEAR}"`` (or SSR, HAD)."""
    return nw.concat_str(
        [
            nw.lit(f"{prefix}:"),
            nw.col(eta),
            nw.lit(":"),
            nw.col(num),
            nw.lit(":"),
            nw.col(YEAR_COLUMN).cast(nw.String()),
        ],
        ignore_nulls=False,
    )


DCIR_CLEANING_COLUMNS = ("DPN_QLF", "PRS_DPN_QLP", "BSE_PRS_NAT")


def dcir_detail(
    src: TableSource,
    detail: Any,
    detail_table: str,
    *,
    prs_columns: Sequence[str] = ("EXE_SOI_DTD",),
    period: tuple[dt.date, dt.date] | None = None,
    skip: Iterable[str] = (),
    report: Any = None,
) -> Any:
    """Detail lines joined to their ER_PRS_F line, cleaned by ``clean_dcir``, attributed.

    The join is on the 9 DCIR keys (inner: a detail line whose keys differ from every
    prestation in one column is dropped, and counted as ``dcir:no_prestation``). The
    cleaning rules are then applied to the joined lines (so that the large ER_PRS_F is
    joined once, and only to the selected detail lines): their counts in ``report`` are
    numbers of detail lines. With ``period`` the care date EXE_SOI_DTD must fall in it
    (and ``clean_dcir`` applies its flux window). Returns a native frame with the detail
    columns, ``prs_columns`` and ``patient_id``.
    """
    from snds_algos.backend import PANDAS, computed_once, distinct, lazy, to_native
    from snds_algos.cleaning.dcir import DCIR_KEYS, clean_dcir
    from snds_algos.identity import attribute_dcir

    keys = list(DCIR_KEYS)
    wanted = [*keys, "BEN_NIR_PSA", "BEN_RNG_GEM", *prs_columns, *DCIR_CLEANING_COLUMNS]
    prs = lazy(src.read("ER_PRS_F", list(dict.fromkeys(wanted))))
    if period is not None and "EXE_SOI_DTD" in prs_columns:
        prs = prs.filter(in_period("EXE_SOI_DTD", period))
    # the selected detail lines are few next to ER_PRS_F: held in memory on DuckDB, their
    # exact size lets the join build its hash table on them rather than on ER_PRS_F
    det = computed_once(lazy(detail))
    if src.backend == PANDAS:
        # a filter implied by the join, cheap on one column: the 9-key merge then
        # factorises only the prestations that can match (Spark's optimiser plans joins)
        det_native, prs_native = to_native(det), to_native(prs)
        wanted_docs = det_native["DCT_ORD_NUM"].dropna().unique()
        prs = lazy(prs_native[prs_native["DCT_ORD_NUM"].isin(wanted_docs)])
    # the prestations of the selected detail lines, each identical ER_PRS_F line once: a
    # duplicated prestation would otherwise duplicate its detail lines (and the report's
    # counts would not follow from one step to the next); the copies are counted
    matching = prs.join(distinct(det.select(*keys)), on=keys, how="inner")
    unique_prs = computed_once(distinct(matching))
    if report is not None:
        counts = matching.select(nw.len().alias("n")).join(
            unique_prs.select(nw.len().alias("__m")), how="cross"
        )
        report.add_note_counts(
            "ER_PRS_F",
            counts.with_columns((nw.col("n") - nw.col("__m")).alias("__r0")),
            [
                (
                    "dcir:duplicate_prestations",
                    "identical ER_PRS_F lines of the selected detail lines, kept once",
                    "__r0",
                )
            ],
        )
    prs = unique_prs
    if report is None:
        joined = det.join(prs, on=keys, how="inner")
    else:
        # one left join serves the count of unmatched lines and the inner join's rows
        # (an unmatched line appears once, with a null flag); computed once on DuckDB,
        # so that the counts of the steps below do not read ER_PRS_F again
        both = computed_once(
            det.join(prs.with_columns(nw.lit(True).alias("__prs")), on=keys, how="left")
        )
        report.add_flags(
            detail_table,
            both,
            [
                (
                    "dcir:no_prestation",
                    "detail lines matching no ER_PRS_F line on the 9 keys"
                    + (" with a care date in the period" if period is not None else ""),
                    nw.col("__prs").is_null(),
                )
            ],
        )
        joined = both.filter(~nw.col("__prs").is_null()).drop("__prs")
    ete = src.read("ER_ETE_F", [*keys, "ETE_IND_TAA"]) if src.has("ER_ETE_F") else None
    kept = clean_dcir(to_native(joined), ete, period=period, skip=skip, report=report)
    detail_columns = det.collect_schema().names()
    columns = list(dict.fromkeys([*detail_columns, "BEN_NIR_PSA", "BEN_RNG_GEM", *prs_columns]))
    kept = to_native(lazy(kept).select(*columns))
    return attribute_dcir(kept, read_ben(src), table=detail_table, report=report)
