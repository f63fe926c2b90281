"""Pictures of care pathways: a Sankey (alluvial) diagram and a per-person timeline.

Both return a matplotlib Figure (``fig.savefig("x.png")`` or ``.svg``); matplotlib is
imported inside the functions (the ``plot`` extra: ``pip install "snds-algos[plot]"``).

Small cells in the Sankey diagram: it is an aggregate that may leave the platform, so
by default (``threshold=11``) a node or a flow of 1 to 10 persons is drawn with the
width of 11 persons, so that its true size cannot be read off the picture, and a
node's label reads ``<11``. Flows carry no number, so that no published sum links the
labels (a node's count minus its shown flows would reveal a masked one). A note under
the figure says so. ``threshold=None`` draws true widths and shows every count (for
pictures that stay inside the platform). The timeline shows one person's data: it
never leaves the platform.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from snds_algos.backend import lazy, to_pandas
from snds_algos.disclosure import DEFAULT_THRESHOLD, is_small
from snds_algos.pathways.sequences import STEP_SEP, STOPPED
from snds_algos.pathways.states import NONE

_GREY = "#9e9e9e"


def _colors(labels: Sequence[str]) -> dict[str, Any]:
    from matplotlib import colormaps

    cmap = colormaps["tab20"]
    out: dict[str, Any] = {}
    ordered = sorted(label for label in set(labels) if label not in (STOPPED, NONE))
    for i, label in enumerate(ordered):
        out[label] = cmap((2 * i) % 20 + (i // 10) % 2)
    out[STOPPED] = _GREY
    out[NONE] = "#e0e0e0"
    return out


def _pathway_table(paths: Any) -> pd.DataFrame:
    """``pathway, n`` persons per pathway (the aggregate only is brought to pandas)."""
    import narwhals as nw

    if (
        isinstance(paths, pd.DataFrame)
        and "n_persons" in paths.columns
        and "patient_id" not in paths.columns
    ):
        raise ValueError("sankey needs the person-level pathways (the output of pathways()), "
                         "not pathway_counts: masked counts cannot be drawn")  # fmt: skip
    counts = lazy(paths).group_by("pathway").agg(nw.col("patient_id").n_unique().alias("n"))
    native = (
        counts.to_native() if not isinstance(paths, pd.DataFrame) else counts.collect().to_native()
    )
    table = to_pandas(native)
    return table.astype({"n": "int64"})


def sankey(
    paths: Any,
    *,
    threshold: int | None = DEFAULT_THRESHOLD,
    max_steps: int | None = None,
    title: str | None = "Treatment pathways",
    figsize: tuple[float, float] = (10, 6),
) -> Any:
    """A Sankey (alluvial) diagram of treatment pathways: steps as columns, one node per
    state at each step, flows between consecutive steps by number of persons.

    Parameters
    ----------
    paths:
        Output of :func:`~snds_algos.pathways.pathways` (one row per person, any
        backend; only the counts per pathway are brought to pandas).
    threshold:
        Small-cell threshold (see the module): nodes and flows of 1 to ``threshold -
        1`` persons are drawn with the width of ``threshold`` persons and labelled
        ``<threshold``; ``None`` switches suppression off.
    max_steps:
        Steps drawn (default: all).

    Returns
    -------
    A matplotlib Figure: one ``Rectangle`` per node and one ``PathPatch`` (a band
    bounded by two cubic Bézier curves) per flow, in its only axes.

    Examples
    --------
    >>> import pandas as pd
    >>> paths = pd.DataFrame({"patient_id": [f"P{i}" for i in range(30)],
    ...     "pathway": ["A - B"] * 20 + ["A - Stopped"] * 7 + ["B"] * 3})
    >>> fig = sankey(paths)
    >>> len(fig.axes[0].patches)  # 4 nodes (A, B at step 1; B, Stopped at step 2), 2 flows
    6
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path

    table = _pathway_table(paths)
    steps = table["pathway"].str.split(STEP_SEP, regex=False)
    nodes: dict[tuple[int, str], int] = {}
    flows: dict[tuple[int, str, str], int] = {}
    for parts, n in zip(steps, table["n"], strict=True):
        parts = parts[:max_steps] if max_steps else parts
        for i, state in enumerate(parts):
            nodes[(i, state)] = nodes.get((i, state), 0) + int(n)
            if i:
                key = (i - 1, parts[i - 1], state)
                flows[key] = flows.get(key, 0) + int(n)

    def drawn(count: int) -> int:
        return max(count, threshold) if is_small(count, threshold) else count

    n_steps = 1 + max((i for i, _ in nodes), default=0)
    colors = _colors([s for _, s in nodes])
    out_sum: dict[tuple[int, str], int] = {}
    in_sum: dict[tuple[int, str], int] = {}
    for (i, a, b), n in flows.items():
        out_sum[(i, a)] = out_sum.get((i, a), 0) + drawn(n)
        in_sum[(i + 1, b)] = in_sum.get((i + 1, b), 0) + drawn(n)
    height = {k: max(drawn(n), out_sum.get(k, 0), in_sum.get(k, 0)) for k, n in nodes.items()}
    columns = {
        i: sorted([k for k in nodes if k[0] == i], key=lambda k: (k[1] == STOPPED, -nodes[k], k[1]))
        for i in range(n_steps)
    }
    tallest = max((sum(height[k] for k in col) for col in columns.values()), default=1) or 1
    gap = 0.03 * tallest
    scale = 1.0 / (tallest + gap * max((len(c) for c in columns.values()), default=1))
    node_w = 0.12
    top: dict[tuple[int, str], float] = {}
    fig = Figure(figsize=figsize)  # not registered with pyplot: no global state
    ax = fig.subplots()
    for i, col in columns.items():
        y = 1.0
        for k in col:
            h = height[k] * scale
            top[k] = y
            ax.add_patch(Rectangle((i, y - h), node_w, h, facecolor=colors[k[1]], edgecolor="black",
                                   linewidth=0.5))  # fmt: skip
            n = nodes[k]
            shown = f"<{threshold}" if is_small(n, threshold) else f"{n}"
            ax.text(i + node_w + 0.02, y - h / 2, f"{k[1]} ({shown})", va="center", fontsize=8)
            y -= h + gap * scale
    out_y = dict(top)
    in_y = dict(top)
    order = sorted(flows, key=lambda f: (f[0], columns[f[0]].index((f[0], f[1])),
                                         columns[f[0] + 1].index((f[0] + 1, f[2]))))  # fmt: skip
    for i, a, b in order:
        w = drawn(flows[(i, a, b)]) * scale
        y0, y1 = out_y[(i, a)], in_y[(i + 1, b)]
        out_y[(i, a)] -= w
        in_y[(i + 1, b)] -= w
        x0, x1 = i + node_w, i + 1
        xm = (x0 + x1) / 2
        verts = [(x0, y0), (xm, y0), (xm, y1), (x1, y1), (x1, y1 - w), (xm, y1 - w), (xm, y0 - w),
                 (x0, y0 - w), (x0, y0)]  # fmt: skip
        codes = [Path.MOVETO, *[Path.CURVE4] * 3, Path.LINETO, *[Path.CURVE4] * 3, Path.CLOSEPOLY]
        ax.add_patch(
            PathPatch(Path(verts, codes), facecolor=colors[a], alpha=0.45, edgecolor="none")
        )
    ax.set_xlim(-0.1, n_steps - 1 + 0.7)
    ax.set_ylim(-0.02, 1.02)
    ax.set_xticks([i + node_w / 2 for i in range(n_steps)])
    ax.set_xticklabels([f"step {i + 1}" for i in range(n_steps)])
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    if title:
        ax.set_title(title)
    if threshold is not None:
        fig.text(0.01, 0.01, f"Counts of 1 to {threshold - 1} persons read <{threshold} and are "
                 f"drawn with the width of {threshold} persons.", fontsize=7)  # fmt: skip
    return fig


def _person(frame: Any, patient_id: str) -> pd.DataFrame:
    import narwhals as nw

    lf = lazy(frame).filter(nw.col("patient_id") == patient_id)
    if isinstance(frame, pd.DataFrame):
        return lf.collect().to_native().reset_index(drop=True)
    return to_pandas(lf.to_native())


def _num(value: Any) -> float:
    import matplotlib.dates as mdates

    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return float(mdates.date2num(pd.Timestamp(value)))


def timeline(
    periods: Any,
    states: Any = None,
    stays: Any = None,
    death: Any = None,
    *,
    patient_id: str,
    title: str | None = None,
    figsize: tuple[float, float] = (10, 3.5),
) -> Any:
    """One person's timeline: exposure periods per key, treatment states, hospital
    stays and death.

    Parameters
    ----------
    periods:
        Exposure periods (``patient_id, key, start, end``), any backend: one bar row
        per key, a bar per period (inclusive: a bar covers its end day).
    states:
        Optional output of :func:`~snds_algos.pathways.treatment_states`: a band of
        the states (labelled when wide enough) above the periods.
    stays:
        Optional hospital stays (``patient_id, start, end``, e.g. stay events): grey
        spans across the picture.
    death:
        Optional date of death, or a frame ``patient_id, death_date`` (or death
        events, ``start``): a red cross and line.
    patient_id:
        The person drawn (only their rows are brought to pandas).

    Returns
    -------
    A matplotlib Figure: one ``broken_barh`` collection per key, one rectangle per
    state, one span per stay.

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> periods = pd.DataFrame({"patient_id": ["P1", "P1"], "key": ["A", "B"],
    ...     "start": date_series(["2020-01-01", "2020-03-20"]),
    ...     "end": date_series(["2020-03-31", "2020-06-30"])})
    >>> fig = timeline(periods, patient_id="P1")
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['A', 'B']
    """
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    per = _person(periods, patient_id)
    keys = sorted(per["key"].astype(str).unique().tolist())
    labels = list(keys)
    if states is not None:
        st = _person(states, patient_id)
        labels += st["state"].astype(str).tolist()
    colors = _colors(labels)
    fig = Figure(figsize=figsize)  # not registered with pyplot: no global state
    ax = fig.subplots()
    lo, hi = [], []
    for row, key in enumerate(keys):
        mine = per[per["key"].astype(str) == key]
        bars = [
            (_num(s), _num(e) + 1 - _num(s))
            for s, e in zip(mine["start"], mine["end"], strict=True)
        ]
        ax.broken_barh(bars, (row - 0.35, 0.7), facecolors=colors[key])
        lo += [b[0] for b in bars]
        hi += [b[0] + b[1] for b in bars]
    yticks, ylabels = list(range(len(keys))), list(keys)
    if states is not None and len(st):
        row = len(keys) + 0.3
        for s, e, label in zip(st["start"], st["end"], st["state"].astype(str), strict=True):
            x0, width = _num(s), _num(e) + 1 - _num(s)
            ax.add_patch(Rectangle((x0, row - 0.4), width, 0.8, facecolor=colors[label],
                                   edgecolor="white", linewidth=1, gid="state"))  # fmt: skip
            if width >= 25:
                ax.text(x0 + width / 2, row, label, ha="center", va="center", fontsize=7)
            lo.append(x0)
            hi.append(x0 + width)
        yticks.append(row)
        ylabels.append("states")
    if stays is not None:
        hs = _person(stays, patient_id)
        for i, (s, e) in enumerate(zip(hs["start"], hs["end"], strict=True)):
            end = s if pd.isna(e) else e
            ax.axvspan(_num(s), _num(end) + 1, color="grey", alpha=0.25, linewidth=0, gid="stay",
                       label="hospital stay" if i == 0 else None)  # fmt: skip
    if death is not None:
        if isinstance(death, dt.date | str):
            day = death
        else:
            d = _person(death, patient_id)
            column = "death_date" if "death_date" in d.columns else "start"
            day = d[column].min() if len(d) else None
        if day is not None and not pd.isna(day):
            x = _num(day)
            ax.axvline(x, color="firebrick", linewidth=1.2)
            ax.plot([x], [len(keys) + 0.9], marker="X", color="firebrick", markersize=9,
                    linestyle="none", label="death")  # fmt: skip
            hi.append(x + 1)
    ax.set_yticks(yticks)
    ax.set_yticklabels(ylabels)
    ax.set_ylim(-0.8, len(keys) + 1.3)
    if lo:
        pad = max(5.0, 0.03 * (max(hi) - min(lo)))
        ax.set_xlim(min(lo) - pad, max(hi) + pad)
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    fig.autofmt_xdate()
    fig.subplots_adjust(right=0.85)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, frameon=False)
    ax.set_title(title or f"Person {patient_id}")
    return fig
