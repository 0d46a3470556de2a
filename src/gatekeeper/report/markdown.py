"""The verdict as GitHub-flavoured Markdown, for the job summary and the sticky PR comment.

The checklist comes first; each check's findings are folded in a ``<details>`` block.
GitHub rejects comments and summaries over 65,536 characters, so the output is always
kept under :data:`LIMIT` by showing fewer finding rows (never by cutting text in the
middle of a tag or a table) and saying how many were left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from gatekeeper.model import CheckOutcome, Result, Severity, Status, Verdict, Waiver
from gatekeeper.report.common import (
    group,
    ordered_outcomes,
    outcome_summary,
    plural,
    verdict_line,
    writable,
)
from gatekeeper.report.escape import md_blocks, md_code, md_html, md_text, shown_path

#: The most a rendered report may weigh, counted in UTF-8 bytes (stricter than characters,
#: so it holds whichever GitHub counts; its hard cap for comments and summaries is 65,536).
#: 1,000 below the 65,000 publishers cut at, leaving room for a sticky-comment marker.
LIMIT = 64_000
#: Longest message or remedy shown in one table cell.
MAX_CELL = 500
#: Longest ``details`` a check may contribute before it is replaced by a pointer.
MAX_DETAILS = 20_000
#: How many waived findings are listed per check.
MAX_WAIVED = 50

STATUS_EMOJI = {
    Status.PASSED: "✅",
    Status.FAILED: "❌",
    Status.WARNED: "⚠️",
    Status.SKIPPED: "➖",
    Status.ERROR: "‼️",
}
SEVERITY_LABEL = {
    Severity.BLOCK: "❌ block",
    Severity.WARN: "⚠️ warn",
    Severity.INFO: "ℹ️ info",
    Severity.OFF: "off",
}
_TABLE_HEAD = "| Severity | Rule | Location | Finding |\n|---|---|---|---|\n"


def escape(text: str, limit: int = 0) -> str:
    """Text safe inside Markdown, a table cell included (see :func:`escape.md_text`)."""
    return md_text(text, limit)


def code(text: str) -> str:
    """An inline code span that survives backticks in ``text`` and sits safely in a table."""
    return md_code(text)


def _html(text: str, limit: int = 0) -> str:
    return md_html(text, limit)


def _header(verdict: Verdict) -> list[str]:
    mark = "✅" if verdict.met else "❌"
    lines = [f"## {mark} {verdict_line(verdict)}", ""]
    meta = []
    if verdict.pr_number is not None:
        meta.append(f"PR #{verdict.pr_number}")
    if verdict.pr_title:
        meta.append(escape(verdict.pr_title, 200))
    if verdict.base or verdict.head:
        meta.append(code(f"{verdict.base[:12] or '?'}..{verdict.head[:12] or '?'}"))
    if verdict.policy_source:
        digest = f" @ {code(verdict.policy_digest[:12])}" if verdict.policy_digest else ""
        meta.append(f"policy {code(verdict.policy_source)}{digest}")
    if meta:
        lines += [" · ".join(meta), ""]
    if verdict.agent_signal:
        lines += [f"🤖 Agent-authored pull request ({escape(verdict.agent_signal, 200)}).", ""]
    return lines


def _checklist(outcomes: list[CheckOutcome]) -> list[str]:
    lines = []
    for outcome in outcomes:
        done = "x" if outcome.status not in (Status.FAILED, Status.ERROR) else " "
        title = escape(outcome.title or outcome.check, 100)
        summary = escape(outcome_summary(outcome), 200)
        emoji = STATUS_EMOJI[outcome.status]
        lines.append(f"- [{done}] {emoji} **{title}** ({code(outcome.check)}): {summary}")
    return [*(lines or ["_No checks ran._"]), ""]


def _tally(verdict: Verdict) -> list[str]:
    groups = group(list(verdict.results))
    parts = [f"**{verdict.blocking_count} blocking**"]
    parts.append(plural(len(groups.warnings), "warning"))
    parts.append(plural(len(groups.info), "notice"))
    parts.append(f"{len(groups.pre_existing)} pre-existing (not blocking)")
    parts.append(f"{len(groups.waived)} waived")
    return [" · ".join(parts), ""]


def _row(result: Result) -> str:
    finding = result.finding
    where = code(shown_path(str(finding.location))) if finding.location else "—"
    text = escape(finding.message, MAX_CELL)
    if finding.remedy:
        text += f"<br>**Fix:** {escape(finding.remedy, MAX_CELL)}"
    label = SEVERITY_LABEL[result.severity]
    return f"| {label} | {code(finding.qualified_rule)} | {where} | {text} |\n"


def _waiver_text(waiver: Waiver) -> str:
    until = f", expires {waiver.expires.isoformat()}" if waiver.expires else ""
    # the approver as code: a handle like @org/team in plain text would notify the team
    return f"{escape(waiver.reason, 300)} (approved by {code(waiver.approved_by)}{until})"


def _waived_lines(results: tuple[Result, ...]) -> str:
    if not results:
        return ""
    lines = [f"**Waived** ({len(results)}):", ""]
    for result in results[:MAX_WAIVED]:
        loc = result.finding.location
        where = f" at {code(shown_path(str(loc)))}" if loc else ""
        assert result.waiver is not None  # grouped as waived, so it has one
        rule = code(result.finding.qualified_rule)
        lines.append(f"- {rule}{where}: {_waiver_text(result.waiver)}")
    if len(results) > MAX_WAIVED:
        lines.append(f"- …and {len(results) - MAX_WAIVED} more waived findings")
    return "\n".join(lines) + "\n\n"


def _details_text(outcome: CheckOutcome) -> str:
    if not outcome.details:
        return ""
    # Details are plain text in blocks; md_blocks escapes every span, so a spec's property
    # name or a file name cannot open HTML, close our fold or start a heading.
    text = md_blocks(outcome.details)
    if len(text) > MAX_DETAILS:
        return (
            f"_The details of this check ({len(text)} characters) are too long to "
            "show here; the JSON report has them in full._\n\n"
        )
    return text + "\n\n"


@dataclass(frozen=True, slots=True)
class _Section:
    """One check's folded block: a fixed opening and closing around the finding rows."""

    opening: str
    rows: tuple[str, ...]
    closing: str
    urgent: int  # how many leading rows block (shown first when space is short)

    def render(self, shown: int) -> str:
        parts = [self.opening]
        if shown:
            parts += [_TABLE_HEAD, *self.rows[:shown], "\n"]
        if shown < len(self.rows):
            parts.append(f"…and {len(self.rows) - shown} more findings\n\n")
        parts += [self.closing, "</details>\n\n"]
        return "".join(parts)


def _section(outcome: CheckOutcome) -> _Section | None:
    groups = group(outcome.results)
    rows = tuple(_row(r) for r in groups.counting)
    closing = ""
    if outcome.status is Status.ERROR:
        closing += f"**Error:** {escape(outcome.error or 'the check could not run', 2000)}\n\n"
    closing += _details_text(outcome) + _waived_lines(groups.waived)
    if groups.pre_existing:
        count = plural(len(groups.pre_existing), "pre-existing finding")
        closing += f"{count} (already at base, not blocking).\n\n"
    if not rows and not closing:
        return None
    summary = (
        f"{STATUS_EMOJI[outcome.status]} <b>{_html(outcome.title or outcome.check, 100)}</b> "
        f"(<code>{_html(outcome.check)}</code>): {_html(outcome_summary(outcome), 200)}"
    )
    opening = f"<details>\n<summary>{summary}</summary>\n\n"
    return _Section(opening, rows, closing, len(groups.blocking))


def _trailer(verdict: Verdict) -> str:
    lines = []
    expired = sorted(verdict.expired_waivers, key=lambda w: (w.rule, w.path, w.reason))
    if expired:
        lines += [f"### Expired waivers ({len(expired)})", ""]
        for waiver in expired[:MAX_WAIVED]:
            lines.append(
                f"- {code(waiver.rule)} on {code(waiver.path)}, no longer applied: "
                + _waiver_text(waiver)
            )
        if len(expired) > MAX_WAIVED:
            lines.append(f"- …and {len(expired) - MAX_WAIVED} more expired waivers")
        lines.append("")
    for note in sorted(verdict.notes)[:MAX_WAIVED]:
        lines += [f"> {escape(note, 1000)}", ""]
    return "\n".join(lines)


def _size(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _allocate(sections: list[_Section], budget: int) -> list[int]:
    """How many rows each section shows: blocking rows of every check first, then the rest."""
    shown = [0] * len(sections)
    for urgent_pass in (True, False):
        for i, sec in enumerate(sections):
            stop = sec.urgent if urgent_pass else len(sec.rows)
            while shown[i] < stop:
                cost = _size(sec.rows[shown[i]]) + (_size(_TABLE_HEAD) + 1 if shown[i] == 0 else 0)
                if cost > budget:
                    break
                budget -= cost
                shown[i] += 1
    return shown


def _fit(head: str, sections: list[_Section], tail: str) -> str:
    full = head + "".join(s.render(len(s.rows)) for s in sections) + tail
    if _size(full) <= LIMIT:
        return full
    bare = head + "".join(s.render(0) for s in sections) + tail
    if _size(bare) <= LIMIT:
        shown = _allocate(sections, LIMIT - _size(bare))
        return head + "".join(s.render(n) for s, n in zip(sections, shown, strict=True)) + tail
    # Even without rows it is too long (a huge number of checks): keep what fits of the
    # checklist, whole lines only.
    note = "\n_Details omitted: too long for one comment; the JSON report has them all._\n"
    kept = head
    while _size(kept + note) > LIMIT:
        kept = kept[: kept.rstrip("\n").rfind("\n") + 1]
    return kept + note


class MarkdownReporter:
    """``--format markdown`` (job summary, PR comment)."""

    name: ClassVar[str] = "markdown"

    def render(self, verdict: Verdict) -> str:
        """Title, checklist, tallies, one folded section per check with something to say."""
        outcomes = ordered_outcomes(verdict)
        head = "\n".join(_header(verdict) + _checklist(outcomes) + _tally(verdict)) + "\n"
        sections = [s for s in (_section(o) for o in outcomes) if s is not None]
        return writable(_fit(head, sections, _trailer(verdict)))
