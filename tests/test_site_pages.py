"""Pages a publisher would ship (issue 27), read from the built HTML with BeautifulSoup:
unique ids, no block inside a ``<summary>``, a description on every page, a home title
that says its name once, a real entry page, a 404 page that works at any depth (in
Chromium, behind a server that answers like GitHub Pages) and a sitemap; and, with Java
and vnu-jar, no error from the W3C Nu HTML checker. The fixes are in
book/_ext/course/course_site.py (and course_style.py for the ``<summary>``)."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import ROOT, toc_documents

sys.path.insert(0, str(ROOT / "book" / "_ext"))

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- #
# 3. Valid pages that search engines can read


def site_pages(html: Path) -> list[Path]:
    return sorted(p for p in html.rglob("*.html") if not {"_static", "_sources"} & set(p.relative_to(html).parts))


def soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_every_page_has_unique_ids_and_no_block_in_a_summary(built_html):
    problems = []
    for path in site_pages(built_html):
        tree = soup(path)
        repeated = {k: n for k, n in Counter(t["id"] for t in tree.find_all(id=True)).items() if n > 1}
        if repeated:
            problems.append(f"{path.relative_to(built_html)}: repeated ids {repeated}")
        for summary in tree.find_all("summary"):
            blocks = summary.find_all(["p", "div", "section", "ul", "ol", "table", "h1", "h2", "h3", "h4"])
            if blocks:
                problems.append(f"{path.relative_to(built_html)}: <{blocks[0].name}> inside <summary>")
                break
    assert problems == [], "\n".join(problems)


def test_exercise_links_still_lead_to_their_exercises(built_html):
    """Ids renamed by course_site.py: every in-page link still has its target."""
    for path in site_pages(built_html):
        tree = soup(path)
        ids = {t["id"] for t in tree.find_all(id=True)}
        missing = [a["href"] for a in tree.select('article a[href^="#"]') if a["href"][1:] and a["href"][1:] not in ids]
        assert missing == [], f"{path.relative_to(built_html)}: links to missing ids {missing}"


@pytest.mark.parametrize("document", toc_documents())
def test_every_page_has_a_description_and_a_title_said_once(built_html, document):
    tree = soup(built_html / f"{document}.html")
    assert tree.html.get("lang"), "lang on <html>"
    descriptions = tree.find_all("meta", attrs={"name": "description"})
    assert len(descriptions) == 1, f"{document}: {len(descriptions)} meta descriptions"
    text = descriptions[0]["content"]
    assert 40 <= len(text) <= 160, f"{document}: description of {len(text)} characters: {text!r}"
    title = tree.title.get_text()
    parts = [p.strip() for p in re.split(r"\s+—\s+", title)]
    assert len(parts) == len(set(parts)), f"{document}: the title repeats itself: {title!r}"


def test_the_search_page_has_a_description_too(built_html):
    tree = soup(built_html / "search.html")
    description = tree.select_one('meta[name="description"]')
    assert description and CONFIG["title"] in description["content"], "Lighthouse SEO: meta-description"


def test_the_home_page_title_is_the_course_name_once(built_html):
    assert soup(built_html / "book" / "intro.html").title.get_text() == CONFIG["title"]


def test_the_entry_page_is_a_real_page(built_html):
    text = (built_html / "index.html").read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith("<!doctype html>")
    tree = soup(built_html / "index.html")
    assert tree.html.get("lang") and tree.title.get_text() == CONFIG["title"]
    assert tree.find("meta", attrs={"name": "description"})["content"]
    home = tree.find("link", rel="canonical")["href"]
    assert (built_html / home).is_file() and home == "book/intro.html"
    assert tree.find("a", href=home), "a link home for a browser that does not forward"


def test_the_404_page_is_for_any_depth_and_not_indexed(built_html):
    tree = soup(built_html / "404.html")
    assert tree.html.get("lang") and "Page not found" in tree.title.get_text()
    base = tree.find("base")
    assert base and base["href"].startswith("/") and base["href"].endswith("/")
    assert tree.head.find(True).name in ("meta", "base") and tree.head.find("base") is tree.head.find_all(
        lambda t: t.has_attr("href") or t.has_attr("src"))[0], "<base> comes before any address"
    assert tree.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert tree.select_one('article a[href="book/intro.html"]')


class PagesLikeHandler(http.server.SimpleHTTPRequestHandler):
    """GitHub Pages for a project site: the book under /PREFIX/, 404.html for anything missing."""

    prefix = "/"

    def log_message(self, *args):
        pass

    def send_head(self):
        path = urlsplit(self.path).path
        if not path.startswith(self.prefix):
            return self._not_found()
        self.path = "/" + path[len(self.prefix):]
        target = Path(self.translate_path(self.path))
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return self._not_found()
        return super().send_head()

    def _not_found(self):
        body = (Path(self.directory) / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        import io

        return io.BytesIO(body)


def test_a_missing_address_at_any_depth_shows_the_404_page_in_the_books_look(chromium, built_html):
    from course.course_site import site_url

    class App:  # what site_url reads
        class config:  # noqa: N801
            html_baseurl = ""
            html_theme_options = {"repository_url": CONFIG["repository"]["url"]}

    prefix = urlsplit(site_url(App)).path
    handler = functools.partial(type("H", (PagesLikeHandler,), {"prefix": prefix}), directory=str(built_html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    context = chromium.new_context()
    try:
        page = context.new_page()
        failed = []
        page.on("response", lambda r: failed.append(f"{r.url} {r.status}") if r.status >= 400 and "no/such" not in r.url else None)
        response = page.goto(f"{base}{prefix}no/such/page.html", wait_until="load")
        assert response.status == 404
        assert page.locator("article h1").inner_text().strip() == "Page not found"
        assert page.evaluate("getComputedStyle(document.body).fontFamily") != "", "the theme's stylesheet loaded"
        assert failed == [], f"the 404 page loads missing files: {failed}"
        page.locator("article a", has_text="home page").click()
        page.wait_for_load_state("load")
        assert page.url == f"{base}{prefix}book/intro.html" and page.locator("article h1").count() == 1
    finally:
        context.close()
        server.shutdown()
        server.server_close()


def test_the_sitemap_lists_every_page_at_the_published_address(built_html):
    import xml.etree.ElementTree as ET

    from course.course_site import site_url

    class App:
        class config:  # noqa: N801
            html_baseurl = ""
            html_theme_options = {"repository_url": CONFIG["repository"]["url"]}

    base = site_url(App)
    owner, name = urlsplit(CONFIG["repository"]["url"]).path.strip("/").split("/")[:2]
    assert base == f"https://{owner.lower()}.github.io/{name}/"
    tree = ET.parse(built_html / "sitemap.xml")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = [loc.text for loc in tree.getroot().findall("s:url/s:loc", ns)]
    assert sorted(urls) == sorted(f"{base}{doc}.html" for doc in toc_documents())
    assert urls[0] == f"{base}book/intro.html", "the home page first"


def test_site_url_follows_the_repository_or_html_baseurl():
    from course.course_site import site_url

    def app(repo, baseurl=""):
        return type("App", (), {"config": type("C", (), {"html_baseurl": baseurl,
                                                        "html_theme_options": {"repository_url": repo}})})

    assert site_url(app("https://github.com/Fork-Org/my-course")) == "https://fork-org.github.io/my-course/"
    assert site_url(app("https://github.com/someone/someone.github.io")) == "https://someone.github.io/"
    assert site_url(app("https://gitlab.com/a/b", "https://course.example.edu/t2")) == "https://course.example.edu/t2/"
    assert site_url(app("https://gitlab.com/a/b")) == ""


def test_links_to_the_published_book_are_local_in_the_built_pages(built_html):
    """Exercise notebooks link their chapter by the published address (they are released on
    their own); the built page links its local copy, so the book works offline."""
    from bs4 import BeautifulSoup

    from course.course_site import local_book_uri
    from track2.tools.setup_cell import published_book_address

    address = published_book_address()
    # a link a reader follows (<a>); the head's <link rel="alternate"> name the published pages
    published_link = re.compile(rf'<a\s[^>]*href="{re.escape(address)}(book|exercises)/')
    for page in site_pages(built_html):
        assert not published_link.search(page.read_text(encoding="utf-8")), (
            f"{page.relative_to(built_html)} links the published book instead of its own copy")
    tree = BeautifulSoup((built_html / "exercises" / "07-evidence.html").read_text(encoding="utf-8"), "html.parser")
    assert tree.select_one('article a.reference.internal[href="../book/chapters/07-evidence.html"]')
    docs = {"book/glossary", "book/chapters/07-evidence"}
    on_the_site = {"book/glossary": "../book/glossary.html"}.get  # as the HTML builder gives it from exercises/
    assert local_book_uri(f"{address}book/glossary.html#term-x", address, docs, on_the_site) == (
        "../book/glossary.html#term-x")
    in_the_epub = {"book/glossary": "../book/glossary.xhtml"}.get
    assert local_book_uri(f"{address}book/glossary.html", address, docs, in_the_epub) == "../book/glossary.xhtml"
    in_one_page = {"book/glossary": "#document-book/glossary"}.get
    assert local_book_uri(f"{address}book/glossary.html#term-x", address, docs, in_one_page) == "#term-x"
    assert local_book_uri(f"{address}book/glossary.html", address, docs, in_one_page) == "#document-book/glossary"
    for other in ("https://example.org/", f"{address}book/missing.html", f"{address}data/README.md"):
        assert local_book_uri(other, address, docs, on_the_site) is None


def test_every_link_a_notebook_gives_to_the_published_book_leads_to_a_page_and_anchor_of_it(built_html):
    """The notebooks link the book by its published address (track2.tools.book_links): each such
    link names a page the build makes, and its anchor (a glossary term, a section) is on it."""
    import nbformat
    from bs4 import BeautifulSoup

    from track2.tools.setup_cell import published_book_address

    address = published_book_address()
    link = re.compile(rf"\]\({re.escape(address)}([^)#\s]+)(?:#([^)\s]+))?\)")
    checked, missing = 0, []
    for path in sorted([*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "exercises").glob("*.ipynb")]):
        for cell in nbformat.read(path, as_version=4).cells:
            for page, anchor in link.findall(cell.source if cell.cell_type == "markdown" else ""):
                checked += 1
                target = built_html / page
                if not target.is_file():
                    missing.append(f"{path.name}: {page} (no such page)")
                elif anchor and not BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser").find(id=anchor):
                    missing.append(f"{path.name}: {page}#{anchor} (no such anchor)")
    assert checked >= 10, f"only {checked} links to the published book found in the notebooks"
    assert not missing, missing


def test_unique_exercise_ids_names_each_after_its_box():
    from docutils import nodes
    from docutils.utils import new_document

    from course.course_site import unique_exercise_ids

    def box(box_id: str, content_id: str) -> nodes.Element:
        return nodes.container("", nodes.paragraph(text="1"), nodes.section("", ids=[content_id]), ids=[box_id])

    doctree = new_document("page")
    doctree += [box("x1", "exercise-content"), box("book/c-solution-1", "solution-content"),
                box("x2", "exercise-content"), nodes.section("", ids=["x2-content"]),
                box("x2", "exercise-content")]
    unique_exercise_ids(doctree)
    assert [s["ids"][0] for s in doctree.findall(nodes.section)] == [
        "x1-content", "book/c-solution-1-content", "x2-content-2", "x2-content", "x2-content-3"]
    plain = new_document("page")
    plain += nodes.section("", ids=["a-section"])
    unique_exercise_ids(plain)
    assert plain.children[0]["ids"] == ["a-section"]


def test_descriptions_are_cut_at_a_word():
    from course.course_site import shorten

    text = "word " * 60
    cut = shorten(text)
    assert len(cut) <= 160 and cut.endswith("word…")
    assert shorten("A short\n description.") == "A short description."


VNU = Path(os.environ.get("VNU_JAR", ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"))


def test_the_w3c_checker_finds_no_error(built_html):
    """The W3C Nu HTML checker on every page. Needs Java and the npm package vnu-jar
    (package.json installs it; or VNU_JAR=path/to/vnu.jar); fails, saying why, without them."""
    java = shutil.which("java")
    assert java and VNU.is_file(), (f"the W3C checker needs Java ({java or 'not found'}) and vnu.jar ({VNU}): "
                                    "install a JRE and run `npm ci`")
    pages = [str(p) for p in site_pages(built_html)]
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
                            capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [f"{Path(urlsplit(m.get('url', '')).path).relative_to(built_html)}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m.get("type") == "error"]
    assert errors == [], f"{len(errors)} W3C errors:\n" + "\n".join(errors[:40])

def test_unique_auto_ids_renumbers_a_repeated_citation_id_only():
    """A translated page's paragraphs number their citations from id1 again (each is parsed as a
    document of its own): a repeated automatic id gets the next free number; a repeated named id
    is left for the tests above to report."""
    from docutils import nodes
    from docutils.utils import new_document

    from course.course_site import unique_auto_ids

    doctree = new_document("page")
    doctree += [nodes.inline("", "a", ids=["id1"]), nodes.inline("", "b", ids=["id2"]),
                nodes.inline("", "c", ids=["id1"]), nodes.section("", ids=["named"]),
                nodes.section("", ids=["named"]), nodes.inline("", "d", ids=["id2"])]
    unique_auto_ids(doctree)
    assert [node["ids"][0] for node in doctree.children] == ["id1", "id2", "id0", "named", "named", "id3"]
