"""Loading tables from folders (parquet, partitioned parquet, CSV), catalogs and frames."""

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from snds_algos.backend import backend_of
from snds_algos.contracts import get_contract
from snds_algos.errors import ContractError, MissingTableError, UnreadableTableError
from snds_algos.io import FolderSource, open_source
from tests.helpers import rows

HDH = Path(__file__).parent.parent / "data" / "hdh_synthetic"
D = dt.date


def _source(backend, path):
    return backend.source(path)


@pytest.fixture
def study(tmp_path):
    """A study folder: parquet, partitioned parquet, and raw CSV yearly PMSI tables."""
    pq.write_table(
        pa.table(
            {
                "PHA_CIP_C13": ["3400930000001", "3400930000002"],
                "PHA_ATC_C07": ["A10BA02", "A10BX06"],
                "PHA_CND_TOP": ["GC", None],
                "PHA_NOM_PA": ["METFORMINE", "BENFLUOREX"],
            }
        ),
        tmp_path / "IR_PHA_R.parquet",
    )
    part = tmp_path / "IR_IMB_R"
    part.mkdir()
    for i, (nir, code) in enumerate([("A" * 17, "E11"), ("B" * 17, "C50")]):
        pq.write_table(
            pa.table(
                {
                    "BEN_NIR_PSA": [nir],
                    "BEN_RNG_GEM": [1],
                    "IMB_ALD_DTD": [D(2015, 1, 1)],
                    "IMB_ALD_DTF": [D(1600, 1, 1)],
                    "IMB_ETM_NAT": [41],
                    "MED_MTF_COD": [code],
                }
            ),
            part / f"part-{i}.parquet",
        )
    (tmp_path / "T_MCO19C.csv").write_text(
        "ETA_NUM;RSA_NUM;NIR_ANO_17;EXE_SOI_DTD;EXE_SOI_DTF;NIR_RET;NAI_RET;SEX_RET;SEJ_RET;FHO_RET;PMS_RET;DAT_RET\n"
        f"10008407;1;{'A' * 17};15MAR2019:00:00:00;20MAR2019:00:00:00;0;0;0;0;0;0;0\n"
    )
    (tmp_path / "t_mco20c.csv").write_text(
        "ETA_NUM;RSA_NUM;NIR_ANO_17;EXE_SOI_DTD;EXE_SOI_DTF;NIR_RET;NAI_RET;SEX_RET;SEJ_RET;FHO_RET;PMS_RET;DAT_RET\n"
        f"600100093;7;{'B' * 17};02JAN2020:00:00:00;02JAN2020:00:00:00;0;1;0;0;0;0;0\n"
    )
    (tmp_path / "_truth.parquet").write_bytes(b"not a table")
    return tmp_path


def test_folder_lists_tables_and_years(backend, study):
    source = _source(backend, study)
    assert source.physical_tables() == ["IR_IMB_R", "IR_PHA_R", "T_MCO19C", "T_MCO20C"]
    assert source.years("T_MCOaaC") == [2019, 2020]
    assert source.has("T_MCOaaC") and source.has("IR_PHA_R") and not source.has("ER_PRS_F")


def test_read_parquet_only_the_columns_asked(backend, study):
    out = _source(backend, study).read("IR_PHA_R", ["PHA_ATC_C07", "PHA_CIP_C13"])
    assert backend_of(out) == backend.name
    assert list(out.columns) == ["PHA_ATC_C07", "PHA_CIP_C13"]
    assert rows(out, ["PHA_CIP_C13"]) == [
        {"PHA_ATC_C07": "A10BA02", "PHA_CIP_C13": "3400930000001"},
        {"PHA_ATC_C07": "A10BX06", "PHA_CIP_C13": "3400930000002"},
    ]


def test_read_partitioned_parquet_folder_and_normalise(backend, study):
    out = _source(backend, study).read("IR_IMB_R", ["BEN_NIR_PSA", "IMB_ETM_NAT", "IMB_ALD_DTF"])
    assert rows(out, ["BEN_NIR_PSA"]) == [
        {"BEN_NIR_PSA": "A" * 17, "IMB_ETM_NAT": "41", "IMB_ALD_DTF": D(1600, 1, 1)},
        {"BEN_NIR_PSA": "B" * 17, "IMB_ETM_NAT": "41", "IMB_ALD_DTF": D(1600, 1, 1)},
    ]


def test_yearly_pmsi_tables_become_one_table_with_a_year(backend, study):
    source = _source(backend, study)
    out = source.read("T_MCOaaC", ["ETA_NUM", "RSA_NUM", "EXE_SOI_DTD", "NAI_RET"])
    assert rows(out, ["PMSI_YEAR"]) == [
        {
            "ETA_NUM": "10008407",
            "RSA_NUM": "1",
            "EXE_SOI_DTD": D(2019, 3, 15),
            "NAI_RET": "0",
            "PMSI_YEAR": 2019,
        },
        {
            "ETA_NUM": "600100093",
            "RSA_NUM": "7",
            "EXE_SOI_DTD": D(2020, 1, 2),
            "NAI_RET": "1",
            "PMSI_YEAR": 2020,
        },
    ]
    only_2020 = source.read("T_MCOaaC", ["RSA_NUM"], years=[2020])
    assert rows(only_2020) == [{"RSA_NUM": "7", "PMSI_YEAR": 2020}]
    assert rows(source.read("T_MCO19C", ["RSA_NUM"])) == [{"RSA_NUM": "1", "PMSI_YEAR": 2019}]


def test_missing_table_is_named(backend, study):
    with pytest.raises(
        MissingTableError, match=r"table ER_PRS_F not found in folder .*available: IR_IMB_R"
    ):
        _source(backend, study).read("ER_PRS_F")
    with pytest.raises(MissingTableError, match=r"T_MCOaaB not found"):
        _source(backend, study).read("T_MCOaaB")


def test_missing_column_is_named(backend, study):
    with pytest.raises(
        ContractError, match=r"IR_PHA_R\.PHA_CND_TOPX|IR_PHA_R\.PHA_ATC_L07: required column"
    ):
        _source(backend, study).read("IR_PHA_R", ["PHA_ATC_L07"])


def test_unreadable_file_is_named(backend, tmp_path):
    (tmp_path / "IR_PHA_R.parquet").write_bytes(b"this is not parquet")
    with pytest.raises(
        UnreadableTableError, match=r"table IR_PHA_R: cannot read .*IR_PHA_R.parquet"
    ):
        _source(backend, tmp_path).read("IR_PHA_R")


def test_frame_source_keeps_backend_and_accepts_stacked_yearly_tables(backend):
    frames = {
        "T_MCOaaB": backend.frame(
            pd.DataFrame(
                {
                    "ETA_NUM": ["1", "2"],
                    "RSA_NUM": ["1", "2"],
                    "DGN_PAL": ["E119", "I10"],
                    "PMSI_YEAR": pd.array([2019, 2020], dtype="Int64"),
                }
            )
        ),
    }
    source = open_source(frames)
    assert source.backend == backend.name
    out = source.read("T_MCOaaB", ["RSA_NUM", "DGN_PAL"], years=[2020])
    assert rows(out) == [{"RSA_NUM": "2", "DGN_PAL": "I10", "PMSI_YEAR": 2020}]


@pytest.mark.spark
def test_catalog_source_reads_lazily(spark, study):
    spark.sql("CREATE DATABASE IF NOT EXISTS snds_test")
    spark.read.parquet(str(study / "IR_PHA_R.parquet")).write.mode("overwrite").saveAsTable(
        "snds_test.IR_PHA_R"
    )
    source = open_source("catalog:snds_test", spark=spark)
    out = source.read("IR_PHA_R", ["PHA_ATC_C07"])
    assert backend_of(out) == "spark"
    assert sorted(r["PHA_ATC_C07"] for r in rows(out)) == ["A10BA02", "A10BX06"]
    spark.sql("DROP DATABASE snds_test CASCADE")


# ---------------------------------------------------------------- HDH synthetic tables

HDH_TABLES = sorted(p.stem for p in HDH.glob("*.csv"))
# tables whose random values break their contract, and the documented error they raise
HDH_BROKEN = {
    "T_MCO19A": ("ETA_NUM", "values do not match the code format"),
    "T_MCO19B": ("ETA_NUM", "values do not match the code format"),
    "T_MCO19C": ("ETA_NUM", "values do not match the code format"),
    "T_MCO19D": ("ETA_NUM", "values do not match the code format"),
    "T_MCO19E": ("ETA_NUM", "values do not match the code format"),
    "T_MCO19UM": ("ETA_NUM", "values do not match the code format"),
    "T_HAD19B": ("RHAD_NUM", "null values in a non-nullable column"),
    "T_SSR19B": ("ETA_NUM", "null values in a non-nullable column"),
    "T_SSR19C": ("ETA_NUM", "null values in a non-nullable column"),
    "T_SSR19D": ("ETA_NUM", "null values in a non-nullable column"),
    "T_RIP19C": ("ETA_NUM_EPMSI", "null values in a non-nullable column"),
}


def test_hdh_copy_is_complete():
    assert len(HDH_TABLES) == 23
    assert (HDH / "LICENCE.md").exists() and "Health Data Hub" in (HDH / "README.md").read_text()


@pytest.mark.parametrize("table", HDH_TABLES)
def test_hdh_synthetic_tables_load_through_the_raw_path(table):
    """Every column of every HDH table is read and normalised on pandas; where the
    random values break the contract, the data checks raise the documented error."""
    source = FolderSource(HDH)
    names = [c for c in get_contract(table).names if c in source._columns_of(table)]
    out = source.read(table, names, data_checks=False)
    assert len(out) == 10
    if table in HDH_BROKEN:
        column, problem = HDH_BROKEN[table]
        with pytest.raises(ContractError, match=rf"{table}\.{column}: {problem}"):
            source.read(table, names, data_checks=True)
    else:
        source.read(table, names, data_checks=True)


@pytest.mark.spark
@pytest.mark.parametrize("table", ["ER_PRS_F", "IR_BEN_R", "T_MCO19C", "T_RIP19C"])
def test_hdh_tables_same_rows_on_spark(spark, table):
    names = get_contract(table).required
    pandas_out = FolderSource(HDH).read(table, names, data_checks=False)
    spark_out = FolderSource(HDH, backend="spark", spark=spark).read(table, names)
    assert rows(spark_out, names[:3]) == rows(pandas_out, names[:3])


def test_hdh_folder_can_be_copied_and_read_as_partitioned(tmp_path):
    (tmp_path / "ER_PHA_F").mkdir()
    shutil.copy(HDH / "ER_PHA_F.csv", tmp_path / "ER_PHA_F" / "part-0.csv")
    out = FolderSource(tmp_path).read("ER_PHA_F")
    assert len(out) == 10 and out["PHA_PRS_C13"].str.len().eq(13).all()
