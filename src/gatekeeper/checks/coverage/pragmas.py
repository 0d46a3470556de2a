"""``# pragma: no cover`` the pull request wrote: lines it takes out of the measurement.

coverage.py leaves a line (or the block it opens) out of the report when it carries the
pragma, so diff coverage never counts it. The base commit's pragmas stand; one on a line
the pull request added is its author's own say-so, judged by
:mod:`gatekeeper.changes.suppressions`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gatekeeper.changes import FileStatus
from gatekeeper.changes.suppressions import TRUST_KEY, Marker, Suppressions
from gatekeeper.checks.interface import BaseCheck, CheckContext
from gatekeeper.model import Finding

RULE = "excluded-in-pr"
#: coverage.py's default exclusion (``[report] exclude_lines``)
NO_COVER = re.compile(r"#\s*(?:pragma|PRAGMA)[:\s]?\s*(?:no|NO)\s*(?:cover|COVER)")


def excluded_in_pr(check: BaseCheck, ctx: CheckContext) -> Iterator[Finding]:
    """One finding per ``no cover`` pragma on a line the PR added, unless it may stand."""
    judge = Suppressions(
        ctx.changes,
        ctx.pr,
        trusted=bool(ctx.config.get(TRUST_KEY, False)),
        setting=f"checks.coverage.{TRUST_KEY}",
    )
    for f in ctx.changes:
        if f.status is FileStatus.DELETED or not f.is_text or not f.added:
            continue
        added = f.added_lines()
        text = ctx.changes.text_at_head(f.path) or ""
        for number, line in enumerate(text.split("\n"), 1):
            match = NO_COVER.search(line) if number in added else None
            if match is None:
                continue
            marker = Marker(match.group(0), f.path, number)
            if judge.honours(marker):
                continue
            found = check.finding(
                RULE,
                f"Line {number} of {f.path} is excluded from coverage by a pragma this pull "
                "request added, so diff coverage does not count what it excludes.",
                path=f.path,
                line=number,
                evidence=line.strip(),
            )
            yield judge.mark(found, marker)
    if judge.summary():
        ctx.add_details(judge.summary())
