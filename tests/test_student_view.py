"""The student's view of every page (issue 27), as a student and two outside tools see it.

* In the browser, at 375 and 1280 px: one heading scale, largest first; widget controls
  of a readable width; no widget wider than its box; a table that scrolls sideways
  says so; previous/next links that do not wrap a word a line.
* In dark mode: no light box in the article, and chart text and grid lines in the text colour.
* Figures: the home page and every chapter show a figure drawn from the data, with a
  caption and a text alternative; the home title keeps "Asia-Pacific" on one line.

The per-page checks of sections 1 and 2 (``screen_problems``, ``LIGHT_BOXES``) run in
tests/test_every_page.py, on the one load of each page per screen that all the per-page browser
checks share. Valid pages and findability are in tests/test_site_pages.py, the "Run this
notebook" box in tests/test_run_notebook.py.
"""

from __future__ import annotations

import re
import sys

import pytest

from browser import SCREENS, WIDGET_CHOICES, on_screen, open_page
from conftest import ROOT, toc_documents

sys.path.insert(0, str(ROOT / "book" / "_ext"))

#: Narrower than this, a dropdown shows a letter or two of its choice ("A…"); a button must show
#: all of its text.
READABLE_CONTROL = 160


def open_on(chromium, site, document, screen, mode="light"):
    """``document`` opened on ``screen`` in ``mode``: ``(context, page, log, has widgets)``."""
    context, page, log = on_screen(chromium, site, screen, mode)
    return context, page, log, open_page(page, site.base + document + ".html")


# --------------------------------------------------------------------------- #
# 1. Layout on a phone and a desktop

# Each heading level's size and weight as the page draws it: the page's own headings,
# and one of each level added to the article (so every page type is checked for every
# level, whether or not it uses it), then removed.
HEADINGS = """() => {
  const article = document.querySelector("article");
  const style = (el) => { const s = getComputedStyle(el); return [parseFloat(s.fontSize), parseInt(s.fontWeight)]; };
  const probe = document.createElement("section");
  probe.innerHTML = "<h1>x</h1><section><h2>x</h2><section><h3>x</h3><section><h4>x</h4></section></section></section>";
  article.appendChild(probe);
  const levels = {};
  for (const n of [1, 2, 3, 4]) levels["h" + n] = style(probe.querySelector("h" + n));
  probe.remove();
  const seen = {};
  for (const n of [1, 2, 3, 4]) {
    for (const h of article.querySelectorAll("h" + n)) {
      if (!h.checkVisibility()) continue;
      const [size, weight] = style(h);
      (seen["h" + n] ||= new Set()).add(size + "/" + weight);
    }
  }
  return {levels, seen: Object.fromEntries(Object.entries(seen).map(([k, v]) => [k, [...v]]))};
}"""

CONTROLS = """(least) => {
  const problems = [];
  for (const el of document.querySelectorAll("article select, article input:not([type=radio]):not([type=checkbox]), article textarea")) {
    if (!el.checkVisibility()) continue;
    const width = el.getBoundingClientRect().width;
    const room = el.parentElement.getBoundingClientRect().width;
    if (width < Math.min(least, room) - 0.5) {
      const label = el.labels && el.labels[0] ? el.labels[0].innerText : el.getAttribute("aria-label");
      problems.push(`${el.tagName.toLowerCase()} "${label}" is ${Math.round(width)}px wide (room: ${Math.round(room)}px)`);
    }
  }
  // a button (a toggle button, say) shows all of its text: ipywidgets cuts what does not fit with "…"
  for (const el of document.querySelectorAll("article .jupyter-widgets button")) {
    if (el.checkVisibility() && el.scrollWidth > el.clientWidth + 1)
      problems.push(`button "${el.innerText.trim()}" cuts its text: ${el.clientWidth}px wide for ${el.scrollWidth}px`);
  }
  return problems;
}"""

# A widget (quick-check panel, explorer, control row) whose right edge passes its box's
# content edge, outside any box that scrolls sideways.
INSIDE = """() => {
  const problems = [];
  const scrolls = (el) => { for (let p = el.parentElement; p; p = p.parentElement) {
    const o = getComputedStyle(p).overflowX; if (o === "auto" || o === "scroll") return true; } return false; };
  const name = (el) => el.tagName.toLowerCase() + "." + String(el.className).trim().split(/\\s+/).slice(-3).join(".");
  for (const el of document.querySelectorAll("article .jupyter-widgets")) {
    const parent = el.parentElement;
    if (!el.checkVisibility() || !parent || scrolls(el)) continue;
    const box = el.getBoundingClientRect(), outer = parent.getBoundingClientRect();
    const s = getComputedStyle(parent);
    const inner = outer.right - parseFloat(s.paddingRight) - parseFloat(s.borderRightWidth);
    if (box.width > 0 && box.right > inner + 0.5)
      problems.push(`${name(el)} sticks out of ${name(parent)} by ${(box.right - inner).toFixed(1)}px`);
  }
  // a control row that wraps grows with its lines (ipywidgets fixes it at one line, and a
  // wrapped control was drawn over the view below it)
  for (const row of document.querySelectorAll("article .jupyter-widgets.widget-inline-hbox")) {
    if (!row.checkVisibility()) continue;
    const bottom = row.getBoundingClientRect().bottom;
    for (const child of row.children) {
      const below = child.getBoundingClientRect().bottom - bottom;
      if (child.checkVisibility() && below > 0.5) problems.push(`${name(child)} hangs ${below.toFixed(1)}px below its row ${name(row)}`);
    }
  }
  return problems;
}"""

TABLE_HINTS = """() => [...document.querySelectorAll("article .track2-table-scroll")].filter((b) => b.checkVisibility()).map((b) => ({
  name: b.getAttribute("aria-label"),
  scrolls: b.scrollWidth > b.clientWidth + 1,
  hint: getComputedStyle(b, "::before").content,
}))"""

PREV_NEXT = """() => [...document.querySelectorAll(".prev-next-area .prev-next-title")].filter((t) => t.checkVisibility()).map((t) => {
  const range = document.createRange();
  range.selectNodeContents(t);
  const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
  return {title: t.innerText.trim(), lines, words: t.innerText.trim().split(/\\s+/).length};
})"""


def heading_problems(found: dict) -> list[str]:
    problems = []
    levels = found["levels"]
    for upper, lower in (("h1", "h2"), ("h2", "h3"), ("h3", "h4")):
        (size_u, weight_u), (size_l, weight_l) = levels[upper], levels[lower]
        if not size_u > size_l:
            problems.append(f"{lower} ({size_l}px) is not smaller than {upper} ({size_u}px)")
        if weight_l > weight_u:
            problems.append(f"{lower} (weight {weight_l}) is bolder than {upper} (weight {weight_u})")
    for level, drawn in found["seen"].items():
        expected = "/".join(str(v) for v in levels[level])
        for value in drawn:
            if value != expected:
                problems.append(f"a {level} on the page is drawn {value} (px/weight), not {expected} as its level")
    return problems


def test_heading_problems_sees_an_inverted_scale():
    upside_down = {"levels": {"h1": [32, 500], "h2": [26, 500], "h3": [28, 600], "h4": [24, 600]}, "seen": {}}
    assert heading_problems(upside_down) == ["h3 (28px) is not smaller than h2 (26px)",
                                             "h3 (weight 600) is bolder than h2 (weight 500)"]


def screen_problems(page, screen: str, has_widgets: bool) -> list[str]:
    """What section 1 checks on the page loaded on ``screen``: heading scale, widths of widget
    controls and widgets, tables that scroll say so, previous/next links on a phone."""
    problems = heading_problems(page.evaluate(HEADINGS))
    if has_widgets:
        problems += page.evaluate(CONTROLS, READABLE_CONTROL)
        problems += page.evaluate(INSIDE)
    for table in page.evaluate(TABLE_HINTS):
        says = "Scroll sideways" in table["hint"]
        if table["scrolls"] and not says:
            problems.append(f"table {table['name']!r} scrolls sideways with no hint that it does")
        if says and not table["scrolls"]:
            problems.append(f"table {table['name']!r} fits but says it scrolls")
    if screen == "phone":  # a word or so a line: side by side, each link had 110px
        for link in page.evaluate(PREV_NEXT):
            if link["lines"] > 2 and link["lines"] > link["words"] / 2:
                problems.append(f"previous/next link {link['title']!r} takes {link['lines']} lines")
    return problems


def test_chapter_3s_pairs_table_says_it_scrolls_on_a_phone(chromium, site):
    context, page, log, _ = open_on(chromium, site, "book/chapters/03-symbiosis", "phone")
    try:
        tables = page.evaluate(TABLE_HINTS)
        wide = [t for t in tables if t["scrolls"]]
        assert wide, f"no table scrolls on a phone in chapter 3: {tables}"
        assert all("Scroll sideways" in t["hint"] for t in wide), wide
    finally:
        context.close()


# --------------------------------------------------------------------------- #
# 2. Dark mode

# Every visible element of the article whose own background is light (relative
# luminance above 0.4, mostly opaque). Pickers are used first, so that the feedback a
# choice reveals is checked too. Chart grid lines must be drawn in the text colour.
LIGHT_BOXES = WIDGET_CHOICES + """async () => {
  const settle = () => new Promise((r) => setTimeout(() => setTimeout(r, 0), 0));
  // a view other than the first (a dropdown's second option, the second toggle button); a
  // quick check's first radio button, which shows its feedback
  for (const group of widgetChoices(document.querySelector("article"))) {
    if (group.labels.length) group.choose(group.kind === "radio buttons" ? 0 : Math.min(1, group.labels.length - 1));
  }
  await settle();
  const luminance = (colour) => {
    const m = colour.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    if (a < 0.5) return null;
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const problems = [];
  for (const el of document.querySelectorAll("article *")) {
    if (!el.checkVisibility()) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const s = getComputedStyle(el);
    const light = luminance(s.backgroundColor);
    if (light !== null && light > 0.4)
      problems.push(`${el.tagName.toLowerCase()}.${String(el.className).trim().split(/\\s+/).join(".")} has a ` +
                    `light background ${s.backgroundColor} (text ${s.color}): ${el.innerText.slice(0, 60)}`);
  }
  for (const line of document.querySelectorAll("article svg.track2-chart line.track2-grid")) {
    const s = getComputedStyle(line);
    if (s.stroke !== s.color) problems.push(`chart grid line in ${s.stroke}, not the text colour ${s.color}`);
  }
  for (const text of document.querySelectorAll("article svg.track2-chart text")) {
    const s = getComputedStyle(text);
    if (s.fill !== s.color) problems.push(`chart text ${JSON.stringify(text.textContent)} in ${s.fill}, not the text colour ${s.color}`);
  }
  return problems;
}"""


def test_the_light_box_check_sees_a_white_panel_in_dark_mode(chromium, site):
    """What tests/test_every_page.py runs on every page in dark mode can fail: a panel painted
    white, as the theme once painted the checker's output, is reported."""
    context, page, _, _ = open_on(chromium, site, "book/glossary", "desktop", mode="dark")
    try:
        page.evaluate("""() => document.querySelector("article").insertAdjacentHTML("beforeend",
          '<div class="stray-panel" style="background: rgb(206, 214, 221)">Checker output</div>')""")
        found = page.evaluate(LIGHT_BOXES)
        assert [line.split(" has a ")[0] for line in found] == ["div.stray-panel"], found
    finally:
        context.close()


def test_charts_draw_grid_and_arrows_in_the_text_colour():
    import pandas as pd

    from track2.charts import timeline_svg

    bodies = pd.DataFrame({"id": ["ARF", "CSCAP"], "track": ["1", "2"], "founded_year": [1994, 1993]})
    links = pd.DataFrame({"from_id": ["CSCAP"], "to_id": ["ARF"], "year": [1995]})
    svg = timeline_svg(bodies, links, "A timeline")
    assert 'class="track2-grid"' in svg
    fixed = re.findall(r'(?:stroke|fill)="(#[0-9a-fA-F]{3,6})"', svg)
    assert set(fixed) <= {"#0072B2", "#009E73", "#D55E00"}, f"only the tracks' colours are fixed: {fixed}"


# --------------------------------------------------------------------------- #
# 3. Figures: one on the home page and at least one in every chapter

#: The figure each page shows, as its track2.charts function names it (tests/test_charts.py
#: checks what each draws).
def drawn_figure(document: str) -> str | None:
    """The chart function a page draws: a chapter imports it in a code cell (`from track2.charts
    import NAME_figure`); the home page, a text page, names it in a `course-figure` directive."""
    found = re.search(r"^```\{course-figure\} (\w+)$|^from track2\.charts import (\w+_figure)$",
                      (ROOT / f"{document}.md").read_text(encoding="utf-8"), flags=re.M)
    return found and (found.group(1) or found.group(2))


#: Each page with a chart, and the chart function it draws: the home page and every chapter
FIGURES = {document: drawn_figure(document)
           for document in ["book/intro", *(d for d in toc_documents() if d.startswith("book/chapters/"))]}


def test_every_chapter_has_a_figure():
    undrawn = [document for document, function in FIGURES.items() if not function]
    assert not undrawn, (f"{undrawn} draw no chart: a chapter shows one from a `*_figure` function of "
                         "track2/charts.py in a cell tagged hide-input with `mystnb.figure` name and caption, "
                         "starting `from track2.charts import NAME_figure` (CONTRIBUTING.md, recipe 1, step 3)")


def figure_arguments(data) -> dict[str, tuple]:
    """What each chart function draws from, as the pages call it."""
    return {"pairs_figure": (data.institutions, data.pairs),
            "tracks_figure": (data.institutions,), "decades_figure": (data.institutions,),
            "pairs_timeline_figure": (data.institutions, data.pairs, data.idea_transfers),
            "initiators_figure": (data.institutions,),
            "transfers_figure": (data.idea_transfers, data.memberships["as_of"].max().year),
            "breadth_figure": (data.institutions, data.memberships),
            "disagreements_figure": (data.disagreements,)}


def test_every_chart_a_page_draws_has_its_arguments_here():
    from track2.data import load_course_data

    arguments = figure_arguments(load_course_data())
    missing = sorted({function for function in FIGURES.values() if function} - set(arguments))
    assert not missing, (f"tests/test_student_view.py: add {missing} to figure_arguments, with the tables the page "
                         "passes it, so the built page's chart can be compared with what it draws from the data")


@pytest.mark.parametrize("document", FIGURES)
def test_page_shows_its_figure_with_a_caption(built_html, document):
    from bs4 import BeautifulSoup

    from track2 import charts
    from track2.data import load_course_data

    tree = BeautifulSoup((built_html / f"{document}.html").read_text(encoding="utf-8"), "html.parser")
    shown = [f for f in tree.select("article figure") if f.select_one("svg.track2-chart")]
    assert shown, f"{document}: no figure with a chart"
    figure = shown[0]
    assert figure.get("id", "").startswith("fig-"), "a figure has a name to link to"
    caption = figure.select_one("figcaption")
    assert caption and len(caption.get_text(strip=True)) > 40, f"{document}: the figure has no caption"
    svg = figure.select_one("svg.track2-chart")
    assert svg["role"] == "img" and svg["aria-label"] == svg.title.get_text()
    # the page shows what the function draws from the data now
    data = load_course_data()
    args = figure_arguments(data)[FIGURES[document]]
    expected = BeautifulSoup(getattr(charts, FIGURES[document])(*args), "html.parser").svg
    assert svg["aria-label"] == expected["aria-label"]


TITLE_LINES = """() => {
  const h1 = document.querySelector("article h1");
  const walker = document.createTreeWalker(h1, NodeFilter.SHOW_TEXT);
  const words = {};
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.textContent.matchAll(/\\w+(?:-\\w+)+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      words[m[0]] = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    }
  }
  return {words};
}"""


@pytest.mark.parametrize("screen", SCREENS)
def test_home_title_keeps_asia_pacific_on_one_line(chromium, site, screen):
    context, page, log, _ = open_on(chromium, site, "book/intro", screen)
    try:
        found = page.evaluate(TITLE_LINES)["words"]
        assert found.get("Asia-Pacific") == 1, f"'Asia-Pacific' in the home title takes lines: {found}"
        assert log.problems() == []
    finally:
        context.close()


def test_search_snippets_leave_out_the_code_cell_toggles(chromium, site):
    """The search page cuts each result's snippet from the page's text (Sphinx's
    Search.htmlToText); the "Show code cell source" toggles stay out of it."""
    context, page, log, _ = open_on(chromium, site, "search", "desktop")
    try:
        html_text = page.evaluate("fetch('book/chapters/02-boom.html').then((r) => r.text())")
        assert "Show code cell source" in html_text, "the chapter has hidden code cells"
        text = page.evaluate("(html) => Search.htmlToText(html)", html_text)
        assert "Why Track 2 boomed" in text
        assert "code cell" not in text, "a search snippet would show a code-cell toggle"
        assert log.problems() == []
    finally:
        context.close()


SEARCH_FIELD = """() => {
  const form = [...document.querySelectorAll("form.bd-search")].find((f) => f.checkVisibility());
  const icon = form.querySelector("i, svg").getBoundingClientRect(), input = form.querySelector("input");
  const s = getComputedStyle(input), box = input.getBoundingClientRect();
  return {iconRight: icon.right, textStart: box.left + parseFloat(s.borderLeftWidth) + parseFloat(s.paddingLeft)};
}"""


@pytest.mark.parametrize("screen", SCREENS)
def test_the_search_fields_icon_leaves_the_typed_text_clear(chromium, site, screen):
    context, page, log, _ = open_on(chromium, site, "book/chapters/01-tracks", screen)
    try:
        page.locator("button.search-button__button >> visible=true").first.click()
        page.locator("form.bd-search input >> visible=true").first.wait_for()
        found = page.evaluate(SEARCH_FIELD)
        assert found["textStart"] >= found["iconRight"] + 2, f"the icon covers the first letter typed: {found}"
        assert log.problems() == []
    finally:
        context.close()


def test_no_full_screen_button_in_the_header(built_html):
    # fewer header icons (issue 27): the browser already offers full screen
    for document in toc_documents():
        assert "toggleFullScreen()" not in (built_html / f"{document}.html").read_text(encoding="utf-8"), document
