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

A student's kernel websocket that closes mid-class is reopened and the cut-off cell run
again (tests/hubclass.py, run_cells); the class reports how many times. The tests after the
class (not marked `hub`, a few seconds, loopback only) check that client against a real
kernel behind a websocket proxy that closes the connection on purpose: one close costs one
reconnect and the cell's result still arrives; a close too many fails naming the student,
the notebook and the cell; a kernel error is still an error; an HTTP error is not retried.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import secrets
import subprocess
import sys
import time
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from tornado.httpclient import HTTPClientError, HTTPRequest
from tornado.web import Application, HTTPError
from tornado.websocket import WebSocketClosedError, WebSocketHandler, websocket_connect

from conftest import ROOT
from hubclass import (CHAPTER, CHAPTER_READERS, CLASS_WORK, RECONNECTS, REPO_NAME, REPO_URL, HubClass,
                      ReconnectsExhausted, figures, first_error, free_port, install_course_package, make_clone,
                      missing_setup, run_cells, stop_server)

STUDENTS = int(os.environ.get("TRACK2_HUB_STUDENTS", "10"))
CLASS_SECONDS = 180       # the course's target for a class on 2 cores
STUDENT_MB = 250          # the course's target memory per active student
FIGURES = ROOT / "_build" / "hub-class.json"


@pytest.mark.hub
@pytest.mark.slow
def test_a_class_gets_the_course_through_nbgitpuller_and_runs_it_on_a_real_jupyterhub(hub_env, tmp_path):
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
    for student in result["students"]:  # a reconnect is not a failure, but it is reported
        for reconnect in student.reconnects:
            print("kernel websocket reconnected:", json.dumps(reconnect))

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
        # what students pull is the student tree: no exercise source (solutions, model answers, rubrics)
        assert not list((copy / "exercises" / "source").glob("*.md")) and not (copy / "tests").exists(), student.name
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


# --------------------------------------------------------------------------- #
# The student's kernel websocket, when it closes: run_cells against a real kernel
# (a Jupyter Server from .venv on 127.0.0.1) behind a proxy that closes connections.


@pytest.fixture(scope="module")
def jupyter_server(tmp_path_factory):
    """A Jupyter Server from .venv on 127.0.0.1 (its config and runtime files in a temporary folder)."""
    folder = tmp_path_factory.mktemp("jupyter-server")
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(folder / "config"), "JUPYTER_RUNTIME_DIR": str(folder / "runtime")}
    log = folder / "server.log"
    command = [sys.executable, "-m", "jupyter_server", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
               f"--ServerApp.root_dir={folder}", *(["--allow-root"] if os.geteuid() == 0 else [])]
    process = subprocess.Popen(command, cwd=folder, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    server = SimpleNamespace(url=f"http://127.0.0.1:{port}", ws=f"ws://127.0.0.1:{port}", token=token, log=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, f"the Jupyter Server exited:\n{log.read_text(errors='replace')[-2000:]}"
            try:
                if requests.get(f"{server.url}/api/status", params={"token": token}, timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, f"no Jupyter Server in 30 s:\n{log.read_text(errors='replace')[-2000:]}"
            time.sleep(0.2)
        yield server
    finally:
        stop_server(process)


@pytest.fixture
def kernel(jupyter_server):
    """A python3 kernel in that server: its id."""
    headers = {"Authorization": f"token {jupyter_server.token}"}
    response = requests.post(f"{jupyter_server.url}/api/kernels", json={"name": "python3"}, headers=headers,
                             timeout=60)
    assert response.status_code == 201, (response.status_code, response.text[:300])
    kernel_id = response.json()["id"]
    yield kernel_id
    requests.delete(f"{jupyter_server.url}/api/kernels/{kernel_id}", headers=headers, timeout=60)


def kind(message) -> str:
    return "" if isinstance(message, bytes) else json.loads(message).get("msg_type", "")


class FlakyChannels(WebSocketHandler):
    """A websocket proxy in front of the server's /api/kernels/<id>/channels. Connection n
    (from 0) is refused with a 404 if n is in ``plan.refuse``; otherwise every message is
    passed on both ways, and right after passing on a server message for which
    ``plan.cut(n, message)`` is true it closes both sides, as a proxy dropping the socket would."""

    def initialize(self, plan):
        self.plan, self.upstream = plan, None

    def prepare(self):
        self.number = len(self.plan.connections)
        self.plan.connections.append(self.request.query)
        if self.number in self.plan.refuse:
            raise HTTPError(404)

    async def open(self, kernel_id):
        url = f"{self.plan.server.ws}/api/kernels/{kernel_id}/channels?{self.request.query}"
        headers = {"Authorization": self.request.headers["Authorization"]}
        self.upstream = await websocket_connect(HTTPRequest(url, headers=headers), max_message_size=64 * 1024 * 1024)
        self.pump = asyncio.ensure_future(self.forward())

    async def forward(self):
        while (message := await self.upstream.read_message()) is not None:
            try:
                await self.write_message(message, binary=isinstance(message, bytes))
            except WebSocketClosedError:
                break
            if self.plan.cut(self.number, message):
                self.plan.cuts += 1
                break
        self.close()
        self.upstream.close()

    async def on_message(self, message):
        await self.upstream.write_message(message, binary=isinstance(message, bytes))

    def on_close(self):
        if self.upstream is not None:
            self.upstream.close()


def run_flaky(server, kernel_id: str, cells: list[str], cut, refuse=(), reconnects=None):
    """run_cells through a FlakyChannels proxy; return (outputs or the exception raised, reconnects, plan)."""
    plan = SimpleNamespace(server=server, cut=cut, refuse=set(refuse), connections=[], cuts=0)
    reconnects = [] if reconnects is None else reconnects

    async def main():
        port = free_port()
        proxy = Application([(r"/api/kernels/([^/]+)/channels", FlakyChannels, {"plan": plan})])
        proxy = proxy.listen(port, "127.0.0.1")
        try:
            run = run_cells(f"ws://127.0.0.1:{port}/api/kernels/{kernel_id}/channels", server.token, cells,
                            student="student07", document="notebooks/pair-explorer.ipynb", reconnects=reconnects,
                            timeout=20)
            return await asyncio.wait_for(run, timeout=60)
        except Exception as error:  # returned, for the test to check
            return error
        finally:
            proxy.stop()

    # in a thread of its own: in the full suite, a browser test earlier in the same worker
    # leaves Playwright's event loop running in this thread, and asyncio.run refuses to nest
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result(), reconnects, plan


def text(cell: list[dict]) -> str:
    return "".join(o["content"]["text"] for o in cell if o["msg_type"] == "stream")


COUNTED = "runs = globals().get('runs', 0) + 1\n"


@pytest.mark.slow
def test_a_closed_kernel_websocket_is_reopened_and_the_cut_off_cell_run_again(jupyter_server, kernel):
    cells = [COUNTED + "import time\nprint('run', runs, flush=True)\ntime.sleep(0.5)\nprint('done')", "print(runs)"]
    outputs, reconnects, plan = run_flaky(jupyter_server, kernel, cells,
                                          cut=lambda n, m: n == 0 and kind(m) == "stream")
    assert not isinstance(outputs, Exception), repr(outputs)
    assert plan.cuts == 1 and len(plan.connections) == 2
    # the cut-off cell ran again on the new socket: its result is the second run's, complete
    assert [text(cell) for cell in outputs] == ["run 2\ndone\n", "2\n"], outputs
    assert first_error(outputs) is None
    assert reconnects == [{"student": "student07", "document": "notebooks/pair-explorer.ipynb", "cell": 1,
                           "reason": reconnects[0]["reason"], "reply_received": False}], reconnects
    assert "read returned None" in reconnects[0]["reason"]
    # the same kernel session each time (the server replays what it buffered meanwhile)
    assert len({query for query in plan.connections}) == 1 and plan.connections[0].startswith("session_id=")


@pytest.mark.slow
def test_a_kernel_websocket_that_keeps_closing_fails_naming_student_notebook_and_cell(jupyter_server, kernel):
    cells = ["x = 1", "print('hello', flush=True)"]
    error, reconnects, plan = run_flaky(jupyter_server, kernel, cells, cut=lambda n, m: kind(m) == "stream")
    assert isinstance(error, ReconnectsExhausted), repr(error)
    assert str(error).startswith("student07: notebooks/pair-explorer.ipynb, code cell 2 of 2: the kernel websocket "
                                 "closed"), str(error)
    assert f"the {RECONNECTS} reconnects allowed per student are used up" in str(error)
    assert len(reconnects) == RECONNECTS and len(plan.connections) == RECONNECTS + 1
    # the budget is the student's, across their notebooks: one used earlier leaves two
    earlier = {"document": "exercises/03-symbiosis.ipynb", "cell": 4, "reason": "x"}
    error, reconnects, plan = run_flaky(jupyter_server, kernel, cells, cut=lambda n, m: kind(m) == "stream",
                                        reconnects=[earlier])
    assert isinstance(error, ReconnectsExhausted) and len(plan.connections) == RECONNECTS, repr(error)
    assert "exercises/03-symbiosis.ipynb code cell 4" in str(error)


@pytest.mark.slow
def test_a_kernel_error_is_kept_when_the_socket_closes_after_it(jupyter_server, kernel):
    cells = [COUNTED + "print('before', flush=True)\n1 / 0", "print('after', runs)"]
    outputs, reconnects, plan = run_flaky(jupyter_server, kernel, cells,
                                          cut=lambda n, m: n == 0 and kind(m) == "error")
    assert not isinstance(outputs, Exception), repr(outputs)
    assert plan.cuts == 1
    # the failing cell was not run again (runs is 1), and its error is the result: the class fails on it
    assert first_error(outputs) == "ZeroDivisionError: division by zero", outputs
    assert text(outputs[1]) == "after 1\n"
    assert [r["cell"] for r in reconnects] == [1]


@pytest.mark.slow
def test_an_http_error_on_reconnecting_is_raised_not_retried(jupyter_server, kernel):
    error, reconnects, plan = run_flaky(jupyter_server, kernel, ["print('hello', flush=True)"],
                                        cut=lambda n, m: kind(m) == "stream", refuse={1})
    assert isinstance(error, HTTPClientError) and error.code == 404, repr(error)
    assert len(reconnects) == 1 and len(plan.connections) == 2
