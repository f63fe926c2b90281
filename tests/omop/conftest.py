"""The OMOP tests interpret Spark expressions (tiny tables: see tests/spark_settings.py)."""

from tests.spark_settings import interpreted_spark_expressions  # noqa: F401
