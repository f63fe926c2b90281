"""One interface over pandas and PySpark.

Every algorithm is written once on narwhals' lazy API. This module is the only place
that knows which backend a frame belongs to, and the only place where the gaps of
narwhals on one backend are filled (date arithmetic, null-safe code matching). Each
gap filler is a small named function, tested on every backend.

Three backends:

* ``"pandas"``: eager pandas DataFrames (a study extract in a notebook);
* ``"duckdb"``: lazy DuckDB relations, run in-process by DuckDB on all cores (the same
  algorithms on larger extracts, several times faster than pandas and with less memory;
  ``to_pandas`` turns a result into a pandas DataFrame);
* ``"spark"``: lazy PySpark DataFrames (the whole SNDS on a cluster).

Rules:

* pandas in, pandas out; Spark in, a lazy Spark DataFrame out (nothing collected);
  DuckDB in, a lazy DuckDB relation out;
* mixing backends in one call raises :class:`MixedBackendsError`;
* on pandas, frames use Arrow-backed dtypes (``string[pyarrow]``, ``date32[pyarrow]``,
  ``Int64``), which keep SQL null semantics close to Spark's and hold sentinel dates
  such as 1600-01-01 that ``datetime64[ns]`` cannot.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import narwhals as nw

from snds_algos.errors import MixedBackendsError

Backend = Literal["pandas", "spark", "duckdb"]
PANDAS: Backend = "pandas"
SPARK: Backend = "spark"
DUCKDB: Backend = "duckdb"
BACKENDS: tuple[Backend, ...] = (PANDAS, DUCKDB, SPARK)


def is_spark_frame(frame: Any) -> bool:
    """True when ``frame`` is a PySpark DataFrame (without importing PySpark)."""
    if "pyspark" not in sys.modules:
        return False
    module = type(frame).__module__
    return module.startswith("pyspark.sql")


def is_duckdb_relation(frame: Any) -> bool:
    """True when ``frame`` is a DuckDB relation (without importing DuckDB)."""
    if "duckdb" not in sys.modules:
        return False
    return type(frame).__name__ == "DuckDBPyRelation"


def duckdb_connection() -> Any:
    """The DuckDB connection the library works on (DuckDB's default connection).

    Relations can only be combined within one connection: build input relations on it
    (``duckdb.sql(...)``, ``duckdb.read_parquet(...)`` use it too).
    """
    import duckdb

    return duckdb.default_connection()


def backend_of(frame: Any) -> Backend:
    """Name the backend of a native frame: ``"pandas"``, ``"duckdb"`` or ``"spark"``.

    >>> import pandas as pd
    >>> backend_of(pd.DataFrame({"a": [1]}))
    'pandas'
    """
    import pandas as pd

    if isinstance(frame, pd.DataFrame):
        return PANDAS
    if is_spark_frame(frame):
        return SPARK
    if is_duckdb_relation(frame):
        return DUCKDB
    if isinstance(frame, nw.LazyFrame | nw.DataFrame):
        return backend_of(frame.to_native())
    raise TypeError(
        f"expected a pandas or PySpark DataFrame or a DuckDB relation, got {type(frame).__module__}."
        f"{type(frame).__name__}"
    )


def common_backend(frames: Mapping[str, Any]) -> Backend:
    """The one backend shared by named input frames (``None`` values are skipped).

    Raises :class:`MixedBackendsError` naming the inputs when pandas and Spark are mixed.

    >>> import pandas as pd
    >>> common_backend({"ER_PRS_F": pd.DataFrame(), "IR_BEN_R": None})
    'pandas'
    """
    seen: dict[str, list[str]] = {}
    for name, frame in frames.items():
        if frame is None:
            continue
        seen.setdefault(backend_of(frame), []).append(name)
    if not seen:
        raise ValueError("no input frame given")
    if len(seen) > 1:
        parts = "; ".join(f"{b}: {', '.join(names)}" for b, names in sorted(seen.items()))
        raise MixedBackendsError(
            f"inputs mix backends ({parts}); convert them to one backend before the call"
        )
    return next(iter(seen))


def lazy(frame: Any) -> nw.LazyFrame:
    """Wrap a native pandas, DuckDB or Spark frame (or a narwhals one) as a LazyFrame."""
    if isinstance(frame, nw.LazyFrame):
        return frame
    if isinstance(frame, nw.DataFrame):
        return frame.lazy()
    wrapped = nw.from_native(frame)
    return wrapped.lazy() if isinstance(wrapped, nw.DataFrame) else wrapped


def to_native(frame: nw.LazyFrame | nw.DataFrame) -> Any:
    """Return the native frame of the backend it came from.

    pandas-backed frames come back as a pandas DataFrame with a fresh RangeIndex; Spark
    and DuckDB frames come back lazy (no action is run).
    """
    native = frame.to_native()
    if backend_of(native) == PANDAS:
        return native.reset_index(drop=True)
    return native


def backend_of_lazy(frame: nw.LazyFrame) -> Backend:
    """Backend of a narwhals LazyFrame."""
    if frame.implementation.is_pyspark():
        return SPARK
    if frame.implementation.is_duckdb():
        return DUCKDB
    return PANDAS


def to_pandas(frame: Any) -> Any:
    """A pandas DataFrame (Arrow dtypes) of a frame of any backend; runs lazy frames.

    >>> import duckdb
    >>> to_pandas(duckdb_connection().sql("SELECT 'a' AS x, DATE '2020-01-01' AS d")).dtypes.tolist()
    [string[pyarrow], date32[day][pyarrow]]
    """
    import pandas as pd

    if isinstance(frame, nw.LazyFrame | nw.DataFrame):
        frame = frame.to_native()
    backend = backend_of(frame)
    if backend == PANDAS:
        return frame.reset_index(drop=True)
    table = frame.to_arrow_table() if backend == DUCKDB else frame.toArrow()
    from snds_algos.contracts.dtypes import arrow_to_pandas

    out = arrow_to_pandas(table)
    return out.reset_index(drop=True) if isinstance(out, pd.DataFrame) else out


def distinct(frame: nw.LazyFrame) -> nw.LazyFrame:
    """The distinct rows of ``frame`` (DuckDB: a ``DISTINCT``; Spark: ``dropDuplicates``, a
    hash aggregate; both cheaper than narwhals' ``unique``, a window with a sort).

    >>> import pandas as pd
    >>> len(to_native(distinct(lazy(pd.DataFrame({"a": [1, 1, 2]})))))
    2
    """
    if backend_of_lazy(frame) == DUCKDB:
        return lazy(frame.to_native().distinct())
    if backend_of_lazy(frame) == SPARK:
        return lazy(frame.to_native().dropDuplicates())
    return frame.unique()


def computed_once(frame: nw.LazyFrame) -> nw.LazyFrame:
    """``frame``, computed once when it is read several times by what follows.

    On DuckDB a relation is a query that runs again at each use: its result is computed
    now and held in memory (use it for small results read several times, such as the
    person index). pandas frames are already computed; Spark frames are left as they
    are (Spark plans reuse itself).
    """
    if backend_of_lazy(frame) == DUCKDB:
        return lazy(duckdb_connection().from_arrow(frame.to_native().to_arrow_table()))
    return frame


def _duckdb_with(frame: nw.LazyFrame, columns: Mapping[str, str]) -> nw.LazyFrame:
    """Add (or replace) columns given as DuckDB SQL expressions, keeping column order."""
    native = frame.to_native()
    names = list(native.columns)
    items = [columns[c] + f" AS {sql_name(c)}" if c in columns else sql_name(c) for c in names]
    items += [f"{sql} AS {sql_name(name)}" for name, sql in columns.items() if name not in names]
    return lazy(native.project(", ".join(items)))


def sql_name(name: str) -> str:
    """A quoted SQL identifier (DuckDB), for the few places that write SQL.

    >>> sql_name('end')
    '"end"'
    """
    return '"' + name.replace('"', '""') + '"'


def duckdb_from_pandas(frame: Any) -> Any:
    """A DuckDB relation, on the library's connection, holding a pandas frame."""
    import pyarrow as pa

    return duckdb_connection().from_arrow(pa.Table.from_pandas(frame, preserve_index=False))


# --------------------------------------------------------------------------- dates
# narwhals gaps: on Spark, ``dt.offset_by`` and ``date + timedelta`` give UTC
# timestamps while pandas keeps dates, and there is no day count of a duration on
# Spark. The helpers below keep dates as dates on every backend.


def _pandas_date_series(series: Any) -> Any:
    import pandas as pd
    import pyarrow as pa

    target = pd.ArrowDtype(pa.date32())
    return series if series.dtype == target else series.astype(target)


def add_days(frame: nw.LazyFrame, column: str, days: int | str, out: str) -> nw.LazyFrame:
    """Add ``days`` (a constant or the name of an integer column) to date ``column``.

    The result ``out`` is a date on every backend; nulls stay null.

    >>> import datetime as dt, pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> df = pd.DataFrame({"d": date_series([dt.date(2020, 2, 27)]), "n": [3]})
    >>> to_native(add_days(lazy(df), "d", "n", "e"))["e"].tolist()
    [datetime.date(2020, 3, 1)]
    """
    native = frame.to_native()
    if backend_of_lazy(frame) == SPARK:
        from pyspark.sql import functions as F

        amount = F.col(days) if isinstance(days, str) else F.lit(int(days))
        return lazy(native.withColumn(out, F.date_add(F.col(column), amount.cast("int"))))
    if backend_of_lazy(frame) == DUCKDB:
        amount = f"CAST({sql_name(days)} AS INTEGER)" if isinstance(days, str) else str(int(days))
        return _duckdb_with(frame, {out: f"CAST({sql_name(column)} + {amount} AS DATE)"})
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    start = pa.array(_pandas_date_series(native[column])).cast(pa.int32())
    if isinstance(days, str):
        offset = pa.array(pd.array(native[days], dtype="Int64")).cast(pa.int32())
    else:
        offset = pa.scalar(int(days), pa.int32())
    result = pc.add(start, offset).cast(pa.date32())
    values = pd.array(result, dtype=pd.ArrowDtype(pa.date32()))
    return lazy(native.assign(**{out: pd.Series(values, index=native.index)}))


def days_between(frame: nw.LazyFrame, start: str, end: str, out: str) -> nw.LazyFrame:
    """Number of days from date ``start`` to date ``end`` (``end - start``), as Int64.

    >>> import datetime as dt, pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> df = pd.DataFrame({"a": date_series([dt.date(2020, 1, 1)]),
    ...                    "b": date_series([dt.date(2020, 3, 1)])})
    >>> to_native(days_between(lazy(df), "a", "b", "n"))["n"].tolist()
    [60]
    """
    native = frame.to_native()
    if backend_of_lazy(frame) == SPARK:
        from pyspark.sql import functions as F

        return lazy(native.withColumn(out, F.datediff(F.col(end), F.col(start)).cast("long")))
    if backend_of_lazy(frame) == DUCKDB:
        return _duckdb_with(frame, {out: f"CAST({sql_name(end)} - {sql_name(start)} AS BIGINT)"})
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    a = pa.array(_pandas_date_series(native[start])).cast(pa.int32())
    b = pa.array(_pandas_date_series(native[end])).cast(pa.int32())
    days = pd.array(pc.subtract(b, a).cast(pa.int64()), dtype="Int64")
    return lazy(native.assign(**{out: pd.Series(days, index=native.index)}))


def day_number(frame: nw.LazyFrame, column: str, out: str) -> nw.LazyFrame:
    """Days since 1970-01-01 of date ``column``, as Int64 (for ranking and ordering dates:
    pandas cannot rank Arrow dates within groups).

    >>> import datetime as dt, pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> df = pd.DataFrame({"d": date_series([dt.date(1970, 1, 2), dt.date(1600, 1, 1)])})
    >>> to_native(day_number(lazy(df), "d", "n"))["n"].tolist()
    [1, -135140]
    """
    native = frame.to_native()
    if backend_of_lazy(frame) == SPARK:
        from pyspark.sql import functions as F

        epoch = F.lit(dt.date(1970, 1, 1))
        return lazy(native.withColumn(out, F.datediff(F.col(column), epoch).cast("long")))
    if backend_of_lazy(frame) == DUCKDB:
        return _duckdb_with(frame, {out: f"CAST({sql_name(column)} - DATE '1970-01-01' AS BIGINT)"})
    import pandas as pd
    import pyarrow as pa

    days = pa.array(_pandas_date_series(native[column])).cast(pa.int32()).cast(pa.int64())
    return lazy(
        native.assign(**{out: pd.Series(pd.array(days, dtype="Int64"), index=native.index)})
    )


def date_from_parts(
    frame: nw.LazyFrame, year: str, month: str, out: str, *, min_year: int = 1601
) -> nw.LazyFrame:
    """The first day of month ``month`` of year ``year`` (integer columns), as a date.

    narwhals has no date constructor on every backend. A null year or month, a month
    outside 1-12 or a year before ``min_year`` (the SNDS writes an unknown birth as
    1600/01) gives null.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": pd.array([1950, 1600, 1980, None], dtype="Int64"),
    ...                    "m": pd.array([7, 1, 13, 3], dtype="Int64")})
    >>> to_native(date_from_parts(lazy(df), "y", "m", "d"))["d"].tolist()
    [datetime.date(1950, 7, 1), <NA>, <NA>, <NA>]
    """
    native = frame.to_native()
    if backend_of_lazy(frame) == SPARK:
        from pyspark.sql import functions as F

        y, m = F.col(year).cast("int"), F.col(month).cast("int")
        valid = y.isNotNull() & m.isNotNull() & (y >= min_year) & (y <= 9999) & m.between(1, 12)
        value = F.when(valid, F.make_date(y, m, F.lit(1)))
        return lazy(native.withColumn(out, value.cast("date")))
    if backend_of_lazy(frame) == DUCKDB:
        y, m = f"CAST({sql_name(year)} AS BIGINT)", f"CAST({sql_name(month)} AS BIGINT)"
        valid = f"{y} BETWEEN {int(min_year)} AND 9999 AND {m} BETWEEN 1 AND 12"
        value = f"CASE WHEN {valid} THEN make_date({y}, {m}, 1) END"
        return _duckdb_with(frame, {out: f"CAST({value} AS DATE)"})
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    y = pd.array(native[year], dtype="Int64")
    m = pd.array(native[month], dtype="Int64")
    valid = np.asarray(~y.isna() & ~m.isna(), dtype=bool)
    yv = y.to_numpy(dtype="int64", na_value=0)
    mv = m.to_numpy(dtype="int64", na_value=0)
    valid &= (yv >= min_year) & (yv <= 9999) & (mv >= 1) & (mv <= 12)
    months = np.where(valid, (yv - 1970) * 12 + (mv - 1), 0).astype("datetime64[M]")
    days = months.astype("datetime64[D]").astype("int64").astype("int32")
    arr = pa.array(days, mask=~valid).cast(pa.date32())
    values = pd.array(arr, dtype=pd.ArrowDtype(pa.date32()))
    return lazy(native.assign(**{out: pd.Series(values, index=native.index)}))


def from_day_number(frame: nw.LazyFrame, columns: Mapping[str, str]) -> nw.LazyFrame:
    """Turn day numbers (days since 1970-01-01, see :func:`day_number`) back into dates.

    ``columns`` maps each integer column to the name of the date column that replaces it.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"n": pd.array([0, 18322, None], dtype="Int64")})
    >>> to_native(from_day_number(lazy(df), {"n": "d"}))["d"].tolist()
    [datetime.date(1970, 1, 1), datetime.date(2020, 3, 1), <NA>]
    """
    native = frame.to_native()
    if backend_of_lazy(frame) == SPARK:
        from pyspark.sql import functions as F

        epoch = F.lit(dt.date(1970, 1, 1))
        new = {out: F.date_add(epoch, F.col(src).cast("int")) for src, out in columns.items()}
        kept = [c for c in native.columns if c not in columns]
        return lazy(native.withColumns(new).select(*kept, *new))
    if backend_of_lazy(frame) == DUCKDB:
        kept = [
            sql_name(c) for c in native.columns if c not in columns and c not in columns.values()
        ]
        new_sql = [
            f"CAST(DATE '1970-01-01' + CAST({sql_name(src)} AS INTEGER) AS DATE) AS {sql_name(out)}"
            for src, out in columns.items()
        ]
        return lazy(native.project(", ".join([*kept, *new_sql])))
    import pandas as pd
    import pyarrow as pa

    new = {}
    for src, out in columns.items():
        days = pa.array(pd.array(native[src], dtype="Int64")).cast(pa.int32()).cast(pa.date32())
        new[out] = pd.Series(pd.array(days, dtype=pd.ArrowDtype(pa.date32())), index=native.index)
    return lazy(native.drop(columns=list(columns)).assign(**new))


def date_literal(value: dt.date | str) -> nw.Expr:
    """A date literal usable in comparisons on every backend."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return nw.lit(value, dtype=nw.Date())


# --------------------------------------------------------------------------- codes


def matches_codes(
    column: str,
    codes: Iterable[str],
    *,
    how: Literal["prefix", "exact"] = "prefix",
) -> nw.Expr:
    """Null-safe boolean expression: ``column`` matches one of ``codes``.

    ``how="prefix"`` matches codes that start with one of the given prefixes (ICD-10
    ``E11`` matches ``E119``); ``how="exact"`` requires equality. A null value never
    matches (``False``, not null, on every backend).

    >>> import pandas as pd
    >>> df = pd.DataFrame({"DGN_PAL": pd.array(["E119", "I10", None], dtype="string[pyarrow]")})
    >>> to_native(lazy(df).select(matches_codes("DGN_PAL", ["E11"]).alias("m")))["m"].tolist()
    [True, False, False]
    """
    codes = sorted({str(c) for c in codes})
    col = nw.col(column)
    if not codes:
        return (col.is_null() & nw.lit(False)).fill_null(False)
    if how == "exact":
        expr = col.is_in(codes)
    elif how == "prefix":
        expr = nw.any_horizontal(*[col.str.starts_with(c) for c in codes], ignore_nulls=False)
    else:
        raise ValueError(f"how must be 'prefix' or 'exact', not {how!r}")
    return (~col.is_null() & expr).fill_null(False)


# --------------------------------------------------------------------------- nulls


def null_columns(frame: nw.LazyFrame, columns: Mapping[str, Any]) -> nw.LazyFrame:
    """Add columns of nulls of the given narwhals dtypes (``{name: nw.Int64()}``).

    narwhals cannot make an integer null literal on numpy-backed pandas
    (``nw.lit(None, dtype=nw.Int64)`` raises); on pandas the columns are nullable
    extension arrays (``Int64``, ``string[pyarrow]``, ``date32[pyarrow]``, ``boolean``).

    >>> import pandas as pd
    >>> out = to_native(null_columns(lazy(pd.DataFrame({"a": [1, 2]})), {"n": nw.Int64()}))
    >>> str(out["n"].dtype), bool(out["n"].isna().all())
    ('Int64', True)
    """
    if backend_of_lazy(frame) != PANDAS:
        return frame.with_columns(*[nw.lit(None, dtype=t).alias(c) for c, t in columns.items()])
    import pandas as pd
    import pyarrow as pa

    native = frame.to_native()
    dtypes = {
        nw.Int64: "Int64",
        nw.String: pd.StringDtype("pyarrow"),
        nw.Date: pd.ArrowDtype(pa.date32()),
        nw.Boolean: "boolean",
        nw.Float64: "Float64",
    }
    new = {}
    for name, dtype in columns.items():
        kind = dtypes[type(dtype) if not isinstance(dtype, type) else dtype]
        new[name] = pd.Series(pd.array([None] * len(native), dtype=kind), index=native.index)
    return lazy(native.assign(**new))


def running_max(
    frame: nw.LazyFrame,
    column: str,
    partition: str,
    order: str,
    out: str,
    *,
    include_current: bool = True,
) -> nw.LazyFrame:
    """Per ``partition``, the maximum of integer ``column`` over the rows up to this one in
    ``order`` (``include_current=False``: the rows before it, null on the first row).
    Nulls are skipped. ``order`` must not repeat within a partition.

    On pandas it is computed natively (a sorted group-wise cumulative maximum): narwhals'
    ordered windows on pandas realign their result on the frame's index, which failed on
    some nullable-integer inputs.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"p": ["a", "a", "a", "b"], "i": [3, 0, 9, 1], "x": [20, 10, 30, 5]})
    >>> to_native(running_max(lazy(df), "x", "p", "i", "m", include_current=False))["m"].tolist()
    [10, <NA>, 20, <NA>]
    >>> to_native(running_max(lazy(df), "x", "p", "i", "m"))["m"].tolist()
    [20, 10, 30, 5]
    >>> df["x"] = pd.array([None, 10, None, None], dtype="Int64")
    >>> to_native(running_max(lazy(df), "x", "p", "i", "m"))["m"].tolist()
    [10, 10, 10, <NA>]
    """
    if backend_of_lazy(frame) != PANDAS:
        # narwhals keeps a null in place (polars semantics): skip nulls through a floor
        floor = nw.lit(-(2**62), dtype=nw.Int64)
        lf = frame.with_columns(
            nw.col(column).cast(nw.Int64).fill_null(floor).alias(out)
        ).with_columns(nw.col(out).cum_max().over(partition, order_by=order))
        if not include_current:
            lf = lf.with_columns(nw.col(out).shift(1).over(partition, order_by=order))
        return lf.with_columns(nw.when(nw.col(out) != floor).then(nw.col(out)).alias(out))
    import numpy as np
    import pandas as pd

    native = frame.to_native().reset_index(drop=True)
    keys = pd.factorize(native[partition])[0]
    ranks = pd.array(native[order], dtype="Int64").to_numpy(dtype="int64", na_value=0)
    order_idx = np.lexsort((ranks, keys))
    groups = keys[order_idx]
    values = pd.Series(
        pd.array(native[column], dtype="Int64").to_numpy(dtype="float64", na_value=np.nan)[
            order_idx
        ]
    )
    # pandas leaves a null in place where SQL carries the maximum so far: fill forward
    result = values.groupby(groups, sort=False).cummax().groupby(groups, sort=False).ffill()
    if not include_current:
        result = result.groupby(groups, sort=False).shift(1)
    placed = np.empty(len(native), dtype="float64")
    placed[order_idx] = result.to_numpy(dtype="float64", na_value=np.nan)
    values_out = pd.array(placed, dtype="Float64").astype("Int64")
    return lazy(native.assign(**{out: pd.Series(values_out, index=native.index)}))
