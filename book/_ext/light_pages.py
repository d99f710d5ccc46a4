"""Lighter pages for readers on phones and slow networks (issue 17).

Measured with ``make bench`` (gzip level 6, empty cache), a text page weighed
438 KB, of which:

* 268 KB were the theme's two Font Awesome 6 fonts (solid and brands: every icon
  of Font Awesome, for the two dozen the pages show). Both are now subset, at
  build time, to the icons the built pages use (the ``fa-*`` classes in the HTML
  and the theme's scripts, and the icons the theme's stylesheets draw in
  admonition titles, breadcrumbs and the like), with HarfBuzz's subsetter
  (``icon_fonts/subset.mjs``, harfbuzzjs pinned in package-lock.json): about
  8 KB, inlined in the stylesheet, so icons appear with the first paint. The
  full fonts and the theme's fontawesome.js (2.5 MB that no page loads) are then
  deleted from the site.
* 20 KB of the theme's 65 KB stylesheet were the ``.fa-NAME:before`` rules of
  every Font Awesome icon: only the rules of icons in use are kept.
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
  (``theme_css/purge.mjs``, purgecss pinned in package-lock.json) at the end of the build:
  about 25 KB gzip-compressed less on every page.

MathJax was already linked only from pages with maths (Sphinx does that; see
``offline_assets.py``), and the widgets come from the course's own bundle
(``widget_bundle.py``).
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import subprocess
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TEMPLATES = HERE / "light_templates"
SUBSET_SCRIPT = HERE / "icon_fonts" / "subset.mjs"
PURGE_SCRIPT = HERE / "theme_css" / "purge.mjs"

THEME_CSS = "styles/pydata-sphinx-theme.css"  # under _static/, with the Font Awesome rules
OTHER_THEME_CSS = ("styles/sphinx-book-theme.css",)
WEBFONTS = "vendor/fontawesome/webfonts"
# Inlined into the stylesheet (every page draws icons from these); any other face
# is served as a subset file beside the stylesheet, fetched only if a page uses it.
INLINE_FONTS = {"fa-solid-900", "fa-brands-400"}
SUBSET_FOLDER = "course-icons"  # under _static/
# The theme's full Font Awesome files, which no page loads once the fonts are subset
# (and fontawesome.js, which course_style.py keeps off every page): not copied to the
# site. fontawesome.js.LICENSE.txt stays, the licence of the fonts in the subsets.
UNUSED_FONT_AWESOME = ("vendor/fontawesome", "scripts/fontawesome.js", "scripts/fontawesome.js.map")

# `.fa-rocket:before{content:"\f135"}`, with aliases: `.fa-search:before,.fa-magnifying-glass:before{...}`
ICON_RULE = re.compile(r'((?:\.fa-[a-z0-9-]+:{1,2}before,?)+)\{content:"((?:[^"\\]|\\.)*)"\}')
FONT_SRC = re.compile(
    r'src:url\(\.\./vendor/fontawesome/webfonts/(fa-[a-z]+-\d+)\.woff2\) format\("woff2"\),'
    r'url\(\.\./vendor/fontawesome/webfonts/\1\.ttf\) format\("truetype"\)')
CLASS_ATTRIBUTE = re.compile(r'class="([^"]*)"')
FA_NAME_IN_SCRIPT = re.compile(r'(?<![\w-])fa-[a-z0-9-]+')
CSS_ESCAPE = re.compile(r"\\([0-9a-fA-F]{1,6}) ?")

# Assets added to every page by an extension, and what a page must contain to need them.
def _classes(body: str) -> list[set[str]]:
    return [set(m.group(1).split()) for m in CLASS_ATTRIBUTE.finditer(body)]


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


def _configure(app: Sphinx, config) -> None:
    ours = str(TEMPLATES)
    config.templates_path = [ours, *[p for p in config.templates_path if p != ours]]


def _drop_unneeded_assets(app: Sphinx, pagename, templatename, context, doctree) -> None:
    classes = _classes(context.get("body") or "")
    needed: dict[str, bool] = {}

    def keep(asset) -> bool:
        name = Path(str(getattr(asset, "filename", "") or "").split("?")[0]).name
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


def _decode_css_string(value: str) -> str:
    return CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)


def _private_use(text: str) -> set[int]:
    return {ord(c) for c in text if 0xE000 <= ord(c) <= 0xF8FF}


def used_icon_names(outdir: Path) -> set[str]:
    """``fa-*`` names in the pages' class attributes and in the theme's scripts."""
    names: set[str] = set()
    for page in outdir.rglob("*.html"):
        if "_static" in page.relative_to(outdir).parts:
            continue
        for m in CLASS_ATTRIBUTE.finditer(page.read_text(encoding="utf-8")):
            names.update(token for token in m.group(1).split() if token.startswith("fa-"))
    static = outdir / "_static"
    for script in [*static.glob("*.js"), *static.glob("scripts/*.js")]:
        if script.name.startswith("fontawesome"):  # the theme's every-icon script, not loaded
            continue
        names.update(FA_NAME_IN_SCRIPT.findall(script.read_text(encoding="utf-8", errors="replace")))
    return names


def trim_icon_rules(css: str, used: set[str]) -> tuple[str, set[int]]:
    """Drop the ``.fa-NAME:before`` rules of icons not in ``used``; return the CSS and
    the code points the kept rules draw."""
    codepoints: set[int] = set()

    def rule(m: re.Match) -> str:
        selectors = m.group(1).rstrip(",").split(",")
        kept = [s for s in selectors if s.split(":")[0][1:] in used]
        if not kept:
            return ""
        codepoints.update(ord(c) for c in _decode_css_string(m.group(2)))
        return f'{",".join(kept)}{{content:"{m.group(2)}"}}'

    return ICON_RULE.sub(rule, css), codepoints


def subset_fonts(fonts: dict[str, Path], codepoints: set[int], cache_root: Path) -> dict[str, bytes]:
    """``{name: subset font bytes}``, made by icon_fonts/subset.mjs (cached by input)."""
    listing = ",".join(f"{cp:x}" for cp in sorted(codepoints))
    digest = hashlib.sha256(listing.encode() + SUBSET_SCRIPT.read_bytes())
    for name in sorted(fonts):
        digest.update(name.encode() + fonts[name].read_bytes())
    lock = ROOT / "package-lock.json"
    if lock.is_file():
        digest.update(lock.read_bytes())
    folder = cache_root / digest.hexdigest()[:16]
    if not all((folder / f"{name}.ttf").is_file() for name in fonts):
        node = shutil.which("node")
        if node is None:
            raise ExtensionError("node is not on PATH: it is needed to subset the icon fonts.")
        if not (ROOT / "node_modules" / "harfbuzzjs").is_dir():
            raise ExtensionError("node_modules/harfbuzzjs is missing: run `npm ci` (or `make book`).")
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        pairs = [str(p) for name in sorted(fonts) for p in (fonts[name], tmp / f"{name}.ttf")]
        result = subprocess.run([node, str(SUBSET_SCRIPT), listing, *pairs], cwd=ROOT,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise ExtensionError(f"subsetting the icon fonts failed:\n{result.stdout}\n{result.stderr}")
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)
    return {name: (folder / f"{name}.ttf").read_bytes() for name in fonts}


def _light_icons(app: Sphinx, exception) -> None:
    # the EPUB has the "epub" theme, without the site theme's icon fonts
    if exception or app.builder.format != "html" or app.builder.name == "epub":
        return
    outdir = Path(app.builder.outdir)
    static = outdir / "_static"
    theme_css = static / THEME_CSS
    if not theme_css.is_file():
        logger.warning("light_pages: %s not found; icon fonts not subset", theme_css,
                       type="track2", subtype="light_pages")
        return
    css = theme_css.read_text(encoding="utf-8")
    css, codepoints = trim_icon_rules(css, used_icon_names(outdir))
    # Icons the stylesheets draw themselves (admonitions, breadcrumbs, ...), now that
    # the icon rules not in use are gone: every private-use character left in them.
    codepoints |= _private_use(_decode_css_string(css))
    for other in OTHER_THEME_CSS:
        if (static / other).is_file():
            codepoints |= _private_use(_decode_css_string((static / other).read_text(encoding="utf-8")))
    faces = sorted(set(m.group(1) for m in FONT_SRC.finditer(css)))
    if len(faces) != 3:
        logger.warning("light_pages: expected the 3 Font Awesome faces in %s, found %s; the theme "
                       "changed, icon fonts not subset", THEME_CSS, faces, type="track2", subtype="light_pages")
        return
    subsets = subset_fonts({name: static / WEBFONTS / f"{name}.ttf" for name in faces}, codepoints,
                           Path(app.doctreedir).parent / "icon-fonts")
    (static / SUBSET_FOLDER).mkdir(exist_ok=True)

    def source(m: re.Match) -> str:
        name = m.group(1)
        if name in INLINE_FONTS:
            data = base64.b64encode(subsets[name]).decode("ascii")
            return f'src:url(data:font/ttf;base64,{data}) format("truetype")'
        (static / SUBSET_FOLDER / f"{name}.ttf").write_bytes(subsets[name])
        return f'src:url(../{SUBSET_FOLDER}/{name}.ttf) format("truetype")'

    theme_css.write_text(FONT_SRC.sub(source, css), encoding="utf-8")
    for unused in UNUSED_FONT_AWESOME:
        path = static / unused
        if path.is_dir():
            shutil.rmtree(path)
        elif path.is_file():
            path.unlink()
    purge_theme_css(outdir)


#: Besides the theme's: Sphinx's and the extensions' stylesheets that every page, or every page with
#: a notebook, links (render-blocking too); MyST-NB's has a checksum in its name.
PURGED_CSS = ("basic.css", "pygments.css", "mystnb.*.css")


def purge_theme_css(outdir: Path) -> None:
    """The theme's, Sphinx's and MyST-NB's stylesheets without the rules no page can use
    (theme_css/purge.mjs, PurgeCSS): they block every page's first paint, and most of their
    rules match nothing in the book (issue 27). The course's own stylesheets are left whole."""
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


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _configure)
    app.connect("html-page-context", _drop_unneeded_assets, priority=900)
    # after the theme's static files are copied
    app.connect("build-finished", _light_icons)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
