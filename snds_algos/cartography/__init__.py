"""The CNAM cartography in one run: every implemented CT_IND_AAAA_GN flag for year N,
one row per person of the cartography population, with the CNAM's structure.

* ``flags.yaml`` (this folder): the flag structure as data (each CT_IND column, the
  algorithm version and output that gives it, exclusive acute / chronic pairs and their
  unions, sex restrictions, sources, sourced or to verify), read by :func:`load_flags`;
* :func:`cartography_population`: who is counted in year N;
* :func:`run_cartography`: the run, with the events extracted once for every flag.
"""

from snds_algos.cartography.population import cartography_population
from snds_algos.cartography.run import (
    cartography_flags,
    merged_definition,
    run_cartography,
    shared_events,
)
from snds_algos.cartography.structure import Flag, FlagsError, FlagSet, Output, load_flags

__all__ = [
    "Flag",
    "FlagSet",
    "FlagsError",
    "Output",
    "cartography_flags",
    "cartography_population",
    "load_flags",
    "merged_definition",
    "run_cartography",
    "shared_events",
]
