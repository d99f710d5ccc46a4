"""One source per exercise set; a student version and an instructor version from it.

Sources live in ``exercises/source/<nn>-<name>.md`` as MyST notebooks, read by
jupytext (its "myst" format): markdown, ``+++`` between markdown cells
(``+++ {"tags": ["solution"]}`` gives the next one metadata), and code cells
fenced as ```` ```{code-cell} ipython3 ```` with an optional ``:tags: [...]`` line.
Cells tagged ``solution`` (solution code, model answers) appear only in the
instructor version; nbconvert's TagRemovePreprocessor takes them out of the
student version. The ``points`` a check cell or a model answer carries are for
grading (``track2.tools.nbgrader_course`` makes the nbgrader assignments from the
same sources) and are left out of both versions.

What students see and what they do not:

* a data task's hint is a folded MyST admonition right after the task, in both
  versions (the book shows it as a dropdown titled "Hint: how to approach it")::

      :::{admonition} Hint: how to approach it
      :class: hint dropdown

      Which table and function to start from, and what to watch for.
      :::

* a reflection's model answer, with its ``**Rubric.**`` paragraph, is a
  ``:::{solution} LABEL`` block in a markdown cell tagged ``solution``: instructors only.
  A ``{solution}`` block in a cell *not* tagged ``solution`` would reach students (and the
  book would title it "Solution to Exercise N.M"), so :func:`build` refuses it.

The whole folder ``exercises/source/*.md`` is for instructors only: the public,
student-safe repository is built without it (``track2.tools.student_tree``).

Usage::

    python -m track2.tools.exercises                      # write student notebooks to exercises/
    python -m track2.tools.exercises --check              # fail if exercises/ is out of date
    python -m track2.tools.exercises --instructor DIR     # also write instructor notebooks to DIR

Grading submitted notebooks is nbgrader's job: see ``track2.tools.nbgrader_course``
(``make nbgrader``).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import jupytext
import nbformat
from nbconvert.preprocessors import TagRemovePreprocessor

from track2.tools.book_links import links_to_published_book
from track2.tools.setup_cell import published_book_address, repository_settings, with_setup_cell

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIR = ROOT / "exercises" / "source"
STUDENT_DIR = ROOT / "exercises"
SOURCE_FORMAT = "md:myst"
SOLUTION_TAG = "solution"
#: Cell metadata that only the nbgrader build reads (track2.tools.nbgrader_course).
GRADING_METADATA = ("points",)
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}

#: A data task's hint (see the module docstring), and the form it must take in a source.
HINT_TITLE = "Hint: how to approach it"
HINT_FORM = (f":::{{admonition}} {HINT_TITLE}\n:class: hint dropdown\n\n"
             "What to look at first, and what to watch for.\n:::")
HINT = re.compile(rf"^:::\{{admonition\}} {re.escape(HINT_TITLE)}\n:class: hint dropdown$", flags=re.M)
EXERCISE = re.compile(r"^:::\{exercise\}.*\n:label: (\S+)", flags=re.M)
ANSWER_CELL = re.compile(r"^(\w+) = \.\.\.(\s*#.*)?$")
SOLUTION_BLOCK = re.compile(r"^:{3,}\{solution\}", flags=re.M)

INSTRUCTOR_BANNER = (
    "**Instructor version.** Generated from `exercises/source/{name}.md` by "
    "`python -m track2.tools.exercises --instructor DIR`. It contains the solutions and model "
    "answers (cells tagged `solution`): do not hand it to students. Every data task's "
    "check below should say ✓ Correct when the notebook is run top to bottom."
)


def read_source(text: str) -> nbformat.NotebookNode:
    """The notebook a MyST source describes (its front matter becomes notebook metadata)."""
    return jupytext.reads(text, fmt=SOURCE_FORMAT)


def data_task_hints(nb) -> dict[str, bool]:
    """``{label: has a hint}`` for every data task of a source notebook: an exercise followed
    by an answer cell (``name = ...``); its hint is a :data:`HINT` admonition between the two."""
    found, label, text = {}, None, ""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            starts = list(EXERCISE.finditer(cell.source))
            if starts:
                label, text = starts[-1].group(1), cell.source[starts[-1].start():]
            elif label is not None:
                text += "\n" + cell.source
        elif label is not None and ANSWER_CELL.match(cell.source.strip()):
            found[label] = bool(HINT.search(text))
            label = None
    return found


def untagged_solutions(nb) -> list[str]:
    """The opening line of every ``{solution}`` block in a cell not tagged ``solution``
    (it would reach students: a hint is a :data:`HINT` admonition, a model answer is tagged)."""
    return [line for cell in nb.cells if SOLUTION_TAG not in cell.metadata.get("tags", [])
            for line in cell.source.splitlines() if SOLUTION_BLOCK.match(line)]


def build(source: Path, version: str = "student") -> nbformat.NotebookNode:
    """The student or instructor notebook of one source file (no outputs, stable cell ids).

    Raises:
        ValueError: when a ``{solution}`` block sits in a cell not tagged ``solution``.
    """
    if version not in ("student", "instructor"):
        raise ValueError(f"version must be 'student' or 'instructor', not {version!r}")
    source = Path(source)
    nb = read_source(source.read_text(encoding="utf-8"))
    leaks = untagged_solutions(nb)
    if leaks:
        raise ValueError(f"{source.name}: a {{solution}} block in a cell not tagged 'solution' would reach "
                         f"students ({leaks[0]!r}). Write a hint as\n{HINT_FORM}\nor, for a model answer, "
                         "put '+++ {\"tags\": [\"solution\"], \"points\": 2}' on the line before it.")
    if version == "student":
        nb, _ = TagRemovePreprocessor(remove_cell_tags={SOLUTION_TAG}).preprocess(nb, {})
    else:
        nb.cells.insert(1, nbformat.v4.new_markdown_cell(INSTRUCTOR_BANNER.format(name=source.stem)))
    address = published_book_address()
    for cell in nb.cells:
        for key in GRADING_METADATA:
            cell.metadata.pop(key, None)
        if cell.cell_type == "markdown":
            cell.source = links_to_published_book(cell.source, address)
    # the hidden set-up cell every course notebook starts with (see track2.tools.setup_cell)
    with_setup_cell(nb, *repository_settings())
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"{source.stem}-{number:02d}"
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"},
                   "track2": {"source": f"exercises/source/{source.name}", "version": version}}
    nbformat.validate(nb)
    return nb


def sources(folder: Path = SOURCE_DIR) -> list[Path]:
    return sorted(Path(folder).glob("[0-9][0-9]-*.md"))


def render(nb) -> str:
    return nbformat.writes(nb) + "\n"


def write(version: str, out_dir: Path, folder: Path = SOURCE_DIR) -> list[Path]:
    """Write one notebook per source into ``out_dir``; return the paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sources(folder):
        path = out_dir / f"{source.stem}.ipynb"
        path.write_text(render(build(source, version)), encoding="utf-8")
        written.append(path)
    return written


def stale(folder: Path = SOURCE_DIR, out_dir: Path = STUDENT_DIR) -> list[str]:
    """Student notebooks that differ from what their sources produce (or are missing or orphaned)."""
    problems = []
    expected = {f"{s.stem}.ipynb": render(build(s, "student")) for s in sources(folder)}
    for name, text in expected.items():
        path = Path(out_dir) / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"{name}: differs from its source")
    for path in sorted(Path(out_dir).glob("*.ipynb")):
        if path.name not in expected:
            problems.append(f"{path.name}: has no source in {folder}")
    return problems


def check_results(nb) -> list[tuple[str, str]]:
    """(check, status) for every checker output shown in an executed notebook (what a student
    sees when running it; the tests use it). Not a grade: a grade comes from nbgrader."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/html", "")
            for check, status in re.findall(r"data-check='([^']+)' data-status='(\w+)'", text):
                found.append((check, status))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m track2.tools.exercises", description=__doc__.split("\n\n")[0])
    parser.add_argument("--instructor", metavar="DIR", help="also write instructor versions (with solutions) to DIR")
    parser.add_argument("--check", action="store_true", help="only check that exercises/ is up to date")
    args = parser.parse_args(argv)
    if args.check:
        problems = stale()
        for problem in problems:
            print(f"exercises/{problem}; run `python -m track2.tools.exercises`", file=sys.stderr)
        return 1 if problems else 0
    for path in write("student", STUDENT_DIR):
        print(f"student version:    {path.relative_to(ROOT)}")
    if args.instructor:
        for path in write("instructor", Path(args.instructor)):
            print(f"instructor version: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
