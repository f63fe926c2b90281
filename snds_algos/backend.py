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
from collections.abc import Iterable, Mapping, Sequence
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
    if frame.implementation.is_pyspark() or frame.implementation.is_pyspark_connect():
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


def checkpoint(frame: nw.LazyFrame) -> nw.LazyFrame:
    """``frame`` computed now, and its plan cut there: for small intermediate results
    that a loop builds on (each step of a chain of joins), so that the plan of what
    follows does not grow with every step.

    On Spark the frame is materialised on the executors (``localCheckpoint``: nothing is
    collected to the driver) and the plan that follows starts from it: a plan that
    nests a join per step would otherwise take Spark's optimiser minutes to analyse. On
    Spark Connect a plan too deep for the client's checkpoint command is cached instead
    (``cache()``). On DuckDB it is :func:`computed_once`; pandas frames are computed
    already.

    >>> import pandas as pd
    >>> to_native(checkpoint(lazy(pd.DataFrame({"a": [1]}))))["a"].tolist()
    [1]
    """
    if backend_of_lazy(frame) == SPARK:
        native = frame.to_native()
        try:
            return lazy(native.localCheckpoint(eager=True))
        except Exception as error:
            # Spark Connect: the client serialises the plan into the checkpoint command
            # and refuses one nested deeper than protobuf's limit (DecodeError "Exceeded
            # upb_DecodeOptions_MaxDepth"); a cached frame is the fallback there
            connect = frame.implementation.is_pyspark_connect()
            if not connect or type(error).__name__ != "DecodeError":
                raise
            return lazy(native.cache())
    return computed_once(frame)


def release_spark(spark: Any) -> None:
    """Release what runs left in a Spark session's memory: cached frames (``cache``)
    and checkpointed blocks (:func:`checkpoint`). Call it when the results of a run are
    written or collected (``snds-algos run`` does): frames still built on them are then
    recomputed from their plans. On a Spark Connect session only the cached frames are
    released (the server drops a session's checkpoints with the session).

    >>> release_spark(spark)  # doctest: +SKIP
    """
    spark.catalog.clearCache()
    try:
        context = spark.sparkContext._jsc
    except Exception:  # Spark Connect: no Spark context on this side
        return
    for rdd in context.getPersistentRDDs().values():
        rdd.unpersist(False)


def is_empty(frame: nw.LazyFrame) -> bool:
    """True when ``frame`` has no row (runs a count: a scalar, not the rows).

    >>> import pandas as pd
    >>> is_empty(lazy(pd.DataFrame({"a": []}))), is_empty(lazy(pd.DataFrame({"a": [1]})))
    (True, False)
    """
    return int(frame.select(nw.len()).collect().item()) == 0


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


# --------------------------------------------------------------------------- hashes
#: hex digits of the SHA-256 kept by :func:`hash63` (15 hex digits = 60 bits: a
#: non-negative integer that fits a signed 64-bit column)
HASH_HEX_DIGITS = 15


def hash63(frame: nw.LazyFrame, column: str, out: str) -> nw.LazyFrame:
    """A stable integer of string ``column``: the first 15 hex digits of its SHA-256.

    ``int(hashlib.sha256(value.encode("utf-8")).hexdigest()[:15], 16)``, the same on
    every backend (DuckDB ``sha256``, Spark ``sha2``; on pandas the values are hashed
    by DuckDB, a dependency, on the Arrow column): a non-negative Int64 below 2**60.
    Nulls stay null. narwhals has no hash function with the same result on every
    backend.

    >>> import hashlib, pandas as pd
    >>> df = pd.DataFrame({"k": pd.array(["abc", None], dtype="string[pyarrow]")})
    >>> to_native(hash63(lazy(df), "k", "h"))["h"].tolist()
    [839782156265856254, <NA>]
    >>> int(hashlib.sha256(b"abc").hexdigest()[:15], 16)
    839782156265856254
    """
    native = frame.to_native()
    digits = HASH_HEX_DIGITS
    if backend_of_lazy(frame) == SPARK:
        from pyspark.sql import functions as F

        hexa = F.substring(F.sha2(F.col(column).cast("string"), 256), 1, digits)
        return lazy(native.withColumn(out, F.conv(hexa, 16, 10).cast("long")))
    sql = f"CAST(('0x' || substr(sha256({{}}), 1, {digits})) AS BIGINT)"
    if backend_of_lazy(frame) == DUCKDB:
        return _duckdb_with(frame, {out: sql.format(f"CAST({sql_name(column)} AS VARCHAR)")})
    import pandas as pd
    import pyarrow as pa

    values = pa.table(
        {"i": pa.array(range(len(native))), "v": pa.array(native[column].astype("string[pyarrow]"))}
    )
    hashed = duckdb_connection().from_arrow(values).project(f"i, {sql.format('v')} AS h").order("i")
    result = hashed.to_arrow_table().column("h")
    series = pd.Series(pd.array(result.to_pandas(types_mapper=pd.ArrowDtype), dtype="Int64"))
    return lazy(native.assign(**{out: series.set_axis(native.index)}))


# --------------------------------------------------------------------------- codes


def matches_codes(
    column: str,
    codes: Iterable[str],
    *,
    how: Literal["prefix", "exact"] = "prefix",
    by_length: bool = False,
) -> nw.Expr:
    """Null-safe boolean expression: ``column`` matches one of ``codes``.

    ``how="prefix"`` matches codes that start with one of the given prefixes (ICD-10
    ``E11`` matches ``E119``); ``how="exact"`` requires equality. A null value never
    matches (``False``, not null, on every backend).

    ``by_length`` (prefixes): the same rows by one hash lookup per prefix length (the
    first n characters among the prefixes of length n) instead of one comparison per
    prefix: twice as fast on pandas for the 15 metformin ATC codes, but DuckDB pushes
    only the comparisons into a parquet scan (``select_events`` asks it on pandas).

    >>> import pandas as pd
    >>> df = pd.DataFrame({"DGN_PAL": pd.array(["E119", "I10", None], dtype="string[pyarrow]")})
    >>> to_native(lazy(df).select(matches_codes("DGN_PAL", ["E11"]).alias("m")))["m"].tolist()
    [True, False, False]
    >>> many = matches_codes("DGN_PAL", ["E10", "E11", "I1"], by_length=True)
    >>> to_native(lazy(df).select(many.alias("m")))["m"].tolist()
    [True, True, False]
    """
    codes = sorted({str(c) for c in codes})
    col = nw.col(column)
    if not codes:
        return (col.is_null() & nw.lit(False)).fill_null(False)
    if how == "exact":
        expr = col.is_in(codes)
    elif how == "prefix" and not by_length:
        expr = nw.any_horizontal(*[col.str.starts_with(c) for c in codes], ignore_nulls=False)
    elif how == "prefix":
        lengths: dict[int, list[str]] = {}
        for c in codes:
            lengths.setdefault(len(c), []).append(c)
        expr = nw.any_horizontal(
            *[col.str.slice(0, n).is_in(group) for n, group in sorted(lengths.items())],
            ignore_nulls=False,
        )
    else:
        raise ValueError(f"how must be 'prefix' or 'exact', not {how!r}")
    return (~col.is_null() & expr).fill_null(False)


def frame_like(frame: nw.LazyFrame, data: Any) -> nw.LazyFrame:
    """A small table ``data`` (a pandas DataFrame) as a LazyFrame of the backend of ``frame``.

    For the short tables an algorithm builds from its parameters (a code-to-key mapping,
    a pack-days table) and joins to its input: pandas stays pandas, DuckDB gets a relation
    on the library's connection, Spark a DataFrame of the input's session.

    >>> import pandas as pd
    >>> small = frame_like(lazy(pd.DataFrame({"a": [1]})), pd.DataFrame({"code": ["A10"]}))
    >>> to_native(small)["code"].tolist()
    ['A10']
    """
    backend = backend_of_lazy(frame)
    if backend == DUCKDB:
        return lazy(duckdb_from_pandas(data))
    if backend == SPARK:
        import pyarrow as pa

        session = frame.to_native().sparkSession
        return lazy(session.createDataFrame(pa.Table.from_pandas(data, preserve_index=False)))
    return lazy(data.reset_index(drop=True))


def fresh_index(frame: nw.LazyFrame) -> nw.LazyFrame:
    """The frame with a fresh RangeIndex on pandas (unchanged on DuckDB and Spark).

    narwhals' ordered window functions (``shift().over(order_by=...)``) on pandas write
    their result back by index: after a join or a concatenation, whose index has
    repeats, they fail or misplace values. Call it before such windows.

    >>> import pandas as pd
    >>> twice = pd.concat([pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [2]})])
    >>> to_native(fresh_index(lazy(twice))).index.tolist()
    [0, 1]
    """
    if backend_of_lazy(frame) == PANDAS:
        return lazy(frame.to_native().reset_index(drop=True))
    return frame


def window_partition(
    frame: nw.LazyFrame, columns: Iterable[str], out: str = "__part"
) -> tuple[nw.LazyFrame, tuple[str, ...]]:
    """The columns to partition window functions by, for ``over(*partition, ...)``.

    On pandas, one integer column ``out`` numbering the groups of ``columns`` (narwhals
    factorises the string columns again at every window otherwise: several times slower
    on person ids); DuckDB and Spark partition by ``columns`` as they are.

    >>> import pandas as pd
    >>> lf, part = window_partition(lazy(pd.DataFrame({"p": ["b", "a", "b"]})), ["p"])
    >>> part, to_native(lf)["__part"].tolist()
    (('__part',), [0, 1, 0])
    """
    columns = tuple(columns)
    if backend_of_lazy(frame) != PANDAS:
        return frame, columns
    native = frame.to_native().reset_index(drop=True)
    groups = native.groupby(list(columns), sort=False, dropna=False).ngroup()
    return lazy(native.assign(**{out: groups.to_numpy(dtype="int64")})), (out,)


def previous(
    frame: nw.LazyFrame,
    column: str,
    partition: Iterable[str],
    order_by: Iterable[str],
    out: str,
) -> nw.LazyFrame:
    """Add ``out``: the value of ``column`` on the previous row of its ``partition`` in
    ``order_by`` order (null on the first row): ``shift(1).over(...)``.

    narwhals' ordered ``shift`` on pandas writes its result back into a nullable
    integer column and fails on the null it creates; pandas' own group-wise shift is
    used there. DuckDB and Spark use the window function.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"p": ["a", "a", "b"], "d": [2, 1, 1], "v": pd.array([20, 10, 5], dtype="Int64")})
    >>> to_native(previous(lazy(df), "v", ["p"], ["d"], "prev"))["prev"].tolist()
    [10, <NA>, <NA>]
    """
    partition, order_by = list(partition), list(order_by)
    if backend_of_lazy(frame) == PANDAS:
        native = frame.to_native().reset_index(drop=True)
        ordered = native.sort_values([*partition, *order_by], kind="stable")
        prev = ordered.groupby(partition, sort=False, dropna=False)[column].shift(1)
        return lazy(native.assign(**{out: prev.reindex(native.index)}))
    shifted = nw.col(column).shift(1).over(*partition, order_by=order_by)
    return frame.with_columns(shifted.alias(out))


# --------------------------------------------------------------------------- ages and quantiles


def completed_years(frame: nw.LazyFrame, birth: str, on: str, out: str) -> nw.LazyFrame:
    """Age in completed years on date ``on`` of a person born on date ``birth`` (Int64).

    Born 2000-07-01: 17 on 2018-06-30, 18 on 2018-07-01; a null date gives null.

    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> df = pd.DataFrame({"b": date_series(["2000-07-01", "2000-07-01", None]),
    ...                    "d": date_series(["2018-06-30", "2018-07-01", "2018-07-01"])})
    >>> to_native(completed_years(lazy(df), "b", "d", "age"))["age"].tolist()
    [17, 18, <NA>]
    """
    if backend_of_lazy(frame) == PANDAS:
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc

        native = frame.to_native()
        b = pa.array(_pandas_date_series(native[birth]))
        d = pa.array(_pandas_date_series(native[on]))
        before = pc.or_(
            pc.less(pc.month(d), pc.month(b)),
            pc.and_(pc.equal(pc.month(d), pc.month(b)), pc.less(pc.day(d), pc.day(b))),
        )
        years = pc.subtract(pc.subtract(pc.year(d), pc.year(b)), pc.cast(before, pa.int64()))
        values = pd.array(years.cast(pa.int64()), dtype="Int64")
        return lazy(native.assign(**{out: pd.Series(values, index=native.index)}))
    b, d = nw.col(birth), nw.col(on)
    before_birthday = (d.dt.month() < b.dt.month()) | (
        (d.dt.month() == b.dt.month()) & (d.dt.day() < b.dt.day())
    )
    years = (
        d.dt.year().cast(nw.Int64())
        - b.dt.year().cast(nw.Int64())
        - before_birthday.cast(nw.Int64())
    )
    return frame.with_columns(years.alias(out))


def grouped_quantiles(
    frame: nw.LazyFrame,
    by: Iterable[str],
    column: str,
    quantiles: Mapping[str, float],
) -> nw.LazyFrame:
    """Exact quantiles of ``column`` per group ``by`` (nulls ignored), linear interpolation.

    ``quantiles`` maps an output name to a probability (``{"q1": 0.25, "median": 0.5}``).
    Same numbers on every backend: pandas ``quantile`` (linear), DuckDB
    ``quantile_cont`` and Spark ``percentile`` (exact, linear; narwhals would use
    ``percentile_approx`` on Spark). A group whose values are all null gets null.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"g": ["a", "a", "a", "a", "b"], "x": [1.0, 2.0, 3.0, 4.0, None]})
    >>> out = to_native(grouped_quantiles(lazy(df), ["g"], "x", {"q1": 0.25, "median": 0.5}))
    >>> out.sort_values("g").values.tolist()
    [['a', 1.75, 2.5], ['b', nan, nan]]
    """
    keys = list(by)
    native = frame.to_native()
    if backend_of_lazy(frame) == SPARK:
        from pyspark.sql import functions as F

        x = F.col(column).cast("double")
        aggs = [F.percentile(x, float(p)).alias(name) for name, p in quantiles.items()]
        return lazy(native.groupBy(*keys).agg(*aggs))
    if backend_of_lazy(frame) == DUCKDB:
        x = f"CAST({sql_name(column)} AS DOUBLE)"
        items = [sql_name(k) for k in keys] + [
            f"quantile_cont({x}, {float(p)!r}) AS {sql_name(name)}" for name, p in quantiles.items()
        ]
        group = ", ".join(sql_name(k) for k in keys)
        return lazy(native.aggregate(", ".join(items), group))
    import pandas as pd

    values = pd.to_numeric(native[column], errors="coerce").astype("float64")
    grouped = values.groupby([native[k] for k in keys], dropna=False, sort=False)
    out = pd.DataFrame({name: grouped.quantile(p) for name, p in quantiles.items()})
    return lazy(out.reset_index().rename(columns={f"level_{i}": k for i, k in enumerate(keys)}))


# --------------------------------------------------------------------------- lists
# narwhals has no ordered string aggregation and no integer-range explosion on every
# backend (care pathways need both: the label of a set of drug keys, a sequence string,
# the bins a state overlaps).


def string_agg(
    frame: nw.LazyFrame,
    by: Sequence[str],
    column: str,
    out: str,
    *,
    sep: str = "+",
    order_by: str | None = None,
    count: str | None = None,
) -> nw.LazyFrame:
    """One row per group of ``by``: the values of string ``column`` joined by ``sep``.

    Values are joined in the order of ``order_by`` (default: the values themselves,
    compared as UTF-8 bytes on every backend); ``count`` names an optional Int64 column
    with the number of values joined. Null values are skipped.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"p": ["a", "a", "b"], "k": ["B", "A", "C"]})
    >>> to_native(string_agg(lazy(df), ["p"], "k", "label", count="n")).values.tolist()
    [['a', 'A+B', 2], ['b', 'C', 1]]
    """
    by = list(by)
    order = order_by or column
    native = frame.to_native()
    backend = backend_of_lazy(frame)
    if backend == SPARK:
        from pyspark.sql import functions as F

        items = F.array_sort(
            F.collect_list(F.struct(F.col(order).alias("o"), F.col(column).alias("v")))
        )
        aggs = [F.array_join(F.transform(items, lambda x: x["v"]), sep).alias(out)]
        if count:
            aggs.append(F.count(F.col(column)).cast("long").alias(count))
        kept = native.filter(F.col(column).isNotNull())
        return lazy(kept.groupBy(*by).agg(*aggs))
    if backend == DUCKDB:
        literal = "'" + sep.replace("'", "''") + "'"
        keys = ", ".join(sql_name(c) for c in by)
        aggs = [
            f"string_agg({sql_name(column)}, {literal} ORDER BY {sql_name(order)}) AS {sql_name(out)}"
        ]
        if count:
            aggs.append(f"CAST(count({sql_name(column)}) AS BIGINT) AS {sql_name(count)}")
        kept = native.filter(f"{sql_name(column)} IS NOT NULL")
        return lazy(kept.aggregate(", ".join([keys, *aggs]), keys))
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = list(dict.fromkeys([*by, column, order]))
    data = native[cols]
    data = data[data[column].notna()]
    data = data.sort_values([*by, order], kind="stable")
    n = len(data)
    if n:
        keys = data[by].reset_index(drop=True)
        changed = np.zeros(n, dtype=bool)
        changed[0] = True
        for c in by:
            values = keys[c].to_numpy()
            changed[1:] |= values[1:] != values[:-1]
        starts = np.flatnonzero(changed)
    else:
        keys = data[by].reset_index(drop=True)
        starts = np.zeros(0, dtype=np.int64)
    offsets = pa.array(np.append(starts, n).astype(np.int32))
    values = pa.array(data[column].astype("string[pyarrow]"), type=pa.string())
    joined = pc.binary_join(pa.ListArray.from_arrays(offsets, values), sep)
    result = keys.iloc[starts].reset_index(drop=True)
    result[out] = pd.Series(pd.array(joined, dtype=pd.StringDtype("pyarrow")))
    if count:
        result[count] = pd.array(np.diff(np.append(starts, n)), dtype="Int64")
    return lazy(result)


def _isin(series: Any, values: Any) -> Any:
    """``series.isin(values)`` as a numpy boolean array; Arrow-backed columns with
    pyarrow's hash lookup (five times faster than pandas' ``isin`` on Arrow strings)."""
    arrow = getattr(series.array, "__arrow_array__", None)
    arrow_values = getattr(values.array, "__arrow_array__", None)
    if arrow is not None and arrow_values is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        column = arrow()
        try:
            value_set = arrow_values().combine_chunks().cast(column.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            value_set = None
        if value_set is not None:
            found = pc.fill_null(pc.is_in(column, value_set=value_set), False)
            return found.to_numpy(zero_copy_only=False)
    return series.isin(values).to_numpy(dtype=bool)


def semi_join(
    frame: nw.LazyFrame, keys: nw.LazyFrame, on: str | Sequence[str], *, anti: bool = False
) -> nw.LazyFrame:
    """The rows of ``frame`` whose ``on`` values are (``anti``: are not) in ``keys``.

    The same as ``frame.join(keys, on=on, how="semi")`` (or ``"anti"``), which is what
    DuckDB and Spark run; on pandas narwhals runs a semi-join as an inner merge (about a
    second for 1 700 000 events against 20 000 persons), so the rows are selected with
    ``isin`` instead. A null key matches nothing (a semi-join drops it, an anti-join
    keeps it), as in SQL.

    >>> import pandas as pd
    >>> df = lazy(pd.DataFrame({"p": ["a", "b", None, "a"], "d": [1, 2, 3, 4]}))
    >>> keys = lazy(pd.DataFrame({"p": ["a", "c"]}))
    >>> to_native(semi_join(df, keys, "p"))["d"].tolist()
    [1, 4]
    >>> to_native(semi_join(df, keys, "p", anti=True))["d"].tolist()
    [2, 3]
    """
    on = [on] if isinstance(on, str) else list(on)
    if backend_of_lazy(frame) != PANDAS:
        return frame.join(keys.select(*on), on=on, how="anti" if anti else "semi")
    import pandas as pd

    native, other = frame.to_native(), keys.to_native()[on]
    if len(on) == 1:
        found = _isin(native[on[0]], other[on[0]].dropna())
    else:
        index = pd.MultiIndex.from_frame(native[on])
        found = index.isin(pd.MultiIndex.from_frame(other.dropna()))
    found = pd.Series(found, index=native.index) & native[on].notna().all(axis=1)
    kept = native[~found] if anti else native[found]
    return lazy(kept.reset_index(drop=True))


def smallest_string(frame: nw.LazyFrame, by: Sequence[str], column: str, out: str) -> nw.LazyFrame:
    """One row per group of ``by``: the smallest value of string ``column`` (null when the
    group has none), as ``by + [out]``.

    The same as ``frame.group_by(*by).agg(nw.col(column).min().alias(out))``, which is
    what DuckDB and Spark run; on pandas a grouped minimum of strings loops over the
    groups in Python (seconds per 100 000 groups), so the rows are sorted instead and
    the first of each group kept.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"p": ["a", "a", "b", "c"], "k": ["B", "A", None, "C"]})
    >>> to_native(smallest_string(lazy(df), ["p"], "k", "m")).astype(object).values.tolist()
    [['a', 'A'], ['b', None], ['c', 'C']]
    """
    by = list(by)
    if backend_of_lazy(frame) != PANDAS:
        return frame.group_by(*by).agg(nw.col(column).min().alias(out))
    data = frame.to_native()[[*by, column]]
    data = data.sort_values([*by, column], kind="stable", na_position="last")
    first = data.drop_duplicates(by, keep="first").reset_index(drop=True)
    return lazy(first.rename(columns={column: out}))


def explode_range(frame: nw.LazyFrame, start: str, end: str, out: str) -> nw.LazyFrame:
    """Repeat each row once per integer of ``[start, end]`` (integer columns, inclusive),
    the integer in a new Int64 column ``out``. Rows with ``end < start`` or a null bound
    give no row.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": ["a", "b", "c"], "lo": [1, 5, 3], "hi": [3, 5, 2]})
    >>> to_native(explode_range(lazy(df), "lo", "hi", "i"))[["id", "i"]].values.tolist()
    [['a', 1], ['a', 2], ['a', 3], ['b', 5]]
    """
    native = frame.to_native()
    backend = backend_of_lazy(frame)
    if backend == SPARK:
        from pyspark.sql import functions as F

        lo, hi = F.col(start).cast("long"), F.col(end).cast("long")
        kept = native.filter(lo.isNotNull() & hi.isNotNull() & (hi >= lo))
        return lazy(kept.withColumn(out, F.explode(F.sequence(lo, hi))))
    if backend == DUCKDB:
        lo, hi = f"CAST({sql_name(start)} AS BIGINT)", f"CAST({sql_name(end)} AS BIGINT)"
        kept = native.filter(f"{lo} IS NOT NULL AND {hi} IS NOT NULL AND {hi} >= {lo}")
        names = ", ".join(sql_name(c) for c in native.columns if c != out)
        return lazy(
            kept.project(
                f"{names}, CAST(unnest(range({lo}, {hi} + 1)) AS BIGINT) AS {sql_name(out)}"
            )
        )
    import numpy as np
    import pandas as pd

    lo = pd.array(native[start], dtype="Int64")
    hi = pd.array(native[end], dtype="Int64")
    valid = np.asarray(~lo.isna() & ~hi.isna(), dtype=bool)
    lov = lo.to_numpy(dtype="int64", na_value=0)
    hiv = hi.to_numpy(dtype="int64", na_value=-1)
    n = np.where(valid, np.maximum(hiv - lov + 1, 0), 0)
    rows = np.repeat(np.arange(len(native)), n)
    first = np.repeat(np.cumsum(n) - n, n)
    values = lov[rows] + (np.arange(int(n.sum())) - first)
    result = native.iloc[rows].reset_index(drop=True)
    result[out] = pd.array(values, dtype="Int64")
    return lazy(result)


def explode_split(frame: nw.LazyFrame, column: str, out: str, *, sep: str = "+") -> nw.LazyFrame:
    """Split string ``column`` on ``sep`` (a literal) and repeat each row once per part,
    the part in a new string column ``out``; a null value gives no row.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"id": [1, 2, 3], "s": ["A+B", "C", None]})
    >>> to_native(explode_split(lazy(df), "s", "k"))[["id", "k"]].values.tolist()
    [[1, 'A'], [1, 'B'], [2, 'C']]
    """
    native = frame.to_native()
    backend = backend_of_lazy(frame)
    if backend == SPARK:
        import re

        from pyspark.sql import functions as F

        kept = native.filter(F.col(column).isNotNull())
        return lazy(kept.withColumn(out, F.explode(F.split(F.col(column), re.escape(sep)))))
    if backend == DUCKDB:
        literal = "'" + sep.replace("'", "''") + "'"
        names = ", ".join(sql_name(c) for c in native.columns if c != out)
        kept = native.filter(f"{sql_name(column)} IS NOT NULL")
        return lazy(
            kept.project(
                f"{names}, unnest(string_split({sql_name(column)}, {literal})) AS {sql_name(out)}"
            )
        )
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pa.array(native[column].astype("string[pyarrow]"), type=pa.string())
    parts = pc.split_pattern(values, sep)
    rows = pc.list_parent_indices(parts).to_numpy()
    flat = pc.list_flatten(parts)
    result = native.iloc[rows].reset_index(drop=True)
    result[out] = pd.Series(pd.array(flat, dtype=pd.StringDtype("pyarrow")))
    return lazy(result)


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
