"""Pathway definitions: the shipped antidiabetic one, the loader's errors, and a run of
the definition's parameters on every backend."""

from __future__ import annotations

import pytest

from snds_algos.pathways import exposure_periods, load_pathway_definition
from snds_algos.pathways.definition import DefinitionError
from tests.pathways import D, dispensings, stays, table


def test_antidiabetic_definition():
    d = load_pathway_definition("antidiabetic")
    assert d.keys == ["metformin", "sulfonylurea", "dpp4", "glp1", "sglt2", "insulin"]
    assert d.atc_vintage == "WHO ATC/DDD Index 2024"
    assert (d.strategy, d.grace_days, d.hospital_mode, d.adherence_threshold) == (
        "carryover",
        15,
        "pause",
        0.8,
    )
    assert (d.combination_min_days, d.discontinuation_gap_days, d.regimen_window_days) == (
        30,
        60,
        28,
    )
    assert (d.line_gap_days, d.bin_days) == (180, 30)
    combos = d.codes[d.codes["code"].str.startswith("A10BD")]
    assert set(combos["key"]) <= set(d.keys)
    # every A10BD code is split into at least one of the keys
    assert sorted(combos["code"].unique()) == [f"A10BD{i:02d}" for i in range(1, 28)]


def test_definition_runs_on_every_backend(backend):
    d = load_pathway_definition("antidiabetic")
    frame = backend.frame(
        dispensings(
            ("P1", D("2020-01-01"), "A10BD07"),
            ("P1", D("2020-01-01"), "A10AE56"),
            ("P1", D("2020-01-01"), "A10BF01"),
        )
    )
    out = exposure_periods(
        frame, **d.exposure_kwargs(), stays=backend.frame(stays(("P9", "2020-01-01", "2020-01-05")))
    )
    assert table(out, ["key", "start", "end"], ["patient_id", "key", "start"]) == [
        ("dpp4", D("2020-01-01"), D("2020-01-30")),
        ("glp1", D("2020-01-01"), D("2020-01-30")),
        ("insulin", D("2020-01-01"), D("2020-01-30")),
        ("metformin", D("2020-01-01"), D("2020-01-30")),
    ]


def test_loader_errors_name_the_file_and_field(tmp_path):
    (tmp_path / "keys.csv").write_text("code,key,label\nA10BA02,metformin,metformin\n")
    good = "name: t\nkeys: {file: keys.csv}\n"
    (tmp_path / "ok.yaml").write_text(good + "exposure: {grace_days: 30}\n")
    assert load_pathway_definition(tmp_path / "ok.yaml").grace_days == 30
    cases = {
        "unknown.yaml": (good + "colour: red\n", "colour"),
        "field.yaml": (good + "exposure: {grace: 3}\n", "exposure.grace"),
        "strategy.yaml": (good + "exposure: {strategy: eras}\n", "exposure.strategy"),
        "nokeys.yaml": ("name: t\n", "keys"),
        "nofile.yaml": ("name: t\nkeys: {file: missing.csv}\n", "keys.file"),
        "grace.yaml": (good + "exposure: {grace_days: -1}\n", "grace_days"),
    }
    for name, (text, field) in cases.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(DefinitionError, match=field) as info:
            load_pathway_definition(tmp_path / name)
        assert name in str(info.value)
