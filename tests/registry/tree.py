"""A temporary source tree with scaffolded algorithms, for the registry tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from snds_algos.registry import new_algorithm


class Tree:
    """A temporary checkout: ``snds_algos/algorithms``, ``tests``, ``released.json``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.algorithms = root / "snds_algos" / "algorithms"
        self.tests = root / "tests"
        self.released = root / "released.json"
        self.tests.mkdir(parents=True, exist_ok=True)

    def add(self, name: str, *, hand_coded: bool = True) -> Path:
        """Scaffold algorithm ``name`` (the hand-coded variant by default: one code list
        ``codes/<name>.csv``, a ``rule`` tree, which these tests edit); return its folder."""
        return new_algorithm(name, root=self.root, hand_coded=hand_coded)["folder"]

    def card(self, name: str, folder: Path | None = None) -> dict[str, Any]:
        return yaml.safe_load(((folder or self.algorithms / name) / "card.yaml").read_text())

    def write_card(self, name: str, card: dict[str, Any], folder: Path | None = None) -> None:
        path = (folder or self.algorithms / name) / "card.yaml"
        path.write_text(yaml.safe_dump(card, sort_keys=False, allow_unicode=True))

    def edit_card(
        self, name: str, change: Callable[[dict[str, Any]], None], folder: Path | None = None
    ) -> None:
        card = self.card(name, folder)
        change(card)
        self.write_card(name, card, folder)

    def check(self) -> list[Any]:
        from snds_algos.registry import run_checks

        return run_checks(
            self.algorithms, tests_dir=self.tests, released=self.released, entry_points=False
        )


def reviewed(card: dict[str, Any]) -> None:
    """Make a card reviewed (clinical and code reviewers)."""
    card["status"] = "reviewed"
    card["reviewers"] = [
        {"name": "Claire Clinician", "affiliation": "CHU", "scope": ["clinical"]},
        {"name": "Carl Coder", "affiliation": "Lab", "scope": ["code"]},
    ]
