"""A separate package registers algorithms through the `snds_algos.algorithms` entry point.

The package is real: a module and its ``.dist-info`` (METADATA, entry_points.txt) in a
temporary folder put on ``PYTHONPATH`` of a fresh interpreter, as ``pip install``
would lay them out; ``importlib.metadata`` finds the entry point.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from snds_algos.registry import new_algorithm

PLUGIN = textwrap.dedent(
    '''
    """A tiny plug-in package registering two algorithms."""
    from pathlib import Path

    import pandas as pd

    from snds_algos.registry import Algorithm, example_card


    def register():
        card = example_card("plugin_inline", title="Inline plug-in algorithm")
        codes = {"plugin_inline": pd.DataFrame({"code": ["I50"], "label": ["Heart failure"]})}
        inline = Algorithm(card, run=lambda events, **kw: events, code_lists=codes)
        return [Path(__file__).parent / "plugin_folder", inline]
    '''
)


def make_plugin(root: Path, entry: str = "snds_demo_plugin:register") -> Path:
    site = root / "site"
    package = site / "snds_demo_plugin"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(PLUGIN)
    scaffold = root / "scaffold"
    folder = new_algorithm("plugin_folder", root=scaffold, hand_coded=True)["folder"]
    shutil.copytree(folder, package / "plugin_folder")
    dist = site / "snds_demo_plugin-0.1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: snds-demo-plugin\nVersion: 0.1.0\n"
    )
    (dist / "entry_points.txt").write_text(f"[snds_algos.algorithms]\ndemo_plugin = {entry}\n")
    (dist / "RECORD").write_text("")
    return site


def run(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(site))
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_plugin_algorithms_are_listed(tmp_path: Path) -> None:
    site = make_plugin(tmp_path)
    out = run(site, "-m", "snds_algos.cli", "list", "--json")
    assert out.returncode == 0, out.stderr
    rows = {r["id"]: r for r in json.loads(out.stdout)}
    assert rows["plugin_folder"]["source"].startswith("entry point demo_plugin")
    assert rows["plugin_inline"]["title"] == "Inline plug-in algorithm"

    table = run(site, "-m", "snds_algos.cli", "list")
    assert "plugin_folder" in table.stdout and "entry point demo_plugin" in table.stdout

    code = (
        "import snds_algos, pandas as pd\n"
        "print(sorted(a.id for a in snds_algos.algorithms()))\n"
        "algo = snds_algos.get('plugin_folder')\n"
        "events = pd.DataFrame({'patient_id': ['p'], 'value': ['E11'], "
        "'start': [pd.Timestamp('2020-01-01').date()]})\n"
        "print(algo.run(events)['patient_id'].tolist())\n"
    )
    out = run(site, "-c", code)
    assert out.returncode == 0, out.stderr
    ids, result = out.stdout.strip().splitlines()[-2:]
    assert "'plugin_folder'" in ids and "'plugin_inline'" in ids
    assert result == "['p']"

    show = run(site, "-m", "snds_algos.cli", "show", "plugin_inline")
    assert show.returncode == 0 and "plugin_inline 0.1.0 (draft)" in show.stdout


def test_broken_plugin_is_reported_by_check_but_does_not_break_list(tmp_path: Path) -> None:
    site = make_plugin(tmp_path, entry="snds_demo_plugin:no_such_function")
    listing = run(site, "-m", "snds_algos.cli", "list")
    assert listing.returncode == 0
    assert "no_such_function" in listing.stderr  # a RegistryWarning
    empty = tmp_path / "empty"
    (empty / "tests").mkdir(parents=True)
    check = run(
        site, "-m", "snds_algos.cli", "check", "--root", str(empty), "--tests", str(empty / "tests")
    )
    assert check.returncode == 1
    assert "[entry point]" in check.stdout and "no_such_function" in check.stdout


@pytest.mark.parametrize("bad", ["status: finished"])
def test_plugin_with_an_invalid_card_is_reported(tmp_path: Path, bad: str) -> None:
    site = make_plugin(tmp_path)
    card = site / "snds_demo_plugin" / "plugin_folder" / "card.yaml"
    card.write_text(card.read_text().replace("status: draft", bad))
    listing = run(site, "-m", "snds_algos.cli", "list")
    assert listing.returncode == 0 and "plugin_inline" in listing.stdout
    assert "plugin_folder/card.yaml" in listing.stderr and "status" in listing.stderr
