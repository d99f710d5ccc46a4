"""The build is strict: the Makefile's build command fails on a notebook error or
a broken cross-reference, and a page that loads a CDN script is caught.

Each case builds a small book in a temporary folder with the course's own
_config.yml, extension and build command, so the real settings are what is tested.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT
from test_site import external_loads


def build_command(folder: Path) -> list[str]:
    """The Makefile's BUILD command, pointed at ``folder``."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    (line,) = re.findall(r"^BUILD\s*:=\s*(.+)$", makefile, flags=re.M)
    words = shlex.split(line.replace("$(VENV)", str(ROOT / ".venv")))
    assert words[:3][1:] == ["build", "."], f"unexpected BUILD line in Makefile: {line}"
    return [words[0], "build", str(folder), *words[3:]]


def notebook(*sources: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# A notebook")] + [nbformat.v4.new_code_cell(s) for s in sources]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.writes(nb)


def prepare_mini_book(folder: Path, lock: str | None = None, course: Path = ROOT) -> None:
    """``folder``, new, with what a book with the config of ``course`` (this checkout, or a
    scratch copy of it) needs besides its pages and _toc.yml: the extension, the logo, the
    bibliography, ``lock`` as its requirements-lock.txt (the course's by default) and the
    front-end files `make assets` built there."""
    folder.mkdir()
    shutil.copy(course / "_config.yml", folder / "_config.yml")
    shutil.copytree(course / "book" / "_ext", folder / "book" / "_ext")
    shutil.copytree(course / "book" / "images", folder / "book" / "images")  # the logo _config.yml names
    shutil.copy(course / "book" / "references.bib", folder / "book" / "references.bib")
    # the theme versions the extension checks
    (folder / "requirements-lock.txt").write_text(
        (course / "requirements-lock.txt").read_text(encoding="utf-8") if lock is None else lock, encoding="utf-8")
    (folder / "node_modules").symlink_to(ROOT / "node_modules")
    (folder / "_build").mkdir()  # the front-end files `make assets` built (widget bundle, icon fonts)
    (folder / "_build" / "assets").symlink_to(course / "_build" / "assets")


def build_mini_book(folder: Path, pages: dict[str, str], lock: str | None = None) -> subprocess.CompletedProcess:
    """A book with the course's config and the given pages (name -> content), built (with
    ``lock`` as its requirements-lock.txt, the course's by default)."""
    prepare_mini_book(folder, lock)
    for name, content in pages.items():
        (folder / "book" / name).write_text(content, encoding="utf-8")
    names = [str(Path(n).with_suffix("")) for n in pages]
    toc = "format: jb-book\nroot: book/intro\nchapters:\n" + "".join(
        f"  - file: book/{n}\n" for n in names if n != "intro"
    )
    (folder / "_toc.yml").write_text(toc, encoding="utf-8")
    return subprocess.run(build_command(folder), capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


GOOD_PAGES = {
    "intro.md": "# Intro\n\n(a-label)=\n## A section\n\nSee {ref}`a-label` and {doc}`ok`.\n",
    "ok.ipynb": notebook("print(40 + 2)"),
}


def test_clean_book_builds_and_a_cdn_script_is_caught(tmp_path):
    pages = dict(GOOD_PAGES)
    pages["cdn.md"] = '# CDN\n\n<script src="https://cdn.jsdelivr.net/npm/example@1/x.js"></script>\n'
    result = build_mini_book(tmp_path / "book", pages)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html = tmp_path / "book" / "_build" / "html"
    assert external_loads(html) == {"book/cdn.html": ["https://cdn.jsdelivr.net/npm/example@1/x.js"]}


def test_a_notebook_that_raises_fails_the_build(tmp_path):
    pages = dict(GOOD_PAGES)
    pages["ok.ipynb"] = notebook("print('before')", "raise RuntimeError('deliberate failure')")
    result = build_mini_book(tmp_path / "book", pages)
    assert result.returncode != 0
    assert "deliberate failure" in result.stdout + result.stderr


def test_a_broken_cross_reference_fails_the_build(tmp_path):
    pages = dict(GOOD_PAGES)
    pages["intro.md"] = GOOD_PAGES["intro.md"] + "\nAnd {ref}`no-such-label`.\n"
    result = build_mini_book(tmp_path / "book", pages)
    assert result.returncode != 0
    assert "no-such-label" in result.stdout + result.stderr


def test_a_theme_version_other_than_the_pinned_one_stops_the_build(tmp_path):
    """book/_ext/course/theme_versions.py, at the start of the build: the message names the
    package, the version found and the one pinned."""
    from importlib.metadata import version

    found = version("sphinx-book-theme")
    lock = (ROOT / "requirements-lock.txt").read_text(encoding="utf-8")
    assert f"sphinx-book-theme=={found} " in lock
    result = build_mini_book(tmp_path / "book", GOOD_PAGES,
                             lock=lock.replace(f"sphinx-book-theme=={found} ", "sphinx-book-theme==1.1.4 "))
    assert result.returncode != 0
    assert f"sphinx-book-theme: found {found}, pinned 1.1.4" in result.stdout + result.stderr
    assert not (tmp_path / "book" / "_build" / "html" / "book" / "intro.html").exists(), "stopped at the start"


def test_a_page_taken_out_of_the_toc_is_gone_from_the_next_build(tmp_path):
    """book/_ext/course/course_site.py: the build deletes the pages an earlier build wrote for
    documents no longer in the book (and their _sources copies), and nothing else: Sphinx's own
    pages, the entry page, and what `make` copies in (a translated edition, the offline editions)."""
    folder = tmp_path / "book"
    pages = {**GOOD_PAGES, "gone.md": "# Gone\n\nA page taken out of the book.\n"}
    first = build_mini_book(folder, pages)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    html = folder / "_build" / "html"
    assert (html / "book" / "gone.html").is_file() and list((html / "_sources" / "book").glob("gone.*"))
    copied_in = [html / "zh_CN" / "book" / "intro.html", html / "editions" / "track2.html"]
    for path in copied_in:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<!DOCTYPE html><title>copied in</title>", encoding="utf-8")
    toc = folder / "_toc.yml"
    toc.write_text(toc.read_text(encoding="utf-8").replace("  - file: book/gone\n", ""), encoding="utf-8")
    second = subprocess.run(build_command(folder), capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert not (html / "book" / "gone.html").exists()
    assert not list((html / "_sources" / "book").glob("gone.*"))
    for kept in ["book/intro.html", "book/ok.html", "index.html", "search.html", "genindex.html", "404.html"]:
        assert (html / kept).is_file(), kept
    assert all(path.is_file() for path in copied_in)


@pytest.mark.parametrize("path", sorted(p.relative_to(ROOT) for p in ROOT.glob("*/*.ipynb")
                                        if p.parts[-2] in ("notebooks", "exercises")), ids=str)
def test_notebooks_are_committed_without_outputs(path):
    nb = nbformat.read(ROOT / path, as_version=4)
    dirty = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not dirty, f"{path}: cells {dirty} have outputs; clear them before committing"


def test_pybtex_finds_the_plaintext_backend_without_scanning_entry_points(monkeypatch):
    """book/_ext/course/fast_build.py: sphinxcontrib-bibtex asks pybtex for its plain-text
    backend once per citation; after the extension's setup, pybtex answers from its
    run-time plugins, not by scanning every installed package (about 2 s a build)."""
    import pybtex.plugin
    from pybtex.backends.plaintext import Backend

    monkeypatch.syspath_prepend(str(ROOT / "book" / "_ext"))
    from course import MODULES, fast_build

    assert fast_build in MODULES, "the course extension sets fast_build up"
    fast_build.setup(app=None)

    def no_scan(**kwargs):
        raise AssertionError(f"pybtex scanned the installed entry points for {kwargs}")

    monkeypatch.setattr(pybtex.plugin, "entry_points", no_scan)
    assert pybtex.plugin.find_plugin("pybtex.backends", "plaintext") is Backend


def test_the_book_loads_one_extension_and_the_readme_names_each_of_its_modules():
    """One local extension, book/_ext/course/, a module per concern; README.md's row for book/
    names each module, so a newcomer knows where a page's markup comes from."""
    import sys

    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["sphinx"]["local_extensions"] == {"course": "book/_ext"}, (
        "_config.yml: register the course's one extension only (book/_ext/course/); add a concern as a "
        "module of it, set up from book/_ext/course/__init__.py")
    sys.path.insert(0, str(ROOT / "book" / "_ext"))
    from course import MODULES

    modules = [m.__name__.removeprefix("course.") for m in MODULES]
    on_disk = sorted(p.stem for p in (ROOT / "book" / "_ext" / "course").glob("*.py") if p.stem != "__init__")
    assert sorted(modules) == on_disk, "every module of book/_ext/course/ is set up in its __init__.py (MODULES)"
    (row,) = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
              if line.startswith("| `book/` |")]
    assert [name for name in modules if f"`{name}`" not in row] == [], \
        "README.md: name each module of book/_ext/course/ in the row for book/"
