"""Table sources: where a study's SNDS tables come from.

Three kinds of source share one interface, :class:`TableSource`:

* :class:`FolderSource`: a folder of files named as the SNDS tables: ``ER_PRS_F.parquet``,
  a partitioned folder ``ER_PRS_F/`` of parquet (or CSV) parts, ``T_MCO19B.csv``... CSV
  files are raw exports (``;`` or ``,`` separated), parsed through the contracts;
* :class:`CatalogSource`: a database of a Spark catalog (Hive metastore, Unity...);
* :class:`FrameSource`: pandas or Spark DataFrames, or DuckDB relations, already in
  memory.

``source.read("ER_PRS_F", ["BEN_NIR_PSA", "EXE_SOI_DTD"])`` returns a normalised frame
of the source's backend holding only those columns. Yearly PMSI tables (T_MCO19B,
T_MCO20B...) are read as one logical table (``T_MCOaaB``) with a ``PMSI_YEAR`` column.
A missing table or column, or an unreadable file, raises an error naming it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from snds_algos.backend import (
    BACKENDS,
    DUCKDB,
    PANDAS,
    SPARK,
    Backend,
    common_backend,
    duckdb_connection,
    duckdb_from_pandas,
    sql_name,
)
from snds_algos.contracts.model import YEAR_COLUMN, get_contract, logical_name
from snds_algos.contracts.normalize import normalize
from snds_algos.contracts.validate import validate
from snds_algos.errors import ContractError, MissingTableError, UnreadableTableError

_SUFFIXES = (".parquet", ".csv")


class TableSource:
    """Base class of table sources.

    Subclasses implement :meth:`physical_tables` and :meth:`_read_physical`; this class
    maps logical to physical names, selects columns, normalises and validates.
    """

    backend: Backend
    description: str = "the data source"
    #: ``"pandas"``: registered algorithms run on this source give pandas results
    #: whatever the backend computing them (see :func:`open_source`); ``None``: results
    #: of the source's backend
    results: str | None = None

    def physical_tables(self) -> list[str]:
        """Names of the tables the source holds (upper case, yearly names as stored)."""
        raise NotImplementedError

    def _read_physical(self, name: str, columns: Sequence[str] | None) -> Any:
        raise NotImplementedError

    def _columns_of(self, name: str) -> list[str]:
        raise NotImplementedError

    # ------------------------------------------------------------------ public API

    def years(self, table: str) -> list[int]:
        """PMSI years available for a yearly table (``"T_MCOaaB"`` -> ``[2019, 2020]``)."""
        wanted, _ = logical_name(table)
        found = []
        for name in self.physical_tables():
            logical, year = logical_name(name)
            if logical == wanted and year is not None:
                found.append(year)
        return sorted(found)

    def data_years(self) -> list[int]:
        """The calendar years the data holds, to check a reference year against.

        The years of the yearly PMSI tables (``T_MCO19B`` -> 2019); without any yearly
        table, the years of the care dates of ER_PRS_F (EXE_SOI_DTD, from its first to
        its last year; one aggregation); ``[]`` when neither is known. Computed once.

        Examples
        --------
        >>> import pandas as pd
        >>> FrameSource({"T_MCO19B": pd.DataFrame(), "T_MCO20C": pd.DataFrame()}).data_years()
        [2019, 2020]
        """
        cached = self.__dict__.get("_data_years")
        if cached is not None:
            return list(cached)
        years: set[int] = set()
        for name in self.physical_tables():
            _, year = logical_name(name)
            if year is not None:
                years.add(year)
        if not years and "ER_PRS_F" in self.physical_tables():
            import narwhals as nw

            from snds_algos.backend import lazy

            dates = lazy(self.read("ER_PRS_F", ["EXE_SOI_DTD"]))
            row = (
                dates.select(
                    nw.col("EXE_SOI_DTD").dt.year().min().alias("first"),
                    nw.col("EXE_SOI_DTD").dt.year().max().alias("last"),
                )
                .collect()
                .to_pandas()
                .iloc[0]
            )
            if row.notna().all():
                years = set(range(int(row["first"]), int(row["last"]) + 1))
        self.__dict__["_data_years"] = sorted(years)
        return sorted(years)

    def has(self, table: str) -> bool:
        """Whether the source holds ``table`` (for a yearly table: at least one year)."""
        logical, year = logical_name(table)
        if get_contract(logical).yearly and year is None:
            return bool(self.years(logical))
        return table.upper() in self.physical_tables()

    def read(
        self,
        table: str,
        columns: Sequence[str] | None = None,
        *,
        years: Iterable[int] | None = None,
        data_checks: bool | None = None,
    ) -> Any:
        """Read a table, normalised to its contract, with only ``columns``.

        Parameters
        ----------
        table:
            ``"ER_PRS_F"``, a yearly name (``"T_MCO19B"``) or a logical yearly name
            (``"T_MCOaaB"``: every available year, stacked, with a ``PMSI_YEAR`` column).
        columns:
            Columns to read (default: the contract's required columns).
        years:
            For a logical yearly table, restrict to these PMSI years.
        data_checks:
            Passed to :func:`snds_algos.contracts.validate` (default: on for pandas, off
            for Spark).

        On DuckDB and Spark, asking again for the same table, columns and years returns
        the same lazy frame: its preparation (schema jobs on Spark, the check of code
        columns on DuckDB) runs once, and what is derived from it can be recognised
        (the person keys of IR_BEN_R are computed once per frame).

        Examples
        --------
        >>> import pandas as pd
        >>> source = FrameSource({"IR_IMB_R": pd.DataFrame({
        ...     "BEN_NIR_PSA": ["A" * 17], "BEN_RNG_GEM": [1], "MED_MTF_COD": ["E11"],
        ...     "IMB_ETM_NAT": ["41"], "IMB_ALD_DTD": ["01012015"], "IMB_ALD_DTF": ["01011600"]})})
        >>> source.read("IR_IMB_R", ["BEN_RNG_GEM", "IMB_ALD_DTD"]).iloc[0].tolist()
        ['1', datetime.date(2015, 1, 1)]
        """
        if self.backend == PANDAS:
            return self._read(table, columns, years=years, data_checks=data_checks)
        key = (
            table.upper(),
            None if columns is None else tuple(columns),
            None if years is None else tuple(years),
            data_checks,
        )
        reads = self.__dict__.setdefault("_lazy_reads", {})
        if key not in reads:
            reads[key] = self._read(table, columns, years=years, data_checks=data_checks)
        return reads[key]

    def _read(
        self,
        table: str,
        columns: Sequence[str] | None = None,
        *,
        years: Iterable[int] | None = None,
        data_checks: bool | None = None,
    ) -> Any:
        logical, year = logical_name(table)
        contract = get_contract(logical)
        wanted = list(columns) if columns is not None else contract.required
        if contract.yearly and year is None:
            available = self.years(logical)
            if years is not None:
                keep = set(years)
                available = [y for y in available if y in keep]
            if not available:
                raise MissingTableError(logical, self.description, self.physical_tables())
            names = [logical.replace("aa", f"{y % 100:02d}", 1) for y in available]
            parts = [
                self._read_one(name, wanted, data_checks, year=y)
                for name, y in zip(names, available, strict=True)
            ]
            return _stack(parts, self.backend)
        name = table.upper()
        return self._read_one(name, wanted, data_checks, year=year)

    # ------------------------------------------------------------------ internals

    def _read_one(
        self, name: str, columns: list[str], data_checks: bool | None, year: int | None
    ) -> Any:
        if name not in self.physical_tables():
            raise MissingTableError(name, self.description, self.physical_tables())
        present = self._columns_of(name)
        upper = {c.upper(): c for c in present}
        own = [c for c in columns if c != YEAR_COLUMN]
        missing = [c for c in own if c not in upper]
        if missing:
            raise ContractError(
                name,
                missing[0],
                f"required column(s) missing from {self.description}: {', '.join(missing)}",
                values=sorted(present)[:5],
            )
        frame = self._read_physical(name, [upper[c] for c in own])
        frame = _rename_upper(frame, self.backend)
        frame = _select(frame, own, self.backend)
        frame = normalize(frame, name)
        if year is not None:
            frame = _with_year(frame, year, self.backend)
        validate(frame, name, columns=own, data_checks=data_checks)
        return frame


def _select(frame: Any, columns: Sequence[str], backend: Backend) -> Any:
    """Only ``columns``, in this order."""
    if backend == PANDAS:
        return frame[list(columns)]
    if backend == DUCKDB:
        return frame.project(", ".join(sql_name(c) for c in columns))
    return frame.select(*columns)


def _rename_upper(frame: Any, backend: Backend) -> Any:
    if all(c == c.upper() for c in frame.columns):
        return frame
    if backend == SPARK:
        return frame.toDF(*[c.upper() for c in frame.columns])
    if backend == DUCKDB:
        return frame.project(
            ", ".join(f"{sql_name(c)} AS {sql_name(c.upper())}" for c in frame.columns)
        )
    return frame.rename(columns=str.upper)


def _with_year(frame: Any, year: int, backend: Backend) -> Any:
    if backend == SPARK:
        from pyspark.sql import functions as F

        return frame.withColumn(YEAR_COLUMN, F.lit(year).cast("bigint"))
    if backend == DUCKDB:
        return frame.project(f"*, CAST({int(year)} AS BIGINT) AS {YEAR_COLUMN}")
    import pandas as pd

    return frame.assign(**{YEAR_COLUMN: pd.array([year] * len(frame), dtype="Int64")})


def _stack(parts: list[Any], backend: Backend) -> Any:
    if backend == SPARK:
        out = parts[0]
        for part in parts[1:]:
            out = out.unionByName(part)
        return out
    if backend == DUCKDB:
        out = parts[0]
        for part in parts[1:]:
            out = out.union(part)  # same columns in the same order (read selects them)
        return out
    import pandas as pd

    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


# --------------------------------------------------------------------------- folders

_CSV_SEPARATORS = (";", ",", "|", "\t")


#: bytes that cp1252 leaves undefined: a file holding one of them is read as latin-1
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def csv_encoding(path: str | os.PathLike[str], chunk_size: int = 1 << 20) -> str:
    """The encoding a CSV export is read with: ``"utf-8"`` when the whole file is valid
    UTF-8, else ``"cp1252"`` (Windows / SAS exports), or ``"latin-1"`` when the file holds
    bytes that cp1252 leaves undefined.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_bytes("LIB\\nHôpital".encode("utf-8"))
    >>> _ = (folder / "b.csv").write_bytes("LIB\\nHôpital".encode("cp1252"))
    >>> csv_encoding(folder / "a.csv"), csv_encoding(folder / "b.csv")
    ('utf-8', 'cp1252')
    """
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, undefined = True, False
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_size):
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            if not utf8 and not undefined:
                undefined = any(b in _CP1252_UNDEFINED for b in chunk)
            if not utf8 and undefined:
                break
    if utf8:
        try:
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    return "latin-1" if undefined else "cp1252"


def _csv_separator(path: Path) -> str:
    with open(path, encoding="utf-8", errors="replace") as fh:
        header = fh.readline()
    counts = {sep: header.count(sep) for sep in _CSV_SEPARATORS}
    return max(counts, key=lambda s: counts[s]) if any(counts.values()) else ";"


class FolderSource(TableSource):
    """Tables stored as files in a folder.

    Parameters
    ----------
    path:
        The folder. Each table is ``NAME.parquet``, ``NAME.csv`` or a folder ``NAME/``
        of parquet or CSV parts; names are matched case-insensitively.
    backend:
        ``"pandas"`` (default), ``"duckdb"`` (lazy DuckDB relations) or ``"spark"``.
    spark:
        The Spark session (default: the active one) when ``backend="spark"``.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> folder = tempfile.mkdtemp()
    >>> pd.DataFrame({"PHA_CIP_C13": ["3400930000001"], "PHA_ATC_C07": ["A10BA02"],
    ...               "PHA_CND_TOP": ["GC"]}).to_csv(f"{folder}/IR_PHA_R.csv", sep=";", index=False)
    >>> FolderSource(folder).read("IR_PHA_R")["PHA_ATC_C07"].tolist()
    ['A10BA02']
    """

    def __init__(self, path: str | os.PathLike[str], backend: Backend = PANDAS, spark: Any = None):
        self.path = Path(path)
        if not self.path.is_dir():
            raise FileNotFoundError(f"data folder not found: {self.path}")
        if backend not in BACKENDS:
            raise ValueError(
                f"backend must be one of {', '.join(map(repr, BACKENDS))}, not {backend!r}"
            )
        self.backend = backend
        self.spark = spark
        if backend == SPARK and spark is None:
            from pyspark.sql import SparkSession

            self.spark = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
        self.description = f"folder {self.path}"
        self._files = self._scan()
        self._spark_frames: dict[str, Any] = {}
        self._columns: dict[str, list[str]] = {}
        #: the encoding each CSV table was read with (``utf-8``, ``cp1252``, ``latin-1``)
        self.encodings: dict[str, str] = {}

    def __repr__(self) -> str:
        return f"FolderSource({str(self.path)!r}, backend={self.backend!r})"

    def _scan(self) -> dict[str, tuple[Path, str]]:
        files: dict[str, tuple[Path, str]] = {}
        for entry in sorted(self.path.iterdir()):
            if entry.name.startswith((".", "_")):
                continue
            if entry.is_dir():
                kinds = {
                    p.suffix for p in entry.rglob("*") if p.is_file() and p.suffix in _SUFFIXES
                }
                if kinds:
                    files[entry.name.upper()] = (
                        entry,
                        ".parquet" if ".parquet" in kinds else ".csv",
                    )
            elif entry.suffix.lower() in _SUFFIXES:
                files[entry.stem.upper()] = (entry, entry.suffix.lower())
        return files

    def physical_tables(self) -> list[str]:
        return sorted(self._files)

    def _csv_files(self, path: Path) -> list[Path]:
        return sorted(p for p in path.rglob("*.csv")) if path.is_dir() else [path]

    def _parts(self, path: Path, kind: str) -> list[Path]:
        if not path.is_dir():
            return [path]
        return sorted(p for p in path.rglob(f"*{kind}") if p.is_file())

    def _encoding(self, name: str) -> str:
        """The encoding of a CSV table (every part checked; one non-UTF-8 part makes the
        whole table read as cp1252 or latin-1), recorded in :attr:`encodings`."""
        if name not in self.encodings:
            path, _ = self._files[name]
            found = {csv_encoding(p) for p in self._csv_files(path)}
            self.encodings[name] = (
                "utf-8" if found == {"utf-8"} else "latin-1" if "latin-1" in found else "cp1252"
            )
        return self.encodings[name]

    def _part_columns(self, part: Path, kind: str, name: str) -> list[str]:
        if kind == ".parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(part).names)
        with open(part, encoding=self._encoding(name), newline="") as fh:
            header = fh.readline().rstrip("\r\n")
        return [c.strip().strip('"') for c in header.split(_csv_separator(part))]

    def _columns_of(self, name: str) -> list[str]:
        if name in self._columns:
            return self._columns[name]
        path, kind = self._files[name]
        try:
            parts = self._parts(path, kind)
            columns = self._part_columns(parts[0], kind, name)
            first = {c.upper() for c in columns}
            for part in parts[1:]:
                # parts of one table must have the same columns: a part without DPN_QLF
                # would otherwise be read with nulls there, its information lines kept
                other = {c.upper() for c in self._part_columns(part, kind, name)}
                if other != first:
                    lacks, extra = sorted(first - other), sorted(other - first)
                    problem = f"part {part.relative_to(path)} has other columns than part "
                    problem += f"{parts[0].relative_to(path)}"
                    if lacks:
                        problem += f"; it lacks {', '.join(lacks)}"
                    if extra:
                        problem += f"; it adds {', '.join(extra)}"
                    raise ContractError(name, (lacks or extra)[0], problem)
        except ContractError:
            raise
        except (OSError, ValueError, IndexError) as exc:
            raise UnreadableTableError(name, str(path), str(exc)) from exc
        self._columns[name] = columns
        return columns

    def _read_physical(self, name: str, columns: Sequence[str] | None) -> Any:
        path, kind = self._files[name]
        try:
            if self.backend == SPARK:
                # one reader per table: Spark runs a job to read a parquet schema, and
                # an algorithm reads some tables (IR_BEN_R...) several times
                frame = self._spark_frames.get(name)
                if frame is None and kind == ".parquet":
                    frame = self.spark.read.parquet(str(path))
                elif frame is None:
                    sep = _csv_separator(self._csv_files(path)[0])
                    # Spark 4 reads UTF-8 and ISO-8859-1 only: cp1252 is read as latin-1
                    # (they differ on 0x80-0x9F, never in codes)
                    encoding = "UTF-8" if self._encoding(name) == "utf-8" else "ISO-8859-1"
                    # every column read as text, named from the header already read here:
                    # Spark infers nothing and runs no job to find the columns (the
                    # contract then converts each needed column once); enforceSchema
                    # off makes Spark check each part's header against these names
                    from pyspark.sql.types import StringType, StructField, StructType

                    schema = StructType(
                        [StructField(c, StringType()) for c in self._columns_of(name)]
                    )
                    frame = (
                        self.spark.read.option("header", True)
                        .option("sep", sep)
                        .option("encoding", encoding)
                        .option("enforceSchema", False)
                        .schema(schema)
                        .csv(str(path))
                    )
                self._spark_frames[name] = frame
                return frame.select(*columns) if columns is not None else frame
            if self.backend == DUCKDB:
                return self._read_duckdb(path, kind, columns, name)
            if kind == ".parquet":
                import pyarrow.dataset as ds

                from snds_algos.contracts.dtypes import arrow_to_pandas

                table = ds.dataset(path, format="parquet").to_table(
                    columns=list(columns or []) or None
                )
                return arrow_to_pandas(table)
            import pandas as pd

            parts = []
            for file in self._csv_files(path):
                parts.append(
                    pd.read_csv(
                        file,
                        sep=_csv_separator(file),
                        dtype=str,
                        usecols=list(columns) if columns is not None else None,
                        keep_default_na=False,
                        na_values=[""],
                        encoding=self._encoding(name),
                    )
                )
            frame = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
            return frame.astype("string[pyarrow]")
        except (MissingTableError, ContractError):
            raise
        except Exception as exc:  # parquet/CSV/Spark read errors, all named the same way
            if type(exc).__name__ == "AnalysisException" or isinstance(exc, OSError | ValueError):
                raise UnreadableTableError(name, str(path), str(exc).splitlines()[0]) from exc
            raise

    def _csv_arrow(self, path: Path, columns: Sequence[str] | None, name: str) -> Any:
        """A CSV table as an Arrow table of text columns, decoded with its encoding."""
        import pyarrow as pa
        import pyarrow.csv as pcsv

        encoding = self._encoding(name)
        parts = []
        for file in self._csv_files(path):
            header = self._part_columns(file, ".csv", name)
            keep = (
                header
                if columns is None
                else [c for c in header if c.upper() in {x.upper() for x in columns}]
            )
            parts.append(
                pcsv.read_csv(
                    file,
                    read_options=pcsv.ReadOptions(encoding=encoding),
                    parse_options=pcsv.ParseOptions(delimiter=_csv_separator(file)),
                    convert_options=pcsv.ConvertOptions(
                        column_types={c: pa.string() for c in header},
                        include_columns=keep,
                        strings_can_be_null=True,
                        null_values=[""],
                    ),
                )
            )
        return pa.concat_tables(parts) if len(parts) > 1 else parts[0]

    def _read_duckdb(self, path: Path, kind: str, columns: Sequence[str] | None, name: str) -> Any:
        con = duckdb_connection()
        if kind == ".parquet":
            files = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
            frame = con.read_parquet(files, hive_partitioning=False)
        elif self._encoding(name) != "utf-8":
            # DuckDB reads UTF-8 CSV only: a cp1252 / latin-1 export is decoded by Arrow
            # (in memory, text columns only) and handed to DuckDB
            frame = con.from_arrow(self._csv_arrow(path, columns, name))
        else:
            files = [str(p) for p in self._csv_files(path)]
            frame = con.read_csv(
                files if len(files) > 1 else files[0],
                header=True,
                sep=_csv_separator(Path(files[0])),
                all_varchar=True,
            )
        if columns is None:
            return frame
        present = {c.upper(): c for c in frame.columns}
        return frame.project(", ".join(sql_name(present.get(c.upper(), c)) for c in columns))


# --------------------------------------------------------------------------- catalog


class CatalogSource(TableSource):
    """Tables of a Spark catalog database (``spark.table("db.ER_PRS_F")``).

    Only the needed columns are selected; everything stays lazy.

    Examples
    --------
    >>> source = CatalogSource("snds", spark)  # doctest: +SKIP
    >>> source.read("T_MCOaaB", ["ETA_NUM", "RSA_NUM", "DGN_PAL"])  # doctest: +SKIP
    """

    def __init__(self, database: str, spark: Any):
        self.database = database
        self.spark = spark
        self.backend = SPARK
        self.description = f"Spark catalog database {database}"
        try:
            listed = spark.catalog.listTables(database)
        except Exception as exc:
            raise MissingTableError(database, "the Spark catalog") from exc
        self._names = {t.name.upper(): t.name for t in listed}

    def physical_tables(self) -> list[str]:
        return sorted(self._names)

    def _columns_of(self, name: str) -> list[str]:
        return list(self.spark.table(f"{self.database}.{self._names[name]}").columns)

    def _read_physical(self, name: str, columns: Sequence[str] | None) -> Any:
        frame = self.spark.table(f"{self.database}.{self._names[name]}")
        return frame.select(*columns) if columns is not None else frame


# --------------------------------------------------------------------------- frames


class FrameSource(TableSource):
    """Tables given as pandas or Spark DataFrames (all of one backend).

    Keys are table names (``"ER_PRS_F"``, ``"T_MCO19B"``). A logical yearly name such as
    ``"T_MCOaaB"`` is accepted too when the frame already has a ``PMSI_YEAR`` column.

    Examples
    --------
    >>> import pandas as pd
    >>> source = FrameSource({"T_MCO19E": pd.DataFrame({"ETA_NUM": ["600100093"]})})
    >>> source.read("T_MCOaaE")[["ETA_NUM", "PMSI_YEAR"]].to_dict("records")
    [{'ETA_NUM': '600100093', 'PMSI_YEAR': 2019}]
    """

    def __init__(self, frames: Mapping[str, Any]):
        self.frames = {k.upper(): v for k, v in frames.items() if v is not None}
        self.backend = common_backend(self.frames)
        self.description = "the frames given"
        self._stacked = {}
        for name in list(self.frames):
            if re.fullmatch(r"T_(MCO|SSR|HAD|RIP)AA[A-Z]+", name):
                self._stacked[name.replace("AA", "aa", 1)] = self.frames.pop(name)

    def physical_tables(self) -> list[str]:
        return sorted(self.frames)

    def has(self, table: str) -> bool:
        logical, year = logical_name(table)
        if logical in self._stacked and year is None:
            return True
        return super().has(table)

    def _read(
        self, table: str, columns: Sequence[str] | None = None, *, years=None, data_checks=None
    ):  # type: ignore[override]
        logical, year = logical_name(table)
        if logical in self._stacked and year is None:
            frame = self._stacked[logical]
            contract = get_contract(logical)
            wanted = [c for c in (columns if columns is not None else contract.required)]
            wanted = [c for c in wanted if c != YEAR_COLUMN] + [YEAR_COLUMN]
            missing = [c for c in wanted if c not in frame.columns]
            if missing:
                raise ContractError(
                    logical, missing[0], f"required column(s) missing: {', '.join(missing)}"
                )
            frame = _select(frame, wanted, self.backend)
            frame = normalize(frame, logical)
            if years is not None:
                keep = [int(y) for y in years]
                if self.backend == PANDAS:
                    frame = frame[frame[YEAR_COLUMN].isin(keep)].reset_index(drop=True)
                elif self.backend == DUCKDB:
                    frame = frame.filter(f"{YEAR_COLUMN} IN ({', '.join(map(str, keep))})")
                else:
                    frame = frame.filter(frame[YEAR_COLUMN].isin(keep))
            validate(
                frame,
                logical,
                columns=[c for c in wanted if c != YEAR_COLUMN],
                data_checks=data_checks,
            )
            return frame
        return super()._read(table, columns, years=years, data_checks=data_checks)

    def _columns_of(self, name: str) -> list[str]:
        return list(self.frames[name].columns)

    def _read_physical(self, name: str, columns: Sequence[str] | None) -> Any:
        frame = self.frames[name]
        if columns is None:
            return frame
        return _select(frame, columns, self.backend)


def open_source(
    data: TableSource | str | os.PathLike[str] | Mapping[str, Any],
    *,
    backend: Backend | None = None,
    spark: Any = None,
    results: Literal["pandas"] | None = None,
) -> TableSource:
    """Make a table source from a folder path, a ``{name: frame}`` mapping or a source.

    ``backend`` applies to folders (default ``"pandas"``; ``"duckdb"``, ``"spark"``);
    frames keep their own backend, except that pandas frames can be run on DuckDB
    (``backend="duckdb"``: results are then DuckDB relations, ``.df()`` gives pandas).

    ``results="pandas"``: the algorithms of the catalogue (``snds_algos.get(id).run``)
    run on this source return pandas DataFrames, with the dtypes of the pandas backend,
    whatever the backend that computes them. ``open_source(folder, backend="duckdb",
    results="pandas")`` is the fast way to get pandas results in a notebook: DuckDB
    reads only the needed columns and row groups and uses every core, and the rows are
    those of the pandas backend (held to the same parity tests). Functions called
    directly (``snds_algos.events...``) return the backend's frames: pass them to
    :func:`snds_algos.backend.to_pandas`.

    >>> import pandas as pd
    >>> open_source({"IR_BEN_R": pd.DataFrame()}).backend
    'pandas'
    >>> source = open_source({"IR_PHA_R": pd.DataFrame({"PHA_CIP_C13": ["3400930000001"],
    ...     "PHA_ATC_C07": ["A10BA02"], "PHA_CND_TOP": ["GC"]})}, backend="duckdb")
    >>> source.backend, source.read("IR_PHA_R").df()["PHA_ATC_C07"].tolist()
    ('duckdb', ['A10BA02'])
    >>> open_source(source, results="pandas").results
    'pandas'
    """
    if results not in (None, "pandas"):
        raise ValueError(f"results must be None or 'pandas', not {results!r}")
    source = _open(data, backend=backend, spark=spark)
    if results is not None:
        source.results = results
    return source


def _open(data: Any, *, backend: Backend | None, spark: Any) -> TableSource:
    if isinstance(data, TableSource):
        return data
    if isinstance(data, Mapping):
        source = FrameSource(data)
        if backend == DUCKDB and source.backend == PANDAS:
            return FrameSource(
                {name: duckdb_from_pandas(f) for name, f in data.items() if f is not None}
            )
        if backend is not None and backend != source.backend:
            raise ValueError(f"frames are {source.backend} but backend={backend!r} was asked")
        return source
    if isinstance(data, str) and data.startswith("catalog:"):
        if spark is None:
            from pyspark.sql import SparkSession

            spark = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
        return CatalogSource(data.split(":", 1)[1], spark)
    return FolderSource(data, backend=backend or PANDAS, spark=spark)


__all__ = [
    "CatalogSource",
    "FolderSource",
    "FrameSource",
    "TableSource",
    "csv_encoding",
    "open_source",
]
