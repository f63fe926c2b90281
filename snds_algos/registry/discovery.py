"""Finding algorithms: built-in folders and the ``snds_algos.algorithms`` entry point group.

Built-in algorithms are folders of :mod:`snds_algos.algorithms`: ``<id>/`` holds the
current version; earlier released versions kept for reproducibility live in
``<id>/versions/v<MAJOR>_<MINOR>_<PATCH>/`` (same layout, their own ``card.yaml`` and
code).

Another package registers algorithms with an entry point::

    [project.entry-points."snds_algos.algorithms"]
    my_package = "my_package.algorithms:register"

``register()`` returns an :class:`~snds_algos.registry.Algorithm`, a folder path, or a
list of them.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from snds_algos.errors import SndsAlgosError
from snds_algos.registry.model import Algorithm, load_folder
from snds_algos.registry.schema import CardError, parse_version

#: the entry point group other packages use to register algorithms
ENTRY_POINT_GROUP = "snds_algos.algorithms"


#: the card schema's id pattern, matched in full (ids are used as folder names)
_ID = re.compile(r"[a-z][a-z0-9_]{1,48}")


class RegistryWarning(UserWarning):
    """An entry point could not register its algorithms (the others still load)."""


class UnknownAlgorithmError(SndsAlgosError, KeyError):
    """No registered algorithm has this id (or this version)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def builtin_root() -> Path:
    """The folder of the built-in algorithms (``snds_algos/algorithms``).

    Examples
    --------
    >>> builtin_root().name
    'algorithms'
    """
    return Path(__file__).resolve().parent.parent / "algorithms"


def algorithm_folders(root: Path | str) -> list[Path]:
    """Every algorithm folder under ``root``: ``<id>/`` and ``<id>/versions/v*/``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> algorithm_folders(pathlib.Path(tempfile.mkdtemp()))
    []
    """
    root = Path(root)
    found: list[Path] = []
    if not root.is_dir():
        return found
    for child in sorted(p for p in root.iterdir() if p.is_dir()):
        if child.name.startswith(("_", ".")):
            continue
        if (child / "card.yaml").is_file():
            found.append(child)
        versions = child / "versions"
        if versions.is_dir():
            found.extend(sorted(v for v in versions.iterdir() if (v / "card.yaml").is_file()))
    return found


@dataclass
class Registry:
    """Registered algorithms, plus the problems met while finding them."""

    items: list[Algorithm] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)

    def add(self, algo: Algorithm) -> None:
        """Add one algorithm; a second ``id@version`` is a problem and is not added."""
        for other in self.items:
            if other.key == algo.key:
                self.problems.append(
                    (
                        algo.key,
                        f"registered twice ({other.source} and {algo.source}); kept {other.source}",
                    )
                )
                return
        self.items.append(algo)

    def sorted(self) -> list[Algorithm]:
        """Algorithms sorted by id, then version (oldest first)."""
        return sorted(self.items, key=lambda a: (a.id, parse_version(a.version)))

    def get(self, algorithm_id: str, version: str | None = None) -> Algorithm:
        """The given version of an algorithm, or its latest version."""
        versions = [a for a in self.items if a.id == algorithm_id]
        if not versions and (not isinstance(algorithm_id, str) or not _ID.fullmatch(algorithm_id)):
            raise UnknownAlgorithmError(
                f"invalid algorithm id {algorithm_id!r}: lower-case letters, digits and "
                "underscores, starting with a letter (see `snds-algos list`)"
            )
        if not versions:
            known = ", ".join(sorted({a.id for a in self.items})) or "none"
            raise UnknownAlgorithmError(f"no algorithm {algorithm_id!r}; registered: {known}")
        if version is None:
            return max(versions, key=lambda a: parse_version(a.version))
        for algo in versions:
            if algo.version == version:
                return algo
        have = ", ".join(
            a.version for a in sorted(versions, key=lambda a: parse_version(a.version))
        )
        raise UnknownAlgorithmError(f"{algorithm_id} has no version {version!r}; versions: {have}")


def _as_items(result: Any) -> Iterable[Any]:
    if isinstance(result, Algorithm | str | Path):
        return [result]
    return list(result)


def load_entry_points(registry: Registry, group: str = ENTRY_POINT_GROUP) -> None:
    """Add the algorithms of every installed entry point of ``group`` to ``registry``.

    A failing entry point is reported (problem + :class:`RegistryWarning`), not fatal.
    """
    from importlib.metadata import entry_points

    for ep in entry_points(group=group):
        source = f"entry point {ep.name} ({ep.value})"
        try:
            target = ep.load()
            items = _as_items(target() if callable(target) else target)
        except Exception as exc:  # a broken plug-in must not hide the others
            _plugin_problem(registry, source, exc)
            continue
        for item in items:  # one bad algorithm must not hide its siblings
            try:
                if isinstance(item, Algorithm):
                    if item.source == "builtin":
                        item.source = source
                    registry.add(item)
                else:
                    registry.add(load_folder(Path(item), source=source))
            except Exception as exc:
                _plugin_problem(registry, source, exc)


def _plugin_problem(registry: Registry, source: str, exc: Exception) -> None:
    message = f"{source} failed: {type(exc).__name__}: {exc}"
    registry.problems.append((source, message))
    warnings.warn(message, RegistryWarning, stacklevel=3)


def discover(
    root: Path | str | None = None,
    *,
    entry_points: bool = True,
    strict: bool = True,
) -> Registry:
    """Find the algorithms of a folder of algorithm folders and of the entry points.

    With ``strict=True`` an invalid built-in card raises :class:`CardError`; with
    ``strict=False`` it is recorded in ``Registry.problems`` (what ``snds-algos check``
    uses to report every problem at once).

    Examples
    --------
    >>> import tempfile
    >>> discover(tempfile.mkdtemp(), entry_points=False).items
    []
    """
    registry = Registry()
    for folder in algorithm_folders(builtin_root() if root is None else root):
        try:
            registry.add(load_folder(folder))
        except CardError as exc:
            if strict:
                raise
            registry.problems.extend((exc.source, f"{f}: {m}") for f, m in exc.problems)
    if entry_points:
        load_entry_points(registry)
    return registry


_CACHE: dict[str, Registry] = {}


def default_registry() -> Registry:
    """The registry of built-in and entry-point algorithms (read once, then cached)."""
    if "default" not in _CACHE:
        _CACHE["default"] = discover()
    return _CACHE["default"]


def refresh() -> None:
    """Forget the cached registry (after installing a package or adding a folder).

    Examples
    --------
    >>> refresh()
    """
    _CACHE.clear()


def algorithms() -> list[Algorithm]:
    """Every registered algorithm version, sorted by id then version.

    Each item has ``id``, ``version``, ``status`` and ``title`` (and the full card).

    Examples
    --------
    >>> import snds_algos
    >>> all(hasattr(a, "status") for a in snds_algos.algorithms())
    True
    """
    return default_registry().sorted()


def get(algorithm_id: str, version: str | None = None) -> Algorithm:
    """One registered algorithm: the given ``version``, or the latest one.

    Raises :class:`UnknownAlgorithmError` (a ``KeyError``) naming what is registered.

    Examples
    --------
    >>> import snds_algos
    >>> try:
    ...     snds_algos.get("no_such_algorithm")
    ... except KeyError as err:
    ...     print(str(err).split(";")[0])
    no algorithm 'no_such_algorithm'
    """
    return default_registry().get(algorithm_id, version)
