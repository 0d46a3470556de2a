"""The verdict as SARIF 2.1.0, for GitHub code scanning and any SARIF viewer.

One run: the rule catalog in ``tool.driver.rules``, one result per finding with a
``partialFingerprints`` entry so code scanning tracks it across pushes, ``baselineState``
telling new from pre-existing findings, and waivers as accepted suppressions. Checks that
could not run become tool execution notifications.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any, ClassVar
from urllib.parse import quote

from gatekeeper import __version__
from gatekeeper.model import CheckOutcome, Location, Result, Rule, Severity, Status, Verdict
from gatekeeper.report.common import ordered_outcomes, ordered_results
from gatekeeper.report.interface import SARIF_DEFAULT_LEVEL, SARIF_LEVEL

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
FINGERPRINT_KEY = "gatekeeper/v1"
#: GitHub code scanning ignores results past 5,000 per run and rejects a file over 25,000.
MAX_RESULTS = 5000
INFORMATION_URI = "https://pypi.org/project/dod-gatekeeper/"


def _rule_dict(rule_id: str, rule: Rule | None) -> dict[str, Any]:
    if rule is None:
        # A finding whose rule the catalog does not describe still needs an entry, or
        # viewers cannot group it; its id is the best description we have.
        return {"id": rule_id, "shortDescription": {"text": rule_id}}
    entry: dict[str, Any] = {
        "id": rule_id,
        "shortDescription": {"text": rule.summary or rule_id},
        "defaultConfiguration": {"level": SARIF_DEFAULT_LEVEL[rule.level]},
    }
    if rule.description:
        entry["fullDescription"] = {"text": rule.description}
    help_text = rule.remedy or rule.description or rule.summary
    if help_text:
        entry["help"] = {"text": help_text}
    if rule.help_uri:
        entry["helpUri"] = rule.help_uri
    properties: dict[str, Any] = {}
    if rule.tags:
        properties["tags"] = sorted(set(rule.tags))
    if rule.security_severity:
        properties["security-severity"] = rule.security_severity
    if properties:
        entry["properties"] = properties
    return entry


def _policy_path(source: str) -> str:
    """The policy's repository path, or "" when the source is no such path (a preset, a
    file outside the repository, the built-in default)."""
    path = PurePosixPath(source)
    if not source.endswith((".yml", ".yaml")) or ":" in source or path.is_absolute():
        return ""
    return "" if ".." in path.parts else source


def _location(result: Result, fallback: str) -> list[dict[str, Any]]:
    loc = result.finding.location
    if loc is None:
        if not fallback:
            return []
        # Code scanning refuses a whole upload when one result has no location; a finding
        # about the PR as a whole (its title, total coverage) is pinned to the policy that
        # asked for it, and says so.
        loc = Location(fallback)
    uri = quote(loc.path, safe="/", errors="surrogateescape")
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if loc.start_line is not None and loc.start_line >= 1:
        region = {"startLine": loc.start_line}
        if loc.end_line is not None and loc.end_line >= loc.start_line:
            region["endLine"] = loc.end_line
        physical["region"] = region
    return [{"physicalLocation": physical}]


def _result_dict(result: Result, rule_index: int, fallback: str) -> dict[str, Any]:
    finding = result.finding
    entry: dict[str, Any] = {
        "ruleId": finding.qualified_rule,
        "ruleIndex": rule_index,
        "level": SARIF_LEVEL[result.severity],
        "message": {"text": finding.message or finding.qualified_rule},
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "baselineState": "unchanged" if result.pre_existing else "new",
        "properties": {"severity": result.severity.value},
    }
    locations = _location(result, fallback)
    if locations:
        entry["locations"] = locations
    if result.finding.location is None:
        entry["properties"]["pullRequestWide"] = True
    if finding.remedy:
        entry["properties"]["remedy"] = finding.remedy
    if result.waiver is not None:
        waiver = result.waiver
        until = f"; expires {waiver.expires.isoformat()}" if waiver.expires else ""
        entry["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{waiver.reason} (approved by {waiver.approved_by}{until})",
            }
        ]
    return entry


def _invocation(outcomes: list[CheckOutcome]) -> dict[str, Any]:
    notifications = [
        {
            "level": "error",
            "message": {"text": o.error or o.summary or f"the {o.check} check could not run"},
            "descriptor": {"id": o.check},
        }
        for o in outcomes
        if o.status is Status.ERROR
    ]
    invocation: dict[str, Any] = {"executionSuccessful": not notifications}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return invocation


def _priority(result: Result) -> int:
    if result.pre_existing:
        return 5
    if result.waived:
        return 4
    return {Severity.BLOCK: 0, Severity.WARN: 1, Severity.INFO: 2, Severity.OFF: 6}[result.severity]


def _kept(outcomes: list[CheckOutcome]) -> tuple[list[Result], int]:
    """The results to emit, in canonical order, and how many were left out: past
    :data:`MAX_RESULTS` the blocking ones are kept first, the pre-existing ones last."""
    results = [r for o in outcomes for r in ordered_results(o.results)]
    if len(results) <= MAX_RESULTS:
        return results, 0
    ranked = sorted(range(len(results)), key=lambda i: (_priority(results[i]), i))
    kept = sorted(ranked[:MAX_RESULTS])
    return [results[i] for i in kept], len(results) - MAX_RESULTS


def sarif_dict(verdict: Verdict) -> dict[str, Any]:
    """The SARIF log as plain data."""
    outcomes = ordered_outcomes(verdict)
    results, omitted = _kept(outcomes)
    fallback = _policy_path(verdict.policy_source)
    rule_ids = sorted(set(verdict.rules) | {r.finding.qualified_rule for r in results})
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "gatekeeper",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule_dict(rid, verdict.rules.get(rid)) for rid in rule_ids],
            }
        },
        "invocations": [_invocation(outcomes)],
        "results": [_result_dict(r, index[r.finding.qualified_rule], fallback) for r in results],
        "properties": {
            "base": verdict.base,
            "blockingCount": verdict.blocking_count,
            "head": verdict.head,
            "met": verdict.met,
            "omittedResults": omitted,
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


class SarifReporter:
    """``--format sarif``."""

    name: ClassVar[str] = "sarif"

    def render(self, verdict: Verdict) -> str:
        """Sorted keys, two-space indent, trailing newline."""
        data = sarif_dict(verdict)
        text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = json.dumps(data, indent=2, sort_keys=True) + "\n"  # see json.py
        return text
