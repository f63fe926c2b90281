"""One small hand-made world of SNDS tables shared by the spec tests."""

from __future__ import annotations

import pandas as pd

from tests.events.builders import (
    MOTHER_NIR,
    MULTI_NIR_1,
    MULTI_NIR_2,
    SOLO_NIR,
    UNKNOWN_NIR,
    D,
    date_series,
    detail,
    er_prs_f,
    ints,
    ir_ben_r,
    ir_pha_r,
    mco,
    strings,
)

CIP1, CIP2, CIP3, CIP4 = (f"340090000000{i}" for i in range(1, 5))
UNKNOWN_CIP = "3400999999999"

# ER_PRS_F lines (index = DCT_ORD_NUM)
PRS_LINES = [
    {"nir": MULTI_NIR_1, "date": D(2020, 1, 10)},  # 0
    {"nir": MULTI_NIR_2, "date": D(2020, 1, 10)},  # 1 same person, other NIR
    {"nir": MOTHER_NIR, "rank": "2", "date": D(2020, 1, 10)},  # 2 twin A
    {"nir": MOTHER_NIR, "rank": "3", "date": D(2020, 1, 10)},  # 3 twin B
    {"nir": MOTHER_NIR, "date": D(2020, 2, 1), "dpn": "71"},  # 4 information line
    {"nir": SOLO_NIR, "date": D(2020, 3, 1)},  # 5
    {"nir": SOLO_NIR, "date": D(2020, 3, 5)},  # 6
    {"nir": UNKNOWN_NIR, "date": D(2020, 3, 5)},  # 7 not in IR_BEN_R
    {"nir": SOLO_NIR, "date": D(2020, 4, 1)},  # 8
    {"nir": SOLO_NIR, "date": D(2020, 4, 2), "nature": "0"},  # 9 zero nature
    {"nir": SOLO_NIR, "date": D(2020, 5, 5), "prs_nat": "1111", "spe": "1"},  # 10 GP visit
    {"nir": MULTI_NIR_1, "date": D(2020, 5, 6), "prs_nat": "1111", "spe": "1", "qte": 2.0},
    {"nir": MULTI_NIR_2, "date": D(2020, 5, 6), "prs_nat": "1111", "spe": "1", "qte": -1.0},
    {"nir": SOLO_NIR, "date": D(2020, 5, 7), "prs_nat": "1111", "spe": "1", "dpn": "71"},
]

PHA_LINES = [
    {"line": 0, "PHA_PRS_C13": CIP1, "PHA_ACT_QSN": 2},
    {"line": 1, "PHA_PRS_C13": CIP1, "PHA_ACT_QSN": -1},
    {"line": 2, "PHA_PRS_C13": CIP4, "PHA_ACT_QSN": 1},
    {"line": 3, "PHA_PRS_C13": CIP4, "PHA_ACT_QSN": 1},
    {"line": 4, "PHA_PRS_C13": CIP1, "PHA_ACT_QSN": 1},
    {"line": 5, "PHA_PRS_C13": CIP1, "PHA_ACT_QSN": 3, "other_key": True},
    {"line": 5, "PHA_PRS_C13": CIP3, "PHA_ACT_QSN": 1},
    {"line": 6, "PHA_PRS_C13": CIP2, "PHA_ACT_QSN": 2},
    {"line": 6, "PHA_PRS_C13": CIP2, "PHA_ACT_QSN": -2},
    {"line": 7, "PHA_PRS_C13": CIP1, "PHA_ACT_QSN": 1},
    {"line": 8, "PHA_PRS_C13": UNKNOWN_CIP, "PHA_ACT_QSN": 1},
    {"line": 9, "PHA_PRS_C13": CIP1, "PHA_ACT_QSN": 4},
]

STAYS_2020 = [
    {"rsa": "1", "nir": SOLO_NIR, "entry": D(2020, 3, 2), "exit": D(2020, 3, 5), "dp": "E119"},
    {"rsa": "2", "nir": MOTHER_NIR, "entry": D(2020, 4, 2), "exit": D(2020, 4, 3), "dp": "E11"},
    {"rsa": "3", "nir": MULTI_NIR_2, "entry": D(2020, 5, 2), "exit": D(2020, 5, 3), "dp": "E11",
     "ghm": "90Z00Z"},
    {"rsa": "4", "nir": MULTI_NIR_1, "entry": D(2020, 6, 1), "exit": D(2020, 6, 1), "dp": "I219",
     "dr": "E101", "sor_mod": "7"},
    {"rsa": "5", "nir": MULTI_NIR_2, "entry": D(2020, 6, 2), "exit": D(2020, 6, 10),
     "ent_mod": "7"},
    {"rsa": "6", "nir": MULTI_NIR_1, "entry": D(2020, 7, 1), "exit": D(2020, 7, 2),
     "sor_mod": "9"},
]  # fmt: skip
STAYS_2019 = [
    {"rsa": "1", "nir": MULTI_NIR_1, "entry": D(2019, 9, 1), "exit": D(2019, 9, 4), "dp": "E14"},
]


def world() -> dict[str, pd.DataFrame]:
    """Every table of the world, as pandas frames with contract dtypes."""
    tables = {
        "IR_BEN_R": ir_ben_r(),
        "ER_PRS_F": er_prs_f(PRS_LINES),
        "ER_PHA_F": detail(PHA_LINES, {"PHA_PRS_C13": strings, "PHA_ACT_QSN": ints}),
        "IR_PHA_R": ir_pha_r(),
        "ER_CAM_F": detail(
            [{"line": 10, "CAM_PRS_IDE": "DEQP003"}, {"line": 13, "CAM_PRS_IDE": "DEQP003"}],
            {"CAM_PRS_IDE": strings},
        ),
        "ER_BIO_F": detail(
            [
                {"line": 5, "BIO_PRS_IDE": "1577", "BIO_ACT_QSN": 1},
                {"line": 5, "BIO_PRS_IDE": "1577", "BIO_ACT_QSN": -1},
                {"line": 0, "BIO_PRS_IDE": "1577", "BIO_ACT_QSN": 2},
                {"line": 0, "BIO_PRS_IDE": "0552", "BIO_ACT_QSN": 1},
            ],
            {"BIO_PRS_IDE": strings, "BIO_ACT_QSN": ints},
        ),
        "ER_UCD_F": detail(
            [{"line": 6, "UCD_UCD_COD": "9391234", "UCD_DLV_NBR": 3}],
            {"UCD_UCD_COD": strings, "UCD_DLV_NBR": ints},
        ),
        **mco(STAYS_2020, 2020),
        **mco(STAYS_2019, 2019),
        "T_MCO20UM": pd.DataFrame(
            {
                "ETA_NUM": strings(["010000001"] * 3),
                "RSA_NUM": strings(["1", "1", "2"]),
                "DGN_PAL": strings(["E119", "K35", "E11"]),
                "DGN_REL": strings(["I10", None, None]),
            }
        ),
        "T_MCO20D": pd.DataFrame(
            {
                "ETA_NUM": strings(["010000001"] * 4),
                "RSA_NUM": strings(["1", "1", "1", "3"]),
                "ASS_DGN": strings(["E119", "E119", "N183", "E10"]),
            }
        ),
        "T_MCO20A": pd.DataFrame(
            {
                "ETA_NUM": strings(["010000001"] * 4),
                "RSA_NUM": strings(["1", "1", "1", "3"]),
                "CDC_ACT": strings(["DDAF006", "YYYY600", "DDAF006", "DDAF006"]),
                "ENT_DAT_DEL": ints([2, 0, 2, 1]),
            }
        ),
        "IR_IMB_R": pd.DataFrame(
            {
                "BEN_NIR_PSA": strings(
                    [SOLO_NIR, SOLO_NIR, MULTI_NIR_2, MOTHER_NIR, MOTHER_NIR, SOLO_NIR, UNKNOWN_NIR]
                ),
                "BEN_RNG_GEM": strings(["1", "1", "1", "2", "1", "1", "1"]),
                "MED_MTF_COD": strings(["E11", "E112", "E10", "C50", "E11", "E11", "E11"]),
                "IMB_ETM_NAT": strings(["41", "41", "43", "41", "11", "41", "41"]),
                "IMB_ALD_DTD": date_series(
                    [
                        D(2015, 1, 1),
                        D(2016, 1, 1),
                        D(2010, 5, 1),
                        D(2018, 1, 1),
                        D(2019, 1, 1),
                        D(1600, 1, 1),
                        D(2019, 1, 1),
                    ]
                ),
                "IMB_ALD_DTF": date_series(
                    [
                        D(1600, 1, 1),
                        D(2099, 12, 31),
                        None,
                        D(2022, 12, 31),
                        D(2020, 12, 31),
                        D(2025, 1, 1),
                        None,
                    ]
                ),
            }
        ),
    }
    return tables


def on(backend, tables: dict[str, pd.DataFrame]) -> dict:
    """The tables as frames of the backend under test."""
    return {name: backend.frame(frame) for name, frame in tables.items()}
