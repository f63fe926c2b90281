"""Acute coronary syndrome (CNAM cartography style), defined in ``definition.yaml``.

See ``card.yaml`` for the definition in words, its sources and limits.

Examples
--------
>>> sorted(definition().enabled())
['hospital']
>>> import pandas as pd
>>> from snds_algos.contracts.dtypes import date_series
>>> dgn = pd.DataFrame({"patient_id": ["P1", "P2"], "category": "hospital_diagnosis",
...     "group_id": ["s1", "s2"], "value": ["I214", "I214"], "position": ["DP", "DA"],
...     "level": "stay", "start": date_series(["2020-03-01", "2020-03-01"]),
...     "end": date_series(["2020-03-05", "2020-03-05"])})
>>> run(events=dgn, year=2020)[["patient_id", "hospital", "case"]].values.tolist()
[['P1', True, True]]
"""

from __future__ import annotations

from snds_algos.cases.packaged import definition_functions

ALGORITHM_ID = "acute_coronary_syndrome"
definition, extract_events, run = definition_functions(__name__)
