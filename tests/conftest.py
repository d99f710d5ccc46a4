"""Shared fixtures: a small valid dataset that each data test breaks in one way."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def minimal_data(tmp_path: Path) -> Path:
    """A copy of tests/fixtures/minimal described by the course's real datapackage.json."""
    folder = tmp_path / "data"
    shutil.copytree(FIXTURES / "minimal", folder)
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    package["bibliography"] = "references.bib"
    (folder / "datapackage.json").write_text(json.dumps(package, indent=2), encoding="utf-8")
    return folder


def edit_csv(path: Path, old: str, new: str) -> None:
    """Replace one exact piece of a fixture file; fail loudly if it is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --------------------------------------------------------------------------- #
# The built book

# The built book under test; set TRACK2_BUILD_HTML to test a book built elsewhere
# (e.g. `jupyter-book build . --path-output /tmp/x` -> /tmp/x/_build/html).
HTML = Path(os.environ.get("TRACK2_BUILD_HTML", ROOT / "_build" / "html")).resolve()


def toc_documents() -> list[str]:
    """Every document named in _toc.yml, as a path without suffix (e.g. 'book/intro')."""
    from track2.tools.course_length import toc_documents as documents

    return documents(ROOT)


def published_languages() -> list[str]:
    """The languages the site publishes besides English (_config.yml's track2_published_languages,
    the one list; `make book` builds each into _build/html/<lang>/)."""
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    return list(config["sphinx"]["config"].get("track2_published_languages") or [])


def site_documents() -> list[str]:
    """Every page of the site as a path without suffix: the documents of _toc.yml in English
    (``book/intro``), then in each published language (``zh_CN/book/intro``)."""
    documents = toc_documents()
    return documents + [f"{language}/{document}" for language in published_languages() for document in documents]


@pytest.fixture(scope="session")
def built_html() -> Path:
    """The built book; `make test` builds it first (strictly) before running pytest."""
    if not (HTML / "index.html").is_file():
        pytest.fail(f"{HTML} has no built book: run `make book` (or `make test`) first")
    return HTML


@pytest.fixture(scope="session")
def site(built_html):
    """The built book served on 127.0.0.1."""
    from browser import LocalSite

    server = LocalSite(built_html)
    yield server
    server.close()


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium under Playwright. Missing Chromium is a failure, never a skip."""
    from browser import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser` (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium, site):
    """A fresh page with its log of errors and outside requests: ``(page, log)``."""
    from browser import watch

    context = chromium.new_context()
    page = context.new_page()
    log = watch(page, site.base)
    yield page, log
    context.close()


# --------------------------------------------------------------------------- #
# The environments `make envs` builds (the tests run with the network cut, so they cannot
# install them). A test that needs one asks for its fixture, which marks it `envs`.

HUB_ENV = ROOT / "_build" / "hub-env"
COLAB_ENV = ROOT / "_build" / "colab-env"


@pytest.fixture(scope="session")
def hub_env() -> Path:
    """_build/hub-env: JupyterHub and a student's server as deploy/image/requirements.txt pins them."""
    if not (HUB_ENV / ".installed").is_file():
        pytest.fail(f"{HUB_ENV} is missing: run `make hub-env` (`make envs` and `make test` do)")
    return HUB_ENV


@pytest.fixture(scope="session")
def colab_python() -> Path:
    """The Python of _build/colab-env: Colab's Python with Colab's pandas, numpy, IPython and ipykernel."""
    if not (COLAB_ENV / ".installed").is_file():
        pytest.fail(f"{COLAB_ENV} is missing: run `make colab-env` (`make envs` and `make test` do)")
    return COLAB_ENV / "bin" / "python"


# --------------------------------------------------------------------------- #
# Markers, set from what a test needs, so that `make check` (`-m "not slow and not browser
# and not network and not envs and not editions and not hub"`) is a quick run and no test can forget its marker:
#   browser  uses Chromium (the `chromium` fixture)
#   built    reads the built book (`built_html`, `site`)
#   envs     needs _build/hub-env or _build/colab-env (`hub_env`, `colab_python`)
#   editions reads the PDF and EPUB of `make editions` (`editions_built`, tests/test_editions.py)
#   slow     runs notebooks (nbval), builds a book (test_build.py) or an environment (every
#            `network` test); a test that starts a Jupyter kernel or runs nbval itself carries
#            @pytest.mark.slow, and `kernels_only_in_slow_tests` below fails it if it does not.

#: a process started with any of these arguments starts a Jupyter kernel (directly, or through
#: nbval in a pytest of its own)
KERNEL_ARGUMENTS = ("ipykernel_launcher", "--nbval", "--nbval-lax")


def pytest_collection_modifyitems(config, items):
    longest_first(items)
    for item in items:
        needs = set(getattr(item, "fixturenames", ()))
        if "chromium" in needs:
            item.add_marker(pytest.mark.browser)
        if needs & {"built_html", "site"}:
            item.add_marker(pytest.mark.built)
        if needs & {"hub_env", "colab_python"}:
            item.add_marker(pytest.mark.envs)
        if "editions_built" in needs:
            item.add_marker(pytest.mark.editions)
        if item.path.suffix == ".ipynb" or item.path.name == "test_build.py":
            item.add_marker(pytest.mark.slow)  # starts a kernel or builds a book
        if item.get_closest_marker("network"):
            item.add_marker(pytest.mark.slow)  # builds an environment from the package registry


@pytest.fixture(autouse=True)
def kernels_only_in_slow_tests(request, monkeypatch):
    """A test not marked slow that starts a Jupyter kernel fails and says how to mark it."""
    if request.node.get_closest_marker("slow") or request.node.path.suffix == ".ipynb":
        yield
        return
    import subprocess

    start = subprocess.Popen.__init__

    def guarded(self, args, *more, **options):
        words = [str(a) for a in args] if isinstance(args, (list, tuple)) else str(args).split()
        if any(word.startswith(KERNEL_ARGUMENTS) or word.endswith(KERNEL_ARGUMENTS) for word in words):
            raise RuntimeError(f"{request.node.nodeid} starts a Jupyter kernel but is not marked slow: "
                               "add @pytest.mark.slow to it (`make check` leaves slow tests to `make test`)")
        start(self, args, *more, **options)

    monkeypatch.setattr(subprocess.Popen, "__init__", guarded)
    yield


# --------------------------------------------------------------------------- #
# Spreading the suite over `make test`'s two workers (`-n 2 --dist loadfile --no-loadscope-reorder`).
#
# Each test file runs whole on one worker (its module fixtures are made once, the cells of a
# notebook stay together under nbval), and files are handed out in collection order, which
# puts the longest files first (LONGEST_FIRST): a long file started last would keep one worker
# busy while the other has nothing left to do (xdist's own order, most tests first, started
# the nbgrader file, few tests but the longest, late). xdist's --dist loadgroup, which could
# split a file, does not group with pytest 9.2 (pytest-dev/pytest-xdist#1386).
# `pytest -p no:xdist` runs the files in this order too.

#: the longest files, longest first (per-test durations summed per file, `--durations=0`);
#: every other file follows in collection order
LONGEST_FIRST = ("tests/test_every_page.py", "tests/test_nbgrader.py")


def longest_first(items) -> None:
    rank = {ROOT / path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path, len(rank)))  # stable: collection order otherwise


# The time each test file took (set-up, call and tear-down of its tests, summed, so a module
# fixture counts once), printed at the end of every run of more than one file: the figures that
# LONGEST_FIRST and any plan to shorten `make test` start from. Under xdist the controller adds
# up its workers' reports, so these are worker-seconds.
FILE_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report) -> None:
    path = report.nodeid.split("::")[0]
    FILE_SECONDS[path] = FILE_SECONDS.get(path, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter) -> None:
    if len(FILE_SECONDS) < 2:
        return
    total = sum(FILE_SECONDS.values())
    terminalreporter.write_sep("-", f"seconds per test file, longest first ({total:.0f} s in all)")
    for path, seconds in sorted(FILE_SECONDS.items(), key=lambda item: -item[1])[:15]:
        terminalreporter.write_line(f"{seconds:8.1f} s  {100 * seconds / total:4.1f}%  {path}")
