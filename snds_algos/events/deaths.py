"""Deaths: from the beneficiary referential and from MCO discharges, with a priority."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import narwhals as nw

from snds_algos.backend import date_literal, lazy
from snds_algos.events._common import read_ben
from snds_algos.events.diagnoses import mco_stays
from snds_algos.events.schema import finish_events, null
from snds_algos.identity import patient_id_expr
from snds_algos.io.source import TableSource, open_source
from snds_algos.reports import Report

#: sources of deaths, in the default order of priority
DEATH_SOURCES = ("IR_BEN_R", "T_MCOaaB")
#: BEN_DCD_DTE value meaning "alive" (domain notes §4)
ALIVE_SENTINEL = dt.date(1600, 1, 1)
#: CépiDc tables: no contract yet, so not read (see the user guide)
CEPIDC_TABLES = ("KI_CCI_R", "KI_ECD_R")


def referential_deaths(src: TableSource) -> nw.LazyFrame:
    """``patient_id, start``: earliest death date of each person in IR_BEN_R."""
    ben = lazy(read_ben(src, ["BEN_DCD_DTE"]))
    date = nw.col("BEN_DCD_DTE")
    dead = ~date.is_null() & (date != date_literal(ALIVE_SENTINEL)).fill_null(False)
    return (
        ben.filter(dead & ~nw.col("BEN_NIR_PSA").is_null())
        .select(patient_id_expr(ben.collect_schema().names()).alias("patient_id"), "BEN_DCD_DTE")
        .group_by("patient_id")
        .agg(nw.col("BEN_DCD_DTE").min().alias("start"))
    )


def deaths(
    source: TableSource | Any,
    *,
    sources: Sequence[str] = DEATH_SOURCES,
    all_sources: bool = False,
    years: Iterable[int] | None = None,
    report: Report | None = None,
) -> Any:
    """One death event per person, from the first source of ``sources`` that has one.

    * ``"IR_BEN_R"``: BEN_DCD_DTE, 1600-01-01 or missing meaning alive; a person with
      several IR_BEN_R rows gets the earliest date;
    * ``"T_MCOaaB"``: an MCO stay kept by ``clean_mco`` with discharge mode SOR_MOD = 9,
      dated by its exit (T_MCOaaC.EXE_SOI_DTF); the earliest such stay.

    The priority is the order of ``sources`` (default: the referential, fed by the civil
    registry, before the PMSI). The CépiDc tables (KI_CCI_R, KI_ECD_R) have no table
    contract in the library yet and are not read. With ``all_sources=True`` one event
    per person and source is returned instead.

    Event: category ``"death"``, value ``"death"``, group_id null, weight null, start =
    date of death, end null, source = the table of the date.

    Examples
    --------
    >>> import pandas as pd
    >>> tables = {"IR_BEN_R": pd.DataFrame({"BEN_NIR_PSA": ["A" * 17, "B" * 17],
    ...     "BEN_RNG_GEM": ["1", "1"], "BEN_DCD_DTE": ["2021-05-04", "1600-01-01"]})}
    >>> deaths(tables, sources=["IR_BEN_R"])[["patient_id", "start", "source"]].values.tolist()
    [['AAAAAAAAAAAAAAAAA_1', datetime.date(2021, 5, 4), 'IR_BEN_R']]
    """
    unknown = [s for s in sources if s not in DEATH_SOURCES]
    if unknown:
        hint = " (CépiDc tables have no contract yet)" if set(unknown) & set(CEPIDC_TABLES) else ""
        raise ValueError(f"unknown death source(s) {', '.join(unknown)}{hint}; use {DEATH_SOURCES}")
    if not sources:
        raise ValueError("give at least one death source")
    src = open_source(source)
    parts = []
    for rank, name in enumerate(sources):
        if name == "IR_BEN_R":
            found = referential_deaths(src)
        else:
            stays = mco_stays(src, ["SOR_MOD"], years=years, report=report)
            found = (
                stays.filter((nw.col("SOR_MOD") == "9").fill_null(False))
                .filter(~nw.col("EXE_SOI_DTF").is_null())
                .group_by("patient_id")
                .agg(nw.col("EXE_SOI_DTF").min().alias("start"))
            )
        parts.append(found.with_columns(nw.lit(rank).alias("__rank"), nw.lit(name).alias("source")))
    found = nw.concat(parts, how="vertical")
    if not all_sources:
        found = found.filter(nw.col("__rank") == nw.col("__rank").min().over("patient_id"))
    events = found.select(
        "patient_id",
        nw.lit("death").alias("category"),
        null("string").alias("group_id"),
        nw.lit("death").alias("value"),
        null("float").alias("weight"),
        "start",
        null("date").alias("end"),
        "source",
    )
    return finish_events(events)
