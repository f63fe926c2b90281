"""The code of a cohort algorithm whose definition is pure data (``definition.yaml``).

An algorithm folder's ``__init__.py`` gets its functions from :func:`cohort_functions`
(see ``snds_algos/algorithms/metformin_new_users_ami/__init__.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from snds_algos.cohorts.build import build_cohort
from snds_algos.cohorts.cohort import Cohort
from snds_algos.cohorts.definition import CohortDefinition, load_cohort_definition


def cohort_functions(package: str) -> tuple[Callable[[], CohortDefinition], Callable[..., Cohort]]:
    """``definition()`` (read once) and ``run(data=None, **kw)`` of the cohort algorithm
    in ``package``; ``run`` takes the arguments of
    :func:`~snds_algos.cohorts.build_cohort` and returns a :class:`Cohort`.

    Examples
    --------
    >>> definition, run = cohort_functions("snds_algos.algorithms.metformin_new_users_ami")
    >>> definition().id
    'metformin_new_users_ami'
    """

    @cache
    def definition() -> CohortDefinition:
        return load_cohort_definition(resources.files(package) / "definition.yaml")

    def run(data: Any = None, **kwargs: Any) -> Cohort:
        return build_cohort(definition(), data, **kwargs)

    definition.__doc__ = f"The cohort definition of {package} (``definition.yaml``)."
    run.__doc__ = (
        f"Build the cohort of {package} from raw tables (``data``) or extracted ``events``; "
        "the keyword arguments are those of :func:`snds_algos.cohorts.build_cohort`."
    )
    return definition, run
