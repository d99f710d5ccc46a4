"""The grading sandbox (track2.tools.sandbox) and the grading variant of the data (track2.tools.variant).

A kernel started by the course's kernel manager runs student code that tries everything a
submission tried on the instructor's machine: read the gradebook and the solutions, write
the course data, reach the network, read the grader's secrets from the environment, leave a
process behind, ask the checkers for the answer. Each attempt must fail, and an honest
computation must still work.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import http.server
import json
import subprocess
import threading
import time
from pathlib import Path

import pytest
from traitlets.config import Config

from conftest import ROOT
from track2.checks import CHECKERS
from track2.data import data_dir, load_course_data
from track2.tools import sandbox, variant

def test_bubblewrap_can_make_a_sandbox_here():
    """`make test` installs Debian's bubblewrap; without it autograding refuses to run (and this fails)."""
    assert sandbox.sandbox_problem() is None, sandbox.sandbox_problem()


def test_a_missing_bubblewrap_is_named_with_what_to_install():
    problem = sandbox.sandbox_problem("no-such-bwrap-here")
    assert "not installed" in problem and "apt-get install bubblewrap" in problem


def folder_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


PROBE = r'''
import json, os, socket, subprocess, sys
from pathlib import Path
found = {}
def attempt(name, action):
    try:
        found[name] = ("ok", repr(action())[:200])
    except BaseException as error:
        found[name] = ("refused", type(error).__name__)
attempt("read gradebook", lambda: Path(GRADEBOOK).read_bytes())
attempt("list course dir", lambda: os.listdir(COURSE))
attempt("read solutions", lambda: Path(SOLUTION).read_text())
attempt("write real data", lambda: Path(REAL_DATA, "institutions.csv").write_text("x"))
attempt("write graded data", lambda: Path(os.environ["TRACK2_DATA_DIR"], "institutions.csv").write_text("x"))
attempt("write the package", lambda: Path(PACKAGE, "evil.py").write_text("x"))
attempt("write home", lambda: Path(HOME_DIR, "evil.txt").write_text("x"))
attempt("connect out", lambda: socket.create_connection(("127.0.0.1", PORT), timeout=3))
attempt("write own folder", lambda: Path("scratch.txt").write_text("mine"))
attempt("read own folder", lambda: Path("handed-in.txt").read_text())
import track2.checks
attempt("ask a checker", lambda: [track2.checks.disagreement_count(n).status for n in range(3)])
attempt("real checker source", lambda: "def disagreement_count" in Path(track2.checks.__file__).read_text())
from track2.data import load_course_data
data = load_course_data()
attempt("count disagreements", lambda: data.disagreements["disagreement_id"].nunique())
secret = os.environ.get("GRADER_SECRET_TOKEN")
attempt("environment secret", lambda: secret)
subprocess.Popen([sys.executable, "-c", "import os, time; os.setsid(); time.sleep(600)  # MARKER"],
                 start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(json.dumps(found))
'''


class Refuser(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.end_headers()


async def run_in_sandbox(code: str, cwd: Path, config: Config) -> str:
    """What ``code`` prints, run in a kernel of the grading sandbox started in ``cwd``."""
    outputs = []
    km = sandbox.SandboxedKernelManager(kernel_name="python3", config=config)
    await km.start_kernel(cwd=str(cwd))
    kc = km.client()
    kc.start_channels()
    try:
        await kc.wait_for_ready(timeout=60)
        reply = await kc.execute_interactive(code, timeout=120, output_hook=lambda msg: outputs.append(msg))
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=False)
    return "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")


@pytest.mark.slow
def test_a_kernel_in_the_sandbox_reaches_nothing_but_its_own_folder(tmp_path, monkeypatch):
    course = tmp_path / "course"
    (course / "source").mkdir(parents=True)
    (course / "gradebook.db").write_bytes(b"SQLite format 3\0 the gradebook")
    (course / variant.SEED_FILE).write_text("a test seed\n", encoding="utf-8")
    folder = course / "autograded" / "student" / "07-evidence"
    folder.mkdir(parents=True)
    (folder / "handed-in.txt").write_text("handed in", encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    server = http.server.HTTPServer(("127.0.0.1", 0), Refuser)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("GRADER_SECRET_TOKEN", "s3cret")
    monkeypatch.setenv("HOME", str(home))
    values = {"GRADEBOOK": course / "gradebook.db", "COURSE": course, "REAL_DATA": data_dir(),
              "SOLUTION": ROOT / "exercises" / "source" / "07-evidence.md", "PACKAGE": sandbox.PACKAGE_DIR,
              "HOME_DIR": home, "PORT": server.server_address[1]}
    code = "".join(f"{name} = {str(value)!r}\n" if isinstance(value, Path) else f"{name} = {value!r}\n"
                   for name, value in values.items()) + PROBE
    config = Config()
    config.GradingSandbox.course_dir = str(course)
    real_data = folder_hash(data_dir())
    # asyncio.run in a thread of its own: a browser test earlier in the same worker leaves
    # Playwright's event loop running in this one
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        text = pool.submit(asyncio.run, run_in_sandbox(code, folder, config)).result()
    server.shutdown()
    found = json.loads(text.strip().splitlines()[-1])
    # the course directory holds only the path down to the kernel's own folder
    assert found["list course dir"] == ["ok", repr(["autograded"])], found["list course dir"]
    for refused in ("read gradebook", "read solutions", "write real data", "write graded data",
                    "write the package", "write home", "connect out"):
        assert found[refused][0] == "refused", (refused, found[refused])
    assert found["write own folder"][0] == found["read own folder"][0] == "ok", found
    assert found["environment secret"] == ["ok", "None"], "the grader's environment stays out"
    assert found["ask a checker"] == ["ok", repr(["unanswered"] * 3)], "no checker can be asked while grading"
    assert found["real checker source"] == ["ok", "False"], "the real checks.py is not in reach"
    graded = variant.grading_data(course)
    assert found["count disagreements"] == ["ok", repr(graded.disagreements["disagreement_id"].nunique())]
    assert folder_hash(data_dir()) == real_data
    assert not (folder / "scratch.txt").exists(), "what the kernel wrote stays in its scratch copy"
    assert not (home / "evil.txt").exists()
    time.sleep(1)
    left = subprocess.run(["pgrep", "-f", "MARKER"], capture_output=True, text=True).stdout.split()
    assert not left, "a process the kernel started outlived it"


def test_the_variant_is_the_same_from_the_same_seed_and_changes_every_graded_answer(tmp_path):
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    variant.write_variant(data_dir(), first, "seed")
    variant.write_variant(data_dir(), second, "seed")
    variant.write_variant(data_dir(), other, "another seed")
    assert [p.read_bytes() for p in sorted(first.iterdir())] == [p.read_bytes() for p in sorted(second.iterdir())]
    assert [p.read_bytes() for p in sorted(first.iterdir())] != [p.read_bytes() for p in sorted(other.iterdir())]
    real, graded = load_course_data(), load_course_data(first)
    assert variant.variant_problems(real, graded) == []
    for name, check in CHECKERS.items():
        assert not check(check.expected(real), data=graded).correct, name
        assert check(check.expected(graded), data=graded).correct, name
    assert variant.variant_problems(real, real), "the real data is not a variant of itself"


def test_the_seed_is_made_once_readable_by_the_instructor_only(tmp_path):
    with pytest.raises(variant.VariantError, match="run `make nbgrader`"):
        variant.grading_seed(tmp_path)
    seed = variant.grading_seed(tmp_path, create=True)
    assert len(seed) == 32 and variant.grading_seed(tmp_path, create=True) == seed
    assert (tmp_path / variant.SEED_FILE).stat().st_mode & 0o777 == 0o600


def test_the_sandbox_refuses_a_course_directory_inside_what_kernels_read(tmp_path):
    config = Config()
    config.GradingSandbox.course_dir = str(sandbox.PACKAGE_DIR / "course")
    with pytest.raises(sandbox.SandboxError, match="keep the course directory outside"):
        sandbox.sandbox_command(["python"], workdir=tmp_path, scratch=tmp_path, runtime=tmp_path, data_dir=tmp_path,
                                settings=sandbox.GradingSandbox(config=config))
