"""Issue 17, path escapes: ids and names used as paths are matched in full and resolved
inside the algorithms folder; anything else is refused (exit code 2, nothing written)."""

from __future__ import annotations

from pathlib import Path

import pytest

from snds_algos.cli import main
from snds_algos.registry import new_algorithm
from snds_algos.registry.scaffold import (
    InvalidAlgorithmNameError,
    check_algorithm_id,
    check_version,
    new_version,
)


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "outside" / "a" / "b" / "checkout"
    (root / "snds_algos").mkdir(parents=True)
    (root / "snds_algos" / "__init__.py").write_text("")
    new_algorithm("demo_condition", root=root)
    return root


@pytest.mark.parametrize(
    "name", ["../../../x", "x\n", "xx\n", "demo/../../x", "/tmp/x", "Demo", "a", "é_x", ""]
)
def test_bad_algorithm_ids_are_refused(name: str) -> None:
    with pytest.raises(InvalidAlgorithmNameError, match="invalid algorithm name"):
        check_algorithm_id(name)


@pytest.mark.parametrize("version", ["9.9.9/../../x", "1.0", "1.0.0\n", "../1.0.0"])
def test_bad_versions_are_refused(version: str) -> None:
    with pytest.raises(InvalidAlgorithmNameError, match="invalid version"):
        check_version(version)


def test_new_version_outside_the_checkout_is_refused(checkout: Path, capsys) -> None:
    outside = checkout.parents[2]
    before = tree(outside)
    code = main(["new-version", "../../../x", "9.9.9", "--dir", str(checkout)])
    err = capsys.readouterr().err
    assert code == 2 and "'../../../x'" in err and "Traceback" not in err
    assert tree(outside) == before
    with pytest.raises(InvalidAlgorithmNameError):
        new_version("demo_condition", "9.9.9/../../../y", root=checkout)
    assert tree(outside) == before


def test_new_algorithm_name_with_a_newline_is_refused(checkout: Path, capsys) -> None:
    before = tree(checkout)
    for name in ("xy\n", "../../evil", "ok_name/../../evil"):
        code = main(["new-algorithm", name, "--dir", str(checkout)])
        err = capsys.readouterr().err
        assert code == 2 and "invalid algorithm name" in err and "Traceback" not in err
    assert tree(checkout) == before


def test_show_and_lookups_refuse_paths(capsys) -> None:
    import snds_algos
    from snds_algos.registry import UnknownAlgorithmError

    code = main(["show", "../diabetes"])
    err = capsys.readouterr().err
    assert code == 2 and "invalid algorithm id '../diabetes'" in err
    with pytest.raises(UnknownAlgorithmError, match="invalid algorithm id"):
        snds_algos.get("diabetes\n")
    code = main(["run", "../../x", "--year", "2020"])
    assert code == 2 and "invalid algorithm id" in capsys.readouterr().err


def test_valid_names_still_work(checkout: Path) -> None:
    paths = new_version("demo_condition", "0.2.0", root=checkout)
    assert paths["kept"].resolve().is_relative_to(checkout.resolve())
    assert check_algorithm_id("heart_failure") == "heart_failure"
