"""Core data types shared by every layer: severities, findings, outcomes, the verdict.

Everything here is immutable. Checks produce :class:`Finding`; the engine judges each
one against the policy into a :class:`Result`; reporters render the :class:`Verdict`.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


class Level(enum.Enum):
    """What a rule proposes by default, before the policy has its say."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Severity(enum.Enum):
    """What the policy decides a finding does to the verdict."""

    BLOCK = "block"
    WARN = "warn"
    INFO = "info"
    OFF = "off"

    @property
    def rank(self) -> int:
        """Higher is stricter; used to cap and compare severities."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.OFF: 0, Severity.INFO: 1, Severity.WARN: 2, Severity.BLOCK: 3}

#: The one place a rule's level becomes a severity when the policy says nothing.
DEFAULT_SEVERITY: Mapping[Level, Severity] = {
    Level.ERROR: Severity.BLOCK,
    Level.WARNING: Severity.WARN,
    Level.INFO: Severity.INFO,
}


class Status(enum.Enum):
    """How one check ended, as shown on the Definition-of-Done checklist."""

    PASSED = "passed"
    FAILED = "failed"
    WARNED = "warned"
    SKIPPED = "skipped"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Location:
    """A place in the repository; lines are 1-based and inclusive, at the head revision."""

    path: str
    start_line: int | None = None
    end_line: int | None = None

    def __str__(self) -> str:
        if self.start_line is None:
            return self.path
        if self.end_line is None or self.end_line == self.start_line:
            return f"{self.path}:{self.start_line}"
        return f"{self.path}:{self.start_line}-{self.end_line}"


@dataclass(frozen=True, slots=True)
class Rule:
    """One entry of a check's rule catalog."""

    id: str
    level: Level
    summary: str
    remedy: str = ""
    description: str = ""
    help_uri: str = ""
    #: e.g. ("CWE-89",); carried into SARIF so code scanning can rank findings.
    tags: tuple[str, ...] = ()
    #: CVSS-like score as a string ("7.5"), for SARIF's ``security-severity``.
    security_severity: str = ""


def fingerprint(*parts: object) -> str:
    """A stable digest of the parts that identify a finding (never its line number)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(str(part).encode("utf-8", "surrogateescape"))
        digest.update(b"\x1f")
    return digest.hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a check noticed about the change."""

    check: str
    rule: str
    message: str
    level: Level
    location: Location | None
    fingerprint: str
    remedy: str = ""

    @property
    def qualified_rule(self) -> str:
        """``check/rule``, the id used by waivers, ``explain`` and reports."""
        return f"{self.check}/{self.rule}"


@dataclass(frozen=True, slots=True)
class Waiver:
    """An accepted exception, written in the policy with who approved it and why."""

    rule: str
    reason: str
    approved_by: str
    path: str = "**"
    expires: date | None = None
    fingerprint: str = ""

    def expired(self, today: date) -> bool:
        """True once the expiry date has passed (the waiver is valid through that day)."""
        return self.expires is not None and today > self.expires


@dataclass(frozen=True, slots=True)
class Result:
    """A finding as judged by the policy."""

    finding: Finding
    severity: Severity
    pre_existing: bool = False
    waiver: Waiver | None = None

    @property
    def waived(self) -> bool:
        """True when a (non-expired) waiver covers this finding."""
        return self.waiver is not None

    @property
    def counts(self) -> bool:
        """True when this finding can affect the verdict: new, not waived, not off."""
        return not self.pre_existing and self.waiver is None and self.severity is not Severity.OFF

    @property
    def blocking(self) -> bool:
        """True when this finding alone makes the Definition of Done not met."""
        return self.counts and self.severity is Severity.BLOCK


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """What one check produced, judged."""

    check: str
    title: str
    status: Status
    results: tuple[Result, ...] = ()
    summary: str = ""
    details: str = ""
    duration: float = 0.0
    error: str = ""

    @property
    def blocking(self) -> tuple[Result, ...]:
        """The results that block the merge."""
        return tuple(r for r in self.results if r.blocking)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The gate's answer for one pull request."""

    met: bool
    outcomes: tuple[CheckOutcome, ...]
    base: str = ""
    head: str = ""
    policy_source: str = ""
    policy_digest: str = ""
    pr_title: str = ""
    pr_number: int | None = None
    agent_signal: str = ""
    expired_waivers: tuple[Waiver, ...] = ()
    notes: tuple[str, ...] = ()
    #: catalog entries of the rules that appear in the results, keyed "check/rule"
    rules: Mapping[str, Rule] = field(default_factory=dict)

    @property
    def results(self) -> tuple[Result, ...]:
        """Every judged finding, in check order."""
        return tuple(r for o in self.outcomes for r in o.results)

    @property
    def blocking_count(self) -> int:
        """How many findings block (a check that errored carries one ``check-error`` finding)."""
        return sum(len(o.blocking) for o in self.outcomes)
