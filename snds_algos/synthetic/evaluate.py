"""Sensitivity and PPV of an algorithm's output against the planted truth.

An algorithm is not expected to equal the truth: a case who receives no care (``traced``
false in ``_truth_conditions``) is invisible in the SNDS, and borderline traces are planted
on purpose. Use ``traced_only=True`` to measure against the cases that left traces.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd


@dataclass(frozen=True)
class Evaluation:
    """Counts and rates of a comparison with the truth."""

    condition: str
    year: int
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def sensitivity(self) -> float:
        """Share of true cases found (nan when there is none)."""
        denom = self.true_positives + self.false_negatives
        return self.true_positives / denom if denom else float("nan")

    @property
    def ppv(self) -> float:
        """Share of found persons who are true cases (nan when nothing was found)."""
        denom = self.true_positives + self.false_positives
        return self.true_positives / denom if denom else float("nan")


def _ids(found: Any, id_column: str) -> set[str]:
    if hasattr(found, "toPandas") or hasattr(found, "toArrow"):  # Spark frame: ids are small
        found = found.select(id_column).distinct().toPandas()
    if isinstance(found, pd.DataFrame):
        return set(found[id_column].dropna().astype(str))
    if isinstance(found, pd.Series):
        return set(found.dropna().astype(str))
    return {str(x) for x in found}


def _truth_frames(
    truth: Mapping[str, pd.DataFrame] | str | Path,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    if isinstance(truth, str | Path):
        folder = Path(truth)
        return (
            pd.read_parquet(folder / "_truth_conditions.parquet"),
            pd.read_parquet(folder / "_truth_persons.parquet"),
        )
    return truth["_truth_conditions"], truth["_truth_persons"]


def truth_cases(
    truth: Mapping[str, pd.DataFrame] | str | Path,
    condition: str,
    year: int,
    subtype: str | None = None,
    traced_only: bool = False,
) -> set[str]:
    """BEN_IDT_ANO of the true cases of ``condition`` in ``year``: onset on or before
    31 December, not ended before 1 January, alive on 1 January.

    Examples
    --------
    >>> from snds_algos.synthetic import generate_tables
    >>> t = generate_tables(2000, "2019-2020", 1)
    >>> len(truth_cases(t, "diabetes", 2020)) > 0
    True
    """
    cond, persons = _truth_frames(truth)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    c = cond[cond["condition"] == condition]
    if subtype is not None:
        c = c[c["subtype"] == subtype]
    if traced_only:
        c = c[c["traced"].astype(bool)]
    onset = pd.to_datetime(c["onset_date"].astype("object")).dt.date
    end = c["end_date"].astype("object")
    ok = (onset <= last) & end.map(lambda v: v is None or pd.isna(v) or v >= first).astype(bool)
    ids = set(c.loc[ok.to_numpy(), "BEN_IDT_ANO"].astype(str))
    dead = persons[persons["death_date"].notna()]
    dead_before = set(
        dead.loc[
            dead["death_date"].astype("object").map(lambda v: v < first).astype(bool), "BEN_IDT_ANO"
        ].astype(str)
    )
    return ids - dead_before


def evaluate(
    found: Any,
    truth: Mapping[str, pd.DataFrame] | str | Path,
    condition: str,
    year: int,
    *,
    subtype: str | None = None,
    traced_only: bool = False,
    id_column: str = "BEN_IDT_ANO",
) -> Evaluation:
    """Compare the persons an algorithm identified with the planted cases.

    Parameters
    ----------
    found: pandas/Spark frame with ``id_column``, a Series or an iterable of BEN_IDT_ANO;
    truth: the output folder of :func:`generate` or the dict of :func:`generate_tables`;
    condition, year: what is compared (``"diabetes"``, 2020); subtype: e.g. ``"type2"``;
    traced_only: count only cases who left traces in the data as true cases.

    Examples
    --------
    >>> from snds_algos.synthetic import generate_tables
    >>> t = generate_tables(2000, "2019-2020", 1)
    >>> cases = truth_cases(t, "diabetes", 2020)
    >>> e = evaluate(list(cases)[:10] + ["nobody"], t, "diabetes", 2020)
    >>> e.true_positives, e.false_positives, round(e.ppv, 2)
    (10, 1, 0.91)
    """
    ids = _ids(found, id_column)
    cases = truth_cases(truth, condition, year, subtype, traced_only)
    tp = len(ids & cases)
    return Evaluation(condition, year, tp, len(ids - cases), len(cases - ids))
