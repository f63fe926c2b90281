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


def planted_conditions(algorithm_id: str) -> list[str]:
    """The conditions of the generator whose planted cases an algorithm identifies.

    Read from the ``algorithms`` lists of the profiles of ``conditions.yaml`` (a
    condition named like the algorithm counts too); empty when the generator plants no
    case for it.

    Examples
    --------
    >>> planted_conditions("acute_coronary_syndrome"), planted_conditions("no_such_thing")
    (['acs'], [])
    >>> planted_conditions("chronic_respiratory_disease")
    ['asthma', 'copd']
    """
    from snds_algos.synthetic.config import _yaml

    out: list[str] = []
    for prof in _yaml("conditions.yaml")["profiles"]:
        names = prof.get("algorithms") or []
        if (algorithm_id in names or prof["condition"] == algorithm_id) and prof[
            "condition"
        ] not in out:
            out.append(prof["condition"])
    return out


def evaluate_planted(
    found: Any,
    truth: Mapping[str, pd.DataFrame] | str | Path,
    conditions: list[str],
    year: int,
    *,
    traced_only: bool = False,
    id_column: str = "BEN_IDT_ANO",
) -> Evaluation:
    """:func:`evaluate` against the union of the planted cases of ``conditions``: when
    every condition is of kind ``event`` (acute), the cases whose onset is in ``year``;
    otherwise the cases with one of the conditions during ``year`` (a past acute event
    counts, as for a chronic coronary disease after an ACS).

    Examples
    --------
    >>> from snds_algos.synthetic import generate_tables
    >>> t = generate_tables(2000, "2019-2020", 1)
    >>> e = evaluate_planted([], t, ["diabetes"], 2020)
    >>> e.true_positives, e.false_negatives > 0
    (0, True)
    """
    from snds_algos.synthetic.config import _yaml

    kinds = {p["condition"]: p["kind"] for p in _yaml("conditions.yaml")["profiles"]}
    cond, _ = _truth_frames(truth)
    cases: set[str] = set()
    acute = all(kinds.get(c) == "event" for c in conditions)
    for condition in conditions:
        if acute:
            c = cond[cond["condition"] == condition]
            if traced_only:
                c = c[c["traced"].astype(bool)]
            onset = pd.to_datetime(c["onset_date"].astype("object"))
            cases |= set(c.loc[(onset.dt.year == year).to_numpy(), "BEN_IDT_ANO"].astype(str))
        else:
            cases |= truth_cases(truth, condition, year, traced_only=traced_only)
    ids = _ids(found, id_column)
    tp = len(ids & cases)
    return Evaluation(" + ".join(conditions), year, tp, len(ids - cases), len(cases - ids))


# ---------------------------------------------------------------- care pathways

#: transition types :func:`evaluate_transitions` measures by default
PATHWAY_TYPES = ("switch", "add_on")
RECOVERED_COLUMNS = ("patient_id", "date", "type", "from_state", "to_state")


def treatment_truth(truth: Mapping[str, pd.DataFrame] | str | Path) -> pd.DataFrame:
    """The planted treatment steps (``_truth_treatment``) of a folder of :func:`generate`
    or the dict of :func:`generate_tables`, with ``start`` and ``end`` as timestamps.

    Examples
    --------
    >>> from snds_algos.synthetic import generate_tables
    >>> t = treatment_truth(generate_tables(2000, "2019-2020", 1))
    >>> t.columns[:6].tolist()
    ['patient_id', 'condition', 'subtype', 'step_no', 'regimen', 'start']
    """
    if isinstance(truth, str | Path):
        frame = pd.read_parquet(Path(truth) / "_truth_treatment.parquet")
    else:
        frame = truth["_truth_treatment"]
    frame = frame.copy()
    for col in ("start", "end"):
        frame[col] = pd.to_datetime(frame[col].astype("object"))
    for col in ("patient_id", "regimen", "transition", "behaviour"):
        frame[col] = frame[col].astype(str)
    frame["expected_visible"] = frame["expected_visible"].astype(bool)
    return frame


def _recovered_frame(recovered: Any) -> pd.DataFrame:
    from snds_algos.backend import to_pandas

    frame = to_pandas(recovered)
    missing = [c for c in ("patient_id", "date", "type") if c not in frame.columns]
    if missing:
        raise ValueError(
            f"recovered transitions: missing column(s) {missing}; expected {list(RECOVERED_COLUMNS)}"
            f", got {list(frame.columns)}"
        )
    out = pd.DataFrame(
        {
            "patient_id": frame["patient_id"].astype(str).to_numpy(),
            "date": pd.to_datetime(frame["date"].astype("object")).to_numpy(),
            "type": frame["type"].astype(str).to_numpy(),
        }
    )
    bad = out["date"].isna()
    if bad.any():
        raise ValueError(
            f"recovered transitions: null date in {int(bad.sum())} row(s), e.g. patient_id "
            f"{out.loc[bad, 'patient_id'].head(3).tolist()}"
        )
    return out


def _match(planted: pd.DataFrame, found: pd.DataFrame, tolerance: int) -> pd.DataFrame:
    """One-to-one matching of planted (``p``) and recovered (``r``) transitions of the same
    person and type within ``tolerance`` days: pairs in order of distance (then planted
    date, recovered date), each taken when neither side is taken yet (the greedy matching,
    computed as rounds of mutually best pairs)."""
    pairs = planted.merge(found, on=["patient_id", "type"])
    pairs["distance"] = (pairs["date"] - pairs["start"]).abs().dt.days
    pairs = pairs[pairs["distance"] <= tolerance]
    pairs = pairs.sort_values(["distance", "start", "date", "p", "r"]).reset_index(drop=True)
    pairs["rank"] = range(len(pairs))
    matched = []
    while len(pairs):
        best_p = pairs.groupby("p")["rank"].transform("min") == pairs["rank"]
        best_r = pairs.groupby("r")["rank"].transform("min") == pairs["rank"]
        take = pairs[best_p & best_r]
        matched.append(take[["p", "r"]])
        pairs = pairs[~pairs["p"].isin(take["p"]) & ~pairs["r"].isin(take["r"])]
    if not matched:
        return pd.DataFrame({"p": pd.Series([], dtype="int64"), "r": pd.Series([], dtype="int64")})
    return pd.concat(matched, ignore_index=True)


def evaluate_transitions(
    recovered: Any,
    truth: Mapping[str, pd.DataFrame] | str | Path | pd.DataFrame,
    *,
    types: tuple[str, ...] | list[str] = PATHWAY_TYPES,
    tolerance_days: int = 30,
    visible_only: bool = True,
    truth_persons_only: bool = True,
) -> pd.DataFrame:
    """Recall and precision of recovered transitions against the planted ones.

    A recovered transition matches a planted one of the same person and type when their
    dates differ by at most ``tolerance_days`` (the planted date is the ``start`` of the
    step the transition opens); each planted and each recovered transition is matched at
    most once (closest pairs first).

    Parameters
    ----------
    recovered: transitions of any backend with columns ``patient_id, date, type``
        (``from_state, to_state`` may be there and are not used);
    truth: ``_truth_treatment`` as a frame, or the folder / dict of the generator;
    types: the transition types measured (default: switches and add-ons);
    tolerance_days: largest difference of dates of a match (inclusive);
    visible_only: recall counts only the planted transitions whose step is
        ``expected_visible`` (a recovered transition matching an invisible one is still
        a true one for precision);
    truth_persons_only: recovered transitions of persons absent from the truth (persons
        without a planted trajectory) are left out.

    Returns one row per type: ``type, planted, recovered, matched, recall, precision``
    (recall = matched planted / planted, precision = matched recovered / recovered, NaN
    when the denominator is 0).

    Examples
    --------
    >>> truth = pd.DataFrame({"patient_id": ["a", "a", "b"], "step_no": [1, 2, 1],
    ...     "start": pd.to_datetime(["2020-01-01", "2020-06-01", "2020-01-01"]),
    ...     "transition": ["initiation", "switch", "initiation"],
    ...     "expected_visible": True})
    >>> found = pd.DataFrame({"patient_id": ["a", "b"], "type": ["switch", "switch"],
    ...     "date": pd.to_datetime(["2020-06-20", "2020-03-01"])})
    >>> evaluate_transitions(found, truth, types=["switch"]).to_dict("records")
    [{'type': 'switch', 'planted': 1, 'recovered': 2, 'matched': 1, 'recall': 1.0, 'precision': 0.5}]
    """
    if tolerance_days < 0:
        raise ValueError(f"tolerance_days must be >= 0, got {tolerance_days}")
    known = (
        "initiation", "add_on", "step_down", "switch", "interruption", "resumption",
        "discontinuation", "restart", "censored",
    )  # fmt: skip
    unknown = sorted(set(types) - set(known))
    if unknown:
        raise ValueError(f"types: unknown transition type(s) {unknown}; known: {list(known)}")
    truth = truth if isinstance(truth, pd.DataFrame) else treatment_truth(truth)
    planted = pd.DataFrame(
        {
            "patient_id": truth["patient_id"].astype(str).to_numpy(),
            "start": pd.to_datetime(truth["start"].astype("object")).to_numpy(),
            "type": truth["transition"].astype(str).to_numpy(),
            "visible": truth["expected_visible"].astype(bool).to_numpy(),
        }
    )
    found = _recovered_frame(recovered)
    if truth_persons_only:
        found = found[found["patient_id"].isin(set(planted["patient_id"]))]
    planted = planted[planted["type"].isin(types)].reset_index(drop=True)
    found = found[found["type"].isin(types)].reset_index(drop=True)
    planted["p"] = range(len(planted))
    found["r"] = range(len(found))
    pairs = _match(planted, found, int(tolerance_days))
    planted["matched"] = planted["p"].isin(pairs["p"])
    found["matched"] = found["r"].isin(pairs["r"])
    rows = []
    for kind in types:
        p = planted[(planted["type"] == kind) & (planted["visible"] | (not visible_only))]
        r = found[found["type"] == kind]
        n_p, n_r = len(p), len(r)
        rows.append(
            {
                "type": kind,
                "planted": n_p,
                "recovered": n_r,
                "matched": int(p["matched"].sum()),
                "recall": float(p["matched"].sum() / n_p) if n_p else float("nan"),
                "precision": float(r["matched"].sum() / n_r) if n_r else float("nan"),
            }
        )
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class PdcError:
    """Mean absolute difference of recovered and planted PDC over the persons in both."""

    mean_absolute_error: float
    compared: int
    missing: int  # planted persons without a recovered PDC (null or absent)
    extra: int  # recovered persons absent from the truth (not compared)


def pdc_error(
    recovered: Any,
    truth: Mapping[str, pd.DataFrame] | str | Path | pd.DataFrame,
    *,
    column: str = "pdc",
) -> PdcError:
    """Mean absolute error of a recovered PDC per person (``patient_id``, ``column``)
    against ``planted_pdc`` of ``_truth_treatment``.

    Examples
    --------
    >>> truth = pd.DataFrame({"patient_id": ["a", "a", "b", "c"], "planted_pdc": [0.9, 0.9, 0.6, 1.0]})
    >>> found = pd.DataFrame({"patient_id": ["a", "b", "z"], "pdc": [0.8, 0.7, 0.5]})
    >>> e = pdc_error(found, truth)
    >>> round(e.mean_absolute_error, 6), e.compared, e.missing, e.extra
    (0.1, 2, 1, 1)
    """
    from snds_algos.backend import to_pandas

    truth = truth if isinstance(truth, pd.DataFrame) else treatment_truth(truth)
    frame = to_pandas(recovered)
    missing = [c for c in ("patient_id", column) if c not in frame.columns]
    if missing:
        raise ValueError(f"recovered PDC: missing column(s) {missing}; got {list(frame.columns)}")
    planted = truth.groupby(truth["patient_id"].astype(str))["planted_pdc"].first()
    found = pd.Series(
        frame[column].astype("float64").to_numpy(),
        index=frame["patient_id"].astype(str).to_numpy(),
    )
    if found.index.duplicated().any():
        dup = found.index[found.index.duplicated()].unique()[:3].tolist()
        raise ValueError(f"recovered PDC: several rows per patient_id, e.g. {dup}")
    found = found.dropna()
    both = planted.index.intersection(found.index)
    err = (found[both] - planted[both].astype("float64")).abs()
    return PdcError(
        mean_absolute_error=float(err.mean()) if len(both) else float("nan"),
        compared=len(both),
        missing=len(planted) - len(both),
        extra=len(found.index.difference(planted.index)),
    )
