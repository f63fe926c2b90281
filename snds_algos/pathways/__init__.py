"""Care pathways: from drug dispensings to fills, exposure periods, coverage runs and
adherence (PDC, MPR), written once on narwhals for pandas, DuckDB and Spark.

Semantics and worked examples: the user guide page *Care pathways*. Every interval is
inclusive (``[start, end]``, length ``end - start + 1``).
"""

from snds_algos.pathways.adherence import mpr, pdc
from snds_algos.pathways.definition import PathwayDefinition, load_pathway_definition
from snds_algos.pathways.exposure import coverage_runs, exposure_periods
from snds_algos.pathways.keys import key_mapping
from snds_algos.pathways.supply import fills

__all__ = [
    "PathwayDefinition",
    "coverage_runs",
    "exposure_periods",
    "fills",
    "key_mapping",
    "load_pathway_definition",
    "mpr",
    "pdc",
]
