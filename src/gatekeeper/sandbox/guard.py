"""Keep the gate's own process out of reach of the code it runs.

The action is handed its token in the environment (``INPUT_TOKEN``), and a process's
starting environment stays readable in ``/proc/<pid>/environ`` for its whole life, even
after ``os.environ`` forgets a variable. So the action starts over: it replaces itself
(same pid, :func:`relaunch_without_secrets`) with a process whose environment never held
the token, and passes the values through a pipe the new process reads once
(:func:`receive_secrets`). It then makes itself non-dumpable (:func:`make_non_dumpable`):
a process of the same user can no longer open its ``/proc/<pid>/environ``, ``mem`` or
file descriptors. PR code additionally runs as another user when the gate is root
(see :mod:`gatekeeper.sandbox.runner`).

:func:`stop_on_signals` turns SIGTERM into :class:`~gatekeeper.errors.Cancelled` after
killing every untrusted process group: in a container the gate is PID 1, for which the
kernel ignores SIGTERM unless a handler is installed.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from types import FrameType

from gatekeeper.errors import Cancelled

#: names of the variables whose values are handed over rather than inherited
HANDED_OVER = (
    "INPUT_TOKEN",
    "INPUT_POLICY-TOKEN",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "ACTIONS_RUNTIME_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
)
#: the variable naming the pipe the relaunched process reads the values from
HANDOVER_FD = "GATEKEEPER_SECRETS_FD"
_PR_SET_DUMPABLE = 4
#: shorter values would match ordinary text everywhere
_MIN_SECRET = 6
_MAX_SECRET = 8192

_secrets: set[str] = set()
_received: dict[str, str] = {}
_lock = threading.Lock()


def register_secret(value: str) -> None:
    """Remember a credential: no untrusted process gets a variable that contains it."""
    if len(value) >= _MIN_SECRET:
        with _lock:
            _secrets.add(value)


def secret_values() -> tuple[str, ...]:
    """Every registered credential, longest first."""
    with _lock:
        return tuple(sorted(_secrets, key=lambda v: (-len(v), v)))


def relaunch_without_secrets(args: Sequence[str], *, hand_over: bool) -> None:
    """Replace this process by ``python -m gatekeeper <args>`` without the credential
    variables; with ``hand_over``, their values follow through a pipe (the action needs
    its token; no other command needs any). Returns (doing nothing) when the environment
    holds none; otherwise never returns."""
    found = {name: os.environ[name] for name in HANDED_OVER if os.environ.get(name)}
    if not found:
        return
    env = {k: v for k, v in os.environ.items() if k not in HANDED_OVER}
    if hand_over:
        # a pipe holds 64 KiB, so the write cannot block: five values of at most 8 KiB
        # (a token is tens of bytes, an OIDC request token about two thousand)
        payload = json.dumps({k: v[:_MAX_SECRET] for k, v in found.items()}).encode("utf-8")
        read_end, write_end = os.pipe()
        os.write(write_end, payload)
        os.close(write_end)
        os.set_inheritable(read_end, True)
        env[HANDOVER_FD] = str(read_end)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os.execve(sys.executable, [sys.executable, "-m", "gatekeeper", *args], env)


def receive_secrets() -> dict[str, str]:
    """The values :func:`relaunch_without_secrets` handed over (read once, then the pipe
    is closed); an empty dict in a process that was not relaunched."""
    with _lock:
        if _received:
            return dict(_received)
    fd_text = os.environ.pop(HANDOVER_FD, "")
    if not fd_text.isdigit():
        return {}
    fd = int(fd_text)
    try:
        chunks = []
        while chunk := os.read(fd, 4096):
            chunks.append(chunk)
    except OSError:
        return {}
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
    try:
        data = json.loads(b"".join(chunks))
    except ValueError:
        return {}
    values = {k: v for k, v in data.items() if k in HANDED_OVER and isinstance(v, str)}
    with _lock:
        _received.update(values)
    for value in values.values():
        register_secret(value)
    return dict(values)


def make_non_dumpable() -> bool:
    """prctl(PR_SET_DUMPABLE, 0): processes of the same user cannot read this one's
    environ, memory or descriptors (root with CAP_SYS_PTRACE still can). False where
    the call is not available (not Linux)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return int(libc.prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


@contextlib.contextmanager
def stop_on_signals(on_stop: Callable[[], object]) -> Iterator[None]:
    """Inside, SIGTERM calls ``on_stop`` (kill the untrusted processes) and raises
    :class:`Cancelled` in the main thread; a second signal while stopping is ignored.
    The previous handler comes back on exit. Outside the main thread it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stopping: list[int] = []

    def handle(signum: int, frame: FrameType | None) -> None:
        if stopping:
            return
        stopping.append(signum)
        on_stop()
        raise Cancelled(signum)

    previous = signal.signal(signal.SIGTERM, handle)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
