"""One click from the book to a running notebook, in the environment the tests use.

- every notebook page has Binder, JupyterHub (nbgitpuller) and Colab buttons
  pointing at the repository, branch and file set once in _config.yml, and a
  download of the .ipynb;
- the launch requirements (what Binder installs) match the test environment and
  name exactly what the runtime modules and the notebooks import;
- a fresh virtual environment built from requirements.txt alone imports every
  runtime module of track2 and runs every student notebook under nbval.
"""

from __future__ import annotations

import ast
import html
import os
import re
import subprocess
import sys
import time
from importlib.metadata import packages_distributions, version
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest
import yaml
from IPython.core.inputtransformer2 import TransformerManager
from packaging.utils import canonicalize_name

from conftest import ROOT, toc_documents
from test_dependencies import pins
from track2.tools.setup_cell import MARKER, TAGS, repository_settings, setup_source

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPO_URL, BRANCH = repository_settings(ROOT / "_config.yml")
ORG_REPO = urlsplit(REPO_URL).path.strip("/")
NOTEBOOK_PAGES = [d for d in toc_documents() if (ROOT / f"{d}.ipynb").is_file()]
STUDENT_NOTEBOOKS = sorted(p.relative_to(ROOT) for p in [*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("exercises/*.ipynb")])
# the student runtime: every module of track2 except the build and instructor tools (track2.tools)
RUNTIME_MODULES = sorted(f"track2.{p.stem}" for p in (ROOT / "track2").glob("*.py") if p.stem != "__init__")


def launch_links(page: Path) -> dict[str, str]:
    text = page.read_text(encoding="utf-8")
    links = {}
    for href in map(html.unescape, re.findall(r'href="([^"]+)"', text)):
        host = urlsplit(href).netloc
        for name, base in (("binder", CONFIG["launch_buttons"]["binderhub_url"]),
                           ("jupyterhub", CONFIG["launch_buttons"]["jupyterhub_url"]),
                           ("colab", CONFIG["launch_buttons"]["colab_url"])):
            if host == urlsplit(base).netloc:
                links[name] = href
    return links


@pytest.mark.parametrize("document", NOTEBOOK_PAGES)
def test_launch_buttons_point_at_the_configured_repository_file_and_branch(built_html, document):
    links = launch_links(built_html / f"{document}.html")
    path = f"{document}.ipynb"
    assert (ROOT / path).is_file()
    assert links["binder"] == f"https://mybinder.org/v2/gh/{ORG_REPO}/{BRANCH}?urlpath=lab/tree/{path}"
    assert links["colab"] == f"https://colab.research.google.com/github/{ORG_REPO}/blob/{BRANCH}/{path}"
    hub = urlsplit(links["jupyterhub"])
    assert f"{hub.scheme}://{hub.netloc}" == CONFIG["launch_buttons"]["jupyterhub_url"]
    assert hub.path == "/hub/user-redirect/git-pull"
    query = parse_qs(hub.query)
    assert query == {"repo": [REPO_URL], "branch": [BRANCH],
                     "urlpath": [f"lab/tree/{ORG_REPO.split('/')[-1]}/{path}"]}
    download = built_html / "_sources" / path
    assert download.is_file(), "the page offers the .ipynb for download"
    assert nbformat.read(download, as_version=4).cells


@pytest.mark.parametrize("document", [d for d in toc_documents() if (ROOT / f"{d}.md").is_file()])
def test_markdown_pages_have_no_launch_buttons(built_html, document):
    """A launch would open the .md as plain text (no jupytext in the launch environment)."""
    assert launch_links(built_html / f"{document}.html") == {}


def test_launch_buttons_are_in_the_page_menu(browser_page, site):
    page, log = browser_page
    for document in NOTEBOOK_PAGES:
        page.goto(site.base + document + ".html", wait_until="networkidle")
        for label in ("Binder", "JupyterHub", "Colab"):
            assert page.locator(f'.dropdown-launch-buttons a:has-text("{label}")').count() == 1, (document, label)
        assert page.locator('.dropdown-download-buttons a[href$=".ipynb"]').count() == 1, document
    assert log.problems() == []


@pytest.mark.parametrize("notebook", STUDENT_NOTEBOOKS, ids=str)
def test_every_notebook_starts_with_the_current_setup_cell(notebook):
    nb = nbformat.read(ROOT / notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[0].source == setup_source(REPO_URL, BRANCH), "run `make notebook-setup`"
    assert code[0].metadata.get("tags") == TAGS
    assert sum(c.source.startswith(MARKER) for c in code) == 1


def test_setup_cell_installs_from_the_configured_repository():
    source = setup_source(REPO_URL, BRANCH)
    compile(source, "setup-cell", "exec")
    assert f'"git+{REPO_URL}@{BRANCH}"' in source


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
    assert pinned - set(imported) == {"ipykernel"}, "requirements.txt pins packages nothing imports"


@pytest.mark.network
def test_student_notebooks_run_in_a_fresh_environment_from_requirements_txt(tmp_path):
    """What Binder does: a new venv, `pip install -r requirements.txt`, nothing else.
    The notebooks then run under nbval with a kernel from that venv."""
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
    for module in RUNTIME_MODULES:  # every runtime module imports with requirements.txt alone
        result = subprocess.run([str(python), "-c", f"import {module}"], cwd=tmp_path, capture_output=True, text=True)
        assert result.returncode == 0, f"{module} does not import in the launch environment:\n{result.stderr[-2000:]}"
    jupyter_path = tmp_path / "jupyter"
    subprocess.run([str(python), "-m", "ipykernel", "install", "--prefix", str(jupyter_path),
                    "--name", "track2-launch", "--display-name", "launch env"], check=True, capture_output=True)
    env = {**os.environ, "JUPYTER_PATH": str(jupyter_path / "share" / "jupyter")}
    env.pop("TRACK2_DATA_DIR", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-kernel-name", "track2-launch",
         "-p", "no:cacheprovider", "-o", "addopts=", "-q", *(str(ROOT / p) for p in STUDENT_NOTEBOOKS)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:]
    assert "passed" in result.stdout
