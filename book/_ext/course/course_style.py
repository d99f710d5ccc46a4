"""Accessibility and small-screen fixes for the course's pages.

Found by the axe-core audit and the phone tests (``tests/test_accessibility.py``):

* Theme components whose accessible name does not contain their visible text
  (axe ``label-content-name-mismatch``, WCAG 2.5.3, serious): the search field
  and the colour-mode switch. Corrected copies of the two pydata-sphinx-theme
  templates live in ``course_templates/`` and take precedence over
  the theme's.
* The bibliography: docutils marks each entry ``role="doc-biblioentry"`` inside
  a ``role="list"``. DPUB-ARIA 1.1 deprecates ``doc-biblioentry`` in favour of
  ``listitem``, so the list had no list items (axe ``aria-required-children``,
  critical): assistive technology announced an empty list followed by loose
  text. Entries are now ``role="listitem"``.
* The sidebar's expand buttons: each chapter with its exercise set beneath it gets
  a chevron ``<summary>`` with no text (axe ``summary-name``, serious): a screen
  reader announced an unnamed button. Each now carries an ``aria-label`` naming
  the chapter whose sections it shows.
* ``static/course/course_style.css`` (a static file of the book, ``_static/course/``,
  linked from every page):
  a link colour with enough contrast on the tinted exercise boxes (axe
  ``color-contrast``, serious), and quiz answers (RadioButtons) that no longer
  overlap one another when they wrap on a phone. See the comments in that file.
* The home page's figure: ``{course-figure} NAME`` draws a figure from the course data with
  the function ``NAME`` of ``track2.charts`` (so the home page stays a text page, with no code
  cell, launch button or kernel), the directive's text as its caption.
* Search results: each snippet is cut from the found page's text (Sphinx's
  ``Search.htmlToText``), which held the "Show code cell source" toggle of every hidden
  code cell; on the search page only, the toggles are taken out of that text first.
* Page titles: a hyphenated word in a page's ``<h1>`` is kept on one line, so that a
  phone does not break the home page's title as "Asia-" / "Pacific" (issue 27).
"""

from __future__ import annotations

import re
from html import escape
from pathlib import Path

from bs4 import BeautifulSoup
from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from sphinx.writers.html5 import HTML5Translator


HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "course_templates"
STATIC = HERE / "static"  # the book's static files: _build/html/_static/
CSS_TARGET = "course/course_style.css"  # under STATIC


def _configure(app: Sphinx, config) -> None:
    """Put the corrected theme components ahead of the theme's own; serve the stylesheet."""
    ours = str(TEMPLATES)
    config.templates_path = [ours, *[p for p in config.templates_path if p != ours]]
    config.html_static_path = [*config.html_static_path, str(STATIC)]


def _visit_citation(self, node: nodes.citation) -> None:
    """docutils' HTML5 citation (its ``visit_citation``), as a ``listitem`` of its list rather
    than a ``doc-biblioentry`` (see the module docstring)."""
    if not isinstance(node.previous_sibling(), type(node)):
        self.body.append('<div role="list" class="citation-list">\n')
    self.body.append(self.starttag(node, "div", classes=[node.tagname], role="listitem"))


def name_sidebar_toggles(soup: BeautifulSoup) -> BeautifulSoup:
    """Give each sidebar expand button (pydata-sphinx-theme's entry with sub-pages: the chapter's
    link, then a ``<details>`` whose ``<summary>`` holds only a decorative chevron) the name of
    the chapter it opens; in place, and returned."""
    for details in soup.select("li > a.reference.internal + details"):
        summary = details.find("summary", recursive=False)
        if summary is not None and not summary.has_attr("aria-label"):
            summary["aria-label"] = f"Sections of {details.find_previous_sibling('a').get_text()}"
    return soup


def _name_sidebar_toggles(app: Sphinx, pagename, templatename, context, doctree) -> None:
    generate = context.get("generate_toctree_html")
    if generate is None:
        return

    def generate_with_names(*args, **kwargs):
        # the theme returns a BeautifulSoup tree, which the template prints as HTML
        tree = generate(*args, **kwargs)
        return name_sidebar_toggles(tree) if isinstance(tree, BeautifulSoup) else tree

    context["generate_toctree_html"] = generate_with_names


class CourseFigure(SphinxDirective):
    """``{course-figure} pairs_figure``: the figure a ``*_figure`` function of track2.charts
    draws from the course data (each parameter named after a table of
    ``track2.data.load_course_data()``: ``institutions``, ``pairs``, ``transfers``...), in a
    numbered figure whose caption is the directive's text."""

    required_arguments = 1
    has_content = True
    option_spec = {"name": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        import inspect

        from track2 import charts
        from track2.data import load_course_data

        name = self.arguments[0]
        function = getattr(charts, name, None)
        if not (name.endswith("_figure") and callable(function)):
            figures = sorted(n for n in dir(charts) if n.endswith("_figure"))
            raise self.error(f"course-figure: track2.charts has no figure {name!r}; choose one of: {', '.join(figures)}")
        data = load_course_data()
        tables = {"institutions": data.institutions, "pairs": data.pairs, "memberships": data.memberships,
                  "transfers": data.idea_transfers, "disagreements": data.disagreements}
        parameters = [p for p in inspect.signature(function).parameters.values() if p.default is p.empty]
        unknown = [p.name for p in parameters if p.name not in tables]
        if unknown:
            raise self.error(f"course-figure: {name} needs {', '.join(unknown)}, which is not a course table")
        figure = nodes.figure()
        figure += nodes.raw("", function(*(tables[p.name] for p in parameters)), format="html")
        if self.content:
            holder = nodes.Element()
            self.state.nested_parse(self.content, self.content_offset, holder)
            first = holder.children[0] if holder.children else None
            if not isinstance(first, nodes.paragraph):
                raise self.error("course-figure: the caption must be one paragraph")
            caption = nodes.caption(first.rawsource, "", *first.children)
            self.set_source_info(caption)  # (a caption with a source is one Sphinx's gettext extracts)
            figure += caption
        self.set_source_info(figure)
        if "name" in self.options:
            self.add_name(figure)
        return [figure]


#: On the search page: snippets without the code-cell toggles' text. Runs at DOMContentLoaded,
#: after searchtools.js has defined ``Search`` and before its own start-up (registered later).
SEARCH_SNIPPETS_JS = """document.addEventListener("DOMContentLoaded", () => {
  const toText = Search.htmlToText;
  Search.htmlToText = (html, anchor) => {
    const page = new DOMParser().parseFromString(html, "text/html");
    page.querySelectorAll("details.hide > summary").forEach((toggle) => toggle.remove());
    return toText(page.documentElement.outerHTML, anchor);
  };
});"""


#: In every page's <head>, before the first paint: the colour mode "auto" (a first visit, since
#: ``default_mode: auto``) resolved to the reader's system mode at once. The theme's inline script
#: sets ``data-theme="auto"``, which no stylesheet rule matches, and its deferred script sets
#: light or dark only after the page has drawn: until then every colour variable was undefined,
#: so borders drawn with them (the home page's start panel) appeared late and moved the text
#: (Lighthouse layout shift 0.054 on a phone, issue 27). The theme's script does the same later.
RESOLVE_AUTO_MODE_JS = """(() => {
  const root = document.documentElement;
  if ((root.dataset.mode || "auto") === "auto") {
    root.dataset.theme = matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
})();"""


def _search_snippets_without_toggles(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if pagename == "search":
        app.add_js_file(None, body=SEARCH_SNIPPETS_JS)  # in html-page-context: this page only


HYPHENATED = re.compile(r"\w+(?:-\w+)+")


def keep_hyphenated_words_whole(doctree: nodes.document) -> None:
    """Wrap each hyphenated word in the title of a top-level section (the page's ``<h1>``) in
    an inline node of class ``track2-nowrap`` (a ``<span>`` that course_style.css keeps on
    one line)."""
    for section in doctree.children:
        if not isinstance(section, nodes.section) or not section.children \
                or not isinstance(section[0], nodes.title):
            continue
        for text in list(section[0].findall(nodes.Text)):
            if isinstance(text.parent, nodes.inline) and "track2-nowrap" in text.parent["classes"]:
                continue
            pieces, last = [], 0
            for word in HYPHENATED.finditer(text.astext()):
                pieces += [nodes.Text(text.astext()[last:word.start()]),
                           nodes.inline(word.group(0), word.group(0), classes=["track2-nowrap"])]
                last = word.end()
            if pieces:
                pieces.append(nodes.Text(text.astext()[last:]))
                text.parent.replace(text, [p for p in pieces if p.astext() or isinstance(p, nodes.inline)])


def _keep_title_words_whole(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    keep_hyphenated_words_whole(doctree)


def _visit_hidden_code(self, node: HideCodeCellNode) -> None:
    """MyST-NB's "Show code cell source" toggle (cells tagged hide-input) without its
    aria-label "Toggle hidden content", so that its visible text is its accessible
    name (axe ``label-content-name-mismatch``, WCAG 2.5.3). Its two labels are ``<span>``s,
    not MyST-NB's ``<p>``s: a ``<summary>`` holds phrasing content only (W3C error on every
    page with a hidden cell, issue 27); course_style.css shows and hides them as MyST-NB's
    stylesheet does the paragraphs."""
    self.body.append(f'<details class="admonition hide {" ".join(node["classes"])}">\n<summary>\n'
                     f'<span class="collapsed admonition-title">{escape(node["prompt_show"])}</span>\n'
                     f'<span class="expanded admonition-title">{escape(node["prompt_hide"])}</span>\n'
                     "</summary>\n")


def setup(app: Sphinx) -> dict:
    app.add_node(HideCodeCellNode, override=True, html=(_visit_hidden_code, depart_HideCellInput))
    app.add_directive("course-figure", CourseFigure)
    app.connect("config-inited", _configure)
    app.add_node(nodes.citation, override=True, html=(_visit_citation, HTML5Translator.depart_citation))
    app.connect("doctree-resolved", _keep_title_words_whole)
    app.connect("html-page-context", _search_snippets_without_toggles)
    # after pydata-sphinx-theme puts its toctree function in the page context
    app.connect("html-page-context", _name_sidebar_toggles, priority=900)
    app.add_css_file(CSS_TARGET)
    app.add_js_file(None, body=RESOLVE_AUTO_MODE_JS, priority=1)  # first of the page's scripts
    return {"parallel_read_safe": True, "parallel_write_safe": True}
