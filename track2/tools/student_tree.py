"""The student-safe tree: what the public course repository holds (``make student-tree``).

Students receive the repository that ``_config.yml``'s ``repository.url`` names: nbgitpuller
copies it into every hub student's home, Binder builds it, Colab's set-up cell and the hub
image (``deploy/image/requirements.txt``) pip-install the course package from it. The
instructors' *authoring* repository (this one) also holds what students must not see, so it
is kept private, and the public repository receives a tree built from it:

* every file git tracks (``git ls-files``), copied as it is (modes kept: ``postBuild`` stays
  executable), **except** what only instructors may hold (:data:`INSTRUCTOR_ONLY`): the
  exercise sources, all of ``exercises/source/`` (solution code, model answers, rubrics) but
  the quick checks' ``*.questions.yml``, which the runtime reads (:data:`STUDENT_SAFE`), ``tests/``
  (every data task's right answers, solutions for the nbgrader class test), ``bench/``
  (grades a class with the instructor's solutions) and the authoring repository's CI,
  ``.ci/`` and ``.github/`` (the workflows that publish the book and this tree);
* then every file of the result is scanned (:func:`scan`) for what only instructors may
  see, and the build fails, naming file and line, on any: a line of a solution, model answer
  or rubric (the lines :func:`track2.tools.nbgrader_course.secret_lines` gives for every
  exercise set, found as a whole line or, for a sentence, as a long piece of it, so that a
  rendered page or a notebook's JSON is caught too), a ``**Model answer.**`` or
  ``**Rubric.**`` paragraph, a ``{solution}`` box of a reflection, an nbgrader marker line,
  a notebook cell tagged ``solution`` or carrying nbgrader's solution metadata. The student
  notebooks must also match their sources (``track2.tools.exercises --check``).

The same scan checks the built book (``--scan _build/html``); ``make nbgrader`` checks the
released assignments itself.

Usage::

    python -m track2.tools.student_tree OUT            # build the tree into OUT, then scan it
    python -m track2.tools.student_tree OUT --push     # ... and commit it on top of the public
                                                       # repository's branch and push it
    python -m track2.tools.student_tree --scan DIR...  # only scan folders (the built book, say)

``--push`` clones the public repository (``--remote``, by default the SSH address of
``repository.url``; ``--branch``, by default ``repository.branch``), replaces its files with
the tree and pushes one new commit on top of its history (never a force push: nbgitpuller
merges each student's copy with the new commit), or nothing when the tree is unchanged.
``.github/workflows/student-tree.yml`` runs it on every push to main with a deploy key.
"""

from __future__ import annotations

import argparse
import fnmatch
import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from track2.tools.exercises import SOLUTION_TAG, SOURCE_DIR, read_source, sources, stale
from track2.tools.nbgrader_course import MARKER_WORDS, MODEL_ANSWER, RUBRIC, nbgrader_source, secret_lines
from track2.tools.setup_cell import repository_settings

ROOT = Path(__file__).resolve().parents[2]

#: What only instructors may hold, and why: a folder (ending in ``/``) or a pattern whose
#: ``*`` stays inside one folder. Everything else git tracks goes to the public repository.
INSTRUCTOR_ONLY = {
    "exercises/source/": "exercise sources: solution code, model answers and rubrics",
    "tests/": "tests: the right answer of every data task, solutions for the nbgrader class test",
    "bench/": "benchmark: grades a class made from the instructor's solutions",
    ".ci/": "the authoring repository's CI",
    ".github/": "the authoring repository's workflows (publishing the book and this tree)",
}
#: Exceptions to :data:`INSTRUCTOR_ONLY`: the quick checks, which the runtime reads
#: (``track2.questions``; pyproject's package-data ships them).
STUDENT_SAFE = ("exercises/source/*.questions.yml",)
#: A line that opens a model answer or a rubric, in a source or as MyST-NB renders it.
ANSWER_OPENINGS = ("**Model answer.**", RUBRIC, "Model answer.", "Rubric.")
#: A piece of a secret sentence this long (characters) found anywhere in a line is a leak.
PHRASE_LENGTH = 40
#: Solution lines that reveal nothing and that course code elsewhere writes too (the tree's
#: chapters and quick checks): an alias such as ``inst = data.institutions``. (Beyond those that
#: nbgrader_course's SHAREABLE already allows.)
ALIAS = re.compile(r"^\w+ = [\w.]+$")
MARKDOWN_MARKUP = re.compile(r"\{[\w:-]+\}`[^`]*`|\[[^\]]*\]\([^)]*\)|\*\*|`|(?<!\w)\*|\*(?!\w)")
TAG = re.compile(r"<[^>]*>")


class LeakError(Exception):
    """The student tree (or another student-facing output) holds what only instructors may see."""


@dataclass(frozen=True)
class Secrets:
    """What must not reach students: whole lines, long pieces of sentences, and the labels
    of the model answers (reflections), gathered from every exercise source."""

    lines: frozenset[str]
    phrases: frozenset[str]
    labels: frozenset[str]


def _normal(text: str) -> str:
    return " ".join(text.split())


def _phrases(line: str) -> set[str]:
    """The long runs of plain text in one secret line: what survives rendering it (markup,
    roles and citations split it; a code line is one run)."""
    return {_normal(run) for run in MARKDOWN_MARKUP.split(line) if len(_normal(run)) >= PHRASE_LENGTH}


def secrets(folder: Path = SOURCE_DIR) -> Secrets:
    """Every line only instructors may see, from every exercise source in ``folder``: the lines
    of :func:`track2.tools.nbgrader_course.secret_lines` for each set's nbgrader source and
    MyST cells."""
    lines, labels = set(), set()
    for source in sources(folder):
        cells = read_source(source.read_text(encoding="utf-8")).cells
        lines |= {line for line in secret_lines(nbgrader_source(source), cells) if not ALIAS.match(line)}
        for cell in cells:
            if SOLUTION_TAG in cell.metadata.get("tags", []) and cell.cell_type == "markdown":
                labels.update(MODEL_ANSWER.findall(cell.source))
    if not lines:
        raise LeakError(f"no solution lines found in {folder}: nothing to scan against")
    phrases = set().union(*map(_phrases, lines))
    return Secrets(frozenset(lines), frozenset(phrases), frozenset(labels))


# --------------------------------------------------------------------------- #
# Scanning


def _line_problems(line: str, found: Secrets, notebook: bool) -> list[str]:
    stripped = line.strip()
    text = _normal(html.unescape(TAG.sub("", stripped))) if "<" in stripped or "&" in stripped else _normal(stripped)
    problems = []
    if stripped in found.lines or text in found.lines:
        problems.append(f"a solution, model answer or rubric line: {stripped[:80]!r}")
    elif any(text.startswith(opening) for opening in ANSWER_OPENINGS):
        problems.append(f"a model answer or rubric: {text[:80]!r}")
    else:
        phrase = next((p for p in found.phrases if p in text), None)
        if phrase is not None:
            problems.append(f"text of a solution, model answer or rubric: {phrase[:80]!r}")
    label = MODEL_ANSWER.match(stripped)
    if label and label.group(1) in found.labels:
        problems.append(f"the model answer box of {label.group(1)}")
    words = [w for w in MARKER_WORDS if w in line] if notebook else \
        [w for w in MARKER_WORDS if stripped == f"### {w}"]
    if words:
        problems.append(f"an nbgrader marker: {stripped[:80]!r}")
    return problems


def _notebook_lines(path: Path):
    """(line number in the cell's text, line, where) of every cell and text output, and the
    problems of the notebook's own metadata."""
    nb = nbformat.read(path, as_version=4)
    lines, problems = [], []
    for number, cell in enumerate(nb.cells, 1):
        where = f"cell {number}"
        meta = cell.metadata
        if SOLUTION_TAG in meta.get("tags", []):
            problems.append(f"{where}: a cell tagged {SOLUTION_TAG!r}")
        if isinstance(meta.get("nbgrader"), dict) and meta["nbgrader"].get("solution"):
            problems.append(f"{where}: an nbgrader solution cell")
        texts = [cell.source]
        for output in cell.get("outputs", []):
            texts.append(output.get("text", ""))
            texts += [v for v in output.get("data", {}).values() if isinstance(v, str)]
        for text in texts:
            lines += [(f"{where}, line {n}", line) for n, line in enumerate(str(text).splitlines(), 1)]
    return lines, problems


def scan_file(path: Path, found: Secrets) -> list[str]:
    """Every way one file shows what only instructors may see, each ``'line N: what'`` (or
    ``'cell N, line M: what'`` in a notebook); empty when clean or when it is not text."""
    path = Path(path)
    if path.suffix == ".ipynb":
        try:
            lines, problems = _notebook_lines(path)
        except Exception:  # not a notebook after all: scan it as text
            lines, problems = None, []
        if lines is not None:
            return problems + [f"{where}: {p}" for where, line in lines for p in _line_problems(line, found, True)]
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return []  # images, fonts, compressed files: no text to leak
    return [f"line {n}: {p}" for n, line in enumerate(text.splitlines(), 1)
            for p in _line_problems(line, found, False)]


def scan(folder: Path, found: Secrets | None = None) -> list[str]:
    """Every problem of every file under ``folder``, each ``'PATH: line N: what'`` (PATH
    relative to ``folder``); empty when nothing a student must not see is there."""
    folder = Path(folder)
    found = found or secrets()
    problems = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and ".git" not in p.relative_to(folder).parts):
        problems += [f"{path.relative_to(folder).as_posix()}: {p}" for p in scan_file(path, found)]
    return problems


# --------------------------------------------------------------------------- #
# Building the tree


def instructor_only(path: str) -> str | None:
    """Why a tracked file (a path relative to the repository) stays out of the student tree,
    or None when students may have it."""
    if any(fnmatch.fnmatchcase(path, p) and path.count("/") == p.count("/") for p in STUDENT_SAFE):
        return None
    for pattern, why in INSTRUCTOR_ONLY.items():
        if pattern.endswith("/"):
            if path.startswith(pattern):
                return why
        elif fnmatch.fnmatchcase(path, pattern) and path.count("/") == pattern.count("/"):
            return why
    return None


def tracked_files(repo: Path = ROOT) -> list[str]:
    """Every file git tracks in ``repo`` (``git ls-files``), relative paths."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=repo, check=True, capture_output=True).stdout
    return sorted(name for name in listed.decode("utf-8").split("\0") if name)


def _is_old_tree(folder: Path) -> bool:
    """Whether ``folder`` may be emptied: it looks like a student tree, not a checkout."""
    return ((folder / "track2" / "__init__.py").is_file() and (folder / "_config.yml").is_file()
            and not (folder / ".git").exists() and not list((folder / "exercises" / "source").glob("*.md")))


def copy_files(repo: Path, out: Path, names) -> list[str]:
    """Copy ``names`` (relative paths) from ``repo`` to ``out``, keeping file modes; return
    those copied (a file deleted from the working tree is skipped)."""
    copied = []
    for name in names:
        source = Path(repo) / name
        if not (source.is_file() or source.is_symlink()):
            continue
        target = Path(out) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
        copied.append(name)
    return copied


def build(out: Path, repo: Path = ROOT, folder: Path | None = None) -> list[str]:
    """Write the student tree of ``repo`` into ``out`` and scan it. Returns the files written.

    Raises:
        LeakError: naming every file and line that shows a solution, model answer or rubric
            (``out`` is then emptied), or when the student notebooks are stale.
        FileExistsError: when ``out`` holds something that is not an earlier student tree.
    """
    repo, out = Path(repo).resolve(), Path(out).resolve()
    folder = Path(folder) if folder is not None else repo / "exercises" / "source"
    if repo == ROOT:
        outdated = stale(folder)
        if outdated:
            raise LeakError("student notebooks out of date (run `python -m track2.tools.exercises`): "
                            + "; ".join(outdated))
    if out.exists() and any(out.iterdir()):
        if not _is_old_tree(out):
            raise FileExistsError(f"{out} is not empty and is not a student tree: give a new folder")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    kept = [name for name in tracked_files(repo) if instructor_only(name) is None]
    written = copy_files(repo, out, kept)
    problems = scan(out, secrets(folder))
    if problems:
        shutil.rmtree(out)
        raise LeakError("the student tree shows what only instructors may see (nothing written):\n  "
                        + "\n  ".join(problems))
    return written


# --------------------------------------------------------------------------- #
# Publishing


def ssh_address(url: str) -> str:
    """``https://github.com/OWNER/NAME`` as the SSH address a deploy key pushes to
    (``git@github.com:OWNER/NAME.git``)."""
    match = re.fullmatch(r"https://([^/]+)/(.+?)(\.git)?/?", url.strip())
    if match is None:
        raise ValueError(f"repository.url {url!r} is not an https address of a repository")
    return f"git@{match.group(1)}:{match.group(2)}.git"


def _git(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


def publish(tree: Path, remote: str, branch: str, message: str) -> str | None:
    """Commit ``tree`` on top of ``branch`` of ``remote`` (created if it does not exist) and push
    it, without rewriting history. Returns the new commit, or None when nothing changed."""
    tree = Path(tree).resolve()
    problems = scan(tree)
    if problems:  # never push what was not scanned, or what changed since
        raise LeakError("not pushed: the tree shows what only instructors may see:\n  " + "\n  ".join(problems))
    with tempfile.TemporaryDirectory(prefix="student-tree-") as work:
        clone = Path(work) / "public"
        clone.mkdir()
        _git("init", "--quiet", cwd=clone)
        _git("remote", "add", "origin", remote, cwd=clone)
        exists = subprocess.run(["git", "ls-remote", "--exit-code", "--heads", "origin", branch], cwd=clone,
                                capture_output=True, text=True)
        if exists.returncode == 0:
            _git("fetch", "--quiet", "origin", branch, cwd=clone)
            _git("checkout", "--quiet", "-B", branch, "FETCH_HEAD", cwd=clone)
        elif exists.returncode == 2:  # no such branch: the first publication
            _git("checkout", "--quiet", "--orphan", branch, cwd=clone)
        else:
            raise RuntimeError(f"cannot reach {remote}: {exists.stderr.strip()}")
        for entry in clone.iterdir():
            if entry.name != ".git":
                shutil.rmtree(entry) if entry.is_dir() and not entry.is_symlink() else entry.unlink()
        copy_files(tree, clone, [p.relative_to(tree).as_posix() for p in sorted(tree.rglob("*"))
                                 if p.is_file() or p.is_symlink()])
        _git("add", "--all", "--force", ".", cwd=clone)
        if not _git("status", "--porcelain", cwd=clone).stdout.strip():
            return None
        identity = {"GIT_AUTHOR_NAME": "Track 2 course", "GIT_COMMITTER_NAME": "Track 2 course",
                    "GIT_AUTHOR_EMAIL": "student-tree@users.noreply.github.com",
                    "GIT_COMMITTER_EMAIL": "student-tree@users.noreply.github.com"}
        subprocess.run(["git", "commit", "--quiet", "-m", message], cwd=clone, check=True,
                       env={**identity, **os.environ})
        _git("push", "--quiet", "origin", f"HEAD:refs/heads/{branch}", cwd=clone)
        return _git("rev-parse", "HEAD", cwd=clone).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m track2.tools.student_tree", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", help="the folder to write the student tree into (e.g. _build/student-tree)")
    parser.add_argument("--scan", nargs="+", metavar="DIR", help="only scan these folders (the built book, say)")
    parser.add_argument("--push", action="store_true",
                        help="commit the tree on the public repository's branch and push it")
    parser.add_argument("--remote", help="where to push (default: the SSH address of _config.yml's repository.url)")
    parser.add_argument("--branch", help="the branch to push (default: _config.yml's repository.branch)")
    parser.add_argument("--message", default="Student tree of the course", help="the commit message")
    args = parser.parse_args(argv)
    if args.scan:
        found, problems = secrets(), []
        for folder in args.scan:
            problems += [f"{folder}/{p}" for p in scan(Path(folder), found)]
        print("\n".join(problems) if problems else f"nothing for instructors only in {', '.join(args.scan)}",
              file=sys.stderr if problems else sys.stdout)
        return 1 if problems else 0
    if not args.out:
        parser.error("give the folder to write the tree into, or --scan DIR")
    try:
        written = build(Path(args.out))
    except (LeakError, FileExistsError) as error:
        print(f"student tree: {error}", file=sys.stderr)
        return 1
    print(f"student tree: {len(written)} files in {Path(args.out).resolve()}, scanned: nothing for instructors only")
    if args.push:
        url, branch = repository_settings()
        remote, branch = args.remote or ssh_address(url), args.branch or branch
        commit = publish(Path(args.out), remote, branch, args.message)
        print(f"pushed {commit} to {remote} ({branch})" if commit else f"{remote} ({branch}) already has this tree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
