"""Build-time speed-ups that change nothing in the built pages (issue 17: the
chapter rebuild target of ``make bench``).

* sphinxcontrib-bibtex asks pybtex for its plain-text backend once for every
  citation it resolves (about 360 per build), and pybtex looks each request up
  among every installed package's entry points (about 5 ms each, almost 2 s per
  build). Registering the backend with pybtex's own ``register_plugin`` puts it
  among pybtex's run-time plugins, which pybtex consults first.
"""

from __future__ import annotations

import pybtex.plugin
from pybtex.backends.plaintext import Backend as PlaintextBackend
from sphinx.application import Sphinx


def setup(app: Sphinx) -> dict:
    pybtex.plugin.register_plugin("pybtex.backends", "plaintext", PlaintextBackend, force=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
