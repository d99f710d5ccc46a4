"""The course extension's check, at the start of every build, that the theme and extension
packages it relies on are the versions requirements-lock.txt pins
(book/_ext/course/theme_versions.py). A build with another version fails: test_build.py."""

from __future__ import annotations

import ast
import sys
from importlib.metadata import distribution, packages_distributions

import pytest
from packaging.utils import canonicalize_name
from sphinx.errors import ExtensionError

from conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from course import theme_versions  # noqa: E402

EXTENSION = ROOT / "book" / "_ext" / "course"


def test_the_installed_packages_are_the_pinned_ones():
    theme_versions.check_versions()  # make install installs the lock: nothing to say


def test_every_relied_on_package_is_pinned_in_the_lock():
    pins = theme_versions.pinned_versions((ROOT / "requirements-lock.txt").read_text(encoding="utf-8"))
    assert [name for name in theme_versions.RELIED_ON if canonicalize_name(name) not in pins] == []


def test_another_version_stops_the_build_naming_package_found_and_pinned(tmp_path):
    lock = tmp_path / "requirements-lock.txt"
    text = (ROOT / "requirements-lock.txt").read_text(encoding="utf-8")
    found = theme_versions.installed_version("pydata-sphinx-theme")
    assert f"pydata-sphinx-theme=={found} " in text
    lock.write_text(text.replace(f"pydata-sphinx-theme=={found} ", "pydata-sphinx-theme==0.15.4 "), encoding="utf-8")
    with pytest.raises(ExtensionError) as error:
        theme_versions.check_versions(lock)
    message = str(error.value)
    assert f"pydata-sphinx-theme: found {found}, pinned 0.15.4" in message
    assert "sphinx-book-theme" not in message  # only what differs


def test_a_package_missing_from_the_lock_or_the_environment_is_named():
    problems = theme_versions.version_problems(
        "sphinx-exercise==1.2.1 \\\n    --hash=sha256:00\nmyst-nb==1.4.0\n",
        installed={"sphinx-exercise": "1.2.1", "myst-nb": None}.get,
        relied_on={"sphinx-exercise": "a", "myst-nb": "b", "sphinx-thebe": "c"})
    assert problems == ["myst-nb: found not installed, pinned 1.4.0 (the course relies on b)",
                        "sphinx-thebe is not pinned in requirements-lock.txt (the course relies on c)"]


def test_a_missing_lock_is_a_clear_error(tmp_path):
    with pytest.raises(ExtensionError, match="requirements-lock.txt not found"):
        theme_versions.check_versions(tmp_path / "requirements-lock.txt")


def owners_of(module: str, owners: dict[str, list[str]]) -> list[str]:
    """The distributions that install ``module``: for a namespace package that several share
    (``sphinxcontrib.bibtex``), only those whose files hold the module's own folder."""
    top, *rest = module.split(".")
    candidates = owners.get(top, [])
    if len(candidates) < 2 or not rest:
        return candidates
    folder = f"{top}/{rest[0]}"
    return [name for name in candidates
            if any(str(file).startswith((folder + "/", folder + ".")) for file in distribution(name).files or [])]


def imported_distributions() -> dict[str, set[str]]:
    """``{distribution: {module of the extension importing it}}``: every third-party package
    the extension's modules import."""
    owners = packages_distributions()
    found: dict[str, set[str]] = {}
    for path in EXTENSION.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                for owner in owners_of(name, owners):
                    found.setdefault(canonicalize_name(owner), set()).add(path.name)
    return found


#: Packages the extension imports for what they document (their stable API), not to patch them.
NOT_PATCHED = {"markupsafe", "packaging", "pyyaml", "beautifulsoup4", "playwright", "track2", "babel"}


def test_every_theme_or_extension_package_the_modules_import_is_checked():
    """A module that starts importing (to patch or imitate) another Sphinx package must add it
    to RELIED_ON, with what depends on it."""
    relied_on = {canonicalize_name(name) for name in theme_versions.RELIED_ON}
    unchecked = {name: sorted(modules) for name, modules in imported_distributions().items()
                 if name not in relied_on and name not in NOT_PATCHED}
    assert unchecked == {}, "add these to RELIED_ON in book/_ext/course/theme_versions.py"
