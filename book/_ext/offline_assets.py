"""Make every built page work offline: no script, font or style from a CDN.

Jupyter Book 1 loads require.js, the ipywidgets HTML manager and MathJax from
public CDNs, and sphinx-thebe adds an inline script (declared twice, which throws
``Identifier 'THEBE_JS_URL' has already been declared``) pointing at unpkg. This
extension serves MathJax, pinned and installed from npm (see ``package.json``),
from the site itself (Sphinx adds it only to pages with maths) and drops the thebe
scripts, which the course does not use. The widgets come from the course's own
bundle, built from npm packages too: see ``widget_bundle.py``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

# MathJax loads components and fonts relative to its own script, so the whole
# es5 tree is served.
VENDOR_TREES = {"mathjax/es5": "mathjax"}

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"


def _configure(app: Sphinx, config) -> None:
    """Point Sphinx's MathJax at the local copy."""
    config.mathjax_path = "offline/mathjax/tex-chtml.js"


def _drop_thebe(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Remove sphinx-thebe's scripts: the course has no thebe, and they fetch from unpkg."""
    def is_thebe(asset) -> bool:
        body = getattr(asset, "attributes", {}).get("body") or ""
        name = str(getattr(asset, "filename", "") or "")
        return "THEBE_JS_URL" in body or name.endswith(("sphinx-thebe.js", "sphinx-thebe.css"))

    for key in ("script_files", "css_files"):
        # in place: Sphinx adds later per-page files to this same list
        context[key][:] = [asset for asset in context.get(key, []) if not is_thebe(asset)]


def _copy_vendor_files(app: Sphinx, exception) -> None:
    if exception or app.builder.format != "html":
        return
    if not NODE_MODULES.is_dir():
        raise ExtensionError(
            f"{NODE_MODULES} is missing: run `npm ci` (or `make book`) to install the "
            "front-end files the offline book serves itself."
        )
    # Sphinx links MathJax only from pages with maths; without any, nothing to serve
    if not app.env.get_domain("math").has_equations():
        return
    out = Path(app.builder.outdir) / "_static" / "offline"
    for source, target in VENDOR_TREES.items():
        if not (NODE_MODULES / source).is_dir():
            raise ExtensionError(f"node_modules/{source} not found: run `npm ci`.")
        shutil.copytree(NODE_MODULES / source, out / target, dirs_exist_ok=True)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _configure)
    app.connect("html-page-context", _drop_thebe, priority=900)
    app.connect("build-finished", _copy_vendor_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
