"""Pages a publisher would ship: valid HTML and what search engines read (issue 27).

Found with the W3C Nu HTML checker and Lighthouse's SEO audit on the built book
(tests/test_site_pages.py checks each point on the built HTML):

* **Unique ids.** sphinx-exercise wraps the text of every exercise and solution in
  ``<section id="exercise-content">`` (``solution-content``), so a page with three
  exercises had three elements with one id (32 duplicates on 14 pages; W3C error).
  Each such id is renamed after the exercise or solution box it sits in
  (``x01-per-track-content``); nothing links to the old ids.
* **A description on every page** (``<meta name="description">``): the page's
  ``description`` in its front matter, or else the text of its first paragraph (outside
  admonitions, tables and code), cut at a word near 160 characters.
* **A home page title that says its name once**: the root page's ``<title>`` was
  "Track 2 Diplomacy in the Asia-Pacific — Track 2 Diplomacy in the Asia-Pacific"
  (page title, then the book title); a page whose title is the book's gets no suffix
  (the ``htmltitle`` block of ``light_templates/layout.html``).
* **A real entry page.** Jupyter Book (sphinx-external-toc) writes ``index.html`` as one
  bare ``<meta http-equiv="Refresh">`` line, with no doctype, language or title. It is
  replaced by a small valid page (doctype, ``lang``, title, description, a canonical
  link) that forwards to the home page and links to it for a reader whose browser does
  not forward.
* **A 404 page** (``404.html``, which GitHub Pages serves for any missing address) in
  the book's look, with links home, to the contents and to search. It is served at
  any depth, so it carries ``<base href>`` with the site's path, and ``noindex``.
* **A sitemap** (``sitemap.xml``) of every page of the book, with absolute addresses.
* **No stale pages.** Sphinx never deletes what an earlier build wrote, so a page taken out
  of ``_toc.yml`` stayed in ``_build/html`` (reachable, in the tests' page lists, unlike the
  sitemap). When the build finishes, every ``.html`` file that no page of this build wrote
  is deleted, with its copy in ``_sources``: not Sphinx's own folders (``_static`` ...), the
  translated editions' folders or the offline editions' (copied in by ``make``), nor the
  entry page (written just after).

The site's address is ``html_baseurl`` when set, or else the GitHub Pages address of
``repository.url`` in ``_config.yml`` (``https://OWNER.github.io/REPO/``), so a fork
that publishes itself gets its own; a translated build's pages (its sitemap, its 404
page's base) are at that address followed by the language's folder (``language_url``).
"""

from __future__ import annotations

import glob
import html
import re
from pathlib import Path
from urllib.parse import urlsplit

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.util import logging

from track2.tools.setup_cell import book_address

from .editions import SITE_FOLDER
from .translations import LANGUAGES, SOURCE_LANGUAGE, language_folder

logger = logging.getLogger(__name__)

DESCRIPTION_LENGTH = 160
NOT_FOUND = "404"

#: The ids sphinx-exercise gives the text section of every exercise and solution box.
CONTENT_IDS = ("exercise-content", "solution-content")


def unique_exercise_ids(doctree: nodes.document) -> None:
    """Rename sphinx-exercise's repeated ``exercise-content``/``solution-content`` section ids
    after the exercise or solution box each one belongs to (``x01-r1-content``), in the
    document tree before the page is written."""
    sections = [s for s in doctree.findall(nodes.section) if s["ids"] and s["ids"][0] in CONTENT_IDS]
    if not sections:
        return
    taken = {i for node in doctree.findall(nodes.Element) for i in node["ids"]}
    for section in sections:
        box = section.parent
        while box is not None and not (isinstance(box, nodes.Element) and box["ids"]):
            box = box.parent
        base = f"{box['ids'][0]}-content" if box is not None else section["ids"][0]
        new, n = base, 1
        while new in taken:
            n += 1
            new = f"{base}-{n}"
        taken.add(new)
        section["ids"][0] = new


SKIP_ANCESTORS = (nodes.Admonition, nodes.sidebar, nodes.topic, nodes.table, nodes.footnote,
                  nodes.citation, addnodes.glossary, nodes.literal_block, nodes.field_list)


def _skipped(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, SKIP_ANCESTORS):
            return True
        classes = parent.get("classes", []) if isinstance(parent, nodes.Element) else []
        if {"cell_output", "cell_input", "admonition"} & set(classes) or parent.tagname.startswith("exercise"):
            return True
        parent = parent.parent
    return False


def shorten(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—–-(")
    return cut + "…"


def page_description(doctree: nodes.document | None, metadata: dict) -> str:
    """The front matter's ``description``, or the first paragraph's text."""
    given = str(metadata.get("description") or "").strip()
    if given:
        return shorten(given)
    if doctree is None:
        return ""
    for paragraph in doctree.findall(nodes.paragraph):
        if _skipped(paragraph):
            continue
        text = paragraph.astext()
        if len(text.split()) >= 6:
            return shorten(text)
    return ""


def site_url(app: Sphinx) -> str:
    """The published address of the book, ending in ``/`` ("" if it cannot be known)."""
    repo = (app.config.html_theme_options or {}).get("repository_url") or ""
    return book_address(repo, app.config.html_baseurl or "")


def language_url(app: Sphinx) -> str:
    """The published address of this build's root ("" if it cannot be known): the site's, in a
    translated build followed by the language's folder (``.../zh_CN/``), as ``make translations``
    places it."""
    base = site_url(app)
    return base + language_folder(app.config.language or SOURCE_LANGUAGE) if base else ""


def local_book_uri(uri: str, address: str, docnames, relative_uri) -> str | None:
    """A link to the published book (notebooks carry them, so that they work in JupyterLab and in a
    released assignment: track2.tools.exercises) as a link to the page's own copy in this build,
    so the book works offline: ``relative_uri(docname)`` is the builder's address of that page
    (``.html`` on the website, ``.xhtml`` in the EPUB, an anchor in the single page the PDF is
    printed from). ``None`` for any other link."""
    if not address or not uri.startswith(address):
        return None
    path, _, anchor = uri[len(address):].partition("#")
    docname = path.removesuffix(".html")
    if not path.endswith(".html") or docname not in docnames:
        return None
    target = relative_uri(docname)
    if anchor:  # the page's own anchor; in a single page the anchor alone
        target = f"#{anchor}" if target.startswith("#") else f"{target.split('#')[0]}#{anchor}"
    return target


def _local_book_links(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    address = site_url(app)
    for node in doctree.findall(nodes.reference):
        target = local_book_uri(node.get("refuri", ""), address, app.env.all_docs,
                                lambda other: app.builder.get_relative_uri(docname, other))
        if target is not None:
            node["refuri"], node["internal"] = target, True


#: Docutils' automatic ids (``id1``, ``id2``...), which sphinxcontrib-bibtex gives each citation.
AUTO_ID = re.compile(r"id\d+")


def unique_auto_ids(doctree: nodes.document) -> None:
    """Rename a repeated automatic id (``id10`` twice): in a translated page Sphinx parses each
    translated paragraph as a small document of its own, whose citations are numbered from 1
    again. The first keeps its id; the others get the next free number (nothing links to these
    citation ids: the bibliography's entries have their own)."""
    seen, taken = set(), {i for node in doctree.findall(nodes.Element) for i in node["ids"]}
    number = 0
    for node in doctree.findall(nodes.Element):
        for k, name in enumerate(node["ids"]):
            if name in seen and AUTO_ID.fullmatch(name):
                while f"id{number}" in taken:
                    number += 1
                node["ids"][k] = name = f"id{number}"
                taken.add(name)
            seen.add(name)


def _unique_ids(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    unique_exercise_ids(doctree)
    unique_auto_ids(doctree)


def _page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    metatags = context.get("metatags", "")
    if pagename == NOT_FOUND:
        path = urlsplit(language_url(app)).path or "/"
        # first in <head>: every relative address on the page resolves from the site's root
        context["metatags"] = (f'<base href="{html.escape(path, quote=True)}">\n'
                               '<meta name="robots" content="noindex">\n' + metatags)
        return
    if 'name="description"' not in metatags:
        metadata = app.env.metadata.get(pagename, {}) if pagename in app.env.all_docs else {}
        description = page_description(doctree, metadata)
        if not description and pagename == "search":  # a page with no text of its own (Lighthouse SEO)
            description = f"Search every page of {book_title(app)}: chapters, exercises, data notebooks and glossary."
        if description:
            context["metatags"] = metatags + f'\n<meta name="description" content="{html.escape(description, quote=True)}" />'


NOT_FOUND_BODY = """<section id="page-not-found">
<h1>Page not found</h1>
<p>There is no page at this address in <em>{title}</em>. It may have moved, or the address may be mistyped.</p>
<ul>
<li><a href="{home}">Go to the course's home page</a></li>
<li><a href="{how_to}">How to use this course</a>, with every chapter</li>
<li><a href="search.html">Search the course</a></li>
</ul>
</section>"""


def book_title(app: Sphinx) -> str:
    """The book's title (Jupyter Book gives it to Sphinx as ``html_title``)."""
    return app.config.html_title or app.config.project


def _not_found_page(app: Sphinx):
    if app.builder.format != "html" or app.builder.name != "html":
        return []
    home = app.builder.get_target_uri(app.config.root_doc)
    how_to = "book/how-to-use.html" if "book/how-to-use" in app.env.all_docs else home
    body = NOT_FOUND_BODY.format(title=html.escape(book_title(app)), home=home, how_to=how_to)
    context = {"title": "Page not found", "body": body, "display_toc": False}
    return [(NOT_FOUND, context, "page.html")]


ENTRY_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<meta name="description" content="{description}">
<link rel="canonical" href="{home}">
<link rel="icon" href="{icon}">
<meta http-equiv="refresh" content="0; url={home}">
<style>
:root {{ color-scheme: light dark; }}
body {{ font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }}
a {{ font-weight: 600; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
<p>{description}</p>
<p><a href="{home}">Open the course</a></p>
</main>
</body>
</html>
"""


def entry_page(title: str, description: str, home: str, icon: str, lang: str = "en") -> str:
    esc = lambda s: html.escape(s, quote=True)  # noqa: E731
    return ENTRY_PAGE.format(lang=esc(lang), title=esc(title), description=esc(description), home=esc(home),
                             icon=esc(icon))


def sitemap(urls: list[str]) -> str:
    entries = "".join(f"  <url><loc>{html.escape(u)}</loc></url>\n" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</urlset>\n")


def _not_pages(first: str) -> bool:
    """Whether ``first``, a folder of the site's root, is one the book's pages are never in:
    Sphinx's own (``_static``, ``_sources``, ``_images``...: a leading underscore), the translated
    editions' and the offline editions' (copied in by ``make translations`` and ``make editions``)."""
    return first.startswith("_") or first in LANGUAGES or first == SITE_FOLDER


def _record_page(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Note every page this build writes (its documents, and Sphinx's and the extensions'
    own: search, genindex, 404)."""
    if not hasattr(app.builder, "track2_pages"):
        app.builder.track2_pages = set()
    app.builder.track2_pages.add(pagename)


def stale_pages(outdir: Path, current: set[Path]) -> list[Path]:
    """The ``.html`` files in ``outdir`` that are not ``current`` (the pages of this build) and
    not in a folder the book's pages are never in (:func:`_not_pages`); the entry page
    ``index.html`` is rewritten after (:func:`_finish`)."""
    # the folders the book's pages are never in are not even listed: `make book` may be copying a
    # translated edition into its folder while this build finishes
    top = [entry for entry in outdir.iterdir() if not _not_pages(entry.name)]
    pages = [entry for entry in top if entry.suffix == ".html"]
    pages += [page for entry in top if entry.is_dir() for page in entry.rglob("*.html")]
    return sorted(page for page in pages if page not in current and page != outdir / "index.html")


def _remove_stale_pages(app: Sphinx, outdir: Path) -> None:
    """Delete the pages an earlier build wrote for documents this one has not (a page taken out
    of _toc.yml), and their ``_sources`` copies."""
    # every document (written or, in an incremental build, left as it was) and the extra pages
    names = set(app.env.all_docs) | getattr(app.builder, "track2_pages", set())
    current = {Path(app.builder.get_outfilename(name)) for name in names}
    sources = outdir / "_sources"
    for page in stale_pages(outdir, current):
        docname = page.relative_to(outdir).with_suffix("").as_posix()
        page.unlink()
        for copy in sources.glob(glob.escape(docname) + ".*") if sources.is_dir() else ():
            copy.unlink()
        logger.info("course_site: removed %s, a page of an earlier build that is no longer in the book",
                    page.relative_to(outdir))
        for folder in (page.parent, (sources / docname).parent):
            while folder not in (outdir, sources) and folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
                folder = folder.parent


def _finish(app: Sphinx, exception) -> None:
    if exception or app.builder.name != "html":
        return
    outdir = Path(app.builder.outdir)
    _remove_stale_pages(app, outdir)
    root = app.config.root_doc
    home = app.builder.get_target_uri(root)
    metadata = app.env.metadata.get(root, {})
    try:
        doctree = app.env.get_doctree(root)
    except Exception:  # noqa: BLE001 - a missing pickle only loses the description
        doctree = None
    favicon = app.config.html_favicon or ""
    icon = f"_static/{Path(favicon).name}" if favicon and "://" not in favicon else favicon
    lang = (app.config.language or "en").replace("_", "-")
    (outdir / "index.html").write_text(
        entry_page(book_title(app), page_description(doctree, metadata), home, icon, lang), encoding="utf-8")
    base = language_url(app)
    if not base:
        logger.warning("course_site: no sitemap.xml: set html_baseurl or a GitHub repository.url in _config.yml",
                       type="track2", subtype="course_site")
        return
    pages = sorted(app.env.found_docs, key=lambda d: (d != root, d))
    (outdir / "sitemap.xml").write_text(sitemap([base + app.builder.get_target_uri(d) for d in pages]),
                                        encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.connect("doctree-resolved", _local_book_links)
    app.connect("doctree-resolved", _unique_ids)
    app.connect("html-page-context", _page_context)
    app.connect("html-page-context", _record_page)
    app.connect("html-collect-pages", _not_found_page)
    # after sphinx-external-toc writes its bare redirect (build-finished, default priority)
    app.connect("build-finished", _finish, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
