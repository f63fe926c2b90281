"""Validation helpers: how an algorithm's cases compare with a reference.

* :func:`by_criterion`: sensitivity and PPV of each criterion (and of the case flag)
  against the planted truth of the synthetic SNDS;
* :func:`cnam_agreement`: agreement with the CNAM's per-patient cartography flags
  (``CT_IND_AAAA_Gn``, e.g. ``top_FDiabet_ind``, linked to the patient through
  ``CT_IDE_AAAA_Gn`` and IR_BEN_R), for users who have those tables on the secure
  platform;
* :func:`wilson_interval`: the 95% confidence interval of a proportion, for cards.

Counts are computed on the input's backend and only the small confusion table is
collected.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import narwhals as nw
import pandas as pd

from snds_algos.backend import common_backend, lazy
from snds_algos.identity import PATIENT_ID, person_index


def wilson_interval(successes: int, total: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score interval of ``successes / total`` (95% by default).

    >>> [round(x, 3) for x in wilson_interval(90, 100)]
    [0.826, 0.945]
    """
    if total <= 0:
        return (float("nan"), float("nan"))
    p = successes / total
    denom = 1 + z**2 / total
    centre = (p + z**2 / (2 * total)) / denom
    half = z * math.sqrt(p * (1 - p) / total + z**2 / (4 * total**2)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Agreement:
    """A 2x2 comparison of an algorithm with a reference, over a population."""

    both: int
    algorithm_only: int
    reference_only: int
    neither: int

    @property
    def total(self) -> int:
        """Persons compared."""
        return self.both + self.algorithm_only + self.reference_only + self.neither

    @property
    def sensitivity(self) -> float:
        """Share of reference cases the algorithm finds."""
        n = self.both + self.reference_only
        return self.both / n if n else float("nan")

    @property
    def ppv(self) -> float:
        """Share of the algorithm's cases that are reference cases."""
        n = self.both + self.algorithm_only
        return self.both / n if n else float("nan")

    @property
    def kappa(self) -> float:
        """Cohen's kappa (nan when undefined)."""
        n = self.total
        if not n:
            return float("nan")
        observed = (self.both + self.neither) / n
        yes = ((self.both + self.algorithm_only) / n) * ((self.both + self.reference_only) / n)
        no = ((self.reference_only + self.neither) / n) * ((self.algorithm_only + self.neither) / n)
        expected = yes + no
        return (observed - expected) / (1 - expected) if expected != 1 else float("nan")

    def to_dict(self) -> dict[str, float]:
        """Counts, rates and 95% Wilson intervals, e.g. for a card's validation entry."""
        sens_ci = wilson_interval(self.both, self.both + self.reference_only)
        ppv_ci = wilson_interval(self.both, self.both + self.algorithm_only)
        return {
            "both": self.both,
            "algorithm_only": self.algorithm_only,
            "reference_only": self.reference_only,
            "neither": self.neither,
            "sensitivity": self.sensitivity,
            "sensitivity_ci_low": sens_ci[0],
            "sensitivity_ci_high": sens_ci[1],
            "ppv": self.ppv,
            "ppv_ci_low": ppv_ci[0],
            "ppv_ci_high": ppv_ci[1],
            "kappa": self.kappa,
        }


def _agreement(frame: nw.LazyFrame, algo: str, ref: str) -> Agreement:
    # explicit booleans: after a left join pandas may hold them as objects, where ~ is -2
    frame = frame.with_columns(nw.col(algo).cast(nw.Boolean), nw.col(ref).cast(nw.Boolean))
    counts = frame.select(
        (nw.col(algo) & nw.col(ref)).cast(nw.Int64).sum().alias("both"),
        (nw.col(algo) & ~nw.col(ref)).cast(nw.Int64).sum().alias("algorithm_only"),
        (~nw.col(algo) & nw.col(ref)).cast(nw.Int64).sum().alias("reference_only"),
        (~nw.col(algo) & ~nw.col(ref)).cast(nw.Int64).sum().alias("neither"),
    )
    row = counts.collect().to_pandas().iloc[0]
    return Agreement(
        *(int(row[c] or 0) for c in ("both", "algorithm_only", "reference_only", "neither"))
    )


def cnam_agreement(
    result: Any,
    ct_ide: Any,
    ct_ind: Any,
    ir_ben_r: Any,
    *,
    flag: str = "top_FDiabet_ind",
) -> Agreement:
    """Agreement of an algorithm's cases with a CNAM cartography flag.

    The population is the persons of CT_IND (the cartography's population). Each is
    linked to a person id through CT_IDE (``id_carto`` -> ``ben_nir_psa``,
    ``ben_rng_gem``) and IR_BEN_R (the library's identity policy); a CT_IND person whose
    key leads to no single person id is left out of the comparison.

    Parameters
    ----------
    result:
        The algorithm's output (``patient_id`` and ``case``).
    ct_ide, ct_ind:
        The cartography tables of the year (column names in any case).
    ir_ben_r:
        The beneficiary referential (BEN_NIR_PSA, BEN_RNG_GEM, BEN_IDT_ANO).
    flag:
        The CT_IND column to compare with (``top_FDiabet_ind`` for diabetes).

    Examples
    --------
    >>> import pandas as pd
    >>> ben = pd.DataFrame({"BEN_NIR_PSA": ["A" * 17, "B" * 17, "C" * 17],
    ...                     "BEN_RNG_GEM": ["1", "1", "1"], "BEN_IDT_ANO": ["P1", "P2", "P3"]})
    >>> ide = pd.DataFrame({"id_carto": ["c1", "c2", "c3"], "ben_nir_psa": ["A" * 17, "B" * 17, "C" * 17],
    ...                     "ben_rng_gem": [1, 1, 1]})
    >>> ind = pd.DataFrame({"id_carto": ["c1", "c2", "c3"], "top_FDiabet_ind": [1, 1, 0]})
    >>> result = pd.DataFrame({"patient_id": ["P1", "P3"], "case": [True, True]})
    >>> a = cnam_agreement(result, ide, ind, ben)
    >>> a.both, a.algorithm_only, a.reference_only, a.neither
    (1, 1, 1, 0)
    """
    common_backend({"result": result, "CT_IDE": ct_ide, "CT_IND": ct_ind, "IR_BEN_R": ir_ben_r})
    ide = lazy(ct_ide)
    ide = ide.rename({c: c.lower() for c in ide.collect_schema().names()})
    ind = lazy(ct_ind)
    ind_cols = {c.lower(): c for c in ind.collect_schema().names()}
    if flag.lower() not in ind_cols:
        raise KeyError(f"CT_IND has no column {flag}; columns: {sorted(ind_cols.values())[:20]}")
    ind = ind.select(
        nw.col(ind_cols["id_carto"]).alias("id_carto"),
        (nw.col(ind_cols[flag.lower()]).cast(nw.Int64) == 1).fill_null(False).alias("__ref"),
    )
    index = person_index(ir_ben_r)
    keys = ide.select(
        "id_carto",
        nw.col("ben_nir_psa").cast(nw.String).alias("BEN_NIR_PSA"),
        nw.col("ben_rng_gem").cast(nw.String).alias("BEN_RNG_GEM"),
    )
    linked = keys.join(index, on=["BEN_NIR_PSA", "BEN_RNG_GEM"], how="inner")
    persons = linked.group_by("id_carto").agg(nw.col(PATIENT_ID).n_unique().alias("__n"))
    single = linked.join(persons.filter(nw.col("__n") == 1), on="id_carto", how="inner")
    cases = lazy(result).filter(nw.col("case")).select(PATIENT_ID).unique()
    cases = cases.with_columns(nw.lit(True).alias("__algo"))
    frame = (
        ind.join(single.select("id_carto", PATIENT_ID), on="id_carto", how="inner")
        .join(cases, on=PATIENT_ID, how="left")
        .with_columns(nw.col("__algo").fill_null(False))
    )
    return _agreement(frame, "__algo", "__ref")


def by_criterion(
    result: Any,
    truth: Mapping[str, pd.DataFrame] | str,
    condition: str,
    year: int,
    *,
    traced_only: bool = False,
) -> pd.DataFrame:
    """Sensitivity and PPV of each criterion flag and of ``case`` against the synthetic truth.

    Returns one row per flag: ``criterion, found, true_positives, false_positives,
    false_negatives, sensitivity, ppv`` (a single criterion is expected to miss cases
    that others find: its sensitivity says how much it contributes).

    >>> from snds_algos.synthetic import generate_tables
    >>> import snds_algos
    >>> tables = generate_tables(1500, "2019-2020", 3)
    >>> frames = {k: v for k, v in tables.items() if not k.startswith("_")}
    >>> out = snds_algos.get("diabetes").run(frames, year=2020)
    >>> table = by_criterion(out, tables, "diabetes", 2020)
    >>> list(table["criterion"])
    ['drugs', 'ald', 'hospital', 'hospital_complication', 'case']
    >>> table.set_index("criterion").loc["case", ["sensitivity", "ppv"]].round(2).tolist()
    [0.83, 0.97]
    """
    from snds_algos.synthetic import evaluate

    frame = lazy(result)
    flags = [
        c for c, dtype in frame.collect_schema().items() if dtype == nw.Boolean() and c != "case"
    ] + ["case"]
    rows = []
    for flag in flags:
        ids = frame.filter(nw.col(flag)).select(PATIENT_ID).collect().to_pandas()[PATIENT_ID]
        e = evaluate(ids, truth, condition, year, traced_only=traced_only, id_column=PATIENT_ID)
        rows.append(
            {
                "criterion": flag,
                "found": len(ids),
                "true_positives": e.true_positives,
                "false_positives": e.false_positives,
                "false_negatives": e.false_negatives,
                "sensitivity": e.sensitivity,
                "ppv": e.ppv,
            }
        )
    return pd.DataFrame(rows)
