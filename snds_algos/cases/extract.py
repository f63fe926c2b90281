"""Extract from raw tables the events a case definition reads, and run it.

Algorithms whose definition is pure data (no extraction of their own) use
:func:`extract_for` and :func:`run_definition` in their ``extract_events`` and ``run``
instead of repeating the extraction: what is extracted follows from the criteria (event
kinds, code lists, years).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from snds_algos.backend import lazy, matches_codes, to_native
from snds_algos.cases.definition import Definition
from snds_algos.cases.engine import identify
from snds_algos.errors import DataYearsError, MissingTableError, format_years
from snds_algos.parameters import reference_year
from snds_algos.reports import Report, warn

#: the logical table each kind of hospital criterion reads
_PMSI_TABLE = {
    "hospital_diagnosis": "T_MCOaaB",
    "hospital_stay": "T_MCOaaB",
    "medical_act": "T_MCOaaA",
}


def _enabled_years(definition: Definition, year: int) -> dict[str, list[int]]:
    """Per enabled criterion, the calendar years it reads."""
    out = {}
    for name, crit in definition.criteria.items():
        if not crit.enabled:
            continue
        years = {year + k for k in crit.years}
        if crit.events == "ald":
            years = {year + crit.active_in_year}
        out[name] = sorted(years)
    return out


def check_data_years(
    definition: Definition, source: Any, year: int, *, report: Report | None = None
) -> None:
    """Check the reference year and the look-back years against the data's years.

    A reference year outside :meth:`~snds_algos.io.TableSource.data_years` is a
    :class:`~snds_algos.errors.DataYearsError` naming the years; a look-back year the
    data lacks (N-1 when the data starts in N) is a warning naming the years and the
    criteria that read it, recorded in ``report``. An enabled hospital criterion on a
    source without any PMSI table is a :class:`~snds_algos.errors.MissingTableError`.
    Data whose years are not known (frames of stacked yearly tables) are not checked.
    """
    for crit in definition.criteria.values():
        table = _PMSI_TABLE.get(crit.events)
        if not crit.enabled or table is None:
            continue
        if crit.events == "medical_act" and source.has("ER_CAM_F"):
            continue  # DCIR acts alone are a complete source for acts
        if not source.has(table):
            raise MissingTableError(table, source.description, source.physical_tables())
    have = source.data_years()
    if not have:
        return
    if year not in have:
        raise DataYearsError(year, have, source.description)
    missing: dict[int, list[str]] = {}
    for name, years in _enabled_years(definition, year).items():
        for y in years:
            if y not in have:
                missing.setdefault(y, []).append(name)
    for y, names in sorted(missing.items()):
        warn(
            report,
            "(data years)",
            f"look-back year {y} is absent from {source.description} (years "
            f"{format_years(have)}): criteria {', '.join(names)} read only the years present",
        )


def _span(definition: Definition, kind: str, year: int) -> list[int]:
    """Calendar years the criteria of ``kind`` look at."""
    years: set[int] = set()
    for crit in definition.criteria.values():
        if crit.events == kind:
            years.update(year + k for k in crit.years)
            if kind == "ald":
                years.add(year + crit.active_in_year)
    return sorted(years)


def _codes(definition: Definition, kind: str) -> list[str]:
    """Every code of the code lists the criteria of ``kind`` select on (same stay too)."""
    names: list[str] = []
    for crit in definition.criteria.values():
        if crit.events != kind:
            continue
        if crit.codes:
            names.append(crit.codes)
        if crit.with_same_stay:
            names.append(crit.with_same_stay["codes"])
    codes: list[str] = []
    for name in dict.fromkeys(names):
        codes += [c for c in definition.code_lists[name] if c not in codes]
    return codes


def extract_for(
    definition: Definition,
    data: Any,
    year: int,
    *,
    products: tuple[str, ...] = ("MCO",),
    disambiguate: bool = True,
    report: Report | None = None,
) -> dict[str, Any]:
    """The events every criterion of ``definition`` reads, from raw tables, for year N.

    Per event kind of the criteria (enabled or not, so that parameters can switch them
    on): drug dispensings of the code lists over the criteria's years; ALDs of the code
    lists; hospital diagnoses of ``products`` (MCO by default: the cartography reads MCO
    stays only) of the code lists and same-stay lists, for the PMSI years of the criteria
    present in the source; MCO stays (GHM) and CCAM acts (DCIR and MCO) of the code
    lists over those years. A kind with no criterion is not extracted. ``disambiguate``
    (default ``True``) attributes PMSI stays on a shared NIR by the stay's sex and age
    (:func:`~snds_algos.identity.attribute_pmsi`).

    Examples
    --------
    >>> from snds_algos.cases import Criterion, Definition
    >>> from snds_algos.synthetic import generate_tables
    >>> d = Definition("hta", {"stay": Criterion("stay", "hospital_diagnosis", codes="hta")},
    ...                "stay", code_lists={"hta": ["I10"]})
    >>> events = extract_for(d, generate_tables(1000, "2020", 1), 2020)
    >>> sorted(events), set(events["diagnoses"]["value"]), set(events["diagnoses"]["source"])
    (['diagnoses'], {'I10'}, {'T_MCOaaD'})
    """
    from snds_algos import events as ev
    from snds_algos.io import open_source

    source = open_source(data)
    year = reference_year(year)
    check_data_years(definition, source, year, report=report)
    kinds = {crit.events for crit in definition.criteria.values()}
    pmsi = {y for y in source.years("T_MCOaaB")}
    if not pmsi and source.has("T_MCOaaB"):  # stacked frames: years not known up front
        pmsi = set(range(year - 10, year + 11))
    out: dict[str, Any] = {}
    if "drug_dispensing" in kinds:
        span = _span(definition, "drug_dispensing", year)
        period = (dt.date(span[0], 1, 1), dt.date(span[-1], 12, 31))
        out["drugs"] = ev.drug_dispensings(
            source, atc=_codes(definition, "drug_dispensing"), period=period, report=report
        )
    if "ald" in kinds:
        out["ald"] = ev.long_term_illnesses(source, codes=_codes(definition, "ald"), report=report)
    for kind, key in (
        ("hospital_diagnosis", "diagnoses"),
        ("hospital_stay", "stays"),
        ("medical_act", "acts"),
    ):
        if kind not in kinds:
            continue
        years = [y for y in _span(definition, kind, year) if y in pmsi]
        codes = _codes(definition, kind)
        if kind == "medical_act":
            span = _span(definition, kind, year)
            period = (dt.date(span[0], 1, 1), dt.date(span[-1], 12, 31))
            # MCO acts of the PMSI years in the source only; DCIR acts by care date
            out[key] = ev.medical_acts(
                source,
                codes=codes,
                sources=("DCIR", "MCO") if years else ("DCIR",),
                period=period,
                years=years or None,
                disambiguate=disambiguate,
                report=report,
            )
            continue
        if not years:
            continue
        if kind == "hospital_diagnosis":
            out[key] = ev.hospital_diagnoses(
                source,
                codes=codes,
                years=years,
                products=products,
                disambiguate=disambiguate,
                report=report,
            )
        else:
            stays = ev.hospital_stays(source, years=years, disambiguate=disambiguate, report=report)
            stays = lazy(stays)
            out[key] = to_native(stays.filter(matches_codes("value", codes)))
    return out


def run_definition(
    spec: Definition,
    extract: Any,
    data: Any = None,
    year: int | None = None,
    *,
    events: Any = None,
    population: Any = None,
    report: Report | None = None,
    disambiguate: bool = True,
    **params: Any,
) -> Any:
    """What an algorithm's ``run()`` does: parameters, extraction (``extract(data, year,
    report=..., disambiguate=...)``) unless ``events`` are given, the population, then
    the engine. ``disambiguate`` (default ``True``): PMSI stays on a shared NIR are
    attributed by the stay's sex and age (:func:`~snds_algos.identity.attribute_pmsi`).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.cases import Criterion, Definition
    >>> from snds_algos.contracts.dtypes import date_series
    >>> d = Definition("x", {"ald": Criterion("ald", "ald", codes="c")}, "ald",
    ...                code_lists={"c": ["G20"]})
    >>> ald = pd.DataFrame({"patient_id": ["P1"], "category": ["ald"], "group_id": ["41"],
    ...                     "value": ["G20"], "start": date_series(["2010-05-01"]),
    ...                     "end": date_series([None])})
    >>> run_definition(d, None, events=ald, year=2020)[["patient_id", "case"]].values.tolist()
    [['P1', True]]
    """
    if year is None:
        raise TypeError("run() needs the reference year: run(data, year=2020)")
    year = reference_year(year)
    spec = spec.with_parameters(**params) if params else spec
    if events is None:
        if data is None:
            raise TypeError("run() needs the raw tables (data) or precomputed events")
        if disambiguate:
            events = extract(data, year, report=report)
        else:
            events = extract(data, year, report=report, disambiguate=False)
        if population is True:
            from snds_algos.identity import person_index
            from snds_algos.io import open_source

            source = open_source(data)
            population = person_index(
                source.read("IR_BEN_R", ["BEN_NIR_PSA", "BEN_RNG_GEM", "BEN_IDT_ANO"])
            ).to_native()
    elif population is True:
        raise TypeError("population=True needs the raw tables; pass a frame of patient_id")
    return identify(spec, events, year, population=population)
