"""Checkers for the data tasks of the exercise sets.

Each checker takes a student's answer, computes the expected answer from the
course data (so a data correction flows through and no answer is stored in a
notebook), and returns a :class:`Feedback` that says whether the answer is right
and, if not, why. A checker never raises for a wrong answer: a wrong type, an
empty answer, the right rows in another order, stray spaces or capitals in a
name all get a message. An answer left as ``...`` (or ``None``) is "not answered
yet", which is not an error.

For grading with nbgrader, each data task's hidden test cell calls :func:`hand_in`,
which records the answer as plain JSON in the cell's output (:func:`encode_answer`);
the grader reads it back (:func:`decode_answer`) and runs the checker in its own
process, on the course data it loaded before any student code ran
(``track2.tools.nbgrader_course``), so nothing in the student's kernel decides a grade.

>>> apec_not_in_pecc(...).status
'unanswered'
"""

from __future__ import annotations

import functools
import html
import math
import numbers
import os
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from track2 import analysis  # analysis.bodies_per_track: the checker below has its name
from track2.analysis import (
    GREAT_POWERS,
    TRACK_LABELS,
    active_non_official_bodies,
    active_non_official_with_members,
    bodies_on_track,
    bodies_started_by,
    bodies_without_transfers,
    disagreement_totals,
    founded_between,
    founding_gap,
    member_counts,
    members_of,
    non_official_bodies,
)
from track2.data import CourseData, data_dir, load_course_data, read_package

#: The role of a full member in memberships.role (data/datapackage.json); counts use full members only.
FULL_MEMBER = "member"

HEADLINES = {"correct": "✓ Correct", "incorrect": "✗ Not yet right", "unanswered": "… Not answered yet"}
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
        return HEADLINES[self.status]

    def __str__(self) -> str:
        return f"{self.headline} [{self.check}]: {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        failed = " data-checker-failed='true'" if self.checker_failed else ""
        return (f"<div class='track2-check' data-check='{html.escape(self.check)}' data-status='{self.status}'{failed} "
                f"style='border-left:4px solid {STYLES[self.status]};padding:0.3em 0.6em'>"
                f"<strong>{self.headline}.</strong> {html.escape(self.message)}</div>")


class _Wrong(Exception):
    """Raised inside a checker to stop with a message about the answer's form."""


#: Every checker, by name: what a grading run looks for. :func:`checker` fills it.
CHECKERS: dict[str, Callable[..., Feedback]] = {}


def checker(function):
    """Turn ``function(answer, data) -> (status, message)`` into a checker that never
    raises, and register it in :data:`CHECKERS`.

    ``...`` and ``None`` mean "not answered yet"; an unexpected error in the
    checker itself is reported as a message, not a traceback, with ``checker_failed`` set.
    """
    name = function.__name__
    if name in CHECKERS:
        raise ValueError(f"two checkers are called {name!r}")

    @functools.wraps(function)
    def check(answer=..., data=None) -> Feedback:
        if answer is ... or answer is None:
            return Feedback(name, "unanswered", "replace the ... with your answer and run the cell again.")
        try:
            status, message = function(answer, data=data)
        except _Wrong as problem:
            return Feedback(name, "incorrect", str(problem))
        except Exception as error:  # a checker must never show a traceback to a student
            return Feedback(name, "incorrect", f"this answer could not be checked ({type(error).__name__}: "
                            f"{error}). Check its type against the task.", checker_failed=True)
        return Feedback(name, status, message)

    CHECKERS[name] = check
    return check


# --------------------------------------------------------------------------- #
# Reading answers into plain Python values


def _norm(text) -> str:
    return " ".join(str(text).split()).casefold()


def _type(value) -> str:
    return type(value).__name__


def _as_labels(answer, what: str) -> list[str]:
    """A list of strings from a list, set, tuple, Series, Index or one-column DataFrame."""
    if isinstance(answer, str):
        raise _Wrong(f"you gave one piece of text ({answer!r}); put each of the {what} in a list, "
                     "for example ['A', 'B'].")
    if isinstance(answer, pd.DataFrame):
        if answer.shape[1] != 1:
            raise _Wrong(f"you gave a table with {answer.shape[1]} columns; give only the {what}, for example "
                         "one column of it (frame['column']) or a list.")
        answer = answer.iloc[:, 0]
    if isinstance(answer, dict):
        raise _Wrong(f"you gave a dict; give the {what} as a list, for example ['A', 'B'].")
    if isinstance(answer, (pd.Series, pd.Index, np.ndarray)):
        answer = list(answer)
    if not isinstance(answer, (list, tuple, set, frozenset)):
        raise _Wrong(f"expected a list of {what}, got a {_type(answer)}.")
    if not answer:
        raise _Wrong(f"your list is empty; it should hold the {what}.")
    bad = [item for item in answer if not isinstance(item, str)]
    if bad:
        raise _Wrong(f"every item should be text (a name); {bad[0]!r} is a {_type(bad[0])}.")
    return list(answer)


def _as_int(answer, what: str) -> int:
    if isinstance(answer, (bool, np.bool_)):
        raise _Wrong(f"you gave True/False; the task asks for a number ({what}).")
    if isinstance(answer, str):
        raise _Wrong(f"you gave text ({answer!r}); give the number itself, without quotes.")
    if isinstance(answer, (pd.Series, pd.DataFrame, list, tuple, set, dict)):
        raise _Wrong(f"you gave a {_type(answer)}; the task asks for one number ({what}). "
                     "len(...), .sum() or .nunique() turn a table into a number.")
    if isinstance(answer, numbers.Integral):
        return int(answer)
    if isinstance(answer, numbers.Real):
        if float(answer).is_integer():
            return int(answer)
        raise _Wrong(f"{answer} is not a whole number; the task asks for a count ({what}).")
    raise _Wrong(f"expected a number ({what}), got a {_type(answer)}.")


def _numbers_by_key(answer, what: str) -> list[tuple[object, int]]:
    """(key, whole number) in the answer's order, from a dict, a Series (keys in the index) or a
    table with one number column and at most one other column, which holds the keys (else the
    index does), as ``frame["column"].value_counts().reset_index()`` gives. Shared by
    :func:`_as_mapping` and :func:`_ordered_pairs`."""
    if isinstance(answer, pd.DataFrame):
        numeric = answer.select_dtypes("number")
        other = answer.select_dtypes(exclude="number")
        if numeric.shape[1] == 2 and other.empty and "count" in numeric.columns:  # value_counts of a number column
            other, numeric = numeric.drop(columns="count"), numeric[["count"]]
        if numeric.shape[1] != 1 or other.shape[1] > 1:
            raise _Wrong(f"you gave a table with columns {list(answer.columns)}; give one number per {what}, "
                         f"for example a Series indexed by {what}, or a table with one column of {what}s "
                         "and one of numbers.")
        keys = other.iloc[:, 0] if other.shape[1] == 1 else answer.index
        answer = list(zip(keys, numeric.iloc[:, 0]))
    elif isinstance(answer, (pd.Series, dict)):
        answer = list(answer.items())
    else:
        raise _Wrong(f"expected one number per {what} (a Series or a dict, or a table of {what}s and numbers), "
                     f"got a {_type(answer)}.")
    if not answer:
        raise _Wrong(f"your answer is empty; it should give one number per {what}.")
    result = []
    for key, value in answer:
        if not isinstance(key, Hashable):
            raise _Wrong(f"{key!r} cannot name a {what}; give a name or code for each {what}.")
        try:
            result.append((key, _as_int(value, f"the value for {key!r}")))
        except _Wrong as problem:
            raise _Wrong(f"the value for {key!r} is not a whole number: {problem}") from None
    return result


def _as_mapping(answer, what: str) -> dict:
    """{key: whole number} from a dict, a Series or a table (see :func:`_numbers_by_key`)."""
    result = {}
    for key, value in _numbers_by_key(answer, what):
        if key in result:
            raise _Wrong(f"{key!r} appears twice in your answer; give one number per {what}.")
        result[key] = value
    return result


def _ordered_pairs(answer, what: str) -> list[tuple[str, int]]:
    """(label, number) in the answer's order, from a Series, a dict or a table (see :func:`_numbers_by_key`)."""
    return [(str(key), value) for key, value in _numbers_by_key(answer, what)]


def _compare_sets(given: list[str], expected: set[str], aliases: dict[str, str], what: str,
                  typical: list[tuple[set[str], str]]) -> tuple[str, str]:
    """Compare labels with an expected set, forgiving case and spaces, naming typical mistakes."""
    canonical = {_norm(name): name for name in aliases.values()} | {_norm(k): v for k, v in aliases.items()}
    found, unknown, loose = [], [], []
    for item in given:
        key = _norm(item)
        if key not in canonical:
            unknown.append(item)
            continue
        name = canonical[key]
        if item != name and item not in aliases:
            loose.append(f"{item!r} -> {name!r}")
        found.append(name)
    if unknown:
        return "incorrect", (f"{len(unknown)} of your {what} are not in the course data: "
                             f"{', '.join(repr(u) for u in unknown)}. Check the spelling against the data.")
    notes = []
    if loose:
        notes.append(f"(Matched ignoring capitals and spaces: {'; '.join(loose)}.)")
    if len(set(found)) != len(found):
        notes.append("(Your answer lists some names twice; each once is enough.)")
    got = set(found)
    if got == expected:
        return "correct", " ".join([f"these are the {len(expected)} {what}."] + notes)
    for wrong, message in typical:
        if got == wrong and wrong != expected:
            return "incorrect", " ".join([message] + notes)
    extra, missing = sorted(got - expected), len(expected - got)
    parts = []
    if extra:
        parts.append(f"these should not be there: {', '.join(extra)}")
    if missing:
        parts.append(f"{missing} of the {what} {'is' if missing == 1 else 'are'} missing")
    text = "; ".join(parts)
    return "incorrect", " ".join([text[:1].upper() + text[1:] + "."] + notes)


def _data(data: CourseData | None = None) -> CourseData:
    return data if data is not None else load_course_data()


def every_role(memberships: pd.DataFrame) -> tuple[str, ...]:
    """Every role a member can have in a body: the allowed values of memberships.role in
    data/datapackage.json, which :func:`load_course_data` makes the column's categories."""
    role = memberships["role"]
    if isinstance(role.dtype, pd.CategoricalDtype):
        return tuple(role.cat.categories)
    schema = next(r["schema"] for r in read_package(data_dir())["resources"] if r["name"] == "memberships")
    allowed = next(f["constraints"]["enum"] for f in schema["fields"] if f["name"] == "role")
    return tuple(allowed) + tuple(sorted(set(role.dropna()) - set(allowed)))


def _other_roles(memberships: pd.DataFrame, conjunction: str) -> str:
    """The roles other than full member, in words: 'associates, institutional members and observers'."""
    words = [f"{role} members" if role.endswith("al") else f"{role}s"
             for role in every_role(memberships) if role != FULL_MEMBER]
    if len(words) < 2:
        return words[0] if words else "members of other roles"
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def _body_aliases(institutions) -> dict[str, str]:
    """Body id or full name -> body id."""
    return {name: body for body, name in institutions["name"].items()} | {b: b for b in institutions.index}


# --------------------------------------------------------------------------- #
# 1. Tracks


def _track_key(key) -> str | None:
    """'1', 1, 1.0, 'Track 1.5 (mixed)' ... -> the track code, or None."""
    labels = {_norm(v): k for k, v in TRACK_LABELS.items()}
    if _norm(key) in labels:
        return labels[_norm(key)]
    text = _norm(key).removeprefix("track").strip()
    try:
        number = float(text)
    except ValueError:
        return None
    for code in TRACK_LABELS:
        if float(code) == number:
            return code
    return None


@checker
def bodies_per_track(answer, data=None):
    """Task: the number of bodies in each track, as a Series or dict keyed by track."""
    inst = _data(data).institutions
    expected = {k: int(v) for k, v in analysis.bodies_per_track(inst).items() if v}
    counts = {}
    for key, value in _as_mapping(answer, "track").items():
        code = _track_key(key)
        if code is None:
            raise _Wrong(f"{key!r} is not a track; index your answer by track, with the codes in the 'track' "
                         "column ('1', '1.5', '2').")
        counts[code] = counts.get(code, 0) + value
    counts = {k: v for k, v in counts.items() if v}
    if counts == expected:
        return "correct", f"{sum(expected.values())} bodies in all, split by track as the data code them."
    if sum(counts.values()) == len(_data(data).memberships) or sum(counts.values()) > len(inst):
        return "incorrect", ("your counts add up to more bodies than the institutions table holds: did you count "
                             "rows of the memberships table? Count rows of data.institutions.")
    if "1.5" not in counts and counts.get("2") == expected.get("1.5", 0) + expected.get("2", 0):
        return "incorrect", ("you merged Track 1.5 into Track 2. The data keep them apart: count each value of "
                             "the 'track' column separately.")
    wrong = sorted(k for k in set(expected) | set(counts) if counts.get(k) != expected.get(k))
    return "incorrect", (f"the count for track {', '.join(wrong)} is off. Count the values of the 'track' "
                         "column of data.institutions (value_counts).")


# --------------------------------------------------------------------------- #
# 2. The boom


@checker
def nonofficial_founded_1990s(answer, data=None):
    """Task: how many non-official (Track 1.5 or 2) bodies were founded from 1990 to 1999."""
    inst = _data(data).institutions
    non_official = non_official_bodies(inst)
    expected = len(founded_between(non_official, 1990, 1999))
    given = _as_int(answer, "a count of bodies")
    if given == expected:
        return "correct", "that is the number of Track 1.5 and Track 2 bodies founded in the 1990s."
    typical = {
        len(founded_between(bodies_on_track(inst, "2"), 1990, 1999)):
            "you counted Track 2 only. Non-official means Track 1.5 or Track 2 (is_non_official).",
        len(founded_between(inst, 1990, 1999)):
            "you counted every body, official ones too. Keep only tracks 1.5 and 2.",
        len(founded_between(non_official, 1990, 2000)):
            "your range includes 2000. The 1990s run from 1990 to 1999.",
        len(founded_between(non_official, 1991, 2000)):
            "your range runs from 1991 to 2000. The 1990s run from 1990 to 1999.",
    }
    typical.pop(expected, None)
    if given in typical:
        return "incorrect", typical[given]
    return "incorrect", (f"{given} is {'too many' if given > expected else 'too few'}. Filter the institutions "
                         "by track (1.5 or 2) and by founded_year from 1990 to 1999, then count the rows.")


# --------------------------------------------------------------------------- #
# 3. Symbiosis


@checker
def apec_not_in_pecc(answer, data=None):
    """Task: the full members of APEC that are not full members of PECC (names)."""
    d = _data(data)
    m = d.memberships
    apec, pecc = members_of(m, "APEC"), members_of(m, "PECC")
    expected = apec - pecc
    roles, others = every_role(m), _other_roles(m, "or")
    everyone = dict(zip(d.members.index, d.members["name"], strict=True))
    typical = [
        (pecc - apec, "you have it the wrong way round: these are PECC members that are not in APEC. "
                      "Start from APEC's members and take away PECC's."),
        (members_of(m, "APEC", roles) - members_of(m, "PECC", roles),
         f"you included {others}. Compare full members only (role == '{FULL_MEMBER}')."),
        (members_of(m, "APEC", roles) - pecc,
         f"you included APEC's {others}. Compare full members only (role == '{FULL_MEMBER}')."),
        (apec ^ pecc, "you took the members of only one of the two bodies, on either side. The task asks only "
                      "for APEC members missing from PECC."),
        (apec & pecc, "these are the members the two bodies share. The task asks for APEC members that PECC lacks."),
    ]
    return _compare_sets(_as_labels(answer, "names"), expected, everyone, "APEC members missing from PECC", typical)


@checker
def founding_gaps(answer, data=None):
    """Task: for each pair, years from the Track 2 body's founding to its Track 1 partner's
    (positive when the Track 2 body came first), as a Series indexed by pair_id."""
    d = _data(data)
    expected = {p: founding_gap(d.institutions, d.pairs, p) for p in d.pairs.index}
    given = _as_mapping(answer, "pair")
    unknown = [k for k in given if k not in expected]
    if unknown:
        raise _Wrong(f"{unknown[0]!r} is not a pair_id. Index your answer by pair_id (e.g. 'ARF-CSCAP').")
    if given == expected:
        return "correct", "one gap per pair, positive where the Track 2 body came first."
    missing = sorted(set(expected) - set(given))
    if missing:
        return "incorrect", f"{len(missing)} pair(s) are missing, e.g. {missing[0]}. Give one gap for every pair."
    if given == {p: -g for p, g in expected.items()}:
        return "incorrect", ("your signs are reversed. Subtract the Track 2 body's founding year from the Track 1 "
                             "body's: positive means Track 2 came first.")
    if given == {p: abs(g) for p, g in expected.items()}:
        return "incorrect", ("you dropped the sign. In some pairs the Track 2 body came after its partner; "
                             "those gaps are negative.")
    wrong = sorted(p for p in expected if given[p] != expected[p])
    return "incorrect", f"the gap is off for {', '.join(wrong)}. Look up both founding years in data.institutions."


# --------------------------------------------------------------------------- #
# 4. Middle powers


@checker
def great_power_initiated(answer, data=None):
    """Task: the bodies whose initiators include the United States or China (ids)."""
    d = _data(data)
    inst = d.institutions
    expected = set(bodies_started_by(inst, GREAT_POWERS))
    roles = every_role(d.memberships)
    as_members = {body for body in inst.index if members_of(d.memberships, body, roles) & set(GREAT_POWERS)}
    typical = [
        (set(bodies_started_by(inst, ["United States"])),
         "you found the bodies the United States helped start, but not China's."),
        (set(bodies_started_by(inst, ["China"])),
         "you found the bodies China helped start, but not those of the United States."),
        (as_members, "you looked at members. The task asks who started the bodies: use the 'initiators' column."),
    ]
    return _compare_sets(_as_labels(answer, "body ids"), expected, _body_aliases(inst),
                         "bodies with the United States or China among their initiators", typical)


# --------------------------------------------------------------------------- #
# 5. Challenges


@checker
def bodies_without_transfer(answer, data=None):
    """Task: the non-official bodies (Track 1.5 or 2) with no recorded idea transfer from them (ids)."""
    d = _data(data)
    inst, transfers = d.institutions, d.idea_transfers
    senders = set(transfers["from_id"])
    expected = set(bodies_without_transfers(inst, transfers))
    typical = [
        (set(inst.index) - senders, "you included official (Track 1) bodies. Keep only tracks 1.5 and 2."),
        (set(bodies_on_track(inst, "2").index) - senders,
         "you kept Track 2 only. Non-official means Track 1.5 or Track 2."),
        (set(non_official_bodies(inst).index) - set(transfers["to_id"]),
         "you used 'to_id'. A transfer comes *from* a Track 2 body: use 'from_id'."),
    ]
    return _compare_sets(_as_labels(answer, "body ids"), expected, _body_aliases(inst),
                         "non-official bodies with no recorded idea transfer", typical)


# --------------------------------------------------------------------------- #
# 6. The future


@checker
def nonofficial_breadth(answer, data=None):
    """Task: full-member counts of the active non-official bodies that have a member list,
    largest first (a Series indexed by body id, or a two-column table)."""
    d = _data(data)
    inst, m = d.institutions, d.memberships
    counts = member_counts(m)
    expected = {b: int(counts[b]) for b in active_non_official_with_members(inst, m)}
    pairs = [(_norm(k).upper(), v) for k, v in _ordered_pairs(answer, "body")]
    given = dict(pairs)
    if len(given) != len(pairs):
        raise _Wrong("a body appears twice in your answer; give each body once.")
    if given == expected:
        values = [v for _, v in pairs]
        if values == sorted(values, reverse=True):
            return "correct", "the right counts, largest first."
        return "incorrect", ("the counts are right but not in order: sort them largest first "
                             "(sort_values(ascending=False)).")
    if given == {b: len(members_of(m, b, every_role(m))) for b in expected}:
        return "incorrect", (f"you counted {_other_roles(m, 'and')} too. Count full members only "
                             f"(role == '{FULL_MEMBER}').")
    extra = sorted(set(given) - set(expected))
    if extra:
        reasons = []
        for body in extra:
            if body not in inst.index:
                reasons.append(f"{body} is not a body id")
            elif body not in non_official_bodies(inst).index:
                reasons.append(f"{body} is official (Track 1)")
            elif body not in active_non_official_bodies(inst).index:
                reasons.append(f"{body} is {inst.loc[body, 'status']}")
            else:
                reasons.append(f"{body} has no member list")
        return "incorrect", "These should not be there: " + "; ".join(reasons) + "."
    missing = sorted(set(expected) - set(given))
    if missing:
        return "incorrect", (f"{len(missing)} active non-official bod{'y is' if len(missing) == 1 else 'ies are'} "
                             "missing. Start from active_non_official_bodies(data.institutions).")
    wrong = sorted(b for b in expected if given[b] != expected[b])
    return "incorrect", f"the count is off for {', '.join(wrong)}. Count full members (role == 'member')."


# --------------------------------------------------------------------------- #
# 7. Evidence


@checker
def disagreement_count(answer, data=None):
    """Task: how many disagreements data/disagreements.csv records (not claims, not sources)."""
    dis = _data(data).disagreements
    totals = disagreement_totals(dis)
    expected = totals["disagreements"]
    given = _as_int(answer, "a count of disagreements")
    if given == expected:
        return "correct", "one per distinct disagreement_id."
    typical = {
        totals["claims"]: "that is the number of rows: each row is one source's claim, and every disagreement has at "
                          "least two. Count distinct disagreement_id values (nunique).",
        totals["sources"]: "that is the number of different sources. Count distinct disagreement_id values.",
        int(dis["row_id"].nunique()): ("that counts the disputed rows, but one row can carry more than one "
                                       "disagreement (CSCAP does). Count distinct disagreement_id values."),
    }
    typical.pop(expected, None)
    if given in typical:
        return "incorrect", typical[given]
    return "incorrect", f"{given} is {'too many' if given > expected else 'too few'}. Count distinct disagreement_id values."


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
        return {"unsupported": f"{_type(value)} with more than {MAX_ITEMS} items"}
    return {"unsupported": _type(value)}


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
    """Record ``answer`` to the data task ``check`` for grading, then check it here too.

    nbgrader's hidden test cells call this. The grade itself is decided outside the
    notebook's kernel, from the recorded answer alone; the check here only makes the cell
    fail when the answer is wrong, as an nbgrader test does (``nbgrader validate``).
    """
    from IPython.display import display

    if check not in CHECKERS:
        raise KeyError(f"no checker called {check!r}")
    if os.environ.get("NBGRADER_EXECUTION") == "autograde" and not os.environ.get("TRACK2_GRADING_STEP"):
        raise RuntimeError("nbgrader is grading without the course's grading step: run nbgrader in the course "
                           "directory `make nbgrader` writes, with its nbgrader_config.py")
    record = {"check": check, "answer": encode_answer(answer)}
    display({ANSWER_MIME: record, "text/plain": f"Answer to {check} recorded for grading."}, raw=True)
    verdict = CHECKERS[check](answer)
    if not verdict.correct:
        raise AssertionError(str(verdict))
