"""``gatekeeper run``: judge a change, print and write reports, exit 0 or 1."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from gatekeeper.cli.common import (
    build_options,
    check_format,
    gate_options,
    terminal_width,
    write_atomically,
)
from gatekeeper.errors import EXIT_MET, EXIT_NOT_MET, UsageError
from gatekeeper.model import Verdict


def parse_formats(specs: tuple[str, ...]) -> list[tuple[str, Path | None]]:
    """``FMT`` or ``FMT:FILE`` pairs; at most one format may go to stdout.

    Everything is checked here, before any work: a typo in the last ``--format`` must
    not cost a whole run (or, worse, end it with a verdict that nobody can read).
    """
    out: list[tuple[str, Path | None]] = []
    for spec in specs or ("terminal",):
        name, sep, file = spec.partition(":")
        check_format(name, f"--format {spec}")
        if sep and not file:
            raise UsageError(f"--format {spec}: give a file after the colon, or no colon")
        path = Path(file) if file else None
        if path is not None:
            _check_target(spec, path)
        out.append((name, path))
    if sum(1 for _, f in out if f is None) > 1:
        raise UsageError("only one --format may go to standard output; give the others a :FILE")
    files = [f.resolve() for _, f in out if f is not None]
    if len(set(files)) < len(files):
        raise UsageError("two --format options write the same file; give each its own")
    return out


def _check_target(spec: str, path: Path) -> None:
    """A report file must be writable where it is named: not a folder, not under a file."""
    if path.is_dir():
        raise UsageError(f"--format {spec}: {path} is a folder; name a file in it")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise UsageError(f"--format {spec}: {parent} is a file, not a folder")
            break


def verdict_notice(verdict: Verdict, targets: list[tuple[str, Path | None]]) -> str:
    """The one line for standard error when no terminal report is on the screen: the
    verdict, and where the reports went."""
    from gatekeeper.report.common import verdict_line

    written = ", ".join(f"{name} to {path}" for name, path in targets if path is not None)
    return verdict_line(verdict) + (f"; reports: {written}" if written else "")


@click.command()
@gate_options
@click.option(
    "--format",
    "-f",
    "formats",
    multiple=True,
    metavar="FMT[:FILE]",
    help="terminal, markdown, json, sarif or junit; repeatable; FILE to write it there.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="A previous JSON report: its findings count as pre-existing.",
)
@click.option("--color/--no-color", default=None, help="Colour the terminal report.")
@click.option(
    "--width",
    type=click.IntRange(min=0),
    help="Wrap the terminal report at this many columns (0: never). Default: the "
    "terminal's width (COLUMNS) when standard output is a terminal, else no wrapping.",
)
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="List notices, waived findings (who approved each, why, until when) and "
    "pre-existing findings, which are otherwise only counted.",
)
def run(
    formats: tuple[str, ...],
    baseline: Path | None,
    color: bool | None,
    width: int | None,
    verbose: bool,
    **kw: Any,
) -> None:
    """Judge a change against the Definition of Done and print the verdict.

    Exits 0 when the Definition of Done is met, 1 when it is not.
    """
    from gatekeeper.pipeline import run_gate
    from gatekeeper.report import render

    targets = parse_formats(formats)
    verdict = run_gate(build_options(kw, baseline))
    tty = sys.stdout.isatty()
    use_color = tty if color is None else color
    columns = terminal_width(width, tty)
    for name, path in targets:
        on_screen = path is None
        text = render(
            name,
            verdict,
            color=use_color and on_screen,
            width=columns if on_screen else (width or None),
            verbose=verbose,
        )
        if path is None:
            click.echo(text, nl=not text.endswith("\n"))
        else:
            write_atomically(path, text)
    if ("terminal", None) not in targets:
        # reports in files (or JSON on stdout) leave the screen without the verdict
        click.echo(verdict_notice(verdict, targets), err=True)
    click.get_current_context().exit(EXIT_MET if verdict.met else EXIT_NOT_MET)
