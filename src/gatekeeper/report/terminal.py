"""The verdict for a person at a terminal: the checklist, what blocks and why, the answer.

Colour is opt-in (the CLI passes ``isatty``), so logs and pipes get plain text.
"""

from __future__ import annotations

from typing import ClassVar

from gatekeeper.model import CheckOutcome, Result, Status, Verdict
from gatekeeper.report.common import (
    Groups,
    group,
    ordered_outcomes,
    outcome_summary,
    plural,
    verdict_line,
    writable,
)
from gatekeeper.report.escape import one_line, shown_path

#: How many findings each list shows before "… and N more".
MAX_LISTED = 25

SYMBOL = {
    Status.PASSED: "✔",
    Status.FAILED: "✖",
    Status.WARNED: "!",
    Status.SKIPPED: "–",
    Status.ERROR: "‼",
}

_RESET = "\x1b[0m"
_COLOR = {
    Status.PASSED: "\x1b[32m",
    Status.FAILED: "\x1b[31m",
    Status.WARNED: "\x1b[33m",
    Status.SKIPPED: "\x1b[2m",
    Status.ERROR: "\x1b[1;31m",
}
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"


class _Paint:
    """Wraps text in ANSI codes only when colour was asked for."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self.enabled else text


def _header(verdict: Verdict) -> list[str]:
    parts = ["gatekeeper"]
    if verdict.pr_number is not None:
        parts.append(f"PR #{verdict.pr_number}")
    if verdict.pr_title:
        parts.append(one_line(verdict.pr_title, 120))
    if verdict.base or verdict.head:
        parts.append(f"{verdict.base[:12] or '?'}..{verdict.head[:12] or '?'}")
    if verdict.policy_source:
        digest = f" @{verdict.policy_digest[:12]}" if verdict.policy_digest else ""
        parts.append(f"policy {one_line(verdict.policy_source, 120)}{digest}")
    lines = [" · ".join(parts)]
    if verdict.agent_signal:
        lines.append(f"agent-authored ({one_line(verdict.agent_signal, 120)})")
    return [*lines, ""]


def _checklist(outcomes: list[CheckOutcome], paint: _Paint) -> list[str]:
    width = max((len(o.check) for o in outcomes), default=0)
    lines = []
    for outcome in outcomes:
        symbol = paint(_COLOR[outcome.status], SYMBOL[outcome.status])
        summary = one_line(outcome_summary(outcome), 160)
        duration = paint(_DIM, f"({outcome.duration:.1f}s)")
        shown = outcome.title and outcome.title != outcome.check
        title = f"{one_line(outcome.title, 60)}: " if shown else ""
        lines.append(f"{symbol} {outcome.check.ljust(width)}  {title}{summary} {duration}")
    return lines or ["(no checks ran)"]


def _finding_lines(result: Result, symbol: str) -> list[str]:
    finding = result.finding
    where = one_line(shown_path(str(finding.location))) if finding.location else "(no location)"
    head = f"  {symbol} {where}  {one_line(finding.qualified_rule)}"
    lines = [head, f"      {one_line(finding.message)}"]
    if finding.remedy:
        lines.append(f"      → {one_line(finding.remedy)}")
    return lines


def _section(title: str, results: list[Result], symbol: str, paint: _Paint) -> list[str]:
    if not results:
        return []
    lines = ["", paint(_BOLD, f"{title} ({len(results)}):")]
    for result in results[:MAX_LISTED]:
        lines.extend(_finding_lines(result, symbol))
    if len(results) > MAX_LISTED:
        lines.append(f"  … and {len(results) - MAX_LISTED} more")
    return lines


def _errors(outcomes: list[CheckOutcome], paint: _Paint) -> list[str]:
    failed = [o for o in outcomes if o.status is Status.ERROR]
    if not failed:
        return []
    lines = ["", paint(_BOLD, f"Errors ({len(failed)}):")]
    for outcome in failed:
        reason = one_line(outcome.error or outcome.summary or "the check could not run")
        symbol = paint(_COLOR[Status.ERROR], SYMBOL[Status.ERROR])
        lines.append(f"  {symbol} {outcome.check}: {reason}")
    return lines


def _tallies(verdict: Verdict, groups: Groups) -> list[str]:
    lines = []
    parts = []
    if groups.info:
        parts.append(plural(len(groups.info), "notice"))
    if groups.pre_existing:
        parts.append(f"{len(groups.pre_existing)} pre-existing (not blocking)")
    if groups.waived:
        parts.append(f"{len(groups.waived)} waived")
    if parts:
        lines += ["", "Also: " + ", ".join(parts)]
    expired = sorted(verdict.expired_waivers, key=lambda w: (w.rule, w.path))
    if expired:
        lines += ["", f"Expired waivers ({len(expired)}), no longer applied:"]
        for waiver in expired[:MAX_LISTED]:
            until = waiver.expires.isoformat() if waiver.expires else "?"
            lines.append(
                f"  {one_line(waiver.rule)} on {one_line(waiver.path)}: expired {until}"
                f" (approved by {one_line(waiver.approved_by)}: {one_line(waiver.reason, 120)})"
            )
        if len(expired) > MAX_LISTED:
            lines.append(f"  … and {len(expired) - MAX_LISTED} more")
    for note in sorted(verdict.notes):
        lines.append(f"Note: {one_line(note)}")
    return lines


class TerminalReporter:
    """``--format terminal`` (the default on a console)."""

    name: ClassVar[str] = "terminal"

    def __init__(self, color: bool = False) -> None:
        self.color = color

    def render(self, verdict: Verdict) -> str:
        """Checklist, blocking findings, warnings, errors, tallies, then the one-line answer."""
        paint = _Paint(self.color)
        outcomes = ordered_outcomes(verdict)
        groups = group(list(verdict.results))
        lines = _header(verdict) + _checklist(outcomes, paint)
        lines += _section("Blocking", list(groups.blocking), "✖", paint)
        lines += _section("Warnings", list(groups.warnings), "!", paint)
        lines += _errors(outcomes, paint)
        lines += _tallies(verdict, groups)
        final = verdict_line(verdict)
        code = _COLOR[Status.PASSED] if verdict.met else _COLOR[Status.FAILED]
        lines += ["", paint(_BOLD + code, final)]
        return writable("\n".join(lines) + "\n")
