"""One parameter list for several public functions.

A function written ``def f(first, **parameters)`` that passes its parameters on to
another gets that other's signature (less the names it sets itself): ``help()``,
``inspect.signature`` and the API docs show every parameter with its type and default,
written once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


def same_parameters(source: Callable[..., Any], *, drop: Iterable[str] = ()) -> Callable[[F], F]:
    """Decorator: the decorated function shows the parameters of ``source`` but ``drop``
    (its return annotation is kept).

    Examples
    --------
    >>> def build(x: int, *, scale: int = 2, internal: bool = False) -> int:
    ...     return x * scale
    >>> @same_parameters(build, drop=["internal"])
    ... def public(x: int, **parameters: int) -> int:
    ...     return build(x, **parameters)
    >>> list(inspect.signature(public).parameters), public(3, scale=5)
    (['x', 'scale'], 15)
    """
    dropped = set(drop)
    shown = inspect.signature(source)

    def decorate(function: F) -> F:
        own = inspect.signature(function)
        function.__signature__ = shown.replace(  # type: ignore[attr-defined]
            parameters=[p for name, p in shown.parameters.items() if name not in dropped],
            return_annotation=own.return_annotation,
        )
        return function

    return decorate
