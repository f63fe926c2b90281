"""The cartography population of year N: who the CNAM counts (S4 of ``flags.yaml``).

A person of IR_BEN_R is in the population of year N when

* at least one DCIR prestation line (ER_PRS_F) with a care date (EXE_SOI_DTD) in N is
  kept by the DCIR cleaning rules (:func:`~snds_algos.cleaning.dcir.clean_dcir`:
  information lines, zero nature, flux window...) and attributed to them, or
* at least one hospital stay of PMSI year N (MCO stays kept by the MCO cleaning rules;
  SSR and HAD stays when the source has those tables) is attributed to them,

and they did not die before 1 January of N (:func:`~snds_algos.events.deaths`: the
referential's date, else the CépiDc certificate, else an MCO stay ending in death).
Persons of IR_BEN_R left out are counted in the report (steps
``cartography:no_care_in_year`` and ``cartography:died_before_year``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import narwhals as nw

from snds_algos.backend import computed_once, date_literal, distinct, lazy, to_native
from snds_algos.reports import Report

PID = "patient_id"


def _dcir_persons(src: Any, year: int, report: Report | None) -> nw.LazyFrame:
    from snds_algos.cleaning.dcir import DCIR_KEYS, clean_dcir
    from snds_algos.events._common import DCIR_CLEANING_COLUMNS, in_period, read_ben
    from snds_algos.identity import attribute_dcir

    window = (dt.date(year, 1, 1), dt.date(year, 12, 31))
    columns = [*DCIR_KEYS, "BEN_NIR_PSA", "BEN_RNG_GEM", "EXE_SOI_DTD", *DCIR_CLEANING_COLUMNS]
    prs = lazy(src.read("ER_PRS_F", list(dict.fromkeys(columns))))
    prs = prs.filter(in_period("EXE_SOI_DTD", window))
    ete = src.read("ER_ETE_F", [*DCIR_KEYS, "ETE_IND_TAA"]) if src.has("ER_ETE_F") else None
    kept = clean_dcir(to_native(prs), ete, period=window, report=report)
    keys = distinct(lazy(kept).select("BEN_NIR_PSA", "BEN_RNG_GEM"))
    rows = attribute_dcir(to_native(keys), read_ben(src), table="ER_PRS_F", report=report)
    return distinct(lazy(rows).select(PID))


def _pmsi_persons(
    src: Any, year: int, report: Report | None, disambiguate: bool
) -> nw.LazyFrame | None:
    from snds_algos.events.diagnoses import _pmsi_stays
    from snds_algos.events.stays import hospital_stays

    parts = []
    if src.has("T_MCOaaB") and src.has("T_MCOaaC") and year in (src.years("T_MCOaaB") or [year]):
        stays = hospital_stays(src, years=[year], disambiguate=disambiguate, report=report)
        parts.append(lazy(stays).select(PID))
    for product, keys in (("SSR", ["ETA_NUM", "RHA_NUM"]), ("HAD", ["ETA_NUM_EPMSI", "RHAD_NUM"])):
        table = f"T_{product}aaC"
        if src.has(f"T_{product}aaB") and src.has(table) and year in (src.years(table) or [year]):
            stays = _pmsi_stays(src, product, keys, [year], report, disambiguate)
            parts.append(stays.select(PID))
    if not parts:
        return None
    return distinct(parts[0] if len(parts) == 1 else nw.concat(parts, how="vertical"))


def cartography_population(
    source: Any,
    year: int,
    *,
    disambiguate: bool = True,
    report: Report | None = None,
) -> Any:
    """The persons of the cartography population of year N, with their sex.

    One row per person: ``patient_id``, ``sex`` (``"1"`` men, ``"2"`` women, null
    unknown), sorted by ``patient_id`` on pandas (DuckDB: computed once; Spark: lazy).
    The rule is the module's (a DCIR care or a PMSI stay in N, deaths before N
    excluded); ``report`` receives the cleaning counts and the population steps.

    Examples
    --------
    >>> from snds_algos.synthetic import generate_tables
    >>> tables = generate_tables(500, "2019-2020", 1)
    >>> report = Report()
    >>> pop = cartography_population(tables, 2020, report=report)
    >>> list(pop.columns), 0 < len(pop) < 500
    (['patient_id', 'sex'], True)
    >>> steps = report.to_pandas().set_index("step")
    >>> int(steps.loc["cartography:died_before_year", "rows_out"]) == len(pop)
    True
    """
    from snds_algos import events as ev
    from snds_algos.io import open_source
    from snds_algos.parameters import reference_year

    src = open_source(source)
    year = reference_year(year)
    persons = lazy(ev.patients(src)).select(PID, "sex")
    dcir = _dcir_persons(src, year, report) if src.has("ER_PRS_F") else None
    pmsi = _pmsi_persons(src, year, report, disambiguate)
    cared = [p for p in (dcir, pmsi) if p is not None]
    if cared:
        who = cared[0] if len(cared) == 1 else distinct(nw.concat(cared, how="vertical"))
        who = who.with_columns(nw.lit(True).alias("__care"))
        persons = persons.join(who, on=PID, how="left")
    else:
        persons = persons.with_columns(nw.lit(None, dtype=nw.Boolean()).alias("__care"))
    deaths = lazy(ev.deaths(src, disambiguate=disambiguate, report=report))
    dead = distinct(
        deaths.filter(nw.col("start") < date_literal(dt.date(year, 1, 1))).select(PID)
    ).with_columns(nw.lit(True).alias("__dead"))
    persons = persons.join(dead, on=PID, how="left")
    persons = computed_once(persons)
    no_care = nw.col("__care").is_null()
    died = ~nw.col("__dead").is_null()
    if report is not None:
        report.add_flags(
            "(cartography population)",
            persons,
            [
                (
                    "cartography:no_care_in_year",
                    f"persons of IR_BEN_R without a DCIR care or a PMSI stay in {year}",
                    no_care,
                ),
                ("cartography:died_before_year", f"persons dead before 1 January {year}", died),
            ],
        )
    out = persons.filter(~no_care & ~died).select(PID, "sex")
    native = to_native(out)
    if hasattr(native, "sort_values"):
        native = native.sort_values(PID, kind="stable").reset_index(drop=True)
    return native
