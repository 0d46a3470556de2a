"""Helpers for the attacks that run the PR's own code: probes, a workspace another user
owns, and ``gatekeeper action`` as a real process against the fake GitHub."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

import gatekeeper

#: the user that owns the workspace in the tests that run as root (any uid will do; this
#: one has no name, like the runner's user seen from inside the container)
WORKSPACE_UID = 4242
SRC = Path(gatekeeper.__file__).resolve().parents[1]

# What a hostile PR does to find the token: its own environment, its parent's, every
# process's it can see (SCAN_ALL), and the parent's memory. It writes everything it could read to
# OUTPUT for the test to search (the probe itself does not know the token).
PROBE = r"""
import glob, json, os, time
def read(path):
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return None
found = {"uid": os.getuid(), "pid": os.getpid(), "ppid": os.getppid(),
         "environ": dict(os.environ), "read": {}, "refused": []}
paths = ["/proc/self/environ", "/proc/%d/environ" % os.getppid(), "/proc/%d/cmdline" % os.getppid()]
for path in paths + (sorted(glob.glob("/proc/[0-9]*/environ")) if SCAN_ALL else []):
    text = read(path)
    if text is None:
        found["refused"].append(path)
    else:
        found["read"][path] = text
try:
    with open("/proc/%d/mem" % os.getppid(), "rb") as mem:
        found["parent_mem_opened"] = True
except OSError:
    found["parent_mem_opened"] = False
os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
with open(OUTPUT + ".tmp", "w") as out:
    json.dump(found, out)
os.rename(OUTPUT + ".tmp", OUTPUT)
deadline = time.monotonic() + 120
while WAIT_FOR and not os.path.exists(WAIT_FOR) and time.monotonic() < deadline:
    time.sleep(0.05)
"""


def probe_script(output: Path, wait_for: Path | None = None, *, scan_all: bool = False) -> str:
    """The probe as a script that writes to ``output`` (and waits for ``wait_for``).

    ``scan_all`` reads every ``/proc/*/environ`` it may: only for probes that run as the
    workspace's unprivileged owner (as root they would copy every process's environment on
    the machine into the test's files).
    """
    waits = str(wait_for) if wait_for else ""
    head = f"OUTPUT = {str(output)!r}\nWAIT_FOR = {waits!r}\nSCAN_ALL = {scan_all!r}\n"
    return head + PROBE


def probe_revision(output: Path, *, scan_all: bool = False) -> str:
    """An Alembic revision whose module body is the probe (it runs when it is imported)."""
    script = probe_script(output, scan_all=scan_all)
    body = "\n".join(f"    {line}" if line else "" for line in script.splitlines())
    return (
        "import sqlalchemy as sa\nfrom alembic import op\n"
        "revision = 'p1'\ndown_revision = None\n\n"
        f"def _probe():\n{body}\n\n_probe()\n\n"
        "def upgrade():\n"
        "    op.create_table('t', sa.Column('id', sa.Integer, primary_key=True))\n\n"
        "def downgrade():\n    op.drop_table('t')\n"
    )


def read_probe(path: Path) -> dict[str, object]:
    """What a probe found; fails the test when it did not run."""
    assert path.is_file(), f"the probe did not run (no {path})"
    found = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(found, dict)
    return found


@functools.cache
def python_for(uid: int) -> tuple[str, str] | None:
    """(interpreter, PYTHONPATH) with which user ``uid`` can run gatekeeper and its tools:
    this interpreter when ``uid`` may execute it, else a system one of the same version
    over this environment's packages. None when there is none."""
    site = sysconfig.get_paths()["purelib"]
    path = os.pathsep.join([str(SRC), site])
    name = "python{}.{}".format(*sys.version_info[:2])
    folders = [*os.environ.get("PATH", "").split(os.pathsep), "/usr/local/bin", "/usr/bin"]
    found = [str(Path(f, name)) for f in folders if f and Path(f, name).is_file()]
    for python in dict.fromkeys([sys.executable, *found]):
        try:
            done = subprocess.run(
                [python, "-c", "import gatekeeper, alembic, sqlalchemy, yaml, requests"],
                env={"PYTHONPATH": path, "PATH": os.environ.get("PATH", "")},
                user=uid,
                cwd="/",
                capture_output=True,
                timeout=120,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0:
            return python, path
    return None


def needs_root() -> None:
    """Skip unless the test runs as root (it proves the user change for real)."""
    if os.geteuid() != 0:
        pytest.skip("runs as root to prove PR code runs as the workspace's owner")


@pytest.fixture
def open_tmp() -> Iterator[Path]:
    """A temporary folder every user may pass through (pytest's tmp_path is root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="gk-adv-"))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def chown_tree(root: Path, uid: int) -> None:
    """Give ``root`` and everything under it to ``uid`` (links themselves, not targets)."""
    os.chown(root, uid, uid)
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            os.chown(Path(folder, name), uid, uid, follow_symlinks=False)


def write_event(path: Path, base: str, head: str, number: int = 9) -> Path:
    """A pull_request event payload for base..head."""
    path.write_text(
        json.dumps(
            {
                "pull_request": {
                    "number": number,
                    "title": "An agent's change",
                    "body": "",
                    "user": {"login": "mallory", "type": "User"},
                    "base": {"ref": "main", "sha": base},
                    "head": {"ref": "attack", "sha": head},
                }
            }
        ),
        encoding="utf-8",
    )
    return path


def action_env(
    workspace: Path, event: Path, api_url: str, token: str, out: Path, **extra: str
) -> dict[str, str]:
    """The environment the runner gives the container action, for a real process."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(out),
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_API_URL": api_url,
        "GITHUB_WORKSPACE": str(workspace),
        "GITHUB_OUTPUT": str(out / "output"),
        "GITHUB_STEP_SUMMARY": str(out / "summary.md"),
        "INPUT_TOKEN": token,
        # the image sets this system-wide: the workspace belongs to another user
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "safe.directory",
        "GIT_CONFIG_VALUE_0": "*",
        **extra,
    }


def start_action(
    python: str, env: Mapping[str, str], cwd: Path, log: Path
) -> subprocess.Popen[bytes]:
    """``python -m gatekeeper action`` as its own process, its output in ``log``."""
    with log.open("wb") as out:
        return subprocess.Popen(
            [python, "-m", "gatekeeper", "action"],
            env=dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def wait_for(path: Path, proc: subprocess.Popen[bytes], log: Path, limit: float = 180.0) -> None:
    """Wait until ``path`` exists (the action reached that point), or fail with its log."""
    deadline = time.monotonic() + limit
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            pytest.fail(f"{path.name} never appeared; the action said:\n{log.read_text()}")
        time.sleep(0.05)
