"""The pages the docs build generates: the algorithm catalogue and the SNDS table pages."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from snds_algos.contracts.model import get_contract, table_names
from tests.registry.tree import Tree, reviewed

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def ext() -> ModuleType:
    spec = importlib.util.spec_from_file_location("snds_docs_ext", DOCS / "_ext" / "snds_docs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["snds_docs_ext"] = module
    spec.loader.exec_module(module)
    return module


def test_catalogue_with_no_algorithm(ext: ModuleType, tree: Tree, tmp_path: Path) -> None:
    out = tmp_path / "algorithms"
    assert ext.write_catalogue(out, tree.algorithms) == ["card.md", "index.md"]
    index = (out / "index.md").read_text()
    assert "No algorithm is registered yet" in index and "toctree" in index


def test_catalogue_pages_per_version(ext: ModuleType, tree: Tree, tmp_path: Path) -> None:
    folder = tree.add("demo_condition")
    tree.edit_card("demo_condition", reviewed)
    shutil.copytree(folder, folder / "versions" / "v0_1_0")
    (folder / "versions" / "__init__.py").write_text("")

    def bump(card: dict) -> None:
        card["version"] = "0.2.0"
        card["status"] = "draft"
        card["history"].append({"version": "0.2.0", "date": "2026-11-28", "changes": "more codes"})

    tree.edit_card("demo_condition", bump)
    out = tmp_path / "algorithms"
    (out).mkdir()
    (out / "stale.md").write_text("# an algorithm that no longer exists\n")
    files = ext.write_catalogue(out, tree.algorithms)
    assert files == ["card.md", "demo_condition-v0_1_0.md", "demo_condition.md", "index.md"]
    assert not (out / "stale.md").exists()
    latest = (out / "demo_condition.md").read_text()
    assert "version 0.2.0" in latest and "[0.1.0 (reviewed)](demo_condition-v0_1_0.md)" in latest
    index = (out / "index.md").read_text()
    assert "| [demo_condition](demo_condition.md) |" in index and "Earlier versions" in index


def test_table_pages_and_diagram(ext: ModuleType, tmp_path: Path) -> None:
    out = tmp_path / "tables"
    files = ext.write_tables(out)
    assert {f"{name}.md" for name in table_names()} | {"index.md", "snds_tables.svg"} == set(files)
    page = (out / "ER_PHA_F.md").read_text()
    assert "[ER_PRS_F](ER_PRS_F.md)" in page and "`PHA_PRS_C13` = `IR_PHA_R.PHA_CIP_C13`" in page
    assert "| `PHA_PRS_C13` | string | yes |" in page
    svg = (out / "snds_tables.svg").read_text()
    assert svg.startswith("<svg") and all(name in svg for name in table_names())
    for join in ext.joins():  # every documented join names columns of both contracts
        left, right = get_contract(join["left"]), get_contract(join["right"])
        assert all(a in left and b in right for a, b in join["pairs"])
    pairs = {(j["left"], j["right"]) for j in ext.joins()}
    assert {("ER_PHA_F", "ER_PRS_F"), ("T_MCOaaB", "T_MCOaaC"), ("T_MCOaaC", "IR_BEN_R")} <= pairs
