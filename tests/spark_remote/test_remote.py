"""End to end on Spark as users run it: a standalone cluster on 127.0.0.1 and a Spark
Connect server, both started from the installed PySpark, give the same rows as pandas
for every algorithm family of the workload.

Marked ``spark``: under CI a skipped test here fails the run, like the other Spark tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from snds_algos.io import open_source
from tests.helpers import rows
from tests.spark_remote import services
from tests.spark_remote.workload import WORKLOAD

pytestmark = [pytest.mark.spark, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the machine
        from conftest import SPARK_REQUIRED

        if SPARK_REQUIRED:
            pytest.fail(f"Spark is required (CI) but PySpark is missing: {exc}")
        pytest.skip("PySpark not installed")


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    from snds_algos.synthetic import generate

    folder = tmp_path_factory.mktemp("remote-data")
    generate(300, "2019-2020", 11, str(folder), progress=False)
    return folder


@pytest.fixture(scope="module")
def expected(generated) -> dict[str, pd.DataFrame]:
    source = open_source(generated)
    return {name: run(source) for name, run in WORKLOAD.items()}


def _run_job(args: list[str], out: Path, data: Path) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), SPARK_LOCAL_IP="127.0.0.1")
    env.pop("SPARK_REMOTE", None)
    done = subprocess.run(
        [sys.executable, "-m", "tests.spark_remote.job", *args, "--data", str(data),
         "--out", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1500,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads((out / "timings.json").read_text())


def _compare(expected: dict[str, pd.DataFrame], out: Path) -> None:
    for name, frame in expected.items():
        got = pd.read_parquet(out / f"{name}.parquet")
        assert list(got.columns) == list(frame.columns), name
        key = list(frame.columns)
        assert rows(got, key) == rows(frame, key), name
        assert len(frame) > 0 or name in ("deaths",), f"{name}: empty workload result"


def test_standalone_cluster_gives_pandas_rows(generated, expected, tmp_path):
    _require_pyspark()
    processes = services.start_cluster(tmp_path)
    try:
        timings = _run_job(["--master", services.MASTER_URL], tmp_path / "out", generated)
    finally:
        services.stop(*processes)
    _compare(expected, tmp_path / "out")
    print("cluster timings (s):", timings)


def test_spark_connect_gives_pandas_rows(generated, expected, tmp_path):
    _require_pyspark()
    pytest.importorskip("grpc", reason="pyspark[connect] client not installed")
    server = services.start_connect_server(tmp_path)
    try:
        timings = _run_job(["--remote", services.CONNECT_URL], tmp_path / "out", generated)
    finally:
        services.stop(server)
    _compare(expected, tmp_path / "out")
    print("connect timings (s):", timings)
