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
    mapping, unmapped = export.mapping_report(), export.unmapped_codes()
    reports = {
        "mapping_report.csv": mapping,
        "unmapped_codes.csv": unmapped,
        "export_report.csv": export.report.to_pandas(),
    }
    if threshold is not None:
        reports = {
            "mapping_report.csv": suppressed_mapping_report(mapping, threshold),
            "unmapped_codes.csv": suppressed_unmapped_codes(unmapped, threshold),
            "export_report.csv": export.report.suppressed(threshold),
        }
    for filename, table in reports.items():
        path = folder / filename
        write_table(table, path, overwrite=True)
        written.append(path)
    return written


def suppressed_mapping_report(table: Any, threshold: int | None = DEFAULT_THRESHOLD) -> Any:
    """:meth:`~snds_algos.omop.OmopExport.mapping_report` safe to export: ``rows`` and
    ``rows_mapped`` from 1 to ``threshold - 1`` are null, with secondary suppression
    within each row (``rows_mapped`` and the unmapped rows add up to ``rows``: one of them
    masked masks the other), and ``share_mapped`` is null where a part is masked (it
    would give it back from ``rows``).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"table": ["a", "b", "c"], "vocabulary": "v", "rows": [250, 250, 5],
    ...                   "rows_mapped": [247, 100, 5], "share_mapped": [0.988, 0.4, 1.0]})
    >>> out = suppressed_mapping_report(t)
    >>> out["rows"].tolist(), out["rows_mapped"].tolist(), out["share_mapped"].tolist()
    ([250, 250, <NA>], [<NA>, 100, <NA>], [nan, 0.4, nan])
    """
    if threshold is None or not len(table):
        return table
    work = table.reset_index(drop=True).assign(
        _unmapped=table["rows"].to_numpy() - table["rows_mapped"].to_numpy()
    )
    groups = [[(i, "rows_mapped"), (i, "_unmapped")] for i in work.index]
    out = suppress(work, ["rows", "rows_mapped", "_unmapped"], threshold=threshold, groups=groups)
    hidden = out["rows_mapped"].isna() | out["_unmapped"].isna()
    out["share_mapped"] = out["share_mapped"].astype(float).mask(hidden.to_numpy(dtype=bool))
    return out.drop(columns="_unmapped")


def suppressed_unmapped_codes(table: Any, threshold: int | None = DEFAULT_THRESHOLD) -> Any:
    """:meth:`~snds_algos.omop.OmopExport.unmapped_codes` safe to export: ``rows`` from 1
    to ``threshold - 1`` are null, with secondary suppression over the codes of each table
    (their sum, the unmapped rows, follows from the mapping report).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"table": ["a", "a", "a"], "vocabulary": "v",
    ...                   "code": ["X", "Y", "Z"], "rows": [300, 40, 3]})
    >>> suppressed_unmapped_codes(t)["rows"].tolist()
    [300, <NA>, <NA>]
    """
    if threshold is None or not len(table):
        return table
    work = table.reset_index(drop=True)
    groups = [[(i, "rows") for i in part.index] for _, part in work.groupby("table", sort=False)]
    return suppress(work, ["rows"], threshold=threshold, groups=groups)
