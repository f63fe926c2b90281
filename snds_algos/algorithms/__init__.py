"""Built-in algorithms: one folder per algorithm (``<id>/card.yaml``, ``__init__.py`` ...).

See :mod:`snds_algos.registry` for the folder layout and ``CONTRIBUTING.md`` to add one.

This package is also what ``snds_algos.algorithms`` names once it has been imported, so
it is callable: ``snds_algos.algorithms()`` lists every registered algorithm whether or
not this package was imported first (see :func:`snds_algos.registry.algorithms`).
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _CallableModule(types.ModuleType):
    """A module that, called, lists the registered algorithms."""

    def __call__(self) -> list[Any]:
        from snds_algos.registry import algorithms

        return algorithms()


sys.modules[__name__].__class__ = _CallableModule
