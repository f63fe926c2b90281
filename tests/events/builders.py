"""Hand-made SNDS tables for the events spec tests (pandas, contract dtypes)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from snds_algos.cleaning.dcir import DCIR_KEYS
from snds_algos.cleaning.pmsi import QUALITY_CODES
from snds_algos.contracts.dtypes import date_series

D = dt.date
S = "string[pyarrow]"
I64 = "Int64"

# persons: a mother and her twins on her NIR (ranks 1, 2, 3); a person "MULTI" with two
# BEN_NIR_PSA sharing one BEN_IDT_ANO; a person without BEN_IDT_ANO
MOTHER_NIR = "M" * 17
MULTI_NIR_1, MULTI_NIR_2 = "A" * 17, "B" * 17
SOLO_NIR = "S" * 17
UNKNOWN_NIR = "U" * 17


def strings(values: Sequence[Any]) -> pd.Series:
    return pd.Series(pd.array(list(values), dtype=S))


def ints(values: Sequence[Any]) -> pd.Series:
    return pd.Series(pd.array(list(values), dtype=I64))


def ir_ben_r() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "BEN_NIR_PSA": strings([MOTHER_NIR] * 3 + [MULTI_NIR_1, MULTI_NIR_2, SOLO_NIR]),
            "BEN_RNG_GEM": strings(["1", "2", "3", "1", "1", "1"]),
            "BEN_IDT_ANO": strings(["MOTHER", "TWIN_A", "TWIN_B", "MULTI", "MULTI", None]),
            "BEN_SEX_COD": strings(["2", "1", "2", "1", "1", "9"]),
            "BEN_NAI_ANN": ints([1980, 2010, 2010, 1950, 1950, 1600]),
            "BEN_NAI_MOI": ints([3, 6, 6, 11, 11, 1]),
            "BEN_DCD_DTE": date_series([D(1600, 1, 1)] * 3 + [None, D(2020, 8, 9), D(1600, 1, 1)]),
            "BEN_RES_DPT": strings(["075", "075", "075", "013", "013", "069"]),
        }
    )


SOLO_ID = SOLO_NIR + "_1"


FLUX = D(2020, 2, 1)


def dcir_keys(n: int, flux: dt.date = FLUX) -> dict[str, pd.Series]:
    """The 9 keys of ``n`` distinct DCIR lines (line i has DCT_ORD_NUM = i)."""
    out: dict[str, pd.Series] = {}
    for key in DCIR_KEYS:
        if key in ("FLX_DIS_DTD", "FLX_TRT_DTD"):
            out[key] = date_series([flux] * n)
        elif key in ("FLX_EMT_ORD", "PRS_ORD_NUM", "REM_TYP_AFF"):
            out[key] = ints([0] * n)
        elif key == "DCT_ORD_NUM":
            out[key] = ints(range(n))
        else:
            out[key] = strings(["1"] * n)
    return out


def er_prs_f(lines: Sequence[dict[str, Any]]) -> pd.DataFrame:
    """ER_PRS_F: one row per line dict (nir, rank, date; optional dpn, nature, prs_nat, spe, qte)."""
    n = len(lines)
    return pd.DataFrame(
        {
            **dcir_keys(n),
            "BEN_NIR_PSA": strings([line["nir"] for line in lines]),
            "BEN_RNG_GEM": strings([line.get("rank", "1") for line in lines]),
            "EXE_SOI_DTD": date_series([line["date"] for line in lines]),
            "DPN_QLF": strings([line.get("dpn", "0") for line in lines]),
            "PRS_DPN_QLP": strings(["0"] * n),
            "BSE_PRS_NAT": strings([line.get("nature", "3317") for line in lines]),
            "PRS_NAT_REF": strings([line.get("prs_nat", "3317") for line in lines]),
            "PSE_SPE_COD": strings([line.get("spe", "50") for line in lines]),
            "PRS_ACT_QTE": pd.Series(
                pd.array([line.get("qte", 1.0) for line in lines], dtype="Float64")
            ),
        }
    )


def detail(lines: Sequence[dict[str, Any]], columns: dict[str, Any]) -> pd.DataFrame:
    """A DCIR detail table: line dicts give ``line`` (the ER_PRS_F line index) and values."""
    n = len(lines)
    keys = dcir_keys(n)
    keys["DCT_ORD_NUM"] = ints([line["line"] for line in lines])
    for i, line in enumerate(lines):
        if line.get("other_key"):
            keys["ORG_CLE_NUM"] = keys["ORG_CLE_NUM"].copy()
            keys["ORG_CLE_NUM"][i] = "OTHER"
    data = {col: make([line[col] for line in lines]) for col, make in columns.items()}
    return pd.DataFrame({**keys, **data})


def ir_pha_r() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "PHA_CIP_C13": strings(
                ["3400900000001", "3400900000002", "3400900000003", "3400900000004"]
            ),
            "PHA_ATC_C07": strings(["A10BA02", "A10BX06", "C10AA01", "A10AE04"]),
            "PHA_CND_TOP": strings(["NG", "NG", "GC", "GC"]),
        }
    )


def mco(stays: Sequence[dict[str, Any]], year: int = 2020) -> dict[str, pd.DataFrame]:
    """T_MCOaaB and C of one year: stays give rsa, nir, entry, exit and optional fields."""
    yy = f"{year % 100:02d}"
    key = {
        "ETA_NUM": strings([s.get("eta", "010000001") for s in stays]),
        "RSA_NUM": strings([s["rsa"] for s in stays]),
    }
    b = pd.DataFrame(
        {
            **key,
            "DGN_PAL": strings([s.get("dp") for s in stays]),
            "DGN_REL": strings([s.get("dr") for s in stays]),
            "GRG_GHM": strings([s.get("ghm", "10M02T") for s in stays]),
            "SEJ_TYP": strings([s.get("sej_typ") for s in stays]),
            "GHS_NUM": ints([s.get("ghs", 1) for s in stays]),
            "ENT_MOD": strings([s.get("ent_mod", "8") for s in stays]),
            "SOR_MOD": strings([s.get("sor_mod", "8") for s in stays]),
            "SEJ_NBJ": ints([(s["exit"] - s["entry"]).days for s in stays]),
        }
    )
    c = pd.DataFrame(
        {
            **{k: v.copy() for k, v in key.items()},
            "NIR_ANO_17": strings([s["nir"] for s in stays]),
            "EXE_SOI_DTD": date_series([s["entry"] for s in stays]),
            "EXE_SOI_DTF": date_series([s["exit"] for s in stays]),
            **{q: strings([s.get("quality", "0") for s in stays]) for q in QUALITY_CODES},
        }
    )
    return {f"T_MCO{yy}B": b, f"T_MCO{yy}C": c}
