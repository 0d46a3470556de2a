"""Run code from the pull request: the one way every check does it.

A migration module imported for a round trip, a command the policy names, a spec
generator: all of it is the PR's code, and all of it goes through :func:`run_untrusted`,
which gives it

* an environment without the job's credentials: the token variables, the runner's
  file-command paths (``GITHUB_OUTPUT``...) and any variable holding a value registered
  with :func:`gatekeeper.sandbox.guard.register_secret` are dropped, whatever the caller
  passed;
* another user when the gate runs as root: the owner of the checkout (in the container
  action, the runner's user who owns the workspace), so it can neither read the gate's
  memory nor signal it; with supplementary groups cleared;
* a process group of its own, killed whole at the time limit, after the command ends
  (nothing it left running in the background survives it), and when the gate is stopped;
* a memory limit (``RLIMIT_DATA``: the memory a process writes, not the address space it
  reserves, so runtimes that reserve large regions up front still start).

Nothing runs while the gate is in safe mode (``pull_request_target``, see :func:`forbidden`)
or after it began to stop (:func:`terminate_all`): :class:`Refused` says so.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from gatekeeper.sandbox.guard import HANDED_OVER, secret_values

#: variables that carry the job's credentials; PR code never gets them
SECRET_VARIABLES = (*HANDED_OVER, "ACTIONS_ID_TOKEN_REQUEST_URL")
#: the runner's file commands: whoever writes them sets the gate step's outputs, summary,
#: and the environment of later steps
FILE_COMMAND_VARIABLES = (
    "GITHUB_OUTPUT",
    "GITHUB_ENV",
    "GITHUB_PATH",
    "GITHUB_STATE",
    "GITHUB_STEP_SUMMARY",
)
DEFAULT_MEMORY_MB = 4096
#: how long a process group has between SIGTERM and SIGKILL at the time limit
GRACE_SECONDS = 2.0

# Started as root when a user change is due (so it can read an interpreter only root may
# reach), it limits memory, becomes the untrusted user, then execs the command. An exec
# failure travels back as an errno on a close-on-exec pipe, as subprocess does. `warnings`
# is imported up front because execvp needs it, and after the user change the standard
# library may be out of reach.
_LAUNCHER = """\
import os, resource, sys, warnings
fd, mem, uid, gid = (int(a) for a in sys.argv[1:5])
argv = sys.argv[6:]
try:
    if mem > 0:
        hard = resource.getrlimit(resource.RLIMIT_DATA)[1]
        cap = mem if hard == resource.RLIM_INFINITY else min(mem, hard)
        resource.setrlimit(resource.RLIMIT_DATA, (cap, cap))
    if uid >= 0:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        if os.getuid() != uid or os.geteuid() != uid:
            raise PermissionError(1, "the user change did not hold")
    os.set_inheritable(fd, False)
    os.execvp(argv[0], argv)
except OSError as exc:
    os.write(fd, str(exc.errno or 1).encode())
    os._exit(127)
"""


class Refused(Exception):
    """The gate does not run PR code now (safe mode, or it is stopping)."""


@dataclass(frozen=True)
class Identity:
    """The user PR code runs as, when it differs from the gate's."""

    uid: int
    gid: int


@dataclass(frozen=True)
class Limits:
    """Time and memory for one untrusted process (its children get the same memory cap)."""

    timeout: float
    memory_mb: int | None = DEFAULT_MEMORY_MB


@dataclass(frozen=True)
class Ran:
    """How an untrusted process ended; ``returncode`` None: killed at the time limit."""

    returncode: int | None
    identity: Identity | None


class _State:
    """Every live process group, and whether new ones may start."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.live: dict[int, subprocess.Popen[bytes]] = {}
        #: users PR code ran as (root gate only), each with the processes it already had
        #: before any PR code ran: those are someone's own (a developer who ran the gate
        #: with sudo in their checkout) and are spared; the rest are the PR's and end
        self.users: dict[int, frozenset[int]] = {}
        self.forbidden: list[str] = []
        self.stopping = ""


_STATE = _State()
#: prctl option: orphaned descendants are re-parented to this process (Linux 3.4)
_PR_SET_CHILD_SUBREAPER = 36
#: the interpreter that runs the launcher (a test may point it elsewhere)
LAUNCHER_PYTHON = sys.executable


def untrusted_identity(checkout: Path) -> Identity | None:
    """Who runs PR code: the checkout's owner when the gate is root and the owner is not;
    None (the gate's own user) otherwise, because a non-root gate cannot become anyone
    else, and a checkout root owns offers no unprivileged user to become."""
    if os.geteuid() != 0:
        return None
    try:
        info = os.stat(checkout)
    except OSError:
        return None
    if info.st_uid == 0:
        return None
    return Identity(info.st_uid, info.st_gid)


def untrusted_env(env: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """``env`` plus ``extra`` without credentials, file commands or registered secrets."""
    secrets = secret_values()
    dropped = {*SECRET_VARIABLES, *FILE_COMMAND_VARIABLES}
    merged = {**env, **(extra or {})}
    return {
        name: value
        for name, value in merged.items()
        if name not in dropped
        and not name.startswith("GATEKEEPER_SECRETS")
        and not any(secret in value for secret in secrets)
    }


@contextlib.contextmanager
def forbidden(reason: str) -> Iterator[None]:
    """While inside, :func:`run_untrusted` refuses with ``reason`` (safe mode)."""
    with _STATE.lock:
        _STATE.forbidden.append(reason)
    try:
        yield
    finally:
        with _STATE.lock:
            _STATE.forbidden.remove(reason)


def terminate_all(reason: str = "the gate is stopping") -> int:
    """Kill every live untrusted process group and refuse new ones; how many were live."""
    with _STATE.lock:
        _STATE.stopping = reason
        groups = list(_STATE.live)
    for pgid in groups:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
    for uid, spared in sorted(_STATE.users.items()):
        end_user_processes(uid, spared)
    return len(groups)


def resume() -> None:
    """Allow untrusted runs again after :func:`terminate_all` (for a process that goes on)."""
    with _STATE.lock:
        _STATE.stopping = ""


def run_untrusted(
    argv: Sequence[str],
    *,
    checkout: Path,
    cwd: Path,
    env: Mapping[str, str],
    limits: Limits,
    output: Path,
    stdin: Path | None = None,
    writable: Sequence[Path] = (),
) -> Ran:
    """Run ``argv`` as PR code; its stdout and stderr go to ``output``.

    ``writable`` folders are handed to the untrusted user first (it owns nothing else the
    gate made). Raises :class:`Refused` in safe mode or while stopping, FileNotFoundError
    or PermissionError when ``argv[0]`` cannot be run, as :class:`subprocess.Popen` does.
    """
    identity = untrusted_identity(checkout)
    child_env = untrusted_env(env)
    if identity is not None:
        with _STATE.lock:
            if identity.uid not in _STATE.users:
                _STATE.users[identity.uid] = frozenset(_owned_by(identity.uid))
                _adopt_orphans()
        for folder in writable:
            os.chown(folder, identity.uid, identity.gid, follow_symlinks=False)
        child_env = _home_for(identity, child_env, [*writable, cwd])
    proc = _start(argv, identity, child_env, cwd, limits, output, stdin)
    try:
        returncode: int | None = proc.wait(timeout=max(0.0, limits.timeout))
    except subprocess.TimeoutExpired:
        returncode = None
        _signal_group(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=GRACE_SECONDS)
    finally:
        # whatever the command left behind in its group ends with it
        _signal_group(proc.pid, signal.SIGKILL)
        proc.wait()
        with _STATE.lock:
            _STATE.live.pop(proc.pid, None)
            if identity is not None and not _STATE.live:
                # a process that left the group (setsid, a double fork) still runs as
                # the PR's user: with no other PR code running, that user owns nothing
                # that should outlive the run (the lock keeps new runs out meanwhile)
                end_user_processes(identity.uid, _STATE.users.get(identity.uid, frozenset()))
    return Ran(returncode, identity)


def end_user_processes(uid: int, spared: frozenset[int] = frozenset(), passes: int = 5) -> int:
    """SIGKILL the gate's descendants running as user ``uid`` (real or effective), but
    ``spared``; how many were found.

    Only for the PR's own user when the gate runs as root (never root or the gate's user),
    and only the gate's own descendants: another job's processes or a developer's session
    of the same user are not the PR's. A process that left its group and was orphaned stays
    a descendant because the gate is a child subreaper (see :func:`_adopt_orphans`). A few
    passes catch what was forking while the first one looked.
    """
    if uid == os.geteuid() or uid == 0:
        return 0
    total = 0
    for _ in range(passes):
        parents = _parents()
        found = [
            pid
            for pid in parents
            # the cheap walk up the parent map first: /proc/<pid>/status only for descendants
            if pid not in spared and _descends(pid, os.getpid(), parents) and uid in _uids(pid)
        ]
        for pid in found:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        for pid in found:  # adopted orphans are the gate's children now: reap them
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)
        total += len(found)
        if not found:
            break
    return total


def _adopt_orphans() -> None:
    """Make the gate a child subreaper (Linux ``PR_SET_CHILD_SUBREAPER``): what PR code
    detaches (``setsid`` and a double fork) is re-parented to the gate, not to init, so it
    remains the gate's descendant and :func:`end_user_processes` finds it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: only the process group is ended


def _owned_by(uid: int) -> list[int]:
    return [pid for pid in _pids() if uid in _uids(pid)]


def _pids() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def _parents() -> dict[int, int]:
    """pid -> parent pid for every process that can be read."""
    out = {}
    for pid in _pids():
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
                # the name in parentheses may hold spaces: fields follow its last ")"
                out[pid] = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return out


def _descends(pid: int, ancestor: int, parents: dict[int, int]) -> bool:
    seen = 0
    while pid > 1 and seen < len(parents) + 1:
        pid = parents.get(pid, 0)
        if pid == ancestor:
            return True
        seen += 1
    return False


def _uids(pid: int) -> set[int]:
    """Real and effective user of a process (empty when it is gone or unreadable)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Uid:"):
                    return {int(v) for v in line.split()[1:3]}
    except (OSError, ValueError):
        return set()
    return set()


def _start(
    argv: Sequence[str],
    identity: Identity | None,
    env: dict[str, str],
    cwd: Path,
    limits: Limits,
    output: Path,
    stdin: Path | None,
) -> subprocess.Popen[bytes]:
    if not argv:
        raise FileNotFoundError("empty command")
    memory = (limits.memory_mb or 0) * 1024 * 1024
    uid, gid = (identity.uid, identity.gid) if identity else (-1, -1)
    errors_r, errors_w = os.pipe()
    try:
        launcher = [LAUNCHER_PYTHON, "-I", "-S", "-c", _LAUNCHER]
        args = [str(errors_w), str(memory), str(uid), str(gid), "--", *argv]
        with (
            _open_no_follow(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC) as out,
            _open_no_follow(stdin or Path(os.devnull), os.O_RDONLY) as inp,
            _STATE.lock,
        ):
            reason = _STATE.forbidden[-1] if _STATE.forbidden else _STATE.stopping
            if reason:
                raise Refused(reason)
            proc = subprocess.Popen(
                [*launcher, *args],
                cwd=cwd,
                env=env,
                stdin=inp,
                stdout=out,
                stderr=subprocess.STDOUT,
                pass_fds=(errors_w,),
                start_new_session=True,  # a group of its own, killed whole
            )
            _STATE.live[proc.pid] = proc
        os.close(errors_w)
        errors_w = -1
        failure = _read_all(errors_r)
    finally:
        os.close(errors_r)
        if errors_w >= 0:
            os.close(errors_w)
    if failure:
        proc.wait()
        with _STATE.lock:
            _STATE.live.pop(proc.pid, None)
        raise _exec_error(int(failure), argv[0])
    return proc


def _open_no_follow(path: Path, flags: int) -> BinaryIO:
    """Open without following a symbolic link at ``path`` (the gate is often root)."""
    fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    return os.fdopen(fd, "rb" if flags == os.O_RDONLY else "wb")


def read_left_file(path: Path, max_bytes: int) -> bytes:
    """A regular file PR code left in its folder, read safely: no symbolic link is
    followed, no device or pipe read, and at most ``max_bytes`` (OSError otherwise)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path.name} is not a regular file")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise OSError(f"{path.name} is larger than {max_bytes} bytes")
    return data


def _read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 64):
        chunks.append(chunk)
    return b"".join(chunks)


def _exec_error(errno: int, program: str) -> OSError:
    if errno == 2:
        return FileNotFoundError(errno, os.strerror(errno), program)
    if errno == 13:
        return PermissionError(errno, os.strerror(errno), program)
    return OSError(errno, os.strerror(errno), program)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _home_for(identity: Identity, env: dict[str, str], candidates: list[Path]) -> dict[str, str]:
    """A HOME the untrusted user owns (tools write caches there), else its first folder."""
    home = env.get("HOME", "")
    try:
        if home and os.stat(home).st_uid == identity.uid:
            return env
    except OSError:
        pass
    for folder in candidates:
        with contextlib.suppress(OSError):
            if os.stat(folder).st_uid == identity.uid:
                return {**env, "HOME": str(folder)}
    return env
