"""YAML reading for the whole package: libyaml's C loader when installed (several
times faster on the registry's cards and definitions), else the pure Python one.
Both are *safe* loaders: no Python object is ever built from a YAML tag."""

from __future__ import annotations

from typing import Any

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(text: str) -> Any:
    """Parse YAML text with the safe loader.

    >>> safe_load("a: [1, 2]")
    {'a': [1, 2]}
    """
    return yaml.load(text, Loader=LOADER)
