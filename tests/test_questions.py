"""The quick checks of every exercise set: content files and questions built from the
data; every option gives feedback."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import tomllib
from pathlib import Path

import ipywidgets as widgets
import pytest
import yaml

from conftest import ROOT, edit_csv
import track2.data
from track2 import analysis, checks, questions
from track2.analysis import member_counts, official_bodies
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
    assert len(checks) >= 3, f"{set_id} has {len(checks)} quick checks, the course wants 3 or more (CONTRIBUTING.md, recipe 4)"
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

    checks = quick_checks("07-evidence", DATA)
    assert correct_labels(checks["how-many"]) == [[str(len(DATA.disagreements))]]
    assert str(DATA.disagreements["disagreement_id"].nunique()) not in {o.label for o in checks["how-many"].pickers[0].options}

    checks = quick_checks("06-future", DATA)
    order = [correct_labels(checks["breadth"])[i][0] for i in range(len(checks["breadth"].pickers))]
    counts = member_counts(DATA.memberships)
    assert [counts[b] for b in order] == sorted(counts[order], reverse=True)
    assert set(order) <= set(official_bodies(DATA.institutions).index)


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
    line = next(row for row in (course_copy / "institutions.csv").read_text().splitlines() if row.startswith("APR,"))
    edit_csv(course_copy / "institutions.csv", line, line.replace(f",{year},", ",1999,", 1))
    corrected = load_course_data(course_copy)
    order = quick_checks("02-boom", corrected)["founding-order"]
    assert [correct_labels(order)[i][0] for i in range(4)] == ["PECC", "CSCAP", "APR", "NEAT"]


def test_an_unknown_set_lists_the_valid_ones():
    with pytest.raises(KeyError, match="choose one of: 01-tracks"):
        quick_checks("99-nothing", DATA)


# --------------------------------------------------------------------------- #
# Content files: exercises/source/<set>.questions.yml

def shown_quick_checks(set_id: str) -> list[str]:
    """The quick checks the set's exercise source shows, in order (its ``quiz["KEY"]`` cells)."""
    source = (ROOT / "exercises" / "source" / f"{set_id}.md").read_text(encoding="utf-8")
    return re.findall(r'^quiz\["([^"]+)"\]\s*$', source, flags=re.M)


@pytest.mark.parametrize("set_id", SETS)
def test_each_set_has_its_content_questions_and_its_data_questions(set_id):
    content_file = ROOT / "exercises" / "source" / f"{set_id}.questions.yml"
    from_file = [str(key) for key in yaml.safe_load(content_file.read_text(encoding="utf-8"))]
    assert [check.key for check in content_questions(set_id)] == from_file, \
        f"every entry of {content_file.name} becomes a quick check, in the file's order"
    defined = list(quick_checks(set_id, DATA))
    assert defined[:len(from_file)] == from_file, "the content file's questions come first, then the data's"
    assert len(defined) > len(from_file), (
        f"{set_id} has no quick check computed from the data: add one to its builder in track2/questions.py "
        "(questions.SETS)")
    shown = shown_quick_checks(set_id)
    assert sorted(shown) == sorted(defined) and len(shown) == len(set(shown)), (
        f"exercises/source/{set_id}.md shows the quick checks {shown}, but {set_id} defines {defined} "
        f"({content_file.name}, then track2/questions.py): show each once, in a code cell of its own that is "
        "just `quiz[\"KEY\"]`, or remove the question it does not show")


#: What each disagreement the `reasons` question (07-evidence.questions.yml) names concerns, as
#: its label says: label -> (table, row_id, column); a row_id ending in ':' stands for every
#: member row of that body.
REASON_LABELS = {
    "ARF founding": ("institutions", "ARF", "founded_year"),
    "NEACD's track": ("institutions", "NEACD", "track"),
    "Viet Nam joins ASEAN": ("memberships", "ASEAN:VNM", "joined_year"),
    "PECC members": ("memberships", "PECC:", "role"),
}
#: Words the disagreement's note in data/disagreements.csv must hold to back each reason.
REASON_NOTES = {
    "decision or first meeting": ("decision", "first meeting"),
    "institutional self-description": ("host",),
    "secondary-source error": ("probably wrong",),
    "list date": ("lists differ by date",),
}


def check_reasons(data) -> None:
    check = quick_checks("07-evidence", data)["reasons"]
    dis = data.disagreements
    assert len(check.pickers) >= 3
    for picker in check.pickers:
        label = picker.control.description.rstrip(":")
        match = re.fullmatch(r"(D\d+) \((.+)\)", label)
        assert match, f"{label!r}: name a disagreement as 'Dnn (what it concerns)'"
        disagreement, about = match.groups()
        rows = dis[dis["disagreement_id"] == disagreement]
        assert not rows.empty, f"{disagreement} is not in data/disagreements.csv"
        assert about in REASON_LABELS, f"{label!r}: say in REASON_LABELS which table, row and column it means"
        table, row, column = REASON_LABELS[about]
        assert set(rows["table"]) == {table} and set(rows["column"]) == {column}, (label, rows)
        assert all(r == row or (row.endswith(":") and r.startswith(row)) for r in rows["row_id"]), (label, rows)
        reason = next(o.label for o in picker.options if o.correct)
        note = " ".join(rows["note"]).casefold()
        assert all(word in note for word in REASON_NOTES[reason]), f"{disagreement}'s note does not back {reason!r}"


def test_each_disagreement_the_reasons_question_names_is_in_the_data_as_labelled():
    """The content file names disagreement ids; a data change that renumbers or rewrites one fails here."""
    check_reasons(DATA)


@pytest.mark.parametrize("column, old, new, problem", [
    ("disagreement_id", "D15", "D99", "D15 is not in data/disagreements.csv"),
    ("column", "track", "realm", "NEACD's track"),
    ("note", "The 1997 newspaper report is probably wrong; the data use 1995.", "The data use 1995.",
     "D15's note does not back 'secondary-source error'"),
])
def test_a_data_change_under_the_reasons_question_fails_it(column, old, new, problem):
    changed = DATA.disagreements.copy()
    changed[column] = changed[column].replace(old, new)
    with pytest.raises(AssertionError, match=re.escape(problem)):
        check_reasons(dataclasses.replace(DATA, disagreements=changed))


def test_every_status_the_data_allow_has_a_meaning(monkeypatch):
    for option in quick_checks("05-challenges", DATA)["spt-status"].pickers[0].options:
        assert not re.search(r"a body that (active|dormant|defunct|unknown)\b", option.why), option.why
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    (field,) = [f for r in package["resources"] if r["name"] == "institutions"
                for f in r["schema"]["fields"] if f["name"] == "status"]
    assert set(field["constraints"]["enum"]) <= set(questions.STATUS_MEANINGS)
    for option in quick_checks("05-challenges", DATA)["spt-status"].pickers[0].options:
        assert option.correct or f"'{option.label}' would mean a body {questions.STATUS_MEANINGS[option.label]}." \
            in option.why
    monkeypatch.delitem(questions.STATUS_MEANINGS, "unknown")
    with pytest.raises(ValueError, match="status unknown means"):
        quick_checks("05-challenges", DATA)


def test_names_that_take_the_are_written_with_it():
    for set_id in SETS:
        for check in quick_checks(set_id, DATA).values():
            for text in [check.prompt, *(o.why for p in check.pickers for o in p.options)]:  # sentences
                found = re.search(r"(?<!the )(?<!\()\b(United States|Philippines|Republic of Korea)\b", text,
                                  flags=re.I)
                assert found is None, f"{set_id}/{check.key}: 'the {found.group(1)}' in {text!r}"
    assert questions._the("United States") == "the United States" and questions._the("Japan") == "Japan"


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


# --------------------------------------------------------------------------- #
# No quick check gives away the answer of a graded data task of its set


def graded_facts(data) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    """For each checker of a data task (``track2.checks``), the answer it grades
    (``checker.expected(data)``), as facts a text could state: (what, words it would have to
    contain together). A new checker needs an entry here; the test below says so."""
    inst = data.institutions
    expected = {name: getattr(checks, name).expected(data) for name in checks.CHECKERS}
    facts: dict[str, list] = {}
    # the number of active bodies on each track
    facts["active_bodies_per_track"] = [(f"active bodies on track {track}", (f"Track {track}", str(int(n))))
                                        for track, n in expected["active_bodies_per_track"].items()]
    facts["nonofficial_founded_1990s"] = [("non-official bodies founded in the 1990s",
                                           ("1990s", str(expected["nonofficial_founded_1990s"])))]
    # APEC's full members missing from PECC, by name or id
    ids = {name: member_id for member_id, name in data.members["name"].items()}
    facts["apec_not_in_pecc"] = [(f"{name} in APEC, not PECC", (label, body))
                                 for name in expected["apec_not_in_pecc"]
                                 for label in {name, ids.get(name, name)} for body in ("APEC", "PECC")]
    # every pair's gap, as a number of years or as the two founding years
    facts["founding_gaps"] = []
    for pair, gap in expected["founding_gaps"].items():
        official, unofficial = analysis.pair_bodies(data.pairs, pair)
        years = [str(int(inst.loc[b, "founded_year"])) for b in (official, unofficial)]
        facts["founding_gaps"] += [(f"gap of {pair}", (official, unofficial, str(abs(gap)))),
                                   (f"gap of {pair}", (official, unofficial, *years))]
    # a non-official body named with the great power that started it
    facts["great_power_initiated"] = [(f"{power} started {body}", (body, power))
                                      for body in expected["great_power_initiated"]
                                      for power in set(analysis.initiators_of(inst, body, column="initiator_states"))
                                      & set(analysis.GREAT_POWERS)]
    # an active non-official body named as sending no idea transfer
    facts["bodies_without_transfer"] = [(f"{body} has no transfer", (body, "transfer"))
                                        for body in expected["bodies_without_transfer"]]
    # each active non-official body's full-member count
    facts["nonofficial_breadth"] = [(f"{body}'s full members", (body, str(int(n))))
                                    for body, n in expected["nonofficial_breadth"].items()]
    facts["disagreement_count"] = [("number of disagreements", (str(expected["disagreement_count"]),))]
    return facts


def data_tasks(set_id: str) -> list[str]:
    """The checkers the set's exercise source calls (its data tasks: ``checks.NAME(answer)`` cells)."""
    source = (ROOT / "exercises" / "source" / f"{set_id}.md").read_text(encoding="utf-8")
    return sorted(set(re.findall(r"^checks\.(\w+)\(", source, flags=re.M)))


def says(text: str, word: str) -> bool:
    """``word`` in ``text`` as a whole word or number, ignoring case and a plural s: 'ASEAN' is
    not in 'ASEAN-ISIS'; a number is not in '1.5', '21', 'Track 1' or 'number 1' (a position)."""
    number = r"(?<!track )(?<!number )" if word.isdigit() else ""
    return re.search(rf"(?<![\w.-]){number}{re.escape(word)}s?(?![\w-]|\.\d)", text, flags=re.I) is not None


def quick_check_texts(check) -> list[str]:
    """What a reader of one quick check sees at once: the prompt, the row or position, and one
    option with its feedback."""
    return [" | ".join([check.prompt, picker.control.description, option.label, option.why])
            for picker in check.pickers for option in picker.options] + [check.prompt]


def leaks(set_id: str, data) -> list[str]:
    found = []
    facts = graded_facts(data)
    for key, check in quick_checks(set_id, data).items():
        for what, words in [fact for task in data_tasks(set_id) for fact in facts[task]]:
            for text in quick_check_texts(check):
                if all(says(text, word) for word in words):
                    found.append(f"{key} gives away the {what}: {text!r}")
                    break
    return found


@pytest.mark.parametrize("set_id", SETS)
def test_every_data_task_of_a_set_has_its_graded_facts_guarded(set_id):
    tasks, facts = data_tasks(set_id), graded_facts(DATA)
    assert tasks, f"exercises/source/{set_id}.md calls no checker: each set has at least one data task"
    unguarded = [task for task in tasks if task not in facts]
    assert not unguarded, (
        f"exercises/source/{set_id}.md grades {unguarded} but graded_facts in tests/test_questions.py does not "
        "say what answer each gives: add an entry per checker (from checker.expected(data)) with the words a "
        "quick check would need to give that answer away")
    assert all(facts[task] for task in tasks), {task: facts[task] for task in tasks}


def test_every_checker_has_its_graded_facts():
    missing = sorted(set(checks.CHECKERS) - set(graded_facts(DATA)))
    assert not missing, (f"track2.checks has checkers with no entry in graded_facts (tests/test_questions.py): "
                         f"{missing}; add what each grades, so that no quick check can give it away")


@pytest.mark.parametrize("set_id", SETS)
def test_no_quick_check_gives_away_a_graded_answer_of_its_set(set_id):
    assert leaks(set_id, DATA) == []


def test_the_leak_finder_finds_a_planted_answer():
    n = analysis.disagreement_totals(DATA.disagreements)["disagreements"]
    assert says(f"The data record {n} disagreements.", str(n))
    assert not says("Track 1.5 (mixed)", "Track 1") and says("Track 1 (official)", "Track 1")
    assert not says("ASEAN-ISIS", "ASEAN") and says("APEC-PECC: PECC came first", "PECC")
    assert not says("founded in 1993", "9") and says("founded 9 years before", "9")
    assert not says("Track 1.5 (mixed) | so it is number 1", "1") and says("1 year before", "1")
