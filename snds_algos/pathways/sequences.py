"""Sequences of treatment states: time bins, STS strings, pathways and their counts
(``pathways.md`` section 5, worked example E11).

* :func:`state_bins`: bins of ``bin_days`` days from an index day (a cohort's index,
  or the first treated day) to the end of follow-up; the state of a bin is the state
  label with most days in it (days of one label are summed, e.g. A, a short ``none``,
  then A again), ties going to the label seen first in the bin. The last bin may be
  partial (``observed_days`` < ``bin_days``). With ``horizon_bins`` every person gets
  bins 1 to ``horizon_bins``: bins after the end of follow-up read ``death`` when the
  follow-up ended by death, else ``censored`` (``observed_days`` 0), and bins beyond
  the horizon are left out.
* :func:`sts_strings`: one string per person, the bin states in order joined with
  ``-`` (``"A-A-B-B"``): the STS format of TraMineR (``seqdef(data, stsep = "-")``),
  sequenzo and tanat. A state label holding the separator would make the string
  ambiguous: choose another ``sep`` then.
* :func:`pathways`: per person, the consecutive distinct treated states (``none``
  states are skipped, so an interruption followed by a resumption leaves one step),
  with a ``Stopped`` step at each discontinuation, at most ``max_path_length`` steps,
  joined with ``" - "`` (``"A - B - Stopped"``). Persons never treated have no pathway.
* :func:`pathway_counts`: persons per pathway, a small aggregate (pandas), with the
  counts of 1 to ``threshold - 1`` persons masked (:mod:`snds_algos.disclosure`).
"""

from __future__ import annotations

from typing import Any

import narwhals as nw
import pandas as pd

from snds_algos.backend import (
    backend_of,
    common_backend,
    computed_once,
    day_number,
    explode_range,
    lazy,
    string_agg,
    to_pandas,
)
from snds_algos.disclosure import DEFAULT_THRESHOLD, format_counts, suppress
from snds_algos.pathways.followup import PID, check_days, concat, finish, require_columns
from snds_algos.pathways.transitions import TREATED_TYPES, transitions

#: columns of :func:`state_bins`, with their types
BIN_SCHEMA = {
    "patient_id": "string",
    "bin": "integer",
    "state": "string",
    "state_days": "integer",
    "observed_days": "integer",
}
#: columns of :func:`pathways`
PATHWAY_SCHEMA = {"patient_id": "string", "n_steps": "integer", "pathway": "string"}
#: the step that follows a discontinuation in a pathway
STOPPED = "Stopped"
#: separator of the steps of a pathway
STEP_SEP = " - "


def state_bins(
    states: Any,
    *,
    bin_days: int = 30,
    index: Any = None,
    horizon_bins: int | None = None,
) -> Any:
    """The state of each person in consecutive bins of ``bin_days`` days.

    Parameters
    ----------
    states:
        Output of :func:`~snds_algos.pathways.treatment_states`.
    bin_days:
        Length of a bin; bin ``b`` (from 1) covers days ``[index + (b - 1) * bin_days,
        index + b * bin_days - 1]``.
    index:
        A frame ``patient_id, index_date`` (e.g. a cohort's index); default: each
        person's first treated day. Days before the index are left out; a person
        without index (never treated, or absent from ``index``) has no bin.
    horizon_bins:
        When given, bins up to this number for everybody (``death`` or ``censored``
        after the end of follow-up); bins beyond it are left out.

    Returns
    -------
    ``patient_id, bin, state, state_days, observed_days``: ``state_days`` days of the
    bin in that state, ``observed_days`` days of the bin in the follow-up. Total order
    ``patient_id, bin``.

    Examples
    --------
    E11: E6's states over 2020-01-01 .. 08-31 in 30-day bins.

    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> from snds_algos.pathways import treatment_states
    >>> periods = pd.DataFrame({"patient_id": ["P1", "P1"], "key": ["A", "B"],
    ...     "start": date_series(["2020-01-01", "2020-03-20"]),
    ...     "end": date_series(["2020-03-31", "2020-06-30"])})
    >>> bins = state_bins(treatment_states(periods, data_end="2020-08-31"))
    >>> bins["state"].tolist(), bins["observed_days"].tolist()[-1]
    (['A', 'A', 'A', 'B', 'B', 'B', 'none', 'none', 'none'], 4)
    """
    width = check_days("bin_days", bin_days, 1)
    if horizon_bins is not None:
        check_days("horizon_bins", horizon_bins, 1)
    require_columns(states, "states", [PID, "state", "n_keys", "start", "end", "end_reason"])
    common_backend({"states": states, "index": index})
    st = lazy(states).select(
        PID, "state", nw.col("n_keys").cast(nw.Int64), "start", "end", "end_reason"
    )
    st = computed_once(day_number(day_number(st, "start", "s"), "end", "e").drop("start", "end"))
    fu = st.group_by(PID).agg(nw.col("e").max().alias("fe"))
    reason = st.filter(~nw.col("end_reason").is_null()).select(PID, "end_reason")
    if index is None:
        idx = st.filter(nw.col("n_keys") > 0).group_by(PID).agg(nw.col("s").min().alias("i0"))
    else:
        require_columns(index, "index", [PID, "index_date"])
        idx = day_number(lazy(index).select(PID, "index_date"), "index_date", "i0").select(
            PID, "i0"
        )
    st = (
        st.join(idx, on=PID, how="inner")
        .with_columns(nw.max_horizontal("s", "i0").alias("s"))
        .filter(nw.col("s") <= nw.col("e"))
    )
    # bins a state overlaps
    st = st.with_columns(
        ((nw.col("s") - nw.col("i0")) // width + 1).cast(nw.Int64).alias("b0"),
        ((nw.col("e") - nw.col("i0")) // width + 1).cast(nw.Int64).alias("b1"),
    )
    pieces = explode_range(st, "b0", "b1", "bin")
    lo = nw.col("i0") + (nw.col("bin") - 1) * width
    hi = lo + width - 1
    pieces = pieces.with_columns(
        (nw.min_horizontal("e", hi) - nw.max_horizontal("s", lo) + 1).cast(nw.Int64).alias("days"),
        nw.max_horizontal("s", lo).alias("first"),
    )
    per_label = pieces.group_by(PID, "bin", "state").agg(
        nw.col("days").sum().alias("state_days"), nw.col("first").min().alias("first")
    )
    per_label = per_label.with_columns(
        nw.col("state_days").sum().over(PID, "bin").alias("observed_days"),
        nw.col("state_days").cast(nw.Int64),
    )
    best = nw.col("state_days").max().over(PID, "bin")
    top = per_label.filter(nw.col("state_days") == best)
    top = top.filter(nw.col("first") == nw.col("first").min().over(PID, "bin"))
    out = top.select(PID, "bin", "state", "state_days", nw.col("observed_days").cast(nw.Int64))
    if horizon_bins is not None:
        out = out.filter(nw.col("bin") <= horizon_bins)
        last = fu.join(idx, on=PID, how="inner").join(reason, on=PID, how="left")
        last = last.with_columns(
            nw.when(nw.col("fe") < nw.col("i0"))
            .then(nw.lit(1, dtype=nw.Int64))
            .otherwise((nw.col("fe") - nw.col("i0")) // width + 2)
            .cast(nw.Int64)
            .alias("b0"),
            nw.lit(horizon_bins, dtype=nw.Int64).alias("b1"),
        )
        after = explode_range(last, "b0", "b1", "bin").select(
            PID,
            "bin",
            nw.when(nw.col("end_reason") == "death")
            .then(nw.lit("death"))
            .otherwise(nw.lit("censored"))
            .alias("state"),
            nw.lit(0, dtype=nw.Int64).alias("state_days"),
            nw.lit(0, dtype=nw.Int64).alias("observed_days"),
        )
        out = concat([out, after])
    return finish(out, {}, BIN_SCHEMA, ("patient_id", "bin"))


def sts_strings(bins: Any, *, sep: str = "-") -> Any:
    """One STS string per person: the states of :func:`state_bins` in bin order.

    Returns ``patient_id, sequence, n_bins`` (total order ``patient_id``). The bins of a
    person are consecutive from 1, so position ``t`` of the string is bin ``t``.

    Examples
    --------
    >>> import pandas as pd
    >>> bins = pd.DataFrame({"patient_id": ["P1"] * 4, "bin": [1, 2, 3, 4],
    ...                      "state": ["A", "A", "B", "none"]})
    >>> sts_strings(bins).values.tolist()
    [['P1', 'A-A-B-none', 4]]
    """
    require_columns(bins, "bins", [PID, "bin", "state"])
    lf = lazy(bins).select(PID, nw.col("bin").cast(nw.Int64), nw.col("state").cast(nw.String()))
    out = string_agg(lf, [PID], "state", "sequence", sep=sep, order_by="bin", count="n_bins")
    schema = {"patient_id": "string", "sequence": "string", "n_bins": "integer"}
    return finish(out, {}, schema, ("patient_id",))


def pathways(data: Any, *, max_path_length: int = 5, discontinuation_gap_days: int = 60) -> Any:
    """Treatment pathway of each person: consecutive distinct treated states.

    Parameters
    ----------
    data:
        Output of :func:`~snds_algos.pathways.transitions`, or of
        :func:`~snds_algos.pathways.treatment_states` (transitions are then computed
        with ``discontinuation_gap_days``).
    max_path_length:
        Steps kept (the first ones).

    Returns
    -------
    ``patient_id, n_steps, pathway`` (steps joined with ``" - "``), total order
    ``patient_id``.

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> from snds_algos.pathways import treatment_states
    >>> periods = pd.DataFrame({"patient_id": ["P1", "P1"], "key": ["A", "B"],
    ...     "start": date_series(["2020-01-01", "2020-03-20"]),
    ...     "end": date_series(["2020-03-31", "2020-06-30"])})
    >>> pathways(treatment_states(periods, data_end="2020-08-31")).values.tolist()
    [['P1', 3, 'A - B - Stopped']]
    """
    length = check_days("max_path_length", max_path_length, 1)
    names = require_columns(data, "data", [PID])
    if "type" not in names:
        data = transitions(data, discontinuation_gap_days=discontinuation_gap_days)
    require_columns(data, "transitions", [PID, "transition_no", "to_state", "type"])
    tr = lazy(data).select(PID, nw.col("transition_no").cast(nw.Int64), "to_state", "type")
    steps = tr.filter(nw.col("type").is_in([*TREATED_TYPES, "discontinuation"])).select(
        PID,
        "transition_no",
        nw.when(nw.col("type") == "discontinuation")
        .then(nw.lit(STOPPED))
        .otherwise(nw.col("to_state"))
        .alias("step"),
    )
    prev = nw.col("step").shift(1).over(PID, order_by="transition_no")
    steps = steps.filter((prev.is_null() | (prev != nw.col("step"))).fill_null(True))
    steps = steps.with_columns(
        nw.col("transition_no").rank("ordinal").over(PID).cast(nw.Int64).alias("step_no")
    ).filter(nw.col("step_no") <= length)
    out = string_agg(
        steps, [PID], "step", "pathway", sep=STEP_SEP, order_by="step_no", count="n_steps"
    )
    return finish(out, {}, PATHWAY_SCHEMA, ("patient_id",))


def pathway_counts(
    paths: Any, *, threshold: int | None = DEFAULT_THRESHOLD, rounding: int | None = None
) -> pd.DataFrame:
    """Persons per pathway, with small counts masked (a pandas table).

    Parameters
    ----------
    paths:
        Output of :func:`pathways` (any backend; the counts are computed there, and
        only the aggregate is brought to pandas).
    threshold:
        Counts from 1 to ``threshold - 1`` are masked (default 11, the SNDS rule);
        ``None`` shows every count (for work that stays inside the platform).
    rounding:
        Optional rounding of the shown counts (see :func:`snds_algos.disclosure.suppress`).

    Returns
    -------
    ``pathway, n_steps, n_persons, n_persons_shown``: ``n_persons`` null when masked,
    ``n_persons_shown`` the text to publish (``<11``); sorted by decreasing count
    (masked ones last), then pathway. No total row: the sum of the shown counts is not
    the number of persons.

    Examples
    --------
    >>> import pandas as pd
    >>> paths = pd.DataFrame({"patient_id": [f"P{i}" for i in range(15)],
    ...     "n_steps": [1] * 12 + [2] * 3, "pathway": ["A"] * 12 + ["A - B"] * 3})
    >>> pathway_counts(paths).values.tolist()
    [['A', 1, 12, '12'], ['A - B', 2, <NA>, '<11']]
    """
    require_columns(paths, "paths", [PID, "n_steps", "pathway"])
    counts = (
        lazy(paths).group_by("pathway", "n_steps").agg(nw.col(PID).n_unique().alias("n_persons"))
    )
    table = to_pandas(
        counts.collect().to_native() if backend_of(paths) == "pandas" else counts.to_native()
    )
    table = table.astype({"n_persons": "Int64", "n_steps": "Int64"})
    table = table.sort_values(["n_persons", "pathway"], ascending=[False, True], kind="stable")
    table = table.reset_index(drop=True)[["pathway", "n_steps", "n_persons"]]
    shown = format_counts(table, ["n_persons"], threshold=threshold, rounding=rounding)
    masked = suppress(table, ["n_persons"], threshold=threshold, rounding=rounding)
    out = masked.assign(n_persons_shown=shown["n_persons"].astype("string[pyarrow]"))
    out["pathway"] = out["pathway"].astype("string[pyarrow]")
    hidden = out["n_persons"].isna()
    return pd.concat([out[~hidden], out[hidden]]).reset_index(drop=True)
