"""Care pathways: exposure periods, treatment states and transitions, lines of therapy,
adherence, sequences and pictures (semantics: ``pathways.md``)."""

from __future__ import annotations

# --- treatment states, transitions, lines, sequences and pictures (pw-states) ---
from snds_algos.pathways.lines import lines_of_therapy
from snds_algos.pathways.plots import sankey, timeline
from snds_algos.pathways.sequences import pathway_counts, pathways, state_bins, sts_strings
from snds_algos.pathways.states import treatment_states
from snds_algos.pathways.transitions import transitions

__all__ = [
    # --- pw-states ---
    "lines_of_therapy",
    "pathway_counts",
    "pathways",
    "sankey",
    "state_bins",
    "sts_strings",
    "timeline",
    "transitions",
    "treatment_states",
]
