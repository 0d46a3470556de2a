"""The JUnit reporter: well-formed XML whatever the findings contain, sensible counts."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from gatekeeper.model import CheckOutcome, Result, Severity, Status, Verdict
from gatekeeper.report.junit import JunitReporter, xml_text
from tests.report.verdicts import FIXTURES, finding, met_verdict, not_met_verdict


def parse(verdict: Verdict) -> ET.Element:
    text = JunitReporter().render(verdict)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    # parse the encoded bytes, as a CI server reading the file would
    return ET.fromstring(text.encode("utf-8"))


def suites(root: ET.Element) -> dict[str, ET.Element]:
    return {s.get("name", ""): s for s in root.iter("testsuite")}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_every_fixture_is_well_formed_and_totals_add_up(name: str) -> None:
    root = parse(FIXTURES[name]())
    assert root.tag == "testsuites"
    for key in ("tests", "failures", "errors", "skipped"):
        assert int(root.get(key, "-1")) == sum(int(s.get(key, "0")) for s in root.iter("testsuite"))
    for suite in root.iter("testsuite"):
        assert int(suite.get("tests", "-1")) == len(suite.findall("testcase"))


def test_one_suite_per_check_and_what_each_holds() -> None:
    by_name = suites(parse(not_met_verdict()))
    assert list(by_name) == [
        "cochange",
        "coverage",
        "env-vars",
        "migrations",
        "openapi",
        "sarif",
        "security",
    ]
    migrations = by_name["migrations"]
    assert migrations.get("failures") == "3"
    assert migrations.get("time") == "1.250"
    first = migrations.findall("testcase")[0]
    assert first.get("name") == "migrations/drop-column db/migrations/0042 café ünïcode.sql:3-5"
    failure = first.find("failure")
    assert failure is not None
    assert failure.get("type") == "migrations/drop-column"
    assert "Remedy: Split into two releases." in (failure.text or "")
    # only findings that count: the waived and the pre-existing ones are not testcases
    assert by_name["openapi"].get("tests") == "1"
    assert by_name["security"].get("tests") == "1"
    assert by_name["sarif"].find("testcase/error") is not None
    skipped = by_name["env-vars"].find("testcase/skipped")
    assert skipped is not None and skipped.get("message") == "no .env files changed"
    coverage_failure = by_name["coverage"].find("testcase/failure")
    assert coverage_failure is not None and "41%" in coverage_failure.get("message", "")
    info_case = by_name["cochange"].findall("testcase")[1]
    assert info_case.find("failure") is None
    assert (info_case.findtext("system-out") or "").startswith("[info] src/api changed")


def test_passing_checks_get_a_passing_testcase() -> None:
    by_name = suites(parse(met_verdict()))
    case = by_name["openapi"].find("testcase")
    assert case is not None
    assert case.get("name") == "openapi: passed"
    assert case.findtext("system-out") == "no breaking changes"
    quiet = by_name["security"].find("testcase")
    assert quiet is not None and len(quiet) == 0
    warned = by_name["coverage"].findall("testcase")
    assert [c.find("failure") for c in warned] == [None, None]


def test_control_characters_never_reach_the_xml() -> None:
    text = JunitReporter().render(not_met_verdict())
    assert "\x1b" not in text and "\x00" not in text
    assert "Control \\u001b[31mred\\u0000" in text
    message = parse(not_met_verdict()).iter("failure")
    assert any("\t" in (m.get("message") or "") for m in message)  # tab survives as &#09;


def test_xml_text_keeps_what_xml_allows() -> None:
    assert xml_text("tab\tnl\ncr\r é 🚀") == "tab\tnl\ncr\r é 🚀"
    assert xml_text("\x01\x0b\ufffe\udce9") == "\\u0001\\u000b\\ufffe\\udce9"


def test_a_non_utf8_path_gives_parseable_xml() -> None:
    f = finding("c", "r", "odd", "caf\udce9.py", 1)
    verdict = Verdict(
        met=False, outcomes=(CheckOutcome("c", "C", Status.FAILED, (Result(f, Severity.BLOCK),)),)
    )
    case = parse(verdict).find("testsuite/testcase")
    assert case is not None and case.get("name") == "c/r caf\\udce9.py:1"
