"""Charlson comorbidity index (Quan 2005 ICD-10 categories; Charlson 1987 or Quan 2011
weights), a score algorithm: code lists, weights, hierarchy and age bands are data files
of this folder (``codes/charlson_quan2005_icd10.csv``, ``weights.csv``,
``age_points.csv``); the computation is :func:`snds_algos.scores.comorbidity_index`.

Examples
--------
>>> import pandas as pd
>>> from snds_algos.contracts.dtypes import date_series
>>> rows = pd.DataFrame({"patient_id": ["P1"], "index_date": date_series(["2019-06-30"])})
>>> dx = pd.DataFrame({"patient_id": ["P1", "P1"], "value": ["I219", "C780"],
...                    "start": date_series(["2019-01-10", "2019-06-30"]),
...                    "source": ["T_MCOaaB", "T_MCOaaD"]})
>>> run(rows, diagnoses=dx)[["mi", "metacanc", "score"]].values.tolist()
[[True, True, 7]]
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from snds_algos.scores.charlson import MCO_SOURCES, comorbidity_index
from snds_algos.windows import BASELINE_WINDOW, Window

ALGORITHM_ID = "charlson"
FOLDER = Path(__file__).parent
#: weight columns of ``weights.csv``
WEIGHTS = ("charlson_1987", "quan_2011")


@cache
def _table(name: str) -> pd.DataFrame:
    return pd.read_csv(FOLDER / name, dtype=str, keep_default_na=False, encoding="utf-8")


def categories() -> pd.DataFrame:
    """The Quan 2005 ICD-10 code prefixes of each category (``code, label, category``).

    Examples
    --------
    >>> sorted(categories().loc[lambda t: t["category"] == "metacanc", "code"])
    ['C77', 'C78', 'C79', 'C80']
    """
    return _table("codes/charlson_quan2005_icd10.csv").copy()


def weights() -> pd.DataFrame:
    """Weights per category (``charlson_1987``, ``quan_2011``) and the hierarchy
    (``overridden_by``).

    Examples
    --------
    >>> row = weights().set_index("category").loc["metacanc"]
    >>> int(row["charlson_1987"]), int(row["quan_2011"]), row["overridden_by"]
    (6, 6, '')
    """
    table = _table("weights.csv").copy()
    for column in WEIGHTS:
        table[column] = table[column].astype(int)
    return table


def age_points() -> pd.DataFrame:
    """Age bands and their points (``min_age, max_age, points``; 80 and over: no max).

    Examples
    --------
    >>> age_points()["points"].tolist()
    ['1', '2', '3', '4']
    """
    return _table("age_points.csv").copy()


def run(
    cohort: Any,
    *,
    diagnoses: Any = None,
    ald: Any = None,
    patients: Any = None,
    window: Window = BASELINE_WINDOW,
    weights_version: str = "charlson_1987",
    hierarchy: bool = True,
    mco_only: bool = True,
) -> Any:
    """The Charlson comorbidity index of each cohort row (see the card).

    Returns ``patient_id, index_date``, the 17 category flags (``mi`` ... ``aids``, before
    the hierarchy), ``score``, ``age``, ``age_points`` and ``score_age_adjusted``, on the
    backend of the inputs.

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> rows = pd.DataFrame({"patient_id": ["P1"], "index_date": date_series(["2019-06-30"])})
    >>> ald = pd.DataFrame({"patient_id": ["P1"], "value": ["E112"],
    ...                     "start": date_series(["2010-01-01"]), "end": date_series([None])})
    >>> run(rows, ald=ald, weights_version="quan_2011")["score"].tolist()
    [1]
    """
    if weights_version not in WEIGHTS:
        raise ValueError(
            f"charlson: weights_version must be one of {', '.join(WEIGHTS)}, not {weights_version!r}"
        )
    return comorbidity_index(
        cohort,
        categories=categories(),
        weights=weights(),
        weight_column=weights_version,
        diagnoses=diagnoses,
        ald=ald,
        patients=patients,
        age_points=age_points(),
        window=window,
        hierarchy=hierarchy,
        sources=MCO_SOURCES if mco_only else None,
    )
