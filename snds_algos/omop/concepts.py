"""The fixed OMOP concepts the export uses (gender, visit, types of record, statuses).

They are data (``concepts.csv`` beside this module): the concept ids as published in
the OHDSI standardized vocabularies, with what each is used for. Check them against
your Athena release; when a vocabulary is given to the export, the mapping report
lists the ids it does not hold. The names and codes of the file only fill the CONCEPT
rows that :func:`~snds_algos.omop.load_duckdb` writes when no vocabulary is given, so
that the foreign keys to CONCEPT can be checked.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources


@cache
def fixed_concepts() -> dict[str, dict[str, str]]:
    """The rows of ``concepts.csv`` by key.

    >>> fixed_concepts()["female"]["concept_id"]
    '8532'
    """
    text = resources.files("snds_algos.omop").joinpath("concepts.csv").read_text("utf-8")
    return {row["key"]: row for row in csv.DictReader(text.splitlines())}


def concept(key: str) -> int:
    """The concept id of a fixed concept.

    >>> concept("inpatient_visit")
    9201
    """
    return int(fixed_concepts()[key]["concept_id"])
