"""The course's offline editions, a PDF and an EPUB, built from the same sources as the site (issue 28).

``make epub`` runs Sphinx's EPUB builder and ``make pdf`` its ``singlehtml`` builder, with
the book's ``_toc.yml`` plus one appendix page (``book/quick-check-answers.md``, the answers
at the back); the table of contents for them is written by ``python book/_ext/course/editions.py
toc OUT``. ``make
editions`` builds both and copies them into the site, ``_build/html/editions/``. This
extension does what those builds need beyond Sphinx:

* **Widgets become static views.** A PDF or an e-reader runs no widget code. Each widget
  output is replaced by HTML made from the widget state myst-nb embeds: an explorer shows
  its default view (the table or chart its dropdown starts on) and a sentence saying which
  choices the online page offers, with its address; anything else fails the build, naming
  the page and the widget class, rather than leave a hole.
* **Quick checks: the questions in place, the answers at the back.** Each quick check is
  numbered on its page and shown as its question with the options lettered; its right
  answer, with the reason the online feedback gives, goes to the appendix (the
  ``quick-check-answers`` directive), each linked to the other. Only the quick checks'
  answers: the exercise pages hold no solution, model answer or rubric in any build.
* **The chapters' worked answers at the back too.** The chapters' "Check your understanding"
  exercises keep their questions in place; their worked answers (self-check answers, folded
  under each question in the site) go to the same appendix (the ``worked-answers``
  directive), each linked to its question and back, so that a reader tries first. Nothing
  graded: the exercise pages hold no solution, model answer or rubric in any build.
* **Charts are images in the EPUB.** The course's charts are inline SVG; an EPUB content
  document with inline SVG must declare it in its manifest, which Sphinx does not do, so
  the EPUB gets each chart as an SVG file with the chart's text alternative as ``alt``.
* **The PDF is the single-page build printed by Chromium** (Debian's, driven by
  Playwright, as in the browser tests) when the ``singlehtml`` build finishes: A4, page
  numbers, a tagged PDF with an outline of the headings. It is light enough for a phone:
  no shadows (Chromium prints each as an image), no code toggles, and its objects packed
  into compressed streams (pikepdf) when it is written.

In the site's own build it adds the two editions to the download menu of every page, and
the ``offline-editions`` directive (on the home page) links them; in the editions the
same directive says which edition the reader holds and where the interactive course is.
The editions are English and served once, at the site's root: a translated page links them
there (``edition_href``).
"""

from __future__ import annotations

import hashlib
import html
import json
import posixpath
import re
import shutil
import sys
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup
from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.osutil import relative_uri

from track2.i18n import _
from track2.tools.chromium import CHROMIUM, CHROMIUM_ARGS

logger = logging.getLogger(__name__)

#: The builders that make the editions (the site is built by "html").
EDITION_BUILDERS = ("singlehtml", "epub")
#: Where the site serves the editions, relative to its root.
SITE_FOLDER = "editions"
#: The appendix with the quick checks' answers and the chapters' worked answers (in the editions'
#: table of contents only).
ANSWERS_DOC = "book/quick-check-answers"
ANSWERS_CAPTION = "Appendix"

WIDGET_VIEW = re.compile(r'^<script type="application/vnd\.jupyter\.widget-view\+json">(.*)</script>$', re.S)
QUICK_CHECK_CLASS = "track2-quick-check"
FEEDBACK_CLASS = "track2-feedback-region"
#: Widgets whose ``value`` is HTML the page shows as it is.
HTML_WIDGETS = {"HTMLModel", "HTMLMathModel"}
BOXES = {"VBoxModel", "HBoxModel", "BoxModel", "GridBoxModel"}
CHOICE_WIDGETS = {"DropdownModel", "RadioButtonsModel", "SelectModel", "ToggleButtonsModel"}
#: How the options of a quick check are lettered (an ordered list of type "A").
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: An explorer's note names its other choices when there are at most this many.
LISTED_CHOICES = 12


def edition_file(app_or_config, suffix: str) -> str:
    """The edition's file name, e.g. ``track2-asia-pacific.pdf`` (``epub_basename`` in _config.yml)."""
    config = getattr(app_or_config, "config", app_or_config)
    return f"{config.epub_basename}.{suffix}"


class StaticWidgetError(ValueError):
    """A widget the editions cannot show without JavaScript."""


def _text(fragment: str) -> str:
    """The text of an HTML fragment, tags dropped and entities decoded, spaces collapsed."""
    return " ".join(BeautifulSoup(fragment, "html.parser").get_text(" ").split())


@dataclass
class QuickCheckAnswer:
    """One quick check of a page: where its question is, and its right answer(s) with the reason."""

    number: int
    anchor: str
    prompt: str
    #: (position, e.g. "1." for an ordering, or ""; the right option; why it is right)
    answers: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def answer_anchor(self) -> str:
        return "answer-" + self.anchor


@dataclass
class StaticWidgets:
    """Static HTML for the widget outputs of one page, from the page's widget state.

    Args:
        state: the page's ``application/vnd.jupyter.widget-state+json`` (``{"state": {id: model}}``).
        slug: a name for the page that is unique in the edition (used in anchors).
        online: the page's address in the online course ("" if unknown).
        answers_href: where the appendix with the quick checks' answers is, from this page
            ("": this very file; None: no link).
    """

    state: dict
    slug: str
    online: str = ""
    answers_href: str | None = None
    quick_checks: list[QuickCheckAnswer] = field(default_factory=list)

    def model(self, model_id: str) -> dict:
        model_id = model_id.removeprefix("IPY_MODEL_")
        try:
            return self.state["state"][model_id]
        except KeyError:
            raise StaticWidgetError(f"widget {model_id} is not in the page's widget state") from None

    def render(self, model_id: str) -> str:
        """The static HTML of the widget ``model_id`` and everything in it."""
        model = self.model(model_id)
        name, inner = model["model_name"], model.get("state", {})
        if name in BOXES:
            if QUICK_CHECK_CLASS in inner.get("_dom_classes", []):
                return self.quick_check(inner)
            if self.is_view_switcher(inner):
                return self.view_switcher(inner)
            return "<div>" + "".join(self.render(child) for child in inner.get("children", [])) + "</div>"
        if name in HTML_WIDGETS:
            return inner.get("value", "")
        if name == "LabelModel":
            return f"<p>{html.escape(inner.get('value', ''))}</p>"
        if name == "StackModel":
            index = inner.get("selected_index")
            return "" if index is None else self.render(inner["children"][index])
        if name in CHOICE_WIDGETS:
            return self.choice(inner)
        raise StaticWidgetError(f"no static form for a {name} widget: add one to book/_ext/course/editions.py")

    def is_view_switcher(self, inner: dict) -> bool:
        """A box holding a choice control and a stack of views (track2.widgets.ViewSwitcher)."""
        names = [self.model(child)["model_name"] for child in inner.get("children", [])]
        return len(names) == 2 and names[0] in CHOICE_WIDGETS and names[1] == "StackModel"

    def choice(self, inner: dict) -> str:
        labels, index = inner.get("_options_labels", []), inner.get("index")
        chosen = labels[index] if index is not None and index < len(labels) else "nothing chosen"
        return (f"<p class=\"track2-static-choice\"><strong>{html.escape(inner.get('description', ''))}</strong> "
                f"{html.escape(chosen)}</p>")

    def view_switcher(self, inner: dict) -> str:
        control_id, stack_id = inner["children"]
        control = self.model(control_id)["state"]
        labels, index = control.get("_options_labels", []), control.get("index")
        what = control.get("description", "").rstrip(": ").lower() or "view"
        where = (f' (<a href="{html.escape(self.online, quote=True)}">{html.escape(self.online)}</a>)'
                 if self.online else "")
        # the choices not shown (the explorer may open on any of them, not only the first)
        rest = [label for position, label in enumerate(labels) if position != index]
        others = len(rest)
        # name the other choices when they are few enough to read at a glance
        listed = ": " + html.escape(", ".join(rest)) if others <= LISTED_CHOICES else ""
        note = (f"<p class=\"track2-static-note\"><em>This is the explorer's first view. In the online "
                f"course{where} the explorer offers {others} more choice{'s' if others != 1 else ''} of "
                f"{html.escape(what)}{listed}.</em></p>") if others else ""
        return (f"<div class=\"track2-static-explorer\">{self.choice(control)}"
                f"{self.render(stack_id)}{note}</div>")

    def quick_check(self, inner: dict) -> str:
        """The question with its options lettered; the answer is recorded for the appendix."""
        children = inner.get("children", [])
        prompt = _text(self.render(children[0]))
        number = len(self.quick_checks) + 1
        entry = QuickCheckAnswer(number, f"quick-check-{self.slug}-{number}", prompt)
        pickers = []
        for picker_id in children[1:]:
            picker = self.model(picker_id)["state"]
            control_id, stack_id = picker["children"]
            control = self.model(control_id)["state"]
            stack = self.model(stack_id)["state"]
            feedback = [self.model(view)["state"].get("value", "") for view in stack["children"]]
            labels = control["_options_labels"]
            right = [i for i, message in enumerate(feedback) if "data-status='correct'" in message
                     or 'data-status="correct"' in message]
            if len(right) != 1 or len(labels) != len(feedback):
                raise StaticWidgetError(f"quick check {prompt!r}: expected one right option among "
                                        f"{len(labels)}, found {len(right)}")
            options = [label for label, message in zip(labels, feedback) if message]  # not the "Choose…" prompt
            why = _text(feedback[right[0]])
            why = re.sub(r"^✓ Correct\.\s*", "", why)
            position = control.get("description", "")
            letter = LETTERS[options.index(labels[right[0]])]
            entry.answers.append((position, f"{letter}. {labels[right[0]]}", why))
            pickers.append((position, options))
        self.quick_checks.append(entry)
        same = len({tuple(options) for _, options in pickers}) == 1 and len(pickers) > 1

        def option_list(options):
            return ("<ol class=\"track2-static-options\" type=\"A\">"
                    + "".join(f"<li>{html.escape(option)}</li>" for option in options) + "</ol>")

        if same:  # an ordering: one list of items, a blank for each position
            body = option_list(pickers[0][1]) + "<p>" + " ".join(
                f"{html.escape(position)}&#160;______" for position, _ in pickers) + "</p>"
        else:
            body = "".join((f"<p>{html.escape(position)}</p>" if position else "") + option_list(options)
                           for position, options in pickers)
        answer = (f' <a href="{html.escape(self.answers_href + "#" + entry.answer_anchor, quote=True)}">'
                  "Answer at the back</a>." if self.answers_href is not None else "")
        return (f"<div class=\"track2-static-quick-check\" id=\"{entry.anchor}\">"
                f"<p><strong>Quick check {number}.</strong> {html.escape(prompt)}</p>{body}"
                f"<p class=\"track2-static-note\"><em>Online, the page gives feedback on your choice.{answer}</em></p>"
                "</div>")


def answers_html(pages: list[tuple[str, str, list[QuickCheckAnswer]]]) -> str:
    """The appendix: for each page (title, link to it, its quick checks), each answer linked to its question."""
    parts = []
    for title, href, checks in pages:
        if not checks:
            continue
        parts.append(f"<section class=\"track2-answers\"><h3>{html.escape(title)}</h3><ol class=\"simple\">")
        for check in checks:
            lines = "".join(
                f"<li>{html.escape(position + ' ' if position else '')}<strong>{html.escape(option)}</strong>. "
                f"{html.escape(why)}</li>" for position, option, why in check.answers)
            question = html.escape(href + "#" + check.anchor, quote=True)
            parts.append(
                f"<li id=\"{check.answer_anchor}\" value=\"{check.number}\"><p><a href=\"{question}\">"
                f"Quick check {check.number}</a>: {html.escape(check.prompt)}</p><ul>{lines}</ul></li>")
        parts.append("</ol></section>")
    return "".join(parts)


def well_formed(fragment: str) -> None:
    """Raise ValueError unless ``fragment`` is well-formed XML (an EPUB's pages are XHTML)."""
    ElementTree.fromstring(f'<div xmlns="http://www.w3.org/1999/xhtml">{fragment}</div>')


# --------------------------------------------------------------------------- #
# Sphinx


def _is_edition(app: Sphinx) -> bool:
    return app.builder is not None and app.builder.name in EDITION_BUILDERS


def _href(app: Sphinx, fromdoc: str, todoc: str) -> str:
    """A link from one page of an edition to another ("": the same file, in the single-page build)."""
    if app.builder.name == "singlehtml":
        return ""
    return app.builder.get_relative_uri(fromdoc, todoc)


def _online_address(app: Sphinx, docname: str) -> str:
    from .course_site import site_url

    base = site_url(app)
    return base + docname + ".html" if base else ""


def charts_as_images(fragment: str, save: Callable[[str], str]) -> str:
    """``fragment`` with each inline SVG chart an image: ``save(svg)`` writes the chart to a file
    and gives its address; the image's ``alt`` is the chart's text alternative (``aria-label``).
    Read as XML (an EPUB's pages are XHTML), so SVG's names keep their case (``viewBox``)."""
    from .course_a11y import HTML  # (imported here: this file also runs as a script, `editions.py toc`)

    if "<svg" not in fragment:
        return fragment
    well_formed(fragment)
    soup = BeautifulSoup(f"<div>{fragment}</div>", "xml")
    for svg in soup.find_all("svg"):
        box = svg.get("viewBox", "").split()
        width = box[2] if len(box) == 4 else "480"
        if svg.get("width") == "100%":  # the page's width, not the file's
            del svg["width"]
        image = soup.new_tag("img", attrs={"class": "track2-chart", "src": save(svg.decode(formatter=HTML)),
                                           "alt": svg.get("aria-label", ""),
                                           "style": f"width:100%;max-width:{width}px"})
        svg.replace_with(image)
    return soup.div.decode_contents(formatter=HTML)


def old_attributes_as_styles(fragment: str) -> str:
    """``fragment`` without the attributes of old HTML that XHTML 5, an EPUB's page format, does not
    allow: pandas writes ``valign`` on the row headers of a grouped table (a style here)."""
    from .course_a11y import HTML

    if "valign=" not in fragment:
        return fragment
    soup = BeautifulSoup(fragment, "html.parser")
    for cell in soup.find_all(valign=True):
        cell.attrs = {("style" if name == "valign" else name): (f"vertical-align: {value}" if name == "valign" else value)
                      for name, value in cell.attrs.items()}
    return soup.decode(formatter=HTML)


def _chart_file(app: Sphinx, docname: str, svg: str) -> str:
    """EPUB: write a chart to ``_images/`` (named after its content); its address from ``docname``."""
    name = "track2-chart-" + hashlib.sha256(svg.encode()).hexdigest()[:16] + ".svg"
    folder = Path(app.builder.outdir) / "_images"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(svg, encoding="utf-8")
    return relative_uri(app.builder.get_target_uri(docname), "_images/" + name)


def _xhtml_fragments(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """EPUB: the page's HTML (cell outputs, the chapters' figures, the widgets' static views) as
    XHTML 5 allows it: charts as image files (inline SVG in a page would need the OPF's "svg"
    property, which Sphinx does not write), old attributes as styles."""
    if app.builder.name != "epub":
        return
    for raw in list(doctree.findall(nodes.raw)):
        if "html" not in raw.get("format", "").split():
            continue
        fragment = raw.astext()
        try:
            fixed = old_attributes_as_styles(charts_as_images(fragment, lambda svg: _chart_file(app, docname, svg)))
        except ElementTree.ParseError as error:
            logger.warning("%s: a chart's HTML is not well-formed XHTML, as an EPUB needs: %s", docname, error,
                           type="track2", subtype="editions", location=raw)
            continue
        if fixed != fragment:
            raw.replace_self(nodes.raw("", fixed, format=raw["format"], classes=raw.get("classes", [])))


@dataclass
class WorkedAnswer:
    """A chapter's worked answer, kept for the appendix: the exercise it answers and its body
    (docutils nodes as read, cross-references unresolved)."""

    exercise: str
    body: list


def _solutions_to_the_back(app: Sphinx, doctree: nodes.document) -> None:
    """Editions: a chapter's "Check your understanding" exercise keeps its question; its worked
    answer (a sphinx-exercise ``solution``, folded in the site) moves to the appendix, and a line
    in its place says so, with a link to it."""
    if not _is_edition(app):
        return
    docname = app.env.docname
    answers = []
    for node in list(doctree.findall(lambda n: type(n).__name__ == "solution_node")):
        exercise = node["target_label"]
        # its text without the box: the title ("Solution to") and the section sphinx-exercise wraps it in
        body = [part.deepcopy() for child in node.children if not isinstance(child, nodes.title)
                for part in (child.children if isinstance(child, nodes.section) else [child])]
        answers.append(WorkedAnswer(exercise, body))
        href = html.escape(f"{_href(app, docname, ANSWERS_DOC)}#{worked_answer_anchor(exercise)}", quote=True)
        node.replace_self(nodes.raw("", f"<p class=\"track2-static-note\"><em>The worked answer to this exercise is "
                                        f"<a href=\"{href}\">at the back</a>: try it first.</em></p>",
                                    format="html"))
    if answers:
        if not hasattr(app.env, "track2_worked_answers"):
            app.env.track2_worked_answers = {}
        app.env.track2_worked_answers[docname] = answers


def worked_answer_anchor(exercise: str) -> str:
    """The appendix's anchor for the worked answer to the exercise labelled ``exercise``."""
    return "answer-" + exercise


def _static_widgets(app: Sphinx, doctree: nodes.document) -> None:
    """Editions: every widget output of the page becomes static HTML (see the module docstring)."""
    if not _is_edition(app):
        return
    docname = app.env.docname
    views = [node for node in doctree.findall(nodes.raw) if WIDGET_VIEW.match(node.astext().strip())]
    if not views:
        return
    from myst_nb.sphinx_ import NbMetadataCollector

    state_file = NbMetadataCollector.get_js_files(app.env, docname).get("ipywidgets_state")
    if not state_file:
        logger.warning("%s: widget outputs but no widget state to draw them from", docname,
                       type="track2", subtype="editions", location=docname)
        return
    state = json.loads(state_file[1]["body"])
    widgets = StaticWidgets(state, slug=docname.replace("/", "-"), online=_online_address(app, docname),
                            answers_href=_href(app, docname, ANSWERS_DOC))
    for node in views:
        model_id = json.loads(WIDGET_VIEW.match(node.astext().strip()).group(1))["model_id"]
        try:
            fragment = widgets.render(model_id)  # its charts become image files in the EPUB (_xhtml_fragments)
            well_formed(fragment)
        except (StaticWidgetError, ValueError, ElementTree.ParseError) as error:
            logger.warning("%s: a widget cannot be shown in the offline editions: %s", docname, error,
                           type="track2", subtype="editions", location=node)
            continue
        node.replace_self(nodes.raw("", fragment, format="html"))
    # no widget state or widget code in the editions' pages: nothing is left to draw
    js_files = NbMetadataCollector.get_js_files(app.env, docname)
    for key in [key for key in js_files if key.startswith("ipywidgets_")]:
        del js_files[key]
    if not hasattr(app.env, "track2_quick_checks"):
        app.env.track2_quick_checks = {}
    app.env.track2_quick_checks[docname] = widgets.quick_checks


#: What the editions collect from each page for the appendix (env attribute -> {docname: [...]}).
COLLECTED = ("track2_quick_checks", "track2_worked_answers")


def _purge(app: Sphinx, env, docname: str) -> None:
    for name in COLLECTED:
        getattr(env, name, {}).pop(docname, None)


def _merge(app: Sphinx, env, docnames, other) -> None:
    for name in COLLECTED:
        if not hasattr(env, name):
            setattr(env, name, {})
        getattr(env, name).update(getattr(other, name, {}))


class quick_check_answers(nodes.General, nodes.Element):
    """Where the appendix lists the quick checks' answers (filled in once every page is read)."""


class QuickCheckAnswers(Directive):
    def run(self):
        return [quick_check_answers()]


class worked_answers(nodes.General, nodes.Element):
    """Where the appendix gives the chapters' worked answers (filled in once every page is read)."""


class WorkedAnswers(Directive):
    def run(self):
        return [worked_answers()]


def reading_order(env) -> list[str]:
    """Every document in the order of the table of contents."""
    order, seen = [], set()

    def visit(docname: str) -> None:
        if docname in seen:
            return
        seen.add(docname)
        order.append(docname)
        for child in env.toctree_includes.get(docname, []):
            visit(child)

    visit(env.config.root_doc)
    return order


def _fill_answers(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    placeholders = list(doctree.findall(quick_check_answers))
    if placeholders:
        found = getattr(app.env, "track2_quick_checks", {})
        pages = [(app.env.titles[doc].astext(), _href(app, ANSWERS_DOC, doc), found[doc])
                 for doc in reading_order(app.env) if found.get(doc)]
        if not pages:
            logger.warning("%s: no quick checks were found for the appendix", ANSWERS_DOC,
                           type="track2", subtype="editions", location=placeholders[0])
        for node in placeholders:
            node.replace_self(nodes.raw("", answers_html(pages), format="html"))
    for node in list(doctree.findall(worked_answers)):
        node.replace_self(_worked_answers(app, doctree, docname, node))


def _worked_answers(app: Sphinx, doctree: nodes.document, docname: str, placeholder: nodes.Element) -> list[nodes.Node]:
    """The chapters' worked answers, under each chapter's title, each after a link to its
    question ("Exercise 3.1"), their cross-references resolved from the appendix (``docname``:
    the page being written, the appendix or, in the single-page build, the whole book)."""
    from sphinx.util.docutils import new_document

    found = getattr(app.env, "track2_worked_answers", {})
    part = new_document(doctree.get("source", ""), doctree.settings)
    for doc in reading_order(app.env):
        if not found.get(doc):
            continue
        chapter = html.escape(app.env.titles[doc].astext())
        part += nodes.raw("", f"<h3 class=\"track2-answers\">{chapter}</h3>", format="html")
        numbers = app.env.toc_fignumbers.get(doc, {}).get("exercise", {})
        for answer in found[doc]:
            number = ".".join(map(str, numbers.get(answer.exercise, ()))) or answer.exercise
            question = html.escape(f"{_href(app, ANSWERS_DOC, doc)}#{answer.exercise}", quote=True)
            box = nodes.container(classes=["track2-worked-answer"], ids=[worked_answer_anchor(answer.exercise)])
            box += nodes.raw("", f"<p><strong><a href=\"{question}\">Exercise {number}</a></strong></p>", format="html")
            box.extend(child.deepcopy() for child in answer.body)
            part += box
    if len(part) == 0:
        logger.warning("%s: no worked answers were found for the appendix", ANSWERS_DOC,
                       type="track2", subtype="editions", location=placeholder)
        return []
    # the answers' {ref}, {cite} and {term} were read in their chapters: resolve them from here
    # (each names the page it was written on, from which its link would be made relative)
    for reference in part.findall(addnodes.pending_xref):
        reference["refdoc"] = docname
    app.env.apply_post_transforms(part, docname)
    # ids given in different chapters ("id32" for a citation) would clash on one page: each
    # answer's are prefixed with its own anchor
    for box in part.findall(lambda n: isinstance(n, nodes.Element) and "track2-worked-answer" in n["classes"]):
        for node in box.findall(nodes.Element, include_self=False):
            node["ids"] = [f"{box['ids'][0]}-{name}" for name in node.get("ids", [])]
    return list(part.children)


class OfflineEditions(Directive):
    """The home page's paragraph on the offline editions: links in the site, a note in an edition."""

    def run(self):
        env = self.state.document.settings.env
        app = env.app
        if app.builder.name in EDITION_BUILDERS:
            online = _online_address(app, env.config.root_doc)
            where = (f' <a href="{html.escape(online, quote=True)}">{html.escape(online)}</a>' if online else "")
            text = ("<p class=\"track2-editions\">This is the course's offline edition. Its explorers show their "
                    "first view and its quick checks their questions, with the answers at the back; in the "
                    f"online course{where} they are interactive.</p>")
        else:
            page = app.builder.get_target_uri(env.docname)

            def link(suffix, label):
                href = edition_href(app, page, suffix)
                return f'<a class="reference download" href="{html.escape(href, quote=True)}" download>{label}</a>'

            # in the page's language (the track2 package's catalogue); the editions themselves are English
            text = ("<p class=\"track2-editions\"><strong>" + html.escape(_("Read it offline:")) + "</strong> "
                    + _("download the whole course as a {pdf} (to print or read on a laptop) or an {epub} (for "
                        "e-readers and phones). The explorers show their first view there and the quick checks "
                        "their questions, with the answers at the back.").format(pdf=link("pdf", "PDF"),
                                                                                 epub=link("epub", "EPUB"))
                    + "</p>")
        return [nodes.raw("", text, format="html")]


def edition_href(app: Sphinx, page: str, suffix: str) -> str:
    """The site's copy of the edition ``suffix`` (pdf, epub) from the page ``page`` (its address
    in the build, ``book/intro.html``). The editions are English and live once, at the site's
    root: a translated build, copied into the site as ``<lang>/``, links one folder up."""
    from .translations import SOURCE_LANGUAGE

    href = relative_uri(page, f"{SITE_FOLDER}/{edition_file(app, suffix)}")
    return href if (app.config.language or SOURCE_LANGUAGE) == SOURCE_LANGUAGE else "../" + href


def _download_menu(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """The site: the two editions in every page's download menu."""
    if app.builder.name != "html":
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            for suffix, icon, tooltip in (("pdf", "fas fa-file-pdf", _("Download the whole course as a PDF")),
                                          ("epub", "fas fa-book", _("Download the whole course as an EPUB"))):
                group["buttons"].append({
                    "type": "link",
                    "url": edition_href(app, app.builder.get_target_uri(pagename), suffix),
                    "text": _("Whole course (.{suffix})").format(suffix=suffix),
                    "tooltip": tooltip,
                    "icon": icon,
                    "label": f"download-course-{suffix}-button",
                })


def print_pdf(index: Path, pdf: Path) -> None:
    """Print the single-page build with Chromium: A4, page numbers, tagged, with an outline."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        raise ExtensionError("editions: the PDF is printed with Playwright, which is not installed "
                             "(make install)") from error
    if not Path(CHROMIUM).is_file():
        raise ExtensionError(f"editions: no Chromium at {CHROMIUM} to print the PDF with: run `make browser`")
    footer = ('<div style="font-size:8px;width:100%;text-align:center;color:#444">'
              '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(index.as_uri(), wait_until="load")
            page.evaluate("() => document.fonts.ready.then(() => true)")
            page.evaluate("() => (window.MathJax && MathJax.startup && MathJax.startup.promise) "
                          "? MathJax.startup.promise.then(() => true) : true")
            page.pdf(path=str(pdf), format="A4", print_background=True, tagged=True, outline=True,
                     display_header_footer=True, header_template="<span></span>", footer_template=footer,
                     margin={"top": "18mm", "bottom": "18mm", "left": "16mm", "right": "16mm"})
        finally:
            browser.close()
    compact(pdf)


def compact(pdf: Path) -> None:
    """Write the PDF again with its objects in compressed object streams (qpdf, through pikepdf):
    Chromium writes the tagged structure (an element for every run of text) and the links as
    plain objects, more than half the file; packed, the file is about a third of the size, with
    nothing changed in what it shows or tags. A phone on a shared network downloads it."""
    import pikepdf

    packed = pdf.with_suffix(".packed.pdf")
    with pikepdf.open(pdf) as document:
        document.save(packed, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    packed.replace(pdf)


def _print(app: Sphinx, exception) -> None:
    if exception or app.builder.name != "singlehtml":
        return
    outdir = Path(app.builder.outdir)
    pdf = outdir / edition_file(app, "pdf")
    # The single page is written as the root document's (book/intro.html; index.html only
    # forwards to it), but Sphinx makes its links relative to the build folder: a copy there
    # finds its stylesheets and images.
    page = outdir / (app.config.root_doc + app.builder.out_suffix)
    at_root = outdir / edition_file(app, "html")
    shutil.copyfile(page, at_root)
    print_pdf(at_root, pdf)
    logger.info("editions: printed %s (%d KB)", pdf, pdf.stat().st_size // 1024)


#: The site theme's page handlers, which expect its own page context: not in the EPUB (its theme is Sphinx's "epub").
SITE_THEME_MODULES = ("sphinx_book_theme", "pydata_sphinx_theme")


def _edition_setup(app: Sphinx) -> None:
    """Editions: their stylesheet, and the EPUB's version (the date of the build), which EPUB 3 requires."""
    if not _is_edition(app):
        return
    app.add_css_file("track2-editions.css")
    static = Path(app.builder.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(__file__).with_name("editions.css"), static / "track2-editions.css")
    if app.builder.name == "singlehtml":
        _html_handlers_for_singlehtml(app)
    if app.builder.name == "epub":
        if not app.config.version:
            app.config.version = app.config.release = time.strftime("%Y-%m-%d", time.gmtime())
        for listener in list(app.events.listeners.get("html-page-context", [])):
            if getattr(listener.handler, "__module__", "").startswith(SITE_THEME_MODULES):
                app.disconnect(listener.id)
        _fix_epub_toc(app.builder)


def _html_handlers_for_singlehtml(app: Sphinx) -> None:
    """Sphinx gives a builder the node handlers registered for its name, or, only when none
    is, those for its format ("html"). An extension that registers handlers for
    ``singlehtml`` (sphinx-exercise does) so leaves every other node registered for "html"
    (MyST-NB's hidden code cells, the course's own) with none in the single-page build:
    give that build the "html" handlers it lacks."""
    handlers = app.registry.translation_handlers
    if "singlehtml" in handlers:
        for name, visitors in handlers.get("html", {}).items():
            handlers["singlehtml"].setdefault(name, visitors)


def _fix_epub_toc(builder) -> None:
    """Sphinx prefixes the EPUB's table of contents with the root document's folder (``book/``),
    which turns a link out of that folder (``../exercises/01-tracks.xhtml``) into a name that is
    in no manifest (``book/../exercises/01-tracks.xhtml``): the reading order and the navigation
    lose those pages. Normalise the paths once Sphinx has made them."""
    get_toc = builder.get_toc

    def get_normalised_toc() -> None:
        get_toc()
        for item in builder.refnodes:
            path, hash_, fragment = item["refuri"].partition("#")
            item["refuri"] = posixpath.normpath(path) + hash_ + fragment

    builder.get_toc = get_normalised_toc


#: Handlers that copy a stylesheet the pages link when the build finishes, which for the EPUB
#: is after Sphinx has zipped it: run early, while the EPUB's files are gathered.
EARLY_STYLESHEETS = ("myst_nb.", "sphinx_exercise")


def _epub_stylesheets(app: Sphinx):
    if app.builder.name == "epub":
        for listener in list(app.events.listeners.get("build-finished", [])):
            if getattr(listener.handler, "__module__", "").startswith(EARLY_STYLESHEETS):
                listener.handler(app, None)
    return []


def setup(app: Sphinx) -> dict:
    app.add_node(quick_check_answers)
    app.add_directive("quick-check-answers", QuickCheckAnswers)
    app.add_node(worked_answers)
    app.add_directive("worked-answers", WorkedAnswers)
    app.add_directive("offline-editions", OfflineEditions)
    # before the EPUB builder checks its settings (priority 500)
    app.connect("builder-inited", _edition_setup, priority=400)
    # before Sphinx's collectors read the page (priority 500)
    app.connect("doctree-read", _static_widgets, priority=400)
    app.connect("doctree-read", _solutions_to_the_back, priority=400)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    app.connect("doctree-resolved", _fill_answers)
    # after the appendix is filled and course_a11y's tables are fixed (doctree-resolved, same priority)
    app.connect("doctree-resolved", _xhtml_fragments)
    # after sphinx-book-theme adds the download menu (priority 501)
    app.connect("html-page-context", _download_menu, priority=504)
    app.connect("html-collect-pages", _epub_stylesheets)
    app.connect("build-finished", _print, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# --------------------------------------------------------------------------- #
# The editions' table of contents


def edition_toc(toc: dict) -> dict:
    """The book's table of contents with the appendix of quick-check answers as a last part."""
    parts = [dict(part) for part in toc.get("parts", [])]
    if not parts:
        raise ValueError("_toc.yml has no parts: the editions add theirs as a last part")
    parts.append({"caption": ANSWERS_CAPTION, "chapters": [{"file": ANSWERS_DOC}]})
    return {**toc, "parts": parts}


def main(argv: list[str]) -> int:
    import yaml

    if len(argv) != 3 or argv[1] != "toc":
        print("usage: python book/_ext/course/editions.py toc OUT.yml  (the editions' table of contents)", file=sys.stderr)
        return 2
    root = Path(__file__).resolve().parents[3]
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    out = Path(argv[2])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("# Written by `python book/_ext/course/editions.py toc` from _toc.yml: do not edit.\n"
                   + yaml.safe_dump(edition_toc(toc), sort_keys=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
