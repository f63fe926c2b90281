"""`snds-algos new-algorithm`: the scaffold's tests pass on both backends and its page builds."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from snds_algos.cli import main
from snds_algos.registry import algorithm_page, load_folder, run_checks

REPO = Path(__file__).resolve().parents[2]


def source_copy(dest: Path) -> Path:
    """A minimal checkout: the package (without other algorithms), the test harness, pyproject."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "snds_algos", dest / "snds_algos", ignore=ignore)
    algorithms = dest / "snds_algos" / "algorithms"
    for child in algorithms.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
    (dest / "tests").mkdir()
    for name in ("__init__.py", "helpers.py"):
        shutil.copy(REPO / "tests" / name, dest / "tests" / name)
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy(REPO / name, dest / name)
    return dest


@pytest.mark.spark  # the generated tests run on Spark too (a subprocess that needs PySpark)
def test_new_algorithm_tests_pass_on_both_backends(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = source_copy(tmp_path / "checkout")
    assert main(["new-algorithm", "demo_condition", "--dir", str(root)]) == 0
    assert "created" in capsys.readouterr().out
    folder = root / "snds_algos" / "algorithms" / "demo_condition"
    assert (
        run_checks(
            folder.parent,
            tests_dir=root / "tests",
            released=root / "released.json",
            entry_points=False,
        )
        == []
    )

    env = dict(os.environ, PYTHONPATH=str(root), SNDS_ALGOS_REQUIRE_SPARK="1")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/algorithms/test_demo_condition.py",
            "snds_algos/algorithms/demo_condition",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = out.stdout + out.stderr
    assert out.returncode == 0, report
    where = subprocess.run(
        [sys.executable, "-c", "import snds_algos; print(snds_algos.__file__)"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.strip().startswith(str(root)), "the copy's package must be the one tested"
    passed = re.search(r"^(\d+) passed", report, flags=re.MULTILINE)
    # 1 + 3 tests x 3 backends (pandas, DuckDB, Spark) + 2 doctests
    assert passed and int(passed.group(1)) == 12, report
    assert "Spark tests: 3 passed, 0 failed, 0 skipped" in report, report


def test_new_algorithm_refuses_bad_names_and_existing_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "snds_algos").mkdir()
    assert main(["new-algorithm", "Demo-Condition", "--dir", str(tmp_path)]) == 2
    assert "invalid algorithm name" in capsys.readouterr().err
    assert main(["new-algorithm", "demo_condition", "--dir", str(tmp_path)]) == 0
    assert main(["new-algorithm", "demo_condition", "--dir", str(tmp_path)]) == 2
    assert "already exists" in capsys.readouterr().err


@pytest.mark.skipif(importlib.util.find_spec("sphinx") is None, reason="needs the docs extra")
@pytest.mark.skipif(importlib.util.find_spec("myst_parser") is None, reason="needs the docs extra")
def test_new_algorithm_docs_page_builds(tmp_path: Path) -> None:
    main(["new-algorithm", "demo_condition", "--dir", str(tmp_path / "checkout")])
    algo = load_folder(tmp_path / "checkout" / "snds_algos" / "algorithms" / "demo_condition")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "conf.py").write_text(
        textwrap.dedent(
            """
        extensions = ["myst_parser", "sphinx_design"]
        myst_enable_extensions = ["colon_fence"]
        html_theme = "basic"
        """
        )
    )
    (docs / "index.md").write_text("# Catalogue\n\n```{toctree}\ndemo_condition\n```\n")
    (docs / "demo_condition.md").write_text(algorithm_page(algo))
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(docs),
            str(tmp_path / "html"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    page = (tmp_path / "html" / "demo_condition.html").read_text()
    for expected in (
        "Demo condition",
        "Definition tree",
        "coded_event",
        "Code lists",
        "E11",
        "Version history",
    ):
        assert expected in page


def test_new_algorithm_outside_a_checkout_needs_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["new-algorithm", "demo_condition"]) == 2
    assert "not the root of a snds-algos checkout" in capsys.readouterr().err
    assert not (tmp_path / "snds_algos").exists()
