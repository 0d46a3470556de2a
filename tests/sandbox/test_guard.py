"""guard: the token handed over through a pipe, non-dumpable, SIGTERM turned into Cancelled."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gatekeeper.errors import Cancelled
from gatekeeper.sandbox import guard
from tests.adversarial.untrusted import WORKSPACE_UID, needs_root, python_for


def test_handed_over_values_are_read_once_and_registered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(guard, "_received", {})
    read_end, write_end = os.pipe()
    value = "ghs_handed_over_" + os.urandom(6).hex()
    os.write(write_end, json.dumps({"INPUT_TOKEN": value, "OTHER": "ignored"}).encode())
    os.close(write_end)
    monkeypatch.setenv(guard.HANDOVER_FD, str(read_end))
    assert guard.receive_secrets() == {"INPUT_TOKEN": value}
    assert guard.HANDOVER_FD not in os.environ
    assert value in guard.secret_values()
    with pytest.raises(OSError):
        os.fstat(read_end)  # closed: nothing else can read it later
    assert guard.receive_secrets() == {"INPUT_TOKEN": value}  # kept in memory only


def test_without_a_hand_over_nothing_is_received(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guard, "_received", {})
    monkeypatch.delenv(guard.HANDOVER_FD, raising=False)
    assert guard.receive_secrets() == {}
    monkeypatch.setenv(guard.HANDOVER_FD, "not-a-number")
    assert guard.receive_secrets() == {}


def test_nothing_to_hide_means_no_relaunch(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in guard.HANDED_OVER:
        monkeypatch.delenv(name, raising=False)
    guard.relaunch_without_secrets(["run"], hand_over=True)  # returns: this process goes on


def test_sigterm_calls_back_then_raises_cancelled_and_the_old_handler_returns() -> None:
    stopped: list[str] = []
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Cancelled) as raised, guard.stop_on_signals(lambda: stopped.append("x")):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises in this thread as soon as the signal lands
    assert raised.value.exit_code == 143 and stopped == ["x"]
    assert signal.getsignal(signal.SIGTERM) is before


# A process of the workspace's owner that may make itself non-dumpable, then waits
_TARGET = """\
import sys, time
from gatekeeper.sandbox import guard
if sys.argv[1] == "yes":
    assert guard.make_non_dumpable()
print("ready", flush=True)
time.sleep(60)
"""


@pytest.mark.parametrize("non_dumpable", [True, False])
def test_a_non_dumpable_gate_hides_its_environ_from_its_own_user(non_dumpable: bool) -> None:
    needs_root()
    runnable = python_for(WORKSPACE_UID)
    if runnable is None:
        pytest.skip("no Python interpreter another user may run")
    python, pythonpath = runnable
    env = {"PYTHONPATH": pythonpath, "PATH": os.environ["PATH"], "MARK": "in-the-environ"}
    target = subprocess.Popen(
        [python, "-c", _TARGET, "yes" if non_dumpable else "no"],
        env=env, user=WORKSPACE_UID, group=WORKSPACE_UID, cwd="/",
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert target.stdout is not None and target.stdout.readline() == "ready\n"
        # another process of the same user reads its environ, as PR code would
        reader = subprocess.run(
            ["cat", f"/proc/{target.pid}/environ"],
            user=WORKSPACE_UID, group=WORKSPACE_UID, capture_output=True, check=False,
        )  # fmt: skip
    finally:
        target.kill()
        target.wait()
    if non_dumpable:
        assert reader.returncode != 0 and b"in-the-environ" not in reader.stdout
    else:
        assert b"MARK=in-the-environ" in reader.stdout


def test_the_relaunched_action_holds_no_credential_in_its_environ(tmp_path: Path) -> None:
    # the action as a program, with every credential variable set: after it started over,
    # its /proc/<pid>/environ (what PR code would read) has none of them
    needs_root()  # to read a non-dumpable process's environ at all
    env = {
        "PATH": os.environ["PATH"],
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(tmp_path / "event.json"),
        **{name: f"value-of-{name.lower()}" for name in guard.HANDED_OVER},
    }
    fifo = tmp_path / "event.json"
    os.mkfifo(fifo)  # the action blocks reading it: a moment to look at its environ
    action = subprocess.Popen(
        [sys.executable, "-m", "gatekeeper", "action"], env=env, cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        environ = _environ_once_relaunched(action.pid)
        _feed_until_exit(fifo, action)
        output = action.communicate(timeout=120)[0].decode()
    finally:
        if action.poll() is None:
            action.kill()
            action.wait()
    for name in guard.HANDED_OVER:
        assert f"value-of-{name.lower()}".encode() not in environ
    assert guard.HANDOVER_FD.encode() in environ  # it did start over
    assert "::add-mask::value-of-input_token" in output  # and still knew its token


def _feed_until_exit(fifo: Path, proc: subprocess.Popen[bytes]) -> None:
    """Give every reader of ``fifo`` an empty event until ``proc`` ends (it reads the
    event more than once); never blocks on a FIFO nobody reads."""
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # no reader right now
            time.sleep(0.02)
            continue
        try:
            os.write(fd, b"{}")
        finally:
            os.close(fd)
        time.sleep(0.02)


def _environ_once_relaunched(pid: int) -> bytes:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            environ = b""
        if guard.HANDOVER_FD.encode() in environ:
            return environ
        time.sleep(0.02)
    pytest.fail("the action never started over")
