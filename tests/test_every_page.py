"""Every page of the site (English and each published translation) in headless Chromium, on
a desktop and a phone screen (browser.SCREENS), offline and with no kernel.

Each page is loaded once per screen, and every per-page browser check runs on that load (a
page load, with its widgets and mathematics, costs about as much as axe's audit). The checks
are defined beside the concern they belong to, with the tests that show they can fail:

* **loads cleanly** (tests/test_browser.py): the page's title shows; no JavaScript error, no
  failed request, nothing fetched from outside the local server; a page that embeds widgets
  draws at least one control;
* **accessibility** (tests/test_accessibility.py): axe-core's WCAG 2.2 AA and best-practice
  rules in light mode and again in dark mode; every image and chart has a text alternative
  and every widget control a label;
* **the student's view** (tests/test_student_view.py): heading scale, readable control widths,
  widgets inside their boxes, tables that scroll say so, previous/next links on a phone; in
  dark mode, no light box in the article (desktop);
* **tables fit the text column** on a desktop (tests/test_design.py);
* **on a phone** (tests/test_phone.py): nothing scrolls sideways, every widget control can be
  reached and tapped, and every view of every control keeps the layout.

The order keeps each check on the page a reader first sees: what only reads the page comes
first, in light mode; then the theme's own button switches to dark mode (the modes differ
only in CSS keyed on ``html[data-theme]``, so a fresh load in dark mode draws the same page)
for axe; what operates the widgets (choosing options) comes last. Every problem found on a
page is listed at once, under the name of its check.
"""

from __future__ import annotations

import pytest

import test_accessibility as accessibility
import test_design as design
import test_phone as phone
import test_student_view as student_view
from browser import WIDGET_CONTROL, WIDGET_VIEW_TYPE, on_screen, open_page
from conftest import site_documents


def check(problems: dict[str, list[str]], name: str, found: list[str]) -> None:
    if found:
        problems.setdefault(name, []).extend(found)


@pytest.mark.parametrize("screen", ["desktop", "phone"])
@pytest.mark.parametrize("document", site_documents())
def test_every_page_on_each_screen(chromium, site, built_html, document, screen):
    embeds_widgets = WIDGET_VIEW_TYPE in (built_html / f"{document}.html").read_text(encoding="utf-8")
    context, page, log = on_screen(chromium, site, screen, "light")
    problems: dict[str, list[str]] = {}
    try:
        has_widgets = open_page(page, site.base + document + ".html")
        # loads cleanly
        if not page.locator("article h1").first.is_visible():
            check(problems, "loads cleanly", ["the page's title (article h1) is not shown"])
        if has_widgets != embeds_widgets:
            check(problems, "loads cleanly", [f"the HTML {'embeds' if embeds_widgets else 'has no'} widgets, "
                                              f"the browser {'drew' if has_widgets else 'found'} "
                                              f"{'some' if has_widgets else 'none'}"])
        # what a screen reader needs named (images, charts, widget controls)
        named = page.evaluate(accessibility.UNNAMED, WIDGET_CONTROL)
        check(problems, "text alternatives and labels", named["problems"])
        if embeds_widgets and named["controls"] < 1:
            check(problems, "loads cleanly", ["the widgets drew no control"])
        # the student's view and, on each screen, its own layout checks
        check(problems, "the student's view", student_view.screen_problems(page, screen, has_widgets))
        if screen == "desktop":
            check(problems, "tables fit the text column", page.evaluate(design.WIDE))
        else:
            check(problems, "fits a phone", page.evaluate(phone.LAYOUT, phone.PHONE_WIDTH))
            if has_widgets:
                reachable = page.evaluate(phone.REACHABLE, [phone.PHONE_WIDTH, phone.dropdown_prompt(document),
                                                            WIDGET_CONTROL])
                check(problems, "fits a phone", reachable["problems"])
        check(problems, "axe-core, light mode", accessibility.axe_violations(page))
        # dark mode, switched with the theme's own button
        theme = page.evaluate(accessibility.SWITCH_TO_DARK)
        assert theme == "dark", f"{document} ({screen}): the colour-mode button left the theme {theme!r}"
        check(problems, "axe-core, dark mode", accessibility.axe_violations(page))
        # what operates the widgets
        if screen == "desktop":
            check(problems, "no light box in dark mode", page.evaluate(student_view.LIGHT_BOXES))
        elif has_widgets:
            views = page.evaluate(phone.EVERY_VIEW, [phone.LAYOUT, phone.PHONE_WIDTH])
            check(problems, "fits a phone, every view", views["problems"])
            if views["unchanged"]:
                check(problems, "fits a phone, every view",
                      [f"choosing in these controls changes nothing: {views['unchanged']}"])
        # the widgets' icon fonts are requested once they are drawn: let every request end
        page.evaluate("document.fonts.ready.then(() => true)")
        page.wait_for_load_state("networkidle")
        check(problems, "loads cleanly", log.problems())
    finally:
        context.close()
    assert not problems, f"{document} ({screen}):\n" + "\n".join(
        f"[{name}] {line}" for name, lines in problems.items() for line in lines)
