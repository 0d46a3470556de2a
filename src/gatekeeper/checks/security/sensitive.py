"""The sensitive-code part: changes under paths the policy marks sensitive need a human.

The finding proposes a warning; the ``review`` check is the one that knows whether a
human approved the pull request, and it is what satisfies the requirement. Without a
pull request (a local run) the review is reported as pending.
"""

from __future__ import annotations

from gatekeeper.checks.interface import CheckContext
from gatekeeper.checks.security.common import MakeFinding, Part
from gatekeeper.globs import match
from gatekeeper.model import Finding, Level, Rule
from gatekeeper.pullrequest import approving_humans

RULE_SENSITIVE = "sensitive-change"

#: what counts as sensitive when the policy does not say (set ``sensitive: []`` to turn off)
DEFAULT_SENSITIVE = ("**/auth/**", "**/crypto/**", "**/payments/**", "**/migrations/**")

RULES: tuple[Rule, ...] = (
    Rule(
        RULE_SENSITIVE,
        Level.WARNING,
        "The change touches code the policy marks sensitive; it needs a human's review.",
        remedy="Ask a code owner to review and approve the pull request.",
        tags=("security", "review"),
    ),
)


def run(ctx: CheckContext, part: Part, make: MakeFinding) -> list[Finding]:
    """One finding per changed file (deleted ones included) under a sensitive path."""
    patterns = tuple(part.get("paths", DEFAULT_SENSITIVE))
    if not patterns or approving_humans(ctx.pr):
        return []  # a human who may approve already approved the latest push
    files = ctx.changes.matching(patterns, ctx.exclude)
    if ctx.paths:  # the policy's paths for the whole check narrow this part too
        allowed = {f.path for f in ctx.changes.matching(ctx.paths)}
        files = tuple(f for f in files if f.path in allowed)
    state = (
        "pending until a human approves the pull request"
        if ctx.pr.number is not None
        else "pending (no pull request to read reviews from)"
    )
    findings = []
    for f in sorted(files, key=lambda f: f.path):
        message = (
            f"{f.path} is under a sensitive path ({_first_match(f.path, f.old_path, patterns)}) "
            f"and needs a human's review: {state}."
        )
        findings.append(
            make(RULE_SENSITIVE, message, path=f.path, evidence=f.path, level=part.level)
        )
    return findings


def _first_match(path: str, old: str | None, patterns: tuple[str, ...]) -> str:
    for pattern in patterns:
        if match(path, pattern) or (old is not None and match(old, pattern)):
            return pattern
    return patterns[0]  # pragma: no cover - matching() only returns files that match
