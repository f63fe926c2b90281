"""Deaths: from the beneficiary referential, the CépiDc death certificates and MCO
discharges, with a priority; causes of death from the CépiDc."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import narwhals as nw

from snds_algos.backend import PANDAS, lazy, matches_codes, to_native
from snds_algos.contracts.sentinels import is_no_date
from snds_algos.errors import MissingTableError
from snds_algos.events._common import read_ben
from snds_algos.events.codelists import CodeList, resolve_codes
from snds_algos.events.diagnoses import mco_stays
from snds_algos.events.schema import finish_events, null
from snds_algos.identity import attribute_cepidc, patient_id_expr
from snds_algos.io.source import TableSource, open_source
from snds_algos.reports import Report

#: sources of deaths, in the default order of priority
DEATH_SOURCES = ("IR_BEN_R", "KI_CCI_R", "T_MCOaaB")
#: sources read only when their table is in the source (most extracts lack the CépiDc)
OPTIONAL_SOURCES = ("KI_CCI_R",)
#: BEN_DCD_DTE value meaning "alive" (domain notes §4)
ALIVE_SENTINEL = dt.date(1600, 1, 1)
#: CépiDc tables: certificates with their initial cause, and every cause
CEPIDC_TABLES = ("KI_CCI_R", "KI_ECD_R")
#: extra column of death events: the initial cause of death (ICD-10) of a certificate
DEATH_EXTRAS = {"cause": "string"}
#: extra column of death cause events: the rank of the cause on the certificate
CAUSE_EXTRAS = {"rank": "integer"}


def _no_date(column: str) -> nw.Expr:
    """``column`` cannot date a death: missing or a placeholder (1600-01-01 for the
    living, 0001-01-01, 9999-12-31...: :data:`~snds_algos.contracts.sentinels.SENTINEL_DATES`)."""
    return is_no_date(column)


def referential_deaths(src: TableSource) -> nw.LazyFrame:
    """``patient_id, start``: earliest death date of each person in IR_BEN_R."""
    ben = lazy(read_ben(src, ["BEN_DCD_DTE"]))
    return (
        ben.filter(~_no_date("BEN_DCD_DTE") & ~nw.col("BEN_NIR_PSA").is_null())
        .select(patient_id_expr(ben.collect_schema().names()).alias("patient_id"), "BEN_DCD_DTE")
        .group_by("patient_id")
        .agg(nw.col("BEN_DCD_DTE").min().alias("start"))
    )


def _cepidc_rows(
    src: TableSource, table: str, columns: Sequence[str], step: str, report: Report | None
) -> nw.LazyFrame:
    """Rows of a CépiDc table with a usable date, attributed (the others counted)."""
    rows = lazy(src.read(table, ["BEN_IDT_ANO", "BEN_DCD_DTE", *columns]))
    no_date = _no_date("BEN_DCD_DTE")
    if report is not None:
        report.add_flags(
            table, rows, [(step, "death date BEN_DCD_DTE missing or 1600-01-01", no_date)]
        )
    rows = rows.filter(~no_date)
    return lazy(attribute_cepidc(to_native(rows), read_ben(src), table=table, report=report))


def certificate_deaths(src: TableSource, report: Report | None = None) -> nw.LazyFrame:
    """``patient_id, start, cause``: death date and initial cause from KI_CCI_R.

    Certificates without a usable date are removed (``deaths:no_date``); the others are
    attributed by :func:`~snds_algos.identity.attribute_cepidc`. A person with several
    certificates gets the earliest date, and the smallest initial cause among the
    certificates of that date.
    """
    rows = _cepidc_rows(src, "KI_CCI_R", ["DCD_CIM_COD"], "deaths:no_date", report)
    first = rows.filter(nw.col("BEN_DCD_DTE") == nw.col("BEN_DCD_DTE").min().over("patient_id"))
    return first.group_by("patient_id").agg(
        nw.col("BEN_DCD_DTE").min().alias("start"), nw.col("DCD_CIM_COD").min().alias("cause")
    )


def deaths(
    source: TableSource | Any,
    *,
    sources: Sequence[str] = DEATH_SOURCES,
    all_sources: bool = False,
    years: Iterable[int] | None = None,
    disambiguate: bool = True,
    report: Report | None = None,
) -> Any:
    """One death event per person, from the first source of ``sources`` that has one.

    * ``"IR_BEN_R"``: BEN_DCD_DTE, 1600-01-01 or missing meaning alive; a person with
      several IR_BEN_R rows gets the earliest date;
    * ``"KI_CCI_R"``: the CépiDc death certificate, dated by its BEN_DCD_DTE, with its
      initial cause of death DCD_CIM_COD (extra column ``cause``). Rows are attributed
      by :func:`~snds_algos.identity.attribute_cepidc` on BEN_IDT_ANO (null or unknown:
      removed and counted under ``identity:*``); a certificate without a usable date
      (missing or 1600-01-01) is removed and counted (``deaths:no_date``). A person with
      several certificates gets the earliest date and the smallest cause of that date.
      KI_CCI_R is optional: when the source has no KI_CCI_R table it is skipped, and
      the report says so (``report.skipped``);
    * ``"T_MCOaaB"``: an MCO stay kept by ``clean_mco`` with discharge mode SOR_MOD = 9,
      dated by its exit (T_MCOaaC.EXE_SOI_DTF); the earliest such stay. ``disambiguate`` (default ``True``): MCO stays on a NIR shared by several persons are
      attributed by the stay's sex and age (:func:`~snds_algos.identity.attribute_pmsi`);
      ``False``: they are ambiguous and removed.

    The priority is the order of ``sources``. Default: the referential, then the
    CépiDc certificate, then the PMSI. The referential's date comes from the civil
    registry (the legal record of the death), covers every beneficiary and is the most
    up to date, while the CépiDc reaches the SNDS years later and only for the
    certificates matched to a beneficiary: the CépiDc is the source of the *causes*
    (domain notes §1). So the certificate dates the deaths the referential lacks, and
    adding the CépiDc tables to an extract does not move a death already dated by the
    referential. A certificate comes before the PMSI, whose discharge mode 9 only says
    that the stay ended in death. Put ``"KI_CCI_R"`` first to prefer the certificate.
    With ``all_sources=True`` one event per person and source is returned instead
    (e.g. the referential's date and the certificate's cause of one person).

    Event: category ``"death"``, value ``"death"``, group_id null, weight null, start =
    date of death, end null, source = the table of the date; extra ``cause`` (string):
    the initial cause (ICD-10, no dot) of KI_CCI_R events, null for the other sources.
    All causes of a certificate: :func:`death_causes`.

    Examples
    --------
    >>> import pandas as pd
    >>> tables = {"IR_BEN_R": pd.DataFrame({"BEN_NIR_PSA": ["A" * 17, "B" * 17],
    ...     "BEN_RNG_GEM": ["1", "1"], "BEN_IDT_ANO": ["P1", "P2"],
    ...     "BEN_DCD_DTE": ["2021-05-04", "1600-01-01"]}),
    ...     "KI_CCI_R": pd.DataFrame({"BEN_IDT_ANO": ["P1", "P2"],
    ...     "BEN_DCD_DTE": ["2021-05-04", "2021-06-01"], "DCD_CIM_COD": ["C349", "I219"]})}
    >>> out = deaths(tables, sources=["IR_BEN_R", "KI_CCI_R"])
    >>> out[["patient_id", "start", "source", "cause"]].values.tolist()
    [['P1', datetime.date(2021, 5, 4), 'IR_BEN_R', <NA>], ['P2', datetime.date(2021, 6, 1), 'KI_CCI_R', 'I219']]
    """
    unknown = [s for s in sources if s not in DEATH_SOURCES]
    if unknown:
        hint = " (KI_ECD_R: see death_causes)" if "KI_ECD_R" in unknown else ""
        raise ValueError(f"unknown death source(s) {', '.join(unknown)}{hint}; use {DEATH_SOURCES}")
    if not sources:
        raise ValueError("give at least one death source")
    src = open_source(source)
    parts = []
    for rank, name in enumerate(sources):
        if name in OPTIONAL_SOURCES and not src.has(name):
            if report is not None:
                report.skip(name, "deaths", "table absent from the source: source not read")
            continue
        if name == "IR_BEN_R":
            found = referential_deaths(src).with_columns(null("string").alias("cause"))
        elif name == "KI_CCI_R":
            found = certificate_deaths(src, report)
        else:
            stays = mco_stays(
                src, ["SOR_MOD"], years=years, disambiguate=disambiguate, report=report
            )
            found = (
                stays.filter((nw.col("SOR_MOD") == "9").fill_null(False))
                .filter(~nw.col("EXE_SOI_DTF").is_null())
                .group_by("patient_id")
                .agg(nw.col("EXE_SOI_DTF").min().alias("start"))
                .with_columns(null("string").alias("cause"))
            )
        parts.append(
            found.select(
                "patient_id",
                "start",
                nw.col("cause").cast(nw.String()),
                nw.lit(rank).alias("__rank"),
                nw.lit(name).alias("source"),
            )
        )
    if not parts:
        raise MissingTableError(", ".join(sources), "the source (every death source is absent)")
    with warnings.catch_warnings():  # all-null causes of some parts (see concat_events)
        warnings.filterwarnings("ignore", message=".*concatenation with empty or all-NA.*")
        found = nw.concat(parts, how="vertical")
        if src.backend == PANDAS:
            found = lazy(found.to_native())  # run the pandas concat inside the filter
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
        "cause",
    )
    return finish_events(events, DEATH_EXTRAS)


def death_causes(
    source: TableSource | Any,
    codes: CodeList | str | Iterable[str] | None = None,
    *,
    how: Literal["prefix", "exact"] = "prefix",
    report: Report | None = None,
) -> Any:
    """Causes of death of the CépiDc (KI_ECD_R): one event per person and cause code.

    KI_ECD_R holds every cause written on a death certificate, with its rank
    (ECD_CAU_RNG). After the selection by ``codes``, rows without a cause code
    (``death_causes:no_code``) or without a usable death date (missing or 1600-01-01,
    ``death_causes:no_date``) are removed and counted; the others are attributed by :func:`~snds_algos.identity.attribute_cepidc` on
    BEN_IDT_ANO (null or unknown: removed and counted under ``identity:*``). A code
    written several times for a person (several lines or certificates) gives one event:
    the smallest rank, then the earliest date, then the smallest certificate id.

    Event: category ``"death_cause"``, value = ICD-10 code ECD_CIM_COD (no dot),
    group_id = certificate id DCD_IDT_ENC, weight null, start = date of death
    BEN_DCD_DTE, end null, source ``"KI_ECD_R"``; extra ``rank`` (integer,
    ECD_CAU_RNG). The initial cause of the certificate is in KI_CCI_R: see
    :func:`deaths` (``cause``).

    Parameters
    ----------
    codes, how:
        ICD-10 codes of the causes kept (prefixes by default, or a :class:`CodeList`
        or the name of a shipped list); ``None``: every cause.

    Examples
    --------
    >>> import pandas as pd
    >>> tables = {"IR_BEN_R": pd.DataFrame({"BEN_NIR_PSA": ["A" * 17], "BEN_RNG_GEM": ["1"],
    ...     "BEN_IDT_ANO": ["P1"]}),
    ...     "KI_ECD_R": pd.DataFrame({"DCD_IDT_ENC": ["D1"] * 3, "BEN_IDT_ANO": ["P1"] * 3,
    ...     "BEN_DCD_DTE": ["2021-05-04"] * 3, "ECD_CAU_RNG": [1, 2, 3],
    ...     "ECD_CIM_COD": ["I219", "E119", "I10"]})}
    >>> death_causes(tables, codes=["I"])[["patient_id", "value", "rank"]].values.tolist()
    [['P1', 'I10', 3], ['P1', 'I219', 1]]
    """
    src = open_source(source)
    resolved = resolve_codes(codes, how)
    columns = ["DCD_IDT_ENC", "BEN_IDT_ANO", "BEN_DCD_DTE", "ECD_CAU_RNG", "ECD_CIM_COD"]
    rows = lazy(src.read("KI_ECD_R", columns))
    if resolved is not None:
        rows = rows.filter(matches_codes("ECD_CIM_COD", resolved[0], how=resolved[1]))
    no_code = nw.col("ECD_CIM_COD").is_null()
    no_date = _no_date("BEN_DCD_DTE")
    if report is not None:
        report.add_flags(
            "KI_ECD_R",
            rows,
            [
                ("death_causes:no_code", "cause code ECD_CIM_COD missing", no_code),
                ("death_causes:no_date", "death date BEN_DCD_DTE missing or 1600-01-01", no_date),
            ],
        )
    rows = rows.filter(~no_code & ~no_date)
    rows = lazy(attribute_cepidc(to_native(rows), read_ben(src), table="KI_ECD_R", report=report))
    key = ["patient_id", "ECD_CIM_COD"]
    for column in ("ECD_CAU_RNG", "BEN_DCD_DTE", "DCD_IDT_ENC"):
        smallest = nw.col(column).min().over(*key)  # null when all are null: keep them
        rows = rows.filter((nw.col(column) == smallest).fill_null(False) | smallest.is_null())
    events = rows.select(
        "patient_id",
        nw.lit("death_cause").alias("category"),
        nw.col("DCD_IDT_ENC").alias("group_id"),
        nw.col("ECD_CIM_COD").alias("value"),
        null("float").alias("weight"),
        nw.col("BEN_DCD_DTE").alias("start"),
        null("date").alias("end"),
        nw.lit("KI_ECD_R").alias("source"),
        nw.col("ECD_CAU_RNG").alias("rank"),
    ).unique()
    return finish_events(events, CAUSE_EXTRAS)
