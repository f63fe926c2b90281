"""Exposure periods and coverage runs: worked examples E1-E5 of pathways.md, every
strategy, parameter and boundary, on pandas, DuckDB and Spark."""

from __future__ import annotations

import pytest

from snds_algos.pathways import coverage_runs, exposure_periods
from snds_algos.pathways.schema import PERIOD_COLUMNS, RUN_COLUMNS
from snds_algos.reports import Report
from tests.pathways import D, dispensings, follow_up, stays, table

COLS = ["patient_id", "key", "period_no", "start", "end", "n_dispensings", "supplied_days",
        "covered_days", "gap_days"]  # fmt: skip
ORDER = ["patient_id", "key", "start"]
E1_DAYS = ["2014-01-08", "2014-02-05", "2014-03-12", "2014-04-20", "2014-06-03"]
MET = "A10BA02"


def e1(backend):
    return backend.frame(dispensings(*[("P1", D(d), MET) for d in E1_DAYS]))


def periods(backend, frame, **kwargs):
    out = exposure_periods(frame, **kwargs)
    assert type(out).__module__.split(".")[0] == type(frame).__module__.split(".")[0]
    return table(out, COLS, ORDER)


def test_output_columns_and_types(backend):
    out = backend.collect(exposure_periods(e1(backend)))
    assert list(out.columns) == list(PERIOD_COLUMNS)
    dtypes = {c: str(t) for c, t in out.dtypes.items()}
    assert dtypes["start"].startswith("date32") and dtypes["end"].startswith("date32")
    assert all(dtypes[c] in ("Int64", "int64[pyarrow]") for c in ("period_no", "gap_days"))
    runs = backend.collect(coverage_runs(e1(backend)))
    assert list(runs.columns) == list(RUN_COLUMNS)


def test_e1_carryover_grace_15_one_period(backend):
    assert periods(backend, e1(backend)) == [
        ("P1", MET, 1, D("2014-01-08"), D("2014-07-02"), 5, 150, 150, 26)
    ]


def test_e1_carryover_grace_13_two_periods(backend):
    assert periods(backend, e1(backend), grace_days=13) == [
        ("P1", MET, 1, D("2014-01-08"), D("2014-05-19"), 4, 120, 120, 12),
        ("P1", MET, 2, D("2014-06-03"), D("2014-07-02"), 1, 30, 30, 0),
    ]


def test_e1_grace_exactly_at_the_gap_is_bridged(backend):
    # the last gap is 14 days (05-20 .. 06-02): grace 14 bridges it, 13 does not
    assert len(periods(backend, e1(backend), grace_days=14)) == 1
    assert len(periods(backend, e1(backend), grace_days=13)) == 2


def test_e1_coverage_runs_carryover(backend):
    runs = table(coverage_runs(e1(backend)), ["start", "end", "covered_days"], ORDER)
    # the 02-05 fill starts on 02-07 (carried over): one run with the first fill
    assert runs == [
        (D("2014-01-08"), D("2014-03-08"), 60),
        (D("2014-03-12"), D("2014-04-10"), 30),
        (D("2014-04-20"), D("2014-05-19"), 30),
        (D("2014-06-03"), D("2014-07-02"), 30),
    ]


def test_e1_no_stockpile(backend):
    assert periods(backend, e1(backend), strategy="no_stockpile") == [
        ("P1", MET, 1, D("2014-01-08"), D("2014-07-02"), 5, 150, 148, 28)
    ]


def test_no_stockpile_vs_carryover_on_stockpiling(backend):
    # three 30-day fills within 10 days: carryover stacks them, no_stockpile loses 70 days
    frame = backend.frame(
        dispensings(*[("P1", D(d), MET) for d in ("2020-01-01", "2020-01-05", "2020-01-10")])
    )
    assert periods(backend, frame) == [
        ("P1", MET, 1, D("2020-01-01"), D("2020-03-30"), 3, 90, 90, 0)
    ]
    assert periods(backend, frame, strategy="no_stockpile") == [
        ("P1", MET, 1, D("2020-01-01"), D("2020-02-08"), 3, 90, 39, 0)
    ]


def test_e2_large_pack_count_and_per_line(backend):
    frame = backend.frame(dispensings(("P1", D("2020-01-01"), MET, 2.0, True)))
    assert periods(backend, frame) == [
        ("P1", MET, 1, D("2020-01-01"), D("2020-06-28"), 1, 180, 180, 0)
    ]
    assert periods(backend, frame, boxes_mode="per_line") == [
        ("P1", MET, 1, D("2020-01-01"), D("2020-03-30"), 1, 90, 90, 0)
    ]


def test_e3_early_refill_is_carried_over(backend):
    frame = backend.frame(
        dispensings(*[("P1", D(d), MET) for d in ("2020-01-01", "2020-01-02", "2020-02-20")])
    )
    assert periods(backend, frame) == [
        ("P1", MET, 1, D("2020-01-01"), D("2020-03-30"), 3, 90, 90, 0)
    ]


def test_e4_grace_30_and_29(backend):
    frame = backend.frame(dispensings(("P1", D("2020-01-01"), MET), ("P1", D("2020-03-01"), MET)))
    assert periods(backend, frame, grace_days=30) == [
        ("P1", MET, 1, D("2020-01-01"), D("2020-03-30"), 2, 60, 60, 30)
    ]
    assert [p[3:5] for p in periods(backend, frame, grace_days=29)] == [
        (D("2020-01-01"), D("2020-01-30")),
        (D("2020-03-01"), D("2020-03-30")),
    ]
    later = backend.frame(dispensings(("P1", D("2020-01-01"), MET), ("P1", D("2020-03-02"), MET)))
    assert len(periods(backend, later, grace_days=30)) == 2


def test_e5_hospital_pause_and_ignore(backend):
    frame = backend.frame(dispensings(("P1", D("2020-01-01"), MET)))
    stay = backend.frame(stays(("P1", "2020-01-10", "2020-01-15")))
    # 5 hospital days (01-10 .. 01-14) inside the run extend it; they count as covered
    assert periods(backend, frame, hospital_mode="pause", stays=stay) == [
        ("P1", MET, 1, D("2020-01-01"), D("2020-02-04"), 1, 30, 35, 0)
    ]
    assert periods(backend, frame, stays=stay) == [
        ("P1", MET, 1, D("2020-01-01"), D("2020-01-30"), 1, 30, 30, 0)
    ]


def test_pause_stay_entirely_before_or_after_changes_nothing(backend):
    frame = backend.frame(dispensings(("P1", D("2020-03-01"), MET)))
    before = backend.frame(
        stays(("P1", "2020-01-10", "2020-02-29"), ("P2", "2020-03-01", "2020-03-20"))
    )
    assert periods(backend, frame, hospital_mode="pause", stays=before) == [
        ("P1", MET, 1, D("2020-03-01"), D("2020-03-30"), 1, 30, 30, 0)
    ]
    # a stay starting the day after the run: no extension; a same-day stay: no hospital day
    after = backend.frame(
        stays(("P1", "2020-03-31", "2020-04-10"), ("P1", "2020-03-05", "2020-03-05"))
    )
    assert periods(backend, frame, hospital_mode="pause", stays=after)[0][3:5] == (
        D("2020-03-01"),
        D("2020-03-30"),
    )


def test_pause_stay_in_a_gap_does_not_count_towards_grace(backend):
    # run 01-01 .. 01-30; stay 02-01 .. 03-01 (29 hospital days); next fill 03-05:
    # 5 days out of hospital uncovered (01-31, 03-01 .. 03-04): bridged with grace 15
    frame = backend.frame(dispensings(("P1", D("2020-01-01"), MET), ("P1", D("2020-03-05"), MET)))
    stay = backend.frame(stays(("P1", "2020-02-01", "2020-03-01")))
    assert periods(backend, frame, hospital_mode="pause", stays=stay) == [
        ("P1", MET, 1, D("2020-01-01"), D("2020-04-03"), 2, 60, 60, 34)
    ]
    assert len(periods(backend, frame)) == 2


def test_pause_overlapping_stays_are_merged(backend):
    frame = backend.frame(dispensings(("P1", D("2020-01-01"), MET)))
    stay = backend.frame(
        stays(("P1", "2020-01-10", "2020-01-13"), ("P1", "2020-01-12", "2020-01-15"))
    )
    assert periods(backend, frame, hospital_mode="pause", stays=stay)[0][4] == D("2020-02-04")


def test_follow_up_cuts_a_period_and_drops_outside(backend):
    frame = backend.frame(
        dispensings(
            *[("P1", D(d), MET) for d in E1_DAYS],
            ("P2", D("2013-01-01"), MET),
            ("P3", D("2014-01-01"), MET),
        )
    )
    fu = backend.frame(
        follow_up(("P1", "2014-02-01", "2014-04-30"), ("P2", "2014-01-01", "2014-12-31"))
    )
    report = Report()
    out = periods(backend, frame, follow_up=fu, report=report)
    # P1 clipped to 02-01 .. 04-30: fills of 02-05, 03-12, 04-20 inside; runs clipped
    # (02-01 .. 03-08, 03-12 .. 04-10, 04-20 .. 04-30); P2's period is before, P3 has none
    assert out == [("P1", MET, 1, D("2014-02-01"), D("2014-04-30"), 3, 90, 77, 12)]
    steps = report.to_pandas()
    row = steps[steps["step"] == "pathways:outside_follow_up"].iloc[0]
    assert (row["rows_in"], row["rows_removed"]) == (3, 2)


def test_follow_up_renumbers_periods(backend):
    frame = e1(backend)
    fu = backend.frame(follow_up(("P1", "2014-06-01", "2014-06-10")))
    assert periods(backend, frame, grace_days=13, follow_up=fu) == [
        ("P1", MET, 1, D("2014-06-03"), D("2014-06-10"), 1, 30, 8, 0)
    ]


def test_periods_per_key_and_person(backend):
    frame = backend.frame(
        dispensings(
            ("P1", D("2020-01-01"), MET),
            ("P1", D("2020-01-01"), "A10BH01"),
            ("P2", D("2020-01-05"), MET),
        )
    )
    out = periods(backend, frame, key=5)
    assert [p[:2] for p in out] == [("P1", "A10BA"), ("P1", "A10BH"), ("P2", "A10BA")]


def test_scalpel3_purchase_count_based_e1(backend):
    # SCALPEL3 LimitedExposureAdder(0, 15 days, 90, 30, PurchaseCountBased) on E1:
    # one exposure from 01-08, 5 x 30 days -> SCALPEL3's exclusive end 06-07, ours 06-06
    assert periods(backend, e1(backend), strategy="scalpel3") == [
        ("P1", MET, 1, D("2014-01-08"), D("2014-06-06"), 5, 150, 150, 0)
    ]


def test_scalpel3_latest_purchase_based_e1(backend):
    assert periods(
        backend, e1(backend), strategy="scalpel3", scalpel3_end="latest_purchase_based"
    ) == [("P1", MET, 1, D("2014-01-08"), D("2014-07-02"), 5, 150, 148, 28)]


def test_scalpel3_strict_end_delay(backend):
    # gap of 14 days before 06-03: bridged by end_delay 15, not by end_delay 14 (strict <)
    assert len(periods(backend, e1(backend), strategy="scalpel3", grace_days=15)) == 1
    assert len(periods(backend, e1(backend), strategy="scalpel3", grace_days=14)) == 2


def test_scalpel3_per_line_packs_and_large_pack(backend):
    # per line: 3 boxes of a large pack give 90 days, not 270
    frame = backend.frame(dispensings(("P1", D("2020-01-01"), MET, 3.0, True)))
    assert periods(backend, frame, strategy="scalpel3")[0][3:7] == (
        D("2020-01-01"),
        D("2020-03-30"),
        1,
        90,
    )


def test_scalpel3_known_quirk_count_based_periods_overlap(backend):
    # three lines (three CIP13) on 01-01: span 90 days, but the extent is 30 days; a
    # purchase on 02-20 (gap 20 >= 15) opens a second exposure inside the first
    frame = backend.frame(
        dispensings(
            ("P1", D("2020-01-01"), MET, 1.0, False, "3400930000001"),
            ("P1", D("2020-01-01"), MET, 1.0, False, "3400930000002"),
            ("P1", D("2020-01-01"), MET, 1.0, False, "3400930000003"),
            ("P1", D("2020-02-20"), MET),
        )
    )
    out = periods(backend, frame, strategy="scalpel3")
    assert [p[3:5] for p in out] == [
        (D("2020-01-01"), D("2020-03-30")),
        (D("2020-02-20"), D("2020-03-20")),
    ]
    assert out[0][4] >= out[1][3]  # overlap


def test_bad_parameters_name_the_parameter(backend):
    frame = e1(backend)
    with pytest.raises(ValueError, match="strategy"):
        exposure_periods(frame, strategy="eras")
    with pytest.raises(ValueError, match="grace_days"):
        exposure_periods(frame, grace_days=-1)
    with pytest.raises(ValueError, match="stays"):
        exposure_periods(frame, hospital_mode="pause")
    with pytest.raises(ValueError, match="hospital_mode"):
        exposure_periods(frame, hospital_mode="censor")


def test_missing_column_is_a_clear_error(backend):
    import pandas as pd

    from snds_algos.errors import ContractError

    bad = backend.frame(pd.DataFrame({"patient_id": ["P1"], "start": [D("2020-01-01")]}))
    with pytest.raises(ContractError, match="drug_dispensing events: missing column"):
        exposure_periods(bad)


def test_pause_fill_dispensed_in_hospital_starts_on_the_exit_day(backend):
    frame = backend.frame(dispensings(("P1", D("2020-01-10"), MET)))
    stay = backend.frame(stays(("P1", "2020-01-08", "2020-01-12")))
    assert periods(backend, frame, hospital_mode="pause", stays=stay) == [
        ("P1", MET, 1, D("2020-01-12"), D("2020-02-10"), 1, 30, 30, 0)
    ]
