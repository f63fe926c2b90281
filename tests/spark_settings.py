"""Spark settings scoped to the tests of one folder.

The root ``conftest._make_spark`` already switches whole-stage code generation and
adaptive execution off for the whole session. The events and OMOP tests run many jobs
on tables of a few rows, where generating code for each expression costs more than it
saves: they also interpret expressions (``spark.sql.codegen.factoryMode=NO_CODEGEN``).
That setting must stay scoped to those tests (set globally, it breaks the Spark catalog
listing), so it is set for each Spark test of the folder and restored afterwards.
Results do not depend on it.

A folder opts in by importing the fixture into its ``conftest.py``::

    from tests.spark_settings import interpreted_spark_expressions  # noqa: F401
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

#: what the opted-in Spark tests set on top of the session settings
INTERPRETED_EXPRESSIONS = {"spark.sql.codegen.factoryMode": "NO_CODEGEN"}


@pytest.fixture(autouse=True)
def interpreted_spark_expressions(request: pytest.FixtureRequest) -> Iterator[None]:
    """Interpret Spark expressions during each Spark test, restore the setting after."""
    if "spark" not in request.keywords:
        yield
        return
    spark = request.getfixturevalue("spark")
    before = {k: spark.conf.get(k, None) for k in INTERPRETED_EXPRESSIONS}
    for key, value in INTERPRETED_EXPRESSIONS.items():
        spark.conf.set(key, value)
    yield
    for key, value in before.items():
        if value is None:
            spark.conf.unset(key)
        else:
            spark.conf.set(key, value)
