"""Patients: one row per person from the beneficiary referential (IR_BEN_R)."""

from __future__ import annotations

from typing import Any

import narwhals as nw

from snds_algos.backend import PANDAS, backend_of, date_from_parts, lazy, to_native
from snds_algos.contracts.sentinels import is_no_date
from snds_algos.events._common import read_ben
from snds_algos.identity import patient_id_expr
from snds_algos.io.source import TableSource, open_source

#: the columns of the patients table, with their types
PATIENT_COLUMNS = {
    "patient_id": "string",
    "sex": "string",
    "birth_date": "date",
    "death_date": "date",
    "department": "string",
}
#: BEN_SEX_COD values kept (1 male, 2 female); others (0, 9) become null
SEX_CODES = ("1", "2")


def patients(source: TableSource | Any) -> Any:
    """One row per person of IR_BEN_R: ``patient_id, sex, birth_date, death_date, department``.

    * ``patient_id`` as in the identity policy (BEN_IDT_ANO, else BEN_NIR_PSA_BEN_RNG_GEM);
    * ``sex``: BEN_SEX_COD ``"1"`` (male) or ``"2"`` (female), other codes null;
    * ``birth_date``: first day of the birth month (BEN_NAI_ANN, BEN_NAI_MOI); null when
      the year is 1600 or missing or the month is not 1-12;
    * ``death_date``: BEN_DCD_DTE, null when 1600-01-01 or missing (alive);
    * ``department``: BEN_RES_DPT.

    A person with several IR_BEN_R rows (several BEN_NIR_PSA) gets, per column, the
    smallest non-null value of their rows (earliest birth and death dates). Sorted by
    ``patient_id`` on pandas; Spark output stays lazy. Use :func:`deaths` for deaths
    from the PMSI as well.

    Examples
    --------
    >>> import pandas as pd
    >>> ben = pd.DataFrame({"BEN_NIR_PSA": ["A" * 17, "B" * 17], "BEN_RNG_GEM": ["1", "1"],
    ...     "BEN_IDT_ANO": ["P1", "P1"], "BEN_SEX_COD": ["2", "9"], "BEN_NAI_ANN": [1950, 1950],
    ...     "BEN_NAI_MOI": [7, 7], "BEN_DCD_DTE": ["1600-01-01", "2021-03-04"],
    ...     "BEN_RES_DPT": ["075", "075"]})
    >>> patients({"IR_BEN_R": ben}).values.tolist()
    [['P1', '2', datetime.date(1950, 7, 1), datetime.date(2021, 3, 4), '075']]
    """
    src = open_source(source)
    ben = lazy(
        read_ben(src, ["BEN_SEX_COD", "BEN_NAI_ANN", "BEN_NAI_MOI", "BEN_DCD_DTE", "BEN_RES_DPT"])
    ).filter(~nw.col("BEN_NIR_PSA").is_null())
    ben = date_from_parts(ben, "BEN_NAI_ANN", "BEN_NAI_MOI", "__birth")
    death = nw.col("BEN_DCD_DTE")
    alive = is_no_date("BEN_DCD_DTE")
    sex = nw.col("BEN_SEX_COD")
    rows = ben.select(
        patient_id_expr(ben.collect_schema().names()).alias("patient_id"),
        nw.when(sex.is_in(list(SEX_CODES)).fill_null(False)).then(sex).alias("sex"),
        nw.col("__birth").alias("birth_date"),
        nw.when(~alive).then(death).alias("death_date"),
        nw.col("BEN_RES_DPT").alias("department"),
    )
    out = rows.group_by("patient_id").agg(
        *[nw.col(c).min() for c in ("sex", "birth_date", "death_date", "department")]
    )
    out = out.select(
        *[
            nw.col(c).cast({"string": nw.String(), "date": nw.Date()}[t])
            for c, t in PATIENT_COLUMNS.items()
        ]
    )
    native = to_native(out)
    if backend_of(native) != PANDAS:
        return native
    import pandas as pd
    import pyarrow as pa

    dtypes = {"string": pd.StringDtype("pyarrow"), "date": pd.ArrowDtype(pa.date32())}
    native = native.astype({c: dtypes[t] for c, t in PATIENT_COLUMNS.items()})
    return native.sort_values("patient_id").reset_index(drop=True)
