"""Checkers for the data tasks of the exercise sets.

Each checker takes a student's answer, computes the expected answer from the
course data (so a data correction flows through and no answer is stored in a
notebook), and returns a :class:`Feedback` that says whether the answer is right
and, if not, why. A checker never raises for a wrong answer: a wrong type, an
empty answer, the right rows in another order, stray spaces or capitals in a
name all get a message. An answer left as ``...`` (or ``None``) is "not answered
yet", which is not an error.

Each checker also exposes the answer it expects (``checker.expected(data)``): the
grader uses it to make sure that a grading variant of the data changes every graded
answer, and the tests use it to check every checker against its own expectation.

For grading with nbgrader, each data task's hidden test cell calls
:func:`track2.answers.hand_in`, which records the answer; the grader runs the checker in
its own process, on a variant of the course data (``track2.tools.nbgrader_course``), so
nothing in the student's kernel decides a grade.

>>> apec_not_in_pecc(...).status
'unanswered'
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Hashable

import numpy as np
import pandas as pd

from track2 import analysis
from track2.analysis import (
    GREAT_POWERS,
    TRACK_LABELS,
    active_bodies,
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
    track_labels,
)
from track2.answers import ANSWER_MIME, Feedback, decode_answer, encode_answer, hand_in  # noqa: F401 (re-exported)
from track2.data import CourseData, data_dir, load_course_data, read_package
from track2.i18n import _

#: The role of a full member in memberships.role (data/datapackage.json); counts use full members only.
FULL_MEMBER = "member"

class _Wrong(Exception):
    """Raised inside a checker to stop with a message about the answer's form."""


#: Every checker, by name: what a grading run looks for. :func:`checker` fills it.
CHECKERS: dict[str, Callable[..., Feedback]] = {}


def checker(expected: Callable[[CourseData], object]):
    """Register a checker: ``@checker(expected)`` over ``function(answer, data, right) -> (status,
    message)``, where ``expected(data)`` is the right answer, in a form the checker accepts,
    and ``right`` is that answer computed for this call's data. The checker registered in
    :data:`CHECKERS` never raises, and exposes ``expected`` as ``checker.expected(data=None)``.

    ``...`` and ``None`` mean "not answered yet"; an unexpected error in the
    checker itself is reported as a message, not a traceback, with ``checker_failed`` set.
    """

    def register(function):
        name = function.__name__
        if name in CHECKERS:
            raise ValueError(f"two checkers are called {name!r}")

        @functools.wraps(function)
        def check(answer=..., data=None) -> Feedback:
            if answer is ... or answer is None:
                return Feedback(name, "unanswered", _("replace the ... with your answer and run the cell again."))
            try:
                course = _data(data)
                status, message = function(answer, course, expected(course))
            except _Wrong as problem:
                return Feedback(name, "incorrect", str(problem))
            except Exception as error:  # a checker must never show a traceback to a student
                return Feedback(name, "incorrect", _("this answer could not be checked ({error}). Check its type against "
                                                     "the task.").format(error=f"{type(error).__name__}: {error}"),
                                checker_failed=True)
            return Feedback(name, status, message)

        check.expected = lambda data=None: expected(_data(data))
        CHECKERS[name] = check
        return check

    return register


# --------------------------------------------------------------------------- #
# Reading answers into plain Python values


def _norm(text) -> str:
    return " ".join(str(text).split()).casefold()


def _type(value) -> str:
    """The type's name with its article: 'an int', 'a list'."""
    name = type(value).__name__
    return (_("an {type}") if name[:1].lower() in "aeiou" else _("a {type}")).format(type=name)


def _as_labels(answer, what: str) -> list[str]:
    """A list of strings from a list, set, tuple, Series, Index or one-column DataFrame."""
    if isinstance(answer, str):
        raise _Wrong(_("you gave one piece of text ({answer}); put each of the {what} in a list, "
                       "for example ['A', 'B'].").format(answer=repr(answer), what=what))
    if isinstance(answer, pd.DataFrame):
        if answer.shape[1] != 1:
            raise _Wrong(_("you gave a table with {count} columns; give only the {what}, for example "
                           "one column of it (frame['column']) or a list.").format(count=answer.shape[1], what=what))
        answer = answer.iloc[:, 0]
    if isinstance(answer, dict):
        raise _Wrong(_("you gave a dict; give the {what} as a list, for example ['A', 'B'].").format(what=what))
    if isinstance(answer, (pd.Series, pd.Index, np.ndarray)):
        answer = list(answer)
    if not isinstance(answer, (list, tuple, set, frozenset)):
        raise _Wrong(_("expected a list of {what}, got {type}.").format(what=what, type=_type(answer)))
    if not answer:
        raise _Wrong(_("your list is empty; it should hold the {what}.").format(what=what))
    bad = [item for item in answer if not isinstance(item, str)]
    if bad:
        raise _Wrong(_("every item should be text (a name); {item} is {type}.").format(item=repr(bad[0]), type=_type(bad[0])))
    return list(answer)


def _as_int(answer, what: str) -> int:
    if isinstance(answer, (bool, np.bool_)):
        raise _Wrong(_("you gave True/False; the task asks for a number ({what}).").format(what=what))
    if isinstance(answer, str):
        raise _Wrong(_("you gave text ({answer}); give the number itself, without quotes.").format(answer=repr(answer)))
    if isinstance(answer, (pd.Series, pd.DataFrame, list, tuple, set, dict)):
        raise _Wrong(_("you gave {type}; the task asks for one number ({what}). "
                       "len(...), .sum() or .nunique() turn a table into a number.").format(type=_type(answer), what=what))
    if isinstance(answer, numbers.Integral):
        return int(answer)
    if isinstance(answer, numbers.Real):
        if float(answer).is_integer():
            return int(answer)
        raise _Wrong(_("{answer} is not a whole number; the task asks for a count ({what}).").format(answer=answer, what=what))
    raise _Wrong(_("expected a number ({what}), got {type}.").format(what=what, type=_type(answer)))


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
            raise _Wrong(_("you gave a table with columns {columns}; give one number per {what}, "
                           "for example a Series indexed by {what}, or a table with one column of {what}s "
                           "and one of numbers.").format(columns=list(answer.columns), what=what))
        keys = other.iloc[:, 0] if other.shape[1] == 1 else answer.index
        answer = list(zip(keys, numeric.iloc[:, 0]))
    elif isinstance(answer, (pd.Series, dict)):
        answer = list(answer.items())
    else:
        raise _Wrong(_("expected one number per {what} (a Series or a dict, or a table of {what}s and numbers), "
                       "got {type}.").format(what=what, type=_type(answer)))
    if not answer:
        raise _Wrong(_("your answer is empty; it should give one number per {what}.").format(what=what))
    result = []
    for key, value in answer:
        if not isinstance(key, Hashable):
            raise _Wrong(_("{key} cannot name a {what}; give a name or code for each {what}.").format(key=repr(key), what=what))
        try:
            result.append((key, _as_int(value, _("the value for {key}").format(key=repr(key)))))
        except _Wrong as problem:
            raise _Wrong(_("the value for {key} is not a whole number: {problem}").format(key=repr(key), problem=problem)) from None
    return result


def _as_mapping(answer, what: str) -> dict:
    """{key: whole number} from a dict, a Series or a table (see :func:`_numbers_by_key`)."""
    result = {}
    for key, value in _numbers_by_key(answer, what):
        if key in result:
            raise _Wrong(_("{key} appears twice in your answer; give one number per {what}.").format(key=repr(key), what=what))
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
        return "incorrect", _("{count} of your {what} are not in the course data: {items}. Check the spelling against "
                              "the data.").format(count=len(unknown), what=what, items=", ".join(repr(u) for u in unknown))
    notes = []
    if loose:
        notes.append(_("(Matched ignoring capitals and spaces: {matches}.)").format(matches="; ".join(loose)))
    if len(set(found)) != len(found):
        notes.append(_("(Your answer lists some names twice; each once is enough.)"))
    got = set(found)
    if got == expected:
        return "correct", " ".join([_("these are the {count} {what}.").format(count=len(expected), what=what)] + notes)
    for wrong, message in typical:
        if got == wrong and wrong != expected:
            return "incorrect", " ".join([message] + notes)
    extra, missing = sorted(got - expected), len(expected - got)
    parts = []
    if extra:
        parts.append(_("these should not be there: {items}").format(items=", ".join(extra)))
    if missing:
        parts.append((_("{count} of the {what} is missing") if missing == 1 else
                      _("{count} of the {what} are missing")).format(count=missing, what=what))
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
    labels = {_norm(v): k for k, v in TRACK_LABELS.items()} | {_norm(v): k for k, v in track_labels().items()}
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


def _active_bodies_per_track(data: CourseData) -> dict[str, int]:
    return {k: int(v) for k, v in analysis.bodies_per_track(active_bodies(data.institutions)).items() if v}


@checker(_active_bodies_per_track)
def active_bodies_per_track(answer, data, expected):
    """Task: the number of active bodies (status "active") in each track, as a Series or dict keyed by track."""
    inst = data.institutions
    counts = {}
    for key, value in _as_mapping(answer, _("track")).items():
        code = _track_key(key)
        if code is None:
            raise _Wrong(_("{key} is not a track; index your answer by track, with the codes in the 'track' "
                           "column ('1', '1.5', '2').").format(key=repr(key)))
        counts[code] = counts.get(code, 0) + value
    counts = {k: v for k, v in counts.items() if v}
    if counts == expected:
        return "correct", _("{count} active bodies in all, split by track as the data code them.").format(
            count=sum(expected.values()))
    every_body = {k: int(v) for k, v in analysis.bodies_per_track(inst).items() if v}
    if counts == every_body and every_body != expected:
        return "incorrect", _("you counted every body. Keep only the active ones (status == 'active') before you "
                              "count the tracks.")
    if sum(counts.values()) == len(data.memberships) or sum(counts.values()) > len(inst):
        return "incorrect", _("your counts add up to more bodies than the institutions table holds. Did you count "
                              "rows of the memberships table? Count rows of data.institutions.")
    if "1.5" not in counts and counts.get("2") == expected.get("1.5", 0) + expected.get("2", 0):
        return "incorrect", _("you merged Track 1.5 into Track 2. The data keep them apart: count each value of "
                              "the 'track' column separately.")
    wrong = sorted(k for k in set(expected) | set(counts) if counts.get(k) != expected.get(k))
    return "incorrect", _("the count for track {tracks} is off. Keep the active bodies of "
                          "data.institutions, then count the values of their 'track' column (value_counts).").format(
        tracks=", ".join(wrong))


# --------------------------------------------------------------------------- #
# 2. The boom


def _nonofficial_founded_1990s(data: CourseData) -> int:
    return len(founded_between(non_official_bodies(data.institutions), 1990, 1999))


@checker(_nonofficial_founded_1990s)
def nonofficial_founded_1990s(answer, data, expected):
    """Task: how many non-official (Track 1.5 or 2) bodies were founded from 1990 to 1999."""
    inst = data.institutions
    non_official = non_official_bodies(inst)
    given = _as_int(answer, _("a count of bodies"))
    if given == expected:
        return "correct", _("that is the number of Track 1.5 and Track 2 bodies founded in the 1990s.")
    typical = {
        len(founded_between(bodies_on_track(inst, "2"), 1990, 1999)):
            _("you counted Track 2 only. Non-official means Track 1.5 or Track 2 (is_non_official)."),
        len(founded_between(inst, 1990, 1999)):
            _("you counted every body, official ones too. Keep only tracks 1.5 and 2."),
        len(founded_between(non_official, 1990, 2000)):
            _("your range includes 2000. The 1990s run from 1990 to 1999."),
        len(founded_between(non_official, 1991, 2000)):
            _("your range runs from 1991 to 2000. The 1990s run from 1990 to 1999."),
    }
    typical.pop(expected, None)
    if given in typical:
        return "incorrect", typical[given]
    return "incorrect", (_("{given} is too many.") if given > expected else _("{given} is too few.")).format(given=given) + " " + _(
        "Filter the institutions by track (1.5 or 2) and by founded_year from 1990 to 1999, then count the rows.")


# --------------------------------------------------------------------------- #
# 3. Symbiosis


def _apec_not_in_pecc(data: CourseData) -> list[str]:
    return sorted(members_of(data.memberships, "APEC") - members_of(data.memberships, "PECC"))


@checker(_apec_not_in_pecc)
def apec_not_in_pecc(answer, data, expected):
    """Task: the full members of APEC that are not full members of PECC (names)."""
    m = data.memberships
    apec, pecc = members_of(m, "APEC"), members_of(m, "PECC")
    expected = set(expected)
    roles, others = every_role(m), _other_roles(m, _("or"))
    everyone = dict(zip(data.members.index, data.members["name"], strict=True))
    typical = [
        (pecc - apec, _("you have it the wrong way round: these are PECC members that are not in APEC. "
                        "Start from APEC's members and take away PECC's.")),
        (members_of(m, "APEC", roles) - members_of(m, "PECC", roles),
         _("you included {others}. Compare full members only (role == '{role}').").format(others=others, role=FULL_MEMBER)),
        (members_of(m, "APEC", roles) - pecc,
         _("you included APEC's {others}. Compare full members only (role == '{role}').").format(
             others=others, role=FULL_MEMBER)),
        (apec ^ pecc, _("you took the members of only one of the two bodies, on either side. The task asks only "
                        "for APEC members missing from PECC.")),
        (apec & pecc, _("these are the members the two bodies share. The task asks for APEC members that PECC lacks.")),
    ]
    return _compare_sets(_as_labels(answer, _("names")), expected, everyone, _("APEC members missing from PECC"), typical)


def _founding_gaps(data: CourseData) -> dict[str, int]:
    return {p: founding_gap(data.institutions, data.pairs, p) for p in data.pairs.index}


@checker(_founding_gaps)
def founding_gaps(answer, data, expected):
    """Task: for each pair, years from the Track 2 body's founding to its Track 1 partner's
    (positive when the Track 2 body came first), as a Series indexed by pair_id."""
    given = _as_mapping(answer, _("pair"))
    unknown = [k for k in given if k not in expected]
    if unknown:
        raise _Wrong(_("{key} is not a pair_id. Index your answer by pair_id (e.g. 'ARF-CSCAP').").format(key=repr(unknown[0])))
    if given == expected:
        return "correct", _("one gap per pair, positive where the Track 2 body came first.")
    missing = sorted(set(expected) - set(given))
    if missing:
        return "incorrect", _("{count} pair(s) are missing, e.g. {pair}. Give one gap for every pair.").format(
            count=len(missing), pair=missing[0])
    if given == {p: -g for p, g in expected.items()}:
        return "incorrect", _("your signs are reversed. Subtract the Track 2 body's founding year from the Track 1 "
                              "body's: positive means Track 2 came first.")
    if given == {p: abs(g) for p, g in expected.items()}:
        return "incorrect", _("you dropped the sign. In some pairs the Track 2 body came after its partner; "
                              "those gaps are negative.")
    wrong = sorted(p for p in expected if given[p] != expected[p])
    return "incorrect", _("the gap is off for {pairs}. Look up both founding years in data.institutions.").format(
        pairs=", ".join(wrong))


# --------------------------------------------------------------------------- #
# 4. Middle powers


def _great_power_initiated(data: CourseData) -> list[str]:
    return sorted(bodies_started_by(non_official_bodies(data.institutions), GREAT_POWERS, column="initiator_states"))


@checker(_great_power_initiated)
def great_power_initiated(answer, data, expected):
    """Task: the non-official bodies (Track 1.5 or 2) that the United States or China started, counting
    initiators at state level (`initiator_states`), as chapter 4 does (ids)."""
    inst = data.institutions
    non_official = non_official_bodies(inst)
    expected = set(expected)
    roles = every_role(data.memberships)
    as_members = {body for body in non_official.index
                  if members_of(data.memberships, body, roles) & set(GREAT_POWERS)}
    states = "initiator_states"
    typical = [
        (set(bodies_started_by(inst, GREAT_POWERS, column=states)),
         _("you included official (Track 1) bodies. Keep only tracks 1.5 and 2 (is_non_official).")),
        (set(bodies_started_by(non_official, ["United States"], column=states)),
         _("you found the bodies the United States helped start, but not China's.")),
        (set(bodies_started_by(non_official, ["China"], column=states)),
         _("you found the bodies China helped start, but not those of the United States.")),
        (set(bodies_started_by(non_official, GREAT_POWERS)),
         _("you kept the bodies whose 'initiators' column names a great power itself. Count at state level, "
           "as chapter 4 does: use the 'initiator_states' column, where an institute counts for its state.")),
        (as_members, _("you looked at members. The task asks who started the bodies: use the 'initiator_states' "
                       "column.")),
    ]
    return _compare_sets(_as_labels(answer, _("body ids")), expected, _body_aliases(inst),
                         _("non-official bodies that the United States or China started"), typical)


# --------------------------------------------------------------------------- #
# 5. Challenges


def _bodies_without_transfer(data: CourseData) -> list[str]:
    return sorted(bodies_without_transfers(active_bodies(data.institutions), data.idea_transfers))


@checker(_bodies_without_transfer)
def bodies_without_transfer(answer, data, expected):
    """Task: the active non-official bodies (Track 1.5 or 2, status "active") with no recorded idea
    transfer from them (ids)."""
    inst, transfers = data.institutions, data.idea_transfers
    active = active_bodies(inst)
    senders = set(transfers["from_id"])
    expected = set(expected)
    typical = [
        (set(bodies_without_transfers(inst, transfers)),
         _("you included bodies that are not active (defunct, dormant or unknown). Keep status == 'active'.")),
        (set(active.index) - senders, _("you included official (Track 1) bodies. Keep only tracks 1.5 and 2.")),
        (set(bodies_on_track(active, "2").index) - senders,
         _("you kept Track 2 only. Non-official means Track 1.5 or Track 2.")),
        (set(non_official_bodies(active).index) - set(transfers["to_id"]),
         _("you used 'to_id'. A transfer comes *from* a Track 2 body: use 'from_id'.")),
    ]
    return _compare_sets(_as_labels(answer, _("body ids")), expected, _body_aliases(inst),
                         _("active non-official bodies with no recorded idea transfer"), typical)


# --------------------------------------------------------------------------- #
# 6. The future


def _nonofficial_breadth(data: CourseData) -> pd.Series:
    counts = member_counts(data.memberships)
    bodies = active_non_official_with_members(data.institutions, data.memberships)
    return pd.Series({b: int(counts[b]) for b in bodies}, dtype=int).sort_values(ascending=False, kind="stable")


@checker(_nonofficial_breadth)
def nonofficial_breadth(answer, data, expected):
    """Task: full-member counts of the active non-official bodies that have a member list,
    largest first (a Series indexed by body id, or a two-column table)."""
    inst, m = data.institutions, data.memberships
    expected = expected.to_dict()
    pairs = [(_norm(k).upper(), v) for k, v in _ordered_pairs(answer, _("body"))]
    given = dict(pairs)
    if len(given) != len(pairs):
        raise _Wrong(_("a body appears twice in your answer; give each body once."))
    if given == expected:
        values = [v for _body, v in pairs]
        if values == sorted(values, reverse=True):
            return "correct", _("the right counts, largest first.")
        return "incorrect", _("the counts are right but not in order: sort them largest first "
                              "(sort_values(ascending=False)).")
    if given == {b: len(members_of(m, b, every_role(m))) for b in expected}:
        return "incorrect", _("you counted {others} too. Count full members only (role == '{role}').").format(
            others=_other_roles(m, _("and")), role=FULL_MEMBER)
    extra = sorted(set(given) - set(expected))
    if extra:
        reasons = []
        for body in extra:
            if body not in inst.index:
                reasons.append(_("{body} is not a body id").format(body=body))
            elif body not in non_official_bodies(inst).index:
                reasons.append(_("{body} is official (Track 1)").format(body=body))
            elif body not in active_non_official_bodies(inst).index:
                reasons.append(_("{body} is {status}").format(body=body, status=inst.loc[body, "status"]))
            else:
                reasons.append(_("{body} has no member list").format(body=body))
        return "incorrect", _("These should not be there: {reasons}.").format(reasons="; ".join(reasons))
    missing = sorted(set(expected) - set(given))
    if missing:
        return "incorrect", (_("1 active non-official body is missing.") if len(missing) == 1 else
                             _("{count} active non-official bodies are missing.").format(count=len(missing))) + " " + _(
            "Start from active_non_official_bodies(data.institutions).")
    wrong = sorted(b for b in expected if given[b] != expected[b])
    return "incorrect", _("the count is off for {bodies}. Count full members (role == 'member').").format(
        bodies=", ".join(wrong))


# --------------------------------------------------------------------------- #
# 7. Evidence


def _disagreement_count(data: CourseData) -> int:
    return int(disagreement_totals(data.disagreements)["disagreements"])


@checker(_disagreement_count)
def disagreement_count(answer, data, expected):
    """Task: how many disagreements data/disagreements.csv records (not claims, not sources)."""
    dis = data.disagreements
    totals = disagreement_totals(dis)
    given = _as_int(answer, _("a count of disagreements"))
    if given == expected:
        return "correct", _("one per distinct disagreement_id.")
    typical = {
        totals["claims"]: _("that is the number of rows: each row is one source's claim, and every disagreement has at "
                            "least two. Count distinct disagreement_id values (nunique)."),
        totals["sources"]: _("that is the number of different sources. Count distinct disagreement_id values."),
        int(dis["row_id"].nunique()): _("that counts the disputed rows, but one row can carry more than one "
                                        "disagreement (CSCAP does). Count distinct disagreement_id values."),
    }
    typical.pop(expected, None)
    if given in typical:
        return "incorrect", typical[given]
    return "incorrect", (_("{given} is too many.") if given > expected else _("{given} is too few.")).format(
        given=given) + " " + _("Count distinct disagreement_id values.")
