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
* Page weight: the theme's fontawesome.js (530 KB gzip-compressed on every page,
  duplicating the icon web fonts the theme's stylesheet already uses) is not
  loaded; see ``FONTAWESOME_JS`` below.
* ``course_style.css`` (copied to ``_static/course/``, linked from every page):
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
import shutil
from html import escape
from pathlib import Path

from markupsafe import Markup
from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "course_templates"
CSS = HERE / "course_style.css"
CSS_TARGET = "course/course_style.css"  # relative to _build/html/_static/


# pydata-sphinx-theme loads Font Awesome twice: as web fonts from its stylesheet
# (which draw every icon the course shows) and as fontawesome.js, 1.45 MB (530 KB
# gzip-compressed) on every page, kept "so that users can add custom icons"; the
# course has none. It was more than half of a text page's weight (bench/bench.py).
# The theme writes that script tag from a macro file; a copy without it is
# generated from the installed theme (so theme updates carry through) and put
# ahead of the theme's own.
FONTAWESOME_JS = re.compile(r"""\s*<script defer src="\{\{ pathto\('_static/scripts/fontawesome\.js', 1\) \}\}[^"]*"></script>""")


def _macros_without_fontawesome_js(app: Sphinx) -> Path | None:
    import pydata_sphinx_theme

    source = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / "webpack-macros.html"
    text, found = FONTAWESOME_JS.subn("", source.read_text(encoding="utf-8"))
    if found != 1:
        logger.warning("course_style: fontawesome.js not found in %s; pages load it again", source)
        return None
    folder = Path(app.doctreedir).parent / "course_templates"
    (folder / "static").mkdir(parents=True, exist_ok=True)
    target = folder / "static" / "webpack-macros.html"
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")
    return folder


def _configure(app: Sphinx, config) -> None:
    """Put the corrected theme components ahead of the theme's own."""
    ours = [str(TEMPLATES)]
    generated = _macros_without_fontawesome_js(app)
    if generated:
        ours.append(str(generated))
    config.templates_path = [*ours, *[p for p in config.templates_path if p not in ours]]


def _fix_bibliography_roles(app: Sphinx, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


# pydata-sphinx-theme's sidebar entry with sub-pages: the chapter's link, then a
# <details> whose <summary> holds only a decorative chevron.
UNNAMED_TOGGLE = re.compile(
    r'(<a class="[^"]*reference internal" href="[^"]*">([^<]*)</a><details(?: open="open")?>)<summary>')


def name_sidebar_toggles(html: str) -> str:
    """Give each sidebar expand button the name of the chapter it opens."""
    return UNNAMED_TOGGLE.sub(lambda m: f'{m.group(1)}<summary aria-label="Sections of {m.group(2)}">', html)


def _name_sidebar_toggles(app: Sphinx, pagename, templatename, context, doctree) -> None:
    generate = context.get("generate_toctree_html")
    if generate is None:
        return

    def generate_with_names(*args, **kwargs):
        # the theme returns a BeautifulSoup tree (or a string); the template prints it as HTML
        return Markup(name_sidebar_toggles(str(generate(*args, **kwargs))))

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
            figure += nodes.caption(first.rawsource, "", *first.children)
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


H1 = re.compile(r"(<h1[^>]*>)(.*?)(</h1>)", re.S)
HYPHENATED = re.compile(r"\w+(?:-\w+)+")


def keep_hyphenated_words_whole(body: str) -> str:
    """Wrap each hyphenated word in the text of ``<h1>`` headings (never inside a tag or
    its attributes, such as the heading link's ``href``) in a span that does not wrap."""
    def heading(m: re.Match) -> str:
        parts = re.split(r"(<[^>]*>)", m.group(2))
        text = "".join(part if part.startswith("<") else
                       HYPHENATED.sub(lambda w: f'<span class="track2-nowrap">{w.group(0)}</span>', part)
                       for part in parts)
        return m.group(1) + text + m.group(3)
    return H1.sub(heading, body)


def _keep_title_words_whole(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if context.get("body"):
        context["body"] = keep_hyphenated_words_whole(context["body"])


def _copy_css(app: Sphinx, exception) -> None:
    if exception or app.builder.format != "html":
        return
    dest = Path(app.builder.outdir) / "_static" / CSS_TARGET
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CSS, dest)


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
    app.connect("html-page-context", _fix_bibliography_roles)
    app.connect("html-page-context", _keep_title_words_whole)
    app.connect("html-page-context", _search_snippets_without_toggles)
    # after pydata-sphinx-theme puts its toctree function in the page context
    app.connect("html-page-context", _name_sidebar_toggles, priority=900)
    app.add_css_file(CSS_TARGET)
    app.add_js_file(None, body=RESOLVE_AUTO_MODE_JS, priority=1)  # first of the page's scripts
    app.connect("build-finished", _copy_css)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
