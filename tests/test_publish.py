"""Pull requests are tested and a fork publishes only what passed.

- .github/workflows/ci.yml runs on every pull request and every push to the configured
  branch: the quick checks (`make check`) first, then the whole suite (`.ci/run`, which runs
  `make test`), on the course's Python and a Node.js that package.json's `engines` accepts;
  every step with a pipe fails when any command of the pipe fails; it uploads the built book
  (the preview) and, on failure, the execution reports.
- .github/workflows/publish.yml runs when CI has completed on the configured branch,
  publishes only a passed run of a push, and deploys the very book that run built and
  tested, with GitHub's official Pages actions and the permissions they need.
"""

from __future__ import annotations

import json
import re

import yaml

from conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
CI = yaml.safe_load((WORKFLOWS / "ci.yml").read_text(encoding="utf-8"))
PUBLISH = yaml.safe_load((WORKFLOWS / "publish.yml").read_text(encoding="utf-8"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
OFFICIAL = {"actions/checkout", "actions/setup-python", "actions/setup-node", "actions/upload-artifact",
            "actions/download-artifact", "actions/configure-pages", "actions/upload-pages-artifact",
            "actions/deploy-pages"}
(HTML,) = re.findall(r"^HTML\s*:=\s*(\S+)", MAKEFILE, flags=re.M)


def triggers(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true


def steps(workflow: dict, job: str) -> list[dict]:
    return workflow["jobs"][job]["steps"]


def uses(workflow: dict, job: str) -> dict[str, str]:
    """``{action: version}`` of the actions a job uses."""
    return dict(step["uses"].split("@") for step in steps(workflow, job) if "uses" in step)


def commands(workflow: dict, job: str) -> list[str]:
    """The shell commands of a job's `run` steps, in order, without blank lines and `set` lines."""
    lines = [line.strip() for step in steps(workflow, job) if "run" in step for line in step["run"].splitlines()]
    return [line for line in lines if line and not line.startswith(("set ", "mkdir "))]


def step_using(workflow: dict, job: str, action: str, name: str | None = None) -> dict:
    found = [s for s in steps(workflow, job) if s.get("uses", "").startswith(f"{action}@")
             and (name is None or s.get("with", {}).get("name") == name)]
    assert len(found) == 1, f"{job} should have one step using {action} (named {name}); it has {len(found)}"
    return found[0]


# --------------------------------------------------------------------------- #
# CI: every pull request


def test_ci_runs_on_every_pull_request_and_every_push_to_the_configured_branch():
    on = triggers(CI)
    assert "pull_request" in on and not (on["pull_request"] or {}).get("branches"), "every pull request, any base"
    assert on["push"]["branches"] == [CONFIG["repository"]["branch"]], "pushes to _config.yml's repository.branch"


def test_ci_runs_the_quick_checks_then_the_whole_suite():
    assert re.search(r"^check:", MAKEFILE, flags=re.M), "the Makefile has a `check` target"
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", ci_run, flags=re.M), ".ci/run runs `make test`"
    runs = [c.split(" 2>&1")[0] for c in commands(CI, "test")]
    assert runs[-2:] == ["make check", ".ci/run"], (
        f"ci.yml should end with `make check`, then `.ci/run` (make test); it runs {runs}")


def test_ci_uses_the_course_python_and_a_node_that_package_json_accepts():
    python = step_using(CI, "test", "actions/setup-python")
    runtime = (ROOT / "runtime.txt").read_text(encoding="utf-8").strip()
    assert f"python-{python['with']['python-version']}" == runtime, "ci.yml's Python is runtime.txt's"
    node = str(step_using(CI, "test", "actions/setup-node")["with"]["node-version"])
    engines = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["engines"]["node"]
    (major,) = re.fullmatch(r">=\s*(\d+)\.\d+(?:\.\d+)?", engines).groups()
    assert node == major, f"ci.yml's node-version {node} should be the major version package.json requires ({engines})"


def test_every_step_with_a_pipe_fails_when_any_command_of_it_fails():
    for step in steps(CI, "test"):
        if "|" in step.get("run", ""):
            assert "set -eo pipefail" in step["run"] and step.get("shell") == "bash", (
                f"step {step.get('name')!r}: start it with `set -eo pipefail` and give it `shell: bash`, "
                "or a failed build hides behind `| tee`")


def test_ci_uploads_the_book_as_the_preview_and_the_reports_on_failure():
    book = step_using(CI, "test", "actions/upload-artifact", name="book-html")
    assert book["with"]["path"] == HTML, f"the preview is the Makefile's HTML folder, {HTML}"
    reports = step_using(CI, "test", "actions/upload-artifact", name="failure-reports")
    assert reports["if"].strip("${} ") == "failure()", "the reports are uploaded when a step fails"
    assert f"{HTML}/reports/" in reports["with"]["path"].split(), "MyST-NB writes execution reports there"
    order = [s.get("uses", s.get("run", "")).split("@")[0] for s in steps(CI, "test")]
    assert order.index("actions/upload-artifact") > max(i for i, s in enumerate(order) if ".ci/run" in s), (
        "upload after the suite has run")


# --------------------------------------------------------------------------- #
# Publish: only what passed


def test_publish_runs_when_ci_completes_on_the_configured_branch():
    on = triggers(PUBLISH)
    assert set(on) == {"workflow_run"}, "no other trigger may publish an untested book"
    assert on["workflow_run"] == {"workflows": [CI["name"]], "types": ["completed"],
                                  "branches": [CONFIG["repository"]["branch"]]}


def test_publish_deploys_only_a_passed_push_and_exactly_the_book_ci_tested():
    condition = PUBLISH["jobs"]["build"]["if"]
    for required in ("github.event.workflow_run.conclusion == 'success'", "github.event.workflow_run.event == 'push'",
                     "github.event.workflow_run.head_repository.full_name == github.repository"):
        assert required in condition, f"publish.yml's build job must require {required}"
    assert not [s for s in steps(PUBLISH, "build") if "run" in s], "publish builds nothing itself: it deploys CI's book"
    download = step_using(PUBLISH, "build", "actions/download-artifact")
    assert download["with"]["name"] == "book-html" and download["with"]["path"] == HTML
    assert download["with"]["run-id"] == "${{ github.event.workflow_run.id }}", "the book of the run that passed"
    upload = step_using(PUBLISH, "build", "actions/upload-pages-artifact")
    assert upload["with"]["path"] == HTML
    order = [s["uses"].split("@")[0] for s in steps(PUBLISH, "build")]
    assert order == ["actions/download-artifact", "actions/configure-pages", "actions/upload-pages-artifact"]
    deploy = PUBLISH["jobs"]["deploy"]
    assert deploy["needs"] == "build" and deploy["environment"]["name"] == "github-pages"
    assert list(uses(PUBLISH, "deploy")) == ["actions/deploy-pages"]


def test_only_githubs_own_actions_at_a_major_version():
    used = {**uses(CI, "test"), **uses(PUBLISH, "build"), **uses(PUBLISH, "deploy")}
    assert set(used) <= OFFICIAL, f"only GitHub's own actions: {set(used) - OFFICIAL}"
    assert all(re.fullmatch(r"v\d+", version) for version in used.values()), used


def test_each_workflow_has_the_permissions_it_needs_and_no_more():
    assert CI["permissions"] == {"contents": "read"}
    assert PUBLISH["permissions"] == {"contents": "read", "actions": "read", "pages": "write", "id-token": "write"}
    assert PUBLISH["concurrency"]["group"] == "pages"
    assert CI["jobs"]["test"]["timeout-minutes"] <= 90


def test_the_readme_says_how_a_fork_publishes():
    section = README[README.index("### Publish your fork"):README.index("## How the parts fit")]
    for words in ("ci.yml", "publish.yml", "make check", "make test", "book-html", "Source: **GitHub Actions**"):
        assert words in section, f"README's 'Publish your fork' should mention {words!r}"
