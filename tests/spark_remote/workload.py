"""The end-to-end workload run on a Spark cluster and through Spark Connect: one result
per algorithm family (events, case identification), each compared with pandas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import snds_algos
from snds_algos import events as ev

YEAR = 2020

#: name -> (source -> result frame)
WORKLOAD: dict[str, Callable[[Any], Any]] = {
    "drugs": lambda s: ev.drug_dispensings(s, atc=["A10", "C10"]),
    "diagnoses": lambda s: ev.hospital_diagnoses(s),
    "stays": lambda s: ev.hospital_stays(s),
    "ald": lambda s: ev.long_term_illnesses(s),
    "deaths": lambda s: ev.deaths(s),
    "diabetes": lambda s: snds_algos.get("diabetes").run(s, year=YEAR),
}
