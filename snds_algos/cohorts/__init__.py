"""Cohorts: declarative study designs built on events, on pandas, DuckDB and Spark.

A cohort definition (YAML or Python objects, in the case-definition criteria
vocabulary) gives the entry events, inclusion rules, exits and eras;
:func:`build_cohort` returns a :class:`Cohort` with ``rows`` (index, exit and exit
reason per person and period), ``attrition`` (persons and records at each step, adding
up) and ``rule_stats``. Cohorts combine with ``&``, ``-``, ``|`` and
``intersect_time``. Semantics: ``docs/user_guide/cohorts.md``.
"""

from snds_algos.cohorts.build import build_cohort
from snds_algos.cohorts.cohort import ROW_COLUMNS, Cohort
from snds_algos.cohorts.definition import (
    CaseCriterion,
    CohortDefinition,
    Entry,
    Exit,
    Rule,
    Study,
    definition_from_dict,
    load_cohort_definition,
)
from snds_algos.cohorts.exit import EXIT_ORDER

__all__ = [
    "EXIT_ORDER",
    "ROW_COLUMNS",
    "CaseCriterion",
    "Cohort",
    "CohortDefinition",
    "Entry",
    "Exit",
    "Rule",
    "Study",
    "build_cohort",
    "definition_from_dict",
    "load_cohort_definition",
]
