"""The exercise sets as an nbgrader course: ``make nbgrader``.

Writes an nbgrader course directory (default ``_build/nbgrader/``) from the same
MyST sources that make the student and instructor notebooks
(``exercises/source/<set>.md``)::

    nbgrader_config.py              this course's settings (rewritten on every run)
    source/<set>/<set>.ipynb        the instructor version, with nbgrader's cell metadata
    release/<set>/<set>.ipynb       made by ``nbgrader generate_assignment``: no solutions
    gradebook.db                    nbgrader's gradebook (kept between runs, with any grades)

How a source becomes an nbgrader assignment:

* a data task is the answer cell (``name = ...``) followed by a code cell tagged
  ``solution``: they become one nbgrader *answer* cell, the solution between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION``, so the release keeps only ``name = ...``;
* the task's check cell (``checks.<checker>(name)``, with ``:points: N``) stays as it is,
  so students still get immediate feedback, and is followed by a locked nbgrader
  *autograder test* cell worth N points whose hidden part hands the answer in
  (:func:`track2.checks.hand_in`);
* a reflection's model answer (a markdown cell tagged ``solution``, with ``"points": N``
  and a ``**Rubric.**`` paragraph) becomes a *manually graded answer* cell: the model
  answer and rubric between the solution markers (instructor version only), "YOUR ANSWER
  HERE" in the release, N points in formgrader.

Nothing tagged ``solution`` can reach the release outside those markers: a solution cell
that does not fit one of the two forms, or that has no line of its own, fails the build,
and after ``generate_assignment`` every release notebook is checked line by line against
the solutions and hidden tests (a leak deletes that release and fails the build).

Grading. ``nbgrader autograde`` runs each submission with nbgrader's Execute step
(per-notebook kernel, timeout) and then :class:`GradeRecordedAnswers`, which this
course's ``nbgrader_config.py`` puts right after it: for each autograder test cell it
reads the answer the cell recorded, runs the checker in the grading process on the
course data loaded before any student code ran, and rewrites the cell's outputs (a
verdict, or an error worth 0 points) for nbgrader's SaveAutoGrades. A student's
namespace, monkeypatched checkers, fake data, forged outputs or a silenced test cell
therefore cannot earn points.

Usage::

    python -m track2.tools.nbgrader_course [--course-dir DIR]       # make nbgrader
    python -m track2.tools.nbgrader_course autograde SET [--jobs N]  # nbgrader autograde, N at once

The second form runs ``nbgrader autograde SET`` in N processes (default: one per CPU),
each on its share of the submitted students, and lists every student that could not be
graded; plain ``nbgrader autograde SET`` gives the same grades, one student at a time.
Like nbgrader's own commands it works on the course directory it is run in (or on
``--course-dir DIR``).
"""

from __future__ import annotations

import argparse
import copy
import csv
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from string import Template

import nbformat
from jupyter_core.utils import ensure_async, run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbconvert.exporters import NotebookExporter
from nbconvert.preprocessors import Preprocessor
from nbgrader.plugins.export import CsvExportPlugin
from nbgrader.preprocessors import Execute

from track2.tools.exercises import KERNELSPEC, SOLUTION_TAG, SOURCE_DIR, links_to_published_book, read_source, sources
from track2.tools.setup_cell import published_book_address, repository_settings, with_setup_cell
from track2.tools.variant import grading_data, grading_seed

ROOT = Path(__file__).resolve().parents[2]
COURSE_DIR = ROOT / "_build" / "nbgrader"
COURSE_ID = "track2-asia-pacific"
#: Per-cell time limit when grading (seconds); a cell that runs longer is interrupted.
TIMEOUT = 30
#: The error nbgrader's Execute step records in a cell that ran past the time limit.
TIMED_OUT = CellTimeoutError.__name__

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_TESTS, END_TESTS = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
MARKER_WORDS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS",
                "BEGIN MARK SCHEME", "END MARK SCHEME")
PLACEHOLDER = re.compile(r"^(\w+) = \.\.\.(\s*#.*)?$")
CHECK_CALL = re.compile(r"^checks\.(\w+)\((\w+)\)$")
MODEL_ANSWER = re.compile(r"^:::\{solution\} (\S+)", flags=re.M)
RUBRIC = "**Rubric.**"
SCHEMA_VERSION = 3


class BuildError(Exception):
    """A source cannot become an nbgrader assignment without risking a leak."""


def is_tagged_solution(cell) -> bool:
    return SOLUTION_TAG in cell.metadata.get("tags", [])


def _nbgrader(cell, **fields) -> None:
    cell.metadata["nbgrader"] = {"grade": False, "locked": False, "solution": False,
                                 "schema_version": SCHEMA_VERSION, **fields}


def _points(cell, where: str) -> float:
    points = cell.metadata.pop("points", None)
    if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
        raise BuildError(f"{where}: state its points (a positive number), e.g. ':points: 2' on a check "
                         "cell or '\"points\": 2' on a model answer")
    return points


def test_cell_source(check: str, name: str, points: float) -> str:
    """The autograder test cell of one data task (its hidden part is removed from the release)."""
    return (f"# Graded ({points:g} points): `{name}` is checked against the course data when your "
            f"notebook is graded.\n{BEGIN_TESTS}\nfrom track2.checks import hand_in\n\n"
            f"hand_in({check!r}, {name})\n{END_TESTS}")


def nbgrader_source(source: Path) -> nbformat.NotebookNode:
    """The nbgrader source (instructor) notebook of one MyST exercise source."""
    source = Path(source)
    nb = read_source(source.read_text(encoding="utf-8"))
    cells, answers, grade_ids = [], {}, set()

    def where(cell) -> str:
        return f"{source.name}, cell {cell.source.strip().splitlines()[0][:60]!r}" if cell.source.strip() \
            else f"{source.name}, an empty cell"

    def add_grade_id(grade_id, cell):
        if grade_id in grade_ids:
            raise BuildError(f"{where(cell)}: grade id {grade_id!r} is used twice")
        grade_ids.add(grade_id)

    for cell in nb.cells:
        cell = copy.deepcopy(cell)
        tagged = is_tagged_solution(cell)
        for word in MARKER_WORDS:
            if word in cell.source:
                raise BuildError(f"{where(cell)}: write no nbgrader marker ({word}) in a source; the build adds them")
        if tagged and cell.cell_type == "code":
            previous = cells[-1] if cells else None
            match = PLACEHOLDER.match(previous.source.strip()) if previous is not None and \
                previous.cell_type == "code" and "nbgrader" not in previous.metadata else None
            if match is None:
                raise BuildError(f"{where(cell)}: a solution cell must follow the task's answer cell "
                                 "('name = ...  # your answer'); elsewhere it would sit outside nbgrader's "
                                 "solution markers")
            name = match.group(1)
            if not re.search(rf"^{name}\s*=", cell.source, flags=re.M):
                raise BuildError(f"{where(cell)}: the solution does not assign {name!r}, the task's answer")
            if "points" in cell.metadata:
                raise BuildError(f"{where(cell)}: points go on the task's check cell, not on its solution")
            previous.source = f"{previous.source.rstrip()}\n{BEGIN_SOLUTION}\n{cell.source.strip()}\n{END_SOLUTION}"
            add_grade_id(f"answer-{name}", previous)
            _nbgrader(previous, solution=True, grade_id=f"answer-{name}")
            answers[name] = previous
            continue
        if tagged:  # a model answer: a manually graded answer cell
            label = MODEL_ANSWER.search(cell.source)
            if label is None:
                raise BuildError(f"{where(cell)}: a model answer must be a ':::{{solution}} LABEL' block")
            if RUBRIC not in cell.source:
                raise BuildError(f"{where(cell)}: a model answer needs a '{RUBRIC}' paragraph for the grader")
            points = _points(cell, where(cell))
            add_grade_id(label.group(1), cell)
            cell.metadata.pop("tags")
            cell.source = f"{BEGIN_SOLUTION}\n{cell.source.strip()}\n{END_SOLUTION}"
            _nbgrader(cell, solution=True, grade=True, points=points, grade_id=label.group(1))
            cells.append(cell)
            continue
        call = CHECK_CALL.match(cell.source.strip()) if cell.cell_type == "code" else None
        if call is None:
            if "points" in cell.metadata:
                raise BuildError(f"{where(cell)}: only a check cell or a model answer carries points")
            cells.append(cell)
            continue
        check, name = call.groups()
        if name not in answers:
            raise BuildError(f"{where(cell)}: no answer cell with a solution defines {name!r} before this check")
        points = _points(cell, where(cell))
        cells.append(cell)
        add_grade_id(check, cell)
        test = nbformat.v4.new_code_cell(test_cell_source(check, name, points))
        _nbgrader(test, grade=True, locked=True, points=points, grade_id=check)
        cells.append(test)
    if not grade_ids:
        raise BuildError(f"{source.name}: no graded cell")
    nb.cells = cells
    address = published_book_address()  # a released notebook stands alone: link the published book
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = links_to_published_book(cell.source, address)
    with_setup_cell(nb, *repository_settings())
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"{source.stem}-{number:02d}"
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"},
                   "track2": {"source": f"exercises/source/{source.name}", "version": "nbgrader source"}}
    nbformat.validate(nb)
    return nb


# --------------------------------------------------------------------------- #
# What must never reach a release


def _regions(text: str, begin: str, end: str) -> tuple[list[str], list[str]]:
    """(lines inside begin/end regions, lines outside them) of one cell."""
    inside, outside, depth = [], [], False
    for line in text.splitlines():
        if begin in line:
            depth = True
        elif end in line:
            depth = False
        else:
            (inside if depth else outside).append(line.strip())
    return inside, outside


#: Lines a solution may share with what students see: markup of a MyST directive, a bare
#: name that displays a result, an import.
SHAREABLE = re.compile(r"^(|:::.*|:\w+:.*|\w+|(import|from) [\w.]+( import [\w, ]+)?( as \w+)?)$")


def secret_lines(source_nb, myst_cells=()) -> set[str]:
    """Every line only the instructor may see: those between nbgrader's solution and
    hidden-test markers in the nbgrader source, and those of the cells tagged ``solution``
    in the MyST source, less the lines any cell may share (:data:`SHAREABLE`)."""
    hidden = set()
    for cell in source_nb.cells:
        solution_in, solution_out = _regions(cell.source, BEGIN_SOLUTION, END_SOLUTION)
        tests_in, _ = _regions("\n".join(solution_out), BEGIN_TESTS, END_TESTS)
        hidden |= set(solution_in) | set(tests_in)
    for cell in myst_cells:
        if is_tagged_solution(cell):
            hidden.update(line.strip() for line in cell.source.splitlines())
    return {line for line in hidden if not SHAREABLE.match(line)}


def release_problems(source_nb, release_nb, myst_cells=()) -> list[str]:
    """Every way ``release_nb`` shows what only the instructor may see (empty when clean)."""
    problems = []
    secrets = secret_lines(source_nb, myst_cells)
    for cell in release_nb.cells:
        for line in cell.source.splitlines():
            if line.strip() in secrets:
                problems.append(f"solution or hidden test text in the release: {line.strip()[:80]!r}")
            if any(word in line for word in MARKER_WORDS):
                problems.append(f"an nbgrader marker in the release: {line.strip()!r}")
    ids = [c.metadata.get("nbgrader", {}).get("grade_id") for c in source_nb.cells if "nbgrader" in c.metadata]
    released = [c.metadata.get("nbgrader", {}).get("grade_id") for c in release_nb.cells if "nbgrader" in c.metadata]
    if ids != released:
        problems.append(f"graded cells differ between source and release: {ids} != {released}")
    return problems


# --------------------------------------------------------------------------- #
# The course directory


#: nbgrader_config.py, with ``$course_id`` (a Python expression) and ``$timeout`` (seconds)
#: filled in by :func:`course_config`.
CONFIG = Template('''\
"""nbgrader settings of the Track 2 course. Written by `make nbgrader`
(python -m track2.tools.nbgrader_course), which rewrites this file: change the settings
there, or put your own (exchange, course id, timeout) in local_config.py beside this file,
which is read last, or in ~/.jupyter/nbgrader_config.py."""

import os
from pathlib import Path

from nbgrader.converters import Autograde
from nbgrader.preprocessors import DeduplicateIds, Execute

c = get_config()  # noqa: F821 (provided by traitlets when it reads this file)

COURSE = Path(__file__).resolve().parent
c.CourseDirectory.course_id = $course_id
# the gradebook beside this file; wait for a lock rather than fail (parallel grading, formgrader)
c.CourseDirectory.db_url = f"sqlite:///{COURSE / 'gradebook.db'}?timeout=60"
# The release keeps a data task's `name = ...` line and drops the solution below it.
c.ClearSolutions.code_stub = {"python": ""}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Grading. Each submission's kernel runs in the grading sandbox (track2.tools.sandbox:
# bubblewrap; no network, no files but a scratch copy of its folder, no process left behind,
# memory and CPU limits) on a variant of the course data made from the secret seed in
# grading-seed (track2.tools.variant). Autograding refuses to run without the sandbox unless
# local_config.py says c.GradingSandbox.required = False.
c.GradingSandbox.course_dir = str(COURSE)
# Each cell gets $timeout s before it is interrupted; a cell that ignores the interrupt, or a
# kernel that dies, restarts the kernel and the rest of the notebook is graded. A file that is
# not a notebook is graded as the blank assignment and marked "not graded" with the reason.
c.Execute.timeout = $timeout
c.Autograde.exporter_class = "track2.tools.nbgrader_course.SubmissionExporter"
# An autograder test cell a student deleted is put back; graded cells the source does not have
# lose their grading metadata before OverwriteCells sees them.
c.OverwriteCells.add_missing_cells = True
sanitize = list(Autograde.class_traits()["sanitize_preprocessors"].default())
at = sanitize.index(DeduplicateIds)  # before it (forged cells) and after it (the duplicates it wipes)
sanitize[at:at + 1] = ["track2.tools.nbgrader_course.DropBrokenGradingMetadata", DeduplicateIds,
                       "track2.tools.nbgrader_course.DropBrokenGradingMetadata"]
c.Autograde.sanitize_preprocessors = sanitize
# Right after execution, the course's grading step decides each data task from the recorded
# answer, outside the student's kernel, on the same variant of the data.
steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
steps[steps.index(Execute)] = "track2.tools.nbgrader_course.SandboxedExecute"
steps.insert(steps.index("track2.tools.nbgrader_course.SandboxedExecute") + 1,
             "track2.tools.nbgrader_course.GradeRecordedAnswers")
c.Autograde.autograde_preprocessors = steps
# grades.csv says for every student whether the set was graded (and why not), and flags any
# grade that grading cannot have given
c.ExportApp.plugin_class = "track2.tools.nbgrader_course.GradesExport"
# read by track2.answers.hand_in in the kernels nbgrader starts: without this file's grading
# step, autograding gives no data task any points rather than trust the student's kernel
os.environ["TRACK2_GRADING_STEP"] = "track2.tools.nbgrader_course.GradeRecordedAnswers"

if (COURSE / "local_config.py").is_file():
    load_subconfig(str(COURSE / "local_config.py"))  # noqa: F821
''')


def course_config() -> str:
    """The text of the course's nbgrader_config.py."""
    return CONFIG.substitute(course_id=repr(COURSE_ID), timeout=TIMEOUT)


def nbgrader_command(*args: str) -> list[str]:
    """``nbgrader ARGS`` run with this Python (so it finds the course package)."""
    return [sys.executable, "-m", "nbgrader", *args]


def nbgrader_env() -> dict[str, str]:
    """The environment for running nbgrader: this Python's scripts first on PATH (nbgrader
    runs ``alembic`` from PATH when it creates a gradebook)."""
    scripts = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": os.pathsep.join([scripts, os.environ.get("PATH", "")])}


def write_course(course_dir: Path = COURSE_DIR, folder: Path = SOURCE_DIR) -> list[str]:
    """Write nbgrader_config.py and source/<set>/<set>.ipynb; return the set names."""
    course_dir = Path(course_dir)
    course_dir.mkdir(parents=True, exist_ok=True)
    (course_dir / "nbgrader_config.py").write_text(course_config(), encoding="utf-8")
    grading_seed(course_dir, create=True)  # once: the variant graded on stays the same between runs
    names = []
    for source in sources(folder):
        nb = nbgrader_source(source)  # every set first: one bad source writes nothing
        names.append((source, nb))
    for source, nb in names:
        path = course_dir / "source" / source.stem / f"{source.stem}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = nbformat.writes(nb) + "\n"
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return [source.stem for source, _ in names]


def generate(course_dir: Path = COURSE_DIR, folder: Path = SOURCE_DIR) -> list[Path]:
    """The whole course: write the sources, run ``nbgrader generate_assignment`` for every set
    (one process), then check every release against its solutions. Returns the releases."""
    course_dir = Path(course_dir).resolve()
    names = write_course(course_dir, folder)
    result = subprocess.run(nbgrader_command("generate_assignment", "*", "--force"),
                            cwd=course_dir, capture_output=True, text=True, env=nbgrader_env())
    if result.returncode != 0:
        raise BuildError(f"nbgrader generate_assignment failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    releases, problems = [], []
    for name in names:
        release = course_dir / "release" / name / f"{name}.ipynb"
        if not release.is_file():
            problems.append(f"{name}: nbgrader wrote no release")
            continue
        source_nb = nbformat.read(course_dir / "source" / name / f"{name}.ipynb", as_version=4)
        myst = read_source((Path(folder) / f"{name}.md").read_text(encoding="utf-8")).cells
        found = release_problems(source_nb, nbformat.read(release, as_version=4), myst)
        if found:
            shutil.rmtree(release.parent)
            problems += [f"{name}: {problem}" for problem in found]
        releases.append(release)
    if problems:
        raise BuildError("release withdrawn:\n  " + "\n  ".join(problems))
    return releases


# --------------------------------------------------------------------------- #
# Grading: the autograde step after Execute

_reference: dict = {}

#: Said with every wrong answer in the grades and feedback.
ON_A_VARIANT = ("(Graded on a variant of the course data: an answer computed from `data` is right on any version "
                "of the data; a value typed in is not.)")


def _data_fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(Path(folder).glob("*")):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def reference_data(course_dir: str | Path | None = None):
    """The data submissions are graded on: the course's grading variant
    (:mod:`track2.tools.variant`), made once per grading process before any submission's
    kernel starts. Also notes the fingerprint of the real data, to report a change."""
    if not _reference:
        from track2.data import data_dir

        folder = data_dir()
        _reference.update(folder=folder, fingerprint=_data_fingerprint(folder), data=grading_data(course_dir))
    return _reference["data"]


def recorded_answers(cell, check: str) -> list:
    """The answers an executed test cell recorded for ``check`` (what :func:`hand_in` displays)."""
    from track2.answers import ANSWER_MIME

    found = []
    for output in cell.get("outputs", []):
        record = output.get("data", {}).get(ANSWER_MIME) if output.get("output_type") in (
            "display_data", "execute_result") else None
        if isinstance(record, dict) and record.get("check") == check:
            found.append(record.get("answer"))
    return found


def grade_test_cell(cell, data):
    """The :class:`track2.checks.Feedback` for one executed autograder test cell."""
    from track2.checks import CHECKERS, Feedback, decode_answer

    check = cell.metadata["nbgrader"]["grade_id"]
    answers = recorded_answers(cell, check)
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if len(answers) != 1:
        if any(o.get("ename") == TIMED_OUT for o in errors):
            why = "the notebook ran out of time before this check (a cell ran too long and was interrupted)"
        elif errors and not answers:
            why = f"the check could not run ({errors[0].get('ename')}: {errors[0].get('evalue', '')[:200]})"
        elif answers:
            why = "more than one answer was recorded for this task"
        else:
            why = "no answer was recorded: the check did not run"
        return Feedback(check, "unanswered", why + ".")
    try:
        answer = decode_answer(answers[0])
    except Exception as error:  # a forged record: no points, never a crash of the grader
        return Feedback(check, "incorrect", f"the recorded answer could not be read ({type(error).__name__}).")
    fresh = type(data)(**{name: frame.copy() for name, frame in vars(data).items()})
    return CHECKERS[check](answer, data=fresh)


def graded_outputs(feedback) -> list:
    """Outputs nbgrader's SaveAutoGrades scores as they should: nothing but the verdict for a
    correct answer (full points), an error for anything else (no points)."""
    text = str(feedback)
    if feedback.correct:
        return [nbformat.v4.new_output("stream", name="stdout", text=text + "\n")]
    if feedback.status == "incorrect":
        text += f" {ON_A_VARIANT}"
    ename = "NotAnswered" if feedback.status == "unanswered" else "IncorrectAnswer"
    return [nbformat.v4.new_output("error", ename=ename, evalue=text, traceback=[f"{ename}: {text}"])]


def is_test_cell(cell) -> bool:
    from track2.checks import CHECKERS

    meta = cell.metadata.get("nbgrader", {})
    return (cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")
            and meta.get("grade_id") in CHECKERS)


def source_grade_ids(resources) -> set[str] | None:
    """The grade ids of the cells of the notebook being graded, from the gradebook (``None``
    when the gradebook cannot say)."""
    from nbgrader.api import Gradebook, MissingEntry

    info = resources.get("nbgrader", {})
    if not {"db_url", "assignment", "notebook"} <= set(info):
        return None
    with Gradebook(info["db_url"]) as gradebook:
        try:
            notebook = gradebook.find_notebook(info["notebook"], info["assignment"])
        except MissingEntry:
            return None
        return {cell.name for cells in (notebook.grade_cells, notebook.solution_cells, notebook.task_cells,
                                        notebook.source_cells) for cell in cells}


class DropBrokenGradingMetadata(Preprocessor):
    """nbgrader autograde sanitizing step, before and after DeduplicateIds: nbgrader metadata
    without a grade id (a student's forgery, or what DeduplicateIds leaves of a duplicated
    cell), or with a grade id the assignment does not have (a made-up graded cell), is
    dropped, so nbgrader's steps do not fail on it, OverwriteCells restores the real cells
    and the notebook is graded."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.enabled = True

    def preprocess(self, nb, resources):
        known = source_grade_ids(resources)
        for cell in nb.cells:
            if "nbgrader" not in cell.metadata:
                continue
            meta = cell.metadata["nbgrader"]
            grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
            if not isinstance(grade_id, str) or (known is not None and grade_id not in known):
                del cell.metadata["nbgrader"]
        return nb, resources


class SandboxedExecute(Execute):
    """nbgrader's Execute step with every kernel in the grading sandbox
    (:class:`track2.tools.sandbox.SandboxedKernelManager`), and no submission lost to its
    kernel: when a cell runs past the time limit and ignores the interrupt, or the kernel
    dies, the kernel is restarted, the cells before it are run again (their outputs kept as
    they were), the cell is marked with the error, and the rest of the notebook is graded."""

    #: Restarts per notebook before the remaining cells are left unrun.
    max_restarts = 3

    def __init__(self, **kwargs):
        from track2.tools.sandbox import SandboxedKernelManager

        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(**kwargs)
        self._restarts = 0
        self._stuck: set[int] = set()

    def preprocess(self, nb, resources=None, km=None):
        self._restarts, self._stuck = 0, set()
        self._student = (resources or {}).get("nbgrader", {}).get("student", "?")
        return super().preprocess(nb, resources, km)

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if self._restarts > self.max_restarts:
            return cell
        try:
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except (CellTimeoutError, DeadKernelError) as error:
            self._stuck.add(cell_index)
            self._restarts += 1
            ename = TIMED_OUT if isinstance(error, CellTimeoutError) else type(error).__name__
            why = ("ran past the time limit and did not stop when interrupted" if ename == TIMED_OUT
                   else "stopped the kernel (it died)")
            self.log.warning("student %s: cell %d %s: the kernel was restarted and the cells before it run again",
                             self._student, cell_index, why)
            cell.outputs.append(nbformat.v4.new_output(
                "error", ename=ename, evalue=f"this cell {why}; the kernel was restarted and the rest of the "
                "notebook graded", traceback=[f"{ename}: this cell {why}"]))
            await self._restart_and_replay(cell_index)
            return cell

    execute_cell = run_sync(async_execute_cell)  # what nbconvert calls (the base class wraps its own)

    async def _restart_and_replay(self, upto: int) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        await ensure_async(self.km.restart_kernel(now=True))
        await self.async_start_new_kernel_client()
        for index, earlier in enumerate(self.nb.cells[:upto]):
            if earlier.cell_type == "code" and index not in self._stuck:
                try:
                    await super().async_execute_cell(copy.deepcopy(earlier), index, store_history=False)
                except (CellTimeoutError, DeadKernelError):
                    self._stuck.add(index)
                    self._restarts += 1
                    return await self._restart_and_replay(upto) if self._restarts <= self.max_restarts else None


class SubmissionExporter(NotebookExporter):
    """The exporter nbgrader autograde reads submissions with: a file that is not a notebook
    (empty, cut short, not JSON, no cells) is graded as the blank released assignment, with a
    first cell and metadata saying that it was not graded and why, so the submission shows in
    formgrader, in the feedback and in grades.csv (see :class:`GradesExport`), with 0 points."""

    def from_filename(self, filename, resources=None, **kw):
        problem = unreadable(Path(filename))
        if problem is None:
            return super().from_filename(filename, resources=resources, **kw)
        info = (resources or {}).get("nbgrader", {})
        coursedir = self.parent.coursedir
        blank = Path(coursedir.format_path(coursedir.release_directory, ".", info.get("assignment", "")),
                     f"{info.get('notebook', Path(filename).stem)}.ipynb")
        nb = nbformat.read(blank, as_version=4)
        note = nbformat.v4.new_markdown_cell(
            f"**Not graded.** The file handed in is not a notebook that can be read: {problem}. This is the "
            "blank assignment, graded in its place (0 points); the file handed in is kept as it was in "
            f"`submitted/{info.get('student', '?')}/{info.get('assignment', '?')}/`.")
        note["id"] = "track2-not-graded"
        nb.cells.insert(0, note)
        nb.metadata.setdefault("track2", {})["not_graded"] = problem
        self.log.warning("student %s: not graded: %s", info.get("student", "?"), problem)
        return self.from_notebook_node(nb, resources=resources, **kw)


def unreadable(path: Path) -> str | None:
    """Why ``path`` cannot be graded as a notebook (``None`` when it can)."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        return f"the file cannot be opened ({error.strerror})"
    if not raw.strip():
        return "the file is empty"
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except UnicodeDecodeError:
        return "the file is not text (not UTF-8)"
    except Exception as error:  # nbformat raises several kinds for a broken file
        return f"the file is not a notebook ({type(error).__name__}: {str(error).splitlines()[0][:120] if str(error) else ''})"
    cells = nb.get("cells")
    if not isinstance(cells, list) or not all(isinstance(c, dict) and "cell_type" in c and "source" in c
                                               for c in cells):
        return "the file has no readable list of cells"
    return None


class GradeRecordedAnswers(Preprocessor):
    """nbgrader autograde step, after Execute: decide every data task of an executed
    submission from the answer its test cell recorded, outside the student's kernel, on the
    grading variant of the data."""

    def __init__(self, **kwargs):
        from track2.tools.sandbox import GradingSandbox

        super().__init__(**kwargs)
        self.enabled = True  # always: nbconvert's preprocessors start disabled
        reference_data(GradingSandbox(parent=self).course_dir or None)  # before this submission's kernel starts

    def preprocess(self, nb, resources):
        student = resources.get("nbgrader", {}).get("student", "?")
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and any(o.get("ename") == TIMED_OUT for o in cell.get("outputs", [])):
                self.log.warning("student %s: cell %d ran past the time limit and was interrupted", student, index)
            if not is_test_cell(cell):
                continue
            feedback = grade_test_cell(cell, reference_data())
            cell.outputs = graded_outputs(feedback)
            self.log.info("student %s: %s %s", student, feedback.check, feedback.status)
        if _data_fingerprint(_reference["folder"]) != _reference["fingerprint"]:
            self.log.error("student %s: the course data in %s changed while this notebook ran; grades use the "
                           "data as loaded before grading started", student, _reference["folder"])
        return nb, resources


# --------------------------------------------------------------------------- #
# grades.csv: every student accounted for, and grades that grading cannot have given flagged


def grade_flags(gradebook, assignment: str, student: str) -> list[str]:
    """Every grade of one submission that grading cannot have given: a score above its
    maximum or below 0, extra credit (the course gives none), a manual score on a data task
    (the course grades those only from the recorded answer)."""
    from nbgrader.api import MissingEntry

    from track2.checks import CHECKERS

    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return []
    flags = []
    for notebook in submission.notebooks:
        for grade in notebook.grades:
            where = f"{notebook.name}/{grade.name}"
            score = grade.manual_score if grade.manual_score is not None else grade.auto_score
            if score is not None and not 0 <= score <= grade.max_score:
                flags.append(f"{where}: score {score:g} outside 0-{grade.max_score:g}")
            if grade.extra_credit:
                flags.append(f"{where}: extra credit {grade.extra_credit:g}, which this course never gives")
            if grade.manual_score is not None and grade.auto_score is not None and grade.name in CHECKERS:
                flags.append(f"{where}: a manual score ({grade.manual_score:g}) on a data task, which is graded "
                             "only from the recorded answer")
    return flags


def submission_status(course_dir: Path, assignment: str, student: str, notebooks: list[str]) -> str:
    """'graded', or 'not graded: why' for one student's set, from the files grading left."""
    submitted = course_dir / "submitted" / student / assignment
    if not submitted.is_dir():
        return "not graded: nothing handed in"
    reasons = []
    for name in notebooks:
        graded = course_dir / "autograded" / student / assignment / f"{name}.ipynb"
        if not graded.is_file():
            if not (submitted / f"{name}.ipynb").is_file():
                reasons.append(f"{name}.ipynb was not handed in")
            else:
                reasons.append(f"{name}.ipynb could not be graded (see the autograde log)")
            continue
        problem = nbformat.read(graded, as_version=4).metadata.get("track2", {}).get("not_graded")
        if problem:
            reasons.append(f"{name}.ipynb: {problem}")
    return f"not graded: {'; '.join(reasons)}" if reasons else "graded"


class GradesExport(CsvExportPlugin):
    """``nbgrader export``: nbgrader's grades.csv with two more columns, ``status`` ('graded'
    or 'not graded: why') and ``flags`` (grades that grading cannot have given, see
    :func:`grade_flags`), each flag also logged as an error."""

    def export(self, gradebook) -> None:
        super().export(gradebook)
        dest = Path(self.to or "grades.csv")
        course_dir = Path(self.parent.coursedir.root).resolve() if self.parent is not None else Path.cwd()
        with open(dest, newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header, rows = [*(reader.fieldnames or []), "status", "flags"], list(reader)
        notebooks = {a.name: [n.name for n in a.notebooks] for a in gradebook.assignments}
        for row in rows:
            row["status"] = submission_status(course_dir, row["assignment"], row["student_id"],
                                              notebooks[row["assignment"]])
            flags = grade_flags(gradebook, row["assignment"], row["student_id"])
            row["flags"] = "; ".join(flags)
            for flag in flags:
                self.log.error("student %s, %s: %s", row["student_id"], row["assignment"], flag)
        with open(dest, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


def failure_reasons(log: str) -> dict[str, str]:
    """{student: the exception that stopped nbgrader from grading them}, read from nbgrader
    autograde's log: after each 'There was an error processing assignment: PATH' record
    comes the traceback record, whose last line names the exception."""
    records = re.split(r"\n(?=\[)", log)
    reasons = {}
    for record, following in zip(records, records[1:]):
        failed = re.search(r"There was an error processing assignment: (\S+)", record)
        if failed and "Traceback" in following:
            lines = [line.strip() for line in following.splitlines()
                     if line.strip() and not set(line.strip()) <= set("^~ ")]
            reasons.setdefault(Path(failed.group(1)).parent.name, lines[-1])
    return reasons


def autograde(assignment: str, course_dir: Path = COURSE_DIR, jobs: int | None = None,
              options: tuple[str, ...] = ()) -> tuple[int, list[str]]:
    """Run ``nbgrader autograde ASSIGNMENT OPTIONS`` in ``jobs`` processes at once, each on its
    share of the students who submitted. Returns (exit code, one line per student that
    could not be graded, with the reason, and the warning lines about students: cells
    that ran too long, restarted kernels, files that are not notebooks)."""
    course_dir = Path(course_dir).resolve()
    submitted = course_dir / "submitted"
    students = sorted(p.name for p in submitted.iterdir() if p.is_dir() and any(p.glob(assignment))) \
        if submitted.is_dir() else []
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(students) or 1))
    groups = [students[i::jobs] for i in range(jobs)]
    processes = []
    for group in groups:
        exclude = ",".join(s for s in students if s not in group)
        command = nbgrader_command("autograde", assignment, *options,
                                   *([f"--CourseDirectory.student_id_exclude={exclude}"] if exclude else []))
        processes.append(subprocess.Popen(command, cwd=course_dir, env=nbgrader_env(), text=True,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    lines = []
    for process in processes:
        _, log = process.communicate()
        lines += [line.split("] ", 1)[-1] for line in log.splitlines() if "student " in line and "| WARNING]" in line]
        lines += [f"student {student}: not graded: {reason}" for student, reason in sorted(failure_reasons(log).items())]
    code = max(process.returncode for process in processes) if processes else 0
    return code, lines


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["autograde"]:
        parser = argparse.ArgumentParser(prog="python -m track2.tools.nbgrader_course autograde",
                                         description="nbgrader autograde, several students at once")
        parser.add_argument("assignment", help="the exercise set, e.g. 03-symbiosis ('*' for every set)")
        parser.add_argument("--jobs", type=int, default=None, help="processes at once (default: one per CPU)")
        parser.add_argument("--course-dir", default=".",
                            help="the nbgrader course directory (default: the current folder, as for nbgrader)")
        args, options = parser.parse_known_args(argv[1:])
        course_dir = Path(args.course_dir).resolve()
        if not (course_dir / "nbgrader_config.py").is_file():
            print(f"autograde: {course_dir} is not an nbgrader course directory (it has no nbgrader_config.py): "
                  "run this where `make nbgrader` wrote the course, or give --course-dir", file=sys.stderr)
            return 2
        code, lines = autograde(args.assignment, course_dir, args.jobs, tuple(options))
        print("\n".join(lines) if lines else "every submission graded")
        return code
    parser = argparse.ArgumentParser(prog="python -m track2.tools.nbgrader_course",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--course-dir", default=str(COURSE_DIR), help="the nbgrader course directory to write")
    args = parser.parse_args(argv)
    try:
        releases = generate(Path(args.course_dir))
    except BuildError as error:
        print(f"make nbgrader: {error}", file=sys.stderr)
        return 1
    for release in releases:
        print(f"release: {release}")
    print(f"nbgrader course directory: {Path(args.course_dir).resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
