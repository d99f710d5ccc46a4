"""Static checks of the built book: every page exists, nothing comes from a CDN,
every internal link and anchor resolves."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from conftest import ROOT, toc_documents

# Attributes through which a page loads something (links to read elsewhere are fine).
LOADING = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"),
           ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"), ("object", "data")}
NAVIGATION_RELS = {"index", "search", "next", "prev", "canonical", "alternate", "author", "license", "help"}


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.loads: list[str] = []
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("id", "name"):
            if attrs.get(name):
                self.ids.add(attrs[name])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "link" and set((attrs.get("rel") or "").split()) & NAVIGATION_RELS:
            if attrs.get("href"):
                self.links.append(attrs["href"])
            return
        for (t, attribute) in LOADING:
            if tag == t and attrs.get(attribute):
                self.loads.append(attrs[attribute])


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def is_external(url: str) -> bool:
    return url.startswith("//") or urlsplit(url).scheme not in ("", "file")


def external_loads(html_dir: Path) -> dict[str, list[str]]:
    """Pages (relative path) that load something from outside the site, and what."""
    found = {}
    for page in sorted(html_dir.rglob("*.html")):
        if "_static" in page.parts:
            continue
        outside = [url for url in parse(page).loads if is_external(url)]
        if outside:
            found[str(page.relative_to(html_dir))] = outside
    return found


def test_every_toc_page_is_built(built_html):
    missing = [doc for doc in toc_documents() if not (built_html / f"{doc}.html").is_file()]
    assert not missing, f"pages in _toc.yml that were not built: {missing}"


def test_no_page_loads_anything_from_outside_the_site(built_html):
    assert external_loads(built_html) == {}


def test_widget_scripts_are_served_locally(built_html):
    page = built_html / "notebooks" / "institutions.html"
    paths = [urlsplit(url).path for url in parse(page).loads]
    assert any(path.endswith("_static/offline/widgets/track2-widgets.js") for path in paths)


def missing_loads(html_dir: Path) -> list[str]:
    """What a page loads from the site (scripts, styles, icons, images) that is not there:
    each would be an HTTP 404 for a reader."""
    missing = []
    for page in sorted(html_dir.rglob("*.html")):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        for url in parse(page).loads:
            path = unquote(urlsplit(url).path)
            if not is_external(url) and path and not (page.parent / path).resolve().is_file():
                missing.append(f"{page.relative_to(html_dir)}: {url}")
    return missing


def test_nothing_a_page_loads_is_missing(built_html):
    assert missing_loads(built_html) == []


def test_the_missing_file_check_finds_one(tmp_path):
    (tmp_path / "page.html").write_text('<link rel="icon" href="_static/gone.svg"><img src="there.png" alt="x">',
                                        encoding="utf-8")
    (tmp_path / "there.png").write_bytes(b"png")
    assert missing_loads(tmp_path) == ["page.html: _static/gone.svg"]


def test_every_page_has_the_course_favicon(built_html):
    """Browsers ask every page for an icon: without one, each page logs a 404."""
    logo = (ROOT / "book" / "images" / "logo.svg").read_bytes()
    without = []
    for document in [*toc_documents(), "search", "genindex"]:
        page = built_html / f"{document}.html"
        text = page.read_text(encoding="utf-8")
        icons = re.findall(r'<link rel="icon" href="([^"]+)"', text)
        if len(icons) != 1 or (page.parent / icons[0]).resolve().read_bytes() != logo:
            without.append(f"{document}: {icons}")
    assert not without, f"pages without the course's SVG favicon: {without}"


def test_no_thebe_on_any_page(built_html):
    """The course has no Thebe (Jupyter Book loads sphinx-thebe anyway): no configuration
    naming a stranger's Binder repository, no script, no static file."""
    found = [str(p.relative_to(built_html)) for p in built_html.rglob("*.html")
             if "thebe" in p.read_text(encoding="utf-8").lower()]
    found += [str(p.relative_to(built_html)) for p in (built_html / "_static").rglob("*thebe*")]
    assert found == []


def test_every_internal_link_resolves(built_html):
    cache: dict[Path, PageParser] = {}

    def parsed(page: Path) -> PageParser:  # each page once (setdefault would parse it on every call)
        if page not in cache:
            cache[page] = parse(page)
        return cache[page]

    broken = []
    for page in sorted(built_html.rglob("*.html")):
        if "_static" in page.parts or "_sources" in page.parts:
            continue
        for href in parsed(page).links:
            if is_external(href) or href.startswith(("mailto:", "javascript:")):
                continue
            url, fragment = urldefrag(href)
            target = page if not url else (page.parent / unquote(urlsplit(url).path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{page.relative_to(built_html)}: {href} (no such file)")
            elif fragment and target.suffix == ".html":
                ids = parsed(target).ids
                if unquote(fragment) not in ids:
                    broken.append(f"{page.relative_to(built_html)}: {href} (no such anchor)")
    assert not broken, "broken internal links:\n" + "\n".join(broken)


@pytest.mark.parametrize("notebook", sorted(p.relative_to(ROOT) for p in ROOT.glob("notebooks/*.ipynb")),
                         ids=str)
def test_every_notebook_is_in_the_book(notebook):
    assert str(notebook.with_suffix("")) in toc_documents()
