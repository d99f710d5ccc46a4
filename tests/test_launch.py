"""One click from the book to a running notebook, in the environment the tests use.

- every notebook page has Binder and Colab buttons, and every chapter (a MyST Markdown
  notebook) a Binder button, pointing at the repository, branch and file set once in
  _config.yml, and a download of the .ipynb; a JupyterHub (nbgitpuller) button only when
  ``launch_buttons.jupyterhub_url`` is set (a small book built with one shows it, in
  nbgitpuller's format, on both kinds of page); no Colab button on a chapter (Colab opens
  only .ipynb); a placeholder hub fails the build with a message naming the setting
  (book/_ext/course/launch_buttons.py), and so does a missing repository URL (Jupyter Book's own);
- every notebook starts with the current set-up cell; a broken repository setting is a
  one-line error, not a traceback;
- the launch requirements (what Binder installs) match the test environment and
  name exactly what the runtime modules, the notebooks and the chapters import (and
  the kernel, and jupytext, which opens the chapters as notebooks);
- a fresh virtual environment built from requirements.txt alone (then ``pip install .``,
  as repo2docker does) imports every runtime module of track2 and runs every student
  notebook and every chapter (converted by that environment's jupytext) under nbval.

tests/test_colab.py covers Colab (its layout, its oldest versions, the set-up cell
there) and repo2docker's double install offline; tests/test_hub.py a JupyterHub class.
"""

from __future__ import annotations

import ast
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from importlib.metadata import packages_distributions, version
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jupytext
import nbformat
import pytest
import yaml
from IPython.core.inputtransformer2 import TransformerManager
from packaging.utils import canonicalize_name

from conftest import ROOT, toc_documents
from test_build import build_command
from test_dependencies import pins
from track2.tools.setup_cell import KEEP, MARKER, TAGS, ConfigError, repository_settings, setup_source

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from course.launch_buttons import JUPYTER_BOOK_DEFAULT_REPOSITORY, launch_problems  # noqa: E402

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPO_URL, BRANCH = repository_settings(ROOT / "_config.yml")
ORG_REPO = urlsplit(REPO_URL).path.strip("/")
NOTEBOOK_PAGES = [d for d in toc_documents() if (ROOT / f"{d}.ipynb").is_file()]
# MyST Markdown notebooks (a kernelspec in their front matter): the chapters
CHAPTER_PAGES = [d for d in toc_documents() if (ROOT / f"{d}.md").is_file()
                 and "kernelspec" in jupytext.read(ROOT / f"{d}.md").metadata]
TEXT_PAGES = [d for d in toc_documents() if (ROOT / f"{d}.md").is_file() and d not in CHAPTER_PAGES]
HUB_URL = CONFIG["launch_buttons"].get("jupyterhub_url") or ""
STUDENT_NOTEBOOKS = sorted(p.relative_to(ROOT) for p in [*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("exercises/*.ipynb")])
# the student runtime: every module of track2 except the build and instructor tools (track2.tools)
RUNTIME_MODULES = sorted(f"track2.{p.stem}" for p in (ROOT / "track2").glob("*.py") if p.stem != "__init__")


LAUNCH_HOSTS = {"binder": "binderhub_url", "jupyterhub": "jupyterhub_url", "colab": "colab_url"}


def launch_links(page: Path, launch: dict = CONFIG["launch_buttons"]) -> dict[str, str]:
    """The launch links of a built page, by service, for the services ``launch`` configures."""
    text = page.read_text(encoding="utf-8")
    hosts = {name: urlsplit(launch[key]).netloc for name, key in LAUNCH_HOSTS.items() if launch.get(key)}
    links = {}
    for href in map(html.unescape, re.findall(r'href="([^"]+)"', text)):
        for name, host in hosts.items():
            if urlsplit(href).netloc == host:
                links[name] = href
    return links


def assert_hub_link(link: str, hub: str, path: str) -> None:
    """``link`` is nbgitpuller's link on ``hub`` to ``path`` in the configured repository and branch."""
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == hub.rstrip("/")
    assert parts.path == "/hub/user-redirect/git-pull"
    assert parse_qs(parts.query) == {"repo": [REPO_URL], "branch": [BRANCH],
                                     "urlpath": [f"lab/tree/{ORG_REPO.split('/')[-1]}/{path}"]}


@pytest.mark.parametrize("document", NOTEBOOK_PAGES)
def test_launch_buttons_point_at_the_configured_repository_file_and_branch(built_html, document):
    links = launch_links(built_html / f"{document}.html")
    path = f"{document}.ipynb"
    assert (ROOT / path).is_file()
    assert links["binder"] == f"https://mybinder.org/v2/gh/{ORG_REPO}/{BRANCH}?urlpath=lab/tree/{path}"
    assert links["colab"] == f"https://colab.research.google.com/github/{ORG_REPO}/blob/{BRANCH}/{path}"
    if HUB_URL:
        assert_hub_link(links["jupyterhub"], HUB_URL, path)
    else:
        assert "jupyterhub" not in links and "hub/user-redirect/git-pull" not in (built_html / f"{document}.html").read_text()
    download = built_html / "_sources" / path
    assert download.is_file(), "the page offers the .ipynb for download"
    assert nbformat.read(download, as_version=4).cells


@pytest.mark.parametrize("document", CHAPTER_PAGES)
def test_chapters_launch_their_markdown_notebook_on_binder_and_never_on_colab(built_html, document):
    """Binder and a hub open the chapter's .md as a notebook (jupytext, postBuild); Colab cannot."""
    links = launch_links(built_html / f"{document}.html")
    path = f"{document}.md"
    assert links["binder"] == f"https://mybinder.org/v2/gh/{ORG_REPO}/{BRANCH}?urlpath=lab/tree/{path}"
    assert "colab" not in links
    if HUB_URL:
        assert_hub_link(links["jupyterhub"], HUB_URL, path)
    assert (built_html / "_sources" / f"{document}.ipynb").is_file(), "the executed notebook is offered for download"


@pytest.mark.parametrize("document", TEXT_PAGES)
def test_pages_that_are_not_notebooks_have_no_launch_buttons(built_html, document):
    assert launch_links(built_html / f"{document}.html") == {}


def test_no_placeholder_hub_in_the_configuration():
    assert not launch_problems({"launch_buttons": CONFIG["launch_buttons"], "repository_url": REPO_URL})[0]
    assert "example." not in HUB_URL


def test_launch_buttons_are_in_the_page_menu(browser_page, site):
    page, log = browser_page
    services = [label for label, key in (("Binder", "binderhub_url"), ("JupyterHub", "jupyterhub_url"),
                                         ("Colab", "colab_url")) if CONFIG["launch_buttons"].get(key)]
    assert "Binder" in services
    for document in [*NOTEBOOK_PAGES, *CHAPTER_PAGES]:
        page.goto(site.base + document + ".html", wait_until="networkidle")
        for label in ("Binder", "JupyterHub", "Colab"):
            shown = label in services and not (label == "Colab" and document in CHAPTER_PAGES)
            count = page.locator(f'.dropdown-launch-buttons a:has-text("{label}")').count()
            assert count == (1 if shown else 0), (document, label, count)
        assert page.locator('.dropdown-download-buttons a[href$=".ipynb"]').count() == 1, document
    assert log.problems() == []


# --------------------------------------------------------------------------- #
# The launch settings, checked at build time (book/_ext/course/launch_buttons.py)


@pytest.mark.parametrize("launch, repository, expected", [
    ({"binderhub_url": "https://mybinder.org", "jupyterhub_url": ""}, REPO_URL,
     ([], ["jupyterhub_url is not set"])),
    ({"binderhub_url": "https://mybinder.org", "jupyterhub_url": "https://hub.university.test"}, REPO_URL, ([], [])),
    ({"jupyterhub_url": "https://jupyterhub.example.org"}, REPO_URL, (["is a placeholder"], [])),
    ({"jupyterhub_url": "hub.university.test"}, REPO_URL, (["is not an http(s) address"], [])),
    ({"binderhub_url": "https://mybinder.org"}, "", (["repository.url is empty"], ["jupyterhub_url is not set"])),
    ({"colab_url": "https://colab.research.google.com"}, JUPYTER_BOOK_DEFAULT_REPOSITORY,
     (["repository.url is not set"], ["jupyterhub_url is not set"])),
], ids=["no-hub", "hub", "placeholder-hub", "hub-without-scheme", "empty-repository", "no-repository"])
def test_launch_settings_are_checked_with_a_message_naming_the_setting(launch, repository, expected):
    warnings, notes = launch_problems({"launch_buttons": launch, "repository_url": repository})
    assert len(warnings) == len(expected[0]) and len(notes) == len(expected[1]), (warnings, notes)
    for found, words in zip([*warnings, *notes], [*expected[0], *expected[1]]):
        assert words in found and "_config.yml" in found


def build_launch_book(folder: Path, config: dict) -> subprocess.CompletedProcess:
    """A small book with the course's extensions and ``config`` (a notebook page, a chapter
    written as a MyST notebook, and an intro), built with the Makefile's strict command."""
    folder.mkdir()
    (folder / "_config.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    shutil.copytree(ROOT / "book" / "_ext", folder / "book" / "_ext")
    shutil.copytree(ROOT / "book" / "images", folder / "book" / "images")  # the logo _config.yml names
    shutil.copy(ROOT / "book" / "references.bib", folder / "book" / "references.bib")
    shutil.copy(ROOT / "requirements-lock.txt", folder)  # the theme versions the extension checks
    (folder / "node_modules").symlink_to(ROOT / "node_modules")
    (folder / "_build").mkdir()  # the front-end files `make assets` built (widget bundle, icon fonts)
    (folder / "_build" / "assets").symlink_to(ROOT / "_build" / "assets")
    (folder / "book" / "intro.md").write_text("# Intro\n", encoding="utf-8")
    (folder / "book" / "chapter.md").write_text(
        "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        "kernelspec:\n  name: python3\n  display_name: Python 3\n---\n\n# A chapter\n\n"
        "```{code-cell} ipython3\nprint(6 * 7)\n```\n", encoding="utf-8")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A notebook"),
                                               nbformat.v4.new_code_cell("print(1)")])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, folder / "book" / "notebook.ipynb")
    (folder / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n"
                                     "  - file: book/chapter\n  - file: book/notebook\n", encoding="utf-8")
    return subprocess.run(build_command(folder), capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


@pytest.mark.slow
def test_with_a_hub_configured_every_notebook_and_chapter_page_gets_the_nbgitpuller_button(tmp_path):
    hub = "https://hub.university.test"
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["launch_buttons"]["jupyterhub_url"] = hub
    result = build_launch_book(tmp_path / "book", config)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    html_dir = tmp_path / "book" / "_build" / "html"
    launch = config["launch_buttons"]
    chapter, notebook = (launch_links(html_dir / f"book/{name}.html", launch) for name in ("chapter", "notebook"))
    assert_hub_link(chapter["jupyterhub"], hub, "book/chapter.md")
    assert_hub_link(notebook["jupyterhub"], hub, "book/notebook.ipynb")
    assert "colab" in notebook and "colab" not in chapter
    assert launch_links(html_dir / "book/intro.html", launch) == {}


@pytest.mark.slow
def test_a_placeholder_hub_or_a_missing_repository_url_fails_the_build_naming_the_setting(tmp_path):
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    config["launch_buttons"]["jupyterhub_url"] = "https://jupyterhub.example.org"
    placeholder = build_launch_book(tmp_path / "placeholder", config)
    said = placeholder.stdout + placeholder.stderr
    assert placeholder.returncode != 0
    assert "launch_buttons.jupyterhub_url 'https://jupyterhub.example.org' is a placeholder" in said
    assert "Traceback" not in said
    # without repository.url, Jupyter Book itself stops (the course shows a repository button)
    del config["repository"]["url"]
    config["launch_buttons"]["jupyterhub_url"] = ""
    missing = build_launch_book(tmp_path / "missing", config)
    assert missing.returncode != 0
    assert "you must specify the repository URL" in missing.stdout + missing.stderr


@pytest.mark.parametrize("notebook", STUDENT_NOTEBOOKS, ids=str)
def test_every_notebook_starts_with_the_current_setup_cell(notebook):
    nb = nbformat.read(ROOT / notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source == setup_source(REPO_URL, BRANCH), "run `make notebook-setup`"
    assert code[0].metadata.get("tags") == TAGS
    # collapsed in JupyterLab: the notebook opens on its text, not on the set-up code
    assert code[0].metadata.get("jupyter", {}).get("source_hidden") is True, "run `make notebook-setup`"
    assert sum(c.source.startswith(MARKER) for c in code) == 1


@pytest.mark.parametrize("url", [REPO_URL, "https://example.org/o'brien/course"], ids=["configured", "quote"])
def test_setup_cell_installs_from_the_configured_repository(url):
    """The cell is Python (setup_cell.SETUP_CELL, every field filled in), whose pip command names
    the repository and branch and whose loop keeps the packages KEEP names."""
    tree = ast.parse(setup_source(url, BRANCH))
    strings = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)}
    assert f"git+{url}@{BRANCH}" in strings
    assert "--constraint" in strings, "pandas, numpy, IPython and ipykernel stay as installed"
    assert not [s for s in strings if "$" in s], "a template field left unfilled"
    (loop,) = [node for node in ast.walk(tree) if isinstance(node, ast.For) and ast.unparse(node.target) == "name"]
    assert ast.literal_eval(loop.iter) == KEEP


def test_setup_cell_in_an_environment_with_the_package_does_nothing_then_says_so(tmp_path):
    from test_colab import run_cells

    env = {k: v for k, v in os.environ.items() if k != "TRACK2_DATA_DIR"}
    first, second = run_cells(Path(sys.executable), [setup_source(REPO_URL, BRANCH)] * 2, tmp_path, env)
    assert first == {"ok": True, "output": ""}
    assert second == {"ok": True, "output": "Course set-up: already done; the course package is installed, nothing to do.\n"}


@pytest.mark.parametrize("repository, message", [
    ({"branch": "main"}, "repository.url is not set"),
    ({"url": "", "branch": "main"}, "repository.url is not set"),
    ({"url": "github.com/org/repo", "branch": "main"}, "is not an http(s) URL"),
    ({"url": "https://github.com/org/repo", "branch": "two words"}, "is not a branch name"),
    ({"url": 'https://github.com/org/re"po', "branch": "main"}, "has a character no URL has"),
], ids=["missing", "empty", "no-scheme", "bad-branch", "quote-in-url"])
def test_a_broken_repository_setting_is_a_one_line_error(tmp_path, repository, message):
    config = tmp_path / "_config.yml"
    config.write_text(yaml.safe_dump({"repository": repository}), encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)) as error:
        repository_settings(config)
    assert "\n" not in str(error.value) and "_config.yml" in str(error.value)


def test_make_notebook_setup_with_a_broken_config_prints_one_line(tmp_path):
    shutil.copytree(ROOT / "track2", tmp_path / "track2", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "_config.yml").write_text("title: no repository here\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "track2.tools.setup_cell"], cwd=tmp_path,
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "repository.url is not set" in result.stderr


def test_launch_requirements_match_the_test_environment():
    pinned = pins(ROOT / "requirements.txt")
    assert {"pandas", "ipywidgets", "numpy", "ipykernel"} <= set(pinned)
    drift = {name: (pin, version(name)) for name, pin in pinned.items() if version(name) != pin}
    assert not drift, f"requirements.txt pins differ from the installed test environment: {drift}"
    runtime = (ROOT / "runtime.txt").read_text(encoding="utf-8").strip()
    assert runtime == f"python-{sys.version_info.major}.{sys.version_info.minor}"
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")


def imported_modules(code: str) -> set[str]:
    """Top-level names of the modules ``code`` imports, except those it imports only inside
    ``try: ... except ImportError`` (optional: the code works without them)."""
    tree = ast.parse(TransformerManager().transform_cell(code))  # IPython magics become calls
    optional = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(catches_import_error(h) for h in node.handlers):
            optional |= {id(inner) for statement in node.body for inner in ast.walk(statement)}
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and id(node) not in optional:
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and id(node) not in optional:
            names.add(node.module.split(".")[0])
    return names


def catches_import_error(handler: ast.ExceptHandler) -> bool:
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(name, ast.Name) and name.id in ("ImportError", "ModuleNotFoundError") for name in caught)


def test_imported_modules_reads_imports_and_skips_optional_ones():
    code = """
import os, numpy.linalg
from pandas import DataFrame
from . import sibling
import_line = "import nbformat"   # a string, not an import
try:
    from myst_nb import glue
except ImportError:
    glue = None
def later():
    import yaml
%time x = 1
"""
    assert imported_modules(code) == {"os", "numpy", "pandas", "yaml"}


def test_launch_requirements_are_what_the_runtime_and_the_notebooks_import():
    """requirements.txt names every package that the runtime modules of track2 and the code
    cells of the student notebooks import, and besides them only the kernel."""
    sources = {module: (ROOT / f"{module.replace('.', '/')}.py").read_text(encoding="utf-8")
               for module in RUNTIME_MODULES}
    for notebook in STUDENT_NOTEBOOKS:
        cells = nbformat.read(ROOT / notebook, as_version=4).cells
        sources |= {f"{notebook} cell {i}": c.source for i, c in enumerate(cells) if c.cell_type == "code"}
    for chapter in CHAPTER_PAGES:  # they launch too (Binder, a hub): their imports must be there
        cells = jupytext.read(ROOT / f"{chapter}.md").cells
        sources |= {f"{chapter}.md cell {i}": c.source for i, c in enumerate(cells) if c.cell_type == "code"}
    distributions = packages_distributions()
    imported: dict[str, set[str]] = {}
    for where, code in sources.items():
        for name in imported_modules(code) - set(sys.stdlib_module_names) - {"__future__", "track2"}:
            assert name in distributions, f"{where} imports {name}, which no installed package provides"
            for distribution in distributions[name]:
                imported.setdefault(canonicalize_name(distribution), set()).add(where)
    assert {"pandas", "ipywidgets"} <= set(imported)
    pinned = set(pins(ROOT / "requirements.txt"))
    unpinned = {name: sorted(where) for name, where in imported.items() if name not in pinned}
    assert not unpinned, f"imported by the student runtime but not in requirements.txt: {unpinned}"
    # besides what is imported: the kernel, jupytext, which opens the chapters as notebooks, and
    # jupyterlab-myst, which renders their MyST markup in JupyterLab
    assert pinned - set(imported) == {"ipykernel", "jupytext", "jupyterlab-myst"}, (
        "requirements.txt pins packages nothing imports")


@pytest.mark.network
@pytest.mark.slow  # a fresh environment from the package registry, then nbval
def test_student_notebooks_and_chapters_run_in_a_fresh_environment_from_requirements_txt(tmp_path):
    """What Binder (repo2docker) does: a new venv, `pip install -r requirements.txt`, then
    `pip install .` (there is a pyproject.toml), then postBuild. Every notebook runs under
    nbval with a kernel from that venv, and so does every chapter, converted to a notebook
    by that venv's jupytext."""
    from hubclass import PACKAGE_FILES

    venv = tmp_path / "launch-env"
    start = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", "requirements.txt"],
                             cwd=ROOT, capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    seconds = time.monotonic() - start
    size = int(subprocess.run(["du", "-sm", str(venv)], capture_output=True, text=True).stdout.split()[0])
    print(f"\nlaunch environment: {size} MB installed in {seconds:.0f} s")
    copy = tmp_path / "repository"  # `pip install .` builds in the source folder: use a copy
    for name in PACKAGE_FILES:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy2)(ROOT / name, copy / name)
    second = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "."], cwd=copy, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr[-3000:]
    assert next((venv / "lib").glob("python3*/site-packages/track2/data.py")).is_file(), "pip install . copies the package"
    post = subprocess.run(["bash", str(ROOT / "postBuild")], env={**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"},
                          capture_output=True, text=True)
    assert post.returncode == 0, post.stderr
    overrides = json.loads((venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json").read_text())
    assert overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]["markdown"] == "Jupytext Notebook"
    # JupyterLab renders the MyST markup of the notebooks and chapters (jupyterlab-myst's lab extension)
    assert (venv / "share" / "jupyter" / "labextensions" / "jupyterlab-myst" / "package.json").is_file()
    for module in RUNTIME_MODULES:  # every runtime module imports with requirements.txt alone
        result = subprocess.run([str(python), "-c", f"import {module}"], cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 0, f"{module} does not import in the launch environment:\n{result.stderr[-2000:]}"
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    for chapter in CHAPTER_PAGES:
        subprocess.run([str(venv / "bin" / "jupytext"), "--to", "ipynb", "--output", str(chapters / f"{Path(chapter).name}.ipynb"),
                        str(ROOT / f"{chapter}.md")], check=True, capture_output=True)
    jupyter_path = tmp_path / "jupyter"
    subprocess.run([str(python), "-m", "ipykernel", "install", "--prefix", str(jupyter_path),
                    "--name", "track2-launch", "--display-name", "launch env"], check=True, capture_output=True)
    env = {**os.environ, "JUPYTER_PATH": str(jupyter_path / "share" / "jupyter")}
    env.pop("TRACK2_DATA_DIR", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--rootdir=/", "--nbval-lax", "--nbval-kernel-name", "track2-launch",
         "-p", "no:cacheprovider", "-o", "addopts=", "-q", *(str(ROOT / p) for p in STUDENT_NOTEBOOKS),
         *map(str, sorted(chapters.glob("*.ipynb")))],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "passed" in result.stdout and len(list(chapters.glob("*.ipynb"))) == len(CHAPTER_PAGES) > 0


@pytest.mark.slow  # installs into .venv if needed, then starts JupyterLab
def test_make_lab_opens_the_whole_course_with_myst_rendered_and_chapters_as_notebooks(tmp_path):
    """`make lab` as an instructor runs it (as root here, in a container: it must pass
    --allow-root): JupyterLab on the repository's root, jupyterlab-myst loaded, and a chapter
    (.md) opened as a notebook by default (jupytext; postBuild's setting in .venv)."""
    import signal

    import requests

    from hubclass import free_port, stop_server
    from test_hub_config import page_config

    port, token = free_port(), os.urandom(16).hex()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_DATA_DIR": str(tmp_path / "data")}
    args = (f"--no-browser --ServerApp.ip=127.0.0.1 --ServerApp.port={port} --ServerApp.port_retries=0 "
            f"--IdentityProvider.token={token}")
    log = tmp_path / "lab.log"
    process = subprocess.Popen(["make", "lab", f"LAB_ARGS={args}"], cwd=ROOT, env=env, stdout=log.open("wb"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    url, auth = f"http://127.0.0.1:{port}", {"token": token}
    try:
        deadline = time.monotonic() + 300  # `make install` may run first
        while True:
            assert process.poll() is None, f"make lab stopped:\n{log.read_text(errors='replace')[-3000:]}"
            try:
                if requests.get(f"{url}/api/status", params=auth, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, f"no JupyterLab after 300 s:\n{log.read_text(errors='replace')[-3000:]}"
            time.sleep(0.5)
        root = requests.get(f"{url}/api/contents/", params=auth, timeout=30).json()
        assert {"book", "notebooks", "exercises", "data"} <= {item["name"] for item in root["content"]}, (
            "make lab opens the whole course, not only notebooks/")
        chapter = requests.get(f"{url}/api/contents/book/chapters/01-tracks.md",
                               params={**auth, "type": "notebook"}, timeout=30)
        assert chapter.status_code == 200 and chapter.json()["type"] == "notebook", chapter.text[:300]
        assert any(c["cell_type"] == "code" for c in chapter.json()["content"]["cells"])
        viewers = requests.get(f"{url}/lab/api/settings/@jupyterlab/docmanager-extension:plugin",
                               params=auth, timeout=30).json()["schema"]["properties"]["defaultViewers"]["default"]
        assert viewers.get("markdown") == "Jupytext Notebook", viewers
        lab = requests.get(f"{url}/lab", params=auth, timeout=30)
        extensions = {e["name"] for e in page_config(lab.text)["federated_extensions"]}
        assert {"jupyterlab-myst", "jupyterlab-jupytext"} <= extensions, extensions
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # make and the server it started
        stop_server(process)
