"""The verdict as JUnit XML, for CI systems that show test results (GitLab, Jenkins, Azure).

One ``testsuite`` per check. Each finding that counts is a ``testcase`` (a ``failure``
when it blocks, passing with its message in ``system-out`` otherwise); a check that
passed, warned, was skipped or errored gets one testcase of its own, as does a check
that failed without a blocking finding to show for it (a threshold, say).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import ClassVar

from gatekeeper.model import CheckOutcome, Result, Severity, Status, Verdict
from gatekeeper.report.common import group, ordered_outcomes

# Characters XML 1.0 cannot carry at all, even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 forbids shown as a ``\\uXXXX`` escape."""
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _element(tag: str, attrs: dict[str, str], text: str = "") -> ET.Element:
    element = ET.Element(tag, {k: xml_text(v) for k, v in attrs.items()})
    if text:
        element.text = xml_text(text)
    return element


def _finding_case(outcome: CheckOutcome, result: Result) -> ET.Element:
    finding = result.finding
    where = str(finding.location) if finding.location else "(no location)"
    case = _element(
        "testcase",
        {"classname": f"gatekeeper.{outcome.check}", "name": f"{finding.qualified_rule} {where}"},
    )
    body = finding.message + (f"\nRemedy: {finding.remedy}" if finding.remedy else "")
    body += f"\nFingerprint: {finding.fingerprint}"
    if result.severity is Severity.BLOCK:
        attrs = {"message": finding.message, "type": finding.qualified_rule}
        case.append(_element("failure", attrs, body))
    else:
        case.append(_element("system-out", {}, f"[{result.severity.value}] {body}"))
    return case


def _check_case(outcome: CheckOutcome, has_blocking: bool) -> ET.Element | None:
    """The testcase standing for the check itself, or None when its findings say it all."""
    if outcome.status is Status.FAILED and has_blocking:
        return None
    name = f"{outcome.check}: {outcome.status.value}"
    case = _element("testcase", {"classname": f"gatekeeper.{outcome.check}", "name": name})
    summary = outcome.summary or outcome.status.value
    if outcome.status is Status.ERROR:
        message = outcome.error or summary
        case.append(_element("error", {"message": message, "type": "error"}, message))
    elif outcome.status is Status.FAILED:
        case.append(_element("failure", {"message": summary, "type": "failed"}, summary))
    elif outcome.status is Status.SKIPPED:
        case.append(_element("skipped", {"message": summary}))
    elif outcome.summary:
        case.append(_element("system-out", {}, outcome.summary))
    return case


def _suite(outcome: CheckOutcome) -> ET.Element:
    groups = group(outcome.results)
    cases = [_finding_case(outcome, r) for r in groups.counting]
    check_case = _check_case(outcome, bool(groups.blocking))
    if check_case is not None:
        cases.insert(0, check_case)
    suite = _element(
        "testsuite",
        {
            "name": outcome.check,
            "tests": str(len(cases)),
            "failures": str(sum(1 for c in cases if c.find("failure") is not None)),
            "errors": str(sum(1 for c in cases if c.find("error") is not None)),
            "skipped": str(sum(1 for c in cases if c.find("skipped") is not None)),
            "time": f"{outcome.duration:.3f}",
        },
    )
    suite.extend(cases)
    return suite


class JunitReporter:
    """``--format junit``."""

    name: ClassVar[str] = "junit"

    def render(self, verdict: Verdict) -> str:
        """A ``testsuites`` document with totals, one suite per check, in check order."""
        suites = [_suite(o) for o in ordered_outcomes(verdict)]
        totals = {
            key: str(sum(int(s.get(key, "0")) for s in suites))
            for key in ("tests", "failures", "errors", "skipped")
        }
        duration = sum(o.duration for o in verdict.outcomes)
        root = _element("testsuites", {"name": "gatekeeper", **totals, "time": f"{duration:.3f}"})
        root.extend(suites)
        ET.indent(root)
        body = ET.tostring(root, encoding="unicode")
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
