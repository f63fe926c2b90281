"""Build a cohort from a definition and a source (or extracted events), on any backend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import narwhals as nw

from snds_algos.backend import (
    SPARK,
    backend_of_lazy,
    checkpoint,
    common_backend,
    distinct,
    from_day_number,
    lazy,
    semi_join,
    to_pandas,
)
from snds_algos.cohorts._frames import PID, day
from snds_algos.cohorts.attrition import RULE_STATS_COLUMNS, count_flags, count_rows
from snds_algos.cohorts.cohort import Cohort
from snds_algos.cohorts.definition import CohortDefinition, load_cohort_definition
from snds_algos.cohorts.entry import entry_days, entry_records
from snds_algos.cohorts.eras import eras
from snds_algos.cohorts.events import criterion_events, with_optional
from snds_algos.cohorts.exit import exits
from snds_algos.cohorts.observation import observation
from snds_algos.reports import Report

_EVENT_COLUMNS = (PID, "category", "value", "group_id", "start", "end", "position", "level")


def _events_frame(events: Any) -> nw.LazyFrame:
    frames = dict(events) if isinstance(events, Mapping) else {"events": events}
    frames = {k: v for k, v in frames.items() if v is not None and k != "patients"}
    if not frames:
        raise ValueError("build_cohort: no events given")
    common_backend(frames)
    parts = []
    for name, frame in frames.items():
        lf = lazy(frame)
        names = lf.collect_schema().names()
        missing = [c for c in (PID, "category", "value", "start") if c not in names]
        if missing:
            raise ValueError(f"events {name!r}: missing column(s) {missing}; columns are {names}")
        lf = with_optional(lf)
        parts.append(
            lf.select(
                *[
                    nw.col(c).cast(nw.Date())
                    if c in ("start", "end")
                    else nw.col(c).cast(nw.String())
                    for c in _EVENT_COLUMNS
                ]
            )
        )
    return parts[0] if len(parts) == 1 else nw.concat(parts, how="vertical")


def _bounds(
    ev: nw.LazyFrame, start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    if start is not None and end is not None:
        return start, end
    # an ALD may start years before the extraction: its start is no bound of the data
    dated = ev.filter(nw.col("category") != "ald")
    res = to_pandas(
        dated.select(nw.col("start").min().alias("a"), nw.col("start").max().alias("b"))
    )
    a, b = res["a"].iloc[0], res["b"].iloc[0]
    if a is None or (not isinstance(a, dt.date) and a != a):
        raise ValueError(
            "build_cohort: no event to read the data bounds from; give data_start and data_end"
        )
    return start or a, end or b


def build_cohort(
    definition: CohortDefinition | str | Path,
    data: Any = None,
    *,
    events: Any = None,
    patients: Any = None,
    data_start: dt.date | str | None = None,
    data_end: dt.date | str | None = None,
    care: Any = None,
    exposure_periods: Any = None,
    exposure_key: str | None = None,
    report: Report | None = None,
) -> Cohort:
    """Build the cohort of ``definition`` on the backend of the input.

    Parameters
    ----------
    definition:
        A :class:`CohortDefinition` or the path of its YAML file.
    data:
        Raw tables (a :class:`~snds_algos.io.TableSource`, a folder or ``{table: frame}``):
        each category of events the criteria read is extracted once, with the patients
        (:func:`~snds_algos.cohorts.extract.extract_cohort_events`).
    events:
        Already-extracted events instead (one frame or ``{name: frame}``, event contract;
        case criteria as rows of category ``case:<criterion>``); ``patients`` (``patient_id,
        sex, birth_date, death_date``) then gives birth, death and sex (``None``: observed
        over the whole data, age and sex unknown).
    data_start, data_end:
        The extraction's bounds (inclusive); default the definition's ``study``, else the
        first and last event dates (ALD starts excluded: an ALD may start years before).
    care:
        Events dating the last care for ``study.no_care_days`` (default: every event given).
    exposure_periods, exposure_key:
        Drug-persistence exit: a periods frame (``patient_id, key, start, end``, inclusive,
        as ``snds_algos.pathways.exposure_periods`` gives); the end of the period of
        ``exposure_key`` containing the index plus ``exit.persistence_offset_days`` is an
        exit candidate (reason ``end_of_exposure``). No period contains the index: no
        such candidate.
    report:
        Receives the extraction's cleaning counts.

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> from snds_algos.cohorts import definition_from_dict
    >>> d = definition_from_dict({"id": "new_users",
    ...     "criteria": {"met": {"events": "drug_dispensing", "codes": "met"}},
    ...     "entry": {"any": ["met"], "first_ever": True, "prior_observation_days": 365},
    ...     "exit": {"max_follow_up_days": 365}}, {"met": ["A10BA02"]})
    >>> ev = pd.DataFrame({"patient_id": ["P1", "P1", "P2"], "category": "drug_dispensing",
    ...     "value": "A10BA02", "start": date_series(["2016-03-10", "2016-04-12", "2015-06-01"])})
    >>> c = build_cohort(d, events=ev, data_start="2015-01-01", data_end="2020-12-31")
    >>> c.rows[["patient_id", "index_date", "exit_date", "exit_reason", "duration_days"]].values.tolist()
    [['P1', datetime.date(2016, 3, 10), datetime.date(2017, 3, 9), 'max_follow_up', 365]]
    >>> print(c.attrition[["reason", "n_persons", "n_records"]].to_string(index=False))
                                     reason  n_persons  n_records
                                 population          2          3
                          entry events: met          2          3
                                 first ever          2          2
    observation (365 days before the index)          1          1
                         limit: first entry          1          1
    """
    if not isinstance(definition, CohortDefinition):
        definition = load_cohort_definition(definition)
    study = definition.study
    start = _as_date(data_start) or study.data_start
    end = _as_date(data_end) or study.data_end
    if events is None:
        if data is None:
            raise TypeError("build_cohort needs the raw tables (data) or extracted events")
        from snds_algos.cohorts.extract import extract_cohort_events

        events = extract_cohort_events(
            definition, data, data_start=start, data_end=end, report=report
        )
        if patients is None:
            patients = events["patients"]
    elif isinstance(events, Mapping) and patients is None and "patients" in events:
        patients = events["patients"]
    if patients is None and data is not None:
        from snds_algos.events import patients as read_patients

        patients = read_patients(data)
    ev = _events_frame(events)
    if patients is not None:
        common_backend({"events": ev.to_native(), "patients": patients})
    if backend_of_lazy(ev) == SPARK:
        # cut the plan: every criterion reads the events. DuckDB reads them in place: a
        # parquet scan keeps each criterion's filter pushed down, where a held copy is
        # scanned whole by each (the example study at 1 000 000 persons: 2x slower)
        ev = checkpoint(ev)
    start, end = _bounds(ev, start, end)
    if start > end:
        raise ValueError(f"build_cohort: data_start {start} is after data_end {end}")

    entry_ev = criterion_events(ev, definition, definition.entry.criteria, ends=False)
    days = checkpoint(entry_days(entry_ev))
    # observation is needed for the persons with an entry event only; the population
    # step counts every person of ``patients`` too (``population`` below)
    persons = distinct(days.select(PID))
    known = None if patients is None else semi_join(lazy(patients), persons, PID)
    care_days = None
    if study.no_care_days is not None:
        care_lf = ev if care is None else with_optional(lazy(care))
        from snds_algos.backend import day_number

        care_days = day_number(care_lf.select(PID, "start"), "start", "__s").select(PID, "__s")
        care_days = semi_join(care_days, persons, PID)
    obs = observation(persons, known, start, end, care=care_days, no_care_days=study.no_care_days)
    obs = checkpoint(obs)
    cand = checkpoint(entry_records(days, obs, definition))
    entered = cand.filter(nw.col("__c_limit")).join(obs, on=PID, how="left")
    entered = from_day_number(
        entered.with_columns(nw.col("__idx").alias("__i")), {"__i": "__idx_date"}
    )
    from snds_algos.cohorts.rules import rule_flags

    # rules and exits read the events of the persons who entered only: a few per cent
    # of the events, selected once (the joins that follow are then small)
    ev_entered = checkpoint(semi_join(ev, distinct(entered.select(PID)), PID))
    cache: dict[tuple[str, ...], nw.LazyFrame] = {}

    def entered_events_of(names: tuple[str, ...]) -> nw.LazyFrame:
        key = tuple(names)
        if key not in cache:
            cache[key] = criterion_events(ev_entered, definition, key)
        return cache[key]

    ruled = checkpoint(rule_flags(entered, definition, entered_events_of))
    final = ruled.filter(nw.col("__c_after"))
    ex = definition.exit
    outcome = entered_events_of(ex.outcome) if ex.outcome else None
    censor = entered_events_of(ex.censor) if ex.censor else None
    rows = exits(final, definition, day(end), outcome, censor, exposure_periods, exposure_key)
    rows = rows.select(PID, "__idx", "__exit", "__rank", "entry_value")
    if definition.keeps_all:
        rows = eras(rows, definition.era_pad_days)
    rows = checkpoint(rows)

    entry = definition.entry
    # the records of ``cand`` passed the first-ever step (``entry_records``)
    entry_steps = [("__t", "first ever")] if entry.first_ever else []
    if study.entry_period is not None:
        p = study.entry_period
        entry_steps.append(("__c_period", f"entry period {p[0]} to {p[1]}"))
    obs_reason = "observation"
    bits = []
    if entry.prior_observation_days:
        bits.append(f"{entry.prior_observation_days} days before the index")
    if entry.post_observation_days:
        bits.append(f"{entry.post_observation_days} days after")
    if bits:
        obs_reason += f" ({', '.join(bits)})"
    entry_steps.append(("__c_obs", obs_reason))
    if entry.limit != "all":
        entry_steps.append(("__c_limit", f"limit: {entry.limit} entry"))
    rules = definition.inclusion
    rule_steps = []
    for i, rule in enumerate(rules):
        col = f"__k_rule{i}"
        rule_steps.append((col, f"rule {i + 1}: {rule.name}"))
    if definition.limit_after_inclusion != "all":
        rule_steps.append(
            ("__c_after", f"limit after inclusion: {definition.limit_after_inclusion}")
        )
    names = ", ".join(entry.criteria)

    def steps() -> list[tuple[str, int, int]]:
        everyone = persons
        if patients is not None:
            everyone = nw.concat([lazy(patients).select(PID), persons], how="vertical")
        population = count_rows(everyone)[0]
        entered_events = count_rows(days)
        first = count_flags(
            cand.with_columns(nw.lit(True).alias("__t")), [c for c, _ in entry_steps]
        )
        out = [
            ("population", population, entered_events[1]),
            (f"entry events: {names}", *entered_events),
        ]
        out += [(reason, *n) for (_, reason), n in zip(entry_steps, first, strict=True)]
        if rule_steps:
            cumulative = []
            acc: Any = nw.lit(True)
            for i in range(len(rules)):
                acc = acc & nw.col(f"__r{i}")
                cumulative.append(acc.alias(f"__k_rule{i}"))
            flagged = ruled.with_columns(*cumulative) if cumulative else ruled
            counts = count_flags(flagged, [c for c, _ in rule_steps])
            out += [(reason, *n) for (_, reason), n in zip(rule_steps, counts, strict=True)]
        if definition.keeps_all:
            out.append((f"eras (pad {definition.era_pad_days} days)", *count_rows(rows)))
        return out

    def rule_stats() -> Any:
        import pandas as pd

        if not rules:
            return pd.DataFrame(columns=RULE_STATS_COLUMNS)
        flags = []
        for i in range(len(rules)):
            others = [nw.col(f"__r{j}") for j in range(len(rules)) if j != i]
            only = ~nw.col(f"__r{i}")
            if others:
                only = only & nw.all_horizontal(*others, ignore_nulls=True)
            flags += [nw.col(f"__r{i}").alias(f"__s{i}"), only.alias(f"__o{i}")]
        lf = ruled.with_columns(*flags)
        counts = count_flags(lf, [f"__{k}{i}" for i in range(len(rules)) for k in ("s", "o")])
        table = []
        for i, rule in enumerate(rules):
            (sp, sr), (op, orr) = counts[2 * i], counts[2 * i + 1]
            table.append([i + 1, rule.name, sr, sp, orr, op])
        frame = pd.DataFrame(table, columns=RULE_STATS_COLUMNS)
        for c in RULE_STATS_COLUMNS[2:]:
            frame[c] = frame[c].astype("int64")
        return frame

    return Cohort(
        definition.id,
        rows,
        steps,
        rule_stats=rule_stats,
        era_column=definition.keeps_all,
        definition=definition,
    )


def _as_date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
