"""The standard SNDS cleaning rules, each a named, documented, switchable step.

Every rule counts the rows it removes in a :class:`~snds_algos.reports.Report`, on
pandas and on Spark alike.

>>> from snds_algos.cleaning import DCIR_RULES, MCO_RULES
>>> [r.name for r in DCIR_RULES][:2]
['dcir_information_lines', 'dcir_zero_nature']
"""

from snds_algos.cleaning.dcir import DCIR_RULES, clean_dcir
from snds_algos.cleaning.pmsi import MCO_RULES, clean_mco, geographic_finess
from snds_algos.cleaning.regularization import regularize
from snds_algos.cleaning.rules import Rule, select_rules

__all__ = [
    "DCIR_RULES",
    "MCO_RULES",
    "Rule",
    "clean_dcir",
    "clean_mco",
    "geographic_finess",
    "regularize",
    "select_rules",
]
