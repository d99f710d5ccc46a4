"""A real JupyterHub class, on loopback (tests/hubclass.py does the work).

JupyterHub and a student server as deploy/image/requirements.txt pins them (the Makefile
installs them into _build/hub-env before the tests, as the network is cut during the
tests), configurable-http-proxy from npm, the dummy authenticator and a local process
spawner, each student's server started with the arguments deploy/z2jh/values.yaml gives
students. A class of students (TRACK2_HUB_STUDENTS, default 10) is created through the
hub's REST API; each student logs in, follows the course's nbgitpuller link (the link
sphinx-book-theme puts on a page's JupyterHub button, its repo pointed at a local clone),
gets the course in their home, and runs an explorer notebook and an exercise notebook
in their own server over the kernel websocket; the first students also open a chapter's
.md as a notebook (jupytext) and run it. Every process the hub started is gone at the end.

Run it alone with `pytest -m hub` (`make test` runs it on its own after the other tests,
so the timing is the class's, not the machine's other work). `make bench` reports the
same figures for a class of 20.
"""

from __future__ import annotations

import json
import os
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import ROOT
from hubclass import (CHAPTER, CHAPTER_READERS, CLASS_WORK, REPO_NAME, REPO_URL, HubClass, figures,
                      install_course_package, make_clone, missing_setup)

pytestmark = [pytest.mark.hub, pytest.mark.slow]

STUDENTS = int(os.environ.get("TRACK2_HUB_STUDENTS", "10"))
CLASS_SECONDS = 180       # the course's target for a class on 2 cores
STUDENT_MB = 250          # the course's target memory per active student
FIGURES = ROOT / "_build" / "hub-class.json"


def test_a_class_gets_the_course_through_nbgitpuller_and_runs_it_on_a_real_jupyterhub(tmp_path):
    problem = missing_setup()
    if problem:
        pytest.fail(problem)
    install_course_package(tmp_path / "package")
    clone = make_clone(tmp_path / "repository")
    hub = HubClass(tmp_path / "hub")
    with hub:
        result = hub.run_class(STUDENTS, clone)
        first = result["students"][0]
        # JupyterLab's default viewers, with the environment's overrides (postBuild) applied to the schema
        settings = hub.lab_settings(first, "@jupyterlab/docmanager-extension:plugin")
        viewers = {**settings["schema"]["properties"]["defaultViewers"].get("default", {}),
                   **settings["settings"].get("defaultViewers", {})}
    numbers = figures(result, hub)
    FIGURES.parent.mkdir(exist_ok=True)
    FIGURES.write_text(json.dumps(numbers, indent=2), encoding="utf-8")
    print("\nJupyterHub class:", json.dumps(numbers))

    # the link is the course's JupyterHub button, in nbgitpuller's format
    link = urlsplit(result["link"])
    assert link.path == "/hub/user-redirect/git-pull"
    assert parse_qs(link.query) == {"repo": [REPO_URL], "branch": ["main"],
                                    "urlpath": [f"lab/tree/{REPO_NAME}/{CLASS_WORK[0]}"]}
    assert len(result["students"]) == STUDENTS >= 10
    for student in result["students"]:
        copy = hub.folder / "home" / student.name / REPO_NAME
        for folder in ("notebooks", "exercises"):
            shipped = sorted(p.name for p in (ROOT / folder).glob("*.ipynb"))
            assert shipped and sorted(p.name for p in (copy / folder).glob("*.ipynb")) == shipped, student.name
        # the notebooks read the student's own copy of the data, not the package's
        assert student.data_dir == str(copy / "data"), student.data_dir
        explorer, exercise = (student.ran[document] for document in CLASS_WORK)
        assert explorer["widgets"] >= 1 and exercise["widgets"] >= 1, student.ran
    readers = [s for s in result["students"] if CHAPTER in s.ran]
    assert len(readers) == min(CHAPTER_READERS, STUDENTS) and all(s.ran[CHAPTER]["cells"] > 0 for s in readers)
    assert viewers.get("markdown") == "Jupytext Notebook", viewers  # postBuild: chapters open as notebooks

    # everything the hub started is gone, without having to be killed
    assert hub.killed == [], f"processes left running after the hub stopped: {hub.killed}"
    assert hub.still_running() == []

    assert numbers["class_seconds"] <= CLASS_SECONDS, numbers
    # memory per student: the proportional share (PSS) of their server and kernel, so that
    # libraries every student's processes share are counted once overall; RSS is reported too
    assert numbers["student_pss_mb_max"] <= STUDENT_MB, numbers
