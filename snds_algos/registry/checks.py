"""Registry checks run by CI (``snds-algos check`` and ``tests/registry``).

For every built-in algorithm version:

* **definition**: a case definition (``definition.yaml``) follows the definition
  language, and its card declares its parameters with the same defaults, its code lists
  with the same match rule, and the tables and columns its event kinds read;
* **card**: the card meets the schema and the lifecycle rules; the folder is named
  after the id (kept versions: ``versions/v1_0_0`` after the version); every code list
  declared in the card exists with columns ``code`` and ``label``; every CSV of
  ``codes/`` is declared (so its vintage is stated); every reference key is in
  ``references.bib``; tables that have a contract name existing columns;
* **tests**: ``tests/algorithms/test_<id>.py`` or ``tests/algorithms/<id>/test_*.py``
  holds a test that takes the ``backend`` fixture (so it runs on pandas, DuckDB and Spark);
* **docs**: ``docs.md`` exists, has text and no level-1 heading, and the page renders;
* **release**: a version with status reviewed, validated or deprecated is released
  (its fingerprint is in ``released.json``), and every released fingerprint still
  matches the content; a released version cannot disappear.

Entry-point algorithms are checked for a valid card only (their tests and docs live in
their own repository).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from snds_algos.codelists import CodeListError
from snds_algos.codelists import read_code_rows as read_rows
from snds_algos.registry.discovery import Registry, builtin_root, discover
from snds_algos.registry.model import Algorithm, version_folder_name
from snds_algos.registry.releases import fingerprint, read_released
from snds_algos.registry.schema import FROZEN_STATUSES, CardError


@dataclass(frozen=True)
class Problem:
    """One failed check: what (``check``), where (a file or ``id@version``), and why."""

    check: str
    where: str
    message: str

    def __str__(self) -> str:
        return f"[{self.check}] {self.where}: {self.message}"


def default_tests_dir() -> Path | None:
    """The ``tests`` folder of the source checkout, if the package runs from one.

    Examples
    --------
    >>> default_tests_dir() is None or default_tests_dir().name == "tests"
    True
    """
    candidate = builtin_root().parent.parent / "tests"
    return candidate if candidate.is_dir() else None


def bib_keys(path: Path) -> set[str]:
    """The entry keys of a BibTeX file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.bib"
    >>> _ = p.write_text("@article{smith2020,\\n title={T}}\\n")
    >>> bib_keys(p)
    {'smith2020'}
    """
    if not path.is_file():
        return set()
    text = path.read_text(encoding="utf-8")
    return set(re.findall(r"@\w+\s*\{\s*([^,\s]+)\s*,", text))


def folder_problems(algo: Algorithm) -> list[Problem]:
    """Problems of a built-in algorithm folder beyond its card schema (see module doc)."""
    out: list[Problem] = []
    if algo.path is None:
        return out
    folder = algo.path
    card_file = str(folder / "card.yaml")
    if folder.parent.name == "versions":
        if folder.parent.parent.name != algo.id:
            out.append(
                Problem(
                    "card",
                    card_file,
                    f"kept version of {algo.id} lies under {folder.parent.parent.name}/",
                )
            )
        if folder.name != version_folder_name(algo.version):
            out.append(
                Problem(
                    "card",
                    card_file,
                    f"folder of version {algo.version} must be named {version_folder_name(algo.version)}",
                )
            )
    elif folder.name != algo.id:
        out.append(
            Problem(
                "card", card_file, f"id {algo.id!r} differs from the folder name {folder.name!r}"
            )
        )
    if not (folder / "__init__.py").is_file():
        out.append(Problem("card", str(folder), "no __init__.py with a run() function"))
    declared = set()
    for i, meta in enumerate(algo.card.get("code_lists", [])):
        file = folder / meta["file"]
        declared.add(file.resolve())
        if not file.is_file():
            out.append(
                Problem("card", card_file, f"code_lists[{i}].file: {meta['file']} does not exist")
            )
            continue
        try:
            rows = read_rows(file, required=("code", "label"))
        except CodeListError as exc:
            out.append(Problem("card", exc.path, f"{exc.where}: {exc.problem}"))
            continue
        if not rows:
            out.append(Problem("card", str(file), "code list is empty"))
    codes = folder / "codes"
    if codes.is_dir():
        for csv_file in sorted(codes.glob("*.csv")):
            if csv_file.resolve() not in declared:
                out.append(
                    Problem(
                        "card",
                        str(csv_file),
                        "code list not declared in card.yaml code_lists (its vintage must be stated)",
                    )
                )
    keys = bib_keys(folder / "references.bib")
    cited = list(algo.card.get("references", []))
    cited += [v["reference"] for v in algo.card.get("validation", []) if "reference" in v]
    for key in cited:
        if key not in keys:
            out.append(Problem("card", card_file, f"reference {key!r} is not in references.bib"))
    out.extend(contract_problems(algo))
    out.extend(definition_check_problems(algo))
    return out


#: arguments of a definition algorithm's ``run()`` that are not definition parameters
RUN_ARGUMENTS = {"year", "data", "events", "population", "report", "disambiguate"}


def _plain(value: object) -> object:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return value


def definition_check_problems(algo: Algorithm) -> list[Problem]:
    """Mistakes of a case definition (``definition.yaml``) and mismatches with its card.

    The definition follows the definition language (unknown field with the closest valid
    one, types, targets of parameters, code lists that exist:
    :func:`snds_algos.cases.schema.definition_problems`); the card declares every
    definition parameter with the same default and no parameter ``run()`` does not take;
    every code list the criteria read is declared in the card with the criterion's match
    rule (``how``); the card's ``data`` lists the tables and columns each event kind of
    the definition reads.
    """
    from snds_algos.cases.schema import definition_problems, definition_schema, is_case_definition
    from snds_algos.contracts.model import logical_name
    from snds_algos.registry.model import read_yaml

    if algo.path is None or not (algo.path / "definition.yaml").is_file():
        return []
    file = algo.path / "definition.yaml"
    try:
        doc = read_yaml(file)
    except CardError as exc:
        return [Problem("definition", str(file), str(exc))]
    if not is_case_definition(doc):
        return []
    found = definition_problems(doc, file, algo.path / "codes")
    out = [Problem("definition", p.file, f"{p.where}: {p.message}") for p in found]
    if found:
        return out
    card_file = str(algo.path / "card.yaml")
    card_params = {p["name"]: p for p in algo.card.get("parameters", [])}
    def_params = doc.get("parameters") or {}
    for name, param in def_params.items():
        if name not in card_params:
            out.append(
                Problem(
                    "card",
                    card_file,
                    f"parameters: {name!r} of definition.yaml is not declared in the card "
                    f"(default {param.get('default')!r})",
                )
            )
        elif _plain(card_params[name].get("default")) != _plain(param.get("default")):
            out.append(
                Problem(
                    "card",
                    card_file,
                    f"parameters.{name}.default: {card_params[name].get('default')!r} in the "
                    f"card but {param.get('default')!r} in definition.yaml",
                )
            )
    for name in card_params:
        if name not in def_params and name not in RUN_ARGUMENTS:
            out.append(
                Problem(
                    "card",
                    card_file,
                    f"parameters: {name!r} is not a parameter of definition.yaml nor an "
                    f"argument of run() ({', '.join(sorted(RUN_ARGUMENTS))})",
                )
            )
    lists = {c["name"]: c for c in algo.card.get("code_lists", [])}
    for crit_name, crit in doc["criteria"].items():
        how = crit.get("how", "prefix")
        names = [crit.get(k) for k in ("codes", "exclude", "only")]
        if isinstance(crit.get("with_same_stay"), dict):
            names.append(crit["with_same_stay"].get("codes"))
        for list_name in [n for n in names if n]:
            if list_name not in lists:
                out.append(
                    Problem(
                        "card",
                        card_file,
                        f"code_lists: {list_name!r} (read by criteria.{crit_name}) is not declared",
                    )
                )
            elif lists[list_name].get("match", "prefix") != how:
                out.append(
                    Problem(
                        "card",
                        card_file,
                        f"code_lists.{list_name}.match: {lists[list_name].get('match')!r} in the "
                        f"card but criteria.{crit_name} matches its codes by {how!r} (how)",
                    )
                )
    data: dict[str, set[str]] = {}
    for need in algo.card.get("data", []):
        data.setdefault(logical_name(need["table"])[0], set()).update(need["columns"])
    kinds = definition_schema()["kinds"]
    for kind in dict.fromkeys(c["events"] for c in doc["criteria"].values()):
        for table, columns in kinds[kind]["tables"].items():
            if table not in data:
                out.append(
                    Problem(
                        "card",
                        card_file,
                        f"data: events {kind} read table {table}, which data does not list",
                    )
                )
                continue
            missing = [c for c in columns if c not in data[table]]
            if missing:
                out.append(
                    Problem(
                        "card",
                        card_file,
                        f"data: {table} lacks column(s) {', '.join(missing)} read by events {kind}",
                    )
                )
    return out


def contract_problems(algo: Algorithm) -> list[Problem]:
    """Columns named in ``data`` that the table's contract does not document."""
    from snds_algos.contracts.model import get_contract, logical_name, table_names

    out: list[Problem] = []
    names = set(table_names())
    for i, need in enumerate(algo.card.get("data", [])):
        table, _ = logical_name(need["table"])
        if table not in names:
            continue
        contract = get_contract(table)
        unknown = [c for c in need["columns"] if c not in contract]
        if unknown:
            out.append(
                Problem(
                    "card", algo.key, f"data[{i}]: {table} has no column(s) {', '.join(unknown)}"
                )
            )
    return out


def _uses_backend(path: Path) -> bool:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            names = {a.arg for a in node.args.args + node.args.kwonlyargs}
            if names & {"backend", "make_frame"}:
                return True
    return False


def test_files(algorithm_id: str, tests_dir: Path) -> list[Path]:
    """Test files of an algorithm: ``algorithms/test_<id>.py`` and ``algorithms/<id>/test_*.py``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> test_files("demo", pathlib.Path(tempfile.mkdtemp()))
    []
    """
    base = Path(tests_dir) / "algorithms"
    files = [base / f"test_{algorithm_id}.py"]
    if (base / algorithm_id).is_dir():
        files += sorted((base / algorithm_id).rglob("test_*.py"))
    return [f for f in files if f.is_file()]


def tests_problems(algorithm_id: str, tests_dir: Path) -> list[Problem]:
    """A problem unless the algorithm has a test using the ``backend`` fixture."""
    files = test_files(algorithm_id, tests_dir)
    where = str(Path(tests_dir) / "algorithms" / f"test_{algorithm_id}.py")
    if not files:
        return [
            Problem(
                "tests",
                where,
                f"{algorithm_id} has no tests (tests/algorithms/test_{algorithm_id}.py or tests/algorithms/{algorithm_id}/)",
            )
        ]
    if not any(_uses_backend(f) for f in files):
        return [
            Problem(
                "tests",
                str(files[0]),
                f"no test of {algorithm_id} takes the `backend` fixture: tests must run on pandas, DuckDB and Spark",
            )
        ]
    return []


def docs_problems(algo: Algorithm) -> list[Problem]:
    """A problem unless ``docs.md`` exists with text and no level-1 heading, and the page renders."""
    from snds_algos.registry.render import algorithm_page

    if algo.path is None:
        return []
    page = algo.path / "docs.md"
    if not page.is_file():
        return [
            Problem(
                "docs",
                str(page),
                "missing docs page (docs.md: what it is for, how to use it, an example)",
            )
        ]
    text = page.read_text(encoding="utf-8")
    if len(re.sub(r"\s+", " ", text).strip()) < 40:
        return [Problem("docs", str(page), "docs page is empty or nearly so")]
    if re.search(r"^# ", text, flags=re.MULTILINE):
        return [
            Problem(
                "docs",
                str(page),
                "docs.md must not have a level-1 heading (the page title comes from the card); start at ##",
            )
        ]
    from snds_algos.cases.schema import DefinitionError

    try:
        algorithm_page(algo)
    except DefinitionError:
        return []  # reported by the definition check, with its file and field
    except Exception as exc:
        return [Problem("docs", str(page), f"page does not render: {type(exc).__name__}: {exc}")]
    return []


def release_problems(
    registry: Registry, released: dict[str, str], builtin_ids: set[str] | None = None
) -> list[Problem]:
    """Released fingerprints that changed or vanished; frozen versions not released."""
    out: list[Problem] = []
    by_key = {a.key: a for a in registry.items}
    for key, digest in sorted(released.items()):
        algo = by_key.get(key)
        if algo is None:
            algorithm_id = key.split("@")[0]
            if builtin_ids is None or algorithm_id in builtin_ids or not builtin_ids:
                out.append(
                    Problem(
                        "release",
                        key,
                        "released version is gone: keep it under versions/ (released versions are never removed)",
                    )
                )
            continue
        now = fingerprint(algo)
        if now != digest:
            out.append(
                Problem(
                    "release",
                    key,
                    f"released version changed (fingerprint {digest[:12]}... is now {now[:12]}...): "
                    "its definition, code lists, parameters or data changed; restore it and make the "
                    "change a new version (see CONTRIBUTING.md, 'Releases')",
                )
            )
    for algo in registry.items:
        if algo.status in FROZEN_STATUSES and algo.key not in released and algo.source == "builtin":
            out.append(
                Problem(
                    "release",
                    algo.key,
                    f"status {algo.status!r} but not released: run `snds-algos release {algo.id}` and commit released.json",
                )
            )
    return out


def run_checks(
    root: Path | str | None = None,
    *,
    tests_dir: Path | str | None = None,
    released: Path | str | None = None,
    entry_points: bool = True,
) -> list[Problem]:
    """Every registry check; an empty list means CI passes.

    ``root`` is the folder of built-in algorithms (default: the package's), ``tests_dir``
    the test folder (default: the checkout's ``tests``), ``released`` the
    ``released.json`` (default: the package's).

    Examples
    --------
    >>> import tempfile
    >>> run_checks(tempfile.mkdtemp(), tests_dir=tempfile.mkdtemp(), entry_points=False)
    []
    """
    registry = discover(root, entry_points=False, strict=False)
    out = [Problem("card", where, msg) for where, msg in registry.problems]
    builtin = list(registry.items)
    tests_path = Path(tests_dir) if tests_dir is not None else default_tests_dir()
    for algo in builtin:
        out.extend(folder_problems(algo))
        out.extend(docs_problems(algo))
    for algorithm_id in sorted({a.id for a in builtin}):
        if tests_path is None:
            out.append(
                Problem(
                    "tests",
                    algorithm_id,
                    "no tests folder found: run the check from a source checkout or pass --tests",
                )
            )
        else:
            out.extend(tests_problems(algorithm_id, tests_path))
    out.extend(release_problems(registry, read_released(released), {a.id for a in builtin}))
    if entry_points:
        external = Registry()
        import warnings

        from snds_algos.registry.discovery import load_entry_points

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            load_entry_points(external)
        out.extend(Problem("entry point", where, msg) for where, msg in external.problems)
        keys = {a.key for a in builtin}
        for algo in external.items:
            if algo.key in keys:
                out.append(
                    Problem(
                        "entry point", algo.source, f"{algo.key} is already a built-in algorithm"
                    )
                )
    return out
