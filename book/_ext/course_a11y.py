"""Tables and live regions for every reader (issue 16).

* pandas tables on the pages (``table.dataframe`` in a cell output): pandas writes a
  ``<style scoped>`` block that browsers apply to the whole page (``scoped`` was never
  implemented), right-aligning every heading over left-aligned values; a named index
  adds a second heading row that holds only the index name, and an unnamed index an
  empty heading cell (axe ``empty-table-header``). Here the style block goes, the index
  name moves up into the heading row, an empty corner heading becomes a plain cell,
  headings get ``scope``, and each table sits in a box of its own that scrolls
  sideways and can be reached by keyboard (axe ``scrollable-region-focusable``):
  ``tabindex="0"``, ``role="region"`` and a name.
* Quick-check feedback (``track2.quiz``): each picker's feedback stack has the class
  ``track2-feedback-region``. ipywidgets cannot set ARIA attributes from Python, so a
  small inline script marks those stacks as polite live regions (``role="status"``)
  as soon as the widget manager draws them, before any answer is picked, so a
  screen reader announces each verdict. The same script makes the theme's primary
  sidebar (which holds the course title, a link outside any landmark) a named
  landmark (axe ``region``).

The look (type scale, colours in light and dark mode, focus rings, 24 px targets) is
in ``course_style.css``, in the block marked "issue 16".
"""

from __future__ import annotations

import re
from html import unescape

from sphinx.application import Sphinx

TABLE = re.compile(r'<table border="1" class="dataframe">.*?</table>', re.S)
SCOPED_STYLE = re.compile(r"<style scoped>.*?</style>\s*", re.S)
HEAD = re.compile(r"<thead>(.*?)</thead>", re.S)
ROW = re.compile(r"<tr[^>]*>(.*?)</tr>", re.S)
HEADING = re.compile(r"<th([^>]*)>(.*?)</th>", re.S)

LIVE_REGIONS = """(() => {
  // Only what was added, or had its class changed (a widget gets its classes after it is
  // in the page), is searched: not the whole page once per change, which on a page with
  // widgets was a long task while they drew (issue 27).
  const REGION = ".track2-feedback-region:not([aria-live])";
  const live = (el) => {
    el.setAttribute("role", "status");
    el.setAttribute("aria-live", "polite");
    el.setAttribute("aria-atomic", "true");
  };
  const mark = (node) => {
    if (node.nodeType !== 1) return;
    if (node.matches(REGION)) live(node);
    node.querySelectorAll(REGION).forEach(live);
  };
  new MutationObserver((records) => records.forEach((r) => {
    if (r.type === "childList") r.addedNodes.forEach(mark);
    else if (r.target.matches(REGION)) live(r.target); // a class changed: that element only
  })).observe(document.documentElement, {childList: true, subtree: true, attributes: true, attributeFilter: ["class"]});
  mark(document.documentElement);
  // The theme's primary sidebar puts the course title (a link home) outside any
  // landmark (axe "region"): the sidebar as a whole is a named landmark.
  document.addEventListener("DOMContentLoaded", () => {
    const sidebar = document.getElementById("pst-primary-sidebar");
    if (sidebar && !sidebar.hasAttribute("role")) {
      sidebar.setAttribute("role", "complementary");
      sidebar.setAttribute("aria-label", "Course contents");
    }
  });
})();"""


# A table box that scrolls sideways says so (issue 27: on a phone, chapter 3's pairs table
# hid the columns the next paragraphs discuss, with no cue). A box that is narrower than
# its table gets ``data-scrolls``; course_style.css then shows a hint above the table.
# Checked by a ResizeObserver, which reports each box once it has a size (as it appears, a
# widget view shown) and whenever that changes (a phone turned, a window resized), after
# layout; no box gets the attribute on a screen where its table fits. (Measuring each box
# as it was added forced a layout per box, 300-600 ms on an exercise page: issue 27.)
SCROLL_HINTS = """(() => {
  const sizes = new ResizeObserver((entries) => entries.forEach(({target: box}) => {
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls !== box.hasAttribute("data-scrolls")) box.toggleAttribute("data-scrolls", scrolls);
  }));
  const watch = (node) => {
    if (node.nodeType !== 1) return;
    if (node.matches(".track2-table-scroll")) sizes.observe(node);
    node.querySelectorAll(".track2-table-scroll").forEach((box) => sizes.observe(box));
  };
  new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach(watch)))
    .observe(document.documentElement, {childList: true, subtree: true});
  watch(document.documentElement);
})();"""


def _text(cell: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", cell)).strip()


def fix_dataframe_table(table: str) -> str:
    """One pandas ``DataFrame.to_html`` table made accessible (see the module docstring)."""
    head = HEAD.search(table)
    if not head:
        return table
    rows = ROW.findall(head.group(1))
    cells = [HEADING.findall(row) for row in rows]
    # a second heading row with only the index name: move the name up, drop the row
    if len(cells) == 2 and cells[1] and all(not _text(c) for _, c in cells[1][1:]) and not _text(cells[0][0][1]):
        cells[0][0] = (cells[0][0][0], cells[1][0][1])
        cells = cells[:1]
    new_rows = []
    for row in cells:
        out = []
        for attrs, content in row:
            if _text(content):
                out.append(f'<th scope="col"{attrs}>{content}</th>')
            else:
                out.append(f"<td{attrs}></td>")  # a corner with nothing to say is not a heading
        new_rows.append("<tr>" + "".join(out) + "</tr>")
    table = table[:head.start()] + "<thead>" + "".join(new_rows) + "</thead>" + table[head.end():]
    table = table.replace('<table border="1" class="dataframe">', '<table class="dataframe">', 1)
    table = re.sub(r"<tbody>(.*)</tbody>", lambda m: m.group(0).replace("<th>", '<th scope="row">'), table,
                   flags=re.S)
    headings = [_text(c) for _, c in cells[0] if _text(c)][:3]
    label = "Table: " + ", ".join(headings) + (", …" if len(cells[0]) > 3 else "")
    label = label.replace('"', "&quot;")
    return (f'<div class="track2-table-scroll" role="region" tabindex="0" aria-label="{label}">'
            f"{table}</div>")


def fix_dataframe_tables(body: str) -> str:
    """Every pandas table in a page body; other tables are left alone."""
    if 'class="dataframe"' not in body:
        return body
    body = SCOPED_STYLE.sub("", body)
    return TABLE.sub(lambda m: fix_dataframe_table(m.group(0)), body)


def _page(app: Sphinx, pagename, templatename, context, doctree) -> None:
    body = context.get("body")
    if body:
        context["body"] = fix_dataframe_tables(body)


def setup(app: Sphinx) -> dict:
    app.connect("html-page-context", _page)
    app.add_js_file(None, body=LIVE_REGIONS)
    app.add_js_file(None, body=SCROLL_HINTS)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
