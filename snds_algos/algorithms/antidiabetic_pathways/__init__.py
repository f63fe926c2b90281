"""Antidiabetic treatment pathways, defined in ``definition.yaml`` (drug keys in
``codes/antidiabetic_keys.csv``): a pathway algorithm, computed by
:func:`snds_algos.pathways.run_pathways`.

See ``card.yaml`` for the definition in words, its sources and limits.

Examples
--------
>>> definition().keys
['metformin', 'sulfonylurea', 'dpp4', 'glp1', 'sglt2', 'insulin']
>>> import pandas as pd
>>> from snds_algos.contracts.dtypes import date_series
>>> disp = pd.DataFrame({"patient_id": ["P1"] * 2, "category": "drug_dispensing",
...     "value": ["A10BA02", "A10BD07"], "group_id": "A10", "weight": [1.0, 1.0],
...     "cip13": None, "large_pack": False,
...     "start": date_series(["2020-01-01", "2020-03-01"]),
...     "end": date_series([None] * 2), "source": "ER_PHA_F"})
>>> result = run(dispensings=disp, deaths=disp.iloc[:0], data_end="2020-12-31")
>>> result.transitions[["date", "type", "to_state"]].astype(str).values.tolist()
[['2020-01-01', 'initiation', 'metformin'], ['2020-01-31', 'interruption', 'none'], ['2020-03-01', 'switch', 'dpp4+metformin'], ['2020-03-31', 'discontinuation', 'none'], ['2020-12-31', 'end_of_data', '<NA>']]
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from snds_algos.pathways import PathwayDefinition, PathwayResult, load_pathway_definition
from snds_algos.pathways import run_pathways as _run_pathways

ALGORITHM_ID = "antidiabetic_pathways"
FOLDER = Path(__file__).parent


@cache
def definition() -> PathwayDefinition:
    """The pathway definition of ``definition.yaml`` (drug keys, strategy, parameters)."""
    return load_pathway_definition(FOLDER / "definition.yaml")


def run(source: Any = None, **options: Any) -> PathwayResult:
    """Run the antidiabetic pathways on a source (folder, ``{table: frame}`` mapping or
    :class:`~snds_algos.io.TableSource`) or on extracted events (``dispensings=``,
    ``stays=``, ``deaths=``); ``options`` are those of
    :func:`~snds_algos.pathways.run_pathways` (``data_end``, ``follow_up``,
    ``threshold``, ``report``...)."""
    return _run_pathways(source, definition(), **options)
