"""The CLI's error boundary and lazy command group."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from gatekeeper import __version__
from gatekeeper.cli import LAZY_COMMANDS, main
from gatekeeper.errors import PolicyError


@click.command()
@click.argument("kind")
def boom_cmd(kind: str) -> None:
    """Raise what the test asks for."""
    if kind == "policy":
        raise PolicyError(".github/gatekeeper.yml:3: checks: unknown key 'chekcs'")
    if kind == "interrupt":
        raise KeyboardInterrupt
    raise RuntimeError("kaput")


@pytest.fixture
def boom(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(LAZY_COMMANDS, "boom", ("tests.cli.test_init", "boom_cmd", "test command"))


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(args)
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and __version__ in out


def test_help_lists_commands_without_importing_them(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    for name in ("run", "policy", "checks", "explain", "demo"):
        assert name in out
    assert "Exit codes" in out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["frobnicate"], capsys)
    assert code == 2 and "No such command" in err


def test_policy_error_prints_a_message_not_a_traceback(
    boom: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["boom", "policy"], capsys)
    assert code == 2
    assert (
        err.strip() == "gatekeeper: error: .github/gatekeeper.yml:3: checks: unknown key 'chekcs'"
    )


def test_internal_error_exits_3_with_traceback_only_under_debug(
    boom: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["boom", "crash"], capsys)
    assert code == 3 and "internal error: RuntimeError: kaput" in err
    assert "Traceback" not in err
    code, _, err = run(["--debug", "boom", "crash"], capsys)
    assert code == 3 and "Traceback" in err


def test_interrupt_exits_130(boom: None, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["boom", "interrupt"], capsys)
    assert code == 130 and "interrupted" in err


def test_python_dash_m_runs_the_cli() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "gatekeeper", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert __version__ in out.stdout
