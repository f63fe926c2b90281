"""Spec tests of the synthetic SNDS generator (small N)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from snds_algos.cli import main
from snds_algos.contracts.dtypes import pandas_matches, spark_matches
from snds_algos.contracts.model import get_contract
from snds_algos.contracts.normalize import normalize
from snds_algos.synthetic import evaluate, generate, generate_tables
from snds_algos.synthetic.config import make_settings
from snds_algos.synthetic.dcir import KEYS
from snds_algos.synthetic.evaluate import truth_cases

N = 2500
YEARS = "2019-2021"


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return generate_tables(N, YEARS, seed=1, chunk_size=1000)


@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("synth")
    generate(400, "2019-2020", 5, str(out), progress=False, chunk_size=150)
    return str(out)


def _data_tables(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    # truth tables and the CNAM cartography tables (CT_*: no SNDS table contract)
    return {k: v for k, v in tables.items() if not k.startswith(("_", "CT_"))}


def test_same_seed_same_data_other_seed_other_data(tables: dict[str, pd.DataFrame]) -> None:
    again = generate_tables(N, YEARS, seed=1, chunk_size=1000)
    assert tables.keys() == again.keys()
    for name in tables:
        pd.testing.assert_frame_equal(tables[name], again[name], obj=name)
    other = generate_tables(N, YEARS, seed=2, chunk_size=1000)
    assert not other["ER_PRS_F"].equals(tables["ER_PRS_F"])
    assert set(other["IR_BEN_R"]["BEN_IDT_ANO"]).isdisjoint(set(tables["IR_BEN_R"]["BEN_IDT_ANO"]))


def test_chunking_does_not_change_the_persons() -> None:
    a = generate_tables(500, "2020", seed=3, chunk_size=500)["_truth_persons"]
    b = generate_tables(500, "2020", seed=3, chunk_size=500)["_truth_persons"]
    pd.testing.assert_frame_equal(a, b)


def test_every_contract_table_is_generated(tables: dict[str, pd.DataFrame]) -> None:
    from snds_algos.contracts.model import logical_name, table_names

    produced = {logical_name(name)[0] for name in _data_tables(tables)}
    assert set(table_names()) <= produced
    for y in (19, 20, 21):
        assert f"T_MCO{y}B" in tables


def test_tables_meet_their_contract_on_pandas(tables: dict[str, pd.DataFrame]) -> None:
    for name, frame in _data_tables(tables).items():
        contract = get_contract(name)
        assert set(contract.required) <= set(frame.columns), name
        for col in frame.columns:
            assert pandas_matches(frame[col], contract[col].type), (name, col, frame[col].dtype)
            spec = contract[col]
            if not spec.nullable:
                assert frame[col].notna().all(), (name, col)
            if spec.pattern and len(frame):
                values = frame[col].dropna()
                assert values.str.fullmatch(spec.pattern).all(), (name, col, values.head())
            if spec.allowed:
                assert set(frame[col].dropna()) <= set(spec.allowed), (name, col)
        normalized = normalize(frame, name)
        pd.testing.assert_frame_equal(normalized, frame, obj=name)


@pytest.mark.spark
def test_tables_load_in_spark_with_contract_types(spark, parquet_dir: str) -> None:
    import os

    names = sorted(
        f[:-8] for f in os.listdir(parquet_dir) if f.endswith(".parquet") and not f.startswith(("_", "CT_"))
    )
    assert "ER_PRS_F" in names and "T_MCO20B" in names
    for name in names:
        frame = spark.read.parquet(os.path.join(parquet_dir, f"{name}.parquet"))
        contract = get_contract(name)
        for field in frame.schema.fields:
            assert spark_matches(field.dataType, contract[field.name].type), (name, field.name)
        assert normalize(frame, name).schema == frame.schema
        if name in ("ER_PRS_F", "IR_BEN_R", "T_MCO20B"):
            assert normalize(frame, name).exceptAll(frame).count() == 0
            assert (
                frame.count()
                == pq.read_metadata(os.path.join(parquet_dir, f"{name}.parquet")).num_rows
            )


def test_dcir_details_join_exactly_one_prestation(tables: dict[str, pd.DataFrame]) -> None:
    prs = tables["ER_PRS_F"]
    assert not prs.duplicated(list(KEYS)).any()
    for detail in ("ER_PHA_F", "ER_BIO_F", "ER_CAM_F", "ER_UCD_F", "ER_ETE_F"):
        d = tables[detail]
        joined = d.merge(prs[list(KEYS)], on=list(KEYS), how="left", indicator=True)
        assert len(joined) == len(d) and (joined["_merge"] == "both").all(), detail
    assert (prs["FLX_DIS_DTD"] >= prs["EXE_SOI_DTD"]).all()


def test_pmsi_rows_join_their_stay(tables: dict[str, pd.DataFrame]) -> None:
    for y in (19, 20, 21):
        b = tables[f"T_MCO{y}B"]
        assert not b.duplicated(["ETA_NUM", "RSA_NUM"]).any()
        for part in ("C", "D", "UM", "A"):
            t = tables[f"T_MCO{y}{part}"]
            assert t[["ETA_NUM", "RSA_NUM"]].merge(b[["ETA_NUM", "RSA_NUM"]]).shape[0] == len(t), (
                part
            )
        assert len(tables[f"T_MCO{y}C"]) == len(b)


def test_dcir_beneficiaries_exist_except_planted_unknowns(tables: dict[str, pd.DataFrame]) -> None:
    ben = tables["IR_BEN_R"][["BEN_NIR_PSA", "BEN_RNG_GEM"]].drop_duplicates()
    assert not tables["IR_BEN_R"].duplicated(["BEN_NIR_PSA", "BEN_RNG_GEM"]).any()
    prs = tables["ER_PRS_F"]
    joined = prs[["BEN_NIR_PSA", "BEN_RNG_GEM", "DCT_ORD_NUM"]].merge(
        ben, how="left", indicator=True
    )
    missing = set(joined.loc[joined["_merge"] == "left_only", "DCT_ORD_NUM"])
    truth = tables["_truth_defects"]
    unknown = set(truth.loc[truth["defect"] == "unknown_beneficiary", "DCT_ORD_NUM"])
    assert missing == unknown and len(unknown) > 0
    imb = tables["IR_IMB_R"][["BEN_NIR_PSA", "BEN_RNG_GEM"]].merge(ben, how="left", indicator=True)
    assert (imb["_merge"] == "both").all()


def test_identities_second_nir_children_twins(tables: dict[str, pd.DataFrame]) -> None:
    ben = tables["IR_BEN_R"]
    per_person = ben.groupby("BEN_IDT_ANO")["BEN_NIR_PSA"].nunique()
    assert (per_person == 2).sum() > 0 and per_person.max() <= 2
    per_nir = ben.groupby("BEN_NIR_PSA")["BEN_RNG_GEM"].nunique()
    assert (per_nir >= 2).sum() > 0
    kids = ben[ben["BEN_RNG_GEM"] != "1"]
    twins = kids.duplicated(
        ["BEN_NIR_PSA", "BEN_NAI_ANN", "BEN_NAI_MOI", "BEN_SEX_COD"], keep=False
    )
    assert twins.any()
    alive = ben["BEN_DCD_DTE"].astype("object").map(lambda d: d.year == 1600)
    assert alive.mean() > 0.9 and (~alive).sum() > 0


def test_deaths_in_hospital_have_discharge_mode_9(tables: dict[str, pd.DataFrame]) -> None:
    persons = tables["_truth_persons"]
    assert persons["death_in_hospital"].sum() > 0
    deaths = pd.concat([tables[f"T_MCO{y}B"] for y in (19, 20, 21)])
    assert (deaths["SOR_MOD"] == "9").sum() >= persons["death_in_hospital"].sum()


def test_defect_counts_match_configured_rates(tables: dict[str, pd.DataFrame]) -> None:
    rates = make_settings(1, 2020, 1).params["defects"]
    truth = tables["_truth_defects"]
    counts = truth["defect"].value_counts()
    prs = tables["ER_PRS_F"]
    pha = len(tables["ER_PHA_F"])
    mco = sum(len(tables[f"T_MCO{y}B"]) for y in (19, 20, 21))

    def close(count: int, rate: float, denom: int) -> bool:
        expected = rate * denom
        return abs(count - expected) <= 4 * np.sqrt(expected) + 3

    assert (prs["DPN_QLF"] == "71").sum() == counts["info_line"]
    assert close(counts["info_line"], rates["info_lines"], len(prs))
    assert close(counts["regularisation"], rates["regularisations"], pha)
    assert counts["regularisation"] == counts["regularised"]
    assert (tables["ER_PHA_F"]["PHA_ACT_QSN"] < 0).sum() == counts["regularisation"]
    assert close(counts["unknown_beneficiary"], rates["unknown_beneficiary"], len(prs))
    for name, key in (
        ("ghm_error", "ghm_error"),
        ("sej_typ_b", "sej_typ_b"),
        ("quality_code", "quality_code"),
        ("invalid_nir", "invalid_nir"),
    ):
        assert close(counts.get(name, 0), rates[key], mco), name
    b = pd.concat([tables[f"T_MCO{y}B"] for y in (19, 20, 21)])
    assert (b["GRG_GHM"].str.startswith("90")).sum() == counts["ghm_error"]
    assert (b["SEJ_TYP"] == "B").sum() == counts["sej_typ_b"]


def test_configured_rates_are_applied() -> None:
    t = generate_tables(800, "2020", seed=4, overrides={"defects": {"info_lines": 0.2}})
    share = (t["ER_PRS_F"]["DPN_QLF"] == "71").mean()
    assert 0.14 < share < 0.19  # 0.2 / 1.2 of all lines are copies


def test_planted_prevalence_near_config(tables: dict[str, pd.DataFrame]) -> None:
    cond = tables["_truth_conditions"]
    share = cond.groupby(["condition", "subtype"], dropna=False)["BEN_IDT_ANO"].nunique() / N
    assert 0.03 < share[("diabetes", "type2")] < 0.065
    assert share[("diabetes", "type1")] < 0.01
    assert share[("depression", None)] > 0.02 if ("depression", None) in share else True
    sexes = tables["_truth_persons"]["sex"].value_counts(normalize=True)
    assert 0.45 < sexes[2] < 0.56


def test_diabetes_traces_are_there(tables: dict[str, pd.DataFrame]) -> None:
    pha = tables["ER_PHA_F"].merge(
        tables["IR_PHA_R"], left_on="PHA_PRS_C13", right_on="PHA_CIP_C13"
    )
    a10 = pha[pha["PHA_ATC_C07"].str.startswith("A10")]
    assert {"A10BA02", "A10BH01", "A10AE04"} <= set(a10["PHA_ATC_C07"])
    assert (a10["PHA_CND_TOP"] == "GC").any()
    imb = tables["IR_IMB_R"]
    assert imb["MED_MTF_COD"].str.match("E1[0-4]").any()
    assert set(imb["IMB_ETM_NAT"]) >= {"41"}
    b = tables["T_MCO20B"]
    assert (
        b["DGN_PAL"].str.match("E1[0-4]").any()
        or b["DGN_REL"].fillna("").str.match("E1[0-4]").any()
    )
    border = tables["_truth_borderline"]
    assert border["reference_year"].eq(2021).all()


def test_csv_round_trip_equals_parquet(tmp_path) -> None:
    generate(300, "2019-2020", 9, str(tmp_path / "p"), progress=False)
    generate(300, "2019-2020", 9, str(tmp_path / "c"), format="csv", progress=False)
    sas = (tmp_path / "c" / "T_MCO19C.csv").read_text().splitlines()[1]
    assert ";" in sas and ":00:00:00" in sas
    for name in (
        "ER_PRS_F",
        "ER_PHA_F",
        "IR_BEN_R",
        "IR_IMB_R",
        "T_MCO19B",
        "T_MCO19C",
        "T_MCO20UM",
        "IR_PHA_R",
    ):
        raw = pd.read_csv(
            tmp_path / "c" / f"{name}.csv",
            sep=";",
            dtype=str,
            keep_default_na=False,
            na_values=[""],
        )
        parsed = normalize(raw, name)
        expected = pq.read_table(tmp_path / "p" / f"{name}.parquet")
        from snds_algos.synthetic.tables import to_pandas

        pd.testing.assert_frame_equal(parsed, to_pandas(expected), obj=name)


def test_evaluate_counts(tables: dict[str, pd.DataFrame]) -> None:
    cases = truth_cases(tables, "diabetes", 2021)
    found = [*sorted(cases)[: len(cases) // 2], "INOTAPERSON000000"]
    e = evaluate(pd.DataFrame({"BEN_IDT_ANO": found}), tables, "diabetes", 2021)
    assert e.true_positives == len(cases) // 2 and e.false_positives == 1
    assert e.false_negatives == len(cases) - len(cases) // 2
    assert 0.4 < e.sensitivity < 0.6
    traced = truth_cases(tables, "diabetes", 2021, traced_only=True)
    assert traced <= cases


def test_cli_writes_tables_truth_and_manifest(tmp_path, capsys) -> None:
    import json

    assert (
        main(
            ["synth", "--persons", "200", "--years", "2020", "--seed", "1", "--out", str(tmp_path)]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "ER_PRS_F" in printed and "diabetes/type2" in printed
    manifest = json.loads((tmp_path / "_manifest.json").read_text())
    assert manifest["seed"] == 1 and manifest["rows"]["IR_BEN_R"] >= 200
    for name in (
        "_truth_conditions",
        "_truth_defects",
        "_truth_persons",
        "_truth_borderline",
        "_truth_treatment",
        "T_MCO20B",
    ):
        assert (tmp_path / f"{name}.parquet").exists()
