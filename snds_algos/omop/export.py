"""The export: SNDS tables of a source to the OMOP CDM 5.4 tables, on its backend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import narwhals as nw

from snds_algos.backend import computed_once, lazy, to_native
from snds_algos.io.source import TableSource, open_source
from snds_algos.omop import clinical, eras, persons, visits
from snds_algos.omop.cohort import cohort_definition_table, cohort_table, numbered_cohorts
from snds_algos.omop.concepts import concept, fixed_concepts
from snds_algos.omop.schema import COHORT_TABLES, EXPORT_TABLES, finish_table
from snds_algos.omop.vocabulary import Vocabulary, read_vocabulary, vocabularies_used
from snds_algos.reports import Report

#: the code column, vocabulary kind and concept column of each mapped table
MAPPED = {
    "condition_occurrence": ("condition_source_value", "condition", "condition_concept_id"),
    "drug_exposure": ("drug_source_value", "drug", "drug_concept_id"),
    "procedure_occurrence": ("procedure_source_value", "procedure", "procedure_concept_id"),
    "measurement": ("measurement_source_value", "measurement", "measurement_concept_id"),
    "death": ("cause_source_value", "condition", "cause_concept_id"),
}


@dataclass
class OmopExport:
    """The OMOP tables of one export (native frames of the source's backend, by
    lower-case CDM table name, in DDL order), the vocabularies used, and the report
    of what was left out."""

    tables: dict[str, Any]
    vocabularies: dict[str, str]
    report: Report = field(default_factory=Report)
    vocabulary: Vocabulary | None = None

    def mapping_report(self) -> Any:
        """Share of rows mapped to a standard concept, per table and vocabulary (pandas).

        Columns ``table, vocabulary, rows, rows_mapped, share_mapped``; without a
        vocabulary every share is 0.
        """
        import pandas as pd

        from snds_algos.backend import to_pandas

        records = []
        for table, (code, kind, concept_col) in MAPPED.items():
            lf = lazy(self.tables[table]).filter(~nw.col(code).is_null())
            counts = to_pandas(
                to_native(
                    lf.select(
                        nw.len().alias("rows"),
                        (nw.col(concept_col) != 0).cast(nw.Int64()).sum().alias("mapped"),
                    )
                )
            ).iloc[0]
            rows, mapped = int(counts["rows"]), int(counts["mapped"] or 0)
            records.append({"table": table, "vocabulary": self.vocabularies[kind], "rows": rows,
                            "rows_mapped": mapped,
                            "share_mapped": mapped / rows if rows else float("nan")})  # fmt: skip
        return pd.DataFrame(records)

    def unmapped_codes(self) -> Any:
        """Source codes without a standard concept: ``table, vocabulary, code, rows``,
        sorted by table then rows (descending) then code (pandas)."""
        import pandas as pd

        from snds_algos.backend import to_pandas

        parts = []
        for table, (code, kind, concept_col) in MAPPED.items():
            lf = lazy(self.tables[table]).filter(
                ~nw.col(code).is_null() & (nw.col(concept_col) == 0)
            )
            found = to_pandas(to_native(lf.group_by(code).agg(nw.len().alias("rows"))))
            found = found.rename(columns={code: "code"})
            found.insert(0, "vocabulary", self.vocabularies[kind])
            found.insert(0, "table", table)
            parts.append(found)
        out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        out["rows"] = out["rows"].astype("int64")
        return out.sort_values(["table", "rows", "code"], ascending=[True, False, True]
                               ).reset_index(drop=True)  # fmt: skip

    def missing_fixed_concepts(self) -> list[int]:
        """Fixed concept ids of the export (``concepts.csv``) absent from the vocabulary
        given (empty without a vocabulary)."""
        if self.vocabulary is None:
            return []
        ids = {int(r["concept_id"]) for r in fixed_concepts().values()} - {0}
        return sorted(ids - self.vocabulary.concept_ids(ids))


def cdm_source(bounds: nw.LazyFrame, vocabulary_version: str,
               release_date: dt.date) -> nw.LazyFrame:  # fmt: skip
    """The one CDM_SOURCE row: source release date = last date of the data."""
    from snds_algos import __version__
    from snds_algos.backend import from_day_number

    lf = from_day_number(bounds.select("__hi"), {"__hi": "source_release_date"})
    return lf.select(
        nw.lit("SNDS extract exported by snds-algos").alias("cdm_source_name"),
        nw.lit("SNDS").alias("cdm_source_abbreviation"),
        nw.lit("the holder of the SNDS extract").alias("cdm_holder"),
        nw.lit(
            "French national health data system (SNDS): DCIR claims, PMSI hospital "
            "stays, CépiDc causes of death, beneficiary referential"
        ).alias("source_description"),
        nw.lit("https://documentation-snds.health-data-hub.fr").alias(
            "source_documentation_reference"
        ),
        nw.lit(f"snds-algos {__version__} (snds_algos.omop)").alias("cdm_etl_reference"),
        "source_release_date",
        nw.lit(release_date, dtype=nw.Date()).alias("cdm_release_date"),
        nw.lit("5.4").alias("cdm_version"),
        nw.lit(concept("cdm_5_4"), dtype=nw.Int64()).alias("cdm_version_concept_id"),
        nw.lit(vocabulary_version).alias("vocabulary_version"),
    )


def _vocabulary_version(vocab: Vocabulary | None) -> str:
    if vocab is None:
        return "none (concept ids 0)"
    from pathlib import Path

    path = Path(vocab.folder) / "VOCABULARY.csv"
    if path.exists():
        import pandas as pd

        table = pd.read_csv(path, sep="\t", dtype=str, quoting=3, keep_default_na=False)
        row = table[table.get("vocabulary_id", pd.Series(dtype=str)) == "None"]
        if len(row) and "vocabulary_version" in row:
            return str(row["vocabulary_version"].iloc[0])[:20]
    return "user vocabulary"


def export_omop(
    source: TableSource | Any,
    *,
    vocabulary: Vocabulary | str | None = None,
    vocabularies: Mapping[str, str] | None = None,
    years: Iterable[int] | None = None,
    release_date: dt.date | None = None,
    cohorts: Any = None,
    report: Report | None = None,
) -> OmopExport:
    """Export a source (any backend) as OMOP CDM 5.4 tables.

    Builds PERSON, OBSERVATION_PERIOD, VISIT_OCCURRENCE, VISIT_DETAIL,
    CONDITION_OCCURRENCE, DRUG_EXPOSURE, PROCEDURE_OCCURRENCE, MEASUREMENT, DEATH,
    DRUG_ERA, CONDITION_ERA and CDM_SOURCE from the events layer, each events category
    extracted once (patients, hospital stays, hospital diagnoses, drug dispensings,
    medical acts, biology acts, deaths) plus the medical units of T_MCOaaUM. The rules
    of each table are in the docstrings of :mod:`snds_algos.omop.persons`,
    :mod:`~snds_algos.omop.visits`, :mod:`~snds_algos.omop.clinical` and
    :mod:`~snds_algos.omop.eras`, and on the user guide page "OMOP CDM export".

    Parameters
    ----------
    source:
        A :class:`~snds_algos.io.TableSource`, a folder or a ``{table: frame}`` mapping.
    vocabulary:
        An Athena vocabulary (:func:`~snds_algos.omop.read_vocabulary`, or its folder,
        read on the source's backend); ``None``: every concept id 0.
    vocabularies:
        Source vocabulary ids by kind (``condition``, ``drug``, ``procedure``,
        ``measurement``): :data:`~snds_algos.omop.vocabulary.SOURCE_VOCABULARIES`.
    years:
        PMSI years to read (default all).
    release_date:
        CDM_SOURCE.cdm_release_date (default: today), and the initiation date of the
        cohorts.
    cohorts:
        :class:`~snds_algos.cohorts.Cohort` objects built on the same source (one, a list
        numbered 1, 2..., or ``{cohort_definition_id: cohort}``): exported as COHORT and
        COHORT_DEFINITION (:mod:`snds_algos.omop.cohort`); ``None``: neither table.
    report:
        Receives the cleaning, attribution and export counts (rows left out).

    Returns
    -------
    OmopExport
        ``tables`` by CDM name (every table of
        :data:`~snds_algos.omop.schema.EXPORT_TABLES`, then COHORT and COHORT_DEFINITION
        when ``cohorts`` are given; pandas sorted by primary key; DuckDB relations; lazy
        Spark frames), with :meth:`OmopExport.mapping_report`.

    Examples
    --------
    >>> import pandas as pd
    >>> ben = pd.DataFrame({"BEN_NIR_PSA": ["A" * 17], "BEN_RNG_GEM": ["1"],
    ...     "BEN_IDT_ANO": ["P1"], "BEN_SEX_COD": ["2"], "BEN_NAI_ANN": [1950],
    ...     "BEN_NAI_MOI": [7], "BEN_DCD_DTE": ["2021-03-04"], "BEN_RES_DPT": ["075"]})
    >>> export = export_omop({"IR_BEN_R": ben}, release_date=dt.date(2026, 1, 1))
    >>> export.tables["person"][["gender_concept_id", "year_of_birth", "month_of_birth"]].values.tolist()
    [[8532, 1950, 7]]
    >>> export.tables["death"][["death_date", "death_type_concept_id"]].values.tolist()
    [[datetime.date(2021, 3, 4), 32879]]
    """
    from snds_algos import events

    src = open_source(source)
    used = vocabularies_used(vocabularies)
    report = report if report is not None else Report()
    if isinstance(vocabulary, str):
        vocabulary = read_vocabulary(vocabulary, src.backend, getattr(src, "spark", None))
    mapping = None
    if vocabulary is not None:
        mapping = computed_once(vocabulary.mapping(used.values()))

    def once(frame: Any) -> nw.LazyFrame:
        """A table read by several others: computed once on DuckDB, cached on Spark
        (lazily: Spark fills the cache at the first action)."""
        lf = lazy(frame)
        if lf.implementation.is_pyspark():
            return lazy(lf.to_native().cache())
        return computed_once(lf)

    patients = events.patients(src)
    person = once(persons.persons(patients, report))
    has_mco = src.has("T_MCOaaB") and src.has("T_MCOaaC")
    has = {t: src.has(t) for t in ("ER_PRS_F", "ER_PHA_F", "IR_PHA_R", "ER_CAM_F", "ER_BIO_F")}
    dated: list[nw.LazyFrame] = []
    tables: dict[str, nw.LazyFrame] = {"person": person}

    visit = None
    if has_mco:
        stays = events.hospital_stays(src, years=years, products=("MCO", "SSR", "HAD"),
                                      report=report)  # fmt: skip
        visit = once(visits.visit_occurrence(stays, person, report))
        tables["visit_occurrence"] = visit
        dated.append(visit.select(nw.col("visit_start_date").alias("start"),
                                  nw.col("visit_end_date").alias("end")))  # fmt: skip
        units = visits.medical_units(src, years, report)
        if units is not None:
            tables["visit_detail"] = visits.visit_detail(units, visit, report)
        # the MCO cleaning and attribution of the stays are counted once, by hospital_stays
        diagnoses = events.hospital_diagnoses(src, levels=("stay",), years=years)
        cond = once(clinical.condition_occurrence(diagnoses, person, visit, mapping,
                                                  used["condition"], report))  # fmt: skip
        tables["condition_occurrence"] = cond
        dated.append(cond.select(nw.col("condition_start_date").alias("start"),
                                 nw.col("condition_end_date").alias("end")))  # fmt: skip
    else:
        report.skip("T_MCOaaB", "VISIT_OCCURRENCE, CONDITION_OCCURRENCE", "no MCO tables")
    if has["ER_PRS_F"] and has["ER_PHA_F"] and has["IR_PHA_R"]:
        drugs = events.drug_dispensings(src, report=report)
        drug = once(clinical.drug_exposure(drugs, person, mapping, used["drug"], report))
        tables["drug_exposure"] = drug
        dated.append(drug.select(nw.col("drug_exposure_start_date").alias("start"),
                                 nw.col("drug_exposure_end_date").alias("end")))  # fmt: skip
    acts_sources = [s for s, ok in (("DCIR", has["ER_PRS_F"] and has["ER_CAM_F"]),
                                    ("MCO", has_mco and src.has("T_MCOaaA"))) if ok]  # fmt: skip
    if acts_sources:
        acts = events.medical_acts(src, sources=acts_sources, years=years, report=report)
        proc = once(clinical.procedure_occurrence(acts, person, visit, mapping,
                                                  used["procedure"], report))  # fmt: skip
        tables["procedure_occurrence"] = proc
        dated.append(proc.select(nw.col("procedure_date").alias("start"),
                                 nw.col("procedure_end_date").alias("end")))  # fmt: skip
    if has["ER_PRS_F"] and has["ER_BIO_F"]:
        bio = events.biology_acts(src, report=report)
        meas = once(clinical.measurement(bio, person, mapping, used["measurement"], report))
        tables["measurement"] = meas
        dated.append(meas.select(nw.col("measurement_date").alias("start"),
                                 nw.col("measurement_date").alias("end")))  # fmt: skip
    sources = ["IR_BEN_R", "KI_CCI_R"] + (["T_MCOaaB"] if has_mco else [])
    death_events = events.deaths(src, sources=sources, years=years, report=report)
    death = once(persons.death(death_events, person, mapping, used["condition"], report))
    tables["death"] = death
    dated.append(death.select(nw.col("death_date").alias("start"),
                              nw.col("death_date").alias("end")))  # fmt: skip
    bounds = once(persons.extraction_bounds(dated))
    tables["observation_period"] = persons.observation_period(person, death, bounds, report)
    if "drug_exposure" in tables:
        tables["drug_era"] = eras.drug_era(tables["drug_exposure"])
    if "condition_occurrence" in tables:
        tables["condition_era"] = eras.condition_era(tables["condition_occurrence"])
    release = release_date or dt.date.today()
    tables["cdm_source"] = cdm_source(bounds, _vocabulary_version(vocabulary), release)
    numbered = numbered_cohorts(cohorts)
    if numbered:
        tables["cohort"] = cohort_table(numbered, person, report)
        tables["cohort_definition"] = cohort_definition_table(numbered, person, release)
    out = {}
    for name in EXPORT_TABLES + (COHORT_TABLES if numbered else ()):
        frame = tables.get(name)
        if frame is None:
            frame = _empty(name, person)
        out[name] = finish_table(name, frame)
    return OmopExport(out, used, report, vocabulary)


def _empty(name: str, person: nw.LazyFrame) -> nw.LazyFrame:
    """No rows of table ``name`` (its columns come from :func:`finish_table`)."""
    return person.select("person_id").filter(
        nw.col("person_id").is_null() & ~nw.col("person_id").is_null()
    )


__all__ = ["OmopExport", "export_omop"]
