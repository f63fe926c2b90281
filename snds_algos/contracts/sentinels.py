"""Placeholder dates of the SNDS: values that mean "no date".

SNDS tables fill a date that does not exist with a placeholder rather than a null
(domain notes §4): BEN_DCD_DTE = 1600-01-01 for a living person, IMB_ALD_DTF =
1600-01-01 or 2099-12-31 for an open-ended exemption; exports from other tools add
0001-01-01 (the smallest SAS / database date) and 9999-12-31 (the largest). Every
extractor reads all of them as "no date", in the same way on every backend, and counts
the rows concerned in its report.
"""

from __future__ import annotations

import datetime as dt

import narwhals as nw

from snds_algos.backend import date_literal

#: dates read as "no date" wherever a date column may hold a placeholder
SENTINEL_DATES: tuple[dt.date, ...] = (
    dt.date(1, 1, 1),
    dt.date(1600, 1, 1),
    dt.date(2099, 12, 31),
    dt.date(9999, 12, 31),
)


def is_sentinel(column: str) -> nw.Expr:
    """``column`` holds a placeholder date (null stays null).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.backend import lazy
    >>> from snds_algos.contracts.dtypes import date_series
    >>> frame = lazy(pd.DataFrame({"d": date_series([dt.date(1, 1, 1), dt.date(2020, 5, 1)])}))
    >>> frame.select(is_sentinel("d")).collect()["d"].to_list()
    [True, False]
    """
    col = nw.col(column)
    checks = [col == date_literal(d) for d in SENTINEL_DATES if d.year > 1]
    # 0001-01-01 by its parts: a Spark date literal of year 1 cannot be built from Python
    first = dt.date(1, 1, 1)
    if first in SENTINEL_DATES:
        checks.append((col.dt.year() == 1) & (col.dt.month() == 1) & (col.dt.day() == 1))
    return nw.any_horizontal(*checks, ignore_nulls=False)


def is_no_date(column: str) -> nw.Expr:
    """``column`` is missing or a placeholder date: never null.

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.backend import lazy
    >>> from snds_algos.contracts.dtypes import date_series
    >>> days = date_series([dt.date(9999, 12, 31), None, dt.date(2020, 5, 1)])
    >>> lazy(pd.DataFrame({"d": days})).select(is_no_date("d")).collect()["d"].to_list()
    [True, True, False]
    """
    return nw.col(column).is_null() | is_sentinel(column).fill_null(True)
