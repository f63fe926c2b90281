"""Antidiabetic treatment pathways: the registered algorithm on hand-made dispensings on
every backend, the same rows on every backend on generated data, and the recovered
transitions and PDC against the trajectories the generator planted."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import snds_algos
from snds_algos.contracts.dtypes import date_series
from snds_algos.events.drugs import DRUG_EXTRAS
from snds_algos.events.schema import finish_events
from tests.helpers import rows

ALGO = "antidiabetic_pathways"


def dispensings(data: list[tuple[str, str, str, float, bool]]) -> pd.DataFrame:
    """Pharmacy dispensing events: (person, date, ATC, boxes, large pack)."""
    frame = pd.DataFrame(
        {
            "patient_id": [d[0] for d in data],
            "category": "drug_dispensing",
            "group_id": "A10",
            "value": [d[2] for d in data],
            "weight": [d[3] for d in data],
            "start": date_series([d[1] for d in data]),
            "end": date_series([None] * len(data)),
            "source": "ER_PHA_F",
            "cip13": "3400900000000",
            "large_pack": [d[4] for d in data],
        }
    )
    return finish_events(frame, DRUG_EXTRAS)


WORLD = [
    # P1: metformin monthly, DPP-4 added in April (fixed-dose combination A10BD07 from May)
    *[("P1", f"2020-{m:02d}-01", "A10BA02", 1.0, False) for m in (1, 2, 3)],
    ("P1", "2020-04-01", "A10BA02", 1.0, False),
    ("P1", "2020-04-01", "A10BH01", 1.0, False),
    *[("P1", f"2020-{m:02d}-01", "A10BD07", 1.0, False) for m in (5, 6, 7, 8)],
    # P2: one large pack of 2 boxes of metformin (180 days), then insulin instead
    ("P2", "2020-01-10", "A10BA02", 2.0, True),
    ("P2", "2020-07-01", "A10AE04", 1.0, False),
    # P3: a non-antidiabetic code in A10 (A10BF, no key) only: no pathway
    ("P3", "2020-02-01", "A10BF01", 1.0, False),
]


def test_states_transitions_and_lines_on_every_backend(backend):
    disp = backend.frame(dispensings(WORLD))
    deaths = backend.frame(dispensings(WORLD).iloc[:0])
    result = snds_algos.get(ALGO).run(dispensings=disp, deaths=deaths, data_end="2020-12-31")
    states = rows(backend.collect(result.states), ["patient_id", "start"])
    assert [(s["patient_id"], s["state"], s["start"], s["end"]) for s in states] == [
        ("P1", "metformin", dt.date(2020, 1, 1), dt.date(2020, 3, 31)),
        ("P1", "dpp4+metformin", dt.date(2020, 4, 1), dt.date(2020, 8, 30)),
        ("P1", "none", dt.date(2020, 8, 31), dt.date(2020, 12, 31)),
        ("P2", "metformin", dt.date(2020, 1, 10), dt.date(2020, 6, 30)),
        ("P2", "insulin", dt.date(2020, 7, 1), dt.date(2020, 7, 30)),
        ("P2", "none", dt.date(2020, 7, 31), dt.date(2020, 12, 31)),
    ]
    moves = rows(backend.collect(result.transitions), ["patient_id", "date"])
    assert [(m["patient_id"], m["date"], m["type"]) for m in moves] == [
        ("P1", dt.date(2020, 1, 1), "initiation"),
        ("P1", dt.date(2020, 4, 1), "add_on"),
        ("P1", dt.date(2020, 8, 31), "discontinuation"),
        ("P1", dt.date(2020, 12, 31), "end_of_data"),
        ("P2", dt.date(2020, 1, 10), "initiation"),
        ("P2", dt.date(2020, 7, 1), "switch"),
        ("P2", dt.date(2020, 7, 31), "discontinuation"),
        ("P2", dt.date(2020, 12, 31), "end_of_data"),
    ]
    lines = rows(backend.collect(result.lines), ["patient_id", "line_no"])
    assert [(r["patient_id"], r["line_no"], r["regimen"]) for r in lines] == [
        ("P1", 1, "metformin"),
        ("P1", 2, "dpp4+metformin"),
        ("P2", 1, "metformin"),
        ("P2", 2, "insulin"),
    ]
    # the unmapped A10BF line is counted, not silently dropped
    assert "P3" not in {s["patient_id"] for s in states}
    counts = result.pathway_counts
    assert counts["n_persons_shown"].tolist() == ["<11", "<11"]  # 1 person each: masked


@pytest.fixture(scope="module")
def generated():
    from snds_algos.synthetic import generate_tables

    return generate_tables(3000, "2019-2020", seed=5)


def _tables(tables):
    return {k: v for k, v in tables.items() if not k.startswith("_")}


def test_generated_data_same_rows_on_every_backend(generated, backend):
    """The whole study on 3 000 generated persons: every output equals pandas."""
    expected = snds_algos.get(ALGO).run(_tables(generated))
    got = snds_algos.get(ALGO).run(backend.source(_tables(generated)))
    for name in ("periods", "states", "transitions", "lines", "adherence", "bins", "pathways"):
        frame = getattr(expected, name)
        key = list(frame.columns)
        assert rows(backend.collect(getattr(got, name)), key) == rows(frame, key), name
    assert len(expected.states) > 100


def test_recovered_transitions_agree_with_the_planted_trajectories(generated):
    from snds_algos.synthetic import evaluate_transitions, treatment_truth

    result = snds_algos.get(ALGO).run(_tables(generated))
    truth = treatment_truth(generated)
    adherent = truth[truth["behaviour"] != "non_adherent"]
    scores = evaluate_transitions(result.transitions, adherent, tolerance_days=30)
    by_type = scores.set_index("type")
    print(scores.to_string())
    for kind in ("switch", "add_on"):
        assert by_type.at[kind, "planted"] >= 10
        assert by_type.at[kind, "recall"] >= 0.8, kind
        assert by_type.at[kind, "precision"] >= 0.5, kind
