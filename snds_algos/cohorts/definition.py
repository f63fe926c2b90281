"""Cohort definitions as data: study bounds, criteria, entry, inclusion rules, exit, eras.

YAML layout (every field is described in ``docs/user_guide/cohorts.md``)::

    id: metformin_new_users
    study: {data_start: 2015-01-01, data_end: 2020-12-31, entry_period: [2016-01-01, 2019-12-31],
            no_care_days: null}
    criteria:                      # the case-definition vocabulary (events, codes, ...)
      metformin: {events: drug_dispensing, codes: metformin_atc}
      t2d:       {events: hospital_diagnosis, codes: t2d_icd10, positions: [DP, DR, DA]}
      diabetic:  {case: diabetes, year: 2019}        # a registered case algorithm
    entry: {any: [metformin], first_ever: true, prior_observation_days: 365, limit: first}
    inclusion:
      - {name: type 2 diabetes, criterion: t2d, window: [-365, 0], min: 1}
      - {name: no insulin before, criterion: insulin, window: [null, -1], max: 0}
      - {name: adult, age_at_index: [18, null]}
    limit_after_inclusion: all
    exit: {outcome: mi, death: true, censor: [insulin], max_follow_up_days: 365}
    era_pad_days: 0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from snds_algos._yaml import safe_load
from snds_algos.cases.definition import Criterion, _criterion

#: criterion fields a cohort criterion may use (the case-definition vocabulary that
#: selects events; year-based thresholds belong to inclusion rules here)
CRITERION_FIELDS = {
    "label", "events", "codes", "exclude", "how", "positions", "levels", "natures",
    "exclude_natures",
}  # fmt: skip
LIMITS = ("first", "last", "all")
MATCHES = ("start", "overlap")


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{where}: not a date (YYYY-MM-DD): {value!r}") from None


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)


@dataclass(frozen=True)
class CaseCriterion:
    """A criterion met by the persons a registered case algorithm identifies in a year.

    Its event is dated by the earliest date a criterion of the case definition is met
    (the day the person becomes identifiable) and its value is the algorithm id.

    >>> CaseCriterion("diabetic", "diabetes", 2019).algorithm
    'diabetes'
    """

    name: str
    algorithm: str
    year: int
    label: str = ""
    events: str = "case"


@dataclass(frozen=True)
class Study:
    """Bounds of the extraction and of the entry period (inclusive dates).

    ``data_start`` / ``data_end`` ``None``: read from the data (first and last event
    date). ``no_care_days``: observation ends that many days after the last care (any
    event), when that comes first.
    """

    data_start: dt.date | None = None
    data_end: dt.date | None = None
    entry_period: tuple[dt.date, dt.date] | None = None
    no_care_days: int | None = None


@dataclass(frozen=True)
class Entry:
    """How entry records are found: events of ``criteria``, then each step in order."""

    criteria: tuple[str, ...]
    first_ever: bool = False
    prior_observation_days: int = 0
    post_observation_days: int = 0
    limit: str = "first"

    def __post_init__(self) -> None:
        if self.limit not in LIMITS:
            raise ValueError(f"entry.limit must be one of {LIMITS}, not {self.limit!r}")
        if not self.criteria:
            raise ValueError("entry: name at least one criterion (any: [...])")
        for name in ("prior_observation_days", "post_observation_days"):
            if int(getattr(self, name)) < 0:
                raise ValueError(f"entry.{name} must be >= 0, not {getattr(self, name)}")


@dataclass(frozen=True)
class Rule:
    """One inclusion rule, evaluated on every entry record.

    Event rules: ``criterion`` (a name or several, their events pooled), ``window``
    ``(a, b)`` days relative to the index (``None`` unbounded, both ends included),
    ``min`` / ``max`` events (``distinct="dates"``: distinct dates), ``match`` ``start``
    (the event's start is in the window) or ``overlap`` (``[start, end]`` meets it).
    Person rules: ``age_at_index`` ``(low, high)`` completed years, inclusive; ``sex``
    codes (``"1"`` male, ``"2"`` female). A missing age or sex fails the rule.
    """

    name: str
    criterion: tuple[str, ...] = ()
    window: tuple[int | None, int | None] = (None, None)
    min: int | None = None
    max: int | None = None
    distinct: str | None = None
    match: str = "start"
    age_at_index: tuple[int | None, int | None] | None = None
    sex: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        kinds = sum(
            x is not None and x != () for x in (self.criterion or None, self.age_at_index, self.sex)
        )
        if kinds != 1:
            raise ValueError(
                f"rule {self.name!r}: give exactly one of criterion, age_at_index, sex"
            )
        if self.criterion and self.min is None and self.max is None:
            raise ValueError(f"rule {self.name!r}: an event rule needs min or max")
        if self.match not in MATCHES:
            raise ValueError(f"rule {self.name!r}: match must be one of {MATCHES}")
        if self.distinct not in (None, "dates"):
            raise ValueError(f"rule {self.name!r}: distinct must be 'dates' or absent")
        a, b = self.window
        if a is not None and b is not None and a > b:
            raise ValueError(f"rule {self.name!r}: window [{a}, {b}] is empty")

    @property
    def kind(self) -> str:
        """``"events"``, ``"age"`` or ``"sex"``."""
        if self.criterion:
            return "events"
        return "age" if self.age_at_index is not None else "sex"


@dataclass(frozen=True)
class Exit:
    """Exit candidates; the earliest on or after the index wins (ties: :data:`EXIT_ORDER`).

    ``persistence_offset_days``: with an exposure-periods frame given to the builder, the
    end of the period containing the index plus this offset is a candidate too.
    """

    outcome: tuple[str, ...] = ()
    death: bool = True
    censor: tuple[str, ...] = ()
    max_follow_up_days: int | None = None
    persistence_offset_days: int = 0

    def __post_init__(self) -> None:
        if not self.death:
            raise ValueError(
                "exit.death: false is not supported: the SNDS observes no one after death, so "
                "death always ends follow-up (exit reason death)"
            )
        if self.max_follow_up_days is not None and int(self.max_follow_up_days) < 1:
            raise ValueError(f"exit.max_follow_up_days must be >= 1, not {self.max_follow_up_days}")


@dataclass(frozen=True)
class CohortDefinition:
    """A cohort definition: study bounds, named criteria, entry, rules, exit, eras."""

    id: str
    criteria: Mapping[str, Criterion | CaseCriterion]
    entry: Entry
    inclusion: tuple[Rule, ...] = ()
    limit_after_inclusion: str = "all"
    exit: Exit = field(default_factory=Exit)
    era_pad_days: int = 0
    study: Study = field(default_factory=Study)
    code_lists: Mapping[str, Sequence[str]] = field(default_factory=dict)
    label: str = ""

    def __post_init__(self) -> None:
        if self.limit_after_inclusion not in LIMITS:
            raise ValueError(
                f"{self.id}: limit_after_inclusion must be one of {LIMITS}, "
                f"not {self.limit_after_inclusion!r}"
            )
        if int(self.era_pad_days) < 0:
            raise ValueError(f"{self.id}: era_pad_days must be >= 0")
        used = [*self.entry.criteria, *self.exit.outcome, *self.exit.censor]
        used += [c for r in self.inclusion for c in r.criterion]
        unknown = sorted(set(used) - set(self.criteria))
        if unknown:
            raise ValueError(
                f"{self.id}: unknown criterion(s) {unknown}; known: {sorted(self.criteria)}"
            )
        names = [r.name for r in self.inclusion]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.id}: inclusion rule names must be unique: {names}")
        for crit in self.criteria.values():
            if isinstance(crit, Criterion):
                for lst in (crit.codes, crit.exclude):
                    if lst and lst not in self.code_lists:
                        raise KeyError(f"{self.id}: code list {lst!r} of {crit.name} not loaded")

    @property
    def keeps_all(self) -> bool:
        """True when a person may have several rows (then eras merge them)."""
        return self.entry.limit == "all" and self.limit_after_inclusion == "all"

    def codes(self, name: str | None) -> tuple[str, ...]:
        """The codes of a code list of the definition."""
        return tuple(self.code_lists[name]) if name else ()


def _window(value: Any, where: str) -> tuple[int | None, int | None]:
    if value is None:
        return (None, None)
    if not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2:
        raise ValueError(f"{where}: window must be [start, end] days (null: unbounded): {value!r}")
    return tuple(None if v is None else int(v) for v in value)  # type: ignore[return-value]


_RULE_FIELDS = {
    "name",
    "criterion",
    "window",
    "min",
    "max",
    "distinct",
    "match",
    "age_at_index",
    "sex",
}
_SEX = {"male": "1", "female": "2", "m": "1", "f": "2", "1": "1", "2": "2"}


def rule_from_dict(spec: Mapping[str, Any], position: int = 0) -> Rule:
    """A :class:`Rule` from its YAML mapping.

    >>> rule_from_dict({"name": "adult", "age_at_index": [18, None]}).kind
    'age'
    """
    unknown = set(spec) - _RULE_FIELDS
    name = str(spec.get("name") or f"rule {position + 1}")
    if unknown:
        raise ValueError(f"inclusion rule {name!r}: unknown field(s) {sorted(unknown)}")
    sex = spec.get("sex")
    if sex is not None:
        try:
            sex = tuple(_SEX[str(s).lower()] for s in _names(sex))
        except KeyError:
            raise ValueError(f"rule {name!r}: sex must be male/female or 1/2: {sex!r}") from None
    age = spec.get("age_at_index")
    return Rule(
        name=name,
        criterion=_names(spec.get("criterion")),
        window=_window(spec.get("window"), f"rule {name!r}"),
        min=None if spec.get("min") is None else int(spec["min"]),
        max=None if spec.get("max") is None else int(spec["max"]),
        distinct=spec.get("distinct"),
        match=spec.get("match", "start"),
        age_at_index=None if age is None else _window(age, f"rule {name!r} age_at_index"),
        sex=sex,
    )


def _criterion_from(name: str, spec: Mapping[str, Any]) -> Criterion | CaseCriterion:
    if "case" in spec:
        unknown = set(spec) - {"case", "year", "label"}
        if unknown or "year" not in spec:
            raise ValueError(
                f"criterion {name}: a case criterion is {{case: ID, year: N[, label]}}"
            )
        return CaseCriterion(name, str(spec["case"]), int(spec["year"]), spec.get("label", ""))
    unknown = set(spec) - CRITERION_FIELDS
    if unknown:
        raise ValueError(
            f"criterion {name}: field(s) {sorted(unknown)} not used in cohorts "
            f"(allowed: {sorted(CRITERION_FIELDS)}; counts and windows go in inclusion rules)"
        )
    return _criterion(name, spec)


def definition_from_dict(
    doc: Mapping[str, Any], code_lists: Mapping[str, Sequence[str]] | None = None
) -> CohortDefinition:
    """A :class:`CohortDefinition` from its parsed YAML (``code_lists``: name -> codes).

    Examples
    --------
    >>> d = definition_from_dict({"id": "x", "criteria": {"m": {"events": "drug_dispensing",
    ...     "codes": "met"}}, "entry": {"any": ["m"]}}, {"met": ["A10BA02"]})
    >>> d.entry.limit, d.exit.death
    ('first', True)
    """
    known = {
        "id",
        "label",
        "study",
        "criteria",
        "entry",
        "inclusion",
        "limit_after_inclusion",
        "exit",
        "era_pad_days",
    }
    unknown = set(doc) - known
    if unknown:
        raise ValueError(f"cohort definition: unknown field(s) {sorted(unknown)}")
    ident = str(doc.get("id") or "cohort")
    st = dict(doc.get("study") or {})
    bad = set(st) - {"data_start", "data_end", "entry_period", "no_care_days"}
    if bad:
        raise ValueError(f"{ident}: study: unknown field(s) {sorted(bad)}")
    period = st.get("entry_period")
    study = Study(
        data_start=None
        if st.get("data_start") is None
        else _date(st["data_start"], "study.data_start"),
        data_end=None if st.get("data_end") is None else _date(st["data_end"], "study.data_end"),
        entry_period=None
        if period is None
        else (_date(period[0], "study.entry_period"), _date(period[1], "study.entry_period")),
        no_care_days=None if st.get("no_care_days") is None else int(st["no_care_days"]),
    )
    criteria = {n: _criterion_from(n, s) for n, s in (doc.get("criteria") or {}).items()}
    en = dict(doc.get("entry") or {})
    bad = set(en) - {
        "any",
        "first_ever",
        "prior_observation_days",
        "post_observation_days",
        "limit",
    }
    if bad:
        raise ValueError(f"{ident}: entry: unknown field(s) {sorted(bad)}")
    entry = Entry(
        criteria=_names(en.get("any")),
        first_ever=bool(en.get("first_ever", False)),
        prior_observation_days=int(en.get("prior_observation_days") or 0),
        post_observation_days=int(en.get("post_observation_days") or 0),
        limit=en.get("limit", "first"),
    )
    ex = dict(doc.get("exit") or {})
    bad = set(ex) - {"outcome", "death", "censor", "max_follow_up_days", "persistence_offset_days"}
    if bad:
        raise ValueError(f"{ident}: exit: unknown field(s) {sorted(bad)}")
    exit_ = Exit(
        outcome=_names(ex.get("outcome")),
        death=bool(ex.get("death", True)),
        censor=_names(ex.get("censor")),
        max_follow_up_days=None
        if ex.get("max_follow_up_days") is None
        else int(ex["max_follow_up_days"]),
        persistence_offset_days=int(ex.get("persistence_offset_days") or 0),
    )
    rules = tuple(rule_from_dict(r, i) for i, r in enumerate(doc.get("inclusion") or []))
    return CohortDefinition(
        id=ident,
        label=str(doc.get("label") or ""),
        criteria=criteria,
        entry=entry,
        inclusion=rules,
        limit_after_inclusion=doc.get("limit_after_inclusion", "all"),
        exit=exit_,
        era_pad_days=int(doc.get("era_pad_days") or 0),
        study=study,
        code_lists=dict(code_lists or {}),
    )


def _read_codes(csv_path: Path) -> tuple[str, ...]:
    from snds_algos.codelists import read_codes

    return read_codes(csv_path)


def load_cohort_definition(
    path: str | Path, code_lists: Mapping[str, Sequence[str]] | None = None
) -> CohortDefinition:
    """Read a YAML cohort definition; code lists from ``codes/NAME.csv`` beside it, else
    from the library's code lists (``snds_algos.events.load_codelist``).

    Examples
    --------
    >>> from importlib import resources
    >>> path = resources.files("snds_algos.algorithms") / "metformin_new_users_ami" / "definition.yaml"
    >>> d = load_cohort_definition(path)
    >>> d.entry.first_ever, d.exit.outcome
    (True, ('mi',))
    """
    path = Path(str(path))
    doc = safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(doc, Mapping):
        raise ValueError(f"{path}: a cohort definition is a YAML mapping")
    lists = dict(code_lists or {})
    needed = {
        name
        for spec in (doc.get("criteria") or {}).values()
        for name in (spec.get("codes"), spec.get("exclude"))
        if name
    }
    for name in sorted(needed - set(lists)):
        csv_path = path.parent / "codes" / f"{name}.csv"
        if csv_path.exists():
            lists[name] = _read_codes(csv_path)
            continue
        from snds_algos.events.codelists import available_codelists, load_codelist

        if name in available_codelists():
            lists[name] = load_codelist(name).codes
            continue
        raise FileNotFoundError(
            f"{path}: code list {name!r} not found at {csv_path} nor among the library's lists"
        )
    try:
        return definition_from_dict(doc, lists)
    except (ValueError, KeyError) as exc:
        raise type(exc)(f"{path}: {exc}") from None
