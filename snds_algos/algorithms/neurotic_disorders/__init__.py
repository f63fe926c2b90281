"""Neurotic, stress-related and somatoform disorders, CNAM cartography style - DRAFT (codes to verify against the CNAM method), defined in
``definition.yaml``. See ``card.yaml`` for the definition in words, its sources and limits.

Examples
--------
>>> sorted(definition().enabled())
['ald', 'hospital']
>>> import pandas as pd
>>> from snds_algos.contracts.dtypes import date_series
>>> ald = pd.DataFrame({"patient_id": ["P1"], "category": ["ald"], "group_id": ["41"],
...                     "value": ["F409"], "start": date_series(["2010-05-01"]),
...                     "end": date_series([None])})
>>> run(events=ald, year=2020)[["patient_id", "ald", "case"]].values.tolist()
[['P1', True, True]]
"""

from __future__ import annotations

from snds_algos.cases.packaged import definition_functions

ALGORITHM_ID = "neurotic_disorders"
definition, extract_events, run = definition_functions(__name__)
