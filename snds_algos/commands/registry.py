"""Registry commands: ``list``, ``show``, ``check``, ``new-algorithm`` and ``release``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: Any) -> None:
    """Add the registry sub-commands to the ``snds-algos`` parser.

    Examples
    --------
    >>> import argparse
    >>> parser = argparse.ArgumentParser()
    >>> register(parser.add_subparsers())
    >>> parser.parse_args(["show", "diabetes"]).id
    'diabetes'
    """
    p = subparsers.add_parser("list", help="list the registered algorithms (every version)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(handler=cmd_list)

    p = subparsers.add_parser("show", help="show the card of an algorithm")
    p.add_argument("id", help="algorithm id")
    p.add_argument("--version", dest="algo_version", help="a given version (default: the latest)")
    p.add_argument("--markdown", action="store_true", help="print the docs page (MyST Markdown)")
    p.set_defaults(handler=cmd_show)

    p = subparsers.add_parser(
        "check",
        help="run the registry checks of CI (cards, tests on every backend, docs pages, releases)",
    )
    p.add_argument("--root", help="folder of algorithm folders (default: the built-in ones)")
    p.add_argument("--tests", help="tests folder (default: the checkout's tests/)")
    p.add_argument("--released", help="released.json (default: the package's)")
    p.add_argument("--no-entry-points", action="store_true", help="skip installed plug-ins")
    p.set_defaults(handler=cmd_check)

    p = subparsers.add_parser(
        "new-algorithm",
        help="scaffold a new algorithm (definition, card, code lists, spec tests, docs page)",
    )
    p.add_argument("name", help="algorithm id: lower-case letters, digits, underscores")
    p.add_argument("--dir", default=None, help="source checkout to write into (default: here)")
    p.add_argument("--title", default=None, help="human title (default: from the name)")
    p.add_argument(
        "--from",
        dest="from_algorithm",
        default=None,
        metavar="EXISTING",
        help="copy this algorithm (its definition, code lists, references, page) under NAME",
    )
    p.add_argument(
        "--hand-coded",
        action="store_true",
        help="write a run() of its own instead of a definition run by the engine",
    )
    p.set_defaults(handler=cmd_new)

    p = subparsers.add_parser(
        "new-version",
        help="keep the current version under versions/ and start a new version (draft)",
    )
    p.add_argument("id", help="algorithm id")
    p.add_argument("version", help="the new semantic version, e.g. 1.1.0")
    p.add_argument("--changes", default="describe the change", help="history entry")
    p.add_argument("--dir", default=None, help="source checkout (default: here)")
    p.set_defaults(handler=cmd_new_version)

    p = subparsers.add_parser(
        "release", help="record the fingerprint of a reviewed version in released.json"
    )
    p.add_argument("id", help="algorithm id")
    p.add_argument("--version", dest="algo_version", help="a given version (default: the latest)")
    p.add_argument("--released", help="released.json (default: the package's)")
    p.set_defaults(handler=cmd_release)


def cmd_list(args: argparse.Namespace) -> int:
    """``snds-algos list``: id, version, status, title and source of every algorithm."""
    from snds_algos.registry import algorithms

    items = algorithms()
    if args.json:
        rows = [
            {
                "id": a.id,
                "version": a.version,
                "status": a.status,
                "title": a.title,
                "source": a.source,
            }
            for a in items
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not items:
        print("no algorithm registered")
        return 0
    header = ("ID", "VERSION", "STATUS", "TITLE", "SOURCE")
    rows_t = [(a.id, a.version, a.status, a.title, a.source) for a in items]
    widths = [max(len(str(r[i])) for r in [header, *rows_t]) for i in range(4)]
    for row in [header, *rows_t]:
        print(
            "  ".join(str(v).ljust(w) for v, w in zip(row[:4], widths, strict=True)) + "  " + row[4]
        )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """``snds-algos show ID``: the card summary (or the docs page with ``--markdown``)."""
    from snds_algos.registry import algorithm_page, get, summary_text

    algo = get(args.id, args.algo_version)  # an unknown id: exit 2 (snds_algos.cli)
    print(algorithm_page(algo, tables_prefix=None) if args.markdown else summary_text(algo))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """``snds-algos check``: every registry check; exit status 1 when one fails."""
    from snds_algos.registry import run_checks

    problems = run_checks(
        args.root,
        tests_dir=args.tests,
        released=args.released,
        entry_points=not args.no_entry_points,
    )
    for problem in problems:
        print(problem)
    if problems:
        print(f"snds-algos check: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    from snds_algos.registry import discover

    count = len(discover(args.root, entry_points=not args.no_entry_points).items)
    print(f"snds-algos check: {count} algorithm version(s), all checks passed")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    """``snds-algos new-algorithm NAME``: scaffold an algorithm and its tests."""
    from snds_algos.registry import new_algorithm
    from snds_algos.registry.scaffold import source_root

    # a ScaffoldError (invalid name, existing folder) exits with 2 (snds_algos.cli)
    paths = new_algorithm(
        args.name,
        root=source_root(args.dir),
        title=args.title,
        from_algorithm=args.from_algorithm,
        hand_coded=args.hand_coded,
    )
    print(f"created {paths['folder']}/ and {paths['tests']}")
    print("next: fill definition.yaml (docs: 'Writing a definition'), codes/, card.yaml,")
    print("      docs.md and the tests; then")
    print(f"      python -m pytest tests/algorithms/test_{args.name}.py && snds-algos check")
    return 0


def cmd_new_version(args: argparse.Namespace) -> int:
    """``snds-algos new-version ID VERSION``: keep the current version, start the next one."""
    from snds_algos.registry import new_version

    paths = new_version(args.id, args.version, root=args.dir, changes=args.changes)
    print(f"kept the current version in {paths['kept']}/")
    print(f"{paths['card']} is now version {args.version} (draft): make the change, then review")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    """``snds-algos release ID``: freeze a reviewed version (fingerprint in released.json)."""
    from snds_algos.registry import ReleaseError, get, release

    algo = get(args.id, args.algo_version)
    if algo.source != "builtin":
        raise ReleaseError(f"{algo.key} comes from {algo.source}: release it in its package")
    digest = release(algo, args.released)
    print(f"released {algo.key}: sha256 {digest}")
    return 0
