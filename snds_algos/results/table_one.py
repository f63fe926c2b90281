"""Table 1: the baseline description of a cohort, computed on the backend, suppressed on
export.

:func:`table_one` takes a person-level frame (pandas, DuckDB or Spark; for instance the
output of :func:`~snds_algos.results.baseline_variables`) and computes, with grouped
aggregations on that backend (exact quantiles), for each group and overall:

* categorical variables: ``n (%)`` of each level over **all** persons of the group, with a
  ``Missing`` level for nulls (booleans read ``yes`` / ``no``);
* continuous variables: mean (SD, ``ddof=1``) and median [Q1, Q3] (linear interpolation)
  over the persons with a value, and the number missing;
* with a grouping, standardised mean differences by tableone's formulas (absolute values,
  every pair of groups): continuous ``(m1 - m2) / sqrt((s1^2 + s2^2) / 2)``; categorical
  (Yang and Dalton 2012) ``sqrt((p1 - p2)' S^-1 (p1 - p2))`` with ``p`` the proportions of
  the levels but the first (levels absent from both groups dropped) and ``S = (S1 + S2) /
  2``, ``Sk = diag(pk) - pk pk'``.

Only the small result table is collected. :class:`TableOne` holds the long table (exact
counts, for work inside the platform) and gives formatted views for a notebook and for
export (Markdown, CSV, HTML) with small-cell suppression by default (threshold 11;
``threshold=None`` opts out): counts of 1 to 10 persons are masked, then secondary
suppression over the levels of each variable (their sum is the group size) and across the
groups (their sum is the overall column), and summaries (mean, median...) of fewer than
``threshold`` persons are masked.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from snds_algos.backend import (
    SPARK,
    backend_of_lazy,
    computed_once,
    grouped_quantiles,
    lazy,
    to_pandas,
)
from snds_algos.disclosure import DEFAULT_THRESHOLD, is_small, round_count, suppression_mask

MISSING = "Missing"
OVERALL = "Overall"
#: columns of the long table
LONG_COLUMNS = [
    "variable",
    "kind",
    "level",
    "group",
    "n",
    "percent",
    "n_missing",
    "mean",
    "sd",
    "median",
    "q1",
    "q3",
]
_GROUP = "__group"
_OVERALL_KEY = "\u0000overall"


def _as_text(frame: nw.LazyFrame, column: str) -> nw.Expr:
    """A categorical column as text on every backend (booleans read yes / no)."""
    dtype = frame.collect_schema()[column]
    col = nw.col(column)
    if dtype == nw.Boolean:
        text = nw.when(col).then(nw.lit("yes")).otherwise(nw.lit("no"))
        return nw.when(~col.is_null()).then(text)
    if dtype == nw.String:
        return col
    return col.cast(nw.String())


def _summaries(
    lf: nw.LazyFrame, categorical: Sequence[str], continuous: Sequence[str]
) -> pd.DataFrame:
    """Long rows for the grouping column ``__group`` (a string, never null): one query for
    the group sizes, one for every categorical variable, two for every continuous one."""
    parts: list[pd.DataFrame] = []
    sizes = to_pandas(lf.group_by(_GROUP).agg(nw.len().alias("n")))
    parts.append(sizes.assign(variable="n", kind="count", level=None))
    if categorical:
        levels = [
            lf.select(
                _GROUP,
                nw.lit(var).alias("variable"),
                _as_text(lf, var).fill_null(MISSING).alias("level"),
            )
            for var in categorical
        ]
        long = nw.concat(levels, how="vertical") if len(levels) > 1 else levels[0]
        counts = to_pandas(long.group_by(_GROUP, "variable", "level").agg(nw.len().alias("n")))
        parts.append(counts.assign(kind="categorical"))
    if continuous:
        values = [
            lf.select(
                _GROUP, nw.lit(var).alias("variable"), nw.col(var).cast(nw.Float64()).alias("x")
            )
            for var in continuous
        ]
        long = nw.concat(values, how="vertical") if len(values) > 1 else values[0]
        stats = to_pandas(
            long.group_by(_GROUP, "variable").agg(
                nw.col("x").count().alias("n"),
                nw.len().alias("__size"),
                nw.col("x").mean().alias("mean"),
                nw.col("x").std(ddof=1).alias("sd"),
            )
        )
        quantiles = to_pandas(
            grouped_quantiles(
                long, [_GROUP, "variable"], "x", {"median": 0.5, "q1": 0.25, "q3": 0.75}
            )
        )
        stats = stats.merge(quantiles, on=[_GROUP, "variable"], how="left")
        stats["n_missing"] = stats["__size"].astype("int64") - stats["n"].astype("int64")
        parts.append(stats.drop(columns="__size").assign(kind="continuous", level=None))
    # object columns: parts hold different columns (no dtype guessing from all-null ones)
    out = pd.concat([p.astype(object) for p in parts if len(p)], ignore_index=True)
    return out.rename(columns={_GROUP: "group"})


def _cont_smd(m1: float, m2: float, s1: float, s2: float) -> float:
    """tableone's continuous SMD, absolute: ``|m1 - m2| / sqrt((s1^2 + s2^2) / 2)``.

    Examples
    --------
    >>> round(_cont_smd(60.0, 65.0, 10.0, 12.0), 4)
    0.4527
    """
    values = (m1, m2, s1, s2)
    if any(v is None or pd.isna(v) for v in values):
        return math.nan
    denominator = math.sqrt((s1**2 + s2**2) / 2)
    if denominator == 0:
        return 0.0 if m1 == m2 else math.inf
    return abs(m1 - m2) / denominator


def _cat_smd(p1: Sequence[float], p2: Sequence[float]) -> float:
    """tableone's categorical SMD (Yang and Dalton 2012) from the proportions of every level.

    Examples
    --------
    >>> round(_cat_smd([0.4, 0.6], [0.5, 0.5]), 4)  # binary: |p1 - p2| / sqrt(mean variance)
    0.202
    """
    a, b = np.asarray(p1, dtype=float), np.asarray(p2, dtype=float)
    present = (a > 0) | (b > 0)
    a, b = a[present][1:], b[present][1:]
    if a.size == 0:
        return 0.0
    covariances = []
    for p in (a, b):
        cov = -np.outer(p, p)
        cov[np.diag_indices_from(cov)] = p * (1 - p)
        covariances.append(cov)
    diff = (b - a).reshape(1, -1)
    mean_cov = (covariances[0] + covariances[1]) / 2
    try:
        value = float((diff @ np.linalg.inv(mean_cov) @ diff.T)[0, 0])
    except np.linalg.LinAlgError:
        return math.nan
    return math.sqrt(max(value, 0.0))


class TableOne:
    """The result of :func:`table_one`: a long table, SMDs and formatted views.

    Attributes
    ----------
    table:
        The long table (exact counts; do not export it: use the formatted views):
        ``variable, kind, level, group, n, percent, n_missing, mean, sd, median, q1, q3``.
    smd:
        ``variable, group_a, group_b, smd`` (empty without grouping).
    groups:
        The group labels, in order (``["Overall"]`` without grouping).
    threshold, rounding:
        The default suppression of the formatted views.
    """

    def __init__(
        self,
        table: pd.DataFrame,
        smd: pd.DataFrame,
        *,
        groups: Sequence[str],
        variables: Sequence[str],
        labels: Mapping[str, str] | None = None,
        threshold: int | None = DEFAULT_THRESHOLD,
        rounding: int | None = None,
    ) -> None:
        self.table = table
        self.smd = smd
        self.groups = list(groups)
        self.variables = list(variables)
        self.labels = dict(labels or {})
        self.threshold = threshold
        self.rounding = rounding

    # ------------------------------------------------------------------ format
    def _columns(self) -> list[str]:
        return self.groups + ([OVERALL] if self.groups != [OVERALL] else [])

    def _value(self, group: str, **match: Any) -> pd.Series | None:
        t = self.table
        sel = t["group"] == group
        for k, v in match.items():
            sel &= t[k].isna() if v is None else (t[k] == v)
        rows = t[sel]
        return None if rows.empty else rows.iloc[0]

    def format(
        self,
        *,
        threshold: int | str | None = "default",
        rounding: int | str | None = "default",
        decimals: int = 1,
        smd: bool = True,
    ) -> pd.DataFrame:
        """The formatted table: one row per line of the paper's Table 1, text cells.

        Columns ``variable``, ``level``, one per group (and ``Overall`` with a grouping),
        ``SMD`` (with a grouping; for more than two groups, one column per pair).
        Suppressed by default with the table's ``threshold`` and ``rounding``
        (``threshold=None`` opts out, for work inside the platform).

        Examples
        --------
        >>> df = pd.DataFrame({"arm": ["a"] * 30 + ["b"] * 25, "sex": ["F"] * 42 + ["M"] * 13})
        >>> view = table_one(df, categorical=["sex"], group="arm").format()
        >>> view.columns.tolist()
        ['variable', 'level', 'a', 'b', 'Overall', 'SMD']
        >>> view[view["level"] == "M"][["a", "b", "Overall"]].values.tolist()
        [['0 (0.0)', '13 (52.0)', '13 (23.6)']]
        """
        t = self.threshold if threshold == "default" else threshold
        r = self.rounding if rounding == "default" else rounding
        columns = self._columns()
        lines: list[dict[str, Any]] = []
        sizes = {g: int(self._value(g, variable="n")["n"]) for g in columns}
        size_mask = self._mask(pd.DataFrame([sizes], index=["n"]), columns, t)
        shown_sizes = {g: self._round(sizes[g], r) for g in columns}
        lines.append(
            {
                "variable": "n",
                "level": "",
                **{
                    g: self._cell(sizes[g], None, size_mask.at["n", g], t, r, decimals)
                    for g in columns
                },
            }
        )
        for var in self.variables:
            label = self.labels.get(var, var)
            rows = self.table[self.table["variable"] == var]
            kind = rows["kind"].iloc[0]
            if kind == "categorical":
                levels = sorted(
                    set(rows["level"]) - {MISSING}, key=lambda v: (str(v).lower(), str(v))
                )
                if MISSING in set(rows["level"]):
                    levels.append(MISSING)
                counts = pd.DataFrame(
                    {
                        g: [
                            int(x["n"])
                            if (x := self._value(g, variable=var, level=lv)) is not None
                            else 0
                            for lv in levels
                        ]
                        for g in columns
                    },
                    index=levels,
                )
                mask = self._mask(counts, columns, t)
                lines.append({"variable": label, "level": "n (%)", **{g: "" for g in columns}})
                for lv in levels:
                    lines.append(
                        {
                            "variable": "",
                            "level": lv,
                            **{
                                g: self._cell(
                                    counts.at[lv, g], shown_sizes[g], mask.at[lv, g], t, r, decimals
                                )
                                for g in columns
                            },
                        }
                    )
            else:
                stats = {g: self._value(g, variable=var) for g in columns}
                small = {g: stats[g] is None or is_small(int(stats[g]["n"]), t) for g in columns}

                def number(v: Any) -> str:
                    return "" if v is None or pd.isna(v) else f"{float(v):.{decimals}f}"

                def summary(
                    g: str, a: str, b: str, c: str | None = None, stats=stats, small=small
                ) -> str:
                    s = stats[g]
                    if s is None or int(s["n"]) == 0:
                        return ""
                    if small[g]:
                        return "masked"
                    if c is None:
                        return f"{number(s[a])} ({number(s[b])})"
                    return f"{number(s[a])} [{number(s[b])}, {number(s[c])}]"

                lines.append(
                    {
                        "variable": label,
                        "level": "mean (SD)",
                        **{g: summary(g, "mean", "sd") for g in columns},
                    }
                )
                lines.append(
                    {
                        "variable": "",
                        "level": "median [Q1, Q3]",
                        **{g: summary(g, "median", "q1", "q3") for g in columns},
                    }
                )
                missing = {
                    g: int(stats[g]["n_missing"]) if stats[g] is not None else 0 for g in columns
                }
                if any(missing.values()):
                    counts = pd.DataFrame([missing], index=[MISSING])
                    mask = self._mask(counts, columns, t)
                    lines.append(
                        {
                            "variable": "",
                            "level": MISSING,
                            **{
                                g: self._cell(
                                    missing[g], shown_sizes[g], mask.at[MISSING, g], t, r, decimals
                                )
                                for g in columns
                            },
                        }
                    )
        out = pd.DataFrame(lines, columns=["variable", "level", *columns])
        if smd and len(self.groups) > 1 and self.groups != [OVERALL]:
            pairs = list(itertools.combinations(self.groups, 2))
            for a, b in pairs:
                name = "SMD" if len(pairs) == 1 else f"SMD {a} vs {b}"
                values = {}
                for var in self.variables:
                    hit = self.smd[
                        (self.smd["variable"] == var)
                        & (self.smd["group_a"] == a)
                        & (self.smd["group_b"] == b)
                    ]
                    v = hit["smd"].iloc[0] if len(hit) else math.nan
                    values[self.labels.get(var, var)] = "" if pd.isna(v) else f"{v:.3f}"
                out[name] = [
                    values.get(v, "") if lvl in ("n (%)", "mean (SD)") else ""
                    for v, lvl in zip(out["variable"], out["level"], strict=True)
                ]
        return out

    def _mask(
        self, counts: pd.DataFrame, columns: list[str], threshold: int | None
    ) -> pd.DataFrame:
        groups: list[list[tuple[Any, str]]] = []
        groups += [[(row, g) for row in counts.index] for g in columns]
        if len(columns) > 1:
            groups += [[(row, g) for g in columns] for row in counts.index]
        return suppression_mask(counts, columns, threshold=threshold, groups=groups)

    @staticmethod
    def _round(n: int, rounding: int | None) -> int:
        return round_count(n, rounding) if rounding else int(n)

    def _cell(
        self,
        n: int,
        size: int | None,
        masked: bool,
        threshold: int | None,
        rounding: int | None,
        decimals: int,
    ) -> str:
        if masked:
            return f"<{threshold}" if is_small(n, threshold) else "masked"
        shown = self._round(n, rounding)
        if size is None:
            return str(shown)
        percent = 100.0 * shown / size if size else math.nan
        return f"{shown} ({percent:.{decimals}f})"

    # ------------------------------------------------------------------ exports
    def to_markdown(self, path: str | Path | None = None, **options: Any) -> str:
        """The formatted table as Markdown (written to ``path`` when given).

        Options are those of :meth:`format` (suppressed by default).

        Examples
        --------
        >>> t1 = table_one(pd.DataFrame({"sex": ["F"] * 20 + ["M"] * 3}), categorical=["sex"])
        >>> print(t1.to_markdown())
        | variable | level | Overall |
        |---|---|---|
        | n |  | 23 |
        | sex | n (%) |  |
        |  | F | masked |
        |  | M | <11 |
        <BLANKLINE>
        """
        frame = self.format(**options)
        header = [str(c) for c in frame.columns]
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        for row in frame.itertuples(index=False):
            lines.append("| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |")
        text = "\n".join(lines) + "\n"
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def to_csv(self, path: str | Path | None = None, **options: Any) -> str:
        """The formatted table as CSV (written to ``path`` when given); suppressed by default."""
        text = self.format(**options).to_csv(index=False)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def to_html(self, path: str | Path | None = None, **options: Any) -> str:
        """The formatted table as an HTML table; suppressed by default."""
        text = self.format(**options).to_html(index=False, escape=True)
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    def _repr_html_(self) -> str:
        return self.to_html()

    def __repr__(self) -> str:
        return self.format().to_string(index=False)


def table_one(
    frame: Any,
    *,
    categorical: Iterable[str] = (),
    continuous: Iterable[str] = (),
    group: str | None = None,
    labels: Mapping[str, str] | None = None,
    threshold: int | None = DEFAULT_THRESHOLD,
    rounding: int | None = None,
) -> TableOne:
    """Table 1 of a person-level frame (one row per person), computed on its backend.

    Parameters
    ----------
    frame:
        pandas, DuckDB or Spark frame (or an object with ``.rows``), e.g. from
        :func:`~snds_algos.results.baseline_variables`.
    categorical, continuous:
        The variables, in the order of the table.
    group:
        Optional grouping column (e.g. the exposure): one column per group (a null group
        reads ``Missing``), an ``Overall`` column and SMDs between groups.
    labels:
        Display names of the variables.
    threshold, rounding:
        Default suppression of the formatted views (``threshold=None``: none).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"sex": ["F"] * 30 + ["M"] * 20 + [None] * 5,
    ...                    "age": list(range(40, 95))})
    >>> t1 = table_one(df, categorical=["sex"], continuous=["age"])
    >>> t1.format()[["level", "Overall"]].values.tolist()  # doctest: +NORMALIZE_WHITESPACE
    ... # M is masked too: with the total 55, it would give the Missing count
    [['', '55'], ['n (%)', ''], ['F', '30 (54.5)'], ['M', 'masked'], ['Missing', '<11'],
     ['mean (SD)', '67.0 (16.0)'], ['median [Q1, Q3]', '67.0 [53.5, 80.5]']]
    """
    frame = getattr(frame, "rows", frame)
    categorical, continuous = list(categorical), list(continuous)
    lf = lazy(frame)
    names = lf.collect_schema().names()
    variables = [*categorical, *continuous]
    duplicated = sorted({v for v in variables if variables.count(v) > 1})
    if duplicated:
        raise ValueError(f"table_one: variables listed twice: {', '.join(duplicated)}")
    missing = [c for c in [*variables, *([group] if group else [])] if c not in names]
    if missing:
        raise ValueError(
            f"table_one: no column {', '.join(missing)} in the frame (columns: {', '.join(names)})"
        )
    if group in variables:
        raise ValueError(f"table_one: the group {group!r} is also a variable")
    lf = lf.select(*variables, *([group] if group else []))
    # read several times below: computed once on DuckDB, cached on Spark
    cached = None
    if backend_of_lazy(lf) == SPARK:
        cached = lf.to_native().cache()
        lf = lazy(cached)
    else:
        lf = computed_once(lf)
    # the overall rows and the rows of each group in one pass (the overall label cannot be
    # a value of the data)
    both = lf.with_columns(nw.lit(_OVERALL_KEY).alias(_GROUP))
    if group:
        grouped = lf.with_columns(_as_text(lf, group).fill_null(MISSING).alias(_GROUP))
        both = nw.concat([grouped, both], how="vertical")
    try:
        long = _summaries(both, categorical, continuous)
    finally:
        if cached is not None:
            cached.unpersist()
    if (long["group"] == OVERALL).any():
        raise ValueError(f"table_one: a group is named {OVERALL!r}; rename it")
    long["group"] = long["group"].replace({_OVERALL_KEY: OVERALL})
    groups = [OVERALL]
    if group:
        groups = sorted(set(long["group"]) - {OVERALL}, key=lambda g: (g == MISSING, str(g)))
    for column in LONG_COLUMNS:
        if column not in long.columns:
            long[column] = None
    sizes = long[long["variable"] == "n"].set_index("group")["n"].astype("int64")
    long["n"] = long["n"].astype("int64")
    is_cat = long["kind"] == "categorical"
    long["percent"] = np.where(is_cat, 100.0 * long["n"] / long["group"].map(sizes), np.nan)
    for column in ("n_missing",):
        long[column] = pd.array(long[column], dtype="Int64")
    for column in ("mean", "sd", "median", "q1", "q3"):
        long[column] = pd.to_numeric(long[column], errors="coerce").astype("float64")
    long = long[LONG_COLUMNS]
    order = {g: i for i, g in enumerate([*groups, OVERALL])}
    var_order = {v: i for i, v in enumerate(["n", *variables])}
    long = (
        long.assign(
            __v=long["variable"].map(var_order),
            __g=long["group"].map(order),
            __l=long["level"].map(lambda v: (v == MISSING, "" if v is None else str(v))),
        )
        .sort_values(["__v", "__g", "__l"])
        .drop(columns=["__v", "__g", "__l"])
        .reset_index(drop=True)
    )
    smd = _smd_table(long, groups if group else [], categorical, continuous, sizes)
    return TableOne(
        long,
        smd,
        groups=groups,
        variables=variables,
        labels=labels,
        threshold=threshold,
        rounding=rounding,
    )


def _smd_table(
    long: pd.DataFrame,
    groups: Sequence[str],
    categorical: Sequence[str],
    continuous: Sequence[str],
    sizes: pd.Series,
) -> pd.DataFrame:
    rows = []
    for a, b in itertools.combinations(groups, 2):
        for var in categorical:
            sub = long[long["variable"] == var]
            levels = sorted(set(sub["level"]), key=lambda v: (v == MISSING, str(v)))

            def props(g: str, sub: pd.DataFrame = sub, levels: list = levels) -> list[float]:
                n = sub[sub["group"] == g].set_index("level")["n"]
                return [float(n.get(lv, 0)) / float(sizes[g]) for lv in levels]

            rows.append(
                {"variable": var, "group_a": a, "group_b": b, "smd": _cat_smd(props(a), props(b))}
            )
        for var in continuous:
            sub = long[long["variable"] == var].set_index("group")
            value = (
                _cont_smd(sub.at[a, "mean"], sub.at[b, "mean"], sub.at[a, "sd"], sub.at[b, "sd"])
                if a in sub.index and b in sub.index
                else math.nan
            )
            rows.append({"variable": var, "group_a": a, "group_b": b, "smd": value})
    return pd.DataFrame(rows, columns=["variable", "group_a", "group_b", "smd"])
