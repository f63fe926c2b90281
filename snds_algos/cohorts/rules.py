"""Inclusion rules: every entry record is tested on every rule, independently.

Event rules count the events of their criteria in a window relative to the index
(inclusive ends, ``None`` unbounded; by start, or by overlap of ``[start, end]``);
person rules test the age at the index (completed years) or the sex. A missing age or
sex fails the rule.
"""

from __future__ import annotations

from collections.abc import Callable

import narwhals as nw

from snds_algos.cohorts._frames import PID, lit, with_group_extreme
from snds_algos.cohorts.definition import CohortDefinition, Rule


def window_filter(rule: Rule) -> nw.Expr:
    """True when an event (``__s``, ``__e`` days) is in the rule's window of ``__idx``.

    >>> import pandas as pd
    >>> from snds_algos.backend import lazy, to_native
    >>> r = Rule("r", criterion=("x",), window=(-365, 0), min=1)
    >>> df = lazy(pd.DataFrame({"__idx": [365] * 3, "__s": [0, -1, 365], "__e": [0, -1, 365]}))
    >>> to_native(df.filter(window_filter(r)))["__s"].tolist()
    [0, 365]
    """
    a, b = rule.window
    idx = nw.col("__idx")
    cond = nw.lit(True)
    first, last = ("__s", "__s") if rule.match == "start" else ("__e", "__s")
    if a is not None:
        cond = cond & (nw.col(first) >= idx + lit(a))
    if b is not None:
        cond = cond & (nw.col(last) <= idx + lit(b))
    return cond


def _age(idx_date: str) -> nw.Expr:
    """Completed years at ``idx_date`` of a person born on the first of ``__birth_m``."""
    d = nw.col(idx_date)
    before = (d.dt.month().cast(nw.Int64) * 100 + d.dt.day().cast(nw.Int64)) < (
        nw.col("__birth_m") * 100 + lit(1)
    )
    return d.dt.year().cast(nw.Int64) - nw.col("__birth_y") - before.cast(nw.Int64)


def rule_flags(
    records: nw.LazyFrame,
    definition: CohortDefinition,
    events_of: Callable[[tuple[str, ...]], nw.LazyFrame],
) -> nw.LazyFrame:
    """``records`` with ``__r{i}`` (rule i passes), ``__all`` (every rule passes), and
    ``__c_after`` (``__all`` and kept by ``limit_after_inclusion``).

    ``records`` hold ``patient_id, __idx, __idx_date`` and the observation columns;
    ``events_of(criteria)`` gives the pooled events (``patient_id, __s, __e``).
    """
    rules = definition.inclusion
    counts = []
    for i, rule in enumerate(rules):
        if rule.kind != "events":
            continue
        ev = events_of(rule.criterion)
        if rule.distinct == "dates":
            ev = ev.select(PID, "__s", "__e").unique(subset=[PID, "__s"])
        joined = records.select(PID, "__idx").join(ev.select(PID, "__s", "__e"), on=PID)
        n = (
            joined.filter(window_filter(rule))
            .group_by(PID, "__idx")
            .agg(nw.len().alias("__n"))
            .with_columns(nw.col("__n").cast(nw.Int64), lit(i).alias("__rule"))
        )
        counts.append(n)
    out = records
    if counts:
        long = counts[0] if len(counts) == 1 else nw.concat(counts, how="vertical")
        wide = long.with_columns(
            *[
                nw.when(nw.col("__rule") == i).then(nw.col("__n")).alias(f"__n{i}")
                for i, r in enumerate(rules)
                if r.kind == "events"
            ]
        )
        wide = wide.group_by(PID, "__idx").agg(
            *[nw.col(f"__n{i}").max() for i, r in enumerate(rules) if r.kind == "events"]
        )
        out = out.join(wide, on=[PID, "__idx"], how="left")
    flags = []
    for i, rule in enumerate(rules):
        if rule.kind == "events":
            n = nw.col(f"__n{i}").fill_null(0)
            cond = nw.lit(True)
            if rule.min is not None:
                cond = cond & (n >= lit(rule.min))
            if rule.max is not None:
                cond = cond & (n <= lit(rule.max))
        elif rule.kind == "age":
            low, high = rule.age_at_index  # type: ignore[misc]
            age = _age("__idx_date")
            cond = ~nw.col("__birth_y").is_null()
            if low is not None:
                cond = cond & (age >= lit(low))
            if high is not None:
                cond = cond & (age <= lit(high))
        else:
            cond = nw.col("__sex").is_in(list(rule.sex or ()))
        flags.append(cond.fill_null(False).alias(f"__r{i}"))
    if flags:
        out = out.with_columns(*flags)
        out = out.with_columns(
            nw.all_horizontal(
                *[nw.col(f"__r{i}") for i in range(len(rules))], ignore_nulls=True
            ).alias("__all")
        )
    else:
        out = out.with_columns(nw.lit(True).alias("__all"))
    limit = definition.limit_after_inclusion
    if limit == "all":
        return out.with_columns(nw.col("__all").alias("__c_after"))
    idx = nw.col("__idx")
    out = with_group_extreme(out, [PID], "__idx", "__pick", where="__all", largest=limit == "last")
    return out.with_columns(
        (nw.col("__all") & (idx == nw.col("__pick"))).fill_null(False).alias("__c_after")
    ).drop("__pick")
