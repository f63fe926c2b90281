"""Supply of dispensings: drug keys, same-day fills, packs, boxes modes, caps, report."""

from __future__ import annotations

import pandas as pd
import pytest

from snds_algos.pathways import fills, key_mapping
from snds_algos.pathways.schema import FILL_COLUMNS
from snds_algos.reports import Report
from tests.pathways import D, dispensings, table

COLS = ["patient_id", "key", "date", "n_dispensings", "boxes", "supply_days"]
ORDER = ["patient_id", "key", "date"]
MET = "A10BA02"


def steps(report):
    frame = report.to_pandas()
    return {r["step"]: (r["rows_in"], r["rows_removed"]) for r in frame.to_dict("records")}


def test_same_day_dispensings_of_a_key_are_summed(backend):
    frame = backend.frame(
        dispensings(
            ("P1", D("2020-01-01"), MET, 1.0, False, "3400930000001"),
            ("P1", D("2020-01-01"), MET, 2.0, True, "3400930000002"),
            ("P1", D("2020-01-02"), MET),
        )
    )
    out = fills(frame)
    assert list(backend.collect(out).columns) == list(FILL_COLUMNS)
    assert table(out, COLS, ORDER) == [
        ("P1", MET, D("2020-01-01"), 2, 3.0, 30 + 2 * 90),
        ("P1", MET, D("2020-01-02"), 1, 1.0, 30),
    ]


def test_large_pack_and_per_line(backend):
    frame = backend.frame(dispensings(("P1", D("2020-01-01"), MET, 2.0, True)))
    assert table(fills(frame), ["supply_days"], ORDER) == [(180,)]
    assert table(fills(frame, boxes_mode="per_line"), ["supply_days"], ORDER) == [(90,)]


def test_pack_days_override(backend):
    frame = backend.frame(
        dispensings(
            ("P1", D("2020-01-01"), MET, 2.0, False, "3400930000028"),
            ("P1", D("2020-01-01"), "A10BH01", 1.0, True, "3400930000090"),
        )
    )
    out = fills(frame, pack_days={"3400930000028": 28})
    assert table(out, ["key", "supply_days"], ORDER) == [(MET, 56), ("A10BH01", 90)]
    csv_like = pd.DataFrame({"cip13": ["3400930000090"], "days": [84]})
    assert table(fills(frame, pack_days=csv_like), ["key", "supply_days"], ORDER) == [
        (MET, 60),
        ("A10BH01", 84),
    ]


def test_boxes_above_max_are_capped_and_counted(backend):
    frame = backend.frame(
        dispensings(("P1", D("2020-01-01"), MET, 25.0), ("P1", D("2020-02-01"), MET, 10.0))
    )
    report = Report()
    out = fills(frame, report=report)
    assert table(out, ["boxes", "supply_days"], ORDER) == [(10.0, 300), (10.0, 300)]
    assert steps(report)["pathways:boxes_capped"] == (1, 0)
    assert table(fills(frame, max_boxes=None), ["boxes"], ORDER) == [(25.0,), (10.0,)]


def test_non_positive_or_null_boxes_are_dropped_and_counted(backend):
    frame = backend.frame(
        dispensings(
            ("P1", D("2020-01-01"), MET, 0.0),
            ("P1", D("2020-01-02"), MET, -1.0),
            ("P1", D("2020-01-03"), MET, None),
            ("P1", D("2020-01-04"), MET, 1.0),
        )
    )
    report = Report()
    assert table(fills(frame, report=report), ["date"], ORDER) == [(D("2020-01-04"),)]
    assert steps(report)["pathways:no_boxes"] == (4, 3)


@pytest.mark.parametrize(
    "level,expected", [(1, "A"), (3, "A10"), (4, "A10B"), (5, "A10BA"), (7, MET)]
)
def test_atc_levels(backend, level, expected):
    frame = backend.frame(dispensings(("P1", D("2020-01-01"), MET)))
    assert table(fills(frame, key=level), ["key"], ORDER) == [(expected,)]


def test_bad_level_and_modes(backend):
    frame = backend.frame(dispensings(("P1", D("2020-01-01"), MET)))
    with pytest.raises(ValueError, match="ATC level"):
        fills(frame, key=2)
    with pytest.raises(ValueError, match="boxes_mode"):
        fills(frame, boxes_mode="boxes")
    with pytest.raises(ValueError, match="max_boxes"):
        fills(frame, max_boxes=0)


def test_mapping_splits_combinations_and_counts_unmapped(backend):
    frame = backend.frame(
        dispensings(
            ("P1", D("2020-01-01"), "A10BD07"),
            ("P1", D("2020-01-01"), MET),
            ("P1", D("2020-01-05"), "A10BH01"),
            ("P1", D("2020-01-06"), "C10AA05"),
        )
    )
    mapping = {"A10BA02": "metformin", "A10BH": "dpp4", "A10BD07": ["metformin", "dpp4"]}
    report = Report()
    out = fills(frame, key=mapping, report=report)
    # the combination gives one fill per molecule; same-day metformin fills are summed
    assert table(out, ["key", "date", "n_dispensings", "supply_days"], ORDER) == [
        ("dpp4", D("2020-01-01"), 1, 30),
        ("dpp4", D("2020-01-05"), 1, 30),
        ("metformin", D("2020-01-01"), 2, 60),
    ]
    assert steps(report)["pathways:unmapped"] == (4, 1)


def test_mapping_most_specific_code_wins_and_cip13(backend):
    frame = backend.frame(
        dispensings(
            ("P1", D("2020-01-01"), "A10AE56", 1.0, False, "3400930000056"),
            ("P1", D("2020-01-02"), "A10AE04", 1.0, False, "3400930000004"),
            ("P1", D("2020-01-03"), "A10AE04", 1.0, False, "3400939999999"),
        )
    )
    mapping = pd.DataFrame(
        {
            "code": ["A10A", "A10AE56", "A10AE56", "3400939999999"],
            "key": ["insulin", "insulin", "glp1", "special"],
        }
    )
    out = fills(frame, key=backend.frame(mapping))
    assert table(out, ["key", "date"], ORDER) == [
        ("glp1", D("2020-01-01")),
        ("insulin", D("2020-01-01")),
        ("insulin", D("2020-01-02")),
        ("special", D("2020-01-03")),
    ]


def test_key_mapping_from_csv(tmp_path):
    path = tmp_path / "keys.csv"
    path.write_text("code,key,label\na10bd07,metformin,x\nA10BD07,dpp4,x\n")
    assert key_mapping(path).values.tolist() == [["A10BD07", "dpp4"], ["A10BD07", "metformin"]]
    bad = tmp_path / "bad.csv"
    bad.write_text("atc,key\nA10,x\n")
    with pytest.raises(ValueError, match="missing column"):
        key_mapping(bad)


def test_fills_keep_the_input_backend(backend):
    frame = backend.frame(dispensings(("P1", D("2020-01-01"), MET)))
    out = fills(frame)
    expected = {"pandas": "pandas", "duckdb": "duckdb", "spark": "pyspark"}[backend.name]
    assert type(out).__module__.split(".")[0] == expected
