"""The theme and extension packages this extension relies on are the versions pinned.

Several modules of this package work on what other packages write: template files copied
from pydata-sphinx-theme, the page context and buttons of sphinx-book-theme, the markup of
sphinx-exercise's boxes, myst-nb's widget scripts and hidden-cell node, sphinx-thebe's
handlers, the asset names of the copy, toggle and design extensions, the redirect of
sphinx-external-toc. A different version of any of them may change that without an error,
only a page that is quietly wrong. So at the start of every build each of them must be
installed at the version ``requirements-lock.txt`` pins (``make install`` installs exactly
those); any other stops the build, naming the package, the version found and the one pinned.
After a deliberate upgrade (``make lock``), build the book and run the tests that read it.
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.utils import canonicalize_name
from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

LOCK = Path(__file__).resolve().parents[3] / "requirements-lock.txt"

#: Package -> what in this extension depends on its version.
RELIED_ON = {
    "sphinx": "the events, builders and node handlers every module uses",
    "docutils": "its HTML5 citation markup, written with another role (course_style.py)",
    "jupyter-book": "the configuration it hands Sphinx (editions.py, course_site.py)",
    "pydata-sphinx-theme": "templates copied and corrected (course_templates/, light_templates/), its "
                           "stylesheet's icon rules and fonts (light_pages.py), its sidebar (course_style.py)",
    "sphinx-book-theme": "its header buttons in the page context (launch_buttons.py, editions.py), its header "
                         "buttons component and macros, copied (light_templates/)",
    "sphinx-exercise": "its exercise and solution markup (course_site.py)",
    "myst-nb": "its widget scripts, hidden-cell node and glue lookup (widget_bundle.py, course_style.py, "
              "editions.py, translations.py)",
    "sphinx-thebe": "its handlers, switched off by name (offline_assets.py)",
    "sphinx-external-toc": "its redirect index.html, replaced (course_site.py)",
    "sphinx-copybutton": "its asset names (light_pages.py)",
    "sphinx-togglebutton": "its asset names and selector (light_pages.py)",
    "sphinx-design": "its asset names and class prefix (light_pages.py)",
    "pybtex": "its plug-in registry (fast_build.py)",
    "sphinxcontrib-bibtex": "its author-year citation style and plug-in registry, for the translated books' "
                            "joining words (translations.py)",
    "pikepdf": "the PDF edition's packing after Chromium prints it (editions.py)",
}

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.M)


def pinned_versions(lock_text: str) -> dict[str, str]:
    """``{canonical name: version}`` of every ``name==version`` line of a pip lock file."""
    return {canonicalize_name(name): pinned for name, pinned in PIN.findall(lock_text)}


def installed_version(name: str) -> str | None:
    try:
        return version(name)
    except PackageNotFoundError:
        return None


def version_problems(lock_text: str, installed=installed_version, relied_on=RELIED_ON) -> list[str]:
    """One message per package of ``relied_on`` that is not installed at its pinned version."""
    pins = pinned_versions(lock_text)
    problems = []
    for name, why in relied_on.items():
        pinned = pins.get(canonicalize_name(name))
        found = installed(name)
        if pinned is None:
            problems.append(f"{name} is not pinned in requirements-lock.txt (the course relies on {why})")
        elif found != pinned:
            problems.append(f"{name}: found {found or 'not installed'}, pinned {pinned} (the course relies on {why})")
    return problems


def check_versions(lock: Path = LOCK) -> None:
    """Raise ``ExtensionError`` naming every relied-on package not at its pinned version."""
    if not lock.is_file():
        raise ExtensionError(f"{lock} not found: the course's extension checks the theme versions it relies on "
                             "against it")
    problems = version_problems(lock.read_text(encoding="utf-8"))
    if problems:
        raise ExtensionError("the theme and extension packages the course's pages rely on are not the "
                             "versions pinned in requirements-lock.txt (run `make install`, or after a "
                             "deliberate upgrade `make lock`):\n  " + "\n  ".join(problems))


def setup(app: Sphinx) -> None:
    check_versions()
