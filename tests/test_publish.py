"""A fork publishes itself: .github/workflows/publish.yml builds the book with the README's
command on a push to the configured branch and deploys the Makefile's output folder to
GitHub Pages with GitHub's official Pages actions, with the permissions they need."""

from __future__ import annotations

import re

import yaml

from conftest import ROOT

WORKFLOW_FILE = ROOT / ".github" / "workflows" / "publish.yml"
WORKFLOW = yaml.safe_load(WORKFLOW_FILE.read_text(encoding="utf-8"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
OFFICIAL = {"actions/checkout", "actions/setup-python", "actions/setup-node",
            "actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"}


def steps(job: str) -> list[dict]:
    return WORKFLOW["jobs"][job]["steps"]


def uses(job: str) -> dict[str, str]:
    """``{action: version}`` of the actions a job uses."""
    return dict(step["uses"].split("@") for step in steps(job) if "uses" in step)


def test_it_runs_on_a_push_to_the_configured_branch():
    triggers = WORKFLOW.get("on", WORKFLOW.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"]["branches"] == [CONFIG["repository"]["branch"]]
    assert "workflow_dispatch" in triggers


def test_it_builds_with_the_readmes_book_command_and_the_course_python():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^make book\b", readme, flags=re.M), "the README's set-up command"
    runs = [step["run"].strip() for step in steps("build") if "run" in step]
    assert runs == ["make book"]
    python = next(s for s in steps("build") if s.get("uses", "").startswith("actions/setup-python@"))
    runtime = (ROOT / "runtime.txt").read_text(encoding="utf-8").strip()
    assert f"python-{python['with']['python-version']}" == runtime


def test_it_deploys_the_built_html_with_the_official_pages_actions():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    (html,) = re.findall(r"^HTML\s*:=\s*(\S+)", makefile, flags=re.M)
    upload = next(s for s in steps("build") if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == html
    order = [s.get("uses", "run").split("@")[0] for s in steps("build")]
    assert order.index("run") < order.index("actions/upload-pages-artifact"), "upload after the build"
    assert "actions/configure-pages" in order
    deploy = WORKFLOW["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert list(uses("deploy")) == ["actions/deploy-pages"]
    used = {**uses("build"), **uses("deploy")}
    assert set(used) <= OFFICIAL, "only GitHub's own actions"
    assert all(re.fullmatch(r"v\d+", version) for version in used.values()), used


def test_it_has_the_permissions_pages_needs_and_no_more():
    assert WORKFLOW["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert WORKFLOW["concurrency"]["group"] == "pages"
    assert WORKFLOW["jobs"]["build"]["timeout-minutes"] <= 90
