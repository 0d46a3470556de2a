"""Example repository-local check: the pull request references a ticket.

Written only against gatekeeper's public plugin API, as a team would write its own.
Load it from the policy with ``plugins: [checks/ticket_reference.py]`` and configure it
under ``checks: {ticket-reference: {...}}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from gatekeeper.checks.interface import BaseCheck, CheckContext, CheckError, rule_catalog
from gatekeeper.model import Finding, Level, Rule

DEFAULT_PATTERN = r"\b[A-Z][A-Z0-9]+-[0-9]+\b"  # JIRA-style keys: PROJ-123


class TicketReference(BaseCheck):
    """The PR's title, description or branch names a ticket, unless a label exempts it."""

    id: ClassVar[str] = "ticket-reference"
    title: ClassVar[str] = "PR references a ticket"
    description: ClassVar[str] = "Every pull request links the ticket that asked for it."
    rules: ClassVar[Mapping[str, Rule]] = rule_catalog(
        Rule(
            id="no-ticket",
            level=Level.ERROR,
            summary="The pull request does not reference a ticket.",
            remedy="Put the ticket key (e.g. PROJ-123) in the title, description or branch, "
            "or add an exempting label such as `no-ticket`.",
            description="Traceability: every change should say which request it answers.",
        ),
    )
    config_schema: ClassVar[Mapping[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "pattern": {"type": "string", "default": DEFAULT_PATTERN},
            "where": {
                "type": "array",
                "items": {"enum": ["title", "body", "branch"]},
                "minItems": 1,
                "default": ["title", "body", "branch"],
            },
            "exempt_labels": {
                "type": "array",
                "items": {"type": "string"},
                "default": ["no-ticket"],
            },
        },
    }

    def applies(self, ctx: CheckContext) -> bool:
        """Only with pull-request metadata: a local run has no title or body to judge."""
        return ctx.pr.number is not None or bool(ctx.pr.title or ctx.pr.body)

    def run(self, ctx: CheckContext) -> Iterator[Finding]:
        """Yield one finding when no ticket reference is found."""
        exempt = set(ctx.config.get("exempt_labels", ["no-ticket"])) & set(ctx.pr.labels)
        if exempt:
            ctx.set_summary(f"exempt by label {sorted(exempt)[0]}")
            return
        pattern = str(ctx.config.get("pattern", DEFAULT_PATTERN))
        try:
            regex = re.compile(pattern)
        except re.error as exc:
            # bad configuration fails closed, with a message that says what to fix
            raise CheckError(
                f"pattern {pattern!r} is not a valid regular expression ({exc}); fix the policy"
            ) from exc
        texts = {"title": ctx.pr.title, "body": ctx.pr.body, "branch": ctx.pr.head_ref}
        where = list(ctx.config.get("where", ["title", "body", "branch"]))
        for place in where:
            match = regex.search(texts[place])
            if match:
                ctx.set_summary(f"references {match.group(0)} in its {place}")
                return
        yield self.finding(
            "no-ticket",
            f"No ticket reference (`{pattern}`) in the pull request's {', '.join(where)}.",
            evidence=pattern,
        )
