"""The cartography end to end on generated data (20 000 persons, years 2019-2020): flag by
flag it equals the separate algorithms restricted to the population (pandas, DuckDB),
Spark gives the same rows (one small test), and it agrees with the generator's planted
CT_IND table at the configured rate (``validation.cnam_agreement`` on every flag)."""

from __future__ import annotations

import shutil
import tempfile
from functools import cache
from pathlib import Path

import pandas as pd
import pytest

import snds_algos
from snds_algos.backend import to_pandas
from snds_algos.cartography import cartography_population, load_flags, run_cartography
from snds_algos.io import open_source
from snds_algos.synthetic import generate
from snds_algos.synthetic.evaluate import truth_cases
from snds_algos.validation import cnam_agreement
from tests.helpers import assert_same_rows

YEAR = 2020
PERSONS, SEED = 20_000, 2024
SPARK_PERSONS = 2_000
SHARE = 0.02  # config.yaml cartography.disagreement
FLAGS = load_flags()


@cache
def sample(persons: int = PERSONS) -> Path:
    import atexit

    folder = Path(tempfile.mkdtemp(prefix=f"carto_{persons}_"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    generate(persons, f"{YEAR - 1}-{YEAR}", SEED, str(folder), progress=False)
    return folder


@cache
def cartography(engine: str) -> pd.DataFrame:
    return to_pandas(run_cartography(open_source(sample(), backend=engine), YEAR))


def _alone(engine: str, output, population: set[str]) -> set[str]:
    """Persons the algorithm run on its own flags (its output columns), in the population."""
    algo = snds_algos.get(output.algorithm, output.version)
    params = dict(output.parameters)
    if "ald_natures" in algo.parameters:
        params.setdefault("ald_natures", None)  # the cartography's default (S3)
    out = to_pandas(algo.run(open_source(sample(), backend=engine), year=YEAR, **params))
    hit = out[list(output.columns)].any(axis=1)
    return set(out.loc[hit, "patient_id"]) & population


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_each_flag_equals_the_separate_algorithms_restricted_to_the_population(engine):
    carto = cartography(engine)
    population = set(
        to_pandas(cartography_population(open_source(sample(), backend=engine), YEAR))["patient_id"]
    )
    assert set(carto["patient_id"]) == population and len(carto) == len(population)
    sex = dict(zip(carto["patient_id"], carto.merge(_sexes(), on="patient_id")["sex"], strict=True))
    flagged = {f.name: set(carto.loc[carto[f.name], "patient_id"]) for f in FLAGS.flags}
    for flag in FLAGS.flags:
        if flag.union:
            expected = set().union(*(flagged[u] for u in flag.union))
        else:
            expected = set().union(*(_alone(engine, o, population) for o in flag.outputs))
        if flag.sex is not None:
            expected = {p for p in expected if sex.get(p) == str(flag.sex)}
        if flag.exclusive_of:
            expected -= flagged[flag.exclusive_of]
        assert flagged[flag.name] == expected, flag.name
    # the structure holds on generated data
    assert not (carto["TOP_CVIDM_AIG"] & carto["TOP_CVCORON_CHR"]).any()
    assert carto["TOP_FDIABET_IND"].sum() > 500


@cache
def _sexes() -> pd.DataFrame:
    from snds_algos.events import patients

    return patients(open_source(sample()))[["patient_id", "sex"]]


def _planted_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    folder = sample()
    return (
        pd.read_parquet(folder / f"CT_IDE_{YEAR}_GN.parquet"),
        pd.read_parquet(folder / f"CT_IND_{YEAR}_GN.parquet"),
        pd.read_parquet(folder / "IR_BEN_R.parquet"),
    )


def test_the_planted_ct_ind_departs_from_the_truth_at_the_configured_share():
    ide, ind, _ = _planted_tables()
    assert len(ide) == len(ind) and ind["id_carto"].is_unique
    persons = set(ind["id_carto"].str[1:])
    checked = 0
    for flag in FLAGS.flags:
        planted = flag.planted
        if flag.structural or planted is None or planted.get("onset_years") is not None:
            continue
        truth = set().union(*(truth_cases(sample(), c, YEAR) for c in planted["conditions"]))
        truth &= persons
        written = set(ind.loc[ind[flag.name] == 1, "id_carto"].str[1:])
        flips = round(SHARE * len(truth))
        assert len(written - truth) == flips and len(truth - written) == flips, flag.name
        checked += 1
    assert checked >= 13  # every flag without structure or onset years


@cache
def _truth_ct_ind() -> pd.DataFrame:
    """The CT_IND the generator writes without disagreement (share 0), same persons."""
    folder = Path(tempfile.mkdtemp(prefix="carto_truth_"))
    try:
        overrides = {"cartography": {"disagreement": 0.0}}
        generate(PERSONS, f"{YEAR - 1}-{YEAR}", SEED, str(folder), overrides=overrides,
                 progress=False)  # fmt: skip
        return pd.read_parquet(folder / f"CT_IND_{YEAR}_GN.parquet")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("engine", ["pandas", "duckdb"])
def test_agreement_with_the_planted_ct_ind_at_the_configured_rate(engine):
    from snds_algos.backend import duckdb_from_pandas

    carto = cartography(engine)
    ide, ind, ben = _planted_tables()
    exact = _truth_ct_ind()
    assert exact["id_carto"].tolist() == ind["id_carto"].tolist()

    def on_engine(frame):
        return duckdb_from_pandas(frame) if engine == "duckdb" else frame

    lines = []
    for flag in FLAGS.flags:
        result = carto.rename(columns={flag.name: "case"})[["patient_id", "case"]]
        common = [on_engine(result), on_engine(ide)]
        a = cnam_agreement(*common, on_engine(ind), on_engine(ben), flag=flag.name)
        b = cnam_agreement(*common, on_engine(exact), on_engine(ben), flag=flag.name)
        assert a.total == b.total >= 0.99 * len(ind)
        # the planted disagreement: persons whose CT_IND flag differs from the truth
        changed = int((ind[flag.name] != exact[flag.name]).sum())
        cases = int(exact[flag.name].sum())
        if not flag.structural:
            assert changed == 2 * round(SHARE * cases), flag.name
        # the agreement with CT_IND moves from the agreement with the truth by at most that
        moved = abs((a.algorithm_only + a.reference_only) - (b.algorithm_only + b.reference_only))
        assert moved <= changed, flag.name
        lines.append(
            f"{flag.name:<24} CT_IND cases {a.both + a.reference_only:>5}  "
            f"sensitivity {a.sensitivity:.3f}  PPV {a.ppv:.3f}  kappa {a.kappa:.3f}"
        )
    print("\n".join(lines))


@pytest.mark.spark
def test_spark_gives_the_same_rows_as_pandas(spark):
    folder = sample(SPARK_PERSONS)
    flags = FLAGS.select(["SUP_CVIDMCOR_CAT", "TOP_FDIABET_IND", "SUP_CANSEIF_CAT", "TOP_PDEPNEV_IND"])  # fmt: skip
    on_pandas = run_cartography(open_source(folder), YEAR, flags=flags)
    on_spark = run_cartography(open_source(folder, backend="spark", spark=spark), YEAR, flags=flags)
    assert on_spark.count() == len(on_pandas)
    assert_same_rows(on_spark, on_pandas, ["patient_id"])
    assert on_pandas[flags.names].to_numpy().any()
