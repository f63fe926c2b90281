"""Who is the patient: one policy that attributes DCIR, ALD and PMSI rows to one person.

The policy (see the docs page "Patient identity"):

1. The person id (``patient_id``) comes from the beneficiary referential IR_BEN_R:
   ``BEN_IDT_ANO`` where present, else ``BEN_NIR_PSA`` + ``"_"`` + ``BEN_RNG_GEM`` (one
   IR_BEN_R row is then one person). A person with several BEN_NIR_PSA has several
   IR_BEN_R rows sharing one BEN_IDT_ANO, so all their rows meet.
2. DCIR and ALD rows (ER_*, IR_IMB_R) are attributed on (BEN_NIR_PSA, BEN_RNG_GEM).
3. PMSI rows are attributed on ``NIR_ANO_17 = BEN_NIR_PSA`` only (the PMSI has no rank).
   When the BEN_NIR_PSA is shared by several persons (children, twins on a parent's
   NIR), the row cannot be attributed to exactly one person.
4. A row is attributed when its key leads to exactly one person. Otherwise it is
   removed and counted under one outcome: ``invalid_nir`` (null, wrong length or the
   placeholders ``xxxxxxxxxxxxxxxxx`` / ``XXXXXXXXXXXXXXXXD``), ``not_in_referential``
   (no IR_BEN_R row), ``ambiguous`` (several persons). Nothing is lost silently: the
   counts go to the :class:`~snds_algos.reports.Report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw

from snds_algos.backend import common_backend, lazy, to_native
from snds_algos.reports import Report

PATIENT_ID = "patient_id"
#: NIR_ANO_17 values that identify nobody (domain notes §2)
INVALID_NIR = ("xxxxxxxxxxxxxxxxx", "XXXXXXXXXXXXXXXXD")
OUTCOMES = {
    "invalid_nir": "patient key null, not 17 characters, or a known placeholder",
    "not_in_referential": "patient key absent from IR_BEN_R",
    "ambiguous": "patient key shared by several persons of IR_BEN_R",
}


def patient_id_expr(columns: Sequence[str]) -> nw.Expr:
    """The person id of an IR_BEN_R row: BEN_IDT_ANO, else BEN_NIR_PSA + "_" + BEN_RNG_GEM.

    ``columns`` are the IR_BEN_R columns at hand (BEN_IDT_ANO is used when present).

    >>> import pandas as pd
    >>> ben = pd.DataFrame({"BEN_NIR_PSA": ["N1"], "BEN_RNG_GEM": ["2"]})
    >>> to_native(lazy(ben).select(patient_id_expr(ben.columns)))["BEN_NIR_PSA"].tolist()
    ['N1_2']
    """
    fallback = nw.concat_str(
        [nw.col("BEN_NIR_PSA"), nw.lit("_"), nw.col("BEN_RNG_GEM")], ignore_nulls=False
    )
    if "BEN_IDT_ANO" in columns:
        return nw.coalesce(nw.col("BEN_IDT_ANO"), fallback)
    return fallback


def person_index(ir_ben_r: Any) -> nw.LazyFrame:
    """IR_BEN_R reduced to ``BEN_NIR_PSA, BEN_RNG_GEM, patient_id`` (one row per key).

    >>> import pandas as pd
    >>> ben = pd.DataFrame({"BEN_NIR_PSA": ["N1", "N2"], "BEN_RNG_GEM": ["1", "1"],
    ...                     "BEN_IDT_ANO": ["P1", None]})
    >>> to_native(person_index(ben)).sort_values("BEN_NIR_PSA")["patient_id"].tolist()
    ['P1', 'N2_1']
    """
    ben = lazy(ir_ben_r)
    pid = patient_id_expr(ben.collect_schema().names())
    rows = ben.select("BEN_NIR_PSA", "BEN_RNG_GEM", pid.alias(PATIENT_ID)).filter(
        ~nw.col("BEN_NIR_PSA").is_null()
    )
    return _distinct(rows)


def _distinct(frame: nw.LazyFrame) -> nw.LazyFrame:
    """Distinct rows; on Spark a hash aggregate (narwhals' ``unique`` sorts for a window)."""
    if frame.implementation.is_pyspark():
        return lazy(frame.to_native().dropDuplicates())
    return frame.unique()


def _attribute(
    frame: nw.LazyFrame,
    index: nw.LazyFrame,
    keys: Sequence[str],
    index_keys: Sequence[str],
    invalid: nw.Expr,
    table: str,
    report: Report | None,
) -> nw.LazyFrame:
    pairs = _distinct(index.select(*index_keys, PATIENT_ID))
    rename = dict(zip(index_keys, keys, strict=True))
    if pairs.implementation.is_pyspark():
        # one aggregation and one join: the number of persons and, when it is one, the id
        from pyspark.sql import functions as F

        persons = (
            pairs.to_native()
            .groupBy(*index_keys)
            .agg(F.count(F.lit(1)).alias("__persons"), F.min(PATIENT_ID).alias("__pid"))
            .withColumn("__pid", F.when(F.col("__persons") == 1, F.col("__pid")))
        )
        joined = frame.join(lazy(persons).rename(rename), on=list(keys), how="left")
    else:
        # no string min/max in group-by: pandas computes those in Python, group by group
        counts = pairs.group_by(*index_keys).agg(nw.len().alias("__persons"))
        single = (
            pairs.join(counts, on=list(index_keys), how="inner")
            .filter(nw.col("__persons") == 1)
            .select(*index_keys, nw.col(PATIENT_ID).alias("__pid"))
        )
        joined = frame.join(counts.rename(rename), on=list(keys), how="left").join(
            single.rename(rename), on=list(keys), how="left"
        )
    is_invalid = invalid.fill_null(True)
    absent = nw.col("__persons").is_null()
    several = nw.col("__persons") > 1
    if report is not None:
        report.add_flags(
            table,
            joined,
            [
                ("identity:invalid_nir", OUTCOMES["invalid_nir"], is_invalid),
                ("identity:not_in_referential", OUTCOMES["not_in_referential"], absent),
                ("identity:ambiguous", OUTCOMES["ambiguous"], several),
            ],
        )
    keep = ~is_invalid & ~absent & ~several.fill_null(False)
    names = frame.collect_schema().names()
    return joined.filter(keep).select(*names, nw.col("__pid").alias(PATIENT_ID))


def _invalid_nir(column: str) -> nw.Expr:
    col = nw.col(column)
    return col.is_null() | (col.str.len_chars() != 17) | col.is_in(list(INVALID_NIR))


def attribute_dcir(
    frame: Any, ir_ben_r: Any, *, table: str = "ER_PRS_F", report: Report | None = None
) -> Any:
    """Add ``patient_id`` to DCIR or ALD rows keyed by (BEN_NIR_PSA, BEN_RNG_GEM).

    Rows that cannot be attributed to exactly one person are removed and counted in
    ``report`` under ``identity:*`` steps.

    Examples
    --------
    >>> import pandas as pd
    >>> ben = pd.DataFrame({"BEN_NIR_PSA": ["N" * 17] * 2, "BEN_RNG_GEM": ["1", "2"],
    ...                     "BEN_IDT_ANO": ["MOTHER", "CHILD"]})
    >>> prs = pd.DataFrame({"BEN_NIR_PSA": ["N" * 17, "N" * 17, "X" * 17],
    ...                     "BEN_RNG_GEM": ["2", "1", "1"]})
    >>> report = Report()
    >>> attribute_dcir(prs, ben, report=report)["patient_id"].tolist()
    ['CHILD', 'MOTHER']
    >>> report.to_pandas()["rows_removed"].tolist()
    [0, 1, 0]
    """
    common_backend({table: frame, "IR_BEN_R": ir_ben_r})
    index = person_index(ir_ben_r)
    keys = ["BEN_NIR_PSA", "BEN_RNG_GEM"]
    invalid = _invalid_nir("BEN_NIR_PSA") | nw.col("BEN_RNG_GEM").is_null()
    out = _attribute(lazy(frame), index, keys, keys, invalid, table, report)
    return to_native(out)


def attribute_pmsi(
    frame: Any,
    ir_ben_r: Any,
    *,
    table: str = "T_MCOaaC",
    nir_column: str = "NIR_ANO_17",
    report: Report | None = None,
) -> Any:
    """Add ``patient_id`` to PMSI rows keyed by ``NIR_ANO_17`` (= BEN_NIR_PSA, no rank).

    A NIR shared by several persons of IR_BEN_R (a parent and children, twins) is
    ambiguous: those rows are removed and counted, as are invalid NIRs.

    Examples
    --------
    >>> import pandas as pd
    >>> ben = pd.DataFrame({"BEN_NIR_PSA": ["A" * 17, "F" * 17, "F" * 17],
    ...                     "BEN_RNG_GEM": ["1", "1", "2"], "BEN_IDT_ANO": ["P1", "P2", "P3"]})
    >>> stays = pd.DataFrame({"NIR_ANO_17": ["A" * 17, "F" * 17, "xxxxxxxxxxxxxxxxx"]})
    >>> report = Report()
    >>> attribute_pmsi(stays, ben, report=report)["patient_id"].tolist()
    ['P1']
    >>> report.to_pandas()["rows_removed"].tolist()
    [1, 0, 1]
    """
    common_backend({table: frame, "IR_BEN_R": ir_ben_r})
    index = person_index(ir_ben_r).select("BEN_NIR_PSA", PATIENT_ID).unique()
    out = _attribute(
        lazy(frame), index, [nir_column], ["BEN_NIR_PSA"], _invalid_nir(nir_column), table, report
    )
    return to_native(out)
