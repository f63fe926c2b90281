"""OMOP CDM 5.4 export: SNDS persons, stays, diagnoses, drugs, acts, biology, deaths,
observation periods and eras as OMOP tables, validated against the official DDL.

* :func:`export_omop`: a source (pandas, DuckDB or Spark) to the OMOP tables, on its
  backend, with concept mapping from a user-provided Athena vocabulary
  (:func:`read_vocabulary`) and a mapping report;
* :func:`write_export`: the tables as parquet or CSV files;
* :func:`load_duckdb`: a DuckDB database created with the official CDM 5.4 DDL, loaded
  with the files, every constraint checked (:func:`check_constraints`);
* ids: :func:`person_id_of` (the documented hash of the person key);
* cohorts: ``export_omop(..., cohorts=...)`` writes :mod:`snds_algos.cohorts` cohorts as
  COHORT and COHORT_DEFINITION (:mod:`snds_algos.omop.cohort`).

>>> from snds_algos.omop import EXPORT_TABLES
>>> EXPORT_TABLES[:3]
('person', 'observation_period', 'visit_occurrence')
"""

from snds_algos.omop.ddl import check_constraints, create_statements, load_duckdb
from snds_algos.omop.export import OmopExport, export_omop
from snds_algos.omop.ids import hash_key as person_id_of
from snds_algos.omop.schema import ALL_TABLES, COHORT_TABLES, EXPORT_TABLES
from snds_algos.omop.vocabulary import SOURCE_VOCABULARIES, Vocabulary, read_vocabulary
from snds_algos.omop.writer import write_export

__all__ = [
    "ALL_TABLES",
    "COHORT_TABLES",
    "EXPORT_TABLES",
    "SOURCE_VOCABULARIES",
    "OmopExport",
    "Vocabulary",
    "check_constraints",
    "create_statements",
    "export_omop",
    "load_duckdb",
    "person_id_of",
    "read_vocabulary",
    "write_export",
]
