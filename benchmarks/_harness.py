"""What the benchmark scripts share: generated data folders, one fresh Python process per
engine, its peak memory, the Spark session of a child, and the comparison lines.

Not a test. Each ``bench_*.py`` script keeps its own command line and output; a child
process (``python -c RUNNER``) imports this module too (``benchmarks`` is on its path:
see :func:`child_prelude`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- parent side


def generated(
    folder: Path, persons: int, years: str, *, progress: bool = False, quiet: bool = False
) -> Path:
    """``folder`` holding ``persons`` generated persons over ``years`` (seed 1), written
    once: reused when its ``ER_PRS_F`` table exists (a parquet file or a folder).
    ``progress``: the generator's own progress lines; ``quiet``: no timing line."""
    if not (folder / "ER_PRS_F.parquet").exists() and not (folder / "ER_PRS_F").exists():
        sys.path.insert(0, str(ROOT))
        from snds_algos.synthetic import generate

        started = time.perf_counter()
        if progress:
            generate(persons, years, 1, str(folder))
        else:
            generate(persons, years, 1, str(folder), progress=False)
        if not quiet:
            print(
                f"  generated {persons} persons in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
    return folder


def run_child(args: list[str], *, name: str, marker: str = "", cwd: Path | None = ROOT) -> dict:
    """Run ``python <args>`` in a fresh process (its peak memory is its own; from the
    repository root unless ``cwd`` says otherwise, ``None``: this folder) and return the
    JSON of its last output line starting with ``marker``. A failed child raises
    ``RuntimeError`` with its name and the end of its output."""
    done = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, check=False, cwd=cwd
    )
    lines = [x for x in done.stdout.strip().splitlines() if x.startswith(marker)]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{name} failed:\n{done.stdout[-2000:]}{done.stderr[-3000:]}")
    return json.loads(lines[-1][len(marker) :])


def run_code(code: str, *, name: str, cwd: Path | None = ROOT) -> dict:
    """:func:`run_child` of ``python -c code``."""
    return run_child(["-c", code], name=name, cwd=cwd)


def run_runner(runner: str, engine: str, folder: Path, **fields: Any) -> dict:
    """Run a script's ``RUNNER`` (a template of ``engine``, ``folder`` and ``fields``)
    for ``engine`` in a fresh process, after :func:`child_prelude`; its figures."""
    code = child_prelude(engine) + runner.format(engine=engine, folder=str(folder), **fields)
    return run_code(code, name=engine)


def sizes_parser(
    description: str, *, sizes: list[int], data: str, backends: str
) -> argparse.ArgumentParser:
    """The command line of the size-driven scripts: ``sizes...``, ``--data``,
    ``--backends`` (comma-separated)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("sizes", nargs="*", type=int, default=sizes)
    parser.add_argument("--data", default=data)
    parser.add_argument("--backends", default=backends)
    return parser


def each_engine(
    engines: Iterable[str],
    run: Callable[..., dict],
    show: Callable[[str, dict], str],
    *args: Any,
) -> dict[str, dict]:
    """``run(engine, *args)`` for every engine in turn, its line printed (``show``); the
    figures of every engine."""
    results = {}
    for engine in engines:
        results[engine] = run(engine, *args)
        print(show(engine, results[engine]), flush=True)
    return results


def each_size(
    args: argparse.Namespace,
    header: Callable[[int], str],
    folder_of: Callable[[int, Path], Path],
    run: Callable[..., dict],
    show: Callable[[str, dict], str],
    *extra: Any,
) -> Iterator[dict[str, dict]]:
    """For each size of :func:`sizes_parser`'s ``args``: print ``header(persons)``, make
    its data folder (``folder_of(persons, root)``) and yield the figures of every engine
    (:func:`each_engine` of ``run(engine, folder, *extra)``)."""
    engines = args.backends.split(",")
    root = Path(args.data)
    root.mkdir(parents=True, exist_ok=True)
    for persons in args.sizes:
        print(header(persons))
        folder = folder_of(persons, root)
        yield each_engine(engines, run, show, folder, *extra)


def yes_no(same: bool) -> str:
    """``yes`` or ``NO`` (loud, so that a difference is seen)."""
    return "yes" if same else "NO"


def same_on_every_engine(results: Mapping[str, dict], key: str) -> bool:
    """Whether ``key`` is the same in the figures of every engine."""
    return len({r[key] for r in results.values()}) == 1


def print_ratios(
    results: Mapping[str, dict], base: str, key: str = "seconds", digits: int = 2
) -> None:
    """``  <engine> / <base>: <ratio>x`` for every engine but ``base`` (when it ran)."""
    if base not in results:
        return
    for engine, r in results.items():
        if engine != base:
            print(f"  {engine} / {base}: {r[key] / results[base][key]:.{digits}f}x")


# --------------------------------------------------------------------------- child side


def child_prelude(engine: str) -> str:
    """Python lines that put the repository and ``benchmarks`` on the path of a child and
    bind ``spark`` (a local session for the engines ``spark...``, else ``None``)."""
    return (
        f"import sys\nsys.path.insert(0, {str(ROOT)!r}); "
        f"sys.path.insert(0, {str(ROOT / 'benchmarks')!r})\n"
        "from _harness import spark_session, peak_rss_mb, peak_hwm_mb, jvm_peak_mb\n"
        f"spark = spark_session() if {engine!r}.startswith('spark') else None\n"
    )


def spark_session(
    *,
    driver_memory: str = "4g",
    shuffle_partitions: int = 4,
    log_level: str = "OFF",
    app_name: str | None = None,
    arrow: bool = False,
) -> Any:
    """A local Spark session (``local[2]``, UTC, no UI) for a benchmark child."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.master("local[2]")
    if app_name:
        builder = builder.appName(app_name)
    builder = (
        builder.config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.driver.memory", driver_memory)
    )
    if arrow:
        builder = builder.config("spark.sql.execution.arrow.pyspark.enabled", "true")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(log_level)
    return spark


def peak_rss_mb() -> float:
    """Peak resident memory of this process since it started, MB (``VmHWM``; not
    ``ru_maxrss``, which Linux keeps across ``exec``, so that a child would report the
    peak of the parent that generated the data)."""
    return float(peak_hwm_mb())


def _vmhwm_mb(status: str) -> int:
    """``VmHWM`` (MB) of a ``/proc/<pid>/status`` file, 0 when absent."""
    for line in Path(status).read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) // 1024
    return 0


def peak_hwm_mb() -> int:
    """Peak resident memory of this process since it started, MB (``VmHWM``)."""
    return _vmhwm_mb("/proc/self/status")


def jvm_peak_mb() -> int:
    """Peak resident memory (``VmHWM``, MB) of the Java child of this process (Spark), or
    0 without one."""
    jvm = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().split()
            if int(stat[3]) == os.getpid() and "java" in Path(f"/proc/{pid}/cmdline").read_text():
                jvm = max(jvm, _vmhwm_mb(f"/proc/{pid}/status"))
        except OSError:
            pass
    return jvm


# --------------------------------------------------------------------------- Spark SQL

_READ = re.compile(r"read_(parquet|csv)\('([^']+)'(?:\s*,\s*[^)]*)?\)")


def spark_sql_of(sql: str, spark: Any) -> str:
    """The hand-written DuckDB SQL of a benchmark, run unchanged in meaning by Spark SQL.

    Each ``read_parquet('path')`` / ``read_csv('path', ...)`` becomes a temporary view
    of ``spark.read`` on the same file (CSV: header, text columns, nothing inferred), and
    the few DuckDB spellings become Spark's: ``regexp_matches`` -> ``regexp_like``,
    ``date_sub('year', a, b)`` -> ``timestampdiff(YEAR, a, b)`` (completed years), a
    difference of dates ``(a - b)`` -> ``datediff(a, b)``, ``"name"`` -> ```name```.
    The joins, filters and aggregations are the SQL's own: Spark plans them.
    """
    views: dict[str, str] = {}

    def view(match: re.Match) -> str:
        kind, path = match.group(1), match.group(2)
        if path not in views:
            name = f"bench_{len(views)}_{re.sub(r'[^A-Za-z0-9]', '_', Path(path).stem)}"
            target = path.split("/**", 1)[0]  # a partitioned folder: Spark reads it whole
            if kind == "parquet":
                frame = spark.read.parquet(target)
            else:
                frame = spark.read.option("header", True).option("inferSchema", False).csv(target)
            frame.createOrReplaceTempView(name)
            views[path] = name
        return views[path]

    out = _READ.sub(view, sql)
    out = re.sub(r"regexp_matches\(", "regexp_like(", out)
    out = re.sub(r"date_sub\('year',\s*([\w.]+),\s*([\w.]+)\)", r"timestampdiff(YEAR, \1, \2)", out)
    out = re.sub(r"\(([\w.]+) - (p\.born)\)", r"datediff(\1, \2)", out)
    out = re.sub(r'"(\w+)"', r"`\1`", out)
    return out
