"""The code of an algorithm whose definition is pure data.

An algorithm folder with a ``definition.yaml`` needs no code of its own: its
``__init__.py`` gets the three functions the registry and users call from
:func:`definition_functions`::

    from snds_algos.cases.packaged import definition_functions

    ALGORITHM_ID = "stroke"
    definition, extract_events, run = definition_functions(__name__)
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from snds_algos.cases.definition import Definition, load_definition
from snds_algos.cases.extract import extract_for, run_definition
from snds_algos.reports import Report


def definition_functions(
    package: str,
) -> tuple[Callable[[], Definition], Callable[..., dict[str, Any]], Callable[..., Any]]:
    """``definition``, ``extract_events`` and ``run`` of the algorithm in ``package``.

    * ``definition()``: the definition of ``package/definition.yaml`` with its default
      parameters (read once);
    * ``extract_events(data, year, *, report=None, disambiguate=True)``: the events it
      reads, extracted from raw tables for reference year N
      (:func:`~snds_algos.cases.extract.extract_for`);
    * ``run(data=None, year=None, *, events=None, population=None, report=None,
      disambiguate=True, **params)``:
      one row per person, flags and dates per criterion and ``case``, on the backend of
      the input (:func:`~snds_algos.cases.extract.run_definition`).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> definition, extract_events, run = definition_functions("snds_algos.algorithms.diabetes")
    >>> definition().id
    'diabetes'
    >>> ald = pd.DataFrame({"patient_id": ["P1"], "category": ["ald"], "group_id": ["41"],
    ...                     "value": ["E11"], "start": date_series(["2010-05-01"]),
    ...                     "end": date_series([None])})
    >>> run(events=ald, year=2020)[["patient_id", "ald", "case"]].values.tolist()
    [['P1', True, True]]
    """

    @cache
    def definition() -> Definition:
        return load_definition(resources.files(package) / "definition.yaml")

    def extract_events(
        data: Any, year: int, *, report: Report | None = None, disambiguate: bool = True
    ) -> dict[str, Any]:
        return extract_for(definition(), data, year, report=report, disambiguate=disambiguate)

    def run(
        data: Any = None,
        year: int | None = None,
        *,
        events: Any = None,
        population: Any = None,
        report: Report | None = None,
        disambiguate: bool = True,
        **params: Any,
    ) -> Any:
        return run_definition(
            definition(),
            extract_events,
            data,
            year,
            events=events,
            population=population,
            report=report,
            disambiguate=disambiguate,
            **params,
        )

    definition.__doc__ = f"The definition of {package} (``definition.yaml``), default parameters."
    extract_events.__doc__ = (
        f"The events {package} reads, extracted from raw tables for reference year N "
        "(see :func:`snds_algos.cases.extract.extract_for`)."
    )
    run.__doc__ = (
        f"Run {package} for reference year ``year`` on raw tables (``data``: a table "
        "source, a folder or a mapping of frames) or precomputed ``events``; ``population`` "
        "gives every person a row (``True``: every person of IR_BEN_R); ``report`` receives "
        "the cleaning and attribution counts; ``disambiguate=False`` removes PMSI stays on a "
        "shared NIR instead of attributing them by sex and age; ``params`` are the card's "
        "parameters. Returns "
        "one row per person on the backend of the input (see the card and "
        ":func:`snds_algos.cases.extract.run_definition`)."
    )
    return definition, extract_events, run
