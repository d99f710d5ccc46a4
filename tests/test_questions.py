"""The quick checks of every exercise set: content files and questions built from the
data; every option gives feedback."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import ipywidgets as widgets
import pytest

from conftest import ROOT, edit_csv
import track2.data
from track2 import questions
from track2.analysis import founding_gap
from track2.data import load_course_data
from track2.questions import SETS, QuestionFileError, content_questions, quick_checks

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


# --------------------------------------------------------------------------- #
# Content files: exercises/source/<set>.questions.yml

#: The quick checks each exercise notebook shows: from its content file, then from the data.
EXPECTED_KEYS = {
    "01-tracks": (["mixed-table", "haas"], ["neacd-settled", "coded-track"]),
    "02-boom": (["two-reasons", "haze"], ["founding-order"]),
    "03-symbiosis": ([], ["partners", "head-start", "no-jaccard", "dates"]),
    "04-middle-powers": (["feng-examples"], ["most-initiator", "who-started"]),
    "05-challenges": (["feng-claim", "no-record"], ["spt-status", "transfer-order"]),
    "06-future": (["excerpt"], ["both-rivals", "breadth"]),
    "07-evidence": (["averaging", "reasons"], ["how-many"]),
}


@pytest.mark.parametrize("set_id", SETS)
def test_each_set_has_its_content_questions_and_its_data_questions(set_id):
    from_file, from_data = EXPECTED_KEYS[set_id]
    assert [check.key for check in content_questions(set_id)] == from_file
    assert list(quick_checks(set_id, DATA)) == from_file + from_data


def test_the_disagreements_matched_to_reasons_are_in_the_data():
    rows = [p.control.description.rstrip(":") for p in quick_checks("07-evidence", DATA)["reasons"].pickers]
    assert rows == ["D01 (ARF founding)", "D08 (NEACD's track)", "D15 (Viet Nam joins ASEAN)", "D20 (PECC members)"]
    dis = DATA.disagreements.set_index("disagreement_id")
    assert dis.loc["D01", "column"].iloc[0] == "founded_year" and set(dis.loc["D01", "row_id"]) == {"ARF"}
    assert dis.loc["D08", "column"].iloc[0] == "track" and set(dis.loc["D08", "row_id"]) == {"NEACD"}
    assert set(dis.loc["D15", "row_id"]) == {"ASEAN:VNM"}
    assert set(dis.loc["D20", "row_id"].str.split(":").str[0]) == {"PECC"}


GOOD = """\
pick:
  type: multiple choice
  prompt: Which one?
  review:
    section: what-the-data-show
    title: Chapter 9, What the data show
  options:
    - label: "A: the first"
      why: A is wrong because it is first.
    - label: B
      correct: true
      why: B is right.
judge:
  type: true or false
  statement: The sky is green.
  answer: false
  why: It is blue.
  review: {section: colours, title: "Chapter 9, Colours"}
pairs:
  type: matching
  prompt: Match them.
  review: {section: pairs, title: "Chapter 9, Pairs"}
  choices: [left, right]
  if_right: "Yes: {why}"
  if_wrong: "'{choice}' is not it: {why}"
  rows:
    L: {answer: left, why: L goes left.}
    R: {answer: right, why: R goes right.}
"""


def write(folder: Path, text: str) -> Path:
    path = folder / "09-test.questions.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_content_file_gives_quick_checks_with_feedback_and_review_links(tmp_path):
    write(tmp_path, GOOD)
    pick, judge, pairs = content_questions("09-test", tmp_path)
    assert (pick.key, pick.prompt) == ("pick", "Which one?")
    assert correct_labels(pick) == [["B"]]
    pick.pickers[0].choose("A: the first")
    assert "A is wrong because it is first." in pick.pickers[0].visible_feedback()
    assert "href='../book/chapters/09-test.html#what-the-data-show'" in pick.pickers[0].visible_feedback()
    assert judge.prompt == "True or false? The sky is green." and correct_labels(judge) == [["False"]]
    assert [p.control.description for p in pairs.pickers] == ["L:", "R:"]
    assert correct_labels(pairs) == [["left"], ["right"]]
    assert [o.why for o in pairs.pickers[0].options] == ["Yes: L goes left.", "'right' is not it: L goes left."]


def test_a_set_without_a_content_file_has_no_content_questions(tmp_path):
    assert content_questions("09-test", tmp_path) == []


@pytest.mark.parametrize("old, new, problem", [
    ("  prompt: Which one?\n", "", "question 'pick': missing prompt"),
    ("  type: true or false\n", "  type: essay\n", "question 'judge': type should be one of: multiple choice"),
    ("  answer: false\n", "  answer: nope\n", "question 'judge': answer should be true or false, not 'nope'"),
    ("  why: It is blue.\n", "  why: It is blue.\n  hint: look up\n", "question 'judge': unknown field 'hint'"),
    ("    - label: B\n", "    - label: 2\n", "question 'pick': option 2: label should be text, not 2"),
    ("      why: A is wrong because it is first.\n",
     "      why: A is wrong because it is first.\n      correct: true\n",
     "question 'pick': pick: a multiple-choice question needs exactly one right option"),
    ("    R: {answer: right,", "    R: {answer: middle,", "question 'pairs': row 'R': answer 'middle' is not one of the choices"),
    ("  review: {section: colours, title: \"Chapter 9, Colours\"}\n", "  review: colours\n",
     "question 'judge': review should be fields (a mapping), not 'colours'"),
    ("  choices: [left, right]\n", "  choices: [left, 2]\n", "question 'pairs': every choice should be text"),
    ("'{choice}' is not it", "'{label}' is not it", "question 'pairs': if_wrong: use only {choice} and {why}"),
    ("judge:\n", "pick:\n", "pick given twice"),
    ("  prompt: Which one?\n", "  prompt: Which one?\n    and more: [\n", "not a valid content file"),
])
def test_a_malformed_content_file_names_the_file_and_the_question(tmp_path, old, new, problem):
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(QuestionFileError) as raised:
        content_questions("09-test", tmp_path)
    assert str(path) in str(raised.value) and problem in str(raised.value), str(raised.value)


def test_a_yaml_syntax_error_gives_its_line(tmp_path):
    path = write(tmp_path, GOOD.replace("  prompt: Which one?\n", "  prompt: [Which one?\n", 1))
    with pytest.raises(QuestionFileError, match=r"(?s)" + re.escape(str(path)) + r": not a valid content file.*line 3, column 21"):
        content_questions("09-test", tmp_path)


def test_an_installed_package_reads_the_content_files_from_its_own_copy(tmp_path, monkeypatch):
    packaged = tmp_path / "_course"
    (packaged / "exercises" / "source").mkdir(parents=True)
    shutil.copy(ROOT / "exercises" / "source" / "01-tracks.questions.yml", packaged / "exercises" / "source")
    monkeypatch.setattr(track2.data, "_checkouts", lambda: [])
    monkeypatch.setattr(track2.data, "_packaged_course", lambda: packaged)
    assert questions.questions_dir() == packaged / "exercises" / "source"
    assert "mixed-table" in quick_checks("01-tracks", DATA)


def test_pyproject_ships_every_content_file_inside_the_package():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    package = next(name for name, folder in setuptools["package-dir"].items() if folder == "exercises/source")
    shipped = {path for pattern in setuptools["package-data"][package] for path in (ROOT / "exercises" / "source").glob(pattern)}
    assert set((ROOT / "exercises" / "source").glob("*.questions.yml")) <= shipped
