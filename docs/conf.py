"""Sphinx configuration of the snds-algos documentation.

Build: ``python -m sphinx -W --keep-going -b html docs docs/_build/html`` (``tox -e docs``).
The algorithm catalogue (``algorithms/``) and the table pages (``tables/``) are
generated at build time by ``_ext/snds_docs.py``; tutorials are notebooks executed
during the build.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))
sys.path.insert(0, str(HERE.parent))

import snds_algos  # noqa: E402

project = "snds-algos"
author = "snds-algos contributors"
copyright = "snds-algos contributors, MPL-2.0"
release = snds_algos.__version__
version = release

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx_design",
    "snds_docs",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
exclude_patterns = ["_build", "**.ipynb_checkpoints", "Thumbs.db", ".DS_Store", "jupyter_execute"]
root_doc = "index"
language = "en"

# MyST
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist", "substitution", "attrs_inline"]
myst_heading_anchors = 3

# notebooks: executed at every build, a failing cell fails the build
nb_execution_mode = os.environ.get("SNDS_ALGOS_NB_EXECUTION", "force")
nb_execution_timeout = 300
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True

# API reference from docstrings
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_typehints = "description"
autodoc_member_order = "bysource"
napoleon_numpy_docstring = True
napoleon_google_docstring = False
napoleon_use_rtype = False

# no network during the build (CI has none)
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

# HTML
html_theme = "pydata_sphinx_theme"
html_title = "snds-algos"
html_static_path: list[str] = []
templates_path = ["_templates"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 8,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"glossary": [], "design": []}
