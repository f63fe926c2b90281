"""One cartography run: every flag of ``flags.yaml`` for year N, one row per person of
the cartography population, the events extracted once and shared by every definition.

How it runs:

1. the case definitions of the algorithm runs the flags read (one per algorithm,
   version and parameters) are merged into one definition (criteria and code lists
   renamed per run), whose events :func:`~snds_algos.cases.extract.extract_for`
   extracts **once**: one dispensing extraction (the union of the ATC lists over the
   union of the years), one ALD extraction, one hospital-diagnosis extraction, one of
   stays and one of acts when a definition reads them;
2. each definition's :func:`~snds_algos.cases.identify` runs on those shared events;
3. each flag is the union of its outputs (``case`` or criteria), restricted to the
   cartography population (:func:`~snds_algos.cartography.cartography_population`),
   then the structural rules are applied in file order: ``sex``, ``exclusive_of``
   (the acute flag wins) and ``union``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import narwhals as nw

from snds_algos.backend import SPARK, backend_of, computed_once, lazy, to_native
from snds_algos.cartography.population import PID, cartography_population
from snds_algos.cartography.structure import FlagSet, Output, load_flags, run_definition_of
from snds_algos.cases.definition import Criterion, Definition
from snds_algos.reports import Report

#: event kind of a criterion -> key of :func:`~snds_algos.cases.extract.extract_for`
EVENT_KEYS = {
    "drug_dispensing": "drugs",
    "ald": "ald",
    "hospital_diagnosis": "diagnoses",
    "hospital_stay": "stays",
    "medical_act": "acts",
}


def run_definitions(
    flagset: FlagSet, ald_natures: Sequence[str] | None = None
) -> list[tuple[Output, Definition]]:
    """The definition of each algorithm run of ``flagset``, its parameters applied.

    ``ald_natures`` (default ``None``: every exemption nature, as the cartography, S3)
    sets the ``ald_natures`` parameter of every definition that has one.

    >>> runs = run_definitions(load_flags().select(["TOP_CVIC_AIG"]))
    >>> [(o.algorithm, d.criteria["chronic_ald"].enabled, d.criteria["chronic_ald"].natures)
    ...  for o, d in runs]
    [('heart_failure', True, None)]
    """
    import snds_algos

    out = []
    for run in flagset.runs():
        algo = snds_algos.get(run.algorithm, run.version)
        params = dict(run.parameters)
        base = run_definition_of(algo, {})
        if "ald_natures" in base.parameters and "ald_natures" not in params:
            params["ald_natures"] = None if ald_natures is None else list(ald_natures)
        out.append((run, run_definition_of(algo, params)))
    return out


def merged_definition(definitions: Sequence[Definition]) -> Definition:
    """One definition holding every criterion of ``definitions`` (named ``id:criterion``,
    code lists ``id:list``; ``id.i`` when one algorithm runs twice): what :func:`~snds_algos.cases.extract.extract_for` reads to
    extract once the events all of them need.

    >>> from snds_algos.cases import Criterion, Definition
    >>> a = Definition("a", {"x": Criterion("x", "ald", codes="l")}, "x", code_lists={"l": ["E11"]})
    >>> b = Definition("b", {"x": Criterion("x", "ald", codes="l")}, "x", code_lists={"l": ["I50"]})
    >>> m = merged_definition([a, b])
    >>> sorted(m.criteria), dict(m.code_lists)
    (['a:x', 'b:x'], {'a:l': ['E11'], 'b:l': ['I50']})
    """
    criteria: dict[str, Criterion] = {}
    lists: dict[str, Sequence[str]] = {}
    ids = [d.id for d in definitions]
    for i, d in enumerate(definitions):
        p = d.id if ids.count(d.id) == 1 else f"{d.id}.{i}"
        for name, crit in d.criteria.items():
            changes: dict[str, Any] = {"name": f"{p}:{name}"}
            for attr in ("codes", "exclude", "only"):
                if getattr(crit, attr):
                    changes[attr] = f"{p}:{getattr(crit, attr)}"
            if crit.with_same_stay:
                changes["with_same_stay"] = {
                    **crit.with_same_stay,
                    "codes": f"{p}:{crit.with_same_stay['codes']}",
                }
            criteria[f"{p}:{name}"] = replace(crit, **changes)
        lists.update({f"{p}:{k}": v for k, v in d.code_lists.items()})
    return Definition("cartography", criteria, {"any": list(criteria)}, code_lists=lists)


def shared_events(
    definitions: Sequence[Definition],
    source: Any,
    year: int,
    *,
    disambiguate: bool = True,
    report: Report | None = None,
) -> dict[str, Any]:
    """The events every definition reads, extracted once (one frame per event kind).

    On DuckDB the events are computed once already (held in memory); on Spark they are
    marked for caching, so that the definitions that read them do not extract them again.
    """
    from snds_algos.cases.extract import extract_for

    events = extract_for(
        merged_definition(definitions), source, year, disambiguate=disambiguate, report=report
    )
    return {
        key: frame.cache() if backend_of(frame) == SPARK else frame for key, frame in events.items()
    }


def _events_for(definition: Definition, events: Mapping[str, Any]) -> dict[str, Any]:
    kinds = {c.events for c in definition.criteria.values() if c.enabled}
    return {EVENT_KEYS[k]: events[EVENT_KEYS[k]] for k in kinds if EVENT_KEYS[k] in events}


def run_cartography(
    source: Any,
    year: int,
    *,
    backend: str | None = None,
    spark: Any = None,
    flags: FlagSet | str | None = None,
    ald_natures: Sequence[str] | None = None,
    disambiguate: bool = True,
    report: Report | None = None,
) -> Any:
    """Every cartography flag for year N, one row per person of the cartography population.

    Parameters
    ----------
    source:
        The raw tables: a folder, a mapping of frames or a
        :class:`~snds_algos.io.TableSource`.
    year:
        Reference year N.
    backend, spark:
        For a folder: ``"pandas"`` (default), ``"duckdb"`` or ``"spark"`` (with a session).
    flags:
        A :class:`~snds_algos.cartography.FlagSet` or the path of a flag file (default:
        the packaged ``flags.yaml``); ``load_flags().select([...])`` runs a few flags.
    ald_natures:
        Exemption natures the ALD criteria accept; default ``None``: every nature (the
        cartography reads IR_IMB_R without a nature filter, S3). ``["41", "43", "45"]``
        gives the algorithms' own default.
    disambiguate:
        PMSI stays on a shared NIR attributed by sex and age (default) or removed.
    report:
        Receives the cleaning, attribution and population counts.

    Returns
    -------
    ``patient_id``, ``year``, then one boolean column per flag named as the CT_IND column
    (``TOP_FDIABET_IND``...), in the file's order; on the input's backend (pandas sorted
    by ``patient_id``; DuckDB and Spark lazy).

    Examples
    --------
    >>> from snds_algos.synthetic import generate_tables
    >>> tables = generate_tables(1000, "2019-2020", 1)
    >>> frames = {k: v for k, v in tables.items() if not k.startswith("_")}
    >>> flags = load_flags().select(["SUP_CVIDMCOR_CAT", "TOP_FDIABET_IND"])
    >>> out = run_cartography(frames, 2020, flags=flags)
    >>> list(out.columns)
    ['patient_id', 'year', 'TOP_CVIDM_AIG', 'TOP_CVCORON_CHR', 'SUP_CVIDMCOR_CAT', 'TOP_FDIABET_IND']
    >>> bool((out["TOP_CVIDM_AIG"] & out["TOP_CVCORON_CHR"]).any())
    False
    """
    from snds_algos.io import open_source
    from snds_algos.parameters import reference_year

    src = open_source(source, backend=backend, spark=spark)
    year = reference_year(year)
    flagset = flags if isinstance(flags, FlagSet) else load_flags(flags)
    runs = run_definitions(flagset, ald_natures)
    events = shared_events(
        [d for _, d in runs], src, year, disambiguate=disambiguate, report=report
    )
    population = cartography_population(src, year, disambiguate=disambiguate, report=report)
    return cartography_flags(events, population, year, flags=flagset, runs=runs)


def cartography_flags(
    events: Any,
    population: Any,
    year: int,
    *,
    flags: FlagSet | str | None = None,
    ald_natures: Sequence[str] | None = None,
    runs: Sequence[tuple[Output, Definition]] | None = None,
) -> Any:
    """The flags of ``flags`` from events already extracted, on a given population.

    ``events``: one frame of events of every kind the definitions read, or the mapping
    of :func:`shared_events` (``drugs``, ``ald``, ``diagnoses``, ``stays``, ``acts``);
    ``population``: ``patient_id`` and ``sex`` (``"1"``, ``"2"``) of the persons counted
    (:func:`~snds_algos.cartography.cartography_population`); ``ald_natures`` as in
    :func:`run_cartography`. Every person of ``population`` gets one row; persons of
    the events outside it get none. Same output as :func:`run_cartography`.

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> ev = pd.DataFrame({"patient_id": ["P1", "P1"], "category": ["hospital_diagnosis", "ald"],
    ...     "group_id": ["s1", "41"], "value": ["I214", "I251"], "weight": [None, None],
    ...     "start": date_series(["2020-03-01", "2012-01-01"]),
    ...     "end": date_series(["2020-03-04", None]), "source": ["T_MCOaaB", "IR_IMB_R"],
    ...     "position": ["DP", None], "level": ["stay", None]})
    >>> pop = pd.DataFrame({"patient_id": ["P1", "P2"], "sex": ["1", "2"]})
    >>> flags = load_flags().select(["SUP_CVIDMCOR_CAT"])
    >>> cartography_flags(ev, pop, 2020, flags=flags).values.tolist()
    [['P1', 2020, True, False, True], ['P2', 2020, False, False, False]]
    """
    from snds_algos.cases import identify

    flagset = flags if isinstance(flags, FlagSet) else load_flags(flags)
    runs = list(runs) if runs is not None else run_definitions(flagset, ald_natures)
    population = lazy(population)
    shared = isinstance(events, Mapping)
    # each flag's outputs, as a long frame (person, flag index) of the persons it flags
    index = {f.name: i for i, f in enumerate(flagset.flags)}
    run_of = {o.run_key: k for k, (o, _) in enumerate(runs)}
    results: dict[int, nw.LazyFrame] = {}
    long_parts = []
    for f in flagset.flags:
        for o in f.outputs:
            k = run_of[o.run_key]
            if k not in results:
                found = _events_for(runs[k][1], events) if shared else events
                if shared and not found:
                    continue  # no event of what it reads in the source (no PMSI year...)
                # DuckDB: each result computed once (small: the persons meeting a criterion),
                # not once per flag that reads it
                results[k] = computed_once(lazy(identify(runs[k][1], found, year)))
            hit = nw.any_horizontal(*[nw.col(c) for c in o.columns], ignore_nulls=True)
            long_parts.append(
                results[k]
                .filter(hit)
                .select(PID, nw.lit(index[f.name], dtype=nw.Int64).alias("__flag"))
            )
    base = population
    if long_parts:
        long = long_parts[0] if len(long_parts) == 1 else nw.concat(long_parts, how="vertical")
        has = {i for i, f in enumerate(flagset.flags) if f.outputs}
        wide = long.with_columns(
            *[(nw.col("__flag") == i).cast(nw.Int64).alias(f"__f{i}") for i in sorted(has)]
        )
        wide = wide.group_by(PID).agg(*[nw.col(f"__f{i}").max() for i in sorted(has)])
        base = population.join(wide, on=PID, how="left")
    # each flag as an expression of the outputs (rules composed, one projection at the end:
    # a chain of one projection per flag made DuckDB plan a deeply nested query)
    values: dict[str, nw.Expr] = {}
    for i, f in enumerate(flagset.flags):
        if f.union:
            value = nw.any_horizontal(*[values[u] for u in f.union], ignore_nulls=True)
        elif long_parts:
            value = (nw.col(f"__f{i}") == 1).fill_null(False)
        else:
            value = nw.lit(False)
        if f.sex is not None:
            value = value & (nw.col("sex") == str(f.sex)).fill_null(False)
        if f.exclusive_of is not None:
            value = value & ~values[f.exclusive_of]
        values[f.name] = value.fill_null(False)
    out = base.select(
        PID,
        nw.lit(year, dtype=nw.Int64).alias("year"),
        *[v.cast(nw.Boolean()).alias(name) for name, v in values.items()],
    )
    native = to_native(out)
    if backend_of(native) == "pandas":
        native = native.sort_values(PID, kind="stable").reset_index(drop=True)
    return native
