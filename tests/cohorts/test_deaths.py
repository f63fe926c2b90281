"""Deaths end observation by the library's death priority: IR_BEN_R, then the CépiDc
certificate (KI_CCI_R), then an MCO discharge by death; on every backend."""

from __future__ import annotations

import datetime as dt

from snds_algos.cohorts.extract import extract_cohort_events, patients_with_deaths
from tests.cohorts.builders import build, definition, events
from tests.cohorts.builders import rows as cohort_rows
from tests.events.test_deaths import cepidc_world
from tests.events.world import on, world
from tests.helpers import rows

D = dt.date


def deaths_of(backend, tables) -> dict[str, dt.date]:
    frame = backend.collect(patients_with_deaths(on(backend, tables)))
    return {r["patient_id"]: r["death_date"] for r in rows(frame, ["patient_id"])}


def test_a_death_the_referential_lacks_comes_from_the_certificate(backend):
    died = {p: d for p, d in deaths_of(backend, cepidc_world()).items() if d is not None}
    # MULTI: IR_BEN_R's date first (its certificate and its MCO discharge by death are
    # other dates); TWIN_A and MOTHER: alive in IR_BEN_R, dated by their certificate
    assert died == {"MULTI": D(2020, 8, 9), "TWIN_A": D(2021, 1, 15), "MOTHER": D(2021, 2, 2)}
    # without KI_CCI_R the MCO discharge by death does not move the referential's date
    assert {p: d for p, d in deaths_of(backend, world()).items() if d is not None} == {
        "MULTI": D(2020, 8, 9)
    }


def test_the_certificate_death_is_the_exit(backend):
    pts = backend.collect(patients_with_deaths(on(backend, cepidc_world())))
    ev = events(("TWIN_A", "A10BA02", "2020-06-01"), ("MOTHER", "A10BA02", "2020-06-01"))
    spec = definition(
        entry={"any": ["metformin"], "first_ever": True}, exit={"max_follow_up_days": 3650}
    )
    got = cohort_rows(
        backend, build(backend, spec, ev, pts, data_start="2019-01-01", data_end="2021-12-31")
    )
    assert got == [
        ("MOTHER", D(2020, 6, 1), D(2021, 2, 2), "death", 247),
        ("TWIN_A", D(2020, 6, 1), D(2021, 1, 15), "death", 229),
    ]


def test_the_cohort_extraction_reads_deaths_by_the_priority():
    spec = definition(entry={"any": ["metformin"]})
    out = extract_cohort_events(spec, cepidc_world())
    died = out["patients"].dropna(subset=["death_date"])
    assert dict(zip(died["patient_id"], died["death_date"], strict=True)) == {
        "MULTI": D(2020, 8, 9),
        "TWIN_A": D(2021, 1, 15),
        "MOTHER": D(2021, 2, 2),
    }
