"""The pictures render (PNG bytes, the expected artists), from inputs of every backend."""

from __future__ import annotations

import io

import pandas as pd
import pytest

pytest.importorskip("matplotlib")

from matplotlib.patches import PathPatch, Rectangle

from snds_algos.pathways import sankey, timeline, treatment_states
from tests.pathways.helpers_states import periods

PNG = b"\x89PNG\r\n\x1a\n"


def png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=50)
    return buffer.getvalue()


def paths_frame() -> pd.DataFrame:
    pathways = ["A - B"] * 20 + ["A - Stopped"] * 12 + ["B"] * 3
    return pd.DataFrame({
        "patient_id": pd.array([f"P{i:02d}" for i in range(len(pathways))], dtype="string[pyarrow]"),
        "n_steps": pd.array([p.count(" - ") + 1 for p in pathways], dtype="Int64"),
        "pathway": pd.array(pathways, dtype="string[pyarrow]"),
    })  # fmt: skip


def test_sankey_renders_nodes_flows_and_masks_small_counts(backend):
    fig = sankey(backend.frame(paths_frame()))
    ax = fig.axes[0]
    nodes = [p for p in ax.patches if isinstance(p, Rectangle)]
    bands = [p for p in ax.patches if isinstance(p, PathPatch)]
    assert len(nodes) == 4  # A, B at step 1; B, Stopped at step 2
    assert len(bands) == 2  # A -> B, A -> Stopped
    texts = [t.get_text() for t in ax.texts]
    assert sorted(texts) == ["A (32)", "B (20)", "B (<11)", "Stopped (12)"]
    # the node of 3 persons is drawn with the width of 11 (its true size is not shown)
    heights = {t.get_text(): n.get_height() for t, n in zip(ax.texts, nodes, strict=True)}
    assert heights["B (<11)"] == pytest.approx(heights["A (32)"] * 11 / 32)
    assert "11 persons" in fig.texts[0].get_text()
    assert png(fig).startswith(PNG)


def test_sankey_without_suppression_shows_every_count(backend):
    fig = sankey(backend.frame(paths_frame()), threshold=None, title=None)
    texts = sorted(t.get_text() for t in fig.axes[0].texts)
    assert texts == ["A (32)", "B (20)", "B (3)", "Stopped (12)"]
    assert not fig.texts
    heights = sorted(p.get_height() for p in fig.axes[0].patches if isinstance(p, Rectangle))
    assert heights[0] == pytest.approx(heights[-1] * 3 / 32)


def test_sankey_refuses_masked_counts():
    with pytest.raises(ValueError, match="person-level"):
        sankey(pd.DataFrame({"pathway": ["A"], "n_persons": [3]}))


def test_timeline_draws_periods_states_stays_and_death(backend):
    p = periods(("P1", "A", "2020-01-01", "2020-03-31"), ("P1", "B", "2020-02-01", "2020-06-30"),
                ("P1", "A", "2020-05-01", "2020-06-30"), ("P2", "C", "2020-01-01", "2020-01-31"))  # fmt: skip
    st = treatment_states(backend.frame(p), data_end="2020-07-31")
    stays = periods(
        ("P1", "x", "2020-04-10", "2020-04-20"), ("P2", "x", "2020-01-05", "2020-01-06")
    )
    fig = timeline(backend.frame(p), st, backend.frame(stays.drop(columns="key")),
                   death="2020-07-31", patient_id="P1")  # fmt: skip
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B", "states"]
    assert len(ax.collections) == 2  # one broken_barh per key (P2's key C not drawn)
    assert [len(c.get_paths()) for c in ax.collections] == [2, 1]
    states = [r for r in ax.patches if r.get_gid() == "state"]
    assert len(states) == 5  # A, A+B, B, A+B, none
    labels = ax.get_legend_handles_labels()[1]
    assert labels == ["hospital stay", "death"]
    assert png(fig).startswith(PNG)
    assert fig.savefig(io.BytesIO(), format="svg") is None
