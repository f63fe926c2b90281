"""Diabetes from raw tables, on both backends: regularisations, information lines,
children on a parent's NIR, a person with several BEN_NIR_PSA, unit-level diagnoses."""

import datetime as dt

import pandas as pd

import snds_algos
from snds_algos.contracts.dtypes import date_series
from snds_algos.reports import Report
from tests.events.builders import (
    MOTHER_NIR,
    MULTI_NIR_1,
    MULTI_NIR_2,
    SOLO_ID,
    SOLO_NIR,
    detail,
    er_prs_f,
    ints,
    ir_ben_r,
    ir_pha_r,
    mco,
    strings,
)
from tests.helpers import rows

D = dt.date
METFORMIN, BENFLUOREX, INSULIN_GC = "3400900000001", "3400900000002", "3400900000004"


def tables():
    # (nir, rank, date, cip, boxes, dpn)
    lines = [
        # TWIN_A (rank 2 on the mother's NIR): 3 dates -> case; the mother and TWIN_B are not
        (MOTHER_NIR, "2", D(2020, 1, 10), METFORMIN, 1, "0"),
        (MOTHER_NIR, "2", D(2020, 4, 10), METFORMIN, 1, "0"),
        (MOTHER_NIR, "2", D(2020, 7, 10), METFORMIN, 1, "0"),
        # the mother: 3 dates, but the third is cancelled by a regularisation
        (MOTHER_NIR, "1", D(2020, 1, 11), METFORMIN, 1, "0"),
        (MOTHER_NIR, "1", D(2020, 4, 11), METFORMIN, 1, "0"),
        (MOTHER_NIR, "1", D(2020, 7, 11), METFORMIN, 1, "0"),
        (MOTHER_NIR, "1", D(2020, 7, 11), METFORMIN, -1, "0"),
        # MULTI: 2 dates on one NIR, 1 on the other: one person, 3 dates -> case
        (MULTI_NIR_1, "1", D(2020, 2, 1), METFORMIN, 1, "0"),
        (MULTI_NIR_1, "1", D(2020, 5, 1), METFORMIN, 1, "0"),
        (MULTI_NIR_2, "1", D(2020, 8, 1), METFORMIN, 1, "0"),
        # SOLO: 3 dates, one of them an information line -> not a case by drugs
        (SOLO_NIR, "1", D(2020, 2, 2), METFORMIN, 1, "0"),
        (SOLO_NIR, "1", D(2020, 5, 2), METFORMIN, 1, "71"),
        (SOLO_NIR, "1", D(2020, 8, 2), METFORMIN, 1, "0"),
        # TWIN_B: benfluorex on 3 dates and insulin (large pack) once -> not a case
        (MOTHER_NIR, "3", D(2020, 2, 3), BENFLUOREX, 1, "0"),
        (MOTHER_NIR, "3", D(2020, 5, 3), BENFLUOREX, 1, "0"),
        (MOTHER_NIR, "3", D(2020, 8, 3), BENFLUOREX, 1, "0"),
        (MOTHER_NIR, "3", D(2020, 9, 3), INSULIN_GC, 1, "0"),
    ]
    prs = er_prs_f([{"nir": n, "rank": r, "date": d, "dpn": q} for n, r, d, _, _, q in lines])
    pha = detail(
        [
            {"line": i, "PHA_PRS_C13": c, "PHA_ACT_QSN": b}
            for i, (_, _, _, c, b, _) in enumerate(lines)
        ],
        {"PHA_PRS_C13": strings, "PHA_ACT_QSN": ints},
    )
    imb = pd.DataFrame(
        {
            "BEN_NIR_PSA": strings([SOLO_NIR]),
            "BEN_RNG_GEM": strings(["1"]),
            "IMB_ALD_DTD": date_series([D(2018, 3, 1)]),
            "IMB_ALD_DTF": date_series([D(2019, 12, 31)]),  # ended before N: not active in 2020
            "IMB_ETM_NAT": strings(["41"]),
            "MED_MTF_COD": strings(["E11"]),
        }
    )
    stays = mco(
        [
            # on the mother's NIR: shared by three persons, cannot be attributed
            {
                "rsa": "1",
                "nir": MOTHER_NIR,
                "entry": D(2020, 3, 1),
                "exit": D(2020, 3, 4),
                "dp": "E110",
            },
            # MULTI: complication with a diabetes associated diagnosis
            {
                "rsa": "2",
                "nir": MULTI_NIR_2,
                "entry": D(2020, 6, 1),
                "exit": D(2020, 6, 9),
                "dp": "H360",
            },
            # SOLO: diabetes as related diagnosis of a unit only
            {
                "rsa": "3",
                "nir": SOLO_NIR,
                "entry": D(2020, 9, 1),
                "exit": D(2020, 9, 3),
                "dp": "I10",
            },
        ]
    )
    um = pd.DataFrame(
        {
            "ETA_NUM": strings(["010000001"]),
            "RSA_NUM": strings(["3"]),
            "DGN_PAL": strings(["I10"]),
            "DGN_REL": strings(["E119"]),
        }
    )
    da = pd.DataFrame(
        {"ETA_NUM": strings(["010000001"]), "RSA_NUM": strings(["2"]), "ASS_DGN": strings(["E112"])}
    )
    return {
        "IR_BEN_R": ir_ben_r(),
        "ER_PRS_F": prs,
        "ER_PHA_F": pha,
        "IR_PHA_R": ir_pha_r(),
        "IR_IMB_R": imb,
        **stays,
        "T_MCO20UM": um,
        "T_MCO20D": da,
    }


def test_diabetes_from_raw_tables(backend):
    frames = {name: backend.frame(frame) for name, frame in tables().items()}
    report = Report()
    out = snds_algos.get("diabetes").run(frames, year=2020, report=report)
    got = {r["patient_id"]: r for r in rows(out, ["patient_id"])}
    assert {p for p, r in got.items() if r["case"]} == {"TWIN_A", "MULTI", SOLO_ID}
    assert got["TWIN_A"]["drugs"] and got["TWIN_A"]["drugs_date"] == D(2020, 7, 10)
    assert got["MULTI"]["drugs"] and got["MULTI"]["hospital_complication"]
    assert not got[SOLO_ID]["drugs"] and got[SOLO_ID]["hospital"] and not got[SOLO_ID]["ald"]
    assert "MOTHER" not in got and "TWIN_B" not in got
    counts = report.to_pandas().set_index(["table", "step"])["rows_removed"]
    assert counts[("ER_PRS_F", "dcir_information_lines")] == 1
    assert counts[("ER_PHA_F", "regularization:net_non_positive")] == 1
    assert counts[("T_MCOaaC", "identity:ambiguous")] == 1


def test_population_true_gives_every_person(backend):
    frames = {name: backend.frame(frame) for name, frame in tables().items()}
    out = snds_algos.get("diabetes").run(frames, year=2020, population=True)
    got = {r["patient_id"]: r["case"] for r in rows(out, ["patient_id"])}
    assert got == {"MOTHER": False, "MULTI": True, SOLO_ID: True, "TWIN_A": True, "TWIN_B": False}
