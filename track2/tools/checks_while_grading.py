"""What ``track2.checks`` is inside the grading sandbox (``track2.tools.sandbox``).

While a submission is graded, its kernel reads a variant of the course data that the
student never saw, and the grader checks each recorded answer against that variant. A
checker in the kernel could tell right from wrong on the variant, so a loop over it would
find the graded answer; here every check only says that the answer will be graded. The
answers are still recorded for the grader by :func:`track2.answers.hand_in`.
"""

from track2.answers import ANSWER_MIME, Feedback, decode_answer, encode_answer, hand_in  # noqa: F401

#: No checker can be asked while grading (``hand_in`` then only records the answer).
CHECKERS: dict = {}

WHILE_GRADING = "recorded; it is checked when your notebook is graded."


def __getattr__(name: str):
    if name.startswith("__"):
        raise AttributeError(name)

    def check(answer=..., data=None) -> Feedback:
        return Feedback(name, "unanswered", WHILE_GRADING)

    check.__name__ = name
    return check
