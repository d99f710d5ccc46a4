"""One click from the book to a running notebook, in the environment the tests use.

- every notebook page has Binder, JupyterHub (nbgitpuller) and Colab buttons
  pointing at the repository, branch and file set once in _config.yml, and a
  download of the .ipynb;
- the launch requirements (what Binder installs) match the test environment;
- a fresh virtual environment built from requirements.txt alone runs every
  student notebook under nbval.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest
import yaml

from conftest import ROOT, toc_documents
from track2.launch import MARKER, TAGS, repository_settings, setup_source

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPO_URL, BRANCH = repository_settings(ROOT / "_config.yml")
ORG_REPO = urlsplit(REPO_URL).path.strip("/")
NOTEBOOK_PAGES = [d for d in toc_documents() if (ROOT / f"{d}.ipynb").is_file()]
STUDENT_NOTEBOOKS = sorted(p.relative_to(ROOT) for p in [*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("exercises/*.ipynb")])


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


def pinned(requirements: Path) -> dict[str, str]:
    pins = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;#]+)", line.strip())
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def test_launch_requirements_match_the_test_environment():
    pins = pinned(ROOT / "requirements.txt")
    assert {"pandas", "ipywidgets", "numpy", "ipykernel"} <= set(pins)
    drift = {name: (pin, version(name)) for name, pin in pins.items() if version(name) != pin}
    assert not drift, f"requirements.txt pins differ from the installed test environment: {drift}"
    runtime = (ROOT / "runtime.txt").read_text(encoding="utf-8").strip()
    assert runtime == f"python-{sys.version_info.major}.{sys.version_info.minor}"
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text(encoding="utf-8")


def test_launch_requirements_are_only_what_notebooks_import():
    """Nothing in the launch environment that the notebooks (through track2) do not use."""
    assert set(pinned(ROOT / "requirements.txt")) == {"pandas", "numpy", "ipywidgets", "ipykernel"}


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
