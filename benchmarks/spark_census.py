"""What a run of an algorithm costs Spark: jobs, stages, tasks, time (not a test).

Usage (from the repository root)::

    python benchmarks/spark_census.py FOLDER [--year 2020] [--algorithm diabetes]
        [--master local[2] | spark://127.0.0.1:17077] [--shuffle-partitions N]
        [--explain FILE] [--repeat 1]

Starts a Spark session as the command line does (``snds-algos run --backend spark``:
Spark's defaults, adaptive execution on, 200 shuffle partitions unless
``--shuffle-partitions``), runs the algorithm on ``FOLDER`` (``--warm-up``: once
untimed first; ``--repeat`` timed runs), and prints for the timed run: the seconds from the
call to the collected result (the session already started), the number of Spark jobs,
of stages that ran (skipped stages apart), of tasks, the largest stage, and the
settings that decide partitions. ``--explain FILE`` writes the physical plan of the
result (``explain("formatted")``) to FILE. The last line is JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def session(master: str, shuffle_partitions: int | None):
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = (
        SparkSession.builder.master(master)
        .appName("snds-algos-census")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
    )
    if master.startswith("spark://"):
        builder = (
            builder.config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.executor.memory", "1g")
            .config("spark.executor.cores", "2")
        )
    else:
        builder = builder.config("spark.driver.memory", "4g")
    if shuffle_partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(shuffle_partitions))
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("OFF")
    return spark


def census(spark, group: str) -> dict:
    """Jobs, stages that ran and tasks of the jobs of ``group`` (status tracker)."""
    tracker = spark.sparkContext.statusTracker()
    jobs = sorted(tracker.getJobIdsForGroup(group))
    stages, tasks, largest = 0, 0, 0
    for job in jobs:
        info = tracker.getJobInfo(job)
        for stage in info.stageIds if info else []:
            s = tracker.getStageInfo(stage)
            if s is None or s.numCompletedTasks == 0:  # skipped (its shuffle reused)
                continue
            stages += 1
            tasks += s.numTasks
            largest = max(largest, s.numTasks)
    return {"jobs": len(jobs), "stages": stages, "tasks": tasks, "largest_stage": largest}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder")
    parser.add_argument("--year", type=int, default=2020)
    parser.add_argument("--algorithm", default="diabetes")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--shuffle-partitions", type=int)
    parser.add_argument("--explain")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--warm-up", action="store_true", help="one untimed run first")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    import snds_algos
    from snds_algos.backend import release_spark, to_pandas
    from snds_algos.io import open_source

    spark = session(args.master, args.shuffle_partitions)
    algorithm = snds_algos.get(args.algorithm)

    def run(group: str):
        spark.sparkContext.setJobGroup(group, group)
        started = time.perf_counter()
        source = open_source(args.folder, backend="spark", spark=spark)
        result = algorithm.run(source, year=args.year)
        frame = to_pandas(result)
        seconds = time.perf_counter() - started
        return result, frame, seconds

    warm = None
    if args.warm_up:
        result, frame, warm = run("warm-up")
        release_spark(spark)
    figures = {}
    for i in range(args.repeat):
        result, frame, seconds = run(f"run-{i}")
        figures = {"seconds": round(seconds, 2), **census(spark, f"run-{i}")}
        if args.explain and i == args.repeat - 1:
            text = io.StringIO()
            with contextlib.redirect_stdout(text):
                result.explain("formatted")
            Path(args.explain).write_text(text.getvalue())
        release_spark(spark)
    conf = spark.conf
    figures.update(
        warm_up_seconds=None if warm is None else round(warm, 2),
        rows=len(frame),
        cases=int(frame["case"].sum()) if "case" in frame else None,
        master=args.master,
        adaptive=conf.get("spark.sql.adaptive.enabled"),
        coalesce_partitions=conf.get("spark.sql.adaptive.coalescePartitions.enabled"),
        shuffle_partitions=conf.get("spark.sql.shuffle.partitions"),
    )
    for key, value in figures.items():
        print(f"  {key}: {value}")
    print(json.dumps(figures))
    spark.stop()


if __name__ == "__main__":
    main()
