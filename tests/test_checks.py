"""Every data-task checker: right answers pass in every reasonable form, typical wrong
answers get their specific message, odd input gets a message and never a traceback."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from track2 import checks
from track2.analysis import founding_gap, members_of
from track2.data import NON_OFFICIAL_TRACKS, load_course_data, split_list

DATA = load_course_data()
INST, M, PAIRS, TRANSFERS, DIS = DATA.institutions, DATA.memberships, DATA.pairs, DATA.idea_transfers, DATA.disagreements
TRACK = INST["track"].astype(str)
NON_OFFICIAL = set(INST.index[TRACK.isin(NON_OFFICIAL_TRACKS)])

APEC_ONLY = sorted(members_of(M, "APEC") - members_of(M, "PECC"))
GAPS = pd.Series({p: founding_gap(INST, PAIRS, p) for p in PAIRS.index})
_inits = INST["initiators"].map(lambda c: set(split_list(c)))
GREAT = sorted(INST.index[_inits.map(lambda s: bool(s & {"United States", "China"}))])
SILENT = sorted(NON_OFFICIAL - set(TRANSFERS["from_id"]))
_active = INST.index[TRACK.isin(NON_OFFICIAL_TRACKS) & (INST["status"] == "active")]
BREADTH = M[(M.role == "member") & M.body_id.isin(_active)].groupby("body_id").size().sort_values(ascending=False)
NINETIES = int((TRACK.isin(NON_OFFICIAL_TRACKS) & INST.founded_year.between(1990, 1999)).sum())

RIGHT = {
    "bodies_per_track": [
        INST["track"].value_counts(),
        TRACK.value_counts().to_dict(),
        INST["track"].value_counts().to_frame(),
        {float(k): v for k, v in TRACK.value_counts().items()},
        TRACK.map({"1": "Track 1", "1.5": "track 1.5", "2": "Track 2"}).value_counts(),
    ],
    "nonofficial_founded_1990s": [NINETIES, np.int64(NINETIES), float(NINETIES)],
    "apec_not_in_pecc": [APEC_ONLY, set(APEC_ONLY), tuple(APEC_ONLY), pd.Series(APEC_ONLY),
                         pd.DataFrame({"member": APEC_ONLY}), list(reversed(APEC_ONLY)),
                         [f"  {n.upper()} " for n in APEC_ONLY],
                         list(M.loc[M.member.isin(APEC_ONLY) & (M.body_id == "APEC"), "member_id"])],
    "founding_gaps": [GAPS, GAPS.to_dict(), GAPS.sample(frac=1, random_state=1), GAPS.to_frame("gap")],
    "great_power_initiated": [GREAT, [g.lower() for g in GREAT], list(INST.loc[GREAT, "name"]), pd.Index(GREAT)],
    "bodies_without_transfer": [SILENT, set(SILENT), np.array(SILENT)],
    "nonofficial_breadth": [BREADTH, BREADTH.to_dict(), BREADTH.rename("members").reset_index(),
                            BREADTH.to_frame("members")],
    "disagreement_count": [DIS["disagreement_id"].nunique(), int(DIS["disagreement_id"].nunique())],
}

WRONG = {
    "bodies_per_track": [
        (TRACK.replace("1.5", "2").value_counts(), "merged Track 1.5 into Track 2"),
        (M["body_id"].map(INST["track"].astype(str)).value_counts(), "rows of the memberships table"),
        ({"1": 1, "1.5": 1, "2": 1}, "the count for track"),
        ({"Track 9": 3}, "is not a track"),
    ],
    "nonofficial_founded_1990s": [
        (int(((TRACK == "2") & INST.founded_year.between(1990, 1999)).sum()), "Track 2 only"),
        (int(INST.founded_year.between(1990, 1999).sum()), "official ones too"),
        (NINETIES + 40, "too many"),
        (str(NINETIES), "without quotes"),
        (NINETIES + 0.5, "not a whole number"),
        (INST[INST.founded_year.between(1990, 1999)], "one number"),
    ],
    "apec_not_in_pecc": [
        (sorted(members_of(M, "PECC") - members_of(M, "APEC")), "wrong way round"),
        (sorted(members_of(M, "APEC") & members_of(M, "PECC")), "members the two bodies share"),
        (sorted(members_of(M, "APEC", ("member", "observer", "associate")) - members_of(M, "PECC")),
         "observers"),
        (APEC_ONLY[:1], "missing"),
        (APEC_ONLY + ["Chile"], "should not be there: Chile"),
        (APEC_ONLY + ["Atlantis"], "not in the course data: 'Atlantis'"),
        (", ".join(APEC_ONLY), "one piece of text"),
        ([1, 2], "should be text"),
        (M[M.body_id == "APEC"], "columns"),
        ({"a": 1}, "dict"),
    ],
    "founding_gaps": [
        (-GAPS, "signs are reversed"),
        (GAPS.abs(), "dropped the sign"),
        (GAPS.iloc[1:], "missing"),
        (GAPS.rename({"ARF-CSCAP": "CSCAP-ARF"}), "not a pair_id"),
        (GAPS + (GAPS.index == "APEC-PECC"), "off for APEC-PECC"),
        (list(GAPS), "Series or a dict"),
    ],
    "great_power_initiated": [
        (sorted(INST.index[_inits.map(lambda s: "United States" in s)]), "but not China's"),
        (sorted(INST.index[_inits.map(lambda s: "China" in s)]), "but not those of the United States"),
        (sorted(set(M.loc[M.member.isin(["United States", "China"]), "body_id"])), "use the 'initiators' column"),
        (["United States", "China"], "not in the course data"),
    ],
    "bodies_without_transfer": [
        (sorted(set(INST.index) - set(TRANSFERS.from_id)), "official (Track 1) bodies"),
        (sorted(set(INST.index[TRACK == "2"]) - set(TRANSFERS.from_id)), "Track 2 only"),
        (sorted(NON_OFFICIAL - set(TRANSFERS.to_id)), "'from_id'"),
    ],
    "nonofficial_breadth": [
        (BREADTH.sort_values(), "not in order"),
        (BREADTH.sort_index(), "not in order"),
        (M[M.body_id.isin(BREADTH.index)].groupby("body_id").size().sort_values(ascending=False),
         "observers and associates"),
        (pd.concat([BREADTH, pd.Series({"ARF": 27})]), "ARF is official"),
        (BREADTH.iloc[:-1], "missing"),
        (M[M.body_id.isin(BREADTH.index)], "columns"),
    ],
    "disagreement_count": [
        (len(DIS), "number of rows"),
        (DIS["source"].nunique(), "different sources"),
        (DIS["row_id"].nunique(), "disputed rows"),
        (DIS, "one number"),
        (True, "True/False"),
    ],
}

ODD = [object(), "", "   ", [], set(), {}, 0, -1, 3.5, float("nan"), float("inf"), pd.NA, pd.DataFrame(),
       pd.Series(dtype=float), [[1, 2]], [None], {"x": "y"}, np.array([]), b"bytes", lambda: 1]


def test_every_checker_is_tested():
    assert set(RIGHT) == set(WRONG) == set(checks.CHECKERS)


@pytest.mark.parametrize("name, answer", [(n, a) for n, answers in RIGHT.items() for a in answers])
def test_right_answers_pass(name, answer):
    feedback = checks.CHECKERS[name](answer)
    assert feedback.status == "correct", str(feedback)
    assert feedback.correct and str(feedback).startswith("✓ Correct")


@pytest.mark.parametrize("name, answer, expected", [(n, a, e) for n, cases in WRONG.items() for a, e in cases])
def test_typical_wrong_answers_get_specific_feedback(name, answer, expected):
    feedback = checks.CHECKERS[name](answer)
    assert feedback.status == "incorrect", str(feedback)
    assert expected in feedback.message, str(feedback)
    assert "Traceback" not in feedback.message


@pytest.mark.parametrize("name", checks.CHECKERS)
@pytest.mark.parametrize("answer", [..., None], ids=["ellipsis", "none"])
def test_not_answered_yet_is_not_an_error(name, answer):
    feedback = checks.CHECKERS[name](answer)
    assert feedback.status == "unanswered"
    assert "Not answered yet" in str(feedback) and "Not answered yet" in feedback._repr_html_()
    assert checks.CHECKERS[name]().status == "unanswered"


@pytest.mark.parametrize("name", checks.CHECKERS)
@pytest.mark.parametrize("answer", ODD, ids=lambda a: type(a).__name__)
def test_odd_answers_get_a_message_never_an_exception(name, answer):
    feedback = checks.CHECKERS[name](answer)
    assert feedback.status == "incorrect"
    assert feedback.message and isinstance(feedback.message, str)


def test_whitespace_and_case_are_forgiven_with_a_note():
    feedback = checks.apec_not_in_pecc([f" {n.lower()}  " for n in APEC_ONLY])
    assert feedback.correct and "ignoring capitals and spaces" in feedback.message


def test_feedback_renders_for_the_notebook_with_a_machine_readable_status():
    html = checks.disagreement_count(len(DIS))._repr_html_()
    assert "data-check='disagreement_count' data-status='incorrect'" in html
    assert "<script" not in html


def test_expected_answers_are_computed_from_the_data():
    """A corrected data set changes what counts as right: no answer is stored."""
    fewer = DATA.memberships[~((DATA.memberships.body_id == "APEC") & (DATA.memberships.member == APEC_ONLY[0]))]
    corrected = dataclasses.replace(DATA, memberships=fewer)
    assert not checks.apec_not_in_pecc(APEC_ONLY, data=corrected).correct
    assert checks.apec_not_in_pecc(APEC_ONLY[1:], data=corrected).correct
    one_less = dataclasses.replace(DATA, disagreements=DIS[DIS.disagreement_id != "D01"])
    assert checks.disagreement_count(DIS.disagreement_id.nunique() - 1, data=one_less).correct


def test_a_failure_inside_a_checker_is_reported_not_raised():
    @checks.checker
    def broken(answer, data=None):
        raise RuntimeError("boom")

    feedback = broken(1)
    assert feedback.status == "incorrect" and "could not be checked" in feedback.message
