"""Synthetic SNDS: realistic tables with planted conditions, defects and ground truth.

>>> from snds_algos.synthetic import generate_tables
>>> tables = generate_tables(100, "2020", seed=1)
>>> "IR_BEN_R" in tables and "_truth_conditions" in tables
True
"""

from snds_algos.synthetic.evaluate import (
    Evaluation,
    PdcError,
    evaluate,
    evaluate_transitions,
    pdc_error,
    treatment_truth,
)
from snds_algos.synthetic.generator import Summary, generate, generate_tables

__all__ = [
    "Evaluation",
    "PdcError",
    "Summary",
    "evaluate",
    "evaluate_transitions",
    "generate",
    "generate_tables",
    "pdc_error",
    "treatment_truth",
]
