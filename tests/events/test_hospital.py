"""Hospital diagnoses, MCO acts, stays, episodes: positions, levels, cleaning, ENT_DAT_DEL."""

from conftest import Backend
from snds_algos.events import (
    hospital_diagnoses,
    hospital_stays,
    hospitalisation_episodes,
    medical_acts,
    validate_events,
)
from snds_algos.events.diagnoses import DIAGNOSIS_EXTRAS
from snds_algos.events.schema import EVENT_COLUMNS, event_order
from snds_algos.events.stays import STAY_EXTRAS
from snds_algos.reports import Report
from tests.events.builders import SOLO_ID, D
from tests.events.world import on, world
from tests.helpers import rows

S1 = "MCO:010000001:1:2020"
S4 = "MCO:010000001:4:2020"
S1_2019 = "MCO:010000001:1:2019"


def diag(pid, stay, code, position, level, source, start, end):
    return (pid, stay, code, position, level, source, start, end)


def as_tuples(frame):
    keys = ["patient_id", "group_id", "value", "position", "level", "source", "start", "end"]
    return [tuple(r[k] for k in keys) for r in rows(frame, event_order(DIAGNOSIS_EXTRAS))]


def test_diagnoses_positions_levels_and_counts(backend):
    report = Report()
    out = hospital_diagnoses(on(backend, world()), codes=["E10", "E11", "E14"], report=report)
    validate_events(out, DIAGNOSIS_EXTRAS, data_checks=True)
    mar, jun, sep = (D(2020, 3, 2), D(2020, 3, 5)), (D(2020, 6, 1),) * 2, (D(2019, 9, 1), D(2019, 9, 4))  # fmt: skip
    assert as_tuples(out) == [
        diag("MULTI", S1_2019, "E14", "DP", "stay", "T_MCOaaB", *sep),
        diag("MULTI", S4, "E101", "DR", "stay", "T_MCOaaB", *jun),
        # the D table repeats E119: kept once; stay 2 (mother's NIR shared by her twins)
        # is ambiguous; stay 3 has a GHM in error (90...)
        diag(SOLO_ID, S1, "E119", "DA", "stay", "T_MCOaaD", *mar),
        diag(SOLO_ID, S1, "E119", "DP", "stay", "T_MCOaaB", *mar),
        diag(SOLO_ID, S1, "E119", "DP", "unit", "T_MCOaaUM", *mar),
    ]
    table = report.to_pandas()[["step", "rows_in", "rows_removed"]].values.tolist()
    assert table == [
        ["mco_no_patient_link", 7, 0],
        ["mco_ghm_error", 7, 1],
        ["mco_sej_typ_b", 6, 0],
        ["mco_ghs_9999", 6, 0],
        ["mco_quality_codes", 6, 0],
        ["mco_geographic_finess", 6, 0],
        ["identity:invalid_nir", 6, 0],
        ["identity:not_in_referential", 6, 0],
        # stay 2 has no sex or age to tell the mother's twins apart
        ["identity:ambiguous", 6, 1],
    ]
    notes = report.notes_pandas()[["step", "rows_counted"]].values.tolist()
    assert notes == [["identity:attributed_by_key", 5], ["identity:attributed_by_sex_age", 0]]


def test_diagnoses_selection_of_positions_levels_years():
    backend = Backend("pandas")  # selection logic: parity is covered by the property test
    data = on(backend, world())
    dp_stay = hospital_diagnoses(data, positions=["DP"], levels=["stay"], years=[2020])
    assert [(r[1], r[2]) for r in as_tuples(dp_stay)] == [(S4, "I219"), (S1, "E119")]
    units = hospital_diagnoses(data, levels=["unit"], how="exact", codes=["I10", "K35"])
    assert [(r[2], r[3], r[4]) for r in as_tuples(units)] == [
        ("I10", "DR", "unit"),
        ("K35", "DP", "unit"),
    ]


def test_mco_acts_are_dated_entry_plus_ent_dat_del(backend):
    out = medical_acts(on(backend, world()))
    validate_events(out, data_checks=True)
    got = [(r["patient_id"], r["value"], r["start"], r["group_id"], r["source"]) for r in rows(out, list(EVENT_COLUMNS))]  # fmt: skip
    assert sorted(got, key=str) == sorted(
        [
            (SOLO_ID, "YYYY600", D(2020, 3, 2), S1, "T_MCOaaA"),  # entry + 0
            (SOLO_ID, "DDAF006", D(2020, 3, 4), S1, "T_MCOaaA"),  # entry + 2, duplicate once
            (SOLO_ID, "DEQP003", D(2020, 5, 5), None, "ER_CAM_F"),  # the 2nd is for information
        ],
        key=str,
    )


def test_stays_episodes(backend):
    stays = hospital_stays(on(backend, world()), years=[2020])
    validate_events(stays, STAY_EXTRAS, data_checks=True)
    got = [(r["patient_id"], r["group_id"], r["weight"], r["entry_mode"], r["exit_mode"]) for r in rows(stays, event_order(STAY_EXTRAS))]  # fmt: skip
    assert got == [
        ("MULTI", S4, 0.0, "8", "7"),
        ("MULTI", "MCO:010000001:5:2020", 8.0, "7", "8"),
        ("MULTI", "MCO:010000001:6:2020", 1.0, "8", "9"),
        (SOLO_ID, S1, 3.0, "8", "8"),
    ]
    episodes = hospitalisation_episodes(stays)
    validate_events(episodes, data_checks=True)
    got = [(r["patient_id"], r["value"], r["weight"], r["start"], r["end"]) for r in rows(episodes, event_order())]  # fmt: skip
    assert got == [
        ("MULTI", S4, 2.0, D(2020, 6, 1), D(2020, 6, 10)),  # transfer the next day: chained
        ("MULTI", "MCO:010000001:6:2020", 1.0, D(2020, 7, 1), D(2020, 7, 2)),
        (SOLO_ID, S1, 1.0, D(2020, 3, 2), D(2020, 3, 5)),
    ]
