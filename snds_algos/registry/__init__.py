"""The algorithm registry: cards, discovery, releases, checks, docs pages.

>>> import snds_algos
>>> isinstance(snds_algos.algorithms(), list)
True

Public interface:

* :func:`algorithms` and :func:`get` (also ``snds_algos.algorithms()`` / ``snds_algos.get()``);
* :class:`Algorithm`: ``id``, ``version``, ``status``, ``title``, ``card``, ``path``,
  ``run``, ``definition``, ``code_lists``;
* :func:`load_folder` to read an algorithm folder, :data:`ENTRY_POINT_GROUP` for plug-ins;
* :func:`validate_card` / :class:`CardError`, :func:`fingerprint` / :func:`release`,
  :func:`run_checks`, :func:`new_algorithm`, :func:`algorithm_page`.

Importing this package reads no algorithm and imports neither pandas nor PySpark.
"""

from snds_algos.registry.checks import Problem, run_checks
from snds_algos.registry.discovery import (
    ENTRY_POINT_GROUP,
    Registry,
    RegistryWarning,
    UnknownAlgorithmError,
    algorithms,
    builtin_root,
    discover,
    get,
    refresh,
)
from snds_algos.registry.model import Algorithm, load_folder, read_code_list, read_code_rows
from snds_algos.registry.releases import ReleaseError, fingerprint, read_released, release
from snds_algos.registry.render import algorithm_page, definition_tree, summary_text
from snds_algos.registry.scaffold import (
    ScaffoldError,
    example_algorithm,
    example_card,
    new_algorithm,
    new_version,
)
from snds_algos.registry.schema import (
    STATUSES,
    CardError,
    card_problems,
    card_schema,
    validate_card,
)

__all__ = [
    "ENTRY_POINT_GROUP",
    "STATUSES",
    "Algorithm",
    "CardError",
    "Problem",
    "Registry",
    "RegistryWarning",
    "ReleaseError",
    "ScaffoldError",
    "UnknownAlgorithmError",
    "algorithm_page",
    "algorithms",
    "builtin_root",
    "card_problems",
    "card_schema",
    "definition_tree",
    "discover",
    "example_algorithm",
    "example_card",
    "fingerprint",
    "get",
    "load_folder",
    "new_algorithm",
    "new_version",
    "read_code_list",
    "read_code_rows",
    "read_released",
    "refresh",
    "release",
    "run_checks",
    "summary_text",
    "validate_card",
]
