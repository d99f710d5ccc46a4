"""The exercise pages of the static book, offline and with no kernel: a reader answers
quick checks by clicking and sees the right feedback; the review links land on a
chapter section that exists."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import nbformat
import pytest

from conftest import ROOT
from track2.data import load_course_data
from track2.questions import SETS, quick_checks
from track2.tools.exercises import data_task_hints

DATA = load_course_data()
# the data tasks of each set's student notebook (an exercise box followed by an answer cell)
DATA_TASKS = {set_id: data_task_hints(nbformat.read(ROOT / "exercises" / f"{set_id}.ipynb", as_version=4))
              for set_id in SETS}
FEEDBACK = ".track2-feedback:visible"


def open_exercises(page, site, set_id: str) -> None:
    page.goto(site.base + f"exercises/{set_id}.html", wait_until="networkidle")
    page.wait_for_selector(".track2-quick-check", timeout=15000)
    page.evaluate("document.fonts.ready.then(() => true)")  # icon fonts requested on render


def test_matching_and_multiple_choice_give_feedback_without_a_kernel(browser_page, site):
    page, log = browser_page
    open_exercises(page, site, "03-symbiosis")
    checks = quick_checks("03-symbiosis", DATA)
    assert page.locator(".track2-quick-check").count() == len(checks)
    assert page.locator(FEEDBACK).count() == 0, "no feedback before anything is chosen"

    # matching: the CSCAP dropdown, first a wrong partner, then the right one
    partner = DATA.pairs.loc[DATA.pairs.track2_id == "CSCAP", "track1_id"].iloc[0]
    wrong = next(o.label for o in checks["partners"].pickers[0].options if not o.correct)
    select = page.get_by_label("CSCAP:")
    select.select_option(label=wrong)
    shown = page.locator(FEEDBACK)
    shown.first.wait_for()
    assert shown.count() == 1
    assert shown.first.get_attribute("data-status") == "incorrect"
    assert "Not quite" in shown.first.inner_text() and f"{wrong}'s Track 2 partners" in shown.first.inner_text()
    assert shown.first.locator("a").get_attribute("href") == "../book/chapters/03-symbiosis.html#what-the-data-show"
    select.select_option(label=partner)
    assert page.locator(FEEDBACK).count() == 1
    assert page.locator(FEEDBACK).first.get_attribute("data-status") == "correct"
    assert f"CSCAP is paired with {partner}" in page.locator(FEEDBACK).first.inner_text()

    # multiple choice (radio buttons): the pair with the longest head start
    quiz = page.locator(".track2-quick-check").filter(has_text="longest head start")
    options = checks["head-start"].pickers[0].options
    right = next(o for o in options if o.correct)
    wrong = next(o for o in options if not o.correct)
    quiz.get_by_label(wrong.label, exact=True).check()
    feedback = quiz.locator(FEEDBACK)
    feedback.first.wait_for()
    assert feedback.count() == 1 and feedback.first.get_attribute("data-status") == "incorrect"
    assert wrong.why in feedback.first.inner_text()
    quiz.get_by_label(right.label, exact=True).check()
    assert feedback.count() == 1 and feedback.first.get_attribute("data-status") == "correct"
    assert right.why in feedback.first.inner_text()
    assert log.problems() == []


def test_ordering_gives_feedback_per_position(browser_page, site):
    page, log = browser_page
    open_exercises(page, site, "02-boom")
    order = quick_checks("02-boom", DATA)["founding-order"]
    quiz = page.locator(".track2-quick-check").filter(has_text="order they were founded")
    first = [o for o in order.pickers[0].options if o.correct][0].label
    last = [o for o in order.pickers[-1].options if o.correct][0].label
    quiz.get_by_label("1.", exact=True).select_option(label=last)
    feedback = quiz.locator(FEEDBACK)
    feedback.first.wait_for()
    assert feedback.first.get_attribute("data-status") == "incorrect"
    assert "belongs later" in feedback.first.inner_text()
    quiz.get_by_label("1.", exact=True).select_option(label=first)
    quiz.get_by_label(f"{len(order.pickers)}.", exact=True).select_option(label=last)
    assert feedback.count() == 2
    assert [feedback.nth(i).get_attribute("data-status") for i in range(2)] == ["correct", "correct"]
    assert log.problems() == []


def test_a_review_link_lands_on_the_chapter_section(browser_page, site):
    page, log = browser_page
    open_exercises(page, site, "01-tracks")
    quiz = page.locator(".track2-quick-check").filter(has_text="side by side with independent experts")
    wrong = next(o for o in quick_checks("01-tracks", DATA)["mixed-table"].pickers[0].options if not o.correct)
    quiz.get_by_label(wrong.label, exact=True).check()
    link = quiz.locator(FEEDBACK).first.locator("a")
    link.click()
    page.wait_for_url(re.compile(r"/book/chapters/01-tracks\.html#more-than-two-tracks$"))
    assert page.locator("#more-than-two-tracks").is_visible()
    assert log.problems() == []


@pytest.mark.parametrize("set_id", SETS)
def test_every_exercise_page_shows_its_quick_checks_and_exercises(browser_page, site, set_id):
    page, log = browser_page
    open_exercises(page, site, set_id)
    assert page.locator(".track2-quick-check").count() == len(quick_checks(set_id, DATA))
    assert page.locator(FEEDBACK).count() == 0
    assert page.locator(".exercise").count() >= 3  # sphinx-exercise boxes: data tasks and reflections
    text = page.locator("article").inner_text()
    assert "Model answer" not in text, "model answers are for instructors only"
    assert page.locator(".solution").count() == 0 and "Solution to" not in text, "hints are not solutions"
    # every data task has a hint, titled as one and folded by sphinx-togglebutton until opened
    hints = page.locator("article .admonition.hint")
    assert hints.count() == len(DATA_TASKS[set_id]) >= 1
    for hint in hints.all():
        assert hint.locator(".admonition-title").inner_text().strip() == "Hint: how to approach it"
        assert "toggle-hidden" in hint.get_attribute("class") and not hint.locator("p").nth(1).is_visible()
    hints.first.locator(".admonition-title").click()
    page.wait_for_function("el => !el.classList.contains('toggle-hidden')", arg=hints.first.element_handle())
    assert hints.first.locator("p").nth(1).is_visible(), "a click on the title opens the hint"
    # answer the first picker of every check correctly: every one turns green
    for check in quick_checks(set_id, DATA).values():
        box = page.locator(".track2-quick-check").filter(has=page.locator(".track2-prompt", has_text=check.prompt))
        assert box.count() == 1, check.prompt
        picker = check.pickers[0]
        right = next(o.label for o in picker.options if o.correct)
        if picker.control.description:
            box.get_by_label(picker.control.description, exact=True).select_option(label=right)
        else:
            box.get_by_label(right, exact=True).check()
        box.locator(FEEDBACK).first.wait_for()
        assert box.locator(FEEDBACK).first.get_attribute("data-status") == "correct", (set_id, check.key)
    assert log.problems() == []


class Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if dict(attrs).get("id"):
            self.ids.add(dict(attrs)["id"])


def test_every_review_link_points_at_an_existing_section(built_html):
    """Links inside widget state are not seen by the site's link checker: check them here."""
    targets = set()
    for set_id in SETS:
        for check in quick_checks(set_id, DATA).values():
            for picker in check.pickers:
                for view in picker.stack.children:
                    targets |= set(re.findall(r"href='([^']+)'", view.value))
    assert targets
    for href in sorted(targets):
        path, anchor = href.split("#")
        page = (built_html / "exercises" / path).resolve()
        assert page.is_file(), href
        parser = Ids()
        parser.feed(page.read_text(encoding="utf-8"))
        assert anchor in parser.ids, f"{href}: no such section"
