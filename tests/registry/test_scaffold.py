"""`snds-algos new-algorithm`: the scaffold's tests pass on every backend, its check passes
and its page builds (default engine definition, ``--from`` and ``--hand-coded``)."""

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
from snds_algos.registry import algorithm_page, load_folder

REPO = Path(__file__).resolve().parents[2]


def source_copy(dest: Path, keep: tuple[str, ...] = ()) -> Path:
    """A minimal checkout: the package (with only the algorithms ``keep``), the test
    harness (root conftest, ``tests/helpers.py``), pyproject."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "snds_algos", dest / "snds_algos", ignore=ignore)
    algorithms = dest / "snds_algos" / "algorithms"
    for child in algorithms.iterdir():
        if child.is_dir() and child.name not in keep:
            shutil.rmtree(child)
    (dest / "tests").mkdir()
    for name in ("__init__.py", "helpers.py"):
        shutil.copy(REPO / "tests" / name, dest / "tests" / name)
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy(REPO / name, dest / name)
    return dest


NEW = ("multiple_sclerosis", "parkinson_copy", "hand_made")


@pytest.mark.spark  # the generated tests run on Spark too (a subprocess that needs PySpark)
def test_new_algorithm_default_from_and_hand_coded_work_without_editing_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """In a copy of the repository, ``new-algorithm`` (engine definition), ``--from
    parkinson`` and ``--hand-coded`` give algorithms whose generated tests pass on
    pandas, DuckDB and Spark, whose check passes and whose docs page renders."""
    root = source_copy(tmp_path / "checkout", keep=("parkinson",))
    env = dict(os.environ, PYTHONPATH=str(root), SNDS_ALGOS_REQUIRE_SPARK="1")
    for args in (["multiple_sclerosis"], ["parkinson_copy", "--from", "parkinson"],
                 ["hand_made", "--hand-coded"]):  # fmt: skip
        out = subprocess.run(
            [sys.executable, "-m", "snds_algos.cli", "new-algorithm", *args],
            cwd=root, env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert "created" in out.stdout
    algorithms = root / "snds_algos" / "algorithms"
    shutil.rmtree(algorithms / "parkinson")  # copied from; its own tests are not in the copy
    definition = (algorithms / "multiple_sclerosis" / "definition.yaml").read_text()
    assert "case:" in definition and "events: drug_dispensing" in definition
    init = (algorithms / "multiple_sclerosis" / "__init__.py").read_text()
    assert "definition, extract_events, run = definition_functions(__name__)" in init
    copied = (algorithms / "parkinson_copy" / "definition.yaml").read_text()
    assert "id: parkinson_copy" in copied and "codes: parkinson_icd10" in copied
    assert (algorithms / "parkinson_copy" / "codes" / "parkinson_icd10.csv").is_file()

    check = subprocess.run(
        [sys.executable, "-m", "snds_algos.cli", "check", "--no-entry-points"],
        cwd=root, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    assert "3 algorithm version(s), all checks passed" in check.stdout
    for name in NEW:
        page = algorithm_page(load_folder(algorithms / name))  # what the docs build renders
        assert page.startswith("# ") and "## Definition" in page

    out = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
            *[f"tests/algorithms/test_{name}.py" for name in NEW],
            *[f"snds_algos/algorithms/{name}" for name in NEW],
        ],
        cwd=root, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    report = out.stdout + out.stderr
    assert out.returncode == 0, report
    where = subprocess.run(
        [sys.executable, "-c", "import snds_algos; print(snds_algos.__file__)"],
        cwd=root, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert where.stdout.strip().startswith(str(root)), "the copy's package must be the one tested"
    passed = re.search(r"^(\d+) passed", report, flags=re.MULTILINE)
    # engine scaffold and copy: 1 + 4 tests x 3 backends + 1 doctest each;
    # hand-coded: 1 + 3 tests x 3 backends + 2 doctests
    assert passed and int(passed.group(1)) == 14 + 14 + 12, report
    assert "Spark tests: 11 passed, 0 failed, 0 skipped" in report, report


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
    # the real build has the pages of the raw tables the card links to; this one has not
    (docs / "demo_condition.md").write_text(algorithm_page(algo, tables_prefix=None))
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
        "hospital",
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


def test_new_algorithm_from_refuses_unknown_and_hand_coded_sources(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = source_copy(tmp_path / "checkout", keep=("parkinson", "charlson"))
    assert main(["new-algorithm", "x_copy", "--from", "nope", "--dir", str(root)]) == 2
    err = capsys.readouterr().err
    assert "--from nope: no algorithm folder" in err and "parkinson" in err
    assert main(["new-algorithm", "x_copy", "--from", "charlson", "--dir", str(root)]) == 2
    assert "has no case definition" in capsys.readouterr().err
    assert not (root / "snds_algos" / "algorithms" / "x_copy").exists()  # nothing left behind


def test_spec_tests_generated_for_every_builtin_definition_pass(tmp_path: Path) -> None:
    """``--from`` works from any built-in case definition: the spec tests generated from
    each one pass (pandas; the scaffold test above runs them on every backend)."""
    from snds_algos._yaml import safe_load
    from snds_algos.cases.schema import is_case_definition
    from snds_algos.codelists import read_codes
    from snds_algos.registry.spec_tests import spec_test_module

    root = source_copy(
        tmp_path / "checkout",
        keep=tuple(p.name for p in (REPO / "snds_algos" / "algorithms").iterdir()),
    )
    tests = root / "tests" / "algorithms"
    tests.mkdir()
    (tests / "__init__.py").write_text("")
    written = []
    for folder in sorted((root / "snds_algos" / "algorithms").iterdir()):
        path = folder / "definition.yaml"
        if not path.is_file() or not is_case_definition(doc := safe_load(path.read_text())):
            continue
        codes = {p.stem: read_codes(p) for p in (folder / "codes").glob("*.csv")}
        (tests / f"test_{folder.name}.py").write_text(spec_test_module(folder.name, doc, codes))
        written.append(folder.name)
    assert len(written) >= 20
    env = dict(os.environ, PYTHONPATH=str(root))
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not spark",
         "tests/algorithms"],
        cwd=root, env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-5000:] + out.stderr[-2000:]
    assert re.search(r"^\d+ passed, \d+ deselected", out.stdout, flags=re.MULTILINE), out.stdout
