"""The CI gate on this repository: every registered algorithm passes every registry check.

It fails when a built-in algorithm lacks a valid card, tests on both backends or its docs
page, or when a released version's fingerprint changed (see ``tests/registry/test_checks.py``
for each failure mode on temporary trees).
"""

from __future__ import annotations

from snds_algos.registry import builtin_root, discover, read_released, run_checks
from snds_algos.registry.checks import default_tests_dir


def test_every_registered_algorithm_passes_the_registry_checks() -> None:
    problems = run_checks()
    assert not problems, "registry checks failed:\n" + "\n".join(map(str, problems))


def test_released_versions_are_builtin_algorithms() -> None:
    keys = {a.key for a in discover(entry_points=False).items}
    assert set(read_released()) <= keys


def test_checks_look_at_this_checkout() -> None:
    assert default_tests_dir() is not None
    assert builtin_root().name == "algorithms" and (builtin_root() / "__init__.py").is_file()
