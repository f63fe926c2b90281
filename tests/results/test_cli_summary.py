"""`snds-algos run` prints counts of persons and of cleaned lines with small cells masked
by default; `--no-suppression` opts out; score algorithms are refused with a clear
message."""

from __future__ import annotations

import re

import pytest

from snds_algos.cli import main


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    import contextlib
    import io

    runs = {}
    for name, extra in (("masked", []), ("exact", ["--no-suppression"])):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            assert main(["run", "diabetes", "--year", "2020", "--persons", "400", *extra]) == 0
        runs[name] = buffer.getvalue()
    return runs


def _report_counts(text: str) -> list[str]:
    """The last three cells (rows_in, rows_removed, rows_out) of each report line."""
    block = text.split("cleaning and patient attribution", 1)[1].split("against the planted", 1)[0]
    values = []
    for line in block.splitlines()[2:]:
        cells = line.split()[-3:]
        if len(cells) == 3 and all(re.fullmatch(r"<11|masked|\d+", c) for c in cells):
            values += cells
    assert values, block
    return values


def test_summary_masks_small_counts_by_default(outputs):
    masked, exact = outputs["masked"], outputs["exact"]
    assert "counts of 1 to 10 masked" in masked and "exact counts" in exact
    found = re.search(r"persons identified: (\S+)", masked).group(1)
    assert found == "<11" or int(found) >= 11 or found == "0"
    for value in _report_counts(masked):
        assert value in ("<11", "masked") or int(value) == 0 or int(value) >= 11
    exact_values = [int(v) for v in _report_counts(exact) if v.isdigit()]
    if any(0 < v < 11 for v in exact_values):  # something was small: the default hid it
        assert "<11" in masked


def test_score_algorithms_are_refused(capsys):
    assert main(["run", "charlson", "--year", "2020"]) == 2
    assert "score algorithm" in capsys.readouterr().err
