"""Quick-check widgets: multiple choice, true/false, ordering and matching, with
immediate, specific feedback that works with or without a Python kernel.

A static page of the book runs no Python, so feedback cannot be computed when a
student clicks. Every quick check is therefore built from *pickers*: a control
(radio buttons or a dropdown) whose ``index`` is linked in the browser
(``jslink``) to a ``Stack`` of feedback messages rendered in advance, one per
option. Before anything is chosen no feedback shows: radio buttons start with
nothing selected (both indexes ``None``), and a dropdown starts on a "Choose…"
prompt whose feedback view is empty. The feedback stack is a live region
(``track2-feedback-region``; book/_ext/course_a11y.py marks it ``aria-live``), so
a screen reader announces each verdict. In a live kernel, and in headless tests, a Python observer keeps the same
stack in step, so :meth:`Picker.visible_feedback` reports what the reader sees.

The questions themselves (which options, which is right, why) are computed from
the course data in :mod:`track2.questions`; this module only knows how to show
them.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets

from track2.i18n import N_, _
from track2.widgets import switch_views

#: Where the review links point: from a notebook page of the built book
#: (``exercises/<set>.html``) to a chapter page.
CHAPTER_URL = "../book/chapters/{chapter}.html#{anchor}"

#: The first entry of every quick-check dropdown: nothing chosen yet (shown translated).
PROMPT = N_("Choose…")

#: Class of a picker's feedback stack; the book marks it as a polite live region.
FEEDBACK_REGION = "track2-feedback-region"

# Colours come from the theme's variables (book/_ext/course_a11y.css), so the
# feedback reads in light and in dark mode; the fallbacks serve JupyterLab.
CORRECT_STYLE = ("border-left:4px solid var(--track2-correct, #1a7f37);background:var(--track2-correct-bg, #eef8f0);"
                 "color:inherit;padding:0.3em 0.6em;margin:0.2em 0")
WRONG_STYLE = ("border-left:4px solid var(--track2-wrong, #b35900);background:var(--track2-wrong-bg, #fff4e5);"
               "color:inherit;padding:0.3em 0.6em;margin:0.2em 0")


@dataclass(frozen=True)
class Review:
    """A section of a chapter to go back to: ``Review("03-symbiosis", "what-the-data-show", "...")``."""

    chapter: str
    anchor: str
    title: str

    @property
    def href(self) -> str:
        return CHAPTER_URL.format(chapter=self.chapter, anchor=self.anchor)


@dataclass(frozen=True)
class Option:
    """One answer a reader can pick, whether it is right, and why."""

    label: str
    correct: bool
    why: str
    review: Review | None = None


def feedback_html(option: Option, review: Review | None = None) -> str:
    """The message shown when ``option`` is picked: a verdict, the reason, a link back."""
    review = option.review or review
    verdict = _("✓ Correct.") if option.correct else _("✗ Not quite.")
    link = (f" <a href='{html.escape(review.href)}'>{html.escape(_('Review: {title}').format(title=review.title))}</a>"
            if review and not option.correct else "")
    status = "correct" if option.correct else "incorrect"
    return (f"<div class='track2-feedback track2-{status}' data-status='{status}' "
            f"style='{CORRECT_STYLE if option.correct else WRONG_STYLE}'>"
            f"<strong>{verdict}</strong> {html.escape(option.why)}{link}</div>")


class Picker(widgets.VBox):
    """A control and its feedback stack, linked in the browser and in Python.

    Args:
        options: what can be picked, in the order shown.
        label: the control's visible label (``""`` for none).
        kind: ``"radio"`` (multiple choice, true/false) or ``"dropdown"`` (ordering, matching).
        review: the section linked from wrong answers, unless an option names its own.
    """

    def __init__(self, options: list[Option], label: str = "", kind: str = "radio",
                 review: Review | None = None):
        if len(options) < 2:
            raise ValueError("a picker needs at least two options")
        labels = [o.label for o in options]
        if len(set(labels)) != len(labels):
            raise ValueError(f"option labels must differ: {labels}")
        if not any(o.correct for o in options):
            raise ValueError(f"no option is marked correct among {labels}")
        if PROMPT in labels or _(PROMPT) in labels:
            raise ValueError(f"{_(PROMPT)!r} is the dropdown prompt, not an option label")
        self.options = list(options)
        control = {"radio": widgets.RadioButtons, "dropdown": widgets.Dropdown}[kind]
        views = [widgets.HTML(value=feedback_html(o, review)) for o in options]
        # A dropdown cannot show "nothing chosen" by itself (it shows a blank box):
        # its first entry is a prompt, aligned with an empty feedback view.
        self.offset = 1 if kind == "dropdown" else 0
        if self.offset:
            labels, views = [_(PROMPT), *labels], [widgets.HTML(value=""), *views]
        start = 0 if self.offset else None
        self.control = control(options=labels, index=start, description=label,
                               style={"description_width": "initial"},
                               layout=widgets.Layout(width="max-content", max_width="100%"))
        self.stack = widgets.Stack(views, selected_index=start, layout=widgets.Layout(max_width="100%"))
        self.stack.add_class(FEEDBACK_REGION)
        self.link = switch_views(self.control, self.stack)
        super().__init__([self.control, self.stack])

    def choose(self, label: str | None) -> None:
        """Pick an option by its label (``None``: clear the choice), as a reader would."""
        if label is None:
            self.control.index = 0 if self.offset else None
        else:
            self.control.index = [o.label for o in self.options].index(label) + self.offset

    @property
    def chosen(self) -> Option | None:
        index = self.control.index
        return None if index is None or index < self.offset else self.options[index - self.offset]

    @property
    def correct(self) -> bool:
        return self.chosen is not None and self.chosen.correct

    def visible_feedback(self) -> str:
        """The feedback HTML the reader sees now (``""`` before any choice)."""
        index = self.stack.selected_index
        return "" if index is None else self.stack.children[index].value


class QuickCheck(widgets.VBox):
    """A prompt and one or more pickers (one per position or item to match)."""

    def __init__(self, key: str, prompt: str, pickers: list[Picker]):
        self.key = key
        self.prompt = prompt
        self.pickers = list(pickers)
        heading = widgets.HTML(value=f"<p class='track2-prompt'><strong>{html.escape(prompt)}</strong></p>")
        super().__init__([heading, *self.pickers], layout=widgets.Layout(max_width="100%"))
        self.add_class("track2-quick-check")

    def score(self) -> tuple[int, int]:
        """(pickers answered correctly, pickers): for a self-check or a tally."""
        return sum(p.correct for p in self.pickers), len(self.pickers)


def multiple_choice(key: str, prompt: str, options: list[Option], review: Review | None = None) -> QuickCheck:
    """One question, one right answer among the options."""
    if sum(o.correct for o in options) != 1:
        raise ValueError(f"{key}: a multiple-choice question needs exactly one right option")
    return QuickCheck(key, prompt, [Picker(options, kind="radio", review=review)])


def true_false(key: str, statement: str, is_true: bool, why: str, review: Review | None = None) -> QuickCheck:
    """A statement to judge; ``why`` explains the truth, shown with either verdict."""
    options = [Option(_("True"), is_true, why), Option(_("False"), not is_true, why)]
    return QuickCheck(key, _("True or false? {statement}").format(statement=statement),
                      [Picker(options, kind="radio", review=review)])


def ordering(key: str, prompt: str, items: list[tuple[str, float, str]], review: Review | None = None,
             unit: str = "") -> QuickCheck:
    """Put items in order of a key, one dropdown per position.

    Args:
        items: ``(label, sort_key, fact)`` for each item, e.g. ``("PECC", 1980, "was founded in 1980")``;
            the right order is ascending ``sort_key``, which must not tie.
    """
    ranked = sorted(items, key=lambda item: item[1])
    keys = [item[1] for item in ranked]
    if len(set(keys)) != len(keys):
        raise ValueError(f"{key}: items tie on their sort key, so the order is ambiguous: {ranked}")
    shown = sorted(item[0] for item in items)  # never in the right order
    position = {label: place for place, (label, _, _) in enumerate(ranked)}
    fact = {label: text for label, _, text in items}
    pickers = []
    for place in range(len(ranked)):
        options = []
        for label in shown:
            right = position[label] == place
            if right:
                why = _("{item} {fact}, so it is number {place}.").format(item=label, fact=fact[label], place=place + 1)
            elif position[label] < place:
                why = _("{item} {fact}: it belongs earlier in the order.").format(item=label, fact=fact[label])
            else:
                why = _("{item} {fact}: it belongs later in the order.").format(item=label, fact=fact[label])
            options.append(Option(label, right, why))
        pickers.append(Picker(options, label=f"{place + 1}.", kind="dropdown", review=review))
    return QuickCheck(key, prompt, pickers)


def matching(key: str, prompt: str, rows: dict[str, list[Option]], review: Review | None = None) -> QuickCheck:
    """Match each item (a dropdown labelled with it) to one of the options."""
    return QuickCheck(key, prompt, [Picker(options, label=f"{item}:", kind="dropdown", review=review)
                                    for item, options in rows.items()])
