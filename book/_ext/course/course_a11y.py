"""Tables and live regions for every reader (issue 16).

* pandas tables on the pages (``table.dataframe`` in a cell output): pandas writes a
  ``<style scoped>`` block that browsers apply to the whole page (``scoped`` was never
  implemented), right-aligning every heading over left-aligned values; a named index
  adds a second heading row that holds only the index name, and an unnamed index an
  empty heading cell (axe ``empty-table-header``). Here the style block goes, the index
  name moves up into the heading row, an empty corner heading becomes a plain cell,
  headings get ``scope``, and each table sits in a box of its own that scrolls
  sideways and can be reached by keyboard (axe ``scrollable-region-focusable``):
  ``tabindex="0"``, ``role="region"`` and a name. Done in the document tree before
  the page is written (each cell output's HTML, read and changed with BeautifulSoup),
  so the site and the offline editions get the same tables.
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

from bs4 import BeautifulSoup
from bs4.dammit import EntitySubstitution
from bs4.formatter import HTMLFormatter
from docutils import nodes
from sphinx.application import Sphinx

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


class _AttributesInOrder(HTMLFormatter):
    """BeautifulSoup's "minimal" output, with attributes in their order (not sorted)."""

    def attributes(self, tag):
        return list(tag.attrs.items())


HTML = _AttributesInOrder(entity_substitution=EntitySubstitution.substitute_xml)


def fix_dataframe_table(soup: BeautifulSoup, table) -> None:
    """One pandas ``DataFrame.to_html`` table (a tag of ``soup``) made accessible, in place
    (see the module docstring)."""
    head = table.find("thead")
    if head is None:
        return
    rows = head.find_all("tr", recursive=False)
    # a second heading row with only the index name: move the name up, drop the row
    if len(rows) == 2:
        first, second = (row.find_all(["th", "td"], recursive=False) for row in rows)
        if second and first and all(not c.get_text(strip=True) for c in second[1:]) \
                and not first[0].get_text(strip=True):
            first[0].clear()
            first[0].extend(list(second[0].contents))
            rows[1].decompose()
            rows = rows[:1]
    for row in rows:
        row.attrs = {}  # pandas' `style="text-align: right;"`: headings align as their values
        for cell in row.find_all(["th", "td"], recursive=False):
            if cell.get_text(strip=True):
                cell.attrs = {"scope": "col", **cell.attrs}
            else:
                cell.name = "td"  # a corner with nothing to say is not a heading
    table.attrs.pop("border", None)
    body = table.find("tbody")
    for heading in body.find_all("th") if body else []:
        heading.attrs = {"scope": "row", **heading.attrs}
    names = [c.get_text(strip=True) for c in rows[0].find_all("th", recursive=False)]
    label = "Table: " + ", ".join(names[:3]) + (", …" if len(rows[0].find_all(["th", "td"], recursive=False)) > 3 else "")
    box = soup.new_tag("div", attrs={"class": "track2-table-scroll", "role": "region", "tabindex": "0",
                                     "aria-label": label})
    table.wrap(box)


def fix_dataframe_tables(html: str) -> str:
    """Every pandas table in a piece of HTML (a cell output); other tables are left alone."""
    if 'class="dataframe"' not in html:
        return html
    soup = BeautifulSoup(html, "html.parser")
    tables = soup.find_all("table", class_="dataframe")
    if not tables:
        return html
    for style in soup.find_all("style", attrs={"scoped": True}):
        style.decompose()
    for table in tables:
        fix_dataframe_table(soup, table)
    return soup.decode(formatter=HTML)


def _tables_in_the_tree(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for raw in list(doctree.findall(nodes.raw)):
        if "html" in raw.get("format", "").split() and 'class="dataframe"' in raw.astext():
            fixed = fix_dataframe_tables(raw.astext())
            raw.replace_self(nodes.raw("", fixed, format=raw["format"], classes=raw.get("classes", [])))


def setup(app: Sphinx) -> dict:
    app.connect("doctree-resolved", _tables_in_the_tree)
    app.add_js_file(None, body=LIVE_REGIONS)
    app.add_js_file(None, body=SCROLL_HINTS)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
