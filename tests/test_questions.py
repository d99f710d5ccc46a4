"""The quick checks of every exercise set: built from the data, every option gives feedback."""

from __future__ import annotations

import re
import shutil

import ipywidgets as widgets
import pytest

from conftest import ROOT, edit_csv
from track2.analysis import founding_gap
from track2.data import load_course_data
from track2.questions import SETS, quick_checks

DATA = load_course_data()
ALL = [(set_id, key) for set_id in SETS for key in quick_checks(set_id, DATA)]


def correct_labels(check) -> list[list[str]]:
    return [[o.label for o in p.options if o.correct] for p in check.pickers]


def test_one_set_per_chapter():
    chapters = sorted(p.stem for p in (ROOT / "book" / "chapters").glob("[0-9][0-9]-*.md"))
    assert sorted(SETS) == chapters


@pytest.mark.parametrize("set_id", SETS)
def test_each_set_mixes_question_kinds(set_id):
    checks = quick_checks(set_id, DATA)
    assert len(checks) >= 3
    kinds = {type(p.control) for check in checks.values() for p in check.pickers}
    assert widgets.RadioButtons in kinds, "a multiple-choice or true/false question"
    assert widgets.Dropdown in kinds, "an ordering or matching question"


@pytest.mark.parametrize("set_id, key", ALL)
def test_every_option_shows_its_own_specific_feedback(set_id, key):
    check = quick_checks(set_id, DATA)[key]
    assert check.prompt.strip()
    for picker in check.pickers:
        assert picker.visible_feedback() == ""  # nothing chosen yet
        seen = set()
        for option in picker.options:
            picker.choose(option.label)
            shown = picker.visible_feedback()
            assert f"data-status='{'correct' if option.correct else 'incorrect'}'" in shown
            text = re.sub(r"<[^>]+>", "", shown)
            assert len(text) > 30, f"{set_id}/{key}: feedback for {option.label!r} says too little"
            if not option.correct:
                assert "href='../book/chapters/" in shown, "a wrong answer links back to the chapter"
            seen.add(text)
        assert len(seen) == len(picker.options), "each option has its own message"


def test_answers_are_computed_from_the_data():
    checks = quick_checks("02-boom", DATA)
    order = [correct_labels(checks["founding-order"])[i][0] for i in range(4)]
    years = [int(DATA.institutions.loc[b, "founded_year"]) for b in order]
    assert years == sorted(years)

    checks = quick_checks("03-symbiosis", DATA)
    for picker in checks["partners"].pickers:
        body = picker.control.description.rstrip(":")
        assert correct_labels_of(picker) <= set(DATA.pairs.loc[DATA.pairs.track2_id == body, "track1_id"])
    gaps = {p: founding_gap(DATA.institutions, DATA.pairs, p) for p in ["ARF-CSCAP", "APEC-PECC", "APEC-PAFTAD",
                                                                       "APT-NEAT"]}
    assert correct_labels(checks["head-start"]) == [[max(gaps, key=gaps.get)]]

    checks = quick_checks("07-evidence", DATA)
    assert correct_labels(checks["how-many"]) == [[str(DATA.disagreements["disagreement_id"].nunique())]]


def correct_labels_of(picker) -> set[str]:
    return {o.label for o in picker.options if o.correct}


@pytest.fixture
def course_copy(tmp_path):
    """A copy of the real course data (and its bibliography) to correct."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    (tmp_path / "book").mkdir()
    shutil.copy(ROOT / "book" / "references.bib", tmp_path / "book" / "references.bib")
    return tmp_path / "data"


def test_a_data_correction_flows_into_the_questions(course_copy):
    year = int(DATA.institutions.loc["APR", "founded_year"])
    line = next(l for l in (course_copy / "institutions.csv").read_text().splitlines() if l.startswith("APR,"))
    edit_csv(course_copy / "institutions.csv", line, line.replace(f",{year},", ",1999,", 1))
    corrected = load_course_data(course_copy)
    order = quick_checks("02-boom", corrected)["founding-order"]
    assert [correct_labels(order)[i][0] for i in range(4)] == ["PECC", "CSCAP", "APR", "NEAT"]


def test_an_unknown_set_lists_the_valid_ones():
    with pytest.raises(KeyError, match="choose one of: 01-tracks"):
        quick_checks("99-nothing", DATA)
