"""Reports of what a computation removed or could not attribute.

Nothing is dropped silently: every cleaning rule and every patient-attribution outcome
adds its counts to a :class:`Report`. Counts are lazy: on Spark nothing runs until the
report is read (``report.to_pandas()``), and then each block of counts is computed in a
single aggregation over its table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import narwhals as nw
import pandas as pd

from snds_algos.backend import lazy
from snds_algos.disclosure import DEFAULT_THRESHOLD

COLUMNS = ["table", "step", "description", "rows_in", "rows_removed", "rows_out"]


@dataclass
class _Block:
    table: str
    steps: list[tuple[str, str, str]]  # (step, description, count column)
    counts: nw.LazyFrame  # one row: "n" and one column per step
    _cache: list[dict[str, Any]] | None = None

    def records(self) -> list[dict[str, Any]]:
        if self._cache is None:
            row = self.counts.collect().to_pandas().iloc[0].to_dict()
            remaining = int(row["n"])
            out = []
            for step, description, column in self.steps:
                removed = int(row[column] or 0)
                out.append(
                    {
                        "table": self.table,
                        "step": step,
                        "description": description,
                        "rows_in": remaining,
                        "rows_removed": removed,
                        "rows_out": remaining - removed,
                    }
                )
                remaining -= removed
            self._cache = out
        return self._cache


@dataclass
class Report:
    """Counts of rows removed, step by step, per table.

    Examples
    --------
    >>> import pandas as pd, narwhals as nw
    >>> from snds_algos.backend import lazy
    >>> report = Report()
    >>> frame = lazy(pd.DataFrame({"DPN_QLF": ["71", "0", "0"]}))
    >>> report.add_flags("ER_PRS_F", frame, [("information_lines", "DPN_QLF = 71",
    ...                                        nw.col("DPN_QLF") == "71")])
    >>> report.to_pandas()[["table", "step", "rows_in", "rows_removed", "rows_out"]].values.tolist()
    [['ER_PRS_F', 'information_lines', 3, 1, 2]]
    """

    blocks: list[_Block] = field(default_factory=list)
    skipped: list[tuple[str, str, str]] = field(default_factory=list)
    #: ``(table, message)``: what makes a result incomplete (see :meth:`warn`)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    #: rows counted but not removed (e.g. placeholder dates read as "no date")
    notes: list[_Block] = field(default_factory=list)

    def add_flags(
        self,
        table: str,
        frame: Any,
        steps: Sequence[tuple[str, str, nw.Expr]],
    ) -> None:
        """Count rows removed by sequential drop conditions over ``frame``.

        A row is counted by the first step whose condition is true (a null condition
        counts as false), like applying the filters one after the other.
        """
        lf = lazy(frame)
        flags = [cond.fill_null(False).alias(f"__f{i}") for i, (_, _, cond) in enumerate(steps)]
        aggs = [nw.len().alias("n")]
        for i in range(len(steps)):
            first = nw.col(f"__f{i}")
            if i:
                first = first & ~nw.any_horizontal(
                    *[nw.col(f"__f{j}") for j in range(i)], ignore_nulls=True
                )
            aggs.append(first.cast(nw.Int64).sum().alias(f"__r{i}"))
        counts = lf.select(*flags).select(*aggs)
        self.blocks.append(
            _Block(table, [(s, d, f"__r{i}") for i, (s, d, _) in enumerate(steps)], counts)
        )

    def add_counts(self, table: str, counts: Any, steps: Sequence[tuple[str, str, str]]) -> None:
        """Add precomputed lazy counts: ``counts`` has one row with ``n`` (rows in) and one
        column per step (``steps``: step, description, column)."""
        self.blocks.append(_Block(table, list(steps), lazy(counts)))

    def add_notes(self, table: str, frame: Any, steps: Sequence[tuple[str, str, nw.Expr]]) -> None:
        """Count rows meeting each condition without removing them (lazy, like
        :meth:`add_flags`): e.g. end dates that are placeholders read as "no end".

        >>> import pandas as pd, narwhals as nw
        >>> from snds_algos.backend import lazy
        >>> report = Report()
        >>> report.add_notes("IR_IMB_R", lazy(pd.DataFrame({"x": [1, 2]})),
        ...                  [("ald:end_placeholder", "x is 1", nw.col("x") == 1)])
        >>> report.notes_pandas()[["step", "rows_in", "rows_counted"]].values.tolist()
        [['ald:end_placeholder', 2, 1]]
        """
        lf = lazy(frame)
        aggs = [nw.len().alias("n")] + [
            cond.fill_null(False).cast(nw.Int64).sum().alias(f"__r{i}")
            for i, (_, _, cond) in enumerate(steps)
        ]
        self.notes.append(
            _Block(
                table, [(s, d, f"__r{i}") for i, (s, d, _) in enumerate(steps)], lf.select(*aggs)
            )
        )

    def add_note_counts(
        self, table: str, counts: Any, steps: Sequence[tuple[str, str, str]]
    ) -> None:
        """Add precomputed lazy counts of rows counted but not removed (``counts``: one
        row with ``n`` and one column per step, as in :meth:`add_counts`)."""
        self.notes.append(_Block(table, list(steps), lazy(counts)))

    def notes_pandas(self) -> pd.DataFrame:
        """The counted-not-removed rows: table, step, description, rows_in, rows_counted."""
        out = []
        for block in self.notes:
            row = block.counts.collect().to_pandas().iloc[0].to_dict()
            for step, description, column in block.steps:
                out.append(
                    {
                        "table": block.table,
                        "step": step,
                        "description": description,
                        "rows_in": int(row["n"]),
                        "rows_counted": int(row[column] or 0),
                    }
                )
        return pd.DataFrame(
            out, columns=["table", "step", "description", "rows_in", "rows_counted"]
        )

    def warn(self, table: str, message: str) -> None:
        """Record a warning about ``table`` (also issued as a
        :class:`~snds_algos.errors.DataWarning`, so that Python users see it).

        >>> import warnings
        >>> report = Report()
        >>> with warnings.catch_warnings(record=True):
        ...     report.warn("T_MCOaaB", "year 2018 absent")
        >>> report.warnings
        [('T_MCOaaB', 'year 2018 absent')]
        """
        warn(self, table, message)

    def skip(self, table: str, step: str, reason: str) -> None:
        """Record a step that was not applied, and why."""
        self.skipped.append((table, step, reason))

    def extend(self, other: Report) -> Report:
        """Append another report's blocks; returns ``self``."""
        self.blocks.extend(other.blocks)
        self.skipped.extend(other.skipped)
        self.warnings.extend(other.warnings)
        self.notes.extend(other.notes)
        return self

    def to_pandas(self) -> pd.DataFrame:
        """The report as a table: one row per step (computes the counts on Spark)."""
        records = [r for block in self.blocks for r in block.records()]
        frame = pd.DataFrame(records, columns=COLUMNS)
        for col in ("rows_in", "rows_removed", "rows_out"):
            frame[col] = frame[col].astype("int64")
        return frame

    def suppressed(self, threshold: int | None = DEFAULT_THRESHOLD) -> pd.DataFrame:
        """:meth:`to_pandas` with its counts as text safe to export: each chain of steps
        masked as a flowchart (:func:`snds_algos.disclosure.format_report`: counts of 1 to
        ``threshold - 1`` lines read ``<threshold``, a count that would reveal one by
        difference reads ``masked``); ``threshold=None``: the exact counts, as text.

        >>> r = Report()
        >>> r.add_counts("T", pd.DataFrame({"n": [100], "a": [3]}), [("a", "drop three", "a")])
        >>> r.suppressed()[["rows_in", "rows_removed", "rows_out"]].values.tolist()
        [['100', '<11', 'masked']]
        """
        from snds_algos.disclosure import format_report

        # each block is one chain of steps (a table cleaned twice, by two extractors, gives
        # two chains): masked chain by chain
        parts = [
            format_report(pd.DataFrame(block.records(), columns=COLUMNS), threshold=threshold)
            for block in self.blocks
        ]
        parts = [p for p in parts if len(p)]
        if not parts:
            return pd.DataFrame(columns=COLUMNS)
        return pd.concat(parts, ignore_index=True)

    def __str__(self) -> str:
        return self.format()

    def format(self, *, warnings: bool = True, threshold: int | None = DEFAULT_THRESHOLD) -> str:
        """The report as text: the steps, the steps not applied, the notes and (unless
        ``warnings=False``) the warnings. Safe to print or export by default: counts are
        masked as every aggregate that leaves the platform
        (:func:`snds_algos.disclosure.format_report`: counts of 1 to ``threshold - 1``
        lines read ``<threshold``, and none can be recovered by difference);
        ``threshold=None`` gives the exact counts, for work inside the platform (as does
        :meth:`to_pandas`). ``str(report)`` is ``report.format()``.

        >>> "warning: T: late" in Report(warnings=[("T", "late")]).format()
        True
        >>> "warning" in Report(warnings=[("T", "late")]).format(warnings=False)
        False
        >>> r = Report()
        >>> r.add_counts("T", pd.DataFrame({"n": [100], "a": [3]}), [("a", "drop three", "a")])
        >>> print(r.format())
        table step description rows_in rows_removed rows_out
            T    a  drop three     100          <11   masked
        >>> print(r.format(threshold=None))
        table step description  rows_in  rows_removed  rows_out
            T    a  drop three      100             3        97
        """
        from snds_algos.disclosure import format_count

        table = self.to_pandas() if threshold is None else self.suppressed(threshold)
        text = table.to_string(index=False)
        for name, step, reason in self.skipped:
            text += f"\n{name}: {step} not applied ({reason})"
        if self.notes:
            for r in self.notes_pandas().to_dict("records"):
                counted = format_count(r["rows_counted"], threshold=threshold)
                rows_in = format_count(r["rows_in"], threshold=threshold)
                text += (
                    f"\n{r['table']}: {r['step']}: {counted} of {rows_in} rows ({r['description']})"
                )
        if warnings:
            for name, message in self.warnings:
                text += f"\nwarning: {name}: {message}"
        return text

    def _repr_html_(self) -> str:  # pragma: no cover - notebooks
        return self.to_pandas().to_html(index=False)


def warn(report: Report | None, table: str, message: str) -> None:
    """Issue a :class:`~snds_algos.errors.DataWarning` ``"{table}: {message}"`` and record
    it in ``report`` (when given): nothing that makes a result incomplete is silent.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn(None, "IR_BEN_R", "no person")
    >>> str(caught[0].message)
    'IR_BEN_R: no person'
    """
    import warnings

    from snds_algos.errors import DataWarning

    if report is not None:
        report.warnings.append((table, message))
    warnings.warn(f"{table}: {message}", DataWarning, stacklevel=3)
