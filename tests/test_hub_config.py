"""The configuration for a course hub beyond one machine agrees with the course.

deploy/z2jh/values.yaml (Zero to JupyterHub) and deploy/image/ (the student image, built
with repo2docker) are checked against _config.yml, requirements.txt, the root postBuild,
the class test's environment and the course's memory budget per student.
"""

from __future__ import annotations

import ast
import json
import re
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import ROOT
from hubclass import HUB_ENV, course_link, student_server_args
from test_dependencies import pins
from test_hub import STUDENT_MB

VALUES_FILE = ROOT / "deploy" / "z2jh" / "values.yaml"
VALUES_TEXT = VALUES_FILE.read_text(encoding="utf-8")
VALUES = yaml.safe_load(VALUES_TEXT)
IMAGE = ROOT / "deploy" / "image"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPO_URL, BRANCH = CONFIG["repository"]["url"], CONFIG["repository"]["branch"]
REPO_NAME = urlsplit(REPO_URL).path.strip("/").split("/")[-1]
SIZES = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}  # KubeSpawner's ByteSpecification


def mebibytes(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([KMGT]?)", str(value)).groups()
    return float(number) * SIZES[unit] / 2**20


def test_the_image_pins_the_student_runtime_of_requirements_txt():
    runtime, image = pins(ROOT / "requirements.txt"), pins(IMAGE / "requirements.txt")
    assert runtime and {name: image.get(name) for name in runtime} == runtime
    for tool in ("jupyterlab", "jupyterhub", "nbgitpuller", "nbgrader", "jupytext"):
        assert tool in image, f"the student image needs {tool}, pinned"
    dev = pins(ROOT / "requirements-dev.txt")
    if "nbgrader" in dev:
        assert image["nbgrader"] == dev["nbgrader"], "one nbgrader version for grading and the hub"


def test_the_image_installs_the_course_package_from_the_configured_repository():
    lines = [line.strip() for line in (IMAGE / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    assert f"track2 @ git+{REPO_URL}@{BRANCH}" in lines


def test_the_image_opens_chapters_as_notebooks_as_binder_does():
    assert (IMAGE / "postBuild").read_text(encoding="utf-8") == (ROOT / "postBuild").read_text(encoding="utf-8")
    assert (IMAGE / "runtime.txt").read_text(encoding="utf-8") == (ROOT / "runtime.txt").read_text(encoding="utf-8")
    assert (IMAGE / "postBuild").stat().st_mode & 0o111, "repo2docker runs postBuild only if it is executable"


def test_the_class_test_ran_on_the_images_jupyterhub():
    if not (HUB_ENV / "bin" / "jupyterhub").is_file():
        pytest.fail(f"{HUB_ENV} is missing: run `make hub-env`")
    (metadata,) = (HUB_ENV / "lib").glob("python3*/site-packages/jupyterhub-*.dist-info")
    assert metadata.name == f"jupyterhub-{pins(IMAGE / 'requirements.txt')['jupyterhub']}.dist-info"


def test_student_servers_leave_out_only_real_nbgrader_extensions_and_instructors_get_them():
    (argument,) = student_server_args()
    name, value = argument.removeprefix("--").split("=", 1)
    assert name == "ServerApp.jpserver_extensions"
    disabled = ast.literal_eval(value)
    assert disabled and not any(disabled.values())
    if not HUB_ENV.is_dir():
        pytest.fail(f"{HUB_ENV} is missing: run `make hub-env`")
    enabled = json.loads((HUB_ENV / "etc" / "jupyter" / "jupyter_server_config.d" / "nbgrader.json").read_text())
    assert set(disabled) == set(enabled["ServerApp"]["jpserver_extensions"]), "names of nbgrader's server extensions"
    profiles = VALUES["singleuser"]["profileList"]
    assert [p.get("default", False) for p in profiles].count(True) == 1
    instructor = next(p for p in profiles if "nbgrader" in p["display_name"])
    assert instructor["kubespawner_override"]["args"] == []


def test_memory_per_student_is_the_courses_budget():
    memory = VALUES["singleuser"]["memory"]
    assert mebibytes(memory["guarantee"]) >= STUDENT_MB, "the guarantee covers a student's measured peak"
    assert mebibytes(memory["limit"]) >= 2 * mebibytes(memory["guarantee"]), "room for a second notebook"
    measured = ROOT / "_build" / "hub-class.json"  # written by the last run of tests/test_hub.py
    if measured.is_file():
        figures = json.loads(measured.read_text(encoding="utf-8"))
        assert figures["student_rss_mb_max"] <= mebibytes(memory["limit"])


def test_every_student_gets_the_course_from_the_configured_repository():
    command = VALUES["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert command[:2] == ["sh", "-c"]
    assert command[2].startswith(f"gitpuller {REPO_URL} {BRANCH} {REPO_NAME} ")
    assert VALUES["singleuser"]["defaultUrl"] == "/lab" and CONFIG["launch_buttons"]["notebook_interface"] == "jupyterlab"


def test_the_documented_links_are_the_course_buttons_links():
    hub = f"https://{VALUES['proxy']['https']['hosts'][0]}"
    documented = re.findall(r"^#\s+(https://\S+/hub/user-redirect/git-pull\S+)$", VALUES_TEXT, flags=re.M)
    assert course_link(hub, "notebooks/pair-explorer.ipynb") in documented
    folder = course_link(hub, "notebooks/pair-explorer.ipynb").replace("notebooks/pair-explorer.ipynb", "notebooks")
    assert folder in documented and len(documented) == 2


def test_every_value_to_change_is_marked():
    """A teacher replaces each CHANGE; nothing else is a placeholder."""
    assert VALUES_TEXT.count("CHANGE") >= 8
    for line in VALUES_TEXT.splitlines():
        if "example.edu" in line and not line.lstrip().startswith("#"):
            assert "CHANGE" in line, line
