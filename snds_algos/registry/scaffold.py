"""``snds-algos new-algorithm NAME``: the folder of a new algorithm, ready to fill in.

By default it writes the algorithm the way built-in ones are written, a case definition
as data run by the engine (see the docs page "Writing a definition")::

    snds_algos/algorithms/NAME/__init__.py      three lines: definition_functions(__name__)
    snds_algos/algorithms/NAME/definition.yaml  one criterion of each common kind (ALD,
                                                hospital diagnosis, drug dispensing)
    snds_algos/algorithms/NAME/card.yaml        the card (draft); its data, parameters and
                                                code lists derived from the definition
    snds_algos/algorithms/NAME/codes/*.csv      example code lists (code, label)
    snds_algos/algorithms/NAME/references.bib   references (BibTeX)
    snds_algos/algorithms/NAME/docs.md          the narrative part of the docs page
    tests/algorithms/test_NAME.py               spec tests: an events builder and one test
                                                per criterion at its boundaries

``--from EXISTING`` copies the definition, code lists, references and page of an
algorithm of the checkout under the new id (a draft 0.1.0) and writes spec tests for its
criteria; ``--hand-coded`` writes instead a ``run()`` written on narwhals, for an
algorithm that needs code. Either way the result works as generated: its tests pass on
pandas, DuckDB and Spark, ``snds-algos check`` passes and its page builds.
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

Written once on narwhals through :mod:`snds_algos.backend`: pandas in, pandas out; DuckDB
in, lazy relation out; Spark in, lazy Spark out.
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
        The events table (pandas, DuckDB or Spark): ``patient_id``, ``value`` (a code), ``start`` (a date).
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

_DEFINITION = """# Description of the hand-coded algorithm {id} (its code is run() in __init__.py): named
# steps combined under `rule:` (any / all / not), rendered on the docs page and part of
# the release fingerprint. Not read by the case-definition engine (an engine definition
# has `case:` instead: see the docs page "Writing a definition").
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

`events` is the events table (pandas, DuckDB or Spark); the result has the same backend.
"""

_TEST = '''"""Spec tests of the hand-coded ``{id}`` algorithm, on pandas, DuckDB and Spark (``backend`` fixture)."""

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


_ENGINE_INIT = '''"""{title} (``{id}``), a case definition run by the engine: see ``definition.yaml``
for the definition and ``card.yaml`` for it in words, its sources and limits.

Examples
--------
>>> sorted(definition().enabled())
{enabled}
"""

from __future__ import annotations

from snds_algos.cases.packaged import definition_functions

ALGORITHM_ID = "{id}"
definition, extract_events, run = definition_functions(__name__)
'''

_ENGINE_DEFINITION = """# Case definition of {id}, in the definition language: the docs page "Writing a
# definition" lists every field, its type and default, and the event columns each kind
# of criterion reads. Checked by `snds-algos check`; part of the release fingerprint.
# EXAMPLE criteria and codes: replace them with the real definition.
id: {id}
parameters:
  ald_natures:
    default: ['41', '43', '45']
    target: ald.natures
    description: exemption natures (IMB_ETM_NAT) that count; null accepts every nature
  min_drug_dates:
    default: 3
    target: drugs.min_dates
    description: distinct dispensing dates needed in year N
criteria:
  ald:
    label: >-
      long-term illness (ALD) for a code of {id}_icd10, with nature 41, 43 or 45, active
      during year N
    events: ald
    codes: {id}_icd10
    natures: ['41', '43', '45']
    active_in_year: 0
  hospital:
    label: >-
      MCO stay ending in year N or N-1 with a principal or related diagnosis (stay or unit)
      of {id}_icd10
    events: hospital_diagnosis
    codes: {id}_icd10
    positions: [DP, DR]
    levels: [stay, unit]
    years: [0, -1]
  drugs:
    label: >-
      drugs of {id}_atc dispensed on at least 3 distinct dates of year N (2 when one is a
      large pack)
    events: drug_dispensing
    codes: {id}_atc
    years: [0]
    min_dates: 3
    min_dates_with_large_pack: 2
case:
  any: [ald, hospital, drugs]
"""

_ENGINE_CODES = {
    "icd10": (
        "CIM-10",
        "CIM-10 ATIH 2024 (example: replace)",
        "code,label\nE10,Example code (type 1 diabetes): replace with the reviewed code list\n"
        "E11,Example code (type 2 diabetes): replace with the reviewed code list\n",
    ),
    "atc": (
        "ATC",
        "ATC WHO 2024 (example: replace)",
        "code,label\nA10,Example code (drugs used in diabetes): replace with the reviewed code "
        "list\n",
    ),
}

_ENGINE_DOCS = """## What it is for

Say in a few sentences which question this algorithm answers, for which population,
and when to prefer it to another algorithm of the catalogue.

## How to use it

```python
import snds_algos

algo = snds_algos.get("{id}")
cases = algo.run("path/to/extract", year=2020)  # raw tables: extracted for year N
cases = algo.run(events=events, year=2020)      # or precomputed events
```

The result has one row per person: `patient_id`, `year`, a flag and a date per
criterion, and `case`; it is a frame of the backend of the input (pandas, DuckDB or
Spark).
"""

#: the table every definition algorithm reads for the identity of persons
_IDENTITY = {
    "table": "IR_BEN_R",
    "columns": ["BEN_NIR_PSA", "BEN_RNG_GEM", "BEN_IDT_ANO"],
    "note": "patient identity",
}

#: card parameter type of a definition field type
_CARD_TYPES = {
    "integer": "integer",
    "integers": "list",
    "strings": "list",
    "choices": "list",
    "boolean": "boolean",
    "string": "string",
    "code_list": "code_list",
    "choice": "string",
}


def definition_card(
    algorithm_id: str,
    doc: dict[str, Any],
    code_lists: list[dict[str, Any]],
    title: str | None = None,
) -> dict[str, Any]:
    """A valid draft card for the case definition ``doc``: its ``data`` (the tables and
    columns each event kind reads), ``parameters`` (``year`` and the definition's, with
    their defaults) and ``code_lists`` (the card entries given) derived from it.

    Examples
    --------
    >>> doc = {"id": "demo", "case": "ald", "criteria": {"ald": {"events": "ald", "codes": "c"}}}
    >>> card = definition_card("demo", doc, [])
    >>> [d["table"] for d in card["data"]], [p["name"] for p in card["parameters"]]
    (['IR_IMB_R', 'IR_BEN_R'], ['year'])
    """
    from snds_algos.cases.schema import definition_schema

    schema = definition_schema()
    card = example_card(algorithm_id, title)
    title = card["title"]
    data: dict[str, list[str]] = {}
    for crit in doc["criteria"].values():
        for table, columns in schema["kinds"][crit["events"]]["tables"].items():
            data.setdefault(table, [])
            data[table] += [c for c in columns if c not in data[table]]
    card["data"] = [{"table": t, "columns": c} for t, c in data.items()] + [dict(_IDENTITY)]
    params: list[dict[str, Any]] = [
        {
            "name": "year",
            "type": "integer",
            "default": None,
            "description": "reference year N (required)",
        }
    ]
    for name, param in (doc.get("parameters") or {}).items():
        target = param["target"] if isinstance(param["target"], str) else param["target"][0]
        kind = schema["criterion"][target.split(".", 1)[1]]["type"]
        params.append(
            {
                "name": name,
                "type": _CARD_TYPES.get(kind, "string"),
                "default": param.get("default"),
                "description": param.get("description") or f"sets {target}",
            }
        )
    card["parameters"] = params
    card["code_lists"] = code_lists
    labels = "; ".join(
        f"({i}) {name}: {' '.join(str(crit.get('label') or crit['events']).split())}"
        for i, (name, crit) in enumerate(doc["criteria"].items(), start=1)
    )
    card["description"] = (
        f"{title}: identifies, for a reference year N, the persons who meet the case "
        "definition of definition.yaml. Replace with what the algorithm is for."
    )
    card["definition"] = (
        f"A person is a case for year N when the logic `case` of definition.yaml holds over "
        f"its criteria: {labels}."
    )
    card["outputs"] = (
        "One row per person meeting at least one enabled criterion: patient_id, year, for "
        "each enabled criterion a flag and the date it is first met, and case. Sorted by "
        "patient_id."
    )
    card["limits"] = [
        "Generated by `snds-algos new-algorithm`: example criteria and codes, not a real "
        "definition yet."
    ]
    return card


def _write_yaml(path: Path, header: str, data: dict[str, Any]) -> None:
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(header + body, encoding="utf-8")


def _card_header(name: str) -> str:
    return (
        f"# Card of {name}: see CONTRIBUTING.md and snds_algos/registry/card.schema.json.\n"
        "# Validated by `snds-algos check` (also against definition.yaml); the docs page is\n"
        "# generated from it.\n"
    )


def _engine_files(name: str, folder: Path, title: str | None) -> dict[str, Any]:
    """Write the engine scaffold of ``name`` into ``folder``; return the definition."""
    (folder / "definition.yaml").write_text(_ENGINE_DEFINITION.format(id=name), encoding="utf-8")
    lists = []
    for suffix, (system, vintage, text) in _ENGINE_CODES.items():
        (folder / "codes" / f"{name}_{suffix}.csv").write_text(text, encoding="utf-8")
        lists.append(
            {
                "name": f"{name}_{suffix}",
                "file": f"codes/{name}_{suffix}.csv",
                "system": system,
                "vintage": vintage,
                "match": "prefix",
                "description": "example codes: replace with the reviewed code list",
            }
        )
    doc = safe_load((folder / "definition.yaml").read_text(encoding="utf-8"))
    _write_yaml(folder / "card.yaml", _card_header(name), definition_card(name, doc, lists, title))
    (folder / "docs.md").write_text(_ENGINE_DOCS.format(id=name), encoding="utf-8")
    (folder / "references.bib").write_text(_BIB.format(id=name), encoding="utf-8")
    return doc


def _copied_files(name: str, folder: Path, source: Path, title: str | None) -> dict[str, Any]:
    """Copy the algorithm folder ``source`` into ``folder`` under the id ``name``."""
    import shutil

    old = source.name
    shutil.copytree(
        source,
        folder,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("versions", "__pycache__", "*.pyc", "__init__.py"),
    )
    text = (folder / "definition.yaml").read_text(encoding="utf-8")
    lines = [f"id: {name}" if line.strip() == f"id: {old}" else line for line in text.splitlines()]
    header = f"# Copied from {old} by `snds-algos new-algorithm {name} --from {old}`: adapt it.\n"
    (folder / "definition.yaml").write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    card = safe_load((folder / "card.yaml").read_text(encoding="utf-8"))
    card.update(
        id=name,
        title=title or f"{name.replace('_', ' ').capitalize()} (from {old})",
        version="0.1.0",
        status="draft",
        reviewers=[],
        validation=[],
        history=[
            {
                "version": "0.1.0",
                "date": dt.date.today().isoformat(),
                "status": "draft",
                "changes": f"copied from {old} {card.get('version', '')}".strip(),
            }
        ],
    )
    card.pop("deprecation", None)
    note = f"Copied from {old}: review every criterion, code list and limit."
    card["limits"] = [note, *card.get("limits", [])]
    _write_yaml(folder / "card.yaml", _card_header(name), card)
    docs = folder / "docs.md"
    if docs.is_file():
        docs.write_text(
            docs.read_text(encoding="utf-8").replace(f'"{old}"', f'"{name}"'), encoding="utf-8"
        )
    return safe_load((folder / "definition.yaml").read_text(encoding="utf-8"))


def new_algorithm(
    name: str,
    root: Path | str | None = None,
    title: str | None = None,
    *,
    from_algorithm: str | None = None,
    hand_coded: bool = False,
) -> dict[str, Path]:
    """Write the folder and tests of a new algorithm ``name`` under the checkout ``root``.

    By default a case definition run by the engine (the way built-in algorithms are
    written); ``from_algorithm`` copies that algorithm of the checkout under the new id;
    ``hand_coded=True`` writes a ``run()`` of its own instead (see the module docs).
    Returns the paths written: ``folder`` (the algorithm folder) and ``tests`` (its test
    file).

    Examples
    --------
    >>> import tempfile
    >>> paths = new_algorithm("demo_condition", root=tempfile.mkdtemp())
    >>> sorted(p.name for p in paths["folder"].iterdir())
    ['__init__.py', 'card.yaml', 'codes', 'definition.yaml', 'docs.md', 'references.bib']
    >>> sorted(p.name for p in (paths["folder"] / "codes").iterdir())
    ['demo_condition_atc.csv', 'demo_condition_icd10.csv']
    """
    from snds_algos.cases.schema import is_case_definition
    from snds_algos.codelists import read_codes
    from snds_algos.registry.spec_tests import spec_test_module

    check_algorithm_id(name)
    if from_algorithm is not None:
        check_algorithm_id(from_algorithm)
        if hand_coded:
            raise ScaffoldError("--from and --hand-coded cannot be combined")
    base = source_root(root)
    algorithms = base / "snds_algos" / "algorithms"
    folder = _inside(algorithms / name, algorithms)
    tests = _inside(base / "tests" / "algorithms" / f"test_{name}.py", base / "tests")
    for path in (folder, tests):
        if path.exists():
            raise ScaffoldError(f"{path} already exists")
    source = None
    if from_algorithm is not None:
        source = _inside(algorithms / from_algorithm, algorithms)
        if not (source / "card.yaml").is_file():
            known = sorted(p.name for p in algorithms.glob("*") if (p / "card.yaml").is_file())
            raise ScaffoldError(
                f"--from {from_algorithm}: no algorithm folder {source} "
                f"(known: {', '.join(known) or 'none'})"
            )
        definition = source / "definition.yaml"
        if not definition.is_file() or not is_case_definition(
            safe_load(definition.read_text(encoding="utf-8"))
        ):
            raise ScaffoldError(
                f"--from {from_algorithm}: {source} has no case definition (a definition.yaml "
                "with case:) to copy; copy a hand-coded algorithm by hand"
            )
    (folder / "codes").mkdir(parents=True)
    init = algorithms / "__init__.py"
    if not init.exists():
        init.write_text('"""Built-in algorithms, one folder each."""\n', encoding="utf-8")
    tests.parent.mkdir(parents=True, exist_ok=True)
    tests_init = tests.parent / "__init__.py"
    if not tests_init.exists() and (base / "tests" / "__init__.py").exists():
        tests_init.write_text("", encoding="utf-8")
    if hand_coded:
        card = example_card(name, title)
        values = {"id": name, "title": card["title"]}
        (folder / "__init__.py").write_text(_INIT.format(**values), encoding="utf-8")
        _write_yaml(folder / "card.yaml", _card_header(name), card)
        (folder / "definition.yaml").write_text(_DEFINITION.format(**values), encoding="utf-8")
        (folder / "codes" / f"{name}.csv").write_text(_CODES, encoding="utf-8")
        (folder / "references.bib").write_text(_BIB.format(**values), encoding="utf-8")
        (folder / "docs.md").write_text(_DOCS.format(**values), encoding="utf-8")
        tests.write_text(_TEST.format(**values), encoding="utf-8")
        return {"folder": folder, "tests": tests}
    if source is not None:
        doc = _copied_files(name, folder, source, title)
    else:
        doc = _engine_files(name, folder, title)
    card = safe_load((folder / "card.yaml").read_text(encoding="utf-8"))
    enabled = sorted(n for n, c in doc["criteria"].items() if c.get("enabled", True))
    (folder / "__init__.py").write_text(
        _ENGINE_INIT.format(id=name, title=card["title"], enabled=enabled), encoding="utf-8"
    )
    codes = {p.stem: read_codes(p) for p in sorted((folder / "codes").glob("*.csv"))}
    tests.write_text(spec_test_module(name, doc, codes), encoding="utf-8")
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
