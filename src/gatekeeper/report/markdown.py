"""The verdict as GitHub-flavoured Markdown: the PR comment, the step summary, the check run.

A tech lead reads it top down and stops when they know enough, so the order is: the
verdict; what blocks the merge, each finding with its rule, its location (a link to the
lines at the head commit when the repository is known), its message and what to do;
the checklist, ordered by outcome; then one folded ``<details>`` per check with all its
findings, details, waivers and pre-existing findings.

Findings are list items, never table cells: a remedy's code stays code and no message
can break a row. GitHub rejects comments and summaries over 65,536 characters, so the
output is kept under :data:`LIMIT` by showing fewer findings (never by cutting text in
the middle of a tag or an item) and saying how many were left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from gatekeeper.model import CheckOutcome, Location, Result, Severity, Status, Verdict, Waiver
from gatekeeper.report.common import (
    checklist_outcomes,
    error_listed,
    group,
    outcome_summary,
    plural,
    policy_place,
    verdict_line,
    writable,
)
from gatekeeper.report.escape import md_blocks, md_code, md_html, md_text, shown_path
from gatekeeper.report.links import SourceLinks

#: The most a rendered report may weigh, counted in UTF-8 bytes (stricter than characters,
#: so it holds whichever GitHub counts; its hard cap for comments and summaries is 65,536).
#: 1,000 below the 65,000 publishers cut at, leaving room for a sticky-comment marker.
LIMIT = 64_000
#: Longest message or remedy shown for one finding.
MAX_CELL = 500
#: How many blocking findings are listed above the checklist (the rest are under their check).
MAX_TOP = 10
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
#: a CommonMark hard line break that no editor strips (trailing spaces would be)
_BREAK = "\\\n  "


def escape(text: str, limit: int = 0) -> str:
    """Text safe inside Markdown, a table cell included (see :func:`escape.md_text`)."""
    return md_text(text, limit)


def code(text: str) -> str:
    """An inline code span that survives backticks in ``text`` and sits safely in a table."""
    return md_code(text)


def _prose(text: str, limit: int = MAX_CELL) -> str:
    """Text outside any table: a ``|`` inside a code span needs no backslash there."""
    return md_text(text, limit, in_table=False)


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
        path, read_at = policy_place(verdict.policy_source)
        notes = [escape(read_at)] if read_at else []
        if verdict.policy_digest:
            notes.append(f"digest {code(verdict.policy_digest[:12])}")
        meta.append(f"policy {code(path)}" + (f" ({', '.join(notes)})" if notes else ""))
    if meta:
        lines += [" · ".join(meta), ""]
    if verdict.agent_signal:
        lines += [f"🤖 Agent-authored pull request ({escape(verdict.agent_signal, 200)}).", ""]
    return lines


def where(location: Location | None, links: SourceLinks | None) -> str:
    """A finding's place: ``path:line`` as code, linked to those lines when the
    repository is known (the URL is built from percent-encoded segments only)."""
    if location is None:
        return ""
    shown = md_code(shown_path(str(location)), in_table=False)
    if links is None:
        return shown
    return f"[{shown}]({links.url(location)})"


def item(result: Result, links: SourceLinks | None, label: str = "") -> str:
    """One finding as a list item: rule, place and message, then what to do."""
    finding = result.finding
    place = where(finding.location, links)
    # "*", not "-": a list of findings never runs on into a "-" list that follows it
    # (the checklist, a check's details), as CommonMark joins lists of the same marker
    first = f"* {label}{md_code(finding.qualified_rule, in_table=False)}"
    first += f" at {place}" if place else ""
    if finding.message.strip():
        first += f": {_prose(finding.message)}"
    lines = [first]
    if finding.remedy.strip():
        lines.append(f"**Fix:** {_prose(finding.remedy)}")
    return _BREAK.join(lines) + "\n"


def _blocking(outcomes: list[CheckOutcome], links: SourceLinks | None) -> list[str]:
    """What blocks the merge, above everything else (at most :data:`MAX_TOP` findings)."""
    results = [r for o in outcomes for r in group(o.results).blocking]
    if not results:
        return []
    lines = [f"**What blocks the merge** ({len(results)}):", ""]
    lines += [item(r, links).rstrip("\n") for r in results[:MAX_TOP]]
    if len(results) > MAX_TOP:
        more = plural(len(results) - MAX_TOP, "more blocking finding")
        lines += ["", f"…and {more}, listed under their checks below."]
    return [*lines, ""]


def _checklist(outcomes: list[CheckOutcome]) -> list[str]:
    """One line per check, by outcome; the mark is the status (no checkbox: a ticked box
    would claim a skipped or warned check was done, and readers could tick it)."""
    lines = []
    for outcome in outcomes:
        title = escape(outcome.title or outcome.check, 100)
        summary = escape(outcome_summary(outcome), 200)
        emoji = STATUS_EMOJI[outcome.status]
        lines.append(f"- {emoji} **{title}** ({code(outcome.check)}): {summary}")
    if not lines:
        return ["_No checks ran._", ""]
    return [f"**Checklist** ({plural(len(lines), 'check')}, by outcome):", "", *lines, ""]


def _tally(verdict: Verdict) -> list[str]:
    groups = group(list(verdict.results))
    parts = [
        plural(len(groups.warnings), "warning"),
        plural(len(groups.info), "notice"),
        f"{len(groups.pre_existing)} pre-existing (not blocking)",
        f"{len(groups.waived)} waived",
    ]
    return [f"**{verdict.blocking_count} blocking** · " + " · ".join(parts), ""]


def _waiver_text(waiver: Waiver) -> str:
    until = f", expires {waiver.expires.isoformat()}" if waiver.expires else ""
    # the approver as code: a handle like @org/team in plain text would notify the team
    approver = md_code(waiver.approved_by, in_table=False)
    return f"{_prose(waiver.reason, 300)} (approved by {approver}{until})"


def _waived_lines(results: tuple[Result, ...], links: SourceLinks | None) -> str:
    if not results:
        return ""
    lines = [f"**Waived** ({len(results)}):", ""]
    for result in results[:MAX_WAIVED]:
        place = where(result.finding.location, links)
        at = f" at {place}" if place else ""
        assert result.waiver is not None  # grouped as waived, so it has one
        rule = md_code(result.finding.qualified_rule, in_table=False)
        lines.append(f"- {rule}{at}: {_waiver_text(result.waiver)}")
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
    """One check's folded block: a fixed opening and closing around its finding items."""

    opening: str
    items: tuple[str, ...]
    closing: str
    urgent: int  # how many leading items block (shown first when space is short)

    def render(self, shown: int) -> str:
        parts = [self.opening]
        if shown:
            parts += [*self.items[:shown], "\n"]
        if shown < len(self.items):
            parts.append(f"…and {len(self.items) - shown} more findings\n\n")
        parts += [self.closing, "</details>\n\n"]
        return "".join(parts)


def _section(outcome: CheckOutcome, links: SourceLinks | None) -> _Section | None:
    groups = group(outcome.results)
    items = tuple(item(r, links, SEVERITY_LABEL[r.severity] + " · ") for r in groups.counting)
    closing = ""
    if outcome.status is Status.ERROR and not error_listed(outcome):
        closing += f"**Error:** {_prose(outcome.error or 'the check could not run', 2000)}\n\n"
    closing += _details_text(outcome) + _waived_lines(groups.waived, links)
    if groups.pre_existing:
        count = plural(len(groups.pre_existing), "pre-existing finding")
        closing += f"{count} (already at base, not blocking).\n\n"
    if not items and not closing:
        return None
    summary = (
        f"{STATUS_EMOJI[outcome.status]} <b>{md_html(outcome.title or outcome.check, 100)}</b> "
        f"(<code>{md_html(outcome.check)}</code>): {md_html(outcome_summary(outcome), 200)}"
    )
    opening = f"<details>\n<summary>{summary}</summary>\n\n"
    return _Section(opening, items, closing, len(groups.blocking))


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
    """How many items each section shows: blocking items of every check first, then the rest."""
    shown = [0] * len(sections)
    for urgent_pass in (True, False):
        for i, sec in enumerate(sections):
            stop = sec.urgent if urgent_pass else len(sec.items)
            while shown[i] < stop:
                cost = _size(sec.items[shown[i]]) + (1 if shown[i] == 0 else 0)
                if cost > budget:
                    break
                budget -= cost
                shown[i] += 1
    return shown


@dataclass(frozen=True, slots=True)
class _Head:
    """Everything above the folds; the checklist is the part that may be cut."""

    top: str
    checklist: list[str]
    bottom: str

    def text(self) -> str:
        return self.top + "\n".join(self.checklist) + "\n" + self.bottom


def _fit(head: _Head, sections: list[_Section], tail: str) -> str:
    start = head.text()
    full = start + "".join(s.render(len(s.items)) for s in sections) + tail
    if _size(full) <= LIMIT:
        return full
    bare = start + "".join(s.render(0) for s in sections) + tail
    if _size(bare) <= LIMIT:
        shown = _allocate(sections, LIMIT - _size(bare))
        return start + "".join(s.render(n) for s, n in zip(sections, shown, strict=True)) + tail
    # Even without findings it is too long (a huge number of checks): keep the verdict,
    # what blocks, and what fits of the checklist, whole lines only.
    note = "\n_Details omitted: too long for one comment; the JSON report has them all._\n"
    kept = list(head.checklist)
    while kept and _size(head.top + "\n".join(kept) + "\n" + note) > LIMIT:
        kept.pop()
    return head.top + "\n".join(kept) + "\n" + note


class MarkdownReporter:
    """``--format markdown`` (job summary, PR comment, check-run summary)."""

    name: ClassVar[str] = "markdown"

    def __init__(self, links: SourceLinks | None = None) -> None:
        self.links = links

    def render(self, verdict: Verdict) -> str:
        """Verdict, what blocks, checklist, tallies, one folded section per check."""
        outcomes = checklist_outcomes(verdict)
        top = "\n".join(_header(verdict) + _blocking(outcomes, self.links)) + "\n"
        head = _Head(top, _checklist(outcomes), "\n".join(_tally(verdict)) + "\n")
        sections = [s for s in (_section(o, self.links) for o in outcomes) if s is not None]
        return writable(_fit(head, sections, _trailer(verdict)))
