"""Hand-made events for the cartography algorithms' tests (same columns as the diabetes
rule tests: drugs, ALDs, diagnoses, plus MCO stays by GHM and CCAM acts), and a runner
of a built-in algorithm's definition on them."""

from __future__ import annotations

import datetime as dt
from importlib import resources

from snds_algos.cases import identify, load_definition
from tests.cases.test_diabetes_rules import ald, dgn, drug, events
from tests.helpers import rows

__all__ = [
    "D",
    "N",
    "act",
    "ald",
    "ald_boundaries",
    "dgn",
    "drug",
    "drug_boundaries",
    "events",
    "lookback_boundaries",
    "run_algorithm",
    "stay",
]

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


# Boundary sets shared by the cartography tests: records and the persons expected to meet
# the criterion (the common criterion shapes of the drafts, with each algorithm's codes).


def ald_boundaries(code, other_code, nature="41"):
    """ALD active in year N: open-ended, ends 1 Jan N, starts 31 Dec N count; ended
    31 Dec N-1, starts 1 Jan N+1, nature 11, another code do not."""
    records = [
        ald("ALD_OPEN", code, nature, D(2010, 1, 1)),
        ald("ALD_ENDS_JAN1", code, "43", D(2015, 1, 1), D(N, 1, 1)),
        ald("ALD_STARTS_DEC31", code, "45", D(N, 12, 31)),
        ald("ALD_ENDED", code, nature, D(2015, 1, 1), D(N - 1, 12, 31)),
        ald("ALD_FUTURE", code, nature, D(N + 1, 1, 1)),
        ald("ALD_NATURE_11", code, "11", D(2015, 1, 1)),
        ald("ALD_OTHER_CODE", other_code, nature, D(2015, 1, 1)),
    ]
    return records, {"ALD_OPEN", "ALD_ENDS_JAN1", "ALD_STARTS_DEC31"}


def lookback_boundaries(code, other_code, first=-4):
    """Principal or related diagnosis, stay or unit, of stays ending in N+first .. N:
    DP stay 31 Dec N and DR unit 1 Jan N+first count; 31 Dec N+first-1, 1 Jan N+1, an
    associated diagnosis, another code do not."""
    records = [
        dgn("HOSP_DP_N", "h1", code, "DP", D(N, 12, 31)),
        dgn("HOSP_DR_UNIT_FIRST", "h2", code, "DR", D(N + first, 1, 1), level="unit"),
        dgn("HOSP_TOO_OLD", "h3", code, "DP", D(N + first - 1, 12, 31)),
        dgn("HOSP_NEXT_YEAR", "h4", code, "DP", D(N + 1, 1, 1)),
        dgn("HOSP_DA", "h5", code, "DA", D(N, 6, 1)),
        dgn("HOSP_OTHER_CODE", "h6", other_code, "DP", D(N, 6, 1)),
    ]
    return records, {"HOSP_DP_N", "HOSP_DR_UNIT_FIRST"}


def drug_boundaries(atc, other_atc):
    """>= 3 distinct dates in N, or 2 with a large pack, count; 2 dates, 3 dispensings
    on one day, 3 dates in N-1, another ATC do not."""
    records = [
        *[drug("DRUG_3", D(N, m, 1), atc) for m in (1, 6, 12)],
        drug("DRUG_2_GC", D(N, 1, 1), atc, large=True),
        drug("DRUG_2_GC", D(N, 12, 31), atc),
        *[drug("DRUG_2", D(N, m, 1), atc) for m in (1, 6)],
        *[drug("DRUG_SAME_DAY", D(N, 3, 1), atc) for _ in range(3)],
        *[drug("DRUG_PREV_YEAR", D(N - 1, m, 1), atc) for m in (1, 6, 12)],
        *[drug("DRUG_OTHER", D(N, m, 1), other_atc) for m in (1, 6, 12)],
    ]
    return records, {"DRUG_3", "DRUG_2_GC"}
