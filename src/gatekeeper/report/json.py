"""The verdict as JSON (``gatekeeper.report/v1``), for machines: dashboards, bots, audits.

The shape is documented by ``docs/report.schema.json``; keys are sorted and the output
ends with a newline, so the same verdict always gives the same bytes.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from gatekeeper.model import CheckOutcome, Result, Verdict, Waiver
from gatekeeper.report.common import counts, ordered_outcomes, ordered_results
from gatekeeper.report.escape import md_blocks

SCHEMA_ID = "gatekeeper.report/v1"


def waiver_dict(waiver: Waiver) -> dict[str, Any]:
    """A waiver as plain data (the expiry as an ISO date, or null)."""
    return {
        "rule": waiver.rule,
        "path": waiver.path,
        "reason": waiver.reason,
        "approved_by": waiver.approved_by,
        "expires": waiver.expires.isoformat() if waiver.expires else None,
        "fingerprint": waiver.fingerprint,
    }


def _finding_dict(result: Result) -> dict[str, Any]:
    finding = result.finding
    loc = finding.location
    return {
        "rule": finding.qualified_rule,
        "check": finding.check,
        "message": finding.message,
        "level": finding.level.value,
        "severity": result.severity.value,
        "path": loc.path if loc else None,
        "start_line": loc.start_line if loc else None,
        "end_line": loc.end_line if loc else None,
        "fingerprint": finding.fingerprint,
        "pre_existing": result.pre_existing,
        "waived": result.waived,
        "waiver": waiver_dict(result.waiver) if result.waiver else None,
        "remedy": finding.remedy,
    }


def _outcome_dict(outcome: CheckOutcome) -> dict[str, Any]:
    return {
        "check": outcome.check,
        "title": outcome.title,
        "status": outcome.status.value,
        "summary": outcome.summary,
        # the same escaped Markdown the PR comment shows: consumers render it as is
        "details": md_blocks(outcome.details),
        "error": outcome.error,
        "findings": [_finding_dict(r) for r in ordered_results(outcome.results)],
    }


def report_dict(verdict: Verdict) -> dict[str, Any]:
    """The whole report as plain data, before serialisation."""
    return {
        "schema": SCHEMA_ID,
        "met": verdict.met,
        "base": verdict.base,
        "head": verdict.head,
        "policy": {"source": verdict.policy_source, "digest": verdict.policy_digest},
        "pr": {
            "number": verdict.pr_number,
            "title": verdict.pr_title,
            "agent": bool(verdict.agent_signal),
            "agent_signal": verdict.agent_signal,
        },
        "counts": counts(verdict),
        "outcomes": [_outcome_dict(o) for o in ordered_outcomes(verdict)],
        "expired_waivers": [
            waiver_dict(w)
            for w in sorted(verdict.expired_waivers, key=lambda w: (w.rule, w.path, w.reason))
        ],
        "notes": sorted(verdict.notes),
    }


class JsonReporter:
    """``--format json``."""

    name: ClassVar[str] = "json"

    def render(self, verdict: Verdict) -> str:
        """Sorted keys, two-space indent, trailing newline; non-ASCII kept as is."""
        data = report_dict(verdict)
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            # A lone surrogate (a non-UTF-8 file name kept by surrogateescape) cannot be
            # written as UTF-8; \u escapes keep the report writable and lossless.
            text = json.dumps(data, indent=2, sort_keys=True) + "\n"
        return text
