"""A real JupyterHub class on loopback: used by tests/test_hub.py and `make bench`.

A JupyterHub (the version of deploy/image/requirements.txt, installed by the Makefile
into _build/hub-env) with configurable-http-proxy from npm (package.json), the dummy
authenticator and a local process spawner, every student's home under a temporary
folder. Through the hub's REST API it creates a class of students and starts their
servers; each student then follows the course's nbgitpuller link (built by
sphinx-book-theme from _config.yml, as on a page's JupyterHub button, pointing at a
local clone of the repository), and runs notebooks in their own server through the
Jupyter server API: a session per notebook, every code cell sent over the kernel's
websocket (run_cells: when that websocket closes mid-class the student reconnects to the
same kernel and runs the cut-off cell again, at most RECONNECTS times per student, and
each reconnect is recorded and reported). A sampler records every process the hub starts and each student's memory
(their server and its kernels). Stopping the class stops the servers through the hub,
then the hub, then anything left, by PID, and reports what had to be killed.
"""

from __future__ import annotations

import asyncio
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlencode, urlsplit

import psutil
import requests
import yaml
from tornado.httpclient import HTTPRequest
from tornado.iostream import StreamClosedError
from tornado.websocket import WebSocketClosedError, websocket_connect

from track2.tools import student_tree

ROOT = Path(__file__).resolve().parent.parent
HUB_ENV = ROOT / "_build" / "hub-env"
PROXY = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
REPO_URL = CONFIG["repository"]["url"]
REPO_NAME = urlsplit(REPO_URL).path.strip("/").split("/")[-1]
MB = 1024 * 1024
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# what every student runs: an explorer notebook and an exercise notebook; the first
# CHAPTER_READERS students also open a chapter (its .md, through jupytext) and run it
CLASS_WORK = ("notebooks/pair-explorer.ipynb", "exercises/03-symbiosis.ipynb")
CHAPTER = "book/chapters/03-symbiosis.md"
CHAPTER_READERS = 2


VALUES = ROOT / "deploy" / "z2jh" / "values.yaml"


def student_server_args() -> list[str]:
    """The arguments deploy/z2jh/values.yaml gives every student server (hub.config.KubeSpawner.args)."""
    values = yaml.safe_load(VALUES.read_text(encoding="utf-8"))
    return list(values["hub"]["config"]["KubeSpawner"]["args"])


def missing_setup() -> str | None:
    """Why the class cannot run here (what to install), or None."""
    if not (HUB_ENV / "bin" / "jupyterhub").is_file():
        return f"{HUB_ENV} has no JupyterHub: run `make hub-env` (make test does)"
    if not PROXY.is_file():
        return f"{PROXY} is missing: run `make install` (npm ci installs configurable-http-proxy)"
    return None


def stop_server(process: subprocess.Popen) -> None:
    """Stop a Jupyter server a test started, and any kernel it left running."""
    started = psutil.Process(process.pid).children(recursive=True) if process.poll() is None else []
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    for child in psutil.wait_procs(started, timeout=5)[1]:  # a kernel the server left running
        child.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def course_link(hub_url: str, document: str) -> str:
    """The JupyterHub button's link for ``document`` (e.g. ``notebooks/pair-explorer.ipynb``)
    with ``launch_buttons.jupyterhub_url`` set to ``hub_url``: built by sphinx-book-theme's own
    code from _config.yml, as the book does."""
    from sphinx_book_theme.header_buttons.launch import add_launch_buttons

    path = Path(document)
    pagename, suffix = str(path.with_suffix("")), path.suffix
    org, repo = urlsplit(REPO_URL).path.strip("/").split("/")[:2]
    options = {"launch_buttons": {**CONFIG["launch_buttons"], "jupyterhub_url": hub_url,
                                  "binderhub_url": "", "colab_url": ""},
               "repository_url": REPO_URL, "repository_branch": CONFIG["repository"].get("branch", "main"),
               "path_to_docs": CONFIG["repository"].get("path_to_book", "")}
    scratch = Path(os.environ.get("TMPDIR", "/tmp")) / f"track2-link-{uuid.uuid4().hex}"
    executed = scratch / "jupyter_execute" / f"{pagename}.ipynb"  # the theme copies a .md page's notebook
    executed.parent.mkdir(parents=True)
    executed.write_text("{}", encoding="utf-8")
    app = SimpleNamespace(config={"html_theme_options": options}, outdir=str(scratch / "html"),
                          env=SimpleNamespace(doc2path=lambda name: str(ROOT / f"{name}{suffix}"),
                                              metadata={pagename: {"kernelspec": {"name": "python3"}}}))
    context = {"pagename": pagename, "page_source_suffix": suffix, "sourcename": f"{pagename}{suffix}",
               "header_buttons": [], "github_url": "https://github.com", "github_user": org, "github_repo": repo}
    try:
        add_launch_buttons(app, pagename, "page.html", context, None)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    (group,) = [b for b in context["header_buttons"] if b.get("label") == "launch-buttons"]
    (hub,) = [b["url"] for b in group["buttons"] if b["text"] == "JupyterHub"]
    return hub


def make_clone(folder: Path) -> Path:
    """A git repository of what students pull: the student tree (`make student-tree`, the
    public repository that _config.yml names) of the working tree's tracked files, committed
    or not, on the configured branch, named like the real one (nbgitpuller names the copy
    after it). Building it scans it, so a leak of a solution fails here too."""
    clone = folder / REPO_NAME
    student_tree.build(clone, ROOT)
    branch = CONFIG["repository"].get("branch", "main")
    env = {**os.environ, "GIT_AUTHOR_NAME": "course", "GIT_AUTHOR_EMAIL": "course@localhost",
           "GIT_COMMITTER_NAME": "course", "GIT_COMMITTER_EMAIL": "course@localhost"}
    for command in (["git", "init", "-q", "-b", branch], ["git", "add", "-A"], ["git", "commit", "-q", "-m", "course"]):
        subprocess.run(command, cwd=clone, env=env, check=True, capture_output=True)
    return clone


PACKAGE_FILES = ("pyproject.toml", "README.md", "LICENSE", "track2", "data", "book/references.bib", "exercises/source")


def build_wheel(folder: Path) -> Path:
    """The course package's wheel, built offline (setuptools from .venv, no build isolation)
    from a copy of the files pyproject.toml packages, so the checkout gets no build/ folder."""
    source = Path(folder) / "source"
    for name in PACKAGE_FILES:
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, target)
    wheels = Path(folder) / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--no-index", "--wheel-dir", str(wheels), str(source)], check=True, capture_output=True)
    (wheel,) = wheels.glob("track2-*.whl")
    return wheel


def install_course_package(folder: Path, python: Path = HUB_ENV / "bin" / "python") -> Path:
    """Install the course package, as built now, into the hub environment (non-editable, as
    in the hub's image); return the wheel."""
    wheel = build_wheel(folder)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--force-reinstall",
                    str(wheel)], check=True, capture_output=True)
    return wheel


# ------------------------------------------------------------------------ the kernel websocket
RECONNECTS = 3  # per student: how many times a closed kernel websocket is reopened before the class fails
REPLY_SECONDS = 120  # the longest wait for the next message of a running cell
SOCKET_CLOSED = (WebSocketClosedError, StreamClosedError, ConnectionError)  # a closed socket, nothing else


class KernelSocketClosed(Exception):
    """The kernel websocket closed under a cell (a read returned None, or a write found it closed)."""


class ReconnectsExhausted(RuntimeError):
    """A student's kernel websocket closed once more after RECONNECTS reconnects."""


def first_error(outputs: list[list[dict]]) -> str | None:
    """``"ename: evalue"`` of the first error output of any cell, or None."""
    for cell in outputs:
        for output in cell:
            if output["msg_type"] == "error":
                return f"{output['content'].get('ename')}: {output['content'].get('evalue')}"
    return None


async def _run_cell(socket_, code: str, session_id: str, username: str, outputs: list[dict], state: dict,
                    timeout: float) -> None:
    """Send ``code`` as one execute_request and collect its outputs into ``outputs`` until its
    execute_reply and its idle status have both arrived (``state`` says which did). Raises
    KernelSocketClosed if the socket closes first."""
    msg_id = uuid.uuid4().hex
    request = {"header": {"msg_id": msg_id, "msg_type": "execute_request", "session": session_id,
                          "username": username, "version": "5.3", "date": ""},
               "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
               "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                           "allow_stdin": False, "stop_on_error": True}}
    try:
        await socket_.write_message(json.dumps(request))
    except SOCKET_CLOSED as error:
        raise KernelSocketClosed(f"sending the cell raised {type(error).__name__}") from error
    while not (state["idle"] and state["replied"]):
        try:
            raw = await asyncio.wait_for(socket_.read_message(), timeout=timeout)
        except TimeoutError:
            raise TimeoutError(f"no message from the kernel for {timeout:.0f} s") from None
        except SOCKET_CLOSED as error:
            raise KernelSocketClosed(f"reading raised {type(error).__name__}") from error
        if raw is None:
            raise KernelSocketClosed(f"a read returned None: close code {socket_.close_code}, "
                                     f"reason {socket_.close_reason!r}")
        if isinstance(raw, bytes):  # binary frames (widget buffers) are not outputs
            continue
        message = json.loads(raw)
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue  # another request's, e.g. a cut-off run's, replayed by the server
        kind = message["msg_type"]
        if kind == "status" and message["content"]["execution_state"] == "idle":
            state["idle"] = True
        elif kind == "execute_reply":
            state["replied"] = True
            state["status"] = message["content"].get("status")
        elif kind in ("stream", "display_data", "execute_result", "error"):
            outputs.append({"msg_type": kind, "content": message["content"]})
    _add_reply_error(outputs, state)


def _add_reply_error(outputs: list[dict], state: dict) -> bool:
    """Whether the cell failed in the kernel (an error output, or an execute_reply whose status is
    not ok); if only the reply says so, add an error output saying it, so the error is not lost."""
    if any(o["msg_type"] == "error" for o in outputs):
        return True
    if state["status"] in (None, "ok"):
        return False
    outputs.append({"msg_type": "error", "content": {"ename": f"execute_reply status {state['status']!r}",
                                                     "evalue": "(no error output arrived)", "traceback": []}})
    return True


async def run_cells(url: str, token: str, cells: list[str], *, student: str, document: str, reconnects: list,
                    limit: int = RECONNECTS, timeout: float = REPLY_SECONDS) -> list[list[dict]]:
    """Run ``cells`` one after another in a kernel over its websocket ``url`` (Jupyter Server's
    ``ws://.../api/kernels/<id>/channels``, opened with ``token``); return each cell's outputs
    (its stream, display_data, execute_result and error messages).

    A cell has run once its execute_reply and its idle status have both arrived. If the
    websocket closes before that (tornado's WebSocketClosedError or StreamClosedError, or a
    read of None), the student reconnects to the same kernel, with the same session id (so
    the server replays what it buffered meanwhile, which is ignored), and runs the cell
    again, its outputs so far discarded: whether or not its first run ended, only a run
    whose outputs all arrived counts, and each reconnect record says whether the execute_reply
    had come. A cell whose error had already arrived is not run again: the error is its result,
    so a real kernel error still fails the class. Every reconnect (or attempt, if reconnecting
    finds the socket closed too) is appended to ``reconnects``, the student's list, which all
    their documents share; once it holds ``limit`` entries, the next close raises
    ReconnectsExhausted naming the student, document and cell. Anything else (an HTTP error
    on reconnecting, a kernel that stays silent for ``timeout`` s) is raised as it is."""
    session_id = uuid.uuid4().hex
    request = HTTPRequest(f"{url}?{urlencode({'session_id': session_id})}", request_timeout=60,
                          headers={"Authorization": f"token {token}"})
    socket_ = await websocket_connect(request, max_message_size=64 * MB)
    results: list[list[dict]] = []

    async def reconnect(number: int, reason: str, replied: bool):
        while True:
            if len(reconnects) >= limit:
                earlier = "; ".join(f"{r['document']} code cell {r['cell']}: {r['reason']}" for r in reconnects)
                raise ReconnectsExhausted(
                    f"{student}: {document}, code cell {number} of {len(cells)}: the kernel websocket closed "
                    f"({reason}) and the {limit} reconnects allowed per student are used up (earlier: {earlier})")
            reconnects.append({"student": student, "document": document, "cell": number, "reason": reason,
                               "reply_received": replied})
            await asyncio.sleep(0.2 * len(reconnects))
            try:
                return await websocket_connect(request, max_message_size=64 * MB)
            except SOCKET_CLOSED as error:
                reason = f"reconnecting raised {type(error).__name__}: {error}"

    closed = ""  # why the socket closed under the last cell, when that cell's error was kept
    try:
        for number, code in enumerate(cells, 1):
            if closed:
                socket_, closed = await reconnect(number - 1, closed, True), ""
            while True:
                outputs: list[dict] = []
                state = {"replied": False, "idle": False, "status": None}
                try:
                    await _run_cell(socket_, code, session_id, student, outputs, state, timeout)
                    break
                except KernelSocketClosed as error:
                    socket_.close()
                    if _add_reply_error(outputs, state):
                        closed = str(error)  # a kernel error: the cell's result, never run again to hide it
                        break
                    socket_ = await reconnect(number, str(error), state["replied"])
            results.append(outputs)
    finally:
        socket_.close()
    return results


@dataclass
class Student:
    name: str
    token: str = ""
    seconds: dict = field(default_factory=dict)
    ran: dict = field(default_factory=dict)      # document -> {"cells": n, "widgets": n}
    data_dir: str = ""
    reconnects: list = field(default_factory=list)  # every kernel websocket reconnect (see run_cells)


class HubClass:
    """``with HubClass(folder) as hub: hub.run_class(10)``."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.port, self.hub_port, self.api_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(32)
        self.process: subprocess.Popen | None = None
        self.seen: dict[int, psutil.Process] = {}
        self.peak_rss: dict[str, int] = {}
        self.peak_pss: dict[str, int] = {}
        self.infrastructure_rss: dict[str, int] = {"hub": 0, "proxy": 0}
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self.killed: list[str] = []
        self.log = self.folder / "jupyterhub.log"

    # ----------------------------------------------------------------- start / stop
    def __enter__(self) -> HubClass:
        problem = missing_setup()
        if problem:
            raise RuntimeError(problem)
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "home").mkdir(exist_ok=True)
        gitconfig = self.folder / "gitconfig"
        gitconfig.write_text("[safe]\n\tdirectory = *\n", encoding="utf-8")
        config = self.folder / "jupyterhub_config.py"
        config.write_text(self._config(gitconfig), encoding="utf-8")
        # the same step as Binder's and the image's: JupyterLab opens .md files with jupytext
        subprocess.run(["bash", str(ROOT / "postBuild")], env={**os.environ, "PATH": f"{HUB_ENV / 'bin'}:{os.environ['PATH']}"},
                       check=True, capture_output=True)
        env = {**os.environ, "PATH": f"{HUB_ENV / 'bin'}:{PROXY.parent}:{os.environ['PATH']}"}
        env.pop("TRACK2_DATA_DIR", None)
        env.pop("JUPYTER_PATH", None)
        self.process = subprocess.Popen([str(HUB_ENV / "bin" / "jupyterhub"), "-f", str(config)], cwd=self.folder,
                                        env=env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self.seen[self.process.pid] = psutil.Process(self.process.pid)
        self._sampler.start()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterHub exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                if requests.get(f"{self.url}/hub/api/", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"JupyterHub did not answer through the proxy within 90 s:\n{self.log_tail()}")

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop every server through the hub, then the hub (which stops the proxy), then kill,
        by PID, anything the hub started that is still running."""
        try:
            users = self.api("GET", "/users").json()
            for user in users:
                if user.get("servers"):
                    self.api("DELETE", f"/users/{user['name']}/server")
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and any(u.get("servers") for u in self.api("GET", "/users").json()):
                time.sleep(0.3)
        except Exception:  # the hub may already be gone; the PIDs below are what counts
            pass
        self._stop.set()
        if self._sampler.is_alive():
            self._sampler.join()
        self._record_descendants()
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        gone, alive = psutil.wait_procs(list(self.seen.values()), timeout=10)
        for process in alive:
            try:
                self.killed.append(f"{process.pid} {' '.join(process.cmdline()[:3])}")
                process.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(alive, timeout=10)

    def still_running(self) -> list[int]:
        return [pid for pid, p in self.seen.items() if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""

    def loopback_settings(self, gitconfig: Path) -> str:
        """The settings every test hub shares: loopback ports, the proxy, a database and cookie
        secret in the test's folder, any password, servers as this user with homes in the
        test's folder, quick stops, and the course-admin service the tests drive the hub with."""
        return f"""c.JupyterHub.bind_url = "http://127.0.0.1:{self.port}"
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {self.hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{self.api_port}"
c.ConfigurableHTTPProxy.command = [{str(PROXY)!r}]
c.JupyterHub.db_url = "sqlite:///{self.folder / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = {str(self.folder / 'cookie_secret')!r}
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {str(self.folder / 'home' / '{username}')!r}
c.Spawner.environment = {{"GIT_CONFIG_GLOBAL": {str(gitconfig)!r}}}
c.LocalProcessSpawner.interrupt_timeout = 1
c.LocalProcessSpawner.term_timeout = 2
c.JupyterHub.services = [{{"name": "course-admin", "api_token": {self.token!r}}}]
c.JupyterHub.load_roles = [{{"name": "course-admin", "services": ["course-admin"],
                            "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"]}}]
"""

    def _config(self, gitconfig: Path) -> str:
        root = os.geteuid() == 0
        return f"""# written by tests/hubclass.py
c = get_config()  # noqa
{self.loopback_settings(gitconfig)}c.Spawner.cmd = [{str(HUB_ENV / 'bin' / 'jupyterhub-singleuser')!r}]
c.Spawner.args = {student_server_args() + (['--allow-root'] if root else [])!r}
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
"""

    # ----------------------------------------------------------------- the hub's REST API
    def api(self, method: str, path: str, **kwargs) -> requests.Response:
        response = requests.request(method, f"{self.url}/hub/api{path}", timeout=60,
                                    headers={"Authorization": f"token {self.token}"}, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response

    def start_student(self, name: str) -> Student:
        student = Student(name)
        start = time.monotonic()
        self.api("POST", f"/users/{name}/server")
        deadline = time.monotonic() + 180
        while True:
            server = self.api("GET", f"/users/{name}").json()["servers"].get("")
            if server and server.get("ready"):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name}'s server did not start:\n{self.log_tail()}")
            time.sleep(0.3)
        student.seconds["spawn"] = time.monotonic() - start
        student.token = self.api("POST", f"/users/{name}/tokens", json={"note": "class test"}).json()["token"]
        return student

    # ----------------------------------------------------------------- a student's work
    def session(self, student: Student) -> requests.Session:
        http = requests.Session()
        http.headers["Authorization"] = f"token {student.token}"
        return http

    def log_in(self, student: Student) -> requests.Session:
        """A browser session logged in to the hub as ``student`` (the dummy authenticator
        takes any password), with the hub's login form and its _xsrf field."""
        browser = requests.Session()
        form = browser.get(f"{self.url}/hub/login", timeout=60)
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text)
        data = {"username": student.name, "password": "any password"}
        if xsrf:
            data["_xsrf"] = html.unescape(xsrf.group(1))
        login = browser.post(f"{self.url}/hub/login", data=data, timeout=60, allow_redirects=False)
        assert login.status_code == 302, (login.status_code, login.text[:300])
        return browser

    def pull_course(self, student: Student, link: str, clone: Path) -> list[dict]:
        """Follow the course link (through the hub to the student's server) and run the pull
        its page starts; return nbgitpuller's events."""
        start = time.monotonic()
        query = parse_qs(urlsplit(link).query)
        query["repo"] = [str(clone)]  # the clone stands in for the repository on GitHub
        local_link = link.split("?")[0] + "?" + urlencode({k: v[0] for k, v in query.items()}, safe="/")
        browser = self.log_in(student)  # as the student's browser: hub login, then the link
        page = browser.get(local_link, timeout=60)
        assert page.status_code == 200 and urlsplit(page.url).path == f"/user/{student.name}/git-pull", (page.url, page.status_code)
        assert "nbgitpuller" in page.text.lower() or "git-pull" in page.text, page.text[:500]
        http = self.session(student)
        api = f"{self.url}/user/{student.name}/git-pull/api?" + urlencode({k: v[0] for k, v in query.items()})
        events = []
        with http.get(api, stream=True, timeout=120) as stream:
            for line in stream.iter_lines(decode_unicode=True):
                if line and line.startswith("data:"):
                    events.append(json.loads(line[5:]))
                    if events[-1].get("phase") in ("finished", "error"):
                        break
        student.seconds["pull"] = time.monotonic() - start
        return events

    def run_document(self, student: Student, document: str) -> dict:
        """Open ``document`` in the student's copy as a notebook (a chapter's .md through
        jupytext), start a kernel for it, run every code cell; return what ran."""
        start = time.monotonic()
        http = self.session(student)
        base = f"{self.url}/user/{student.name}/api"
        path = f"{REPO_NAME}/{document}"
        model = http.get(f"{base}/contents/{path}", params={"type": "notebook", "content": 1}, timeout=60)
        assert model.status_code == 200, (document, model.status_code, model.text[:300])
        cells = [c for c in model.json()["content"]["cells"] if c["cell_type"] == "code"]
        session = http.post(f"{base}/sessions", json={"path": path, "type": "notebook", "name": "",
                                                       "kernel": {"name": "python3"}}, timeout=120)
        assert session.status_code == 201, (document, session.status_code, session.text[:300])
        session = session.json()
        try:
            code = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]
            code.append("from track2.data import data_dir\nprint(data_dir())")
            channels = f"ws://127.0.0.1:{self.port}/user/{student.name}/api/kernels/{session['kernel']['id']}/channels"
            outputs = asyncio.run(run_cells(channels, student.token, code, student=student.name, document=document,
                                            reconnects=student.reconnects))
        finally:
            http.delete(f"{base}/sessions/{session['id']}", timeout=60)
        error = first_error(outputs)
        assert not error, f"{student.name}: {document} raised {error}"
        widgets = sum(1 for cell in outputs for o in cell
                      if o["msg_type"] in ("display_data", "execute_result") and WIDGET_MIME in o["content"]["data"])
        printed = [o["content"]["text"] for o in outputs[-1] if o["msg_type"] == "stream"]
        student.data_dir = "".join(printed).strip()
        student.seconds[document] = time.monotonic() - start
        result = {"cells": len(cells), "widgets": widgets, "data_dir": student.data_dir}
        student.ran[document] = result
        return result

    # ----------------------------------------------------------------- the whole class
    def lab_settings(self, student: Student, plugin: str) -> dict:
        """JupyterLab's settings of ``plugin`` in the student's server (with the environment's overrides)."""
        response = self.session(student).get(f"{self.url}/user/{student.name}/lab/api/settings/{plugin}", timeout=60)
        assert response.status_code == 200, (response.status_code, response.text[:300])
        return response.json()

    def run_class(self, students: int, clone: Path, work: tuple[str, ...] = CLASS_WORK,
                  chapter: str = CHAPTER, chapter_readers: int = CHAPTER_READERS) -> dict:
        names = [f"student{n:02d}" for n in range(1, students + 1)]
        start = time.monotonic()
        self.api("POST", "/users", json={"usernames": names})
        link = course_link(self.url, work[0])

        def one(name: str) -> Student:
            student = self.start_student(name)
            events = self.pull_course(student, link, clone)
            assert events and events[-1].get("phase") == "finished", (name, events[-3:])
            for document in [*work, *([chapter] if names.index(name) < chapter_readers else [])]:
                self.run_document(student, document)
            return student

        with ThreadPoolExecutor(max_workers=students) as pool:
            done = list(pool.map(one, names))
        seconds = time.monotonic() - start
        return {"students": done, "seconds": seconds, "link": link}

    # ----------------------------------------------------------------- memory
    def _record_descendants(self) -> list[psutil.Process]:
        if not self.process:
            return []
        try:
            children = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []
        for child in children:
            self.seen.setdefault(child.pid, child)
        return children

    def _sample(self) -> None:
        owners: dict[int, str] = {}
        while not self._stop.is_set():
            rss: dict[str, int] = {}
            pss: dict[str, int] = {}
            for process in self._record_descendants():
                try:
                    if process.pid not in owners:
                        name = process.environ().get("JUPYTERHUB_USER")
                        command = " ".join(process.cmdline())
                        owners[process.pid] = name or ("proxy" if "configurable-http-proxy" in command else "other")
                    owner = owners[process.pid]
                    memory = process.memory_full_info()
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
                rss[owner] = rss.get(owner, 0) + memory.rss
                pss[owner] = pss.get(owner, 0) + getattr(memory, "pss", memory.rss)
            for owner, value in rss.items():
                target = self.infrastructure_rss if owner in ("proxy", "other") else self.peak_rss
                target[owner] = max(target.get(owner, 0), value)
            for owner, value in pss.items():
                if owner not in ("proxy", "other"):
                    self.peak_pss[owner] = max(self.peak_pss.get(owner, 0), value)
            try:
                self.infrastructure_rss["hub"] = max(self.infrastructure_rss["hub"],
                                                     psutil.Process(self.process.pid).memory_info().rss)
            except psutil.NoSuchProcess:
                pass
            self._stop.wait(0.5)


def figures(result: dict, hub: HubClass) -> dict:
    """The class's figures for reports: time, memory per student (peak RSS and PSS of the
    student's server and kernels), the hub's and the proxy's memory, and how many times a
    student's kernel websocket closed and was reopened (see run_cells; not a failure)."""
    per_rss = [hub.peak_rss.get(s.name, 0) / MB for s in result["students"]]
    per_pss = [hub.peak_pss.get(s.name, 0) / MB for s in result["students"]]
    spawn = [s.seconds["spawn"] for s in result["students"]]
    return {"students": len(result["students"]), "class_seconds": round(result["seconds"], 1),
            "spawn_seconds_max": round(max(spawn), 1),
            "student_rss_mb_max": round(max(per_rss)), "student_rss_mb_mean": round(sum(per_rss) / len(per_rss)),
            "student_pss_mb_max": round(max(per_pss)), "student_pss_mb_mean": round(sum(per_pss) / len(per_pss)),
            "hub_rss_mb": round(hub.infrastructure_rss["hub"] / MB),
            "proxy_rss_mb": round(hub.infrastructure_rss.get("proxy", 0) / MB),
            "kernel_reconnects": sum(len(s.reconnects) for s in result["students"]),
            "cpus": os.cpu_count(), "python": sys.version.split()[0]}
