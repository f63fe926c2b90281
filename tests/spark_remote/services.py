"""Spark services for the cluster and Spark Connect tests, started from the installed
PySpark on 127.0.0.1 (fixed ports) and stopped at the end of the test run.

* a standalone cluster: one master (``spark://127.0.0.1:17077``) and one worker (2 cores);
* a Spark Connect server (``sc://127.0.0.1:15102``), on ``local[2]``.

The ports are not Spark's defaults (7077, 15002) so that a Spark already running on the
machine is left alone.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

MASTER_PORT = 17077
CONNECT_PORT = 15102
MASTER_URL = f"spark://127.0.0.1:{MASTER_PORT}"
CONNECT_URL = f"sc://127.0.0.1:{CONNECT_PORT}"


def spark_home() -> str:
    """The folder of the installed PySpark (it ships ``bin/spark-class`` and the jars)."""
    import pyspark

    return os.path.dirname(pyspark.__file__)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        SPARK_HOME=spark_home(),
        SPARK_LOCAL_IP="127.0.0.1",
        PYSPARK_PYTHON=sys.executable,
        PYSPARK_DRIVER_PYTHON=sys.executable,
    )
    return env


def _wait_port(port: int, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        with socket.socket() as sock:
            sock.settimeout(1)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(1)
    raise RuntimeError(f"port {port} not open after {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _start(args: list[str], log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(
        args, stdout=handle, stderr=subprocess.STDOUT, env=_env(), start_new_session=True
    )


def stop(*processes: subprocess.Popen) -> None:
    """Stop the processes (their whole process group), waiting for them to end."""
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, 15)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()


def start_cluster(folder: Path, timeout: float = 240) -> list[subprocess.Popen]:
    """Start a standalone master and a worker (2 cores, 2 GB) on 127.0.0.1."""
    spark_class = os.path.join(spark_home(), "bin", "spark-class")
    master_log, worker_log = folder / "master.log", folder / "worker.log"
    master = _start(
        [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
         "--port", str(MASTER_PORT), "--webui-port", "18080"],
        master_log,
    )  # fmt: skip
    try:
        _wait_port(MASTER_PORT, master, master_log, timeout)
        worker = _start(
            [spark_class, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
             "--cores", "2", "--memory", "2g", "--webui-port", "18081",
             "--work-dir", str(folder / "work"), MASTER_URL],
            worker_log,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while "Successfully registered with master" not in worker_log.read_text():
            if worker.poll() is not None or time.monotonic() > deadline:
                stop(worker)
                raise RuntimeError(f"worker did not register:\n{worker_log.read_text()[-3000:]}")
            time.sleep(1)
    except BaseException:
        stop(master)
        raise
    return [master, worker]


def start_connect_server(folder: Path, timeout: float = 240) -> subprocess.Popen:
    """Start a Spark Connect server (``local[2]``, UTC) on 127.0.0.1."""
    submit = os.path.join(spark_home(), "bin", "spark-submit")
    log = folder / "connect.log"
    server = _start(
        [submit, "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
         "--master", "local[2]",
         "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
         "--conf", f"spark.connect.grpc.binding.port={CONNECT_PORT}",
         "--conf", "spark.sql.session.timeZone=UTC",
         "--conf", "spark.sql.shuffle.partitions=4",
         "--conf", "spark.ui.enabled=false",
         "--conf", f"spark.driver.extraJavaOptions=-Dderby.system.home={folder / 'derby'}",
         "--conf", f"spark.sql.warehouse.dir={folder / 'warehouse'}",
         "spark-internal"],
        log,
    )  # fmt: skip
    try:
        _wait_port(CONNECT_PORT, server, log, timeout)
    except BaseException:
        stop(server)
        raise
    return server
