"""Prostate cancer under surveillance, CNAM cartography style - DRAFT (codes to verify against the CNAM method), defined in
``definition.yaml``. See ``card.yaml`` for the definition in words, its sources and limits.

Examples
--------
>>> sorted(definition().enabled())
['ald', 'ald_ongoing', 'hospital', 'hospital_past', 'treatment', 'treatment_past']
>>> import pandas as pd
>>> from snds_algos.contracts.dtypes import date_series
>>> ald = pd.DataFrame({"patient_id": ["P1"], "category": ["ald"], "group_id": ["41"],
...                     "value": ["C61"], "start": date_series(["2015-05-01"]),
...                     "end": date_series([None])})
>>> run(events=ald, year=2020)[["patient_id", "ald", "ald_ongoing", "case"]].values.tolist()
[['P1', False, True, True]]
"""

from __future__ import annotations

from snds_algos.cases.packaged import definition_functions

ALGORITHM_ID = "prostate_cancer_surveillance"
definition, extract_events, run = definition_functions(__name__)
