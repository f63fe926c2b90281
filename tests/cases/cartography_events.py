"""Hand-made events for the cartography algorithms' tests (same columns as the diabetes
rule tests: drugs, ALDs, diagnoses, plus MCO stays by GHM and CCAM acts), and a runner
of a built-in algorithm's definition on them."""

from __future__ import annotations

import datetime as dt
from importlib import resources

from snds_algos.cases import identify, load_definition
from tests.cases.test_diabetes_rules import ald, dgn, drug, events
from tests.helpers import rows

__all__ = ["D", "N", "act", "ald", "dgn", "drug", "events", "run_algorithm", "stay"]

D = dt.date
N = 2020


def stay(pid, stay_id, ghm, end, days=0):
    """An MCO stay (category hospital_stay, value = GHM) ending on ``end``."""
    return dict(
        patient_id=pid,
        category="hospital_stay",
        group_id=stay_id,
        value=ghm,
        weight=float(days),
        start=end - dt.timedelta(days=days),
        end=end,
        source="T_MCOaaB",
        large_pack=None,
        position=None,
        level=None,
    )


def act(pid, code, day, stay_id=None):
    """A CCAM act (category medical_act) on ``day``."""
    return dict(
        patient_id=pid,
        category="medical_act",
        group_id=stay_id,
        value=code,
        weight=None,
        start=day,
        end=None,
        source="T_MCOaaA" if stay_id else "ER_CAM_F",
        large_pack=None,
        position=None,
        level=None,
    )


def run_algorithm(algorithm_id, backend, records, year=N, **params):
    """``{patient_id: row}`` of the definition of a built-in algorithm on hand-made events."""
    path = resources.files("snds_algos.algorithms") / algorithm_id / "definition.yaml"
    definition = load_definition(path)
    if params:
        definition = definition.with_parameters(**params)
    out = identify(definition, events(backend, records), year)
    return {r["patient_id"]: r for r in rows(out, ["patient_id"])}
