"""snds-algos: reviewed, versioned algorithms for the French national health data system.

The package never imports PySpark at import time: Spark support is loaded only when a
Spark DataFrame or session is passed in (``pip install "snds-algos[spark]"``).
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "algorithms", "get"]


def get(algorithm_id: str, version: str | None = None) -> Any:
    """One registered algorithm: the given ``version``, or the latest one.

    Examples
    --------
    >>> import snds_algos
    >>> try:
    ...     snds_algos.get("no_such_algorithm", version="1.0.0")
    ... except KeyError as err:
    ...     print(str(err).split(";")[0])
    no algorithm 'no_such_algorithm'
    """
    from snds_algos.registry import get as _get

    return _get(algorithm_id, version)


def __getattr__(name: str) -> Any:
    # ``snds_algos.algorithms()`` lists the registered algorithms. The name is also the
    # package of built-in algorithms, made callable, so both meanings agree.
    if name == "algorithms":
        import importlib

        return importlib.import_module("snds_algos.algorithms")
    raise AttributeError(f"module 'snds_algos' has no attribute {name!r}")
