"""Features for scikit-learn from events in windows before the index, without leakage.

:class:`WindowFeatures` is a scikit-learn transformer: ``fit`` learns the vocabulary of
(window, category, code) seen in the training cohort's windows, ``transform`` counts, for
each cohort row, the events of each learned code in each window, as a scipy sparse
matrix. Every window must end on or before the index (``b <= 0``): a window that reaches
after it (``b > 0`` or unbounded) is refused, as a feature built from the future leaks
the outcome. The event counting runs on the backend of the inputs; only the non-zero
counts are collected, to build the matrix.

This module needs scikit-learn (the ``ml`` extra); ``import snds_algos`` and
``import snds_algos.results`` do not import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import narwhals as nw
from sklearn.base import BaseEstimator, TransformerMixin

from snds_algos.backend import (
    PANDAS,
    backend_of,
    common_backend,
    distinct,
    lazy,
    to_pandas,
)
from snds_algos.windows import Window, check_window, cohort_frame, events_in_window

KEYS = ("patient_id", "index_date")


class LeakageError(ValueError):
    """A feature window reaches after the index date."""


def check_no_leakage(windows: Mapping[str, Window]) -> dict[str, Window]:
    """The windows, checked: each ends on or before the index day (offset ``<= 0``).

    Examples
    --------
    >>> check_no_leakage({"year": (-365, -1)})
    {'year': (-365, -1)}
    >>> check_no_leakage({"after": (-30, 30)})
    Traceback (most recent call last):
    ...
    snds_algos.results.features.LeakageError: feature window 'after' (-30, 30) reaches after the index date (it ends 30 days after it): features may only use days up to the index (end <= 0)
    """
    if not windows:
        raise ValueError("WindowFeatures: no window given")
    out = {}
    for name, window in windows.items():
        a, b = check_window(window, name=f"feature window {name!r}")
        if b is None or b > 0:
            how = "it has no end" if b is None else f"it ends {b} days after it"
            raise LeakageError(
                f"feature window {name!r} {tuple(window)!r} reaches after the index date "
                f"({how}): features may only use days up to the index (end <= 0)"
            )
        out[str(name)] = (a, b)
    return out


class WindowFeatures(TransformerMixin, BaseEstimator):
    """Counts of codes per window before the index, as a scikit-learn transformer.

    Parameters
    ----------
    events:
        Events (long schema: ``patient_id, category, value, start``) of the same backend
        as the cohort rows given to ``fit`` and ``transform``.
    windows:
        ``name -> (a, b)`` day offsets from the index, inclusive, ``b <= 0`` (default: the
        year before the index, index day excluded, ``{"year_before": (-365, -1)}``).
    categories:
        Event categories used (``None``: all).
    code_length:
        Codes truncated to this many characters (e.g. 3 for ICD-10 categories, 5 for ATC
        chemical subgroups); ``None`` keeps them whole.
    min_persons:
        A code enters the vocabulary when at least this many training rows have it.
    binary:
        ``True``: 1 when present instead of the count.

    Notes
    -----
    Output rows follow the order of the cohort rows on pandas, and ``patient_id,
    index_date`` order on DuckDB and Spark (see :meth:`row_keys`).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> rows = pd.DataFrame({"patient_id": ["P1", "P2"],
    ...                      "index_date": date_series(["2020-06-01", "2020-06-01"])})
    >>> ev = pd.DataFrame({"patient_id": ["P1", "P1", "P2"], "category": ["drug_dispensing"] * 3,
    ...                    "value": ["A10BA02", "A10BA02", "C09AA05"],
    ...                    "start": date_series(["2020-01-01", "2020-03-01", "2020-06-02"])})
    >>> f = WindowFeatures(ev, windows={"year": (-365, 0)}, code_length=5)
    >>> X = f.fit_transform(rows)
    >>> list(f.get_feature_names_out()), X.toarray().tolist()
    (['year:drug_dispensing:A10BA'], [[2.0], [0.0]])
    """

    def __init__(
        self,
        events: Any = None,
        *,
        windows: Mapping[str, Window] | None = None,
        categories: list[str] | tuple[str, ...] | None = None,
        code_length: int | None = None,
        min_persons: int = 1,
        binary: bool = False,
    ) -> None:
        self.events = events
        self.windows = windows
        self.categories = categories
        self.code_length = code_length
        self.min_persons = min_persons
        self.binary = binary

    def _windows(self) -> dict[str, Window]:
        return check_no_leakage(self.windows or {"year_before": (-365, -1)})

    def _codes(self, rows: Any) -> nw.LazyFrame:
        """(keys, window, category, code) of every event in a window, on the backend."""
        if self.events is None:
            raise ValueError("WindowFeatures: no events given")
        rows = cohort_frame(rows)
        common_backend({"cohort rows": rows, "events": self.events})
        keys = distinct(lazy(rows).select(*KEYS))
        ev = lazy(self.events)
        if self.categories is not None:
            ev = ev.filter(nw.col("category").is_in(list(self.categories)))
        value = nw.col("value")
        if self.code_length:
            value = value.str.slice(0, int(self.code_length))
        ev = ev.select("patient_id", "start", "category", value.alias("code"))
        parts = [
            events_in_window(keys, ev, window, columns=("category", "code")).with_columns(
                nw.lit(name).alias("window")
            )
            for name, window in self._windows().items()
        ]
        found = nw.concat(parts, how="vertical") if len(parts) > 1 else parts[0]
        return found.filter(~nw.col("code").is_null())

    def fit(self, X: Any, y: Any = None) -> WindowFeatures:
        """Learn the vocabulary of (window, category, code) on the training cohort rows."""
        if int(self.min_persons) < 1:
            raise ValueError(f"WindowFeatures: min_persons must be >= 1, not {self.min_persons}")
        found = distinct(self._codes(X).select(*KEYS, "window", "category", "code"))
        vocab = to_pandas(
            found.group_by("window", "category", "code").agg(nw.len().alias("persons"))
        )
        vocab = vocab[vocab["persons"].astype("int64") >= int(self.min_persons)]
        order = {name: i for i, name in enumerate(self._windows())}
        vocab = vocab.assign(__w=vocab["window"].map(order)).sort_values(
            ["__w", "category", "code"]
        )
        self.vocabulary_ = {
            (str(w), str(c), str(v)): i
            for i, (w, c, v) in enumerate(
                zip(vocab["window"], vocab["category"], vocab["code"], strict=True)
            )
        }
        self.feature_names_out_ = [f"{w}:{c}:{v}" for (w, c, v) in self.vocabulary_]
        self.n_features_in_ = 2
        return self

    def row_keys(self, X: Any) -> Any:
        """``patient_id, index_date`` of the output rows, in their order (pandas)."""
        rows = cohort_frame(X)
        if backend_of(rows) == PANDAS:
            return rows[list(KEYS)].reset_index(drop=True)
        keys = to_pandas(lazy(rows).select(*KEYS))
        return keys.sort_values(list(KEYS)).reset_index(drop=True)

    def transform(self, X: Any) -> Any:
        """A ``scipy.sparse.csr_matrix`` (float64), one row per cohort row, one column per
        learned feature (codes unseen at fit time are ignored)."""
        import numpy as np
        from scipy import sparse

        if not hasattr(self, "vocabulary_"):
            raise ValueError("WindowFeatures: call fit before transform")
        self._windows()
        counts = to_pandas(
            self._codes(X).group_by(*KEYS, "window", "category", "code").agg(nw.len().alias("n"))
        )
        keys = self.row_keys(X)
        position = {}
        for i, (p, d) in enumerate(zip(keys["patient_id"], keys["index_date"], strict=True)):
            position.setdefault((str(p), d), []).append(i)
        data, rows, cols = [], [], []
        for p, d, w, c, v, n in zip(
            counts["patient_id"],
            counts["index_date"],
            counts["window"],
            counts["category"],
            counts["code"],
            counts["n"],
            strict=True,
        ):
            j = self.vocabulary_.get((str(w), str(c), str(v)))
            if j is None:
                continue
            for i in position.get((str(p), d), []):
                rows.append(i)
                cols.append(j)
                data.append(1.0 if self.binary else float(n))
        shape = (len(keys), len(self.vocabulary_))
        matrix = sparse.csr_matrix(
            (
                np.asarray(data, dtype="f8"),
                (np.asarray(rows, dtype="i8"), np.asarray(cols, dtype="i8")),
            ),
            shape=shape,
        )
        matrix.sum_duplicates()
        matrix.sort_indices()
        return matrix

    def get_feature_names_out(self, input_features: Any = None) -> Any:
        """Feature names ``window:category:code`` (a numpy array of str)."""
        import numpy as np

        if not hasattr(self, "feature_names_out_"):
            raise ValueError("WindowFeatures: call fit first")
        return np.asarray(self.feature_names_out_, dtype=object)
