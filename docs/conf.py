"""Sphinx configuration of the ocpp-toolkit documentation site.

Build: ``sphinx-build -W -b html docs <out>`` (``tests/test_docs.py`` does this and also runs
every ```python block of the Markdown pages). Pages are Markdown (MyST); the API reference
is autodoc over the packages' docstrings.
"""

import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

project = "ocpp-toolkit"
author = "ocpp-toolkit contributors"
copyright = "ocpp-toolkit contributors"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.viewcode",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# MyST: ```python no-run marks an illustrative block the test suite does not execute
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options: dict[str, bool] = {}

html_theme = "alabaster"
html_title = "ocpp-toolkit"


def _absolute_module_refs(  # noqa: PLR0917 (the autodoc-process-docstring signature)
    app: object, what: str, name: str, obj: object, options: object, lines: list[str]
) -> None:
    """Resolve ``:mod:`.sibling``` in docstrings against the documented object's package.

    Sphinx reads a leading dot as "any module ending in this name", which is ambiguous when two
    packages both have e.g. a ``connection`` module; in our docstrings it always means the
    sibling module.
    """
    module = name if what == "module" else getattr(obj, "__module__", None) or name
    package = module if _is_package(module) else module.rpartition(".")[0]
    for i, line in enumerate(lines):
        lines[i] = re.sub(
            r":mod:`\.([A-Za-z_][\w.]*)`",
            lambda m: f":mod:`.{m.group(1)} <{package}.{m.group(1)}>`",
            line,
        )


def _is_package(module: str) -> bool:
    found = sys.modules.get(module)
    return found is not None and hasattr(found, "__path__")


def setup(app: Any) -> None:
    app.connect("autodoc-process-docstring", _absolute_module_refs)
