"""A whole pathway study in one call: from a source (or its events) to exposure periods,
treatment states, transitions, lines of therapy, adherence, bins and pathway counts,
with the parameters of a :class:`~snds_algos.pathways.PathwayDefinition`.

The events each stage needs are extracted once (dispensings of the definition's codes,
hospital stays when the definition pauses supply in hospital, deaths) and shared by all
stages; on DuckDB the shared frames are computed once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import narwhals as nw

from snds_algos.backend import checkpoint, lazy, to_native
from snds_algos.pathways.adherence import pdc
from snds_algos.pathways.definition import PathwayDefinition, load_pathway_definition
from snds_algos.pathways.exposure import exposure_periods
from snds_algos.pathways.lines import lines_of_therapy
from snds_algos.pathways.sequences import pathway_counts, pathways, state_bins
from snds_algos.pathways.states import treatment_states
from snds_algos.pathways.transitions import transitions
from snds_algos.reports import Report


@dataclass
class PathwayResult:
    """Every output of a pathway study, as frames of the input's backend (pathway counts:
    a small pandas table, suppressed under the small-cell threshold)."""

    definition: PathwayDefinition
    dispensings: Any
    periods: Any
    states: Any
    transitions: Any
    lines: Any
    adherence: Any
    bins: Any
    pathways: Any
    pathway_counts: Any
    data_end: dt.date
    report: Report

    #: the tables written by ``snds-algos pathways`` (name -> attribute)
    TABLES = ("periods", "states", "transitions", "lines", "adherence", "bins", "pathways")


def _once(frame: Any) -> Any:
    """The frame computed once (it is read by several stages): on DuckDB held in memory,
    on Spark materialised on the executors with its plan cut there
    (:func:`~snds_algos.backend.checkpoint`), so that each later stage plans from it
    instead of re-planning the extraction (Spark's optimiser would otherwise spend
    minutes on the nested plan of the whole study)."""
    if frame is None:
        return None
    return to_native(checkpoint(lazy(frame)))


def _last_day(frame: Any, column: str) -> dt.date | None:
    value = lazy(frame).select(nw.col(column).max()).collect().item()
    if value is None:
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def run_pathways(
    source: Any = None,
    definition: PathwayDefinition | str = "antidiabetic",
    *,
    dispensings: Any = None,
    stays: Any = None,
    deaths: Any = None,
    follow_up: Any = None,
    data_end: dt.date | str | None = None,
    period: tuple[str, str] | None = None,
    threshold: int | None = 11,
    report: Report | None = None,
) -> PathwayResult:
    """Run a pathway definition on a source (a folder, ``{table: frame}`` mapping or
    :class:`~snds_algos.io.TableSource`) or on already-extracted events.

    ``data_end`` is the last day of the data (default: 31 December of the year of the
    last dispensing); the follow-up of each person runs from their first exposure to
    ``data_end`` or their death, unless ``follow_up`` (``patient_id, fu_start, fu_end,
    end_reason``, e.g. from a cohort) is given. ``threshold`` is the small-cell
    threshold of the pathway counts (``None``: no suppression, inside the platform).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> disp = pd.DataFrame({"patient_id": ["P1"] * 3, "category": "drug_dispensing",
    ...     "value": ["A10BA02", "A10BA02", "A10BH01"], "group_id": "A10",
    ...     "weight": [1.0, 1.0, 1.0], "cip13": None, "large_pack": False,
    ...     "start": date_series(["2020-01-01", "2020-01-31", "2020-03-01"]),
    ...     "end": date_series([None] * 3), "source": "ER_PHA_F"})
    >>> result = run_pathways(dispensings=disp, deaths=disp.iloc[:0], data_end="2020-12-31")
    >>> result.states[["state", "start", "end"]].astype(str).values.tolist()
    [['metformin', '2020-01-01', '2020-02-29'], ['dpp4', '2020-03-01', '2020-03-30'], ['none', '2020-03-31', '2020-12-31']]
    >>> result.transitions["type"].tolist()  # a one-day overlap is a switch, not a combination
    ['initiation', 'switch', 'discontinuation', 'end_of_data']
    """
    if isinstance(definition, str):
        definition = load_pathway_definition(definition)
    report = report if report is not None else Report()
    if dispensings is None:
        from snds_algos.events import deaths as death_events
        from snds_algos.events import drug_dispensings, hospital_stays
        from snds_algos.io import open_source

        src = open_source(source)
        atc = sorted(set(definition.codes["code"]))
        dispensings = drug_dispensings(src, atc=atc, period=period, report=report)
        if stays is None and definition.hospital_mode == "pause":
            stays = hospital_stays(src, report=report)
        if deaths is None:
            deaths = death_events(src, report=report)
    dispensings = _once(dispensings)
    stays, deaths, follow_up = _once(stays), _once(deaths), _once(follow_up)
    if data_end is None:
        last = _last_day(dispensings, "start")
        data_end = dt.date(last.year if last else dt.date.today().year, 12, 31)
    elif isinstance(data_end, str):
        data_end = dt.date.fromisoformat(data_end)
    exposure = definition.exposure_kwargs()
    if exposure["hospital_mode"] == "pause" and stays is None:
        exposure["hospital_mode"] = "ignore"
    periods = _once(
        exposure_periods(dispensings, **exposure, stays=stays, follow_up=follow_up, report=report)
    )
    fu = {"follow_up": follow_up} if follow_up is not None else {"data_end": data_end}
    states = _once(
        treatment_states(
            periods,
            **fu,
            deaths=deaths,
            combination_min_days=definition.combination_min_days,
            report=report,
        )
    )
    moves = transitions(states, discontinuation_gap_days=definition.discontinuation_gap_days)
    lines = lines_of_therapy(
        periods,
        **fu,
        deaths=deaths,
        regimen_window_days=definition.regimen_window_days,
        line_gap_days=definition.line_gap_days,
        line_exempt_keys=definition.line_exempt_keys,
        combination_min_days=definition.combination_min_days,
    )
    adherence = pdc(
        dispensings,
        key=definition.mapping,
        window=(
            min(dt.date(data_end.year, 1, 1), data_end),
            data_end,
        ),
        min_dispensings=definition.min_dispensings,
        threshold=definition.adherence_threshold,
        deaths=deaths,
        pack_days=exposure["pack_days"],
        boxes_mode=exposure["boxes_mode"],
        max_boxes=exposure["max_boxes"],
    )
    bins = state_bins(states, bin_days=definition.bin_days)
    paths = pathways(states, discontinuation_gap_days=definition.discontinuation_gap_days)
    counts = pathway_counts(paths, threshold=threshold)
    return PathwayResult(
        definition=definition,
        dispensings=dispensings,
        periods=periods,
        states=states,
        transitions=moves,
        lines=lines,
        adherence=adherence,
        bins=bins,
        pathways=paths,
        pathway_counts=counts,
        data_end=data_end,
        report=report,
    )
