"""The events of each criterion of a cohort definition, as day numbers.

Every criterion reads the events frame through
:func:`snds_algos.events.selection.select_events` (the same selection as case
definitions); a case criterion reads the rows of its category ``case:<name>``.
"""

from __future__ import annotations

from collections.abc import Iterable

import narwhals as nw

from snds_algos.backend import day_number, null_columns
from snds_algos.cohorts._frames import PID
from snds_algos.cohorts.definition import CaseCriterion, CohortDefinition
from snds_algos.events.selection import select_events

#: columns a criterion frame holds: the person, start and end day (end = start when
#: null), the code
CRITERION_COLUMNS = (PID, "__s", "__e", "value")
#: optional event columns (absent ones are taken as null)
OPTIONAL = {
    "group_id": nw.String(),
    "position": nw.String(),
    "level": nw.String(),
    "end": nw.Date(),
}


def with_optional(events: nw.LazyFrame) -> nw.LazyFrame:
    """``events`` with the optional columns the selections read (null when absent)."""
    names = set(events.collect_schema().names())
    missing = {c: t for c, t in OPTIONAL.items() if c not in names}
    return null_columns(events, missing) if missing else events


def case_category(name: str) -> str:
    """Category of the events of case criterion ``name``.

    >>> case_category("diabetic")
    'case:diabetic'
    """
    return f"case:{name}"


def criterion_events(
    events: nw.LazyFrame, definition: CohortDefinition, names: Iterable[str], *, ends: bool = True
) -> nw.LazyFrame:
    """Events of the criteria ``names`` pooled: ``patient_id, __s, __e, value`` (days;
    without ``__e`` when not ``ends``: entry events are dated by their start only)."""
    parts = []
    for name in dict.fromkeys(names):
        crit = definition.criteria[name]
        if isinstance(crit, CaseCriterion):
            lf = events.filter(nw.col("category") == case_category(name))
        else:
            lf = select_events(
                events,
                crit.events,
                codes=definition.codes(crit.codes) if crit.codes else None,
                exclude=definition.codes(crit.exclude) if crit.exclude else None,
                how=crit.how,
                positions=crit.positions if crit.events == "hospital_diagnosis" else None,
                levels=crit.levels if crit.events == "hospital_diagnosis" else None,
                natures=crit.natures,
                exclude_natures=crit.exclude_natures,
            )
        parts.append(
            lf.select(PID, "start", "end", "value") if ends else lf.select(PID, "start", "value")
        )
    lf = parts[0] if len(parts) == 1 else nw.concat(parts, how="vertical")
    lf = day_number(lf, "start", "__s")
    if not ends:
        return lf.select(PID, "__s", "value")
    lf = day_number(lf, "end", "__e0")
    return lf.select(PID, "__s", nw.col("__e0").fill_null(nw.col("__s")).alias("__e"), "value")
