"""Light pages (issue 17; book/_ext/course/light_pages.py, widget_bundle.py, offline_assets.py):
each page within its weight budget, icon fonts subset to the icons the pages show
(and every one of those icons still in them), the search index on the search page
only, MathJax and the plugins' files only where a page uses them. `make bench`
measures the same weights (median of 3 loads) and the widgets' start-up time."""

from __future__ import annotations

import base64
import gzip
import re
import struct
from html.parser import HTMLParser
from pathlib import Path

import sys

import pytest

from browser import WIDGET_CONTROL, WIDGET_VIEW_TYPE
from conftest import ROOT, published_languages, toc_documents

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from course import light_pages  # noqa: E402

KB = 1024
WIDGET_PAGE_BUDGET = 900 * KB  # gzip level 6, empty cache (issue 17)
OTHER_PAGE_BUDGET = 300 * KB
THEME_CSS = "_static/styles/pydata-sphinx-theme.css"


class Assets(HTMLParser):
    """Scripts, stylesheets and class attributes of one page."""

    def __init__(self):
        super().__init__()
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.classes: list[set[str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"].split("?")[0])
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "") and attrs.get("href"):
            self.styles.append(attrs["href"].split("?")[0])
        if attrs.get("class"):
            self.classes.append(set(attrs["class"].split()))


def pages(html_dir: Path) -> dict[str, Assets]:
    found = {}
    for page in sorted(html_dir.rglob("*.html")):
        if {"_static", "_sources"} & set(page.relative_to(html_dir).parts):
            continue
        parser = Assets()
        parser.feed(page.read_text(encoding="utf-8"))
        found[str(page.relative_to(html_dir))] = parser
    return found


def loads(parser: Assets, name: str) -> bool:
    return any(Path(url).name == name for url in parser.scripts + parser.styles)


def test_search_index_and_tools_load_on_the_search_page_only(built_html):
    found = pages(built_html)
    # each published language has its own search page (_build/html/<lang>/search.html)
    search_pages = {"search.html", *(f"{language}/search.html" for language in published_languages())}
    for search in search_pages:
        assert loads(found[search], "searchindex.js") and loads(found[search], "searchtools.js"), search
    elsewhere = {name for name, p in found.items() if name not in search_pages
                 and (loads(p, "searchindex.js") or loads(p, "searchtools.js") or loads(p, "language_data.js"))}
    assert elsewhere == set()


def test_mathjax_only_on_pages_with_maths(built_html):
    for name, parser in pages(built_html).items():
        has_maths = any("math" in c and ({"notranslate", "nohighlight"} & c) for c in parser.classes)
        assert loads(parser, "tex-chtml.js") == has_maths, name


def test_plugin_files_only_on_pages_that_use_them(built_html):
    """sphinx-design (no page uses it), the copy button (pages with code) and the toggle
    button (pages with dropdowns): linked where needed, and only there."""
    for name, parser in pages(built_html).items():
        design = any(token.startswith("sd-") for c in parser.classes for token in c)
        code = any("highlight" in c for c in parser.classes)
        toggles = any("toggle" in c or {"admonition", "dropdown"} <= c for c in parser.classes)
        assert loads(parser, "sphinx-design.min.css") == design, name
        assert loads(parser, "copybutton.js") == code and loads(parser, "clipboard.min.js") == code, name
        assert loads(parser, "togglebutton.js") == toggles, name
    assert loads(pages(built_html)["exercises/01-tracks.html"], "togglebutton.js")


class Scripts(HTMLParser):
    """The external scripts of one page: ``[(file name, attributes)]``."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.found.append((Path(attrs["src"].split("?")[0]).name, attrs))


def scripts_of(page: Path) -> list[tuple[str, dict]]:
    parser = Scripts()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


def test_no_page_loads_bootstraps_script_and_the_header_menus_get_the_courses(built_html):
    """The theme's bootstrap.js (23 KB gzip-compressed) is replaced by header_menus.js on
    every page with the theme's header (issue 27), and is not in the site."""
    for name, parser in pages(built_html).items():
        assert not loads(parser, "bootstrap.js"), name
        if any("dropdown-toggle" in c for c in parser.classes) or any("theme-switch-button" in c for c in parser.classes):
            assert loads(parser, "header_menus.js"), name
    assert not (built_html / "_static" / "scripts" / "bootstrap.js").exists()
    assert (built_html / "_static" / "course" / "header_menus.js").is_file()


def test_no_stylesheet_waits_on_another(built_html):
    """Every stylesheet a page needs is linked from the page: none is found only inside another
    (``@import``, which the browser fetches one after the other; the theme's styles/theme.css
    imported Sphinx's basic.css, issue 27), and every linked one exists."""
    linked = set()
    for name, parser in pages(built_html).items():
        for href in parser.styles:
            sheet = (built_html / name).parent / href
            assert sheet.is_file(), f"{name} links {href}, which is not in the site"
            linked.add(sheet.resolve())
    assert built_html.joinpath("_static", "basic.css").resolve() in linked
    imports = {str(sheet.relative_to(built_html.resolve())) for sheet in linked
               if "@import" in sheet.read_text(encoding="utf-8")}
    assert imports == set(), f"stylesheets that import another: {sorted(imports)}"


def test_head_scripts_are_deferred_except_on_the_search_page(built_html):
    """Sphinx's and the plug-ins' scripts no longer hold up the parsing of a page (issue 27);
    the search page keeps them as they were (its search scripts use doctools.js as they load)."""
    search_pages = {"search.html", *(f"{language}/search.html" for language in published_languages())}
    checked = set()
    for name in pages(built_html):
        for script, attributes in scripts_of(built_html / name):
            if script in light_pages.DEFERRED_SCRIPTS:
                checked.add(script)
                assert ("defer" in attributes) == (name not in search_pages), (name, script)
            if script == "documentation_options.js":  # inline scripts set its options
                assert "defer" not in attributes and "async" not in attributes, name
    assert {"doctools.js", "sphinx-book-theme.js", "copybutton.js", "togglebutton.js"} <= checked


# --------------------------------------------------------------------------- #
# Icon fonts


def cmap(font: bytes) -> set[int]:
    """The code points a TrueType font maps to a glyph (cmap formats 4 and 12)."""
    tables = {font[12 + 16 * i:16 + 16 * i].decode("latin-1"): struct.unpack(">II", font[20 + 16 * i:28 + 16 * i])
              for i in range(struct.unpack(">H", font[4:6])[0])}
    base = tables["cmap"][0]
    mapped: set[int] = set()
    for i in range(struct.unpack(">H", font[base + 2:base + 4])[0]):
        offset = base + struct.unpack(">I", font[base + 8 + 8 * i:base + 12 + 8 * i])[0]
        kind = struct.unpack(">H", font[offset:offset + 2])[0]
        if kind == 4:
            segments = struct.unpack(">H", font[offset + 6:offset + 8])[0] // 2
            words = lambda at, n=segments: struct.unpack(f">{n}H", font[at:at + 2 * n])  # noqa: E731
            ends = words(offset + 14)
            starts = words(offset + 16 + 2 * segments)
            deltas = words(offset + 16 + 4 * segments)
            ranges_at = offset + 16 + 6 * segments
            ranges = words(ranges_at)
            for s in range(segments):
                for cp in range(starts[s], ends[s] + 1):
                    if cp == 0xFFFF:
                        continue
                    if ranges[s] == 0:
                        glyph = (cp + deltas[s]) & 0xFFFF
                    else:
                        at = ranges_at + 2 * s + ranges[s] + 2 * (cp - starts[s])
                        glyph = struct.unpack(">H", font[at:at + 2])[0]
                        glyph = (glyph + deltas[s]) & 0xFFFF if glyph else 0
                    if glyph:
                        mapped.add(cp)
        elif kind == 12:
            groups = struct.unpack(">I", font[offset + 12:offset + 16])[0]
            for g in range(groups):
                start, end, _ = struct.unpack(">III", font[offset + 16 + 12 * g:offset + 28 + 12 * g])
                mapped.update(range(start, end + 1))
    return mapped


def css_string(value: str) -> str:
    return re.sub(r"\\([0-9a-fA-F]{1,6}) ?", lambda m: chr(int(m.group(1), 16)), value)


@pytest.fixture(scope="module")
def icon_faces(built_html) -> dict[str, set[int]]:
    """The code points of each Font Awesome face the theme's stylesheet declares."""
    css = (built_html / THEME_CSS).read_text(encoding="utf-8")
    faces = {}
    for rule in re.findall(r"@font-face\{([^}]*)\}", css):
        family = re.search(r"font-family:([^;]*)", rule).group(1)
        if "Font Awesome" not in family:
            continue
        weight = re.search(r"font-weight:(\d+)", rule).group(1)
        url = re.search(r"src:url\(([^)]*)\)", rule).group(1)
        if url.startswith("data:"):
            data = base64.b64decode(url.split(",", 1)[1])
        else:
            data = (built_html / THEME_CSS).parent.joinpath(url).resolve().read_bytes()
        is_truetype = data[:4] in (b"\x00\x01\x00\x00", b"true")  # (the theme's own fonts are WOFF2)
        faces[("brands" if "Brands" in family else "regular" if weight == "400" else "solid")] = (
            data, cmap(data) if is_truetype else set())
    return faces


def test_icon_fonts_are_subsets_served_with_the_stylesheet(built_html, icon_faces):
    css = (built_html / THEME_CSS).read_text(encoding="utf-8")
    assert "vendor/fontawesome/webfonts" not in css  # the full fonts (268 KB) are no longer used
    assert set(icon_faces) == {"solid", "brands", "regular"}
    for name, (data, mapped) in icon_faces.items():
        assert len(data) < 16 * KB, name
        assert len(mapped) < 80, name  # of about 1,400 solid and 500 brand icons
    assert "data:font/ttf;base64," in css  # solid and brands arrive with the stylesheet


def test_the_full_font_awesome_files_are_not_in_the_site(built_html):
    """No page loads them once the fonts are subset: 2.5 MB the site need not carry."""
    static = built_html / "_static"
    left = [str(p.relative_to(static)) for p in static.rglob("*fontawesome*")
            if p.is_file() and not p.name.endswith("LICENSE.txt")]
    left += [str(p.relative_to(static)) for p in static.rglob("fa-*.woff2")]
    assert left == []
    assert (static / "scripts" / "fontawesome.js.LICENSE.txt").is_file(), "the fonts' licence stays"


def test_every_icon_the_pages_show_is_in_the_subset_fonts(built_html, icon_faces):
    css = (built_html / THEME_CSS).read_text(encoding="utf-8")
    glyphs = {}
    for selectors, content in re.findall(r'((?:\.fa-[a-z0-9-]+:{1,2}before,?)+)\{content:"((?:[^"\\]|\\.)*)"\}', css):
        for selector in selectors.rstrip(",").split(","):
            glyphs[selector.split(":")[0][1:]] = css_string(content)
    missing = set()
    shown = 0
    for name, parser in pages(built_html).items():
        for classes in parser.classes:
            icons = {c for c in classes if c in glyphs}
            if not icons or not classes & {"fa", "fas", "far", "fab", "fa-solid", "fa-regular", "fa-brands"}:
                continue
            face = ("brands" if classes & {"fab", "fa-brands"} else
                    "regular" if classes & {"far", "fa-regular"} else "solid")
            for icon in icons:
                shown += 1
                if not {ord(c) for c in glyphs[icon]} <= icon_faces[face][1]:
                    missing.add(f"{icon} ({face}) on {name}")
    assert shown > 100 and {"fa-rocket", "fa-github", "fa-magnifying-glass"} <= set(glyphs)
    assert missing == set()
    # icons the theme's stylesheet draws itself: admonition titles, breadcrumbs, external links
    drawn = {m for value in re.findall(r'--pst-icon-[a-z-]+:"((?:[^"\\]|\\.)*)"', css)
             for m in css_string(value) if 0xE000 <= ord(m) <= 0xF8FF}
    assert len(drawn) >= 10
    brands = {"\uf09b", "\uf296"}  # github, gitlab
    assert {ord(c) for c in drawn - brands} <= icon_faces["solid"][1]
    assert {ord(c) for c in drawn & brands} <= icon_faces["brands"][1]


def test_every_listed_icon_is_shown_somewhere(built_html):
    """icons.json keeps no icon that no page shows (each costs the subset fonts a glyph)."""
    assert light_pages.listed_icons() - light_pages.used_icon_names(built_html) == set()


def test_an_icon_missing_from_the_list_is_named_by_the_build_check(tmp_path):
    """The build's check (light_pages.py, at the end of the build, a warning: `-W` fails) finds
    an icon a page shows that icons.json lacks, and only that."""
    (tmp_path / "page.html").write_text('<i class="fa-solid fa-trash-can"></i><i class="fa-solid fa-rocket"></i>'
                                        '<span class="fa-lg fa-not-an-icon"></span>', encoding="utf-8")
    rules = light_pages.theme_icon_names()
    assert {"fa-trash-can", "fa-rocket"} <= rules and "fa-not-an-icon" not in rules
    assert light_pages.unlisted_icons(tmp_path, light_pages.listed_icons(), rules) == {"fa-trash-can"}


# --------------------------------------------------------------------------- #
# The theme's stylesheets without their unused rules (PurgeCSS, light_pages.py, issue 27)


def _rule_selectors(css: str) -> set[str]:
    """Every selector of every plain rule (outside @font-face and the like)."""
    return {sel.strip() for block in re.findall(r"(?:^|[}{])\s*([^{}@]+)\{", css) for sel in block.split(",")}


def test_theme_stylesheet_keeps_only_rules_the_pages_can_use(built_html):
    import pydata_sphinx_theme

    theme = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / THEME_CSS[8:]
    original, built = theme.read_text(encoding="utf-8"), (built_html / THEME_CSS).read_text(encoding="utf-8")
    before, after = _rule_selectors(original), _rule_selectors(built)
    # Bootstrap's pagination, spinners, accordions, range inputs and close buttons are named in no
    # page and no script: their rules are gone (the theme's stylesheet has them: the check can fail)
    unused = re.compile(r"\.(pagination|spinner-border|accordion|form-range|btn-close)(?![\w-])")
    assert [s for s in before if unused.search(s)]
    assert not [s for s in after if unused.search(s)]
    # what the pages and their scripts use stays: the header, the sidebar, the dark mode's
    # colours, the menus Bootstrap opens (.show) and the dark menus the theme's script sets
    for needed in (".bd-header", ".bd-sidebar-primary", "html[data-theme=dark]", ".dropdown-menu.show",
                   ".dropdown-menu-dark", ".tooltip", ".theme-switch-button"):
        assert any(needed in s for s in after), needed
    assert len(built) < 0.5 * len(original), f"{len(built)} of {len(original)} bytes kept"
    assert "sourceMappingURL" not in built  # the theme's source map no longer describes it


def test_the_courses_stylesheet_is_served_minified_with_every_rule(built_html):
    """course_style.css without its comments and spaces (light_pages.MINIFIED_CSS, issue 27):
    every class, @-rule and declaration of the source still there."""
    source = (ROOT / "book" / "_ext" / "course" / "static" / "course" / "course_style.css").read_text(encoding="utf-8")
    served = (built_html / "_static" / "course" / "course_style.css").read_text(encoding="utf-8")
    assert "/*" in source and "/*" not in served
    assert len(gzip.compress(served.encode(), 6)) < 0.5 * len(gzip.compress(source.encode(), 6))
    classes = re.compile(r"\.[a-zA-Z_][\w-]*")
    without_comments = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
    assert set(classes.findall(without_comments)) <= set(classes.findall(served))
    assert sorted(re.findall(r"@[a-z-]+", without_comments)) == sorted(re.findall(r"@[a-z-]+", served))
    # every property set in the source is set in the served stylesheet
    properties = re.compile(r"(?<![\w-])(-{0,2}[a-z][\w-]*)\s*:(?!:)[^;{}]*[;}]")
    assert set(properties.findall(without_comments.replace("\n", " "))) <= set(properties.findall(served))


def test_colour_mode_is_resolved_before_the_page_draws(chromium, site):
    """A first visit (no stored mode) in a dark system: <html> says dark before the body is
    parsed, not "auto" until the theme's deferred script runs (a late restyle that moved
    the home page's text: Lighthouse layout shift 0.054, issue 27)."""
    context = chromium.new_context(color_scheme="dark")
    page = context.new_page()
    page.add_init_script("""new MutationObserver((_, observer) => {
      if (document.body && window.__themeAtBody === undefined) {
        window.__themeAtBody = document.documentElement.dataset.theme;
        observer.disconnect();
      }
    }).observe(document, {childList: true, subtree: true});""")
    try:
        page.goto(site.base + "book/intro.html", wait_until="load")
        assert page.evaluate("window.__themeAtBody") == "dark"
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    finally:
        context.close()


# --------------------------------------------------------------------------- #
# In the browser: what a reader with an empty cache downloads


@pytest.mark.parametrize("document", [*toc_documents(), "search"])
def test_page_weight_within_budget(chromium, site, built_html, document):
    """Every file the page loads from the site, gzip-compressed at level 6 as a static
    host serves it: <= 900 KB on a page with widgets, <= 300 KB on any other."""
    has_widgets = WIDGET_VIEW_TYPE in (built_html / f"{document}.html").read_text(encoding="utf-8")
    context = chromium.new_context()
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(site.base)
               else route.abort())
    try:
        page.goto(site.base + document + ".html", wait_until="load")
        if has_widgets:
            page.wait_for_selector(WIDGET_CONTROL, timeout=15000)
        page.evaluate("document.fonts.ready.then(() => true)")
        page.wait_for_load_state("networkidle")
        fonts = page.evaluate("[...document.fonts].map(f => [f.family, f.weight, f.status])")
        sizes = {r.url[len(site.base):]: len(gzip.compress(r.body(), compresslevel=6))
                 for r in responses if r.url.startswith(site.base) and r.ok}
    finally:
        context.close()
    budget = WIDGET_PAGE_BUDGET if has_widgets else OTHER_PAGE_BUDGET
    largest = sorted(sizes.items(), key=lambda kv: -kv[1])[:5]
    assert sum(sizes.values()) <= budget, f"{sum(sizes.values()) / KB:.0f} KB; largest: {largest}"
    assert not [url for url in sizes if "fontawesome" in url or url.endswith((".woff2", ".woff"))]
    assert [f for f in fonts if f[2] == "error"] == []  # every font, the subset icons too, decodes
    assert any("Font Awesome 6 Free" in f[0] and f[2] == "loaded" for f in fonts)  # header icons drawn
