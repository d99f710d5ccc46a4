"""The tools a contributor needs are named and pinned: ruff and codespell through pre-commit
(settings in pyproject.toml), and the Node.js version package.json requires, stated in the
README and checked by the Makefile."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib

import pytest
import yaml

from conftest import ROOT

PRE_COMMIT = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
ENGINES = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["engines"]["node"]


def hooks() -> dict[str, tuple[str, list[str]]]:
    """``{repository: (rev, hook ids)}`` of .pre-commit-config.yaml."""
    return {repo["repo"]: (repo["rev"], [hook["id"] for hook in repo["hooks"]]) for repo in PRE_COMMIT["repos"]}


def test_pre_commit_runs_ruff_and_codespell_at_pinned_versions():
    found = hooks()
    ruff = found.get("https://github.com/astral-sh/ruff-pre-commit")
    codespell = found.get("https://github.com/codespell-project/codespell")
    assert ruff and "ruff-check" in ruff[1], ".pre-commit-config.yaml should run astral-sh/ruff-pre-commit's ruff-check"
    assert codespell and "codespell" in codespell[1], ".pre-commit-config.yaml should run codespell"
    for repository, (rev, _) in found.items():
        assert re.fullmatch(r"v\d+\.\d+\.\d+", rev), f"pin {repository} to a release tag (vX.Y.Z), not {rev!r}"


def test_ruff_and_codespell_are_configured_in_pyproject():
    ruff = PYPROJECT["tool"]["ruff"]
    assert ruff["target-version"] == "py" + PYPROJECT["project"]["requires-python"].removeprefix(">=").replace(".", "")
    assert {"E", "F", "B", "UP"} <= set(ruff["lint"]["select"]), "pycodestyle, pyflakes, bugbear, pyupgrade"
    assert PYPROJECT["tool"]["codespell"]["ignore-words-list"], "the subject's words that codespell does not know"


def test_the_readme_states_the_node_version_package_json_requires():
    (version,) = re.fullmatch(r">=\s*(\d+\.\d+(?:\.\d+)?)", ENGINES).groups()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"Node.js {version} or later" in readme, f"README's set-up should say 'Node.js {version} or later' (package.json)"


@pytest.mark.parametrize("node, warns", [("20.20.2", True), ("22.11.0", True), ("22.12.0", False), ("24.1.0", False)])
def test_make_warns_when_node_is_older_than_package_json_requires(node, warns):
    """The Makefile's node-version check, run by node with process.versions.node replaced."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^node_modules/\.installed: .*\| node-version$", makefile, flags=re.M), (
        "npm ci (node_modules/.installed) should run after the node-version check")
    script = re.search(r"^NODE_CHECK = (.*?)\n(?=\S)", makefile, flags=re.S | re.M).group(1)
    script = script.replace("\\\n", " ").replace("$$", "$")
    fake = f"Object.defineProperty(process.versions, 'node', {{value: {node!r}}}); {script}"
    result = subprocess.run(["node", "-e", fake], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert ("WARNING: Node.js" in result.stderr) == warns, result.stderr
    if warns:
        assert f"older than package.json requires (engines: node {ENGINES})" in result.stderr


@pytest.mark.parametrize("command", [["ruff", "check", "."], ["codespell"]], ids=["ruff", "codespell"])
def test_the_tree_passes_the_linters_pre_commit_runs(command):
    """What pre-commit would say, said by the test suite too (the tools are in the lock)."""
    import sys
    from pathlib import Path

    program = Path(sys.executable).parent / command[0]  # installed from the lock beside this Python
    result = subprocess.run([str(program), *command[1:]], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"`{' '.join(command)}` found problems; fix them:\n{result.stdout[-3000:]}"
