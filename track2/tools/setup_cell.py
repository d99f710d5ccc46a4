"""The set-up cell at the top of every notebook, so it runs wherever it is opened.

On Binder, a JupyterHub or a clone, the course package is installed from
``requirements.txt`` and the cell does nothing. On Colab, or any Python without
the package, it installs the package (which carries the course data) from the
course's repository, and never upgrades the pandas, numpy, IPython or ipykernel
already there (Colab's own; upgrading them under a running notebook forces a
restart): a pip constraints file pins them at their installed versions, and the
package declares the oldest versions it supports (``pyproject.toml``, tested on
Colab's in ``tests/test_colab.py``).

Misuse gives one line, not a traceback: run a second time, it says there is
nothing to do; without internet (or with a repository URL that does not exist, or
versions too old), it says what went wrong and what to do. The line comes from an
exception with IPython's ``_render_traceback_`` hook, so "Run all" still stops there.

The cell is hidden in the book (``remove-cell``) and opens collapsed in JupyterLab and
Notebook 7 (``jupyter.source_hidden``: one line saying the code is hidden, which a click
opens), so a notebook opens on its title and first text, not on 40 lines of set-up
(issue 27); it still runs with "Run all". Its repository and branch come
from ``_config.yml``: after changing them, run ``make notebook-setup``
(``python -m track2.tools.setup_cell``), which also points the notebooks' links to the
book (relative links, ``{doc}``, ``{term}`` and ``{ref}``) at its published address, so
that they work in a notebook opened on its own (track2.tools.book_links).
"""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from string import Template
from urllib.parse import urlsplit

import nbformat
import yaml

from track2.tools.book_links import BookLinkError, links_to_published_book

ROOT = Path(__file__).resolve().parents[2]
MARKER = "# Course set-up (hidden in the book)"
TAGS = ["remove-cell"]
#: The set-up cell's metadata: hidden in the book, its code collapsed in JupyterLab.
METADATA = {"tags": TAGS, "jupyter": {"source_hidden": True}}
#: Installed packages the cell never upgrades (Colab's kernel runs on them).
KEEP = ("pandas", "numpy", "ipython", "ipykernel")


class ConfigError(ValueError):
    """``_config.yml`` lacks a setting the launch paths need; the message says which and how to fix it."""


#: The set-up cell's code. ``$marker``, ``$keep`` (a Python expression) and, inside its string
#: literals, ``$url``, ``$branch`` and ``$host`` are filled in by :func:`setup_source`.
SETUP_CELL = Template(r'''$marker: on Colab or any Python without the course package, install it.
import importlib.metadata
import importlib.util
import os
import subprocess
import sys
import tempfile


class CourseSetupError(Exception):
    def _render_traceback_(self):  # IPython shows this one line instead of a traceback
        return [f"Course set-up: {self}"]


if importlib.util.find_spec("track2") is not None:
    if globals().get("_track2_set_up"):
        print("Course set-up: already done; the course package is installed, nothing to do.")
else:
    # never upgrade what this Python already has (Colab's pandas, numpy, IPython, ipykernel)
    keep = []
    for name in $keep:
        try:
            keep.append(f"{name}=={importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            pass
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as constraints:
        constraints.write("\n".join(keep) + "\n")
    print("Course set-up: installing the course package from $url ...")
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                          "--constraint", constraints.name, "git+$url@$branch"],
                         capture_output=True, text=True, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    if pip.returncode != 0:
        said = pip.stdout + pip.stderr
        if any(sign in said for sign in ("resolve host", "Failed to connect", "name resolution", "unreachable",
                                         "Connection refused", "timed out", "NewConnectionError", "No route")):
            raise CourseSetupError("cannot reach $host, so the course package cannot be installed: this "
                                   "computer seems to be offline. Connect to the internet, then run this cell again.")
        if any(sign in said for sign in ("Repository not found", "repository '", "not appear to be a git repository",
                                         "could not read Username", "did not match any file", "Remote branch")):
            raise CourseSetupError("the course repository $url (branch $branch) was not found; "
                                   "ask your instructor for the right link.")
        if "ResolutionImpossible" in said or "conflicting dependencies" in said:
            raise CourseSetupError("the course package needs newer versions than this Python has (" + ", ".join(keep)
                                   + "), and this cell never upgrades them; open the notebook on Binder instead.")
        if "Cannot find command 'git'" in said:
            raise CourseSetupError("installing the course package needs git, which this Python cannot find.")
        last = [line for line in said.splitlines() if line.strip()][-1:] or ["no output"]
        raise CourseSetupError("pip could not install the course package: " + last[0].strip())
    importlib.invalidate_caches()
_track2_set_up = True''')


def setup_source(repository_url: str, branch: str) -> str:
    """The code of the set-up cell for a repository and branch."""
    check_repository(repository_url, branch)
    url = repository_url.rstrip("/")
    host = urlsplit(url).netloc or url
    # check_repository lets no quote or backslash into the URL or the branch, which sit in string literals
    return SETUP_CELL.substitute(marker=MARKER, keep=repr(KEEP), url=url, branch=branch, host=host)


def check_repository(repository_url: object, branch: object) -> None:
    """Raise :class:`ConfigError` unless ``repository_url`` is an http(s) URL and ``branch`` a name."""
    if not isinstance(repository_url, str) or not repository_url.strip():
        raise ConfigError(
            "_config.yml: repository.url is not set; set it to the course repository (your fork), "
            "e.g. https://github.com/ORG/REPO, then run `make notebook-setup`.")
    parts = urlsplit(repository_url.strip())
    if parts.scheme not in ("http", "https", "file") or not (parts.netloc or parts.scheme == "file"):
        raise ConfigError(f"_config.yml: repository.url {repository_url!r} is not an http(s) URL of a repository.")
    if any(c in repository_url.strip() for c in ' "\\') or not repository_url.strip().isprintable():
        raise ConfigError(f"_config.yml: repository.url {repository_url!r} has a character no URL has "
                          "(a space, a double quote, a backslash or a control character).")
    if not isinstance(branch, str) or not branch.strip() or any(c in branch for c in " \"'\\"):
        raise ConfigError(f"_config.yml: repository.branch {branch!r} is not a branch name (for example main).")


def with_setup_cell(notebook: nbformat.NotebookNode, repository_url: str, branch: str) -> bool:
    """Put the current set-up cell first in ``notebook``; return whether it changed."""
    cell = nbformat.v4.new_code_cell(setup_source(repository_url, branch), metadata=copy.deepcopy(METADATA))
    cells = notebook.cells
    current = next((i for i, c in enumerate(cells) if c.cell_type == "code" and c.source.startswith(MARKER)), None)
    if current is not None:
        if cells[current].source == cell.source and cells[current].metadata == cell.metadata:
            return False
        del cells[current]
    # after the title cell, so the notebook still opens with its heading
    position = 1 if cells and cells[0].cell_type == "markdown" else 0
    cells.insert(position, cell)
    return True


def book_address(repository_url: str, baseurl: str = "") -> str:
    """The book's published address, ending in ``/`` ("" if it cannot be known): ``baseurl``
    (Sphinx's ``html_baseurl``) when set, else the GitHub Pages address of a GitHub repository
    (``publish.yml`` publishes the book there)."""
    if (baseurl or "").strip():
        return baseurl.strip().rstrip("/") + "/"
    parts = urlsplit((repository_url or "").strip())
    path = [p for p in parts.path.split("/") if p]
    if parts.hostname == "github.com" and len(path) >= 2:
        owner, name = path[0], path[1].removesuffix(".git")
        if name.lower() == f"{owner.lower()}.github.io":
            return f"https://{name.lower()}/"
        return f"https://{owner.lower()}.github.io/{name}/"
    return ""


def published_book_address(config_path: Path = ROOT / "_config.yml") -> str:
    """:func:`book_address` of the book that ``_config.yml`` configures."""
    config = yaml.safe_load(Path(config_path).read_text(encoding="utf-8")) or {}
    baseurl = ((config.get("sphinx") or {}).get("config") or {}).get("html_baseurl", "")
    return book_address((config.get("repository") or {}).get("url") or "", baseurl)


def repository_settings(config_path: Path = ROOT / "_config.yml") -> tuple[str, str]:
    """``(url, branch)`` from the book's ``_config.yml``.

    Raises:
        ConfigError: naming the missing or malformed setting and how to fix it.
    """
    config = yaml.safe_load(Path(config_path).read_text(encoding="utf-8")) or {}
    repository = config.get("repository") or {}
    url, branch = repository.get("url"), repository.get("branch", "main")
    check_repository(url, branch)
    return url.strip(), branch.strip()


def main() -> int:
    """``python -m track2.tools.setup_cell``: refresh the set-up cell of every course notebook."""
    try:
        url, branch = repository_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    address = published_book_address()
    for path in sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("exercises/*.ipynb")]):
        notebook = nbformat.read(path, as_version=4)
        changed = with_setup_cell(notebook, url, branch)
        try:
            changed |= with_published_links(notebook, address)
        except BookLinkError as error:
            print(f"{path.relative_to(ROOT)}: {error}", file=sys.stderr)
            return 2
        if changed:
            nbformat.write(notebook, path)
            print(f"updated {path.relative_to(ROOT)}")
    return 0


def with_published_links(notebook: nbformat.NotebookNode, address: str) -> bool:
    """Point the notebook's links to the book at the published book (track2.tools.book_links),
    so they work where the notebook is opened on its own; True if a cell changed."""
    changed = False
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            linked = links_to_published_book(cell.source, address)
            changed |= linked != cell.source
            cell.source = linked
    return changed


if __name__ == "__main__":
    raise SystemExit(main())
