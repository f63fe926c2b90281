"""Concept mapping from a vocabulary the user provides (OHDSI Athena files).

The Athena vocabularies cannot ship with the package (their licences are per
vocabulary, and they weigh gigabytes): give the folder of an Athena download, which
holds ``CONCEPT.csv`` and ``CONCEPT_RELATIONSHIP.csv`` (tab-separated, with a header).

For each source vocabulary used by the export (``ICD10`` for the CIM-10 codes, ``ATC``,
``CCAM``, ``NABM``: see :data:`SOURCE_VOCABULARIES`), a source code is looked up among
the concepts of that vocabulary, dots removed (Athena writes ``E11.9``, the SNDS
``E119``): its concept is the ``*_source_concept_id``. Its standard concept is the
target of its ``Maps to`` relationship (valid: ``invalid_reason`` empty), the smallest
concept id when there are several, so that one source row gives one OMOP row. A code
without a concept, or a concept without a ``Maps to``, gets concept id 0 (the CDM
convention) and keeps its source value; the mapping report counts them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import narwhals as nw

from snds_algos.backend import DUCKDB, PANDAS, SPARK, Backend, duckdb_connection, lazy, to_native
from snds_algos.errors import ContractError

#: the source vocabulary of each kind of code (Athena ``vocabulary_id``); override with
#: ``export_omop(..., vocabularies={...})`` (e.g. ``{"condition": "CIM10"}``)
SOURCE_VOCABULARIES: dict[str, str] = {
    "condition": "ICD10",
    "drug": "ATC",
    "procedure": "CCAM",
    "measurement": "NABM",
}
CONCEPT_COLUMNS = ("concept_id", "concept_name", "domain_id", "vocabulary_id",
                   "concept_class_id", "standard_concept", "concept_code", "invalid_reason")  # fmt: skip
RELATIONSHIP_COLUMNS = ("concept_id_1", "concept_id_2", "relationship_id", "invalid_reason")


@dataclass
class Vocabulary:
    """An Athena vocabulary read on one backend: ``concepts`` and ``relationships``
    (native frames, lazy on DuckDB and Spark) and the folder they come from."""

    concepts: Any
    relationships: Any
    folder: str
    backend: Backend

    def mapping(self, vocabularies: Iterable[str]) -> nw.LazyFrame:
        """``vocabulary_id, code, source_concept_id, concept_id``: one row per source code
        (dots removed) of ``vocabularies``, with its standard concept (0 when it has no
        valid ``Maps to``)."""
        wanted = sorted(set(vocabularies))
        concepts = lazy(self.concepts).filter(nw.col("vocabulary_id").is_in(wanted))
        source = concepts.select(
            "vocabulary_id",
            nw.col("concept_code").str.replace_all(".", "", literal=True).alias("code"),
            nw.col("concept_id").alias("source_concept_id"),
        )
        source = source.group_by("vocabulary_id", "code").agg(nw.col("source_concept_id").min())
        maps = (
            lazy(self.relationships)
            .filter((nw.col("relationship_id") == "Maps to") & nw.col("invalid_reason").is_null())
            .group_by("concept_id_1")
            .agg(nw.col("concept_id_2").min().alias("concept_id"))
            .rename({"concept_id_1": "source_concept_id"})
        )
        out = source.join(maps, on="source_concept_id", how="left")
        return out.with_columns(nw.col("concept_id").fill_null(0))

    def concept_ids(self, ids: Iterable[int]) -> set[int]:
        """Which of ``ids`` the vocabulary's CONCEPT holds (a small query)."""
        wanted = sorted({int(i) for i in ids})
        found = lazy(self.concepts).filter(nw.col("concept_id").is_in(wanted)).select("concept_id")
        from snds_algos.backend import to_pandas

        return {int(v) for v in to_pandas(to_native(found))["concept_id"].tolist()}


def _athena_file(folder: Path, name: str) -> Path:
    for candidate in (folder / f"{name}.csv", folder / f"{name.lower()}.csv"):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(
        f"vocabulary folder {folder}: {name}.csv not found (an Athena download holds "
        "CONCEPT.csv and CONCEPT_RELATIONSHIP.csv)"
    )


def _read(path: Path, columns: Iterable[str], ints: Iterable[str], backend: Backend,
          spark: Any) -> Any:  # fmt: skip
    columns, ints = list(columns), set(ints)
    if backend == PANDAS:
        import pandas as pd

        frame = pd.read_csv(
            path, sep="\t", dtype=str, keep_default_na=False, na_values=[""], quoting=3,
            usecols=lambda c: c in columns,
        )  # fmt: skip
        missing = [c for c in columns if c not in frame.columns]
    elif backend == DUCKDB:
        rel = duckdb_connection().read_csv(
            str(path), delimiter="\t", header=True, all_varchar=True, quotechar=""
        )
        missing = [c for c in columns if c not in rel.columns]
        frame = rel
    else:
        frame = spark.read.csv(str(path), sep="\t", header=True, quote="")
        missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ContractError(path.name, missing[0], "column missing from the vocabulary file")
    lf = lazy(frame).select(
        *[nw.col(c).cast(nw.Int64()) if c in ints else nw.col(c).cast(nw.String()) for c in columns]
    )
    if backend == PANDAS:
        native = to_native(lf)
        return native.astype({c: "Int64" if c in ints else "string[pyarrow]" for c in columns})
    return to_native(lf)


def read_vocabulary(
    folder: str | os.PathLike[str], backend: Backend = PANDAS, spark: Any = None
) -> Vocabulary:
    """Read the CONCEPT and CONCEPT_RELATIONSHIP files of an Athena folder on ``backend``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "CONCEPT.csv").write_text(
    ...     "concept_id\\tconcept_name\\tdomain_id\\tvocabulary_id\\tconcept_class_id\\t"
    ...     "standard_concept\\tconcept_code\\tinvalid_reason\\n"
    ...     "1\\tDiabetes\\tCondition\\tICD10\\tICD10 code\\t\\tE11.9\\t\\n"
    ...     "2\\tType 2 diabetes\\tCondition\\tSNOMED\\tClinical Finding\\tS\\t44054006\\t\\n")
    >>> _ = (folder / "CONCEPT_RELATIONSHIP.csv").write_text(
    ...     "concept_id_1\\tconcept_id_2\\trelationship_id\\tinvalid_reason\\n1\\t2\\tMaps to\\t\\n")
    >>> vocab = read_vocabulary(folder)
    >>> vocab.mapping(["ICD10"]).collect().to_native().values.tolist()
    [['ICD10', 'E119', 1, 2]]
    """
    path = Path(folder)
    if backend == SPARK and spark is None:
        raise ValueError("read_vocabulary on Spark needs the Spark session (spark=...)")
    concepts = _read(_athena_file(path, "CONCEPT"), CONCEPT_COLUMNS, ["concept_id"], backend, spark)
    relationships = _read(
        _athena_file(path, "CONCEPT_RELATIONSHIP"), RELATIONSHIP_COLUMNS,
        ["concept_id_1", "concept_id_2"], backend, spark,
    )  # fmt: skip
    return Vocabulary(concepts, relationships, str(path), backend)


def map_codes(
    frame: nw.LazyFrame,
    code: str,
    vocabulary_id: str,
    mapping: nw.LazyFrame | None,
    *,
    source_out: str,
    concept_out: str,
) -> nw.LazyFrame:
    """``frame`` with ``source_out`` (source concept id) and ``concept_out`` (standard
    concept id) of the codes in column ``code`` (dots removed) in ``vocabulary_id``;
    0 when the code is not mapped, or when no ``mapping`` is given."""
    if mapping is None:
        return frame.with_columns(
            nw.lit(0, dtype=nw.Int64()).alias(source_out),
            nw.lit(0, dtype=nw.Int64()).alias(concept_out),
        )
    right = mapping.filter(nw.col("vocabulary_id") == vocabulary_id).select(
        nw.col("code").alias("__code"),
        nw.col("source_concept_id").alias(source_out),
        nw.col("concept_id").alias(concept_out),
    )
    frame = frame.with_columns(nw.col(code).str.replace_all(".", "", literal=True).alias("__code"))
    out = frame.join(right, on="__code", how="left").drop("__code")
    return out.with_columns(
        nw.col(source_out).fill_null(0).cast(nw.Int64()),
        nw.col(concept_out).fill_null(0).cast(nw.Int64()),
    )


def vocabularies_used(overrides: Mapping[str, str] | None = None) -> dict[str, str]:
    """:data:`SOURCE_VOCABULARIES` with ``overrides`` (unknown kinds are an error)."""
    out = dict(SOURCE_VOCABULARIES)
    for kind, vocab in dict(overrides or {}).items():
        if kind not in out:
            raise ValueError(
                f"vocabularies: unknown kind {kind!r}; use {', '.join(SOURCE_VOCABULARIES)}"
            )
        out[kind] = vocab
    return out
