"""Small-cell suppression is the default of every aggregate the library formats or writes
(issue 12): cleaning reports, the OMOP export's reports, the pathways and OMOP commands'
files and printed summaries; an explicit opt-out shows exact counts."""

from __future__ import annotations

import contextlib
import io
import re

import pandas as pd

from snds_algos.cli import main
from snds_algos.omop.writer import suppressed_mapping_report, suppressed_unmapped_codes
from snds_algos.reports import Report

SMALL = re.compile(r"\b([1-9]|10)\b")


def _report() -> Report:
    report = Report()
    # 1000 lines in, 3 removed then 200: the 3 and what would give it back are masked
    report.add_counts(
        "ER_PRS_F",
        pd.DataFrame({"n": [1000], "a": [3], "b": [200]}),
        [("a", "first rule", "a"), ("b", "second rule", "b")],
    )
    report.add_counts("T_MCO20B", pd.DataFrame({"n": [500], "a": [0]}), [("a", "none", "a")])
    return report


def test_cleaning_report_text_masked_by_default_exact_on_request():
    report = _report()
    for text in (report.format(), str(report)):
        lines = text.splitlines()
        assert lines[1].split()[-3:] == ["1000", "<11", "masked"]
        assert lines[2].split()[-3:] == ["masked", "masked", "797"]
        assert lines[3].split()[-3:] == ["500", "0", "500"]
    exact = report.format(threshold=None).splitlines()
    assert exact[1].split()[-3:] == ["1000", "3", "997"]
    assert report.to_pandas()["rows_removed"].tolist() == [3, 200, 0]  # in-platform table


def test_cleaning_report_two_chains_of_one_table_masked_chain_by_chain():
    report = Report()
    for n in (100, 400):
        report.add_counts("ER_PRS_F", pd.DataFrame({"n": [n], "a": [5]}), [("a", "rule", "a")])
    table = report.suppressed()
    assert table[["rows_in", "rows_removed", "rows_out"]].values.tolist() == [
        ["100", "<11", "masked"],
        ["400", "<11", "masked"],
    ]
    assert report.suppressed(threshold=21)["rows_in"].tolist() == ["100", "400"]


def test_omop_mapping_report_secondary_suppression_in_each_row():
    table = pd.DataFrame(
        {
            "table": ["condition_occurrence", "drug_exposure", "measurement"],
            "vocabulary": ["ICD10", "ATC", "NABM"],
            "rows": [250, 250, 300],
            "rows_mapped": [243, 4, 150],
            "share_mapped": [243 / 250, 4 / 250, 0.5],
        }
    )
    out = suppressed_mapping_report(table)
    # 7 unmapped rows (250 - 243): the mapped count would give them back, masked too
    assert out["rows_mapped"].tolist() == [pd.NA, pd.NA, 150]
    assert out["rows"].tolist() == [250, 250, 300]
    assert out["share_mapped"].isna().tolist() == [True, True, False]
    assert suppressed_mapping_report(table, None).equals(table)


def test_omop_unmapped_codes_secondary_suppression_per_table():
    table = pd.DataFrame(
        {
            "table": ["drug_exposure"] * 3 + ["measurement"] * 2,
            "vocabulary": ["ATC"] * 3 + ["NABM"] * 2,
            "code": ["A", "B", "C", "X", "Y"],
            "rows": [500, 60, 2, 40, 30],
        }
    )
    out = suppressed_unmapped_codes(table)
    assert out["rows"].tolist() == [500, pd.NA, pd.NA, 40, 30]


def _run(argv: list[str]) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(argv) == 0
    return buffer.getvalue()


def test_omop_command_masks_its_files_and_summary_by_default(tmp_path):
    masked = _run(["omop", "--out", str(tmp_path / "m"), "--persons", "300", "--format", "csv"])
    exact = _run(
        ["omop", "--out", str(tmp_path / "e"), "--persons", "300", "--format", "csv",
         "--no-suppression"]
    )  # fmt: skip
    assert "counts of 1 to 10 masked" in masked and "exact counts" in exact
    for name in ("mapping_report.csv", "unmapped_codes.csv"):
        shown = pd.read_csv(tmp_path / "m" / name)["rows"].dropna()
        assert ((shown == 0) | (shown >= 11)).all(), name
    report = pd.read_csv(tmp_path / "m" / "export_report.csv", dtype=str)
    for column in ("rows_in", "rows_removed", "rows_out"):
        for value in report[column]:
            assert value in ("<11", "masked") or int(value) == 0 or int(value) >= 11
    exact_report = pd.read_csv(tmp_path / "e" / "export_report.csv")
    assert pd.api.types.is_integer_dtype(exact_report["rows_in"])
    small = exact_report[["rows_in", "rows_removed", "rows_out"]].isin(range(1, 11)).any(axis=None)
    if small:  # something was small: the default hid it, and what would give it back
        assert (report == "<11").any(axis=None) and (report == "masked").any(axis=None)


def test_pathways_command_masks_its_files_and_summary_by_default(tmp_path):
    masked = _run(["pathways", "antidiabetic", "--out", str(tmp_path / "m"), "--persons", "400"])
    exact = _run(
        ["pathways", "antidiabetic", "--out", str(tmp_path / "e"), "--persons", "400",
         "--no-suppression"]
    )  # fmt: skip
    counts = pd.read_csv(tmp_path / "m" / "pathway_counts.csv")
    shown = counts["n_persons"].dropna()
    assert ((shown == 0) | (shown >= 11)).all()
    exact_counts = pd.read_csv(tmp_path / "e" / "pathway_counts.csv")["n_persons"]
    assert exact_counts.notna().all()
    if (exact_counts < 11).any():  # something was small: the default hid it
        assert counts["n_persons"].isna().any() and "<11" in masked
    treated = re.search(r"persons treated: (\S+),", masked).group(1)
    assert treated == "<11" or int(treated) >= 11
    report = (tmp_path / "m" / "report.txt").read_text().splitlines()[1:]
    for line in report:
        cells = line.split()[-3:]
        if len(cells) == 3 and all(re.fullmatch(r"<11|masked|\d+", c) for c in cells):
            assert all(c in ("<11", "masked") or int(c) == 0 or int(c) >= 11 for c in cells)
    assert "persons treated" in exact


def _adds_up(table: pd.DataFrame) -> int:
    """How many steps show both counts and their difference; asserts each adds up."""
    checked = 0
    for kind in ("persons", "records"):
        n, excluded = table[f"n_{kind}"].tolist(), table[f"excluded_{kind}"].tolist()
        for k in range(1, len(n)):
            if not any(pd.isna(v) for v in (n[k - 1], n[k], excluded[k])):
                assert n[k] == n[k - 1] - excluded[k], (kind, k)
                checked += 1
    return checked


def test_cohort_attrition_and_flowchart_rounded_still_add_up():
    from snds_algos.cohorts.attrition import attrition_table, suppressed_attrition
    from snds_algos.cohorts.flowchart import flowchart_text

    table = attrition_table(
        [("population", 12_347, 20_001), ("entry", 11_003, 15_552), ("first ever", 11_003, 11_003),
         ("prior observation", 9_876, 9_876), ("type 2 diabetes", 9_871, 9_871),
         ("adult", 512, 512)]
    )  # fmt: skip
    for base in (5, 10):
        rounded = suppressed_attrition(table, rounding=base)
        shown = [v for c in ("n_persons", "n_records") for v in rounded[c] if not pd.isna(v)]
        assert all(v % base == 0 for v in shown)
        assert _adds_up(rounded) >= 6
        # 9 876 -> 9 871 excludes 5: one of them masked, the difference hidden
        assert pd.isna(rounded.loc[4, "excluded_persons"])
        texts = flowchart_text(table, rounding=base)
        for k, (box, side) in enumerate(texts[1:], start=1):
            persons = rounded.loc[k, "n_persons"]
            if not pd.isna(persons):
                assert box.endswith(f"\n{persons} persons, {rounded.loc[k, 'n_records']} records")
            if not pd.isna(rounded.loc[k, "excluded_persons"]):
                assert side.startswith(f"excluded: {rounded.loc[k, 'excluded_persons']} persons")
    # without rounding: masked the same, exact counts
    plain = suppressed_attrition(table)
    assert plain["n_persons"].isna().tolist() == rounded["n_persons"].isna().tolist()
    assert _adds_up(plain) >= 6
    text = suppressed_attrition(table, as_text=True, rounding=5)
    assert text.loc[4, "excluded_persons"] == "<11"
    assert text.loc[1, "n_persons"] == "11005"


def test_rule_stats_secondary_suppression_against_the_attrition():
    from snds_algos.cohorts.attrition import (
        RULE_STATS_COLUMNS,
        attrition_table,
        suppressed_rule_stats,
    )

    attrition = attrition_table(
        [("population", 900, 1200), ("entry events", 400, 500), ("rule 1: t2d", 395, 492),
         ("rule 2: no insulin", 300, 380), ("rule 3: adult", 300, 380)]
    )  # fmt: skip
    stats = pd.DataFrame(
        [[1, "t2d", 492, 395, 8, 5], [2, "no insulin", 385, 305, 112, 95],
         [3, "adult", 500, 400, 0, 0]],
        columns=RULE_STATS_COLUMNS,
    )  # fmt: skip
    out = suppressed_rule_stats(stats, attrition=attrition)
    # rule 1: 500 - 492 = 8 records and 400 - 395 = 5 persons fail it: masked by difference
    assert out.loc[0, ["satisfied_records", "satisfied_persons"]].tolist() == ["masked"] * 2
    assert out.loc[0, ["failed_only_records", "failed_only_persons"]].tolist() == ["<11"] * 2
    assert out.loc[1].tolist()[2:] == ["385", "305", "112", "95"]
    assert out.loc[2].tolist()[2:] == ["500", "400", "0", "0"]  # everyone satisfies it
    assert list(out.columns) == RULE_STATS_COLUMNS
    exact = suppressed_rule_stats(stats, None, attrition=attrition)
    assert exact.loc[0].tolist()[2:] == ["492", "395", "8", "5"]
