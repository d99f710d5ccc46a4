"""The quick-check widgets, built headlessly: linked in the browser, kept in step in Python."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from track2.quiz import (FEEDBACK_REGION, PROMPT, Option, Picker, QuickCheck, Review, feedback_html, matching,
                         multiple_choice, ordering, true_false)

REVIEW = Review("03-symbiosis", "what-the-data-show", "Chapter 3, What the data show")
OPTIONS = [Option("A", False, "A is wrong because <b>reasons</b>."), Option("B", True, "B is right."),
           Option("C", False, "C is wrong too.", Review("01-tracks", "contested-labels", "Chapter 1"))]


def status_of(html: str) -> str | None:
    return None if not html else ("correct" if "data-status='correct'" in html else "incorrect")


def test_review_link_points_from_a_notebook_page_to_a_chapter_section():
    assert REVIEW.href == "../book/chapters/03-symbiosis.html#what-the-data-show"


def test_feedback_says_why_escapes_and_links_back_only_when_wrong():
    wrong = feedback_html(OPTIONS[0], REVIEW)
    assert "Not quite" in wrong and "&lt;b&gt;reasons&lt;/b&gt;" in wrong
    assert "href='../book/chapters/03-symbiosis.html#what-the-data-show'" in wrong
    right = feedback_html(OPTIONS[1], REVIEW)
    assert "Correct" in right and "B is right." in right and "href" not in right
    own = feedback_html(OPTIONS[2], REVIEW)  # an option's own review wins
    assert "01-tracks.html#contested-labels" in own


def test_picker_starts_with_nothing_chosen_and_no_feedback():
    picker = Picker(OPTIONS, review=REVIEW)
    assert picker.control.index is None and picker.stack.selected_index is None
    assert picker.visible_feedback() == "" and picker.chosen is None and not picker.correct


@pytest.mark.parametrize("kind, control", [("radio", widgets.RadioButtons), ("dropdown", widgets.Dropdown)])
def test_picker_is_linked_in_the_browser(kind, control):
    picker = Picker(OPTIONS, label="Pick:", kind=kind)
    assert isinstance(picker.control, control) and picker.control.description == "Pick:"
    assert isinstance(picker.link, widgets.widget_link.Link)  # jslink: works with no kernel
    assert picker.link.source == (picker.control, "index")
    assert picker.link.target == (picker.stack, "selected_index")
    # one pre-rendered feedback view per option, aligned with the options; a dropdown
    # starts on a "Choose…" prompt whose view is empty
    views = list(picker.stack.children)
    if kind == "dropdown":
        assert picker.control.options[0] == PROMPT and picker.control.index == 0 and picker.chosen is None
        assert views[0].value == "" and picker.stack.selected_index == 0
        views = views[1:]
    assert list(picker.control.options[picker.offset:]) == [o.label for o in OPTIONS]
    assert len(views) == len(OPTIONS)
    for option, view in zip(OPTIONS, views, strict=True):
        assert view.value == feedback_html(option)
    # the feedback stack is the live region the book marks aria-live (book/_ext/course_a11y.py)
    assert FEEDBACK_REGION in picker.stack._dom_classes


def test_a_dropdown_picker_starts_on_the_prompt_and_returns_to_it():
    picker = Picker(OPTIONS, label="Pick:", kind="dropdown", review=REVIEW)
    assert picker.control.value == PROMPT and picker.visible_feedback() == ""
    picker.choose("A")
    assert picker.control.value == "A" and picker.chosen.label == "A"
    assert status_of(picker.visible_feedback()) == "incorrect"
    picker.control.index = 0  # the reader goes back to "Choose…"
    assert picker.chosen is None and picker.visible_feedback() == "" and not picker.correct
    picker.choose("B")
    assert picker.correct
    picker.choose(None)
    assert picker.control.index == 0 and picker.visible_feedback() == ""
    with pytest.raises(ValueError, match="prompt"):
        Picker([Option(PROMPT, True, ""), Option("B", False, "")], kind="dropdown")


def test_feedback_colours_follow_the_theme():
    for option in OPTIONS[:2]:
        style = feedback_html(option)
        assert "var(--track2-" in style and "color:inherit" in style


def test_setting_the_control_in_python_shows_that_options_feedback():
    picker = Picker(OPTIONS, review=REVIEW)
    for index, option in enumerate(OPTIONS):
        picker.control.index = index  # what a click does in a live kernel
        assert picker.stack.selected_index == index
        assert status_of(picker.visible_feedback()) == ("correct" if option.correct else "incorrect")
        assert option.why.split()[0] in picker.visible_feedback()
    picker.choose(None)
    assert picker.visible_feedback() == ""
    picker.choose("B")
    assert picker.correct and picker.chosen.label == "B"


@pytest.mark.parametrize("options, problem", [
    ([Option("A", True, "")], "at least two"),
    ([Option("A", True, ""), Option("A", False, "")], "must differ"),
    ([Option("A", False, ""), Option("B", False, "")], "no option is marked correct"),
])
def test_picker_rejects_bad_options(options, problem):
    with pytest.raises(ValueError, match=problem):
        Picker(options)


def test_multiple_choice_needs_exactly_one_right_option():
    with pytest.raises(ValueError, match="exactly one"):
        multiple_choice("q", "?", [Option("A", True, ""), Option("B", True, "")])
    check = multiple_choice("q", "Which?", OPTIONS, review=REVIEW)
    assert isinstance(check, QuickCheck) and check.key == "q" and len(check.pickers) == 1
    assert check.score() == (0, 1)
    check.pickers[0].choose("B")
    assert check.score() == (1, 1)


def test_true_false_explains_with_either_verdict():
    check = true_false("tf", "The sky is green.", False, "It is blue.")
    picker = check.pickers[0]
    assert [o.label for o in picker.options] == ["True", "False"]
    picker.choose("True")
    assert status_of(picker.visible_feedback()) == "incorrect" and "It is blue." in picker.visible_feedback()
    picker.choose("False")
    assert status_of(picker.visible_feedback()) == "correct"
    assert "True or false? The sky is green." in check.prompt


def test_ordering_has_a_dropdown_per_position_and_says_which_way_to_move():
    items = [("Later", 2000, "came in 2000"), ("Early", 1980, "came in 1980"), ("Middle", 1990, "came in 1990")]
    check = ordering("o", "Order them.", items, review=REVIEW)
    assert [p.control.description for p in check.pickers] == ["1.", "2.", "3."]
    for picker in check.pickers:
        assert isinstance(picker.control, widgets.Dropdown)
        assert list(picker.control.options) == [PROMPT, "Early", "Later", "Middle"]  # alphabetical, never the answer
    first = check.pickers[0]
    first.choose("Middle")
    assert "came in 1990: it belongs later" in first.visible_feedback()
    first.choose("Early")
    assert status_of(first.visible_feedback()) == "correct"
    last = check.pickers[2]
    last.choose("Early")
    assert "belongs earlier" in last.visible_feedback()
    for picker, label in zip(check.pickers, ["Early", "Middle", "Later"], strict=True):
        picker.choose(label)
    assert check.score() == (3, 3)


def test_ordering_rejects_ties():
    with pytest.raises(ValueError, match="tie"):
        ordering("o", "?", [("A", 1, ""), ("B", 1, "")])


def test_matching_has_one_labelled_dropdown_per_item():
    rows = {"CSCAP": [Option("ARF", True, "yes"), Option("APEC", False, "no")],
            "PECC": [Option("ARF", False, "no"), Option("APEC", True, "yes")]}
    check = matching("m", "Match.", rows)
    assert [p.control.description for p in check.pickers] == ["CSCAP:", "PECC:"]
    check.pickers[0].choose("APEC")
    assert status_of(check.pickers[0].visible_feedback()) == "incorrect"
    assert check.pickers[1].visible_feedback() == ""  # each dropdown has its own feedback
