"""Parameters as users type them: conversions shared by the library and the command line."""

from __future__ import annotations

from typing import Any

from snds_algos.errors import ParameterError


def reference_year(year: Any) -> int:
    """The reference year as an ``int``: accepts ``2020``, ``"2020"``, ``" 2020 "``,
    ``2020.0`` or a numpy integer; anything else is a
    :class:`~snds_algos.errors.ParameterError` naming ``year``.

    >>> reference_year("2020"), reference_year(2020)
    (2020, 2020)
    >>> reference_year("20x0")
    Traceback (most recent call last):
    ...
    snds_algos.errors.ParameterError: parameter year: expected a year such as 2020, got '20x0'
    """
    value = year
    if isinstance(value, str):
        value = value.strip()
        if value.isdigit():
            value = int(value)
    elif not isinstance(value, bool):
        try:
            import numbers

            if isinstance(value, numbers.Integral) or (
                isinstance(value, numbers.Real) and float(value).is_integer()
            ):
                value = int(value)
        except (TypeError, ValueError):  # pragma: no cover - defensive
            pass
    if not isinstance(value, int) or isinstance(value, bool) or not 1900 <= value <= 2200:
        raise ParameterError("year", f"expected a year such as 2020, got {year!r}")
    return value
