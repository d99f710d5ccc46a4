"""The grading sandbox: every submission's kernel runs inside bubblewrap.

``nbgrader autograde`` runs a student's code in a kernel it starts. Without a sandbox
that code runs as the instructor, next to the gradebook, the solutions and the course
data. This module's :class:`SandboxedKernelManager`, which the course's
``nbgrader_config.py`` gives nbgrader's Execute step, starts each kernel with
`bubblewrap <https://github.com/containers/bubblewrap>`_ (``bwrap``, Debian's package
``bubblewrap``), so that the kernel

* sees only what a kernel needs, read-only: the system's programs and libraries, Python,
  the course package and the grading variant of the course data
  (``track2.tools.variant``); not the course directory (gradebook, sources, other
  submissions), not the exercise sources with their solutions, not the grader's home;
* writes only to a scratch copy of its own submission folder (mounted where the folder
  is, so relative paths work) and to a private ``/tmp``, both thrown away afterwards;
* has no network (its own empty network namespace; it talks to nbgrader over Unix
  sockets in a folder of its own) and no environment variables but a short list;
* runs in its own PID namespace: when the kernel ends, every process it started ends
  with it, detached or not, and bubblewrap dies with the grader (``--die-with-parent``);
* has a memory and a CPU-time limit (``prlimit``), and its own session, so signals from
  the grader reach only the sandbox; interrupts go as messages (``interrupt_mode``).

Inside the sandbox ``track2.checks`` is replaced by :mod:`track2.tools.checks_while_grading`:
the answers are still recorded, but no checker in the student's reach can say whether an
answer is right, so no loop over the visible checker finds the graded answer.

Where it works: Linux with bubblewrap installed, where the grader may create user and
network namespaces (a grading machine or container run as root, or a kernel that allows
unprivileged user namespaces). Autograding refuses to start without it, unless the
instructor sets ``c.GradingSandbox.required = False`` and accepts that students' code
then runs as them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer, Unicode
from traitlets.config import Configurable

import track2
from track2.data import PACKAGE_CHECKOUT, is_checkout

PACKAGE_DIR = Path(track2.__file__).resolve().parent
#: What stands in for track2/checks.py inside the sandbox.
CHECKS_WHILE_GRADING = Path(__file__).resolve().parent / "checks_while_grading.py"
#: Environment variables a kernel keeps; everything else (tokens, passwords) stays out.
KEPT_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONPATH", "JPY_SESSION_NAME",
                    "NBGRADER_EXECUTION", "TRACK2_GRADING_STEP")


class SandboxError(RuntimeError):
    """The sandbox cannot be set up: autograding stops rather than run students' code unconfined."""


class GradingSandbox(Configurable):
    """Settings of the grading sandbox (``c.GradingSandbox.*`` in nbgrader_config.py)."""

    required = Bool(True, help="Refuse to grade when bubblewrap cannot start a sandbox. Set False only if "
                               "you accept that students' code runs as you, with your files in reach.").tag(config=True)
    course_dir = Unicode("", help="The nbgrader course directory, hidden from every kernel.").tag(config=True)
    memory_mb = Integer(2048, help="Address-space limit of a kernel, in MiB.").tag(config=True)
    cpu_seconds = Integer(600, help="CPU-time limit of a kernel, in seconds (the whole notebook).").tag(config=True)
    bwrap = Unicode("bwrap", help="The bubblewrap program.").tag(config=True)


@cache
def sandbox_problem(bwrap: str = "bwrap") -> str | None:
    """Why bubblewrap cannot run a sandbox here (``None`` when it can): tried once per process."""
    program = shutil.which(bwrap)
    if program is None:
        return (f"{bwrap} is not installed: install Debian's or Ubuntu's package 'bubblewrap' (apt-get install "
                "bubblewrap) on the machine that grades")
    try:
        result = subprocess.run([program, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                                 "--unshare-all", "--die-with-parent", "--new-session", "true"],
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"{bwrap} could not run: {error}"
    if result.returncode != 0:
        return (f"{bwrap} cannot create namespaces here ({result.stderr.strip()[:200]}): grade on a Linux machine "
                "or container that allows user and network namespaces (as root, or with unprivileged user "
                "namespaces enabled)")
    return None


def _system_binds() -> list[str]:
    """Read-only binds of the system's programs and libraries (merged /usr or not)."""
    args = []
    for name in ("usr", "etc", "opt", "bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    return args


def readable_paths() -> list[Path]:
    """Everything outside the system folders that a kernel reads: Python, its packages and the
    course package (for an editable install, the checkout's package, data description,
    quick-check questions and bibliography, never its exercise sources)."""
    paths = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), Path(sys.executable).resolve().parent,
             PACKAGE_DIR}
    paths |= {Path(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p}
    if is_checkout(PACKAGE_CHECKOUT):
        paths.add(PACKAGE_CHECKOUT / "data")
        paths.add(PACKAGE_CHECKOUT / "book" / "references.bib")
        paths |= set((PACKAGE_CHECKOUT / "exercises" / "source").glob("*.questions.yml"))
    return sorted(p.resolve() for p in paths if p.exists() and not str(p.resolve()).startswith(("/usr/", "/etc/")))


def sandbox_command(kernel_cmd: list[str], *, workdir: Path, scratch: Path, runtime: Path, data_dir: Path,
                    settings: GradingSandbox) -> list[str]:
    """``kernel_cmd`` wrapped in bubblewrap and prlimit (see the module's docstring)."""
    hidden = [Path(settings.course_dir).resolve()] if settings.course_dir else []
    readable = readable_paths()
    for path in readable:
        for secret in hidden:
            if secret == path or secret.is_relative_to(path):
                raise SandboxError(f"the course directory {secret} is inside {path}, which every kernel must read: "
                                   "keep the course directory outside the Python environment and the course package")
    args = [settings.bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--dev", "/dev", "--proc", "/proc",
            *_system_binds(), "--tmpfs", "/tmp"]
    for path in readable:
        args += ["--ro-bind", str(path), str(path)]
    args += ["--ro-bind", str(CHECKS_WHILE_GRADING), str(PACKAGE_DIR / "checks.py")]
    if (PACKAGE_DIR / "__pycache__").is_dir():  # no compiled copy of the real checks.py either
        args += ["--tmpfs", str(PACKAGE_DIR / "__pycache__")]
    args += ["--ro-bind", str(data_dir), str(data_dir),
             "--bind", str(runtime), str(runtime),
             "--bind", str(scratch), str(workdir),
             "--chdir", str(workdir), "--setenv", "HOME", "/tmp", "--setenv", "TRACK2_DATA_DIR", str(data_dir),
             "--setenv", "TRACK2_GRADING_SANDBOX", "1",
             # jupyter_client sets it; in its own PID namespace the kernel cannot see that process and
             # would stop at once (--die-with-parent ends the sandbox with the grader instead)
             "--unsetenv", "JPY_PARENT_PID"]
    limits = ["prlimit", f"--as={settings.memory_mb * 2**20}", f"--cpu={settings.cpu_seconds}", "--"]
    return [*args, "--", *limits, *kernel_cmd]


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in the grading sandbox. nbgrader's Execute step uses it
    (``c.Execute.kernel_manager_class`` in the course's nbgrader_config.py)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.settings = GradingSandbox(parent=self)
        self._folders: list[Path] = []

    async def _async_pre_start_kernel(self, **kw):
        from track2.tools.variant import grading_data_dir

        problem = sandbox_problem(self.settings.bwrap)
        if problem is not None and self.settings.required:
            raise SandboxError(f"no grading sandbox: {problem}. To grade without one (students' code then runs as "
                               "you), set c.GradingSandbox.required = False in local_config.py")
        workdir = Path(kw.get("cwd") or os.getcwd()).resolve()
        if not self._folders:  # a restart keeps them: the kernel client reconnects to the same sockets
            runtime = Path(tempfile.mkdtemp(prefix="track2-kernel-"))
            scratch = Path(tempfile.mkdtemp(prefix="track2-scratch-"))
            self._folders = [runtime, scratch]
            shutil.copytree(workdir, scratch, dirs_exist_ok=True)
        runtime, scratch = self._folders
        # Unix sockets in a folder of the kernel's own: no network, and no other kernel's sockets
        self.transport, self.ip = "ipc", str(runtime / "ipc")
        self.connection_file = str(runtime / "kernel.json")
        self.kernel_spec.interrupt_mode = "message"  # a signal would stop bubblewrap, not the cell
        data_dir = grading_data_dir(self.settings.course_dir or None)
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        kw["env"] = {name: value for name, value in kw.get("env", os.environ).items() if name in KEPT_ENVIRONMENT}
        if problem is not None:
            self.log.warning("grading WITHOUT a sandbox (c.GradingSandbox.required = False): %s", problem)
            kw["env"].update(TRACK2_DATA_DIR=str(data_dir), HOME=str(scratch))
            kw["cwd"] = str(scratch)
            return kernel_cmd, kw
        return sandbox_command(kernel_cmd, workdir=workdir, scratch=scratch, runtime=runtime,
                               data_dir=data_dir, settings=self.settings), kw

    def _remove_folders(self) -> None:
        for folder in self._folders:
            shutil.rmtree(folder, ignore_errors=True)
        self._folders = []

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self._remove_folders()
