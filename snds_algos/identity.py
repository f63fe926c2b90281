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
4. CépiDc rows (KI_CCI_R, KI_ECD_R) are attributed on their ``BEN_IDT_ANO``, the
   person pseudonym the CépiDc-SNDS matching wrote on the certificate, which must be
   the BEN_IDT_ANO of an IR_BEN_R row: it is then the ``patient_id`` itself. Their
   ``BEN_NIR_ANO`` is not used (IR_BEN_R need not carry it, and a person without
   BEN_IDT_ANO in IR_BEN_R has no other person-level key to meet it).
5. A row is attributed when its key leads to exactly one person. Otherwise it is
   removed and counted under one outcome: ``invalid_nir`` (null, wrong length or the
   placeholders ``xxxxxxxxxxxxxxxxx`` / ``XXXXXXXXXXXXXXXXD``), for CépiDc rows
   ``invalid_idt`` (null BEN_IDT_ANO: certificate not matched), ``not_in_referential``
   (no IR_BEN_R row), ``ambiguous`` (several persons). Nothing is lost silently: the
   counts go to the :class:`~snds_algos.reports.Report`.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import narwhals as nw

from snds_algos.backend import (
    DUCKDB,
    PANDAS,
    backend_of_lazy,
    common_backend,
    computed_once,
    distinct,
    lazy,
    to_native,
)
from snds_algos.reports import Report

PATIENT_ID = "patient_id"
#: NIR_ANO_17 values that identify nobody (domain notes §2)
INVALID_NIR = ("xxxxxxxxxxxxxxxxx", "XXXXXXXXXXXXXXXXD")
OUTCOMES = {
    "invalid_nir": "patient key null, not 17 characters, or a known placeholder",
    "invalid_idt": "BEN_IDT_ANO null (death certificate not matched to the SNDS)",
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
    return distinct(_person_rows(ir_ben_r))


def _person_rows(ir_ben_r: Any) -> nw.LazyFrame:
    """IR_BEN_R rows as ``BEN_NIR_PSA, BEN_RNG_GEM, patient_id`` (rows may repeat: the
    key table counts distinct persons itself)."""
    ben = lazy(ir_ben_r)
    pid = patient_id_expr(ben.collect_schema().names())
    return ben.select("BEN_NIR_PSA", "BEN_RNG_GEM", pid.alias(PATIENT_ID)).filter(
        ~nw.col("BEN_NIR_PSA").is_null()
    )


#: key tables already computed on DuckDB, by IR_BEN_R relation (a few kept)
_KEY_TABLES: OrderedDict[tuple[int, tuple[str, ...]], tuple[Any, nw.LazyFrame]] = OrderedDict()


def key_table(index: nw.LazyFrame, index_keys: Sequence[str]) -> nw.LazyFrame:
    """One row per key of the person index: ``__persons`` (how many persons the key
    leads to) and ``__pid`` (the person, when only one). ``index`` may repeat rows.

    >>> import pandas as pd
    >>> index = person_index(pd.DataFrame({"BEN_NIR_PSA": ["N1", "N1", "N2"],
    ...     "BEN_RNG_GEM": ["1", "2", "1"], "BEN_IDT_ANO": ["P1", "P2", "P3"]}))
    >>> keys = to_native(key_table(index, ["BEN_NIR_PSA"])).sort_values("BEN_NIR_PSA")
    >>> keys["__persons"].tolist(), keys.dropna()["__pid"].tolist()
    ([2, 1], ['P3'])
    """
    if backend_of_lazy(index) != PANDAS:
        # one aggregation (pandas computes string min/max in Python, group by group)
        persons = nw.col(PATIENT_ID).n_unique()
        return index.group_by(*index_keys).agg(
            persons.alias("__persons"),
            nw.when(persons == 1).then(nw.col(PATIENT_ID).min()).alias("__pid"),
        )
    pairs = distinct(index.select(*index_keys, PATIENT_ID))
    counts = pairs.group_by(*index_keys).agg(nw.len().alias("__persons"))
    single = (
        pairs.join(counts, on=list(index_keys), how="inner")
        .filter(nw.col("__persons") == 1)
        .select(*index_keys, nw.col(PATIENT_ID).alias("__pid"))
    )
    return counts.join(single, on=list(index_keys), how="left")


def _key_table_once(ir_ben_r: Any, index: nw.LazyFrame, keys: Sequence[str]) -> nw.LazyFrame:
    """:func:`key_table`, computed once per IR_BEN_R relation on DuckDB."""
    if backend_of_lazy(index) != DUCKDB:
        return key_table(index, keys)
    cache_key = (id(ir_ben_r), tuple(keys))
    if cache_key not in _KEY_TABLES:
        _KEY_TABLES[cache_key] = (ir_ben_r, computed_once(key_table(index, keys)))
        while len(_KEY_TABLES) > 8:
            _KEY_TABLES.popitem(last=False)
    return _KEY_TABLES[cache_key][1]


def _attribute(
    frame: nw.LazyFrame,
    key_info: nw.LazyFrame,
    keys: Sequence[str],
    index_keys: Sequence[str],
    invalid: nw.Expr,
    table: str,
    report: Report | None,
    invalid_outcome: str = "invalid_nir",
) -> nw.LazyFrame:
    key_info = key_info.rename(dict(zip(index_keys, keys, strict=True)))
    joined = frame.join(key_info, on=list(keys), how="left")
    is_invalid = invalid.fill_null(True)
    absent = nw.col("__persons").is_null()
    several = nw.col("__persons") > 1
    if report is not None:
        report.add_flags(
            table,
            joined,
            [
                (f"identity:{invalid_outcome}", OUTCOMES[invalid_outcome], is_invalid),
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
    keys = ["BEN_NIR_PSA", "BEN_RNG_GEM"]
    key_info = _key_table_once(ir_ben_r, _person_rows(ir_ben_r), keys)
    invalid = _invalid_nir("BEN_NIR_PSA") | nw.col("BEN_RNG_GEM").is_null()
    out = _attribute(lazy(frame), key_info, keys, keys, invalid, table, report)
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
    index = _person_rows(ir_ben_r).select("BEN_NIR_PSA", PATIENT_ID)
    key_info = _key_table_once(ir_ben_r, index, ["BEN_NIR_PSA"])
    out = _attribute(
        lazy(frame), key_info, [nir_column], ["BEN_NIR_PSA"], _invalid_nir(nir_column), table,
        report,
    )  # fmt: skip
    return to_native(out)


def attribute_cepidc(
    frame: Any, ir_ben_r: Any, *, table: str = "KI_CCI_R", report: Report | None = None
) -> Any:
    """Add ``patient_id`` to CépiDc rows (KI_CCI_R, KI_ECD_R) keyed by ``BEN_IDT_ANO``.

    A row is attributed when its BEN_IDT_ANO is the BEN_IDT_ANO of an IR_BEN_R row: the
    ``patient_id`` is that pseudonym (the id the policy gives that person everywhere).
    A null BEN_IDT_ANO (``identity:invalid_idt``) or one absent from IR_BEN_R
    (``identity:not_in_referential``) is removed and counted; ``identity:ambiguous``
    is listed too, always 0 (a BEN_IDT_ANO is one person). BEN_NIR_ANO is not used.

    Examples
    --------
    >>> import pandas as pd
    >>> ben = pd.DataFrame({"BEN_NIR_PSA": ["N" * 17] * 2, "BEN_RNG_GEM": ["1", "2"],
    ...                     "BEN_IDT_ANO": ["MOTHER", None]})
    >>> cci = pd.DataFrame({"BEN_IDT_ANO": ["MOTHER", None, "GONE"]})
    >>> report = Report()
    >>> attribute_cepidc(cci, ben, report=report)["patient_id"].tolist()
    ['MOTHER']
    >>> report.to_pandas()[["step", "rows_removed"]].values.tolist()
    [['identity:invalid_idt', 1], ['identity:not_in_referential', 1], ['identity:ambiguous', 0]]
    """
    common_backend({table: frame, "IR_BEN_R": ir_ben_r})
    ben = lazy(ir_ben_r)
    if "BEN_IDT_ANO" in ben.collect_schema().names():
        idt = nw.col("BEN_IDT_ANO")
    else:  # no person has a BEN_IDT_ANO: no certificate can be attributed
        idt = nw.lit(None, dtype=nw.String())
    key_info = distinct(
        ben.select(idt.alias("BEN_IDT_ANO")).filter(~nw.col("BEN_IDT_ANO").is_null())
    ).with_columns(nw.lit(1).alias("__persons"), nw.col("BEN_IDT_ANO").alias("__pid"))
    invalid = nw.col("BEN_IDT_ANO").is_null()
    keys = ["BEN_IDT_ANO"]
    out = _attribute(lazy(frame), key_info, keys, keys, invalid, table, report, "invalid_idt")
    return to_native(out)
