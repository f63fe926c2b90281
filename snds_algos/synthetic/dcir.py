"""DCIR tables of a chunk: ER_PRS_F and its detail tables (ER_PHA_F, ER_BIO_F, ER_CAM_F,
ER_UCD_F, ER_ETE_F), joined on the 9 DCIR keys, with the DCIR defects planted."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from snds_algos.synthetic import defects
from snds_algos.synthetic.care import BIO, CAM, PHA, SENTINEL_NONE, UCD, UCD_CODES, Traces
from snds_algos.synthetic.catalog import Catalog
from snds_algos.synthetic.config import Settings
from snds_algos.synthetic.ids import pseudonyms
from snds_algos.synthetic.persons import ALIVE, Persons, nir_at
from snds_algos.synthetic.referentials import drugs, geography
from snds_algos.synthetic.tables import contract_table

#: DCT_ORD_NUM = chunk * DOC_STRIDE + row: unique over the data set
DOC_STRIDE = 1_000_000_000
KEYS = (
    "FLX_DIS_DTD",
    "FLX_TRT_DTD",
    "FLX_EMT_TYP",
    "FLX_EMT_NUM",
    "FLX_EMT_ORD",
    "ORG_CLE_NUM",
    "DCT_ORD_NUM",
    "PRS_ORD_NUM",
    "REM_TYP_AFF",
)
DEFECT_NAMES = ("regularisation", "info_line", "unknown_beneficiary")


def _next_month_first(days: np.ndarray) -> np.ndarray:
    month = days.astype("datetime64[D]").astype("datetime64[M]") + np.timedelta64(1, "M")
    return month.astype("datetime64[D]").astype(np.int64)


def dcir_tables(
    settings: Settings,
    rng: np.random.Generator,
    chunk: int,
    persons: Persons,
    traces: Traces,
    cat: Catalog,
) -> tuple[dict[str, pa.Table], list[dict]]:
    """ER_* tables of a chunk and the truth rows of the DCIR defects."""
    ev = {k: v.copy() for k, v in traces.dcir.items()}
    n = len(ev["day"])
    ev["defect"] = np.full(n, "", dtype=object)
    conf = settings.params["defects"]
    pha = ev["kind"] == PHA
    code = defects.draw(
        rng, n, {"regularisations": conf["regularisations"]}, eligible=pha & ~ev["protect"]
    )
    reg = np.flatnonzero(code == 0)
    code = defects.draw(
        rng,
        n,
        {"info_lines": conf["info_lines"], "unknown": conf["unknown_beneficiary"]},
        eligible=~ev["protect"] & (code != 0),
    )
    info = np.flatnonzero(code == 0)
    unknown = code == 1
    ev["defect"][reg] = "regularised"
    ev["defect"][unknown] = "unknown_beneficiary"
    delay = np.exp(
        np.log(settings.params["background"]["flux_delay_median_days"])
        + settings.params["background"]["flux_delay_sigma"] * rng.standard_normal(n)
    ).astype(np.int64)
    ev["trt"] = ev["day"] + np.minimum(delay, 400)
    # copies: regularisations (negative quantity, later flux) and information lines
    copies = []
    for rows, name in ((reg, "regularisation"), (info, "info_line")):
        c = {k: v[rows] for k, v in ev.items()}
        c["defect"] = np.full(len(rows), name, dtype=object)
        if name == "regularisation":
            c["qty"] = -c["qty"]
            c["trt"] = c["trt"] + rng.integers(20, 90, size=len(rows))
        copies.append(c)
    ev = {k: np.concatenate([ev[k]] + [c[k] for c in copies]) for k in ev}
    n = len(ev["day"])
    order = np.lexsort((ev["day"], ev["person"]))
    ev = {k: v[order] for k, v in ev.items()}
    person = ev["person"].astype(np.int64)
    day = ev["day"].astype(np.int64)
    unknown = ev["defect"] == "unknown_beneficiary"
    nir = nir_at(persons, person, day)
    if unknown.any():
        fake = pseudonyms(
            settings.seed,
            persons.global_index[person[unknown]] * 7919 + np.arange(int(unknown.sum())),
            "U",
        )
        nir_np = np.asarray(nir.to_numpy(zero_copy_only=False), dtype=object)
        nir_np[unknown] = np.asarray(fake.to_numpy(zero_copy_only=False), dtype=object)
        nir = pa.array(nir_np, pa.string())
    info = ev["defect"] == "info_line"
    dct = chunk * DOC_STRIDE + np.arange(n, dtype=np.int64)
    if n >= DOC_STRIDE:
        raise ValueError("chunk too large for DCT_ORD_NUM numbering")
    trt = ev["trt"].astype(np.int64)
    flx = _next_month_first(trt)
    deps = np.array(geography().departments, dtype=object)
    org = np.array([f"01{d[:3].rjust(3, '0')}0000" for d in geography().departments], dtype=object)
    keys = {
        "FLX_DIS_DTD": flx,
        "FLX_TRT_DTD": trt,
        "FLX_EMT_TYP": np.full(n, 1),
        "FLX_EMT_NUM": np.full(n, 12),
        "FLX_EMT_ORD": np.zeros(n, dtype=np.int64),
        "ORG_CLE_NUM": pa.array(org[persons.dept[person]], pa.string()),
        "DCT_ORD_NUM": dct,
        "PRS_ORD_NUM": np.ones(n, dtype=np.int64),
        "REM_TYP_AFF": np.ones(n, dtype=np.int64),
    }
    d = drugs()
    kind = ev["kind"].astype(np.int64)
    detail = ev["detail"].astype(np.int64)
    qty = ev["qty"].astype(np.int64)
    unit_price = np.where(kind == PHA, d.price[np.where(kind == PHA, detail, 0)], 25.0)
    death = persons.death[person]
    prs_codes = cat.prs_nat.array()
    spe_codes = cat.spe.array()
    prs_nat = pa.array(prs_codes[ev["prs"].astype(np.int64)], pa.string())
    out = {
        "ER_PRS_F": contract_table(
            "ER_PRS_F",
            {
                **keys,
                "BEN_NIR_PSA": nir,
                "BEN_RNG_GEM": persons.rank[person],
                "BEN_SEX_COD": persons.sex[person],
                "BEN_NAI_ANN": np.floor_divide(persons.birth[person], 365.25).astype(np.int64)
                + 1970,
                "BEN_RES_DPT": pa.array(deps[persons.dept[person]], pa.string()),
                "BEN_DCD_DTE": np.where(death != ALIVE, death, SENTINEL_NONE),
                "EXE_SOI_DTD": day,
                "EXE_SOI_DTF": day,
                "PRS_NAT_REF": prs_nat,
                "BSE_PRS_NAT": prs_nat,
                "PRS_ACT_QTE": qty.astype(np.float64),
                "DPN_QLF": np.where(info, 71, 0),
                "PRS_DPN_QLP": np.where(info, 71, 0),
                "PSE_SPE_COD": pa.array(spe_codes[ev["spe"].astype(np.int64)], pa.string()),
                "BSE_REM_MNT": np.round(np.where(info, 0.0, qty * unit_price * 0.65), 2),
                "PRS_PAI_MNT": np.round(qty * unit_price, 2),
            },
        )
    }

    def detail_table(name: str, mask: np.ndarray, cols: dict) -> None:
        idx = pa.array(np.flatnonzero(mask))
        sub = {k: (v.take(idx) if isinstance(v, pa.Array) else v[mask]) for k, v in keys.items()}
        out[name] = contract_table(name, {**sub, **cols})

    m = kind == PHA
    cip = np.array(d.cip13, dtype=object)
    detail_table(
        "ER_PHA_F",
        m,
        {
            "PHA_PRS_C13": pa.array(cip[detail[m]], pa.string()),
            "PHA_PRS_IDE": pa.array(
                np.array([c[5:12] for c in d.cip13], dtype=object)[detail[m]], pa.string()
            ),
            "PHA_ACT_QSN": qty[m],
            "PHA_ACT_PRU": d.price[detail[m]],
        },
    )
    m = kind == BIO
    detail_table(
        "ER_BIO_F",
        m,
        {
            "BIO_PRS_IDE": pa.array(cat.bio.array()[detail[m]], pa.string()),
            "BIO_ACT_QSN": qty[m],
        },
    )
    m = kind == CAM
    detail_table(
        "ER_CAM_F",
        m,
        {
            "CAM_PRS_IDE": pa.array(cat.ccam.array()[detail[m]], pa.string()),
            "CAM_ORD_NUM": np.ones(int(m.sum()), dtype=np.int64),
        },
    )
    m = kind == UCD
    detail_table(
        "ER_UCD_F",
        m,
        {
            "UCD_UCD_COD": pa.array(np.array(UCD_CODES, dtype=object)[detail[m]], pa.string()),
            "UCD_DLV_NBR": qty[m],
        },
    )
    ete = ev["ete"].astype(np.int64)
    m = ete > 0
    geo = geography()
    eta = np.array(geo.eta_num, dtype=object)[geo.eta_offset[persons.dept[person[m]]]]
    detail_table(
        "ER_ETE_F",
        m,
        {
            "ETE_IND_TAA": np.where(ete[m] == 1, 1, 0),
            "ETB_EXE_FIN": pa.array(eta, pa.string()),
            "ETE_CAT_COD": np.full(int(m.sum()), 101),
        },
    )
    bad = ev["defect"] != ""
    truth = {
        "table": "ER_PRS_F",
        "defect": pa.array(ev["defect"][bad], pa.string()),
        "BEN_NIR_PSA": nir.filter(pa.array(bad)),
        "BEN_RNG_GEM": pa.array(persons.rank[person[bad]]).cast(pa.string()),
        "DCT_ORD_NUM": dct[bad],
        "FLX_DIS_DTD": flx[bad],
    }
    return out, [truth]
