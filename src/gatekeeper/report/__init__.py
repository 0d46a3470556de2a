"""Reporters: pure functions from a Verdict to text, one module per format.

``render(fmt, verdict)`` is the one entry point the CLI and the publishers use; the
reporters themselves only need the standard library, so importing them is cheap.
"""

from __future__ import annotations

from collections.abc import Mapping

from gatekeeper.errors import UsageError
from gatekeeper.model import Verdict
from gatekeeper.report.interface import Reporter
from gatekeeper.report.json import JsonReporter
from gatekeeper.report.junit import JunitReporter
from gatekeeper.report.links import SourceLinks
from gatekeeper.report.markdown import MarkdownReporter
from gatekeeper.report.sarif import SarifReporter
from gatekeeper.report.terminal import TerminalReporter

#: Every output format by name, in alphabetical order.
FORMATS: Mapping[str, type[Reporter]] = {
    "json": JsonReporter,
    "junit": JunitReporter,
    "markdown": MarkdownReporter,
    "sarif": SarifReporter,
    "terminal": TerminalReporter,
}


def reporter(
    fmt: str,
    *,
    color: bool = False,
    width: int | None = None,
    verbose: bool = False,
    links: SourceLinks | None = None,
) -> Reporter:
    """The reporter for ``fmt``; an unknown name is a usage error listing the known ones.

    ``color``, ``width`` (wrap at that many columns) and ``verbose`` (list notices and
    waivers) shape the terminal format; ``links`` (where the files are on GitHub) the
    Markdown one. Every other format ignores them.
    """
    if fmt not in FORMATS:
        known = ", ".join(FORMATS)
        raise UsageError(f"unknown report format {fmt!r}: choose one of {known}")
    if fmt == "terminal":
        return TerminalReporter(color=color, width=width, verbose=verbose)
    if fmt == "markdown":
        return MarkdownReporter(links=links)
    return FORMATS[fmt]()


def render(
    fmt: str,
    verdict: Verdict,
    *,
    color: bool = False,
    width: int | None = None,
    verbose: bool = False,
    links: SourceLinks | None = None,
) -> str:
    """The verdict in format ``fmt`` (see :func:`reporter` for the options)."""
    return reporter(fmt, color=color, width=width, verbose=verbose, links=links).render(verdict)


__all__ = ["FORMATS", "Reporter", "SourceLinks", "render", "reporter"]
