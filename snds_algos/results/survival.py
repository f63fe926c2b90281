"""Survival data from cohort rows, for lifelines and scikit-survival.

``duration_days = exit_date - index_date + 1`` (inclusive dates: a same-day exit lasts 1
day, never 0); ``event_code`` is 1 when the exit reason is an outcome, 2 a competing event
(death by default), 0 censored (end of data, end of follow-up, loss to follow-up...);
``event`` is ``event_code == 1``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import narwhals as nw

from snds_algos.backend import PANDAS, backend_of, days_between, lazy, to_native, to_pandas
from snds_algos.windows import cohort_frame

SURVIVAL_COLUMNS = (
    "patient_id",
    "index_date",
    "exit_date",
    "exit_reason",
    "duration_days",
    "event",
    "event_code",
)


def survival_data(
    cohort: Any,
    *,
    outcome_reasons: Iterable[str] = ("outcome",),
    competing_reasons: Iterable[str] = ("death",),
) -> Any:
    """``patient_id, index_date, exit_date, exit_reason, duration_days, event, event_code``.

    On the backend of the cohort rows (pandas sorted by ``patient_id, index_date``). An
    exit reason in ``outcome_reasons`` gives ``event_code`` 1, in ``competing_reasons``
    2, any other 0 (censored). A row without exit date, or exiting before its index, is
    an error naming a few of them (this check runs one small count).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> rows = pd.DataFrame({"patient_id": ["P11", "P13", "P12"],
    ...     "index_date": date_series(["2019-03-01", "2019-01-10", "2020-06-01"]),
    ...     "exit_date": date_series(["2019-05-10", "2019-01-10", "2020-12-31"]),
    ...     "exit_reason": ["outcome", "outcome", "end_of_data"]})
    >>> survival_data(rows)[["patient_id", "duration_days", "event", "event_code"]].values.tolist()
    [['P11', 71, True, 1], ['P12', 214, False, 0], ['P13', 1, True, 1]]
    """
    outcome, competing = sorted(set(outcome_reasons)), sorted(set(competing_reasons))
    both = sorted(set(outcome) & set(competing))
    if both:
        raise ValueError(f"survival_data: reasons both outcome and competing: {', '.join(both)}")
    rows = cohort_frame(cohort, ("patient_id", "index_date", "exit_date", "exit_reason"))
    lf = lazy(rows).select("patient_id", "index_date", "exit_date", "exit_reason")
    lf = days_between(lf, "index_date", "exit_date", "__days")
    bad = lf.filter(nw.col("__days").is_null() | (nw.col("__days") < 0)).select("patient_id")
    offending = to_pandas(bad.head(5))
    if len(offending):
        raise ValueError(
            "survival_data: cohort rows without an exit date or exiting before their index "
            f"(patient_id {', '.join(map(str, offending['patient_id']))})"
        )
    reason = nw.col("exit_reason")
    code = (
        nw.when(reason.is_in(outcome).fill_null(False))
        .then(nw.lit(1))
        .when(reason.is_in(competing).fill_null(False))
        .then(nw.lit(2))
        .otherwise(nw.lit(0))
    )
    out = lf.with_columns(
        (nw.col("__days") + 1).cast(nw.Int64()).alias("duration_days"),
        code.cast(nw.Int64()).alias("event_code"),
    ).with_columns((nw.col("event_code") == 1).alias("event"))
    native = to_native(out.select(*SURVIVAL_COLUMNS))
    if backend_of(native) != PANDAS:
        return native
    native["duration_days"] = native["duration_days"].astype("Int64")
    native["event_code"] = native["event_code"].astype("Int64")
    native["event"] = native["event"].astype(bool)
    return native.sort_values(["patient_id", "index_date"]).reset_index(drop=True)


def to_lifelines(survival: Any) -> Any:
    """A pandas frame for lifelines: ``duration_days`` (int), ``event`` (bool),
    ``event_code`` and the keys (collects a lazy result).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> rows = pd.DataFrame({"patient_id": ["P1"], "index_date": date_series(["2020-01-01"]),
    ...     "exit_date": date_series(["2020-01-01"]), "exit_reason": ["death"]})
    >>> to_lifelines(survival_data(rows))[["duration_days", "event", "event_code"]].values.tolist()
    [[1, False, 2]]
    """
    frame = to_pandas(survival).sort_values(["patient_id", "index_date"]).reset_index(drop=True)
    frame["duration_days"] = frame["duration_days"].astype("int64")
    frame["event"] = frame["event"].astype(bool)
    frame["event_code"] = frame["event_code"].astype("int64")
    return frame


def to_sksurv(survival: Any, *, event_code: int = 1) -> Any:
    """A numpy structured array ``(event, duration_days)`` as scikit-survival expects for
    ``y`` (``sksurv.util.Surv.from_arrays``), in ``patient_id, index_date`` order.

    ``event_code`` picks the event (1 the outcome; 2 for the competing event).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> rows = pd.DataFrame({"patient_id": ["P1", "P2"],
    ...     "index_date": date_series(["2020-01-01", "2020-01-01"]),
    ...     "exit_date": date_series(["2020-01-10", "2020-03-01"]),
    ...     "exit_reason": ["outcome", "end_of_data"]})
    >>> y = to_sksurv(survival_data(rows))
    >>> y.dtype.names, y["event"].tolist(), y["duration_days"].tolist()
    (('event', 'duration_days'), [True, False], [10.0, 61.0])
    """
    import numpy as np

    frame = to_lifelines(survival)
    out = np.empty(len(frame), dtype=[("event", bool), ("duration_days", "f8")])
    out["event"] = (frame["event_code"] == event_code).to_numpy()
    out["duration_days"] = frame["duration_days"].to_numpy(dtype="f8")
    return out
