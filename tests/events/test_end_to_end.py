"""End to end: every extractor on generated data, on pandas, DuckDB and Spark, meets the
contract and gives the same rows (and, on DuckDB, the same report) on every backend."""

import pandas as pd
import pytest

from snds_algos import events as ev
from snds_algos.events.ald import ALD_EXTRAS
from snds_algos.events.deaths import CAUSE_EXTRAS, DEATH_EXTRAS
from snds_algos.events.diagnoses import DIAGNOSIS_EXTRAS
from snds_algos.events.drugs import DRUG_EXTRAS
from snds_algos.events.schema import event_order
from snds_algos.events.stays import STAY_EXTRAS
from snds_algos.io import open_source
from snds_algos.reports import Report
from tests.helpers import rows

EXTRACTORS = {
    "drugs": (lambda s, r: ev.drug_dispensings(s, atc=["A10", "C10"], report=r), DRUG_EXTRAS),
    "hospital_drugs": (lambda s, r: ev.hospital_drug_dispensings(s, report=r), {}),
    "diagnoses": (lambda s, r: ev.hospital_diagnoses(s, report=r), DIAGNOSIS_EXTRAS),
    "ald": (lambda s, r: ev.long_term_illnesses(s, report=r), ALD_EXTRAS),
    "acts": (lambda s, r: ev.medical_acts(s, report=r), {}),
    "biology": (lambda s, r: ev.biology_acts(s, report=r), {}),
    "visits": (lambda s, r: ev.visits(s, natures=["1111", "1112"], report=r), {}),
    "stays": (lambda s, r: ev.hospital_stays(s, report=r), STAY_EXTRAS),
    "deaths": (lambda s, r: ev.deaths(s, report=r), DEATH_EXTRAS),
    "death_causes": (lambda s, r: ev.death_causes(s, report=r), CAUSE_EXTRAS),
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from snds_algos.synthetic import generate

    folder = tmp_path_factory.mktemp("synthetic")
    generate(400, "2019-2020", 7, str(folder))
    return folder


@pytest.fixture(scope="module")
def on_pandas(generated):
    source = open_source(generated)
    out = {}
    for name, (extract, extras) in EXTRACTORS.items():
        report = Report()
        events = extract(source, report)
        ev.validate_events(events, extras, data_checks=True)
        assert len(report.to_pandas()) > 0
        out[name] = events
    return out


def test_every_extractor_on_pandas(on_pandas, generated):
    counts = {name: len(frame) for name, frame in on_pandas.items()}
    for name in (
        "drugs",
        "diagnoses",
        "acts",
        "biology",
        "visits",
        "stays",
        "deaths",
        "death_causes",
    ):
        assert counts[name] > 0, f"{name}: no event on generated data"
    patients = ev.patients(open_source(generated))
    assert patients["patient_id"].is_unique and len(patients) >= 400
    episodes = ev.hospitalisation_episodes(on_pandas["stays"])
    ev.validate_events(episodes, data_checks=True)
    assert len(episodes) <= counts["stays"]


def test_every_extractor_on_duckdb_matches_pandas(on_pandas, generated):
    source = open_source(generated, backend="duckdb")
    pandas_source = open_source(generated)
    for name, (extract, extras) in EXTRACTORS.items():
        report, expected_report = Report(), Report()
        events = extract(source, report)
        ev.validate_events(events, extras, data_checks=True)
        order = [*event_order(extras)]
        assert rows(events, order) == rows(on_pandas[name], order), name
        extract(pandas_source, expected_report)
        assert report.to_pandas().equals(expected_report.to_pandas()), name
    key = ["patient_id"]
    assert rows(ev.patients(source), key) == rows(ev.patients(pandas_source), key)


def test_certificates_agree_with_the_referential(generated):
    """The generator writes a certificate (KI_CCI_R, KI_ECD_R) for most deaths: attributed
    ones carry the referential's date; unmatched ones are counted, not lost."""
    source = open_source(generated)
    report = Report()
    certified = ev.deaths(source, sources=["KI_CCI_R"], report=report)
    referential = ev.deaths(source, sources=["IR_BEN_R"])
    dates = dict(zip(referential["patient_id"], referential["start"], strict=True))
    assert len(certified) > 0 and certified["cause"].notna().all()
    assert all(
        dates[p] == d for p, d in zip(certified["patient_id"], certified["start"], strict=True)
    )
    counts = report.to_pandas().set_index("step")["rows_removed"]
    assert counts["deaths:no_date"] == 0 and counts["identity:not_in_referential"] == 0
    raw = pd.read_parquet(generated / "KI_CCI_R.parquet")
    assert counts["identity:invalid_idt"] == raw["BEN_IDT_ANO"].isna().sum()
    causes = ev.death_causes(source)
    assert set(causes["patient_id"]) == set(certified["patient_id"])
    assert (causes["rank"] >= 1).all()


@pytest.mark.slow
@pytest.mark.spark
def test_every_extractor_on_spark_matches_pandas(spark, on_pandas, generated):
    """Every extractor on Spark meets the contract (schema, no job) and, stacked on the
    base columns and collected in one Spark job, gives the rows pandas gives."""
    from functools import reduce

    from snds_algos.events import EVENT_COLUMNS

    source = open_source(generated, backend="spark", spark=spark)
    base = list(EVENT_COLUMNS)
    parts = []
    for extract, extras in EXTRACTORS.values():
        events = extract(source, None)
        ev.validate_events(events, extras)  # schema only: no Spark job
        parts.append(events.select(*base))
    stacked = reduce(lambda a, b: a.unionByName(b), parts)
    expected = pd.concat([frame[base] for frame in on_pandas.values()], ignore_index=True)
    order = [*event_order(), "source"]
    assert rows(stacked, order) == rows(expected, order)
    patients = ev.patients(source)
    key = ["patient_id"]
    assert rows(patients, key) == rows(ev.patients(open_source(generated)), key)
