"""Write an OMOP export as files: one parquet (or CSV) per CDM table, and its reports.

Every file goes through the shared writer :mod:`snds_algos.io.output`: written under a
temporary name in the output folder, then renamed, so that a failed run leaves no
half-written table; a non-empty output folder is refused unless ``overwrite``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from snds_algos.disclosure import DEFAULT_THRESHOLD, suppress
from snds_algos.io.output import prepare_output_dir, write_table

Format = Literal["parquet", "csv"]


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
    refused unless ``overwrite``
    (:class:`~snds_algos.errors.OutputExistsError`, a ``FileExistsError``). Returns the
    paths written.

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
    folder.parent.mkdir(parents=True, exist_ok=True)  # missing parent folders are made
    prepare_output_dir(folder, overwrite=overwrite)  # a non-empty folder needs overwrite
    written = []
    for name, frame in export.tables.items():
        path = folder / f"{name}.{format}"
        write_table(frame, path, overwrite=True)
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
        write_table(table, path, overwrite=True)
        written.append(path)
    return written
