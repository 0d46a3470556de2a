"""``gatekeeper run`` on a terminal: wrapped to its width (``--width``, ``COLUMNS``, the
terminal's own size), never on a pipe unless asked, and ``--verbose`` listing waivers."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gatekeeper.cli import cli
from gatekeeper.cli.common import terminal_width
from gatekeeper.report.wrap import columns
from tests.conftest import GitRepo

POLICY = """\
version: 1
checks:
  cochange:
    - {when: ["src/**/*.py"], require: ["tests/**"], message: "Code changes need tests"}
  pr: {title_pattern: '^(feat|fix): '}
waivers:
  - rule: pr/title-format
    reason: "release branches keep their generated titles, ADR-7"
    approved_by: "@org/release-leads"
    expires: 2099-01-31
"""
#: deep enough that "path:line" is longer than a narrow terminal
DEEP = "src/a very long folder name/with spaces/and more of them/app module.py"
REMEDY_START = "Make the companion change"


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    git_repo.commit({".github/gatekeeper.yml": POLICY, "README.md": "x\n"}, "base")
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.commit({DEEP: "x = 1\n"}, "change")
    return git_repo


def invoke(repo: GitRepo, *args: str, env: dict[str, str] | None = None) -> Result:
    argv = ["run", "--repo", str(repo.root), "--base", "main", "--title", "wip", *args]
    return CliRunner(env=env).invoke(cli, argv, catch_exceptions=False)


def _assert_wrapped(out: str, width: int) -> None:
    lines = out.splitlines()
    assert f"{DEEP}:1" in out  # the location, whole
    long = [line for line in lines if columns(line) > width and DEEP not in line]
    assert not long, long
    fix = next(line for line in lines if REMEDY_START in line)
    assert columns(fix) <= width


def test_width_wraps_even_when_not_a_terminal(repo: GitRepo) -> None:
    result = invoke(repo, "--width", "50", "--no-color")
    assert result.exit_code == 1, result.output
    _assert_wrapped(result.output, 50)


def test_a_pipe_is_not_wrapped_whatever_columns_says(repo: GitRepo) -> None:
    result = invoke(repo, "--no-color", env={"COLUMNS": "40"})
    fix = next(line for line in result.output.splitlines() if REMEDY_START in line)
    assert columns(fix) > 40  # one line, however long
    assert "--width 0" not in result.output
    result = invoke(repo, "--no-color", "--width", "0", env={"COLUMNS": "40"})
    assert fix in result.output.splitlines()


def test_the_terminal_width_comes_from_the_option_then_columns_then_the_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "57")
    assert terminal_width(None, is_tty=True) == 57
    assert terminal_width(None, is_tty=False) is None
    assert terminal_width(70, is_tty=False) == 70
    assert terminal_width(0, is_tty=True) is None


def _on_a_terminal(argv: list[str], cwd: Path, cols: int, env: dict[str, str]) -> str:
    """Run the CLI with a pseudo-terminal of ``cols`` columns as its output."""
    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, cols, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "gatekeeper", *argv], cwd=cwd, stdout=child, stderr=child, env=env
    )
    os.close(child)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    proc.wait(timeout=300)  # a hang guard only
    return b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.mark.parametrize(("cols", "columns_env", "expected"), [(60, "", 60), (120, "45", 45)])
def test_on_a_terminal_it_wraps_to_the_terminal_or_columns(
    repo: GitRepo, cols: int, columns_env: str, expected: int
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns_env:
        env["COLUMNS"] = columns_env
    argv = ["run", "--base", "main", "--title", "wip", "--no-color"]
    out = _on_a_terminal(argv, repo.root, cols, env)
    assert "Definition of Done: not met" in out, out
    _assert_wrapped(out, expected)
    fix = next(line for line in out.splitlines() if REMEDY_START in line)
    assert columns(fix) > expected - 20  # filled up to the width, not wrapped narrower


def test_verbose_lists_waivers_with_who_why_and_until_when(repo: GitRepo) -> None:
    quiet = invoke(repo, "--no-color")
    assert "1 waived (--verbose lists them)" in quiet.output
    assert "release-leads" not in quiet.output
    result = invoke(repo, "--no-color", "--verbose")
    out = result.output
    assert "Waived (1):" in out and "pr/title-format" in out
    assert (
        "waived by @org/release-leads until 2099-01-31: release branches keep their "
        "generated titles, ADR-7" in out
    )
    assert "Also:" not in out
