"""Grading a class with nbgrader (issue 14).

A fresh course directory is made with the Makefile's `make nbgrader` command, then a
simulated class is graded with nbgrader's own commands (`nbgrader autograde`,
`generate_feedback`, `export`): full solutions, a blank notebook, typical wrong answers,
notebooks that tamper with the checkers, the data, the test cells or their outputs, a
corrupt file, a cell that never ends and a kernel that dies. Expected answers always come
from the course data as loaded now, through the checkers, never from typed values.

The release versions are checked structurally: no line of a solution, model answer or
hidden test, and a source whose solution would sit outside nbgrader's markers fails the
build. The fast tests at the top need no kernel.
"""

from __future__ import annotations

import ast
import copy
import csv
import hashlib
import json
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest

from conftest import ROOT
from track2 import answers, checks
from track2.analysis import founding_gap, members_of
from track2.data import load_course_data
from track2.tools import exercises
from track2.tools import nbgrader_course as course_tools
from track2.tools.checks_while_grading import WHILE_GRADING
from track2.tools.variant import grading_data

SETS = [s.stem for s in exercises.sources()]
SET = "03-symbiosis"  # two data tasks: a wrong answer in one must keep the other's points


# --------------------------------------------------------------------------- #
# Recording and reading answers (no kernel)


@pytest.mark.parametrize("value", [
    3, 2.5, True, "APEC", None, ...,
    ["Chile", "Peru"], ("a", 1), {"Chile", "Peru"}, {"1": 3, 1.5: 2, 2: 4},
    pd.Series({"ARF-CSCAP": 1, "APEC-PECC": 9}, name="gap"),
    pd.Series([3, 2], index=pd.Index(["CSCAP", "PECC"], name="body_id")),
    pd.DataFrame({"body_id": ["CSCAP", "PECC"], "members": [21, 23]}),
    np.int64(4), np.array(["A", "B"]), pd.Index(["A", "B"]),
], ids=lambda v: type(v).__name__)
def test_an_answer_survives_the_trip_out_of_the_kernel(value):
    record = json.loads(json.dumps(answers.encode_answer(value)))  # what an output stores
    back = answers.decode_answer(record)
    if isinstance(value, pd.DataFrame):
        pd.testing.assert_frame_equal(back, value, check_dtype=False, check_index_type=False)
    elif isinstance(value, pd.Series):
        pd.testing.assert_series_equal(back, value, check_dtype=False, check_index_type=False, check_names=False)
        assert list(back.index) == list(value.index)
    elif isinstance(value, (np.ndarray, pd.Index)):
        assert back == list(value)
    else:
        assert back == value and type(back) is type(value.item() if isinstance(value, np.generic) else value)


def test_what_no_checker_accepts_is_recorded_by_its_type_name_only():
    class Sneaky(list):
        def __eq__(self, other):
            return True

    record = answers.encode_answer(object())
    assert record == {"unsupported": "object"}
    assert type(answers.decode_answer(record)).__name__ == "object"
    # a list subclass travels as a plain list: its __eq__ stays in the student's kernel
    assert answers.decode_answer(answers.encode_answer(Sneaky(["x"]))) == ["x"]
    assert type(answers.decode_answer(answers.encode_answer(Sneaky(["x"])))) is list
    assert answers.encode_answer(list(range(answers.MAX_ITEMS + 1)))["unsupported"].startswith("list with more")
    for forged in [{"list": 3}, {"eval": "1"}, {"a": 1, "b": 2}, [1, 2]]:
        with pytest.raises((ValueError, TypeError)):
            answers.decode_answer(forged)


def test_the_course_config_is_python_that_sets_the_course_id_and_grading(tmp_path, monkeypatch):
    """nbgrader_config.py (nbgrader_course.CONFIG, its fields filled in) read as nbgrader reads it."""
    from traitlets.config.loader import PyFileConfigLoader

    text = course_tools.course_config()
    ast.parse(text)
    (tmp_path / "nbgrader_config.py").write_text(text, encoding="utf-8")
    monkeypatch.setenv("TRACK2_GRADING_STEP", "")  # the file sets it: put back after the test
    c = PyFileConfigLoader("nbgrader_config.py", path=str(tmp_path)).load_config()
    assert c.CourseDirectory.course_id == course_tools.COURSE_ID
    assert c.Execute.timeout == course_tools.TIMEOUT
    assert c.CourseDirectory.db_url == f"sqlite:///{tmp_path / 'gradebook.db'}?timeout=60"
    assert c.ClearSolutions.code_stub == {"python": ""}
    assert f"Each cell gets {course_tools.TIMEOUT} s" in text


def test_an_autograder_test_cell_hands_in_the_answer_for_its_check():
    tree = ast.parse(course_tools.test_cell_source("apec_not_pecc", "members", 2))
    (call,) = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    assert ast.unparse(call) == "hand_in('apec_not_pecc', members)"


def executed_test_cell(check: str, outputs: list) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(course_tools.test_cell_source(check, "x", 2))
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": True, "points": 2, "grade_id": check}
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    return cell


def recorded(check: str, answer) -> dict:
    return {"output_type": "display_data", "metadata": {},
            "data": {answers.ANSWER_MIME: {"check": check, "answer": answers.encode_answer(answer)},
                     "text/plain": "recorded"}}


def right_apec_answer(data=None) -> list[str]:
    data = data or load_course_data()
    return sorted(members_of(data.memberships, "APEC") - members_of(data.memberships, "PECC"))


def test_the_grader_decides_from_the_recorded_answer_alone():
    data = load_course_data()
    right = right_apec_answer(data)
    wrong = sorted(members_of(data.memberships, "PECC") - members_of(data.memberships, "APEC"))
    check = "apec_not_in_pecc"
    cases = {
        "right": ([recorded(check, right)], "correct"),
        # an error after the record (the in-kernel check) does not matter: the grader decides
        "right, cell failed later": ([recorded(check, right), {"output_type": "error", "ename": "X",
                                                               "evalue": "", "traceback": []}], "correct"),
        "wrong": ([recorded(check, wrong)], "incorrect"),
        "nothing recorded": ([], "unanswered"),
        "a verdict printed, nothing recorded": ([{"output_type": "stream", "name": "stdout",
                                                 "text": "✓ Correct"}], "unanswered"),
        "recorded for another task": ([recorded("founding_gaps", right)], "unanswered"),
        "recorded twice": ([recorded(check, right), recorded(check, right)], "unanswered"),
        "unreadable record": ([{"output_type": "display_data", "metadata": {},
                                "data": {answers.ANSWER_MIME: {"check": check, "answer": {"eval": "1"}}}}],
                              "incorrect"),
        "timed out": ([{"output_type": "error", "ename": "CellTimeoutError", "evalue": "", "traceback": []}],
                      "unanswered"),
    }
    for name, (outputs, status) in cases.items():
        feedback = course_tools.grade_test_cell(executed_test_cell(check, outputs), data)
        assert feedback.status == status, (name, feedback)
        graded = course_tools.graded_outputs(feedback)
        # what nbgrader's SaveAutoGrades scores: an error output is 0 points, a plain verdict full points
        assert any(o.output_type == "error" for o in graded) == (status != "correct"), name
    timed_out = course_tools.grade_test_cell(executed_test_cell(check, cases["timed out"][0]), data)
    assert "ran out of time" in timed_out.message


def test_without_the_course_grading_step_autograding_gives_no_data_task_points(monkeypatch, capsys):
    right = right_apec_answer()
    monkeypatch.delenv("TRACK2_GRADING_STEP", raising=False)
    checks.hand_in("apec_not_in_pecc", right)  # a student running the cell: recorded, and right
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    with pytest.raises(RuntimeError, match="without the course's grading step"):
        checks.hand_in("apec_not_in_pecc", right)
    monkeypatch.setenv("TRACK2_GRADING_STEP", "track2.tools.nbgrader_course.GradeRecordedAnswers")
    checks.hand_in("apec_not_in_pecc", right)
    with pytest.raises(AssertionError, match="Not yet right"):
        checks.hand_in("apec_not_in_pecc", right[1:])


def test_the_grader_uses_the_grading_variant_loaded_once_before_grading(monkeypatch, tmp_path):
    from track2.tools import variant

    course_tools._reference.clear()
    variant.grading_seed(tmp_path, create=True)
    reference = course_tools.reference_data(tmp_path)
    real = load_course_data()
    assert variant.variant_problems(real, reference) == [], "graded on a variant that changes every answer"
    assert reference.disagreements.equals(grading_data(tmp_path).disagreements)
    import track2.data

    monkeypatch.setattr(track2.data, "load_course_data", lambda *a, **k: pytest.fail("data loaded again"))
    assert course_tools.reference_data() is reference
    course_tools._reference.clear()


# --------------------------------------------------------------------------- #
# From a source to an nbgrader source notebook (no nbgrader run)

SOURCE = exercises.SOURCE_DIR / f"{SET}.md"


def build_from(tmp_path, text: str) -> nbformat.NotebookNode:
    path = tmp_path / f"{SET}.md"
    path.write_text(text, encoding="utf-8")
    return course_tools.nbgrader_source(path)


def test_every_task_and_reflection_becomes_a_graded_nbgrader_cell():
    for source in exercises.sources():
        nb = course_tools.nbgrader_source(source)
        text = source.read_text(encoding="utf-8")
        meta = [c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata]
        tests = [m for m in meta if m["grade"] and not m["solution"]]
        manual = [m for m in meta if m["grade"] and m["solution"]]
        answers = [m for m in meta if m["solution"] and not m["grade"]]
        calls = re.findall(r"^checks\.(\w+)\(", text, flags=re.M)
        assert [m["grade_id"] for m in tests] == calls and all(m["locked"] and m["points"] > 0 for m in tests)
        assert len(answers) == len(calls)
        reflections = re.findall(r"^:label: (x\d\d-r\d)$", text, flags=re.M)
        assert [m["grade_id"] for m in manual] == reflections and len(reflections) >= 2
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "markdown":
                assert "**Model answer.**" in cell.source and course_tools.RUBRIC in cell.source
        # the student's self-check stays right after each answer cell, before its locked test
        sources = [c.source for c in nb.cells]
        for check in calls:
            visible = next(i for i, s in enumerate(sources) if s.startswith(f"checks.{check}("))
            assert nb.cells[visible + 1].metadata["nbgrader"]["grade_id"] == check
            assert nb.cells[visible - 1].metadata["nbgrader"]["solution"]


@pytest.mark.parametrize("old, new, message", [
    ('```{code-cell} ipython3\napec_only = ...  # your answer: a list of names\n```\n\n', "",
     "must follow the task's answer cell"),
    ('+++ {"tags": ["solution"], "points": 2}\n\n:::{solution} x03-r1', '+++ {"tags": ["solution"]}\n\n:::{solution} x03-r1',
     "state its points"),
    ("**Rubric.** Full marks: describes", "Full marks: describes", "Rubric"),
    (":points: 2\nchecks.apec_not_in_pecc(apec_only)", "checks.apec_not_in_pecc(apec_only)", "state its points"),
    ("Give their names in a list.", "Give their names in a list.\n### BEGIN SOLUTION", "nbgrader marker"),
    ('apec_only = sorted(members_of(data.memberships, "APEC")', 'result = sorted(members_of(data.memberships, "APEC")',
     "does not assign 'apec_only'"),
    (":points: 2\nchecks.founding_gaps(gaps)", ":points: 2\nchecks.founding_gaps(apec_only)\n```\n\n"
     "```{code-cell} ipython3\n:points: 2\nchecks.founding_gaps(gaps)", "grade id 'founding_gaps' is used twice"),
], ids=["solution-without-answer-cell", "model-answer-without-points", "model-answer-without-rubric",
        "check-without-points", "marker-in-a-source", "solution-not-assigning-the-answer", "task-graded-twice"])
def test_a_source_that_could_leak_fails_the_build(tmp_path, old, new, message):
    text = SOURCE.read_text(encoding="utf-8")
    assert old in text
    build_from(tmp_path, text)  # the real source builds
    with pytest.raises(course_tools.BuildError, match=message):
        build_from(tmp_path, text.replace(old, new))


def test_release_check_finds_solution_text_outside_the_markers():
    source = course_tools.nbgrader_source(SOURCE)
    myst = exercises.read_source(SOURCE.read_text(encoding="utf-8")).cells
    secrets = course_tools.secret_lines(source, myst)
    assert any("members_of(data.memberships, \"APEC\")" in line for line in secrets)
    assert any(line.startswith("**Model answer.**") for line in secrets)
    assert any(line.startswith("hand_in(") for line in secrets)
    clean = copy.deepcopy(exercises.build(SOURCE, "student"))
    assert not any(line.strip() in secrets for c in clean.cells for line in c.source.splitlines())
    leaky = copy.deepcopy(source)
    answer = next(c for c in leaky.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "answer-apec_only")
    answer.source = answer.source.replace("### BEGIN SOLUTION\n", "").replace("\n### END SOLUTION", "")
    problems = course_tools.release_problems(source, leaky, myst)
    assert any("solution or hidden test text in the release" in p for p in problems)
    assert any("an nbgrader marker in the release" in p for p in course_tools.release_problems(source, source, myst))


# --------------------------------------------------------------------------- #
# A fresh `make nbgrader`, then a class graded by nbgrader


def make_nbgrader_command(course_dir: Path) -> list[str]:
    """The Makefile's `nbgrader` recipe, with this Python and ``course_dir``."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^nbgrader:.*\n\t(.+)$", makefile, flags=re.M)
    assert recipe, "the Makefile has an nbgrader target"
    line = recipe.group(1).replace("$(PY)", shlex.quote(sys.executable))
    return shlex.split(line.replace("$(NBGRADER_DIR)", shlex.quote(str(course_dir))))


def run_nbgrader(course_dir: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(course_tools.nbgrader_command(*args), cwd=course_dir, env=course_tools.nbgrader_env(),
                          capture_output=True, text=True, timeout=timeout)


def snapshot(course_dir: Path) -> tuple[dict, list[str]]:
    files = {str(p.relative_to(course_dir)): p.read_bytes() for p in sorted(course_dir.rglob("*"))
             if p.is_file() and p.name != "gradebook.db" and "__pycache__" not in p.parts}
    with sqlite3.connect(course_dir / "gradebook.db") as db:
        dump = list(db.iterdump())
    return files, dump


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    course_dir = tmp_path_factory.mktemp("nbgrader") / "course"
    result = subprocess.run(make_nbgrader_command(course_dir), cwd=ROOT, capture_output=True, text=True,
                            timeout=600, env=course_tools.nbgrader_env())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return course_dir


@pytest.mark.slow
def test_make_nbgrader_writes_the_course_and_running_it_again_changes_nothing(course):
    assert (course / "nbgrader_config.py").is_file() and (course / "gradebook.db").is_file()
    for name in SETS:
        assert (course / "source" / name / f"{name}.ipynb").is_file()
        assert (course / "release" / name / f"{name}.ipynb").is_file()
    # the course's grading steps sit among nbgrader's own, which all stay; local_config.py is read last
    (course / "local_config.py").write_text("c.Execute.timeout = 7\n", encoding="utf-8")
    script = ("from traitlets.config.loader import PyFileConfigLoader\n"
              "from nbgrader.converters import Autograde\n"
              "c = PyFileConfigLoader('nbgrader_config.py', path='.').load_config()\n"
              "names = lambda steps: [s if isinstance(s, str) else s.__name__ for s in steps]\n"
              "print(repr((c.Execute.timeout, c.OverwriteCells.add_missing_cells,"
              " names(c.Autograde.sanitize_preprocessors), names(c.Autograde.autograde_preprocessors),"
              " names(Autograde.class_traits()['sanitize_preprocessors'].default()),"
              " names(Autograde.class_traits()['autograde_preprocessors'].default()))))\n")
    loaded = subprocess.run([sys.executable, "-c", script], cwd=course, capture_output=True, text=True, timeout=120)
    (course / "local_config.py").unlink()
    timeout, add_missing, sanitize, steps, nbgrader_sanitize, nbgrader_steps = eval(loaded.stdout.strip().splitlines()[-1])
    assert timeout == 7 and add_missing
    ours = "track2.tools.nbgrader_course."
    at = sanitize.index("DeduplicateIds")
    assert sanitize[at - 1] == sanitize[at + 1] == ours + "DropBrokenGradingMetadata"
    # nbgrader's Execute step is replaced by the sandboxed one, in its place, and grading follows it
    at = nbgrader_steps.index("Execute")
    assert steps[at:at + 2] == [ours + "SandboxedExecute", ours + "GradeRecordedAnswers"]
    assert [s for s in sanitize if not s.startswith(ours)] == nbgrader_sanitize
    assert [s for s in steps if not s.startswith(ours)] == [s for s in nbgrader_steps if s != "Execute"]
    before = snapshot(course)
    result = subprocess.run(make_nbgrader_command(course), cwd=ROOT, capture_output=True, text=True,
                            timeout=600, env=course_tools.nbgrader_env())
    assert result.returncode == 0, result.stderr[-3000:]
    after = snapshot(course)
    assert before[0].keys() == after[0].keys()
    assert [name for name in before[0] if before[0][name] != after[0][name]] == []
    assert before[1] == after[1], "the gradebook is the same"


@pytest.mark.slow
def test_a_set_goes_out_through_the_exchange_and_comes_back_graded_as_the_readme_says(course, tmp_path):
    """README's steps 2 and 3 on a hub: released through nbgrader's exchange; fetched and
    handed in with the students' commands the README gives; collected; graded by the
    course's parallel autograde run in the course directory, as the README runs it."""
    import getpass

    teacher = tmp_path / "course"
    shutil.copytree(course, teacher, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback"))
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    exchange.chmod(0o777)
    (teacher / "local_config.py").write_text(f"c.Exchange.root = {str(exchange)!r}\n", encoding="utf-8")
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    fetch = re.search(r"`nbgrader fetch_assignment (\S+) (--course \S+) --Exchange\.root=\S+`, then the same with "
                      r"`nbgrader submit`", readme)
    assert fetch and fetch.group(1) == SET, "README gives the students' fetch and submit commands"
    assert f"--course {course_tools.COURSE_ID}" == fetch.group(2), "the README names the course id nbgrader_config.py sets"
    assert "python -m track2.tools.nbgrader_course autograde 03-symbiosis" in readme

    released = run_nbgrader(teacher, "release_assignment", SET)
    assert released.returncode == 0, released.stderr[-3000:]
    student = tmp_path / "student"
    student.mkdir()
    fetched = run_nbgrader(student, "fetch_assignment", SET, *fetch.group(2).split(), f"--Exchange.root={exchange}")
    assert fetched.returncode == 0, fetched.stderr[-3000:]
    nbformat.write(full_solution(course, SET), student / SET / f"{SET}.ipynb")
    handed_in = run_nbgrader(student, "submit", SET, *fetch.group(2).split(), f"--Exchange.root={exchange}")
    assert handed_in.returncode == 0, handed_in.stderr[-3000:]
    collected = run_nbgrader(teacher, "collect", SET)
    assert collected.returncode == 0, collected.stderr[-3000:]
    me = getpass.getuser()
    assert (teacher / "submitted" / me / SET / f"{SET}.ipynb").is_file()

    graded = subprocess.run([sys.executable, "-m", "track2.tools.nbgrader_course", "autograde", SET], cwd=teacher,
                            env=course_tools.nbgrader_env(), capture_output=True, text=True, timeout=600)
    assert graded.returncode == 0, graded.stdout[-3000:] + graded.stderr[-3000:]
    assert graded.stdout.strip() == "every submission graded"
    scores = cell_scores(teacher, me)
    autograded = [(score, maximum) for score, maximum, manual in scores.values() if not manual]
    assert autograded and all(score == maximum for score, maximum in autograded), scores

    # run anywhere else, it says where to run it instead of grading nothing
    elsewhere = subprocess.run([sys.executable, "-m", "track2.tools.nbgrader_course", "autograde", SET],
                               cwd=student, env=course_tools.nbgrader_env(), capture_output=True, text=True, timeout=120)
    assert elsewhere.returncode == 2 and "not an nbgrader course directory" in elsewhere.stderr


@pytest.mark.slow
def test_the_releases_hold_no_solution_model_answer_or_hidden_test(course):
    for name in SETS:
        source = nbformat.read(course / "source" / name / f"{name}.ipynb", as_version=4)
        release = nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
        myst = exercises.read_source((exercises.SOURCE_DIR / f"{name}.md").read_text(encoding="utf-8")).cells
        assert course_tools.release_problems(source, release, myst) == []
        secrets = course_tools.secret_lines(source, myst)
        assert secrets, name
        text = "\n".join(c.source for c in release.cells)
        assert not [s for s in secrets if s in {line.strip() for line in text.splitlines()}]
        assert "Model answer" not in text and "Rubric" not in text and "hand_in" not in text
        # what students see is the student version, plus answer boxes and the graded cells' notes
        student = exercises.build(exercises.SOURCE_DIR / f"{name}.md", "student")
        shown = {c.source.strip() for c in release.cells}
        assert {c.source.strip() for c in student.cells} <= shown, name
        notes = [c.source for c in release.cells if c.metadata.get("nbgrader", {}).get("grade")
                 and not c.metadata["nbgrader"].get("solution")]
        assert notes and all(n.startswith("# Graded (") and "\n" not in n.strip() for n in notes)


@pytest.mark.slow
def test_a_solution_outside_the_markers_fails_the_build_and_leaves_no_release(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    name = "07-evidence"
    text = (exercises.SOURCE_DIR / f"{name}.md").read_text(encoding="utf-8")
    solution = 'n_disagreements = data.disagreements["disagreement_id"].nunique()'
    assert solution in text
    # the solution line also written in a cell every student sees (the task's hint)
    leaky = text.replace(":class: hint dropdown\n", f":class: hint dropdown\n\n{solution}\n", 1)
    assert leaky != text
    (sources / f"{name}.md").write_text(leaky, encoding="utf-8")
    (sources / f"{name}.questions.yml").write_text(
        (exercises.SOURCE_DIR / f"{name}.questions.yml").read_text(encoding="utf-8"), encoding="utf-8")
    course_dir = tmp_path / "course"
    with pytest.raises(course_tools.BuildError, match="release withdrawn") as error:
        course_tools.generate(course_dir, sources)
    assert f"solution or hidden test text in the release: {solution!r}" in str(error.value)
    assert not (course_dir / "release" / name).exists()


# --- the class ---------------------------------------------------------------


def release_of(course: Path, name: str) -> nbformat.NotebookNode:
    return nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)


def solutions(course: Path, name: str) -> dict[str, str]:
    source = nbformat.read(course / "source" / name / f"{name}.ipynb", as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: re.search(r"### BEGIN SOLUTION\n(.*)\n### END SOLUTION",
                                                         c.source, flags=re.S).group(1)
            for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")}


def answer(nb, grade_id: str, code: str) -> None:
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    cell.source = code


def full_solution(course: Path, name: str) -> nbformat.NotebookNode:
    nb = release_of(course, name)
    for grade_id, text in solutions(course, name).items():
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
        cell.source = text if cell.cell_type == "code" else "My answer: shared members show opportunity only."
    return nb


APEC_RIGHT = 'apec_only = sorted(members_of(data.memberships, "APEC") - members_of(data.memberships, "PECC"))'
GAPS_RIGHT = ("import pandas as pd\ngaps = pd.Series({p: founding_gap(data.institutions, data.pairs, p) "
              "for p in data.pairs.index})")

# Each student of the class: (answer to apec_not_in_pecc, answer to founding_gaps).
WRONG = {
    "wrong-way-round": ('apec_only = sorted(members_of(data.memberships, "PECC") - '
                        'members_of(data.memberships, "APEC"))', GAPS_RIGHT),
    "wrong-signs": (APEC_RIGHT, GAPS_RIGHT + "\ngaps = -gaps"),
    "wrong-type": ('apec_only = ", ".join(sorted(members_of(data.memberships, "APEC") - '
                   'members_of(data.memberships, "PECC")))', GAPS_RIGHT),
    "wrong-partly": (APEC_RIGHT + "\napec_only = apec_only[1:]",
                     GAPS_RIGHT + "\ngaps = gaps.drop(gaps.index[0])"),
}

# Tampering: every trick below leaves wrong or no answers, and must earn nothing.
FAKE_DATA = '''
import dataclasses
import track2.checks, track2.data
real = track2.data.load_course_data()
right = members_of(real.memberships, "APEC") - members_of(real.memberships, "PECC")
member_id, someone = next((i, name) for i, name in real.members["name"].items() if name not in right)
m = real.memberships[~real.memberships["body_id"].isin(["APEC", "PECC"])]
row = real.memberships.iloc[0].to_dict()
row.update({k: v for k, v in {"body_id": "APEC", "member_id": member_id, "member": someone,
                              "role": "member"}.items() if k in row})
fake = dataclasses.replace(real, memberships=pd.concat([m, pd.DataFrame([row])], ignore_index=True))
track2.checks.load_course_data = track2.data.load_course_data = lambda *a, **k: fake
data = fake
apec_only = [someone]
assert track2.checks.apec_not_in_pecc(apec_only).correct  # the in-kernel check is fooled
'''
PATCH_CHECKERS = '''
import track2.checks as c
always = lambda name: (lambda answer=..., data=None: c.Feedback(name, "correct", "fine"))
for name in list(c.CHECKERS):
    c.CHECKERS[name] = always(name)
    setattr(c, name, always(name))
c.hand_in = lambda check, answer=...: print("✓ Correct")
checks = c
apec_only = ["Nobody"]
'''
SILENCE_TESTS = '''
ip = get_ipython()
ip.input_transformers_cleanup.append(lambda lines: ["pass\\n"] if any("hand_in" in l for l in lines) else lines)
ip.showtraceback = lambda *a, **k: None
apec_only = ["Nobody"]
'''
TAMPER = {
    "tamper-fake-data": ("import pandas as pd\n" + FAKE_DATA, "gaps = pd.Series(0, index=data.pairs.index)"),
    "tamper-checkers": (PATCH_CHECKERS, "gaps = 0"),
    "tamper-silence": (SILENCE_TESTS, "gaps = 0"),
    "tamper-metadata": ("apec_only = ['Nobody']", "gaps = 0"),  # plus the cell edits below
}


def tamper_with_cells(nb, course: Path) -> None:
    """Forged outputs stored in a test cell, fake graded cells, a test cell deleted, points raised."""
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]
    first, second = tests
    first.metadata["nbgrader"]["points"] = 100
    first.source = "print('all good')"
    first.outputs = [nbformat.from_dict(recorded("apec_not_in_pecc", right_apec_answer()))]
    fake = nbformat.v4.new_code_cell("print('extra credit')")
    fake.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": False, "points": 50,
                                 "grade_id": "apec_not_in_pecc", "schema_version": 3}
    nb.cells.insert(3, fake)
    forged = nbformat.v4.new_code_cell("print('more credit')")
    forged.metadata["nbgrader"] = {"grade": True, "points": 50}
    nb.cells.insert(4, forged)
    nb.cells.remove(second)


def submit(course: Path, student: str, name: str, nb_or_text) -> None:
    folder = course / "submitted" / student / name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    if isinstance(nb_or_text, str):
        path.write_text(nb_or_text, encoding="utf-8")
    else:
        nbformat.write(nb_or_text, path)


TIMEOUT = 20  # seconds per cell while grading the class (nbgrader_config.py says 30); room for a loaded machine


@pytest.fixture(scope="module")
def graded(course):
    """The class, submitted and graded with `nbgrader autograde`, then `generate_feedback`
    and `export`. Returns (course dir, autograde log, {(student, set): row of grades.csv})."""
    for name in SETS:
        submit(course, "full", name, full_solution(course, name))
    submit(course, "blank", SET, release_of(course, SET))
    for student, (apec, gaps) in {**WRONG, **TAMPER}.items():
        nb = release_of(course, SET)
        answer(nb, "answer-apec_only", apec)
        answer(nb, "answer-gaps", gaps)
        if student == "tamper-metadata":
            tamper_with_cells(nb, course)
        submit(course, student, SET, nb)
    nb = release_of(course, SET)
    # a loop that never ends; it sleeps rather than spins, so its TIMEOUT seconds leave the CPU to the
    # other tests (the interrupt that stops it, and what grading reports, are the same either way)
    answer(nb, "answer-apec_only", "import time\nwhile True:\n    time.sleep(0.1)")
    answer(nb, "answer-gaps", GAPS_RIGHT)
    submit(course, "never-ends", SET, nb)
    nb = release_of(course, SET)
    answer(nb, "answer-apec_only", "import os\nos._exit(1)")
    answer(nb, "answer-gaps", GAPS_RIGHT)
    submit(course, "kernel-dies", SET, nb)
    submit(course, "corrupt", SET, '{"cells": [{"cell_type": "code", "source": "truncated')

    autograde = run_nbgrader(course, "autograde", "*", f"--Execute.timeout={TIMEOUT}")
    log = autograde.stdout + autograde.stderr
    feedback = run_nbgrader(course, "generate_feedback", "*")
    assert feedback.returncode == 0, feedback.stderr[-3000:]
    grade_written_answers_as_formgrader_does(course)
    export = run_nbgrader(course, "export")
    assert export.returncode == 0, export.stderr[-3000:]
    with open(course / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {(row["student_id"], row["assignment"]): row for row in csv.DictReader(handle)}
    return course, autograde.returncode, log, rows


def gradebook(course: Path):
    from nbgrader.api import Gradebook

    return Gradebook(f"sqlite:///{course / 'gradebook.db'}")


def grade_written_answers_as_formgrader_does(course: Path) -> None:
    """Formgrader's manual grading stores a manual score for each written answer; do the same
    for the full solutions (full marks), through nbgrader's own gradebook API."""
    with gradebook(course) as gb:
        for name in SETS:
            submission = gb.find_submission_notebook(name, name, "full")
            for grade in submission.grades:
                if grade.cell.__class__.__name__ == "GradeCell" and grade.auto_score is None:
                    grade.manual_score = grade.max_score
        gb.db.commit()


def cell_scores(course: Path, student: str, name: str = SET) -> dict[str, tuple]:
    with gradebook(course) as gb:
        submission = gb.find_submission_notebook(name, name, student)
        return {g.name: (g.auto_score, g.max_score, g.needs_manual_grade) for g in submission.grades}


def expected_points(apec_code: str, gaps_code: str) -> dict[str, float]:
    """What each data task should earn, from the checkers run here on the data as loaded now."""
    data = load_course_data()
    space = {"data": data, "members_of": members_of, "founding_gap": founding_gap}
    exec(apec_code + "\n" + gaps_code, space)  # the student's answers, computed here
    return {"apec_not_in_pecc": 2.0 * checks.apec_not_in_pecc(space["apec_only"]).correct,
            "founding_gaps": 2.0 * checks.founding_gaps(space["gaps"]).correct}


@pytest.mark.slow
def test_a_full_solution_gets_full_marks_in_every_set(graded):
    course, _, _, rows = graded
    for name in SETS:
        scores = cell_scores(course, "full", name)
        tests = {k: v for k, v in scores.items() if not re.fullmatch(r"x\d\d-r\d", k)}
        assert tests and all(auto == most for auto, most, _ in tests.values()), (name, scores)
        written = {k: v for k, v in scores.items() if re.fullmatch(r"x\d\d-r\d", k)}
        assert len(written) >= 2 and all(auto is None and most == 2 for auto, most, _ in written.values())
        row = rows[("full", name)]
        assert float(row["score"]) == float(row["max_score"]) > 0, row


@pytest.mark.slow
def test_a_blank_notebook_gets_nothing(graded):
    course, _, _, rows = graded
    scores = cell_scores(course, "blank")
    assert all(auto == 0 and not manual for auto, _, manual in scores.values()), scores
    assert float(rows[("blank", SET)]["score"]) == 0


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(WRONG))
def test_a_wrong_answer_gets_nothing_for_that_task_and_the_right_points_elsewhere(graded, student):
    course, _, _, _ = graded
    expected = expected_points(*WRONG[student])
    assert sorted(expected.values()) == ([0.0, 0.0] if student == "wrong-partly" else [0.0, 2.0]), expected
    scores = cell_scores(course, student)
    assert {check: scores[check][0] for check in expected} == expected


@pytest.mark.slow
def test_a_wrong_answer_gets_feedback_that_does_not_give_the_answer_away(graded):
    course, _, _, _ = graded
    nb = nbformat.read(course / "autograded" / "wrong-way-round" / SET / f"{SET}.ipynb", as_version=4)
    visible = next(c for c in nb.cells if c.source.startswith("checks.apec_not_in_pecc("))
    html = "".join(o.get("data", {}).get("text/html", "") for o in visible.outputs)
    # in the grading sandbox no checker says right or wrong; the grader's verdict is in the feedback
    assert "data-status='unanswered'" in html and WHILE_GRADING[1:] in html, html
    feedback = (course / "feedback" / "wrong-way-round" / SET / f"{SET}.html").read_text(encoding="utf-8")
    assert "wrong way round" in feedback and "IncorrectAnswer" in feedback
    assert "Graded on a variant of the course data" in feedback
    test_cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "apec_not_in_pecc"
                     and not c.metadata["nbgrader"].get("solution"))
    verdict = json.dumps(test_cell.outputs)
    assert "wrong way round" in verdict
    for right in (right_apec_answer(), right_apec_answer(grading_data(course))):
        assert right and not [name for name in right if name in verdict], "the verdict does not give the answer"
    source = nbformat.read(course / "source" / SET / f"{SET}.ipynb", as_version=4)
    myst = exercises.read_source(SOURCE.read_text(encoding="utf-8")).cells
    hidden = {s for s in course_tools.secret_lines(source, myst) if "hand_in" not in s}
    import html as html_module

    text = html_module.unescape(feedback)
    assert not [s for s in hidden if len(s) > 20 and s in text], "no solution or model answer in feedback"


@pytest.mark.slow
@pytest.mark.parametrize("student", sorted(TAMPER))
def test_tampering_earns_no_more_than_a_blank_notebook(graded, student):
    course, _, _, rows = graded
    blank = cell_scores(course, "blank")
    scores = cell_scores(course, student)
    assert set(scores) == set(blank), "every graded cell is there, with the points the source gives it"
    assert {k: v[1] for k, v in scores.items()} == {k: v[1] for k, v in blank.items()}
    for grade_id, (auto, _, _) in scores.items():
        assert (auto or 0) <= (blank[grade_id][0] or 0), (grade_id, scores)
    assert float(rows[(student, SET)]["score"]) <= float(rows[("blank", SET)]["score"])
    if student in ("tamper-fake-data", "tamper-checkers"):  # the grading kernel holds no checker to fool
        nb = nbformat.read(course / "autograded" / student / SET / f"{SET}.ipynb", as_version=4)
        visible = next(c for c in nb.cells if c.source.startswith("checks.apec_not_in_pecc("))
        shown = "".join(str(o.get("data", {})) for o in visible.outputs)
        assert WHILE_GRADING in shown and "Correct" not in shown, shown


@pytest.mark.slow
def test_a_corrupt_file_a_cell_that_never_ends_and_a_dying_kernel_are_reported_and_the_rest_graded(graded):
    course, returncode, log, rows = graded
    assert returncode == 0, "every submission was graded or marked not graded:\n" + log[-3000:]
    assert "There was an error processing" not in log
    assert "student corrupt: not graded: the file is not a notebook (NotJSONError" in log
    assert re.search(r"student kernel-dies: cell \d+ stopped the kernel \(it died\): the kernel was restarted", log)
    assert re.search(r"student never-ends: cell \d+ ran past the time limit and was interrupted", log)
    # the students whose cell never ended or whose kernel died are graded on the rest
    for student in ("never-ends", "kernel-dies"):
        scores = cell_scores(course, student)
        assert scores["apec_not_in_pecc"][0] == 0 and scores["founding_gaps"][0] == 2, (student, scores)
    # everyone has a graded notebook, the corrupt file as the blank assignment marked not graded
    graded_students = {p.name for p in (course / "autograded").iterdir() if (p / SET / f"{SET}.ipynb").is_file()}
    assert graded_students == {"full", "blank", "never-ends", "kernel-dies", "corrupt", *WRONG, *TAMPER}
    placeholder = nbformat.read(course / "autograded" / "corrupt" / SET / f"{SET}.ipynb", as_version=4)
    assert placeholder.cells[0].source.startswith("**Not graded.** The file handed in is not a notebook")
    assert rows[("corrupt", SET)]["status"].startswith(f"not graded: {SET}.ipynb: the file is not a notebook")
    assert float(rows[("corrupt", SET)]["score"]) == 0
    assert all(rows[(s, SET)]["status"] == "graded" for s in graded_students - {"corrupt"})


@pytest.mark.slow
def test_export_writes_every_student_set_and_score(graded):
    course, _, _, rows = graded
    students = {"full", "blank", "never-ends", "kernel-dies", "corrupt", *WRONG, *TAMPER}
    assert {(s, n) for s in students for n in SETS} <= set(rows)
    for (student, name), row in rows.items():
        if name != SET and student != "full":
            assert row["status"] == "not graded: nothing handed in", row
        assert row["flags"] == "", row  # formgrader's own manual grades are not flagged
        assert float(row["max_score"]) > 0 and 0 <= float(row["score"]) <= float(row["max_score"])
    data_and_written = {name: float(rows[("full", name)]["max_score"]) for name in SETS}
    for name, most in data_and_written.items():
        source = nbformat.read(course / "source" / name / f"{name}.ipynb", as_version=4)
        assert most == sum(c.metadata["nbgrader"].get("points", 0) for c in source.cells if "nbgrader" in c.metadata
                           and c.metadata["nbgrader"]["grade"])
    assert float(rows[("wrong-way-round", SET)]["score"]) == 2


def test_the_makefile_and_readme_describe_the_nbgrader_workflow():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^nbgrader: install\n\t\$\(PY\) -m track2\.tools\.nbgrader_course --course-dir \$\(NBGRADER_DIR\)$",
                     makefile, flags=re.M)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for step in ("make nbgrader", "nbgrader release_assignment", "nbgrader collect", "nbgrader autograde",
                 "formgrader", "nbgrader generate_feedback", "nbgrader export", "zip_collect"):
        assert step in readme, step
    assert "--grade" not in readme
    lock = (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")
    assert re.search(r"^nbgrader==\d", lock, flags=re.M), "nbgrader is pinned for `make test`"


# --------------------------------------------------------------------------- #
# A class that tries to break grading (issue 23), graded with the README's commands: one
# student after another (`nbgrader autograde`) and in parallel (the course's autograde)

ATTACK_SET = "07-evidence"
HONEST = 'n_disagreements = data.disagreements["disagreement_id"].nunique()'
MARKER = "track2-attack-left-behind"


def attackers(course: Path) -> dict[str, tuple[str, list[str]]]:
    """{student: (answer cell, extra code cells after it)}. Every attack also answers honestly,
    so that any point above the honest maximum would come from the attack."""
    real = load_course_data().disagreements["disagreement_id"].nunique()
    gradebook_path = course / "gradebook.db"
    rewrite = f'''
import os, sqlite3, subprocess, sys
from pathlib import Path
UPDATE = "update grade set manual_score = 100, extra_credit = 20"
found = [str(p / "gradebook.db") for p in Path.cwd().parents if (p / "gradebook.db").exists()]
for path in found + [{str(gradebook_path)!r}]:
    try:
        with sqlite3.connect(path) as db:
            db.execute(UPDATE)
    except Exception as error:
        print("could not write", path, type(error).__name__)
loop = ("import sqlite3, time\\n"
        "while True:\\n"
        "    try:\\n"
        "        sqlite3.connect({str(gradebook_path)!r}).execute('{{}}').connection.commit()\\n"
        "    except Exception:\\n"
        "        pass\\n"
        "    time.sleep(1)  # {MARKER}\\n").format(UPDATE)
subprocess.Popen([sys.executable, "-c", loop], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
'''
    edit_data = f'''
import os
from pathlib import Path
for folder in ({str(ROOT / "data")!r}, os.environ.get("TRACK2_DATA_DIR", "")):
    try:
        Path(folder, "institutions.csv").write_text("id,name\\nX,Nothing\\n")
    except Exception as error:
        print("could not write", folder, type(error).__name__)
'''
    ignore_interrupts = '''
import time
while True:
    try:
        time.sleep(0.5)
    except KeyboardInterrupt:
        pass
'''
    ask_the_checker = '''
n_disagreements = 0
for guess in range(300):
    if checks.disagreement_count(guess).correct:
        n_disagreements = guess
        break
'''
    unknown_cell = nbformat.v4.new_code_cell("print('extra credit please')")
    unknown_cell.metadata["nbgrader"] = {"grade": True, "solution": False, "locked": False, "points": 50,
                                         "grade_id": "made-up-task", "schema_version": 3}
    return {
        "honest-1": (HONEST, []),
        "honest-2": ('n_disagreements = len(set(data.disagreements.disagreement_id))', []),
        "hard-coded": (f"n_disagreements = {real}", []),
        "asks-the-checker": (ask_the_checker, []),
        "gradebook-writer": (HONEST + "\n" + rewrite, []),
        "data-editor": (HONEST + "\n" + edit_data, []),
        "ignores-interrupts": (HONEST, [ignore_interrupts]),
        "unknown-grade-cell": (HONEST, [unknown_cell]),
    }


def class_of_its_own(course: Path, teacher: Path) -> Path:
    """A copy of the course directory with no student yet: the sources, releases and seed, and a
    gradebook that knows only ATTACK_SET (the module's other classes stay out of its grades)."""
    shutil.copytree(course, teacher, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback",
                                                                  "gradebook.db"))
    made = run_nbgrader(teacher, "generate_assignment", ATTACK_SET, "--force")
    assert made.returncode == 0, made.stderr[-3000:]
    return teacher


def submit_attack_class(course: Path) -> None:
    for student, (code, extra) in attackers(course).items():
        nb = release_of(course, ATTACK_SET)
        answer(nb, "answer-n_disagreements", code)
        at = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id")
                  == "answer-n_disagreements") + 1
        for cell in reversed(extra):
            nb.cells.insert(at, cell if isinstance(cell, nbformat.NotebookNode) else nbformat.v4.new_code_cell(cell))
        submit(course, student, ATTACK_SET, nb)
    submit(course, "corrupt", ATTACK_SET, '{"cells": [{"cell_type": "code", "source": "cut short')
    submit(course, "empty", ATTACK_SET, "")


def protected_state() -> str:
    """A fingerprint of what no submission may change: the course data and the exercise sources."""
    digest = hashlib.sha256()
    for folder in (ROOT / "data", ROOT / "exercises" / "source"):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module", params=["one after another", "in parallel"])
def attack_class(request, course, tmp_path_factory):
    """The attack class in a copy of the course directory, graded as the README says, then exported.
    Returns (course dir, grading output, {student: row of grades.csv}, protected state before)."""
    teacher = class_of_its_own(course, tmp_path_factory.mktemp("attack") / "course")
    submit_attack_class(teacher)
    before = protected_state()
    if request.param == "one after another":
        result = run_nbgrader(teacher, "autograde", ATTACK_SET, f"--Execute.timeout={ATTACK_TIMEOUT}")
    else:
        result = subprocess.run([sys.executable, "-m", "track2.tools.nbgrader_course", "autograde", ATTACK_SET,
                                 f"--Execute.timeout={ATTACK_TIMEOUT}"], cwd=teacher, env=course_tools.nbgrader_env(),
                                capture_output=True, text=True, timeout=600)
    time.sleep(3)  # the left-behind loop writes every second: give it time to show itself
    export = run_nbgrader(teacher, "export")
    assert export.returncode == 0, export.stderr[-3000:]
    with open(teacher / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student_id"]: row for row in csv.DictReader(handle) if row["assignment"] == ATTACK_SET}
    return teacher, result, rows, before, request.param


ATTACK_TIMEOUT = 10  # seconds per cell: the student who ignores interrupts waits this long once


@pytest.mark.slow
def test_the_attack_class_leaves_the_gradebook_data_and_processes_as_grading_made_them(attack_class):
    course, result, rows, before, mode = attack_class
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert protected_state() == before, "the course data and the exercise sources are unchanged"
    left = subprocess.run(["pgrep", "-f", MARKER], capture_output=True, text=True).stdout.split()
    assert not left, f"a student's process outlived grading: {left}"
    with gradebook(course) as gb:
        for student in rows:
            submission = gb.find_submission(ATTACK_SET, student)
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    assert grade.manual_score is None and not grade.extra_credit, (student, grade.name)
                    assert grade.auto_score is None or 0 <= grade.auto_score <= grade.max_score
    assert all(row["flags"] == "" for row in rows.values()), rows


@pytest.mark.slow
def test_every_student_of_the_attack_class_has_a_score_or_a_reason(attack_class):
    course, result, rows, _, mode = attack_class
    students = set(attackers(course)) | {"corrupt", "empty"}
    assert set(rows) == students
    for student in students - {"corrupt", "empty"}:
        assert rows[student]["status"] == "graded", rows[student]
    assert rows["corrupt"]["status"].startswith(f"not graded: {ATTACK_SET}.ipynb: the file is not a notebook")
    assert rows["empty"]["status"] == f"not graded: {ATTACK_SET}.ipynb: the file is empty"
    output = result.stdout + result.stderr
    assert "student empty: not graded: the file is empty" in output
    assert re.search(r"student ignores-interrupts: cell \d+ ran past the time limit and did not stop when "
                     r"interrupted", output), output[-3000:]
    if mode == "in parallel":  # the course's grader prints the students that need a look, one line each
        lines = result.stdout.strip().splitlines()
        assert all(line.startswith("student ") for line in lines), lines
    with gradebook(course) as gb:  # formgrader lists every submission, the unreadable ones too
        listed = {s.student.id for s in gb.find_assignment(ATTACK_SET).submissions}
    assert listed == students


@pytest.mark.slow
def test_only_answers_computed_from_the_data_earn_the_data_task(attack_class):
    course, _, rows, _, _ = attack_class
    data_task = {student: cell_scores(course, student, ATTACK_SET)["disagreement_count"][0]
                 for student in rows}
    assert data_task["hard-coded"] == 0, "the real data's answer typed in is wrong on the grading variant"
    assert data_task["asks-the-checker"] == 0, "no checker in the sandbox can find the graded answer"
    for student in ("honest-1", "honest-2", "gradebook-writer", "data-editor", "ignores-interrupts",
                    "unknown-grade-cell"):
        assert data_task[student] == 2, (student, data_task)
    assert data_task["corrupt"] == data_task["empty"] == 0
    for student, row in rows.items():
        assert float(row["score"]) == data_task[student], (student, row)


def test_failure_reasons_are_read_from_nbgrader_logs_one_line_per_student():
    log = """[AutogradeApp | INFO] Creating/updating student with ID 'x': {}
[AutogradeApp | ERROR] There was an error processing assignment: /c/submitted/ann/07-evidence
[AutogradeApp | ERROR] Traceback (most recent call last):
      File "/x.py", line 1, in f
        raise SandboxError("no grading sandbox: bwrap is not installed")
    track2.tools.sandbox.SandboxError: no grading sandbox: bwrap is not installed

[AutogradeApp | WARNING] Removing failed assignment: /c/autograded/ann/07-evidence
[AutogradeApp | ERROR] There was an error processing assignment: /c/submitted/bo/07-evidence
[AutogradeApp | ERROR] Traceback (most recent call last):
      File "/x.py", line 1, in f
    RuntimeError: Kernel died before replying to kernel_info
"""
    assert course_tools.failure_reasons(log) == {
        "ann": "track2.tools.sandbox.SandboxError: no grading sandbox: bwrap is not installed",
        "bo": "RuntimeError: Kernel died before replying to kernel_info"}


@pytest.mark.slow
def test_without_a_sandbox_autograding_refuses_and_names_the_reason(course, tmp_path):
    teacher = tmp_path / "course"
    shutil.copytree(course, teacher, ignore=shutil.ignore_patterns("submitted", "autograded", "feedback"))
    submit(teacher, "ann", ATTACK_SET, full_solution(course, ATTACK_SET))
    (teacher / "local_config.py").write_text("c.GradingSandbox.bwrap = 'no-such-bwrap'\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "track2.tools.nbgrader_course", "autograde", ATTACK_SET],
                            cwd=teacher, env=course_tools.nbgrader_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode != 0
    assert result.stdout.strip().splitlines() == [
        "student ann: not graded: track2.tools.sandbox.SandboxError: no grading sandbox: no-such-bwrap is not "
        "installed: install Debian's or Ubuntu's package 'bubblewrap' (apt-get install bubblewrap) on the machine "
        "that grades. To grade without one (students' code then runs as you), set c.GradingSandbox.required = "
        "False in local_config.py"]
    # said explicitly, it grades without one
    (teacher / "local_config.py").write_text("c.GradingSandbox.bwrap = 'no-such-bwrap'\n"
                                             "c.GradingSandbox.required = False\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "track2.tools.nbgrader_course", "autograde", ATTACK_SET,
                             "--force"], cwd=teacher, env=course_tools.nbgrader_env(), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert cell_scores(teacher, "ann", ATTACK_SET)["disagreement_count"][0] == 2


@pytest.mark.slow
def test_grades_that_grading_cannot_have_given_are_flagged_on_export(attack_class, tmp_path):
    """On a copy of the attack class as grading left it, one honest student's grades are changed as
    a tampering process would change them; export flags exactly those (no second grading needed)."""
    graded_class, _, rows, _, _ = attack_class
    assert rows["honest-1"]["flags"] == "" and rows["honest-1"]["status"] == "graded", rows["honest-1"]
    teacher = tmp_path / "course"
    shutil.copytree(graded_class, teacher)
    with sqlite3.connect(teacher / "gradebook.db") as db:  # what a tampering process would write
        def cell(name):
            return (f"cell_id = (select id from base_cell where name = '{name}') and notebook_id in "
                    "(select n.id from submitted_notebook n join submitted_assignment a on n.assignment_id = a.id "
                    "where a.student_id = 'honest-1')")

        db.execute(f"update grade set extra_credit = 5 where {cell('x07-r1')}")
        db.execute(f"update grade set manual_score = 9 where {cell('x07-r2')}")
        db.execute(f"update grade set manual_score = 2 where {cell('disagreement_count')}")
    export = run_nbgrader(teacher, "export")
    assert export.returncode == 0, export.stderr[-3000:]
    with open(teacher / "grades.csv", newline="", encoding="utf-8") as handle:
        exported = {r["student_id"]: r for r in csv.DictReader(handle) if r["assignment"] == ATTACK_SET}
    assert exported.keys() == rows.keys()
    flags = exported["honest-1"]["flags"].split("; ")
    assert flags == [f"{ATTACK_SET}/disagreement_count: a manual score (2) on a data task, which is graded only "
                     "from the recorded answer",
                     f"{ATTACK_SET}/x07-r1: extra credit 5, which this course never gives",
                     f"{ATTACK_SET}/x07-r2: score 9 outside 0-2"], flags
    assert all(row["flags"] == "" for student, row in exported.items() if student != "honest-1"), exported
    assert export.stderr.count("| ERROR]") == 3
