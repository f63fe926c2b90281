"""write_export goes through snds_algos.io.output: a non-empty folder is refused without
overwrite, each file is replaced atomically, a failed write leaves the previous one."""

import pandas as pd
import pytest

from snds_algos.errors import OutputExistsError
from snds_algos.omop import export_omop, write_export

BEN = pd.DataFrame(
    {
        "BEN_NIR_PSA": ["A" * 17],
        "BEN_RNG_GEM": ["1"],
        "BEN_IDT_ANO": ["P1"],
        "BEN_SEX_COD": ["2"],
        "BEN_NAI_ANN": [1950],
        "BEN_NAI_MOI": [7],
        "BEN_DCD_DTE": ["2021-03-04"],
        "BEN_RES_DPT": ["075"],
    }
)


def _export(backend):
    return export_omop({"IR_BEN_R": backend.frame(BEN)})


def test_write_export_refuses_a_non_empty_folder_and_replaces_with_overwrite(backend, tmp_path):
    out = tmp_path / "deep" / "omop"  # missing parent folders are made, as before
    paths = write_export(_export(backend), out, format="csv")
    assert (out / "person.csv").exists() and (out / "export_report.csv").exists()
    assert {p.name for p in paths} >= {"person.csv", "death.csv", "mapping_report.csv"}
    written = out / "person.csv"  # a folder of parts on Spark
    parts = sorted(written.glob("*.csv")) if written.is_dir() else [written]
    person = pd.concat([pd.read_csv(p) for p in parts])
    assert person["person_source_value"].tolist() == ["P1"]
    with pytest.raises(OutputExistsError, match="exists already") as refused:
        write_export(_export(backend), out, format="csv")
    assert isinstance(refused.value, FileExistsError)
    write_export(_export(backend), out, format="csv", overwrite=True)
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


def test_a_failed_table_write_leaves_the_previous_file_and_no_temporary(tmp_path):
    out = tmp_path / "omop"
    write_export(export_omop({"IR_BEN_R": BEN}), out)
    before = (out / "person.parquet").read_bytes()

    class Broken(pd.DataFrame):
        def to_parquet(self, *args, **kwargs):
            raise OSError("disk full")

    export = export_omop({"IR_BEN_R": BEN})
    export.tables["person"] = Broken(export.tables["person"])
    with pytest.raises(OSError, match="disk full"):
        write_export(export, out, overwrite=True)
    assert (out / "person.parquet").read_bytes() == before
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
