"""Sub-commands of the ``snds-algos`` command line, one module each.

A module exposes ``register(subparsers)`` which adds its parser and sets
``handler=<function(args) -> int>`` as a default; add its name to
:data:`snds_algos.cli.COMMANDS`.
"""
