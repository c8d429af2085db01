"""Run each grading kernel inside bubblewrap, so trainee code sees only its own submission folder.

nbgrader executes a trainee's notebook through nbclient, which starts a kernel with a jupyter_client kernel
manager. :class:`SandboxedKernelManager` is such a manager: ZMQ over Unix sockets (``transport="ipc"``) in a
private runtime folder, and the kernel command wrapped in Debian's ``bwrap`` (package ``bubblewrap``) as
``docs/sandbox-design.md`` describes:

* new user, IPC, network and UTS namespaces (no PID namespace: ipykernel would think its parent died), and no
  further user namespaces inside (``--disable-userns``); the network namespace has only its own loopback, so
  nothing outside is reachable;
* an empty read-only root with ``--tmpfs /tmp`` first (remounted read-only at the end), then read-only binds of
  ``/usr``, ``/lib``, ``/lib64``, ``/bin`` (symlinks on merged-/usr Debian), ``/etc/fonts``, the Python
  installation, the environment and ONLY the ``mesolab`` package folder (never the course root: it holds
  ``gradebook.db`` and ``source/``);
* a read-write bind at the notebook's working folder (``autograded/<id>/<assignment>/``, learnt from the ``cwd``
  nbclient passes when it starts the kernel) and of the kernel's private runtime folder (ipc sockets, connection
  file, the kernel's HOME and TMPDIR). The working folder the kernel sees is a private copy of the real one, so
  nothing trainee code leaves there (e.g. a symlink named like the notebook) is ever written through by nbgrader;
* ``--chdir`` to the working folder, ``--die-with-parent``, a cleared environment (the grader's variables never
  reach trainee code), and at clean-up every process left in the sandbox's user namespaces is killed (a process
  started in a new session escapes the kill of the kernel's process group).

:func:`sandboxed` turns an nbgrader ``Execute`` preprocessor (nbgrader's, or the course's ``IsolatedExecute``) into
one using this manager: ``Execute.__init__`` forces ``kernel_manager_class`` through a keyword argument, which
beats configuration, so a subclass is needed. :func:`sandbox_config` puts it in the course's
``Autograde.autograde_preprocessors`` in place of the Execute preprocessor there. The course's own
``nbgrader_config.py`` already lists ``sandboxed(IsolatedExecute)``, so plain ``nbgrader autograde`` and the
formgrader's button are sandboxed too; :func:`unsandboxed_config` undoes it for ``mesolab grade --no-sandbox``.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Unicode
from traitlets.config import Config

BWRAP = "bwrap"
#: Set by ``mesolab grade``: the folder of this run's kernel runtime folders (removed by the next run if this
#: one was killed).
RUNTIME_PARENT_ENV = "MESOLAB_KERNEL_RUNTIME"
#: The student id being graded, for the kernel (the same name as mesolab.grading.isolated.STUDENT_ENV).
STUDENT_ENV = "MESOLAB_STUDENT_ID"
PACKAGE_HINT = "install Debian's 'bubblewrap' package (apt-get install bubblewrap)"


class SandboxError(RuntimeError):
    """bubblewrap is missing or cannot start a sandbox here."""


def find_bwrap(name: str = BWRAP) -> str:
    """The path of bwrap, or a SandboxError that names the package to install."""
    path = shutil.which(name)
    if path is None:
        raise SandboxError(f"bubblewrap ('{name}') was not found on PATH: {PACKAGE_HINT}. Trainee code is never "
                           "graded unsandboxed unless you pass --no-sandbox (trusted submissions only).")
    return path


def check_bwrap(name: str = BWRAP) -> str:
    """find_bwrap, then start a trivial sandbox once, so a broken bwrap fails before any grading."""
    path = find_bwrap(name)
    probe = [path, *_namespaces(), "--ro-bind", "/", "/", "--", sys.executable, "-c", "pass"]
    result = subprocess.run(probe, capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise SandboxError(f"bubblewrap ({path}) cannot create a sandbox here: {result.stderr.strip()}. Grading "
                           "stopped: trainee code is never run unsandboxed. The host must allow unprivileged user "
                           "namespaces (sysctl kernel.unprivileged_userns_clone=1 / user.max_user_namespaces > 0).")
    return path


_WORKING: dict[str, str] = {}


def working_bwrap(name: str = BWRAP) -> str:
    """check_bwrap, once per process and executable: every kernel start asks, so grading can never fall back to an
    unsandboxed kernel (e.g. on a host without unprivileged user namespaces), whichever command started it."""
    if name not in _WORKING:
        try:
            _WORKING[name] = check_bwrap(name)
        except (OSError, subprocess.SubprocessError) as error:
            raise SandboxError(f"bubblewrap ({name}) could not be started: {error}") from error
    return _WORKING[name]


def _namespaces() -> list[str]:
    return ["--unshare-user", "--unshare-ipc", "--unshare-net", "--unshare-uts"]


def _read_only_folders() -> list[str]:
    """System folders, the Python installation, the environment and the mesolab package (nothing else)."""
    import mesolab

    folders = ["/usr", "/lib", "/lib64", "/bin", "/etc/fonts",
               sys.base_prefix, sys.prefix, sysconfig.get_paths()["purelib"],
               str(Path(sys.executable).resolve().parent),
               str(Path(mesolab.__file__).resolve().parent)]
    unique: list[str] = []
    for folder in folders:
        folder = os.path.realpath(folder)
        if folder not in unique and not any(folder.startswith(u.rstrip("/") + "/") for u in unique):
            unique.append(folder)
    return unique


def bwrap_command(kernel_cmd: list[str], workdir: str, runtime: str, bwrap: str = BWRAP,
                  scratch: str | None = None, student: str = "") -> list[str]:
    """``kernel_cmd`` wrapped in bwrap: read-write access to ``workdir`` and ``runtime`` only.

    With ``scratch``, the kernel sees ``scratch`` (a private copy) at ``workdir``'s path: whatever trainee code
    leaves there (a symlink named like the notebook, a FIFO) never reaches the folder nbgrader then writes to.
    ``student``: the student id being graded, passed on as ``MESOLAB_STUDENT_ID`` (the only grader value that is)."""
    runtime = os.path.realpath(runtime)
    home = os.path.join(runtime, "home")  # private to this kernel, like the runtime folder it lives in
    os.makedirs(os.path.join(home, "tmp"), exist_ok=True)
    cmd = [find_bwrap(bwrap), *_namespaces(), "--disable-userns", "--die-with-parent",
           "--tmpfs", "/tmp",  # before the binds: a later tmpfs would hide binds of folders under /tmp
           "--dev", "/dev"]
    for folder in ("/lib", "/lib64", "/bin"):
        if os.path.islink(folder):  # merged /usr (Debian 12): keep the link, its target is bound below
            cmd += ["--symlink", os.readlink(folder), folder]
    for folder in _read_only_folders():
        cmd += ["--ro-bind-try", folder, folder]
    workdir = os.path.realpath(workdir)
    cmd += ["--bind", os.path.realpath(scratch) if scratch else workdir, workdir, "--bind", runtime, runtime]
    # Nothing else is writable: not /tmp (it may hold the course, as in the tests), not the root.
    cmd += ["--remount-ro", "/tmp", "--remount-ro", "/"]
    environment = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8",
        "TMPDIR": f"{home}/tmp", "IPYTHONDIR": f"{home}/.ipython", "MPLCONFIGDIR": f"{home}/.matplotlib",
        "MPLBACKEND": "Agg",
        "JUPYTER_RUNTIME_DIR": runtime, "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "NBGRADER_EXECUTION": os.environ.get("NBGRADER_EXECUTION", "autograde"),
    }
    if student:
        environment[STUDENT_ENV] = student
    cmd += ["--clearenv"]
    for key, value in environment.items():
        cmd += ["--setenv", key, value]
    cmd += ["--chdir", workdir, "--"]
    return cmd + list(kernel_cmd)


def _sandbox_namespaces(pid: int | None, wait_s: float = 3.0) -> dict[str, int]:
    """The user namespaces of every process under bwrap (``pid``), each with an open file descriptor that pins it,
    e.g. {'user:[4026532801]': 7}: with --disable-userns, bwrap nests one namespace in another, and the kernel runs in
    the inner one. Waits until the kernel's interpreter is among them.

    The descriptor keeps the namespace alive, so the kernel reuses no number of it: without it, once a sandbox's last
    process ends, the next sandbox (another trainee's kernel, started meanwhile) may get the same number, and the
    clean-up below would kill that kernel."""
    own = os.readlink("/proc/self/ns/user")
    python = os.path.realpath(sys.executable)
    found: dict[str, int] = {}
    deadline = time.monotonic() + wait_s
    while pid:
        seen_python = False
        stack = [str(pid)]
        while stack:
            current = stack.pop()
            try:
                stack += Path(f"/proc/{current}/task/{current}/children").read_text().split()
                namespace = os.readlink(f"/proc/{current}/ns/user")
                seen_python = seen_python or os.path.realpath(f"/proc/{current}/exe") == python
                if namespace != own and namespace not in found:
                    descriptor = os.open(f"/proc/{current}/ns/user", os.O_RDONLY | os.O_CLOEXEC)
                    if os.readlink(f"/proc/self/fd/{descriptor}") == namespace:  # still that process's
                        found[namespace] = descriptor
                    else:
                        os.close(descriptor)
            except OSError:
                continue
        if seen_python or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    return found


def _release_namespaces(pins: dict[str, int]) -> None:
    for descriptor in pins.values():
        with contextlib.suppress(OSError):
            os.close(descriptor)


def _kill_namespaces(namespaces) -> None:
    """SIGKILL every process in one of these (sandbox-only, pinned) user namespaces."""
    if not namespaces:
        return
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.readlink(entry / "ns" / "user") in namespaces:
                    os.kill(int(entry.name), signal.SIGKILL)
            except OSError:
                continue


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class SandboxedKernelManager(AsyncKernelManager):
    """An async kernel manager whose kernel runs inside bubblewrap, talking ZMQ over Unix sockets."""

    bwrap = Unicode(BWRAP, help="bubblewrap executable (name on PATH or path)").tag(config=True)

    def _transport_default(self) -> str:
        return "ipc"

    def prepare_runtime(self) -> str:
        """This kernel's private runtime folder (sockets, connection file, HOME) and, in it, the empty ``work``
        folder the kernel will see as its working folder; returns ``work``. Called before the start (by the start
        itself, or by :mod:`mesolab.instructor.prestart` to fill ``work`` first)."""
        self._sandbox_runtime = tempfile.mkdtemp(prefix="mesolab-kernel-",
                                                 dir=os.environ.get(RUNTIME_PARENT_ENV) or None)
        self.connection_file = os.path.join(self._sandbox_runtime, "kernel.json")
        self.ip = os.path.join(self._sandbox_runtime, "kernel-ipc")
        work = os.path.join(self._sandbox_runtime, "work")
        os.mkdir(work)
        return work

    async def _async_pre_start_kernel(self, **kw):  # type: ignore[override]
        cwd = kw.get("cwd")
        if not cwd or not os.path.isdir(cwd):
            raise SandboxError(f"sandboxed kernel needs the notebook's working folder as cwd, got {cwd!r}")
        working_bwrap(self.bwrap)  # SandboxError, before anything runs, where bwrap cannot sandbox
        self.transport = "ipc"
        # The path the kernel sees as its working folder: the notebook's folder, or for a kernel started ahead of
        # its notebook (mesolab.instructor.prestart) the folder nbgrader will grade in.
        workdir = getattr(self, "sandbox_workdir", None) or cwd
        if not getattr(self, "_sandbox_runtime", None):  # a restart keeps the folder, its sockets and key
            # What nbgrader put in the working folder (the notebook, the source's other files), copied: the kernel
            # works on the copy, nbgrader writes the graded notebook into the original.
            os.rmdir(self.prepare_runtime())
            shutil.copytree(cwd, os.path.join(self._sandbox_runtime, "work"), symlinks=True)
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)
        kernel_cmd = bwrap_command(kernel_cmd, workdir, self._sandbox_runtime, self.bwrap,
                                   scratch=os.path.join(self._sandbox_runtime, "work"),
                                   student=(kw.get("env") or {}).get(STUDENT_ENV, ""))
        # bwrap's own process is the group leader that an interrupt (killpg SIGINT) reaches first: if SIGINT
        # killed it, --die-with-parent would kill the kernel instead of interrupting the cell. Ignored signals
        # stay ignored across exec; ipykernel installs its own SIGINT handler while it runs a cell.
        kw["preexec_fn"] = _ignore_sigint
        kw["stdout"] = subprocess.DEVNULL
        kw["stderr"] = subprocess.DEVNULL
        return kernel_cmd, kw

    async def _async_post_start_kernel(self, **kw) -> None:  # type: ignore[override]
        await super()._async_post_start_kernel(**kw)
        _release_namespaces(getattr(self, "_sandbox_userns", {}))
        self._sandbox_userns = _sandbox_namespaces(getattr(self.provisioner, "pid", None))

    async def _async_shutdown_kernel(self, now: bool = False, restart: bool = False) -> None:
        pins = getattr(self, "_sandbox_userns", {})
        for namespace, descriptor in _sandbox_namespaces(getattr(self.provisioner, "pid", None), wait_s=0).items():
            if namespace in pins:
                os.close(descriptor)
            else:
                pins[namespace] = descriptor
        self._sandbox_userns = pins
        await super()._async_shutdown_kernel(now=now, restart=restart)

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        # No PID namespace: a process the trainee started in a new session escapes the kill of the kernel's
        # process group. Everything in the sandbox's user namespace (nested ones are disabled) is killed here.
        pins = getattr(self, "_sandbox_userns", {})
        _kill_namespaces(set(pins))
        if not restart:
            _release_namespaces(pins)
            self._sandbox_userns = {}
        runtime = getattr(self, "_sandbox_runtime", None)
        if runtime and not restart:
            shutil.rmtree(runtime, ignore_errors=True)
            self._sandbox_runtime = None

    post_start_kernel = _async_post_start_kernel
    shutdown_kernel = _async_shutdown_kernel

    pre_start_kernel = _async_pre_start_kernel
    cleanup_resources = _async_cleanup_resources


_SANDBOXED: dict[type, type] = {}


def sandboxed(execute_class: type) -> type:
    """A subclass of an nbgrader ``Execute`` preprocessor (nbgrader's own, or the course's, e.g. MesoLab's
    ``IsolatedExecute``) whose kernels run in bubblewrap. Usable in nbgrader_config.py too::

        c.Autograde.autograde_preprocessors = [sandboxed(IsolatedExecute), IgnorePattern, ...]
    """
    if getattr(execute_class, "_mesolab_sandboxed", False):
        return execute_class
    if execute_class not in _SANDBOXED:
        from .prestart import PrestartedKernels

        def __init__(self, *args, **kwargs):
            # Execute.__init__ passes kernel_manager_class as a keyword argument, which beats configuration.
            kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
            execute_class.__init__(self, *args, **kwargs)

        _SANDBOXED[execute_class] = type(f"Sandboxed{execute_class.__name__}", (PrestartedKernels, execute_class), {
            "__init__": __init__, "_mesolab_sandboxed": True, "_mesolab_unsandboxed": execute_class,
            "__module__": __name__,
            "__doc__": f"{execute_class.__name__}, with each kernel in a bubblewrap sandbox."})
    return _SANDBOXED[execute_class]


def __getattr__(name: str):
    if name == "SandboxedExecute":  # imported lazily: nbgrader is heavy and only the grader needs it
        from nbgrader.preprocessors import Execute

        return sandboxed(Execute)
    raise AttributeError(name)


def sandbox_config(course_config: Config, bwrap: str = BWRAP) -> Config:
    """Configuration that makes nbgrader's Autograde run every kernel in a sandbox: the course's own
    ``Autograde.autograde_preprocessors`` (or nbgrader's default list) with its Execute preprocessor sandboxed.
    Raises SandboxError when that list has no Execute preprocessor (never grade unsandboxed by accident)."""
    from nbconvert.preprocessors import ExecutePreprocessor
    from nbgrader.converters import Autograde
    from traitlets.utils.importstring import import_item

    if "autograde_preprocessors" in course_config.Autograde:
        preprocessors = list(course_config.Autograde.autograde_preprocessors)
    else:
        preprocessors = list(Autograde.class_traits()["autograde_preprocessors"].default())
    preprocessors = [import_item(p) if isinstance(p, str) else p for p in preprocessors]
    executes = [i for i, p in enumerate(preprocessors) if isinstance(p, type) and issubclass(p, ExecutePreprocessor)]
    if not executes:
        raise SandboxError("Autograde.autograde_preprocessors has no Execute preprocessor to sandbox: "
                           f"{[getattr(p, '__name__', p) for p in preprocessors]}")
    for index in executes:
        preprocessors[index] = sandboxed(preprocessors[index])
    config = Config()
    config.Autograde.autograde_preprocessors = preprocessors
    config.SandboxedKernelManager.bwrap = bwrap
    return config


def _course_preprocessors(course_config: Config) -> list:
    from nbgrader.converters import Autograde
    from traitlets.utils.importstring import import_item

    if "autograde_preprocessors" in course_config.Autograde:
        preprocessors = list(course_config.Autograde.autograde_preprocessors)
    else:
        preprocessors = list(Autograde.class_traits()["autograde_preprocessors"].default())
    return [import_item(p) if isinstance(p, str) else p for p in preprocessors]


def unsandboxed_config(course_config: Config) -> Config:
    """The course's preprocessors with every sandboxed Execute replaced by its plain form (``mesolab grade
    --no-sandbox``: the course configuration sandboxes by default)."""
    config = Config()
    config.Autograde.autograde_preprocessors = [getattr(p, "_mesolab_unsandboxed", p)
                                                for p in _course_preprocessors(course_config)]
    return config
