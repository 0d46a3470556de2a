"""``gatekeeper run``: judge a change, print and write reports, exit 0 or 1."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from gatekeeper.cli.common import build_options, gate_options, write_atomically
from gatekeeper.errors import EXIT_MET, EXIT_NOT_MET, UsageError


def parse_formats(specs: tuple[str, ...]) -> list[tuple[str, Path | None]]:
    """``FMT`` or ``FMT:FILE`` pairs; at most one format may go to stdout."""
    from gatekeeper.report import FORMATS

    out: list[tuple[str, Path | None]] = []
    for spec in specs or ("terminal",):
        name, sep, file = spec.partition(":")
        if name not in FORMATS:
            known = ", ".join(sorted(FORMATS))
            raise UsageError(f"--format {spec}: unknown format {name!r} (known: {known})")
        if sep and not file:
            raise UsageError(f"--format {spec}: give a file after the colon, or no colon")
        out.append((name, Path(file) if file else None))
    if sum(1 for _, f in out if f is None) > 1:
        raise UsageError("only one --format may go to standard output; give the others a :FILE")
    return out


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
def run(formats: tuple[str, ...], baseline: Path | None, color: bool | None, **kw: Any) -> None:
    """Judge a change against the Definition of Done and print the verdict.

    Exits 0 when the Definition of Done is met, 1 when it is not.
    """
    from gatekeeper.pipeline import run_gate
    from gatekeeper.report import render

    targets = parse_formats(formats)
    verdict = run_gate(build_options(kw, baseline))
    use_color = sys.stdout.isatty() if color is None else color
    for name, path in targets:
        text = render(name, verdict, color=use_color and path is None)
        if path is None:
            click.echo(text, nl=not text.endswith("\n"))
        else:
            write_atomically(path, text)
    click.get_current_context().exit(EXIT_MET if verdict.met else EXIT_NOT_MET)
