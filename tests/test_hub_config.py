"""The configuration for a course hub agrees with the course and carries its grading workflow.

deploy/z2jh/values.yaml (Zero to JupyterHub) and deploy/image/ (the student image, built
with repo2docker) are checked against _config.yml, requirements.txt, the root postBuild,
the class test's environment and the course's memory budget per student. The grading
workflow is run for real where it can be here: the image's postBuild in a fresh
environment; JupyterLab from the hub environment with a student's and an instructor's
settings (which nbgrader plugins the page disables, whether formgrader answers);
deploy/jupyterhub_config.py (the one-server hub) on loopback with a student and an
instructor; an assignment released, fetched, submitted and collected through the exchange
with the image's nbgrader_config.py; and `nbgrader zip_collect` on Canvas and Moodle
downloads with the README's expressions.
"""

from __future__ import annotations

import ast
import json
import os
import pwd
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import nbformat
import pytest
import requests
import yaml
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from conftest import ROOT
from hubclass import (HUB_ENV, HubClass, course_link, free_port, missing_setup, stop_server,
                      student_server_args)
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
    for tool in ("jupyterlab", "jupyterhub", "nbgitpuller", "nbgrader", "jupytext", "jupyterlab-myst"):
        assert tool in image, f"the student image needs {tool}, pinned"
    dev = pins(ROOT / "requirements-dev.txt")
    if "nbgrader" in dev:
        assert image["nbgrader"] == dev["nbgrader"], "one nbgrader version for grading and the hub"


def test_the_image_installs_the_course_package_from_the_configured_repository():
    lines = [line.strip() for line in (IMAGE / "requirements.txt").read_text(encoding="utf-8").splitlines()]
    assert f"track2 @ git+{REPO_URL}@{BRANCH}" in lines


def test_the_image_opens_chapters_as_notebooks_as_binder_does():
    # the image's postBuild is Binder's, unchanged, followed by the hub's own settings
    image_post_build = (IMAGE / "postBuild").read_text(encoding="utf-8")
    binder_post_build = (ROOT / "postBuild").read_text(encoding="utf-8")
    assert image_post_build.startswith(binder_post_build) and len(image_post_build) > len(binder_post_build)
    assert (IMAGE / "runtime.txt").read_text(encoding="utf-8") == (ROOT / "runtime.txt").read_text(encoding="utf-8")
    assert (IMAGE / "postBuild").stat().st_mode & 0o111, "repo2docker runs postBuild only if it is executable"


def test_the_class_test_ran_on_the_images_jupyterhub(hub_env):
    (metadata,) = (HUB_ENV / "lib").glob("python3*/site-packages/jupyterhub-*.dist-info")
    assert metadata.name == f"jupyterhub-{pins(IMAGE / 'requirements.txt')['jupyterhub']}.dist-info"


def test_student_servers_leave_out_only_real_nbgrader_extensions_and_instructors_get_them(hub_env):
    (argument,) = student_server_args()
    name, value = argument.removeprefix("--").split("=", 1)
    assert name == "ServerApp.jpserver_extensions"
    disabled = ast.literal_eval(value)
    assert disabled and not any(disabled.values())
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


class UniqueKeyLoader(yaml.SafeLoader):
    """A YAML loader that refuses a key given twice in one mapping (yaml.safe_load keeps the last silently)."""

    def construct_mapping(self, node, deep=False):
        keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
        repeated = {key for key in keys if keys.count(key) > 1}
        if repeated:
            raise yaml.constructor.ConstructorError(None, None, f"keys given twice: {sorted(repeated)}", node.start_mark)
        return super().construct_mapping(node, deep=deep)


def test_no_setting_of_the_values_file_is_given_twice():
    assert yaml.load(VALUES_TEXT, Loader=UniqueKeyLoader) == VALUES
    assert VALUES["hub"]["config"]["JupyterHub"]["authenticator_class"] == "github"


def test_every_value_to_change_is_marked():
    """A teacher replaces each CHANGE; nothing else is a placeholder."""
    assert VALUES_TEXT.count("CHANGE") >= 8
    for line in VALUES_TEXT.splitlines():
        if "example.edu" in line and not line.lstrip().startswith("#"):
            assert "CHANGE" in line, line


# --------------------------------------------------------------------------- #
# The grading workflow on the hub (issue 23): exchange, course directory, student and
# instructor servers, the one-server hub, LMS collection.

NBGRADER_CONFIG = IMAGE / "jupyter" / "nbgrader_config.py"
STUDENT_PAGE_CONFIG = IMAGE / "jupyter" / "labconfig" / "page_config.json"
INSTRUCTOR_FOLDER = IMAGE / "jupyter" / "instructor"
ONE_SERVER_CONFIG = ROOT / "deploy" / "jupyterhub_config.py"
VOLUMES = list(yaml.safe_load_all((ROOT / "deploy" / "z2jh" / "nbgrader-volumes.yaml").read_text(encoding="utf-8")))
NB_PYTHON_PREFIX = "/srv/conda/envs/notebook"  # where repo2docker puts the image's environment (sys.prefix)
README = (ROOT / "README.md").read_text(encoding="utf-8")
SERVER_EXTENSIONS_OFF = student_server_args()


def image_nbgrader_config() -> Config:
    """The image's nbgrader_config.py as nbgrader's config loader reads it."""
    return PyFileConfigLoader(NBGRADER_CONFIG.name, path=str(NBGRADER_CONFIG.parent)).load_config()


def nbgrader_lab_plugins(env: Path) -> set[str]:
    """The ids of every JupyterLab plugin in nbgrader's installed lab extension (its built JavaScript)."""
    (package,) = env.glob("share/jupyter/labextensions/@jupyter/nbgrader/package.json")
    found = set()
    for script in (package.parent / "static").glob("*.js"):
        # each plugin's id is a string literal, written in its plugin object (id:"...") or in a
        # constant that object uses (formgrader's)
        found |= set(re.findall(r'"(@jupyter/nbgrader:[\w-]+)"', script.read_text(encoding="utf-8", errors="replace")))
    return found


@pytest.fixture(scope="module")
def image_env(tmp_path_factory) -> Path:
    """A fresh Python environment (its sys.prefix) after deploy/image/postBuild has run in it
    as repo2docker runs it: from a copy of deploy/image/, with that environment's python first on PATH."""
    folder = tmp_path_factory.mktemp("image")
    prefix = folder / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(prefix)], check=True)
    build = folder / "build"
    shutil.copytree(IMAGE, build)
    result = subprocess.run(["./postBuild"], cwd=build, capture_output=True, text=True,
                            env={**os.environ, "PATH": f"{prefix / 'bin'}:{os.environ['PATH']}"})
    assert result.returncode == 0, result.stdout + result.stderr
    return prefix


def test_post_build_puts_the_hub_settings_where_every_server_reads_them(image_env):
    etc = image_env / "etc" / "jupyter"
    for name in ("nbgrader_config.py", "labconfig/page_config.json", "instructor/labconfig/page_config.json"):
        assert (etc / name).read_bytes() == (IMAGE / "jupyter" / name).read_bytes(), name
    overrides = json.loads((image_env / "share/jupyter/lab/settings/overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/docmanager-extension:plugin"]["defaultViewers"]["markdown"] == "Jupytext Notebook"


def test_students_need_only_the_assignment_name():
    config = image_nbgrader_config()
    assert config.CourseDirectory.course_id == "track2-asia-pacific"
    from track2.tools.nbgrader_course import COURSE_ID

    assert config.CourseDirectory.course_id == COURSE_ID, "the course directory's course id"
    assert config.Exchange.root == "/srv/nbgrader/exchange"
    assert "nbgrader fetch_assignment 03-symbiosis`" in README and "nbgrader submit 03-symbiosis`" in README


def test_collects_owner_check_is_off_only_where_every_server_is_jovyan(monkeypatch):
    assert pwd.getpwuid(os.getuid()).pw_name != "jovyan"
    assert "check_owner" not in image_nbgrader_config().ExchangeCollect  # one Unix account per user: checked
    real = pwd.getpwuid
    monkeypatch.setattr(pwd, "getpwuid", lambda uid: SimpleNamespace(pw_name="jovyan") if uid == os.getuid() else real(uid))
    assert image_nbgrader_config().ExchangeCollect.check_owner is False  # Zero to JupyterHub: everyone is jovyan


def test_the_lab_settings_name_every_nbgrader_plugin_of_the_installed_extension(hub_env):
    plugins = nbgrader_lab_plugins(HUB_ENV)
    # the six plugins of nbgrader 0.9's lab extension: menu, formgrader, create assignment,
    # validate button, course list, assignment list
    assert {"@jupyter/nbgrader:menu", "@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
            "@jupyter/nbgrader:validate-assignment", "@jupyter/nbgrader:course-list",
            "@jupyter/nbgrader:assignment-list"} <= plugins
    student = json.loads(STUDENT_PAGE_CONFIG.read_text(encoding="utf-8"))["disabledExtensions"]
    instructor = json.loads((INSTRUCTOR_FOLDER / "labconfig" / "page_config.json").read_text(encoding="utf-8"))
    assert student == {plugin: True for plugin in plugins}
    assert instructor == {"disabledExtensions": {plugin: False for plugin in plugins}}


def start_lab(folder: Path, config_path: list[Path], args: list[str]) -> tuple[subprocess.Popen, str, str]:
    """JupyterLab from the hub environment on 127.0.0.1 with JUPYTER_CONFIG_PATH and arguments; (process, url, token)."""
    folder.mkdir(parents=True)
    port, token = free_port(), os.urandom(16).hex()
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(folder / "user-config"), "JUPYTER_RUNTIME_DIR": str(folder / "runtime"),
           "JUPYTER_DATA_DIR": str(folder / "data"), "JUPYTER_CONFIG_PATH": os.pathsep.join(map(str, config_path))}
    env.pop("JUPYTER_PATH", None)
    command = [str(HUB_ENV / "bin" / "jupyter-lab"), "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
               f"--ServerApp.root_dir={folder}", *(["--allow-root"] if os.geteuid() == 0 else []), *args]
    log = folder / "lab.log"
    process = subprocess.Popen(command, cwd=folder, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, f"JupyterLab exited:\n{log.read_text(errors='replace')[-2000:]}"
        try:
            if requests.get(f"{url}/api/status", params={"token": token}, timeout=2).status_code == 200:
                return process, url, token
        except requests.RequestException:
            pass
        assert time.monotonic() < deadline, f"no JupyterLab in 60 s:\n{log.read_text(errors='replace')[-2000:]}"
        time.sleep(0.2)


def page_config(html: str) -> dict:
    """The page_config JupyterLab serves in its page (the jupyter-config-data script)."""
    (data,) = re.findall(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', html, flags=re.S)
    return json.loads(data)


def lab_as(folder: Path, config_path: list[Path], args: list[str]) -> dict:
    """What a server started this way serves: its page config and whether formgrader answers."""
    process, url, token = start_lab(folder, config_path, args)
    try:
        lab = requests.get(f"{url}/lab", params={"token": token}, timeout=30)
        assert lab.status_code == 200, lab.status_code
        formgrader = requests.get(f"{url}/formgrader", params={"token": token}, timeout=30, allow_redirects=False)
        return {"page": page_config(lab.text), "formgrader": formgrader.status_code}
    finally:
        stop_server(process)


@pytest.mark.slow
def test_student_servers_show_no_nbgrader_instructor_ui_and_instructor_servers_do(image_env, hub_env, tmp_path):
    """JupyterLab from the hub environment, as the image starts it: the image's etc/jupyter
    (here on JUPYTER_CONFIG_PATH, which ranks it where the image's sys.prefix is), for students
    with the student arguments of values.yaml, for instructors with the Instructor profile's
    JUPYTER_CONFIG_PATH in front and no arguments."""
    plugins = nbgrader_lab_plugins(HUB_ENV)
    etc = image_env / "etc" / "jupyter"
    student = lab_as(tmp_path / "student", [etc], SERVER_EXTENSIONS_OFF)
    instructor = lab_as(tmp_path / "instructor", [etc / "instructor", etc], [])
    for seen in (student, instructor):  # nbgrader's lab extension is there to be loaded in both
        assert "@jupyter/nbgrader" in {e["name"] for e in seen["page"]["federated_extensions"]}
        # and both render the course's MyST markup
        assert "jupyterlab-myst" in {e["name"] for e in seen["page"]["federated_extensions"]}
    assert plugins <= set(student["page"]["disabledExtensions"]), student["page"]["disabledExtensions"]
    assert not plugins & set(instructor["page"]["disabledExtensions"]), instructor["page"]["disabledExtensions"]
    assert student["formgrader"] == 404 and instructor["formgrader"] != 404, (student["formgrader"], instructor["formgrader"])


# ------------------------------------------------------------------ Zero to JupyterHub values

def z2jh_volume_mounts(profile: dict | None = None) -> dict:
    """KubeSpawner.volume_mounts as the chart (4.3+) builds it from singleuser.storage (home,
    then extraVolumeMounts by key), with a profile's kubespawner_override merged as KubeSpawner
    merges a dictionary override (recursively; a null value removes the key)."""
    mounts = {"home": {"name": "home", "mountPath": "/home/jovyan"}, **VALUES["singleuser"]["storage"]["extraVolumeMounts"]}
    override = (profile or {}).get("kubespawner_override", {}).get("volume_mounts", {})
    for key, value in override.items():
        if value is None:
            mounts.pop(key, None)
        else:
            mounts[key] = value
    return mounts


def profile(slug: str) -> dict:
    (found,) = [p for p in VALUES["singleuser"]["profileList"] if p.get("slug") == slug]
    return found


def claims() -> dict:
    """Volume name -> PersistentVolumeClaim name, for students' volumes and the instructor's."""
    volumes = {**VALUES["singleuser"]["storage"]["extraVolumes"],
               **profile("instructor")["kubespawner_override"]["volumes"]}
    return {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in volumes.values() if "persistentVolumeClaim" in v}


def test_the_exchange_is_one_readwritemany_volume_that_students_reach_only_in_part():
    root = image_nbgrader_config().Exchange.root
    course = image_nbgrader_config().CourseDirectory.course_id
    pvcs = {doc["metadata"]["name"]: doc for doc in VOLUMES}
    exchange_claim = claims()["nbgrader-exchange"]
    assert pvcs[exchange_claim]["spec"]["accessModes"] == ["ReadWriteMany"]
    student = {m["mountPath"]: m for m in z2jh_volume_mounts().values()}
    # Exchange.root is writable (nbgrader requires it) but is a scratch folder, not the volume
    (top,) = [v for v in VALUES["singleuser"]["storage"]["extraVolumes"].values() if v["name"] == student[root]["name"]]
    assert "emptyDir" in top
    outbound, inbound = student[f"{root}/{course}/outbound"], student[f"{root}/{course}/inbound"]
    assert (outbound["name"], outbound["subPath"], outbound.get("readOnly")) == ("nbgrader-exchange", f"{course}/outbound", True)
    assert (inbound["name"], inbound["subPath"], inbound.get("readOnly", False)) == ("nbgrader-exchange", f"{course}/inbound", False)
    exchange_mounts = [m for m in student.values() if m["name"] == "nbgrader-exchange"]
    assert len(exchange_mounts) == 2, "students get no other part of the exchange (no feedback, no other course)"
    assert "/srv/nbgrader/course" not in student


def test_the_instructor_profile_has_the_whole_exchange_and_the_course_directory():
    root = image_nbgrader_config().Exchange.root
    mounts = {m["mountPath"]: m for m in z2jh_volume_mounts(profile("instructor")).values()}
    assert mounts[root]["name"] == "nbgrader-exchange" and not mounts[root].get("readOnly")
    assert not any(path.startswith(root + "/") for path in mounts), "the students' partial mounts are removed"
    assert mounts["/srv/nbgrader/course"]["name"] == "nbgrader-course"
    pvcs = {doc["metadata"]["name"]: doc for doc in VOLUMES}
    assert claims()["nbgrader-course"] in pvcs and claims()["nbgrader-exchange"] in pvcs
    assert all(doc["kind"] == "PersistentVolumeClaim" for doc in VOLUMES)
    # the README's grading commands use that directory
    assert "make nbgrader NBGRADER_DIR=/srv/nbgrader/course" in README
    assert "make nbgrader NBGRADER_DIR=/srv/nbgrader/course" in VALUES_TEXT


def test_the_instructor_profile_turns_nbgrader_back_on_with_the_folder_post_build_installs(image_env):
    override = profile("instructor")["kubespawner_override"]
    assert override["args"] == []
    config_path = override["environment"]["JUPYTER_CONFIG_PATH"]
    assert config_path.startswith(NB_PYTHON_PREFIX + "/")
    installed = image_env / Path(config_path).relative_to(NB_PYTHON_PREFIX)
    assert (installed / "labconfig" / "page_config.json").read_bytes() == (
        INSTRUCTOR_FOLDER / "labconfig" / "page_config.json").read_bytes()
    # and the student profile changes nothing: students get the image's defaults and KubeSpawner.args
    assert "kubespawner_override" not in profile("student")


def test_only_instructors_are_offered_the_instructor_profile():
    """The chart's hub.extraConfig snippet, run as the chart runs it (exec with `c`)."""
    c = Config()
    c.KubeSpawner.profile_list = VALUES["singleuser"]["profileList"]
    snippet = VALUES["hub"]["extraConfig"]["track2-profiles"]
    exec(snippet, {"c": c})
    choose = c.KubeSpawner.profile_list
    group = next(iter(VALUES["hub"]["config"]["JupyterHub"]["load_groups"]))

    def spawner(*groups):
        return SimpleNamespace(user=SimpleNamespace(groups=[SimpleNamespace(name=g) for g in groups]))

    assert [p["slug"] for p in choose(spawner())] == ["student"]
    assert [p["slug"] for p in choose(spawner("some-other-group"))] == ["student"]
    assert [p["slug"] for p in choose(spawner(group))] == ["student", "instructor"]
    assert "CHANGE-instructor-username" in VALUES["hub"]["config"]["JupyterHub"]["load_groups"][group]["users"]


def test_the_values_and_readme_say_plainly_that_the_exchange_cannot_keep_submissions_apart():
    storage = VALUES_TEXT[VALUES_TEXT.index("  storage:"):VALUES_TEXT.index("extraVolumes:")]
    for words in ("uid 1000", "any student can", "collect through your LMS", "ngshare"):
        assert words in storage, words
    hub_section = README[README.index("### A course JupyterHub"):README.index("### Publish your fork")]
    for words in ("uid 1000", "Any student can read, change or delete", "collect through your LMS"):
        assert words in hub_section, words


# ------------------------------------------------------------------ the exchange, for real

def nbgrader(*args: str, cwd: Path, env: dict) -> str:
    """nbgrader of the hub environment (the image's version); its output; fails the test on an error."""
    env = {**env, "PATH": f"{HUB_ENV / 'bin'}:{env['PATH']}"}  # as on the hub (nbgrader runs alembic from PATH)
    result = subprocess.run([str(HUB_ENV / "bin" / "python"), "-m", "nbgrader", *args], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"nbgrader {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout + result.stderr


@pytest.mark.slow
def test_a_student_fetches_and_submits_with_the_assignment_name_alone(image_env, hub_env, tmp_path):
    """The image's nbgrader_config.py (from postBuild) with only Exchange.root moved to a temporary
    folder: the instructor releases, a student fetches and submits naming only the assignment,
    the instructor collects."""
    exchange = tmp_path / "exchange"
    exchange.mkdir(mode=0o777)
    exchange.chmod(0o1777)  # as deploy/jupyterhub_config.py asks the administrator to make it
    moved = tmp_path / "test-config"
    moved.mkdir()
    (moved / "nbgrader_config.py").write_text(f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\n", encoding="utf-8")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "user-config"), "JUPYTER_DATA_DIR": str(tmp_path / "data"),
           "JUPYTER_CONFIG_PATH": os.pathsep.join([str(moved), str(image_env / "etc" / "jupyter")])}
    env.pop("JUPYTER_PATH", None)
    course, home = tmp_path / "course", tmp_path / "home"
    release = course / "release" / "03-symbiosis"
    release.mkdir(parents=True)
    home.mkdir()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("answer = 42")])
    nbformat.write(notebook, release / "03-symbiosis.ipynb")

    nbgrader("release_assignment", "03-symbiosis", cwd=course, env=env)
    assert (exchange / "track2-asia-pacific" / "outbound" / "03-symbiosis" / "03-symbiosis.ipynb").is_file()
    nbgrader("fetch_assignment", "03-symbiosis", cwd=home, env=env)
    fetched = home / "03-symbiosis" / "03-symbiosis.ipynb"
    work = nbformat.read(fetched, as_version=4)
    work.cells.append(nbformat.v4.new_code_cell("my_answer = answer + 1"))
    nbformat.write(work, fetched)
    nbgrader("submit", "03-symbiosis", cwd=home, env=env)
    (submission,) = (exchange / "track2-asia-pacific" / "inbound").iterdir()
    assert submission.name.startswith(f"{pwd.getpwuid(os.getuid()).pw_name}+03-symbiosis+"), submission.name
    nbgrader("collect", "03-symbiosis", cwd=course, env=env)
    (collected,) = (course / "submitted").glob("*/03-symbiosis/03-symbiosis.ipynb")
    assert "my_answer = answer + 1" in collected.read_text(encoding="utf-8")
    assert collected.parent.parent.name == submission.name.split("+")[0]


# ------------------------------------------------------------------ the one-server hub

def one_server_settings() -> dict:
    """deploy/jupyterhub_config.py loaded by JupyterHub's config loader in the hub environment."""
    script = f"""
import json
from jupyterhub.app import JupyterHub
app = JupyterHub()
app.load_config_file({str(ONE_SERVER_CONFIG)!r})
c = app.config
print(json.dumps({{
    "authenticator": c.JupyterHub.authenticator_class, "spawner": c.JupyterHub.spawner_class,
    "allowed_groups": sorted(c.PAMAuthenticator.allowed_groups), "load_groups": c.JupyterHub.load_groups,
    "cmd": c.Spawner.cmd, "default_url": c.Spawner.default_url, "bind_url": c.JupyterHub.bind_url,
    "hook": c.Spawner.pre_spawn_hook.__name__,
    "hook_globals": {{k: c.Spawner.pre_spawn_hook.__globals__[k] for k in ("STUDENT_ARGS", "INSTRUCTOR_CONFIG", "INSTRUCTORS")}},
}}))
"""
    result = subprocess.run([str(HUB_ENV / "bin" / "python"), "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_one_server_config_loads_with_jupyterhubs_loader(hub_env):
    settings = one_server_settings()
    assert settings["authenticator"] == "pam" and settings["spawner"] == "localprocess"
    assert settings["allowed_groups"] == ["track2-instructors", "track2-students"]
    assert set(settings["load_groups"]) == {settings["hook_globals"]["INSTRUCTORS"]}
    assert settings["cmd"] == [str(HUB_ENV / "bin" / "jupyterhub-singleuser")]
    assert settings["default_url"] == "/lab" and urlsplit(settings["bind_url"]).hostname == "127.0.0.1"
    assert settings["hook"] == "track2_server_settings"
    # the same student servers as on Kubernetes, and the instructor folder postBuild installs
    assert settings["hook_globals"]["STUDENT_ARGS"] == SERVER_EXTENSIONS_OFF
    assert settings["hook_globals"]["INSTRUCTOR_CONFIG"] == str(HUB_ENV / "etc" / "jupyter" / "instructor")
    assert image_nbgrader_config().Exchange.root == "/srv/nbgrader/exchange"
    assert "install -d -m 1777 /srv/nbgrader/exchange" in ONE_SERVER_CONFIG.read_text(encoding="utf-8")


class OneServerHub(HubClass):
    """deploy/jupyterhub_config.py on loopback: its settings, with the test's sign-in (any
    password), spawner (servers as this user, homes in a temporary folder), ports and database
    in place of PAM, Unix accounts and /srv."""

    def __init__(self, folder: Path, instructors: list[str]):
        super().__init__(folder)
        self.instructors = instructors

    def _config(self, gitconfig: Path) -> str:
        return f"""# written by tests/test_hub_config.py
c = get_config()  # noqa
load_subconfig({str(ONE_SERVER_CONFIG)!r})  # noqa
{self.loopback_settings(gitconfig)}c.JupyterHub.load_groups = {{"instructors": {{"users": {self.instructors!r}}}}}
c.Spawner.args = {(['--allow-root'] if os.geteuid() == 0 else [])!r}
"""


@pytest.fixture
def hub_env_with_image_settings(hub_env):
    """The hub environment with deploy/image/postBuild run in it, as README.md's one-server
    set-up does; the files it added are removed afterwards."""
    etc = HUB_ENV / "etc" / "jupyter"
    added = [etc / name for name in ("nbgrader_config.py", "labconfig/page_config.json", "instructor")
             if not (etc / name).exists()]
    subprocess.run(["bash", str(IMAGE / "postBuild")], env={**os.environ, "PATH": f"{HUB_ENV / 'bin'}:{os.environ['PATH']}"},
                   check=True, capture_output=True)
    try:
        yield etc
    finally:
        for path in added:
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)


@pytest.mark.slow
def test_the_one_server_hub_gives_instructors_nbgrader_and_students_none(hub_env_with_image_settings, tmp_path):
    problem = missing_setup()
    if problem:
        pytest.fail(problem)
    plugins = nbgrader_lab_plugins(HUB_ENV)
    hub = OneServerHub(tmp_path / "hub", instructors=["teacher"])
    seen = {}
    with hub:
        hub.api("POST", "/users", json={"usernames": ["teacher", "student01"]})
        for name in ("teacher", "student01"):
            user = hub.start_student(name)
            http = hub.session(user)
            lab = http.get(f"{hub.url}/user/{name}/lab", timeout=60)
            assert lab.status_code == 200, (lab.status_code, lab.text[:300])
            formgrader = http.get(f"{hub.url}/user/{name}/formgrader", timeout=60, allow_redirects=False)
            # nbgitpuller answers the course links (its page; the pull itself is tests/test_hub.py's)
            puller = http.get(f"{hub.url}/user/{name}/git-pull", params={"repo": REPO_URL, "branch": BRANCH},
                              timeout=60, allow_redirects=False)
            seen[name] = {"disabled": set(page_config(lab.text)["disabledExtensions"]), "formgrader": formgrader.status_code,
                          "groups": hub.api("GET", f"/users/{name}").json()["groups"],
                          "git-pull": (puller.status_code, "git-pull/static/dist/bundle.js" in puller.text)}
    assert seen["teacher"]["groups"] == ["instructors"] and seen["student01"]["groups"] == []
    assert plugins <= seen["student01"]["disabled"], seen
    assert not plugins & seen["teacher"]["disabled"], seen
    assert seen["student01"]["formgrader"] == 404 and seen["teacher"]["formgrader"] != 404, seen
    assert seen["student01"]["git-pull"] == seen["teacher"]["git-pull"] == (200, True), seen
    assert hub.killed == [] and hub.still_running() == []


# ------------------------------------------------------------------ LMS downloads

def readme_regexps() -> dict[str, str]:
    """The README's named_regexp lines, by the LMS named in the comment above each."""
    found = {}
    for lms, expression in re.findall(r'#\s*(Canvas|Moodle)\b[^\n]*\n(?:\s*#[^\n]*\n)*\s*c\.FileNameCollectorPlugin'
                                      r'\.named_regexp = r"([^"]+)"', README):
        found[lms] = expression
    return found


# Real download names. Canvas: lib/content_zipper.rb of instructure/canvas-lms (get_filename:
# the sortable name lowercased with non-word characters removed, "LATE" for a late submission,
# the Canvas user id; add_upload_submission appends the attachment id and the uploaded file's
# display name), and a file uploaded again is renamed with -1, -2 (instructure/canvas-lms
# issues 2310 and 606). Moodle: mod/assign/locallib.php, assign::download_submissions
# (clean_filename(fullname . "_" . get_uniqueid_for_user), then "_assignsubmission_file_"
# as a folder per student, the default since Moodle 3.1, or followed by the file name;
# get_uniqueid_for_user is the id of the student's row in assign_user_mapping, one row per
# assignment and student, so the number is not the same in another assignment).
CANVAS = {
    "submissions/smithjane_12345_678901_03-symbiosis.ipynb": ("12345", "03-symbiosis"),
    "submissions/nguyenvan_LATE_4321_678902_03-symbiosis.ipynb": ("4321", "03-symbiosis"),
    "submissions/obrienseamus_77_678903_03-symbiosis-1.ipynb": ("77", "03-symbiosis"),
    "submissions/lixiaoming_9001_678904_03-symbiosis (1).ipynb": ("9001", "03-symbiosis"),
}
MOODLE = {
    "Track2-03-symbiosis-55/Jane Smith_1234567_assignsubmission_file_/03-symbiosis.ipynb": ("1234567", "03-symbiosis"),
    "Track2-03-symbiosis-55/Seamus O'Brien_1234568_assignsubmission_file_/03-symbiosis (1).ipynb": ("1234568", "03-symbiosis"),
    "Track2-03-symbiosis-55/Nguyen Van A_1234569_assignsubmission_file_03-symbiosis.ipynb": ("1234569", "03-symbiosis"),
}


def test_the_readme_gives_an_expression_for_canvas_and_for_moodle():
    assert set(readme_regexps()) == {"Canvas", "Moodle"}


@pytest.mark.parametrize("lms, names", [("Canvas", CANVAS), ("Moodle", MOODLE)])
def test_nbgraders_collector_reads_the_student_and_notebook_from_lms_names(lms, names, tmp_path):
    from nbgrader.plugins.zipcollect import FileNameCollectorPlugin

    collector = FileNameCollectorPlugin(named_regexp=readme_regexps()[lms])
    extracted = tmp_path / "course" / "downloaded" / "03-symbiosis" / "extracted"
    for name, (student, notebook) in names.items():
        found = collector.collect(str(extracted / name))  # nbgrader passes the whole path
        assert found is not None, name
        assert (found["student_id"], found["file_id"]) == (student, notebook), (name, found)
    # not a submission of this kind: no match
    assert collector.collect(str(extracted / "submissions" / "03-symbiosis.ipynb")) is None


@pytest.mark.slow
@pytest.mark.parametrize("lms, names", [("Canvas", CANVAS), ("Moodle", MOODLE)])
def test_zip_collect_files_an_lms_download_under_each_student(lms, names, tmp_path):
    """`nbgrader zip_collect` in a scratch course directory, on a zip laid out as the LMS's download."""
    course = tmp_path / "course"
    (course / "release" / "03-symbiosis").mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), course / "release" / "03-symbiosis" / "03-symbiosis.ipynb")
    (course / "nbgrader_config.py").write_text(
        f'c = get_config()\nc.CourseDirectory.course_id = "track2-asia-pacific"\n'
        f'c.FileNameCollectorPlugin.named_regexp = r"{readme_regexps()[lms]}"\n', encoding="utf-8")
    archive = course / "downloaded" / "03-symbiosis" / "archive"
    archive.mkdir(parents=True)
    with zipfile.ZipFile(archive / "download.zip", "w") as zipped:
        for name, (student, _) in names.items():
            notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"student = {student!r}")])
            zipped.writestr(name.split("/", 1)[1] if lms == "Canvas" else name, nbformat.writes(notebook))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "user-config")}
    env.pop("JUPYTER_CONFIG_PATH", None)
    result = subprocess.run([sys.executable, "-m", "nbgrader", "zip_collect", "03-symbiosis"], cwd=course, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    collected = sorted(p.relative_to(course / "submitted").as_posix() for p in (course / "submitted").rglob("*.ipynb"))
    expected = sorted(f"{student}/03-symbiosis/03-symbiosis.ipynb" for student, _ in names.values())
    assert collected == expected, result.stderr[-3000:]
    for student, _ in names.values():
        text = (course / "submitted" / student / "03-symbiosis" / "03-symbiosis.ipynb").read_text(encoding="utf-8")
        assert f"student = '{student}'" in text
    assert "Skipped" not in result.stderr and "Invalid submission notebook name" not in result.stderr, result.stderr
