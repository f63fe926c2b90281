"""A small hand-made SNDS world for the OMOP spec tests (pandas, contract dtypes).

Persons: PA (a woman born July 1950, alive in IR_BEN_R, dead by her CépiDc certificate),
PB (a man born March 1960, dead in IR_BEN_R on 2020-12-01 and by a certificate two days
later), PC (birth year unknown: 1600). PA has one MCO stay with two medical units, DP,
DR and DA, and a CCAM act; three dispensings (two large-pack boxes, then one 19 days
after their supply ends, then one 46 days after), a DCIR act and a biology act.
"""

from __future__ import annotations

import pandas as pd

from snds_algos.cleaning.pmsi import QUALITY_CODES
from tests.events.builders import D, date_series, detail, er_prs_f, ints, strings

NIR_A, NIR_B, NIR_C = "A" * 17, "B" * 17, "C" * 17
CIP_GC, CIP_NG = "3400900000001", "3400900000002"
STAY_ID = "MCO:010000001:0000000001:2020"

PRS_LINES = [
    {"nir": NIR_A, "date": D(2020, 1, 15)},  # 0 two large-pack boxes
    {"nir": NIR_A, "date": D(2020, 8, 1)},  # 1 one large-pack box
    {"nir": NIR_A, "date": D(2020, 12, 15)},  # 2 one standard box
    {"nir": NIR_A, "date": D(2020, 2, 10)},  # 3 DCIR act and biology
    {"nir": NIR_C, "date": D(2020, 2, 11)},  # 4 PC's dispensing
]


def tables() -> dict[str, pd.DataFrame]:
    """Every table of the world."""
    key = {"ETA_NUM": strings(["010000001"]), "RSA_NUM": strings(["0000000001"])}
    return {
        "IR_BEN_R": pd.DataFrame(
            {
                "BEN_NIR_PSA": strings([NIR_A, NIR_B, NIR_C]),
                "BEN_RNG_GEM": strings(["1", "1", "1"]),
                "BEN_IDT_ANO": strings(["PA", "PB", "PC"]),
                "BEN_SEX_COD": strings(["2", "1", "1"]),
                "BEN_NAI_ANN": ints([1950, 1960, 1600]),
                "BEN_NAI_MOI": ints([7, 3, 1]),
                "BEN_DCD_DTE": date_series([D(1600, 1, 1), D(2020, 12, 1), D(1600, 1, 1)]),
                "BEN_RES_DPT": strings(["075", "013", "069"]),
            }
        ),
        "KI_CCI_R": pd.DataFrame(
            {
                "BEN_IDT_ANO": strings(["PA", "PB"]),
                "BEN_DCD_DTE": date_series([D(2021, 1, 20), D(2020, 12, 3)]),
                "DCD_CIM_COD": strings(["I219", "C349"]),
            }
        ),
        "ER_PRS_F": er_prs_f(PRS_LINES),
        "ER_PHA_F": detail(
            [
                {"line": 0, "PHA_PRS_C13": CIP_GC, "PHA_ACT_QSN": 2},
                {"line": 1, "PHA_PRS_C13": CIP_GC, "PHA_ACT_QSN": 1},
                {"line": 2, "PHA_PRS_C13": CIP_NG, "PHA_ACT_QSN": 1},
                {"line": 4, "PHA_PRS_C13": CIP_NG, "PHA_ACT_QSN": 1},
            ],
            {"PHA_PRS_C13": strings, "PHA_ACT_QSN": ints},
        ),
        "IR_PHA_R": pd.DataFrame(
            {
                "PHA_CIP_C13": strings([CIP_GC, CIP_NG]),
                "PHA_ATC_C07": strings(["A10BA02", "A10BA02"]),
                "PHA_CND_TOP": strings(["GC", "NG"]),
            }
        ),
        "ER_CAM_F": detail([{"line": 3, "CAM_PRS_IDE": "YYYY010"}], {"CAM_PRS_IDE": strings}),
        "ER_BIO_F": detail(
            [{"line": 3, "BIO_PRS_IDE": "1577", "BIO_ACT_QSN": 1}],
            {"BIO_PRS_IDE": strings, "BIO_ACT_QSN": ints},
        ),
        "T_MCO20B": pd.DataFrame(
            {
                **key,
                "DGN_PAL": strings(["E119"]),
                "DGN_REL": strings(["I10"]),
                "GRG_GHM": strings(["10M02T"]),
                "SEJ_TYP": strings([None]),
                "GHS_NUM": ints([1]),
                "ENT_MOD": strings(["8"]),
                "SOR_MOD": strings(["8"]),
                "SEJ_NBJ": ints([3]),
            }
        ),
        "T_MCO20C": pd.DataFrame(
            {
                **{k: v.copy() for k, v in key.items()},
                "NIR_ANO_17": strings([NIR_A]),
                "EXE_SOI_DTD": date_series([D(2020, 3, 2)]),
                "EXE_SOI_DTF": date_series([D(2020, 3, 5)]),
                **{q: strings(["0"]) for q in QUALITY_CODES},
            }
        ),
        "T_MCO20D": pd.DataFrame(
            {
                "ETA_NUM": strings(["010000001"]),
                "RSA_NUM": strings(["0000000001"]),
                "ASS_DGN": strings(["N183"]),
            }
        ),
        "T_MCO20UM": pd.DataFrame(
            {
                "ETA_NUM": strings(["010000001"] * 2),
                "RSA_NUM": strings(["0000000001"] * 2),
                "DGN_PAL": strings(["E119", "E119"]),
                "DGN_REL": strings([None, None]),
                "UM_ORD_NUM": ints([2, 1]),
                "PAR_DUR_SEJ": ints([2, 1]),
            }
        ),
        "T_MCO20A": pd.DataFrame(
            {
                "ETA_NUM": strings(["010000001"]),
                "RSA_NUM": strings(["0000000001"]),
                "CDC_ACT": strings(["DDAF006"]),
                "ENT_DAT_DEL": ints([1]),
            }
        ),
    }


SSR_ID = "SSR:010000002:0000000007:2020"
HAD_ID = "HAD:010000003:0000000009:2020"


def ssr_had_tables() -> dict[str, pd.DataFrame]:
    """An SSR stay of PA (2020-03-06 to 2020-03-20, after her MCO stay: MOR_PRP Z501,
    ETL_AFF I639, associated E119) and a HAD stay of PB (2020-05-01 to 2020-05-31: DGN_PAL
    C349, associated R52)."""
    ssr = {"ETA_NUM": strings(["010000002"]), "RHA_NUM": strings(["0000000007"])}
    had = {"ETA_NUM_EPMSI": strings(["010000003"]), "RHAD_NUM": strings(["0000000009"])}

    def copy(key):
        return {k: v.copy() for k, v in key.items()}

    return {
        "T_SSR20B": pd.DataFrame(
            {
                **copy(ssr),
                "RHS_NUM": strings(["1"]),
                "MOR_PRP": strings(["Z501"]),
                "ETL_AFF": strings(["I639"]),
                "COD_SEX": strings(["2"]),
                "AGE_ANN": ints([69]),
            }
        ),
        "T_SSR20C": pd.DataFrame(
            {
                **copy(ssr),
                "NIR_ANO_17": strings([NIR_A]),
                "EXE_SOI_DTD": date_series([D(2020, 3, 6)]),
                "EXE_SOI_DTF": date_series([D(2020, 3, 20)]),
            }
        ),
        "T_SSR20D": pd.DataFrame(
            {**copy(ssr), "RHS_NUM": strings(["1"]), "DGN_COD": strings(["E119"])}
        ),
        "T_HAD20B": pd.DataFrame(
            {
                **copy(had),
                "DGN_PAL": strings(["C349"]),
                "COD_SEX": strings(["1"]),
                "AGE_ANN": ints([60]),
            }
        ),
        "T_HAD20C": pd.DataFrame(
            {
                **copy(had),
                "NIR_ANO_17": strings([NIR_B]),
                "EXE_SOI_DTD": date_series([D(2020, 5, 1)]),
                "EXE_SOI_DTF": date_series([D(2020, 5, 31)]),
            }
        ),
        "T_HAD20D": pd.DataFrame({**copy(had), "DGN_ASS": strings(["R52"])}),
    }


def tables_with_ssr_had() -> dict[str, pd.DataFrame]:
    """The world with the SSR and HAD stays."""
    return {**tables(), **ssr_had_tables()}


NIR_D = "D" * 17


def tables_with_hospital_death() -> dict[str, pd.DataFrame]:
    """The world and PD (a man born 1940, alive in IR_BEN_R, no certificate) whose MCO
    stay (2020-09-01 to 2020-09-10) ends by death (SOR_MOD 9)."""
    out = tables()
    ben = out["IR_BEN_R"]
    pd_row = pd.DataFrame(
        {
            "BEN_NIR_PSA": strings([NIR_D]), "BEN_RNG_GEM": strings(["1"]),
            "BEN_IDT_ANO": strings(["PD"]), "BEN_SEX_COD": strings(["1"]),
            "BEN_NAI_ANN": ints([1940]), "BEN_NAI_MOI": ints([2]),
            "BEN_DCD_DTE": date_series([D(1600, 1, 1)]), "BEN_RES_DPT": strings(["075"]),
        }
    )  # fmt: skip
    out["IR_BEN_R"] = pd.concat([ben, pd_row], ignore_index=True)
    key = {"ETA_NUM": strings(["010000001"]), "RSA_NUM": strings(["0000000002"])}
    b = pd.DataFrame(
        {
            **key, "DGN_PAL": strings(["I219"]), "DGN_REL": strings([None]),
            "GRG_GHM": strings(["05M04T"]), "SEJ_TYP": strings([None]), "GHS_NUM": ints([1]),
            "ENT_MOD": strings(["8"]), "SOR_MOD": strings(["9"]), "SEJ_NBJ": ints([9]),
        }
    )  # fmt: skip
    c = pd.DataFrame(
        {
            **{k: v.copy() for k, v in key.items()}, "NIR_ANO_17": strings([NIR_D]),
            "EXE_SOI_DTD": date_series([D(2020, 9, 1)]),
            "EXE_SOI_DTF": date_series([D(2020, 9, 10)]),
            **{q: strings(["0"]) for q in QUALITY_CODES},
        }
    )  # fmt: skip
    out["T_MCO20B"] = pd.concat([out["T_MCO20B"], b], ignore_index=True)
    out["T_MCO20C"] = pd.concat([out["T_MCO20C"], c], ignore_index=True)
    return out
