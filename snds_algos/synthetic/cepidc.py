"""CépiDc tables of the persons who died: KI_CCI_R (one certificate, its initial cause)
and KI_ECD_R (every cause written on the certificate, with its rank).

They are drawn with a random generator of their own, seeded from (seed, chunk,
:data:`CEPIDC_STREAM`): the other tables are the same as without them.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from snds_algos.synthetic.config import Settings
from snds_algos.synthetic.ids import pseudonyms
from snds_algos.synthetic.persons import ALIVE, Persons
from snds_algos.synthetic.tables import contract_table

#: third seed of the CépiDc random generator (after the seed and the chunk index)
CEPIDC_STREAM = 101
#: share of the deaths that have a certificate in the extract
CERTIFICATE_SHARE = 0.9
#: share of certificates without BEN_IDT_ANO (not matched to the SNDS: not attributable)
UNMATCHED_SHARE = 0.05
#: causes drawn (ICD-10 without the dot): frequent initial causes of death in France
CAUSES = (
    "C349", "I219", "I64", "J189", "F03", "I500", "C509", "C189", "E149", "X59", "J449",
    "N185", "G309", "C61", "I251",
)  # fmt: skip
#: at most this many causes besides the initial cause on a certificate
MAX_OTHER_CAUSES = 2


def _year_month(days: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    months = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    return 1970 + months // 12, months % 12 + 1


def cepidc_tables(settings: Settings, chunk: int, persons: Persons) -> dict[str, pa.Table]:
    """KI_CCI_R and KI_ECD_R of the deaths of a chunk.

    Examples
    --------
    >>> from snds_algos.synthetic.config import make_settings
    >>> from snds_algos.synthetic.persons import make_persons
    >>> settings = make_settings(50, "2020", 1)
    >>> persons = make_persons(settings, np.random.default_rng(1), 0, 50)
    >>> persons.death[:5] = settings.start + 10
    >>> tables = cepidc_tables(settings, 0, persons)
    >>> 0 < tables["KI_CCI_R"].num_rows <= 5 <= tables["KI_ECD_R"].num_rows
    True
    """
    rng = np.random.default_rng([settings.seed, chunk, CEPIDC_STREAM])
    dead = np.flatnonzero(persons.death != ALIVE)
    person = dead[rng.random(len(dead)) < CERTIFICATE_SHARE]
    n = len(person)
    matched = rng.random(n) >= UNMATCHED_SHARE
    initial = rng.integers(len(CAUSES), size=n)
    others = rng.integers(0, MAX_OTHER_CAUSES + 1, size=n)
    take = pa.array(person, pa.int64())
    idt = pc.if_else(pa.array(matched), persons.idt.take(take), pa.scalar(None, pa.string()))
    certificate = pseudonyms(settings.seed, persons.global_index[person], "D")
    day = persons.death[person]
    year, month = _year_month(day)
    year_month = pa.array((year * 100 + month).astype(str).astype(object), pa.string())
    causes = np.array(CAUSES, dtype=object)
    birth_year, _ = _year_month(persons.birth[person])
    cci = contract_table(
        "KI_CCI_R",
        {
            "DCD_IDT_ENC": certificate,
            "BEN_IDT_ANO": idt,
            "FLX_PER_ANN": year,
            "BEN_DCD_DTE": day,
            "BEN_DCD_AME": year_month,
            "BEN_NAI_ANN": birth_year,
            "BEN_SEX_COD": persons.sex[person],
            "DCD_CIM_COD": pa.array(causes[initial], pa.string()),
        },
    )
    # certificate lines: the initial cause, then `others` distinct other causes
    lines = others + 1
    row = np.repeat(np.arange(n), lines)
    rank = np.arange(int(lines.sum())) - np.repeat(np.cumsum(lines) - lines, lines) + 1
    code = (initial[row] + (rank - 1) * 7) % len(CAUSES)
    rows = pa.array(row, pa.int64())
    ecd = contract_table(
        "KI_ECD_R",
        {
            "DCD_IDT_ENC": certificate.take(rows),
            "BEN_IDT_ANO": idt.take(rows),
            "FLX_PER_ANN": year[row],
            "CER_LIG_NUM": rank,
            "ECD_CAU_RNG": rank,
            "ECD_CIM_COD": pa.array(causes[code], pa.string()),
            "BEN_DCD_DTE": day[row],
            "BEN_DCD_AME": year_month.take(rows),
        },
    )
    return {"KI_CCI_R": cci, "KI_ECD_R": ecd}
