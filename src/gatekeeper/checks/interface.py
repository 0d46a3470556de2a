"""The public plugin API: what a check is, and what it is given to run.

A check is a class with an ``id``, a ``title``, a rule catalog, the JSON Schema of its
policy block, and two methods: ``applies`` (cheap: does the diff concern me?) and
``run`` (yield findings). It never prints, never calls GitHub, never reads the policy
file: its configuration arrives validated in ``ctx.config``.

Third-party checks subclass :class:`BaseCheck` and register under the entry-point
group ``gatekeeper.checks``, exactly as the built-in ones do.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from gatekeeper.changes import ChangeSet
from gatekeeper.changes.pullrequest import PullRequest
from gatekeeper.model import (
    Block,
    Finding,
    Level,
    Location,
    Paragraph,
    Rule,
    fingerprint,
    inline,
)

ENTRY_POINT_GROUP = "gatekeeper.checks"
CHECK_ID_PATTERN = r"^[a-z][a-z0-9-]*$"


class CheckError(Exception):
    """Raised by a check that cannot do its job (tool missing, input unusable).

    The engine turns it into an ``error`` outcome that shows the message and blocks
    unless the policy says otherwise. The message should say what to do.
    """


class CheckTimeout(CheckError):
    """The check ran out of its time budget."""


@dataclass(frozen=True)
class PartFailure:
    """One part of a check that could not run, while the rest of the check did.

    The engine reports it as a ``check-error`` finding of that part, whose severity is
    ``on_error`` ("block", "warn" or "info"; None: the check's own ``on_error``); the
    findings the other parts made stand.
    """

    part: str
    reason: str
    on_error: str | None = None


@dataclass
class CheckContext:
    """Everything a check is given for one run."""

    changes: ChangeSet
    pr: PullRequest
    config: Mapping[str, Any]
    scratch: Path
    deadline: float = field(default_factory=lambda: time.monotonic() + 300.0)
    #: paths the policy restricts this check to (empty: everywhere)
    paths: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    #: the files that define the gate itself: the policy, its local extends and plugins
    policy_files: tuple[str, ...] = ()
    summary: str = ""
    details: list[Block] = field(default_factory=list)
    #: fingerprints of findings that already exist at base, with their counts
    existing_at_base: dict[str, int] = field(default_factory=dict)
    #: parts of the check that could not run (see :meth:`part_failed`)
    part_failures: list[PartFailure] = field(default_factory=list)

    def remaining(self) -> float:
        """Seconds left in the time budget (never negative); pass it to subprocess timeouts."""
        return max(0.0, self.deadline - time.monotonic())

    def check_time(self) -> None:
        """Raise :class:`CheckTimeout` once the budget is spent (for long loops)."""
        if time.monotonic() > self.deadline:
            raise CheckTimeout("ran out of its time limit")

    def set_summary(self, text: str) -> None:
        """One line shown beside the check on the checklist (e.g. "diff coverage 84%")."""
        self.summary = text

    def add_details(self, *blocks: Block | str) -> None:
        """Blocks shown folded under the check (e.g. the API changelog); a string is one
        paragraph of plain text.

        Details are plain text, never markup: a check cannot know where they will be
        shown, so each reporter escapes them for its place (a pull request's file names
        and spec text can hold Markdown, HTML or terminal escapes). Build structure from
        :mod:`gatekeeper.model`'s blocks (``Heading``, ``Paragraph``, ``BulletList``,
        ``Table``) and spans (``inline``, ``code``, ``strong``).
        """
        for block in blocks:
            if not isinstance(block, str):
                self.details.append(block)
            elif block.strip():  # an empty string adds nothing
                self.details.append(Paragraph(inline(block)))

    def part_failed(self, part: str, reason: str, on_error: str | None = None) -> None:
        """Declare that one part of the check could not run, and carry on with the others.

        A check made of independent parts (the security check's bandit, secrets,
        dependencies, sensitive) calls this instead of raising :class:`CheckError`, so an
        outage of one part never throws away what the others found.
        """
        self.part_failures.append(PartFailure(part, reason, on_error))

    def mark_existing_at_base(self, findings: Iterable[Finding]) -> None:
        """Declare findings the check also found at base (same fingerprints).

        The engine then reports that many matching head findings as pre-existing, so they
        do not block: N copies at base excuse N copies at head, not more.
        """
        for f in findings:
            self.existing_at_base[f.fingerprint] = self.existing_at_base.get(f.fingerprint, 0) + 1


#: where base-commit inputs (see ``BaseCheck.base_inputs``) are placed, under the repository
BASE_INPUTS_DIR = ".gatekeeper/cache"


@runtime_checkable
class Check(Protocol):
    """The shape every check has; see :class:`BaseCheck` for a convenient base."""

    id: ClassVar[str]
    title: ClassVar[str]
    rules: ClassVar[Mapping[str, Rule]]
    config_schema: ClassVar[Mapping[str, Any]]

    def applies(self, ctx: CheckContext) -> bool:
        """Cheap test: is anything this check looks at in the diff?"""

    def run(self, ctx: CheckContext) -> Iterable[Finding]:
        """Examine the change and yield findings."""


def rule_catalog(*rules: Rule) -> Mapping[str, Rule]:
    """Build a check's ``rules`` mapping from its Rule entries."""
    return {r.id: r for r in rules}


class BaseCheck:
    """A base class with the helpers most checks want."""

    id: ClassVar[str] = ""
    title: ClassVar[str] = ""
    description: ClassVar[str] = ""
    rules: ClassVar[Mapping[str, Rule]] = {}
    config_schema: ClassVar[Mapping[str, Any]] = {"type": "object", "additionalProperties": False}
    #: Files of the base commit's own CI run this check can use (e.g. its coverage report),
    #: by name. The GitHub Action fetches them from the base run's artifact into
    #: ``BASE_INPUTS_DIR/<base sha>/`` before the gate runs; checks never call GitHub.
    base_inputs: ClassVar[tuple[str, ...]] = ()
    #: True when the check executes code from the pull request (imports its modules, runs
    #: its commands, generates from it); it must do so through
    #: ``gatekeeper.sandbox.run_untrusted``. Under ``pull_request_target`` (safe mode) no
    #: PR code may run: such a check is turned off, or, when ``safe_settings`` names policy
    #: settings that stop it executing anything, it runs with them, and the verdict says so.
    executes_pr_code: ClassVar[bool] = False
    safe_settings: ClassVar[Mapping[str, Any] | None] = None

    def applies(self, ctx: CheckContext) -> bool:
        """By default a check applies whenever the diff is not empty."""
        return len(ctx.changes) > 0

    def run(self, ctx: CheckContext) -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding(
        self,
        rule: str,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        end_line: int | None = None,
        evidence: object = "",
        remedy: str | None = None,
        level: Level | None = None,
    ) -> Finding:
        """Make a Finding for one of this check's rules.

        ``evidence`` is what identifies the finding apart from its line (the offending
        code, the property name): it goes into the fingerprint so that the same problem
        keeps its identity when lines move.
        """
        spec = self.rules.get(rule)
        location = (
            Location(path, line, end_line if end_line is not None else line) if path else None
        )
        return Finding(
            check=self.id,
            rule=rule,
            message=message,
            level=level or (spec.level if spec else Level.ERROR),
            location=location,
            fingerprint=fingerprint(self.id, rule, path or "", evidence or message),
            remedy=remedy if remedy is not None else (spec.remedy if spec else ""),
        )
