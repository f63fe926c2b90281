"""Write an OMOP export as files: one parquet (or CSV) per CDM table, and its reports.

A small private writer: each file is written under a temporary name in the output
folder, then renamed, so that a failed run leaves no half-written table.
(``snds_algos.io.output`` is being written as the shared writer; this one will use it.)
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any, Literal

from snds_algos.backend import DUCKDB, PANDAS, SPARK, backend_of
from snds_algos.disclosure import DEFAULT_THRESHOLD, suppress

Format = Literal["parquet", "csv"]


def _write_frame(frame: Any, path: Path, fmt: Format) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    backend = backend_of(frame)
    if backend == PANDAS:
        if fmt == "csv":
            frame.to_csv(tmp, index=False)
        else:
            frame.to_parquet(tmp, index=False)
    elif backend == DUCKDB:
        if fmt == "csv":
            frame.write_csv(str(tmp), header=True)
        else:
            frame.write_parquet(str(tmp))
    elif backend == SPARK:
        writer = frame.write.mode("overwrite")
        if fmt == "csv":
            writer.option("header", True).csv(str(tmp))
        else:
            writer.parquet(str(tmp))
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    os.replace(tmp, path)


def write_export(
    export: Any,
    out: str | os.PathLike[str],
    *,
    format: Format = "parquet",
    overwrite: bool = False,
    threshold: int | None = DEFAULT_THRESHOLD,
) -> list[Path]:
    """Write the tables of an :class:`~snds_algos.omop.OmopExport` to folder ``out``.

    One file per CDM table (``person.parquet``...; a folder of parts on Spark), plus
    ``mapping_report.csv`` (share of rows mapped per table and vocabulary),
    ``unmapped_codes.csv`` (source codes without a standard concept) and
    ``export_report.csv`` (rows left out, step by step). These three leave the
    platform: their counts from 1 to ``threshold - 1`` are masked
    (:mod:`snds_algos.disclosure`; ``threshold=None`` keeps them). A non-empty ``out`` is
    refused unless ``overwrite``. Returns the paths written.

    Examples
    --------
    >>> import datetime as dt, tempfile, pandas as pd
    >>> from snds_algos.omop import export_omop
    >>> ben = pd.DataFrame({"BEN_NIR_PSA": ["A" * 17], "BEN_RNG_GEM": ["1"],
    ...     "BEN_IDT_ANO": ["P1"], "BEN_SEX_COD": ["2"], "BEN_NAI_ANN": [1950],
    ...     "BEN_NAI_MOI": [7], "BEN_DCD_DTE": ["2021-03-04"], "BEN_RES_DPT": ["075"]})
    >>> paths = write_export(export_omop({"IR_BEN_R": ben}), tempfile.mkdtemp())
    >>> sorted(p.name for p in paths)[:3]
    ['cdm_source.parquet', 'condition_era.parquet', 'condition_occurrence.parquet']
    """
    if format not in ("parquet", "csv"):
        raise ValueError(f"format must be 'parquet' or 'csv', not {format!r}")
    folder = Path(out)
    if folder.exists() and any(folder.iterdir()) and not overwrite:
        raise FileExistsError(f"output folder {folder} is not empty (use overwrite=True)")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in export.tables.items():
        path = folder / f"{name}.{format}"
        _write_frame(frame, path, format)
        written.append(path)
    reports = {
        "mapping_report.csv": (export.mapping_report(), ["rows", "rows_mapped"]),
        "unmapped_codes.csv": (export.unmapped_codes(), ["rows"]),
        "export_report.csv": (export.report.to_pandas(), ["rows_in", "rows_removed", "rows_out"]),
    }
    for filename, (table, counts) in reports.items():
        if threshold is not None and len(table):
            table = suppress(table, counts, threshold=threshold)
        path = folder / filename
        _write_frame(table, path, "csv")
        written.append(path)
    return written
