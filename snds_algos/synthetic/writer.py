"""Writing generated tables: one ``TABLE.parquet`` per table (a row group per chunk), or a
raw-export-like ``TABLE.csv`` (``;`` separator, SNDS date formats); truth tables and the
manifest beside them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from snds_algos.contracts.model import get_contract
from snds_algos.contracts.normalize import DATE_FORMATS

FORMATS = ("parquet", "csv")


def csv_ready(name: str, table: pa.Table) -> pa.Table:
    """Dates as SNDS raw strings: the contract's ``raw_format`` (SAS datetimes upper-cased)
    or ISO; other columns unchanged.

    Examples
    --------
    >>> import datetime as dt
    >>> t = pa.table({"EXE_SOI_DTD": pa.array([dt.date(2019, 3, 15)])})
    >>> csv_ready("T_MCO19C", t)["EXE_SOI_DTD"].to_pylist()
    ['15MAR2019:00:00:00']
    """
    if name.startswith(("_", "CT_")):  # truth; cartography tables (ISO dates, no contract)
        return table
    contract = get_contract(name)
    cols = []
    for field in table.schema:
        col = table[field.name]
        spec = contract.get(field.name)
        if spec is not None and spec.type == "date":
            fmt = spec.raw_format if spec.raw_format in DATE_FORMATS else "%Y-%m-%d"
            text = pc.strftime(col.cast(pa.timestamp("s")), format=fmt)
            col = pc.utf8_upper(text) if "%b" in fmt else text
        cols.append(col)
    return pa.table(cols, names=table.column_names)


class TableWriter:
    """Appends chunks of tables to files in ``out`` (format ``parquet`` or ``csv``)."""

    def __init__(self, out: str | Path, fmt: str = "parquet") -> None:
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.fmt = fmt
        self._writers: dict[str, Any] = {}
        self.rows: dict[str, int] = {}

    def write(self, name: str, table: pa.Table) -> None:
        """Append ``table`` to the file of ``name`` (truth tables always go to parquet)."""
        self.rows[name] = self.rows.get(name, 0) + table.num_rows
        as_csv = self.fmt == "csv" and not name.startswith("_")
        if as_csv:
            table = csv_ready(name, table)
        writer = self._writers.get(name)
        if writer is None:
            if as_csv:
                options = pcsv.WriteOptions(delimiter=";", quoting_style="needed")
                writer = pcsv.CSVWriter(
                    self.out / f"{name}.csv", table.schema, write_options=options
                )
            else:
                writer = pq.ParquetWriter(
                    self.out / f"{name}.parquet", table.schema, compression="snappy"
                )
            self._writers[name] = writer
        writer.write_table(table)

    def close(self, manifest: dict[str, Any] | None = None) -> None:
        """Close every file; write ``_manifest.json``."""
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        if manifest is not None:
            (self.out / "_manifest.json").write_text(
                json.dumps(manifest, indent=2, default=str) + "\n"
            )
