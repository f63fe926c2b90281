"""snds-algos: reviewed, versioned algorithms for the French national health data system.

The package never imports PySpark at import time: Spark support is loaded only when a
Spark DataFrame or session is passed in (``pip install "snds-algos[spark]"``).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
