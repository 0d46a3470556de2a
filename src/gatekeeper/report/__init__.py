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


def reporter(fmt: str, *, color: bool = False) -> Reporter:
    """The reporter for ``fmt``; an unknown name is a usage error listing the known ones."""
    if fmt not in FORMATS:
        known = ", ".join(FORMATS)
        raise UsageError(f"unknown report format {fmt!r}: choose one of {known}")
    if fmt == "terminal":
        return TerminalReporter(color=color)
    return FORMATS[fmt]()


def render(fmt: str, verdict: Verdict, *, color: bool = False) -> str:
    """The verdict in format ``fmt`` (``color`` only affects the terminal format)."""
    return reporter(fmt, color=color).render(verdict)


__all__ = ["FORMATS", "Reporter", "render", "reporter"]
