"""Run the end-to-end workload of every algorithm family on a remote Spark session and
write each result as parquet (``python -m tests.spark_remote.job``).

Run in a subprocess by ``test_remote.py``: a classic Spark session on a standalone
cluster (``--master spark://...``) or a Spark Connect session (``--remote sc://...``)
cannot live in the test process beside the local session of the other Spark tests.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from tests.spark_remote.workload import WORKLOAD


def session(master: str | None, remote: str | None):
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("snds-algos-remote-tests")
    if remote:
        return builder.remote(remote).getOrCreate()
    return (
        builder.master(master)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.executor.memory", "1g")
        .config("spark.executor.cores", "2")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--master")
    parser.add_argument("--remote")
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    from snds_algos.backend import to_pandas
    from snds_algos.io import open_source

    spark = session(args.master, args.remote)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    timings = {}
    source = open_source(args.data, backend="spark", spark=spark)
    for name, run in WORKLOAD.items():
        started = time.perf_counter()
        to_pandas(run(source)).to_parquet(out / f"{name}.parquet", index=False)
        timings[name] = round(time.perf_counter() - started, 2)
    (out / "timings.json").write_text(json.dumps(timings))
    spark.stop()


if __name__ == "__main__":
    main()
