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
    date_from_parts,
    day_number,
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


#: PMSI outcomes of a row on a valid key found in IR_BEN_R (see :func:`attribute_pmsi`)
PMSI_OUTCOMES = {
    "attributed_by_key": "key of one person: attributed by the key alone (kept)",
    "attributed_by_sex_age": "key shared by several persons, exactly one of them has the "
    "stay's sex and an age compatible with the stay's age at entry (kept)",
    "ambiguous": "key shared by several persons and the stay's sex and age fit none or "
    "several of them (removed)",
}
#: columns of IR_BEN_R the disambiguation reads
BEN_IDENTITY_COLUMNS = ("BEN_SEX_COD", "BEN_NAI_ANN", "BEN_NAI_MOI")
#: sex codes compared (1 male, 2 female); any other value is unknown
SEX_CODES = ("1", "2")
#: AGE_JOU of an infant: the days since the first day of the birth month minus at most this
INFANT_DAYS_TOLERANCE = 30


def _stay_profile(frame: nw.LazyFrame, sex: str, age: str, age_days: str, entry: str):
    """The stay's sex, age in years, age in days and entry (year, month, day number)."""
    names = frame.collect_schema().names()

    def number(column: str) -> nw.Expr:  # Float64: numpy-backed pandas has no null Int64
        if column in names:
            return nw.col(column).cast(nw.Float64())
        return nw.lit(None, dtype=nw.Float64())

    stay_sex = nw.col(sex).cast(nw.String()) if sex in names else nw.lit(None, nw.String())
    if entry in names:
        frame = day_number(frame, entry, "__eday")
        when = [nw.col(entry).dt.year(), nw.col(entry).dt.month()]
    else:
        frame = frame.with_columns(nw.lit(None, dtype=nw.Float64()).alias("__eday"))
        when = [nw.lit(None, dtype=nw.Float64())] * 2
    return frame.with_columns(
        nw.when(stay_sex.is_in(list(SEX_CODES)).fill_null(False)).then(stay_sex).alias("__sex"),
        number(age).alias("__age"),
        number(age_days).alias("__agej"),
        when[0].cast(nw.Float64()).alias("__ey"),
        when[1].cast(nw.Float64()).alias("__em"),
    )


def _candidates(ir_ben_r: Any) -> nw.LazyFrame:
    """Persons of IR_BEN_R by BEN_NIR_PSA with their sex and birth (year, month, first day
    of the birth month as a day number); unknown values null."""
    ben = lazy(ir_ben_r)
    names = ben.collect_schema().names()
    pid = patient_id_expr(names)

    def column(name: str, dtype: Any) -> nw.Expr:
        return nw.col(name).cast(dtype) if name in names else nw.lit(None, dtype=dtype)

    ben = ben.filter(~nw.col("BEN_NIR_PSA").is_null()).select(
        "BEN_NIR_PSA",
        pid.alias(PATIENT_ID),
        column("BEN_SEX_COD", nw.String()).alias("__bsex"),
        column("BEN_NAI_ANN", nw.Float64()).alias("__by"),
        column("BEN_NAI_MOI", nw.Float64()).alias("__bm"),
    )
    ben = date_from_parts(ben, "__by", "__bm", "__bdate")
    ben = day_number(ben, "__bdate", "__bday")
    by, bm = nw.col("__by"), nw.col("__bm")
    sex = nw.col("__bsex")
    return distinct(
        ben.select(
            "BEN_NIR_PSA",
            PATIENT_ID,
            nw.when(sex.is_in(list(SEX_CODES)).fill_null(False)).then(sex).alias("__bsex"),
            nw.when(((by >= 1601) & (by <= 9999)).fill_null(False)).then(by).alias("__by"),
            nw.when(((bm >= 1) & (bm <= 12)).fill_null(False)).then(bm).alias("__bm"),
            "__bday",
        )
    )


def compatible() -> nw.Expr:
    """True when a person (``__bsex``, ``__by``, ``__bm``, ``__bday``) can be the patient
    of a stay (``__sex``, ``__age``, ``__agej``, ``__ey``, ``__em``, ``__eday``).

    The rule (docs page "Patient identity"), an unknown value never excluding anyone:

    * sex: the stay's COD_SEX equals BEN_SEX_COD (1 or 2; other codes are unknown);
    * age: birth date = first day of the birth month; ``A`` = completed years from it to
      the stay's entry = entry year - birth year - (1 if entry month < birth month);
      AGE_ANN is compatible when it equals ``A``, or ``A - 1`` when the stay enters in
      the birth month (the birthday may be later in that month). Birth month unknown:
      AGE_ANN is entry year - birth year or one less. Birth year unknown: compatible;
    * infants (AGE_ANN = 0, AGE_JOU known, birth month known): ``D`` = days from the first
      day of the birth month to the entry; AGE_JOU is compatible when
      ``D - 30 <= AGE_JOU <= D``.

    >>> import pandas as pd
    >>> pairs = pd.DataFrame({"__sex": ["1", "1", None], "__age": [4, 4, 5],
    ...     "__agej": [None, None, None], "__ey": [2020, 2020, 2020], "__em": [3, 3, 3],
    ...     "__eday": [18330, 18330, 18330], "__bsex": ["1", "2", "2"],
    ...     "__by": [2015, 2015, 2015], "__bm": [6, 6, 6], "__bday": [16587] * 3})
    >>> to_native(lazy(pairs).select(compatible().alias("ok")))["ok"].tolist()
    [True, False, False]
    """

    # every comparison is made non-null before it is combined (pandas cannot combine
    # masked and Arrow booleans holding nulls)
    def true(expr: nw.Expr) -> nw.Expr:
        return expr.fill_null(False)

    sex_ok = nw.col("__sex").is_null() | nw.col("__bsex").is_null()
    sex_ok = sex_ok | true(nw.col("__sex") == nw.col("__bsex"))
    age, ey, em = nw.col("__age"), nw.col("__ey"), nw.col("__em")
    by, bm = nw.col("__by"), nw.col("__bm")
    unknown = age.is_null() | ey.is_null() | em.is_null() | by.is_null()
    years = ey - by
    year_only = bm.is_null() & true(age >= years - 1) & true(age <= years)
    full = years - nw.when(true(em < bm)).then(nw.lit(1)).otherwise(nw.lit(0))
    in_month = true(em == bm) & true(age == full - 1)
    month = ~bm.is_null() & (true(age == full) | in_month)
    age_ok = unknown | year_only | month
    agej, since = nw.col("__agej"), nw.col("__eday") - nw.col("__bday")
    infant = true(age == 0) & ~agej.is_null() & ~since.is_null()
    days = true(agej <= since) & true(agej >= since - INFANT_DAYS_TOLERANCE)
    return sex_ok & age_ok & (~infant | days)


def attribute_pmsi(
    frame: Any,
    ir_ben_r: Any,
    *,
    table: str = "T_MCOaaC",
    nir_column: str = "NIR_ANO_17",
    disambiguate: bool = True,
    sex: str = "COD_SEX",
    age: str = "AGE_ANN",
    age_days: str = "AGE_JOU",
    entry: str = "EXE_SOI_DTD",
    report: Report | None = None,
) -> Any:
    """Add ``patient_id`` to PMSI rows keyed by ``NIR_ANO_17`` (= BEN_NIR_PSA, no rank).

    A row whose key is the BEN_NIR_PSA of one person is attributed to that person. A key
    shared by several persons of IR_BEN_R (a parent and children, twins) is resolved by
    the stay's sex and age (``disambiguate``, default on): the row goes to the one person
    of the key whose sex (BEN_SEX_COD) and birth (BEN_NAI_ANN, BEN_NAI_MOI) are compatible
    with the stay's ``sex`` (COD_SEX), ``age`` at entry (AGE_ANN) and, for infants,
    ``age_days`` (AGE_JOU), entry date ``entry`` (rule: :func:`compatible`). A value
    unknown on either side excludes nobody. When none or several persons fit, the row
    stays ambiguous: removed. Columns absent from ``frame`` or IR_BEN_R count as unknown
    (with none of them, every shared key stays ambiguous).

    ``report`` receives one block for ``table`` of the rows removed, each step's input
    being the previous step's output: ``identity:invalid_nir``,
    ``identity:not_in_referential``, ``identity:ambiguous`` (a shared key that sex and age
    do not resolve); and, as notes (rows counted, kept), how the kept rows were
    attributed: ``identity:attributed_by_key`` (a key of one person) and
    ``identity:attributed_by_sex_age`` (a shared key resolved by the stay's sex and age).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> ben = pd.DataFrame({"BEN_NIR_PSA": ["A" * 17, "F" * 17, "F" * 17],
    ...     "BEN_RNG_GEM": ["1", "1", "2"], "BEN_IDT_ANO": ["P1", "P2", "P3"],
    ...     "BEN_SEX_COD": ["1", "2", "1"], "BEN_NAI_ANN": [1970, 1980, 2012],
    ...     "BEN_NAI_MOI": [5, 5, 5]})
    >>> stays = pd.DataFrame({"NIR_ANO_17": ["A" * 17, "F" * 17, "F" * 17, "x" * 17],
    ...     "COD_SEX": ["1", "1", "2", "1"], "AGE_ANN": [49, 7, 20, 1],
    ...     "EXE_SOI_DTD": date_series(["2020-01-02"] * 4)})
    >>> report = Report()
    >>> attribute_pmsi(stays, ben, report=report)["patient_id"].tolist()
    ['P1', 'P3']
    >>> report.to_pandas()[["step", "rows_removed", "rows_out"]].values.tolist()
    [['identity:invalid_nir', 1, 3], ['identity:not_in_referential', 0, 3], ['identity:ambiguous', 1, 2]]
    >>> report.notes_pandas()[["step", "rows_counted"]].values.tolist()
    [['identity:attributed_by_key', 1], ['identity:attributed_by_sex_age', 1]]
    """
    common_backend({table: frame, "IR_BEN_R": ir_ben_r})
    index = _person_rows(ir_ben_r).select("BEN_NIR_PSA", PATIENT_ID)
    key_info = _key_table_once(ir_ben_r, index, ["BEN_NIR_PSA"])
    rows = lazy(frame)
    names = rows.collect_schema().names()
    if disambiguate:
        rows = _stay_profile(rows, sex, age, age_days, entry)
    joined = rows.join(key_info.rename({"BEN_NIR_PSA": nir_column}), on=[nir_column], how="left")
    is_invalid = _invalid_nir(nir_column).fill_null(True)
    absent = nw.col("__persons").is_null()
    several = (nw.col("__persons") > 1).fill_null(False)
    if disambiguate:
        profile = [nir_column, "__sex", "__age", "__agej", "__ey", "__em", "__eday"]
        key = nw.concat_str(
            [nw.col(c).cast(nw.String()).fill_null("?") for c in profile],
            separator="|",
        )
        joined = joined.with_columns(nw.when(several & ~is_invalid).then(key).alias("__profile"))
        profiles = distinct(
            joined.filter(~nw.col("__profile").is_null()).select("__profile", *profile)
        )
        pairs = profiles.join(
            _candidates(ir_ben_r).rename({"BEN_NIR_PSA": nir_column}), on=[nir_column]
        ).filter(compatible())
        fits = key_table(pairs.select("__profile", PATIENT_ID), ["__profile"]).rename(
            {"__persons": "__fits", "__pid": "__pid_fit"}
        )
        joined = joined.join(fits, on=["__profile"], how="left")
        resolved = several & (nw.col("__fits") == 1).fill_null(False)
        pid = nw.when(several).then(nw.col("__pid_fit")).otherwise(nw.col("__pid"))
    else:
        resolved = nw.lit(False)
        pid = nw.col("__pid")
    if report is not None:
        o = PMSI_OUTCOMES
        report.add_flags(
            table,
            joined,
            [
                ("identity:invalid_nir", OUTCOMES["invalid_nir"], is_invalid),
                ("identity:not_in_referential", OUTCOMES["not_in_referential"], absent),
                ("identity:ambiguous", o["ambiguous"], several & ~resolved),
            ],
        )
        settled = ~is_invalid & ~absent
        report.add_notes(
            table,
            joined,
            [
                ("identity:attributed_by_key", o["attributed_by_key"], settled & ~several),
                ("identity:attributed_by_sex_age", o["attributed_by_sex_age"], settled & resolved),
            ],
        )
    keep = ~is_invalid & ~absent & (~several | resolved)
    return to_native(joined.filter(keep).select(*names, pid.alias(PATIENT_ID)))


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
