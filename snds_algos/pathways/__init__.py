"""Care pathways: from drug dispensings to fills, exposure periods, coverage runs and
adherence (PDC, MPR), then treatment states and transitions, lines of therapy, sequences
and pictures, written once on narwhals for pandas, DuckDB and Spark; and a whole pathway
study in one call (:func:`run_pathways`).

Semantics and worked examples: the user guide pages *Care pathways* and *Treatment
states*. Every interval is inclusive (``[start, end]``, length ``end - start + 1``).
"""

from snds_algos.pathways.adherence import mpr, pdc
from snds_algos.pathways.definition import PathwayDefinition, load_pathway_definition
from snds_algos.pathways.exposure import coverage_runs, exposure_periods
from snds_algos.pathways.keys import key_mapping
from snds_algos.pathways.lines import lines_of_therapy
from snds_algos.pathways.plots import sankey, timeline
from snds_algos.pathways.sequences import pathway_counts, pathways, state_bins, sts_strings
from snds_algos.pathways.states import treatment_states
from snds_algos.pathways.study import PathwayResult, run_pathways
from snds_algos.pathways.supply import fills
from snds_algos.pathways.transitions import transitions

__all__ = [
    "PathwayDefinition",
    "PathwayResult",
    "coverage_runs",
    "exposure_periods",
    "fills",
    "key_mapping",
    "lines_of_therapy",
    "load_pathway_definition",
    "mpr",
    "pathway_counts",
    "pathways",
    "pdc",
    "run_pathways",
    "sankey",
    "state_bins",
    "sts_strings",
    "timeline",
    "transitions",
    "treatment_states",
]
