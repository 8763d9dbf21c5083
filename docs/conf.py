"""Sphinx configuration of the gamexplain documentation.

Build: ``sphinx-build -W -b html docs docs/_build/html``. The complexity table of the
reference page is generated from the registry at build time by the local extension
``_ext/complexity_table.py``; it is never copied by hand.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "gamexplain"
author = "the gamexplain authors"
copyright = "2025, the gamexplain authors"
extensions = ["myst_parser", "complexity_table"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_heading_anchors = 3
html_theme = "alabaster"
