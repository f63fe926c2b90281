"""Metformin new users with type 2 diabetes, outcome acute myocardial infarction: a cohort
defined in ``definition.yaml`` (see ``card.yaml``).

Examples
--------
>>> definition().entry.first_ever
True
>>> from snds_algos.synthetic import generate_tables
>>> cohort = run(generate_tables(500, "2019-2020", 1))
>>> list(cohort.attrition["reason"])[:3]
['population', 'entry events: metformin', 'first ever']
"""

from __future__ import annotations

from snds_algos.cohorts.packaged import cohort_functions

ALGORITHM_ID = "metformin_new_users_ami"
definition, run = cohort_functions(__name__)
