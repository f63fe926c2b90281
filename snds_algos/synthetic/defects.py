"""Data defects planted at configured rates (``config.yaml``, section ``defects``).

Each row gets at most one defect: one uniform draw per row is compared with the
cumulative rates of the defects that apply to that table.
"""

from __future__ import annotations

import numpy as np

#: defect names and what they mean (written to the docs and the manifest)
DEFECTS = {
    "info_line": "ER_PRS_F line 'pour information' (DPN_QLF = PRS_DPN_QLP = 71), copy of a real line",
    "regularised": "dispensing cancelled by a later regularisation line",
    "regularisation": "negative-quantity line cancelling a dispensing (PRS_ACT_QTE, PHA_ACT_QSN < 0)",
    "unknown_beneficiary": "DCIR line whose BEN_NIR_PSA is not in IR_BEN_R",
    "ghm_error": "MCO stay with GRG_GHM 90Z00Z (grouping error)",
    "sej_typ_b": "MCO stay with SEJ_TYP = 'B'",
    "ghs_9999": "MCO stay with GHS_NUM = 9999",
    "quality_code": "T_MCOaaC row with a *_RET quality code other than '0'",
    "invalid_nir": "T_MCOaaC row with NIR_ANO_17 'xxxxxxxxxxxxxxxxx' or 'XXXXXXXXXXXXXXXXD'",
    "aphp_geographic_duplicate": "MCO stay duplicated under an AP-HP geographic FINESS number",
    "sentinel_birth": "IR_BEN_R row with a missing birth written 1600/01",
}


def draw(
    rng: np.random.Generator, n: int, rates: dict[str, float], eligible: np.ndarray | None = None
) -> np.ndarray:
    """Defect index per row (-1 none; ``i`` = the i-th key of ``rates``).

    Examples
    --------
    >>> codes = draw(np.random.default_rng(0), 100_000, {"a": 0.1, "b": 0.2})
    >>> round(float((codes == 0).mean()), 1), round(float((codes == 1).mean()), 1)
    (0.1, 0.2)
    """
    u = rng.random(n)
    cum = np.cumsum(list(rates.values()))
    out = np.searchsorted(cum, u, side="right")
    out = np.where(out >= len(cum), -1, out)
    if eligible is not None:
        out = np.where(eligible, out, -1)
    return out
