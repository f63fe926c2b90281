"""The card schema and the lifecycle rules: every invalid card is refused, naming file and field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from snds_algos.registry import CardError, card_problems, card_schema, example_card, load_folder
from snds_algos.registry.schema import STATUSES, orcid_checksum_ok, parse_version
from tests.registry.tree import Tree, reviewed


def fields(card: Any) -> list[str]:
    return [field for field, _ in card_problems(card)]


def test_example_card_is_valid() -> None:
    assert card_problems(example_card("demo")) == []


def test_schema_lists_the_fields_the_issue_asks_for() -> None:
    required = set(card_schema()["required"])
    assert {
        "id",
        "title",
        "version",
        "status",
        "authors",
        "reviewers",
        "funding",
        "domain",
        "description",
        "definition",
        "data",
        "parameters",
        "code_lists",
        "references",
        "validation",
        "limits",
        "history",
    } <= required
    assert card_schema()["properties"]["status"]["enum"] == list(STATUSES)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda c: c.pop("title"), "(card)"),
        (lambda c: c.update(status="finished"), "status"),
        (lambda c: c.update(version="1.0"), "version"),
        (lambda c: c.update(id="Bad-Id"), "id"),
        (lambda c: c.update(colour="blue"), "colour"),
        (lambda c: c.update(authors=[]), "authors"),
        (
            lambda c: c["authors"][0].update(orcid="https://orcid.org/0000-0002-1825-0097"),
            "authors[0].orcid",
        ),
        (lambda c: c["authors"][0].update(orcid="0000-0002-1825-0098"), "authors[0].orcid"),
        (lambda c: c["code_lists"][0].pop("vintage"), "code_lists[0]"),
        (lambda c: c["code_lists"][0].update(system="ICD"), "code_lists[0].system"),
        (lambda c: c["parameters"][0].pop("default"), "parameters[0]"),
        (lambda c: c["parameters"].append(dict(c["parameters"][0])), "parameters"),
        (lambda c: c["history"][0].update(version="0.0.9"), "history"),
        (lambda c: c["history"][0].update(date="28/11/2026"), "history[0].date"),
        (lambda c: c.update(funding=[{"programme": "AAP"}]), "funding[0]"),
        (
            lambda c: c.update(
                validation=[
                    {
                        "reference_standard": "x",
                        "population": "y",
                        "period": "z",
                        "ppv": {"value": 1.2},
                    }
                ]
            ),
            "validation[0].ppv.value",
        ),
        (
            lambda c: c.update(
                validation=[
                    {
                        "reference_standard": "x",
                        "population": "y",
                        "period": "z",
                        "ppv": {"value": 0.9, "ci_low": 0.92, "ci_high": 0.95},
                    }
                ]
            ),
            "validation[0].ppv",
        ),
    ],
)
def test_invalid_cards_are_refused(change: Any, field: str) -> None:
    card = copy.deepcopy(example_card("demo"))
    change(card)
    assert field in fields(card)


def test_lifecycle_rules() -> None:
    card = example_card("demo")
    card["status"] = "reviewed"
    assert fields(card) == ["reviewers", "reviewers"]  # clinical and code reviewers missing
    reviewed(card)
    assert fields(card) == []
    card["status"] = "validated"
    assert fields(card) == ["validation"]
    card["validation"] = [
        {
            "reference_standard": "chart review",
            "population": "adults",
            "period": "2019",
            "ppv": {"value": 0.9, "ci_low": 0.85, "ci_high": 0.94, "n": 200},
        }
    ]
    assert fields(card) == []
    card["status"] = "deprecated"
    assert fields(card) == ["deprecation"]


def test_error_names_the_card_file_and_the_field(tree: Tree) -> None:
    folder = tree.add("demo_condition")
    tree.edit_card("demo_condition", lambda c: c["authors"][0].update(orcid="0000-0002-1825-0098"))
    with pytest.raises(CardError) as info:
        load_folder(folder)
    message = str(info.value)
    assert str(folder / "card.yaml") in message
    assert "authors[0].orcid" in message and "checksum" in message


def test_unparseable_yaml_names_the_file(tree: Tree) -> None:
    folder = tree.add("demo_condition")
    (folder / "card.yaml").write_text("id: [unclosed\n")
    with pytest.raises(CardError, match=r"card\.yaml.*not valid YAML"):
        load_folder(folder)


def test_orcid_checksum_and_versions() -> None:
    assert orcid_checksum_ok("0000-0002-1694-233X")
    assert not orcid_checksum_ok("0000-0002-1694-2330")
    assert sorted(["1.10.0", "1.2.0", "1.2.0-rc.1", "0.9.9"], key=parse_version) == [
        "0.9.9",
        "1.2.0-rc.1",
        "1.2.0",
        "1.10.0",
    ]
