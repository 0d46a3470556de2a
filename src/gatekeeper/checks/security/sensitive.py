"""The sensitive-code part: changes under paths the policy marks sensitive need a human.

The finding proposes a warning; the ``review`` check is the one that knows whether a
human approved the pull request, and it is what satisfies the requirement. Without a
pull request (a local run) the review is reported as pending.
"""

from __future__ import annotations

from gatekeeper.changes.globs import match
from gatekeeper.changes.pullrequest import approving_humans
from gatekeeper.checks.interface import CheckContext
from gatekeeper.checks.security.common import MakeFinding, Part
from gatekeeper.model import Finding, Level, Rule

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
    """One finding per sensitive path pattern that changed files (deleted ones too) fall under."""
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
    # one finding per sensitive area, not per file: a migration-heavy PR would otherwise
    # bury the report under one identical warning per file
    by_pattern: dict[str, list[str]] = {}
    for f in sorted(files, key=lambda f: f.path):
        by_pattern.setdefault(_first_match(f.path, f.old_path, patterns), []).append(f.path)
    findings = []
    for pattern, paths in sorted(by_pattern.items(), key=lambda item: item[1][0]):
        shown = ", ".join(paths[:_LISTED])
        more = f" and {len(paths) - _LISTED} more" if len(paths) > _LISTED else ""
        what = f"{paths[0]} is" if len(paths) == 1 else f"{len(paths)} files ({shown}{more}) are"
        message = (
            f"{what} under a sensitive path ({pattern}) and need{'s' if len(paths) == 1 else ''}"
        )
        message += f" a human's review: {state}."
        findings.append(
            make(RULE_SENSITIVE, message, path=paths[0], evidence=pattern, level=part.level)
        )
    return findings


_LISTED = 5


def _first_match(path: str, old: str | None, patterns: tuple[str, ...]) -> str:
    for pattern in patterns:
        if match(path, pattern) or (old is not None and match(old, pattern)):
            return pattern
    return patterns[0]  # pragma: no cover - matching() only returns files that match
