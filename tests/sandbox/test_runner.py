"""run_untrusted: the environment it gives, the user, the limits, the process group."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gatekeeper.sandbox import (
    Identity,
    Limits,
    Refused,
    read_left_file,
    run_untrusted,
    terminate_all,
    untrusted_env,
    untrusted_identity,
)
from gatekeeper.sandbox import runner as runner_module
from gatekeeper.sandbox.guard import register_secret
from gatekeeper.sandbox.runner import resume
from tests.adversarial.untrusted import WORKSPACE_UID, needs_root, open_tmp

__all__ = ["open_tmp"]

PATH = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def _run(tmp: Path, argv: list[str], **kw: object) -> tuple[int | None, str]:
    options: dict = {
        "checkout": tmp, "cwd": tmp, "env": PATH, "limits": Limits(60),
        "output": tmp / "out.log", **kw,
    }  # fmt: skip
    ran = run_untrusted(argv, **options)
    return ran.returncode, (tmp / "out.log").read_text(errors="replace")


def test_credentials_and_file_commands_never_reach_the_child(tmp_path: Path) -> None:
    register_secret("s3cr3t-value-for-the-runner")
    env = {
        **PATH,
        "INPUT_TOKEN": "x" * 10,
        "ACTIONS_RUNTIME_TOKEN": "y" * 10,
        "GITHUB_OUTPUT": "/somewhere",
        "COPY": "prefix-s3cr3t-value-for-the-runner",
        "KEEP": "kept",
    }
    assert untrusted_env(env, {"EXTRA": "1"}) == {**PATH, "KEEP": "kept", "EXTRA": "1"}
    code, out = _run(tmp_path, ["sh", "-c", "env"], env=env)
    assert code == 0 and "KEEP=kept" in out
    for name in ("INPUT_TOKEN", "ACTIONS_RUNTIME_TOKEN", "GITHUB_OUTPUT", "COPY"):
        assert f"{name}=" not in out


def test_a_missing_or_unrunnable_program_raises_like_popen(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        _run(tmp_path, ["no-such-program-here"])
    script = tmp_path / "script.sh"
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    os.chmod(script, 0o644)
    with pytest.raises(PermissionError):
        _run(tmp_path, [str(script)])


def test_the_time_limit_kills_the_whole_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "bg.pid"
    code, _ = _run(
        tmp_path,
        ["sh", "-c", f"sleep 600 & echo $! > {pid_file}; wait"],
        limits=Limits(2),
    )
    assert code is None
    _assert_gone(int(pid_file.read_text()))


def test_what_a_finished_command_left_running_is_ended(tmp_path: Path) -> None:
    pid_file = tmp_path / "bg.pid"
    code, _ = _run(tmp_path, ["sh", "-c", f"sleep 600 & echo $! > {pid_file}"])
    assert code == 0
    _assert_gone(int(pid_file.read_text()))


def _assert_gone(pid: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return
        if state == "Z":
            return
        time.sleep(0.05)
    pytest.fail(f"process {pid} is still running")


def test_the_memory_limit_holds_for_what_the_child_writes(tmp_path: Path) -> None:
    grab = "bytearray(400 * 1024 * 1024); print('got it')"
    code, out = _run(tmp_path, [sys.executable, "-c", grab], limits=Limits(60, 200))
    assert code != 0 and "MemoryError" in out
    small = "bytearray(20 * 1024 * 1024); print('got it')"
    code, out = _run(tmp_path, [sys.executable, "-c", small], limits=Limits(60, 200))
    assert code == 0 and "got it" in out


def test_terminate_all_kills_what_runs_and_refuses_more(tmp_path: Path) -> None:
    result: list[int | None] = []
    worker = threading.Thread(
        target=lambda: result.append(_run(tmp_path, ["sleep", "600"])[0]), daemon=True
    )
    worker.start()
    try:
        # stop only once the command runs: stopping earlier refuses it instead (tested below)
        while not runner_module._STATE.live:
            assert worker.is_alive() or result, "the worker ended without running the command"
            time.sleep(0.05)
        assert terminate_all("stopping for the test") == 1
        worker.join(60)
        assert result and result[0] == -9
        with pytest.raises(Refused, match="stopping for the test"):
            _run(tmp_path, ["true"])
    finally:
        resume()
    assert _run(tmp_path, ["true"])[0] == 0


def test_a_left_file_is_read_only_when_it_is_a_plain_file(tmp_path: Path) -> None:
    (tmp_path / "result.json").write_text("[]", encoding="utf-8")
    assert read_left_file(tmp_path / "result.json", 10) == b"[]"
    (tmp_path / "big").write_bytes(b"x" * 11)
    with pytest.raises(OSError, match="larger than 10 bytes"):
        read_left_file(tmp_path / "big", 10)
    os.symlink("/etc/hostname", tmp_path / "link")
    with pytest.raises(OSError):
        read_left_file(tmp_path / "link", 1000)
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(OSError, match="not a regular file"):
        read_left_file(tmp_path / "fifo", 1000)


def test_the_gate_never_writes_its_log_through_a_planted_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep\n", encoding="utf-8")
    os.symlink(victim, tmp_path / "out.log")
    with pytest.raises(OSError):
        _run(tmp_path, ["true"])
    assert victim.read_text(encoding="utf-8") == "keep\n"


def test_who_runs_the_code(open_tmp: Path) -> None:
    if os.geteuid() != 0:
        assert untrusted_identity(open_tmp) is None
        return
    assert untrusted_identity(open_tmp) is None  # root's checkout: nobody else to become
    os.chown(open_tmp, WORKSPACE_UID, WORKSPACE_UID)
    assert untrusted_identity(open_tmp) == Identity(WORKSPACE_UID, WORKSPACE_UID)
    assert untrusted_identity(open_tmp / "missing") is None


def test_as_root_the_code_runs_as_the_checkouts_owner(open_tmp: Path) -> None:
    needs_root()
    checkout, work = open_tmp / "checkout", open_tmp / "work"
    checkout.mkdir()
    work.mkdir(mode=0o700)
    os.chown(checkout, WORKSPACE_UID, WORKSPACE_UID)
    code, out = _run(
        open_tmp,
        ["sh", "-c", 'id -u; id -G; echo "$HOME"; touch made; cat /proc/$PPID/environ'],
        checkout=checkout,
        cwd=work,
        env={**PATH, "HOME": "/root"},
        writable=[work],
    )
    uid, groups, home = out.splitlines()[:3]
    assert code != 0 and "Permission denied" in out  # the gate's environ is out of reach
    assert uid == groups == str(WORKSPACE_UID)  # and no supplementary group of root's
    assert home == str(work) and (work / "made").stat().st_uid == WORKSPACE_UID


def test_as_root_what_left_the_group_is_ended_too(open_tmp: Path) -> None:
    # setsid takes a process out of the group the gate kills; as root the gate knows
    # the PR's user, and nothing of that user's outlives the run
    needs_root()
    checkout, work = open_tmp / "checkout", open_tmp / "work"
    checkout.mkdir()
    work.mkdir(mode=0o700)
    os.chown(checkout, WORKSPACE_UID, WORKSPACE_UID)
    pid_file = work / "escaped.pid"
    script = f"setsid sh -c 'echo $$ > {pid_file}; exec sleep 600' & sleep 1; cat {pid_file}"
    code, out = _run(
        open_tmp, ["sh", "-c", script], checkout=checkout, cwd=work, env=PATH, writable=[work]
    )
    assert code == 0, out
    _assert_gone(int(out.split()[-1]))


def test_as_root_the_users_own_processes_from_before_are_spared(open_tmp: Path) -> None:
    # sudo gatekeeper in a developer's checkout: their shell runs as the checkout's owner
    needs_root()
    checkout = open_tmp / "checkout2"
    checkout.mkdir()
    os.chown(checkout, WORKSPACE_UID, WORKSPACE_UID)
    theirs = subprocess.Popen(["sleep", "600"], user=WORKSPACE_UID)
    try:
        # a fresh gate process: it has not yet seen what this user runs
        runner_module._STATE.users.pop(WORKSPACE_UID, None)
        code, _ = _run(open_tmp, ["true"], checkout=checkout, cwd=checkout)
        assert code == 0
        assert theirs.poll() is None, "a process the user had before the run was killed"
    finally:
        theirs.kill()
        theirs.wait()
