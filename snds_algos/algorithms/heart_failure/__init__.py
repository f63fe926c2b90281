"""Heart failure (CNAM cartography / Santé publique France style), defined in ``definition.yaml``.

See ``card.yaml`` for the definition in words, its sources and limits.

Examples
--------
>>> sorted(definition().enabled())  # the chronic criteria are off by default
['acute', 'acute_other_dp']
>>> import pandas as pd
>>> from snds_algos.contracts.dtypes import date_series
>>> dgn = pd.DataFrame({"patient_id": ["P1", "P2"], "category": "hospital_diagnosis",
...     "group_id": ["s1", "s2"], "value": ["I509", "I509"], "position": ["DP", "DA"],
...     "level": "stay", "start": date_series(["2020-03-01", "2020-03-01"]),
...     "end": date_series(["2020-03-05", "2020-03-05"])})
>>> run(events=dgn, year=2020)[["patient_id", "acute", "case"]].values.tolist()
[['P1', True, True]]
"""

from __future__ import annotations

from snds_algos.cases.packaged import definition_functions

ALGORITHM_ID = "heart_failure"
definition, extract_events, run = definition_functions(__name__)
