"""Package boundaries and the locked toolchain.

- deptry: the student runtime modules of ``track2`` import only the runtime
  dependencies in pyproject.toml; ``track2.tools`` may also import the ``tools``
  extra; nothing imports an undeclared package. Each rule is also shown to fail on
  a copy of the package that breaks it.
- requirements-lock.txt (``make lock``) pins every package of the build and test
  environment, at the versions requirements.txt, requirements-dev.txt and
  pyproject.toml ask for, and ``make book`` installs from it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ROOT

LOCK = ROOT / "requirements-lock.txt"
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))

# `deptry track2` with pyproject's configuration: every module imports only declared packages.
DECLARED_RULE: list[str] = []
# the runtime rule: track2/tools skipped, the tools extra counted as unavailable
RUNTIME_RULE = ["--extend-exclude", "track2/tools", "--optional-dependencies-dev-groups", "tools"]


def deptry(root: Path, rule: list[str]) -> tuple[int, str]:
    """deptry's exit code and report (it writes the report to stderr) on ``root/track2``."""
    result = subprocess.run([sys.executable, "-m", "deptry", "track2", "--no-ansi", *rule],
                            cwd=root, capture_output=True, text=True, timeout=120)
    return result.returncode, result.stdout + result.stderr


def pins(requirements: Path) -> dict[str, str]:
    """``{canonical name: version}`` of every ``name==version`` line of a requirements file."""
    found = {}
    for line in requirements.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;#]+)", line.strip())
        if match:
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


# --------------------------------------------------------------------------- #
# Imports against declared dependencies


@pytest.mark.parametrize("rule", [DECLARED_RULE, RUNTIME_RULE], ids=["declared", "runtime"])
def test_modules_import_only_what_pyproject_declares_for_them(rule):
    returncode, report = deptry(ROOT, rule)
    assert returncode == 0, (
        "deptry found imports that pyproject.toml does not declare for the modules that make them "
        "(DEP004 under the runtime rule: a student runtime module imports a package of the tools "
        "extra; move that code to track2/tools):\n" + report)
    assert re.search(r"Scanning \d+ files", report), "deptry scanned the package"


@pytest.mark.parametrize("module, line, rule, expected", [
    ("track2/charts.py", "import nbformat", RUNTIME_RULE, "DEP004 'nbformat'"),
    ("track2/tools/setup_cell.py", "import docutils", DECLARED_RULE, "DEP003 'docutils'"),
], ids=["runtime-module-imports-a-tools-package", "tools-module-imports-an-undeclared-package"])
def test_the_dependency_check_fails_on_a_package_that_breaks_the_rule(tmp_path, module, line, rule, expected):
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(ROOT / "track2", tmp_path / "track2", ignore=shutil.ignore_patterns("__pycache__"))
    _, before = deptry(tmp_path, rule)
    assert expected not in before, before
    broken = tmp_path / module
    broken.write_text(broken.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    returncode, after = deptry(tmp_path, rule)
    assert returncode != 0 and f"{module}:" in after and expected in after, after


# --------------------------------------------------------------------------- #
# The lock file


def test_the_lock_pins_the_runtime_at_the_same_versions():
    runtime, locked = pins(ROOT / "requirements.txt"), pins(LOCK)
    assert runtime, "requirements.txt pins the student runtime"
    differ = {name: (version, locked.get(name)) for name, version in runtime.items() if locked.get(name) != version}
    assert not differ, f"requirements.txt and requirements-lock.txt disagree (run `make lock`): {differ}"


def declared_requirements() -> list[tuple[str, Requirement]]:
    """Every requirement of the environment: requirements-dev.txt, requirements.txt, pyproject's runtime and tools."""
    found = []
    for name in ("requirements.txt", "requirements-dev.txt"):
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-"):
                found.append((name, Requirement(line)))
    project = PYPROJECT["project"]
    for text in [*project["dependencies"], *project["optional-dependencies"]["tools"]]:
        found.append(("pyproject.toml", Requirement(text)))
    return found


def test_the_lock_pins_every_declared_package_at_a_version_it_allows():
    locked = pins(LOCK)
    requirements = declared_requirements()
    assert len(requirements) > 15
    problems = [f"{where}: {req} (locked: {locked.get(canonicalize_name(req.name))})"
                for where, req in requirements
                if canonicalize_name(req.name) not in locked
                or not req.specifier.contains(locked[canonicalize_name(req.name)], prereleases=True)]
    assert not problems, "requirements-lock.txt is out of date (run `make lock`):\n" + "\n".join(problems)


def lock_entries(text: str) -> list[tuple[str, list[str]]]:
    """``(requirement, [hash, ...])`` of every entry of a requirements file, its backslash
    continuation lines joined (``make lock`` writes each pin followed by its ``--hash=`` lines)."""
    joined = re.sub(r"\\\n", " ", text)
    entries = []
    for line in joined.splitlines():
        words = line.split("#")[0].split()
        if words:
            entries.append((words[0], [w.removeprefix("--hash=") for w in words[1:] if w.startswith("--hash=")]))
    return entries


def unhashed(text: str) -> list[str]:
    """The entries of a lock that pip's --require-hashes would refuse: no sha256 hash."""
    return [requirement for requirement, hashes in lock_entries(text)
            if not any(re.fullmatch(r"sha256:[0-9a-f]{64}", h) for h in hashes)]


def test_the_lock_pins_everything_exactly_and_not_the_course_package():
    entries = [requirement for requirement, _ in lock_entries(LOCK.read_text(encoding="utf-8"))]
    assert entries and all(re.fullmatch(r"[A-Za-z0-9_.-]+==\S+", line) for line in entries), \
        [line for line in entries if not re.fullmatch(r"[A-Za-z0-9_.-]+==\S+", line)]
    locked = pins(LOCK)
    assert "track2" not in locked, "the course package is installed from the working tree, not the lock"
    assert {"sphinx", "myst-nb", "sphinx-book-theme", "nbclient", "nbformat", "jupytext"} <= set(locked)


def test_every_pinned_package_of_the_lock_has_a_hash():
    """`make book` installs with --require-hashes: a package without a hash in the lock stops it."""
    text = LOCK.read_text(encoding="utf-8")
    assert len(lock_entries(text)) == len(pins(LOCK)) > 100, "every entry of the lock is a pin"
    missing = unhashed(text)
    assert not missing, ("requirements-lock.txt pins packages without a sha256 hash (edited by hand?): "
                         f"{missing}. Run `make lock`, which writes every pin with its hashes")


def test_the_hash_check_finds_a_pin_without_a_hash():
    text = ("alabaster==0.7.16 \\\n    --hash=sha256:" + "a" * 64 + "\n    # via sphinx\n"
            "babel==2.17.0\n    # via sphinx\n")
    assert [requirement for requirement, _ in lock_entries(text)] == ["alabaster==0.7.16", "babel==2.17.0"]
    assert unhashed(text) == ["babel==2.17.0"]


def test_dependabot_proposes_updates_for_python_npm_and_the_workflows():
    import yaml

    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text(encoding="utf-8"))
    updates = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(updates) == {"pip", "npm", "github-actions"}, (
        ".github/dependabot.yml should propose updates for pip (the requirements files and the lock), "
        f"npm (package.json) and github-actions; it has {sorted(updates)}")
    assert "/" in updates["pip"].get("directories", [updates["pip"].get("directory")])
    assert all(update["schedule"]["interval"] for update in updates.values())


def test_make_book_installs_from_the_lock_and_make_lock_writes_it():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    install = re.search(r"^\$\(VENV\)/\.installed:(.*)\n((?:\t.*\n)+)", makefile, flags=re.M)
    assert install and "requirements-lock.txt" in install.group(1)
    commands = install.group(2)
    assert "pip install --quiet --require-hashes -r requirements-lock.txt" in commands
    assert "pip install --quiet --no-deps -e ." in commands and "pip check" in commands
    assert not re.search(r"-r requirements(-dev)?\.txt", commands), "the lock, not the files it is made from"
    lock = re.search(r"^lock:.*\n((?:\t.*\n)+)", makefile, flags=re.M)
    assert lock and "compile requirements-dev.txt --output-file requirements-lock.txt" in lock.group(1)
    assert "--generate-hashes" in lock.group(1), "make lock writes every pin with its hashes"
