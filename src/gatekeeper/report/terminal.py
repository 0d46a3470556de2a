"""The verdict for a person at a terminal: the checklist, what blocks and why, the answer.

Colour is opt-in (the CLI passes ``isatty``), so logs and pipes get plain text. So is
wrapping: given a width, long lines are wrapped at spaces with a hanging indent, and a
location is never split, whatever spaces its path holds (a path longer than the line
stays whole). ``verbose`` lists the notices, waived and pre-existing findings that are
otherwise only counted, with who waived each and why.
"""

from __future__ import annotations

from typing import ClassVar

from gatekeeper.model import CheckOutcome, Result, Status, Verdict
from gatekeeper.report.common import (
    Groups,
    checklist_outcomes,
    error_listed,
    group,
    outcome_summary,
    plural,
    policy_place,
    verdict_line,
    writable,
)
from gatekeeper.report.escape import one_line, shown_path
from gatekeeper.report.wrap import Line, glue, glue_code, wrap_lines

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


def _header(verdict: Verdict) -> list[Line]:
    parts = ["gatekeeper"]
    if verdict.pr_number is not None:
        parts.append(f"PR #{verdict.pr_number}")
    if verdict.pr_title:
        parts.append(one_line(verdict.pr_title, 120))
    if verdict.base or verdict.head:
        parts.append(f"{verdict.base[:12] or '?'}..{verdict.head[:12] or '?'}")
    if verdict.policy_source:
        path, read_at = policy_place(verdict.policy_source)
        notes = [read_at] if read_at else []
        if verdict.policy_digest:
            notes.append(f"digest {verdict.policy_digest[:12]}")
        note = f" ({', '.join(notes)})" if notes else ""
        parts.append(f"policy {glue(one_line(path, 120))}{note}")  # the file's name stays whole
    lines = [Line(" · ".join(parts), 2)]
    if verdict.agent_signal:
        lines.append(Line(f"agent-authored ({one_line(verdict.agent_signal, 120)})", 2))
    return [*lines, Line("")]


def _checklist(outcomes: list[CheckOutcome], paint: _Paint) -> list[Line]:
    width = max((len(o.check) for o in outcomes), default=0)
    lines = []
    for outcome in outcomes:
        symbol = paint(_COLOR[outcome.status], SYMBOL[outcome.status])
        summary = one_line(outcome_summary(outcome), 160)
        duration = paint(_DIM, f"({outcome.duration:.1f}s)")
        shown = outcome.title and outcome.title != outcome.check
        title = f"{one_line(outcome.title, 60)}: " if shown else ""
        text = f"{symbol} {outcome.check.ljust(width)}  {title}{summary} {duration}"
        lines.append(Line(text, width + 4))
    return lines or [Line("(no checks ran)")]


def _finding_lines(result: Result, symbol: str) -> list[Line]:
    finding = result.finding
    loc = finding.location
    where = one_line(shown_path(str(loc))) if loc else "(no location)"
    message = glue_code(one_line(finding.message))
    if loc and " " in loc.path:
        # the file's name, quoted in the message, stays on one line there too
        shown = one_line(shown_path(loc.path))
        message = message.replace(shown, glue(shown))
    lines = [
        Line(f"  {glue(f'{symbol} {where}')}  {one_line(finding.qualified_rule)}", 4),
        Line(f"      {message}", 6),
    ]
    if finding.remedy:
        lines.append(Line(f"      → {glue_code(one_line(finding.remedy))}", 8))
    if result.waiver is not None:
        waiver = result.waiver
        until = f" until {waiver.expires.isoformat()}" if waiver.expires else ""
        who = one_line(waiver.approved_by, 120)
        lines.append(Line(f"      waived by {who}{until}: {one_line(waiver.reason, 300)}", 8))
    return lines


def _section(title: str, results: list[Result], symbol: str, paint: _Paint) -> list[Line]:
    if not results:
        return []
    lines = [Line(""), Line(paint(_BOLD, f"{title} ({len(results)}):"))]
    for result in results[:MAX_LISTED]:
        lines.extend(_finding_lines(result, symbol))
    if len(results) > MAX_LISTED:
        lines.append(Line(f"  … and {len(results) - MAX_LISTED} more", 4))
    return lines


def _errors(outcomes: list[CheckOutcome], paint: _Paint) -> list[Line]:
    """Checks that could not run and whose reason no listed finding already gives."""
    failed = [o for o in outcomes if o.status is Status.ERROR and not error_listed(o)]
    if not failed:
        return []
    lines = [Line(""), Line(paint(_BOLD, f"Errors ({len(failed)}):"))]
    for outcome in failed:
        reason = one_line(outcome.error or outcome.summary or "the check could not run")
        symbol = paint(_COLOR[Status.ERROR], SYMBOL[Status.ERROR])
        lines.append(Line(f"  {symbol} {outcome.check}: {reason}", 4))
    return lines


def _also(groups: Groups, verbose: bool) -> list[Line]:
    """The counts of what is not listed (all of it is listed under ``verbose``)."""
    if verbose:
        return []
    parts = []
    if groups.info:
        parts.append(plural(len(groups.info), "notice"))
    if groups.pre_existing:
        parts.append(f"{len(groups.pre_existing)} pre-existing (not blocking)")
    if groups.waived:
        parts.append(f"{len(groups.waived)} waived")
    if not parts:
        return []
    return [Line(""), Line("Also: " + ", ".join(parts) + " (--verbose lists them)", 2)]


def _listed(groups: Groups, paint: _Paint, verbose: bool) -> list[Line]:
    if not verbose:
        return []
    return (
        _section("Notices", list(groups.info), "i", paint)
        + _section("Waived", list(groups.waived), "~", paint)
        + _section("Pre-existing, not blocking", list(groups.pre_existing), "·", paint)
    )


def _expired(verdict: Verdict) -> list[Line]:
    lines = []
    expired = sorted(verdict.expired_waivers, key=lambda w: (w.rule, w.path))
    if expired:
        lines += [Line(""), Line(f"Expired waivers ({len(expired)}), no longer applied:")]
        for waiver in expired[:MAX_LISTED]:
            until = waiver.expires.isoformat() if waiver.expires else "?"
            lines.append(
                Line(
                    f"  {one_line(waiver.rule)} on {glue(one_line(waiver.path))}: "
                    f"expired {until} (approved by {one_line(waiver.approved_by)}: "
                    f"{one_line(waiver.reason, 120)})",
                    4,
                )
            )
        if len(expired) > MAX_LISTED:
            lines.append(Line(f"  … and {len(expired) - MAX_LISTED} more", 4))
    for note in sorted(verdict.notes):
        lines.append(Line(f"Note: {one_line(note)}", 6))
    return lines


class TerminalReporter:
    """``--format terminal`` (the default on a console)."""

    name: ClassVar[str] = "terminal"

    def __init__(
        self, color: bool = False, width: int | None = None, verbose: bool = False
    ) -> None:
        self.color = color
        self.width = width
        self.verbose = verbose

    def render(self, verdict: Verdict) -> str:
        """Checklist, blocking findings, warnings, errors, tallies, then the one-line answer."""
        paint = _Paint(self.color)
        outcomes = checklist_outcomes(verdict)
        groups = group(list(verdict.results))
        lines = _header(verdict) + _checklist(outcomes, paint)
        lines += _section("Blocking", list(groups.blocking), "✖", paint)
        lines += _section("Warnings", list(groups.warnings), "!", paint)
        lines += _errors(outcomes, paint)
        lines += _listed(groups, paint, self.verbose)
        lines += _also(groups, self.verbose)
        lines += _expired(verdict)
        final = verdict_line(verdict)
        code = _COLOR[Status.PASSED] if verdict.met else _COLOR[Status.FAILED]
        lines += [Line(""), Line(paint(_BOLD + code, final))]
        return writable("\n".join(wrap_lines(lines, self.width)) + "\n")
