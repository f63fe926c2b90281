"""Generated SNDS samples shared by the cartography algorithms' end-to-end tests, and
their agreement with the planted truth (measured on synthetic data, not a validation).

One pandas sample of 12 000 persons over 2016-2020 (5 years, for the look-back criteria)
and one small Spark sample, each generated once per test run.
"""

from __future__ import annotations

import shutil
import tempfile
from functools import cache
from pathlib import Path

import pandas as pd

from snds_algos.synthetic import evaluate, generate
from snds_algos.synthetic.evaluate import Evaluation

YEAR = 2020
PERSONS, SEED = 12_000, 11
SPARK_PERSONS, SPARK_SEED = 2_000, 12


@cache
def sample(persons: int = PERSONS, seed: int = SEED, years: str = "2016-2020") -> Path:
    """Folder of a generated sample (removed at interpreter exit)."""
    import atexit

    folder = Path(tempfile.mkdtemp(prefix=f"cartography_{persons}_"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    generate(persons, years, seed, str(folder), progress=False)
    return folder


def spark_sample() -> Path:
    return sample(SPARK_PERSONS, SPARK_SEED, "2019-2020")


@cache
def alive(folder: Path, year: int = YEAR) -> pd.DataFrame:
    """``patient_id`` of the persons of IR_BEN_R alive on 1 January of ``year`` (the
    population a cartography of year N counts; the definitions do not read deaths)."""
    import datetime as dt

    from snds_algos.events import patients
    from snds_algos.io import open_source

    people = patients(open_source(folder))
    death = people["death_date"]
    keep = death.isna() | (death >= dt.date(year, 1, 1))
    return people.loc[keep.fillna(True).astype(bool), ["patient_id"]].reset_index(drop=True)


def agreement(
    found: pd.Series,
    folder: Path,
    condition: str,
    year: int = YEAR,
    *,
    event: bool = False,
    subtype: str | None = None,
) -> Evaluation:
    """Sensitivity / PPV against the traced planted cases.

    ``event=True`` (acute conditions): the true cases are those whose onset is in the
    year; otherwise those with the chronic condition during the year (``evaluate``).
    """
    if not event:
        return evaluate(found, folder, condition, year, subtype=subtype, traced_only=True)
    truth = pd.read_parquet(folder / "_truth_conditions.parquet")
    truth = truth[(truth["condition"] == condition) & truth["traced"].astype(bool)]
    onset = pd.to_datetime(truth["onset_date"].astype("object"))
    cases = set(truth.loc[(onset.dt.year == year).to_numpy(), "BEN_IDT_ANO"].astype(str))
    ids = set(found.dropna().astype(str))
    return Evaluation(condition, year, len(ids & cases), len(ids - cases), len(cases - ids))


def describe(e: Evaluation) -> str:
    return (
        f"{e.condition} {e.year}: sensitivity {e.sensitivity:.2f}, PPV {e.ppv:.2f} "
        f"(TP {e.true_positives}, FP {e.false_positives}, FN {e.false_negatives})"
    )


def planted(
    algorithm_id: str,
    conditions: str | tuple[str, ...],
    *,
    event: bool = False,
    subtype: str | None = None,
    **params,
) -> Evaluation:
    """Run a built-in algorithm on the pandas sample (persons alive on 1 January N) and
    compare its cases with the planted ones (several conditions: their union)."""
    import snds_algos
    from snds_algos.io import open_source

    folder = sample()
    out = snds_algos.get(algorithm_id).run(
        open_source(folder), year=YEAR, population=alive(folder), **params
    )
    found = out.loc[out["case"].astype(bool), "patient_id"]
    if isinstance(conditions, str):
        return agreement(found, folder, conditions, event=event, subtype=subtype)
    from snds_algos.synthetic.evaluate import truth_cases

    cases: set[str] = set()
    for c in conditions:
        cases |= truth_cases(folder, c, YEAR, subtype, traced_only=True)
    ids = set(found.astype(str))
    name = "+".join(conditions)
    return Evaluation(name, YEAR, len(ids & cases), len(ids - cases), len(cases - ids))
