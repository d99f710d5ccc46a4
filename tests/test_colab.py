"""Launch paths outside a plain clone: Colab's layout and versions, repo2docker's double install.

- **The package carries the data.** The wheel holds every file datapackage.json names
  (and the bibliography and question files), read with importlib.resources.
- **Colab's layout.** The wheel installed as a Debian-style system Python installs it
  (``/usr/bin/python3 -m pip install --root DIR``: ``sys.prefix`` is /usr, pip writes to
  /usr/local) loads the course data from outside any checkout.
- **Colab's versions.** pyproject.toml's oldest versions are Colab's (requirements-colab.txt);
  every notebook, exercise and chapter (through jupytext) runs under nbval in
  _build/colab-env, Colab's Python with Colab's pandas, numpy, IPython and ipykernel.
- **The set-up cell** installs the package there (from a git repository, as on Colab)
  without upgrading pandas or numpy; run again, it says there is nothing to do; when the
  package would need newer versions it says so in one line and upgrades nothing.
- **repo2docker** (Binder) installs requirements.txt (the package editable), then
  ``pip install .``: the notebooks still read the checkout's data/, so an instructor's
  edit there is what they show.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import jupytext
import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import COLAB_ENV, ROOT
from hubclass import build_wheel, make_clone
from test_dependencies import pins
from track2.data import load_course_data
from track2.tools.setup_cell import setup_source

COLAB_PINS = pins(ROOT / "requirements-colab.txt")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
CHAPTERS = sorted((ROOT / "book" / "chapters").glob("*.md"))
NOTEBOOKS = sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("exercises/*.ipynb")])


def table_sizes(data) -> dict[str, int]:
    return {name: len(frame) for name, frame in vars(data).items()}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


# --------------------------------------------------------------------------- #
# Where the data are found (track2.data.course_path)


def fake_checkout(folder: Path) -> Path:
    (folder / "data").mkdir(parents=True)
    (folder / "track2").mkdir()
    (folder / "data" / "datapackage.json").write_text("{}", encoding="utf-8")
    (folder / "track2" / "__init__.py").write_text("", encoding="utf-8")
    return folder


def test_data_come_from_the_checkout_the_notebook_runs_in(tmp_path, monkeypatch):
    import track2.data as d

    monkeypatch.delenv("TRACK2_DATA_DIR", raising=False)
    checkout = fake_checkout(tmp_path / "home" / "student" / "track2-asia-pacific")
    (checkout / "notebooks").mkdir()
    monkeypatch.chdir(checkout / "notebooks")
    assert d.data_dir() == checkout / "data"
    monkeypatch.chdir(tmp_path)  # outside any checkout: the checkout the package was imported from
    assert d.data_dir() == ROOT / "data"
    monkeypatch.setenv("TRACK2_DATA_DIR", str(checkout / "data"))
    assert d.data_dir() == checkout / "data"


def test_without_a_checkout_the_data_come_from_the_package_or_a_clear_error(tmp_path, monkeypatch):
    import track2.data as d

    monkeypatch.delenv("TRACK2_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(d, "PACKAGE_CHECKOUT", tmp_path / "site-packages")  # an installed copy
    packaged = tmp_path / "site-packages" / "track2" / "_course"
    (packaged / "data").mkdir(parents=True)
    monkeypatch.setattr(d, "_packaged_course", lambda: packaged)
    assert d.data_dir() == packaged / "data"
    monkeypatch.setattr(d, "_packaged_course", lambda: None)  # e.g. a zipped install
    with pytest.raises(d.DataError, match="data: not found. Looked in: the copy inside the track2 package"):
        d.data_dir()


# --------------------------------------------------------------------------- #
# The package carries the data


def test_the_wheel_carries_every_data_file_inside_the_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    expected = {"datapackage.json", *(resource["path"] for resource in package["resources"])}
    assert {f"track2/_course/data/{name}" for name in expected} <= names
    assert "track2/_course/book/references.bib" in names
    questions = {p.name for p in (ROOT / "exercises" / "source").glob("*.questions.yml")}
    assert questions and {f"track2/_course/exercises/source/{q}" for q in questions} <= names
    assert not any("/share/track2/data" in name for name in names), "data must not depend on sys.prefix"


def test_a_debian_style_system_install_reads_the_packaged_data_outside_any_checkout(wheel, tmp_path):
    """Colab's layout: /usr/bin/python3 (Debian's posix_local scheme) with pip --root."""
    system = Path("/usr/bin/python3")
    probe = subprocess.run([str(system), "-c", "import sys, pip; print(sys.version_info[:2])"],
                           capture_output=True, text=True) if system.is_file() else None
    same_python = probe is not None and probe.returncode == 0 and probe.stdout.strip() == str(sys.version_info[:2])
    # Without Debian's Python 3.11 and pip, this Python with --prefix /usr/local gives the same
    # layout: the package lands away from sys.prefix.
    python = str(system) if same_python else sys.executable
    root = tmp_path / "root"
    # a fresh system: pip must not see this run's PYTHONPATH (a checkout on it, holding the
    # wheel build's track2.egg-info, would tell pip the package is installed already)
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--root", str(root),
                    "--no-warn-script-location", *([] if same_python else ["--prefix", "/usr/local"]), str(wheel)],
                   check=True, capture_output=True, env=clean)
    (site,) = root.glob("usr/local/lib/python3*/*-packages")
    assert (site / "track2" / "_course" / "data" / "datapackage.json").is_file()
    assert not (root / "usr" / "share" / "track2").exists()
    elsewhere = tmp_path / "content"  # Colab's working directory: no checkout anywhere above
    elsewhere.mkdir()
    dependencies = next(Path(p) for p in sys.path if p.endswith("site-packages") and Path(p, "pandas").is_dir())
    env = {k: v for k, v in os.environ.items() if k not in ("TRACK2_DATA_DIR", "PYTHONHOME")}
    env["PYTHONPATH"] = f"{site}:{dependencies}"
    code = ("import json, track2, track2.data as d; data = d.load_course_data(); "
            "print(json.dumps({'package': track2.__file__, 'data': str(d.data_dir()), "
            "'sizes': {n: len(f) for n, f in vars(data).items()}}))")
    result = subprocess.run([python, "-s", "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout)
    assert found["package"] == str(site / "track2" / "__init__.py")
    assert found["data"] == str(site / "track2" / "_course" / "data")
    assert found["sizes"] == table_sizes(load_course_data(ROOT / "data"))


# --------------------------------------------------------------------------- #
# Colab's versions


def test_the_oldest_versions_the_package_declares_are_colabs():
    declared = {canonicalize_name(Requirement(r).name): Requirement(r) for r in PYPROJECT["project"]["dependencies"]}
    for name, requirement in declared.items():
        assert name in COLAB_PINS, f"requirements-colab.txt does not say which {name} Colab has"
        assert requirement.specifier.contains(COLAB_PINS[name]), f"{requirement} excludes Colab's {name}=={COLAB_PINS[name]}"
    assert str(declared["pandas"].specifier) == ">=2.2" and COLAB_PINS["pandas"].startswith("2.2.")


def test_the_colab_environment_has_colabs_versions(colab_python):
    result = subprocess.run([str(colab_python), "-c", "import sys, importlib.metadata as m, json; print(json.dumps("
                             "{n: m.version(n) for n in ('pandas', 'numpy', 'ipython', 'ipykernel')} | "
                             "{'python': '%d.%d' % sys.version_info[:2]}))"], capture_output=True, text=True)
    found = json.loads(result.stdout)
    assert {n: found[n] for n in ("pandas", "numpy", "ipython", "ipykernel")} == {
        n: COLAB_PINS[n] for n in ("pandas", "numpy", "ipython", "ipykernel")}
    # Colab runs Python 3.12; the Makefile uses it when the machine has it (else its python3)
    assert found["python"] in ("3.11", "3.12"), found


@pytest.mark.slow
def test_every_notebook_and_chapter_runs_on_colabs_versions(tmp_path, colab_python):
    python = colab_python
    jupyter = tmp_path / "jupyter"
    subprocess.run([str(python), "-m", "ipykernel", "install", "--prefix", str(jupyter), "--name", "track2-colab"],
                   check=True, capture_output=True)
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    for chapter in CHAPTERS:  # as Binder and a hub open them: jupytext reads the .md as a notebook
        nbformat.write(jupytext.read(chapter), chapters / f"{chapter.stem}.ipynb")
    env = {**os.environ, "JUPYTER_PATH": str(jupyter / "share" / "jupyter")}
    env.pop("TRACK2_DATA_DIR", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--rootdir=/", "--nbval-lax", "--nbval-kernel-name", "track2-colab", "-p", "no:cacheprovider",
         "-p", "no:xdist", "-o", "addopts=", "-v", *map(str, NOTEBOOKS), *map(str, sorted(chapters.glob("*.ipynb")))],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-6000:]
    # nbval names a cell "<folder>/<name>::ipynb::Cell <n>"
    ran = {"/".join(line.split("::Cell")[0].replace("::ipynb", ".ipynb").split("/")[-2:])
           for line in result.stdout.splitlines() if " PASSED" in line}
    expected = {f"{p.parent.name}/{p.name}" for p in NOTEBOOKS} | {f"chapters/{c.stem}.ipynb" for c in CHAPTERS}
    assert ran == expected, (sorted(expected - ran), sorted(ran - expected))


# --------------------------------------------------------------------------- #
# The set-up cell, on Colab's versions


def run_cells(python: Path, cells: list[str], cwd: Path, env: dict) -> list[dict]:
    """Run ``cells`` in one IPython shell of ``python``; return each one's output and success."""
    script = cwd / "run_cells.py"
    script.write_text(
        "import contextlib, io, json, sys\n"
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        "results = []\n"
        f"for code in {cells!r}:\n"
        "    out = io.StringIO()\n"
        "    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):\n"
        "        ok = shell.run_cell(code).success\n"
        "    results.append({'ok': ok, 'output': out.getvalue()})\n"
        "print(json.dumps(results))\n", encoding="utf-8")
    result = subprocess.run([str(python), str(script)], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def colab_without_the_package(folder: Path, colab_python: Path) -> tuple[Path, dict]:
    """A fresh Python with Colab's packages (those of _build/colab-env, seen through a .pth
    file) but not the course package; pip offline, its builds without isolation."""
    venv = folder / "colab"
    subprocess.run([str(colab_python), "-m", "venv", str(venv)], check=True, capture_output=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "colab.pth").write_text(str(next((COLAB_ENV / "lib").glob("python3*/site-packages"))) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("TRACK2_DATA_DIR", "PYTHONPATH")}
    env |= {"PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0"}  # pip: "0" turns build isolation off
    return venv / "bin" / "python", env


@pytest.mark.slow
def test_the_setup_cell_on_colab_explains_failures_in_one_line_and_never_upgrades_pandas(tmp_path, colab_python):
    """In one notebook session on Colab's versions: the cell run offline (twice), with a
    repository that does not exist, and for a package that would need a newer pandas, each
    time one line and nothing upgraded; then it installs the package from git; run again,
    it has nothing to do; the data then come from the package (no checkout on Colab)."""
    python, env = colab_without_the_package(tmp_path, colab_python)
    clone = make_clone(tmp_path / "github")
    git = {**os.environ, "GIT_AUTHOR_NAME": "c", "GIT_AUTHOR_EMAIL": "c@localhost",
           "GIT_COMMITTER_NAME": "c", "GIT_COMMITTER_EMAIL": "c@localhost"}
    subprocess.run(["git", "checkout", "-q", "-b", "newer"], cwd=clone, check=True)
    pyproject = clone / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace('"pandas>=2.2"', '"pandas>=3.1"'), encoding="utf-8")
    subprocess.run(["git", "commit", "-q", "-am", "needs pandas 3.1"], cwd=clone, env=git, check=True)
    subprocess.run(["git", "checkout", "-q", "main"], cwd=clone, check=True)
    offline = setup_source("https://127.0.0.1:9/track2-course/track2-asia-pacific", "main")  # nothing listens there
    missing = setup_source(f"file://{tmp_path}/no-such-repository", "main")
    newer = setup_source(f"file://{clone}", "newer")
    good = setup_source(f"file://{clone}", "main")
    check = ("import importlib.metadata as m, track2, track2.data as d\n"
             "print(m.version('pandas'), m.version('numpy'), track2.__file__, d.data_dir(), len(d.load_institutions()))")
    content = tmp_path / "content"  # Colab's working directory: no checkout
    content.mkdir()
    *failures, installed, again, loaded = run_cells(python, [offline, offline, missing, newer, good, good, check],
                                                    content, env)
    expected = ["cannot reach 127.0.0.1:9", "cannot reach 127.0.0.1:9", "was not found",
                f"needs newer versions than this Python has (pandas=={COLAB_PINS['pandas']}"]
    for result, words in zip(failures, expected, strict=True):
        lines = result["output"].splitlines()
        assert not result["ok"] and len(lines) == 2 and lines[0].startswith("Course set-up: installing"), lines
        assert lines[1].startswith("Course set-up: ") and words in lines[1], lines
        assert "Traceback" not in result["output"]
    assert installed["ok"] and installed["output"].splitlines() == [
        f"Course set-up: installing the course package from file://{clone} ..."]
    assert again["ok"] and again["output"].splitlines() == [
        "Course set-up: already done; the course package is installed, nothing to do."]
    pandas, numpy, package, data, rows = loaded["output"].split()
    assert (pandas, numpy) == (COLAB_PINS["pandas"], COLAB_PINS["numpy"]), "the set-up cell upgraded pandas or numpy"
    assert Path(package).is_relative_to(python.parent.parent) and Path(data).parts[-3:] == ("track2", "_course", "data")
    assert int(rows) == len(load_course_data(ROOT / "data").institutions)


# --------------------------------------------------------------------------- #
# repo2docker (Binder): requirements.txt (the package editable), then `pip install .`


@pytest.mark.slow
def test_after_repo2dockers_double_install_the_notebooks_read_the_checkouts_data(tmp_path):
    checkout = tmp_path / "home" / "jovyan"
    ignore = shutil.ignore_patterns(".venv", "node_modules", "_build", ".git", "__pycache__", "*.egg-info",
                                    ".ipynb_checkpoints", ".pytest_cache", ".ruff_cache")
    shutil.copytree(ROOT, checkout, ignore=ignore, symlinks=True)
    venv = tmp_path / "srv" / "conda"
    # without its own pip and setuptools: those of the test environment come through the .pth file
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    dependencies = next(Path(p) for p in sys.path if p.endswith("site-packages") and Path(p, "pandas").is_dir())
    (site / "dependencies.pth").write_text(f"{dependencies}\n")  # requirements.txt's packages, already installed
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
           "--no-build-isolation"]
    subprocess.run([*pip, "-e", "."], cwd=checkout, check=True, capture_output=True)  # requirements.txt's "-e ."
    subprocess.run([*pip, "."], cwd=checkout, check=True, capture_output=True)        # then repo2docker's own
    assert (site / "track2" / "data.py").is_file(), "the second install is a copy in site-packages"
    institutions = checkout / "data" / "institutions.csv"
    marker = "ASEAN Regional Forum (edited by the instructor)"
    text = institutions.read_text(encoding="utf-8")
    assert ",ASEAN Regional Forum," in text
    institutions.write_text(text.replace(",ASEAN Regional Forum,", f",{marker},", 1), encoding="utf-8")
    run = ("import json, sys, nbformat\nfrom nbclient import NotebookClient\n"
           "nb = nbformat.read(sys.argv[1], as_version=4)\n"
           "NotebookClient(nb, timeout=120, kernel_name='python3', resources={'metadata': {'path': sys.argv[2]}}).execute()\n"
           "print(json.dumps([o for c in nb.cells if c.cell_type == 'code' for o in c.outputs]))")
    env = {k: v for k, v in os.environ.items() if k not in ("TRACK2_DATA_DIR", "PYTHONPATH", "JUPYTER_PATH")}
    result = subprocess.run([str(venv / "bin" / "python"), "-c", run, str(checkout / "notebooks" / "institutions.ipynb"),
                             str(checkout / "notebooks")], cwd=checkout, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert marker in result.stdout, "the notebook shows the checkout's edited data"
