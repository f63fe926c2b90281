"""Discovery, versions, `snds_algos.algorithms()` / `snds_algos.get()`, and a light import."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings

import pandas as pd
import pytest

import snds_algos
from snds_algos.registry import (
    Algorithm,
    CardError,
    UnknownAlgorithmError,
    algorithm_page,
    discover,
    discovery,
    example_algorithm,
    example_card,
)
from tests.registry.tree import Tree, reviewed


def test_discover_reads_folders_without_importing_their_code(tree: Tree) -> None:
    tree.add("demo_condition")
    registry = discover(tree.algorithms, entry_points=False)
    [algo] = registry.items
    assert (algo.id, algo.version, algo.status, algo.title) == (
        "demo_condition",
        "0.1.0",
        "draft",
        "Demo condition",
    )
    assert not any("demo_condition" in name for name in sys.modules)
    assert algo.definition["rule"] == {"any": ["coded_event"]}
    assert algo.code_lists["demo_condition"]["code"].tolist() == ["E10", "E11"]
    assert algo.parameters == {"start": None, "end": None, "min_events": 1}
    events = pd.DataFrame(
        {"patient_id": ["p"], "value": ["E110"], "start": [pd.Timestamp("2020-01-01").date()]}
    )
    assert algo.run(events)["n_events"].tolist() == [1]


def test_versions_coexist_and_get_returns_the_latest(tree: Tree) -> None:
    folder = tree.add("demo_condition")
    tree.edit_card("demo_condition", reviewed)
    kept = folder / "versions" / "v0_1_0"
    shutil.copytree(folder, kept)
    (folder / "versions" / "__init__.py").write_text("")

    def bump(card: dict) -> None:
        card["version"] = "0.10.0"
        card["status"] = "draft"
        card["history"].append({"version": "0.10.0", "date": "2026-11-28", "changes": "new codes"})

    tree.edit_card("demo_condition", bump)
    registry = discover(tree.algorithms, entry_points=False)
    assert [(a.id, a.version) for a in registry.sorted()] == [
        ("demo_condition", "0.1.0"),
        ("demo_condition", "0.10.0"),
    ]
    assert registry.get("demo_condition").version == "0.10.0"
    old = registry.get("demo_condition", "0.1.0")
    assert old.status == "reviewed" and old.path == kept
    with pytest.raises(UnknownAlgorithmError, match=r"versions: 0\.1\.0, 0\.10\.0"):
        registry.get("demo_condition", "2.0.0")
    with pytest.raises(KeyError, match="no algorithm 'nope'"):
        registry.get("nope")


def test_invalid_builtin_card_raises_unless_collected(tree: Tree) -> None:
    tree.add("demo_condition")
    tree.edit_card("demo_condition", lambda c: c.update(status="done"))
    with pytest.raises(CardError, match="status"):
        discover(tree.algorithms, entry_points=False)
    registry = discover(tree.algorithms, entry_points=False, strict=False)
    assert registry.items == [] and "status" in registry.problems[0][1]


def test_duplicate_versions_are_reported(tree: Tree) -> None:
    registry = discovery.Registry()
    registry.add(example_algorithm())
    registry.add(example_algorithm())
    assert len(registry.items) == 1 and "registered twice" in registry.problems[0][1]


def test_algorithm_objects_need_their_code_lists() -> None:
    with pytest.raises(CardError, match="code list"):
        Algorithm(example_card("demo"), run=print)
    page = algorithm_page(example_algorithm(), tables_prefix=None)
    assert "| E10 | example |" in page


def test_top_level_functions(monkeypatch: pytest.MonkeyPatch) -> None:
    registry = discovery.Registry()
    registry.add(example_algorithm("demo"))
    monkeypatch.setitem(discovery._CACHE, "default", registry)
    assert [a.id for a in snds_algos.algorithms()] == ["demo"]
    assert snds_algos.get("demo").version == "0.1.0"
    assert snds_algos.get("demo", version="0.1.0").status == "draft"
    import snds_algos.algorithms as package  # the package of built-ins is callable too

    assert package() == snds_algos.algorithms()
    assert callable(snds_algos.algorithms)


def test_entry_point_failures_are_warnings_not_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        name, value = "broken", "nowhere:register"

        def load(self) -> None:
            raise ImportError("no module named nowhere")

    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "entry_points", lambda group: [Broken()])
    registry = discovery.Registry()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        discovery.load_entry_points(registry)
    assert registry.items == [] and "nowhere" in registry.problems[0][1]
    assert any(issubclass(w.category, discovery.RegistryWarning) for w in caught)


def test_import_is_light() -> None:
    code = (
        "import sys, json, snds_algos\n"
        "after_import = sorted(m for m in ('pyspark', 'pandas') if m in sys.modules)\n"
        "names = [a.id for a in snds_algos.algorithms()]\n"
        "after_list = sorted(m for m in ('pyspark',) if m in sys.modules)\n"
        "print(json.dumps([after_import, after_list]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    after_import, after_list = json.loads(out.stdout.strip().splitlines()[-1])
    assert after_import == [], f"import snds_algos imported {after_import}"
    assert after_list == [], f"snds_algos.algorithms() imported {after_list}"
