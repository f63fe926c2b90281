"""The generator plants a condition for every cartography algorithm, and the built-in
sample run says when it cannot measure an algorithm (issue #15)."""

from __future__ import annotations

import argparse
from types import SimpleNamespace

import pytest

import snds_algos
from snds_algos.cases.schema import is_case_definition
from snds_algos.commands.run import _compare_with_planted, sample_lookback_gaps
from snds_algos.synthetic import generate_tables
from snds_algos.synthetic.config import _yaml
from snds_algos.synthetic.evaluate import evaluate_planted, planted_conditions


def case_definition_algorithms() -> list[str]:
    return sorted(
        a.id
        for a in snds_algos.algorithms()
        if a.source == "builtin" and a.kind == "case" and is_case_definition(a.definition)
    )


def test_every_cartography_algorithm_has_a_planted_condition():
    ids = case_definition_algorithms()
    assert len(ids) >= 20
    missing = [i for i in ids if not planted_conditions(i)]
    assert missing == [], f"no profile of conditions.yaml lists {missing} under algorithms"


def test_the_algorithms_listed_by_the_profiles_exist():
    known = {a.id for a in snds_algos.algorithms()}
    for prof in _yaml("conditions.yaml")["profiles"]:
        assert set(prof.get("algorithms", [])) <= known, prof["condition"]


@pytest.fixture(scope="module")
def tables():
    return generate_tables(3000, "2019-2020", 5)


@pytest.mark.parametrize(
    "condition",
    [
        "hiv",
        "inflammatory_bowel_disease",
        "rheumatoid_arthritis",
        "psychotic_disorders",
        "neurotic_disorders",
        "addictive_disorders",
    ],
)
def test_the_added_conditions_are_planted_with_traces(tables, condition):
    truth = tables["_truth_conditions"]
    planted = truth[truth["condition"] == condition]
    assert len(planted) > 0
    e = evaluate_planted([], tables, [condition], 2020)
    assert e.false_negatives > 0 and e.true_positives == 0


def test_sample_run_of_an_algorithm_the_generator_does_not_plant(tables, capsys):
    algo = SimpleNamespace(id="multiple_sclerosis", path=None, definition=None)
    _compare_with_planted(algo, [], tables, argparse.Namespace(year=2020, persons=3000))
    out = capsys.readouterr().out
    assert "not measured: the generator plants no case of multiple_sclerosis" in out
    assert "conditions.yaml" in out and "sensitivity" not in out


def test_sample_run_says_which_look_back_years_the_sample_lacks(tables, capsys):
    algo = snds_algos.get("hiv")
    assert sample_lookback_gaps(algo, 2020, range(2019, 2021)) == {"hospital": [2016, 2017, 2018]}
    assert sample_lookback_gaps(algo, 2020, range(2016, 2021)) == {}
    _compare_with_planted(algo, [], tables, argparse.Namespace(year=2020, persons=3000))
    out = capsys.readouterr().out
    assert (
        "look-back years the criteria read and the sample lacks: hospital 2016, 2017, 2018" in out
    )
    assert "against the planted truth of hiv" in out
    assert "sensitivity 0.000, PPV n/a (nobody found)" in out  # nobody passed as found


def test_sample_run_when_no_case_is_planted_in_the_sample(capsys):
    tiny = generate_tables(40, "2019-2020", 1)
    truth = tiny["_truth_conditions"]
    assert not (truth["condition"] == "hiv").any()  # this seed plants no HIV case
    _compare_with_planted(
        snds_algos.get("hiv"), [], tiny, argparse.Namespace(year=2020, persons=40)
    )
    out = capsys.readouterr().out
    assert "no case of hiv planted in this sample of 40 persons for 2020" in out
    assert "nan" not in out
