"""Extract from raw tables, once per category, the events a cohort definition reads."""

from __future__ import annotations

import datetime as dt
from typing import Any

import narwhals as nw

from snds_algos.backend import PANDAS, backend_of_lazy, lazy, to_native
from snds_algos.cohorts._frames import PID
from snds_algos.cohorts.definition import CaseCriterion, CohortDefinition
from snds_algos.cohorts.events import case_category
from snds_algos.reports import Report


def _codes(definition: CohortDefinition, kind: str) -> list[str]:
    codes: list[str] = []
    for crit in definition.criteria.values():
        if not isinstance(crit, CaseCriterion) and crit.events == kind and crit.codes:
            codes += [c for c in definition.codes(crit.codes) if c not in codes]
    return codes


def _case_events(source: Any, name: str, crit: CaseCriterion) -> Any:
    """Persons a registered case algorithm identifies in year N, as events dated by the
    earliest date a criterion of theirs is met."""
    import snds_algos

    result = lazy(snds_algos.get(crit.algorithm).run(source, year=crit.year))
    dates = [c for c in result.collect_schema().names() if c.endswith("_date")]
    start = nw.min_horizontal(*[nw.col(c) for c in dates])
    return result.filter(nw.col("case")).select(
        "patient_id",
        nw.lit(case_category(name)).alias("category"),
        nw.lit(crit.algorithm).alias("value"),
        start.alias("start"),
        nw.lit(None, dtype=nw.Date()).alias("end"),
    )


def extract_cohort_events(
    definition: CohortDefinition,
    data: Any,
    *,
    data_start: dt.date | None = None,
    data_end: dt.date | None = None,
    report: Report | None = None,
) -> dict[str, Any]:
    """Per event category of the criteria, the events of all their code lists, extracted
    once (entry, rules and exits share them), plus the ``patients`` table.

    Drug dispensings and DCIR acts between ``data_start`` and ``data_end`` (when given);
    hospital diagnoses, stays and MCO acts of every PMSI year of the source; ALDs; case
    criteria run their registered algorithm.

    Examples
    --------
    >>> from snds_algos.cohorts.definition import definition_from_dict
    >>> from snds_algos.synthetic import generate_tables
    >>> d = definition_from_dict({"id": "x", "criteria": {"m": {"events": "drug_dispensing",
    ...     "codes": "met"}}, "entry": {"any": ["m"]}}, {"met": ["A10BA02"]})
    >>> out = extract_cohort_events(d, generate_tables(300, "2020", 1))
    >>> sorted(out), set(out["drug_dispensing"]["value"]) <= {"A10BA02"}
    (['drug_dispensing', 'patients'], True)
    """
    from snds_algos import events as ev
    from snds_algos.io import open_source

    source = open_source(data)
    kinds = {c.events for c in definition.criteria.values() if not isinstance(c, CaseCriterion)}
    period = (data_start, data_end) if data_start and data_end else None
    pmsi = sorted(source.years("T_MCOaaB"))
    out: dict[str, Any] = {}
    if "drug_dispensing" in kinds:
        out["drug_dispensing"] = ev.drug_dispensings(
            source, atc=_codes(definition, "drug_dispensing") or None, period=period, report=report
        )
    if "ald" in kinds:
        out["ald"] = ev.long_term_illnesses(
            source, codes=_codes(definition, "ald") or None, report=report
        )
    if "hospital_diagnosis" in kinds and pmsi:
        out["hospital_diagnosis"] = ev.hospital_diagnoses(
            source,
            codes=_codes(definition, "hospital_diagnosis") or None,
            years=pmsi,
            report=report,
        )
    if "hospital_stay" in kinds and pmsi:
        from snds_algos.backend import matches_codes

        stays = lazy(ev.hospital_stays(source, years=pmsi, report=report))
        codes = _codes(definition, "hospital_stay")
        out["hospital_stay"] = to_native(
            stays.filter(matches_codes("value", codes)) if codes else stays
        )
    if "medical_act" in kinds:
        out["medical_act"] = ev.medical_acts(
            source,
            codes=_codes(definition, "medical_act") or None,
            sources=("DCIR", "MCO") if pmsi else ("DCIR",),
            period=period,
            years=pmsi or None,
            report=report,
        )
    for name, crit in definition.criteria.items():
        if isinstance(crit, CaseCriterion):
            out[case_category(name)] = to_native(_case_events(source, name, crit))
    out["patients"] = patients_with_deaths(source, report=report)
    return out


def patients_with_deaths(source: Any, *, report: Report | None = None) -> Any:
    """:func:`snds_algos.events.patients` with ``death_date`` from the library's death
    priority (:func:`snds_algos.events.deaths`: IR_BEN_R, then the CépiDc certificate
    KI_CCI_R, then an MCO discharge by death, when the source has these tables): a death
    the referential lacks still ends observation.

    Examples
    --------
    >>> import pandas as pd
    >>> tables = {"IR_BEN_R": pd.DataFrame({"BEN_NIR_PSA": ["A" * 17, "B" * 17],
    ...     "BEN_RNG_GEM": ["1", "1"], "BEN_IDT_ANO": ["P1", "P2"], "BEN_SEX_COD": ["1", "2"],
    ...     "BEN_NAI_ANN": ["1950", "1960"], "BEN_NAI_MOI": ["01", "02"],
    ...     "BEN_RES_DPT": ["075", "013"], "BEN_DCD_DTE": ["2021-05-04", "1600-01-01"]}),
    ...     "KI_CCI_R": pd.DataFrame({"BEN_IDT_ANO": ["P2"], "BEN_DCD_DTE": ["2021-06-01"],
    ...     "DCD_CIM_COD": ["I219"]})}
    >>> patients_with_deaths(tables)[["patient_id", "death_date"]].values.tolist()
    [['P1', datetime.date(2021, 5, 4)], ['P2', datetime.date(2021, 6, 1)]]
    """
    from snds_algos import events as ev
    from snds_algos.events.deaths import DEATH_SOURCES
    from snds_algos.io import open_source

    source = open_source(source)
    pts = lazy(ev.patients(source))
    pmsi = bool(source.years("T_MCOaaB"))
    sources = [s for s in DEATH_SOURCES if pmsi or s != "T_MCOaaB"]
    died = lazy(ev.deaths(source, sources=sources, report=report)).select(
        PID, nw.col("start").alias("__died")
    )
    names = pts.collect_schema().names()
    out = pts.join(died, on=PID, how="left").with_columns(nw.col("__died").alias("death_date"))
    out = out.select(*names)
    if backend_of_lazy(out) == PANDAS:
        return to_native(out).sort_values(PID).reset_index(drop=True)
    return to_native(out)
