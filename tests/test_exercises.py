"""One source per exercise set: the student notebooks in exercises/ are exactly what the
generator makes (no solutions in them), and the instructor versions run and pass every check.
Grading a class is nbgrader's job: tests/test_nbgrader.py."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, toc_documents
from track2 import checks
from track2.questions import SETS, quick_checks
from track2.tools import exercises
from track2.tools.setup_cell import repository_settings, setup_source

SOURCES = exercises.sources()
IDS = [s.stem for s in SOURCES]


def text_of(nb) -> str:
    return "\n".join(cell.source for cell in nb.cells)


def is_tagged_solution(cell) -> bool:
    return "solution" in cell.metadata.get("tags", [])


# --------------------------------------------------------------------------- #
# Reading the sources (jupytext) and taking the solutions out (nbconvert)

SAMPLE = """---
kernelspec:
  name: python3
  display_name: Python 3
---

# Title

Some text.

```{code-cell} ipython3
answer = ...
```

```{code-cell} ipython3
:tags: [remove-input, solution]
answer = 42
```

+++ {"tags": ["solution"]}

:::{solution} a
A model answer.
:::

+++

Closing text.
"""
HINT_BLOCK = ":::{admonition} Hint: how to approach it\n:class: hint dropdown\n\nCount the rows.\n:::\n"
HINTED = f"""# Title

:::{{exercise}} A task
:label: x99-task

How many?
:::

{HINT_BLOCK}
```{{code-cell}} ipython3
answer = ...  # your answer
```

```{{code-cell}} ipython3
:tags: [solution]
answer = 42
```
"""
SAMPLE_CELLS = [
    ("markdown", "# Title\n\nSome text.", {}),
    ("code", "answer = ...", {}),
    ("code", "answer = 42", {"tags": ["remove-input", "solution"]}),
    ("markdown", ":::{solution} a\nA model answer.\n:::", {"tags": ["solution"]}),
    ("markdown", "Closing text.", {}),
]


def test_a_source_reads_as_markdown_code_and_metadata_cells():
    cells = exercises.read_source(SAMPLE).cells
    assert [(c.cell_type, c.source, c.metadata) for c in cells] == SAMPLE_CELLS


def test_solutions_go_into_the_instructor_version_only(tmp_path):
    source = tmp_path / "99-sample.md"
    source.write_text(SAMPLE, encoding="utf-8")
    setup = setup_source(*repository_settings())
    student = exercises.build(source, "student")
    assert [c.source for c in student.cells] == ["# Title\n\nSome text.", setup, "answer = ...", "Closing text."]
    assert [c.id for c in student.cells] == [f"99-sample-{n:02d}" for n in range(4)]
    assert student.metadata["track2"] == {"source": "exercises/source/99-sample.md", "version": "student"}
    instructor = exercises.build(source, "instructor")
    banner = exercises.INSTRUCTOR_BANNER.format(name="99-sample")
    assert [c.source for c in instructor.cells] == ["# Title\n\nSome text.", setup, banner,
                                                   *(text for _, text, _ in SAMPLE_CELLS[1:])]
    assert instructor.metadata["track2"]["version"] == "instructor"


CODE_FENCE = re.compile(r"^```\{code-cell\}", flags=re.M)
SOLUTION_MARKER = re.compile(r"""^(\+\+\+ *\{.*"solution".*\}|:tags:.*\bsolution\b)""", flags=re.M)
# what may stand between cells in a source: cell breaks, code fences and code-cell options
CELL_SYNTAX = re.compile(r"(\+\+\+.*|```\{code-cell\}.*|```|:\w+:.*)")


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_jupytext_gives_every_cell_of_a_source_in_order(source):
    """Each cell's text stands in the source in order; between them only cell syntax; one code
    cell per code fence and one solution cell per solution tag, so nothing is lost or merged."""
    text = source.read_text(encoding="utf-8")
    cells = exercises.read_source(text).cells
    assert sum(c.cell_type == "code" for c in cells) == len(CODE_FENCE.findall(text))
    assert sum(map(is_tagged_solution, cells)) == len(SOLUTION_MARKER.findall(text)) > 0
    body = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    position, between = 0, []
    for cell in cells:
        found = body.find(cell.source, position)
        assert found >= 0, f"not in the source after the cell before it: {cell.source[:80]!r}"
        between.append(body[position:found])
        position = found + len(cell.source)
    between.append(body[position:])
    stray = [line for gap in between for line in gap.splitlines()
             if line.strip() and not CELL_SYNTAX.fullmatch(line.strip())]
    assert not stray, f"source lines in no cell: {stray}"


# --------------------------------------------------------------------------- #
# Sources and student notebooks


def test_one_exercise_set_per_chapter():
    assert IDS == sorted(SETS), (
        f"exercises/source/ has the sets {IDS}, track2/questions.py's SETS {sorted(SETS)}: every set is in SETS, "
        "under its file's name, with the function of its quick checks computed from the data (CONTRIBUTING.md, recipe 4)")
    chapters = sorted(d.split("/")[-1] for d in toc_documents() if d.startswith("book/chapters/"))
    assert IDS == chapters, (
        f"the chapters in _toc.yml are {chapters}, the exercise sets {IDS}: each chapter has the set "
        "exercises/source/<chapter's name>.md (CONTRIBUTING.md, recipes 1 and 4)")


def test_student_notebooks_are_exactly_what_the_sources_produce():
    assert exercises.stale() == [], "run `make exercises` and commit exercises/*.ipynb"
    assert exercises.main(["--check"]) == 0


def test_the_freshness_check_notices_drift(tmp_path):
    out = tmp_path / "out"
    exercises.write("student", out)
    assert exercises.stale(out_dir=out) == []
    path = out / f"{IDS[0]}.ipynb"
    path.write_text(path.read_text(encoding="utf-8").replace("Quick checks", "Quick questions"), encoding="utf-8")
    (out / "99-orphan.ipynb").write_text("{}", encoding="utf-8")
    assert exercises.stale(out_dir=out) == [f"{IDS[0]}.ipynb: differs from its source",
                                            "99-orphan.ipynb: has no source in " + str(exercises.SOURCE_DIR)]


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_student_notebook_has_no_solution_cell_and_no_solution_text(source):
    """Checked against the source's own solution cells: no cell tagged solution, and no line of a
    solution (that is not also in a cell students see) anywhere in the committed student notebook."""
    student = nbformat.read(ROOT / "exercises" / f"{source.stem}.ipynb", as_version=4)
    assert student.metadata["track2"]["version"] == "student"
    assert not [c.id for c in student.cells if is_tagged_solution(c)]
    cells = exercises.read_source(source.read_text(encoding="utf-8")).cells
    solutions = [c for c in cells if is_tagged_solution(c)]
    assert {c.cell_type for c in solutions} == {"code", "markdown"}, "solution code and model answers"
    shown = {line.strip() for c in cells if not is_tagged_solution(c) for line in c.source.splitlines()}
    student_lines = {line.strip() for c in student.cells for line in c.source.splitlines()}
    for cell in solutions:
        own = {line.strip() for line in cell.source.splitlines()} - shown - {""}
        assert own, f"a solution cell with no line of its own: {cell.source[:80]!r}"
        assert not own & student_lines, f"solution text in the student notebook: {sorted(own & student_lines)}"
    assert "Instructor version" not in text_of(student)


@pytest.mark.parametrize("source", SOURCES, ids=IDS)
def test_every_set_has_quick_checks_data_tasks_and_reflections(source):
    student = exercises.build(source, "student")
    instructor = exercises.build(source, "instructor")
    text = text_of(student)
    # every quick check of the set is shown, and nothing else is asked for
    shown = set(re.findall(r'quiz\["([\w-]+)"\]', text))
    assert shown == set(quick_checks(source.stem)), "show every quick check of the set, once"
    assert f'quick_checks("{source.stem}", data)' in text
    # data tasks: an unanswered placeholder, a checker call, and a solution for the instructor
    calls = re.findall(r"checks\.(\w+)\(", text)
    assert calls and set(calls) <= set(checks.CHECKERS)
    assert re.search(r"^\w+ = \.\.\.", text, flags=re.M), "a placeholder answer students replace"
    assert any(c.cell_type == "code" and is_tagged_solution(c) for c in instructor.cells)
    # sphinx-exercise boxes: data tasks (each with a hint students see) and reflections (each with
    # a collapsed model answer in the instructor version only)
    labels = re.findall(r"^:::\{exercise\}.*\n:label: (\S+)", text_of(instructor), flags=re.M)
    solved = re.findall(r"^:::\{solution\} (\S+)\n:class: dropdown", text_of(instructor), flags=re.M)
    tasks = exercises.data_task_hints(student)
    assert len(tasks) == len(calls) >= 1, "one exercise box per data task, before its answer cell"
    reflections = [label for label in labels if label not in tasks]
    assert len(reflections) >= 2 and all(re.search(r"-r\d$", label) for label in reflections)
    assert sorted(solved) == sorted(reflections), "a model answer for every reflection, and nothing else"
    for label in reflections:  # model answers are instructor-only
        assert f":::{{solution}} {label}" not in text
    assert not re.search(r"^:+\{solution\}", text, flags=re.M), "no {solution} box reaches students"
    unhinted = [label for label, hinted in tasks.items() if not hinted]
    assert not unhinted, (f"{source.name}: data task(s) {unhinted} have no hint. Between the task's "
                          f":::{{exercise}} box and its answer cell, write\n{exercises.HINT_FORM}")


def test_a_data_task_without_a_hint_is_found(tmp_path):
    hinted = exercises.read_source(HINTED)
    assert exercises.data_task_hints(hinted) == {"x99-task": True}
    bare = exercises.read_source(HINTED.replace(HINT_BLOCK, ""))
    assert exercises.data_task_hints(bare) == {"x99-task": False}
    # a hint under another title, or not folded, is not the course's hint
    assert exercises.data_task_hints(exercises.read_source(
        HINTED.replace(":class: hint dropdown", ":class: hint"))) == {"x99-task": False}


def test_a_solution_box_students_would_see_is_refused(tmp_path):
    """The old form of a hint (an untagged `:::{solution}` box, titled "Solution to Exercise N.M"
    in the book) stops the build of both versions, saying how to write a hint instead."""
    source = tmp_path / "99-sample.md"
    source.write_text(HINTED.replace(HINT_BLOCK, ":::{solution} x99-task\n:class: dropdown\n\nDo this.\n:::\n"),
                      encoding="utf-8")
    for version in ("student", "instructor"):
        with pytest.raises(ValueError, match=r"(?s)would reach students \('(:::\{solution\} x99-task)'\)"
                                             r".*:::\{admonition\} Hint: how to approach it\n:class: hint dropdown"):
            exercises.build(source, version)
    source.write_text(HINTED, encoding="utf-8")
    assert text_of(exercises.build(source, "student")).count("Hint: how to approach it") == 1


def test_every_checker_is_used_by_some_exercise_set():
    used = set()
    for source in SOURCES:
        used |= set(re.findall(r"checks\.(\w+)\(", source.read_text(encoding="utf-8")))
    assert used == set(checks.CHECKERS), (
        f"checkers no exercise source calls: {sorted(set(checks.CHECKERS) - used)}; calls of no checker in "
        f"track2/checks.py: {sorted(used - set(checks.CHECKERS))}")


def test_exercise_notebooks_are_in_the_book():
    for stem in IDS:
        assert f"exercises/{stem}" in toc_documents(), (
            f"_toc.yml does not list exercises/{stem}: add it as a section of its chapter (CONTRIBUTING.md, recipe 1)")


def test_instructor_text_copies_nothing_and_defines_every_term_and_citation():
    from test_text import bib_keys, essay_runs, glossary_terms, runs

    for source in SOURCES:
        text = text_of(exercises.build(source, "instructor"))
        copied = sorted(run for h, run in runs(text).items() if h in essay_runs())
        assert not copied, f"{source.name} repeats the essay: {copied}"
        terms = {m.split("<")[-1].rstrip(">").strip().lower() for m in re.findall(r"\{term\}`([^`]+)`", text)}
        assert terms <= glossary_terms(), f"{source.name}: undefined terms {terms - glossary_terms()}"
        keys = {k.strip() for m in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text) for k in m.split(",")}
        assert keys <= bib_keys(), f"{source.name}: unknown citation keys {keys - bib_keys()}"


def test_makefile_and_readme_document_the_instructor_command():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^instructor:.*\n\t.*-m track2\.tools\.exercises --instructor _build/instructor",
                     makefile, flags=re.M)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make instructor" in readme and "_build/instructor" in readme


# --------------------------------------------------------------------------- #
# Running both versions: each notebook once per test run
#
# `executed` runs a notebook the first time a test asks for it and hands every later test the
# same executed notebook (all the tests that read one live in this file, so `--dist loadfile`
# keeps them on one worker). nbval does not run the student versions a second time (pytest.ini's
# testpaths leave exercises/ out): `pytest --nbval-lax` fails a notebook exactly when one of its
# cells raises, which is when NotebookClient's execute() raises here, as long as no cell carries
# an nbval marker (test_no_exercise_notebook_asks_nbval_for_more_than_running_its_cells). nbval
# itself runs an exercise set inside the student tree (tests/test_student_tree.py), the
# notebooks/ folder (testpaths) and the Colab and launch environments (test_colab.py,
# test_launch.py).


@pytest.fixture(scope="module")
def instructor_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("instructor")
    paths = exercises.write("instructor", out)
    assert [p.stem for p in paths] == IDS
    return out


_EXECUTED: dict[Path, nbformat.NotebookNode | BaseException] = {}


def executed(path: Path) -> nbformat.NotebookNode:
    """``path`` run top to bottom in a fresh kernel, in its own folder; raises (as NotebookClient
    does: CellExecutionError, naming the cell) on any error. Once per test run: a later call gets
    the same executed notebook, or the same error."""
    from nbclient import NotebookClient

    if path not in _EXECUTED:
        nb = nbformat.read(path, as_version=4)
        try:
            NotebookClient(nb, timeout=120, kernel_name="python3",
                           resources={"metadata": {"path": str(path.parent)}}).execute()
            _EXECUTED[path] = nb
        except Exception as error:  # noqa: BLE001 - kept, and raised again to every caller
            _EXECUTED[path] = error
    result = _EXECUTED[path]
    if isinstance(result, BaseException):
        raise result
    return result


@pytest.mark.slow  # starts a kernel
@pytest.mark.parametrize("stem", IDS)
def test_instructor_version_runs_and_passes_every_check(instructor_dir, stem):
    nb = executed(instructor_dir / f"{stem}.ipynb")
    results = exercises.check_results(nb)
    calls = re.findall(r"checks\.(\w+)\(", text_of(nb))
    assert [check for check, _ in results] == calls, "every check ran and showed its verdict"
    assert all(status == "correct" for _, status in results), results
    assert nb.metadata["track2"]["version"] == "instructor"


@pytest.mark.slow  # starts a kernel
@pytest.mark.parametrize("stem", IDS)
def test_student_version_runs_with_every_task_unanswered(stem):
    nb = executed(ROOT / "exercises" / f"{stem}.ipynb")
    results = exercises.check_results(nb)
    assert results and all(status == "unanswered" for _, status in results), results
    widgets = [o for c in nb.cells for o in c.get("outputs", [])
               if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) == len(quick_checks(stem)), "every quick check renders as a widget"


#: what nbval reads in a notebook beyond "run every cell": comment markers and cell tags
NBVAL_MARKERS = re.compile(r"#\s*NBVAL_\w+|\bnbval-\w+|\braises-exception\b", flags=re.I)


@pytest.mark.parametrize("version", ["student", "instructor"])
def test_no_exercise_notebook_asks_nbval_for_more_than_running_its_cells(version):
    """So running it once here gives nbval's verdict: an nbval marker in an exercise would need
    the notebook run under nbval again (tests/test_student_tree.py shows how)."""
    for source in SOURCES:
        nb = exercises.build(source, version)
        marked = [(i, cell.source[:60]) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
                  and (NBVAL_MARKERS.search(cell.source) or NBVAL_MARKERS.search(" ".join(cell.metadata.get("tags", []))))]
        assert not marked, (f"{source.name} ({version} version) has cells with nbval markers: {marked}. The tests run "
                            "each exercise notebook once with NotebookClient, which ignores them")


def test_the_marker_finder_sees_an_nbval_marker():
    assert NBVAL_MARKERS.search("x = 1  # NBVAL_CHECK_OUTPUT") and NBVAL_MARKERS.search("nbval-skip")
    assert NBVAL_MARKERS.search("raises-exception") and not NBVAL_MARKERS.search("remove-input solution")


def test_the_hand_written_grader_is_gone(capsys):
    """Grading is nbgrader's (tests/test_nbgrader.py); the old `--grade` option is refused."""
    with pytest.raises(SystemExit) as stop:
        exercises.main(["--grade", "submitted.ipynb"])
    assert stop.value.code == 2 and "unrecognized arguments: --grade" in capsys.readouterr().err
    assert not hasattr(exercises, "grade")


def test_points_for_grading_stay_out_of_student_and_instructor_versions(tmp_path):
    source = tmp_path / "99-sample.md"
    source.write_text(SAMPLE.replace("```{code-cell} ipython3\nanswer = ...", "```{code-cell} ipython3\n:points: 2\n"
                                     "answer = ..."), encoding="utf-8")
    assert exercises.read_source(source.read_text(encoding="utf-8")).cells[1].metadata == {"points": 2}
    for version in ("student", "instructor"):
        assert not [c for c in exercises.build(source, version).cells if "points" in c.metadata]



def test_student_notebooks_link_the_book_by_its_published_address():
    """A released or downloaded notebook stands alone: ``../book/...`` is not beside it, so its
    links to the book's pages go to the published book (the build makes them relative again:
    tests/test_site_pages.py)."""
    from track2.tools.setup_cell import published_book_address

    address = published_book_address()
    assert address.startswith("https://")
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "markdown")
        assert not re.search(r"\]\((?:\.\./|\./)?(?:book|notebooks|exercises)/", text), f"{path.name}: a relative link"
        assert f"]({address}book/chapters/{path.stem}.html)" in text, f"{path.name}: no link to its chapter"


def test_links_to_the_book_are_rewritten_and_others_left_alone():
    link = exercises.links_to_published_book
    assert link("See [Chapter 3](../book/chapters/03-symbiosis.md#pairs).", "https://x.org/c/") == (
        "See [Chapter 3](https://x.org/c/book/chapters/03-symbiosis.html#pairs).")
    assert link("[a](../notebooks/pair-explorer.ipynb)", "https://x.org/") == "[a](https://x.org/notebooks/pair-explorer.html)"
    for other in ("[a](https://example.org/a.md)", "[b](data/README.md)", "{cite:p}`feng2018track2`"):
        assert link(other, "https://x.org/") == other
    assert link("[a](../book/intro.md)", "") == "[a](../book/intro.md)", "no published address: left as it is"


def test_cross_references_become_links_to_the_published_book():
    """{doc}, {term} and {ref} need Sphinx; a notebook opened on its own gets plain links
    (titles and anchors as the book gives them), and a reference to nothing fails, naming it."""
    from track2.tools.book_links import BookLinkError, page_title, term_anchor

    link = exercises.links_to_published_book
    address = "https://x.org/c/"
    assert link("See {doc}`/book/glossary`.", address) == "See [Glossary](https://x.org/c/book/glossary.html)."
    assert link("{doc}`chapter 3 <../book/chapters/03-symbiosis>`", address) == (
        "[chapter 3](https://x.org/c/book/chapters/03-symbiosis.html)")
    assert page_title("book/chapters/03-symbiosis") == "Symbiosis: how the two tracks worked together"
    assert link("the {term}`Jaccard index`", address) == (
        "the [Jaccard index](https://x.org/c/book/glossary.html#term-Jaccard-index)")
    assert link("{term}`transfers <idea transfer>`", address) == (
        "[transfers](https://x.org/c/book/glossary.html#term-idea-transfer)")
    assert term_anchor("Track 1.5") == "term-Track-1.5" and term_anchor("ASEAN Way") == "term-ASEAN-Way"
    assert link("{ref}`glossary-page`", address) == "[Glossary](https://x.org/c/book/glossary.html#glossary-page)"
    for wrong, named in (("{term}`Track 4`", "Track 4"), ("{doc}`/book/nowhere`", "book/nowhere"),
                         ("{ref}`no-such-label`", "no-such-label")):
        with pytest.raises(BookLinkError, match=re.escape(named)):
            link(wrong, address)


#: Markup only the book's build resolves: dead (shown as raw text or an empty link) in a
#: notebook opened on its own in JupyterLab, on Binder or Colab, or as a released assignment.
BOOK_ONLY_MARKUP = re.compile(r"\{(?:doc|ref|term|numref|eq|glue|glue:\w+|cite|cite:\w+)\}`|"
                              r"\]\((?:\.\./|\./)?(?:book|notebooks|exercises)/")


@pytest.mark.parametrize("path", sorted([*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "exercises").glob("*.ipynb")]),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebooks_opened_on_their_own_have_no_dead_book_markup(path):
    nb = nbformat.read(path, as_version=4)
    dead = [(number, match.group(0)) for number, cell in enumerate(nb.cells) if cell.cell_type == "markdown"
            for match in BOOK_ONLY_MARKUP.finditer(cell.source)]
    assert not dead, (f"{path.relative_to(ROOT)}: markup that only the book resolves, dead in a notebook opened on "
                      f"its own (cell, markup): {dead}; run `make notebook-setup` (links) or write it out")
