"""The course's own widget bundle, in place of the ipywidgets HTML manager.

The HTML manager's ``embed-amd.js`` (3.6 MB, 894 KB gzip-compressed, plus
require.js) carries every ipywidgets 7 and 8 widget, an output-area renderer, a
JSON-schema validator and Font Awesome 5; the course's pages use a dozen widget
classes. ``widgets_bundle/build.mjs`` bundles exactly the classes listed in
``widgets_bundle/widgets.json`` (with esbuild, from the npm packages pinned by
package-lock.json; ``npm run build:widgets``, which ``make book`` runs when an input changed)
into ``_static/offline/widgets/track2-widgets.js`` (about
90 KB gzip-compressed; ``runtime.js`` is its widget manager, ``sanitize.js`` and
``jquery.cjs`` stand in for two large packages of which it needs one function
each) and its stylesheet. This extension:

* is given the built files (``_build/assets/static/``, served by ``offline_assets.py``);
* loads the bundle (``defer``) and its stylesheet on pages with widgets only;
* fails the build (a warning, and the book builds with ``-W``) when a page's
  widget state names a class the bundle does not have, saying what to add;
* writes a message where each widget will be, "This interactive view needs
  JavaScript", hidden while the bundle loads and removed once the widget is
  drawn: a reader whose browser could not load or run the bundle (or has
  JavaScript off) sees it instead of an empty space;
* keeps, while the bundle loads, the space each explorer will take (:func:`placeholder`),
  so the text under it does not move when it is drawn (issue 27).

The bundle's runtime makes the models of the first widget on a page first, then draws it,
then the others (``runtime.js``), so the first control works before every model of the
page is made (issue 27).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from track2.i18n import _

from .editions import StaticWidgetError, StaticWidgets

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "widgets_bundle"

TARGET = "offline/widgets"  # under _static/
SCRIPT = f"{TARGET}/track2-widgets.js"
STYLESHEET = f"{TARGET}/track2-widgets.css"
OUTPUTS = ("track2-widgets.js", "track2-widgets.css", "track2-widgets.LICENSES.txt")

STATE_TYPE = "application/vnd.jupyter.widget-state+json"
VIEW_TAG = '<script type="application/vnd.jupyter.widget-view+json">'
PENDING = "track2-widgets-pending"
def fallback() -> str:
    """The message where a widget will be, in the page's language (the track2 package's catalogue)."""
    return ('<p class="track2-widget-fallback">' + html.escape(_(
        "This interactive view needs JavaScript. Your browser has not run the page's widget code: reload "
        "the page, or open this notebook with the download or launch buttons at the top of the page.")) + "</p>")


def bundled_classes() -> dict[str, dict]:
    """widgets.json without its comment: ``{module: {"version": ..., "classes": [...]}}``."""
    spec = json.loads((SOURCE / "widgets.json").read_text(encoding="utf-8"))
    return {name: value for name, value in spec.items() if not name.startswith("//")}


def classes_in_state(state: dict) -> set[tuple[str, str, str]]:
    """Every (module, version, class) a widget state needs: models and views."""
    needed = set()
    for model in state.get("state", {}).values():
        needed.add((model["model_module"], model["model_module_version"], model["model_name"]))
        inner = model.get("state", {})
        if inner.get("_view_name"):
            needed.add((inner["_view_module"], inner["_view_module_version"], inner["_view_name"]))
    return needed


def missing_classes(state: dict) -> list[str]:
    bundled = bundled_classes()
    missing = []
    for module, version, name in sorted(classes_in_state(state)):
        spec = bundled.get(module)
        if spec is None or spec["version"].split(".")[0] != version.lstrip("^~").split(".")[0] \
                or name not in spec["classes"]:
            missing.append(f"{name} ({module} {version})")
    return missing


def _configure(app: Sphinx, config) -> None:
    # myst-nb adds these scripts to every page that has widget state, after it.
    config.nb_ipywidgets_js = {
        SCRIPT: {
            "defer": "defer",
            # a bundle that fails to load: show the fallback messages
            "onerror": f"document.documentElement.classList.remove('{PENDING}')",
        },
    }


def _page(app: Sphinx, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files", [])
    if not any(str(getattr(s, "filename", "") or "").endswith(SCRIPT) for s in scripts):
        return
    for asset in scripts:
        attributes = getattr(asset, "attributes", {})
        if attributes.get("type") == STATE_TYPE and attributes.get("body"):
            missing = missing_classes(json.loads(attributes["body"]))
            if missing:
                logger.warning(
                    "%s: widget classes not in the course's widget bundle: %s. Add them to "
                    "book/_ext/course/widgets_bundle/widgets.json.", pagename, ", ".join(missing),
                    type="track2", subtype="widget_bundle")
    app.add_css_file(STYLESHEET, priority=600)
    # before any other script: hides the fallback messages while the bundle loads
    app.add_js_file(None, body=f"document.documentElement.classList.add('{PENDING}');", priority=100)


PLACEHOLDER = "track2-widget-placeholder"


def placeholder(state: dict | None, model_id: str) -> str:
    """The space an explorer (track2.widgets.ViewSwitcher: a box of a choice control and a
    stack of views) will take once drawn, kept for it while the bundle loads: a box as high
    as the control's row, then the view it opens on, in the widget's own classes, invisible,
    inert and hidden from assistive technology. Without it the text under an explorer moved
    down by the view's height when the view was drawn (Lighthouse: layout shift 0.097 on the
    pair explorer, issue 27). The bundle removes it as it draws the widget (runtime.js);
    with JavaScript off, or once the bundle has failed, it is not shown (fallback.css).
    "" for any other widget, or a view the state lacks."""
    if not state:
        return ""
    widgets = StaticWidgets(state, slug="")
    try:
        inner = widgets.model(model_id).get("state", {})
        if not widgets.is_view_switcher(inner):
            return ""
        view = widgets.render(inner["children"][1])
    except (StaticWidgetError, KeyError, IndexError):
        return ""
    return (f'<div class="{PLACEHOLDER}" aria-hidden="true" inert><div class="{PLACEHOLDER}-control"></div>'
            f'<div class="widget-inline-hbox widget-html"><div class="widget-html-content">{view}</div></div></div>')


def add_fallback_messages(doctree: nodes.document, state: dict | None = None) -> int:
    """Put the fallback message before each widget view myst-nb wrote (a raw HTML node holding
    the view's script), and the explorers' :func:`placeholder` (from the page's widget
    ``state``) between them; return how many views."""
    views = [raw for raw in doctree.findall(nodes.raw)
             if "html" in raw.get("format", "").split() and raw.astext().startswith(VIEW_TAG)]
    for view in views:
        model_id = json.loads(view.astext()[len(VIEW_TAG):].split("</script>")[0])["model_id"]
        reserved = placeholder(state, model_id)
        if reserved:
            view.parent.insert(view.parent.index(view), nodes.raw("", reserved, format="html"))
        view.parent.insert(view.parent.index(view) - (1 if reserved else 0), nodes.raw("", fallback(), format="html"))
    return len(views)


def page_widget_state(app: Sphinx, docname: str) -> dict | None:
    """The page's widget state, as myst-nb collected it for the page's script, or None."""
    from myst_nb.sphinx_ import NbMetadataCollector

    found = NbMetadataCollector.get_js_files(app.env, docname).get("ipywidgets_state")
    return json.loads(found[1]["body"]) if found else None


def _fallback_messages(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """On the site's pages (the offline editions draw widgets as static views: editions.py)."""
    if app.builder.format == "html":
        add_fallback_messages(doctree, page_widget_state(app, docname))


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _configure)
    # after myst-nb adds a page's widget scripts
    app.connect("html-page-context", _page, priority=900)
    app.connect("doctree-resolved", _fallback_messages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
