"""What a reporter is: a name and a pure ``render(verdict) -> str``.

Reporters never compute verdicts and never publish; they only format. The same
verdict always renders to byte-identical output (no clocks, no dict-order surprises).
"""

from __future__ import annotations

from typing import ClassVar, Protocol

from gatekeeper.model import Level, Severity, Verdict

#: The one place severities map to SARIF result levels.
SARIF_LEVEL = {
    Severity.BLOCK: "error",
    Severity.WARN: "warning",
    Severity.INFO: "note",
    Severity.OFF: "none",
}

#: The one place severities map to GitHub annotation levels (check runs and workflow commands).
ANNOTATION_LEVEL = {
    Severity.BLOCK: "failure",
    Severity.WARN: "warning",
    Severity.INFO: "notice",
    Severity.OFF: "notice",
}

#: A rule's default level as SARIF's ``defaultConfiguration.level``.
SARIF_DEFAULT_LEVEL = {Level.ERROR: "error", Level.WARNING: "warning", Level.INFO: "note"}


class Reporter(Protocol):
    """One output format."""

    name: ClassVar[str]

    def render(self, verdict: Verdict) -> str:
        """The verdict in this format."""
