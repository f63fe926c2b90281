"""ALD, biology, visits, deaths and patients."""

import pandas as pd

from snds_algos.events import (
    biology_acts,
    deaths,
    long_term_illnesses,
    patients,
    validate_events,
    visits,
)
from snds_algos.events.ald import ALD_EXTRAS
from snds_algos.events.deaths import DEATH_EXTRAS
from snds_algos.events.schema import event_order
from snds_algos.reports import Report
from tests.events.builders import SOLO_ID, D
from tests.events.world import on, world
from tests.helpers import rows


def test_ald_open_ended_sentinels_natures_and_counts(backend):
    report = Report()
    out = long_term_illnesses(
        on(backend, world()), codes="diabetes_icd10", natures=["41", "43", "45"], report=report
    )
    validate_events(out, ALD_EXTRAS, data_checks=True)
    got = [(r["patient_id"], r["value"], r["group_id"], r["start"], r["end"], r["exemption_nature"]) for r in rows(out, event_order(ALD_EXTRAS))]  # fmt: skip
    assert got == [
        ("MULTI", "E10", "43", D(2010, 5, 1), None, "43"),  # missing end: open-ended
        (SOLO_ID, "E11", "41", D(2015, 1, 1), None, "41"),  # 1600-01-01: open-ended
        (SOLO_ID, "E112", "41", D(2016, 1, 1), None, "41"),  # 2099-12-31: open-ended
    ]  # the mother's E11 has nature 11; SOLO's 1600 start cannot be dated
    assert report.to_pandas()[["step", "rows_in", "rows_removed"]].values.tolist() == [
        ["ald:no_start", 5, 1],
        ["identity:invalid_nir", 4, 0],
        ["identity:not_in_referential", 4, 1],
        ["identity:ambiguous", 3, 0],
    ]
    twin = rows(long_term_illnesses(on(backend, world()), codes=["C50"]))
    assert [(r["patient_id"], r["end"]) for r in twin] == [("TWIN_A", D(2022, 12, 31))]


def test_biology_and_visits_are_regularised(backend):
    data = on(backend, world())
    bio = biology_acts(data)
    validate_events(bio, data_checks=True)
    got = [(r["patient_id"], r["value"], r["weight"]) for r in rows(bio, event_order())]
    assert got == [("MULTI", "0552", 1.0), ("MULTI", "1577", 2.0)]  # SOLO's +1 -1 cancel
    gp = visits(data, natures=["1111"], specialties=["1"])
    validate_events(gp, data_checks=True)
    got = [(r["patient_id"], r["value"], r["group_id"], r["weight"], r["start"]) for r in rows(gp, event_order())]  # fmt: skip
    assert got == [
        ("MULTI", "1111", "1", 1.0, D(2020, 5, 6)),  # 2 - 1 over the person's two NIRs
        (SOLO_ID, "1111", "1", 1.0, D(2020, 5, 5)),  # the 05-07 line is for information
    ]


def test_deaths_follow_the_source_priority(backend):
    data = on(backend, world())
    default = deaths(data)  # no KI_CCI_R in this world: skipped
    validate_events(default, DEATH_EXTRAS, data_checks=True)
    assert [(r["patient_id"], r["start"], r["source"]) for r in rows(default)] == [
        ("MULTI", D(2020, 8, 9), "IR_BEN_R")
    ]
    pmsi_first = deaths(data, sources=["T_MCOaaB", "IR_BEN_R"])
    assert [(r["patient_id"], r["start"], r["source"]) for r in rows(pmsi_first)] == [
        ("MULTI", D(2020, 7, 2), "T_MCOaaB")
    ]
    both = deaths(data, all_sources=True)
    assert sorted(r["source"] for r in rows(both)) == ["IR_BEN_R", "T_MCOaaB"]


def test_patients_one_row_per_person(backend):
    out = patients(on(backend, {"IR_BEN_R": world()["IR_BEN_R"]}))
    got = rows(out, ["patient_id"])
    assert got == [
        {"patient_id": "MOTHER", "sex": "2", "birth_date": D(1980, 3, 1), "death_date": None, "department": "075"},
        {"patient_id": "MULTI", "sex": "1", "birth_date": D(1950, 11, 1), "death_date": D(2020, 8, 9), "department": "013"},
        {"patient_id": SOLO_ID, "sex": None, "birth_date": None, "death_date": None, "department": "069"},
        {"patient_id": "TWIN_A", "sex": "1", "birth_date": D(2010, 6, 1), "death_date": None, "department": "075"},
        {"patient_id": "TWIN_B", "sex": "2", "birth_date": D(2010, 6, 1), "death_date": None, "department": "075"},
    ]  # fmt: skip
    if backend.name == "pandas":
        assert list(out["patient_id"]) == sorted(out["patient_id"])
        assert out["birth_date"].dtype == pd.ArrowDtype(__import__("pyarrow").date32())
