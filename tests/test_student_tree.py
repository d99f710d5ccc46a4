"""Nothing graded reaches students (issue 23): the public repository gets the student-safe tree
(track2.tools.student_tree), which holds no exercise source, test or benchmark and no line of a
solution, model answer or rubric; it installs with pip, runs its notebooks, commits, and is
published on top of the public history. The built book and the package's wheel are scanned
too."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import ROOT
from track2.tools import exercises, student_tree
from track2.tools.nbgrader_course import SHAREABLE
from track2.tools.setup_cell import repository_settings

SETS = [source.stem for source in exercises.sources()]
SECRETS = student_tree.secrets()
PIP = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index"]


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("student") / "tree"
    written = student_tree.build(out)
    assert written == sorted(written) and len(written) > 50
    return out


def files_of(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def copy_of(tree: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(tree, copy, symlinks=True)
    return copy


# --------------------------------------------------------------------------- #
# What the tree holds


def test_the_tree_is_every_tracked_file_but_what_only_instructors_may_hold(tree):
    tracked = student_tree.tracked_files()
    kept = [name for name in tracked if student_tree.instructor_only(name) is None]
    assert files_of(tree) == kept
    left_out = set(tracked) - set(kept)
    assert {f"exercises/source/{s}.md" for s in SETS} <= left_out
    assert [n for n in kept if n.startswith("exercises/source/")] == [f"exercises/source/{s}.questions.yml"
                                                                      for s in SETS]
    assert student_tree.instructor_only("exercises/source/drafts/answers.txt"), "the sources' folder: deny by default"
    assert not [n for n in kept if n.startswith(("tests/", "bench/", ".ci/", ".github/")) or
                re.fullmatch(r"exercises/source/.*\.md", n)]
    # what the launch paths need: the quick checks the runtime reads, the student notebooks,
    # Binder's files (postBuild still executable), the package and its data
    for name in SETS:
        assert (tree / "exercises" / "source" / f"{name}.questions.yml").is_file()
        assert (tree / "exercises" / f"{name}.ipynb").is_file()
    for name in ("requirements.txt", "runtime.txt", "pyproject.toml", "_config.yml", "data/datapackage.json",
                 "deploy/image/requirements.txt", "track2/checks.py"):
        assert (tree / name).is_file(), name
    assert (tree / "postBuild").stat().st_mode & 0o111, "postBuild must stay executable for Binder"


def test_every_line_of_every_solution_model_answer_and_rubric_is_a_secret():
    """The scan knows every line of every cell tagged solution (solution code, the model answers
    and their rubrics) that says anything, for every set."""
    for source in exercises.sources():
        cells = exercises.read_source(source.read_text(encoding="utf-8")).cells
        tagged = [c for c in cells if "solution" in c.metadata.get("tags", [])]
        lines = {line.strip() for c in tagged for line in c.source.splitlines()}
        telling = {line for line in lines if not SHAREABLE.match(line) and not student_tree.ALIAS.match(line)}
        assert telling <= SECRETS.lines, source.name
        assert sum(line.startswith("**Rubric.**") for line in telling) >= 2, f"{source.name}: the rubrics"
        assert sum(line.startswith("**Model answer.**") for line in telling) >= 2, f"{source.name}: model answers"
    assert len(SECRETS.labels) == 2 * len(SETS), "the model answer label of every reflection"


def test_no_file_of_the_tree_contains_a_secret_line(tree):
    """Checked here without the scan's own reading: every line of every text file, and every
    line of every notebook cell, against the secret lines; then the scan agrees."""
    shown = []
    for path in sorted(p for p in tree.rglob("*") if p.is_file()):
        if path.suffix == ".ipynb":
            nb = nbformat.read(path, as_version=4)
            lines = [line for cell in nb.cells for line in cell.source.splitlines()]
            assert not [c for c in nb.cells if "solution" in c.metadata.get("tags", [])], path
        else:
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except UnicodeDecodeError:
                continue
        shown += [f"{path.relative_to(tree)}: {line.strip()}" for line in lines if line.strip() in SECRETS.lines]
    assert shown == []
    assert student_tree.scan(tree) == []


MODEL_ANSWER = next(line for line in sorted(SECRETS.lines) if line.startswith("**Model answer.**"))
RUBRIC = next(line for line in sorted(SECRETS.lines) if line.startswith("**Rubric.**"))
CODE = next(line for line in sorted(SECRETS.lines) if re.match(r"^\w+ = \S", line) and "**" not in line)
# a sentence of a model answer as the book renders it: markup gone, citations as links
RENDERED = re.sub(r"\{cite:p\}`[^`]*`", '<a href="#">(Feng 2019)</a>', MODEL_ANSWER.split("**", 2)[2]).replace("`", "")


def plant_in_notebook(path: Path, text: str, **metadata) -> int:
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell(text, metadata=metadata))
    nbformat.write(nb, path)
    return len(nb.cells)


PLANTS = {
    # where, what is written, what the scan must say
    "model answer in a chapter": ("book/chapters/03-symbiosis.md", MODEL_ANSWER, "model answer or rubric"),
    "rubric in the README": ("README.md", RUBRIC, "model answer or rubric"),
    "solution code in a module": ("track2/analysis.py", "    " + CODE, "solution, model answer or rubric line"),
    "rendered sentence in a page": ("book/page.html", f"<p>As we saw, <em>{RENDERED}</em></p>", "text of a solution"),
    "a model answer box": ("notebooks/notes.md", ":::{solution} x03-r1\n:class: dropdown\n:::", "model answer box"),
    "an nbgrader marker": ("data/README.md", "### BEGIN SOLUTION", "nbgrader marker"),
}


@pytest.mark.parametrize("plant", PLANTS, ids=list(PLANTS))
def test_the_scan_fails_on_a_planted_secret_naming_file_and_line(tree, tmp_path, plant):
    name, text, said = PLANTS[plant]
    copy = copy_of(tree, tmp_path)
    path = copy / name
    before = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    path.write_text("\n".join([*before, text, ""]), encoding="utf-8")
    problems = student_tree.scan(copy)
    assert problems and all(p.startswith(f"{name}: line {len(before) + 1}: ") for p in problems), problems
    assert said in problems[0]


def test_the_scan_reads_notebooks_cells_and_tags(tree, tmp_path):
    copy = copy_of(tree, tmp_path)
    cell = plant_in_notebook(copy / "exercises" / "01-tracks.ipynb", f"Some text.\n{MODEL_ANSWER}")
    assert student_tree.scan(copy) == [f"exercises/01-tracks.ipynb: cell {cell}, line 2: a solution, model answer "
                                       f"or rubric line: {MODEL_ANSWER[:80]!r}"]
    copy = copy_of(tree, tmp_path / "again")
    cell = plant_in_notebook(copy / "notebooks" / "institutions.ipynb", "Harmless.", tags=["solution"])
    assert student_tree.scan(copy) == [f"notebooks/institutions.ipynb: cell {cell}: a cell tagged 'solution'"]


def git_repository(files: dict[str, str], folder: Path) -> Path:
    """A git repository holding ``files`` (added, not committed: ls-files lists them)."""
    folder.mkdir(parents=True)
    subprocess.run(["git", "init", "--quiet"], cwd=folder, check=True)
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    subprocess.run(["git", "add", "--all"], cwd=folder, check=True)
    return folder


def test_a_build_that_would_leak_fails_naming_file_and_line_and_writes_nothing(tree, tmp_path):
    files = {name: (tree / name).read_text(encoding="utf-8") for name in ("README.md", "_config.yml")}
    files["book/chapters/03-symbiosis.md"] = f"# Symbiosis\n\nText.\n\n{MODEL_ANSWER}\n"
    files["tests/test_x.py"] = f"# {RUBRIC}\n"  # left out of the tree: no problem
    repo = git_repository(files, tmp_path / "authoring")
    out = tmp_path / "out"
    with pytest.raises(student_tree.LeakError,
                       match=r"book/chapters/03-symbiosis\.md: line 5: a solution, model answer"):
        student_tree.build(out, repo=repo, folder=exercises.SOURCE_DIR)
    assert not out.exists()
    del files["book/chapters/03-symbiosis.md"]
    clean = git_repository(files, tmp_path / "clean")
    assert student_tree.build(out, repo=clean, folder=exercises.SOURCE_DIR) == ["README.md", "_config.yml"]


def test_the_build_empties_only_an_earlier_student_tree(tree, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(FileExistsError, match="not a student tree"):
        student_tree.build(other)
    assert (other / "notes.txt").read_text(encoding="utf-8") == "mine"
    authoring = copy_of(tree, tmp_path / "authoring")  # looks like a checkout with its sources
    (authoring / "exercises" / "source" / "01-tracks.md").write_text("# source", encoding="utf-8")
    with pytest.raises(FileExistsError):
        student_tree.build(authoring)
    assert (authoring / "exercises" / "source" / "01-tracks.md").is_file()
    again = copy_of(tree, tmp_path / "again")
    (again / "stale.txt").write_text("from an older tree", encoding="utf-8")
    student_tree.build(again)
    assert files_of(again) == files_of(tree)


# --------------------------------------------------------------------------- #
# The tree works as the launch repository


@pytest.fixture(scope="module")
def installed(tree, tmp_path_factory) -> Path:
    """``pip install`` of a copy of the tree (as repo2docker runs ``pip install .``; a copy,
    because pip builds in place), into a folder put first on PYTHONPATH."""
    work = tmp_path_factory.mktemp("install")
    shutil.copytree(tree, work / "src", symlinks=True)
    subprocess.run([*PIP, "--target", str(work / "site"), str(work / "src")], check=True, capture_output=True)
    return work / "site"


WHERE = ("import track2, track2.data, track2.questions; "
         "print(track2.__file__); print(track2.data.data_dir()); print(track2.questions.questions_dir())")


def python_in(folder: Path, site: Path, code: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", code], cwd=folder, capture_output=True, text=True,
                            env={"PATH": str(Path(sys.executable).parent), "PYTHONPATH": str(site)})
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_the_tree_installs_with_pip_and_reads_its_files(tree, installed, tmp_path):
    course = installed / "track2" / "_course"
    shipped = sorted(p.relative_to(course / "exercises" / "source").as_posix()
                     for p in (course / "exercises" / "source").iterdir() if p.is_file())
    assert shipped == [f"{name}.questions.yml" for name in SETS]
    # inside the tree (Binder, a hub copy): the installed package reads the tree's own files
    package, data, questions = python_in(tree / "notebooks", installed, WHERE)
    assert Path(package).is_relative_to(installed)
    assert (Path(data), Path(questions)) == (tree / "data", tree / "exercises" / "source")
    # outside any copy (Colab): the package's own copy of the data and quick checks
    package, data, questions = python_in(tmp_path, installed, WHERE)
    assert (Path(data), Path(questions)) == (course / "data", course / "exercises" / "source")
    assert python_in(tmp_path, installed, "from track2.questions import quick_checks; "
                     f"print(len(quick_checks({SETS[2]!r})))") != ["0"]


@pytest.mark.slow  # starts kernels
def test_a_notebook_and_an_exercise_set_run_under_nbval_inside_the_tree(tree, installed):
    notebooks = ["notebooks/institutions.ipynb", f"exercises/{SETS[2]}.ipynb"]
    result = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-p", "no:cacheprovider", "-p", "no:xdist",
                             "-q", *notebooks], cwd=tree, capture_output=True, text=True, timeout=600,
                            env={"PATH": str(Path(sys.executable).parent), "PYTHONPATH": str(installed),
                                 "HOME": str(installed.parent)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert re.search(r"\d+ passed", result.stdout) and "failed" not in result.stdout


def git(*args: str, cwd: Path) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout


def test_the_tree_commits_as_a_new_repository(tree, tmp_path):
    copy = copy_of(tree, tmp_path)
    git("init", "--quiet", "-b", "main", cwd=copy)
    git("add", "--all", cwd=copy)
    git("commit", "--quiet", "-m", "Student tree", cwd=copy)
    assert git("ls-files", cwd=copy).split() == files_of(tree)
    assert git("status", "--porcelain", cwd=copy) == ""


def test_publishing_adds_one_commit_on_top_of_the_public_history(tree, tmp_path):
    """What the workflow's push does, against a local bare repository: the first publication
    creates the branch; an unchanged tree pushes nothing; a changed tree is one new commit
    whose parent is the last one, so a student's clone (nbgitpuller's) pulls it as usual."""
    public = tmp_path / "public.git"
    git("init", "--quiet", "--bare", str(public), cwd=tmp_path)
    first = student_tree.publish(tree, str(public), "main", "first")
    assert first and git("rev-parse", "main", cwd=public).strip() == first
    student = tmp_path / "student"
    git("clone", "--quiet", "--branch", "main", str(public), str(student), cwd=tmp_path)  # as nbgitpuller does
    assert git("ls-files", cwd=student).split() == files_of(tree)
    (student / "notebooks" / "my-notes.md").write_text("a student's own file", encoding="utf-8")
    assert student_tree.publish(tree, str(public), "main", "same") is None
    changed = copy_of(tree, tmp_path / "changed")
    (changed / "LICENSE").unlink()
    (changed / "data" / "README.md").write_text("changed\n", encoding="utf-8")
    second = student_tree.publish(changed, str(public), "main", "second")
    assert git("rev-parse", f"{second}^", cwd=public).strip() == first
    git("pull", "--quiet", "--ff-only", cwd=student)
    assert not (student / "LICENSE").exists()
    assert (student / "data" / "README.md").read_text(encoding="utf-8") == "changed\n"
    assert (student / "notebooks" / "my-notes.md").is_file()
    # a tree that would leak is never pushed
    (changed / "README.md").write_text(RUBRIC, encoding="utf-8")
    with pytest.raises(student_tree.LeakError, match="not pushed"):
        student_tree.publish(changed, str(public), "main", "leak")
    assert git("rev-parse", "main", cwd=public).strip() == second


def test_the_push_address_is_the_ssh_form_of_the_configured_repository():
    url, _ = repository_settings()
    host, owner_name = url.rstrip("/").split("://", 1)[1].split("/", 1)
    assert student_tree.ssh_address(url) == f"git@{host}:{owner_name}.git"
    assert student_tree.ssh_address("https://gitlab.example.edu/course/track2.git") == \
        "git@gitlab.example.edu:course/track2.git"
    with pytest.raises(ValueError):
        student_tree.ssh_address("git@github.com:owner/name.git")


# --------------------------------------------------------------------------- #
# The other things students receive


def test_the_wheel_carries_no_exercise_source(tmp_path):
    """Built from every tracked file of this (authoring) repository, exercise sources included:
    the package's copy of the course (track2/_course) has the quick checks, never a source."""
    src = tmp_path / "src"
    student_tree.copy_files(ROOT, src, student_tree.tracked_files())
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "--wheel-dir", str(tmp_path / "wheel"), str(src)], check=True, capture_output=True)
    (wheel,) = (tmp_path / "wheel").glob("track2-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    course = [n for n in names if n.startswith("track2/_course/exercises/")]
    assert sorted(course) == [f"track2/_course/exercises/source/{s}.questions.yml" for s in SETS]
    assert not [n for n in names if n.endswith(".md") or n.startswith(("tests/", "bench/"))]


def test_the_built_book_shows_no_solution_model_answer_or_rubric(built_html, tmp_path):
    """Every page, the search index and every downloadable source (_sources, _downloads) of the
    built book; the scan reads rendered pages (a sentence of a model answer is caught inside
    markup) and notebooks cell by cell."""
    scanned = {p.relative_to(built_html).as_posix() for p in built_html.rglob("*") if p.is_file()}
    for name in SETS:
        assert {f"exercises/{name}.html", f"_sources/exercises/{name}.ipynb"} <= scanned
    assert "searchindex.js" in scanned
    assert student_tree.scan(built_html, SECRETS) == []
    # the same scan on a copy of a page with one rendered sentence of a model answer planted
    page = tmp_path / "page.html"
    lines = (built_html / "exercises" / f"{SETS[2]}.html").read_text(encoding="utf-8").splitlines()
    hint = next(n for n, line in enumerate(lines) if "Hint: how to approach it" in line)
    lines.insert(hint + 1, f"<p>{RENDERED}</p>")
    page.write_text("\n".join(lines), encoding="utf-8")
    assert [p.split(":")[0] for p in student_tree.scan(tmp_path, SECRETS)] == ["page.html"]


# --------------------------------------------------------------------------- #
# Documented and wired


WORKFLOW_FILE = ROOT / ".github" / "workflows" / "student-tree.yml"


def test_the_workflow_builds_scans_and_pushes_to_the_configured_repository():
    text = WORKFLOW_FILE.read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    url, branch = repository_settings()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    # published only after CI passed on the configured branch (or by hand), never on a bare push
    assert "push" not in triggers and "workflow_dispatch" in triggers
    assert triggers["workflow_run"] == {"workflows": ["CI"], "types": ["completed"], "branches": [branch]}
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    assert ci["name"] == "CI", "the workflow_run trigger names the CI workflow by its name"
    assert workflow["permissions"] == {"contents": "read"}
    (job,) = workflow["jobs"].values()
    assert "github.event.workflow_run.conclusion == 'success'" in job["if"]
    assert "github.event.workflow_run.head_sha" in job["steps"][0]["with"]["ref"], "check out the commit CI tested"
    runs = [step["run"] for step in job["steps"] if "run" in step]
    assert runs[0].strip() == "make student-tree"
    push = runs[1]
    assert re.search(r"-m track2\.tools\.student_tree _build/student-tree --push\b", push)
    assert "--remote" not in push and "--branch" not in push, "the address and branch come from _config.yml"
    assert url not in text, "the public repository's address is read from _config.yml, not written here"
    assert "secrets.STUDENT_REPO_DEPLOY_KEY" in text and "GIT_SSH_COMMAND" in push
    assert "--force" not in push and "push -f" not in push
    for once in ("Deploy keys", "Allow write access", "STUDENT_REPO_DEPLOY_KEY", "private"):
        assert once in text, f"the header says what the instructor sets up once: {once}"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^student-tree:.*\n\t\$\(PY\) -m track2\.tools\.student_tree _build/student-tree$",
                     makefile, flags=re.M)


def test_the_readme_and_contributing_describe_the_student_tree_and_hints():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### The student-safe repository"):]
    section = section[:section.index("\n### ", 5)]
    for needed in ("make student-tree", "_build/student-tree", "private", "repository.url", "nbgitpuller",
                   "Binder", "Colab", "STUDENT_REPO_DEPLOY_KEY", ".github/workflows/student-tree.yml",
                   "exercises/source/*.md", "*.questions.yml", "tests/", "bench/", ".ci/", ".github/"):
        assert needed in section, needed
    exercises_section = readme[readme.index("### Exercises"):readme.index("### Grading a class")]
    assert "Hint: how to approach it" in exercises_section and "student-safe" in exercises_section
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    recipe = contributing[contributing.index("## Recipe 4"):contributing.index("## Dependencies")]
    assert ":::{admonition} Hint: how to approach it" in recipe and ":class: hint dropdown" in recipe
    assert "student_tree" in recipe or "student-tree" in recipe
