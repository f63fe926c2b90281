"""Declarative case definitions: who is a case of a condition in a reference year.

A definition is data (YAML for contributors, Python objects for programmers): named
criteria over events, combined with ``any`` / ``all`` / ``not``. The engine runs it on
events of either backend and returns one row per person identified.
"""

from snds_algos.cases.definition import Criterion, Definition, load_definition
from snds_algos.cases.engine import identify
from snds_algos.cases.schema import DefinitionError, definition_problems

__all__ = [
    "Criterion",
    "Definition",
    "DefinitionError",
    "definition_problems",
    "identify",
    "load_definition",
]
