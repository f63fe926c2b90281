"""Reading a study's SNDS tables: folders of parquet or CSV files, a Spark catalog, or
frames in memory. Only the tables and columns a computation needs are read.

Writing outputs (never overwritten without being asked, never half-written):
:mod:`snds_algos.io.output`.
"""

from snds_algos.io.source import (
    CatalogSource,
    FolderSource,
    FrameSource,
    TableSource,
    open_source,
)

__all__ = ["CatalogSource", "FolderSource", "FrameSource", "TableSource", "open_source"]
