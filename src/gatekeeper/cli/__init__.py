"""The ``gatekeeper`` command: thin click commands over the engine.

Commands are imported lazily so ``gatekeeper --help`` and ``--version`` stay fast.
One error boundary (:func:`main`) turns every error into a message and an exit code:
0 met, 1 not met, 2 usage or policy error, 3 internal error, 130 interrupted, 143
stopped by SIGTERM.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from typing import Any

import click

from gatekeeper import __version__
from gatekeeper.errors import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    EXIT_USAGE,
    Cancelled,
    GatekeeperError,
)

#: command name -> (module, attribute, one-line help); loaded on first use
LAZY_COMMANDS: dict[str, tuple[str, str, str]] = {
    "run": ("gatekeeper.cli.run", "run", "Judge a change and print the verdict."),
    "policy": ("gatekeeper.cli.policy", "policy", "Validate, show or describe the policy."),
    "checks": ("gatekeeper.cli.catalog", "checks", "List installed checks and their rules."),
    "explain": ("gatekeeper.cli.catalog", "explain", "Explain a rule: what, why, remedy."),
    "demo": ("gatekeeper.cli.demo", "demo", "Run the gate on a built-in example PR."),
    "openapi": ("gatekeeper.cli.openapi", "openapi", "Diff OpenAPI specs (breaking changes)."),
    "action": ("gatekeeper.cli.action", "action_command", "Run as the GitHub Action."),
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported only when invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name, spec in LAZY_COMMANDS.items() if _available(spec[0]))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = LAZY_COMMANDS.get(cmd_name)
        if spec is None or not _available(spec[0]):
            return None
        command = getattr(importlib.import_module(spec[0]), spec[1])
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, LAZY_COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _available(module: str) -> bool:
    from importlib.util import find_spec

    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="gatekeeper")
@click.option("--debug", is_flag=True, help="Show tracebacks for internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """gatekeeper: one Definition-of-Done verdict for a pull request.

    Exit codes: 0 met, 1 not met (blocked), 2 usage or policy error,
    3 internal error, 130 interrupted, 143 stopped by SIGTERM.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug or bool(os.environ.get("GATEKEEPER_DEBUG"))


def main(argv: list[str] | None = None) -> None:
    """Entry point: the one error boundary of the program.

    Started as a program (``argv`` None), it first keeps itself out of reach of the PR's
    code it may run: it starts over without the job's credentials in its environment
    (``gatekeeper action`` keeps its token in memory), and makes itself non-dumpable
    (see gatekeeper.sandbox).
    SIGTERM ends the PR's processes and exits 143.
    """
    from gatekeeper.sandbox import guard, terminate_all

    args = sys.argv[1:] if argv is None else argv
    if argv is None:
        # returns only when the environment holds no credential; the action's token
        # follows through a pipe, other commands need none
        guard.relaunch_without_secrets(args, hand_over=_command_of(args) == "action")
        guard.make_non_dumpable()
    debug = "--debug" in args or bool(os.environ.get("GATEKEEPER_DEBUG"))
    try:
        with guard.stop_on_signals(terminate_all):
            code: Any = cli.main(args=args, prog_name="gatekeeper", standalone_mode=False)
    except Cancelled as exc:
        click.echo("gatekeeper: stopped by SIGTERM; the checks' processes were ended", err=True)
        _exit_now(exc.exit_code)
    except GatekeeperError as exc:
        click.echo(f"gatekeeper: error: {_shown(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("gatekeeper: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE if exc.exit_code == 2 else exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("gatekeeper: interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:
        if debug:
            traceback.print_exc()
        click.echo(
            f"gatekeeper: internal error: {type(exc).__name__}: {_shown(str(exc))}\n"
            "This is a defect in gatekeeper; rerun with --debug for the traceback and report it.",
            err=True,
        )
        sys.exit(EXIT_INTERNAL)
    if code == EXIT_TERMINATED:  # the action was stopped, and said so where it could
        _exit_now(code)
    sys.exit(code if isinstance(code, int) else 0)


def _shown(message: str) -> str:
    """An error message for the terminal: it may quote a file name or a line of the pull
    request, whose escape sequences must not reach the screen."""
    from gatekeeper.report.escape import terminal

    return terminal(message)


def _exit_now(code: int) -> None:
    """Exit without waiting for the checks' worker threads: a stopped gate must end
    within the runner's grace period (a network call in a check can take minutes)."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)


def _command_of(args: list[str]) -> str:
    """The subcommand's name: the first argument that is not an option."""
    return next((a for a in args if not a.startswith("-")), "")
