"""`snds-algos cartography`: the built-in sample or a folder, a per-flag summary with small
counts masked by default, an atomic write that refuses to overwrite."""

from __future__ import annotations

import contextlib
import io
import re

import pandas as pd
import pytest

from snds_algos.cartography import load_flags
from snds_algos.cli import main


def _run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["cartography", *args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    from snds_algos.synthetic import generate

    path = tmp_path_factory.mktemp("carto_cli")
    generate(600, "2019-2020", 3, str(path), progress=False)
    return path


def test_writes_the_table_and_masks_small_counts(folder, tmp_path):
    out = tmp_path / "carto.parquet"
    flags = ["SUP_CVIDMCOR_CAT", "TOP_FDIABET_IND"]
    code, text, _ = _run("--year", "2020", "--data", str(folder), "--backend", "pandas",
                         "--out", str(out), "--flags", *flags)  # fmt: skip
    assert code == 0
    table = pd.read_parquet(out)
    assert list(table.columns) == ["patient_id", "year", *load_flags().select(flags).names]
    assert "counts of 1 to 10 masked" in text
    for name in load_flags().select(flags).names:
        line = next(x for x in text.splitlines() if x.strip().startswith(name + " "))
        shown = line.split()[1]
        exact = int(table[name].sum())
        assert shown == ("<11" if 0 < exact < 11 else str(exact)), line
    assert re.search(r"cartography:no_care_in_year", text)
    # an existing output is refused before any computation, replaced with --overwrite
    code, _, err = _run("--year", "2020", "--data", str(folder), "--out", str(out))
    assert code == 2 and "exists already" in err
    code, text, _ = _run("--year", "2020", "--data", str(folder), "--backend", "duckdb",
                         "--out", str(out), "--overwrite", "--flags", *flags,
                         "--no-suppression")  # fmt: skip
    assert code == 0 and "exact counts" in text
    again = pd.read_parquet(out).sort_values("patient_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(
        again, table.sort_values("patient_id").reset_index(drop=True), check_dtype=False
    )


def test_an_unknown_flag_is_a_clear_error(folder, tmp_path):
    code, _, err = _run("--year", "2020", "--data", str(folder), "--out",
                        str(tmp_path / "x.parquet"), "--flags", "TOP_NOPE")  # fmt: skip
    assert code == 2 and "TOP_NOPE" in err
