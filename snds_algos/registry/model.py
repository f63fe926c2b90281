"""The :class:`Algorithm` object and how an algorithm folder is read.

An algorithm folder holds::

    card.yaml          the card (validated against card.schema.json)
    definition.yaml    optional declarative definition (any / all / not tree of criteria)
    codes/*.csv        code lists, columns at least ``code`` and ``label``
    references.bib     the references cited by the card (BibTeX)
    docs.md            the narrative part of the algorithm's docs page
    __init__.py        the code: a ``run(...)`` function

Nothing here imports pandas or PySpark until code lists are read or ``run`` is called.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
import sys
from collections.abc import Callable, Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from snds_algos._yaml import safe_load
from snds_algos.registry.schema import CardError, parse_version, validate_card

#: built-in algorithms live in this package
BUILTIN_PACKAGE = "snds_algos.algorithms"


def read_yaml(path: Path) -> Any:
    """Read a YAML file, naming the file in the error when it does not parse.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.yaml"
    >>> _ = p.write_text("a: 1")
    >>> read_yaml(p)
    {'a': 1}
    """
    try:
        return safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CardError(str(path), [("(file)", f"not valid YAML: {exc}")]) from exc


def read_code_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a code list CSV as dicts of strings (no pandas needed).

    A row with more fields than the header (an unquoted comma in a label) raises
    :class:`CardError` naming the file and the line.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text("code,label\\nE11,Type 2 diabetes\\n")
    >>> read_code_rows(p)
    [{'code': 'E11', 'label': 'Type 2 diabetes'}]
    >>> _ = p.write_text("code,label\\nL97,Ulcer of lower limb, not elsewhere classified\\n")
    >>> read_code_rows(p)
    Traceback (most recent call last):
    ...
    snds_algos.registry.schema.CardError: ...line 2: 3 fields for 2 columns...
    """
    from snds_algos.codelists import CodeListError
    from snds_algos.codelists import read_code_rows as read_rows

    try:
        return read_rows(path, required=())
    except CodeListError as exc:
        raise CardError(exc.path, [(exc.where, exc.problem)]) from exc


def read_code_list(path: Path) -> Any:
    """A code list CSV as a pandas DataFrame of strings (codes keep their leading zeros),
    read by :func:`snds_algos.codelists.read_code_rows` (a missing ``code`` column names
    the file and the columns found).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "c.csv"
    >>> _ = p.write_text("code,label\\n0123,x\\n")
    >>> read_code_list(p)["code"].tolist()
    ['0123']
    """
    import pandas as pd

    from snds_algos.codelists import CodeListError, read_code_rows

    try:
        rows = read_code_rows(path)
    except CodeListError as exc:
        raise CardError(exc.path, [(exc.where, exc.problem)]) from exc
    columns = list(rows[0]) if rows else ["code", "label"]
    return pd.DataFrame(rows, columns=columns, dtype=object).astype(str)


class Algorithm:
    """One version of one registered algorithm.

    Parameters
    ----------
    card:
        The card (validated on construction; :class:`~snds_algos.registry.CardError` if not).
    run:
        The algorithm's function, or ``"module:function"`` imported on first use.
    path:
        The algorithm folder, if it has one (definition, code lists, references, docs).
    source:
        ``"builtin"`` or the name of the entry point that registered it.
    definition, code_lists:
        Given directly for algorithms without a folder (otherwise read from ``path``).

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.registry import example_card
    >>> codes = {"demo": pd.DataFrame({"code": ["E11"], "label": ["Type 2 diabetes"]})}
    >>> algo = Algorithm(example_card("demo"), run=lambda events: events, code_lists=codes)
    >>> algo.id, algo.version, algo.status
    ('demo', '0.1.0', 'draft')
    """

    def __init__(
        self,
        card: Mapping[str, Any],
        run: Callable[..., Any] | str | None = None,
        *,
        path: Path | str | None = None,
        source: str = "builtin",
        definition: Any = None,
        code_lists: Mapping[str, Any] | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        where = str(self.path / "card.yaml") if self.path else f"card given by {source}"
        self.card: dict[str, Any] = validate_card(card, where)
        self.source = source
        self._run = run
        self._definition = definition
        self._code_lists = dict(code_lists) if code_lists is not None else None
        if self.path is None:
            declared = {c["name"] for c in self.card.get("code_lists", [])}
            missing = sorted(declared - set(self._code_lists or {}))
            if missing:
                raise CardError(
                    where,
                    [
                        (
                            "code_lists",
                            f"no folder and no frame given for code list(s) {', '.join(missing)}",
                        )
                    ],
                )
        parse_version(self.version)

    # ------------------------------------------------------------------ summary
    @property
    def id(self) -> str:
        """The algorithm id (same for every version)."""
        return self.card["id"]

    @property
    def version(self) -> str:
        """The semantic version of this algorithm version."""
        return self.card["version"]

    @property
    def status(self) -> str:
        """draft, under review, reviewed, validated or deprecated."""
        return self.card["status"]

    @property
    def title(self) -> str:
        """The human title of the algorithm."""
        return self.card["title"]

    @property
    def kind(self) -> str:
        """What the algorithm computes: ``case`` (the default), ``score`` or ``cohort``."""
        return self.card.get("kind", "case")

    @property
    def key(self) -> str:
        """``id@version``, the key of released fingerprints."""
        return f"{self.id}@{self.version}"

    def __repr__(self) -> str:
        return f"Algorithm({self.id!r}, version={self.version!r}, status={self.status!r}, title={self.title!r})"

    # ------------------------------------------------------------------ content
    @cached_property
    def definition(self) -> Any:
        """The parsed ``definition.yaml`` (``None`` when the algorithm has none)."""
        if self._definition is not None:
            return self._definition
        if self.path and (self.path / "definition.yaml").is_file():
            return read_yaml(self.path / "definition.yaml")
        return None

    @cached_property
    def code_lists(self) -> dict[str, Any]:
        """Code lists by name, as pandas DataFrames of strings (columns ``code``, ``label``...)."""
        if self._code_lists is not None:
            return self._code_lists
        lists: dict[str, Any] = {}
        for meta in self.card.get("code_lists", []):
            if self.path is None:
                raise FileNotFoundError(f"{self.key}: code list {meta['name']} has no folder")
            lists[meta["name"]] = read_code_list(self.path / meta["file"])
        return lists

    def codes(self, name: str) -> list[str]:
        """The codes of one code list, as a list of strings.

        Examples
        --------
        >>> from snds_algos.registry import example_card
        >>> import pandas as pd
        >>> algo = Algorithm(example_card("demo"), run=print,
        ...                  code_lists={"demo": pd.DataFrame({"code": ["E11"], "label": ["x"]})})
        >>> algo.codes("demo")
        ['E11']
        """
        return [str(c) for c in self.code_lists[name]["code"].tolist()]

    @property
    def parameters(self) -> dict[str, Any]:
        """Parameter defaults from the card, by name."""
        return {p["name"]: p["default"] for p in self.card.get("parameters", [])}

    @property
    def run(self) -> Callable[..., Any]:
        """The algorithm's function (imported on first use); its keyword arguments are
        checked against the card's declared parameter types first
        (:func:`check_parameters`)."""
        function = self._function()
        card_parameters = self.card.get("parameters", [])

        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            kwargs = check_parameters(card_parameters, kwargs)
            result = function(*args, **kwargs)
            if any(getattr(a, "results", None) == "pandas" for a in (*args, *kwargs.values())):
                return pandas_results(result)
            return result

        return run

    def _function(self) -> Callable[..., Any]:
        target = self._run
        if callable(target):
            return target
        if isinstance(target, str):
            module_name, _, attr = target.partition(":")
            module = importlib.import_module(module_name)
            self._run = getattr(module, attr or "run")
            return self._run
        if self.path is not None and (self.path / "__init__.py").is_file():
            module = _import_folder(self.path)
            self._run = module.run
            return self._run
        raise AttributeError(f"algorithm {self.key} has no run function")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Same as ``self.run(*args, **kwargs)``."""
        return self.run(*args, **kwargs)


def pandas_results(result: Any) -> Any:
    """``result`` with its frames as pandas DataFrames (a frame, or a dict, list or
    tuple of them; anything else as it is): what an algorithm returns when run on a
    source opened with ``results="pandas"``.

    Examples
    --------
    >>> from snds_algos.backend import duckdb_connection
    >>> out = pandas_results({"cases": duckdb_connection().sql("SELECT 'P1' AS patient_id")})
    >>> type(out["cases"]).__name__, out["cases"]["patient_id"].tolist()
    ('DataFrame', ['P1'])
    """
    from snds_algos.backend import is_duckdb_relation, is_spark_frame, to_pandas

    if isinstance(result, dict):
        return {k: pandas_results(v) for k, v in result.items()}
    if isinstance(result, list | tuple) and not hasattr(result, "_fields"):
        return type(result)(pandas_results(v) for v in result)
    import narwhals as nw

    if (
        isinstance(result, nw.LazyFrame | nw.DataFrame)
        or is_duckdb_relation(result)
        or is_spark_frame(result)
    ):
        return to_pandas(result)
    return result


def _type_problem(kind: str, value: Any) -> str | None:
    """Why ``value`` is not of the card type ``kind`` (``None``: it is)."""
    if value is None:
        return None
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return f"expected an integer, got {value!r}"
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        return f"expected a number, got {value!r}"
    if kind == "boolean" and not isinstance(value, bool):
        return f"expected true or false, got {value!r}"
    if kind == "string" and not isinstance(value, str):
        return f"expected a string, got {value!r}"
    if kind == "list" and (
        isinstance(value, str | bytes) or not isinstance(value, list | tuple | set | frozenset)
    ):
        shown = f"the string {value!r}" if isinstance(value, str) else repr(value)
        return f"expected a list (e.g. [{value!r}]), got {shown}"
    if kind == "date":
        import datetime as dt

        if isinstance(value, str):
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                return f"expected a date YYYY-MM-DD, got {value!r}"
        elif not isinstance(value, dt.date):
            return f"expected a date, got {value!r}"
    return None


def check_parameters(declared: list[dict[str, Any]], values: dict[str, Any]) -> dict[str, Any]:
    """Check keyword arguments against the card's parameters (``name``, ``type``).

    ``year`` is converted from what a user types (``"2020"``); a value of the wrong type
    (a string where a list is declared, ...) raises
    :class:`~snds_algos.errors.ParameterError` naming the parameter. Arguments the card
    does not declare are left to the algorithm. Returns the (converted) arguments.

    Examples
    --------
    >>> card = [{"name": "year", "type": "integer"}, {"name": "ald_natures", "type": "list"}]
    >>> check_parameters(card, {"year": "2020", "ald_natures": ["41"]})
    {'year': 2020, 'ald_natures': ['41']}
    >>> check_parameters(card, {"ald_natures": "41"})
    Traceback (most recent call last):
    ...
    snds_algos.errors.ParameterError: parameter ald_natures: expected a list (e.g. ['41']), got the string '41'
    """
    from snds_algos.errors import ParameterError

    out = dict(values)
    types = {p["name"]: p.get("type") for p in declared}
    if out.get("year") is not None and "year" in types:
        from snds_algos.parameters import reference_year

        out["year"] = reference_year(out["year"])
    for name, value in out.items():
        kind = types.get(name)
        problem = _type_problem(kind, value) if kind else None
        if problem:
            raise ParameterError(name, problem)
    return out


def _module_name(folder: Path) -> str | None:
    """The dotted module name of a package folder, if its top package imports from there.

    Works for packages on ``sys.path`` and for editable installs (import hooks), so that a
    built-in algorithm is always imported as ``snds_algos.algorithms.<id>``.
    """
    folder = folder.resolve()
    parts = [folder.name]
    top = folder
    while (top.parent / "__init__.py").is_file():
        top = top.parent
        parts.insert(0, top.name)
    if not all(re.fullmatch(r"[A-Za-z_]\w*", p) for p in parts):
        return None
    try:
        spec = importlib.util.find_spec(parts[0])
    except (ImportError, ValueError):
        return None
    locations = list(spec.submodule_search_locations or []) if spec else []
    if any(Path(p).resolve() == top for p in locations):
        return ".".join(parts)
    return None


def _import_folder(folder: Path) -> Any:
    name = _module_name(folder)
    if name:
        return importlib.import_module(name)
    # a folder outside sys.path (a scaffold in a temporary directory, a test tree)
    digest = abs(hash(str(folder.resolve())))
    name = f"_snds_algos_folder_{folder.name}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None:  # pragma: no cover
        raise ImportError(f"cannot import {folder}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_folder(path: Path | str, *, source: str = "builtin") -> Algorithm:
    """Read an algorithm folder (its ``card.yaml``) into an :class:`Algorithm`.

    The code (``__init__.py``) is imported only when ``run`` is first used.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from snds_algos.registry import new_algorithm
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> folder = new_algorithm("demo_condition", root=root)["folder"]
    >>> load_folder(folder).id
    'demo_condition'
    """
    folder = Path(path)
    card_file = folder / "card.yaml"
    if not card_file.is_file():
        raise CardError(str(card_file), [("(file)", "the algorithm folder has no card.yaml")])
    card = read_yaml(card_file)
    return Algorithm(card, path=folder, source=source)


def version_folder_name(version: str) -> str:
    """Folder name of a kept earlier version: ``1.0.0`` -> ``v1_0_0``.

    Examples
    --------
    >>> version_folder_name("1.2.0-rc.1")
    'v1_2_0_rc_1'
    """
    return "v" + re.sub(r"[^0-9A-Za-z]", "_", version)
