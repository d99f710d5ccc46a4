"""Every page of the book in a real browser, offline: no JavaScript error, nothing
fetched from outside the local server, widgets rendered and working with no kernel."""

from __future__ import annotations

import pytest

from browser import WIDGET_CONTROL, WIDGET_VIEW
from track2.analysis import TRACK_LABELS
from track2.data import load_institutions


def open_explorer(browser_page, site, path: str, label: str):
    """Open a page and wait for the widget control labelled ``label``: ``(page, log, select)``."""
    page, log = browser_page
    page.goto(site.base + path, wait_until="networkidle")
    select = page.get_by_label(label)
    select.wait_for(timeout=15000)
    return page, log, select


def test_a_request_that_leaves_the_site_is_recorded_and_reaches_nothing(browser_page, site):
    """What every page's clean, offline load (tests/test_every_page.py) relies on: the browser
    reaches no host but the local server, and the log records the attempt (an image and a script fetched from outside, as a page might)."""
    page, log = browser_page
    page.goto(site.base + "book/intro.html")
    outcome = page.evaluate("""() => fetch("https://example.org/data.json").then(() => "reached", () => "failed")""")
    page.evaluate("""() => new Promise((done) => { const img = new Image(); img.onload = img.onerror = done;
                                                    img.src = "http://198.51.100.7/logo.png"; })""")
    assert outcome == "failed"
    assert log.outside == ["https://example.org/data.json", "http://198.51.100.7/logo.png"]
    assert log.problems()[-1] == "request outside the site: http://198.51.100.7/logo.png"


def test_track_explorer_switches_without_a_kernel(browser_page, site):
    page, log, select = open_explorer(browser_page, site, "notebooks/institutions.html", "Track:")
    institutions = load_institutions()
    for track, label in TRACK_LABELS.items():
        select.select_option(label=label)
        visible = page.locator(".widget-html-content table.track2-table:visible")
        expected = institutions[institutions["track"] == track]
        visible.first.wait_for()
        caption = visible.first.locator("caption").inner_text()
        assert caption == f"{label}: {len(expected)} bod{'y' if len(expected) == 1 else 'ies'} in the course data"
        shown = visible.first.locator("tbody tr td:first-child").all_inner_texts()
        assert sorted(shown) == sorted(expected.index)
    assert log.problems() == []


def test_pair_explorer_flips_through_every_pair_without_a_kernel(browser_page, site):
    from track2.analysis import membership_overlap
    from track2.data import load_course_data

    page, log, select = open_explorer(browser_page, site, "notebooks/pair-explorer.html", "Institution pair:")
    data = load_course_data()
    for pair_id in reversed(list(data.pairs.index)):  # start away from the default view
        select.select_option(label=pair_id)
        shown = page.locator(".track2-pair:visible")
        shown.first.wait_for()
        assert shown.count() == 1
        assert shown.first.get_attribute("data-pair") == pair_id
        text = shown.first.inner_text()
        official, unofficial = data.pairs.loc[pair_id, ["track1_id", "track2_id"]]
        assert data.institutions.loc[official, "name"] in text
        assert data.institutions.loc[unofficial, "name"] in text
        jaccard = membership_overlap(data.memberships, data.pairs, pair_id)["jaccard"]
        assert (f"Jaccard index: {jaccard:.2f}" in text) if jaccard is not None else ("cannot be computed" in text)
    assert log.problems() == []


def test_member_explorer_switches_without_a_kernel(browser_page, site):
    from track2.data import load_course_data

    page, log, select = open_explorer(browser_page, site, "notebooks/member-explorer.html", "Country, economy or organisation:")
    memberships = load_course_data().memberships
    for name in sorted(memberships["member"].unique()):
        select.select_option(label=name)
        shown = page.locator(".track2-member:visible")
        assert shown.first.get_attribute("data-member") == name
        bodies = set(shown.first.locator("tbody tr td:first-child").all_inner_texts())
        assert bodies == set(memberships.loc[memberships["member"] == name, "body_id"])
    assert log.problems() == []


def test_timeline_explorer_switches_without_a_kernel(browser_page, site):
    from track2.analysis import TIMELINE_FILTERS, timeline
    from track2.data import load_course_data

    page, log, select = open_explorer(browser_page, site, "notebooks/timeline-explorer.html", "Show:")
    data = load_course_data()
    for choice in reversed(list(TIMELINE_FILTERS)):
        select.select_option(label=choice)
        shown = page.locator(".track2-timeline:visible")
        assert shown.first.get_attribute("data-filter") == choice
        bodies, links = timeline(data.institutions, data.idea_transfers, choice)
        assert shown.first.locator("svg circle").count() == len(bodies)
        assert f"{len(bodies)} bodies and {len(links)} idea transfers" in shown.first.inner_text()
    assert log.problems() == []


def test_explorers_work_from_the_keyboard(browser_page, site):
    """Tab to the control, change it with the arrow keys, and the view follows."""
    from track2.data import load_course_data

    page, log, select = open_explorer(browser_page, site, "notebooks/pair-explorer.html", "Institution pair:")
    pairs = list(load_course_data().pairs.index)
    select.focus()
    assert page.evaluate("document.activeElement.tagName") == "SELECT"
    page.keyboard.press("ArrowDown")
    page.locator(f".track2-pair[data-pair='{pairs[1]}']").wait_for(state="visible", timeout=5000)
    assert page.locator(".track2-pair:visible").first.get_attribute("data-pair") == pairs[1]
    assert log.problems() == []


# --------------------------------------------------------------------------- #
# When the widget bundle cannot run (book/_ext/course/widget_bundle.py): the text stays and
# each widget's place says why it is empty.

def is_bundle(url: str) -> bool:
    return url.split("?")[0].endswith("/_static/offline/widgets/track2-widgets.js")


FALLBACK = ".track2-widget-fallback"
NEEDS_JS = "This interactive view needs JavaScript"


@pytest.mark.parametrize("path", ["notebooks/institutions.html", "exercises/01-tracks.html"])
def test_a_page_whose_widget_bundle_fails_to_load_says_so_where_each_widget_would_be(browser_page, site, path):
    page, log = browser_page
    blocked = []
    page.route(is_bundle, lambda route: (blocked.append(route.request.url), route.abort()))
    page.goto(site.base + path, wait_until="load")
    page.locator(FALLBACK).first.wait_for(state="visible", timeout=10000)
    views = page.locator(WIDGET_VIEW).count()
    messages = page.locator(FALLBACK)
    assert views >= 1 and messages.count() == views
    for i in range(views):
        assert messages.nth(i).is_visible()
        assert messages.nth(i).inner_text().startswith(NEEDS_JS)
    assert page.locator(".jupyter-widgets").count() == 0
    assert page.locator("article h1").first.is_visible()
    assert len(page.locator("article").first.inner_text()) > 1000  # the text is all there
    assert len(blocked) == 1 and log.outside == []
    assert all("track2-widgets.js" in failure for failure in log.failed)


def test_the_message_is_shown_with_javascript_off(chromium, site):
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.base + "notebooks/pair-explorer.html", wait_until="load")
        assert page.locator(FALLBACK).first.is_visible()
        assert page.locator(FALLBACK).first.inner_text().startswith(NEEDS_JS)
    finally:
        context.close()


@pytest.mark.parametrize("path", ["notebooks/institutions.html", "exercises/01-tracks.html"])
def test_no_message_once_the_widgets_are_drawn(browser_page, site, path):
    page, log = browser_page
    page.goto(site.base + path, wait_until="load")
    page.wait_for_selector(WIDGET_CONTROL, timeout=15000)
    page.evaluate("window.track2Widgets.ready.then(() => true)")
    assert page.locator(FALLBACK).count() == 0
    assert page.get_by_text(NEEDS_JS).count() == 0
    assert log.problems() == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_a_first_visit_follows_the_readers_colour_scheme(chromium, site, scheme):
    """A reader whose system is dark gets the dark book on the first visit (issue 27); the
    theme logs no error for its default mode."""
    from browser import watch

    context = chromium.new_context(color_scheme=scheme)
    page = context.new_page()
    log = watch(page, site.base)
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(site.base + "book/intro.html", wait_until="load")
    assert page.evaluate("document.documentElement.dataset.theme") == scheme
    assert log.problems() == [] and not [m for m in messages if "invalid theme mode" in m]
    context.close()


# --------------------------------------------------------------------------- #
# The header's menus and back-to-top button, run by the course's header_menus.js instead of
# the theme's Bootstrap script (book/_ext/course/light_pages.py, issue 27).

def test_the_header_menus_open_close_and_work_from_the_keyboard(browser_page, site):
    page, log = browser_page
    page.goto(site.base + "notebooks/pair-explorer.html", wait_until="load")
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    launch = page.locator(".dropdown-launch-buttons")
    button, menu = launch.locator("button.dropdown-toggle"), launch.locator(".dropdown-menu")
    page.mouse.move(0, 0)  # the theme's stylesheet also shows a menu under the pointer
    assert not menu.is_visible() and button.get_attribute("aria-expanded") == "false"
    button.click()
    assert menu.is_visible() and button.get_attribute("aria-expanded") == "true"
    page.mouse.move(0, 0)
    # the logos load when the menu opens (loading="lazy"), and they do load
    page.wait_for_function("() => Array.from(document.querySelectorAll('.dropdown-launch-buttons img'))"
                           ".every((img) => img.complete && img.naturalWidth > 0)", timeout=5000)
    assert any(url.split("?")[0].endswith("logo_colab.png") for url in requested)
    # a click elsewhere closes it
    page.locator("article h1").first.click()
    assert not menu.is_visible() and button.get_attribute("aria-expanded") == "false"
    # from the keyboard: the arrow keys open it and move through its links, Escape closes it
    # and gives the focus back to its button
    button.focus()
    page.keyboard.press("ArrowDown")
    assert menu.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('dropdown-item')")
    first = page.evaluate("document.activeElement.textContent.trim()")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent.trim()") != first
    page.keyboard.press("Escape")
    assert not menu.is_visible()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == button.get_attribute("aria-label")
    # opening one menu closes the other
    download = page.locator(".dropdown-download-buttons")
    button.click()
    download.locator("button.dropdown-toggle").click()
    page.mouse.move(0, 0)
    assert download.locator(".dropdown-menu").is_visible() and not menu.is_visible()
    assert log.problems() == []


def test_the_launch_logos_are_not_fetched_until_the_menu_opens(browser_page, site):
    page, log = browser_page
    requested = []
    page.on("request", lambda request: requested.append(request.url.split("?")[0]))
    page.goto(site.base + "notebooks/pair-explorer.html", wait_until="networkidle")
    assert page.locator(".dropdown-launch-buttons img").count() >= 1
    assert not [url for url in requested if "/_static/images/logo_" in url]
    assert log.problems() == []


def test_the_back_to_top_button_appears_when_scrolling_up_and_goes_to_the_top(browser_page, site):
    page, log = browser_page
    page.set_viewport_size({"width": 800, "height": 900})  # the book theme hides it on a screen 1200 px wide
    page.goto(site.base + "book/instructor-guide.html", wait_until="load")
    button = page.locator("#pst-back-to-top")
    assert not button.is_visible()
    page.locator("article p").first.hover()  # the page scrolls, not the sidebar under the pointer
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(300)
    page.mouse.wheel(0, -400)
    button.wait_for(state="visible", timeout=5000)
    button.click()
    page.wait_for_function("window.scrollY === 0", timeout=5000)
    assert log.problems() == []


@pytest.mark.parametrize("path", ["exercises/01-tracks.html", "notebooks/pair-explorer.html"])
def test_the_purged_widget_stylesheet_styles_every_class_the_drawn_widgets_have(browser_page, site, built_html, path):
    """The widget bundle's stylesheet is purged against the pages and scripts (light_pages.py):
    every class on a drawn widget that the bundle's full stylesheet has a rule for keeps it."""
    import re

    from conftest import ROOT

    full = (ROOT / "_build" / "assets" / "static" / "offline" / "widgets" / "track2-widgets.css").read_text(encoding="utf-8")
    built = (built_html / "_static" / "offline" / "widgets" / "track2-widgets.css").read_text(encoding="utf-8")
    page, log = browser_page
    page.goto(site.base + path, wait_until="load")
    page.evaluate("window.track2Widgets.ready.then(() => true)")
    classes = page.evaluate("""() => [...new Set([...document.querySelectorAll(
        '.widget-subarea, .widget-subarea *')].flatMap((el) => [...el.classList]))]""")
    styled = lambda css, name: re.search(rf"\.{re.escape(name)}(?![\w-])", css) is not None  # noqa: E731
    assert len(classes) > 10 and [c for c in classes if styled(full, c)]
    assert [c for c in classes if styled(full, c) and not styled(built, c)] == []
    # and what no page draws is gone (the full stylesheet has it: the check can fail)
    assert styled(full, "widget-slider") and not styled(built, "widget-slider")
    assert log.problems() == []


# the element after an explorer's notebook cell, and its top on the page
BELOW_EXPLORER = """() => {
  const placeholder = document.querySelector('.track2-widget-placeholder');
  const view = document.querySelector('script[type="application/vnd.jupyter.widget-view+json"]');
  let el = (placeholder || view).closest('.cell');
  while (el && !el.nextElementSibling) el = el.parentElement;
  const below = el.nextElementSibling;
  return {placeholder: !!placeholder && placeholder.getBoundingClientRect().height,
          top: below.getBoundingClientRect().top + window.scrollY};
}"""


@pytest.mark.parametrize("document", ["notebooks/institutions", "notebooks/pair-explorer",
                                      "notebooks/member-explorer", "notebooks/timeline-explorer"])
def test_the_text_under_an_explorer_stays_put_when_it_is_drawn(browser_page, site, document):
    """While the widget bundle loads, the page keeps the space the explorer will take (its
    control's row and first view: widget_bundle.py's placeholder), so the text under it
    does not move when it is drawn (Lighthouse's layout shift, issue 27)."""
    page, log = browser_page
    held = []
    page.route(is_bundle, lambda route: held.append(route))  # the bundle waits until measured
    # parsed, but not DOMContentLoaded: that waits for the deferred bundle
    page.goto(site.base + document + ".html", wait_until="commit")
    page.wait_for_function("document.readyState !== 'loading'")
    page.evaluate("document.fonts.ready.then(() => true)")
    before = page.evaluate(BELOW_EXPLORER)
    assert before["placeholder"] and before["placeholder"] > 100, before
    assert page.locator(".track2-widget-placeholder").first.is_hidden()  # kept, not shown
    for route in held:
        route.continue_()
    page.wait_for_function("window.track2Widgets !== undefined && window.track2Widgets.ready !== null")
    page.evaluate("window.track2Widgets.ready.then(() => true)")
    after = page.evaluate(BELOW_EXPLORER)
    assert after["placeholder"] is False  # gone once the explorer is drawn
    assert abs(after["top"] - before["top"]) <= 4, (before, after)
    assert log.problems() == []


def test_the_sidebar_does_not_move_when_the_logo_arrives(browser_page, site):
    """The logo's box is there from the first paint (course_style.css): the theme's <img> has
    no size, and the sidebar under it moved down when the image arrived (issue 27)."""
    page, log = browser_page
    held = []
    page.route(lambda url: url.split("?")[0].endswith("/_static/logo.svg"), lambda route: held.append(route))
    page.goto(site.base + "book/intro.html", wait_until="commit")
    page.wait_for_function("document.readyState !== 'loading' && document.querySelector('.logo__title')")
    title = "document.querySelector('.logo__title').getBoundingClientRect().top"
    before = page.evaluate(title)
    assert held, "the logo was not requested"
    for route in held:
        route.continue_()
    page.wait_for_function("[...document.querySelectorAll('.logo__image')].every((img) => img.complete)")
    assert page.evaluate(title) == before
    assert log.problems() == []
