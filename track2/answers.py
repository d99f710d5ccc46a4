"""Answers and verdicts: what a data task's check shows, and how an answer is handed in.

:class:`Feedback` is the verdict a checker (:mod:`track2.checks`) returns. For grading
with nbgrader, each data task's hidden test cell calls :func:`hand_in`, which records the
answer as plain JSON in the cell's output (:func:`encode_answer`); the grader reads it
back (:func:`decode_answer`) and decides it in its own process
(``track2.tools.nbgrader_course``).

This module holds nothing that can tell a right answer from a wrong one: inside the
grading sandbox (``track2.tools.sandbox``) the checkers are replaced by a stand-in that
only says the answer will be graded, and the answer is recorded through this module.

>>> decode_answer(encode_answer({"1": 3}))
{'1': 3}
"""

from __future__ import annotations

import html
import math
import numbers
import os
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from track2.i18n import N_, _

#: The verdicts, in English (shown in the reader's language: :attr:`Feedback.headline`).
HEADLINES = {"correct": N_("✓ Correct"), "incorrect": N_("✗ Not yet right"), "unanswered": N_("… Not answered yet")}
STYLES = {"correct": "#1a7f37", "incorrect": "#b35900", "unanswered": "#57606a"}


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer. ``status`` is "correct", "incorrect" or "unanswered";
    ``checker_failed`` is true when the checker itself crashed (a bug to fix, not the
    student's mistake)."""

    check: str
    status: str
    message: str
    checker_failed: bool = False

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    @property
    def headline(self) -> str:
        return _(HEADLINES[self.status])

    def __str__(self) -> str:
        return f"{self.headline} [{self.check}]: {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        failed = " data-checker-failed='true'" if self.checker_failed else ""
        return (f"<div class='track2-check' data-check='{html.escape(self.check)}' data-status='{self.status}'{failed} "
                f"style='border-left:4px solid {STYLES[self.status]};padding:0.3em 0.6em'>"
                f"<strong>{self.headline}.</strong> {html.escape(self.message[:1].upper() + self.message[1:])}</div>")

# --------------------------------------------------------------------------- #
# Handing an answer in for grading (nbgrader's hidden test cells)

#: The output type an answer is recorded under; the grader reads only this.
ANSWER_MIME = "application/vnd.track2.answer+json"
#: Limits on what is recorded: a real answer is a few dozen values.
MAX_ITEMS = 5000
MAX_DEPTH = 4


def encode_answer(value, depth: int = 0):
    """``value`` as plain JSON that :func:`decode_answer` turns back into an equal value of
    the same kind (number, text, list, set, dict, pandas Series or DataFrame). Scalars stay
    JSON scalars; everything else is a one-key object naming its kind. What no checker
    accepts is recorded only by its type name, as ``{"unsupported": name}``.

    >>> encode_answer(pd.Series({"1": 3, "2": 5}))
    {'series': {'index': ['1', '2'], 'values': [3, 5], 'name': None}}
    """
    if depth > MAX_DEPTH:
        return {"unsupported": "nested too deeply"}
    if value is ...:
        return {"ellipsis": True}
    if value is None or isinstance(value, str):
        return None if value is None else str(value)
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else {"float": repr(number)}

    def items(values) -> list:
        values = list(values)
        if len(values) > MAX_ITEMS:
            raise OverflowError
        return [encode_answer(v, depth + 1) for v in values]

    try:
        if isinstance(value, pd.DataFrame):
            return {"frame": {"columns": items(value.columns), "index": items(value.index),
                              "rows": [items(row) for row in value.itertuples(index=False, name=None)]}}
        if isinstance(value, pd.Series):
            return {"series": {"index": items(value.index), "values": items(value.tolist()),
                               "name": encode_answer(value.name, depth + 1)}}
        if isinstance(value, (pd.Index, np.ndarray, list)):
            return {"list": items(value.tolist() if not isinstance(value, list) else value)}
        if isinstance(value, tuple):
            return {"tuple": items(value)}
        if isinstance(value, (set, frozenset)):
            return {"set": sorted(items(value), key=repr)}
        if isinstance(value, dict):
            return {"dict": [[encode_answer(k, depth + 1), encode_answer(v, depth + 1)]
                             for k, v in items_of(value)]}
    except OverflowError:
        return {"unsupported": f"{type(value).__name__} with more than {MAX_ITEMS} items"}
    return {"unsupported": type(value).__name__}


def items_of(mapping: dict) -> list:
    pairs = list(mapping.items())
    if len(pairs) > MAX_ITEMS:
        raise OverflowError
    return pairs


def _unsupported(name) -> object:
    """A stand-in whose type has the recorded type's name, so a checker's message names it."""
    name = re.sub(r"\W", "_", str(name))[:60] or "object"
    name = name if name[0].isalpha() else f"_{name}"
    return type(name, (), {"__repr__": lambda self: f"<a {type(self).__name__}>"})()


def decode_answer(record):
    """The value :func:`encode_answer` recorded (raises ValueError on anything else)."""
    if record is None or isinstance(record, (bool, int, float, str)):
        return record
    if not (isinstance(record, dict) and len(record) == 1):
        raise ValueError(f"not a recorded answer: {str(record)[:80]}")
    ((kind, body),) = record.items()

    def many(values) -> list:
        if not isinstance(values, list):
            raise ValueError(f"{kind}: expected a list")
        return [decode_answer(v) for v in values]

    if kind == "ellipsis":
        return ...
    if kind == "float":
        return float(body)
    if kind == "unsupported":
        return _unsupported(body)
    if kind == "list":
        return many(body)
    if kind == "tuple":
        return tuple(many(body))
    if kind == "set":
        return set(many(body))
    if kind == "dict":
        return {decode_answer(k): decode_answer(v) for k, v in body}
    if kind == "series":
        return pd.Series(many(body["values"]), index=pd.Index(many(body["index"])), name=decode_answer(body["name"]))
    if kind == "frame":
        rows = [many(row) for row in body["rows"]]
        return pd.DataFrame(rows, columns=pd.Index(many(body["columns"])), index=pd.Index(many(body["index"])))
    raise ValueError(f"not a recorded answer: unknown kind {kind!r}")


def hand_in(check: str, answer=...) -> None:
    """Record ``answer`` to the data task ``check`` for grading, then check it here too
    when the checkers are at hand.

    nbgrader's hidden test cells call this. The grade itself is decided outside the
    notebook's kernel, from the recorded answer alone; the check here only makes the cell
    fail when the answer is wrong, as an nbgrader test does (``nbgrader validate``). In the
    grading sandbox there are no checkers to ask, and the answer is only recorded.
    """
    from IPython.display import display

    from track2 import checks

    checkers = getattr(checks, "CHECKERS", {})
    if checkers and check not in checkers:
        raise KeyError(f"no checker called {check!r}")
    if os.environ.get("NBGRADER_EXECUTION") == "autograde" and not os.environ.get("TRACK2_GRADING_STEP"):
        raise RuntimeError("nbgrader is grading without the course's grading step: run nbgrader in the course "
                           "directory `make nbgrader` writes, with its nbgrader_config.py")
    record = {"check": check, "answer": encode_answer(answer)}
    display({ANSWER_MIME: record, "text/plain": f"Answer to {check} recorded for grading."}, raw=True)
    if checkers:
        verdict = checkers[check](answer)
        if not verdict.correct:
            raise AssertionError(str(verdict))
