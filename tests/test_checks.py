"""Every data-task checker, on a small dataset whose answers are worked out by hand:
right answers pass in every reasonable form, typical wrong answers get their specific
message, odd input gets a message and never a traceback."""

from __future__ import annotations

import dataclasses
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from conftest import FIXTURES, ROOT
from track2 import checks
from track2.data import load_course_data

# tests/fixtures/minimal (ARF, CSCAP, APEC, PECC) with these rows added, so that every
# typical mistake gives a different answer from the right one.
ADDED_ROWS = {
    "institutions.csv": [
        "NEACD,Northeast Asia Cooperation Dialogue,1.5,security,1993,,,United States,United States,,active,Fixture forum.,,fixture",
        "SPT,Six-Party Talks,1,security,2003,,,China,China,,dormant,Fixture talks.,,fixture",
        "EAVG,East Asia Vision Group,2,economic,1998,,,,,,defunct,Fixture group.,,fixture",
    ],
    "members.csv": ["USA,United States,state", "CHN,China,state"],
    "memberships.csv": [
        "APEC,USA,member,1989,2026-01-01,source,fixture",
        "APEC,CHN,member,1991,2026-01-01,source,fixture",
        "NEACD,USA,member,1993,2026-01-01,source,fixture",
        "NEACD,CHN,member,1993,2026-01-01,source,fixture",
        "NEACD,JPN,member,1993,2026-01-01,source,fixture",
        "PECC,CHN,observer,,2026-01-01,source,fixture",
    ],
    "pairs.csv": ["SPT-NEACD,SPT,NEACD,security,Fixture pair.,fixture",
                  "APEC-EAVG,APEC,EAVG,economic,Fixture pair.,fixture"],
    "disagreements.csv": [
        "D02,institutions,NEACD,track,1.5,fixture,",
        "D02,institutions,NEACD,track,2,fixture2,",
        "D03,institutions,PECC,founded_year,1980,fixture,",
        "D03,institutions,PECC,founded_year,1979,fixture3,",
        "D03,institutions,PECC,founded_year,1980,fixture4,",
    ],
    "references.bib": ["@misc{fixture3, title = {A third source}, year = {2026}}",
                       "@misc{fixture4, title = {A fourth source}, year = {2026}}"],
}

# The answers, worked out by hand from the rows above and tests/fixtures/minimal:
# - tracks: Track 1 ARF, APEC, SPT; Track 1.5 NEACD; Track 2 CSCAP, PECC, EAVG. Active: all but
#   SPT (dormant) and EAVG (defunct), so active per track: 1 ARF, APEC; 1.5 NEACD; 2 CSCAP, PECC.
# - non-official bodies founded 1990-1999: CSCAP 1993, NEACD 1993, EAVG 1998 (3);
#   Track 2 only: CSCAP, EAVG (2); every body: those and ARF 1994 (4).
# - full members: APEC Australia, Chinese Taipei, United States, China; PECC Australia,
#   Japan (China is an observer); NEACD United States, China, Japan; CSCAP Australia;
#   ARF Australia, Japan. 13 membership rows in all.
# - gaps (Track 1 year - Track 2 year): ARF-CSCAP 1994-1993, APEC-PECC 1989-1980,
#   SPT-NEACD 2003-1993, APEC-EAVG 1989-1998.
# - initiators: NEACD the United States, SPT China (SPT is official, NEACD is not).
# - the one idea transfer comes from CSCAP: the active non-official bodies without one are NEACD
#   and PECC (EAVG, defunct, has none either).
# - active non-official bodies with members: NEACD 3, PECC 2 (3 with the observer), CSCAP 1.
# - disagreements D01, D02, D03: 7 claims, 4 sources, 2 disputed rows (PECC, NEACD).
APEC_ONLY = ["China", "Chinese Taipei", "United States"]
GAPS = pd.Series({"ARF-CSCAP": 1, "APEC-PECC": 9, "SPT-NEACD": 10, "APEC-EAVG": -9})
GREAT = ["NEACD"]
SILENT = ["NEACD", "PECC"]
BREADTH = pd.Series({"NEACD": 3, "PECC": 2, "CSCAP": 1})


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The fixture data with :data:`ADDED_ROWS`, loaded."""
    folder = tmp_path_factory.mktemp("checks") / "data"
    shutil.copytree(FIXTURES / "minimal", folder)
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    package["bibliography"] = "references.bib"  # as conftest's minimal_data does
    (folder / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    for name, rows in ADDED_ROWS.items():
        with open(folder / name, "a", encoding="utf-8") as file:
            file.write("".join(row + "\n" for row in rows))
    return load_course_data(folder)


def test_the_fixture_is_what_the_hand_worked_answers_assume(course):
    assert course.institutions["track"].astype(str).to_dict() == {
        "ARF": "1", "CSCAP": "2", "APEC": "1", "PECC": "2", "NEACD": "1.5", "SPT": "1", "EAVG": "2"}
    assert len(course.memberships) == 13 and len(course.disagreements) == 7


RIGHT = {
    "active_bodies_per_track": [
        {"1": 2, "1.5": 1, "2": 2},
        pd.Series({"1": 2, "1.5": 1, "2": 2}),
        pd.DataFrame({"count": [2, 1, 2]}, index=["1", "1.5", "2"]),
        {1.0: 2, 1.5: 1, 2: 2},
        {"Track 1": 2, "track 1.5": 1, "Track 2 (non-official)": 2},
        pd.DataFrame({"track": ["1", "2", "1.5"], "count": [2, 2, 1]}),  # value_counts().reset_index()
        pd.DataFrame({"track": [1.0, 2.0, 1.5], "count": [2, 2, 1]}),  # the same, of a number column
    ],
    "nonofficial_founded_1990s": [3, np.int64(3), 3.0],
    "apec_not_in_pecc": [APEC_ONLY, set(APEC_ONLY), tuple(APEC_ONLY), pd.Series(APEC_ONLY),
                         pd.DataFrame({"member": APEC_ONLY}), list(reversed(APEC_ONLY)),
                         ["CHN", "TWN", "USA"]],
    "founding_gaps": [GAPS, GAPS.to_dict(), GAPS.iloc[::-1], GAPS.to_frame("gap"),
                      GAPS.rename_axis("pair_id").reset_index(name="gap")],
    "great_power_initiated": [GREAT, ["neacd"], ["Northeast Asia Cooperation Dialogue"], pd.Index(GREAT)],
    "bodies_without_transfer": [SILENT, set(SILENT), np.array(SILENT)],
    "nonofficial_breadth": [BREADTH, BREADTH.to_dict(), BREADTH.rename("members").rename_axis("body_id").reset_index(),
                            BREADTH.to_frame("members")],
    "disagreement_count": [3, np.int64(3)],
}

WRONG = {
    "active_bodies_per_track": [
        ({"1": 3, "1.5": 1, "2": 3}, "you counted every body"),
        ({"1": 2, "2": 3}, "merged Track 1.5 into Track 2"),
        ({"1": 6, "1.5": 3, "2": 4}, "rows of the memberships table"),
        ({"1": 2, "1.5": 1, "2": 1}, "the count for track 2 is off"),
        ({"Track 9": 3}, "is not a track; index your answer by track"),
        (pd.DataFrame({"track": ["1", "1.5", "2"], "count": [2, 1, 1]}), "the count for track 2 is off"),
        (pd.DataFrame({"track": ["1", "1.5", "2"], "type": "x", "count": [2, 1, 2]}), "columns"),
        (pd.Series([2, 1, 2], index=["1", "1.5", "1.5"]), "'1.5' appears twice"),
    ],
    "nonofficial_founded_1990s": [
        (2, "Track 2 only"),
        (4, "official ones too"),
        (40, "too many"),
        (1, "too few"),
        ("3", "without quotes"),
        (3.5, "not a whole number"),
        (pd.DataFrame({"id": ["CSCAP"]}), "one number"),
    ],
    "apec_not_in_pecc": [
        (["Japan"], "wrong way round"),
        (["Australia"], "members the two bodies share"),
        (["Chinese Taipei", "United States"], "you included associates, institutional members or observers."),
        (APEC_ONLY + ["Japan"], "only one of the two bodies"),
        (["China"], "2 of the APEC members missing from PECC are missing"),
        (APEC_ONLY + ["Australia"], "should not be there: Australia"),
        (APEC_ONLY + ["Atlantis"], "not in the course data: 'Atlantis'"),
        (", ".join(APEC_ONLY), "one piece of text"),
        ([1, 2], "should be text"),
        (pd.DataFrame({"member": APEC_ONLY, "role": "member"}), "columns"),
        ({"a": 1}, "dict"),
    ],
    "founding_gaps": [
        (-GAPS, "signs are reversed"),
        (GAPS.abs(), "dropped the sign"),
        (GAPS.iloc[1:], "1 pair(s) are missing, e.g. ARF-CSCAP"),
        (GAPS.rename({"ARF-CSCAP": "CSCAP-ARF"}), "not a pair_id"),
        (GAPS.replace({9: 10}), "off for APEC-PECC"),
        (list(GAPS), "Series or a dict"),
    ],
    "great_power_initiated": [
        (["NEACD", "SPT"], "you included official (Track 1) bodies"),
        (["NEACD", "PECC"], "use the 'initiator_states' column"),
        (["United States", "China"], "not in the course data"),
        (["PECC"], "should not be there: PECC"),
    ],
    "bodies_without_transfer": [
        (["EAVG", "NEACD", "PECC"], "not active"),
        (["APEC", "ARF", "NEACD", "PECC"], "official (Track 1) bodies"),
        (["PECC"], "Track 2 only"),
        (["CSCAP", "NEACD", "PECC"], "'from_id'"),
    ],
    "nonofficial_breadth": [
        (BREADTH.iloc[::-1], "not in order"),
        (BREADTH.sort_index(), "not in order"),
        (pd.Series({"NEACD": 3, "PECC": 3, "CSCAP": 1}),
         "you counted associates, institutional members and observers too"),
        (pd.Series({"NEACD": 3, "PECC": 2, "ARF": 2, "CSCAP": 1}), "ARF is official"),
        (pd.Series({"NEACD": 3, "PECC": 2, "CSCAP": 1, "EAVG": 0}), "EAVG is defunct"),
        (pd.Series({"NEACD": 3, "PECC": 2, "CSCAP": 1, "NATO": 1}), "NATO is not a body id"),
        (BREADTH.iloc[:-1], "1 active non-official body is missing"),
        (pd.Series({"NEACD": 3, "PECC": 1, "CSCAP": 1}), "the count is off for PECC"),
        (pd.Series({"NEACD": 3, "neacd": 3}), "appears twice"),
        (pd.DataFrame({"body_id": ["NEACD"], "member": ["Japan"], "role": ["member"]}), "columns"),
    ],
    "disagreement_count": [
        (7, "number of rows"),
        (4, "different sources"),
        (2, "disputed rows"),
        (pd.DataFrame({"disagreement_id": ["D01"]}), "one number"),
        (True, "True/False"),
    ],
}

ODD = [object(), "", "   ", [], set(), {}, 0, -1, 3.5, float("nan"), float("inf"), pd.NA, pd.DataFrame(),
       pd.Series(dtype=float), [[1, 2]], [None], {"x": "y"}, {"1": None}, np.array([]), b"bytes", lambda: 1,
       pd.Series([1, 2]), pd.DataFrame({"a": [1], "b": [2]}), {("1",): 3}]


def test_every_checker_is_tested():
    for table, name in ((RIGHT, "RIGHT"), (WRONG, "WRONG")):
        assert set(table) == set(checks.CHECKERS), (
            f"tests/test_checks.py: {name} lacks {sorted(set(checks.CHECKERS) - set(table))} and names no checker "
            f"{sorted(set(table) - set(checks.CHECKERS))}: give each checker answers worked out by hand on the fixture")


@pytest.mark.parametrize("name, answer", [(n, a) for n, answers in RIGHT.items() for a in answers])
def test_right_answers_pass(course, name, answer):
    feedback = checks.CHECKERS[name](answer, data=course)
    assert feedback.status == "correct", str(feedback)
    assert feedback.correct and str(feedback).startswith("✓ Correct")


@pytest.mark.parametrize("name, answer, expected", [(n, a, e) for n, cases in WRONG.items() for a, e in cases])
def test_typical_wrong_answers_get_specific_feedback(course, name, answer, expected):
    feedback = checks.CHECKERS[name](answer, data=course)
    assert feedback.status == "incorrect", str(feedback)
    assert expected in feedback.message, str(feedback)
    assert not feedback.checker_failed, str(feedback)


@pytest.mark.parametrize("name", checks.CHECKERS)
@pytest.mark.parametrize("answer", [..., None], ids=["ellipsis", "none"])
def test_not_answered_yet_is_not_an_error(course, name, answer):
    feedback = checks.CHECKERS[name](answer, data=course)
    assert feedback.status == "unanswered"
    assert "Not answered yet" in str(feedback) and "Not answered yet" in feedback._repr_html_()
    assert checks.CHECKERS[name](data=course).status == "unanswered"


@pytest.mark.parametrize("name", checks.CHECKERS)
@pytest.mark.parametrize("answer", ODD, ids=lambda a: type(a).__name__)
def test_odd_answers_get_a_message_and_never_crash_the_checker(course, name, answer):
    feedback = checks.CHECKERS[name](answer, data=course)
    assert feedback.status == "incorrect"
    assert not feedback.checker_failed, f"the checker crashed: {feedback.message}"
    assert feedback.message and "could not be checked" not in feedback.message


def active_tracks(course) -> pd.Series:
    """The categorical track column of the active bodies, as a student's filter leaves it."""
    inst = course.institutions
    return inst.loc[inst["status"] == "active", "track"]


def test_a_students_value_counts_of_the_categorical_track_column_pass(course):
    assert checks.active_bodies_per_track(active_tracks(course).value_counts(), data=course).correct


def test_a_students_value_counts_reset_index_is_read_by_its_track_column(course):
    """value_counts().reset_index() gives a RangeIndex, a 'track' column and a 'count' column
    (pandas 2 and 3): the keys are in the column, not the index."""
    counts = active_tracks(course).value_counts()
    table = counts.reset_index()
    assert list(table.columns) == ["track", "count"] and isinstance(table.index, pd.RangeIndex)
    assert checks.active_bodies_per_track(table, data=course).correct
    assert checks.active_bodies_per_track(counts.rename_axis("track").reset_index(name="bodies"), data=course).correct
    one_short = table.assign(count=table["count"] - (table["track"] == "2"))
    feedback = checks.active_bodies_per_track(one_short, data=course)
    assert feedback.status == "incorrect" and not feedback.checker_failed, str(feedback)
    assert "the count for track 2 is off" in feedback.message, str(feedback)


def test_the_roles_come_from_the_data_description(course):
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    schema = next(r["schema"] for r in package["resources"] if r["name"] == "memberships")
    allowed = next(f["constraints"]["enum"] for f in schema["fields"] if f["name"] == "role")
    assert checks.every_role(course.memberships) == tuple(allowed)
    as_text = course.memberships.assign(role=course.memberships["role"].astype(str))
    assert checks.every_role(as_text) == tuple(allowed)


@pytest.mark.parametrize("typed", [True, False], ids=["categorical", "text"])
def test_counting_every_membership_row_per_body_gets_the_tailored_message(course, typed):
    """An institutional member (as PAFTAD and PBEC are of PECC in the course data) is not a full member either."""
    m = course.memberships
    extra = m[m["member_id"] == "AUS"].head(1).assign(body_id="PECC", member_id="USA", member="United States")
    extra["role"] = pd.Categorical(["institutional"], categories=m["role"].cat.categories)
    memberships = pd.concat([m, extra], ignore_index=True)
    if not typed:
        memberships["role"] = memberships["role"].astype(str)
    with_institutional = dataclasses.replace(course, memberships=memberships)
    every_row = memberships.groupby("body_id").size()[BREADTH.index].sort_values(ascending=False)
    assert every_row.to_dict() == {"PECC": 4, "NEACD": 3, "CSCAP": 1}
    feedback = checks.nonofficial_breadth(every_row, data=with_institutional)
    assert feedback.status == "incorrect" and not feedback.checker_failed, str(feedback)
    assert "you counted associates, institutional members and observers too" in feedback.message, str(feedback)
    assert checks.nonofficial_breadth(BREADTH, data=with_institutional).correct


def test_whitespace_and_case_are_forgiven_with_a_note(course):
    feedback = checks.apec_not_in_pecc(["  CHINA ", "chinese  taipei", "United States"], data=course)
    assert feedback.correct
    assert "(Matched ignoring capitals and spaces: '  CHINA ' -> 'China'; 'chinese  taipei' -> 'Chinese Taipei'.)" \
        in feedback.message


def test_feedback_renders_for_the_notebook_with_a_machine_readable_status(course):
    html = checks.disagreement_count(7, data=course)._repr_html_()
    assert "data-check='disagreement_count' data-status='incorrect'" in html
    assert "<script" not in html


def test_expected_answers_are_computed_from_the_data(course):
    """A corrected data set changes what counts as right: no answer is stored."""
    memberships = course.memberships
    without_china = memberships[~((memberships.body_id == "APEC") & (memberships.member_id == "CHN"))]
    corrected = dataclasses.replace(course, memberships=without_china)
    assert not checks.apec_not_in_pecc(APEC_ONLY, data=corrected).correct
    assert checks.apec_not_in_pecc(["Chinese Taipei", "United States"], data=corrected).correct
    one_less = dataclasses.replace(course, disagreements=course.disagreements[course.disagreements.disagreement_id != "D01"])
    assert checks.disagreement_count(2, data=one_less).correct


def test_a_crash_inside_a_checker_is_reported_not_raised_and_flagged(monkeypatch):
    monkeypatch.setattr(checks, "CHECKERS", dict(checks.CHECKERS))

    @checks.checker(lambda data: 1)
    def broken(answer, data, expected):
        raise RuntimeError("boom")

    feedback = broken(1)
    assert feedback.status == "incorrect" and "could not be checked (RuntimeError: boom)" in feedback.message
    assert feedback.checker_failed and "data-status='incorrect' data-checker-failed='true'" in feedback._repr_html_()
    assert checks.disagreement_count(...).checker_failed is False


def test_the_decorator_registers_each_checker_once(monkeypatch):
    monkeypatch.setattr(checks, "CHECKERS", dict(checks.CHECKERS))

    def new_task(answer, data, expected):
        return ("correct", "fine.") if answer == expected else ("incorrect", "no.")

    registered = checks.checker(lambda data: len(data.pairs))(new_task)
    assert checks.CHECKERS["new_task"] is registered
    assert registered(len(load_course_data().pairs)).correct and not registered(-1).correct
    assert registered.expected() == len(load_course_data().pairs)
    with pytest.raises(ValueError, match="two checkers are called 'new_task'"):
        checks.checker(lambda data: 0)(new_task)


@pytest.mark.parametrize("name", checks.CHECKERS)
@pytest.mark.parametrize("which", ["fixture", "course data"])
def test_each_checker_accepts_the_answer_it_says_it_expects(course, name, which):
    """checker.expected(data) is what grading relies on to make a variant of the data change every
    graded answer; on each data set it must be exactly what the checker accepts, and what RIGHT says."""
    data = course if which == "fixture" else load_course_data()
    check = checks.CHECKERS[name]
    right = check.expected(data)
    assert check(right, data=data).correct, str(check(right, data=data))
    if which == "fixture":
        assert check(RIGHT[name][0], data=data).correct




def helper_calls(data, only=None) -> dict[tuple[str, int], object]:
    """{(name, which arguments): result} of every call of a public function of track2.analysis
    with the data, one or two of its tables, or a table and one of the module's constants: what
    a student can get from the course in one call (or only the calls in ``only``). Calls that
    raise are left out."""
    import inspect
    import itertools

    from track2 import analysis

    tables = [getattr(data, name) for name in vars(data)]
    constants = [value for name, value in vars(analysis).items() if name.isupper() and not callable(value)]
    arguments = [(data,), *[(t,) for t in tables], *itertools.permutations(tables, 2),
                 *[(t, c) for t in tables for c in constants]]
    results = {}
    for name, function in inspect.getmembers(analysis, inspect.isfunction):
        if name.startswith("_") or function.__module__ != analysis.__name__:
            continue
        for position, args in enumerate(arguments):
            if only is not None and (name, position) not in only:
                continue
            try:
                results[name, position] = function(*args)
            except Exception:
                continue
    return results


@pytest.mark.slow  # every helper call against every checker, on three datasets: 20-50 s on 2 cores
def test_no_graded_task_is_answered_by_one_call_of_a_course_helper(tmp_path):
    """A graded task tests the student's work (issue 23): no public function of track2.analysis,
    called once with the data's tables and constants, gives an answer its checker accepts on the
    real data and on two grading variants alike. If this fails, ask for something the helpers do
    not compute in one step (a filter and a count, say)."""
    from track2.tools import variant

    def accepted(task, data, value) -> bool:
        candidates = [value] + ([list(value.index)] if isinstance(value, (pd.Series, pd.DataFrame)) else [])
        return any(checks.CHECKERS[task](candidate, data=data).correct for candidate in candidates)

    real = load_course_data()
    suspects = {(task, call) for call, value in helper_calls(real).items() for task in checks.CHECKERS
                if accepted(task, real, value)}
    for seed in ("one", "two"):
        variant.write_variant(ROOT / "data", tmp_path / seed, seed)
        data = load_course_data(tmp_path / seed)
        found = helper_calls(data, only={call for _, call in suspects})
        suspects = {(task, call) for task, call in suspects if call in found and accepted(task, data, found[call])}
    answered = sorted({(task, call[0]) for task, call in suspects})
    assert answered == [], f"graded tasks that one call of a course helper answers: {answered}"


def test_feedback_reads_as_sentences(course):
    """Each message starts a sentence in the page ('Not yet right. You merged ...'), and a type
    takes its article ('got an int')."""
    assert "got an int" in checks.apec_not_in_pecc(3, data=course).message
    assert "got a float" not in checks.apec_not_in_pecc(["China", 2.5], data=course).message
    assert "2.5 is a float" in checks.apec_not_in_pecc(["China", 2.5], data=course).message
    for feedback in (checks.apec_not_in_pecc(data=course), checks.apec_not_in_pecc(["Japan"], data=course)):
        shown = feedback._repr_html_().split("</strong> ", 1)[1]
        assert shown[:1].isupper(), shown
