"""PMSI tables of a chunk, per discharge year: MCO (B, C, D, UM, A), SSR (B, C, D),
HAD (B, C, D) and RIM-P (C), with the PMSI defects planted."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from snds_algos.contracts.model import physical_name
from snds_algos.synthetic import defects
from snds_algos.synthetic.care import Traces
from snds_algos.synthetic.catalog import Catalog, explode, pick
from snds_algos.synthetic.config import Settings
from snds_algos.synthetic.ids import padded
from snds_algos.synthetic.persons import Persons, nir_at
from snds_algos.synthetic.referentials import geography
from snds_algos.synthetic.tables import contract_table

STAY_STRIDE = 1_000_000
RET = (
    "NIR_RET",
    "NAI_RET",
    "SEX_RET",
    "SEJ_RET",
    "FHO_RET",
    "PMS_RET",
    "DAT_RET",
    "COH_NAI_RET",
    "COH_SEX_RET",
)
INVALID_NIR = ("xxxxxxxxxxxxxxxxx", "XXXXXXXXXXXXXXXXD")
MCO_DEFECTS = (
    "ghm_error",
    "sej_typ_b",
    "ghs_9999",
    "quality_code",
    "invalid_nir",
    "aphp_geographic_duplicate",
)


def _year(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _month(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64) % 12 + 1


def _eta(rng: np.random.Generator, persons: Persons, person: np.ndarray) -> np.ndarray:
    geo = geography()
    dept = persons.dept[person]
    # 85 % of stays in the department of residence, the others anywhere
    local = rng.random(len(person)) < 0.85
    eid = geo.eta_offset[dept] + (rng.random(len(person)) * geo.eta_count[dept]).astype(np.int64)
    other = rng.integers(len(geo.eta_num), size=len(person))
    return np.where(local, eid, other)


def stay_owners(tables: np.ndarray, eta: pa.Array, num: pa.Array, idt: pa.Array) -> pa.Table:
    """Truth of who each PMSI stay belongs to: table (physical B table name), ETA_NUM
    (ETA_NUM_EPMSI for HAD and RIM-P), stay number (RSA_NUM, RHA_NUM, RHAD_NUM, RIP_NUM)
    and the BEN_IDT_ANO of the patient.

    >>> stay_owners(np.array(["T_MCO20B"], dtype=object), pa.array(["010000001"]),
    ...             pa.array(["0000000001"]), pa.array(["P1"])).to_pylist()
    [{'table': 'T_MCO20B', 'ETA_NUM': '010000001', 'stay_num': '0000000001', 'BEN_IDT_ANO': 'P1'}]
    """
    return pa.table(
        {
            "table": pa.array(tables, pa.string()),
            "ETA_NUM": eta,
            "stay_num": num,
            "BEN_IDT_ANO": idt,
        }
    )


def mco_tables(
    settings: Settings,
    rng: np.random.Generator,
    chunk: int,
    persons: Persons,
    traces: Traces,
    cat: Catalog,
    ghs_of: np.ndarray,
) -> tuple[dict[str, pa.Table], list[dict], pa.Table]:
    """T_MCOaaB/C/D/UM/A tables of the chunk per year, the truth rows of MCO defects and
    who each stay belongs to (:func:`stay_owners`)."""
    s = traces.stays
    n = len(s["person"])
    person = s["person"].astype(np.int64)
    pattern = s["pattern"].astype(np.int64)
    entry = s["entry"].astype(np.int64)
    los = s["los"].astype(np.int64)
    exit_ = entry + los
    death = s["death"].astype(bool)
    protect = s["protect"].astype(bool)
    f = cat.frozen
    dp = pick(rng, f["dp"], pattern)
    dr = pick(rng, f["dr"], pattern)
    ghm = pick(rng, f["ghm"], pattern)
    eta_id = _eta(rng, persons, person)
    conf = settings.params["defects"]
    code = defects.draw(rng, n, {k: conf[k] for k in MCO_DEFECTS}, eligible=~protect)
    # AP-HP geographic duplicates: copy the stay under an AP-HP geographic FINESS
    dup = np.flatnonzero(code == MCO_DEFECTS.index("aphp_geographic_duplicate"))
    src = np.r_[np.arange(n), dup]
    is_dup = np.r_[np.zeros(n, bool), np.ones(len(dup), bool)]
    code = np.where(
        is_dup,
        MCO_DEFECTS.index("aphp_geographic_duplicate"),
        np.r_[np.where(code == 5, -1, code), code[dup]],
    )
    geo = geography()
    eta_all = np.array(geo.eta_num + geo.aphp, dtype=object)
    aphp_id = len(geo.eta_num) + rng.integers(len(geo.aphp), size=len(dup))
    eta_id = np.r_[eta_id, aphp_id]
    m = len(src)
    rsa = chunk * STAY_STRIDE + np.arange(m)
    if m >= STAY_STRIDE:
        raise ValueError("chunk too large for RSA_NUM numbering")
    person, pattern, entry, los, exit_, death = (
        person[src],
        pattern[src],
        entry[src],
        los[src],
        exit_[src],
        death[src],
    )
    dp, dr, ghm = dp[src], dr[src], ghm[src]
    icd = cat.icd.array()
    ghm_codes = cat.ghm.array()
    ghm_txt = ghm_codes[ghm]
    ghs = ghs_of[ghm]
    ghm_txt = np.where(code == 0, "90Z00Z", ghm_txt)
    ghs = np.where(code == 2, 9999, ghs)
    sej_typ = np.where(code == 1, "B", None)
    sor_mod = np.where(death, "9", np.where(rng.random(m) < 0.06, "7", "8"))
    ent_mod = np.where(rng.random(m) < 0.05, "7", "8")
    # associated diagnoses: pattern DAs, background DAs, the person's conditions
    rows, da = explode(f["da"], pattern)
    bconf = settings.conditions["background_associated"]
    extra = np.flatnonzero(rng.random(m) < bconf["share"])
    bcodes = np.array([cat.icd.id(c) for c in bconf["codes"]])
    rows = np.r_[rows, extra]
    da = np.r_[da, bcodes[rng.integers(len(bcodes), size=len(extra))]]
    assoc = traces.extra.get("associated")
    if assoc is not None and len(assoc["person"]):
        # stays of persons with a condition whose codes appear as DA (at a given share)
        order = np.argsort(assoc["person"], kind="stable")
        ap, ac, ash = assoc["person"][order], assoc["code"][order], assoc["share"][order]
        lo = np.searchsorted(ap, person, "left")
        hi = np.searchsorted(ap, person, "right")
        cnt = hi - lo
        srow = np.repeat(np.arange(m), cnt)
        pos = np.repeat(lo, cnt) + (np.arange(len(srow)) - np.repeat(np.cumsum(cnt) - cnt, cnt))
        keep = (rng.random(len(srow)) < ash[pos]) & (entry[srow] >= persons.birth[person[srow]])
        keep &= ac[pos] != dp[srow]
        rows = np.r_[rows, srow[keep]]
        da = np.r_[da, ac[pos][keep]]
    arow, act = explode(f["acts"], pattern)
    nir = nir_at(persons, person, entry)
    inv = code == 4
    if inv.any():
        nir_np = np.asarray(nir.to_numpy(zero_copy_only=False), dtype=object)
        nir_np[inv] = np.array(INVALID_NIR, dtype=object)[rng.integers(2, size=int(inv.sum()))]
        nir = pa.array(nir_np, pa.string())
    bad_ret = np.where(code == 3, rng.integers(len(RET), size=m), -1)
    two_units = (los >= 2) & (rng.random(m) < 0.2)
    year = _year(exit_)
    rsa_txt = padded(rsa, 10)
    eta_txt = pa.array(eta_all[eta_id], pa.string())
    age = persons.completed_years(person, entry)
    age_days = entry - persons.birth[person]
    deps = np.array(geography().departments, dtype=object)
    out: dict[str, pa.Table] = {}
    for y in settings.years:
        sel = year == y
        idx = np.flatnonzero(sel)
        take = pa.array(idx)
        eta_y, rsa_y = eta_txt.take(take), rsa_txt.take(take)
        out[physical_name("T_MCOaaB", y)] = contract_table(
            physical_name("T_MCOaaB", y),
            {
                "ETA_NUM": eta_y,
                "RSA_NUM": rsa_y,
                "DGN_PAL": pa.array(icd[dp[idx]], pa.string()),
                "DGN_REL": pa.array(
                    np.where(dr[idx] >= 0, icd[np.maximum(dr[idx], 0)], None), pa.string()
                ),
                "GRG_GHM": pa.array(ghm_txt[idx], pa.string()),
                "GHS_NUM": ghs[idx],
                "SEJ_TYP": pa.array(sej_typ[idx], pa.string()),
                "SOR_MOD": pa.array(sor_mod[idx], pa.string()),
                "ENT_MOD": pa.array(ent_mod[idx], pa.string()),
                "SEJ_NBJ": los[idx],
                "SOR_ANN": year[idx],
                "SOR_MOI": _month(exit_[idx]),
                "AGE_ANN": age[idx],
                "AGE_JOU": pa.array(age_days[idx], pa.int64(), mask=age[idx] != 0),
                "COD_SEX": pa.array(persons.sex[person[idx]].astype(str), pa.string()),
                "BDI_DEP": pa.array(deps[persons.dept[person[idx]]], pa.string()),
                "NBR_RUM": np.where(two_units[idx], 2, 1),
            },
        )
        ret_cols = {}
        for j, name in enumerate(RET):
            ret_cols[name] = np.where(bad_ret[idx] == j, 1, 0)
        out[physical_name("T_MCOaaC", y)] = contract_table(
            physical_name("T_MCOaaC", y),
            {
                "ETA_NUM": eta_y,
                "RSA_NUM": rsa_y,
                "NIR_ANO_17": nir.take(take),
                "EXE_SOI_DTD": entry[idx],
                "EXE_SOI_DTF": exit_[idx],
                "ENT_DAT": entry[idx],
                "SOR_DAT": exit_[idx],
                "SOR_ANN": year[idx],
                "SOR_MOI": _month(exit_[idx]),
                **ret_cols,
            },
        )
        dsel = sel[rows]
        drows = rows[dsel]
        seq = np.ones(len(drows), dtype=np.int64)
        out[physical_name("T_MCOaaD", y)] = contract_table(
            physical_name("T_MCOaaD", y),
            {
                "ETA_NUM": eta_txt.take(pa.array(drows)),
                "RSA_NUM": rsa_txt.take(pa.array(drows)),
                "ASS_DGN": pa.array(icd[da[dsel]], pa.string()),
                "DGN_ASS_NUM": seq,
            },
        )
        urows = np.r_[idx, idx[two_units[idx]]]
        uorder = np.r_[np.ones(len(idx), np.int64), np.full(int(two_units[idx].sum()), 2)]
        out[physical_name("T_MCOaaUM", y)] = contract_table(
            physical_name("T_MCOaaUM", y),
            {
                "ETA_NUM": eta_txt.take(pa.array(urows)),
                "RSA_NUM": rsa_txt.take(pa.array(urows)),
                "DGN_PAL": pa.array(icd[dp[urows]], pa.string()),
                "DGN_REL": pa.array(
                    np.where(dr[urows] >= 0, icd[np.maximum(dr[urows], 0)], None), pa.string()
                ),
                "UM_ORD_NUM": uorder,
                "PAR_DUR_SEJ": np.where(
                    uorder == 1,
                    np.where(two_units[urows], los[urows] // 2, los[urows]),
                    los[urows] - los[urows] // 2,
                ),
            },
        )
        asel = sel[arow]
        ar = arow[asel]
        out[physical_name("T_MCOaaA", y)] = contract_table(
            physical_name("T_MCOaaA", y),
            {
                "ETA_NUM": eta_txt.take(pa.array(ar)),
                "RSA_NUM": rsa_txt.take(pa.array(ar)),
                "CDC_ACT": pa.array(cat.ccam.array()[act[asel]], pa.string()),
                "ENT_DAT_DEL": (rng.random(len(ar)) * (los[ar] + 1)).astype(np.int64),
                "NBR_EXE_ACT": np.ones(len(ar), dtype=np.int64),
                "ACV_ACT": pa.array(np.full(len(ar), "1", dtype=object), pa.string()),
            },
        )
    listed = pa.array(np.isin(year, list(settings.years)))
    owners = stay_owners(
        np.array([physical_name("T_MCOaaB", int(y)) for y in year], dtype=object),
        eta_txt,
        rsa_txt,
        persons.idt.take(pa.array(person)),
    ).filter(listed)
    bad = code >= 0
    names = np.array(MCO_DEFECTS, dtype=object)
    truth = {
        "table": pa.array(
            np.array([physical_name("T_MCOaaB", int(y)) for y in year[bad]], dtype=object),
            pa.string(),
        ),
        "defect": pa.array(names[code[bad]], pa.string()),
        "ETA_NUM": eta_txt.filter(pa.array(bad)),
        "RSA_NUM": rsa_txt.filter(pa.array(bad)),
        "BEN_NIR_PSA": nir.filter(pa.array(bad)),
    }
    return out, [truth], owners


def other_pmsi_tables(
    settings: Settings,
    rng: np.random.Generator,
    chunk: int,
    persons: Persons,
    traces: Traces,
    cat: Catalog,
) -> tuple[dict[str, pa.Table], list[pa.Table]]:
    """SSR (B, C, D), HAD (B, C, D) and RIM-P (C) tables of a chunk per year, and who
    each stay belongs to (:func:`stay_owners`)."""
    o = traces.other_stays
    out: dict[str, pa.Table] = {}
    owners: list[pa.Table] = []
    icd = cat.icd.array()
    for field_id, prefix in enumerate(("SSR", "HAD", "RIP")):
        sel_f = o["field"] == field_id
        person = o["person"][sel_f].astype(np.int64)
        entry = o["entry"][sel_f].astype(np.int64)
        exit_ = entry + o["los"][sel_f].astype(np.int64)
        code = o["code"][sel_f].astype(np.int64)
        num = padded(chunk * STAY_STRIDE + np.arange(len(person)), 10)
        eta = pa.array(
            np.array(geography().eta_num, dtype=object)[_eta(rng, persons, person)], pa.string()
        )
        nir = nir_at(persons, person, entry)
        year = _year(exit_)
        age = persons.completed_years(person, entry)
        age_days = entry - persons.birth[person]
        sex = pa.array(persons.sex[person].astype(str), pa.string())
        b_name = "C" if prefix == "RIP" else "B"
        owners.append(
            stay_owners(
                np.array([f"T_{prefix}{y % 100:02d}{b_name}" for y in year], dtype=object),
                eta,
                num,
                persons.idt.take(pa.array(person)),
            ).filter(pa.array(np.isin(year, list(settings.years))))
        )
        for y in settings.years:
            idx = np.flatnonzero(year == y)
            t = pa.array(idx)
            who = {"COD_SEX": sex.take(t), "AGE_ANN": age[idx]}
            infant = pa.array(age_days[idx], pa.int64(), mask=age[idx] != 0)
            dates = {
                "EXE_SOI_DTD": entry[idx],
                "EXE_SOI_DTF": exit_[idx],
                "ENT_DAT": entry[idx],
                "SOR_DAT": exit_[idx],
            }
            ret = {name: np.zeros(len(idx), np.int64) for name in RET[:7]}
            diag = pa.array(icd[code[idx]], pa.string())
            if prefix == "SSR":
                key = {"ETA_NUM": eta.take(t), "RHA_NUM": num.take(t)}
                out[f"T_SSR{y % 100:02d}B"] = contract_table(
                    f"T_SSR{y % 100:02d}B",
                    {
                        **key,
                        "RHS_NUM": pa.array(np.full(len(idx), "1", dtype=object), pa.string()),
                        "MOR_PRP": diag,
                        "ETL_AFF": diag,
                        **who,
                    },
                )
                out[f"T_SSR{y % 100:02d}C"] = contract_table(
                    f"T_SSR{y % 100:02d}C", {**key, "NIR_ANO_17": nir.take(t), **dates, **ret}
                )
                out[f"T_SSR{y % 100:02d}D"] = contract_table(
                    f"T_SSR{y % 100:02d}D",
                    {
                        **key,
                        "RHS_NUM": pa.array(np.full(len(idx), "1", dtype=object), pa.string()),
                        "DGN_COD": diag,
                    },
                )
            elif prefix == "HAD":
                key = {"ETA_NUM_EPMSI": eta.take(t), "RHAD_NUM": num.take(t)}
                out[f"T_HAD{y % 100:02d}B"] = contract_table(
                    f"T_HAD{y % 100:02d}B", {**key, "DGN_PAL": diag, **who, "AGE_JOU": infant}
                )
                out[f"T_HAD{y % 100:02d}C"] = contract_table(
                    f"T_HAD{y % 100:02d}C", {**key, "NIR_ANO_17": nir.take(t), **dates, **ret}
                )
                out[f"T_HAD{y % 100:02d}D"] = contract_table(
                    f"T_HAD{y % 100:02d}D", {**key, "DGN_ASS": diag}
                )
            else:
                key = {"ETA_NUM_EPMSI": eta.take(t), "RIP_NUM": num.take(t)}
                out[f"T_RIP{y % 100:02d}C"] = contract_table(
                    f"T_RIP{y % 100:02d}C", {**key, "NIR_ANO_17": nir.take(t), **dates, **ret}
                )
    return out, owners


def mco_establishments(settings: Settings) -> dict[str, pa.Table]:
    """T_MCOaaE: one row per establishment (and AP-HP geographic number) per year."""
    geo = geography()
    etas = list(geo.eta_num) + list(geo.aphp)
    out = {}
    for y in settings.years:
        name = physical_name("T_MCOaaE", y)
        out[name] = contract_table(
            name,
            {
                "ETA_NUM": pa.array(etas, pa.string()),
                "ANN_TRT": pa.array([str(y)] * len(etas), pa.string()),
                "STA_ETA": pa.array(
                    ["DG" if i < len(geo.eta_num) else "GEO" for i in range(len(etas))], pa.string()
                ),
            },
        )
    return out
