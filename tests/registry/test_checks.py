"""`snds-algos check`: each CI failure mode is detected, and a complete algorithm passes."""

from __future__ import annotations

import json
import shutil

import pytest

from snds_algos.cli import main
from snds_algos.registry import fingerprint, load_folder, release
from tests.registry.tree import Tree, reviewed


def kinds(problems: list) -> list[str]:
    return [p.check for p in problems]


def test_scaffolded_algorithm_passes_every_check(tree: Tree) -> None:
    tree.add("demo_condition")
    assert tree.check() == []


def test_invalid_card_fails(tree: Tree) -> None:
    tree.add("demo_condition")
    tree.edit_card("demo_condition", lambda c: c.pop("limits"))
    problems = tree.check()
    assert kinds(problems) == ["card"]
    assert "card.yaml" in problems[0].where and "limits" in problems[0].message


def test_missing_tests_fail(tree: Tree) -> None:
    tree.add("demo_condition")
    (tree.tests / "algorithms" / "test_demo_condition.py").unlink()
    problems = tree.check()
    assert kinds(problems) == ["tests"]
    assert "has no tests" in problems[0].message


def test_tests_without_the_backend_fixture_fail(tree: Tree) -> None:
    tree.add("demo_condition")
    test_file = tree.tests / "algorithms" / "test_demo_condition.py"
    test_file.write_text(test_file.read_text().replace("(backend)", "()"))
    problems = tree.check()
    assert kinds(problems) == ["tests"]
    assert "backend" in problems[0].message


def test_tests_in_a_folder_count(tree: Tree) -> None:
    tree.add("demo_condition")
    test_file = tree.tests / "algorithms" / "test_demo_condition.py"
    (tree.tests / "algorithms" / "demo_condition").mkdir()
    test_file.rename(tree.tests / "algorithms" / "demo_condition" / "test_spec.py")
    assert tree.check() == []


def test_missing_docs_page_fails(tree: Tree) -> None:
    folder = tree.add("demo_condition")
    (folder / "docs.md").unlink()
    problems = tree.check()
    assert kinds(problems) == ["docs"]
    assert "missing docs page" in problems[0].message


@pytest.mark.parametrize(
    "text", ["", "## Use\n", "# Title\n\nSome text long enough to count as a page.\n"]
)
def test_empty_or_badly_headed_docs_page_fails(tree: Tree, text: str) -> None:
    folder = tree.add("demo_condition")
    (folder / "docs.md").write_text(text)
    assert kinds(tree.check()) == ["docs"]


def test_code_list_problems(tree: Tree) -> None:
    folder = tree.add("demo_condition")
    (folder / "codes" / "extra.csv").write_text("code,label\nE12,x\n")  # not declared
    (folder / "codes" / "demo_condition.csv").write_text("code\nE10\n")  # no label
    messages = [p.message for p in tree.check()]
    assert any("not declared" in m for m in messages)
    assert any("header: no column 'label' (columns found: code)" in m for m in messages)


def test_missing_reference_and_unknown_contract_column(tree: Tree) -> None:
    tree.add("demo_condition")

    def change(card: dict) -> None:
        card["references"] = ["nobody2020"]
        card["data"].append({"table": "ER_PRS_F", "columns": ["BEN_NIR_PSA", "NOT_A_COLUMN"]})

    tree.edit_card("demo_condition", change)
    messages = [p.message for p in tree.check()]
    assert any("'nobody2020' is not in references.bib" in m for m in messages)
    assert any("ER_PRS_F has no column(s) NOT_A_COLUMN" in m for m in messages)


def test_folder_must_be_named_after_the_id(tree: Tree) -> None:
    tree.add("demo_condition")
    tree.edit_card("demo_condition", lambda c: c.update(id="other_condition"))
    messages = [p.message for p in tree.check()]
    assert any("differs from the folder name" in m for m in messages)


def test_reviewed_version_must_be_released(tree: Tree) -> None:
    tree.add("demo_condition")
    tree.edit_card("demo_condition", reviewed)
    problems = tree.check()
    assert kinds(problems) == ["release"]
    assert "not released" in problems[0].message
    release(load_folder(tree.algorithms / "demo_condition"), tree.released)
    assert tree.check() == []


def test_changed_fingerprint_of_a_released_version_fails(tree: Tree) -> None:
    folder = tree.add("demo_condition")
    tree.edit_card("demo_condition", reviewed)
    digest = release(load_folder(folder), tree.released)
    assert json.loads(tree.released.read_text()) == {"demo_condition@0.1.0": digest}

    with (folder / "codes" / "demo_condition.csv").open("a") as handle:
        handle.write("E13,Other diabetes\n")
    problems = tree.check()
    assert kinds(problems) == ["release"]
    assert problems[0].where == "demo_condition@0.1.0"
    assert "released version changed" in problems[0].message


@pytest.mark.parametrize(
    "edit",
    [
        lambda c: c["parameters"][2].update(default=2),
        lambda c: c["code_lists"][0].update(vintage="CIM-10 ATIH 2025"),
        lambda c: c["data"][0]["columns"].append("end"),
    ],
)
def test_behaviour_fields_of_the_card_are_frozen(tree: Tree, edit) -> None:
    folder = tree.add("demo_condition")
    tree.edit_card("demo_condition", reviewed)
    release(load_folder(folder), tree.released)
    tree.edit_card("demo_condition", edit)
    assert kinds(tree.check()) == ["release"]


def test_definition_is_frozen_but_not_its_comments(tree: Tree) -> None:
    folder = tree.add("demo_condition")
    tree.edit_card("demo_condition", reviewed)
    release(load_folder(folder), tree.released)
    definition = folder / "definition.yaml"
    definition.write_text("# a new comment\n" + definition.read_text())
    assert tree.check() == []
    definition.write_text(definition.read_text().replace("min_events: 1", "min_events: 2"))
    assert kinds(tree.check()) == ["release"]


def test_descriptive_fields_may_be_completed_after_release(tree: Tree) -> None:
    folder = tree.add("demo_condition")
    tree.edit_card("demo_condition", reviewed)
    before = fingerprint(load_folder(folder))
    release(load_folder(folder), tree.released)

    def complete(card: dict) -> None:
        card["status"] = "validated"
        card["validation"] = [
            {
                "reference_standard": "chart review",
                "population": "adults",
                "period": "2019",
                "ppv": {"value": 0.9, "ci_low": 0.85, "ci_high": 0.94},
            }
        ]
        card["limits"].append("Misses untreated patients.")
        card["description"] += " More words."

    tree.edit_card("demo_condition", complete)
    (folder / "codes" / "demo_condition.csv").write_text(
        (folder / "codes" / "demo_condition.csv").read_text().replace("Example code", "Code")
    )
    assert fingerprint(load_folder(folder)) == before
    assert tree.check() == []


def test_draft_versions_are_not_frozen(tree: Tree) -> None:
    folder = tree.add("demo_condition")
    before = fingerprint(load_folder(folder))
    with (folder / "codes" / "demo_condition.csv").open("a") as handle:
        handle.write("E13,Other diabetes\n")
    assert fingerprint(load_folder(folder)) != before
    assert tree.check() == []


def test_released_version_cannot_disappear(tree: Tree) -> None:
    folder = tree.add("demo_condition")
    tree.edit_card("demo_condition", reviewed)
    release(load_folder(folder), tree.released)
    # keep 0.1.0 under versions/, and make 0.2.0 the current version: passes
    kept = folder / "versions" / "v0_1_0"
    shutil.copytree(folder, kept, ignore=shutil.ignore_patterns("versions"))
    (folder / "versions" / "__init__.py").write_text("")

    def bump(card: dict) -> None:
        card["version"] = "0.2.0"
        card["status"] = "draft"
        card["history"].append({"version": "0.2.0", "date": "2026-11-28", "changes": "E13 added"})

    tree.edit_card("demo_condition", bump)
    with (folder / "codes" / "demo_condition.csv").open("a") as handle:
        handle.write("E13,Other diabetes\n")
    assert tree.check() == []
    # deleting the kept version fails
    shutil.rmtree(kept)
    problems = tree.check()
    assert kinds(problems) == ["release"]
    assert "released version is gone" in problems[0].message


def test_check_command_exit_status(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tree.add("demo_condition")
    args = [
        "check",
        "--root",
        str(tree.algorithms),
        "--tests",
        str(tree.tests),
        "--released",
        str(tree.released),
        "--no-entry-points",
    ]
    assert main(args) == 0
    assert "all checks passed" in capsys.readouterr().out
    (folder / "docs.md").unlink()
    assert main(args) == 1
    assert "[docs]" in capsys.readouterr().out


def test_new_version_keeps_the_released_one(tree: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tree.add("demo_condition")
    tree.edit_card("demo_condition", reviewed)
    release(load_folder(folder), tree.released)
    assert main(["new-version", "demo_condition", "0.1.0", "--dir", str(tree.root)]) == 2
    assert "not above" in capsys.readouterr().err
    args = [
        "new-version",
        "demo_condition",
        "0.2.0",
        "--dir",
        str(tree.root),
        "--changes",
        "E13 added",
    ]
    assert main(args) == 0
    with (folder / "codes" / "demo_condition.csv").open("a") as handle:
        handle.write("E13,Other diabetes\n")
    assert tree.check() == []
    from snds_algos.registry import discover

    registry = discover(tree.algorithms, entry_points=False)
    assert registry.get("demo_condition").version == "0.2.0"
    assert registry.get("demo_condition").status == "draft"
    assert registry.get("demo_condition").card["history"][-1]["changes"] == "E13 added"
    old = registry.get("demo_condition", "0.1.0")
    assert old.codes("demo_condition") == ["E10", "E11"] and old.status == "reviewed"


def test_code_list_with_an_unquoted_comma_is_a_problem_not_a_crash(tmp_path):
    from snds_algos.registry.model import read_code_rows
    from snds_algos.registry.schema import CardError

    path = tmp_path / "codes.csv"
    path.write_text("code,label\nL97,Ulcer of lower limb, not elsewhere classified\n")
    with pytest.raises(CardError, match=r"line 2: 3 fields for 2 columns"):
        read_code_rows(path)
