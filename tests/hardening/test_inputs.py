"""Issue 17, silent wrong results and backends that disagree on bad input.

Each test mutates a small generated SNDS (600 persons, 2019-2020) the way the fault
matrix did, and runs ``diabetes`` on pandas, DuckDB and Spark through the ``backend``
fixture: the run either fails with an error naming the table, column, parameter or
years, or gives the same (normalised) result on every backend, with what it could not
use counted in the report.
"""

from __future__ import annotations

import datetime as dt
import warnings
from functools import cache

import pandas as pd
import pytest

import snds_algos
from snds_algos.contracts.dtypes import date_series
from snds_algos.errors import (
    ContractError,
    DataWarning,
    DataYearsError,
    MissingTableError,
    ParameterError,
)
from snds_algos.reports import Report
from tests.helpers import rows

PERSONS, YEARS, SEED = 600, "2019-2020", 17


@cache
def _tables() -> dict[str, pd.DataFrame]:
    from snds_algos.synthetic import generate_tables

    return {k: v for k, v in generate_tables(PERSONS, YEARS, SEED).items() if not k.startswith("_")}


def tables(**changes: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """The generated tables (copies), with tables replaced (or removed: ``None``)."""
    out = {k: v.copy() for k, v in _tables().items()}
    for name, frame in changes.items():
        if frame is None:
            out.pop(name, None)
        else:
            out[name] = frame
    return out


def on(backend, frames: dict[str, pd.DataFrame]) -> dict:
    return {name: backend.frame(frame) for name, frame in frames.items()}


def run(backend, frames: dict[str, pd.DataFrame], year=2020, report=None, **params):
    return snds_algos.get("diabetes").run(on(backend, frames), year=year, report=report, **params)


def cases(result) -> set[str]:
    return {r["patient_id"] for r in rows(result, ["patient_id"]) if r["case"]}


@cache
def reference_cases() -> frozenset[str]:
    """Cases found on the unmodified tables (pandas)."""
    out = snds_algos.get("diabetes").run(tables(), year=2020)
    return frozenset(out.loc[out["case"], "patient_id"])


def test_reference_finds_cases_with_every_criterion() -> None:
    out = snds_algos.get("diabetes").run(tables(), year=2020)
    assert len(reference_cases()) > 10
    assert out["drugs"].sum() > 0 and out["ald"].sum() > 0 and out["hospital"].sum() > 0


# ------------------------------------------------------------------ missing inputs


def test_no_mco_table_is_an_error_naming_the_table(backend) -> None:
    frames = {k: v for k, v in tables().items() if not k.startswith("T_MCO")}
    with pytest.raises(MissingTableError, match=r"T_MCOaaB not found in the frames given"):
        run(backend, frames)


def test_reference_year_outside_the_data_is_an_error_naming_the_years(backend) -> None:
    for year in (2030, 1990):
        with pytest.raises(DataYearsError, match=rf"reference year {year} .*\(2019-2020\)"):
            run(backend, tables(), year=year)


def test_absent_look_back_year_is_a_warning_in_the_report(backend) -> None:
    report = Report()
    with pytest.warns(DataWarning, match=r"look-back year 2018 .*\(years 2019-2020\)"):
        run(backend, tables(), year=2019, report=report)
    (message,) = [m for _, m in report.warnings]
    assert "2018" in message and "drugs" in message and "hospital" in message


def test_years_are_known_to_the_source() -> None:
    from snds_algos.io import open_source

    assert open_source(tables()).data_years() == [2019, 2020]
    dcir_only = {k: v for k, v in tables().items() if not k.startswith("T_")}
    assert open_source(dcir_only).data_years() == [2019, 2020]  # from EXE_SOI_DTD


# ------------------------------------------------------------------ parameters


def test_a_string_where_a_list_is_declared_is_an_error_naming_the_parameter(backend) -> None:
    with pytest.raises(ParameterError, match=r"parameter ald_natures: expected a list"):
        run(backend, tables(), ald_natures="41")
    module_run = snds_algos.algorithms.diabetes.run  # without the card: the definition
    with pytest.raises(ParameterError, match=r"ald_natures"):
        module_run(on(backend, tables()), year=2020, ald_natures="41")


def test_year_accepts_what_a_user_types(backend) -> None:
    assert cases(run(backend, tables(), year="2020")) == reference_cases()
    assert cases(run(backend, tables(), year=" 2020 ")) == reference_cases()
    with pytest.raises(ParameterError, match=r"parameter year: .*'20x0'"):
        run(backend, tables(), year="20x0")


# ------------------------------------------------------------------ sentinel dates


@pytest.mark.parametrize("end", ["0001-01-01", "1600-01-01", "2099-12-31", "9999-12-31"])
def test_ald_end_placeholder_is_open_ended_and_counted(backend, end: str) -> None:
    nir = "N" * 17
    imb = pd.DataFrame(
        {
            "BEN_NIR_PSA": [nir, nir],
            "BEN_RNG_GEM": ["1", "1"],
            "MED_MTF_COD": ["E11", "E11"],
            "IMB_ETM_NAT": ["41", "41"],
            "IMB_ALD_DTD": date_series([dt.date(2012, 3, 1), dt.date(2015, 1, 1)]),
            "IMB_ALD_DTF": date_series([dt.date.fromisoformat(end), dt.date(2016, 1, 1)]),
        }
    )
    ben = pd.DataFrame({"BEN_NIR_PSA": [nir], "BEN_RNG_GEM": ["1"]})
    from snds_algos.events import long_term_illnesses

    report = Report()
    events = long_term_illnesses(
        {"IR_IMB_R": backend.frame(imb), "IR_BEN_R": backend.frame(ben)}, report=report
    )
    got = sorted((r["start"], r["end"]) for r in rows(events))
    assert got == [(dt.date(2012, 3, 1), None), (dt.date(2015, 1, 1), dt.date(2016, 1, 1))]
    notes = report.notes_pandas().set_index("step")
    assert notes.loc["ald:end_placeholder", "rows_counted"] == 1
    out = snds_algos.get("diabetes").run(events=events, year=2020)
    assert [r["patient_id"] for r in rows(out) if r["ald"]] == [events_pid(events)]


def events_pid(events) -> str:
    return rows(events)[0]["patient_id"]


@pytest.mark.parametrize("start", ["0001-01-01", "9999-12-31"])
def test_ald_start_placeholder_is_removed_and_counted(backend, start: str) -> None:
    nir = "N" * 17
    imb = pd.DataFrame(
        {
            "BEN_NIR_PSA": [nir],
            "BEN_RNG_GEM": ["1"],
            "MED_MTF_COD": ["E11"],
            "IMB_ETM_NAT": ["41"],
            "IMB_ALD_DTD": date_series([dt.date.fromisoformat(start)]),
            "IMB_ALD_DTF": date_series([None]),
        }
    )
    ben = pd.DataFrame({"BEN_NIR_PSA": [nir], "BEN_RNG_GEM": ["1"]})
    from snds_algos.events import long_term_illnesses

    report = Report()
    events = long_term_illnesses(
        {"IR_IMB_R": backend.frame(imb), "IR_BEN_R": backend.frame(ben)}, report=report
    )
    assert rows(events) == []
    counts = report.to_pandas().set_index("step")
    assert counts.loc["ald:no_start", "rows_removed"] == 1


def test_death_date_placeholders_mean_alive(backend) -> None:
    from snds_algos.events import patients

    ben = pd.DataFrame(
        {
            "BEN_NIR_PSA": ["A" * 17, "B" * 17, "C" * 17],
            "BEN_RNG_GEM": ["1", "1", "1"],
            "BEN_SEX_COD": ["1", "2", "1"],
            "BEN_NAI_ANN": ["1950", "1960", "1970"],
            "BEN_NAI_MOI": ["01", "02", "03"],
            "BEN_DCD_DTE": date_series(
                [dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(2020, 1, 2)]
            ),
            "BEN_RES_DPT": ["075", "075", "075"],
        }
    )
    out = rows(patients({"IR_BEN_R": backend.frame(ben)}), ["patient_id"])
    assert [r["death_date"] for r in out] == [None, None, dt.date(2020, 1, 2)]


# ------------------------------------------------------------------ report balance


def _chain(report: Report, first: str = "drugs:not_selected") -> list[tuple[int, int]]:
    """(rows_in, previous rows_out) of every step of the drug lines, in order."""
    frame = report.to_pandas()
    steps = frame[frame["table"].isin(["ER_PHA_F", "ER_PRS_F"])].reset_index(drop=True)
    start = int(steps.index[steps["step"] == first][0])
    steps = steps.iloc[start:]
    return list(zip(steps["rows_in"].iloc[1:], steps["rows_out"].iloc[:-1], strict=True))


def test_duplicated_er_prs_f_rows_keep_the_report_balanced(backend) -> None:
    prs = _tables()["ER_PRS_F"]
    doubled = pd.concat([prs, prs], ignore_index=True)
    report = Report()
    out = run(backend, tables(ER_PRS_F=doubled), report=report)
    assert cases(out) == reference_cases()
    chain = _chain(report)
    assert chain and all(a == b for a, b in chain), chain
    notes = report.notes_pandas().set_index("step")
    assert notes.loc["dcir:duplicate_prestations", "rows_counted"] > 0


# ------------------------------------------------------------------ backends alike


def test_codes_in_lower_case_with_spaces_give_the_same_result(backend) -> None:
    pha = _tables()["IR_PHA_R"].copy()
    pha["PHA_ATC_C07"] = " " + pha["PHA_ATC_C07"].str.lower() + " "
    imb = _tables()["IR_IMB_R"].copy()
    imb["MED_MTF_COD"] = " " + imb["MED_MTF_COD"].str.lower() + " "
    mco = _tables()["T_MCO20B"].copy()
    mco["DGN_PAL"] = mco["DGN_PAL"].str.lower()
    out = run(backend, tables(IR_PHA_R=pha, IR_IMB_R=imb, T_MCO20B=mco))
    assert cases(out) == reference_cases()


def test_partitions_with_different_columns_are_an_error(tmp_path, backend) -> None:

    prs = _tables()["ER_PRS_F"]
    folder = tmp_path / "ER_PRS_F"
    folder.mkdir()
    half = len(prs) // 2
    prs.iloc[:half].to_parquet(folder / "part-0.parquet", index=False)
    prs.iloc[half:].drop(columns=["DPN_QLF", "PRS_DPN_QLP"]).to_parquet(
        folder / "part-1.parquet", index=False
    )
    source = backend.source(tmp_path)
    with pytest.raises(ContractError) as info:
        source.read("ER_PRS_F", ["DPN_QLF", "BEN_NIR_PSA"])
    message = str(info.value)
    for part in ("ER_PRS_F", "part-1.parquet", "part-0.parquet", "DPN_QLF", "PRS_DPN_QLP"):
        assert part in message


def test_csv_parts_with_different_columns_are_an_error(tmp_path, backend) -> None:

    folder = tmp_path / "IR_PHA_R"
    folder.mkdir()
    (folder / "a.csv").write_text("PHA_CIP_C13;PHA_ATC_C07;PHA_CND_TOP\n3400930000001;A10BA02;GC\n")
    (folder / "b.csv").write_text("PHA_CIP_C13;PHA_ATC_C07\n3400930000002;A10BB01\n")
    source = backend.source(tmp_path)
    with pytest.raises(
        ContractError, match=r"IR_PHA_R.PHA_CND_TOP: part b.csv .* lacks PHA_CND_TOP"
    ):
        source.read("IR_PHA_R")


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_latin1_csv_exports_are_read_and_the_encoding_recorded(tmp_path, backend, encoding) -> None:

    text = (
        "PHA_CIP_C13;PHA_ATC_C07;PHA_CND_TOP;PHA_NOM_PA\n"
        "3400930000001;A10BA02;GC;METFORMINE Hôpital é\n"
    )
    (tmp_path / "IR_PHA_R.csv").write_bytes(text.encode(encoding))
    source = backend.source(tmp_path)
    got = rows(source.read("IR_PHA_R", ["PHA_CIP_C13", "PHA_ATC_C07"]))
    assert got == [{"PHA_CIP_C13": "3400930000001", "PHA_ATC_C07": "A10BA02"}]
    assert source.encodings["IR_PHA_R"] == "cp1252"
    (tmp_path / "IR_PHA_R.csv").write_bytes(text.encode("utf-8"))
    utf8 = backend.source(tmp_path)
    utf8.read("IR_PHA_R", ["PHA_CIP_C13"])
    assert utf8.encodings["IR_PHA_R"] == "utf-8"


def test_data_warnings_are_not_raised_as_errors_by_default() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DataWarning)
        with pytest.raises(DataWarning):
            snds_algos.get("diabetes").run(tables(), year=2019)
