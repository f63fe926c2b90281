"""From a cohort to a paper: baseline variables, Table 1, survival and feature exports.

Everything here reads cohort rows (any frame with ``patient_id, index_date``, or an
object with ``.rows``) and events; aggregates that leave the platform are suppressed by
default (:mod:`snds_algos.disclosure`). Optional libraries (lifelines, scikit-learn,
scipy) are imported inside the functions that need them.
"""

from typing import Any

from snds_algos.results.baseline import baseline_variables
from snds_algos.results.survival import survival_data, to_lifelines, to_sksurv
from snds_algos.results.table_one import TableOne, table_one

__all__ = [
    "LeakageError",
    "TableOne",
    "WindowFeatures",
    "baseline_variables",
    "survival_data",
    "table_one",
    "to_lifelines",
    "to_sksurv",
]


def __getattr__(name: str) -> Any:
    # the features need scikit-learn (extra ``ml``): imported on first use only
    if name in ("WindowFeatures", "LeakageError", "check_no_leakage"):
        from snds_algos.results import features

        return getattr(features, name)
    raise AttributeError(f"module 'snds_algos.results' has no attribute {name!r}")
