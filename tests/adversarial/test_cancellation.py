"""Stopping the gate stops the PR's code, and never leaves a green or pending check.

In the container the gate is PID 1, which the kernel shields from SIGTERM unless it
handles it; the runner sends SIGTERM when a job is cancelled. The case runs
``gatekeeper action`` as a real process whose ``command`` check hangs (with a child in
the background), sends SIGTERM, and looks at what is left.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.adversarial.untrusted import action_env, start_action, wait_for, write_event
from tests.conftest import GitRepo
from tests.github.conftest import github, validators
from tests.github.fakegithub import TOKEN, FakeGitHub

__all__ = ["github", "validators"]  # fixtures, imported so that pytest finds them here

# the PR's test suite: it records its pid and its background child's, then hangs
SLOW = """\
import os, subprocess, sys, time
child = subprocess.Popen(["sleep", "600"])
with open(sys.argv[1] + ".tmp", "w") as out:
    out.write(f"{os.getpid()} {child.pid}")
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(600)
"""


def _gone(pid: int, limit: float = 60.0) -> bool:
    """True once ``pid`` has exited (a zombie waiting for its reaper counts as gone)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        if state in ("Z", "X"):
            return True
        time.sleep(0.05)
    return False


def test_sigterm_ends_the_pr_code_and_publishes_a_cancelled_check_run(
    tmp_path: Path, github: FakeGitHub, git_repo: GitRepo
) -> None:
    pids = tmp_path / "pids"
    policy = (
        "version: 1\nchecks:\n  command:\n"
        f"    - {{name: tests, run: '{sys.executable} slow.py {pids}'}}\n"
    )
    base = git_repo.commit({".github/gatekeeper.yml": policy, "README.md": "a\n"}, "base")
    head = git_repo.commit({"slow.py": SLOW}, "tests that never end")
    out = tmp_path / "out"
    out.mkdir()
    event = write_event(out / "event.json", base, head)
    env = action_env(git_repo.root, event, github.url, TOKEN, out)
    log = out / "action.log"
    action = start_action(sys.executable, env, git_repo.root, log)
    try:
        wait_for(pids, action, log)
        action.send_signal(signal.SIGTERM)
        code = action.wait(timeout=120)
    finally:
        if action.poll() is None:
            action.kill()
            action.wait()
    said = log.read_text()
    assert code == 143, said
    leader, background = (int(p) for p in pids.read_text().split())
    assert _gone(leader) and _gone(background), "the PR's processes outlived the gate"
    (run,) = github.check_runs.values()
    assert run["head_sha"] == head and run["conclusion"] == "cancelled"
    assert run["output"]["title"] == "gatekeeper was stopped"
    assert "stopped by SIGTERM" in said and "Traceback" not in said
    outputs = (out / "output").read_text()
    assert "met<<" in outputs and "\nfalse\n" in outputs
    assert github.comments == {}  # no verdict was reached, so none is claimed
    # GitHub lets "neutral" and "skipped" through a required check; "cancelled" blocks


def test_sigterm_stops_gatekeeper_run_and_the_pr_code_with_it(
    tmp_path: Path, git_repo: GitRepo
) -> None:
    pids = tmp_path / "pids"
    policy = (
        "version: 1\nchecks:\n  command:\n"
        f"    - {{name: tests, run: '{sys.executable} slow.py {pids}'}}\n"
    )
    base = git_repo.commit({".github/gatekeeper.yml": policy, "README.md": "a\n"}, "base")
    head = git_repo.commit({"slow.py": SLOW}, "tests that never end")
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        run = subprocess.Popen(
            [sys.executable, "-m", "gatekeeper", "run", "--base", base, "--head", head],
            cwd=git_repo.root, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for(pids, run, log)
        run.send_signal(signal.SIGTERM)
        code = run.wait(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert code == 143, log.read_text()
    assert all(_gone(int(pid)) for pid in pids.read_text().split())
    assert "stopped by SIGTERM" in log.read_text()
