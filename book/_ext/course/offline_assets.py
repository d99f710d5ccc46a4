"""Make every built page work offline: no script, font or style from a CDN.

Jupyter Book 1 loads require.js, the ipywidgets HTML manager and MathJax from
public CDNs. This extension serves MathJax, pinned and installed from npm (see
``package.json``), from the site itself (Sphinx adds it only to pages with maths).
The widgets come from the course's own bundle, built from npm packages too: see
``widget_bundle.py``.

The files built outside Sphinx (``make assets``: the widget bundle and the theme's stylesheet
with its icon fonts subset, see the Makefile) are in ``_build/assets/static/``, added here to
``html_static_path``: Sphinx copies them into ``_static/`` over the theme's own files, before
any page is written (so the ``?v=`` checksums in the pages are theirs). Not in the EPUB, which
runs no script and has its own theme.

Jupyter Book 1 always loads sphinx-thebe, which the course does not use (chapters
launch on Binder or a hub instead). It would add to every page an inline script
pointing at unpkg (declared twice, which throws ``Identifier 'THEBE_JS_URL' has
already been declared``), a thebe configuration naming a stranger's Binder
repository, a ``kernelName`` global, and two static files. Its event handlers
are disconnected, its stylesheet and static folder dropped, so none of that reaches
the site.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

from . import light_pages, widget_bundle

# MathJax loads components and fonts relative to its own script, so the whole
# es5 tree is served.
VENDOR_TREES = {"mathjax/es5": "mathjax"}

ROOT = Path(__file__).resolve().parents[3]
NODE_MODULES = ROOT / "node_modules"
#: What ``make assets`` builds (npm scripts in package.json), copied into _static/.
BUILT_ASSETS = ROOT / "_build" / "assets" / "static"
#: The files the modules need from it, under _static/.
BUILT_FILES = (*(f"{widget_bundle.TARGET}/{name}" for name in widget_bundle.OUTPUTS), *light_pages.BUILT_FILES)


def _configure(app: Sphinx, config) -> None:
    """Point Sphinx's MathJax at the local copy; serve the files ``make assets`` built."""
    config.mathjax_path = "offline/mathjax/tex-chtml.js"
    missing = [name for name in BUILT_FILES if not (BUILT_ASSETS / name).is_file()]
    if missing:
        raise ExtensionError(f"{BUILT_ASSETS} lacks {', '.join(missing)}: run `make assets` (`make book` does) "
                             "to build the widget bundle and the icon fonts with npm.")
    config.html_static_path = [*config.html_static_path, str(BUILT_ASSETS)]


def _not_in_the_epub(app: Sphinx) -> None:
    if app.builder.name == "epub":
        app.config.html_static_path = [p for p in app.config.html_static_path if p != str(BUILT_ASSETS)]


def _switch_off_thebe(app: Sphinx) -> None:
    """Disconnect sphinx-thebe's handlers (scripts, per-page configuration, static
    folder) and drop its stylesheet; fail the build if it is loaded and none is found."""
    try:
        import sphinx_thebe
    except ImportError:
        return
    handlers = {sphinx_thebe.st_static_path, sphinx_thebe.init_thebe_core,
                sphinx_thebe.update_thebe_context}
    found = [listener for listeners in app.events.listeners.values() for listener in listeners
             if listener.handler in handlers]
    if "sphinx_thebe" in app.extensions and not found:
        raise ExtensionError("offline_assets: sphinx-thebe changed: its handlers were not found, "
                             "so its unpkg script and configuration would reach every page.")
    for listener in found:
        app.disconnect(listener.id)
    app.registry.css_files = [(name, attrs) for name, attrs in app.registry.css_files
                              if name != "sphinx-thebe.css"]


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
    _switch_off_thebe(app)
    app.connect("config-inited", _configure)
    app.connect("builder-inited", _not_in_the_epub)
    app.connect("build-finished", _copy_vendor_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
