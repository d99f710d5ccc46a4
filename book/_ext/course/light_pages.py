"""Lighter pages for readers on phones and slow networks (issue 17).

Measured with ``make bench`` (gzip level 6, empty cache), a text page weighed
438 KB, of which:

* 268 KB were the theme's two Font Awesome 6 fonts (solid and brands: every icon
  of Font Awesome, for the two dozen the pages show). Both are subset, outside
  Sphinx (``npm run build:icons``, which ``make book`` runs when an input changed:
  ``icon_fonts/build.mjs``, HarfBuzz's subsetter, harfbuzzjs pinned in
  package-lock.json), to the icons listed in ``icon_fonts/icons.json`` and those the
  theme's stylesheets draw in admonition titles, breadcrumbs and the like: about
  8 KB, inlined in the stylesheet, so icons appear with the first paint. The build
  copies that stylesheet over the theme's (``offline_assets.py``), fails (a warning,
  and the book builds with ``-W``) when a page shows an icon not in icons.json, naming
  both, and deletes the full fonts and the theme's fontawesome.js (2.5 MB that no page
  loads) from the site.
* 20 KB of the theme's 65 KB stylesheet were the ``.fa-NAME:before`` rules of
  every Font Awesome icon: only the rules of the listed icons are kept.
* 29 KB were Sphinx's search index and search tools, which pydata-sphinx-theme
  loads on every page for a search-as-you-type the course does not use; they now
  load on the search page only (``light_templates/layout.html``).
* 10 KB were sphinx-design's stylesheet and script (no page uses a design
  element), 7 KB the copy button (needed only where there is code) and 4 KB the
  toggle button (needed only where there is a dropdown): each is now linked only
  from the pages that have what it works on.

* (issue 27) The theme's stylesheet, about 45 KB of its 51 KB unused on every page
  (Lighthouse) and render-blocking, and Sphinx's and MyST-NB's: the rules that match
  nothing in any page or in the scripts the pages load are dropped with PurgeCSS
  (``theme_css/purge.mjs``, purgecss pinned in package-lock.json) when the build finishes
  (it reads the built pages, so it cannot run before Sphinx as the bundling does): about
  25 KB gzip-compressed less on every page.

* (issue 27) 23 KB were the theme's bootstrap.js (all of Bootstrap's JavaScript and Popper),
  used for the header's two menus, the back-to-top button and tooltips. The course's
  ``static/course/header_menus.js`` (under 1 KB) opens the menus and runs the button
  (``light_templates/layout.html`` loads it instead); the buttons' titles are the browser's own
  tooltips. bootstrap.js is not copied to the site.
* (issue 27) The launch menu's Binder and Colab logos (7 KB) load only when the menu opens
  (``loading="lazy"``: a lazy image in a hidden menu is not fetched; ``light_templates/header-buttons-macros.html``).
* (issue 27) 3 KB were the comments of the course's own stylesheet: served minified
  (:data:`MINIFIED_CSS`).
* (issue 27) Sphinx's and the extensions' scripts in the <head> (doctools, copy button, book
  theme...) held up the parsing of every page: now deferred (:data:`DEFERRED_SCRIPTS`).

MathJax was already linked only from pages with maths (Sphinx does that; see
``offline_assets.py``), and the widgets come from the course's own bundle
(``widget_bundle.py``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from bs4 import BeautifulSoup
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
TEMPLATES = HERE / "light_templates"
PURGE_SCRIPT = HERE / "theme_css" / "purge.mjs"
ICONS = HERE / "icon_fonts" / "icons.json"

#: What ``npm run build:icons`` writes, under _static/: the theme's stylesheet (with the solid and
#: brands subsets inlined) and the regular face's subset, fetched only by a page that uses it.
THEME_CSS = "styles/pydata-sphinx-theme.css"
BUILT_FILES = (THEME_CSS, "course-icons/fa-regular-400.ttf")
# The theme's full Font Awesome files, which no page loads once the fonts are subset
# (and fontawesome.js, which light_templates/layout.html keeps off every page): not copied to the
# site. fontawesome.js.LICENSE.txt stays, the licence of the fonts in the subsets.
UNUSED_FONT_AWESOME = ("vendor/fontawesome", "scripts/fontawesome.js", "scripts/fontawesome.js.map")
#: The theme's Bootstrap script, which light_templates/layout.html replaces with the course's
#: header_menus.js: not copied to the site (and, removed before the CSS is purged, the rules
#: only Bootstrap's script could use are dropped too).
UNUSED_BOOTSTRAP = ("scripts/bootstrap.js", "scripts/bootstrap.js.map", "scripts/bootstrap.js.LICENSE.txt")

FA_NAME_IN_SCRIPT = re.compile(r'(?<![\w-])fa-[a-z0-9-]+')


def page_classes(markup: str) -> list[set[str]]:
    """The classes of each element of an HTML page or fragment that has any."""
    return [set(tag["class"]) for tag in BeautifulSoup(markup, "html.parser").find_all(class_=True)]


# Assets added to every page by an extension, and what a page must contain to need them.

def _needs_design(classes) -> bool:
    return any(token.startswith("sd-") for tokens in classes for token in tokens)


def _needs_copybutton(classes) -> bool:
    return any("highlight" in tokens for tokens in classes)


def _needs_togglebutton(classes) -> bool:
    # sphinx-togglebutton's selector: '.toggle, .admonition.dropdown'
    return any("toggle" in tokens or {"admonition", "dropdown"} <= tokens for tokens in classes)


OPTIONAL_ASSETS = {
    "sphinx-design.min.css": _needs_design,
    "design-tabs.js": _needs_design,
    "copybutton.css": _needs_copybutton,
    "copybutton.js": _needs_copybutton,
    "clipboard.min.js": _needs_copybutton,
    "togglebutton.css": _needs_togglebutton,
    "togglebutton.js": _needs_togglebutton,
}


#: Scripts Sphinx and the extensions put in every page's <head> without ``defer``: each held up
#: the parsing of the page (and so the widget bundle, which runs once the page is parsed) until it
#: had loaded and run, behind the stylesheets. Each waits for the page to be parsed before it does
#: anything (doctools' ``_ready``, the others' DOMContentLoaded checks), and those that need another
#: come after it (clipboard.min.js before copybutton.js): deferred, they run in the same order, just
#: before DOMContentLoaded (issue 27). Not on the search page, where Sphinx's search scripts use
#: doctools.js as they load. documentation_options.js stays: inline scripts set its options.
#: translations.js (translated pages) calls doctools' Documentation, so it is deferred with it.
DEFERRED_SCRIPTS = ("doctools.js", "sphinx_highlight.js", "translations.js", "clipboard.min.js", "copybutton.js",
                    "togglebutton.js", "design-tabs.js", "sphinx-book-theme.js")


def _asset_name(asset) -> str:
    return Path(str(getattr(asset, "filename", "") or "").split("?")[0]).name


def _defer_head_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if pagename == "search":
        return
    scripts = context.get("script_files", [])
    for index, asset in enumerate(scripts):
        attributes = getattr(asset, "attributes", None)
        if _asset_name(asset) in DEFERRED_SCRIPTS and attributes is not None \
                and not {"defer", "async"} & set(attributes):
            # a new object for this page: Sphinx shares one per script between all the pages
            scripts[index] = type(asset)(asset.filename, priority=asset.priority, **{**attributes, "defer": "defer"})


def _configure(app: Sphinx, config) -> None:
    ours = str(TEMPLATES)
    config.templates_path = [ours, *[p for p in config.templates_path if p != ours]]


def _drop_unneeded_assets(app: Sphinx, pagename, templatename, context, doctree) -> None:
    classes = page_classes(context.get("body") or "")
    needed: dict[str, bool] = {}

    def keep(asset) -> bool:
        name = _asset_name(asset)
        test = OPTIONAL_ASSETS.get(name)
        if test is None:
            return True
        if name not in needed:
            needed[name] = test(classes)
        return needed[name]

    for key in ("script_files", "css_files"):
        # in place: Sphinx adds later per-page files to this same list
        context[key][:] = [asset for asset in context.get(key, []) if keep(asset)]


# --------------------------------------------------------------------------- #
# Icon fonts


def used_icon_names(outdir: Path) -> set[str]:
    """``fa-*`` names in the pages' class attributes and in the theme's scripts."""
    names: set[str] = set()
    for page in outdir.rglob("*.html"):
        parts = page.relative_to(outdir).parts
        # not the static files, nor a translated book nested in the site (zh_CN/, with a
        # _static/ of its own): its own build checks it, and may be copying it in meanwhile
        if "_static" in parts or any((outdir.joinpath(*parts[:i]) / "_static").is_dir()
                                     for i in range(1, len(parts))):
            continue
        for classes in page_classes(page.read_text(encoding="utf-8")):
            names.update(name for name in classes if name.startswith("fa-"))
    static = outdir / "_static"
    for script in [*static.glob("*.js"), *static.glob("scripts/*.js")]:
        if script.name.startswith("fontawesome"):  # the theme's every-icon script, not loaded
            continue
        names.update(FA_NAME_IN_SCRIPT.findall(script.read_text(encoding="utf-8", errors="replace")))
    return names


def listed_icons() -> set[str]:
    """The icons ``icon_fonts/icons.json`` keeps in the theme's stylesheet and subset fonts."""
    return set(json.loads(ICONS.read_text(encoding="utf-8"))["icons"])


def unlisted_icons(outdir: Path, listed: set[str], rules: set[str]) -> set[str]:
    """The icons (``fa-*`` names with a rule in the theme's full stylesheet, ``rules``) that
    the built pages or the theme's scripts use but icons.json does not list."""
    return (used_icon_names(outdir) & rules) - listed


def theme_icon_names() -> set[str]:
    """Every icon name the installed theme's full stylesheet has a ``.fa-NAME:before`` rule for."""
    import pydata_sphinx_theme

    css = (Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / THEME_CSS)
    return set(re.findall(r"\.(fa-[a-z0-9-]+):{1,2}before", css.read_text(encoding="utf-8")))


def _light_icons(app: Sphinx, exception) -> None:
    # the EPUB has the "epub" theme, without the site theme's icon fonts
    if exception or app.builder.format != "html" or app.builder.name == "epub":
        return
    static = Path(app.builder.outdir) / "_static"
    missing = unlisted_icons(Path(app.builder.outdir), listed_icons(), theme_icon_names())
    if missing:
        logger.warning("light_pages: the pages show Font Awesome icons that the subset fonts lack: %s. Add "
                       "them to book/_ext/course/icon_fonts/icons.json (make book then builds the subset again).",
                       ", ".join(sorted(missing)), type="track2", subtype="light_pages")
    for unused in (*UNUSED_FONT_AWESOME, *UNUSED_BOOTSTRAP):
        path = static / unused
        if path.is_dir():
            shutil.rmtree(path)
        elif path.is_file():
            path.unlink()
    purge_theme_css(Path(app.builder.outdir))
    minify_course_css(Path(app.builder.outdir))


#: Besides the theme's: Sphinx's and the extensions' stylesheets that every page, or every page with
#: a notebook, links (render-blocking too); MyST-NB's has a checksum in its name.
OTHER_THEME_CSS = ("styles/sphinx-book-theme.css",)
#: The widget bundle's stylesheet (Lumino's and ipywidgets' styles, for every widget of
#: @jupyter-widgets/controls: sliders, date pickers, tags...) is purged too, against the
#: bundle, which names the classes its widgets draw: 9 KB gzip-compressed, 5 KB left (issue 27).
PURGED_CSS = ("basic.css", "pygments.css", "mystnb.*.css", "offline/widgets/track2-widgets.css")


def purge_theme_css(outdir: Path) -> None:
    """The theme's, Sphinx's and MyST-NB's stylesheets without the rules no page can use
    (theme_css/purge.mjs, PurgeCSS): they block every page's first paint, and most of their
    rules match nothing in the book (issue 27), and the widget bundle's. The course's own stylesheets
    are left whole."""
    static = outdir / "_static"
    sheets = [f"_static/{name}" for name in (THEME_CSS, *OTHER_THEME_CSS) if (static / name).is_file()]
    sheets += sorted(str(path.relative_to(outdir)) for pattern in PURGED_CSS for path in static.glob(pattern))
    node = shutil.which("node")
    if node is None:
        raise ExtensionError("node is not on PATH: it is needed to drop the theme's unused CSS.")
    if not (ROOT / "node_modules" / "purgecss").is_dir():
        raise ExtensionError("node_modules/purgecss is missing: run `npm ci` (or `make book`).")
    result = subprocess.run([node, str(PURGE_SCRIPT), str(outdir), *sheets], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise ExtensionError(f"dropping the theme's unused CSS failed:\n{result.stdout}\n{result.stderr}")


#: The course's own stylesheet, commented for the people who edit it: three fifths of its gzip-compressed
#: bytes, on every page, were comments. Served minified (esbuild, pinned in package-lock.json), every
#: rule kept (issue 27).
MINIFIED_CSS = ("course/course_style.css",)


def minify_course_css(outdir: Path) -> None:
    """Minify the course's stylesheets in the built site, in place (:data:`MINIFIED_CSS`)."""
    esbuild = ROOT / "node_modules" / ".bin" / "esbuild"
    if not esbuild.is_file():
        raise ExtensionError("node_modules/.bin/esbuild is missing: run `npm ci` (or `make book`).")
    for name in MINIFIED_CSS:
        path = outdir / "_static" / name
        if not path.is_file():
            continue
        result = subprocess.run([str(esbuild), str(path), "--minify", "--allow-overwrite", f"--outfile={path}",
                                 "--log-level=warning"], cwd=ROOT, capture_output=True, text=True)
        if result.returncode != 0:
            raise ExtensionError(f"minifying {name} failed:\n{result.stdout}\n{result.stderr}")


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _configure)
    app.connect("html-page-context", _drop_unneeded_assets, priority=900)
    app.connect("html-page-context", _defer_head_scripts, priority=950)
    # after the theme's static files are copied
    app.connect("build-finished", _light_icons)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
