"""Accessibility: what axe-core and a screen reader need of every page.

axe-core (pinned in package.json, installed by `npm ci`) runs on each page after its widgets
have rendered, with the WCAG 2.2 AA and best-practice rules (axe's default run leaves out some,
such as ``target-size``), on a desktop and a phone screen, in light and dark mode: no violation
of any impact may remain. Images need alt text and every widget control a label a screen reader
can announce. No axe rule is disabled: what it found was fixed at the cause (see
book/_ext/course/course_style.py, course_style.css and course_a11y.py).

The checks that need the browser (``axe_violations``, ``UNNAMED``) run in tests/test_every_page.py,
on the one load of each page per screen that all the per-page browser checks share; the built
HTML is checked here.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from conftest import ROOT, site_documents

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
IMPACTS = {"minor", "moderate", "serious", "critical"}


def axe_violations(page, impacts=IMPACTS) -> list[str]:
    """Run axe-core's WCAG 2.2 AA and best-practice rules on the loaded page; one
    readable line per offending element."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `npm ci` (or `make book`)")
    if not page.evaluate("typeof axe !== 'undefined'"):  # once per page load
        page.add_script_tag(path=str(AXE))
    # at the top of the page, as it opens: scrolled, a control may sit under the sticky header,
    # which axe's target-size rule counts against the control
    page.evaluate("window.scrollTo(0, 0)")
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},"
                           " resultTypes: ['violations']})", TAGS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {node['target']} {node['html'][:160]}"
        for v in result["violations"] if v["impact"] in impacts
        for node in v["nodes"]
    ]


# The theme's own colour-mode button, clicked as a reader does until it says dark (it cycles
# light -> auto -> dark on a system in light mode); then every transition it started has
# ended, so that axe reads the colours dark mode settles on.
SWITCH_TO_DARK = """async () => {
  const button = document.querySelector(".theme-switch-button");
  for (let click = 0; click < 3 && document.documentElement.dataset.mode !== "dark"; click++) button.click();
  await Promise.all(document.getAnimations().map((a) => a.finished.catch(() => null)));
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  return document.documentElement.dataset.theme;
}"""


# Everything a screen reader needs to name: images (alt), other images (role=img),
# and each control inside a widget, of any kind (browser.WIDGET_CONTROL): a <label for>, a
# wrapping label, aria-label or aria-labelledby, with text; a button may also be named by its text.
UNNAMED = """(selector) => {
  const text = (s) => (s || "").trim().length > 0;
  const problems = [];
  for (const img of document.querySelectorAll("img")) {
    // a decorative image (alt="") in a link whose own text names it, as the course logo
    // beside the course title: the name is said once, not twice (WCAG technique H2)
    const named = img.getAttribute("alt") === "" && text(img.closest("a")?.textContent);
    if (!text(img.getAttribute("alt")) && !named) problems.push("img without alt text: " + img.outerHTML.slice(0, 160));
  }
  for (const el of document.querySelectorAll("[role=img]")) {
    if (el.closest("[aria-hidden=true]")) continue;
    const labelled = (el.getAttribute("aria-labelledby") || "").split(/\\s+/)
      .some((id) => id && document.getElementById(id) && text(document.getElementById(id).textContent));
    if (!(text(el.getAttribute("aria-label")) || labelled || text(el.querySelector("title")?.textContent)))
      problems.push("image without a text alternative: " + el.outerHTML.slice(0, 160));
  }
  const controls = document.querySelectorAll(selector);
  for (const el of controls) {
    const byText = el.tagName === "BUTTON" && text(el.textContent);
    const byLabel = byText || Array.from(el.labels || []).some((label) => text(label.textContent));
    const byAria = text(el.getAttribute("aria-label")) || (el.getAttribute("aria-labelledby") || "").split(/\\s+/)
      .some((id) => id && document.getElementById(id) && text(document.getElementById(id).textContent));
    if (!(byLabel || byAria)) problems.push("widget control without a label: " + el.outerHTML.slice(0, 160));
  }
  return {problems, controls: controls.length};
}"""


class ImagesWithoutAlt(HTMLParser):
    def __init__(self):
        super().__init__()
        self.missing: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        # the course logo is decorative (alt="") beside the course title, in one link;
        # the browser check below confirms the link's text
        decorative_logo = attrs.get("alt") == "" and "logo__image" in (attrs.get("class") or "").split()
        if tag == "img" and not (attrs.get("alt") or "").strip() and not decorative_logo:
            self.missing.append(str(attrs.get("src")))


def test_the_browser_checks_see_an_image_without_alt_text_and_text_too_faint_to_read(chromium, site):
    """What tests/test_every_page.py runs on every page can fail: an image with no alt text and
    light grey text on white, added to a page, are each reported."""
    from browser import WIDGET_CONTROL, on_screen, open_page

    context, page, _ = on_screen(chromium, site, "desktop")
    try:
        open_page(page, site.base + "book/intro.html")
        page.evaluate("""() => document.querySelector("article").insertAdjacentHTML("beforeend",
          '<p id="faint" style="color: #ccc; background: #fff">Hard to read</p><img id="bare" src="../_static/logo.svg">')""")
        found = axe_violations(page)
        assert any(line.startswith("color-contrast (serious)") and "#faint" in line for line in found), found
        assert any(line.startswith("image-alt (critical)") and "#bare" in line for line in found), found
        assert [p.split(":")[0] for p in page.evaluate(UNNAMED, WIDGET_CONTROL)["problems"]] == ["img without alt text"]
    finally:
        context.close()


@pytest.mark.parametrize("document", site_documents())
def test_images_have_alt_text(built_html, document):
    """Images and charts in the built HTML (notebook outputs are static there);
    anything a widget draws is checked in the browser below, and axe-core checks
    SVG and role="img" charts on every page."""
    parser = ImagesWithoutAlt()
    parser.feed((built_html / f"{document}.html").read_text(encoding="utf-8"))
    assert parser.missing == [], f"{document}: images without alt text: {parser.missing}"
