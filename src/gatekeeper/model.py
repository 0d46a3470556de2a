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


class Style(enum.Enum):
    """How a run of text in a check's details is set."""

    PLAIN = "plain"
    #: shown verbatim: a path, a name, an operation
    CODE = "code"
    STRONG = "strong"


@dataclass(frozen=True, slots=True)
class Span:
    """A run of plain text in one style. Checks never write markup: each reporter escapes
    the text for the place it goes (Markdown, the terminal, a log line)."""

    text: str
    style: Style = Style.PLAIN


#: a line of text made of spans
Inline = tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Heading:
    """A title over the blocks that follow it (the reporter picks its level)."""

    text: Inline


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of prose."""

    text: Inline


@dataclass(frozen=True, slots=True)
class Bullet:
    """A list item, with optional sub-items one level down."""

    text: Inline
    children: tuple[Inline, ...] = ()


@dataclass(frozen=True, slots=True)
class BulletList:
    """A bulleted list."""

    items: tuple[Bullet, ...]


@dataclass(frozen=True, slots=True)
class Table:
    """A table: a header of plain labels and rows of cells (each a line of spans)."""

    header: tuple[str, ...]
    rows: tuple[tuple[Inline, ...], ...]
    #: indexes of the columns that hold numbers (set flush right)
    numeric: frozenset[int] = frozenset()


#: one part of a check's details, shown folded under the check
Block = Heading | Paragraph | BulletList | Table


def inline(*parts: str | Span) -> Inline:
    """A line of spans from plain strings and styled spans: ``inline("see ", code(path))``."""
    return tuple(p if isinstance(p, Span) else Span(p) for p in parts if p)


def code(text: str) -> Span:
    """A span shown verbatim (a path, a name)."""
    return Span(text, Style.CODE)


def strong(text: str) -> Span:
    """A span shown in bold."""
    return Span(text, Style.STRONG)


def plain_text(blocks: tuple[Block, ...] | list[Block]) -> str:
    """The blocks as unescaped plain text, one line per paragraph, item or row (for tests,
    leak checks and search; never publish this without escaping it)."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, (Heading, Paragraph)):
            lines.append(_joined(block.text))
        elif isinstance(block, BulletList):
            for item in block.items:
                lines.append("- " + _joined(item.text))
                lines += ["  - " + _joined(child) for child in item.children]
        else:
            lines.append(" | ".join(block.header))
            lines += [" | ".join(_joined(cell) for cell in row) for row in block.rows]
    return "\n".join(lines)


def _joined(text: Inline) -> str:
    return "".join(span.text for span in text)


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """What one check produced, judged."""

    check: str
    title: str
    status: Status
    results: tuple[Result, ...] = ()
    summary: str = ""
    #: what the check wrote to show under it (an API changelog, a table), as plain text
    details: tuple[Block, ...] = ()
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
