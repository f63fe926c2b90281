"""The :class:`Cohort` object: rows, attrition, rule statistics, algebra."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any

import narwhals as nw
import pandas as pd

from snds_algos.backend import PANDAS, backend_of_lazy, from_day_number, to_native
from snds_algos.cohorts._frames import PID, lit
from snds_algos.cohorts.attrition import (
    RULE_STATS_COLUMNS,
    attrition_table,
    suppressed_attrition,
)
from snds_algos.cohorts.exit import reason_name
from snds_algos.disclosure import DEFAULT_THRESHOLD

#: columns of ``cohort.rows``, in order (``era_entries`` follows when eras apply)
ROW_COLUMNS = (
    "patient_id",
    "index_date",
    "exit_date",
    "exit_reason",
    "entry_value",
    "duration_days",
)
#: the total order of ``cohort.rows``
ROW_ORDER = ("patient_id", "index_date")

Steps = Callable[[], list[tuple[str, int, int]]]


class Cohort:
    """A study population: one row per person and period, an attrition table that adds up
    and the rule statistics.

    Built by :func:`snds_algos.cohorts.build_cohort`; combined with ``&``, ``-``, ``|``
    and :meth:`intersect_time`. ``rows`` is a frame of the input's backend (pandas
    sorted by ``patient_id, index_date``; DuckDB and Spark lazy), ``attrition`` and
    ``rule_stats`` are small pandas tables computed on first access.
    """

    def __init__(
        self,
        name: str,
        rows: nw.LazyFrame,
        steps: Steps,
        *,
        rule_stats: Callable[[], pd.DataFrame] | None = None,
        era_column: bool = False,
        definition: Any = None,
    ) -> None:
        self.name = name
        self._rows = rows  # patient_id, __idx, __exit, __rank, entry_value[, era_entries]
        self._steps = steps
        self._rule_stats = rule_stats
        self._era_column = era_column
        self.definition = definition

    def __repr__(self) -> str:
        return f"Cohort({self.name!r}, backend={self.backend!r})"

    @property
    def backend(self) -> str:
        """``"pandas"``, ``"duckdb"`` or ``"spark"``."""
        return backend_of_lazy(self._rows)

    @cached_property
    def rows(self) -> Any:
        """``patient_id, index_date, exit_date, exit_reason, entry_value, duration_days``
        (+ ``era_entries`` when a person may have several rows); dates inclusive,
        ``duration_days = exit - index + 1``; sorted on pandas."""
        lf = self._rows.with_columns(
            nw.col("__idx").alias("__i"),
            nw.col("__exit").alias("__x"),
            reason_name("__rank").alias("exit_reason"),
        )
        lf = from_day_number(lf, {"__i": "index_date", "__x": "exit_date"})
        lf = lf.with_columns((nw.col("__exit") - nw.col("__idx") + lit(1)).alias("duration_days"))
        cols = [*ROW_COLUMNS, *(["era_entries"] if self._era_column else [])]
        lf = lf.select(
            *[
                nw.col(c).cast(nw.Int64) if c in ("duration_days", "era_entries") else nw.col(c)
                for c in cols
            ]
        )
        native = to_native(lf)
        if backend_of_lazy(lf) == PANDAS:
            text = pd.StringDtype("pyarrow")
            native = native.astype({"patient_id": text, "exit_reason": text, "entry_value": text})
            native = native.sort_values(list(ROW_ORDER), kind="stable").reset_index(drop=True)
        return native

    @cached_property
    def attrition(self) -> pd.DataFrame:
        """``step, reason, n_persons, n_records, excluded_persons, excluded_records``."""
        return attrition_table(self._steps())

    @cached_property
    def rule_stats(self) -> pd.DataFrame:
        """Per inclusion rule, among the records entering the rules: records and persons
        that satisfy it, and that fail it alone (pass every other rule)."""
        if self._rule_stats is None:
            return pd.DataFrame(columns=RULE_STATS_COLUMNS)
        return self._rule_stats()

    def attrition_suppressed(
        self,
        threshold: int | None = DEFAULT_THRESHOLD,
        *,
        as_text: bool = True,
        rounding: int | None = None,
    ) -> pd.DataFrame:
        """The attrition table with counts of 1 to ``threshold - 1`` masked (secondary
        suppression over each step's sum); ``threshold=None`` shows every count;
        ``rounding`` rounds the shown counts, the table still adding up (see
        :func:`~snds_algos.cohorts.attrition.suppressed_attrition`)."""
        return suppressed_attrition(self.attrition, threshold, as_text=as_text, rounding=rounding)

    def flowchart(
        self, path: Any = None, *, threshold: int | None = DEFAULT_THRESHOLD, **kw: Any
    ) -> Any:
        """A CONSORT-style flowchart of the attrition (matplotlib figure; written to
        ``path`` when given). See :func:`snds_algos.cohorts.flowchart.flowchart`."""
        from snds_algos.cohorts.flowchart import flowchart

        return flowchart(
            self.attrition, path, threshold=threshold, title=kw.pop("title", self.name), **kw
        )

    # ---------------------------------------------------------------- algebra
    def __and__(self, other: Cohort) -> Cohort:
        from snds_algos.cohorts.algebra import persons_in

        return persons_in(self, other, keep=True)

    def __sub__(self, other: Cohort) -> Cohort:
        from snds_algos.cohorts.algebra import persons_in

        return persons_in(self, other, keep=False)

    def __or__(self, other: Cohort) -> Cohort:
        from snds_algos.cohorts.algebra import union

        return union(self, other)

    def intersect_time(self, other: Cohort) -> Cohort:
        """Person-time in both cohorts: per person, the overlaps of their rows.

        The exit reason of an overlap is that of the row that ends first (``self`` on a
        tie); the entry value is ``self``'s.
        """
        from snds_algos.cohorts.algebra import intersect_time

        return intersect_time(self, other)


__all__ = ["PID", "ROW_COLUMNS", "Cohort"]
