"""``snds-algos new-algorithm NAME``: the folder of a new algorithm, ready to fill in.

It writes, under a source checkout (``root``)::

    snds_algos/algorithms/NAME/__init__.py     run(), written once on narwhals
    snds_algos/algorithms/NAME/card.yaml       the card, status draft
    snds_algos/algorithms/NAME/definition.yaml the definition as a criteria tree
    snds_algos/algorithms/NAME/codes/NAME.csv  a code list (code, label)
    snds_algos/algorithms/NAME/references.bib  references (BibTeX)
    snds_algos/algorithms/NAME/docs.md         the narrative part of the docs page
    tests/algorithms/test_NAME.py              spec tests on every backend

The generated algorithm works as is (patients with enough events whose code is in the
code list over a period) and its tests pass on pandas, DuckDB and Spark; replace the example
codes, definition and tests with the real ones.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from snds_algos._yaml import safe_load
from snds_algos.errors import InvalidNameError, SndsAlgosError

#: an algorithm id (the card schema's pattern), matched in full: no path separators,
#: no "..", no trailing newline
_NAME = re.compile(r"[a-z][a-z0-9_]{1,48}")
#: a semantic version MAJOR.MINOR.PATCH[-pre-release], matched in full
_VERSION = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?")


class ScaffoldError(SndsAlgosError, ValueError):
    """The algorithm name is invalid or its folder already exists."""


class InvalidAlgorithmNameError(ScaffoldError, InvalidNameError):
    """An algorithm id or version used as a path does not match its full pattern."""


def check_algorithm_id(name: str) -> str:
    """``name`` if it is a valid algorithm id (full match of ``[a-z][a-z0-9_]{1,48}``).

    Anything else (``../x``, ``x\\n``, upper case) raises :class:`InvalidAlgorithmNameError`.

    Examples
    --------
    >>> check_algorithm_id("heart_failure")
    'heart_failure'
    >>> check_algorithm_id("../../x")
    Traceback (most recent call last):
    ...
    snds_algos.registry.scaffold.InvalidAlgorithmNameError: invalid algorithm name '../../x': ...
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise InvalidAlgorithmNameError(
            f"invalid algorithm name {name!r}: 2 to 49 lower-case letters, digits and "
            "underscores, starting with a letter (e.g. heart_failure)"
        )
    return name


def check_version(version: str) -> str:
    """``version`` if it is a semantic version (full match), else
    :class:`InvalidAlgorithmNameError`.

    Examples
    --------
    >>> check_version("1.1.0")
    '1.1.0'
    """
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise InvalidAlgorithmNameError(
            f"invalid version {version!r}: a semantic version MAJOR.MINOR.PATCH (e.g. 1.1.0)"
        )
    return version


def _inside(path: Path, root: Path) -> Path:
    """``path`` resolved, refused unless it lies inside ``root`` (resolved)."""
    resolved, base = path.resolve(), root.resolve()
    if resolved != base and base not in resolved.parents:
        raise InvalidAlgorithmNameError(f"{path} resolves outside {base}: refused")
    return resolved


def example_card(algorithm_id: str, title: str | None = None) -> dict[str, Any]:
    """A valid draft card for a new algorithm (what the scaffold writes).

    Examples
    --------
    >>> example_card("demo")["status"]
    'draft'
    """
    title = title or algorithm_id.replace("_", " ").capitalize()
    today = dt.date.today().isoformat()
    return {
        "id": algorithm_id,
        "title": title,
        "version": "0.1.0",
        "status": "draft",
        "authors": [{"name": "Your Name", "affiliation": "Your institution"}],
        "reviewers": [],
        "funding": [],
        "domain": "to state (e.g. endocrinology)",
        "keywords": [],
        "description": (
            f"{title}: patients with at least `min_events` events whose code is in the "
            "code list during the study period. Replace with what the algorithm is for."
        ),
        "definition": (
            "A patient is a case when, between `start` and `end`, at least `min_events` "
            f"events have a code starting with one of the codes of the `{algorithm_id}` code list."
        ),
        "outputs": "One row per case: patient_id, n_events (matching events), first_date (first matching event).",
        "data": [
            {
                "table": "events",
                "columns": ["patient_id", "value", "start"],
                "note": "the events layer (one row per dated fact)",
            }
        ],
        "parameters": [
            {
                "name": "start",
                "type": "date",
                "default": None,
                "description": "first day of the study period (None: no limit)",
            },
            {
                "name": "end",
                "type": "date",
                "default": None,
                "description": "last day of the study period (None: no limit)",
            },
            {
                "name": "min_events",
                "type": "integer",
                "default": 1,
                "description": "minimum number of matching events",
            },
        ],
        "code_lists": [
            {
                "name": algorithm_id,
                "file": f"codes/{algorithm_id}.csv",
                "system": "CIM-10",
                "vintage": "CIM-10 ATIH 2024 (example: replace)",
                "match": "prefix",
                "description": "example codes: replace with the reviewed code list",
            }
        ],
        "references": [],
        "validation": [],
        "limits": [
            "Example algorithm generated by `snds-algos new-algorithm`: not a real definition yet."
        ],
        "history": [
            {"version": "0.1.0", "date": today, "status": "draft", "changes": "first draft"}
        ],
    }


def example_algorithm(algorithm_id: str = "demo") -> Any:
    """An in-memory :class:`~snds_algos.registry.Algorithm` with the example card (for examples and tests).

    Examples
    --------
    >>> example_algorithm().codes("demo")
    ['E10', 'E11']
    """
    import pandas as pd

    from snds_algos.registry.model import Algorithm

    codes = pd.DataFrame({"code": ["E10", "E11"], "label": ["example", "example"]})
    return Algorithm(
        example_card(algorithm_id),
        run=lambda events, **kwargs: events,
        source="example",
        code_lists={algorithm_id: codes},
    )


_INIT = '''"""{title} (``{id}``): see ``card.yaml`` and the docs page.

Written once on narwhals through :mod:`snds_algos.backend`: pandas in, pandas out; Spark
in, lazy Spark out.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import narwhals as nw

from snds_algos.backend import date_literal, lazy, matches_codes, to_native
from snds_algos.registry import read_code_rows

FOLDER = Path(__file__).resolve().parent


def codes() -> list[str]:
    """The codes of the ``{id}`` code list.

    Examples
    --------
    >>> len(codes()) > 0
    True
    """
    return [row["code"] for row in read_code_rows(FOLDER / "codes" / "{id}.csv")]


def run(
    events: Any,
    *,
    start: dt.date | str | None = None,
    end: dt.date | str | None = None,
    min_events: int = 1,
) -> Any:
    """Patients with at least ``min_events`` events whose ``value`` is in the code list.

    Parameters
    ----------
    events:
        The events table (pandas or Spark): ``patient_id``, ``value`` (a code), ``start`` (a date).
    start, end:
        The study period (inclusive); ``None`` leaves that side open.
    min_events:
        Minimum number of matching events.

    Returns
    -------
    One row per case: ``patient_id``, ``n_events``, ``first_date``; same backend as ``events``.

    Examples
    --------
    >>> import pandas as pd
    >>> from snds_algos.contracts.dtypes import date_series
    >>> events = pd.DataFrame({{"patient_id": ["p1"], "value": [codes()[0]],
    ...                        "start": date_series(["2020-01-01"])}})
    >>> run(events)["patient_id"].tolist()
    ['p1']
    """
    frame = lazy(events).filter(matches_codes("value", codes(), how="prefix"))
    if start is not None:
        frame = frame.filter(nw.col("start") >= date_literal(start))
    if end is not None:
        frame = frame.filter(nw.col("start") <= date_literal(end))
    cases = (
        frame.group_by("patient_id")
        .agg(
            nw.col("value").count().alias("n_events"),
            nw.col("start").min().alias("first_date"),
        )
        .filter(nw.col("n_events") >= min_events)
        .sort("patient_id")
    )
    return to_native(cases)
'''

_DEFINITION = """# Declarative definition of {id}: a tree of named criteria (any / all / not).
# Rendered on the docs page; part of the release fingerprint.
criteria:
  coded_event:
    label: at least min_events events with a code of the code list, between start and end
    source: events
    codes: {id}
    min_events: 1
rule:
  any:
    - coded_event
"""

_CODES = """code,label
E10,Example code (type 1 diabetes): replace with the reviewed code list
E11,Example code (type 2 diabetes): replace with the reviewed code list
"""

_BIB = """% References of {id}: cite them by key in card.yaml (references, validation[].reference).
% @article{{key2024,
%   author = {{Last, First and Other, Second}},
%   title = {{Title}},
%   journal = {{Journal}},
%   year = {{2024}},
%   doi = {{10.xxxx/xxxxx}}
% }}
"""

_DOCS = """## What it is for

Say in a few sentences which question this algorithm answers, for which population,
and when to prefer it to another algorithm of the catalogue.

## How to use it

```python
import snds_algos

algo = snds_algos.get("{id}")
cases = algo.run(events, start="2020-01-01", end="2020-12-31", min_events=2)
```

`events` is the events table (pandas or Spark); the result has the same backend.
"""

_TEST = '''"""Spec tests of the ``{id}`` algorithm, on pandas, DuckDB and Spark (``backend`` fixture)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

import snds_algos
from snds_algos.contracts.dtypes import date_series
from tests.helpers import rows

ALGORITHM_ID = "{id}"


def events() -> pd.DataFrame:
    """Hand-made events: p1 two matching events, p2 one, p3 a non-matching code, p4 no code."""
    return pd.DataFrame(
        {{
            "patient_id": pd.array(["p1", "p1", "p2", "p3", "p4"], dtype="string[pyarrow]"),
            "value": pd.array(["E119", "E110", "E101", "I10", None], dtype="string[pyarrow]"),
            "start": date_series(["2020-03-01", "2020-01-15", "2021-06-01", "2020-02-01", "2020-02-01"]),
        }}
    )


def test_registered_with_a_valid_card() -> None:
    algo = snds_algos.get(ALGORITHM_ID)
    assert algo.id == ALGORITHM_ID
    assert set(algo.code_lists) == {{c["name"] for c in algo.card["code_lists"]}}


def test_cases(backend) -> None:
    result = snds_algos.get(ALGORITHM_ID).run(backend.frame(events()))
    assert rows(result, ["patient_id"]) == [
        {{"patient_id": "p1", "n_events": 2, "first_date": dt.date(2020, 1, 15)}},
        {{"patient_id": "p2", "n_events": 1, "first_date": dt.date(2021, 6, 1)}},
    ]


def test_min_events_and_period(backend) -> None:
    algo = snds_algos.get(ALGORITHM_ID)
    result = algo.run(backend.frame(events()), min_events=2)
    assert [r["patient_id"] for r in rows(result, ["patient_id"])] == ["p1"]
    result = algo.run(backend.frame(events()), start="2020-02-01", end="2020-12-31")
    assert rows(result, ["patient_id"]) == [
        {{"patient_id": "p1", "n_events": 1, "first_date": dt.date(2020, 3, 1)}}
    ]


def test_same_backend_out(backend) -> None:
    result = snds_algos.get(ALGORITHM_ID).run(backend.frame(events()))
    assert isinstance(result, pd.DataFrame) == (backend.name == "pandas")
'''


def source_root(start: Path | str | None = None) -> Path:
    """The source checkout to scaffold into: ``start`` when given, else the current directory.

    Without ``start`` the current directory must hold ``snds_algos/`` (the root of a clone),
    so that nothing is ever written into an installed package.

    Examples
    --------
    >>> import tempfile
    >>> source_root(tempfile.gettempdir()).is_dir()
    True
    """
    if start is not None:
        return Path(start)
    here = Path.cwd()
    if not (here / "snds_algos" / "__init__.py").is_file():
        raise ScaffoldError(
            f"{here} is not the root of a snds-algos checkout (no snds_algos/ here): "
            "run the command from your clone, or pass --dir"
        )
    return here


def new_algorithm(
    name: str, root: Path | str | None = None, title: str | None = None
) -> dict[str, Path]:
    """Write the folder and tests of a new algorithm ``name`` under the checkout ``root``.

    Returns the paths written: ``folder`` (the algorithm folder) and ``tests`` (its test file).

    Examples
    --------
    >>> import tempfile
    >>> paths = new_algorithm("demo_condition", root=tempfile.mkdtemp())
    >>> sorted(p.name for p in paths["folder"].iterdir())
    ['__init__.py', 'card.yaml', 'codes', 'definition.yaml', 'docs.md', 'references.bib']
    """
    check_algorithm_id(name)
    base = source_root(root)
    folder = _inside(base / "snds_algos" / "algorithms" / name, base / "snds_algos" / "algorithms")
    tests = _inside(base / "tests" / "algorithms" / f"test_{name}.py", base / "tests")
    for path in (folder, tests):
        if path.exists():
            raise ScaffoldError(f"{path} already exists")
    card = example_card(name, title)
    (folder / "codes").mkdir(parents=True)
    values = {"id": name, "title": card["title"]}
    (folder / "__init__.py").write_text(_INIT.format(**values), encoding="utf-8")
    header = (
        f"# Card of {name}: see CONTRIBUTING.md and snds_algos/registry/card.schema.json.\n"
        "# Validated by `snds-algos check`; the docs page is generated from it.\n"
    )
    body = yaml.safe_dump(card, sort_keys=False, allow_unicode=True, width=100)
    (folder / "card.yaml").write_text(header + body, encoding="utf-8")
    (folder / "definition.yaml").write_text(_DEFINITION.format(**values), encoding="utf-8")
    (folder / "codes" / f"{name}.csv").write_text(_CODES, encoding="utf-8")
    (folder / "references.bib").write_text(_BIB.format(**values), encoding="utf-8")
    (folder / "docs.md").write_text(_DOCS.format(**values), encoding="utf-8")
    for package in (base / "snds_algos" / "algorithms",):
        init = package / "__init__.py"
        if not init.exists():
            init.write_text('"""Built-in algorithms, one folder each."""\n', encoding="utf-8")
    tests.parent.mkdir(parents=True, exist_ok=True)
    tests_init = tests.parent / "__init__.py"
    if not tests_init.exists() and (base / "tests" / "__init__.py").exists():
        tests_init.write_text("", encoding="utf-8")
    tests.write_text(_TEST.format(**values), encoding="utf-8")
    return {"folder": folder, "tests": tests}


def new_version(
    algorithm_id: str,
    version: str,
    root: Path | str | None = None,
    changes: str = "describe the change",
) -> dict[str, Path]:
    """Keep the current version of a built-in algorithm and start ``version`` in its place.

    Copies ``snds_algos/algorithms/<id>/`` (without ``versions/``) to
    ``snds_algos/algorithms/<id>/versions/v<current>/``, so that the current version stays
    runnable and its fingerprint unchanged; then sets the card of the main folder to
    ``version``, status ``draft``, with a new history entry.

    Returns ``kept`` (the copy) and ``card`` (the card of the new version).

    Examples
    --------
    >>> import tempfile
    >>> root = tempfile.mkdtemp()
    >>> _ = new_algorithm("demo_condition", root=root)
    >>> new_version("demo_condition", "0.2.0", root=root)["kept"].name
    'v0_1_0'
    """
    import shutil

    from snds_algos.registry.model import load_folder, version_folder_name
    from snds_algos.registry.schema import parse_version

    check_algorithm_id(algorithm_id)
    check_version(version)
    base = source_root(root)
    algorithms = base / "snds_algos" / "algorithms"
    folder = _inside(algorithms / algorithm_id, algorithms)
    if not (folder / "card.yaml").is_file():
        raise ScaffoldError(f"no algorithm folder {folder}")
    current = load_folder(folder)
    try:
        newer = parse_version(version) > parse_version(current.version)
    except ValueError as exc:
        raise ScaffoldError(str(exc)) from exc
    if not newer:
        raise ScaffoldError(f"{version} is not above the current version {current.version}")
    versions = folder / "versions"
    kept = _inside(versions / version_folder_name(current.version), folder)
    if kept.exists():
        raise ScaffoldError(f"{kept} already exists")
    versions.mkdir(exist_ok=True)
    init = versions / "__init__.py"
    if not init.exists():
        init.write_text(
            f'"""Earlier released versions of {algorithm_id}, kept runnable."""\n', "utf-8"
        )
    shutil.copytree(folder, kept, ignore=shutil.ignore_patterns("versions", "__pycache__", "*.pyc"))
    text = (folder / "card.yaml").read_text(encoding="utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    card = safe_load(text)
    card["version"] = version
    card["status"] = "draft"
    card["reviewers"] = []
    card.setdefault("history", []).append(
        {
            "version": version,
            "date": dt.date.today().isoformat(),
            "status": "draft",
            "changes": changes,
        }
    )
    body = yaml.safe_dump(card, sort_keys=False, allow_unicode=True, width=100)
    (folder / "card.yaml").write_text(header + body, encoding="utf-8")
    return {"kept": kept, "card": folder / "card.yaml"}
