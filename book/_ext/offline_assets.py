"""Make every built page work offline: no script, font or style from a CDN.

Jupyter Book 1 loads require.js, the ipywidgets HTML manager and MathJax from
public CDNs, and sphinx-thebe adds an inline script (declared twice, which throws
``Identifier 'THEBE_JS_URL' has already been declared``) pointing at unpkg. This
extension serves pinned copies installed from npm (see ``package.json``) from the
site itself and drops the thebe scripts, which the course does not use.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

# Files copied from node_modules into _build/html/_static/offline/<target>.
VENDOR_FILES = {
    "requirejs/require.js": "require.js",
    "@jupyter-widgets/html-manager/dist/embed-amd.js": "html-manager/embed-amd.js",
    "@jupyter-widgets/html-manager/dist/*.woff2": "html-manager/",
    "@jupyter-widgets/html-manager/dist/*.woff": "html-manager/",
    "@jupyter-widgets/html-manager/dist/*.ttf": "html-manager/",
    "@jupyter-widgets/html-manager/dist/*.eot": "html-manager/",
    "@jupyter-widgets/html-manager/dist/*.svg": "html-manager/",
}
# MathJax loads components and fonts relative to its own script, so the whole
# es5 tree is served.
VENDOR_TREES = {"mathjax/es5": "mathjax"}

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"


def _configure(app: Sphinx, config) -> None:
    """Point myst-nb's widget scripts and Sphinx's MathJax at the local copies."""
    config.nb_ipywidgets_js = {
        "offline/require.js": {},
        "offline/html-manager/embed-amd.js": {
            # The built-in widgets ship inside embed-amd.js; any other widget
            # module would be looked up here, and only here.
            "data-jupyter-widgets-cdn": "_static/offline/",
            "data-jupyter-widgets-cdn-only": "",
        },
    }
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


# Runs before require.js loads (a global ``require`` object is read as its
# configuration). The modules bundled in embed-amd.js find their font files
# relative to their own module URL; mapping every one of them into the served
# folder keeps those requests on the site (otherwise they go beside the page, 404).
REQUIRE_CONFIG = """
var require = (function () {
  var root = new URL((document.documentElement.dataset.content_root || "") +
                     "_static/offline/html-manager/", window.location.href).href;
  var paths = {"@jupyter-widgets/html-manager/dist": root.slice(0, -1)};
  ["base", "base7", "controls", "controls7", "html-manager"].forEach(function (name) {
    paths["@jupyter-widgets/" + name] = root + name;
  });
  return {paths: paths};
})();
"""


def _configure_require(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """On pages with widgets, tell require.js where the HTML manager's files are."""
    scripts = [str(getattr(s, "filename", "") or "") for s in context.get("script_files", [])]
    if any(name.endswith("offline/html-manager/embed-amd.js") for name in scripts):
        app.add_js_file(None, body=REQUIRE_CONFIG, priority=400)


def _copy_vendor_files(app: Sphinx, exception) -> None:
    if exception or app.builder.format != "html":
        return
    if not NODE_MODULES.is_dir():
        raise ExtensionError(
            f"{NODE_MODULES} is missing: run `npm ci` (or `make book`) to install the "
            "front-end files the offline book serves itself."
        )
    out = Path(app.builder.outdir) / "_static" / "offline"
    for pattern, target in VENDOR_FILES.items():
        matches = sorted(NODE_MODULES.glob(pattern))
        if not matches:
            raise ExtensionError(f"node_modules/{pattern} not found: run `npm ci`.")
        for source in matches:
            dest = out / target / source.name if target.endswith("/") else out / target
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
    for source, target in VENDOR_TREES.items():
        shutil.copytree(NODE_MODULES / source, out / target, dirs_exist_ok=True)


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _configure)
    app.connect("html-page-context", _drop_thebe, priority=900)
    app.connect("html-page-context", _configure_require, priority=900)
    app.connect("build-finished", _copy_vendor_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
