"""IR_BEN_R (one row per BEN_NIR_PSA and rank of a person) and IR_IMB_R (ALD rows)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from snds_algos.synthetic import defects
from snds_algos.synthetic.care import SENTINEL_NONE, Traces
from snds_algos.synthetic.catalog import Catalog
from snds_algos.synthetic.config import Settings
from snds_algos.synthetic.persons import ALIVE, Persons
from snds_algos.synthetic.referentials import geography
from snds_algos.synthetic.tables import contract_table


def _year_month(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return 1970 + months // 12, months % 12 + 1


def ir_ben_r(
    settings: Settings, rng: np.random.Generator, persons: Persons
) -> tuple[pa.Table, dict]:
    """IR_BEN_R rows of a chunk and the truth rows of its defects."""
    idx = np.concatenate([np.arange(persons.n), np.flatnonzero(persons.has_b)])
    second = np.r_[np.zeros(persons.n, bool), np.ones(int(persons.has_b.sum()), bool)]
    nir = pa.concat_arrays([persons.nir_a, persons.nir_b.filter(pa.array(persons.has_b))])
    rank = np.where(second, 1, persons.rank[idx])
    year, month = _year_month(persons.birth[idx])
    death = persons.death[idx]
    dead = death != ALIVE
    code = defects.draw(
        rng, len(idx), {"sentinel_birth": settings.params["defects"]["sentinel_birth"]}
    )
    year = np.where(code == 0, 1600, year)
    month = np.where(code == 0, 1, month)
    dy, dm = _year_month(np.where(dead, death, 0))
    deps = np.array(geography().departments, dtype=object)
    table = contract_table(
        "IR_BEN_R",
        {
            "BEN_NIR_PSA": nir,
            "BEN_RNG_GEM": rank,
            "BEN_IDT_ANO": persons.idt.take(pa.array(idx)),
            "BEN_IDT_TOP": np.full(len(idx), 1),
            "BEN_NAI_ANN": year,
            "BEN_NAI_MOI": month,
            "BEN_SEX_COD": persons.sex[idx],
            "BEN_DCD_DTE": np.where(dead, death, SENTINEL_NONE),
            "BEN_DCD_AME": pa.array(
                np.where(dead, (dy * 100 + dm).astype(str), None).astype(object), pa.string()
            ),
            "BEN_RES_DPT": pa.array(deps[persons.dept[idx]].astype(object), pa.string()),
            "BEN_TOP_CNS": (~persons.no_care[idx]).astype(np.int64),
        },
    )
    bad = code == 0
    truth = {
        "table": "IR_BEN_R",
        "defect": "sentinel_birth",
        "BEN_NIR_PSA": nir.filter(pa.array(bad)),
        "BEN_RNG_GEM": pc.cast(pa.array(rank[bad]), pa.string()),
    }
    return table, truth


def ir_imb_r(settings: Settings, persons: Persons, traces: Traces, cat: Catalog) -> pa.Table:
    """IR_IMB_R rows (ALD) of a chunk."""
    a = traces.ald
    person = a["person"].astype(np.int64)
    icd = cat.icd.array()
    return contract_table(
        "IR_IMB_R",
        {
            "BEN_NIR_PSA": persons.nir_a.take(pa.array(person)),
            "BEN_RNG_GEM": persons.rank[person],
            "IMB_ALD_NUM": a["num"].astype(np.int64),
            "IMB_ALD_DTD": a["start"],
            "IMB_ALD_DTF": a["end"],
            "IMB_ETM_NAT": a["etm"].astype(np.int64),
            "MED_MTF_COD": pa.array(
                icd[a["code"].astype(np.int64)] if len(person) else [], pa.string()
            ),
            "INS_DTE": a["start"],
        },
    )
