"""Spark settings for the OMOP tests: tiny tables, many small jobs (as tests/events).

Whole-stage code generation and adaptive execution cost more than they save on tables
of a few rows; they are switched off while these tests run and restored afterwards
(results do not depend on them).
"""

import pytest

_FAST_SPARK = {
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
}


@pytest.fixture(autouse=True)
def _fast_spark_for_tiny_tables(request):
    if "spark" not in request.keywords:
        yield
        return
    spark = request.getfixturevalue("spark")
    before = {k: spark.conf.get(k, None) for k in _FAST_SPARK}
    for key, value in _FAST_SPARK.items():
        spark.conf.set(key, value)
    yield
    for key, value in before.items():
        if value is None:
            spark.conf.unset(key)
        else:
            spark.conf.set(key, value)
