"""A CONSORT-style flowchart drawn from the attrition table alone (matplotlib, imported
when called). Counts of 1 to ``threshold - 1`` are masked by default, with secondary
suppression, as for every aggregate that leaves the platform."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from snds_algos.cohorts.attrition import suppressed_attrition
from snds_algos.disclosure import DEFAULT_THRESHOLD


def flowchart_text(
    attrition: pd.DataFrame,
    threshold: int | None = DEFAULT_THRESHOLD,
    rounding: int | None = None,
) -> list[tuple[str, str]]:
    """The texts of the flowchart: per step, the main box and the exclusion box (counts
    of :func:`~snds_algos.cohorts.attrition.suppressed_attrition`: masked, and with
    ``rounding`` rounded so that every box still adds up).

    Examples
    --------
    >>> from snds_algos.cohorts.attrition import attrition_table
    >>> t = attrition_table([("population", 250, 300), ("entry", 243, 280)])
    >>> flowchart_text(t)[1]
    ('entry\\nmasked persons, 280 records', 'excluded: <11 persons, 20 records')
    >>> t = attrition_table([("population", 1002, 1502), ("entry", 903, 1203)])
    >>> flowchart_text(t, rounding=5)[1]
    ('entry\\n905 persons, 1205 records', 'excluded: 95 persons, 295 records')
    """
    shown = suppressed_attrition(attrition, threshold, as_text=True, rounding=rounding)
    out = []
    for _, row in shown.iterrows():
        main = f"{row['reason']}\n{row['n_persons']} persons, {row['n_records']} records"
        side = ""
        if row["step"] > 0:
            word = "added" if str(row["excluded_persons"]).startswith("-") else "excluded"
            ep, er = (
                str(row["excluded_persons"]).lstrip("-"),
                str(row["excluded_records"]).lstrip("-"),
            )
            side = f"{word}: {ep} persons, {er} records"
        out.append((main, side))
    return out


def flowchart(
    attrition: pd.DataFrame,
    path: str | Path | None = None,
    *,
    threshold: int | None = DEFAULT_THRESHOLD,
    rounding: int | None = None,
    title: str | None = None,
    dpi: int = 120,
    format: str | None = None,
) -> Any:
    """Draw the attrition as a flowchart: one box per step down the middle, what the
    step excluded in a box to the right; written to ``path`` (PNG, SVG, PDF) when given.
    Counts of 1 to ``threshold - 1`` are masked with secondary suppression; ``rounding``
    rounds the shown counts to its base, the boxes still adding up.

    Returns the matplotlib figure.

    Examples
    --------
    >>> from snds_algos.cohorts.attrition import attrition_table
    >>> fig = flowchart(attrition_table([("population", 250, 300), ("entry", 243, 280)]))
    >>> len(fig.axes)
    1
    """
    import matplotlib

    if path is not None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    texts = flowchart_text(attrition, threshold, rounding)
    n = len(texts)
    height = 1.25 * n + (0.6 if title else 0.2)
    fig, ax = plt.subplots(figsize=(9, height))
    ax.set_xlim(0, 10)
    ax.set_ylim(-1.25 * n, 0.6 if title else 0.2)
    ax.axis("off")
    if title:
        ax.text(5, 0.3, title, ha="center", va="center", fontsize=11, weight="bold")
    box = {"boxstyle": "round,pad=0.4", "facecolor": "#eef3fb", "edgecolor": "#3a5a8c"}
    side_box = {"boxstyle": "round,pad=0.3", "facecolor": "#fbf1ee", "edgecolor": "#8c4a3a"}
    for i, (main, side) in enumerate(texts):
        y = -1.25 * i - 0.4
        ax.text(3.4, y, main, ha="center", va="center", fontsize=8.5, bbox=box, wrap=True)
        if i < n - 1:
            ax.annotate(
                "", xy=(3.4, y - 0.85), xytext=(3.4, y - 0.35), arrowprops={"arrowstyle": "->"}
            )
        if side:
            ax.annotate(
                "", xy=(6.6, y + 0.62), xytext=(3.4, y + 0.62), arrowprops={"arrowstyle": "-"}
            )
            ax.text(7.9, y + 0.62, side, ha="center", va="center", fontsize=8, bbox=side_box)
    fig.tight_layout()
    if path is not None:
        fig.savefig(str(path), dpi=dpi, format=format)
        plt.close(fig)
    return fig
