"""The book's design rules that can be read from its sources (issue 16): admonition
titles that show, and pandas tables with aligned headings, no empty heading cells
and a keyboard-reachable scroll box. What only a browser can see is checked on
every page in tests/test_every_page.py."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT, toc_documents

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from course.course_a11y import fix_dataframe_tables  # noqa: E402

# Docutils' typed admonitions take no title: `:::{note} Beyond the excerpt` renders as
# "Note" with "Beyond the excerpt" as its first line of body text. A titled box is
# `:::{admonition} Beyond the excerpt` with `:class: note`.
TYPED = ("attention", "caution", "danger", "error", "hint", "important", "note", "seealso", "tip", "warning")
TITLED_TYPED = re.compile(r"^\s*(?::{3,}|`{3,}|~{3,})\s*\{(" + "|".join(TYPED) + r")\}[ \t]*(\S.*)$", re.M)


def page_sources() -> list[Path]:
    """Every page of the book (_toc.yml) and every exercise source."""
    pages = []
    for document in toc_documents():
        for suffix in (".md", ".ipynb"):
            if (ROOT / f"{document}{suffix}").is_file():
                pages.append(ROOT / f"{document}{suffix}")
    return pages + sorted((ROOT / "exercises" / "source").glob("*.md"))


def markdown_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text(encoding="utf-8")


def test_every_page_is_read():
    pages = page_sources()
    assert len(pages) >= len(toc_documents())
    assert ROOT / "book" / "chapters" / "05-challenges.md" in pages


@pytest.mark.parametrize("text, found", [
    (":::{note} Beyond the excerpt\nBody\n:::", [("note", "Beyond the excerpt")]),
    ("::::{warning} Absence of data\n", [("warning", "Absence of data")]),
    ("```{important} A title\n```", [("important", "A title")]),
    (":::{note}\nBody\n:::", []),
    (":::{admonition} Beyond the excerpt\n:class: note\n:::", []),
])
def test_the_titled_admonition_rule_sees_them(text, found):
    assert TITLED_TYPED.findall(text) == found


@pytest.mark.parametrize("path", page_sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_typed_admonition_carries_a_title(path):
    found = TITLED_TYPED.findall(markdown_of(path))
    assert found == [], (f"{path.relative_to(ROOT)}: typed admonitions drop their title; use "
                         f"':::{{admonition}} Title' with ':class: KIND' for {found}")


def pandas_output(frame: pd.DataFrame) -> str:
    """What myst-nb puts in a page for a DataFrame: pandas' own notebook HTML."""
    return f'<div class="output text_html">{frame._repr_html_()}</div>'


def test_a_named_index_moves_into_the_heading_row():
    frame = pd.DataFrame({"realm": ["security"], "Jaccard": [0.85]},
                         index=pd.Index(["ARF-CSCAP"], name="pair"))
    raw = pandas_output(frame)
    assert "<th>pair</th>" in raw and "<th></th>" in raw and "text-align: right" in raw  # what pandas writes
    fixed = fix_dataframe_tables(raw)
    head = re.search(r"<thead>(.*)</thead>", fixed, re.S).group(1)
    assert head.count("<tr") == 1, "the index-name row is gone"
    assert re.findall(r"<th[^>]*>([^<]*)</th>", head) == ["pair", "realm", "Jaccard"]
    assert "<th></th>" not in fixed and "<td></td>" not in head
    assert "<style scoped>" not in fixed and "text-align: right" not in fixed
    assert '<th scope="row">ARF-CSCAP</th>' in fixed and "<td>0.85</td>" in fixed
    assert fixed.count('<div class="track2-table-scroll" role="region" tabindex="0" aria-label="Table: pair, realm, Jaccard">') == 1


def test_an_unnamed_index_leaves_a_plain_corner_cell():
    fixed = fix_dataframe_tables(pandas_output(pd.DataFrame({"count": [3]}, index=["1990s"])))
    head = re.search(r"<thead>(.*)</thead>", fixed, re.S).group(1)
    assert "<td></td>" in head and "<th></th>" not in head
    assert '<th scope="col">count</th>' in head


def test_pages_without_pandas_tables_are_untouched():
    body = "<table class='track2-table'><thead><tr><th>Name</th></tr></thead></table><style scoped>x</style>"
    assert fix_dataframe_tables(body) == body


# --------------------------------------------------------------------------- #
# In the browser, on a desktop screen: nothing scrolls sideways (checked on every page in
# tests/test_every_page.py).

WIDE = """() => {
  const problems = [];
  const article = document.querySelector(".bd-article-container");
  if (article.scrollWidth > article.clientWidth + 1)
    problems.push(`the article scrolls sideways: ${article.scrollWidth}px in ${article.clientWidth}px`);
  for (const box of document.querySelectorAll("article .track2-table-scroll")) {
    if (!box.checkVisibility()) continue;
    if (box.scrollWidth > box.clientWidth + 1)
      problems.push(`table "${box.getAttribute("aria-label")}" needs ${box.scrollWidth}px in ${box.clientWidth}px`);
  }
  for (const table of document.querySelectorAll("article table")) {
    for (const th of table.querySelectorAll("thead th")) {
      if (getComputedStyle(th).textAlign === "right") { problems.push(`right-aligned heading ${th.textContent}`); break; }
    }
    // a heading broken over more than two lines is hard to read: shorter headings
    for (const th of table.querySelectorAll("thead th")) {
      if (!th.checkVisibility()) continue;
      const text = document.createRange();
      text.selectNodeContents(th);
      const lines = Math.round(text.getBoundingClientRect().height / parseFloat(getComputedStyle(th).lineHeight));
      if (lines > 2) problems.push(`heading "${th.textContent.trim()}" takes ${lines} lines`);
    }
  }
  return problems;
}"""


# --------------------------------------------------------------------------- #
# The home page's first screen, one search box, the logo.

FIRST_SCREEN = """() => {
  const visible = (el) => el && el.checkVisibility() && el.getBoundingClientRect().bottom <= innerHeight;
  const panel = document.querySelector("article .course-start");
  const start = panel && [...panel.querySelectorAll("a")].find((a) => a.textContent.trim() === "Start with chapter 1");
  const labels = panel ? [...panel.querySelectorAll("strong")].filter(visible).map((s) => s.textContent.trim()) : [];
  const searches = [...document.querySelectorAll(".search-button-field, .search-button")]
    .filter((el) => el.checkVisibility()).length;
  return {labels, start: visible(start), href: start && start.getAttribute("href"),
          target: start && start.getBoundingClientRect().height, searches};
}"""


@pytest.mark.parametrize("screen", ["desktop", "phone"])
def test_the_home_page_first_screen_says_what_how_long_and_where_to_start(chromium, site, screen):
    from browser import on_screen, open_page

    context, page, log = on_screen(chromium, site, screen)
    try:
        open_page(page, site.base + "book/intro.html")
        seen = page.evaluate(FIRST_SCREEN)
        assert seen["labels"] == ["What:", "How long:", "Where to start:"], seen
        assert seen["start"] and seen["href"].endswith("chapters/01-tracks.html"), seen
        assert seen["target"] >= 44, "the start link is a 44px target"
        assert seen["searches"] == 1, f"{seen['searches']} search boxes or buttons shown on a {screen}"
        logo = page.locator(".navbar-brand img.logo__image").first
        if screen == "desktop":
            assert logo.is_visible() and logo.get_attribute("src").endswith("logo.svg")
            # the logo is decorative: the link to the home page is named by the course title
            assert page.locator(".navbar-brand").first.inner_text().strip() == "Track 2 Diplomacy in the Asia-Pacific"
        assert log.problems() == []
    finally:
        context.close()


@pytest.mark.browser
def test_make_screenshots_writes_every_screen_and_mode(built_html, tmp_path):
    """`make screenshots` (tests/screenshots.py) on one page: four PNGs of the right widths."""
    import struct
    import subprocess

    from browser import MODES, SCREENS

    result = subprocess.run([sys.executable, str(ROOT / "tests" / "screenshots.py"), "--html", str(built_html),
                             "--out", str(tmp_path), "--pages", "book/glossary"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for screen, options in SCREENS.items():
        viewport, scale = options["viewport"], options.get("device_scale_factor", 1)
        for mode in MODES:
            png = (tmp_path / f"{screen}-{mode}" / "book--glossary.png").read_bytes()
            assert png[:8] == b"\x89PNG\r\n\x1a\n"
            width, height = struct.unpack(">II", png[16:24])
            assert width == viewport["width"] * scale and height >= viewport["height"] * scale, (screen, mode, width, height)
    assert "book--glossary.png" in (tmp_path / "index.html").read_text(encoding="utf-8")
    bad = subprocess.run([sys.executable, str(ROOT / "tests" / "screenshots.py"), "--html", str(built_html),
                          "--out", str(tmp_path), "--pages", "book/no-such-page"], capture_output=True, text=True)
    assert bad.returncode == 2 and "book/no-such-page" in bad.stderr


@pytest.mark.parametrize("number", range(1, 1 + sum(d.startswith("book/chapters/") for d in toc_documents())))
def test_a_chapters_exercise_set_is_numbered_with_the_chapter(built_html, number):
    """The set for chapter 3 holds Exercise 3.4, 3.5... after the chapter's own 3.1-3.3
    (each set is a section of its chapter in _toc.yml), never a number of its own."""
    set_page = next((built_html / "exercises").glob(f"{number:02d}-*.html"), None)
    assert set_page, (f"chapter {number} has no exercise set page: write exercises/source/{number:02d}-<name>.md, "
                      "run `make exercises` and list exercises/{number:02d}-<name> under the chapter in _toc.yml")
    chapter = (built_html / "book" / "chapters" / set_page.name).read_text(encoding="utf-8")
    labels = lambda text: [tuple(map(int, m)) for m in re.findall(r"Exercise (\d+)\.(\d+)", text)]  # noqa: E731
    in_set, in_chapter = labels(set_page.read_text(encoding="utf-8")), labels(chapter)
    assert in_set and {major for major, _ in in_set} == {number}, (
        f"{set_page.name}'s exercises should be numbered {number}.x: list it as a section of chapter {number} "
        f"in _toc.yml (found {in_set})")
    assert not in_chapter or max(in_chapter) < min(in_set), (
        f"the chapter's own exercises {in_chapter} should come before its set's {in_set}")


def test_sidebar_expand_buttons_get_the_chapters_name():
    from bs4 import BeautifulSoup

    from course.course_style import name_sidebar_toggles

    def named(html: str) -> list[str | None]:
        soup = name_sidebar_toggles(BeautifulSoup(html, "html.parser"))
        return [summary.get("aria-label") for summary in soup.find_all("summary")]

    html = ('<li class="toctree-l1 has-children"><a class="reference internal" href="chapters/03-symbiosis.html">'
            '3. Symbiosis</a><details open="open"><summary><span class="toctree-toggle" role="presentation">'
            '<i class="fa-solid fa-chevron-down"></i></span></summary><ul></ul></details></li>')
    assert named(html) == ["Sections of 3. Symbiosis"]
    current = ('<li><a class="current reference internal" href="#">3. Symbiosis</a><details open="open">'
               '<summary><span></span></summary></details></li>')
    assert named(current) == ["Sections of 3. Symbiosis"]
    assert named("<details><summary>Show code</summary></details>") == [None]


def test_hyphenated_words_in_a_page_title_are_kept_whole():
    """course_style.py, on the document tree: each hyphenated word of a page's title (its
    top-level section, the ``<h1>``) in a ``track2-nowrap`` inline; other headings and the text
    are left alone; running it twice changes nothing more."""
    from docutils import nodes
    from docutils.core import publish_doctree

    from course.course_style import keep_hyphenated_words_whole

    source = ("Track 2 in the Asia-Pacific and *US-China* talks\n================================================\n\n"
              "Text on the Asia-Pacific.\n\nThe Asia-Pacific\n----------------\n")
    doctree = publish_doctree(source, settings_overrides={"doctitle_xform": False, "report_level": 5})
    keep_hyphenated_words_whole(doctree)
    keep_hyphenated_words_whole(doctree)
    kept = [node.astext() for node in doctree.findall(nodes.inline) if "track2-nowrap" in node["classes"]]
    assert kept == ["Asia-Pacific", "US-China"]
    title = doctree.children[0].children[0]
    assert title.astext() == "Track 2 in the Asia-Pacific and US-China talks"
