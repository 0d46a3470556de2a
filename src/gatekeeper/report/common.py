"""What every reporter needs to agree on: one canonical order, one way to count, one verdict line.

Keeping these here means the terminal, Markdown, JSON, SARIF and JUnit outputs never
disagree about how many findings block or in which order they are listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gatekeeper.model import CheckOutcome, Result, Severity, Status, Verdict


def ordered_outcomes(verdict: Verdict) -> list[CheckOutcome]:
    """The outcomes sorted by check id, whatever order the engine finished them in."""
    return sorted(verdict.outcomes, key=lambda o: (o.check, o.title))


#: the checklist's order: what blocks first, then errors, warnings, passes, not applicable
CHECKLIST_ORDER = (Status.FAILED, Status.ERROR, Status.WARNED, Status.PASSED, Status.SKIPPED)


def checklist_outcomes(verdict: Verdict) -> list[CheckOutcome]:
    """The outcomes as a person reads the checklist: by status (see
    :data:`CHECKLIST_ORDER`), then by check id."""
    rank = {status: i for i, status in enumerate(CHECKLIST_ORDER)}
    return sorted(verdict.outcomes, key=lambda o: (rank[o.status], o.check, o.title))


def error_listed(outcome: CheckOutcome) -> bool:
    """True when an errored check's reason is already on show as a ``check-error`` finding
    that counts (blocking or a warning): reporters then do not repeat it as an error."""
    shown = (Severity.BLOCK, Severity.WARN)
    return any(
        r.counts and r.severity in shown and r.finding.rule == "check-error"
        for r in outcome.results
    )


def result_key(result: Result) -> tuple[bool, str, int, int, str, str, str]:
    """Sort key: by place (findings without one last), then rule, message and fingerprint."""
    finding = result.finding
    loc = finding.location
    return (
        loc is None,
        loc.path if loc else "",
        (loc.start_line or 0) if loc else 0,
        (loc.end_line or 0) if loc else 0,
        finding.qualified_rule,
        finding.message,
        finding.fingerprint,
    )


def ordered_results(results: tuple[Result, ...] | list[Result]) -> list[Result]:
    """The results in canonical order (see :func:`result_key`)."""
    return sorted(results, key=result_key)


@dataclass(frozen=True, slots=True)
class Groups:
    """One outcome's results split by what they do to the verdict, each in canonical order."""

    blocking: tuple[Result, ...]
    warnings: tuple[Result, ...]
    info: tuple[Result, ...]
    pre_existing: tuple[Result, ...]
    waived: tuple[Result, ...]
    off: tuple[Result, ...]

    @property
    def counting(self) -> tuple[Result, ...]:
        """Results that count (blocking, then warnings, then info)."""
        return self.blocking + self.warnings + self.info


def group(results: tuple[Result, ...] | list[Result]) -> Groups:
    """Split results: a pre-existing finding is counted as such even when also waived."""
    buckets: dict[str, list[Result]] = {
        name: [] for name in ("blocking", "warnings", "info", "pre_existing", "waived", "off")
    }
    for result in ordered_results(results):
        if result.pre_existing:
            buckets["pre_existing"].append(result)
        elif result.waived:
            buckets["waived"].append(result)
        elif result.severity is Severity.BLOCK:
            buckets["blocking"].append(result)
        elif result.severity is Severity.WARN:
            buckets["warnings"].append(result)
        elif result.severity is Severity.INFO:
            buckets["info"].append(result)
        else:
            buckets["off"].append(result)
    return Groups(**{name: tuple(items) for name, items in buckets.items()})


def counts(verdict: Verdict) -> dict[str, int]:
    """Totals for a report header: checks per status and findings per category."""
    groups = group(list(verdict.results))
    totals = {status.value: 0 for status in Status}
    for outcome in verdict.outcomes:
        totals[outcome.status.value] += 1
    totals.update(
        checks=len(verdict.outcomes),
        findings=len(verdict.results),
        blocking=verdict.blocking_count,
        warnings=len(groups.warnings),
        info=len(groups.info),
        pre_existing=len(groups.pre_existing),
        waived=len(groups.waived),
        off=len(groups.off),
        expired_waivers=len(verdict.expired_waivers),
    )
    return dict(sorted(totals.items()))


def verdict_line(verdict: Verdict) -> str:
    """``Definition of Done: met`` or ``Definition of Done: not met (N blocking)``."""
    if verdict.met:
        return "Definition of Done: met"
    return f"Definition of Done: not met ({verdict.blocking_count} blocking)"


def outcome_summary(outcome: CheckOutcome) -> str:
    """The check's own summary, or one derived from its status when it gave none."""
    if outcome.summary:
        return outcome.summary
    if outcome.status is Status.ERROR:
        return f"error: {outcome.error}" if outcome.error else "error"
    groups = group(outcome.results)
    parts = []
    if groups.blocking:
        parts.append(f"{len(groups.blocking)} blocking")
    if groups.warnings:
        parts.append(plural(len(groups.warnings), "warning"))
    if parts:
        return ", ".join(parts)
    return {
        Status.PASSED: "passed",
        Status.FAILED: "failed",
        Status.WARNED: "warned",
        Status.SKIPPED: "not applicable",
    }[outcome.status]


#: how the pipeline names where it read a policy file: "path (at base 0123abcd)"
_POLICY_PLACE = re.compile(r"(.+) \((at base [0-9a-f]+|at head|working tree)\)", re.S)


def policy_place(source: str) -> tuple[str, str]:
    """The policy's file and where it was read (``("p.yml", "at base 0123")``); a source
    without such a note (the built-in preset, a file outside the repository) is all file."""
    match = _POLICY_PLACE.fullmatch(source)
    return (match.group(1), match.group(2)) if match else (source, "")


def plural(n: int, word: str) -> str:
    """``1 finding``, ``2 findings``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def writable(text: str) -> str:
    """The text made encodable as UTF-8: a lone surrogate (from a non-UTF-8 file name
    decoded with surrogateescape) is shown as a ``\\udcXX`` escape instead of crashing
    whoever writes the report."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text
