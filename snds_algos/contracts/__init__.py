"""Table contracts: what each SNDS table holds, normalisation of raw exports, validation.

>>> from snds_algos.contracts import get_contract
>>> get_contract("ER_PHA_F").required[:2]
['PHA_ACT_QSN', 'PHA_PRS_C13']
"""

from snds_algos.contracts.model import (
    YEAR_COLUMN,
    ColumnSpec,
    TableContract,
    get_contract,
    logical_name,
    physical_name,
    table_names,
)
from snds_algos.contracts.normalize import normalize
from snds_algos.contracts.validate import pandas_schema, spark_schema, validate

__all__ = [
    "YEAR_COLUMN",
    "ColumnSpec",
    "TableContract",
    "get_contract",
    "logical_name",
    "normalize",
    "pandas_schema",
    "physical_name",
    "spark_schema",
    "table_names",
    "validate",
]
