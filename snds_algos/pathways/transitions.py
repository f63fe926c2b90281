"""Transitions between treatment states, with their types (``pathways.md`` section 3.3).

One row per change of state, dated on the first day of the new state, and one row for
the end of follow-up, dated on its last day. Types:

==================  ===========================================================
``initiation``      the first treated state (``from_state`` null when the
                    follow-up starts treated, ``none`` after an untreated start)
``add_on``          treated to treated, the new set strictly contains the old
``step_down``       treated to treated, the new set is strictly contained (not empty)
``switch``          treated to treated otherwise; also the end of an interruption
                    when the set after it differs from the set before it
``interruption``    treated to ``none``, the ``none`` lasting less than
                    ``discontinuation_gap_days`` and followed by a treated state
``resumption``      ``none`` (an interruption) back to the same set as before it
``discontinuation`` treated to ``none``, the ``none`` lasting at least
                    ``discontinuation_gap_days`` (up to the end of follow-up or not)
``restart``         ``none`` (a discontinuation) to a treated state
``censored``        treated to ``none``, the ``none`` shorter than
                    ``discontinuation_gap_days`` running into the end of follow-up
``death``,          the end of follow-up (``to_state`` null), dated on its last day;
``end_of_data``,    a death during treatment is a ``death`` row after the treated
``cohort_exit``     state, never a discontinuation
==================  ===========================================================

How an interruption reads: a gap shorter than ``discontinuation_gap_days`` gives two
rows, ``interruption`` (treated to ``none``) then ``resumption`` (``none`` back to the
same set) or ``switch`` (``none`` to another set, whatever their inclusion: A, a 20-day
gap, then A+B is a switch dated when A+B starts).
"""

from __future__ import annotations

from typing import Any

import narwhals as nw

from snds_algos.backend import computed_once, day_number, explode_split, lazy
from snds_algos.pathways.followup import PID, check_days, concat, finish, require_columns
from snds_algos.pathways.states import NONE

#: columns of :func:`transitions`, with their types
TRANSITION_SCHEMA = {
    "patient_id": "string",
    "transition_no": "integer",
    "date": "date",
    "from_state": "string",
    "to_state": "string",
    "type": "string",
}
#: total order of transitions
TRANSITION_ORDER = ("patient_id", "transition_no")
#: types of a change of state that enters a treated state
TREATED_TYPES = ("initiation", "add_on", "step_down", "switch", "resumption", "restart")


def state_keys(states: nw.LazyFrame) -> nw.LazyFrame:
    """``patient_id, state_no, key``: the keys of each treated state (split labels)."""
    treated = states.filter(nw.col("state") != NONE).select(PID, "state_no", "state")
    return explode_split(treated, "state", "key", sep="+").select(PID, "state_no", "key")


def transitions(states: Any, *, discontinuation_gap_days: int = 60) -> Any:
    """Transitions between the treatment states of each person, with their types.

    Parameters
    ----------
    states:
        The output of :func:`~snds_algos.pathways.treatment_states` (any frame with
        ``patient_id, state_no, state, n_keys, start, end, end_reason``).
    discontinuation_gap_days:
        A ``none`` state of at least this many days is a discontinuation; shorter, an
        interruption (or ``censored`` when it runs into the end of follow-up).

    Returns
    -------
    ``patient_id, transition_no, date, from_state, to_state, type`` (types in the
    module's table), total order ``patient_id, transition_no`` (the date order).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> from snds_algos.pathways import treatment_states
    >>> periods = pd.DataFrame({"patient_id": ["P1", "P1"], "key": ["A", "B"],
    ...     "start": date_series(["2020-01-01", "2020-03-20"]),
    ...     "end": date_series(["2020-03-31", "2020-06-30"])})
    >>> out = transitions(treatment_states(periods, data_end="2020-08-31"))
    >>> out[["date", "from_state", "to_state", "type"]].astype(str).values.tolist()
    [['2020-01-01', '<NA>', 'A', 'initiation'], ['2020-03-20', 'A', 'B', 'switch'], ['2020-07-01', 'B', 'none', 'discontinuation'], ['2020-08-31', 'none', '<NA>', 'end_of_data']]
    """
    gap = check_days("discontinuation_gap_days", discontinuation_gap_days, 1)
    require_columns(
        states, "states", [PID, "state_no", "state", "n_keys", "start", "end", "end_reason"]
    )
    st = lazy(states).select(
        PID,
        nw.col("state_no").cast(nw.Int64),
        "state",
        nw.col("n_keys").cast(nw.Int64),
        "start",
        "end",
        "end_reason",
    )
    st = computed_once(day_number(day_number(st, "start", "s"), "end", "e").drop("start", "end"))
    keys = computed_once(state_keys(st))
    prev_keys = keys.select(PID, (nw.col("state_no") + 1).alias("state_no"), "key")
    common = keys.join(prev_keys, on=[PID, "state_no", "key"], how="inner")
    common = common.group_by(PID, "state_no").agg(nw.len().alias("common"))
    st = st.join(common, on=[PID, "state_no"], how="left").with_columns(
        nw.col("common").fill_null(0).cast(nw.Int64)
    )

    def lag(column: str, n: int = 1) -> nw.Expr:
        return nw.col(column).shift(n).over(PID, order_by="state_no")

    def lag_int(column: str) -> nw.Expr:  # via Float64: narwhals' Int64 shift can fail on pandas
        shifted = nw.col(column).cast(nw.Float64).shift(1).over(PID, order_by="state_no")
        return shifted.cast(nw.Int64)

    length = nw.col("e") - nw.col("s") + 1
    st = st.with_columns(
        lag("state").alias("prev"),
        lag("state", 2).alias("prev2"),
        lag_int("n_keys").alias("prev_n"),
        (lag_int("e") - lag_int("s") + 1).alias("prev_len"),
        nw.col("state").shift(-1).over(PID, order_by="state_no").alias("next"),
        length.alias("len"),
    )
    none, treated = nw.col("state") == NONE, nw.col("state") != NONE
    first = nw.col("prev").is_null()
    after_none = nw.col("prev") == NONE
    kind = (
        nw.when(first & treated)
        .then(nw.lit("initiation"))
        .when(first)
        .then(nw.lit(None, dtype=nw.String()))
        .when(none & (nw.col("len") >= gap))
        .then(nw.lit("discontinuation"))
        .when(none & nw.col("next").is_null())
        .then(nw.lit("censored"))
        .when(none)
        .then(nw.lit("interruption"))
        .when(after_none & nw.col("prev2").is_null())
        .then(nw.lit("initiation"))
        .when(after_none & (nw.col("prev_len") >= gap))
        .then(nw.lit("restart"))
        .when(after_none & (nw.col("state") == nw.col("prev2")))
        .then(nw.lit("resumption"))
        .when(after_none)
        .then(nw.lit("switch"))
        .when((nw.col("common") == nw.col("prev_n")) & (nw.col("n_keys") > nw.col("prev_n")))
        .then(nw.lit("add_on"))
        .when((nw.col("common") == nw.col("n_keys")) & (nw.col("n_keys") < nw.col("prev_n")))
        .then(nw.lit("step_down"))
        .otherwise(nw.lit("switch"))
    )
    st = computed_once(st)
    changes = st.with_columns(kind.alias("type")).filter(~nw.col("type").is_null())
    changes = changes.select(
        PID,
        (nw.col("state_no") * 2).alias("order"),
        nw.col("s").alias("day"),
        nw.col("prev").alias("from_state"),
        nw.col("state").alias("to_state"),
        "type",
    )
    ends = st.filter(~nw.col("end_reason").is_null()).select(
        PID,
        (nw.col("state_no") * 2 + 1).alias("order"),
        nw.col("e").alias("day"),
        nw.col("state").alias("from_state"),
        nw.lit(None, dtype=nw.String()).alias("to_state"),
        nw.col("end_reason").alias("type"),
    )
    rows = concat([changes, ends])
    rows = rows.with_columns(
        nw.col("order").rank("ordinal").over(PID).cast(nw.Int64).alias("transition_no")
    )
    return finish(rows, {"day": "date"}, TRANSITION_SCHEMA, TRANSITION_ORDER)
